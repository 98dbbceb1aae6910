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
    with study.write() as db:
        op = Operation(db)
        yield op
        if not op.forward:
            return
        db.execute("UPDATE operations SET undoable = 0 WHERE state = 'undone' AND undoable = 1")
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


def undo(study: Study) -> LoggedOperation | None:
    """Reverse the latest done operation; None when there is nothing to undo."""
    return _step(study, "done", "DESC", "backward", "undone")


def redo(study: Study) -> LoggedOperation | None:
    """Apply again the operation undone last; None when there is nothing to redo."""
    return _step(study, "undone", "ASC", "forward", "done")


def _step(study: Study, state: str, order: str, changes: str, new_state: str) -> LoggedOperation | None:
    """Replay one end of the log: the newest done operation backwards (undo),
    or the oldest undone one forwards (redo), and flip its state."""
    with study.write() as db:
        row = _one(db, f"SELECT * FROM operations WHERE state = '{state}' AND undoable = 1 "
                       f"ORDER BY id {order} LIMIT 1")
        if row is None:
            return None
        _replay(db, json.loads(row[changes]))
        db["operations"].update(row["id"], {"state": new_state})
    return _logged(row, new_state)


def peek(study: Study) -> tuple[LoggedOperation | None, LoggedOperation | None]:
    """(what undo would reverse, what redo would apply), for labels on screen."""
    last = study.query("SELECT * FROM operations WHERE state = 'done' AND undoable = 1 ORDER BY id DESC LIMIT 1")
    nxt = study.query("SELECT * FROM operations WHERE state = 'undone' AND undoable = 1 ORDER BY id ASC LIMIT 1")
    return (
        _logged(last[0], "done") if last else None,
        _logged(nxt[0], "undone") if nxt else None,
    )


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


def _one(db: sqlite_utils.Database, sql: str) -> dict | None:
    rows = list(db.query(sql))
    return rows[0] if rows else None


def _logged(row: dict, state: str) -> LoggedOperation:
    return LoggedOperation(row["id"], row["kind"], row["label"], state, row["created_at"])
