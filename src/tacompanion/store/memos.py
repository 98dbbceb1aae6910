"""Memos: one running memo per thing (a code, theme, transcript, segment, note,
participant, interview, or the study itself), saved as it is written."""

from __future__ import annotations

from tacompanion.store import history
from tacompanion.store.codes import resolve_coder
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


def save_memo(study: Study, target: str | None, target_id: int | None, text: str,
              *, coder: str | None = None) -> None:
    """Write the memo (an empty text deletes it), committed before returning,
    together with its line in the audit trail (`history.note`)."""
    params = () if target is None else (target_id,)
    existing = study.scalar(f"SELECT id FROM memos WHERE {_where(target)} ORDER BY id LIMIT 1", params)
    before = study.query("SELECT * FROM memos WHERE id = ?", (existing,))[0] if existing is not None else None
    if before is not None and before["text"] == text:
        return
    subject = memo_subject(study, target, target_id)
    label = f"Memo on {subject}"
    with study.write() as db:
        memo_id = existing
        if existing is not None and not text.strip():
            db["memos"].delete(existing)
            label = f"Delete the memo on {subject}"
        elif existing is not None:
            db["memos"].update(existing, {"text": text, "updated_at": now_iso()})
        elif text.strip():
            row = {"uuid": new_uuid(), "text": text, "created_at": now_iso()}
            column = _column(target)
            if column is not None:
                row[column] = target_id
            memo_id = db["memos"].insert(row).last_pk
        else:
            return
        after = study.query("SELECT * FROM memos WHERE id = ?", (memo_id,)) if memo_id is not None else []
        history.note(study, "memo", label, table="memos", row_id=memo_id, before=before,
                     after=after[0] if after else None, coder=coder or resolve_coder(study))


_SUBJECTS = {
    "code": "SELECT printf('code ''%s''', name) FROM codes WHERE id = ?",
    "theme": "SELECT printf('theme ''%s''', name) FROM themes WHERE id = ?",
    "transcript": "SELECT printf('transcript %s %s', p.pseudonym, t.file_name) FROM transcripts t "
                  "JOIN participants p ON p.id = t.participant_id WHERE t.id = ?",
    "segment": "SELECT printf('%s %s turn %d', p.pseudonym, t.file_name, s.position + 1) FROM segments s "
               "JOIN transcripts t ON t.id = s.transcript_id JOIN participants p ON p.id = t.participant_id "
               "WHERE s.id = ?",
    "note": "SELECT printf('a note of %s', p.pseudonym) FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id WHERE n.id = ?",
    "participant": "SELECT printf('participant %s', pseudonym) FROM participants WHERE id = ?",
    "interview": "SELECT printf('the interview with %s', p.pseudonym) FROM interviews i "
                 "JOIN participants p ON p.id = i.participant_id WHERE i.id = ?",
}


def memo_subject(study: Study, target: str | None, target_id: int | None) -> str:
    """What a memo is on, in words, as the audit trail names it: "code 'Waiting'"."""
    if target is None:
        return "the study"
    return study.scalar(_SUBJECTS[target], (target_id,)) or f"{target} {target_id}"


def memo_targets(study: Study, target: str, ids: list[int]) -> set[int]:
    """Which of `ids` have a memo, to mark them on screen."""
    if not ids:
        return set()
    column = _column(target)
    marks = ",".join("?" * len(ids))
    return {r[0] for r in study.conn.execute(
        f"SELECT {column} FROM memos WHERE {column} IN ({marks})", ids)}
