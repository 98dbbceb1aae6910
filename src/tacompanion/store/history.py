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
them; recording a new operation forgets the undone ones (as every editor does).

Foreign-key cascades are not logged: delete the dependent rows explicitly
(codings before their code) so that undo can bring them all back.

Undo never puts a coding back on other words. A change that brings a coding
back keeps the text it covered (`covers`); replaying it checks that text is
still there and refuses otherwise. When a transcript is replaced by an
edited text (`import --replace`), `remap_transcript` moves the offsets in
the log to the new text; a step whose words are gone from the new text is
marked to refuse, with a message saying why, and the study is left as it is.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from tacompanion.store.study import Study, StudyError, new_uuid, now_iso


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
        self.forward.append({"op": "insert", "table": table, "row": full, **_covers(self.db, table, full)})
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
        self.backward.append({"op": "insert", "table": table, "row": full, **_covers(self.db, table, full)})


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
        db.execute("DELETE FROM operations WHERE state = 'undone'")
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
        row = _one(db, f"SELECT * FROM operations WHERE state = '{state}' ORDER BY id {order} LIMIT 1")
        if row is None:
            return None
        _replay(db, json.loads(row[changes]), row["label"], "undo" if changes == "backward" else "redo")
        db["operations"].update(row["id"], {"state": new_state})
    return _logged(row, new_state)


def peek(study: Study) -> tuple[LoggedOperation | None, LoggedOperation | None]:
    """(what undo would reverse, what redo would apply), for labels on screen."""
    last = study.query("SELECT * FROM operations WHERE state = 'done' ORDER BY id DESC LIMIT 1")
    nxt = study.query("SELECT * FROM operations WHERE state = 'undone' ORDER BY id ASC LIMIT 1")
    return (
        _logged(last[0], "done") if last else None,
        _logged(nxt[0], "undone") if nxt else None,
    )


def _replay(db: sqlite_utils.Database, changes: list[dict], label: str = "", verb: str = "replay") -> None:
    for change in changes:
        if change["op"] == "refuse":
            raise StudyError(f"cannot {verb} '{label}': {change['reason']}; nothing was changed")
        table = db[change["table"]]
        if change["op"] == "insert":
            if "covers" in change and _covered(db, change["table"], change["row"]) != change["covers"]:
                raise StudyError(
                    f"cannot {verb} '{label}': the text it covered ({change['covers'][:40]!r}) is no "
                    "longer at that place (the text was changed since); nothing was changed")
            table.insert(change["row"])
        elif change["op"] == "delete":
            table.delete(change["id"])
        elif change["op"] == "update":
            table.update(change["id"], change["values"])
        else:  # pragma: no cover - only this module writes the log
            raise ValueError(f"unknown change {change['op']!r}")


def remap_transcript(
    study: Study, transcript_id: int, mapper: Callable[[int, int], tuple[int, int] | None],
    new_text: str, why: str,
) -> tuple[int, int]:
    """The transcript's text was replaced: move every logged coding on it to
    its place in `new_text` (`mapper` maps an old span to the new one, None
    when its words changed). A step with a coding that cannot be moved is
    marked to refuse with `why`. Runs inside the caller's transaction.
    Returns (changes moved, steps that now refuse)."""
    moved = refused = 0
    conn = study.conn
    for op_id, forward, backward in conn.execute(
            "SELECT id, forward, backward FROM operations").fetchall():
        sides = {"forward": json.loads(forward), "backward": json.loads(backward)}
        touched = False
        newly_refused = False
        for side, changes in sides.items():
            broken = False
            for change in changes:
                row = change.get("row")
                if (change["op"] != "insert" or change.get("table") != "codings" or not row
                        or row.get("transcript_id") != transcript_id):
                    continue
                span = mapper(row["start_pos"], row["end_pos"])
                if span is None:
                    broken = True
                    continue
                if (row["start_pos"], row["end_pos"]) != span:
                    row["start_pos"], row["end_pos"] = span
                    moved += 1
                change["covers"] = new_text[span[0]:span[1]]
                touched = True
            if broken and not any(c["op"] == "refuse" for c in changes):
                changes.insert(0, {"op": "refuse", "reason": why})
                touched = newly_refused = True
        if newly_refused:
            refused += 1
        if touched:
            conn.execute("UPDATE operations SET forward = ?, backward = ? WHERE id = ?",
                          (json.dumps(sides["forward"]), json.dumps(sides["backward"]), op_id))
    return moved, refused


def _covers(db: sqlite_utils.Database, table: str, row: dict) -> dict:
    """For a coding: the text it covers, so that replaying it can check the
    words are still there."""
    if table != "codings":
        return {}
    text = _covered(db, table, row)
    return {} if text is None else {"covers": text}


def _covered(db: sqlite_utils.Database, table: str, row: dict) -> str | None:
    if table != "codings":
        return None
    if row.get("transcript_id") is not None:
        sql, key = "SELECT substr(text, ?, ?) FROM transcripts WHERE id = ?", row["transcript_id"]
    elif row.get("note_id") is not None:
        sql, key = "SELECT substr(text, ?, ?) FROM notes WHERE id = ?", row["note_id"]
    else:
        return None
    found = db.execute(sql, [row["start_pos"] + 1, row["end_pos"] - row["start_pos"], key]).fetchone()
    return found[0] if found else None


def _row(db: sqlite_utils.Database, table: str, row_id: int) -> dict:
    return db[table].get(row_id)


def _one(db: sqlite_utils.Database, sql: str) -> dict | None:
    rows = list(db.query(sql))
    return rows[0] if rows else None


def _logged(row: dict, state: str) -> LoggedOperation:
    return LoggedOperation(row["id"], row["kind"], row["label"], state, row["created_at"])
