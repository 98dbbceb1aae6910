"""Redaction: real names and places replaced in exported text.

The list is the study's (`redactions` table); it is applied to what leaves the
tool (report, quotes, CSV, the clipboard), never to the stored transcripts,
whose offsets must not move. The rules, chosen so that a name is caught
wherever it is written but a word is never cut in half:

- case-insensitive: "tromsø" and "TROMSØ" are caught with "Tromsø";
- whole words: a find that begins (ends) with a letter or digit only matches
  where no letter or digit comes before (after) it, so "Ann" leaves "Anne"
  and "annual" alone; a find that begins or ends with punctuation is matched
  as written there;
- longest find first, in one pass: with "Oslo" and "Oslo University", the
  longer one wins where both could match, and a replacement is never redacted
  again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable


def compile_redactions(pairs: Iterable[tuple[str, str]]) -> Callable[[str], str]:
    """A function that applies the (find, replacement) pairs to a text."""
    table: dict[str, str] = {}
    for find, replacement in sorted(pairs, key=lambda p: (-len(p[0]), p[0])):
        key = find.casefold()
        if find and key not in table:
            table[key] = replacement
    if not table:
        return lambda text: text
    finds = sorted(table, key=lambda f: (-len(f), f))
    replacements = [table[f] for f in finds]
    parts = []
    for find in finds:
        head = r"(?<!\w)" if find[0].isalnum() or find[0] == "_" else ""
        tail = r"(?!\w)" if find[-1].isalnum() or find[-1] == "_" else ""
        parts.append(f"({head}{re.escape(find)}{tail})")  # one group per find: m.lastindex says which
    pattern = re.compile("|".join(parts), re.IGNORECASE)

    def redact(text: str) -> str:
        if not text:
            return text
        return pattern.sub(lambda m: replacements[m.lastindex - 1], text)

    return redact


_CELL_SEP = "\x00"  # never in a find: the cells of a row are redacted in one pass


def compile_row_redactions(pairs: Iterable[tuple[str, str]]) -> Callable[[list[str]], list[str]]:
    """A function that applies the pairs to every cell of a row; the same as
    applying `compile_redactions` cell by cell, in one regex pass per row.
    Cells are joined with NUL, which no find or replacement holds and which is
    not a word character, so a match never spans two cells and the word-edge
    rules see each cell's own edges."""
    pairs = list(pairs)
    redact = compile_redactions(pairs)
    if not any(find for find, _ in pairs):
        return lambda cells: cells
    if any(_CELL_SEP in find or _CELL_SEP in replacement for find, replacement in pairs):
        return lambda cells: [redact(c) for c in cells]

    # A quick test first: most rows hold no find at all. Every match of the
    # case-insensitive pattern is, casefolded, the casefolded find (casefold()
    # agrees with the regex's case-insensitive matching for every character
    # but the Turkish i's, checked over all of Unicode), so a row whose
    # casefolded text holds no casefolded find needs no regex pass.
    folded = sorted({find.casefold() for find, _ in pairs if find})
    quick = not any(ch in f for f in folded for ch in _FOLD_UNSAFE)

    def redact_row(cells: list[str]) -> list[str]:
        joined = _CELL_SEP.join(cells)
        if joined.count(_CELL_SEP) != len(cells) - 1:  # a cell holds NUL itself: cell by cell
            return [redact(c) for c in cells]
        if quick and not any(ch in joined for ch in _FOLD_UNSAFE):
            low = joined.casefold()
            if not any(f in low for f in folded):
                return cells
        return redact(joined).split(_CELL_SEP)

    return redact_row


# The characters whose case-insensitive regex matches casefold() does not map
# to one string: dotless ı (matches i) and dotted İ (casefolds to two).
_FOLD_UNSAFE = ("\u0131", "\u0130")
