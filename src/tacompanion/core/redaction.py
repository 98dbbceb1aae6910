"""Redaction: real names and places replaced in exported text.

The list is the study's (`redactions` table); it is applied to what leaves the
tool (every export, the clipboard), never to the stored transcripts, whose
offsets must not move. The rules, chosen so that a name is caught however it
is written but a word is never cut in half:

- any case, by Unicode case folding: "tromsø", "TROMSØ" and "Tromsø" are one
  find; "Straße" and "STRASSE" match each other (ß folds to ss);
- any normalisation form: a name typed precomposed (NFC, "ø" as one code
  point) matches the same name decomposed (NFD, "o" + combining stroke, as
  macOS writes file names), both ways;
- at word starts: a find that begins with a letter or digit only matches
  where no letter, digit or combining mark comes before it, so "Ann" leaves
  "Joanna" alone;
- to the end of the word, allowing a genitive: after a find that ends with
  a letter or digit, the word must end there, or go on with only a genitive
  "s", "'s" or "’s" ("Tromsøs", "Ann's"), which is kept after the
  replacement ("[city]s"); so "Ann" leaves "Anne" and "annual" alone;
- a find that begins or ends with punctuation is matched as written there;
- a space in a find matches any run of white space, a line break included
  ("Anna Berg" is caught where a line ends after "Anna");
- longest find first, in one pass: with "Oslo" and "Oslo University", the
  longer one wins where both could match, and a replacement is never
  redacted again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Combining marks that follow a base letter in decomposed text: a word does
# not end (or start) next to one.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_GENITIVE = "(?:s|'s|\u2019s)?"


def fold(text: str) -> str:
    """The form finds and texts are compared in: NFD(casefold(NFD(text)))
    (Unicode's canonical caseless match)."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).casefold())


class Redactor:
    """The (find, replacement) pairs, ready to apply. Call it on a text to get
    the redacted text; `spans` says what is replaced where."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        table: dict[str, str] = {}
        for find, replacement in sorted(pairs, key=lambda p: (-len(p[0]), p[0])):
            key = fold(find)
            if key and key not in table:
                table[key] = replacement
        self._finds = sorted(table, key=lambda f: (-len(f), f))
        self._replacements = [table[f] for f in self._finds]
        parts = []
        for find in self._finds:
            head = rf"(?<![\w{_MARKS}])" if _wordish(find[0]) else ""
            tail = rf"{_GENITIVE}(?![\w{_MARKS}])" if _wordish(find[-1]) else ""
            # one group per find (m.lastindex says which), the genitive outside it
            body = "".join(r"\s+" if piece.isspace() else re.escape(piece)
                           for piece in re.split(r"(\s+)", find) if piece)
            parts.append(f"(?:{head}({body}){tail})")
        self._pattern = re.compile("|".join(parts), re.DOTALL) if parts else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    @property
    def finds(self) -> list[str]:
        """The finds as they are matched (folded), longest first."""
        return list(self._finds)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, replacement) in `text`, left to right, not overlapping.
        The span covers the name only: a genitive after it stays."""
        if self._pattern is None or not text:
            return []
        ascii_only = text.isascii()
        folded = text.lower() if ascii_only else _folded(text)
        matches = list(self._pattern.finditer(folded))
        if not matches:
            return []
        # where each folded code point came from, only when something matched
        origin = range(len(text)) if ascii_only else _folded_with_origin(text)[1]
        out = []
        for m in matches:
            group = m.lastindex
            start, end = m.start(group), m.end(group)
            o_start = origin[start]
            o_end = origin[end - 1] + 1
            # take in combining marks that belong to the last letter
            while o_end < len(text) and unicodedata.combining(text[o_end]):
                o_end += 1
            out.append((o_start, o_end, self._replacements[group - 1]))
        return out

    def __call__(self, text: str) -> str:
        spans = self.spans(text)
        if not spans:
            return text
        out, last = [], 0
        for start, end, replacement in spans:
            out.append(text[last:start])
            out.append(replacement)
            last = end
        out.append(text[last:])
        return "".join(out)


def compile_redactions(pairs: Iterable[tuple[str, str]]) -> Redactor:
    """A function that applies the (find, replacement) pairs to a text."""
    return Redactor(pairs)


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _folded(text: str) -> str:
    """The folded text of `_folded_with_origin`, built run by run: ASCII runs
    lowered at once, only the (few) other code points folded one by one."""
    pieces: list[str] = []
    last = 0
    for m in _NON_ASCII_RUN.finditer(text):
        pieces.append(text[last:m.start()].lower())
        pieces.append("".join(fold(ch) for ch in m.group()))
        last = m.end()
    pieces.append(text[last:].lower())
    return "".join(pieces)


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its code points the index of the
    code point of `text` it came from."""
    pieces: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            piece = ch.lower()
        else:
            piece = fold(ch)
        pieces.append(piece)
        origin.extend([i] * len(piece))
    return "".join(pieces), origin


_CELL_SEP = "\x00"  # never in a find: the cells of a row are redacted in one pass


class RowRedactor:
    """The pairs applied to every cell of a row (call it on the cells); the
    same as applying `compile_redactions` cell by cell, in one pass per row.
    Cells are joined with NUL, which no find or replacement holds, which is
    neither a word character, a combining mark nor a space, so a match never
    spans two cells and the word-edge rules see each cell's own edges."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        pairs = list(pairs)
        self._redact = Redactor(pairs)
        self._by_cell = any(_CELL_SEP in find or _CELL_SEP in replacement for find, replacement in pairs)
        # The quick test: the redactor matches in the folded text (for ASCII
        # text, text.lower()), and every match holds its find's first run of
        # non-space characters as it is, so a row whose folded text holds
        # none of them needs no pass. (`in` is a fast substring search; one
        # regex of the alternatives is several times slower.)
        self._firsts = [find.split()[0] if find.split() else "" for find in self._redact.finds]
        self._quick = all(self._firsts)

    def may_change(self, text: str) -> bool:
        """False when no find can match anywhere in `text`: for a row's cells
        joined by any separator, the row then needs no pass."""
        if not self._redact:
            return False
        if not self._quick:
            return True
        folded = text.lower() if text.isascii() else _folded(text)
        for first in self._firsts:
            if first in folded:
                return True
        return False

    def __call__(self, cells: list[str]) -> list[str]:
        redact = self._redact
        if not redact:
            return cells
        if self._by_cell:
            return [redact(c) for c in cells]
        joined = _CELL_SEP.join(cells)
        if joined.count(_CELL_SEP) != len(cells) - 1:  # a cell holds NUL itself: cell by cell
            return [redact(c) for c in cells]
        if not self.may_change(joined):
            return cells
        return redact(joined).split(_CELL_SEP)


def compile_row_redactions(pairs: Iterable[tuple[str, str]]) -> RowRedactor:
    """The pairs, to apply to every cell of a row (see RowRedactor)."""
    return RowRedactor(pairs)
