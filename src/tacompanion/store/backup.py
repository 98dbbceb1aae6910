"""A consistent copy of a study through SQLite's online backup API, and the
damage check (`check`) that works on any file, read-only."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from tacompanion.store import schema
from tacompanion.store.partial_files import (
    partial_path,
    remove_partial,
    remove_stale_partials,
    sync_folder,
)
from tacompanion.store.study import Study, StudyError, friendly_error


def backup_target(study: Study, dest: str | os.PathLike) -> Path:
    """Where a backup to `dest` goes: into `dest` when it is a folder, or when
    it ends in a slash (a new folder is then made, private to its owner)."""
    raw = os.fspath(dest)
    path = Path(raw)
    if raw.endswith(("/", os.sep)) and not path.is_dir():
        if path.exists():
            raise StudyError(f"{raw}: is a file, not a folder")
        try:
            path.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise friendly_error(path, exc) from None
    if path.is_dir():
        return path / study.path.name
    return path


def backup_study(study: Study, dest: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Copy the open study to `dest`, safely even while it is in use.

    The copy is written to a hidden `.NAME.partial-PID` beside `dest`, checked
    with SQLite's full integrity check (every page, every index against its
    table) and only then renamed into place, so a damaged copy never takes the
    place of anything and a failed backup leaves nothing behind. Partial files
    left by an earlier backup that was killed (its PID is gone) are removed
    first. The copy is readable by its owner only, like the study itself.
    """
    dest = backup_target(study, dest)
    if dest.exists():
        if dest.resolve() == study.path.resolve():
            raise StudyError(f"{dest}: that is the study itself; choose another path")
        if not overwrite:
            raise StudyError(f"{dest}: already exists; choose another path or pass --force")
    if not dest.parent.exists():
        raise StudyError(f"{dest}: the folder {dest.parent} does not exist")
    remove_stale_partials(dest.parent)
    tmp = partial_path(dest)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        target = sqlite3.connect(tmp)
        try:
            study.conn.backup(target)
            # A single self-contained file: the copy does not need a -wal beside it.
            target.execute("PRAGMA journal_mode = DELETE")
            # The backup API copies pages as they are, damaged ones too: a
            # damaged copy must not take the place of a good backup. The full
            # check, not quick_check: only it compares each index with its table.
            problems = _integrity(target, 3)
        finally:
            target.close()
        if problems:
            raise StudyError(
                f"{study.path}: the study file is damaged ({problems[0]}); no backup was written"
                + (f" and {dest} is untouched" if dest.exists() else "")
                + "; restore the study from an earlier backup"
            )
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
        sync_folder(dest.parent)
    except (sqlite3.Error, OSError) as exc:
        remove_partial(tmp)
        raise friendly_error(dest, exc) from None
    except BaseException:
        remove_partial(tmp)
        raise
    return dest


def integrity_problems(study: Study, limit: int = 10) -> list[str]:
    """What SQLite's integrity check finds wrong with the study file ([] when
    it is sound): every page read, so it takes a moment on a large study."""
    return _integrity(study.conn, limit)


def check_file(path: str | os.PathLike, limit: int = 10) -> list[str]:
    """Check any file for damage without writing to it ([] when sound).

    Opened read-only: no migration, no change of journal mode, nothing written,
    so it works on a read-only file, on a full disk and on a file whose schema
    is damaged. A cleanly closed study (no write-ahead log beside it) is read
    as immutable when SQLite cannot even make its shared-memory file.
    """
    path = Path(path)
    if path.is_dir():
        raise StudyError(f"{path}: is a folder, not a study file")
    if not path.exists():
        raise StudyError(f"{path}: no such study file")
    uri = "file:" + quote(str(path.resolve()))
    wal = Path(f"{path}-wal")
    clean = not wal.exists() or wal.stat().st_size == 0
    attempts = [f"{uri}?mode=ro"] + ([f"{uri}?mode=ro&immutable=1"] if clean else [])
    last: Exception | None = None
    for attempt in attempts:
        try:
            conn = sqlite3.connect(attempt, uri=True)
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            conn.text_factory = lambda b: b.decode("utf-8", "replace")
            try:
                conn.execute("PRAGMA schema_version").fetchone()
            except sqlite3.OperationalError as exc:
                if "unable to open" in str(exc) or getattr(exc, "sqlite_errorcode", 0) & 0xFF in (10, 13, 14):
                    last = exc  # could not make the -shm (full disk, read-only folder)
                    continue
            except (sqlite3.DatabaseError, UnicodeDecodeError):
                pass  # damage: the integrity check below says what
            problems = _integrity(conn, limit)
            if not problems:
                problems = _not_a_study(conn) + _dangling(conn, limit)
            return problems
        finally:
            conn.close()
    raise friendly_error(path, last) from None


def _integrity(conn: sqlite3.Connection, limit: int) -> list[str]:
    try:
        found = [str(r[0]) for r in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    except UnicodeDecodeError:
        # SQLite's own message quotes the damaged bytes, which are not UTF-8
        return ["malformed database schema: it holds bytes that are not text"]
    return [] if found == ["ok"] else found


def _not_a_study(conn: sqlite3.Connection) -> list[str]:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == schema.APPLICATION_ID:
        return []
    return ["a sound SQLite file, but not a tacompanion study"]


def _dangling(conn: sqlite3.Connection, limit: int) -> list[str]:
    """Rows that point at rows that no longer exist (foreign keys)."""
    try:
        rows = conn.execute("PRAGMA foreign_key_check").fetchmany(limit)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [f"{table} row {rowid} points at a {parent} row that does not exist"
            for table, rowid, parent, _ in rows]
