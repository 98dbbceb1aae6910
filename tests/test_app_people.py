"""The screens of issue 14, driven with Pilot: the participants screen (from
home, keyboard only), the transcripts screen's move / rename / remove, the
matrix grouped by an attribute, and `/` finding interview notes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tacompanion.store.attributes import set_attribute
from tacompanion.store.participants import participant_rows
from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.coding import CodingScreen
from tacompanion.tui.dialogs.prompts import ConfirmScreen, PromptScreen
from tacompanion.tui.familiarise.participants import ParticipantsScreen
from tacompanion.tui.familiarise.search import SearchScreen
from tacompanion.tui.familiarise.transcripts import TranscriptsScreen
from tacompanion.tui.home.home import HomeScreen
from tacompanion.tui.thematic.matrix import MatrixScreen

V2 = Path(__file__).resolve().parent / "data" / "study-v2.db"


@pytest.fixture
def v2(tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    with Study.open(path) as s:
        yield s


async def _until(pilot, condition, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def _people(study) -> dict[str, dict]:
    return {r["id"]: r for r in participant_rows(study)}


async def _answer(pilot, app, text: str) -> None:
    await _until(pilot, lambda: isinstance(app.screen, PromptScreen), "a prompt")
    app.screen.query_one("#prompt-input").value = text
    await pilot.press("enter")


async def test_the_participants_screen_from_home_renames_pilots_sets_and_removes(v2):
    app = TacompanionApp(v2, coder="kim")
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        assert "· p" in str(app.screen.query_one("#glance").render())
        await pilot.press("p")
        await _until(pilot, lambda: isinstance(app.screen, ParticipantsScreen), "the participants screen")
        screen = app.screen
        assert "N = 4" in str(screen.query_one("#participants-summary").render())
        # pilot yes on the first (T1): N and the summary follow at once
        await pilot.press("p")
        await _until(pilot, lambda: "N = 3" in str(screen.query_one("#participants-summary").render()), "N = 3")
        assert _people(v2)["T1"]["pilot"] is True
        # rename T2
        await pilot.press("down", "r")
        await _answer(pilot, app, "P2")
        await _until(pilot, lambda: "P2" in _people(v2), "the rename")
        assert "Renamed T2 to P2" in str(screen.query_one("#participants-status").render())
        # an attribute, name then value
        await pilot.press("a")
        await _answer(pilot, app, "profession")
        await _answer(pilot, app, "nurse")
        await _until(pilot, lambda: _people(v2)["P2"]["attributes"] == {"profession": "nurse"}, "the attribute")
        # a value that does not fit its type is refused, and said
        await pilot.press("a")
        await _answer(pilot, app, "years")
        await _answer(pilot, app, "11")
        await pilot.press("a")
        await _answer(pilot, app, "years")
        await _answer(pilot, app, "lots")
        await _until(pilot, lambda: "whole number" in str(screen.query_one("#participants-status").render()),
                     "the refusal")
        # remove T4: asked, naming what goes; then undone
        screen.query_one("#participants").highlighted = 3
        await pilot.press("delete")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert "1 transcript, 8 codings" in app.screen.question
        await pilot.press("y")
        await _until(pilot, lambda: "T4" not in _people(v2), "the removal")
        assert "backup first" in str(screen.query_one("#participants-status").render())
        await pilot.press("u")
        await _until(pilot, lambda: "T4" in _people(v2), "the undo")
        assert _people(v2)["T4"]["codings"] == 8


async def test_the_transcripts_screen_moves_renames_and_removes(v2):
    app = TacompanionApp(v2, coder="kim")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await _until(pilot, lambda: isinstance(app.screen, TranscriptsScreen), "the transcripts screen")
        screen = app.screen
        listing = screen.query_one("#transcripts")
        listing.highlighted = listing.get_option_index("4")  # t4-interview.srt of T4
        await pilot.press("m")
        await _answer(pilot, app, "T2")
        await _until(pilot, lambda: _people(v2)["T2"]["transcripts"] == 2, "the move")
        assert _people(v2)["T2"]["codings"] == 16
        listing.highlighted = listing.get_option_index("4")
        await pilot.press("n")
        await _answer(pilot, app, "t2 second session.srt")
        await _until(pilot, lambda: screen.items[4].file_name == "t2 second session.srt", "the rename")
        await pilot.press("delete")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert "transcript t2 second session.srt of T2 and with it 12 turns, 8 codings" in app.screen.question
        await pilot.press("n")  # no: nothing removed
        await pilot.pause()
        assert 4 in screen.items
        await pilot.press("delete")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await _until(pilot, lambda: 4 not in screen.items, "the removal")
        assert _people(v2)["T2"]["transcripts"] == 1


async def test_the_matrix_groups_rows_by_an_attribute_with_counts_per_group(v2):
    for who, job in (("T1", "nurse"), ("T2", "doctor"), ("T3", "nurse")):
        set_attribute(v2, who, "profession", job)
    set_attribute(v2, "T1", "years", "11")
    app = TacompanionApp(v2, coder="kim", start=("map", 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        await _until(pilot, lambda: isinstance(app.screen, MatrixScreen), "the matrix")
        screen = app.screen
        table = screen.query_one("#matrix")
        assert table.row_count == 4 + 2
        await pilot.press("g")
        await _until(pilot, lambda: screen.group_by == "profession", "grouped by profession")
        column = [str(table.get_cell_at((r, 0))) for r in range(table.row_count)]
        assert column == ["doctor (1)", "  T2", "nurse (2)", "  T1", "  T3", "(not set) (1)", "  T4",
                          "people", ""]
        assert str(table.get_cell_at((2, 1))) == "2/2 all"
        assert "grouped by profession" in str(screen.query_one("#matrix-title").render())
        table.move_cursor(row=2, column=1)
        await pilot.pause()
        assert "profession nurse: 2 of 2 participants (all)" in str(screen.query_one("#matrix-status").render())
        await pilot.press("g")  # the next attribute, then none
        await _until(pilot, lambda: screen.group_by == "years", "grouped by years")
        await pilot.press("g")
        await _until(pilot, lambda: screen.group_by is None, "not grouped")
        assert table.row_count == 6


async def test_slash_finds_an_interview_note_and_enter_opens_it_there(v2):
    app = TacompanionApp(v2, coder="kim")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        await _until(pilot, lambda: isinstance(app.screen, SearchScreen), "search")
        search = app.screen
        search.query_one("#search-input").value = "hiding"
        await pilot.press("enter")
        await _until(pilot, lambda: bool(search.hits), "hits")
        assert "1 in the notes of 1 interview" in str(search.query_one("#search-status").render())
        note = [i for i, h in enumerate(search.hits) if hasattr(h, "note_id")][0]
        await pilot.press("down")  # Enter in the query searches again; the hits open
        search.query_one("#search-hits").highlighted = note
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, CodingScreen), "the notes in coding mode")
        coding = app.screen
        await _until(pilot, lambda: coding.document is not None, "the document")
        block = coding.document.blocks[coding.view.cursor]
        assert "thinking vs hiding" in block.text
        await pilot.press("q")  # back to the hits, where the note can be coded
        await _until(pilot, lambda: app.screen is search, "back to the hits")
        search.query_one("#search-hits").highlighted = note
        await pilot.press("c", *"hiding in the notes", "enter")
        await _until(pilot, lambda: v2.scalar(
            "SELECT count(*) FROM codings k JOIN codes c ON c.id = k.code_id "
            "WHERE c.name = 'hiding in the notes' AND k.note_id IS NOT NULL") == 1, "the note coded")
