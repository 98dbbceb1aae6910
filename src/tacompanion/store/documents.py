"""Codable documents: a transcript's turns, or an interview's notes, as blocks."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from tacompanion.core.document import Block, CodingDocument, DocRef, clock
from tacompanion.store.study import Study, StudyError
from tacompanion.store.transcript_counts import turns_beside_codings

_KIND_MARK = {"quote": "quote", "follow-up": "follow-up", "note": ""}


@dataclass(frozen=True)
class DocumentInfo:
    """A line in the document chooser."""

    kind: str  # "transcript" or "notes"
    key: int
    participant: str
    pilot: bool
    title: str
    blocks: int
    coded_blocks: int


def transcript_document(study: Study, transcript_id: int) -> CodingDocument:
    head = study.query(
        "SELECT t.file_name, p.pseudonym, p.id AS pid FROM transcripts t "
        "JOIN participants p ON p.id = t.participant_id WHERE t.id = ?",
        (transcript_id,),
    )
    if not head:
        raise StudyError(f"no transcript with id {transcript_id}")
    ref = DocRef(transcript_id=transcript_id)
    blocks = []
    for index, r in enumerate(study.conn.execute(
        "SELECT id, speaker, is_interviewer, start_pos, end_pos, text, start_ms FROM segments "
        "WHERE transcript_id = ? ORDER BY position",
        (transcript_id,),
    )):
        header = " ".join(x for x in (r[1] or "", clock(r[6])) if x)
        blocks.append(Block(ref, index, r[3], r[4], r[5], r[1], bool(r[2]), r[6], header, r[0]))
    h = head[0]
    return CodingDocument("transcript", transcript_id, h["file_name"], h["pseudonym"], h["pid"], tuple(blocks))


def notes_document(study: Study, interview_id: int) -> CodingDocument:
    """An interview's notes, one block per note, in time order; each shows
    its time in the recording (the clock time plus the recording offset)."""
    # core.interview (with the guide parser) is imported by the notes only: a
    # transcript, the usual first document, opens without it.
    from tacompanion.core.interview import recording_ms

    head = study.query(
        "SELECT i.started_at, i.created_at, i.recording_offset_ms, p.pseudonym, p.id AS pid, g.source_text "
        "FROM interviews i JOIN participants p ON p.id = i.participant_id "
        "LEFT JOIN guides g ON g.id = i.guide_id WHERE i.id = ?",
        (interview_id,),
    )
    if not head:
        raise StudyError(f"no interview with id {interview_id}")
    h = head[0]
    numbers = _question_numbers(h["source_text"])
    blocks = []
    for index, r in enumerate(study.conn.execute(
        "SELECT id, kind, text, tags, elapsed_ms, question_id FROM notes WHERE interview_id = ? "
        "ORDER BY coalesce(elapsed_ms, 0), created_at, id",
        (interview_id,),
    )):
        tags = " ".join(f"#{t}" for t in json.loads(r[3] or "[]"))
        question = f"Q{numbers[r[5]]}" if r[5] in numbers else ""
        when = recording_ms(r[4], h["recording_offset_ms"])
        header = " · ".join(x for x in (clock(when), question, _KIND_MARK.get(r[1], r[1]), tags) if x)
        ref = DocRef(note_id=r[0])
        blocks.append(Block(ref, index, 0, len(r[2]), r[2], None, False, when, header))
    started = (h["started_at"] or h["created_at"] or "")[:16].replace("T", " ")
    return CodingDocument(
        "notes", interview_id, f"interview notes {started}", h["pseudonym"], h["pid"], tuple(blocks)
    )


def _question_numbers(source_text: str | None) -> dict[str, int]:
    if not source_text:
        return {}
    from tacompanion.core.guide import GuideError
    from tacompanion.core.guide_parser import parse_guide

    try:
        return {q.id: q.number for q in parse_guide(source_text).questions}
    except GuideError:
        return {}


def load_document(study: Study, kind: str, key: int) -> CodingDocument:
    return transcript_document(study, key) if kind == "transcript" else notes_document(study, key)


def list_documents(study: Study, *, with_counts: bool = True) -> list[DocumentInfo]:
    """Every codable document: transcripts, and interviews that have notes.
    Without counts (blocks and coded are 0) it is a quick look-up by name.
    With them, a transcript's turns and the turns a coding touches come from
    one pass over the turns and one over the codings, both in transcript
    order (`_turn_counts`)."""
    if with_counts:
        turns = _turn_counts(study)
        note_counts = (
            " (SELECT count(*) FROM notes n WHERE n.interview_id = i.id) AS blocks, "
            " (SELECT count(DISTINCT n.id) FROM notes n JOIN codings k ON k.note_id = n.id "
            "  WHERE n.interview_id = i.id) AS coded "
        )
    else:
        turns = {}
        note_counts = " 0 AS blocks, 0 AS coded "
    out = [
        DocumentInfo("transcript", r["id"], r["pseudonym"], bool(r["pilot"]), r["file_name"],
                     *turns.get(r["id"], (0, 0)))
        for r in study.query(
            "SELECT t.id, p.pseudonym, p.pilot, t.file_name "
            "FROM transcripts t JOIN participants p ON p.id = t.participant_id "
            "ORDER BY p.pseudonym COLLATE NOCASE, t.file_name"
        )
    ]
    out += [
        DocumentInfo("notes", r["id"], r["pseudonym"], bool(r["pilot"] or r["ipilot"]),
                     f"interview notes {(r['started_at'] or r['created_at'])[:16].replace('T', ' ')}",
                     r["blocks"], r["coded"])
        for r in study.query(
            "SELECT i.id, p.pseudonym, p.pilot, i.pilot AS ipilot, i.started_at, i.created_at, " + note_counts +
            "FROM interviews i JOIN participants p ON p.id = i.participant_id "
            "WHERE EXISTS (SELECT 1 FROM notes n WHERE n.interview_id = i.id) "
            "ORDER BY p.pseudonym COLLATE NOCASE, i.created_at"
        )
    ]
    return out


def _turn_counts(study: Study) -> dict[int, tuple[int, int]]:
    """(turns, turns a coding touches) per transcript with turns. A turn
    [a, b) is touched when some coding of its transcript starts before b and
    ends after a (store/transcript_counts.turns_beside_codings; unlike
    `stats`, an empty turn inside a coding's run is not touched)."""
    counts: dict[int, tuple[int, int]] = {}
    for tid, starts, ends, firsts, reach in turns_beside_codings(study):
        touched = 0
        if firsts:
            for a, b in zip(starts, ends, strict=True):
                k = bisect.bisect_left(firsts, b) - 1  # the last coding starting before the turn ends
                if k >= 0 and reach[k] > a:
                    touched += 1
        counts[tid] = (len(starts), touched)
    return counts


def codings_by_block(study: Study, doc: CodingDocument, coder: str | None = None) -> dict[int, list[dict]]:
    """The codings touching each block (by block index): id, code_id, name,
    start, end, coder. Only `coder`'s when given; everyone's when None."""
    out: dict[int, list[dict]] = {}
    mine = " AND k.coder = ?" if coder is not None else ""
    extra = (coder,) if coder is not None else ()
    if doc.kind == "transcript":
        rows = study.conn.execute(
            "SELECT k.id, k.code_id, c.name, k.start_pos, k.end_pos, k.coder FROM codings k "
            f"JOIN codes c ON c.id = k.code_id WHERE k.transcript_id = ?{mine} "
            "ORDER BY k.start_pos, c.name, k.coder",
            (doc.key, *extra),
        ).fetchall()
        starts = [b.start for b in doc.blocks]
        for r in rows:
            i = max(0, bisect.bisect_right(starts, r[3]) - 1)
            # A coding may run over several turns: list it under each it touches.
            while i < len(doc.blocks) and doc.blocks[i].start < r[4]:
                if doc.blocks[i].end > r[3] or doc.blocks[i].start == r[3]:
                    out.setdefault(i, []).append(
                        {"id": r[0], "code_id": r[1], "name": r[2], "start": r[3], "end": r[4], "coder": r[5]})
                i += 1
    else:
        index = {b.ref.note_id: b.index for b in doc.blocks}
        for r in study.conn.execute(
            "SELECT k.id, k.code_id, c.name, k.start_pos, k.end_pos, k.note_id, k.coder FROM codings k "
            "JOIN codes c ON c.id = k.code_id JOIN notes n ON n.id = k.note_id "
            f"WHERE n.interview_id = ?{mine} ORDER BY k.start_pos, c.name, k.coder",
            (doc.key, *extra),
        ):
            out.setdefault(index[r[5]], []).append(
                {"id": r[0], "code_id": r[1], "name": r[2], "start": r[3], "end": r[4], "coder": r[6]})
    return out


def participant_notes(study: Study, participant_id: int) -> list[dict]:
    """All interview notes of a participant, interview by interview, in time
    order; `recording_ms` is each note's time in the recording."""
    from tacompanion.core.interview import recording_ms

    rows = study.query(
        "SELECT n.id, n.kind, n.text, n.tags, n.elapsed_ms, n.question_id, i.id AS interview_id, "
        "i.recording_offset_ms, coalesce(i.started_at, i.created_at) AS interview_start "
        "FROM notes n JOIN interviews i ON i.id = n.interview_id WHERE i.participant_id = ? "
        "ORDER BY i.created_at, i.id, coalesce(n.elapsed_ms, 0), n.id",
        (participant_id,),
    )
    for r in rows:
        r["recording_ms"] = recording_ms(r["elapsed_ms"], r["recording_offset_ms"])
    return rows


def find_document(study: Study, transcript: str | None, participant: str | None) -> tuple[str, int]:
    """(kind, key) of the document named on the command line.

    Raises LookupError with a message that lists what there is to choose from.
    """
    docs = list_documents(study, with_counts=False)
    if participant:
        docs = [d for d in docs if d.participant.casefold() == participant.strip().casefold()]
        if not docs:
            raise LookupError(f"no transcript or interview notes for participant {participant!r}")
    if transcript:
        wanted = transcript.strip().casefold()
        named = [d for d in docs if d.kind == "transcript" and (
            d.title.casefold() == wanted or str(d.key) == wanted)]
        if not named:
            names = ", ".join(sorted({d.title for d in docs if d.kind == "transcript"})) or "none"
            raise LookupError(f"no transcript {transcript!r} (transcripts: {names})")
        if len(named) > 1:
            who = ", ".join(d.participant for d in named)
            raise LookupError(f"{transcript!r} is the name of transcripts of {who}: add --participant")
        return named[0].kind, named[0].key
    transcripts = [d for d in docs if d.kind == "transcript"]
    first = (transcripts or docs)[0] if docs else None
    if first is None:
        raise LookupError("nothing to code yet: import transcripts or run an interview first")
    return first.kind, first.key


def question_start_turns(study: Study, transcript_id: int) -> set[int]:
    """The turns (segment ids) of a transcript where a guide question starts:
    `store.by_question.question_starts`' keys, read from the turns alone,
    without the guide (parsing it is the dear part of labelling them). The
    coding view lays out a line above each at once and names the question
    after its first frame."""
    from tacompanion.core.alignment import effective_questions

    rows = study.conn.execute(
        "SELECT id, question_id, question_source FROM segments WHERE transcript_id = ? ORDER BY position",
        (transcript_id,),
    ).fetchall()
    if not any(r[1] for r in rows):
        return set()
    timed = [qid if source == "time" else None for _, qid, source in rows]
    marks = [qid if source == "manual" else None for _, qid, source in rows]
    out: set[int] = set()
    previous = None
    for (segment_id, _, _), question_id in zip(rows, effective_questions(timed, marks)):
        if question_id is not None and question_id != previous:
            out.add(segment_id)
        previous = question_id
    return out
