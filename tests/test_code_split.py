"""Splitting a code: chosen codings go to a new code beside it or to an
existing one, as one undoable step; from the code panel and the map."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tacompanion.store import history
from tacompanion.store.code_split import codings_of, split_code
from tacompanion.store.study import Study, StudyError

V2 = Path(__file__).parent / "data" / "study-v2.db"


@pytest.fixture
def study(tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    with Study.open(path) as s:
        yield s


def _count(study, name):
    return study.scalar("SELECT count(*) FROM codings k JOIN codes c ON c.id = k.code_id WHERE c.name = ?", (name,))


def test_split_to_a_new_code_beside_it_and_undo(study):
    code = study.scalar("SELECT id FROM codes WHERE name = 'learning to wait'")
    walk = codings_of(study, code)
    assert len(walk) == 8 and [c.participant for c in walk] == sorted(c.participant for c in walk)
    assert all(c.text for c in walk)
    target, created, moved = split_code(study, code, [walk[0].id, walk[1].id], "waiting it out")
    assert created and moved == 2
    assert _count(study, "waiting it out") == 2 and _count(study, "learning to wait") == 6
    theme = study.scalar("SELECT theme_id FROM codes WHERE id = ?", (code,))
    assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (target,)) == theme  # beside it
    op = history.undo(study)
    assert op.kind == "split-code"
    assert _count(study, "learning to wait") == 8
    assert study.scalar("SELECT count(*) FROM codes WHERE name = 'waiting it out'") == 0


def test_split_to_an_existing_code_collapses_duplicates_and_refuses_nonsense(study):
    code = study.scalar("SELECT id FROM codes WHERE name = 'learning to wait'")
    walk = codings_of(study, code)
    with pytest.raises(StudyError, match="leave at least one"):
        split_code(study, code, [c.id for c in walk], "other")
    with pytest.raises(StudyError, match="choose one or more"):
        split_code(study, code, [], "other")
    with pytest.raises(StudyError, match="already"):
        split_code(study, code, [walk[0].id], "Learning to wait")
    other = study.scalar("SELECT id FROM codes WHERE name = 'not knowing'")
    row = study.query("SELECT transcript_id, start_pos, end_pos, coder FROM codings WHERE id = ?",
                      (walk[0].id,))[0]
    with study.write() as db:  # 'not knowing' already on the first span, by the same coder
        db["codings"].insert({"uuid": "x-1", "code_id": other, "transcript_id": row["transcript_id"],
                              "start_pos": row["start_pos"], "end_pos": row["end_pos"], "coder": row["coder"],
                              "created_at": "2026-01-01T00:00:00.000Z"})
    before = _count(study, "not knowing")
    target, created, moved = split_code(study, code, [walk[0].id, walk[1].id], "NOT KNOWING")
    assert target == other and not created and moved == 1
    assert _count(study, "not knowing") == before + 1 and _count(study, "learning to wait") == 6


async def test_split_from_the_map(study):
    from textual.widgets import Input, SelectionList

    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.dialogs.split_code import SplitCodeScreen
    from tacompanion.tui.thematic.thematic_map import ThemeMapScreen

    app = TacompanionApp(study, coder="ana", start=("map", 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ThemeMapScreen)
        index = next(i for i, r in enumerate(screen.map.rows) if r.kind == "code" and r.name == "learning to wait")
        screen.tree.move_to(index)
        await pilot.pause()
        assert screen.selected_row().name == "learning to wait"
        await pilot.press("S")
        for _ in range(100):
            if isinstance(app.screen, SplitCodeScreen):
                break
            await pilot.pause(0.05)
        dialog = app.screen
        assert isinstance(dialog, SplitCodeScreen)
        dialog.query_one(Input).value = "waiting it out"
        await pilot.press("tab", "space", "down", "space")
        assert len(dialog.query_one(SelectionList).selected) == 2
        await pilot.press("ctrl+s")
        for _ in range(100):
            if app.screen is screen:
                break
            await pilot.pause(0.05)
        assert _count(study, "waiting it out") == 2
        assert "Split 2 codings of 'learning to wait' to the new code 'waiting it out'" in str(
            screen.query_one("#map-status").render())
