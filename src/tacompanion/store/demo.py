"""Writing the demo study's interviews and notes (the rest goes through the
ordinary import and guide functions)."""

from __future__ import annotations

import json

from tacompanion.store.study import Study, StudyError, new_uuid, now_iso


def ensure_empty(study: Study) -> None:
    """Refuse (StudyError) unless the study holds nothing yet."""
    counts = study.query(
        "SELECT (SELECT count(*) FROM participants) AS participants, "
        "(SELECT count(*) FROM guides) AS guides, "
        "(SELECT count(*) FROM transcripts) AS transcripts, "
        "(SELECT count(*) FROM codes) AS codes"
    )[0]
    if any(counts.values()):
        held = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        raise StudyError(
            f"{study.path}: already holds a study ({held}); the demo needs a new file: "
            "choose another path with --db, or open this one with "
            f"tacompanion --db {study.path}"
        )


def add_interview_with_notes(
    study: Study,
    *,
    participant_id: int,
    guide_id: int | None,
    started_at: str,
    ended_at: str | None,
    recording_offset_ms: int,
    notes: list[dict],
) -> int:
    """An ended interview and its notes; return the interview's id."""
    with study.write():
        cursor = study.conn.execute(
            "INSERT INTO interviews (uuid, participant_id, guide_id, pilot, created_at, "
            "started_at, ended_at, recording_offset_ms) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
            (new_uuid(), participant_id, guide_id, started_at, started_at, ended_at,
             recording_offset_ms),
        )
        interview_id = cursor.lastrowid
        study.conn.executemany(
            "INSERT INTO notes (uuid, interview_id, question_id, kind, text, tags, elapsed_ms, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (new_uuid(), interview_id, n.get("question"), n.get("kind", "note"), n["text"],
                 json.dumps(n.get("tags", [])), n.get("elapsed_ms"), now_iso())
                for n in notes
            ],
        )
    return interview_id
