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
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

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


class _Lines:
    """Lines with a look ahead of two, read as they are needed."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._ahead: deque[str] = deque()

    def peek(self, k: int = 0) -> str | None:
        while len(self._ahead) <= k:
            line = next(self._lines, None)
            if line is None:
                return None
            self._ahead.append(line)
        return self._ahead[k]

    def advance(self) -> None:
        if self.peek() is not None:
            self._ahead.popleft()


_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # where str.splitlines breaks


def lines_of(parts: Iterable[str]) -> Iterator[str]:
    """The lines of the text the parts make, as its splitlines() gives them."""
    carry = ""
    for part in parts:
        lines = (carry + part).splitlines(True)
        # the last line waits for the next part unless it is ended (a CR may yet become a CRLF)
        carry = lines.pop() if lines and (lines[-1][-1] not in _BREAKS or lines[-1][-1] == "\r") else ""
        for line in lines:
            yield line[:-2] if line.endswith("\r\n") else line[:-1]
    if carry:
        yield from carry.splitlines()


def markdown_to_document(markdown: str | Iterable[str], spill: BinaryIO | None = None) -> Any:
    """A python-docx Document holding `markdown` (the text, or the parts it
    comes in). With `spill` (a binary file), the body's paragraphs and tables
    are written there as XML every SPILL_EVERY of them and taken out of the
    document, which then holds only the last ones (see markdown_to_docx)."""
    import docx

    doc = docx.Document()
    styled = _Styled(doc)
    body = doc.element.body
    lines = _Lines(markdown.splitlines() if isinstance(markdown, str) else lines_of(markdown))
    titled = False
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            add_inline(styled(), " ".join(s.strip() for s in paragraph))
            paragraph.clear()

    while (line := lines.peek()) is not None:
        if spill is not None and len(body) > SPILL_EVERY:  # everything in the body is complete here
            _spill(body, spill)
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            info = stripped[3:].strip()
            block = []
            lines.advance()
            while (item := lines.peek()) is not None and not item.strip().startswith("```"):
                block.append(item)
                lines.advance()
            lines.advance()
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
            lines.advance()
            continue
        rule = lines.peek(1)
        if stripped.startswith("|") and rule is not None and _TABLE_RULE.match(rule.strip()):
            flush()
            header = _split_row(line)
            lines.advance()
            lines.advance()
            rows = []
            while (row := lines.peek()) is not None and row.strip().startswith("|"):
                rows.append(_split_row(row))
                lines.advance()
            _add_table(doc, header, rows, styled)
            continue
        if stripped.startswith(">"):
            flush()
            quote = []
            while (item := lines.peek()) is not None and item.strip().startswith(">"):
                quote.append(item.strip()[1:].strip())
                lines.advance()
            add_inline(styled("Quote"), " ".join(q for q in quote if q))
            continue
        bullet = _BULLET.match(line)
        if bullet and not stripped.startswith("**"):
            flush()
            level = len(bullet.group(1)) // 2
            add_inline(styled(_bullet_style(level)), bullet.group(2).strip())
            lines.advance()
            continue
        if not stripped:
            flush()
        else:
            paragraph.append(line)
        lines.advance()
    flush()
    return doc


SPILL_EVERY = 2000  # body elements held before they are written out
_XMLNS = re.compile(rb' xmlns(?::[A-Za-z0-9_.-]+)?="[^"]*"')


def _spill(body: Any, out: BinaryIO) -> None:
    """The body's elements but its last (the section properties) written to
    `out` as they stand in word/document.xml, and taken out of the body.
    lxml writes an element alone with the namespaces of its ancestors
    declared on it; in the whole document they are declared on the root,
    so the declarations on its start tag are left out."""
    from lxml import etree

    for child in list(body)[:-1]:
        xml = etree.tostring(child, encoding="UTF-8")
        end = xml.index(b">")
        out.write(_XMLNS.sub(b"", xml[:end]) + xml[end:])
        body.remove(child)


def markdown_to_docx(markdown: str | Iterable[str]) -> bytes:
    """The bytes of a .docx holding `markdown` (the text, or the parts it
    comes in: see lines_of). A long document's body is
    written out as it is made (to a temporary file, SPILL_EVERY elements at
    a time) rather than held as python-docx's tree (a gigabyte for the
    answers by question of a large study); word/document.xml is the same."""
    import tempfile

    with tempfile.TemporaryFile() as spill:
        doc = markdown_to_document(markdown, spill)
        buffer = io.BytesIO()
        doc.save(buffer)
        if not spill.tell():
            return buffer.getvalue()
        return _with_spilled_body(buffer.getvalue(), spill)


def _with_spilled_body(package: bytes, spill: BinaryIO) -> bytes:
    """python-docx's package with the spilled elements put back at the start
    of word/document.xml's body: every part as python-docx wrote it (the
    same names, order, times and compression)."""
    return with_spill_spliced(package, spill, lambda xml: xml.index(b"<w:body>") + len(b"<w:body>"))


def with_spill_spliced(package: bytes, spill: BinaryIO, where: Callable[[bytes], int]) -> bytes:
    """The package with the bytes of `spill` put into word/document.xml at the
    offset `where` finds in it; every other part as python-docx wrote it."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "word/document.xml":
                z.writestr(info, data)
                continue
            at = where(data)
            with z.open(info, "w", force_zip64=True) as dest:
                dest.write(data[:at])
                spill.seek(0)
                while chunk := spill.read(1 << 20):
                    dest.write(chunk)
                dest.write(data[at:])
    return out.getvalue()

