"""Word documents: every export that writes Markdown writes a real .docx too
(headings, tables, quotes in Word's Quote style, the map as a nested list),
redacted like the Markdown, atomically and private (0600)."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import docx
import pytest

V2 = Path(__file__).parent / "data" / "study-v2.db"


@pytest.fixture
def v2(tmp_path) -> Path:
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    return path


def _paragraphs(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def test_report_docx_has_headings_table_quotes_and_the_map_as_a_nested_list(cli, v2, tmp_path):
    out = tmp_path / "r.docx"
    done = cli("export", "report", "--db", str(v2), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote the report to {out}" in done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    paras = _paragraphs(out)
    assert paras[0] == ("Title", "Thematic analysis report")
    headings = [text for style, text in paras if style.startswith("Heading")]
    assert "Table 1. Themes and subthemes" in headings
    assert "1. Being with silence" in headings and "1.1 Waiting" in headings
    assert ("Heading 2", "1. Being with silence") in paras and ("Heading 3", "1.1 Waiting") in paras
    quotes = [text for style, text in paras if style == "Quote"]
    assert quotes and all(q.rstrip().endswith(("(T1)", "(T2)", "(T3)", "(T4)")) or "interview notes" in q
                          for q in quotes)
    table = docx.Document(str(out)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Theme", "Subthemes", "Prevalence"]
    assert table.rows[1].cells[0].text == "1. Being with silence"
    assert "all participants (4 of 4)" in table.rows[1].cells[2].text
    assert ("List Bullet", "1. Being with silence (all, 4 of 4)") in paras
    assert ("List Bullet 2", "1.1 Waiting (all, 4 of 4)") in paras
    assert not any("mindmap" in text for _, text in paras)


def test_format_option_and_redaction_apply_to_word(cli, v2, tmp_path):
    assert cli("redact", "add", "T1", "[P-one]", "--db", str(v2)).returncode == 0
    out = tmp_path / "report.bin"
    done = cli("export", "report", "--db", str(v2), "-o", str(out), "--format", "docx")
    assert done.returncode == 0, done.stderr
    text = "\n".join(t for _, t in _paragraphs(out))
    assert "[P-one]" in text and "(T1)" not in text
    raw = tmp_path / "raw.docx"
    assert cli("export", "report", "--db", str(v2), "-o", str(raw), "--no-redact").returncode == 0
    assert "(T1)" in "\n".join(t for _, t in _paragraphs(raw))


def test_docx_to_standard_output_is_refused(cli, v2):
    done = cli("export", "report", "--db", str(v2), "--format", "docx")
    assert done.returncode == 1
    assert "give -o FILE.docx" in done.stderr and "Traceback" not in done.stderr


def test_by_question_quotes_and_codebook_as_word(cli, v2, tmp_path):
    q = tmp_path / "q.docx"
    assert cli("export", "by-question", "--db", str(v2), "-o", str(q)).returncode == 0
    paras = _paragraphs(q)
    assert paras[0][0] == "Title" and paras[0][1].startswith("Answers by question")
    assert ("Heading 1", "Warm-up") in paras
    assert any(style == "Heading 2" and text.startswith("Q2. How did you come") for style, text in paras)
    assert any(style == "List Bullet" and "supervision" in text for style, text in paras)

    t = tmp_path / "t.docx"
    done = cli("export", "quotes", "--theme", "Being with silence", "--db", str(v2), "-o", str(t))
    assert done.returncode == 0, done.stderr
    paras = _paragraphs(t)
    assert paras[0] == ("Title", "Quotes: Being with silence")
    assert any(style == "Quote" and text.endswith("(T1)") for style, text in paras)

    c = tmp_path / "c.docx"
    assert cli("export", "codebook", "--db", str(v2), "-o", str(c)).returncode == 0
    paras = _paragraphs(c)
    assert paras[0] == ("Title", "Codebook")
    assert ("Heading 1", "Theme: Being with silence") in paras
    assert ("Heading 2", "silence as pressure") in paras
    assert ("Normal", "Definition. about silence as pressure") in paras
    assert stat.S_IMODE(c.stat().st_mode) == 0o600


def test_markdown_converter_keeps_escaped_bars_and_inline_styles():
    from tacompanion.formats.docx_writer import markdown_to_document

    doc = markdown_to_document(
        "# T\n\n## Part\n\n**Bold.** plain _italic_ snake_case\n\n"
        "| A | B |\n| --- | --- |\n| x \\| y | z |\n\n> \"said\" (P3)\n\n- one\n  - two\n")
    paras = [(p.style.name, p.text) for p in doc.paragraphs if p.text]
    assert paras[:2] == [("Title", "T"), ("Heading 1", "Part")]
    body = doc.paragraphs[2]
    assert body.text == "Bold. plain italic snake_case"
    assert body.runs[0].bold and body.runs[2].italic
    assert doc.tables[0].rows[1].cells[0].text == "x | y"
    assert ("Quote", '"said" (P3)') in paras
    assert ("List Bullet", "one") in paras and ("List Bullet 2", "two") in paras
