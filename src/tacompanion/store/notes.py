"""Interview notes: saved one by one, each committed before it is shown."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tacompanion.core.interview import InterviewNote
from tacompanion.core.note_markers import ParsedNote
from tacompanion.core.search import NoteHit
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


@dataclass(frozen=True)
class NoteSearchResult:
    hits: list[NoteHit]  # the first `limit`, interview by interview, in time order
    total: int  # hits in all
    interviews: int  # interviews with a hit


def search_notes(study: Study, text: str, *, limit: int | None = 200) -> NoteSearchResult:
    """Interview notes matching the words typed (notes_fts), with each note's
    interview and its time in the recording. Raises SearchQueryError for an
    empty query, StudyError for one SQLite cannot read."""
    import sqlite3

    from tacompanion.core.interview import recording_ms
    from tacompanion.core.search import MARK_END, MARK_START, fts_query
    from tacompanion.store.study import StudyError

    match = fts_query(text)
    try:
        total, interviews = study.conn.execute(
            "SELECT count(*), count(DISTINCT n.interview_id) FROM notes_fts "
            "JOIN notes n ON n.id = notes_fts.rowid WHERE notes_fts MATCH ?", (match,)).fetchone()
        rows = study.conn.execute(
            "SELECT n.id, i.id, p.pseudonym, coalesce(i.started_at, i.created_at), n.kind, n.elapsed_ms, "
            f"i.recording_offset_ms, snippet(notes_fts, 0, '{MARK_START}', '{MARK_END}', '…', 16) "
            "FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid "
            "JOIN interviews i ON i.id = n.interview_id JOIN participants p ON p.id = i.participant_id "
            "WHERE notes_fts MATCH ? "
            "ORDER BY p.pseudonym COLLATE NOCASE, i.created_at, i.id, coalesce(n.elapsed_ms, 0), n.id "
            + ("LIMIT ?" if limit else ""),
            (match, limit) if limit else (match,),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
            raise StudyError(f"cannot search for {text!r}: {exc}") from None
        raise
    hits = [NoteHit(r[0], r[1], r[2], f"interview notes {(r[3] or '')[:16].replace('T', ' ')}", r[4],
                    recording_ms(r[5], r[6]), r[7]) for r in rows]
    return NoteSearchResult(hits, total, interviews)
