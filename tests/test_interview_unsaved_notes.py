"""A note that cannot be saved stays one note: each note typed while saving
fails waits, visibly unsaved, with its own time and question, and is saved
when saving works again."""

from __future__ import annotations

import time

from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.interview.interview import InterviewScreen

from .test_app_interview import Q, request, type_text


async def wait_until(pilot, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def _disk_full(study) -> None:
    # SQLITE_FULL for real: the file may not grow past its current pages.
    pages = study.scalar("PRAGMA page_count")
    study.conn.execute(f"PRAGMA max_page_count = {pages}")


def _room_again(study) -> None:
    study.conn.execute("PRAGMA max_page_count = 1073741823")


async def test_notes_typed_while_the_disk_is_full_wait_apart_and_are_saved_later(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        await type_text(pilot, "saved before")
        await pilot.press("enter")
        await wait_until(pilot, lambda: study.scalar("SELECT count(*) FROM notes") == 1)
        _disk_full(study)
        big = "x" * 6000  # more than the room left in the file
        for n, question in enumerate(Q[:3]):
            screen.go_to(question) if n else None
            await type_text(pilot, f"unsaved {n} ")
            screen.query_one("#note-line").value += big
            await pilot.press("enter")
            await pilot.pause()
        assert len(screen.pending) == 3
        assert screen.query_one("#note-line").value == ""  # not merged into one note
        shown = [str(o.prompt) for o in screen.query_one("#notes").options]
        assert sum("not saved yet" in row for row in shown) == 3
        assert study.scalar("SELECT count(*) FROM notes") == 1
        times = [p.at for p in screen.pending]
        assert times == sorted(times)
        _room_again(study)
        await wait_until(pilot, lambda: not screen.pending)  # the retry saves them
        rows = study.query("SELECT text, question_id, created_at FROM notes ORDER BY id")
        assert [r["text"].split(" ")[0:2] for r in rows[1:]] == [["unsaved", "0"], ["unsaved", "1"], ["unsaved", "2"]]
        assert [r["question_id"] for r in rows[1:]] == [Q[0].id, Q[1].id, Q[2].id]
        assert [r["created_at"] for r in rows[1:]] == times  # each with its own time
        shown = [str(o.prompt) for o in screen.query_one("#notes").options]
        assert len(shown) == 4 and not any("not saved yet" in row for row in shown)


async def test_the_interview_does_not_end_while_notes_wait(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        _disk_full(study)
        screen.query_one("#note-line").value = "y" * 6000
        await pilot.press("enter")
        await pilot.pause()
        assert len(screen.pending) == 1
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert app.screen is screen  # no summary: the note must be saved first
        _room_again(study)
        await wait_until(pilot, lambda: not screen.pending)
        assert study.scalar("SELECT count(*) FROM notes") == 1


async def test_quitting_while_notes_wait_says_they_would_be_lost(study):
    from tacompanion.tui.dialogs.prompts import ConfirmScreen

    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        _disk_full(study)
        screen.query_one("#note-line").value = "z" * 6000
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "would be LOST" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and len(screen.pending) == 1
