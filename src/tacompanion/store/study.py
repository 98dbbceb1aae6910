"""Opening a study file: creation, pragmas, schema checks and clear errors.

Every problem with the file itself (missing, locked, read-only, damaged, made
by a newer tacompanion, not a study at all) becomes one `StudyError` with a
message that names the file; callers print it and exit non-zero.
"""

from __future__ import annotations

import contextlib
import errno
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
    """A problem with the study file, phrased for the researcher. `kind`
    (see error_kind) says which kind of failure it was, when it was one."""

    kind: str | None = None


DAMAGED_SCHEMA = ("the study file is damaged: the text that describes its tables is no longer "
                  "readable (bytes that are not UTF-8); restore it from a backup "
                  "(tacompanion backup makes one); nothing was written")


def _schema_is_text(conn: sqlite3.Connection) -> bool:
    """Whether the schema's SQL text is all UTF-8. One damaged byte there
    used to surface as a UnicodeDecodeError in whatever command ran next."""
    cursor = conn.cursor()
    cursor.row_factory = None
    previous = conn.text_factory
    conn.text_factory = bytes
    try:
        rows = cursor.execute("SELECT name, sql FROM sqlite_master").fetchall()
    finally:
        conn.text_factory = previous
    try:
        for name, sql in rows:
            (name or b"").decode("utf-8")
            (sql or b"").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
# Used only where SQLite gives no error code that says so (the codes come first).
DAMAGE_SIGNS = (
    "not a database", "malformed", "corrupt", "vtable constructor failed", "could not decode",
    "database disk image",
)

# SQLite's primary result codes (https://sqlite.org/rescode.html).
SQLITE_ERROR, SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED = 1, 3, 5, 6
SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL = 8, 10, 11, 13
SQLITE_CANTOPEN, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_NOTADB = 14, 19, 20, 26

# The kinds of failure the user is told apart.
DAMAGED, LOCKED, FULL, READ_ONLY, CANNOT_OPEN, IO, INTERNAL = (
    "damaged", "locked", "full", "read-only", "cannot-open", "io", "internal")


def disk_is_full(path: Path) -> bool:
    """No room left on the file system that holds `path` (for SQLite's
    generic I/O errors, which a full disk also causes)."""
    try:
        st = os.statvfs(path.parent if not path.is_dir() else path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def error_kind(exc: BaseException, path: Path | None = None) -> str:
    """Which kind of failure `exc` is: DAMAGED, LOCKED, FULL, READ_ONLY,
    CANNOT_OPEN, IO or INTERNAL (a bug of ours, e.g. a constraint a query
    broke). SQLite's error codes decide; the text only where there is none."""
    if isinstance(exc, UnicodeDecodeError):
        return DAMAGED  # stored text that is no longer UTF-8
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF
        if primary in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return DAMAGED
        if primary in (SQLITE_BUSY, SQLITE_LOCKED):
            return LOCKED
        if primary == SQLITE_FULL:
            return FULL
        if primary in (SQLITE_READONLY, SQLITE_PERM):
            return READ_ONLY
        if primary == SQLITE_CANTOPEN:
            return CANNOT_OPEN
        if primary == SQLITE_IOERR:
            return FULL if path is not None and disk_is_full(path) else IO
        if primary in (SQLITE_CONSTRAINT, SQLITE_MISMATCH):
            return INTERNAL
        if primary == SQLITE_ERROR and any(sign in str(exc).lower() for sign in DAMAGE_SIGNS):
            return DAMAGED  # e.g. an FTS index whose pages no longer load
        return INTERNAL
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return FULL
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return READ_ONLY
        return IO
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return LOCKED
    if any(sign in text for sign in DAMAGE_SIGNS):
        return DAMAGED
    if "readonly" in text or "read-only" in text:
        return READ_ONLY
    if "unable to open" in text:
        return CANNOT_OPEN
    if "disk is full" in text or "disk full" in text:
        return FULL
    return INTERNAL


def friendly_error(path: Path, exc: BaseException, *, in_use: bool = False) -> StudyError:
    """Turn a sqlite3 or OS error about the file into one clear message.
    `in_use`: the study had opened fine (it is ours), the error came later."""
    kind = error_kind(exc, path)
    if kind == LOCKED:
        message = "the study is locked by another program (another tacompanion window?); close it and try again"
    elif kind == DAMAGED:
        if in_use:
            message = (f"the study file is damaged (SQLite says: {exc}); restore it from a backup "
                       "(tacompanion backup makes one); nothing more was written")
        else:
            message = "not a tacompanion study, or the file is damaged; restore it from a backup"
    elif kind == READ_ONLY:
        message = "the study file (or its folder) is read-only; tacompanion needs to write to it"
    elif kind == CANNOT_OPEN:
        message = "cannot open the study file (does its folder exist, and may you write there?)"
    elif kind == FULL:
        message = ("the disk is full; nothing was saved by the last action (free some space "
                   "and try again; what was saved before is safe)")
    elif kind == IO:
        message = (f"the disk reported an error while reading or writing the study ({exc}); "
                   "nothing was saved by the last action")
    elif isinstance(exc, OSError):
        message = exc.strerror or str(exc)
    else:
        message = (f"internal error (a bug in tacompanion, not damage to the file): {exc}; "
                   "nothing was saved by the last action; please report it")
    error = StudyError(f"{path}: {message}")
    error.kind = kind
    return error


class Study:
    """An open study file. Use `Study.open(path)`; close it when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        # What the upgrade steps run by this open reported, for the user.
        self.upgrade_notes: list[str] = []
        self._data_version: int | None = None
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
        except (StudyError, sqlite3.Error, OSError, UnicodeDecodeError) as exc:
            conn.close()
            if created:  # leave nothing half-made behind
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        os.unlink(f"{path}{suffix}")
            if isinstance(exc, StudyError):
                raise
            if isinstance(exc, UnicodeDecodeError):
                # SQLite's own message quoted the damaged bytes, which Python
                # could not decode: the schema text itself is damaged.
                raise StudyError(f"{path}: {DAMAGED_SCHEMA}") from None
            raise friendly_error(path, exc) from None
        return study

    def _prepare(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {_busy_timeout_ms()}")
        if not _schema_is_text(conn):
            raise StudyError(f"{self.path}: {DAMAGED_SCHEMA}")
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
        # FULL: every commit waits for the write-ahead log to reach the disk, so
        # what a screen shows as saved survives a power cut as well as a killed
        # process (NORMAL survives only the latter). It costs one fsync per
        # commit: 0.2 ms more per note on the benchmark machine (bench/README.md).
        conn.execute("PRAGMA synchronous = FULL")
        if version < latest:
            self._migrate(version)
        conn.execute("PRAGMA foreign_keys = ON")
        self.changed_elsewhere()  # the version this connection starts from

    def _migrate(self, from_version: int) -> None:
        """Run the steps from `from_version` up, each in its own transaction
        with its version bump.

        Foreign keys are off while the steps run: a step that rebuilds a table
        (create the new one, copy, drop the old, rename) must not cascade the
        drop to the rows that refer to it. `PRAGMA foreign_keys` is a no-op
        inside a transaction, so it is switched here, outside, and the links
        are checked with `PRAGMA foreign_key_check` before each commit: a step
        that would leave a dangling reference rolls back, and the file stays
        at the version it had. What a step reports (a string it returns, e.g.
        how many duplicates it merged) is kept in `upgrade_notes` for the
        command line to print, and in the `migration_log` setting.
        """
        conn = self.conn
        conn.execute("PRAGMA foreign_keys = OFF")
        if conn.in_transaction or conn.execute("PRAGMA foreign_keys").fetchone()[0]:
            raise StudyError(f"{self.path}: cannot upgrade: foreign keys could not be switched off "
                             "for the upgrade (a transaction is open); nothing was changed")
        try:
            for target in range(from_version + 1, schema.latest_version() + 1):
                step = schema.MIGRATIONS[target - 1]
                conn.execute("BEGIN IMMEDIATE")
                try:
                    note = step(conn)
                    dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        table, rowid, parent = dangling[0][0], dangling[0][1], dangling[0][2]
                        raise StudyError(
                            f"{self.path}: the upgrade to schema version {target} "
                            f"({step.__name__}) would leave {len(dangling)} row(s) pointing at "
                            f"rows that do not exist (first: {table} row {rowid} -> {parent}); "
                            "it was rolled back and the file is unchanged; please report this"
                        )
                    if note:
                        self.upgrade_notes.append(note)
                        _log_migration(conn, target, note)
                    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
                    conn.execute(f"PRAGMA user_version = {target}")
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions and helpers ---------------------------------------------

    def data_version(self) -> int:
        """SQLite's data_version of this connection: it changes when another
        connection commits, never for this one's own commits."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def changed_elsewhere(self) -> bool:
        """Whether another connection (another window, another command) has
        committed to the study since the last call: SQLite's data_version,
        which changes on every commit by any other connection and never on
        this one's own. Screens ask it when they come back into view and
        before acting on ids they hold, and reload instead of acting on stale ones."""
        try:
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return False
        changed = self._data_version is not None and version != self._data_version
        self._data_version = version
        return changed

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One atomic write (`transaction`), with the sqlite-utils view of
        the connection to write through."""
        with self.transaction():
            yield self.db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write: committed when the block ends, or rolled back.

        Starts with BEGIN IMMEDIATE so that the busy timeout applies to taking
        the write lock (a deferred transaction can fail at once on upgrade).
        Nested calls become savepoints. Without sqlite-utils (which loads
        numpy when it is installed: ~0.2 s that a writer using the connection
        alone, a .qdpx import, need not pay); `write` gives it.
        """
        try:
            if self.conn.in_transaction:
                self.conn.execute("SAVEPOINT study_write")
                try:
                    yield
                except BaseException:
                    # a RAISE(ROLLBACK) trigger may have ended the whole
                    # transaction, savepoint included: nothing left to undo
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK TO study_write")
                        self.conn.execute("RELEASE study_write")
                    raise
                self.conn.execute("RELEASE study_write")
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
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


def _log_migration(conn: sqlite3.Connection, version: int, note: str) -> None:
    """Append a step's report to the `migration_log` setting (a JSON list)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'migration_log'").fetchone()
    log = json.loads(row[0]) if row else []
    log.append({"version": version, "at": now_iso(), "note": note})
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('migration_log', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (json.dumps(log),),
    )


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
