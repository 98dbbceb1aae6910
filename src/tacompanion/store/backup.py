"""A consistent copy of a study through SQLite's online backup API."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from tacompanion.store.study import Study, StudyError, friendly_error


def backup_study(study: Study, dest: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Copy the open study to `dest`, safely even while it is in use.

    The copy is written to a temporary file beside `dest` and renamed into
    place, so a failed backup never leaves a half-written file; it is
    readable by its owner only, like the study itself.
    """
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / study.path.name
    if dest.exists():
        if dest.resolve() == study.path.resolve():
            raise StudyError(f"{dest}: that is the study itself; choose another path")
        if not overwrite:
            raise StudyError(f"{dest}: already exists; choose another path or pass --force")
    if not dest.parent.exists():
        raise StudyError(f"{dest}: the folder {dest.parent} does not exist")
    tmp = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        target = sqlite3.connect(tmp)
        try:
            study.conn.backup(target)
            # A single self-contained file: the copy does not need a -wal beside it.
            target.execute("PRAGMA journal_mode = DELETE")
            # The backup API copies pages as they are, damaged ones too: a
            # damaged copy must not take the place of a good backup.
            try:
                problems = [r[0] for r in target.execute("PRAGMA quick_check(3)")]
            except sqlite3.DatabaseError as exc:
                problems = [str(exc)]
        finally:
            target.close()
        if problems != ["ok"]:
            _remove(tmp)
            raise StudyError(
                f"{study.path}: the study file is damaged ({problems[0]}); no backup was written"
                + (f" and {dest} is untouched" if dest.exists() else "")
                + "; restore the study from an earlier backup"
            )
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
    except (sqlite3.Error, OSError) as exc:
        _remove(tmp)
        raise friendly_error(dest, exc) from None
    return dest


def integrity_problems(study: Study, limit: int = 10) -> list[str]:
    """What SQLite's integrity check finds wrong with the study file ([] when
    it is sound): every page read, so it takes a moment on a large study."""
    try:
        found = [r[0] for r in study.conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if found == ["ok"] else found


def _remove(tmp: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(f"{tmp}{suffix}")
