"""The framework matrix screen, driven with Pilot: cells show summaries and
their backing, Enter opens a cell whose summary is saved as it is typed
(one undo step), n jumps to the next empty cell, r / c read a row / column,
b switches to the guide's questions, pilots are shown apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tacompanion.store import history
from tacompanion.store.framework import find_column, find_participant, set_summary, summary
from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.home.home import HomeScreen
from tacompanion.tui.thematic.thematic_map import ThemeMapScreen
from tacompanion.tui.writing.framework import FrameworkScreen
from tacompanion.tui.writing.framework_cell import FrameworkCellScreen
from tacompanion.tui.writing.framework_text import FrameworkTextScreen

V2 = Path(__file__).parent / "data" / "study-v2.db"


@pytest.fixture
def v2_study(tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    study = Study.open(path)
    with study.write() as db:
        db.execute("UPDATE participants SET pilot = 1 WHERE pseudonym = 'T4'")
    yield study
    study.close()


async def wait_for(pilot, condition, tries: int = 200):
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def test_write_summaries_in_cells_and_read_rows_and_columns(v2_study):
    study = v2_study
    set_summary(study, find_participant(study, "T2"), find_column(study, "Working alliance"), "Trust first.")
    app = TacompanionApp(study, coder="ana", start=("map", 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ThemeMapScreen)
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameworkScreen) and app.screen.fw is not None
                       and app.screen.fw.backed == {r.participant_id for r in app.screen.fw.rows})
        # (theme columns: the rows in view are counted with the first frame)
        screen = app.screen
        fw = screen.fw
        assert [r.pseudonym for r in screen.table_rows if r] == ["T1", "T2", "T3", "T4"]
        assert screen.table_rows[3] is None and screen.table_rows[4].pilot  # pilots apart
        table = screen.query_one("#framework")
        assert str(table.get_cell_at((1, 2))) == "✓ 2"  # T2 x Working alliance: written, 2 extracts
        assert str(table.get_cell_at((0, 1))) == "  3"
        assert "1 of 6 written" in str(screen.query_one("#framework-title").render())
        # Enter writes T1 x Being with silence, saved as typed
        table.move_cursor(row=0, column=1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameworkCellScreen))
        cell = app.screen
        assert "3 extracts" in str(cell.query_one("#cell-title").render())
        assert len(cell.query("#cell-material Static")) == 3
        await pilot.press(*"Waits", "space", *"calmly")
        t1 = find_participant(study, "T1")
        silence = fw.columns[0]
        await wait_for(pilot, lambda: summary(study, t1, silence) == "Waits calmly")  # before closing
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert str(table.get_cell_at((0, 1))) == "✓ 3"
        # a cell on the second row, written: the matrix is drawn again and the cursor stays there
        table.move_cursor(row=1, column=1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameworkCellScreen))
        await pilot.press("W")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.pause()
        assert table.cursor_coordinate == (1, 1) and str(table.get_cell_at((1, 1))) == "✓ 3"
        t2 = find_participant(study, "T2")
        set_summary(study, t2, fw.columns[0], "")
        table.move_cursor(row=0, column=1)
        await pilot.pause()
        # one sitting, one undo step
        # one sitting, one undo step: the set before, T1's sitting, T2's sitting, T2's removal
        assert study.scalar("SELECT count(*) FROM operations WHERE kind = 'framework-summary'") == 4
        # n: the next cell without a summary (T1 x Working alliance)
        await pilot.press("n")
        assert table.cursor_coordinate == (0, 2)
        await pilot.press("n")  # T2 x Being with silence; T2 x Working alliance is written
        assert table.cursor_coordinate == (1, 1)
        await pilot.press("n")
        assert table.cursor_coordinate == (2, 1)
        # c: the column as one text
        table.move_cursor(row=1, column=2)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameworkTextScreen))
        text = app.screen.text
        assert text.startswith("T1\n(no summary yet)\n\nT2\nTrust first.")
        assert "T4 (pilot)" in text
        await pilot.press("q")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameworkTextScreen))
        assert app.screen.text == "Being with silence\n(no summary yet)\n\nWorking alliance\nTrust first."
        await pilot.press("q")
        # b: the guide's questions
        await pilot.press("b", "b")
        await wait_for(pilot, lambda: screen.by == "questions" and screen.fw.by == "questions")
        assert screen.fw.columns[0].title.startswith("Q1.")
        await pilot.press("b", "b")  # back to the main themes
        await wait_for(pilot, lambda: screen.fw.by == "themes")
        await pilot.press("u")  # takes back the last step (T2's removal) here too
        await wait_for(pilot, lambda: summary(study, t2, silence) == "W")
        assert "Undid: Summary of T2" in str(screen.query_one("#framework-status").render())
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: summary(study, t2, silence) == "")
        await pilot.press("u")
    assert summary(study, t2, silence) == "W"
    history.undo(study)  # T2's sitting
    history.undo(study)  # T1's sitting
    assert summary(study, t1, silence) == "" and summary(study, t2, silence) == ""


async def test_home_opens_the_framework(v2_study):
    app = TacompanionApp(v2_study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameworkScreen))


async def test_group_rows_by_an_attribute(v2_study):
    with v2_study.write() as db:
        db.execute("UPDATE participants SET attributes = '{\"role\": \"nurse\"}' WHERE pseudonym = 'T3'")
        db.execute("UPDATE participants SET attributes = '{\"role\": \"psychologist\"}' WHERE pseudonym = 'T1'")
    app = TacompanionApp(v2_study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        app.action_framework()
        await wait_for(pilot, lambda: isinstance(app.screen, FrameworkScreen) and app.screen.fw is not None)
        screen = app.screen
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.group_by == "role")
        assert [(r.pseudonym, r.group) for r in screen.table_rows if r] == [
            ("T3", "nurse"), ("T1", "psychologist"), ("T2", ""), ("T4", "")]
        assert str(screen.query_one("#framework").get_cell_at((0, 0))) == "T3 · nurse"
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.group_by is None)
