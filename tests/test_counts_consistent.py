"""Counts on screen and in every export agree with straightforward reference
queries, on a generated study (bench/synth.py, small sizes): the faster
queries, streamed exports and maintained shortcuts of issue 16 must give
exactly what the plain SQL gives."""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from collections import defaultdict
from xml.etree import ElementTree as ET

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.redaction import compile_redactions
from tacompanion.core.spans import Span
from tacompanion.formats.codings_csv import CODING_COLUMNS
from tacompanion.store.analysis import analyse
from tacompanion.store.codes import apply_code, list_codes, set_starred
from tacompanion.store.redactions import add_redaction
from tacompanion.store.study import Study

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

SIZES = dict(transcripts=8, words=700, codes=40, themes=5, codings=600, participants=5,
             interviews=2, memos=6, journal=2, seed=7)

from tests.reference_sql import REFERENCE_CODINGS_SQL, REFERENCE_OVERVIEW_CODINGS_SQL  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("counts") / "study.db"
    synth.make_study(path, **SIZES)
    with Study.open(path) as study:
        # codings on interview notes too (synth codes transcripts only), a
        # redaction list, and starred quotes
        notes = study.conn.execute("SELECT id, length(text) FROM notes ORDER BY id LIMIT 6").fetchall()
        codes = [c.id for c in list_codes(study)]
        for n, (note_id, length) in enumerate(notes):
            if length > 4:
                apply_code(study, codes[n % len(codes)], DocRef(note_id=note_id), Span(0, length // 2), "kim")
        word = study.scalar("SELECT text FROM segments WHERE is_interviewer = 0 LIMIT 1").split()[1]
        add_redaction(study, word.strip(".,;:!?"), "[word]")
        add_redaction(study, "P2", "[someone]")
        set_starred(study, [r[0] for r in study.conn.execute("SELECT id FROM codings ORDER BY id LIMIT 5")], True)
    return path


def reference_coding_rows(study: Study, redact: bool) -> list[list[str]]:
    clean = compile_redactions(study.conn.execute("SELECT find, replacement FROM redactions").fetchall())
    out = []
    for r in study.query(REFERENCE_CODINGS_SQL):
        cells = [
            r["participant"], r["document"] if r["kind"] == "transcript" else "",
            "" if r["segment"] is None else str(r["segment"]), r["speaker"] or "",
            str(r["start_pos"]), str(r["end_pos"]), r["code"], r["theme"] or "", r["coder"],
            r["created_at"], r["text"], "yes" if r["pilot"] else "no", r["document"],
        ]
        out.append([clean(c) for c in cells] if redact else cells)
    return out


# (code, document, start, end, participant) of every coding that counts:
# pilots left out, codings on notes counted (scope "all")
COUNTED_FACTS_SQL = (
    "SELECT k.code_id, 't' || k.transcript_id, k.start_pos, k.end_pos, t.participant_id "
    "FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
    "JOIN participants p ON p.id = t.participant_id WHERE p.pilot = 0 "
    "UNION ALL SELECT k.code_id, 'n' || k.note_id, k.start_pos, k.end_pos, i.participant_id "
    "FROM codings k JOIN notes n ON n.id = k.note_id JOIN interviews i ON i.id = n.interview_id "
    "JOIN participants p ON p.id = i.participant_id WHERE p.pilot = 0 AND i.pilot = 0"
)


def reference_counts(study: Study) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """(codings, extracts, participants) per code and per theme (with its
    subthemes), pilots left out, codings on notes counted (scope "all")."""
    facts = study.conn.execute(COUNTED_FACTS_SQL).fetchall()
    parent = dict(study.conn.execute("SELECT id, parent_id FROM themes").fetchall())
    theme_of = dict(study.conn.execute("SELECT id, theme_id FROM codes").fetchall())
    per_code: dict[int, list] = defaultdict(lambda: [0, set(), set()])
    per_theme: dict[int, list] = defaultdict(lambda: [0, set(), set()])
    for code, doc, start, end, who in facts:
        targets = [per_code[code]]
        theme = theme_of[code]
        while theme is not None:
            targets.append(per_theme[theme])
            theme = parent[theme]
        for t in targets:
            t[0] += 1
            t[1].add((doc, start, end))
            t[2].add(who)
    codes = {c: (per_code[c][0], len(per_code[c][1]), len(per_code[c][2])) for c in theme_of}
    themes = {t: (per_theme[t][0], len(per_theme[t][1]), len(per_theme[t][2])) for t in parent}
    return codes, themes


def test_export_codings_is_the_reference_query(cli, generated):
    with Study.open(generated, create=False) as study:
        for redact in (True, False):
            args = ["--db", str(generated), "export", "codings"] + ([] if redact else ["--no-redact"])
            done = cli(*args)
            assert done.returncode == 0, done.stderr
            rows = list(csv.reader(io.StringIO(done.stdout, newline="")))
            assert rows[0] == list(CODING_COLUMNS)
            reference = reference_coding_rows(study, redact)
            assert len(reference) > SIZES["codings"]  # notes too
            assert rows[1:] == reference


def test_export_codings_to_a_file_is_the_same_csv(cli, generated, tmp_path):
    out = tmp_path / "codings.csv"
    done = cli("--db", str(generated), "export", "codings", "-o", str(out))
    assert done.returncode == 0 and "codings to" in done.stderr, done.stderr
    data = out.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > SIZES["codings"]  # RFC 4180 line ends
    with Study.open(generated, create=False) as study:
        reference = reference_coding_rows(study, True)
        assert list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))[1:] == reference
    assert out.stat().st_mode & 0o777 == 0o600
    # byte for byte what csv.writer writes for the reference rows (the export
    # writes most rows itself: issue 16)
    expected = io.StringIO(newline="")
    csv.writer(expected).writerows([list(CODING_COLUMNS), *reference])
    assert data == expected.getvalue().encode("utf-8")
    assert b'"' in data and b"[word]" in data  # cells were quoted, and redacted


def test_counts_on_screen_in_stats_and_codebook_are_the_reference(cli, generated):
    with Study.open(generated, create=False) as study:
        codes_ref, themes_ref = reference_counts(study)
        names = dict(study.conn.execute("SELECT id, name FROM codes").fetchall())
        theme_names = dict(study.conn.execute("SELECT id, name FROM themes").fetchall())
        analysis = analyse(study)  # what the map, matrix and review screens count with
        assert {c: (n.codings, n.extracts, n.participants) for c, n in analysis.codes.items()} == codes_ref
        assert {t: (n.codings, n.extracts, n.participants) for t, n in analysis.themes.items()} == themes_ref
        panel = list_codes(study)  # the code panel: counted codings, participants, and all codings
        all_codings = dict(study.conn.execute("SELECT code_id, count(*) FROM codings GROUP BY code_id").fetchall())
        assert {c.id: (c.codings, c.participants) for c in panel} == {c: (v[0], v[2]) for c, v in codes_ref.items()}
        assert {c.id: c.all_codings for c in panel} == {c: all_codings.get(c, 0) for c in names}
        words = defaultdict(lambda: [0, 0])
        for tid, interviewer, text in study.conn.execute("SELECT transcript_id, is_interviewer, text FROM segments"):
            words[tid][0] += len(text.split())
            words[tid][1] += 0 if interviewer else len(text.split())
        transcripts = {name: words[tid] for tid, name in study.conn.execute("SELECT id, file_name FROM transcripts")}

    done = cli("--db", str(generated), "stats", "--json")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    by_name = {c["name"]: (c["codings"], c["extracts"], c["participants"]) for c in stats["codes"]}
    assert by_name == {names[c]: v for c, v in codes_ref.items()}
    assert {t["name"]: (t["codings"], t["extracts"], t["participants"]) for t in stats["themes"]} == {
        theme_names[t]: v for t, v in themes_ref.items()}
    assert {t["name"]: [t["words"], t["participant_words"]] for t in stats["transcripts"]} == transcripts

    done = cli("--db", str(generated), "export", "codebook", "--no-redact")
    assert done.returncode == 0, done.stderr
    book = {r["code"]: (int(r["codings"]), int(r["participants"])) for r in csv.DictReader(io.StringIO(done.stdout))}
    assert book == {names[c]: (v[0], v[2]) for c, v in codes_ref.items()}


def test_interviews_in_stats_are_what_the_interview_and_the_parsed_guide_say(cli, generated):
    """stats reads interviews with plain queries and guides with question_ids;
    the reference is the interview as the app loads it and the guide parsed
    in full."""
    from tacompanion.core.guide_parser import parse_guide
    from tacompanion.core.interview import derive_coverage, parse_iso
    from tacompanion.store.interviews import load_events, load_interview

    with Study.open(generated, create=False) as study:
        expected = []
        for iid, source in study.conn.execute(
            "SELECT i.id, g.source_text FROM interviews i LEFT JOIN guides g ON g.id = i.guide_id "
            "ORDER BY i.created_at, i.id"
        ).fetchall():
            interview = load_interview(study, iid)
            guide = parse_guide(source)
            coverage = derive_coverage(load_events(study, iid))
            ended = interview.elapsed_ms(parse_iso(interview.ended_at)) // 1000 if interview.ended_at else None
            expected.append((interview.participant, ended, coverage.covered_count(guide), len(guide.questions)))
    done = cli("--db", str(generated), "stats", "--json")
    assert done.returncode == 0, done.stderr
    got = [(i["participant"], i["duration_s"], i["questions_covered"], i["questions_total"])
           for i in json.loads(done.stdout)["interviews"]]
    assert [(p, c, t) for p, _, c, t in got] == [(p, c, t) for p, _, c, t in expected]
    assert [d for _, d, _, _ in got if d is not None] == [d for _, d, _, _ in expected if d is not None]
    assert len(got) == SIZES["interviews"] and all(c > 0 for _, _, c, _ in got)


def test_home_counts_are_the_reference(generated, tmp_path):
    """The home screen counts codings per document (issue 16); with and
    without a pilot interview whose notes are coded, the numbers are the
    plain joined scans'."""
    import shutil

    from tacompanion.store.overview import load_overview

    copy = tmp_path / "study.db"
    shutil.copy(generated, copy)
    with Study.open(copy, create=False) as study:
        for pilot_interview in (False, True):
            if pilot_interview:
                with study.write():
                    study.conn.execute(
                        "UPDATE interviews SET pilot = 1 WHERE id = "
                        "(SELECT n.interview_id FROM codings k JOIN notes n ON n.id = k.note_id LIMIT 1)")
            reference = study.query(REFERENCE_OVERVIEW_CODINGS_SQL)[0]
            overview = load_overview(study)
            got = {k: getattr(overview, k) for k in reference}
            assert got == reference
            assert overview.codings + overview.pilot_codings == study.scalar("SELECT count(*) FROM codings")
        assert overview.pilot_codings > 0 and overview.documents_coded > 0


def test_review_and_matrix_count_what_the_reference_counts(generated):
    """The review reads its extracts lazily and the matrix counts a row as it
    comes into view (issue 16): for every theme, the extracts and the
    participants they add up to are the reference counts'."""
    from tacompanion.store.thematic import participant_theme_matrix, review_codes, review_extracts

    with Study.open(generated) as study:
        _, themes = reference_counts(study)
        matrix = participant_theme_matrix(study, "all")
        for tid, (_codings, extracts, participants) in themes.items():
            lazy = review_extracts(study, review_codes(study, "theme", tid))
            assert (len(lazy), len(lazy.groups)) == (extracts, participants)
            assert matrix.labels[tid][0] == participants
            assert sum(matrix.cell(pid, tid) for pid, _ in matrix.participants) == extracts
        assert any(n for _, n, _ in themes.values())


def test_document_chooser_counts_turns_and_coded_turns_as_the_plain_query(generated, tmp_path):
    """The chooser's turns and coded turns (one pass over turns and codings,
    issue 16) are what asking SQLite for each turn gives, also with a coding
    reaching across turns, one ending where a turn starts, and an empty turn."""
    import shutil

    from tacompanion.store.documents import list_documents

    copy = tmp_path / "study.db"
    shutil.copy(generated, copy)
    with Study.open(copy, create=False) as study:
        tid, a, b = study.conn.execute(
            "SELECT transcript_id, start_pos, end_pos FROM segments WHERE position = 3 LIMIT 1").fetchone()
        code = study.scalar("SELECT id FROM codes LIMIT 1")
        apply_code(study, code, DocRef(transcript_id=tid), Span(a - 5, b + 5), "lee")  # across three turns
        apply_code(study, code, DocRef(transcript_id=tid), Span(max(0, a - 3), a), "lee")  # ends where one starts
        with study.write():
            study.conn.execute("INSERT INTO segments (uuid, transcript_id, position, speaker, start_pos, end_pos, "
                               "text, is_interviewer) VALUES ('empty-turn', ?, 9999, 'X', ?, ?, '', 0)",
                               (tid, a + 1, a + 1))
        reference = {r[0]: (r[1], r[2]) for r in study.conn.execute(
            "SELECT t.id, (SELECT count(*) FROM segments s WHERE s.transcript_id = t.id), "
            "(SELECT count(*) FROM segments s WHERE s.transcript_id = t.id AND EXISTS (SELECT 1 FROM codings k "
            "WHERE k.transcript_id = t.id AND k.start_pos < s.end_pos AND k.end_pos > s.start_pos)) "
            "FROM transcripts t")}
        got = {d.key: (d.blocks, d.coded_blocks) for d in list_documents(study) if d.kind == "transcript"}
        assert got == reference
        assert any(0 < coded < turns for turns, coded in got.values())


def test_qdpx_holds_every_coding_and_the_same_texts(cli, generated, tmp_path):
    out = tmp_path / "study.qdpx"
    done = cli("--db", str(generated), "export", "qdpx", "--no-redact", "-o", str(out))  # positions as stored
    assert done.returncode == 0, done.stderr
    with Study.open(generated, create=False) as study:
        per_code = dict(study.conn.execute(
            "SELECT c.uuid, count(k.id) FROM codes c LEFT JOIN codings k ON k.code_id = c.id GROUP BY c.id"
        ).fetchall())
        texts = dict(study.conn.execute("SELECT uuid, text FROM transcripts").fetchall())
        spans = sorted(study.conn.execute(
            "SELECT t.uuid, k.start_pos, k.end_pos, c.uuid FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
            "JOIN codes c ON c.id = k.code_id").fetchall())
    with zipfile.ZipFile(out) as z:
        root = ET.fromstring(z.read("project.qde"))
        files = {name: z.read(name).decode("utf-8") for name in z.namelist() if name.startswith("sources/")}
    ns = {"q": "urn:QDA-XML:project:1.0"}
    got: dict[str, int] = defaultdict(int)
    got_spans = []
    for source in root.iterfind(".//q:TextSource", ns):
        for sel in source.iterfind("q:PlainTextSelection", ns):
            for ref in sel.iterfind("q:Coding/q:CodeRef", ns):
                got[ref.get("targetGUID")] += 1
                if source.get("guid") in texts:
                    got_spans.append((source.get("guid"), int(sel.get("startPosition")),
                                      int(sel.get("endPosition")), ref.get("targetGUID")))
    assert {g: n for g, n in got.items()} == {g: n for g, n in per_code.items() if n}
    assert sorted(got_spans) == spans
    for guid, text in texts.items():
        assert files[f"sources/{guid}.txt"] == text

    # and back: a new study made from the file has the same codings
    fresh = tmp_path / "fresh.db"
    done = cli("--db", str(fresh), "import", str(out))
    assert done.returncode == 0, done.stderr
    with Study.open(fresh, create=False) as study:
        again = sorted(study.conn.execute(
            "SELECT t.uuid, k.start_pos, k.end_pos, c.uuid FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
            "JOIN codes c ON c.id = k.code_id").fetchall())
        assert again == spans
        # the full-text index, rebuilt after the import, finds what the original's finds
        found_again = {w: study.scalar("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH ?", (w,))
                       for w in ("silence", "the", "group")}
    with Study.open(generated, create=False) as study:
        found = {w: study.scalar("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH ?", (w,))
                 for w in found_again}
    assert found_again == found and found["the"] > 0

    # the counts per code and per theme of the study made from the file (read
    # and written one source at a time) are the original's, by GUID
    def by_guid(path):
        with Study.open(path, create=False) as study:
            codes, themes = reference_counts(study)
            code_guid = dict(study.conn.execute("SELECT id, uuid FROM codes").fetchall())
            theme_guid = dict(study.conn.execute("SELECT id, uuid FROM themes").fetchall())
        return ({code_guid[c]: n for c, n in codes.items()}, {theme_guid[t]: n for t, n in themes.items()})

    assert by_guid(fresh) == by_guid(generated)
    # and merged into a copy of the original, it adds nothing
    import shutil

    copy = tmp_path / "copy.db"
    shutil.copy(generated, copy)
    done = cli("--db", str(copy), "merge", str(out))
    assert done.returncode == 0, done.stderr
    assert by_guid(copy) == by_guid(generated)
    with Study.open(copy, create=False) as a, Study.open(generated, create=False) as b:
        assert a.scalar("SELECT count(*) FROM codings") == b.scalar("SELECT count(*) FROM codings")


def test_a_version_2_study_gets_the_index_of_codings_by_code(tmp_path):
    from tacompanion.store import schema

    path = tmp_path / "v2.db"
    path.write_bytes((REPO / "tests" / "data" / "study-v2.db").read_bytes())
    import sqlite3

    conn = sqlite3.connect(path)
    before = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    with Study.open(path) as study:
        assert study.schema_version == schema.latest_version()
        assert study.scalar("SELECT count(*) FROM codings") == before > 0
        assert study.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'codings_code_doc'") == 1
        plan = " ".join(r[3] for r in study.conn.execute(
            "EXPLAIN QUERY PLAN SELECT code_id, count(DISTINCT transcript_id), count(note_id) FROM codings "
            "GROUP BY code_id").fetchall())
        assert "COVERING INDEX codings_code_doc" in plan
        assert [c.codings for c in list_codes(study)] == [
            study.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (c.id,)) for c in list_codes(study)]


def reference_families(study: Study) -> dict[int, tuple]:
    """(codings, extracts, participants) of every code with codes under it,
    together with them (scope "all", pilots left out)."""
    parent = dict(study.conn.execute("SELECT id, parent_code_id FROM codes").fetchall())
    facts = study.conn.execute(COUNTED_FACTS_SQL).fetchall()
    heads = {p for p in parent.values() if p is not None}
    per: dict[int, list] = {h: [0, set(), set()] for h in heads}
    for code, doc, start, end, who in facts:
        up = code
        while up is not None:
            if up in per:
                per[up][0] += 1
                per[up][1].add((doc, start, end))
                per[up][2].add(who)
            up = parent[up]
    return {h: (v[0], len(v[1]), len(v[2])) for h, v in per.items()}


def test_counts_kept_in_the_file_stay_the_reference_through_changes(generated, tmp_path):
    """The map counts from tallies kept in the study (store/tallies.py),
    recounted only where something changed: after changes of every kind they
    are still exactly the reference's, codes counted with their children too."""
    import shutil

    from tacompanion.store import code_tree, themes
    from tacompanion.store.codes import delete_code, remove_coding
    from tacompanion.store.history import undo
    from tacompanion.store.participants import set_pilot
    from tacompanion.store.thematic import thematic_map

    copy = tmp_path / "study.db"
    shutil.copy(generated, copy)
    with Study.open(copy, create=False) as study:
        study.coder = "kim"
        thematic_map(study)  # counts everything once and keeps it
        assert study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0
        code_ids = [r[0] for r in study.conn.execute("SELECT id FROM codes ORDER BY id")]
        theme_ids = [r[0] for r in study.conn.execute("SELECT id FROM themes ORDER BY id")]
        counted = study.scalar("SELECT t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
                               "WHERE p.pilot = 0 LIMIT 1")
        changes = [
            lambda: apply_code(study, code_ids[0], DocRef(transcript_id=counted), Span(0, 9), "kim"),
            lambda: code_tree.nest_code(study, code_ids[1], code_ids[0]),
            lambda: code_tree.nest_code(study, code_ids[2], code_ids[1]),
            lambda: themes.move_code(study, code_ids[3], theme_ids[-1]),
            lambda: themes.move_theme(study, theme_ids[-1], theme_ids[0]),
            lambda: remove_coding(study, study.scalar("SELECT id FROM codings WHERE code_id = ? LIMIT 1",
                                                      (code_ids[2],))),
            lambda: set_pilot(study, "P2", True),
            lambda: delete_code(study, code_ids[5]),
            lambda: undo(study),
            lambda: set_pilot(study, "P2", False),
        ]
        for change in changes:
            change()
            tmap = thematic_map(study, with_children=True)
            codes_ref, themes_ref = reference_counts(study)
            got = {c: (n.codings, n.extracts, n.participants) for c, n in tmap.analysis.codes.items()}
            assert got == codes_ref
            assert {t: (n.codings, n.extracts, n.participants) for t, n in tmap.analysis.themes.items()} == themes_ref
            families = code_tree.counts_with_children(study)
            assert {h: (n.codings, n.extracts, n.participants) for h, n in families.items()} == \
                reference_families(study)
            on_map = {r.id: r.counts for r in tmap.rows if r.kind == "code"}
            assert all(on_map[h] == families[h] for h in families)
            assert study.scalar("SELECT count(*) FROM analysis_tally_dirty") == 0
