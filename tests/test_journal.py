"""The reflexive journal and the list of memos: store, screen and command."""

from __future__ import annotations

from datetime import date

import pytest

from tacompanion.store import journal
from tacompanion.store.codes import create_code
from tacompanion.store.memos import save_memo
from tacompanion.store.study import StudyError
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.dialogs.prompts import ConfirmScreen, MemoScreen, PromptScreen
from tacompanion.tui.writing.journal import JournalScreen

from .test_coding_screen import add_transcript


def test_entries_are_dated_checked_and_newest_first(study):
    first = journal.add_entry(study, "Expected silence to mean withdrawal.", "2026-03-01")
    second = journal.add_entry(study, "It was often thinking.")
    assert [(e.id, e.date) for e in journal.list_entries(study)] == [
        (second, date.today().isoformat()), (first, "2026-03-01")]
    for bad in ("1 March", "2026-02-30", "2026-3-1", "0001-01-01", "2999-12-31", "２０２６-０３-０１"):
        with pytest.raises(StudyError):
            journal.add_entry(study, "x", bad)
    with pytest.raises(StudyError, match="needs some text"):
        journal.add_entry(study, "   ")
    journal.set_entry_date(study, first, "2026-12-31")
    journal.update_entry(study, first, "Rewritten.")
    top = journal.list_entries(study)[0]
    assert (top.id, top.date, top.text) == (first, "2026-12-31", "Rewritten.") and top.updated_at
    journal.update_entry(study, first, "")  # an empty entry is deleted
    assert [e.id for e in journal.list_entries(study)] == [second]


def test_every_memo_is_listed_with_what_it_is_on(study):
    tid = add_transcript(study)
    code = create_code(study, "Silence")
    segment = study.scalar(
        "SELECT id FROM segments WHERE transcript_id = ? ORDER BY start_pos LIMIT 1 OFFSET 1", (tid,))
    save_memo(study, "code", code, "Long pauses.")
    save_memo(study, "segment", segment, "Key moment.")
    save_memo(study, "transcript", tid, "Tired participant.")
    save_memo(study, None, None, "Aims of the study.")
    assert [(m.target, m.about, m.text) for m in journal.all_memos(study)] == [
        (None, "the study", "Aims of the study."),
        ("code", "code 'Silence'", "Long pauses."),
        ("transcript", "P1 · p1.txt", "Tired participant."),
        ("segment", "P1 · p1.txt turn 2", "Key moment."),
    ]


async def test_the_journal_screen_writes_dates_edits_and_deletes(study):
    tid = add_transcript(study)
    save_memo(study, "transcript", tid, "Tired participant.\nSecond line.")
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("j")
        screen = app.screen
        assert isinstance(screen, JournalScreen)
        await pilot.press("n")
        assert isinstance(app.screen, MemoScreen)
        await pilot.press(*"I expected silence to be withdrawal.", "escape")
        await pilot.pause()
        entries = journal.list_entries(study)
        expected = [(date.today().isoformat(), "I expected silence to be withdrawal.")]
        assert [(e.date, e.text) for e in entries] == expected
        assert screen.current.entry.id == entries[0].id  # the cursor is on the new entry
        detail = str(screen.query_one("#journal-text").render())
        assert "I expected silence to be withdrawal." in detail
        await pilot.press("D")
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("Input").value = "2026-02-30"
        await pilot.press("enter")  # not a date: refused, entry unchanged, asked again
        await pilot.pause()
        assert journal.list_entries(study)[0].date == date.today().isoformat()
        assert isinstance(app.screen, PromptScreen) and app.screen.query_one("Input").value == "2026-02-30"
        app.screen.query_one("Input").value = "2026-03-01"
        await pilot.press("enter")
        await pilot.pause()
        assert journal.list_entries(study)[0].date == "2026-03-01"
        await pilot.press("enter")  # edit the entry
        assert isinstance(app.screen, MemoScreen)
        await pilot.press(*" Not so.", "ctrl+s")
        await pilot.pause()
        assert journal.list_entries(study)[0].text == "I expected silence to be withdrawal. Not so."
        # the transcript's memo is listed below; Enter edits it in place
        rows = [r.label for r in screen.rows]
        assert "P1 · p1.txt: Tired participant." in rows
        screen.listing.move_to(rows.index("P1 · p1.txt: Tired participant."))
        await pilot.press("enter", *" Third.", "escape")
        await pilot.pause()
        assert study.scalar("SELECT text FROM memos WHERE transcript_id = ?", (tid,)) == \
            "Tired participant.\nSecond line. Third."
        screen.listing.move_to(1)  # the journal entry: d asks, y deletes
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert journal.list_entries(study) == []
        assert screen.rows[1].kind == "empty"


def test_journal_command_adds_and_lists(cli, tmp_path):
    db = str(tmp_path / "s.db")
    assert cli("--db", db, "demo", "--no-open").returncode == 0
    done = cli("--db", db, "journal", "add", "Silence", "is", "not", "absence", "--date", "2026-02-01")
    assert done.returncode == 0 and done.stdout.strip() == "added a journal entry for 2026-02-01"
    done = cli("--db", db, "journal", "add", "-", input="From stdin.\nTwo lines.\n")
    assert done.returncode == 0
    done = cli("--db", db, "journal", "add", "x", "--date", "2026-02-30")
    assert done.returncode == 1 and "2026-02-30 is not a date" in done.stderr
    listed = cli("--db", db, "journal", "list").stdout
    assert listed.index("## 2026-02-01\n\nSilence is not absence") < listed.index("From stdin.\nTwo lines.")
