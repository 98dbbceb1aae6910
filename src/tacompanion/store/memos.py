"""Memos: one running memo per thing (a code, theme, transcript, segment, note,
participant, interview, or the study itself), saved as it is written.

"One per thing" is enforced by the schema (unique indexes, see
schema._migrate_one_memo_per_thing); every reader and writer goes through
this module, and where two things become one (merging codes or themes,
dissolving a theme into the study) their memos are joined with `move_memo`.
"""

from __future__ import annotations

from tacompanion.store import history
from tacompanion.store.coders import resolve_coder
from tacompanion.store.schema import MEMO_MERGE_SEPARATOR, MEMO_TARGETS
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso

TARGETS = MEMO_TARGETS
SEPARATOR = MEMO_MERGE_SEPARATOR


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
    text = study.scalar(f"SELECT text FROM memos WHERE {_where(target)}", params)
    return text or ""


def find_memo(study: Study, target: str | None, target_id: int | None = None) -> int | None:
    """The id of the memo on the thing, None when it has none."""
    params = () if target is None else (target_id,)
    return study.scalar(f"SELECT id FROM memos WHERE {_where(target)}", params)


def move_memo(op: history.Operation, study: Study, memo: int, target: str | None, target_id: int | None,
              *, heading: str = "", always_heading: bool = False) -> None:
    """Inside an undoable operation: put memo `memo` on `target` (None = the
    study). When the target has a memo already, the text is appended to it
    (after a separator, with `heading` first) and `memo` is deleted: one
    memo per thing, nothing dropped. `always_heading`: head the text even
    when it moves on its own."""
    row = study.query("SELECT id, text FROM memos WHERE id = ?", (memo,))[0]
    existing = find_memo(study, target, target_id)
    joining = existing is not None and existing != memo
    text = f"{heading}\n{row['text']}" if heading and (joining or always_heading) else row["text"]
    if joining:
        old = get_memo(study, target, target_id)
        op.update("memos", existing, {"text": f"{old}{SEPARATOR}{text}" if old.strip() else text,
                                      "updated_at": now_iso()})
        op.delete("memos", memo)
        return
    values = {f"{t}_id": None for t in TARGETS}
    if target is not None:
        values[_column(target)] = target_id
    values["text"] = text
    op.update("memos", memo, values)


def save_memo(study: Study, target: str | None, target_id: int | None, text: str,
              *, coder: str | None = None) -> None:
    """Write the memo (an empty text deletes it), committed before returning,
    together with its line in the audit trail (`history.note`)."""
    params = () if target is None else (target_id,)
    existing = study.scalar(f"SELECT id FROM memos WHERE {_where(target)}", params)
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
