"""Opening a study file: creation, pragmas, schema checks and clear errors.

Every problem with the file itself (missing, locked, read-only, damaged, made
by a newer tacompanion, not a study at all) becomes one `StudyError` with a
message that names the file; callers print it and exit non-zero.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import uuid as uuid_module
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from tacompanion.store import schema

DEFAULT_FILE_NAME = "tacompanion.db"
ENV_VAR = "TACOMPANION_DB"
BUSY_TIMEOUT_MS = 5000


class StudyError(Exception):
    """A problem with the study file, phrased for the researcher."""


def default_path(cli_value: str | os.PathLike | None = None) -> Path:
    """`--db` wins, then $TACOMPANION_DB, then ./tacompanion.db."""
    if cli_value:
        return Path(cli_value)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(DEFAULT_FILE_NAME)


def now_iso() -> str:
    """Current UTC time as ISO 8601 with milliseconds: 2026-11-26T09:15:02.120Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_uuid() -> str:
    return str(uuid_module.uuid4())


# What SQLite says when pages of the file are damaged: a bad header, a broken
# b-tree, an FTS index that no longer loads, text that is no longer UTF-8.
DAMAGE_SIGNS = (
    "not a database", "malformed", "corrupt", "vtable constructor failed", "could not decode",
    "database disk image",
)


def friendly_error(path: Path, exc: BaseException, *, in_use: bool = False) -> StudyError:
    """Turn a sqlite3 or OS error about the file into one clear message.
    `in_use`: the study had opened fine (it is ours), the error came later."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        message = "the study is locked by another program (another tacompanion window?); close it and try again"
    elif any(sign in text for sign in DAMAGE_SIGNS):
        if in_use:
            message = (f"the study file is damaged (SQLite says: {exc}); restore it from a backup "
                       "(tacompanion backup makes one); nothing more was written")
        else:
            message = "not a tacompanion study, or the file is damaged; restore it from a backup"
    elif "readonly" in text or "read-only" in text:
        message = "the study file (or its folder) is read-only; tacompanion needs to write to it"
    elif "unable to open" in text:
        message = "cannot open the study file (does its folder exist, and may you write there?)"
    elif "disk is full" in text or "disk full" in text:
        message = "the disk is full; nothing was saved by the last action"
    elif isinstance(exc, PermissionError):
        message = "permission denied"
    elif isinstance(exc, OSError):
        message = exc.strerror or str(exc)
    else:
        message = f"database error: {exc}"
    return StudyError(f"{path}: {message}")


class Study:
    """An open study file. Use `Study.open(path)`; close it when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        # Who works in this window (set by the app or command that opened the
        # study): changes are logged as theirs, and undo takes back only theirs.
        self.coder: str | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        """The sqlite-utils view of the connection, made on first use: importing
        sqlite-utils costs ~0.2 s, which opening a screen that only reads need
        not pay. Plugins are not loaded into a study's connection."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = True) -> Study:
        path = Path(path)
        if path.is_dir():
            raise StudyError(f"{path}: is a folder, not a study file")
        created = False
        if not path.exists():
            if not create:
                raise StudyError(f"{path}: no such study file")
            created = _create_private_file(path)
        try:
            conn = sqlite3.connect(path, timeout=_busy_timeout_ms() / 1000)
        except (sqlite3.Error, OSError) as exc:
            raise friendly_error(path, exc) from None
        study = cls(path, conn)
        try:
            study._prepare()
        except (StudyError, sqlite3.Error, OSError) as exc:
            conn.close()
            if created:  # leave nothing half-made behind
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        os.unlink(f"{path}{suffix}")
            if isinstance(exc, StudyError):
                raise
            raise friendly_error(path, exc) from None
        return study

    def _prepare(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {_busy_timeout_ms()}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        latest = schema.latest_version()
        if version > latest:
            raise StudyError(
                f"{self.path}: made by a newer tacompanion (schema version {version}; "
                f"this one knows up to {latest}); upgrade tacompanion to open it"
            )
        if app_id != schema.APPLICATION_ID:
            has_tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if has_tables or version:
                raise StudyError(
                    f"{self.path}: a SQLite database, but not a tacompanion study; "
                    "choose another file with --db"
                )
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":  # a read-only file stays in its old mode
                raise StudyError(
                    f"{self.path}: the study file (or its folder) is read-only; "
                    "tacompanion needs to write to it"
                )
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL survives process kills
        if version < latest:
            self._migrate(version)

    def _migrate(self, from_version: int) -> None:
        for target in range(from_version + 1, schema.latest_version() + 1):
            step = schema.MIGRATIONS[target - 1]
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                step(self.conn)
                self.conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {target}")
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions and helpers ---------------------------------------------

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One atomic write: committed when the block ends, or rolled back.

        Starts with BEGIN IMMEDIATE so that the busy timeout applies to taking
        the write lock (a deferred transaction can fail at once on upgrade).
        Nested calls become savepoints.
        """
        try:
            if self.conn.in_transaction:
                with self.db.atomic():
                    yield self.db
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise friendly_error(self.path, exc) from None

    def query(self, sql: str, params: Any = ()) -> list[dict]:
        """Rows as dicts."""
        try:
            cursor = self.conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise friendly_error(self.path, exc) from None
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        try:
            row = self.conn.execute(sql, params).fetchone()
        except sqlite3.OperationalError as exc:
            raise friendly_error(self.path, exc) from None
        return row[0] if row else None

    def setting(self, key: str, default: Any = None) -> Any:
        raw = self.scalar("SELECT value FROM settings WHERE key = ?", (key,))
        return default if raw is None else json.loads(raw)

    def set_setting(self, key: str, value: Any) -> None:
        with self.write() as db:
            db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")


def _busy_timeout_ms() -> int:
    # Tests shorten the wait for a locked file through this variable.
    raw = os.environ.get("TACOMPANION_BUSY_TIMEOUT_MS", "")
    return int(raw) if raw.isdigit() else BUSY_TIMEOUT_MS


def _create_private_file(path: Path) -> bool:
    """Create an empty study file readable by its owner only (0600).

    Returns False when another process created it first.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise StudyError(f"{path}: the folder {path.parent} does not exist") from None
        raise friendly_error(path, exc) from None
    os.close(fd)
    os.chmod(path, 0o600)  # the umask may have narrowed it further; make it exact
    return True
