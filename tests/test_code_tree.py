"""Codes under codes: the tree order, nesting a code (children follow it into
a theme and when it moves), counting a code with its children (the map's C),
and the nesting shown in the map and the code panel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tacompanion.core.code_tree import descendants, tree_order
from tacompanion.store import history
from tacompanion.store.code_tree import code_depths, counts_with_children, nest_code
from tacompanion.store.study import Study, StudyError
from tacompanion.store.thematic import thematic_map
from tacompanion.store.themes import move_code

V2 = Path(__file__).parent / "data" / "study-v2.db"


def test_tree_order_puts_children_under_parents_and_never_loses_a_code():
    codes = [(1, "b", None), (2, "a", 1), (3, "C", 1), (4, "z", 2), (5, "orphan", 99), (6, "x", 7), (7, "y", 6)]
    assert tree_order(codes) == [(1, 0), (2, 1), (4, 2), (3, 1), (5, 0), (6, 0), (7, 1)]
    assert descendants({1: None, 2: 1, 3: 1, 4: 2}, 1) == {2, 3, 4}


@pytest.fixture
def study(tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    with Study.open(path) as s:
        yield s


def _id(study, name):
    return study.scalar("SELECT id FROM codes WHERE name = ?", (name,))


def test_nesting_joins_the_parents_theme_moves_with_it_and_is_undoable(study):
    parent, child = _id(study, "fear of rejection"), _id(study, "not knowing")
    theme = study.scalar("SELECT theme_id FROM codes WHERE id = ?", (parent,))
    nest_code(study, child, parent)
    assert study.query("SELECT parent_code_id, theme_id FROM codes WHERE id = ?", (child,))[0] == {
        "parent_code_id": parent, "theme_id": theme}
    with pytest.raises(StudyError, match="cannot go under itself"):
        nest_code(study, parent, child)
    move_code(study, parent, None)  # the child goes along
    assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (child,)) is None
    history.undo(study)
    assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (child,)) == theme
    history.undo(study)
    assert study.scalar("SELECT parent_code_id FROM codes WHERE id = ?", (child,)) is None
    history.redo(study)
    depths = dict(code_depths(study))
    assert depths[child] == 1 and depths[parent] == 0


def test_a_parent_counts_its_children_when_asked(study):
    parent, child = _id(study, "fear of rejection"), _id(study, "not knowing")
    nest_code(study, child, parent)
    plain = thematic_map(study)
    rows = {r.id: r for r in plain.rows if r.kind == "code"}
    assert rows[child].depth == rows[parent].depth + 1
    own = rows[parent].counts
    both = counts_with_children(study)[parent]
    codings = study.scalar("SELECT count(*) FROM codings WHERE code_id IN (?, ?)", (parent, child))
    assert both.codings == codings > own.codings
    with_children = {r.id: r for r in thematic_map(study, with_children=True).rows if r.kind == "code"}
    assert with_children[parent].counts == both
    assert with_children[child].counts == rows[child].counts  # a leaf counts itself


async def test_map_and_code_panel_show_and_edit_the_nesting(study):
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.coding.code_list import CodeList
    from tacompanion.tui.dialogs.picker import FuzzyPicker
    from tacompanion.tui.thematic.thematic_map import ThemeMapScreen

    parent, child = _id(study, "fear of rejection"), _id(study, "not knowing")
    app = TacompanionApp(study, coder="ana", start=("map", 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ThemeMapScreen)
        screen.tree.move_to(next(i for i, r in enumerate(screen.map.rows) if r.id == child and r.kind == "code"))
        await pilot.press("P")
        for _ in range(100):
            if isinstance(app.screen, FuzzyPicker):
                break
            await pilot.pause(0.05)
        await pilot.press(*"fear", "enter")
        for _ in range(100):
            if study.scalar("SELECT parent_code_id FROM codes WHERE id = ?", (child,)) == parent:
                break
            await pilot.pause(0.05)
        assert study.scalar("SELECT parent_code_id FROM codes WHERE id = ?", (child,)) == parent
        await pilot.pause()
        rows = {r.id: r for r in screen.map.rows if r.kind == "code"}
        assert rows[child].depth == rows[parent].depth + 1
        assert "    · not knowing" in str(screen.render_row(screen.map.rows.index(rows[child])))
        await pilot.press("C")
        await pilot.pause()
        assert screen.with_children
        assert screen.map.rows[screen.map.rows.index(
            next(r for r in screen.map.rows if r.id == parent and r.kind == "code"))].counts == \
            counts_with_children(study)[parent]
    transcript = study.scalar("SELECT id FROM transcripts ORDER BY id LIMIT 1")
    app = TacompanionApp(study, coder="ana", start=("transcript", transcript))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one(CodeList)
        names = [c.name for c in listing.codes]
        assert names.index("not knowing") == names.index("fear of rejection") + 1
        assert listing.depths[child] == 1
        assert str(listing._render(names.index("not knowing"))).startswith("  not knowing")
