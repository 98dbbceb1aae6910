"""Backups verified with the full integrity check, partial files cleaned up
(now and at the next run), folders, and `check` on any damaged file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tacompanion.store import backup as backup_module
from tacompanion.store.backup import backup_study, check_file
from tacompanion.store.partial_files import remove_stale_partials
from tacompanion.store.study import Study, StudyError

DATA = Path(__file__).parent / "data"


@pytest.fixture
def v2(tmp_path) -> Path:
    path = tmp_path / "study.db"
    shutil.copy(DATA / "study-v2.db", path)
    with Study.open(path, create=False):
        pass  # upgraded to the current version
    return path


def _damage_an_index(path: Path) -> None:
    """Make the index notes_interview disagree with its table: its entries stay
    those of interview_id while its definition now says elapsed_ms. Every page
    still reads: quick_check finds nothing, only integrity_check does."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX notes_interview ON notes(elapsed_ms)' "
                 "WHERE name = 'notes_interview'")
    conn.commit()
    conn.close()


def _partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


def test_a_damaged_index_is_caught_and_does_not_replace_a_good_backup(v2, tmp_path):
    good = tmp_path / "backup.db"
    with Study.open(v2, create=False) as s:
        backup_study(s, good)
    good_bytes = good.read_bytes()
    _damage_an_index(v2)
    conn = sqlite3.connect(v2)
    assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]  # the old check saw nothing
    assert conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    conn.close()
    with Study.open(v2, create=False) as s:
        with pytest.raises(StudyError, match="damaged.*no backup was written"):
            backup_study(s, good, overwrite=True)
    assert good.read_bytes() == good_bytes
    assert _partials(tmp_path) == []


def test_a_failed_backup_leaves_no_partial_file(v2, tmp_path, monkeypatch):
    def boom(conn, limit):
        raise sqlite3.OperationalError("simulated failure while checking the copy")

    monkeypatch.setattr(backup_module, "_integrity", boom)
    with Study.open(v2, create=False) as s:
        with pytest.raises(StudyError):
            backup_study(s, tmp_path / "b.db")
    assert _partials(tmp_path) == [] and not (tmp_path / "b.db").exists()


def test_partials_of_killed_backups_are_removed_at_the_next_run(v2, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f".b.db.partial-{dead_pid}"
    stale.write_bytes(b"x" * 4096)
    (out / f".b.db.partial-{dead_pid}-journal").write_bytes(b"j")
    living = out / f".b.db.partial-{os.getppid()}"  # a backup still running elsewhere
    living.write_bytes(b"y")
    with Study.open(v2, create=False) as s:
        backup_study(s, out / "b.db")
    assert _partials(out) == [living.name]
    assert remove_stale_partials(out) == []


def test_a_journal_left_alone_by_a_killed_backup_is_removed_too(v2, tmp_path):
    """A backup killed between removing its partial file and the journal
    SQLite kept beside it leaves the journal alone: the next run removes it."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    out = tmp_path / "out"
    out.mkdir()
    orphan = out / f".b.db.partial-{int(dead.stdout)}-journal"
    orphan.write_bytes(b"j")
    living = out / f".b.db.partial-{os.getppid()}-journal"  # a backup still running elsewhere
    living.write_bytes(b"y")
    with Study.open(v2, create=False) as s:
        backup_study(s, out / "b.db")
    assert not orphan.exists() and living.exists()


def test_a_path_ending_in_a_slash_is_a_folder_made_if_needed(v2, tmp_path):
    with Study.open(v2, create=False) as s:
        made = backup_study(s, f"{tmp_path}/newdir/")
        assert made == tmp_path / "newdir" / "study.db"
        assert made.is_file() and (tmp_path / "newdir").is_dir()
        into_existing = backup_study(s, tmp_path / "newdir", overwrite=True)
        assert into_existing == made
        (tmp_path / "afile").write_text("x")
        with pytest.raises(StudyError, match="is a file, not a folder"):
            backup_study(s, f"{tmp_path}/afile/")
    assert oct(made.stat().st_mode & 0o777) == "0o600"
    assert check_file(made) == []


def _damage_the_schema_text(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(b"CREATE TABLE settings")
    data[at + 7] = 0xFF  # not UTF-8, and no longer SQL
    path.write_bytes(bytes(data))


def test_check_reports_a_damaged_schema_instead_of_crashing(v2, cli):
    _damage_the_schema_text(v2)
    problems = check_file(v2)
    assert problems and "malformed" in problems[0]
    result = cli("check", "--db", str(v2))
    assert result.returncode == 1
    assert "damaged" in result.stderr and "Traceback" not in result.stderr


def test_check_finds_a_damaged_index_and_a_sound_file(v2, cli):
    assert check_file(v2) == []
    ok = cli("check", "--db", str(v2))
    assert ok.returncode == 0 and "ok" in ok.stdout
    _damage_an_index(v2)
    assert check_file(v2)
    assert cli("check", "--db", str(v2)).returncode == 1


def test_check_never_writes_to_the_file(v2):
    before = v2.read_bytes()
    os.chmod(v2, 0o400)
    try:
        assert check_file(v2) == []
    finally:
        os.chmod(v2, 0o600)
    assert v2.read_bytes() == before
    assert not Path(f"{v2}-wal").exists() or Path(f"{v2}-wal").stat().st_size == 0


def test_check_reads_a_cleanly_closed_study_as_immutable_when_it_cannot_open_read_only(v2, monkeypatch):
    """On a full disk SQLite may fail to make the shared-memory file a
    read-only WAL reader needs; a cleanly closed study is read as immutable."""
    real = sqlite3.connect
    tried = []

    def connect(target, *a, **k):
        tried.append(target)
        if "immutable=1" not in str(target):
            raise sqlite3.OperationalError("unable to open database file")
        return real(target, *a, **k)

    monkeypatch.setattr(sqlite3, "connect", connect)
    assert check_file(v2) == []
    assert any("immutable=1" in t for t in tried)


def test_check_on_something_that_is_not_a_study(tmp_path, cli):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (a)")
    conn.commit()
    conn.close()
    assert check_file(other) == ["a sound SQLite file, but not a tacompanion study"]
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 200)
    assert check_file(junk)


def test_an_export_killed_half_way_leaves_a_partial_that_the_next_export_removes(tmp_path):
    from tacompanion.formats.atomic_write import write_text_atomically

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = tmp_path / f".out.csv.partial-{int(dead.stdout)}"
    stale.write_text("half a fi")
    write_text_atomically(tmp_path / "out.csv", "a,b\r\n")
    assert _partials(tmp_path) == []
    assert (tmp_path / "out.csv").read_bytes() == b"a,b\r\n"
    assert oct((tmp_path / "out.csv").stat().st_mode & 0o777) == "0o600"
