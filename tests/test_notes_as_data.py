"""Notes as data: from the room straight into coding the interview's notes."""

from __future__ import annotations

from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.screens.coding import CodingScreen
from tacompanion.tui.screens.home import HomeScreen
from tacompanion.tui.screens.interview_dialogs import SummaryScreen

from .test_app_interview import interview_row, request, type_text


def codings_on_notes(study):
    rows = study.query(
        "SELECT c.name, n.text, k.start_pos, k.end_pos FROM codings k JOIN codes c ON c.id = k.code_id "
        "JOIN notes n ON n.id = k.note_id ORDER BY k.id"
    )
    return [(r["name"], r["text"][r["start_pos"]:r["end_pos"]]) for r in rows]


async def test_end_summary_key_switches_into_coding_the_notes(study):
    app = TacompanionApp(study, request(study), coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        for note in ("!it is like a wall #silence", "she waited for the group", "?ask about supervision"):
            await type_text(pilot, note)
            await pilot.press("enter")
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.kind == "notes"
        assert [b.text for b in screen.document.blocks] == [
            "it is like a wall #silence", "she waited for the group", "ask about supervision",
        ]
        assert "quote" in screen.document.blocks[0].header and "#silence" in screen.document.blocks[0].header
        await pilot.press("c", *"Wall", "enter")  # code the first note
        await pilot.press("j", "v", "w", "c", *"Waiting", "enter")  # part of the second
        await pilot.pause()
        assert codings_on_notes(study) == [
            ("Wall", "it is like a wall #silence"), ("Waiting", "she waited"),
        ]
        await pilot.press("u")
        await pilot.pause()
        assert codings_on_notes(study) == [("Wall", "it is like a wall #silence")]
        await pilot.press("q")  # launched from the command line: coding ends the command
        await pilot.pause()
    assert interview_row(study)["ended_at"] is not None
    assert app.return_code == 0 or app.return_code is None


async def test_from_the_home_screen_coding_notes_returns_home(study):
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        from tacompanion.tui.screens.interview_start import begin_interview

        begin_interview(app, request(study), exit_on_end=False)
        await pilot.pause()
        await type_text(pilot, "a note")
        await pilot.press("enter", "ctrl+f", "c")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
