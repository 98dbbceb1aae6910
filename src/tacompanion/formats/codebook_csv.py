"""Reading a prepared codebook (CSV) to start deductive coding.

The columns are those `export codebook` writes: `theme, code, description,
codings, participants, label, include, exclude, example`; only `code` is
required. `theme` is a path ("Theme / Subtheme") and creates the tree;
`definition`, `inclusion` and `exclusion` are read as `description`,
`include` and `exclude` (the words other codebooks use). The counts are the
study's own and are not read. Rows that cannot be used are reported with
their line and left out; a file that cannot be read at all is one error.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from tacompanion.store.codebook import CodebookEntry

ALIASES = {
    "code": "code", "name": "code", "code name": "code",
    "theme": "theme",
    "description": "definition", "definition": "definition",
    "include": "include", "inclusion": "include", "inclusion criteria": "include",
    "exclude": "exclude", "exclusion": "exclude", "exclusion criteria": "exclude",
    "example": "example",
}
COMPUTED = {"codings", "participants", "label"}


class CodebookFileError(ValueError):
    """The file cannot be read as a codebook at all (one message, names the file)."""


@dataclass
class ParsedCodebook:
    entries: list[CodebookEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 7: no code"
    ignored_columns: list[str] = field(default_factory=list)


def read_codebook(path: str | Path) -> ParsedCodebook:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CodebookFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookFileError(f"{path}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    return parse_codebook(text, str(path))


def parse_codebook(text: str, name: str) -> ParsedCodebook:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise CodebookFileError(f"{name}: empty file; a codebook needs a header with a 'code' column") from None
    except csv.Error as exc:
        raise CodebookFileError(f"{name}: line 1: {exc}") from None
    columns: dict[str, int] = {}
    out = ParsedCodebook()
    for i, title in enumerate(header):
        key = ALIASES.get(" ".join(title.strip().split()).casefold())
        if key is None:
            if title.strip() and title.strip().casefold() not in COMPUTED:
                out.ignored_columns.append(title.strip())
            continue
        columns.setdefault(key, i)
    if "code" not in columns:
        raise CodebookFileError(
            f"{name}: line 1: no 'code' column (found: {', '.join(h.strip() for h in header) or 'nothing'})")
    seen: dict[str, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.problems.append(f"line {start}: {exc}")
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str | None:
            index = columns.get(key)
            if index is None or index >= len(row):
                return None
            return row[index].strip() or None

        code = " ".join((cell("code") or "").split())
        if not code:
            out.problems.append(f"line {start}: no code name")
            continue
        if len(code) > 200:
            out.problems.append(f"line {start}: the code name is longer than 200 characters")
            continue
        if code.casefold() in seen:
            out.problems.append(f"line {start}: '{code}' again (line {seen[code.casefold()]} is used)")
            continue
        seen[code.casefold()] = start
        theme = cell("theme")
        if theme is not None and not any(p.strip() for p in theme.split("/")):
            out.problems.append(f"line {start}: the theme {theme!r} has no name")
            continue
        out.entries.append(CodebookEntry(
            start, code, theme, cell("definition"), cell("include"), cell("exclude"), cell("example")))
    return out
