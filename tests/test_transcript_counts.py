"""Counts per transcript (store/transcript_counts.py), issue 16. Words are
kept with the text (`stats` and the home screen no longer split every turn):
every way turns are written keeps the stored counts equal to a fresh count,
a change by any other writer drops them, and a reader counts afresh where
they are missing. Coded turns are what core/spans.py's count_touched says."""

from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

from tacompanion.store.data_changes import remove_transcript
from tacompanion.store.history import undo
from tacompanion.store.study import Study
from tacompanion.store.transcript_counts import transcript_word_counts
from tacompanion.store.transcripts import import_transcript, list_transcripts, word_counts

from .test_coding_screen import TRANSCRIPT, add_transcript

DATA = Path(__file__).parent / "data"


def fresh_counts(conn: sqlite3.Connection) -> dict[int, tuple[int, int]]:
    """Split every turn: what the stored counts must equal."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (tid,) in conn.execute("SELECT id FROM transcripts"):
        out[tid]  # a transcript without turns has (0, 0)
    for tid, interviewer, text in conn.execute("SELECT transcript_id, is_interviewer, text FROM segments"):
        out[tid][0] += len(text.split())
        out[tid][1] += 0 if interviewer else len(text.split())
    return {tid: (w, p) for tid, (w, p) in out.items()}


def stored(conn: sqlite3.Connection) -> dict[int, tuple[int, int]]:
    return {tid: (w, p) for tid, w, p in conn.execute(
        "SELECT transcript_id, words, participant_words FROM transcript_words")}


def texts_read(study: Study, call) -> int:
    """How many statements reading the turns' text `call` ran."""
    seen = []
    study.conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        study.conn.set_trace_callback(None)
    return sum(1 for sql in seen if "text FROM segments" in sql)


def test_an_import_and_a_replaced_text_store_their_counts(study):
    tid = add_transcript(study)
    other = add_transcript(study, TRANSCRIPT.replace("P1:", "P2:"), who="P2", name="p2.txt")
    assert stored(study.conn) == fresh_counts(study.conn)
    assert stored(study.conn)[tid] == (39, 29)  # the interviewer's 10 words left out of the second
    # a corrected text replaces the turns: the counts follow
    from tacompanion.formats.transcript_files import parse_transcript_bytes

    edited = TRANSCRIPT.replace("It felt safe.", "It felt safe, and warm, and slow.")
    parsed = parse_transcript_bytes(edited.encode(), "txt", "p1.txt").with_interviewer_labels(["Interviewer"])
    import_transcript(study, parsed, participant="P1", file_name="p1.txt", replace=True)
    assert stored(study.conn) == fresh_counts(study.conn)
    assert stored(study.conn)[tid] == (43, 33)
    # and reading them splits no turn
    assert texts_read(study, lambda: transcript_word_counts(study)) == 0
    assert word_counts(study) == {tid: 43, other: 39}
    assert {t.id: t.words for t in list_transcripts(study)} == {tid: 43, other: 39}


def test_a_change_by_another_writer_drops_the_counts_and_they_are_counted_afresh(study):
    tid = add_transcript(study)
    add_transcript(study, TRANSCRIPT, who="P2", name="p2.txt")
    study.conn.execute("UPDATE segments SET text = text || ' and more words' WHERE transcript_id = ? "
                       "AND position = 1", (tid,))
    study.conn.commit()
    assert tid not in stored(study.conn)  # the trigger dropped it
    assert transcript_word_counts(study) == fresh_counts(study.conn)
    assert transcript_word_counts(study)[tid] == (42, 32)
    assert texts_read(study, lambda: transcript_word_counts(study)) == 1  # that transcript only
    # a speaker role changed, a turn deleted: dropped as well
    add_transcript(study, TRANSCRIPT, who="P3", name="p3.txt")
    third = study.scalar("SELECT id FROM transcripts WHERE file_name = 'p3.txt'")
    study.conn.execute("UPDATE segments SET is_interviewer = 1 WHERE transcript_id = ? AND position = 1", (third,))
    study.conn.commit()
    assert third not in stored(study.conn)
    assert transcript_word_counts(study) == fresh_counts(study.conn)
    # a change of a turn's question leaves them (what the by-question screen writes)
    study.conn.execute("UPDATE segments SET question_id = 'q1' WHERE transcript_id = ?", (third,))
    assert set(stored(study.conn)) == set(fresh_counts(study.conn)) - {tid, third}


def test_a_removed_transcript_brought_back_by_undo_is_counted(study):
    add_transcript(study)
    tid = add_transcript(study, TRANSCRIPT, who="P2", name="p2.txt")
    expected = fresh_counts(study.conn)
    remove_transcript(study, "p2.txt", backup=False)
    assert tid not in stored(study.conn)
    undo(study)
    assert study.scalar("SELECT count(*) FROM segments WHERE transcript_id = ?", (tid,)) > 0
    assert transcript_word_counts(study) == expected


def test_a_qdpx_import_and_merge_store_their_counts(study, tmp_path, db_path):
    from tacompanion.formats.qdpx_export import export_qdpx
    from tacompanion.formats.qdpx_import import import_qdpx

    add_transcript(study)
    add_transcript(study, TRANSCRIPT.replace("silence", "a long silence"), who="P2", name="p2.txt")
    out = tmp_path / "s.qdpx"
    export_qdpx(study, out, redacted=False)
    with Study.open(tmp_path / "fresh.db") as fresh:
        import_qdpx(fresh, out)
        assert stored(fresh.conn) == fresh_counts(fresh.conn) and len(stored(fresh.conn)) == 2
        assert sorted(stored(fresh.conn).values()) == sorted(stored(study.conn).values())
    # a merge that brings a new transcript into a study that has one
    with Study.open(tmp_path / "other.db") as other:
        add_transcript(other, TRANSCRIPT.replace("silence", "quiet silence"), who="P9", name="p9.txt")
        import_qdpx(other, out, merge=True)
        assert stored(other.conn) == fresh_counts(other.conn) and len(stored(other.conn)) == 3


def test_a_version_2_study_gets_its_words_counted(tmp_path):
    from tacompanion.store import schema

    copy = tmp_path / "v2.db"
    shutil.copy(DATA / "study-v2.db", copy)
    with Study.open(copy, create=False) as s:
        assert s.schema_version == schema.latest_version()
        counts = fresh_counts(s.conn)
        assert counts and any(w for w, _ in counts.values())
        assert stored(s.conn) == counts


def test_coded_turns_are_what_count_touched_says_on_any_turns_and_codings(study):
    """Empty turns, turns that overlap, codings across turns, codings that
    only touch (one ends where the next starts), several on one start."""
    import random

    from tacompanion.core.spans import count_touched
    from tacompanion.store.study import new_uuid
    from tacompanion.store.transcripts import coded_segment_counts

    rng = random.Random(16)
    conn = study.conn
    conn.execute("INSERT INTO participants (uuid, pseudonym, created_at) VALUES (?, 'P1', 'now')", (new_uuid(),))
    conn.execute("INSERT INTO codes (uuid, name, slug, position, created_at) VALUES (?, 'C', 'c', 1, 'now')",
                 (new_uuid(),))
    expected = {}
    for t in range(60):
        tid = conn.execute(
            "INSERT INTO transcripts (uuid, participant_id, file_name, format, source_hash, text, imported_at) "
            "VALUES (?, 1, ?, 'txt', ?, ?, 'now')", (new_uuid(), f"t{t}.txt", new_uuid(), "x" * 200)).lastrowid
        turns, marks = [], []
        pos = 0
        for n in range(rng.randint(0, 12)):
            start = max(0, pos + rng.choice([-3, 0, 0, 1, 4]))  # now and then overlapping the last
            end = start + rng.choice([0, 0, 1, 5, 12])  # empty turns often
            pos = end
            turns.append((start, end))
            conn.execute("INSERT INTO segments (uuid, transcript_id, position, start_pos, end_pos, text) "
                         "VALUES (?, ?, ?, ?, ?, '')", (new_uuid(), tid, n, start, end))
        edges = sorted({p for turn in turns for p in turn})
        for _ in range(rng.randint(0, 15)):
            # often from and to the edges of turns: touching an empty turn exactly there
            start = rng.choice(edges) if edges and rng.random() < 0.6 else rng.randint(0, max(pos, 1))
            later = [p for p in edges if p > start]
            end = rng.choice(later) if later and rng.random() < 0.6 else start + rng.choice([1, 2, 5, 20])
            if (start, end) in marks:
                continue
            marks.append((start, end))
            conn.execute("INSERT INTO codings (uuid, code_id, transcript_id, start_pos, end_pos, coder, created_at) "
                         "VALUES (?, 1, ?, ?, ?, 'ana', 'now')", (new_uuid(), tid, start, end))
        if turns:
            expected[tid] = count_touched(turns, marks)
    conn.commit()
    got = coded_segment_counts(study)
    assert got == expected
    assert sum(1 for v in expected.values() if v) > 20
    one = next(t for t, v in expected.items() if v)
    assert coded_segment_counts(study, one) == {one: expected[one]}
