"""Counts per transcript for `stats` and the home screen: words, kept with
the text, and turns touched by a coding. A module of its own, with light
imports (store/transcripts.py brings the whole import machinery).

Words are counted when the text is written (issue 16).

A transcript's words are the whitespace-separated words of its turns
(`len(text.split())` summed over its segments), and its participant words
those of the turns not by the interviewer. Counting them means splitting
every turn of the study (0.3 s on 5 million words), so they are kept in the
table `transcript_words` (schema step `_migrate_word_counts`), one row per
transcript, written by whatever writes the turns (an import, a replaced text,
a .qdpx import or merge).

The row can only be missing, never wrong: triggers on `segments` delete a
transcript's row whenever one of its turns is inserted, deleted, or has its
text, speaker role or transcript changed, by this program or any other; the
writer that knows the new counts writes the row again afterwards. A reader
counts the turns of a transcript without a row (after an undone removal, say)
itself, so the numbers are always those of a fresh count.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import accumulate
from json import loads

from tacompanion.store.study import Study


def count_words(text: str) -> int:
    """Whitespace-separated words: the one definition of a word count."""
    return len(text.split())


def store_word_counts(conn: sqlite3.Connection, transcript_id: int,
                      turns: Iterable[tuple[bool, str]]) -> None:
    """Write the counts of a transcript whose turns were just written:
    `turns` gives (is_interviewer, text) for each of them. Call it after the
    last turn is inserted (each insert deletes the row)."""
    words = participant = 0
    for is_interviewer, text in turns:
        n = len(text.split())
        words += n
        if not is_interviewer:
            participant += n
    conn.execute(
        "INSERT OR REPLACE INTO transcript_words (transcript_id, words, participant_words) VALUES (?, ?, ?)",
        (transcript_id, words, participant),
    )


def store_missing_word_counts(conn: sqlite3.Connection) -> int:
    """Count and store the words of every transcript without a row (for a
    writer that inserts turns row by row). Returns how many were counted."""
    missing = [r[0] for r in conn.execute(
        "SELECT id FROM transcripts WHERE id NOT IN (SELECT transcript_id FROM transcript_words)")]
    for tid in missing:
        store_word_counts(conn, tid, conn.execute(
            "SELECT is_interviewer, text FROM segments WHERE transcript_id = ?", (tid,)))
    return len(missing)


def transcript_word_counts(study: Study, transcript_id: int | None = None) -> dict[int, tuple[int, int]]:
    """(words, participant words) per transcript (only `transcript_id`'s when
    given): the stored counts, and a fresh count for a transcript without
    them ((0, 0) without turns)."""
    conn = study.conn
    one = " WHERE t.id = ?" if transcript_id is not None else ""
    params = (transcript_id,) if transcript_id is not None else ()
    counts: dict[int, tuple[int, int]] = {}
    for tid, words, participant in conn.execute(
        "SELECT t.id, w.words, w.participant_words FROM transcripts t "
        "LEFT JOIN transcript_words w ON w.transcript_id = t.id" + one, params
    ):
        if words is None:
            words = participant = 0
            for is_interviewer, text in conn.execute(
                "SELECT is_interviewer, text FROM segments WHERE transcript_id = ?", (tid,)
            ):
                n = len(text.split())
                words += n
                if not is_interviewer:
                    participant += n
        counts[tid] = (words, participant)
    return counts


def turns_beside_codings(study: Study, transcript_id: int | None = None
                         ) -> Iterator[tuple[int, list[int], list[int], list[int], list[int]]]:
    """Per transcript with turns, in id order (only `transcript_id`'s when
    given): (id, its turns' starts, their ends, its codings' starts in order,
    the running maximum of their ends). A turn [a, b) is touched by a coding
    when the last coding starting before b (bisection in the starts) reaches
    past a.

    Each transcript's codings and turns come as two lists of numbers in one
    row (group_concat, read as JSON arrays: far fewer Python objects than a
    row per coding), both in transcript order, side by side: one
    transcript's lists in memory at a time (200,000 codings, 80,000 turns:
    ~0.15 s, where asking SQLite for each turn took 1.3 s, issue 16)."""
    one = transcript_id is not None
    params = (transcript_id,) if one else ()
    codings = study.conn.execute(
        # from the index on (transcript, start, end, ...): in start order as SQLite reads it
        "SELECT transcript_id, '[' || group_concat(start_pos) || ']', '[' || group_concat(end_pos) || ']' "
        "FROM codings "
        "WHERE transcript_id IS NOT NULL" + (" AND transcript_id = ?" if one else "")
        + " GROUP BY transcript_id ORDER BY transcript_id", params,
    )
    coded = next(codings, None)
    for tid, starts, ends in study.conn.execute(
        "SELECT transcript_id, '[' || group_concat(start_pos) || ']', '[' || group_concat(end_pos) || ']' "
        "FROM segments"
        + (" WHERE transcript_id = ?" if one else "") + " GROUP BY transcript_id ORDER BY transcript_id", params
    ):
        while coded is not None and coded[0] < tid:
            coded = next(codings, None)
        firsts: list[int] = []
        reach: list[int] = []
        if coded is not None and coded[0] == tid:
            firsts = loads(coded[1])
            lasts = loads(coded[2])
            if firsts != sorted(firsts):  # the order of group_concat is not promised
                pairs = sorted(zip(firsts, lasts, strict=True))
                firsts, lasts = [p[0] for p in pairs], [p[1] for p in pairs]
            reach = list(accumulate(lasts, max))
        yield tid, loads(starts), loads(ends), firsts, reach


def coded_segment_counts(study: Study, transcript_id: int | None = None) -> dict[int, int]:
    """Turns touched by at least one coding, per transcript (every transcript
    with turns; only `transcript_id`'s when given): what core/spans.py's
    count_touched says of its turns and codings. A turn [a, b) is touched
    when the last coding starting before b reaches past a, or, for an empty
    turn, when the next coding starts within that reach: then
    count_touched's merged run of codings covers it too."""
    counts: dict[int, int] = {}
    for tid, starts, ends, firsts, reach in turns_beside_codings(study, transcript_id):
        touched = 0
        last = len(firsts) - 1
        for a, b in zip(starts, ends, strict=True):
            k = bisect_left(firsts, b) - 1  # the last coding starting before the turn ends
            if k >= 0 and (reach[k] > a or (k < last and firsts[k + 1] <= reach[k])):
                touched += 1
        counts[tid] = touched
    return counts
