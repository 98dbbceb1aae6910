"""Word documents (.docx) from the Markdown the exports already write.

Every document the app writes is first Markdown (the report, the answers by
question, one theme's quotes, the framework matrix, the codebook), redacted
as a whole; this module turns that Markdown into a Word document with real
structure, so one text is the single source of both and the redaction list
applies to the .docx exactly as to the .md:

- `#` .. `######` headings become Word headings (the first `#` the title);
- `> ...` quotes get Word's "Quote" style, their pseudonym kept at the end;
- pipe tables become Word tables (header row bold, "Table Grid");
- `- ` items become bulleted paragraphs, indented by level;
- a ```text block (the thematic map's tree) becomes a nested bulleted list;
  a ```mermaid block is left out (Word cannot draw it; the tree says the same);
- `**bold**`, `_italic_` and `` `code` `` become runs of that kind.

python-docx is imported here only, when a .docx is asked for.
"""

from __future__ import annotations

import io
import re
from typing import Any

_INLINE = re.compile(
    r"\*\*(?P<bold>.+?)\*\*"
    r"|(?<![\w\\])_(?P<italic>[^_].*?)_(?![\w])"
    r"|`(?P<code>[^`]+)`"
)
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^(\s*)[-*]\s+(.*)$")


def is_docx(path: str | None, fmt: str | None = None) -> bool:
    """Whether an export goes to Word: --format docx, or -o FILE.docx."""
    if fmt is not None:
        return fmt == "docx"
    return bool(path) and str(path).lower().endswith(".docx")


def _unescape(text: str) -> str:
    return text.replace("\\|", "|").replace("\\*", "*").replace("\\_", "_")


def add_inline(paragraph: Any, text: str, *, bold: bool = False) -> None:
    """`text` with its **bold**, _italic_ and `code` spans as runs."""
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            paragraph.add_run(_unescape(text[pos:m.start()])).bold = bold or None
        if m.group("bold") is not None:
            run = paragraph.add_run(_unescape(m.group("bold")))
            run.bold = True
        elif m.group("italic") is not None:
            run = paragraph.add_run(_unescape(m.group("italic")))
            run.italic = True
            run.bold = bold or None
        else:
            run = paragraph.add_run(m.group("code"))
            run.font.name = "Consolas"
            run.bold = bold or None
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(_unescape(text[pos:])).bold = bold or None


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def _bullet_style(level: int) -> str:
    return "List Bullet" if level == 0 else f"List Bullet {min(level + 1, 3)}"


def _add_table(doc: Any, header: list[str], rows: list[list[str]], styled: Any) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=False):
        cell.text = ""
        add_inline(cell.paragraphs[0], text, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for i, cell in enumerate(cells):
            add_inline(cell.paragraphs[0], row[i] if i < len(row) else "")
    styled()


class _Styled:
    """Paragraphs of a named style, quickly: python-docx looks a style name up
    (and compares it with the default style) on every assignment, which for a
    report of a thousand paragraphs took seconds; the style's id is looked up
    once here and written into each paragraph's properties."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.ids: dict[str, str] = {}

    def __call__(self, name: str | None = None) -> Any:
        paragraph = self.doc.add_paragraph()
        if name is not None:
            if name not in self.ids:
                self.ids[name] = self.doc.styles[name].style_id
            paragraph._p.style = self.ids[name]  # CT_P.style: the paragraph's pStyle
        return paragraph


def markdown_to_document(markdown: str) -> Any:
    """A python-docx Document holding `markdown`."""
    import docx

    doc = docx.Document()
    styled = _Styled(doc)
    lines = markdown.splitlines()
    i, titled = 0, False
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            add_inline(styled(), " ".join(s.strip() for s in paragraph))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            info = stripped[3:].strip()
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            i += 1
            if info == "mermaid":
                continue
            if info == "text":  # a tree, two spaces a level
                for item in block:
                    if item.strip():
                        level = (len(item) - len(item.lstrip(" "))) // 2
                        add_inline(styled(_bullet_style(level)), item.strip())
            else:
                for item in block:
                    run = styled().add_run(item)
                    run.font.name = "Consolas"
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            text = _unescape(heading.group(2).strip())
            if level == 1 and not titled:
                styled("Title").add_run(text)
                titled = True
            else:
                styled(f"Heading {min(level - 1, 9) if titled else level}").add_run(text)
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1].strip()):
            flush()
            header = _split_row(line)
            i += 2
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_split_row(lines[i]))
                i += 1
            _add_table(doc, header, rows, styled)
            continue
        if stripped.startswith(">"):
            flush()
            quote = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(lines[i].strip()[1:].strip())
                i += 1
            add_inline(styled("Quote"), " ".join(q for q in quote if q))
            continue
        bullet = _BULLET.match(line)
        if bullet and not stripped.startswith("**"):
            flush()
            level = len(bullet.group(1)) // 2
            add_inline(styled(_bullet_style(level)), bullet.group(2).strip())
            i += 1
            continue
        if not stripped:
            flush()
        else:
            paragraph.append(line)
        i += 1
    flush()
    return doc


def markdown_to_docx(markdown: str) -> bytes:
    """The bytes of a .docx holding `markdown`."""
    doc = markdown_to_document(markdown)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

