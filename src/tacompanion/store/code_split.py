"""Splitting a code: chosen codings of a code go to a new code (beside it: the
same theme and parent code) or to an existing one, as one undoable step, as
themes can be split. A coding the target already has on the same span by
the same coder collapses into it, as in a merge."""

from __future__ import annotations

from dataclasses import dataclass

from tacompanion.store import history
from tacompanion.store.codes import _clean_name, _code_row, code_by_name, code_name
from tacompanion.store.study import Study, StudyError


@dataclass(frozen=True)
class CodingToSplit:
    id: int
    participant: str
    where: str  # "t1.txt" or "interview notes"
    text: str


def codings_of(study: Study, code_id: int) -> list[CodingToSplit]:
    """The code's codings in reading order, with their text, to walk and tick."""
    code_name(study, code_id)
    rows = study.conn.execute(
        "SELECT k.id, p.pseudonym, t.file_name, substr(t.text, k.start_pos + 1, k.end_pos - k.start_pos), "
        "  0, t.id, k.start_pos "
        "FROM codings k JOIN transcripts t ON t.id = k.transcript_id JOIN participants p ON p.id = t.participant_id "
        "WHERE k.code_id = ? "
        "UNION ALL "
        "SELECT k.id, p.pseudonym, 'interview notes', substr(n.text, k.start_pos + 1, k.end_pos - k.start_pos), "
        "  1, n.id, k.start_pos "
        "FROM codings k JOIN notes n ON n.id = k.note_id JOIN interviews i ON i.id = n.interview_id "
        "JOIN participants p ON p.id = i.participant_id WHERE k.code_id = ? ",
        (code_id, code_id)).fetchall()
    rows.sort(key=lambda r: (r[1].casefold(), r[4], r[5], r[6], r[0]))
    return [CodingToSplit(r[0], r[1], r[2], r[3]) for r in rows]


def split_code(study: Study, code_id: int, coding_ids: list[int], target: str) -> tuple[int, bool, int]:
    """Move the chosen codings of `code_id` to the code named `target` (made
    beside it when there is none). Returns (target id, created?, codings moved)."""
    source = code_name(study, code_id)
    name = _clean_name(target)
    own = {r[0]: r for r in study.conn.execute(
        "SELECT id, transcript_id, note_id, start_pos, end_pos, coder FROM codings WHERE code_id = ?", (code_id,))}
    chosen = sorted(set(coding_ids))
    if not chosen or any(c not in own for c in chosen):
        raise StudyError(f"choose one or more codings of '{source}' to split off")
    if len(chosen) == len(own):
        raise StudyError(f"leave at least one coding with '{source}' (or rename it, or merge it)")
    existing = code_by_name(study, name)
    if existing == code_id:
        raise StudyError(f"the codings are '{source}' already: name another code")
    place = study.query("SELECT theme_id, parent_code_id FROM codes WHERE id = ?", (code_id,))[0]
    new_row = None if existing is not None else {**_code_row(study, name, ""), **place}
    label = f"Split '{name}' off '{source}'"
    moved = 0
    with history.record(study, "split-code", label) as op:
        target_id = existing if existing is not None else op.insert("codes", new_row)
        for cid in chosen:
            _, tid, nid, start, end, coder = own[cid]
            column, doc = ("transcript_id", tid) if tid is not None else ("note_id", nid)
            clash = study.scalar(  # the same coder's coding of the target on the same span
                f"SELECT id FROM codings WHERE code_id = ? AND {column} = ? AND start_pos = ? AND end_pos = ? "
                "AND coder = ?", (target_id, doc, start, end, coder))
            if clash is not None:
                op.delete("codings", cid)
            else:
                op.update("codings", cid, {"code_id": target_id})
                moved += 1
    return target_id, existing is None, moved
