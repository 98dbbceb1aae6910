"""Words per transcript are kept with the text (issue 16: `stats` and the home
screen no longer split every turn): every way turns are written keeps the
stored counts equal to a fresh count, a change by any other writer drops
them, and a reader counts afresh where they are missing."""

from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

from tacompanion.store.data_changes import remove_transcript
from tacompanion.store.history import undo
from tacompanion.store.study import Study
from tacompanion.store.transcripts import import_transcript, list_transcripts, word_counts
from tacompanion.store.word_counts import transcript_word_counts

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
