"""Undo and redo that survive a restart: the `operations` table.

An operation is a list of row changes made in one transaction together with
its log entry, so the study and its history never disagree. Each change keeps
what is needed to reverse it (the whole row for an insert or a delete, the old
values for an update):

    with record(study, "apply-code", "Apply 'Silence' to P3 turn 12") as op:
        op.insert("codings", {...})
        op.update("codes", code_id, {"name": "Withdrawal"})
        op.delete("codings", coding_id)

Undo replays the backward changes in reverse order; redo replays the forward
ones. The log is linear: the done operations come first, the undone ones after
them; recording a new operation forgets the undone ones for redo (as every
editor does), but keeps them, marked not undoable, for the audit trail
(`store/audit.py`): an undone decision is still a decision that was made.
`note` logs a decision that undo does not reverse (a memo written).

Undo is per coder: each operation records whose change it was (`coder`, by
default `study.coder`), and `undo(study)` takes back the latest change of
`study.coder` only, never someone else's; operations logged without a coder
(before coders were recorded, or by a study opened with no coder) are
everyone's. With `study.coder` unset, undo and redo walk the whole log.

Foreign-key cascades are not logged: delete the dependent rows explicitly
(codings before their code) so that undo can bring them all back.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from tacompanion.store.study import Study, new_uuid, now_iso


@dataclass
class Operation:
    """The changes of one user action, collected while they are applied."""

    db: sqlite_utils.Database
    forward: list[dict] = field(default_factory=list)
    backward: list[dict] = field(default_factory=list)

    def insert(self, table: str, row: dict[str, Any]) -> int:
        t = self.db[table]
        t.insert(row)
        full = _row(self.db, table, t.last_pk)
        self.forward.append({"op": "insert", "table": table, "row": full})
        self.backward.append({"op": "delete", "table": table, "id": full["id"]})
        return full["id"]

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        before = _row(self.db, table, row_id)
        old = {k: before[k] for k in values}
        if old == values:
            return
        self.db[table].update(row_id, values)
        self.forward.append({"op": "update", "table": table, "id": row_id, "values": values})
        self.backward.append({"op": "update", "table": table, "id": row_id, "values": old})

    def delete(self, table: str, row_id: int) -> None:
        full = _row(self.db, table, row_id)
        self.db[table].delete(row_id)
        self.forward.append({"op": "delete", "table": table, "id": row_id})
        self.backward.append({"op": "insert", "table": table, "row": full})


@dataclass(frozen=True)
class LoggedOperation:
    id: int
    kind: str
    label: str
    state: str
    created_at: str


@contextlib.contextmanager
def record(study: Study, kind: str, label: str, *, coder: str | None = None) -> Iterator[Operation]:
    """Apply changes and log them as one undoable operation, atomically."""
    coder = coder or study.coder
    with study.write() as db:
        op = Operation(db)
        yield op
        if not op.forward:
            return
        mine, params = _mine(coder)
        db.execute(f"UPDATE operations SET undoable = 0 WHERE state = 'undone' AND undoable = 1 AND {mine}",
                   params)
        db["operations"].insert(
            {
                "uuid": new_uuid(),
                "kind": kind,
                "label": label,
                "forward": json.dumps(op.forward),
                "backward": json.dumps(list(reversed(op.backward))),
                "state": "done",
                "coder": coder,
                "created_at": now_iso(),
            }
        )


# A memo is saved as it is written: one audit entry per memo and coder is kept
# up to date while the writing goes on, instead of one per save.
NOTE_MERGE_SECONDS = 600


def note(study: Study, kind: str, label: str, *, table: str, row_id: int | None, before: dict | None,
         after: dict | None, coder: str | None = None) -> None:
    """Log a decision for the audit trail only (undo does not replay it): the
    row as it was and as it is now. Call inside or outside a write."""
    from datetime import datetime

    coder = coder or study.coder
    now = now_iso()
    with study.write() as db:
        last = _one(db, "SELECT id, kind, label, coder, created_at, forward, backward FROM operations "
                        "ORDER BY id DESC LIMIT 1")
        if last is not None and last["kind"] == kind and last["label"] == label and last["coder"] == coder:
            then = datetime.fromisoformat(last["created_at"].replace("Z", "+00:00"))
            if (datetime.fromisoformat(now.replace("Z", "+00:00")) - then).total_seconds() < NOTE_MERGE_SECONDS:
                db["operations"].update(last["id"], {
                    "forward": json.dumps([{"op": "note", "table": table, "id": row_id, "row": after}]),
                })
                return
        db["operations"].insert({
            "uuid": new_uuid(),
            "kind": kind,
            "label": label,
            "forward": json.dumps([{"op": "note", "table": table, "id": row_id, "row": after}]),
            "backward": json.dumps([{"op": "note", "table": table, "id": row_id, "row": before}]),
            "state": "done",
            "undoable": 0,
            "coder": coder,
            "created_at": now,
        })


def _mine(coder: str | None) -> tuple[str, tuple]:
    """The SQL condition for the operations a coder may undo and redo: their
    own and the unattributed ones (all of them when no coder is given)."""
    if not coder:
        return "1", ()
    return "(coder = ? OR coder IS NULL)", (coder,)


def undo(study: Study, coder: str | None = None) -> LoggedOperation | None:
    """Reverse this coder's latest done operation (`coder`, else
    `study.coder`); None when there is nothing to undo."""
    return _step(study, coder or study.coder, "done", "DESC", "backward", "undone")


def redo(study: Study, coder: str | None = None) -> LoggedOperation | None:
    """Apply again the operation this coder undid last; None when there is nothing to redo."""
    return _step(study, coder or study.coder, "undone", "ASC", "forward", "done")


def _step(study: Study, coder: str | None, state: str, order: str, changes: str,
          new_state: str) -> LoggedOperation | None:
    """Replay one end of the coder's log: the newest done operation backwards
    (undo), or the oldest undone one forwards (redo), and flip its state.
    When another coder has changed the same rows since, the step is refused
    and nothing changes."""
    import sqlite3

    mine, params = _mine(coder)
    try:
        with study.write() as db:
            row = _one(db, f"SELECT * FROM operations WHERE state = '{state}' AND undoable = 1 AND {mine} "
                           f"ORDER BY id {order} LIMIT 1", params)
            if row is None:
                return None
            # the rows must be as this operation left them (undo) or as its undo
            # left them (redo): else someone changed them since, and replaying
            # would overwrite their work
            _check(db, json.loads(row["forward" if changes == "backward" else "backward"]))
            _replay(db, json.loads(row[changes]))
            db["operations"].update(row["id"], {"state": new_state})
    except (sqlite3.IntegrityError, _Gone) as exc:
        from tacompanion.store.study import StudyError

        verb = "undo" if state == "done" else "redo"
        raise StudyError(f"cannot {verb} {row['label']!r}: what it changed has been changed since "
                         f"(by another coder?); nothing was changed ({exc})") from None
    return _logged(row, new_state)


class _Gone(Exception):
    """A row that an undo or redo needs has been deleted meanwhile."""


def peek(study: Study, coder: str | None = None) -> tuple[LoggedOperation | None, LoggedOperation | None]:
    """(what undo would reverse, what redo would apply), for labels on screen."""
    mine, params = _mine(coder or study.coder)
    last = study.query(f"SELECT * FROM operations WHERE state = 'done' AND undoable = 1 AND {mine} "
                       "ORDER BY id DESC LIMIT 1", params)
    nxt = study.query(f"SELECT * FROM operations WHERE state = 'undone' AND undoable = 1 AND {mine} "
                      "ORDER BY id ASC LIMIT 1", params)
    return (
        _logged(last[0], "done") if last else None,
        _logged(nxt[0], "undone") if nxt else None,
    )


def _check(db: sqlite_utils.Database, changes: list[dict]) -> None:
    """Raise _Gone when the rows differ from the state `changes` leave behind."""
    expected: dict[tuple[str, int], dict | None] = {}
    for change in changes:
        key = (change["table"], change["id"] if "id" in change else change["row"]["id"])
        if change["op"] == "insert":
            expected[key] = dict(change["row"])
        elif change["op"] == "delete":
            expected[key] = None
        else:
            expected[key] = {**(expected.get(key) or {}), **change["values"]}
    for (table, row_id), want in expected.items():
        got = _one(db, f"SELECT * FROM [{table}] WHERE id = ?", (row_id,))
        if want is None:
            if got is not None:
                raise _Gone(f"{table} {row_id} is back")
        elif got is None:
            raise _Gone(f"{table} {row_id} is gone")
        elif any(got.get(k) != v for k, v in want.items()):
            raise _Gone(f"{table} {row_id} was changed")


def _replay(db: sqlite_utils.Database, changes: list[dict]) -> None:
    for change in changes:
        table = db[change["table"]]
        if change["op"] == "insert":
            table.insert(change["row"])
        elif change["op"] == "delete":
            table.delete(change["id"])
        elif change["op"] == "update":
            table.update(change["id"], change["values"])
        else:  # pragma: no cover - only this module writes the log
            raise ValueError(f"unknown change {change['op']!r}")


def _row(db: sqlite_utils.Database, table: str, row_id: int) -> dict:
    return db[table].get(row_id)


def _one(db: sqlite_utils.Database, sql: str, params: tuple = ()) -> dict | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def _logged(row: dict, state: str) -> LoggedOperation:
    return LoggedOperation(row["id"], row["kind"], row["label"], state, row["created_at"])
