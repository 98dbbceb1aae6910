"""The home screen, driven with Pilot."""

from __future__ import annotations

from tacompanion.store.participants import ensure_participant
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.dialogs.backup import BackupScreen
from tacompanion.tui.dialogs.help import HelpScreen
from tacompanion.tui.home.home import HomeScreen

from .conftest import drawn_text


async def test_home_shows_the_study_at_a_glance(study):
    ensure_participant(study, "P1")
    ensure_participant(study, "P0", pilot=True)
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        glance = str(app.screen.query_one("#glance").render())
        assert "Participants  1 +1 pilot" in glance  # pilots shown, never counted
        phases = str(app.screen.query_one("#phases").render())
        assert "Familiarise" in phases and "Report" in phases


async def test_help_lists_the_screens_keys_and_closes(study):
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        text = drawn_text(app.screen.query_one("#help-text"))
        assert "Back up the study" in text and "Refresh" in text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_backup_from_the_home_screen_writes_a_copy(study, tmp_path):
    ensure_participant(study, "P7")
    app = TacompanionApp(study)
    dest = tmp_path / "copy.db"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        assert isinstance(app.screen, BackupScreen)
        field = app.screen.query_one("#backup-path")
        field.value = str(dest)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    from tacompanion.store.study import Study

    with Study.open(dest, create=False) as copy:
        assert copy.scalar("SELECT pseudonym FROM participants") == "P7"


async def test_backup_refuses_an_existing_file_and_says_so(study, tmp_path):
    dest = tmp_path / "exists.db"
    dest.write_bytes(b"precious")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        app.screen.query_one("#backup-path").value = str(dest)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BackupScreen)
        assert "already exists" in str(app.screen.query_one("#backup-error").render())
    assert dest.read_bytes() == b"precious"


async def test_the_empty_home_hint_fits_80x24(study):
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = drawn_text(app.screen.query_one("#checklist"))
        assert "No transcripts yet: a adds some" in text


async def test_the_checklist_shows_a_pilot_but_does_not_count_it(study):
    from tacompanion.formats.transcript_files import parse_transcript_bytes
    from tacompanion.store.transcripts import import_transcript, set_read

    ids = []
    for who, pilot_flag in (("P1", False), ("P2", False), ("P0", True)):
        parsed = parse_transcript_bytes(f"Interviewer: hi\n\n{who}: hello\n".encode(), "txt", f"{who}.txt")
        ids.append(import_transcript(study, parsed, participant=who, file_name=f"{who}.txt",
                                     pilot=pilot_flag).transcript_id)
    set_read(study, ids[0], True)
    set_read(study, ids[2], True)
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#checklist-box")
        assert str(box.border_title) == "Familiarise 1/2 read +1 pilot"
        assert "P0 pilot" in drawn_text(app.screen.query_one("#checklist"))
        glance = str(app.screen.query_one("#glance").render())
        assert "Transcripts   2 (1 read) +1 pilot" in glance
