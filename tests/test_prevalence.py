"""Prevalence labels, worked out by hand."""

import pytest

from tacompanion.core.prevalence import (
    DEFAULT_RULE,
    PrevalenceRow,
    RuleError,
    describe,
    label,
    rule_from_setting,
    rule_text,
    rule_to_setting,
)
from tacompanion.store.schema import DEFAULT_PREVALENCE_RULE


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (6, {1: "one or two", 2: "one or two", 3: "some", 4: "most", 5: "most", 6: "all"}),
        (4, {1: "one or two", 2: "one or two", 3: "most", 4: "all"}),
        (10, {1: "one or two", 2: "one or two", 3: "some", 5: "some", 6: "most", 9: "most", 10: "all"}),
    ],
)
def test_default_labels(total, expected):
    for n, word in expected.items():
        assert label(n, total) == word, (n, total)
    assert label(0, total) is None


def test_describe_and_rule_text():
    assert describe(5, 6) == "most participants (5 of 6)"
    assert describe(0, 6) == "no participants (0 of 6)"
    assert rule_text() == "all = N; most = half+1 to N-1; some = 3 to half; one or two = 1 to 2"
    assert rule_text(total=6) == "all = 6; most = 4-5; some = 3; one or two = 1-2"
    assert rule_text(total=4) == "all = 4; most = 3; one or two = 1-2"


def test_the_studys_default_setting_is_the_default_rule():
    assert rule_from_setting(DEFAULT_PREVALENCE_RULE) == DEFAULT_RULE
    assert rule_to_setting(DEFAULT_RULE) == DEFAULT_PREVALENCE_RULE


def test_custom_rule_and_bad_bounds():
    rule = (PrevalenceRow("many", "half", "N"), PrevalenceRow("few", "1", "half-1"))
    assert [label(n, 8, rule) for n in (1, 3, 4, 8)] == ["few", "few", "many", "many"]
    with pytest.raises(RuleError):
        rule_from_setting([{"label": "x", "min": "N*2", "max": "N"}])
    with pytest.raises(RuleError):
        rule_from_setting([{"label": " ", "min": "1", "max": "N"}])


def test_map_drawing_boxes_lines_and_places():
    from tacompanion.core.map_drawing import BOX_WIDTH, MapNode, draw_map

    drawing = draw_map([
        MapNode(1, None, "Being with silence", "5/6 most"),
        MapNode(2, 1, "Unease", "1/6 one or two"),
        MapNode(3, 1, "Waiting 我很安静 and a very long name", "0/6 -"),
        MapNode(4, None, "Safety", "3/6 some"),
    ])
    lines = drawing.lines
    assert drawing.boxes[1].x == 0 and drawing.boxes[2].x == drawing.boxes[3].x == BOX_WIDTH + 4
    assert drawing.boxes[2].y == 0 and drawing.boxes[3].y == 5 and drawing.boxes[4].y == 10
    assert lines[1].startswith("│ Being with silence") and "──┬─│ Unease" in lines[1]
    assert "└─│ Waiting 我很安静" in lines[6] and lines[6].endswith("… │")
    assert drawing.width <= 80  # two levels fit an 80-column terminal


def test_map_boxes_use_the_width_there_is():
    from tacompanion.core.map_drawing import BOX_WIDTH, MapNode, draw_map

    long = "Silence as a way of being with the group"
    nodes = [MapNode(1, None, long, "3/6 most · 2 codes"), MapNode(2, 1, "Waiting", "1/6 one")]
    narrow = draw_map(nodes)
    assert narrow.boxes[1].width == BOX_WIDTH and long not in "\n".join(narrow.lines)
    wide = draw_map(nodes, 120)
    assert long in "\n".join(wide.lines)  # not cut when there is room
    assert wide.boxes[1].width == len(long) + 4 and wide.width <= 120
    assert draw_map(nodes, 50).boxes[1].width == BOX_WIDTH  # never narrower than before
