"""The counts kept in the study file (store/tallies.py) are always what a
count of every coding gives: random sequences of real store operations, each
followed by `analyse()` against `analyse(full=True)`; the upgrade; the study
that cannot be written; and the map that reads no coding when nothing changed."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import sys

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store import code_tree, codes, data_changes, history, schema, tallies, themes
from tacompanion.store.analysis import analyse, set_analysis_coders, set_analysis_scope
from tacompanion.store.participants import set_pilot
from tacompanion.store.study import Study, StudyError
from tacompanion.store.thematic import recode, thematic_map

from .conftest import REPO
from .reference_thematic import reference_cells

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

SIZES = dict(transcripts=6, words=400, codes=24, themes=4, codings=300, participants=5,
             interviews=2, memos=4, journal=1, seed=11)
CODERS = ("kim", "lee")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A small generated study with codings on notes too, by two coders, and
    a few codes under codes; and a second study to merge into it."""
    folder = tmp_path_factory.mktemp("tallies")
    path = folder / "base.db"
    synth.make_study(path, **SIZES)
    with Study.open(path) as study:
        code_ids = [r[0] for r in study.conn.execute("SELECT id FROM codes ORDER BY id")]
        notes = study.conn.execute("SELECT id, length(text) FROM notes ORDER BY id LIMIT 8").fetchall()
        for n, (note_id, length) in enumerate(notes):
            if length > 6:
                codes.apply_code(study, code_ids[n % 5], DocRef(note_id=note_id), Span(1, length // 2),
                                 CODERS[n % 2])
        code_tree.nest_code(study, code_ids[1], code_ids[0])
        code_tree.nest_code(study, code_ids[2], code_ids[1])
        code_tree.nest_code(study, code_ids[4], code_ids[3])
    other = folder / "other.db"
    synth.make_study(other, **{**SIZES, "seed": 12, "codings": 80, "transcripts": 2})
    return path, other


def check(study: Study) -> None:
    """The kept counts equal a count of every coding, with and without
    codes counting their children; and once stored, read back the same;
    and so do the extracts per theme and participant."""
    counted = analyse(study)
    assert counted == analyse(study, full=True)
    if study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0:  # stored
        assert tallies.stored_cells(study.conn) == reference_cells(study)
    assert code_tree.counts_with_children(study) == code_tree.counts_with_children(study, full=True)
    again = analyse(study)  # read from the tables this time (nothing dirty)
    assert again == analyse(study, full=True)
    assert list(again.codes) == list(analyse(study, full=True).codes)


def _pick(rng: random.Random, study: Study, sql: str):
    rows = study.conn.execute(sql).fetchall()
    return rng.choice(rows) if rows else None


def random_step(rng: random.Random, study: Study, other_path) -> str:
    """One real store operation chosen at random; returns its name."""
    kind = rng.choice([
        "apply", "apply", "apply", "apply-note", "apply-on-an-extract", "apply-on-an-extract",
        "remove", "undo", "undo", "redo", "recode", "merge-codes",
        "delete-code", "new-code", "move-code", "nest-code", "move-theme", "merge-themes", "dissolve",
        "new-theme", "pilot", "interview-pilot", "move-transcript", "remove-transcript", "scope",
        "coders", "merge-study", "other-window", "delete-note", "remove-participant", "delete-interview",
    ])
    code = _pick(rng, study, "SELECT id FROM codes")
    theme = _pick(rng, study, "SELECT id FROM themes")
    coder = rng.choice(CODERS)
    if kind == "apply" and code:
        doc = _pick(rng, study, "SELECT id, length(text) FROM transcripts")
        if doc and doc[1] > 2:
            start = rng.randrange(doc[1] - 1)
            codes.apply_code(study, code[0], DocRef(transcript_id=doc[0]),
                             Span(start, rng.randrange(start + 1, min(doc[1], start + 200) + 1)), coder)
    elif kind == "apply-note" and code:
        doc = _pick(rng, study, "SELECT id, length(text) FROM notes")
        if doc and doc[1] > 2:
            codes.apply_code(study, code[0], DocRef(note_id=doc[0]), Span(0, rng.randrange(1, doc[1] + 1)), coder)
    elif kind == "apply-on-an-extract" and code:
        # another code (or coder) on a span coded already: the extract is not new
        coding = _pick(rng, study, "SELECT transcript_id, note_id, start_pos, end_pos FROM codings")
        if coding:
            doc = DocRef(transcript_id=coding[0]) if coding[0] is not None else DocRef(note_id=coding[1])
            codes.apply_code(study, code[0], doc, Span(coding[2], coding[3]), coder)
    elif kind == "remove":
        coding = _pick(rng, study, "SELECT id FROM codings")
        if coding:
            codes.remove_coding(study, coding[0])
    elif kind == "undo":
        history.undo(study, rng.choice([*CODERS, None]))
    elif kind == "redo":
        history.redo(study, rng.choice([*CODERS, None]))
    elif kind == "recode" and code:
        coding = _pick(rng, study, "SELECT id FROM codings")
        if coding:
            recode(study, coding[0], code[0], coder)
    elif kind == "merge-codes":
        pair = study.conn.execute("SELECT id FROM codes ORDER BY random() LIMIT 2").fetchall()
        if len(pair) == 2:
            codes.merge_codes(study, pair[0][0], pair[1][0])
    elif kind == "delete-code":
        # the code with the highest id half the time: its id comes back with the next new code
        victim = _pick(rng, study, "SELECT max(id) FROM codes") if rng.random() < 0.5 else code
        if victim and victim[0] is not None:
            codes.delete_code(study, victim[0])
    elif kind == "new-code":
        new = codes.create_code(study, f"new code {rng.randrange(10**6)}")
        if theme and rng.random() < 0.7:
            themes.move_code(study, new, theme[0])
    elif kind == "move-code" and code:
        themes.move_code(study, code[0], theme[0] if theme and rng.random() < 0.8 else None)
    elif kind == "nest-code" and code:
        under = _pick(rng, study, "SELECT id FROM codes")
        code_tree.nest_code(study, code[0], under[0] if under and rng.random() < 0.8 else None)
    elif kind == "move-theme" and theme:
        to = _pick(rng, study, "SELECT id FROM themes")
        themes.move_theme(study, theme[0], to[0] if to and rng.random() < 0.7 else None)
    elif kind == "merge-themes":
        pair = study.conn.execute("SELECT id FROM themes ORDER BY random() LIMIT 2").fetchall()
        if len(pair) == 2:
            themes.merge_themes(study, pair[0][0], pair[1][0])
    elif kind == "dissolve" and theme:
        themes.dissolve_theme(study, theme[0])
    elif kind == "new-theme":
        themes.create_theme(study, f"theme {rng.randrange(10**6)}", theme[0] if theme and rng.random() < 0.5 else None)
    elif kind == "pilot":
        who = _pick(rng, study, "SELECT pseudonym, pilot FROM participants")
        if who:
            set_pilot(study, who[0], not who[1])
    elif kind == "interview-pilot":
        interview = _pick(rng, study, "SELECT id FROM interviews")
        if interview:
            with study.write():
                study.conn.execute("UPDATE interviews SET pilot = 1 - pilot WHERE id = ?", (interview[0],))
    elif kind == "move-transcript":
        t = _pick(rng, study, "SELECT t.file_name, p.pseudonym FROM transcripts t "
                              "JOIN participants p ON p.id = t.participant_id")
        to = _pick(rng, study, "SELECT pseudonym FROM participants")
        if t and to:
            target = to[0] if rng.random() < 0.7 else f"N{rng.randrange(1000)}"
            data_changes.move_transcript(study, t[0], target, participant=t[1])
    elif kind == "remove-transcript" and rng.random() < 0.4:
        t = _pick(rng, study, "SELECT t.file_name, p.pseudonym FROM transcripts t "
                              "JOIN participants p ON p.id = t.participant_id")
        if t:
            data_changes.remove_transcript(study, t[0], t[1], backup=False)
    elif kind == "scope":
        set_analysis_scope(study, rng.choice(("all", "transcripts")))
    elif kind == "coders":
        set_analysis_coders(study, rng.choice([[], ["kim"], ["lee"], ["kim", "lee"], ["nobody"]]))
    elif kind == "merge-study" and rng.random() < 0.3:
        from tacompanion.formats.merge import merge_file

        merge_file(study, other_path)
    elif kind == "other-window" and code:
        # another window codes and commits through its own connection
        with Study.open(study.path, create=False) as window:
            doc = _pick(rng, window, "SELECT id, length(text) FROM transcripts")
            if doc and doc[1] > 2:
                codes.apply_code(window, code[0], DocRef(transcript_id=doc[0]), Span(0, 2), coder)
    elif kind == "delete-note":
        note = _pick(rng, study, "SELECT note_id FROM codings WHERE note_id IS NOT NULL")
        if note:
            with study.write():
                study.conn.execute("DELETE FROM notes WHERE id = ?", (note[0],))
    elif kind == "remove-participant" and rng.random() < 0.3:
        who = _pick(rng, study, "SELECT pseudonym FROM participants")
        if who:
            data_changes.remove_participant(study, who[0], backup=False)
    elif kind == "delete-interview":
        # by hand, as another SQLite tool would: its notes and their codings go by cascade
        interview = _pick(rng, study, "SELECT id FROM interviews")
        if interview:
            with study.write():
                study.conn.execute("DELETE FROM interviews WHERE id = ?", (interview[0],))
    return kind


SEEDS = int(os.environ.get("TALLY_SEEDS", "6"))  # more when hunting: TALLY_SEEDS=200


@pytest.mark.parametrize("seed", range(SEEDS))
def test_kept_counts_equal_a_full_count_after_any_sequence_of_changes(base, tmp_path, seed):
    run_sequence(base, tmp_path, seed)


@pytest.mark.parametrize("seed", range(2))
def test_many_coding_changes_at_once_are_counted_again_instead(base, tmp_path, seed, monkeypatch):
    """Beyond CHANGES_LOOKED_AT coding changes the changed codes are counted
    again from their codings (here with a limit of 3, so most counts take
    that way), and the counts are still right."""
    monkeypatch.setattr(tallies, "CHANGES_LOOKED_AT", 3)
    run_sequence(base, tmp_path, 100 + seed)


def run_sequence(base, tmp_path, seed: int) -> None:
    path, other = base
    copy = tmp_path / "study.db"
    shutil.copy(path, copy)
    rng = random.Random(seed)
    done = []
    with Study.open(copy, create=False) as study:
        study.coder = "kim"
        check(study)
        for _ in range(45):
            try:
                done.append(random_step(rng, study, other))
            except StudyError:
                done.append("refused")
            if rng.random() < 0.6:  # sometimes several changes pile up before a count
                try:
                    check(study)
                except AssertionError:
                    pytest.fail(f"seed {seed}: counts differ after {done}")
        check(study)
        assert study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0
    assert len(set(done)) > 12  # the sequence did exercise many kinds of change


def test_the_map_reads_no_coding_when_nothing_changed_and_one_theme_after_a_change(base, tmp_path):
    copy = tmp_path / "study.db"
    shutil.copy(base[0], copy)
    with Study.open(copy, create=False) as study:
        thematic_map(study, with_children=True)  # stores the tallies
        seen: list[str] = []
        study.conn.set_trace_callback(seen.append)
        tmap = thematic_map(study, with_children=True)
        study.conn.set_trace_callback(None)
        assert not [s for s in seen if "FROM codings" in s], seen
        assert tmap.analysis == analyse(study, full=True)

        # one coding applied: it is written down as it is, and the next count
        # reads the codings on that one span and its participant's codings
        # by code, never a code's or a theme's codings
        code, theme = study.conn.execute(
            "SELECT c.id, c.theme_id FROM codes c WHERE theme_id IS NOT NULL ORDER BY id LIMIT 1").fetchone()
        transcript = study.scalar("SELECT t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
                                  "WHERE p.pilot = 0 ORDER BY t.id LIMIT 1")
        codes.apply_code(study, code, DocRef(transcript_id=transcript), Span(0, 3), "kim")
        assert study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0
        assert study.conn.execute("SELECT code_id, transcript_id, start_pos, end_pos, sign "
                                  "FROM analysis_tally_changes").fetchall() == [(code, transcript, 0, 3, 1)]
        seen.clear()
        study.conn.set_trace_callback(seen.append)
        counted = analyse(study)
        study.conn.set_trace_callback(None)
        assert counted == analyse(study, full=True)
        assert counted.codes[code].codings == tmap.analysis.codes[code].codings + 1
        reads = [s for s in seen if "FROM codings" in s or "JOIN codings" in s]
        assert reads, seen
        assert all("k.start_pos = " in s or "participant_id = " in s for s in reads), reads
        assert study.scalar("SELECT count(*) FROM analysis_tally_changes") == 0
        assert tallies.stored_cells(study.conn) == reference_cells(study)


def test_starring_a_quote_marks_nothing(base, tmp_path):
    copy = tmp_path / "study.db"
    shutil.copy(base[0], copy)
    with Study.open(copy, create=False) as study:
        analyse(study)
        codes.set_starred(study, [r[0] for r in study.conn.execute("SELECT id FROM codings LIMIT 3")], True)
        assert study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0


def test_a_study_that_cannot_be_written_is_counted_without_storing(base, tmp_path):
    copy = tmp_path / "study.db"
    shutil.copy(base[0], copy)
    with Study.open(copy, create=False) as study, Study.open(copy, create=False) as other:
        analyse(study)
        code = study.scalar("SELECT id FROM codes LIMIT 1")
        codes.apply_code(study, code, DocRef(transcript_id=1), Span(0, 4), "kim")
        other.conn.execute("BEGIN IMMEDIATE")  # another window holds the write lock
        try:
            assert analyse(study) == analyse(study, full=True)
            assert study.scalar("SELECT count(*) FROM analysis_tally_changes") == 1  # kept for later
        finally:
            other.conn.execute("ROLLBACK")
        assert analyse(study) == analyse(study, full=True)
        assert study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0


def test_a_count_in_an_older_snapshot_is_not_stored(base, tmp_path):
    """Counted in a read transaction that began before another window's
    commit: right for that snapshot, and not stored over the newer state."""
    copy = tmp_path / "study.db"
    shutil.copy(base[0], copy)
    with Study.open(copy, create=False) as study, Study.open(copy, create=False) as window:
        analyse(study)
        code = study.scalar("SELECT id FROM codes LIMIT 1")
        counted = study.scalar("SELECT t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
                               "WHERE p.pilot = 0 LIMIT 1")
        codes.apply_code(study, code, DocRef(transcript_id=counted), Span(0, 4), "kim")
        study.conn.execute("BEGIN")
        before = analyse(study, full=True)  # the snapshot starts here
        codes.apply_code(window, code, DocRef(transcript_id=counted), Span(5, 9), "kim")
        assert analyse(study) == before  # the old snapshot's counts ...
        study.conn.execute("COMMIT")
        after = analyse(study)  # ... were not stored: counted again now
        assert after == analyse(study, full=True)
        assert after.codes[code].codings == before.codes[code].codings + 1


def test_without_its_triggers_the_study_is_counted_from_the_codings(base, tmp_path):
    copy = tmp_path / "study.db"
    shutil.copy(base[0], copy)
    with Study.open(copy, create=False) as study:
        analyse(study)
        study.conn.execute("DROP TRIGGER analysis_tally_coding_added")
        study.conn.commit()
        assert not tallies.maintained(study.conn)
        code = study.scalar("SELECT id FROM codes LIMIT 1")
        codes.apply_code(study, code, DocRef(transcript_id=1), Span(0, 4), "kim")
        assert analyse(study) == analyse(study, full=True)


def test_emptying_the_basis_recounts_everything(base, tmp_path):
    """What docs/study-file.md tells a user of another SQLite tool: the tables
    are derived; empty analysis_tally_basis (or damage the counts and do so)
    and the next count rebuilds them."""
    copy = tmp_path / "study.db"
    shutil.copy(base[0], copy)
    with Study.open(copy, create=False) as study:
        analyse(study)
        study.conn.execute("UPDATE analysis_tallies SET codings = codings + 7")
        study.conn.execute("DELETE FROM analysis_tally_basis")
        study.conn.commit()
        assert analyse(study) == analyse(study, full=True)
        assert study.scalar("SELECT count(*) FROM analysis_tally_basis") == 1


def test_a_version_2_study_gets_the_tallies_and_counts_the_same(tmp_path):
    path = tmp_path / "v2.db"
    shutil.copy(REPO / "tests" / "data" / "study-v2.db", path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    with Study.open(path) as study:
        assert study.schema_version == schema.latest_version()
        assert tallies.maintained(study.conn)
        assert study.conn.execute("SELECT kind, id FROM analysis_tally_dirty").fetchall() == [("all", 0)]
        assert study.scalar("SELECT count(*) FROM codings") > 0
        check(study)
        assert study.scalar("SELECT count(*) FROM analysis_tallies") > 0
        assert study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0
        code = study.scalar("SELECT code_id FROM codings LIMIT 1")
        codes.delete_code(study, code)
        check(study)
        history.undo(study)
        check(study)


def test_a_study_of_the_version_before_the_coding_changes_upgrades(base, tmp_path, monkeypatch):
    """A file of the previous version (a coding's mark pending, the first
    triggers) opens: `_migrate_tally_changes` puts the
    changed triggers in place and marks everything; counts and cells right."""
    assert schema.MIGRATIONS[-1] is schema._migrate_tally_changes
    path = tmp_path / "study.db"
    shutil.copy(REPO / "tests" / "data" / "study-v2.db", path)
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:-1])
    with Study.open(path) as study:
        assert study.schema_version == len(schema.MIGRATIONS)
        code = study.scalar("SELECT code_id FROM codings LIMIT 1")
        transcript = study.scalar("SELECT id FROM transcripts LIMIT 1")
        codes.apply_code(study, code, DocRef(transcript_id=transcript), Span(0, 2), "kim")
        # the first triggers: the code marked (this code's `maintained` wants the new tables)
        assert ("code", code) in study.conn.execute("SELECT kind, id FROM analysis_tally_dirty").fetchall()
        assert not study.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'analysis_tally_changes'")
    monkeypatch.undo()
    with Study.open(path) as study:
        assert study.schema_version == schema.latest_version()
        assert tallies.maintained(study.conn)
        assert ("all", 0) in study.conn.execute("SELECT kind, id FROM analysis_tally_dirty").fetchall()
        check(study)
        assert tallies.stored_cells(study.conn) == reference_cells(study)
        codes.apply_code(study, code, DocRef(transcript_id=transcript), Span(2, 5), "kim")
        assert study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0
        assert study.scalar("SELECT count(*) FROM analysis_tally_changes") == 1
        check(study)


def test_a_bulk_import_marks_everything_once_and_keeps_its_trigger(cli, base, tmp_path):
    """A large import skips the per-coding mark (store/qdpx.py): the study is
    marked dirty as a whole, the trigger is back, and counts are right."""
    out = tmp_path / "study.qdpx"
    done = cli("--db", str(base[0]), "export", "qdpx", "--no-redact", "-o", str(out))
    assert done.returncode == 0, done.stderr
    fresh = tmp_path / "fresh.db"
    done = cli("--db", str(fresh), "import", str(out))
    assert done.returncode == 0, done.stderr
    with Study.open(fresh, create=False) as study:
        assert tallies.maintained(study.conn)
        assert ("all", 0) in study.conn.execute("SELECT kind, id FROM analysis_tally_dirty").fetchall()
        assert study.scalar("SELECT count(*) FROM codings") > 0
        check(study)
        code = study.scalar("SELECT id FROM codes LIMIT 1")
        codes.apply_code(study, code, DocRef(transcript_id=study.scalar("SELECT min(id) FROM transcripts")),
                         Span(0, 3), "kim")
        assert study.conn.execute("SELECT kind, id FROM analysis_tally_dirty").fetchall() == []
        assert study.conn.execute("SELECT code_id, sign FROM analysis_tally_changes").fetchall() == [(code, 1)]
        check(study)


@pytest.mark.parametrize("change", ["pilot", "move-transcript"])
def test_a_coding_removed_before_its_data_left_the_analysis_is_taken_out(base, tmp_path, change):
    """The only coding of a code in a participant's data is removed, then
    (before any count) the participant becomes a pilot or the transcript
    goes to a pilot: the removal was counted when stored, so it must come
    out, although the data is no longer in the analysis."""
    copy = tmp_path / "study.db"
    shutil.copy(base[0], copy)
    with Study.open(copy, create=False) as study:
        theme = study.scalar("SELECT id FROM themes ORDER BY id LIMIT 1")
        code = codes.create_code(study, "only here")
        themes.move_code(study, code, theme)
        transcript, person, pseudonym, file_name = study.conn.execute(
            "SELECT t.id, p.id, p.pseudonym, t.file_name FROM transcripts t JOIN participants p ON p.id = t.participant_id "
            "WHERE p.pilot = 0 ORDER BY t.id LIMIT 1").fetchone()
        other = study.scalar("SELECT pseudonym FROM participants WHERE id != ? ORDER BY id LIMIT 1", (person,))
        if change == "move-transcript":
            set_pilot(study, other, True)
        codes.apply_code(study, code, DocRef(transcript_id=transcript), Span(0, 5), "kim")
        assert analyse(study).codes[code].codings == 1
        codes.remove_coding(study, study.scalar("SELECT id FROM codings WHERE code_id = ?", (code,)))
        if change == "pilot":
            set_pilot(study, pseudonym, True)
        else:
            data_changes.move_transcript(study, file_name, other, participant=pseudonym)
        assert study.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (code,)) == 0
        check(study)
        assert analyse(study).codes[code].codings == 0
        assert analyse(study).themes[theme] == analyse(study, full=True).themes[theme]

