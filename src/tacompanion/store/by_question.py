"""Answers by guide question: notes and transcript turns per question and participant.

Notes already belong to a question. Transcript turns are assigned by time
when the participant's interview was run in the app and the transcript has
times (`segments.question_id`, `question_source = 'time'`), or by a hand mark
on the turn where a question starts (`question_source = 'manual'`); see
core/alignment.py for the rule. Pilot participants and pilot interviews stay
out, as everywhere in the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tacompanion.core.alignment import align_by_time, effective_questions
from tacompanion.core.guide import Guide, GuideError
from tacompanion.core.guide_parser import parse_guide
from tacompanion.store.study import Study, StudyError


@dataclass(frozen=True)
class Answer:
    kind: str  # "note" or "turn"
    participant: str
    text: str
    doc_kind: str  # "notes" or "transcript": where coding mode opens it
    doc_key: int  # interview id or transcript id
    index: int  # block index in that document
    label: str  # "note 00:12:03" or "t1.txt turn 12"


@dataclass
class ByQuestion:
    guide: Guide | None
    participants: list[str]
    cells: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)  # (question id, participant)

    def count(self, question_id: str, participant: str) -> int:
        return len(self.cells.get((question_id, participant), []))


def interview_for_transcript(study: Study, transcript_id: int) -> dict | None:
    """The interview a transcript records: its linked one, else the
    participant's latest interview whose clock was started."""
    rows = study.query(
        "SELECT i.id, i.recording_offset_ms, i.current_question_id, g.source_text "
        "FROM transcripts t JOIN interviews i ON i.id = coalesce(t.interview_id, ("
        "  SELECT j.id FROM interviews j WHERE j.participant_id = t.participant_id "
        "  AND j.started_at IS NOT NULL ORDER BY j.started_at DESC LIMIT 1)) "
        "LEFT JOIN guides g ON g.id = i.guide_id WHERE t.id = ?",
        (transcript_id,),
    )
    return rows[0] if rows else None


def align_transcript(study: Study, transcript_id: int) -> int:
    """Assign the transcript's timed turns to questions by the interview's
    question changes; hand marks are left alone. Returns turns assigned."""
    interview = interview_for_transcript(study, transcript_id)
    if interview is None:
        return 0
    # When a question was current: the stored question changes, and every
    # note (a note is taken on the question current at its moment).
    changes = [
        (r["elapsed_ms"], r["question_id"])
        for r in study.query(
            "SELECT elapsed_ms, question_id, id, 0 AS kind FROM question_events WHERE interview_id = ? "
            "AND event = 'current' AND elapsed_ms IS NOT NULL "
            "UNION ALL SELECT elapsed_ms, question_id, id, 1 FROM notes WHERE interview_id = ? "
            "AND elapsed_ms IS NOT NULL AND question_id IS NOT NULL ORDER BY 1, 4, 3",
            (interview["id"], interview["id"]),
        )
    ]
    if not changes:
        return 0  # nothing says when which question was asked: leave it to hand marks
    first = _first_question(interview["source_text"])
    segments = study.query(
        "SELECT id, start_ms, question_id, question_source FROM segments "
        "WHERE transcript_id = ? ORDER BY position",
        (transcript_id,),
    )
    if not any(s["start_ms"] is not None for s in segments):
        return 0
    timed = align_by_time([s["start_ms"] for s in segments], changes, interview["recording_offset_ms"], first)
    updates = [
        (q, "time" if q else None, s["id"])
        for s, q in zip(segments, timed)
        if s["question_source"] != "manual" and (s["question_id"], s["question_source"]) != (q, "time" if q else None)
    ]
    if updates:
        with study.write():
            study.conn.executemany(
                "UPDATE segments SET question_id = ?, question_source = ? WHERE id = ?", updates
            )
    return sum(1 for q in timed if q)


def mark_question_start(study: Study, segment_id: int, question_id: str | None) -> None:
    """Mark by hand that `question_id` starts at this turn (None: unmark)."""
    row = study.query("SELECT transcript_id FROM segments WHERE id = ?", (segment_id,))
    if not row:
        raise StudyError(f"no turn with id {segment_id}")
    with study.write():
        study.conn.execute(
            "UPDATE segments SET question_id = ?, question_source = ? WHERE id = ?",
            (question_id, "manual" if question_id else None, segment_id),
        )
    if question_id is None:
        align_transcript(study, row[0]["transcript_id"])


def segment_questions(study: Study, transcript_id: int) -> list[str | None]:
    """Each turn's question, in order (hand marks over times)."""
    rows = study.query(
        "SELECT question_id, question_source FROM segments WHERE transcript_id = ? ORDER BY position",
        (transcript_id,),
    )
    timed = [r["question_id"] if r["question_source"] == "time" else None for r in rows]
    marks = [r["question_id"] if r["question_source"] == "manual" else None for r in rows]
    return effective_questions(timed, marks)


def study_guide(study: Study) -> Guide | None:
    """The guide of the study's latest interview: the rows of the view."""
    text = study.scalar(
        "SELECT g.source_text FROM interviews i JOIN guides g ON g.id = i.guide_id "
        "ORDER BY i.created_at DESC, i.id DESC LIMIT 1"
    )
    if text is None:
        text = study.scalar("SELECT source_text FROM guides ORDER BY created_at DESC LIMIT 1")
    return _parse(text)


def guide_questions_for_picker(study: Study) -> list[tuple[int, str]]:
    guide = study_guide(study)
    return [(q.number, f"Q{q.number}. {q.text}") for q in guide.questions] if guide else []


def answers_by_question(study: Study) -> ByQuestion:
    """Every non-pilot answer, by (question id, participant)."""
    guide = study_guide(study)
    for r in study.query(
        "SELECT t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id WHERE p.pilot = 0"
    ):
        align_transcript(study, r["id"])
    result = ByQuestion(guide, [])
    seen: set[str] = set()

    def add(question_id: str | None, answer: Answer) -> None:
        if question_id is None:
            return
        if answer.participant not in seen:
            seen.add(answer.participant)
            result.participants.append(answer.participant)
        result.cells.setdefault((question_id, answer.participant), []).append(answer)

    notes = study.query(
        "SELECT n.id, n.text, n.question_id, n.elapsed_ms, i.id AS interview_id, i.recording_offset_ms, "
        "p.pseudonym "
        "FROM notes n JOIN interviews i ON i.id = n.interview_id "
        "JOIN participants p ON p.id = i.participant_id "
        "WHERE p.pilot = 0 AND i.pilot = 0 "
        "ORDER BY p.pseudonym COLLATE NOCASE, i.id, coalesce(n.elapsed_ms, 0), n.created_at, n.id"
    )
    index: dict[int, int] = {}
    for n in notes:
        position = index.get(n["interview_id"], 0)
        index[n["interview_id"]] = position + 1
        add(n["question_id"], Answer("note", n["pseudonym"], n["text"], "notes", n["interview_id"],
                                     position, _note_label(n["elapsed_ms"], n["recording_offset_ms"])))
    for t in study.query(
        "SELECT t.id, t.file_name, p.pseudonym FROM transcripts t "
        "JOIN participants p ON p.id = t.participant_id WHERE p.pilot = 0 "
        "ORDER BY p.pseudonym COLLATE NOCASE, t.file_name"
    ):
        questions = segment_questions(study, t["id"])
        segments = study.query(
            "SELECT position, text, is_interviewer FROM segments WHERE transcript_id = ? ORDER BY position",
            (t["id"],),
        )
        for seg, q in zip(segments, questions):
            if seg["is_interviewer"]:
                continue  # the interviewer asking is not an answer
            add(q, Answer("turn", t["pseudonym"], seg["text"], "transcript", t["id"], seg["position"],
                          f"{t['file_name']} turn {seg['position'] + 1}"))
    from tacompanion.core.transcript import natural_key

    result.participants.sort(key=natural_key)
    return result


def _note_label(elapsed_ms: int | None, offset_ms: int) -> str:
    """'note 1:23': the note's time in the recording, as everywhere else."""
    from tacompanion.core.document import clock
    from tacompanion.core.interview import recording_ms

    return f"note {clock(recording_ms(elapsed_ms, offset_ms))}".strip()


def _first_question(source_text: str | None) -> str | None:
    guide = _parse(source_text)
    return guide.questions[0].id if guide and guide.questions else None


def _parse(source_text: str | None) -> Guide | None:
    if not source_text:
        return None
    try:
        return parse_guide(source_text)
    except GuideError:
        return None
