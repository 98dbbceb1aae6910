"""Interviews in the study: creating, finding the open one, the clock, and
the question events (current, covered, skipped, probes).

Every change is one committed transaction before the caller shows it, so a
killed process loses nothing that was on screen.
"""

from __future__ import annotations

from tacompanion.core.guide import Guide
from tacompanion.core.interview import (
    COVERED,
    EV_COVERED,
    EV_CURRENT,
    EV_PROBE_TICKED,
    EV_PROBE_UNTICKED,
    EV_SKIPPED,
    EV_UNCOVERED,
    NOT_YET,
    SKIPPED,
    Interview,
    Pause,
    QuestionEvent,
)
from tacompanion.store.guides import save_guide
from tacompanion.store.participants import ensure_participant
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso

_INTERVIEW_SQL = """
SELECT i.id, i.uuid, i.participant_id, p.pseudonym AS participant, i.guide_id, i.pilot,
       i.created_at, i.started_at, i.ended_at, i.recording_offset_ms, i.current_question_id
FROM interviews i JOIN participants p ON p.id = i.participant_id
"""


def create_interview(
    study: Study, participant_id: int, guide_id: int, guide: Guide, *, pilot: bool, at: str | None = None
) -> int:
    """A new interview on its first question, clock not started; its id.
    `at` is when it was created (now, unless replaying one, as the demo does)."""
    first = guide.questions[0].id if guide.questions else None
    at = at or now_iso()
    with study.write() as db:
        table = db["interviews"]
        table.insert(
            {
                "uuid": new_uuid(),
                "participant_id": participant_id,
                "guide_id": guide_id,
                "pilot": int(pilot),
                "created_at": at,
                "started_at": None,
                "ended_at": None,
                "recording_offset_ms": 0,
                "current_question_id": first,
            }
        )
        interview_id = table.last_pk
        if first is not None:
            _insert_event(db, interview_id, first, EV_CURRENT, None, None, at)
    return interview_id


def open_interviews(study: Study, participant_id: int) -> list[dict]:
    """The participant's interviews not yet ended, newest first, with counts."""
    return study.query(
        "SELECT i.id, i.created_at, i.started_at, "
        "(SELECT count(*) FROM notes n WHERE n.interview_id = i.id) AS notes "
        "FROM interviews i WHERE i.participant_id = ? AND i.ended_at IS NULL "
        "ORDER BY i.created_at DESC, i.id DESC",
        (participant_id,),
    )


def load_interview(study: Study, interview_id: int) -> Interview:
    rows = study.query(_INTERVIEW_SQL + " WHERE i.id = ?", (interview_id,))
    if not rows:
        raise StudyError(f"no interview with id {interview_id}")
    row = rows[0]
    pauses = tuple(
        Pause(r["paused_at"], r["resumed_at"])
        for r in study.query(
            "SELECT paused_at, resumed_at FROM interview_pauses "
            "WHERE interview_id = ? ORDER BY paused_at, id",
            (interview_id,),
        )
    )
    return Interview(
        id=row["id"],
        uuid=row["uuid"],
        participant_id=row["participant_id"],
        participant=row["participant"],
        guide_id=row["guide_id"],
        pilot=bool(row["pilot"]),
        created_at=row["created_at"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        recording_offset_ms=row["recording_offset_ms"],
        current_question_id=row["current_question_id"],
        pauses=pauses,
    )


def load_events(study: Study, interview_id: int) -> list[QuestionEvent]:
    return [
        QuestionEvent(r["question_id"], r["event"], r["elapsed_ms"], r["probe_id"])
        for r in study.query(
            "SELECT question_id, event, elapsed_ms, probe_id FROM question_events "
            "WHERE interview_id = ? ORDER BY id",
            (interview_id,),
        )
    ]


# -- the clock --------------------------------------------------------------------


def start_clock(study: Study, interview_id: int, at: str | None = None) -> str:
    """Start the interview clock now (once); return the stored start time."""
    at = at or now_iso()
    with study.write() as db:
        db.execute(
            "UPDATE interviews SET started_at = ? WHERE id = ? AND started_at IS NULL",
            (at, interview_id),
        )
    return study.scalar("SELECT started_at FROM interviews WHERE id = ?", (interview_id,))


def pause_clock(study: Study, interview_id: int, at: str | None = None) -> None:
    with study.write() as db:
        open_pause = db.execute(
            "SELECT count(*) FROM interview_pauses WHERE interview_id = ? AND resumed_at IS NULL",
            (interview_id,),
        ).fetchone()[0]
        if not open_pause:
            db["interview_pauses"].insert(
                {"interview_id": interview_id, "paused_at": at or now_iso(), "resumed_at": None}
            )


def resume_clock(study: Study, interview_id: int, at: str | None = None) -> None:
    with study.write() as db:
        db.execute(
            "UPDATE interview_pauses SET resumed_at = ? WHERE interview_id = ? AND resumed_at IS NULL",
            (at or now_iso(), interview_id),
        )


def set_recording_offset(study: Study, interview_id: int, offset_ms: int) -> None:
    with study.write() as db:
        db.execute(
            "UPDATE interviews SET recording_offset_ms = ? WHERE id = ?", (offset_ms, interview_id)
        )


def end_interview(study: Study, interview_id: int, at: str | None = None) -> str:
    """Store the interview as ended (closing an open pause at the same time)."""
    at = at or now_iso()
    with study.write() as db:
        db.execute(
            "UPDATE interview_pauses SET resumed_at = ? WHERE interview_id = ? AND resumed_at IS NULL",
            (at, interview_id),
        )
        db.execute(
            "UPDATE interviews SET ended_at = ? WHERE id = ? AND ended_at IS NULL", (at, interview_id)
        )
    return study.scalar("SELECT ended_at FROM interviews WHERE id = ?", (interview_id,))


def close_abandoned(study: Study, interview_id: int) -> str:
    """End an interview left open, at its last recorded activity (not now:
    the hours it lay open were not interview time)."""
    last = study.scalar(
        "SELECT max(t) FROM ("
        " SELECT created_at AS t FROM interviews WHERE id = :i"
        " UNION ALL SELECT started_at FROM interviews WHERE id = :i"
        " UNION ALL SELECT at FROM question_events WHERE interview_id = :i"
        " UNION ALL SELECT created_at FROM notes WHERE interview_id = :i"
        " UNION ALL SELECT paused_at FROM interview_pauses WHERE interview_id = :i"
        " UNION ALL SELECT resumed_at FROM interview_pauses WHERE interview_id = :i)",
        {"i": interview_id},
    )
    return end_interview(study, interview_id, last)


# -- question events ------------------------------------------------------------------


def _insert_event(db, interview_id, question_id, event, probe_id, elapsed_ms, at) -> None:
    db["question_events"].insert(
        {
            "uuid": new_uuid(),
            "interview_id": interview_id,
            "question_id": question_id,
            "probe_id": probe_id,
            "event": event,
            "elapsed_ms": elapsed_ms,
            "at": at,
        }
    )


def make_current(
    study: Study, interview_id: int, question_id: str, elapsed_ms: int | None, at: str | None = None
) -> None:
    """The interviewer moved to a question: remember it and when."""
    with study.write() as db:
        db.execute(
            "UPDATE interviews SET current_question_id = ? WHERE id = ?", (question_id, interview_id)
        )
        _insert_event(db, interview_id, question_id, EV_CURRENT, None, elapsed_ms, at or now_iso())


_STATE_EVENTS = {COVERED: EV_COVERED, SKIPPED: EV_SKIPPED, NOT_YET: EV_UNCOVERED}


def set_question_state(
    study: Study, interview_id: int, question_id: str, state: str, elapsed_ms: int | None
) -> None:
    """Mark a question covered, skipped or not yet (covered / skipped / uncovered event)."""
    with study.write() as db:
        _insert_event(
            db, interview_id, question_id, _STATE_EVENTS[state], None, elapsed_ms, now_iso()
        )


def set_probe_ticked(
    study: Study,
    interview_id: int,
    question_id: str,
    probe_id: str,
    ticked: bool,
    elapsed_ms: int | None,
) -> None:
    event = EV_PROBE_TICKED if ticked else EV_PROBE_UNTICKED
    with study.write() as db:
        _insert_event(db, interview_id, question_id, event, probe_id, elapsed_ms, now_iso())


def mark_covered_in(
    db, interview_id: int, question_id: str, elapsed_ms: int | None, at: str | None = None
) -> None:
    """Inside an open write: record a covered event (used when a note is taken)."""
    _insert_event(db, interview_id, question_id, EV_COVERED, None, elapsed_ms, at or now_iso())


def prepare_interview(
    study: Study,
    source_text: str,
    guide: Guide,
    file_name: str | None,
    pseudonym: str,
    *,
    pilot: bool,
) -> tuple[int, int]:
    """Store the guide version and the participant (each once): their ids."""
    guide_id = save_guide(study, guide, source_text, file_name)
    participant_id = ensure_participant(study, pseudonym, pilot=pilot)
    return participant_id, guide_id


def participant_is_pilot(study: Study, participant_id: int) -> bool:
    return bool(study.scalar("SELECT pilot FROM participants WHERE id = ?", (participant_id,)))


def last_guide_file(study: Study) -> str | None:
    """The file name of the guide used most recently, to offer it again."""
    return study.scalar(
        "SELECT g.file_name FROM interviews i JOIN guides g ON g.id = i.guide_id "
        "WHERE g.file_name IS NOT NULL ORDER BY i.created_at DESC, i.id DESC LIMIT 1"
    ) or study.scalar(
        "SELECT file_name FROM guides WHERE file_name IS NOT NULL ORDER BY created_at DESC LIMIT 1"
    )


def interview_outcome(study: Study, interview_id: int) -> dict:
    """Facts for the line printed after the screen closes."""
    return study.query(
        "SELECT i.ended_at, p.pseudonym AS participant, "
        "(SELECT count(*) FROM notes n WHERE n.interview_id = i.id) AS notes "
        "FROM interviews i JOIN participants p ON p.id = i.participant_id WHERE i.id = ?",
        (interview_id,),
    )[0]
