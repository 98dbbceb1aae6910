"""What the report needs besides the map: the study's data in numbers (pilots
counted apart), the reflexive journal, and the extracts it quotes from, read
one document at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tacompanion.core.transcript import natural_key
from tacompanion.store.study import Study
from tacompanion.store.thematic import Extract, ExtractCode, SpanCode, SpanExtract


@dataclass(frozen=True)
class DataNumbers:
    participants: int  # non-pilot participants
    pilot_participants: tuple[str, ...]  # their pseudonyms
    interviews: int  # interviews that are not pilots, with non-pilot participants
    pilot_interviews: int
    transcripts: int  # transcripts of non-pilot participants
    pilot_transcripts: int
    notes_interviews: int  # non-pilot interviews with interview notes


def data_numbers(study: Study) -> DataNumbers:
    people = study.conn.execute("SELECT pseudonym, pilot FROM participants").fetchall()
    pilots = tuple(sorted((p for p, pilot in people if pilot), key=natural_key))
    interviews, pilot_interviews, with_notes = study.conn.execute(
        "SELECT coalesce(sum(i.pilot = 0 AND p.pilot = 0), 0), coalesce(sum(i.pilot = 1 OR p.pilot = 1), 0), "
        "  coalesce(sum(i.pilot = 0 AND p.pilot = 0 AND EXISTS "
        "    (SELECT 1 FROM notes n WHERE n.interview_id = i.id)), 0) "
        "FROM interviews i JOIN participants p ON p.id = i.participant_id"
    ).fetchone()
    transcripts, pilot_transcripts = study.conn.execute(
        "SELECT coalesce(sum(p.pilot = 0), 0), coalesce(sum(p.pilot = 1), 0) "
        "FROM transcripts t JOIN participants p ON p.id = t.participant_id"
    ).fetchone()
    return DataNumbers(len(people) - len(pilots), pilots, interviews, pilot_interviews,
                       transcripts, pilot_transcripts, with_notes)


@dataclass(frozen=True)
class JournalEntry:
    date: str
    text: str


def journal_entries(study: Study) -> list[JournalEntry]:
    """The reflexive journal, oldest entry first."""
    return [JournalEntry(d, t) for d, t in study.conn.execute(
        "SELECT entry_date, text FROM journal ORDER BY entry_date, created_at, id")]


# -- the report's extracts, document by document ----------------------------------------


def extracts_in_order(study: Study, code_ids: Iterable[int]) -> Iterator[SpanExtract]:
    """The extracts carrying any of `code_ids`, as `thematic.extract_spans`
    gives them (the same order, the same codes: one entry per code, starred
    when any coder starred it), but one at a time, read one document at a
    time: participants by pseudonym, each one's transcripts, then the notes
    of their interviews. Without texts (see `quote_texts`). A large study
    has 150,000 of them; the report keeps a few."""
    from tacompanion.store.analysis import coder_condition

    wanted = set(code_ids)
    if not wanted:
        return
    scope = study.setting("analysis_scope", "all")
    coders = coder_condition(study)
    people = study.conn.execute("SELECT id, pseudonym FROM participants WHERE pilot = 0").fetchall()
    people.sort(key=lambda p: (p[1].casefold(), p[0]))
    transcripts: dict[int, list[int]] = {}
    for tid, pid in study.conn.execute(
        "SELECT t.id, t.participant_id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
        "WHERE p.pilot = 0 ORDER BY t.id"
    ):
        transcripts.setdefault(pid, []).append(tid)
    notes: dict[int, list[tuple]] = {}  # participant -> (note, interview, start, end, code, coding, starred)
    if scope != "transcripts":
        for row in study.conn.execute(
            "SELECT i.participant_id, k.note_id, i.id, k.start_pos, k.end_pos, k.code_id, k.id, k.starred "
            "FROM codings k JOIN notes n ON n.id = k.note_id "
            "JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id "
            f"WHERE p.pilot = 0 AND i.pilot = 0{coders} ORDER BY k.note_id, k.start_pos, k.end_pos, k.id"
        ):
            if row[5] in wanted:
                notes.setdefault(row[0], []).append(row[1:])
    # By the unique index on (transcript, start, end, code, coder): a
    # document's codings come span by span, without sorting them.
    by_transcript = (
        "SELECT start_pos, end_pos, code_id, id, starred FROM codings k "
        f"WHERE k.transcript_id = ?{coders} ORDER BY start_pos, end_pos"
    )
    for pid, who in people:
        for tid in transcripts.get(pid, ()):
            span = None
            codes: dict[int, list] = {}
            for start, end, code_id, kid, starred in study.conn.execute(by_transcript, (tid,)):
                if (start, end) != span:
                    if codes:
                        yield _extract(pid, who, "transcript", tid, None, span, codes)
                        codes = {}
                    span = (start, end)
                if code_id in wanted:
                    _add_code(codes, code_id, kid, starred)
            if codes:
                yield _extract(pid, who, "transcript", tid, None, span, codes)
        span, head_interview = None, None
        codes = {}
        for note_id, interview_id, start, end, code_id, kid, starred in notes.get(pid, ()):
            if (note_id, start, end) != span:
                if codes:
                    yield _extract(pid, who, "notes", span[0], head_interview, span[1:], codes)
                    codes = {}
                span, head_interview = (note_id, start, end), interview_id
            _add_code(codes, code_id, kid, starred)
        if codes:
            yield _extract(pid, who, "notes", span[0], head_interview, span[1:], codes)


def _add_code(codes: dict[int, list], code_id: int, coding_id: int, starred: int) -> None:
    """One entry per code on a span: its first coding, starred when any is."""
    got = codes.get(code_id)
    if got is None:
        codes[code_id] = [coding_id, bool(starred)]
    else:
        if coding_id < got[0]:
            got[0] = coding_id
        if starred:
            got[1] = True


def _extract(pid: int, who: str, kind: str, doc_id: int, interview_id: int | None,
             span: tuple[int, int], codes: dict[int, list]) -> SpanExtract:
    return SpanExtract(pid, who, kind, doc_id, interview_id, span[0], span[1], "",
                       tuple([SpanCode(got[0], code_id, got[1]) for code_id, got in sorted(codes.items())]))


def quote_texts(study: Study, extracts: list[SpanExtract]) -> list[Extract]:
    """The extracts as Extracts with their texts (as `thematic.with_texts`
    gives them), reading one document's text at a time."""
    wanted: dict[tuple[str, int], list[int]] = {}
    for i, e in enumerate(extracts):
        wanted.setdefault((e.kind, e.doc_id), []).append(i)
    texts: list[str] = [""] * len(extracts)
    for kind, table in (("transcript", "transcripts"), ("notes", "notes")):
        ids = sorted(doc for k, doc in wanted if k == kind)
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            for doc, text in study.conn.execute(
                f"SELECT id, text FROM {table} WHERE id IN ({','.join('?' * len(part))})", part
            ):
                for i in wanted[(kind, doc)]:
                    texts[i] = text[extracts[i].start:extracts[i].end]
    return [
        Extract(e.participant_id, e.participant, e.kind, e.doc_id, e.interview_id, e.start, e.end, text,
                tuple(ExtractCode(c.coding_id, c.code_id, "", c.starred) for c in e.codes))
        for e, text in zip(extracts, texts, strict=True)
    ]
