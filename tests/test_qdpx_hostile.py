"""Hostile and damaged .qdpx and .docx files: each is refused with one message
naming the file, within the limits (docs/limits.md), leaving the study as it
was (a refusal half-way through a large file: tests/test_qdpx_stream.py)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tacompanion.formats import qdpx_import
from tacompanion.formats.qdpx_import import QdpxError, import_qdpx, read_qdpx
from tacompanion.formats.transcript_files import TranscriptFileError, read_transcript_file
from tacompanion.store.study import Study
from tests import hostile_files as H

MEMORY_CAP_MB = 300


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def filled_study(tmp_path):
    """A study with content, closed, and the hash of its file."""
    path = tmp_path / "filled.db"
    with Study.open(path) as s:
        import_qdpx(s, H.REFI / "atlasti-23-target.qdpx")
    return path


def _cli_with_memory(*args: str) -> tuple[subprocess.CompletedProcess, int]:
    """The real CLI in a subprocess, and the most memory it held (MB)."""
    r = subprocess.run([sys.executable, "-c", H.MEMORY_WRAPPER, *args], capture_output=True, text=True, timeout=300)
    rss = [line for line in r.stderr.splitlines() if line.startswith("MAXRSS")]
    assert rss, r.stderr
    return r, int(rss[-1].split()[1])


# -- the code tree -----------------------------------------------------------------------------


def test_a_child_code_repeating_its_parents_guid_is_refused_not_looped(tmp_path, filled_study):
    bad = _write(tmp_path, "loop.qdpx", H.child_repeats_parent_guid())
    before = _digest(filled_study)
    with pytest.raises(QdpxError) as err:
        read_qdpx(bad)
    message = str(err.value)
    assert message.startswith(str(bad)) and "a182cd3a-d83c-4d8c-bc80-26d9103ec6d6" in message
    assert "'Commits'" in message and "UNIQUE" not in message
    # through the CLI, into a study with content (--merge): refused, the study untouched
    r, rss = _cli_with_memory("--db", str(filled_study), "import", "--merge", str(bad))
    assert r.returncode == 1 and f"error: {bad}: two codes share the GUID" in r.stderr
    assert "Traceback" not in r.stderr and rss < MEMORY_CAP_MB
    assert _digest(filled_study) == before


def test_duplicate_guids_name_the_file_not_the_study(tmp_path, filled_study):
    bad = _write(tmp_path, "dup.qdpx", H.duplicate_code_guids())
    r = subprocess.run([sys.executable, "-m", "tacompanion", "--db", str(filled_study), "import", "--merge",
                        str(bad)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert f"{bad}: two codes share the GUID" in r.stderr and "'first' and 'second'" in r.stderr
    assert "UNIQUE" not in r.stderr and str(filled_study) not in r.stderr


def test_items_without_guids_that_look_alike_are_told_apart(tmp_path, study):
    # two codes named 'Other' under different parents, neither with a GUID: both imported
    xml = H.project_xml(
        H.code("A", children='<Code name="Other" isCodable="true"/>')
        + H.code("B", children='<Code name="Other" isCodable="true"/>'))
    path = _write(tmp_path, "noguid.qdpx", H.zip_bytes({"project.qde": xml}))
    project = read_qdpx(path)
    assert len({c.guid for c in project.codes}) == 4
    assert read_qdpx(path).codes[1].guid == project.codes[1].guid  # stable: a merge skips them again
    import_qdpx(study, path)
    assert study.scalar("SELECT count(*) FROM codes") == 4


def test_three_thousand_nested_codes_are_walked_without_recursion(tmp_path, study):
    path = _write(tmp_path, "deep.qdpx", H.nested_codes(3000))
    project = read_qdpx(path)
    assert len(project.codes) == 3000
    assert [c.name for c in project.codes[:2]] == ["level 0", "level 1"]
    assert project.codes[-1].parent == project.codes[-2].guid
    summary = import_qdpx(study, path)
    assert summary.counts["codes"] == 3000
    deepest = study.scalar("SELECT count(*) FROM codes WHERE parent_code_id IS NOT NULL")
    assert deepest == 2999


def test_deeply_nested_codes_export_and_come_back(tmp_path, study):
    """The exporter walks (and writes) the code tree without recursion too."""
    from tacompanion.formats.qdpx_export import build_qdpx

    import_qdpx(study, _write(tmp_path, "deep.qdpx", H.nested_codes(3000)))
    again = _write(tmp_path, "again.qdpx", build_qdpx(study).data)
    project = read_qdpx(again)
    assert len(project.codes) == 3000 and project.codes[-1].parent == project.codes[-2].guid


def test_categories_nested_too_deep_are_placed_at_the_deepest_theme_level(tmp_path, study, cli):
    from tacompanion.store.qdpx import MAX_THEME_DEPTH

    inner = H.code("leaf")
    for n in reversed(range(1500)):
        inner = H.code(f"t{n}", children=inner).replace('isCodable="true"', 'isCodable="false"', 1)
    summary = import_qdpx(study, _write(tmp_path, "themes.qdpx", H.zip_bytes({"project.qde": H.project_xml(inner)})))
    assert summary.counts["themes"] == 1500 and summary.counts["codes"] == 1
    assert any(p.startswith(f"1,480 categories nested more than {MAX_THEME_DEPTH} deep") for p in summary.problems)
    depth = study.scalar("WITH RECURSIVE d(id, n) AS (SELECT id, 1 FROM themes WHERE parent_id IS NULL "
                         "UNION ALL SELECT t.id, n + 1 FROM themes t JOIN d ON t.parent_id = d.id) "
                         "SELECT max(n) FROM d")
    assert depth == MAX_THEME_DEPTH
    for command in (["stats"], ["export", "report", "-o", str(tmp_path / "r.md")]):
        r = cli("--db", str(study.path), *command)
        assert r.returncode == 0 and "internal error" not in r.stderr, r.stderr


def test_the_code_walk_keeps_document_order(tmp_path):
    xml = H.project_xml(H.code("A", children=H.code("A1") + H.code("A2", children=H.code("A2a"))) + H.code("B"))
    project = read_qdpx(_write(tmp_path, "order.qdpx", H.zip_bytes({"project.qde": xml})))
    assert [c.name for c in project.codes] == ["A", "A1", "A2", "A2a", "B"]


def test_a_project_with_too_many_elements_is_refused_while_streaming(tmp_path, monkeypatch):
    monkeypatch.setattr(qdpx_import, "MAX_XML_ELEMENTS", 1_000)
    path = _write(tmp_path, "many.qdpx", H.many_codes(5_000))
    with pytest.raises(QdpxError, match=r"more than 1,000 XML elements"):
        read_qdpx(path)


def test_millions_of_codes_are_refused_within_the_memory_cap(tmp_path):
    path = _write(tmp_path, "300k.qdpx", H.many_codes(300_000))
    r, rss = _cli_with_memory("--db", str(tmp_path / "s.db"), "import", str(path))
    assert r.returncode == 1 and f"{path}: project.qde: more than 200,000 XML elements" in r.stderr
    assert rss < MEMORY_CAP_MB and not (tmp_path / "s.db").exists()


# -- XML -----------------------------------------------------------------------------------


def test_one_tag_with_millions_of_attributes_is_refused_before_it_ends(tmp_path):
    """Expat turns a tag's attributes into Python objects only when the tag
    ends: 28 MB of `aN=""` in one tag once cost 600 MB. Refused while it streams."""
    attrs = " ".join(f'a{j}=""' for j in range(2_500_000))
    xml = H.project_xml(f'<Code guid="00000000-0000-4000-8000-000000000001" name="c" isCodable="true" {attrs}/>')
    path = _write(tmp_path, "attrs.qdpx", H.zip_bytes({"project.qde": xml}))
    r, rss = _cli_with_memory("--db", str(tmp_path / "s.db"), "import", str(path))
    assert r.returncode == 1 and rss < MEMORY_CAP_MB
    assert f"{path}: project.qde: a single XML tag or comment longer than 1,048,576 bytes" in r.stderr


def test_attributes_are_counted_across_elements(tmp_path, monkeypatch):
    monkeypatch.setattr(qdpx_import, "MAX_XML_ELEMENTS", 100)  # so at most 500 attributes
    codes = "".join(f'<Code guid="{n}" name="c" isCodable="true" a="1" b="2" c="3" d="4" e="5"/>' for n in range(70))
    path = _write(tmp_path, "attrs.qdpx", H.zip_bytes({"project.qde": H.project_xml(codes)}))
    with pytest.raises(QdpxError, match=r"more than 500 XML attributes"):
        read_qdpx(path)


def test_a_long_text_inside_the_xml_is_not_mistaken_for_a_long_tag(tmp_path, study):
    words = [f"w{n}x" for n in range(3000)]
    text = "P1: " + " ".join(words[(n * 7919) % 3000] for n in range(600_000))  # ~4 MB, inline
    source = (f'<Sources><TextSource guid="00000000-0000-4000-8000-000000000002" name="inline.txt">'
              f"<PlainTextContent>{text}</PlainTextContent></TextSource></Sources>")
    path = _write(tmp_path, "inline.qdpx", H.zip_bytes({"project.qde": H.project_xml(H.code("c"), source)}))
    assert read_qdpx(path).sources[0].text == text


@pytest.mark.parametrize("make", [H.billion_laughs, H.external_entity])
def test_xml_with_a_dtd_or_entities_is_refused(tmp_path, make):
    path = _write(tmp_path, "ent.qdpx", make())
    with pytest.raises(QdpxError) as err:
        read_qdpx(path)
    assert str(err.value).startswith(f"{path}: project.qde: it declares a DOCTYPE")


def test_an_unknown_xml_encoding_is_refused_naming_the_file(tmp_path):
    # found by bench/fuzz_inputs.py: 'utf-8' mutated to 'uIf-8' was an internal error (LookupError)
    xml = H.project_xml(H.code("c")).replace('encoding="utf-8"', 'encoding="uIf-8"')
    path = _write(tmp_path, "enc.qdpx", H.zip_bytes({"project.qde": xml}))
    with pytest.raises(QdpxError) as err:
        read_qdpx(path)
    assert str(err.value).startswith(f"{path}: project.qde: it declares an encoding that cannot be read")
    docx_path = _write(tmp_path, "enc.docx", H.zip_bytes({"[Content_Types].xml": "<Types/>",
                                                          "word/document.xml": xml}))
    with pytest.raises(TranscriptFileError, match=r"enc.docx: not a valid .docx file: word/document.xml: it "
                                                  r"declares an encoding that cannot be read"):
        read_transcript_file(docx_path)


def test_malformed_xml_names_the_file_the_line_and_the_column(tmp_path):
    path = _write(tmp_path, "bad.qdpx", H.zip_bytes({"project.qde": "<Project>\n  <Users>\n</Project>"}))
    with pytest.raises(QdpxError, match=r"bad.qdpx: project.qde: not well-formed XML \(line 3, column 3"):
        read_qdpx(path)


# -- zip bombs and damaged entries ------------------------------------------------------------


@pytest.mark.parametrize("make,expected", [
    (lambda: H.source_bomb(64 << 20), "sources/bomb.txt inflates to 67,108,864 bytes (at most 8,388,608)"),
    (lambda: H.qde_bomb(64 << 20), "project.qde inflates to 67,108,864 bytes (at most 33,554,432)"),
    (lambda: H.source_bomb(8 << 20, declared=1000), "sources/bomb.txt is damaged (Bad CRC-32"),
    (lambda: H.damaged_entry("zlib"), "sources/a.txt is damaged (its compressed data is broken"),
    (lambda: H.damaged_entry("crc"), "sources/a.txt is damaged (Bad CRC-32"),
    (lambda: H.damaged_entry("encrypted"), "sources/a.txt is encrypted (password-protected)"),
    (lambda: H.damaged_entry("method"), "sources/a.txt uses an unknown compression method (77)"),
    (lambda: H.too_many_entries(10_050), "10,051 entries in the archive (at most 10,000)"),
    (H.newer_zip_version, "a zip archive this Python cannot read (zip file version 24.3)"),
    (lambda: b"PK\x03\x04 not really a zip", "not a zip archive"),
])
def test_bombs_and_damaged_entries_get_one_message_naming_the_file(tmp_path, make, expected):
    path = _write(tmp_path, "hostile.qdpx", make())
    with pytest.raises(QdpxError) as err:
        read_qdpx(path)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)


def test_a_high_compression_ratio_is_refused_before_inflating(tmp_path, monkeypatch):
    # within the size limit but 1,000 times smaller packed than inflated
    path = _write(tmp_path, "ratio.qdpx", H.source_bomb(4 << 20))
    with pytest.raises(QdpxError, match=r"sources/bomb.txt inflates \d[\d,]* times \(at most 100 times"):
        read_qdpx(path)


def test_the_archive_total_is_bounded_across_entries(tmp_path, monkeypatch):
    from tacompanion.formats.bounded_zip import ZipLimits

    monkeypatch.setattr(qdpx_import, "QDPX_LIMITS", ZipLimits(max_entries=100, max_entry_bytes=1 << 20,
                                                              max_total_bytes=3000))
    text = "P1: " + "words and more words " * 100 + "\n"
    sources = "<Sources>" + "".join(
        f'<TextSource guid="00000000-0000-4000-8000-00000000000{n}" name="s{n}.txt" plainTextPath="internal://s{n}.txt"/>'
        for n in range(3)) + "</Sources>"
    entries = {"project.qde": H.project_xml(H.code("c"), sources)}
    entries.update({f"sources/s{n}.txt": text for n in range(3)})
    path = _write(tmp_path, "total.qdpx", H.zip_bytes(entries))
    with pytest.raises(QdpxError, match=r"entries inflate to more than 3,000 bytes in all"):
        read_qdpx(path)


@pytest.mark.parametrize("name,make", [
    ("source-bomb", lambda: H.source_bomb(256 << 20)),
    ("qde-bomb", lambda: H.qde_bomb(256 << 20)),
    ("lying-header", lambda: H.source_bomb(64 << 20, declared=1000)),
    ("unknown-method", lambda: H.damaged_entry("method")),
    ("20000-entries", H.too_many_entries),
])
def test_hostile_files_through_the_cli_stay_under_the_memory_cap(tmp_path, name, make):
    path = _write(tmp_path, f"{name}.qdpx", make())
    r, rss = _cli_with_memory("--db", str(tmp_path / "s.db"), "import", str(path))
    assert r.returncode == 1 and f"error: {path}: " in r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert rss < MEMORY_CAP_MB
    assert not (tmp_path / "s.db").exists()


# -- .docx ----------------------------------------------------------------------------------


def test_a_docx_bomb_is_refused_before_python_docx_reads_it(tmp_path):
    path = _write(tmp_path, "bomb.docx", H.docx_bomb(256 << 20))
    r, rss = _cli_with_memory("--db", str(tmp_path / "s.db"), "import", "--participant", "P1", str(path))
    assert r.returncode == 1 and f"{path}: not a valid .docx file" in r.stderr
    assert "word/document.xml inflates to 268,435,456 bytes" in r.stderr
    assert rss < MEMORY_CAP_MB


def test_a_docx_with_a_doctype_is_refused(tmp_path):
    path = _write(tmp_path, "ent.docx", H.docx_with_doctype())
    with pytest.raises(TranscriptFileError) as err:
        read_transcript_file(path)
    assert str(err.value) == (f"{path}: not a valid .docx file: word/document.xml: it declares a DOCTYPE "
                              "(which may define entities); refused for safety")


def test_a_docx_with_a_damaged_entry_is_refused_naming_it(tmp_path):
    data = H.damaged_entry("zlib")  # any zip with a broken entry
    path = _write(tmp_path, "broken.docx", data)
    with pytest.raises(TranscriptFileError, match=r"broken.docx: not a valid .docx file .*sources/a.txt is damaged"):
        read_transcript_file(path)


def test_real_files_from_other_tools_are_within_every_limit():
    for path in sorted(H.REFI.glob("*.qdpx")):
        read_qdpx(path)  # no QdpxError
        with zipfile.ZipFile(path) as z:
            assert len(z.infolist()) < 10


def test_limits_are_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "limits.md").read_text("utf-8")
    for figure in ("10,000", "32 MiB", "8 MiB", "48 MiB", "200,000", "1,000,000", "1 MiB", "100 times",
                   "1,000 entries", "300,000"):
        assert figure in doc, figure
