"""Hints, offline: which participant turns and interview notes a code does not
cover yet but that resemble its coded extracts; and "turns like this one".

A reading aid for consistency, never a judgement: the ranking is SQLite
FTS5's bm25 over the study's own full-text indexes, queried with the terms
that are most distinctive of the extracts (TF-IDF against the study's own
words, core/term_weights.py). No model, no download, no network. Nothing is
applied without a key press; a dismissed hint is remembered (table
`hint_dismissals`) and not offered again for that code.

Interviewer turns, pilots and what the code already covers are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.core.term_weights import (
    candidate_terms,
    distinctive_terms,
    match_query,
)
from tacompanion.core.transcript import format_clock
from tacompanion.store.study import Study, StudyError, now_iso

TERMS = 12
VOCAB_LOOKUPS = 300


@dataclass(frozen=True)
class Hint:
    kind: str  # "turn" (a transcript's segment) or "note"
    item_id: int  # segment id or note id
    doc_kind: str  # "transcript" or "notes": the coding screen's document
    doc_key: int  # transcript id or interview id
    participant: str
    where: str  # "t1-interview.txt turn 12", "interview notes 00:12:03"
    text: str
    score: float  # higher is more alike
    start: int  # the span that applying codes: the whole turn, or the whole note
    end: int

    @property
    def ref(self) -> DocRef:
        return DocRef(transcript_id=self.doc_key) if self.kind == "turn" else DocRef(note_id=self.item_id)


@dataclass(frozen=True)
class HintList:
    terms: tuple[str, ...]  # the terms the ranking used, most distinctive first
    hints: tuple[Hint, ...]


def code_hints(study: Study, code_id: int, *, limit: int = 30) -> HintList:
    """Turns and notes the code does not cover, most alike its extracts first."""
    if study.scalar("SELECT 1 FROM codes WHERE id = ?", (code_id,)) is None:
        raise StudyError(f"no code with id {code_id}")
    spans = study.conn.execute(
        "SELECT transcript_id, note_id, start_pos, end_pos FROM codings WHERE code_id = ? ORDER BY id",
        (code_id,)).fetchall()
    texts = _extract_texts(study, spans)
    terms = _terms(study, texts)
    covered_notes = {s[1] for s in spans if s[1] is not None}
    dismissed_turns, dismissed_notes = set(), set()
    for seg, note in study.conn.execute(
            "SELECT segment_id, note_id FROM hint_dismissals WHERE code_id = ?", (code_id,)):
        (dismissed_turns if seg is not None else dismissed_notes).add(seg if seg is not None else note)

    def skip_turns(ids: list[int]) -> set[int]:
        # Coverage is asked of the best-ranked candidates only, so the cost
        # does not grow with how often the code was applied.
        marks = ",".join("?" * len(ids))
        covered = {r[0] for r in study.conn.execute(
            f"SELECT s.id FROM segments s WHERE s.id IN ({marks}) AND EXISTS (SELECT 1 FROM codings k "
            "WHERE k.transcript_id = s.transcript_id AND k.start_pos < s.end_pos "
            "AND k.end_pos > s.start_pos AND k.code_id = ?)", (*ids, code_id))}
        return covered | (dismissed_turns & set(ids))

    hints = _ranked(study, terms, limit, skip_turns=skip_turns,
                    skip_notes=lambda ids: (covered_notes | dismissed_notes) & set(ids))
    return HintList(tuple(terms), tuple(hints))


def similar_items(study: Study, kind: str, item_id: int, *, limit: int = 30) -> HintList:
    """Turns and notes most alike one turn ("turn") or note ("note"), itself left out."""
    table = "segments" if kind == "turn" else "notes"
    text = study.scalar(f"SELECT text FROM {table} WHERE id = ?", (item_id,))
    if text is None:
        raise StudyError(f"no {kind} with id {item_id}")
    terms = _terms(study, [text])
    hints = _ranked(study, terms, limit,
                    skip_turns=lambda ids: {item_id} if kind == "turn" else set(),
                    skip_notes=lambda ids: {item_id} if kind == "note" else set())
    return HintList(tuple(terms), tuple(hints))


def dismiss_hint(study: Study, code_id: int, hint: Hint) -> None:
    column = "segment_id" if hint.kind == "turn" else "note_id"
    with study.write() as db:
        db.execute(
            f"INSERT OR IGNORE INTO hint_dismissals (code_id, {column}, created_at) VALUES (?, ?, ?)",
            (code_id, hint.item_id, now_iso()))


def forget_dismissals(study: Study, code_id: int) -> int:
    with study.write() as db:
        return db.execute("DELETE FROM hint_dismissals WHERE code_id = ?", (code_id,)).rowcount


def apply_hint(study: Study, code_id: int, hint: Hint, coder: str) -> int | None:
    """Code the whole turn or note (one undoable step, as any coding)."""
    from tacompanion.store.codes import apply_code

    return apply_code(study, code_id, hint.ref, Span(hint.start, hint.end), coder)


def block_index(study: Study, hint: Hint) -> int:
    """The hint's place in its coding-screen document (for the cursor)."""
    if hint.kind == "turn":
        return study.scalar(
            "SELECT count(*) FROM segments WHERE transcript_id = ? AND position < "
            "(SELECT position FROM segments WHERE id = ?)", (hint.doc_key, hint.item_id)) or 0
    return study.scalar(
        "SELECT count(*) FROM notes a, notes b WHERE b.id = ? AND a.interview_id = b.interview_id AND "
        "(coalesce(a.elapsed_ms, 0), a.created_at, a.id) < (coalesce(b.elapsed_ms, 0), b.created_at, b.id)",
        (hint.item_id,)) or 0


# -- ranking -------------------------------------------------------------------------

# Terms are weighed over at most this many of a code's extracts (every k-th
# in coding order): enough to find what is distinctive, and the cost stays
# flat however often a code was applied.
MAX_EXTRACTS = 400


def _extract_texts(study: Study, spans: list[tuple]) -> list[str]:
    if len(spans) > MAX_EXTRACTS:
        step = len(spans) / MAX_EXTRACTS
        spans = [spans[int(i * step)] for i in range(MAX_EXTRACTS)]
    texts: list[str] = []
    for table, index in (("transcripts", 0), ("notes", 1)):
        ids = sorted({s[index] for s in spans if s[index] is not None})
        if not ids:
            continue
        marks = ",".join("?" * len(ids))
        full = dict(study.conn.execute(f"SELECT id, text FROM {table} WHERE id IN ({marks})", ids))
        texts += [full[s[index]][s[2]:s[3]] for s in spans if s[index] is not None and s[index] in full]
    return texts


def _terms(study: Study, texts: list[str]) -> list[str]:
    frequencies = candidate_terms(texts)
    if not frequencies:
        return []
    # The document frequency is looked up for the words most frequent in the
    # extracts only: the distinctive terms are among them.
    words = [w for w, _ in frequencies.most_common(VOCAB_LOOKUPS)]
    df: dict[str, int] = {}
    for vocab, fts in (("segments_vocab", "segments_fts"), ("notes_vocab", "notes_fts")):
        study.conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{vocab} USING fts5vocab(main, {fts}, row)")
        for start in range(0, len(words), 500):
            chunk = words[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for term, doc in study.conn.execute(
                    f"SELECT term, doc FROM temp.{vocab} WHERE term IN ({marks})", chunk):
                df[term] = df.get(term, 0) + doc
    documents = (study.scalar("SELECT count(*) FROM segments") or 0) + (study.scalar("SELECT count(*) FROM notes") or 0)
    # A word found in no index cannot match anything: leave it out.
    frequencies = {t: f for t, f in frequencies.items() if df.get(t)}
    return [t for t, _ in distinctive_terms(frequencies, df, documents, TERMS)]


def _ranked(study: Study, terms: list[str], limit: int, *,
            skip_turns: Callable[[list[int]], set[int]], skip_notes: Callable[[list[int]], set[int]]) -> list[Hint]:
    """The best `limit` turns and notes matching the terms, by bm25, leaving
    out what the skip functions name among the candidates."""
    if not terms:
        return []
    query = match_query(terms)
    hints = [*_best(study, "segments_fts", query, limit, skip_turns, _turn_hints),
             *_best(study, "notes_fts", query, limit, skip_notes, _note_hints)]
    hints.sort(key=lambda h: -h.score)
    return hints[:limit]


def _best(study: Study, fts: str, query: str, limit: int, skip: Callable[[list[int]], set[int]],
          make: Callable[[Study, list[tuple[int, float]]], list[Hint]]) -> list[Hint]:
    """Candidates in pages that double until `limit` are left after skipping."""
    fetch = 4 * limit + 100
    while True:
        ranked = study.conn.execute(
            f"SELECT rowid, bm25({fts}) FROM {fts} WHERE {fts} MATCH ? ORDER BY bm25({fts}) LIMIT ?",
            (query, fetch)).fetchall()
        skipped = skip([r[0] for r in ranked]) if ranked else set()
        found = make(study, [r for r in ranked if r[0] not in skipped])
        if len(found) >= limit or len(ranked) < fetch:
            return found[:limit]
        fetch *= 4


def _turn_hints(study: Study, wanted: list[tuple[int, float]]) -> list[Hint]:
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    rows = {r[0]: r for r in study.conn.execute(
        "SELECT s.id, s.transcript_id, s.position, s.start_pos, s.end_pos, s.text, s.start_ms, "
        "t.file_name, p.pseudonym FROM segments s JOIN transcripts t ON t.id = s.transcript_id "
        "JOIN participants p ON p.id = t.participant_id "
        f"WHERE s.id IN ({marks}) AND s.is_interviewer = 0 AND p.pilot = 0", [w[0] for w in wanted])}
    out = []
    for rid, score in wanted:
        r = rows.get(rid)
        if r is not None:
            at = f" ({format_clock(r[6])})" if r[6] is not None else ""
            out.append(Hint("turn", rid, "transcript", r[1], r[8], f"{r[7]} turn {r[2] + 1}{at}",
                            r[5], -score, r[3], r[4]))
    return out


def _note_hints(study: Study, wanted: list[tuple[int, float]]) -> list[Hint]:
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    rows = {r[0]: r for r in study.conn.execute(
        "SELECT n.id, n.interview_id, n.text, n.elapsed_ms, i.recording_offset_ms, p.pseudonym "
        "FROM notes n JOIN interviews i ON i.id = n.interview_id "
        "JOIN participants p ON p.id = i.participant_id "
        f"WHERE n.id IN ({marks}) AND p.pilot = 0 AND i.pilot = 0", [w[0] for w in wanted])}
    out = []
    for rid, score in wanted:
        r = rows.get(rid)
        if r is not None:
            at = f" {format_clock((r[3] or 0) + (r[4] or 0))}" if r[3] is not None else ""
            out.append(Hint("note", rid, "notes", r[1], r[5], f"interview notes{at}", r[2], -score, 0, len(r[2])))
    return out
