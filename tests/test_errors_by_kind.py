"""Errors by kind: a damaged file, a locked file, a full disk, a read-only file
and an internal error (a bug) each get their own message, decided by SQLite's
error codes; a bug is never called damage."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tacompanion.cli.main import _report, main
from tacompanion.store import study as study_module
from tacompanion.store.journal import add_entry
from tacompanion.store.study import Study, StudyError, error_kind, friendly_error

DATA = Path(__file__).parent / "data"


def _error(fn) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as info:
        fn()
    return info.value


def test_a_constraint_broken_by_a_bug_is_an_internal_error_not_damage(study, db_path):
    exc = _error(lambda: study.conn.execute("INSERT INTO settings (key, value) VALUES ('x', 'not json')"))
    assert error_kind(exc, db_path) == "internal"
    message = str(friendly_error(db_path, exc, in_use=True))
    assert "internal error" in message and "damaged" not in message and "backup" not in message


def test_a_file_that_is_not_a_database_is_damage(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 1000)
    exc = _error(lambda: sqlite3.connect(junk).execute("SELECT * FROM sqlite_master").fetchall())
    assert error_kind(exc, junk) == "damaged"
    with pytest.raises(StudyError, match="damaged"):
        Study.open(junk, create=False)


def test_a_locked_file(study, db_path):
    other = sqlite3.connect(db_path, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        exc = _error(lambda: sqlite3.connect(db_path, timeout=0).execute("BEGIN IMMEDIATE"))
        assert error_kind(exc, db_path) == "locked"
        with pytest.raises(StudyError, match="locked by another program"):
            add_entry(study, "while another window writes")
    finally:
        other.rollback()
        other.close()


def test_a_full_disk_says_so_and_the_study_stays_usable(study):
    """SQLITE_FULL for real: the file may not grow past its current pages."""
    pages = study.scalar("PRAGMA page_count")
    study.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StudyError) as info:
        add_entry(study, "x" * 200_000)
    assert info.value.kind == "full"
    assert "the disk is full" in str(info.value) and "I/O" not in str(info.value)
    study.conn.execute("PRAGMA max_page_count = 1073741823")
    add_entry(study, "once there is room again")  # the same connection goes on
    assert study.scalar("SELECT count(*) FROM journal") == 1


def test_a_generic_io_error_on_a_full_disk_is_called_a_full_disk(db_path, monkeypatch):
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorcode = 10 | (3 << 8)  # SQLITE_IOERR_WRITE
    monkeypatch.setattr(study_module, "disk_is_full", lambda path: True)
    assert error_kind(exc, db_path) == "full"
    monkeypatch.setattr(study_module, "disk_is_full", lambda path: False)
    assert error_kind(exc, db_path) == "io"
    assert "the disk reported an error" in str(friendly_error(db_path, exc))


def test_a_read_only_file(tmp_path):
    path = tmp_path / "s.db"
    Study.open(path).close()
    ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    exc = _error(lambda: ro.execute("INSERT INTO journal (uuid, entry_date, text, created_at) "
                                    "VALUES ('u', '2026-01-01', 't', 'now')"))
    ro.close()
    assert error_kind(exc, path) == "read-only"
    assert "read-only" in str(friendly_error(path, exc))


def test_the_command_line_reports_a_bug_as_an_internal_error(db_path, capsys):
    Study.open(db_path).close()
    exc = sqlite3.IntegrityError("UNIQUE constraint failed: codes.uuid")
    exc.sqlite_errorcode = 19 | (8 << 8)
    assert _report(exc, str(db_path)) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "damaged" not in err


def test_journal_add_reads_nothing_after_its_write(db_path, monkeypatch, capsys):
    """On a damaged study, a read after the commit failed and the command said
    nothing was written although the entry was saved."""
    Study.open(db_path).close()
    import tacompanion.store.journal as journal

    def damaged(*a, **k):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(journal, "list_entries", damaged)
    assert main(["--db", str(db_path), "journal", "add", "--date", "2026-03-01", "a thought"]) == 0
    assert "added a journal entry for 2026-03-01" in capsys.readouterr().out
    monkeypatch.undo()
    with Study.open(db_path) as s:
        assert s.scalar("SELECT text FROM journal") == "a thought"


def test_the_run_that_upgrades_a_study_says_what_the_upgrade_merged(tmp_path, cli):
    copy = tmp_path / "old.db"
    shutil.copy(DATA / "study-v2.db", copy)
    conn = sqlite3.connect(copy)
    code_id = conn.execute("SELECT code_id FROM memos WHERE code_id IS NOT NULL").fetchone()[0]
    conn.execute("INSERT INTO memos (uuid, code_id, text, created_at) VALUES ('d', ?, 'second', 'z')", (code_id,))
    conn.commit()
    conn.close()
    first = cli("--db", str(copy), "stats")
    assert first.returncode == 0, first.stderr
    assert "upgraded" in first.stderr and "2 memos on 1 thing(s) were merged" in first.stderr
    again = cli("--db", str(copy), "stats")
    assert "upgraded" not in again.stderr


# -- in the app -------------------------------------------------------------------------------


def _sqlite_error(cls, text, code):
    exc = cls(text)
    exc.sqlite_errorcode = code
    return exc


async def test_the_app_stays_open_on_a_locked_file_and_a_bug_but_closes_on_damage(study, monkeypatch):
    from tacompanion.store import history
    from tacompanion.tui.app import TacompanionApp
    from tests.test_coding_screen import add_transcript

    tid = add_transcript(study)
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    told = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        app.notify = lambda message, **kw: told.append((message, kw.get("severity")))
        for error in (_sqlite_error(sqlite3.OperationalError, "database is locked", 5),
                      _sqlite_error(sqlite3.IntegrityError, "UNIQUE constraint failed: codes.uuid", 19 | (8 << 8)),
                      _sqlite_error(sqlite3.OperationalError, "database or disk is full", 13)):
            monkeypatch.setattr(history, "undo", lambda *a, _e=error, **k: (_ for _ in ()).throw(_e))
            await pilot.press("u")
            await pilot.pause()
            assert app.screen is screen and app.is_running
        assert ["locked" in told[0][0], "internal error" in told[1][0], "disk is full" in told[2][0]] == [True] * 3
        assert not any("damaged" in m for m, _ in told)
        monkeypatch.setattr(history, "undo", lambda *a, **k: (_ for _ in ()).throw(
            _sqlite_error(sqlite3.DatabaseError, "database disk image is malformed", 11)))
        await pilot.press("u")
        await pilot.pause()
    assert app.study_failure is not None and app.study_failure.kind == "damaged"
    assert "damaged" in str(app.study_failure)
