"""Answers by guide question: notes and transcript turns per question and
participant, one guide at a time.

Question ids are slugs of the question text, so two guides may share an id:
answers are only ever matched within one guide. What belongs to a guide:

- an interview: the guide it was run with (`interviews.guide_id`), and so
  its notes;
- a transcript: the guide its questions were marked from by hand
  (`transcripts.guide_id`), else the guide of the interview it records (its
  linked interview, else its participant's latest interview), else, when
  its participant has no interview with a guide, the study's only guide.
  With several guides such a transcript follows none until a question is
  marked on it (coding mode asks which guide).

Notes already belong to a question. Transcript turns are assigned by time
when the transcript's interview was run in the app and the transcript has
times (`segments.question_id`, `question_source = 'time'`), or by a hand mark
on the turn where a question starts (`question_source = 'manual'`); see
core/alignment.py for the rule. Pilot participants and pilot interviews stay
out, as everywhere in the analysis.

The guide shown when none is chosen is the one with the most (non-pilot)
interviews; on a tie, the newest.
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


@dataclass(frozen=True)
class GuideChoice:
    """A guide of the study, as offered for answers by question."""

    id: int
    title: str
    version: str | None
    created_at: str
    interviews: int  # interviews run with it, pilots not counted
    pilots: int  # pilot interviews run with it

    @property
    def name(self) -> str:
        """'Title (version 1.0)'."""
        return f"{self.title} (version {self.version})" if self.version else self.title

    @property
    def label(self) -> str:
        """'Title (version 1.0) · 3 interviews (1 pilot)'."""
        count = f"{self.interviews} interview{'' if self.interviews == 1 else 's'}"
        if self.pilots:
            count += f" (+{self.pilots} pilot{'' if self.pilots == 1 else 's'})"
        return f"{self.name} · {count}"


@dataclass
class ByQuestion:
    guide: Guide | None
    participants: list[str]
    cells: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)  # (question id, participant)
    choice: GuideChoice | None = None  # the guide shown
    guides: list[GuideChoice] = field(default_factory=list)  # every guide of the study, default first
    unassigned: int = 0  # non-pilot transcripts that follow no guide (several guides, nothing marked)

    def count(self, question_id: str, participant: str) -> int:
        return len(self.cells.get((question_id, participant), []))


# -- the study's guides --------------------------------------------------------------------


def study_guides(study: Study) -> list[GuideChoice]:
    """Every guide of the study, the default first: most interviews (pilots
    not counted), then the newest."""
    rows = study.query(
        "SELECT g.id, g.title, g.version, g.created_at, "
        " (SELECT count(*) FROM interviews i JOIN participants p ON p.id = i.participant_id "
        "  WHERE i.guide_id = g.id AND i.pilot = 0 AND p.pilot = 0) AS interviews, "
        " (SELECT count(*) FROM interviews i JOIN participants p ON p.id = i.participant_id "
        "  WHERE i.guide_id = g.id AND (i.pilot = 1 OR p.pilot = 1)) AS pilots "
        "FROM guides g ORDER BY interviews DESC, g.created_at DESC, g.id DESC"
    )
    return [
        GuideChoice(r["id"], r["title"], r["version"], r["created_at"], r["interviews"], r["pilots"])
        for r in rows
    ]


def find_guide(guides: list[GuideChoice], wanted: str) -> GuideChoice:
    """The guide named by its id, its title or a unique part of the title
    (case ignored). LookupError with the guides to choose from otherwise."""
    text = " ".join(wanted.split())
    if text.isdigit():
        for g in guides:
            if g.id == int(text):
                return g
    key = text.casefold()
    for matches in (
        [g for g in guides if g.title.casefold() == key],
        [g for g in guides if g.name.casefold() == key],
        [g for g in guides if key and key in g.title.casefold()],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise LookupError(
                f"{wanted!r} names {len(matches)} guides; give the id: " + guide_list(matches)
            )
    raise LookupError(f"no guide {wanted!r} (guides: {guide_list(guides) or 'none'})")


def guide_list(guides: list[GuideChoice]) -> str:
    """'1 = Title (version 1.0), 2 = Other': ids to pass to --guide."""
    return ", ".join(f"{g.id} = {g.name}" for g in guides)


def load_choice_guide(study: Study, guide_id: int) -> Guide | None:
    return _parse(study.scalar("SELECT source_text FROM guides WHERE id = ?", (guide_id,)))


# -- which interview and guide a transcript follows -----------------------------------------


@dataclass(frozen=True)
class _Link:
    interview_id: int | None  # the interview whose clock places its turns
    guide_id: int | None  # the guide its answers belong to


def _transcript_links(study: Study, transcript_id: int | None = None) -> dict[int, _Link]:
    """For each transcript (or the one asked for): its interview and guide
    (the rule is in the module docstring)."""
    where, params = ("WHERE t.id = ?", (transcript_id,)) if transcript_id is not None else ("", ())
    transcripts = study.query(
        f"SELECT t.id, t.participant_id, t.interview_id, t.guide_id FROM transcripts t {where}", params
    )
    if not transcripts:
        return {}
    interviews: dict[int, list[dict]] = {}
    by_id: dict[int, dict] = {}
    for r in study.query(
        "SELECT id, participant_id, guide_id FROM interviews "
        # the latest interview whose clock was started first, then unstarted ones
        "ORDER BY started_at IS NULL, started_at DESC, created_at DESC, id DESC"
    ):
        interviews.setdefault(r["participant_id"], []).append(r)
        by_id[r["id"]] = r
    guide_ids = [r["id"] for r in study.query("SELECT id FROM guides")]
    only_guide = guide_ids[0] if len(guide_ids) == 1 else None
    out = {}
    for t in transcripts:
        own = interviews.get(t["participant_id"], [])
        if t["interview_id"] is not None and t["interview_id"] in by_id:
            interview = by_id[t["interview_id"]]
        elif t["guide_id"] is not None:
            interview = next((i for i in own if i["guide_id"] == t["guide_id"]), None)
        else:
            interview = own[0] if own else None
        guide = t["guide_id"] or (interview["guide_id"] if interview else None) or only_guide
        if interview is not None and interview["guide_id"] != guide:
            interview = None  # its clock follows another guide's questions
        out[t["id"]] = _Link(interview["id"] if interview else None, guide)
    return out


def transcript_guide(study: Study, transcript_id: int) -> GuideChoice | None:
    """The guide a transcript's answers belong to, or None when it follows none yet."""
    link = _transcript_links(study, transcript_id).get(transcript_id)
    if link is None or link.guide_id is None:
        return None
    return next((g for g in study_guides(study) if g.id == link.guide_id), None)


def interview_for_transcript(study: Study, transcript_id: int) -> dict | None:
    """The interview a transcript records, when it follows that interview's
    guide: its linked one, else its participant's latest interview (with a
    started clock first)."""
    link = _transcript_links(study, transcript_id).get(transcript_id)
    if link is None or link.interview_id is None:
        return None
    rows = study.query(
        "SELECT i.id, i.recording_offset_ms, i.current_question_id, g.source_text "
        "FROM interviews i LEFT JOIN guides g ON g.id = i.guide_id WHERE i.id = ?",
        (link.interview_id,),
    )
    return rows[0] if rows else None


# -- assigning transcript turns to questions -----------------------------------------------


def align_transcript(study: Study, transcript_id: int, interview: dict | None = None) -> int:
    """Assign the transcript's timed turns to questions by the interview's
    question changes; hand marks are left alone. Returns turns assigned."""
    if interview is None:
        interview = interview_for_transcript(study, transcript_id)
    segments = study.query(
        "SELECT id, start_ms, question_id, question_source FROM segments "
        "WHERE transcript_id = ? ORDER BY position",
        (transcript_id,),
    )
    changes = [] if interview is None else [
        # When a question was current: the stored question changes, and every
        # note (a note is taken on the question current at its moment).
        (r["elapsed_ms"], r["question_id"])
        for r in study.query(
            "SELECT elapsed_ms, question_id, id, 0 AS kind FROM question_events WHERE interview_id = ? "
            "AND event = 'current' AND elapsed_ms IS NOT NULL "
            "UNION ALL SELECT elapsed_ms, question_id, id, 1 FROM notes WHERE interview_id = ? "
            "AND elapsed_ms IS NOT NULL AND question_id IS NOT NULL ORDER BY 1, 4, 3",
            (interview["id"], interview["id"]),
        )
    ]
    if not changes or not any(s["start_ms"] is not None for s in segments):
        # Nothing says when which question was asked: only hand marks count,
        # and no assignment by time from an interview it no longer follows.
        timed = [None] * len(segments)
    else:
        first = _first_question(interview["source_text"])
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


def mark_question_start(
    study: Study, segment_id: int, question_id: str | None, guide_id: int | None = None
) -> None:
    """Mark by hand that `question_id` starts at this turn (None: unmark).
    With `guide_id`, the transcript follows that guide from now on (the
    question is one of its questions)."""
    row = study.query("SELECT transcript_id FROM segments WHERE id = ?", (segment_id,))
    if not row:
        raise StudyError(f"no turn with id {segment_id}")
    transcript_id = row[0]["transcript_id"]
    with study.write():
        study.conn.execute(
            "UPDATE segments SET question_id = ?, question_source = ? WHERE id = ?",
            (question_id, "manual" if question_id else None, segment_id),
        )
        if question_id is not None and guide_id is not None:
            study.conn.execute(
                "UPDATE transcripts SET guide_id = ? WHERE id = ? AND guide_id IS NOT ?",
                (guide_id, transcript_id, guide_id),
            )
    if question_id is None:
        align_transcript(study, transcript_id)


def segment_questions(study: Study, transcript_id: int) -> list[str | None]:
    """Each turn's question, in order (hand marks over times)."""
    rows = study.query(
        "SELECT question_id, question_source FROM segments WHERE transcript_id = ? ORDER BY position",
        (transcript_id,),
    )
    timed = [r["question_id"] if r["question_source"] == "time" else None for r in rows]
    marks = [r["question_id"] if r["question_source"] == "manual" else None for r in rows]
    return effective_questions(timed, marks)


def question_starts(study: Study, transcript_id: int, key: str = "id") -> dict[int, str]:
    """Where each guide question starts in a transcript: segment id (or, with
    key="position", the turn's position) -> `Q3 · the question's words`, at
    the first turn under it (hand marks or times), for the reading and
    coding views to show."""
    rows = study.query(
        "SELECT id, position, question_id, question_source FROM segments WHERE transcript_id = ? ORDER BY position",
        (transcript_id,),
    )
    if not any(r["question_id"] for r in rows):
        return {}
    timed = [r["question_id"] if r["question_source"] == "time" else None for r in rows]
    marks = [r["question_id"] if r["question_source"] == "manual" else None for r in rows]
    current = effective_questions(timed, marks)
    choice = transcript_guide(study, transcript_id)
    guide = load_choice_guide(study, choice.id) if choice is not None else None
    by_id = {q.id: q for q in guide.questions} if guide is not None else {}
    out: dict[int, str] = {}
    previous = None
    for row, question_id in zip(rows, current):
        if question_id is not None and question_id != previous:
            question = by_id.get(question_id)
            out[row[key]] = (
                f"Q{question.number} · {' '.join(question.text.split())}" if question else f"Q {question_id}"
            )
        previous = question_id
    return out


# -- the view ------------------------------------------------------------------------------------


def answers_by_question(study: Study, guide_id: int | None = None) -> ByQuestion:
    """Every non-pilot answer to one guide's questions, by (question id,
    participant): the guide `guide_id`, else the default (see study_guides).
    Only that guide's interviews and transcripts take part."""
    from tacompanion.core.transcript import natural_key

    guides = study_guides(study)
    if guide_id is None:
        choice = guides[0] if guides else None
    else:
        choice = next((g for g in guides if g.id == guide_id), None)
        if choice is None:
            raise StudyError(f"no guide with id {guide_id}")
    guide = load_choice_guide(study, choice.id) if choice else None
    result = ByQuestion(guide, [], choice=choice, guides=guides)
    if choice is None:
        return result

    links = _transcript_links(study)
    transcripts = study.query(
        "SELECT t.id, t.file_name, p.pseudonym FROM transcripts t "
        "JOIN participants p ON p.id = t.participant_id WHERE p.pilot = 0 "
        "ORDER BY p.pseudonym COLLATE NOCASE, t.file_name"
    )
    result.unassigned = sum(1 for t in transcripts if links[t["id"]].guide_id is None)
    transcripts = [t for t in transcripts if links[t["id"]].guide_id == choice.id]
    members = {t["pseudonym"] for t in transcripts} | {
        r["pseudonym"] for r in study.query(
            "SELECT p.pseudonym FROM interviews i JOIN participants p ON p.id = i.participant_id "
            "WHERE i.guide_id = ? AND i.pilot = 0 AND p.pilot = 0",
            (choice.id,),
        )
    }
    result.participants = sorted(members, key=natural_key)

    def add(question_id: str | None, answer: Answer) -> None:
        if question_id is not None:
            result.cells.setdefault((question_id, answer.participant), []).append(answer)

    notes = study.query(
        "SELECT n.id, n.text, n.question_id, n.elapsed_ms, i.id AS interview_id, i.recording_offset_ms, "
        "p.pseudonym "
        "FROM notes n JOIN interviews i ON i.id = n.interview_id "
        "JOIN participants p ON p.id = i.participant_id "
        "WHERE p.pilot = 0 AND i.pilot = 0 AND i.guide_id = ? "
        "ORDER BY p.pseudonym COLLATE NOCASE, i.id, coalesce(n.elapsed_ms, 0), n.created_at, n.id",
        (choice.id,),
    )
    index: dict[int, int] = {}
    for n in notes:
        position = index.get(n["interview_id"], 0)  # the note's block in coding mode
        index[n["interview_id"]] = position + 1
        add(n["question_id"], Answer("note", n["pseudonym"], n["text"], "notes", n["interview_id"],
                                     position, _note_label(n["elapsed_ms"], n["recording_offset_ms"])))
    for t in transcripts:
        link = links[t["id"]]
        interview = None
        if link.interview_id is not None:
            interview = study.query(
                "SELECT i.id, i.recording_offset_ms, g.source_text FROM interviews i "
                "LEFT JOIN guides g ON g.id = i.guide_id WHERE i.id = ?",
                (link.interview_id,),
            )[0]
        align_transcript(study, t["id"], interview)
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
