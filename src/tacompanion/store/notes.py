"""Interview notes: saved one by one, each committed before it is shown."""

from __future__ import annotations

import json

from tacompanion.core.interview import InterviewNote
from tacompanion.core.note_markers import ParsedNote
from tacompanion.store.interviews import mark_covered_in
from tacompanion.store.study import Study, new_uuid, now_iso

_NOTE_COLUMNS = "id, question_id, kind, text, tags, elapsed_ms, created_at"


def _note(row: dict) -> InterviewNote:
    return InterviewNote(
        id=row["id"],
        question_id=row["question_id"],
        kind=row["kind"],
        text=row["text"],
        tags=tuple(json.loads(row["tags"])),
        elapsed_ms=row["elapsed_ms"],
        created_at=row["created_at"],
    )


def add_note(
    study: Study,
    interview_id: int,
    question_id: str | None,
    note: ParsedNote,
    elapsed_ms: int | None,
    *,
    mark_covered: bool = False,
    at: str | None = None,
) -> InterviewNote:
    """Save a note (and, when asked, mark its question covered) in one
    transaction; it is on disk when this returns. `at` is when it was taken
    (now, unless replaying an interview, as the demo does)."""
    created_at = at or now_iso()
    with study.write() as db:
        table = db["notes"]
        table.insert(
            {
                "uuid": new_uuid(),
                "interview_id": interview_id,
                "question_id": question_id,
                "kind": note.kind,
                "text": note.text,
                "tags": json.dumps(list(note.tags)),
                "elapsed_ms": elapsed_ms,
                "created_at": created_at,
            }
        )
        note_id = table.last_pk
        if mark_covered and question_id is not None:
            mark_covered_in(db, interview_id, question_id, elapsed_ms, created_at)
    return InterviewNote(
        note_id, question_id, note.kind, note.text, note.tags, elapsed_ms, created_at
    )


def list_notes(study: Study, interview_id: int) -> list[InterviewNote]:
    """The interview's notes in the order they were taken."""
    return [
        _note(r)
        for r in study.query(
            f"SELECT {_NOTE_COLUMNS} FROM notes WHERE interview_id = ? ORDER BY id",
            (interview_id,),
        )
    ]


def notes_for_export(study: Study) -> list[dict]:
    """Every note with its interview's facts, by participant, interview, time."""
    return study.query(
        "SELECT p.pseudonym AS participant, i.id AS interview_id, i.pilot, i.started_at, "
        "i.created_at AS interview_created_at, i.recording_offset_ms, i.guide_id, "
        "n.question_id, n.kind, n.tags, n.text, n.elapsed_ms, n.created_at "
        "FROM notes n JOIN interviews i ON i.id = n.interview_id "
        "JOIN participants p ON p.id = i.participant_id "
        "ORDER BY p.pseudonym COLLATE NOCASE, i.created_at, i.id, n.id"
    )
