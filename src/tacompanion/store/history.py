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
    # The codes whose codings it changed, when it changed nothing but codings
    # (apply, remove, recode): what a code list must recount. None: more changed.
    codes: tuple[int, ...] | None = None


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
            _replay(db, json.loads(row[changes]), row["label"], "undo" if changes == "backward" else "redo")
            db["operations"].update(row["id"], {"state": new_state})
    except (sqlite3.IntegrityError, _Gone) as exc:
        from tacompanion.store.study import StudyError

        verb = "undo" if state == "done" else "redo"
        raise StudyError(f"cannot {verb} {row['label']!r}: what it changed has been changed since "
                         f"(by another coder?); nothing was changed ({exc})") from None
    return _logged(row, new_state, codes_touched(json.loads(row["forward"]) + json.loads(row["backward"])))


def codes_touched(changes: list[dict]) -> tuple[int, ...] | None:
    """The codes whose codings these changes insert, delete or move; None
    when they change another table too. Both directions of an operation
    together name every coding's code (a delete holds only the id, but its
    reverse is an insert of the whole row)."""
    codes: set[int] = set()
    for change in changes:
        if change["table"] != "codings":
            return None
        if change["op"] == "insert":
            codes.add(change["row"]["code_id"])
        elif change["op"] == "update":
            if {"transcript_id", "note_id", "coder"} & set(change["values"]):
                return None  # a coding moved to another document or coder: recount everything
            if "code_id" in change["values"]:
                codes.add(change["values"]["code_id"])
    return tuple(sorted(codes))


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
        if change["op"] == "refuse":
            continue  # _replay says why
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
        for _side, changes in sides.items():
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


def _one(db: sqlite_utils.Database, sql: str, params: tuple = ()) -> dict | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def _logged(row: dict, state: str, codes: tuple[int, ...] | None = None) -> LoggedOperation:
    return LoggedOperation(row["id"], row["kind"], row["label"], state, row["created_at"], codes)
