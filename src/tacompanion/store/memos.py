"""Memos: one running memo per thing (a code, theme, transcript, segment, note,
participant, interview, or the study itself), saved as it is written."""

from __future__ import annotations

from tacompanion.store.study import Study, StudyError, new_uuid, now_iso

TARGETS = ("code", "theme", "transcript", "segment", "note", "participant", "interview")


def _column(target: str | None) -> str | None:
    if target is None:
        return None
    if target not in TARGETS:
        raise StudyError(f"a memo cannot be attached to {target!r}")
    return f"{target}_id"


def _where(target: str | None) -> str:
    column = _column(target)
    if column is None:
        return " AND ".join(f"{t}_id IS NULL" for t in TARGETS)
    return f"{column} = ?"


def get_memo(study: Study, target: str | None, target_id: int | None = None) -> str:
    params = () if target is None else (target_id,)
    text = study.scalar(f"SELECT text FROM memos WHERE {_where(target)} ORDER BY id LIMIT 1", params)
    return text or ""


def save_memo(study: Study, target: str | None, target_id: int | None, text: str) -> None:
    """Write the memo (an empty text deletes it), committed before returning."""
    params = () if target is None else (target_id,)
    existing = study.scalar(f"SELECT id FROM memos WHERE {_where(target)} ORDER BY id LIMIT 1", params)
    with study.write() as db:
        if existing is not None and not text.strip():
            db["memos"].delete(existing)
        elif existing is not None:
            db["memos"].update(existing, {"text": text, "updated_at": now_iso()})
        elif text.strip():
            row = {"uuid": new_uuid(), "text": text, "created_at": now_iso()}
            column = _column(target)
            if column is not None:
                row[column] = target_id
            db["memos"].insert(row)


def memo_targets(study: Study, target: str, ids: list[int]) -> set[int]:
    """Which of `ids` have a memo, to mark them on screen."""
    if not ids:
        return set()
    column = _column(target)
    marks = ",".join("?" * len(ids))
    return {r[0] for r in study.conn.execute(
        f"SELECT {column} FROM memos WHERE {column} IN ({marks})", ids)}
