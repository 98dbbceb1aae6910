"""Undo/redo through the operations log, across restarts."""

from __future__ import annotations

import pytest

from tacompanion.store import history
from tacompanion.store.study import Study


def code_row(name: str, uuid: str) -> dict:
    return {"uuid": uuid, "name": name, "slug": name.lower(), "created_at": "2026-11-26T00:00:00.000Z"}


def names(study) -> list[str]:
    return [r["name"] for r in study.query("SELECT name FROM codes ORDER BY id")]


def test_undo_and_redo_an_insert_update_and_delete(study):
    with history.record(study, "create-code", "Create 'Silence'") as op:
        silence = op.insert("codes", code_row("Silence", "u1"))
        op.insert("codes", code_row("Shame", "u2"))
    with history.record(study, "rename-code", "Rename to 'Withdrawal'") as op:
        op.update("codes", silence, {"name": "Withdrawal", "slug": "withdrawal"})
    with history.record(study, "delete-code", "Delete 'Shame'") as op:
        op.delete("codes", 2)
    assert names(study) == ["Withdrawal"]

    assert history.undo(study).label == "Delete 'Shame'"
    assert names(study) == ["Withdrawal", "Shame"]
    assert study.scalar("SELECT uuid FROM codes WHERE id = 2") == "u2"  # same row, same id
    assert history.undo(study).kind == "rename-code"
    assert names(study) == ["Silence", "Shame"]
    assert history.undo(study).kind == "create-code"
    assert names(study) == []
    assert history.undo(study) is None

    assert history.redo(study).kind == "create-code"
    assert history.redo(study).kind == "rename-code"
    assert names(study) == ["Withdrawal", "Shame"]
    undo_next, redo_next = history.peek(study)
    assert undo_next.kind == "rename-code" and redo_next.kind == "delete-code"


def test_history_survives_a_restart(db_path):
    with Study.open(db_path) as s:
        with history.record(s, "create-code", "Create") as op:
            op.insert("codes", code_row("Silence", "u1"))
    with Study.open(db_path) as s:
        history.undo(s)
        assert names(s) == []
    with Study.open(db_path) as s:
        history.redo(s)
        assert names(s) == ["Silence"]


def test_a_new_operation_forgets_what_was_undone(study):
    with history.record(study, "create-code", "A") as op:
        op.insert("codes", code_row("A", "a"))
    history.undo(study)
    with history.record(study, "create-code", "B") as op:
        op.insert("codes", code_row("B", "b"))
    assert history.redo(study) is None
    assert history.undo(study).label == "B"
    assert history.undo(study) is None
    assert names(study) == []


def test_a_failed_operation_changes_neither_data_nor_log(study):
    with pytest.raises(RuntimeError):
        with history.record(study, "create-code", "A") as op:
            op.insert("codes", code_row("A", "a"))
            raise RuntimeError("the screen failed halfway")
    assert names(study) == []
    assert study.scalar("SELECT count(*) FROM operations") == 0


def test_unchanged_updates_and_empty_operations_are_not_logged(study):
    with history.record(study, "create-code", "A") as op:
        cid = op.insert("codes", code_row("A", "a"))
    with history.record(study, "rename-code", "same name") as op:
        op.update("codes", cid, {"name": "A"})
    assert study.scalar("SELECT count(*) FROM operations") == 1
