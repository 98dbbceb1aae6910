"""Every coding with its context, for `export codings`: read one document at
a time, in reading order (formats/codings_csv.py writes the rows).

Its own module, with light imports, so that the export does not load the
coding machinery of store/codes.py (history, dataclasses) it never uses.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from operator import itemgetter

from tacompanion.core.words import nocase
from tacompanion.store.study import Study

THEME_PATH = """
WITH RECURSIVE path(id, name, depth) AS (
    SELECT id, name, 0 FROM themes WHERE parent_id IS NULL
    UNION ALL
    SELECT t.id, path.name || ' / ' || t.name, depth + 1
    FROM themes t JOIN path ON t.parent_id = path.id
)
"""

_KEY = itemgetter(0)


def iter_codings_for_export(study: Study) -> Iterator[tuple]:
    """Every coding with its context, in reading order, as tuples of
    EXPORT_FIELDS (store/codes.py): kind, participant, pilot,
    document (transcript file name, or the interview's notes), segment number
    (1-based turn, or note number), speaker, offsets, code, theme path, coder,
    time and the extract's text (sliced by code points, as stored).

    Rows come document by document (participant, then document name; SQLite's
    NOCASE order), sorted within a document by turn, start, end and code, so
    only one document's codings are in memory at a time. Each coding's turn is
    found by bisection over the document's turns; its text is sliced in
    Python from the document's text read once (SQL substr walks a long text
    from its start for every extract)."""
    conn = study.conn
    codes = {
        cid: (name, theme, nocase(name))
        for cid, name, theme in conn.execute(
            THEME_PATH + "SELECT c.id, c.name, path.name FROM codes c LEFT JOIN path ON path.id = c.theme_id"
        )
    }
    docs: list[tuple[tuple[str, str], str, int, str, int, str]] = []
    for tid, who, pilot, name in conn.execute(
        "SELECT t.id, p.pseudonym, p.pilot, t.file_name FROM transcripts t "
        "JOIN participants p ON p.id = t.participant_id "
        "WHERE EXISTS (SELECT 1 FROM codings k WHERE k.transcript_id = t.id)"
    ):
        docs.append(((nocase(who), name), "transcript", tid, who, pilot, name))
    for iid, who, pilot, name in conn.execute(
        "SELECT i.id, p.pseudonym, max(p.pilot, i.pilot), 'notes ' || coalesce(i.started_at, i.created_at) "
        "FROM interviews i JOIN participants p ON p.id = i.participant_id "
        "WHERE EXISTS (SELECT 1 FROM notes n JOIN codings k ON k.note_id = n.id WHERE n.interview_id = i.id)"
    ):
        docs.append(((nocase(who), name), "notes", iid, who, pilot, name))
    docs.sort(key=_KEY)
    i = 0
    while i < len(docs):
        # documents that sort alike (same participant and name) share one ordering
        j = i + 1
        while j < len(docs) and docs[j][0] == docs[i][0]:
            j += 1
        rows: list[tuple] = []
        for _, kind, doc_id, who, pilot, name in docs[i:j]:
            found = _transcript_codings if kind == "transcript" else _notes_codings
            found(conn, doc_id, codes, (kind, who, pilot, name), rows)
        # the sort key is (0, 0) for no turn, else (1, turn), then start, end,
        # code (NOCASE) and coder: rows are (key..., row) with the key flat
        rows.sort(key=_FIRST_SIX)
        for r in rows:
            yield r[6]
        i = j


_FIRST_SIX = itemgetter(0, 1, 2, 3, 4, 5)


def _transcript_codings(conn, transcript_id: int, codes: dict, head: tuple, rows: list) -> None:
    """Append (has turn, turn, start, end, code key, coder, row) for each
    coding of a transcript and each turn it starts in: a turn [start, end)
    holds a coding starting in it (an empty turn, one starting at its start);
    none gives one row with no turn."""
    kind, who, pilot, name = head
    text = conn.execute("SELECT text FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()[0]
    turns = conn.execute(
        "SELECT start_pos, max(end_pos, start_pos + 1), position + 1, speaker FROM segments "
        "WHERE transcript_id = ? ORDER BY start_pos, end_pos", (transcript_id,)
    ).fetchall()
    starts = [t[0] for t in turns]
    ends = [t[1] for t in turns]
    # Turns follow one another without overlapping (the rule): at most one holds a position.
    disjoint = all(ends[n] <= starts[n + 1] for n in range(len(turns) - 1))
    append = rows.append
    for start, end, code_id, coder, created_at in conn.execute(
        "SELECT start_pos, end_pos, code_id, coder, created_at FROM codings WHERE transcript_id = ?",
        (transcript_id,),
    ):
        code, theme, key = codes[code_id]
        extract = text[start:end]
        if disjoint:
            n = bisect_right(starts, start) - 1
            if n >= 0 and start < ends[n]:
                turn = turns[n]
                append((1, turn[2], start, end, key, coder,
                        (kind, who, pilot, name, turn[2], turn[3], start, end, code, theme, coder, created_at,
                         extract)))
                continue
            holding = []
        else:
            holding = [t for t in turns if t[0] <= start < t[1]]
        if not holding:
            append((0, 0, start, end, key, coder,
                    (kind, who, pilot, name, None, None, start, end, code, theme, coder, created_at, extract)))
        for turn in holding:
            append((1, turn[2], start, end, key, coder,
                    (kind, who, pilot, name, turn[2], turn[3], start, end, code, theme, coder, created_at,
                     extract)))


def _notes_codings(conn, interview_id: int, codes: dict, head: tuple, rows: list) -> None:
    """The same for the codings on an interview's notes: the note's number in
    the interview (by elapsed time, then creation), no speaker."""
    kind, who, pilot, name = head
    notes = conn.execute(
        "SELECT id, text FROM notes WHERE interview_id = ? ORDER BY coalesce(elapsed_ms, 0), id",
        (interview_id,),
    ).fetchall()
    number = {nid: n for n, (nid, _) in enumerate(notes, start=1)}
    texts = dict(notes)
    for note_id, start, end, code_id, coder, created_at in conn.execute(
        "SELECT k.note_id, k.start_pos, k.end_pos, k.code_id, k.coder, k.created_at FROM codings k "
        "JOIN notes n ON n.id = k.note_id WHERE n.interview_id = ?", (interview_id,)
    ):
        code, theme, key = codes[code_id]
        segment = number[note_id]
        rows.append((1, segment, start, end, key, coder,
                     (kind, who, pilot, name, segment, "", start, end, code, theme, coder, created_at,
                      texts[note_id][start:end])))
