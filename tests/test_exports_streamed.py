"""The exports of issue 16 that now read the study piece by piece give what
the plain, hold-everything way of making them gives, byte for byte, on a
generated study (bench/synth.py, small sizes) with codings on interview
notes, a second coder, starred quotes and a redaction list."""

from __future__ import annotations

import random
import sys
from types import SimpleNamespace

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.quote_picking import QuotePicker
from tacompanion.core.quotes import choose_quotes, words_estimated, words_in
from tacompanion.core.spans import Span
from tacompanion.store.codes import apply_code, list_codes, set_starred
from tacompanion.store.redactions import add_redaction
from tacompanion.store.study import Study

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

SIZES = dict(transcripts=8, words=700, codes=40, themes=5, codings=600, participants=5,
             interviews=2, memos=6, journal=2, seed=11)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("streamed") / "study.db"
    synth.make_study(path, **SIZES)
    with Study.open(path) as study:
        codes = [c.id for c in list_codes(study)]
        notes = study.conn.execute("SELECT id, length(text) FROM notes ORDER BY interview_id DESC, id LIMIT 8").fetchall()
        for n, (note_id, length) in enumerate(notes):
            if length > 4:
                apply_code(study, codes[n % len(codes)], DocRef(note_id=note_id), Span(0, length // 2), "kim")
        # a second coder on the same spans (one extract, one entry per code), and on new ones
        for tid, start, end, code_id in study.conn.execute(
            "SELECT transcript_id, start_pos, end_pos, code_id FROM codings ORDER BY id LIMIT 60"
        ).fetchall():
            apply_code(study, code_id, DocRef(transcript_id=tid), Span(start, end), "lee")
        # starred quotes in some themes only: the others are chosen as representative
        starred = [r[0] for r in study.conn.execute(
            "SELECT k.id FROM codings k JOIN codes c ON c.id = k.code_id "
            "WHERE c.theme_id IN (SELECT id FROM themes ORDER BY id LIMIT 2) ORDER BY k.id LIMIT 7")]
        set_starred(study, starred + [r[0] for r in study.conn.execute(
            "SELECT id FROM codings WHERE coder = 'lee' ORDER BY id LIMIT 3")], True)
        word = study.scalar("SELECT text FROM segments WHERE is_interviewer = 0 LIMIT 1").split()[1]
        add_redaction(study, word.strip(".,;:!?"), "[word]")
        add_redaction(study, "P2", "[someone]")
    return path


# -- the report's quotes ---------------------------------------------------------------


def _reference_quotes(study: Study, theme_ids: set[int]) -> dict[int, tuple[list, bool]]:
    """Every theme's quotes the way the report chose them before: every
    extract of every theme held (thematic.extract_spans), chosen with
    core.quotes.choose_quotes, texts read for the chosen."""
    from tacompanion.store.thematic import extract_spans, thematic_map, with_texts

    tmap = thematic_map(study)
    own: dict[int, set[int]] = {t: set() for t in theme_ids}
    for row in tmap.rows:
        if row.kind == "code" and row.theme_id in own:
            own[row.theme_id].add(row.id)
    extracts = extract_spans(study, sorted(c for ids in own.values() for c in ids))
    out = {}
    for t, ids in own.items():
        chosen, starred = choose_quotes(extracts, ids, words=words_estimated)
        out[t] = (with_texts(study, chosen), starred)
    return out


@pytest.mark.parametrize("setup", ["as made", "transcripts only", "one coder"])
def test_the_reports_quotes_are_those_chosen_from_every_extract(generated, tmp_path, setup):
    from tacompanion.formats.report_md import _material
    from tacompanion.store.analysis import set_analysis_coders

    path = tmp_path / "study.db"
    path.write_bytes(generated.read_bytes())
    with Study.open(path, create=False) as study:
        if setup == "transcripts only":
            study.set_setting("analysis_scope", "transcripts")
        elif setup == "one coder":
            set_analysis_coders(study, ["lee"])
        m = _material(study)
        reference = _reference_quotes(study, set(m.quotes))
        assert m.quotes == reference
        assert sum(len(q) for q, _ in m.quotes.values()) > 3
        if setup == "as made":  # both ways of choosing, and extracts of notes among those chosen from
            assert any(starred for _, starred in m.quotes.values())
            assert any(not starred and q for q, starred in m.quotes.values())
            assert any(e.kind == "notes" for e in _every_extract(study))
        # one theme alone (export quotes) quotes the same (its extracts list fewer codes)
        for theme in [t for t, (q, _) in m.quotes.items() if q][:3]:
            alone, starred = _material(study, only=theme).quotes[theme]
            assert starred == m.quotes[theme][1]
            assert [_shown(e) for e in alone] == [_shown(e) for e in m.quotes[theme][0]]


def _shown(e) -> tuple:
    return (e.participant, e.kind, e.doc_id, e.start, e.end, e.text)


def _every_extract(study: Study) -> list:
    from tacompanion.store.thematic import extract_spans

    return extract_spans(study, [r[0] for r in study.conn.execute("SELECT id FROM codes")])


def test_the_report_files_are_whole_and_redacted(cli, generated, tmp_path):
    """The report through the CLI: to a file and to standard output the same
    bytes, redacted as a whole (the listed word nowhere, its replacement there)."""
    out = tmp_path / "report.md"
    done = cli("--db", str(generated), "export", "report", "--journal", "--codebook", "-o", str(out))
    assert done.returncode == 0, done.stderr
    piped = cli("--db", str(generated), "export", "report", "--journal", "--codebook")
    assert piped.returncode == 0, piped.stderr
    text = out.read_text(encoding="utf-8")
    assert text == piped.stdout
    assert "[someone]" in text and "P2)" not in text
    assert text.count("\n> \"") >= 3


# -- the picker against choose_quotes ------------------------------------------------------


def _random_extracts(rng: random.Random, n: int) -> list:
    people = ["P1", "P2", "p2", "P10", "Anna", "Bo"]
    out = []
    for _ in range(n):
        start = rng.randrange(0, 5000)
        length = rng.choice([5, 30, 60, 200, 480, 600, 1200])
        codes = tuple(SimpleNamespace(code_id=rng.randrange(6), starred=rng.random() < 0.04)
                      for _ in range(rng.randrange(1, 4)))
        out.append(SimpleNamespace(participant=rng.choice(people), kind=rng.choice(["transcript"] * 4 + ["notes"]),
                                   start=start, end=start + length, text="w " * (length // 6), codes=codes))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_the_picker_chooses_what_choose_quotes_chooses(seed):
    rng = random.Random(seed)
    extracts = _random_extracts(rng, rng.choice([0, 1, 3, 10, 60, 300]))
    for code_ids in ({0}, {1, 2}, {5}, {0, 1, 2, 3, 4, 5}, {9}):
        for limit in (0, 1, 3, 5):
            for words in (words_in, words_estimated):
                picker = QuotePicker(code_ids, limit=limit, words=words)
                for e in extracts:
                    picker.add(e)
                chosen, starred = picker.chosen()
                expected, expected_starred = choose_quotes(extracts, code_ids, limit, words=words)
                assert starred == expected_starred
                assert [id(e) for e in chosen] == [id(e) for e in expected]


# -- the .qdpx, written on a thread of its own ---------------------------------------------


def test_a_qdpx_that_fails_half_way_leaves_no_file_and_no_thread(generated, tmp_path, monkeypatch):
    """A failure while the zip is written (a full disk, on the zip's thread)
    or while the XML is made (a text too large, on the caller's) is raised to
    the caller; neither the file nor a partial one is left, nor the thread."""
    import threading
    import zipfile

    from tacompanion.formats import qdpx_export

    target = tmp_path / "out" / "study.qdpx"
    target.parent.mkdir()
    before = threading.active_count()

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    with Study.open(generated, create=False) as study:
        with monkeypatch.context() as m:
            m.setattr(zipfile.ZipFile, "writestr", full_disk)
            with pytest.raises(OSError, match="No space left"):
                qdpx_export.export_qdpx(study, target)
        assert list(target.parent.iterdir()) == []
        with monkeypatch.context() as m:
            m.setattr(qdpx_export, "MAX_INTERNAL_BYTES", 100)
            with pytest.raises(ValueError, match="larger than a .qdpx may hold"):
                qdpx_export.export_qdpx(study, target)
        assert list(target.parent.iterdir()) == []
        assert threading.active_count() == before
        qdpx_export.export_qdpx(study, target)  # and then it works
        with zipfile.ZipFile(target) as z:
            assert z.testzip() is None and "project.qde" in z.namelist()


# -- Word documents, their body written out as it is made ----------------------------------


def test_a_word_document_written_out_in_parts_is_the_same_document(cli, generated, tmp_path, monkeypatch):
    """markdown_to_docx spills the body every SPILL_EVERY elements: every
    part of the .docx is what python-docx writes for the whole document
    (headings, quotes, lists, tables, the map's tree)."""
    import io
    import zipfile

    from tacompanion.formats import docx_writer

    done = cli("--db", str(generated), "export", "report", "--journal", "--codebook", "--saturation")
    assert done.returncode == 0, done.stderr
    markdown = done.stdout + "\n| a | b |\n| --- | --- |\n| 1 | 2 |\n"

    def parts(data: bytes) -> list[tuple[str, bytes]]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(name, z.read(name)) for name in z.namelist()]

    monkeypatch.setattr(docx_writer, "SPILL_EVERY", 10**9)
    whole = parts(docx_writer.markdown_to_docx(markdown))
    for every in (1, 7, 50):
        monkeypatch.setattr(docx_writer, "SPILL_EVERY", every)
        assert parts(docx_writer.markdown_to_docx(markdown)) == whole
        # and from the Markdown in pieces, cut anywhere (by-question's way)
        pieces = iter([markdown[i:i + 97] for i in range(0, len(markdown), 97)])
        assert parts(docx_writer.markdown_to_docx(pieces)) == whole
    body = dict(whole)["word/document.xml"]
    assert body.count(b"<w:p>") + body.count(b"<w:p ") > 60 and b"<w:tbl>" in body


@pytest.mark.parametrize("seed", range(30))
def test_lines_of_parts_are_the_lines_of_the_whole_text(seed):
    from tacompanion.formats.docx_writer import lines_of

    rng = random.Random(seed)
    text = "".join(rng.choice(["a", "b c", "\n", "\r", "\r\n", "\u2028", "\x0c", "\n\n", "é"])
                   for _ in range(rng.randrange(0, 80)))
    cuts = sorted(rng.randrange(0, len(text) + 1) for _ in range(rng.randrange(0, 10)))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    assert list(lines_of(pieces)) == text.splitlines()


# -- the audit trail, read and written as it goes ------------------------------------------


def test_the_audit_trail_exports_are_the_trail_row_by_row(cli, generated, tmp_path):
    """export audit (CSV, Markdown, Word) reads the log twice and writes as
    it reads: every decision of audit_trail (the list the screen shows) is
    there, in order, redacted, in each format, with and without a filter."""
    import csv as csv_module
    import io
    import zipfile
    from xml.etree import ElementTree as ET

    sys.path.insert(0, str(REPO / "bench"))
    import bench_rigour

    from tacompanion.formats.audit_export import AUDIT_COLUMNS, audit_csv, audit_rows
    from tacompanion.store.audit import audit_trail

    path = tmp_path / "logged.db"
    made = bench_rigour.with_operation_log(str(generated), path)
    assert made > 600
    with Study.open(path, create=False) as study:
        study.conn.execute("UPDATE operations SET state = 'undone' WHERE id % 7 = 0")
        study.conn.commit()
        word = study.scalar("SELECT name FROM codes ORDER BY id LIMIT 1").split()[0]
        add_redaction(study, word, "[code word]")
        logged = study.scalar("SELECT count(*) FROM operations")
        for extra, filters in (([], {}), (["--coder", "kim"], {"coder": "kim"}),
                               (["--since", "2026-01-01", "--until", "2026-12-31"],
                                {"since": "2026-01-01", "until": "2026-12-31"})):
            reference = audit_csv(list(audit_rows(study, audit_trail(study, **filters))))
            done = cli("--db", str(path), "export", "audit", *extra)
            assert done.returncode == 0, done.stderr
            assert done.stdout == reference
            if not extra:
                rows = list(csv_module.DictReader(io.StringIO(reference)))
                assert list(rows[0]) == list(AUDIT_COLUMNS)
                assert len(rows) == logged > made and any(r["state"] == "undone" for r in rows)
                assert "[code word]" in reference  # redacted
            else:
                assert 1 < reference.count("\n") <= logged + 1  # the header too

    md = tmp_path / "trail.md"
    done = cli("--db", str(path), "export", "audit", "-o", str(md))
    assert done.returncode == 0 and f"wrote {logged} decisions" in done.stderr, done.stderr
    lines = md.read_text(encoding="utf-8").splitlines()
    table = [line for line in lines[lines.index("## Decisions"):] if line.startswith("| 20")]
    assert [line.split(" | ")[0][2:] for line in table] == [r["when"] for r in rows]

    word = tmp_path / "trail.docx"
    done = cli("--db", str(path), "export", "audit", "-o", str(word))
    assert done.returncode == 0 and f"wrote {logged} decisions" in done.stderr, done.stderr
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    with zipfile.ZipFile(word) as z:
        body = ET.fromstring(z.read("word/document.xml"))
    decisions = body.findall(".//w:tbl", ns)[-1]
    cells = [["".join(t.text or "" for t in tc.iterfind(".//w:t", ns)) for tc in tr.iterfind("w:tc", ns)]
             for tr in decisions.iterfind("w:tr", ns)]
    assert cells[0] == ["when", "coder", "decision", "what", "state"]
    assert cells[1:] == [[r["when"], r["coder"], r["decision"], r["what"], r["state"]] for r in rows]
