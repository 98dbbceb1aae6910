"""Writing the demo study's interviews and notes (the rest goes through the
ordinary import and guide functions)."""

from __future__ import annotations

from datetime import timedelta

from tacompanion.core.guide import Guide
from tacompanion.core.interview import parse_iso
from tacompanion.core.note_markers import KIND_NOTE, ParsedNote, note_tags
from tacompanion.store.interviews import (
    create_interview,
    end_interview,
    make_current,
    set_recording_offset,
    start_clock,
)
from tacompanion.store.notes import add_note
from tacompanion.store.study import Study, StudyError


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


def _iso(moment) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add_interview_with_notes(
    study: Study,
    *,
    participant_id: int,
    guide_id: int,
    guide: Guide,
    started_at: str,
    ended_at: str | None,
    recording_offset_ms: int,
    notes: list[dict],
) -> int:
    """An interview replayed as the interview screen would have stored it:
    created and its clock started at `started_at`, each note taken on its
    question (made current first, marked covered by its first note) at its
    time (made current at its `asked_ms` when given), and ended at
    `ended_at`. Returns the interview's id."""
    start = parse_iso(started_at)
    with study.write():
        interview_id = create_interview(study, participant_id, guide_id, guide, pilot=False, at=started_at)
        start_clock(study, interview_id, started_at)
        if recording_offset_ms:
            set_recording_offset(study, interview_id, recording_offset_ms)
        current = guide.questions[0].id if guide.questions else None
        covered: set[str] = set()
        for item in sorted(notes, key=lambda n: n.get("elapsed_ms") or 0):
            question_id, elapsed = item.get("question"), item.get("elapsed_ms")
            at = _iso(start + timedelta(milliseconds=elapsed or 0))
            if question_id is not None and question_id != current:
                # The question became current when it was asked (`asked_ms`,
                # when the demo knows it), usually before the first note on it.
                asked = item.get("asked_ms", elapsed)
                asked_at = _iso(start + timedelta(milliseconds=asked or 0))
                make_current(study, interview_id, question_id, asked, asked_at)
                current = question_id
            tags = tuple(item.get("tags") or note_tags(item["text"]))
            note = ParsedNote(item.get("kind", KIND_NOTE), item["text"], tags)
            add_note(
                study, interview_id, question_id, note, elapsed,
                mark_covered=question_id is not None and question_id not in covered, at=at,
            )
            if question_id is not None:
                covered.add(question_id)
        if ended_at:
            end_interview(study, interview_id, ended_at)
    return interview_id
