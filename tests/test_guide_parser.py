"""The guide format, rule by rule: good guides parse to the right structure;
every rule that a bad guide breaks is reported with its line."""

from __future__ import annotations

import pytest

from tacompanion.core.guide import GuideError
from tacompanion.core.guide_parser import decode_guide, parse_guide, parse_guide_bytes

GOOD = """\
---
version: 2.1
duration: 55
language: en
---
# Therapists' experiences of MBT

Thank you for taking part.
The recorder is on.

> Consent form signed?

## Warm-up [5 min]

Keep it light.

> Check the recorder.

1. Could you tell me about your
   background?
   - How long have you worked here?
   - What training do you have?
2) What drew you to this work?

## The last session [12 min]
- Please tell me about the last session.
  * What happened first?
  + What was silent?
* Anything else?
"""


def issues_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(GuideError) as err:
        parse_guide(text)
    return [(i.line, i.message) for i in err.value.issues]


def only_issue(text: str) -> tuple[int, str]:
    found = issues_of(text)
    assert len(found) == 1, found
    return found[0]


def test_good_guide_structure():
    g = parse_guide(GOOD)
    assert g.title == "Therapists' experiences of MBT"
    assert (g.version, g.duration, g.language) == ("2.1", 55, "en")
    assert g.opening == ("Thank you for taking part. The recorder is on.", "Consent form signed?")
    assert [s.title for s in g.sections] == ["Warm-up", "The last session"]
    assert [s.minutes for s in g.sections] == [5, 12]
    warm = g.sections[0]
    assert warm.notes == ("Keep it light.", "Check the recorder.")
    assert [q.text for q in warm.questions] == [
        "Could you tell me about your background?",  # wrapped item joined
        "What drew you to this work?",
    ]
    assert [p.text for p in warm.questions[0].probes] == [
        "How long have you worked here?",
        "What training do you have?",
    ]
    last = g.sections[1]
    assert [q.number for q in g.questions] == [1, 2, 3, 4]
    assert [len(q.probes) for q in last.questions] == [2, 0]
    assert g.summary() == "2 sections, 4 questions, 4 probes, 55 min planned"
    assert warm.questions[0].line == 19 and warm.line == 13


def test_stable_ids_from_position_and_slug():
    g = parse_guide(GOOD)
    q = g.questions[0]
    assert q.id == "s1.q1-could-you-tell-me-about-your"
    assert q.probes[1].id == "s1.q1.p2-what-training-do-you-have"
    assert g.sections[1].id == "s2-the-last-session"
    assert g.questions[2].id.startswith("s2.q1-")
    # ids depend on the text only through the slug: same guide, same ids
    assert [x.id for x in parse_guide(GOOD).questions] == [x.id for x in g.questions]
    assert g.question(q.id) is q


def test_front_matter_is_optional_and_planned_time_falls_back_to_sections():
    g = parse_guide("# T\n\n## A [10 min]\n- q\n\n## B [7 min]\n- q2\n")
    assert g.version is None and g.duration is None
    assert g.planned_minutes == 17
    assert parse_guide("# T\n## A\n- q\n").planned_minutes is None


def test_crlf_bom_and_cr_are_accepted():
    lf = parse_guide(GOOD)
    for data in (
        GOOD.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + GOOD.encode(),
        GOOD.replace("\n", "\r").encode(),
    ):
        g = parse_guide_bytes(data)
        assert g.questions == lf.questions
        assert g.source_hash == lf.source_hash


def test_not_utf8_names_the_line():
    data = "# T\n\n## A\n- caf\xe9\n".encode("latin-1")
    with pytest.raises(GuideError) as err:
        decode_guide(data)
    (issue,) = err.value.issues
    assert issue.line == 4 and "not valid UTF-8" in issue.message


@pytest.mark.parametrize(
    ("front", "line", "words"),
    [
        ("colour: blue", 2, "unknown front matter key 'colour'"),
        ("duration: 0", 2, "whole number of minutes"),
        ("duration: 45.5", 2, "whole number of minutes"),
        ("duration: soon", 2, "whole number of minutes"),
        ("version 1", 2, "not 'key: value'"),
        ("version:", 2, "has no value"),
    ],
)
def test_front_matter_errors(front, line, words):
    found = only_issue(f"---\n{front}\n---\n# T\n## A\n- q\n")
    assert found[0] == line and words in found[1]


def test_front_matter_duplicate_key():
    assert only_issue("---\nversion: 1\nversion: 2\n---\n# T\n## A\n- q\n") == (
        3,
        "front matter key 'version' is given twice",
    )


def test_front_matter_never_closed():
    line, message = issues_of("---\nversion: 1\n# T\n## A\n- q\n")[0]
    assert line == 1 and "never closed" in message


def test_title_is_required():
    line, message = only_issue("## A\n- q\n")
    assert "before the title" in message or "no title" in message
    found = issues_of("Just text.\n")
    assert any("title" in m for _, m in found)


def test_exactly_one_title():
    assert only_issue("# T\n## A\n- q\n# Again\n")[0] == 4
    assert "second level-1" in only_issue("# T\n\n# U\n## A\n- q\n")[1]


def test_text_before_the_title_is_an_error():
    assert only_issue("Hello\n\n# T\n## A\n- q\n") == (
        1,
        "text before the title: the guide must start with '# Title'",
    )


def test_headings_of_level_three_or_deeper():
    line, message = only_issue("# T\n## A\n- q\n### Deeper\n")
    assert line == 4 and "level-3 heading" in message
    assert only_issue("# T\n## A\n- q\n##### Five\n")[0] == 4


def test_section_minutes_must_be_whole_and_positive():
    for bad in ("[0 min]", "[x min]", "[2.5 min]", "[-3 min]"):
        line, message = only_issue(f"# T\n## A {bad}\n- q\n")
        assert line == 2 and "[N min]" in message, bad


def test_duplicate_section_titles():
    assert only_issue("# T\n## Warm-up\n- q\n## warm-up\n- q2\n") == (
        4,
        "duplicate section title 'warm-up' (first at line 2)",
    )


def test_list_item_before_the_first_section():
    line, message = only_issue("# T\n\n- a question too early\n\n## A\n- q\n")
    assert line == 3 and "before the first section" in message


def test_section_without_questions():
    line, message = only_issue("# T\n## A\nOnly a note.\n## B\n- q\n")
    assert line == 2 and "has no questions" in message


def test_empty_items():
    assert only_issue("# T\n## A\n- q\n-\n")[0] == 4
    line, message = only_issue("# T\n## A\n- q\n\n  -\n")
    assert line == 5 and "empty probe" in message


def test_nesting_deeper_than_probes():
    line, message = only_issue("# T\n## A\n1. q\n   - probe\n     - too deep\n")
    assert line == 5 and "nested too deep" in message


def test_probe_indented_too_little_is_caught_not_misread():
    line, message = only_issue("# T\n## A\n1. q\n  - probe?\n")
    assert line == 4 and "indented" in message


def test_every_error_is_reported_in_line_order():
    text = "---\nsize: 3\n---\n# T\n## A [0 min]\n### x\n## B\n- q\n-\n## B\n- r\n"
    lines = [line for line, _ in issues_of(text)]
    assert lines == sorted(lines)
    assert lines == [2, 5, 5, 6, 9, 10]


def test_a_question_may_wrap_and_use_inline_markup():
    g = parse_guide("# T\n## A\n1. What is *it* like\n   to run `MBT` groups?\n")
    assert g.questions[0].text == "What is it like to run MBT groups?"


def test_ordered_and_bulleted_questions_mix_and_number_across_sections():
    g = parse_guide("# T\n## A\n1. a\n2. b\n## B\n- c\n+ d\n")
    assert [(q.number, q.section_index, q.position) for q in g.questions] == [
        (1, 0, 1),
        (2, 0, 2),
        (3, 1, 1),
        (4, 1, 2),
    ]
