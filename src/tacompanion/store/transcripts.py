"""Transcripts and their segments: storing, replacing, reading, searching.

Every query about transcripts lives here. An import writes one transcript
and all its segments in one transaction: all of a file or nothing. The
segments' full-text index follows by the triggers made with the schema.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from tacompanion.core.interview import recording_ms
from tacompanion.core.offsets import equal_blocks, map_span
from tacompanion.core.search import MARK_END, MARK_START, SearchHit, fts_query
from tacompanion.core.transcript import ParsedTranscript, Segment, natural_key
from tacompanion.store.participants import check_pseudonym, ensure_participant
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso
from tacompanion.store.transcript_counts import (  # coded_segment_counts: callers import it from here
    coded_segment_counts,
    store_word_counts,
    transcript_word_counts,
)


@dataclass(frozen=True)
class ImportResult:
    transcript_id: int
    participant: str
    file_name: str
    segments: int
    words: int
    replaced: bool = False
    codings_kept: int = 0


@dataclass(frozen=True)
class TranscriptInfo:
    id: int
    participant_id: int
    participant: str
    pilot: bool
    interview_id: int | None
    file_name: str
    format: str
    imported_at: str
    read_at: str | None
    segments: int = 0
    words: int = 0
    coded_segments: int = 0

    @property
    def coded_share(self) -> float:
        return self.coded_segments / self.segments if self.segments else 0.0


# -- checks before writing -------------------------------------------------------------


def existing_import(study: Study, participant: str, digest: str) -> dict | None:
    """The transcript of `participant` with exactly these bytes, if any."""
    rows = study.query(
        "SELECT t.id, t.file_name, t.imported_at FROM transcripts t "
        "JOIN participants p ON p.id = t.participant_id "
        "WHERE p.pseudonym = ? AND t.source_hash = ?",
        (participant, digest),
    )
    return rows[0] if rows else None


def same_name_transcripts(study: Study, participant: str, file_name: str) -> list[dict]:
    return study.query(
        "SELECT t.id, t.file_name, t.imported_at FROM transcripts t "
        "JOIN participants p ON p.id = t.participant_id "
        "WHERE p.pseudonym = ? AND t.file_name = ? ORDER BY t.id",
        (participant, file_name),
    )


def check_import(
    study: Study, parsed: ParsedTranscript, *, participant: str, file_name: str, shown: str,
    replace: bool,
) -> int | None:
    """Refuse a re-import (StudyError); return the transcript `replace` would
    replace, or None for a new one. Reads only."""
    name = check_pseudonym(participant)
    again = existing_import(study, name, parsed.source_hash)
    if again is not None:
        raise StudyError(
            f"{shown}: already imported for {name} (as {again['file_name']}, "
            f"{again['imported_at'][:10]}); nothing to do"
        )
    earlier = same_name_transcripts(study, name, file_name)
    if not earlier:
        return None
    if not replace:
        raise StudyError(
            f"{shown}: {name} already has a different {file_name} (imported "
            f"{earlier[-1]['imported_at'][:10]}); pass --replace to replace it "
            "(codings stay where their text is unchanged)"
        )
    if len(earlier) > 1:
        raise StudyError(
            f"{shown}: {name} has {len(earlier)} transcripts named {file_name}; cannot tell which to replace")
    return earlier[0]["id"]


# -- writing -------------------------------------------------------------------------------


def import_transcript(
    study: Study,
    parsed: ParsedTranscript,
    *,
    participant: str,
    file_name: str,
    pilot: bool = False,
    replace: bool = False,
    interview_id: int | None = None,
    shown: str | None = None,
) -> ImportResult:
    """Store one parsed transcript for `participant`, atomically.

    `file_name` is what the study remembers (the base name); `shown` is how
    messages name the file (the path as given). Re-importing the same bytes
    is refused; a changed file with the same name needs `replace=True`, and
    then every coding must keep its exact text or nothing changes.
    """
    shown = shown or file_name
    with study.write():
        target = check_import(
            study, parsed, participant=participant, file_name=file_name, shown=shown,
            replace=replace,
        )
        participant_id = ensure_participant(study, participant, pilot=pilot)
        if target is None:
            transcript_id = _insert_transcript(study, parsed, participant_id, file_name, interview_id)
            _insert_segments(study.conn, transcript_id, parsed.segments, {})
            return ImportResult(
                transcript_id, check_pseudonym(participant), file_name,
                len(parsed.segments), parsed.words,
            )
        kept = _replace_transcript(study, target, parsed, file_name, shown)
        return ImportResult(
            target, check_pseudonym(participant), file_name, len(parsed.segments),
            parsed.words, replaced=True, codings_kept=kept,
        )


def _insert_transcript(
    study: Study, parsed: ParsedTranscript, participant_id: int, file_name: str,
    interview_id: int | None,
) -> int:
    cursor = study.conn.execute(
        "INSERT INTO transcripts (uuid, participant_id, interview_id, file_name, format, "
        "source_hash, text, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new_uuid(), participant_id, interview_id, file_name, parsed.format,
            parsed.source_hash, parsed.text, now_iso(),
        ),
    )
    return cursor.lastrowid


def _insert_segments(
    conn: sqlite3.Connection, transcript_id: int, segments: tuple[Segment, ...],
    carried: dict[int, dict],
) -> list[int]:
    """Insert the segments; `carried[position]` keeps an old segment's uuid and question."""
    rows = []
    for s in segments:
        keep = carried.get(s.position, {})
        rows.append(
            (
                keep.get("uuid") or new_uuid(), transcript_id, s.position, s.speaker,
                int(s.is_interviewer), s.start_pos, s.end_pos, s.start_ms, s.end_ms, s.text,
                keep.get("question_id"), keep.get("question_source"),
            )
        )
    conn.executemany(
        "INSERT INTO segments (uuid, transcript_id, position, speaker, is_interviewer, "
        "start_pos, end_pos, start_ms, end_ms, text, question_id, question_source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    store_word_counts(conn, transcript_id, ((s.is_interviewer, s.text) for s in segments))
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM segments WHERE transcript_id = ? ORDER BY position", (transcript_id,)
        )
    ]


def _replace_transcript(
    study: Study, transcript_id: int, parsed: ParsedTranscript, file_name: str, shown: str
) -> int:
    """Swap in a corrected text, carrying codings, segment memos and question
    links across; refuse (StudyError) when any coding's text changed."""
    conn = study.conn
    old_text = conn.execute("SELECT text FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()[0]
    blocks = equal_blocks(old_text, parsed.text)
    codings = study.query(
        "SELECT c.*, k.name AS code_name FROM codings c JOIN codes k ON k.id = c.code_id "
        "WHERE c.transcript_id = ? ORDER BY c.start_pos",
        (transcript_id,),
    )
    moved, lost = [], []
    for c in codings:
        span = map_span(blocks, c["start_pos"], c["end_pos"])
        if span is None:
            lost.append(c)
        else:
            moved.append((c, span))
    new_by_span = {(s.start_pos, s.end_pos): s.position for s in parsed.segments}
    old_segments = study.query(
        "SELECT id, uuid, start_pos, end_pos, question_id, question_source FROM segments "
        "WHERE transcript_id = ?",
        (transcript_id,),
    )
    carried: dict[int, dict] = {}
    old_to_position: dict[int, int] = {}
    for seg in old_segments:
        span = map_span(blocks, seg["start_pos"], seg["end_pos"])
        if span is not None and span in new_by_span:
            carried[new_by_span[span]] = seg
            old_to_position[seg["id"]] = new_by_span[span]
    memos = study.query(
        "SELECT m.id, m.segment_id FROM memos m JOIN segments s ON s.id = m.segment_id "
        "WHERE s.transcript_id = ?",
        (transcript_id,),
    )
    lost_memos = [m for m in memos if m["segment_id"] not in old_to_position]
    if lost or lost_memos:
        reasons = []
        if lost:
            sample = "; ".join(
                f"{c['code_name']} on {old_text[c['start_pos']:c['end_pos']][:40]!r}" for c in lost[:3]
            )
            reasons.append(f"{len(lost)} coding(s) cover text that changed ({sample})")
        if lost_memos:
            reasons.append(f"{len(lost_memos)} memo(s) on turns that changed")
        raise StudyError(
            f"{shown}: cannot replace without moving work: {'; '.join(reasons)}. "
            "Nothing was changed; remove those codings or memos first, or import "
            "the file as a new transcript under another name"
        )
    for m in memos:  # detach, so deleting the old segments does not delete them
        conn.execute("UPDATE memos SET segment_id = NULL WHERE id = ?", (m["id"],))
    conn.execute("DELETE FROM segments WHERE transcript_id = ?", (transcript_id,))
    conn.execute(
        "UPDATE transcripts SET file_name = ?, format = ?, source_hash = ?, text = ?, "
        "imported_at = ? WHERE id = ?",
        (file_name, parsed.format, parsed.source_hash, parsed.text, now_iso(), transcript_id),
    )
    new_ids = _insert_segments(conn, transcript_id, parsed.segments, carried)
    for m in memos:
        conn.execute(
            "UPDATE memos SET segment_id = ? WHERE id = ?",
            (new_ids[old_to_position[m["segment_id"]]], m["id"]),
        )
    if moved:
        # Delete and re-insert with the same ids: shifting rows in place could
        # collide with the unique index half-way through.
        conn.execute("DELETE FROM codings WHERE transcript_id = ?", (transcript_id,))
        for c, (start, end) in moved:
            row = {k: v for k, v in c.items() if k != "code_name"}
            row["start_pos"], row["end_pos"] = start, end
            columns = ", ".join(row)
            conn.execute(
                f"INSERT INTO codings ({columns}) VALUES ({', '.join('?' for _ in row)})",
                tuple(row.values()),
            )
    from tacompanion.store.history import remap_transcript

    remap_transcript(
        study, transcript_id, lambda start, end: map_span(blocks, start, end), parsed.text,
        f"the transcript {file_name} was replaced by an edited text, and the words this step "
        "covered are no longer there",
    )
    return len(moved)


def set_read(study: Study, transcript_id: int, read: bool) -> str | None:
    """Mark a transcript read (familiarisation) or unread; return read_at."""
    value = now_iso() if read else None
    with study.write():
        study.conn.execute("UPDATE transcripts SET read_at = ? WHERE id = ?", (value, transcript_id))
    return value


def transcript_memo(study: Study, transcript_id: int) -> str:
    """The memo on a transcript ('' when there is none)."""
    from tacompanion.store.memos import get_memo

    return get_memo(study, "transcript", transcript_id)


def save_transcript_memo(study: Study, transcript_id: int, text: str) -> None:
    """Write the transcript's memo; an empty text deletes it."""
    from tacompanion.store.memos import save_memo

    save_memo(study, "transcript", transcript_id, text)


# -- reading ---------------------------------------------------------------------------------


_INFO_SQL = """
SELECT t.id, t.participant_id, p.pseudonym AS participant, p.pilot, t.interview_id,
       t.file_name, t.format, t.imported_at, t.read_at,
       (SELECT count(*) FROM segments s WHERE s.transcript_id = t.id) AS segments
FROM transcripts t JOIN participants p ON p.id = t.participant_id
"""


def list_transcripts(
    study: Study, *, with_words: bool = True, with_coded: bool = True
) -> list[TranscriptInfo]:
    """Every transcript, by participant then file name (words and coded turns
    left at 0 when not asked for: the home screen's checklist needs neither)."""
    rows = study.query(_INFO_SQL)
    rows.sort(key=lambda r: (natural_key(r["participant"]), natural_key(r["file_name"]), r["id"]))
    words = word_counts(study) if with_words else {}
    coded = coded_segment_counts(study) if with_coded else {}
    return [_info(r, words.get(r["id"], 0), coded.get(r["id"], 0)) for r in rows]


def get_transcript(study: Study, transcript_id: int) -> TranscriptInfo:
    rows = study.query(_INFO_SQL + " WHERE t.id = ?", (transcript_id,))
    if not rows:
        raise StudyError(f"no transcript with id {transcript_id}")
    coded = coded_segment_counts(study, transcript_id).get(transcript_id, 0)
    return _info(rows[0], word_counts(study, transcript_id).get(transcript_id, 0), coded)


def _info(row: dict, words: int, coded: int) -> TranscriptInfo:
    return TranscriptInfo(
        id=row["id"], participant_id=row["participant_id"], participant=row["participant"],
        pilot=bool(row["pilot"]), interview_id=row["interview_id"], file_name=row["file_name"],
        format=row["format"], imported_at=row["imported_at"], read_at=row["read_at"],
        segments=row["segments"], words=words, coded_segments=coded,
    )


def word_counts(study: Study, transcript_id: int | None = None) -> dict[int, int]:
    """Words per transcript: whitespace-separated words of its segments
    (kept with the text: store/transcript_counts.py)."""
    return {tid: c[0] for tid, c in transcript_word_counts(study, transcript_id).items()}


def segment_id_at(study: Study, transcript_id: int, position: int) -> int | None:
    """The stored id of a transcript's turn at `position` (0-based)."""
    return study.scalar(
        "SELECT id FROM segments WHERE transcript_id = ? AND position = ?", (transcript_id, position))


def load_segments(study: Study, transcript_id: int) -> list[Segment]:
    return [
        Segment(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]),
        )
        for r in study.conn.execute(
            "SELECT position, speaker, start_pos, end_pos, text, start_ms, end_ms, is_interviewer "
            "FROM segments WHERE transcript_id = ? ORDER BY position",
            (transcript_id,),
        )
    ]


def coded_positions(study: Study, transcript_id: int) -> set[int]:
    """Positions of the segments that any coding touches."""
    return {
        r[0]
        for r in study.conn.execute(
            "SELECT s.position FROM segments s WHERE s.transcript_id = ? AND EXISTS ("
            "SELECT 1 FROM codings c WHERE c.transcript_id = s.transcript_id "
            "AND c.start_pos < s.end_pos AND c.end_pos > s.start_pos)",
            (transcript_id,),
        )
    }


@dataclass(frozen=True)
class NoteRow:
    id: int
    kind: str
    text: str
    elapsed_ms: int | None
    recording_ms: int | None  # the note's time on the recording, when known
    question_id: str | None


def participant_notes(study: Study, transcript_id: int) -> list[NoteRow]:
    """Interview notes to read beside a transcript: those of its interview when
    it is linked to one, else all of the participant's, in time order."""
    row = study.conn.execute(
        "SELECT participant_id, interview_id FROM transcripts WHERE id = ?", (transcript_id,)
    ).fetchone()
    if row is None:
        return []
    participant_id, interview_id = row
    where, params = (
        ("i.id = ?", (interview_id,)) if interview_id is not None
        else ("i.participant_id = ?", (participant_id,))
    )
    out = []
    for r in study.conn.execute(
        "SELECT n.id, n.kind, n.text, n.elapsed_ms, i.recording_offset_ms, n.question_id "
        "FROM notes n JOIN interviews i ON i.id = n.interview_id "
        f"WHERE {where} ORDER BY i.created_at, i.id, coalesce(n.elapsed_ms, 0), n.created_at, n.id",
        params,
    ):
        out.append(NoteRow(r[0], r[1], r[2], r[3], recording_ms(r[3], r[4]), r[5]))
    return out


# -- search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]  # the first `limit`, in reading order
    total: int  # hits in all
    transcripts: int  # transcripts with a hit


def search_segments(study: Study, text: str, *, limit: int | None = 200) -> SearchResult:
    """Segments matching the words typed, in reading order, and how many in all.

    Raises SearchQueryError for an empty query.
    """
    match = fts_query(text)
    try:
        total, files = study.conn.execute(
            "SELECT count(*), count(DISTINCT s.transcript_id) FROM segments_fts "
            "JOIN segments s ON s.id = segments_fts.rowid WHERE segments_fts MATCH ?",
            (match,),
        ).fetchone()
        rows = study.conn.execute(
            "SELECT s.transcript_id, p.pseudonym, t.file_name, s.id, s.position, s.speaker, "
            "s.start_ms, s.start_pos, "
            f"snippet(segments_fts, 0, '{MARK_START}', '{MARK_END}', '…', 16) "
            "FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid "
            "JOIN transcripts t ON t.id = s.transcript_id "
            "JOIN participants p ON p.id = t.participant_id "
            "WHERE segments_fts MATCH ? "
            "ORDER BY p.pseudonym COLLATE NOCASE, t.file_name, t.id, s.position "
            + ("LIMIT ?" if limit else ""),
            (match, limit) if limit else (match,),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
            raise StudyError(f"cannot search for {text!r}: {exc}") from None
        raise
    return SearchResult([SearchHit(*r) for r in rows], total, files)
