"""Redacting a long text a line at a time, with exactly the result of
redacting it whole.

`core.redaction.Redactor` compares finds with the text case-folded character
by character; a text that is all ASCII is folded at once, but one with a
single "é" is folded in Python a character at a time, with a list of where
each folded character came from: for the 23 MB of a large study's answers by
question, seconds and gigabytes. `PiecewiseRedactor` gives the same spans
and the same text, but hands the Redactor the lines with characters beyond
ASCII on their own, and the ASCII lines between them together.

Why cutting there changes nothing. A piece always ends just after a line
break, and (where a find has a space) only where no match could run across:

- the Redactor's matches never hold a line break unless a find has white
  space in it (a literal part of a find has none, nor has the genitive), so a
  match cannot cross the cut; the word-edge tests on either side of it see
  the line break in the whole text and the edge of the piece when cut, and
  both let a match through; the combining marks taken in after a match stop
  at the line break;
- a find with a space matches a whole run of white space, right after a
  literal part of the find; so a match crosses a line break only where the
  word before that run of white space (case-folded) ends with a part of a
  find that comes before a space. Where it does, that line break is not cut.
- a find that begins or ends with white space could match up to or from the
  line break: with one in the list nothing is cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from tacompanion.core.redaction import Redactor, fold

_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]")
_SPACE = re.compile(r"(\s+)")


def _folded(ch: str) -> str:
    """One character as the Redactor folds it (ASCII: lower case)."""
    return ch.lower() if ch.isascii() else fold(ch)


class PiecewiseRedactor(Redactor):
    """A Redactor (the same pairs, the same results) that finds its spans a
    piece of the text at a time: see the module's docstring."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        super().__init__(pairs)
        finds = self.finds
        # a find that begins or ends with white space: never cut
        self._whole = any(f[:1].isspace() or f[-1:].isspace() for f in finds)
        # the literal parts of finds that come before a space in them
        self._before_space = sorted({
            part for f in finds for part in _SPACE.split(f)[:-1:2] if part
        })
        self._longest = max((len(p) for p in self._before_space), default=0)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        whole = super().spans
        if not self or self._whole or text.isascii():
            return whole(text)
        out: list[tuple[int, int, str]] = []
        for start, end in self.pieces(text):
            if start == 0 and end == len(text):
                return whole(text)
            out.extend((s + start, e + start, r) for s, e, r in whole(text[start:end]))
        return out

    def pieces(self, text: str) -> Iterator[tuple[int, int]]:
        """[start, end) pieces covering `text`, in order: each line holding a
        character beyond ASCII on its own (with its line break), the lines
        between them together, joined where a cut would not be safe."""
        start = 0
        n = len(text)
        pos = 0
        while True:
            m = _BEYOND_ASCII.search(text, pos)
            if m is None:
                break
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.start()) + 1 or n
            for cut in (line_start, line_end):
                if start < cut < n and self._safe(text, cut):
                    yield start, cut
                    start = cut
            pos = line_end
            if pos >= n:
                break
        yield start, n

    def _safe(self, text: str, cut: int) -> bool:
        """Whether no match can run across `cut` (just after a line break)."""
        if not self._before_space:
            return True
        # back over the run of white space (as folded) holding the line break
        i = cut - 1
        while i >= 0 and _folded(text[i]).isspace():
            i -= 1
        # the end of the word before it, folded, as long as the longest part
        word = ""
        while i >= 0 and len(word) <= self._longest:
            piece = _folded(text[i])
            if piece.isspace():
                break
            if any(ch.isspace() for ch in piece):
                return False  # a character folded into white space and more: do not guess
            word = piece + word
            i -= 1
        return not any(word.endswith(part) for part in self._before_space)
