"""Redacting a long text a line at a time, with exactly the result of
redacting it whole.

`core.redaction.Redactor` compares finds with the text case-folded character
by character; a text that is all ASCII is folded at once, but one with a
single "é" is folded in Python a character at a time, with a list of where
each folded character came from: for the 23 MB of a large study's answers by
question, seconds and gigabytes. `PiecewiseRedactor` gives the same spans
and the same text, but hands the Redactor the lines with characters beyond
ASCII on their own, and the ASCII lines between them together, and none of
them where no find's first word is found (folded at once, in C).

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
from unicodedata import combining

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
        # the first literal part of each find: every match begins with it
        self._firsts = sorted({_SPACE.split(f)[0] for f in finds})
        self._sift = all(first and not any(combining(ch) for ch in first) for first in self._firsts)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        whole = super().spans
        if not self or self._whole:
            return whole(text)
        out: list[tuple[int, int, str]] = []
        for start, end in self.pieces(text):
            piece = text if start == 0 and end == len(text) else text[start:end]
            if self._may_match(piece):
                out.extend((s + start, e + start, r) for s, e, r in whole(piece))
        return out

    def _may_match(self, text: str) -> bool:
        """False only when no find can match in `text`: none's first literal
        part is in the text folded. Folded whole (quick) rather than a
        character at a time as the Redactor folds: the two differ only in
        the order of combining marks after a letter, and a first part
        without combining marks is found in both or in neither."""
        if not self._sift:
            return True
        folded = text.lower() if text.isascii() else fold(text)
        return any(first in folded for first in self._firsts)

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

    def stream(self, pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
        """The concatenation of `pieces` redacted, as it comes: the same text
        as redacting it whole, given out a part at a time (cut where
        `pieces()` could cut), so that a long export never holds it all."""
        if not self:
            yield from pieces
            return
        pending: list[str] = []
        length = 0
        whole = True  # what is pending starts the text
        for piece in pieces:
            pending.append(piece)
            length += len(piece)
            if length < size or self._whole:
                continue
            text = "".join(pending)
            cut = self._last_cut(text, whole)
            if cut > 0:
                yield self(text[:cut])
                text = text[cut:]
                whole = False
            pending, length = [text], len(text)
        yield self("".join(pending))

    def _last_cut(self, text: str, whole: bool, tries: int = 64) -> int:
        """The last place after a line break where `text` may be cut, or 0."""
        end = len(text)
        for _ in range(tries):
            nl = text.rfind("\n", 0, end)
            if nl < 0:
                break
            if self._safe(text, nl + 1, whole):
                return nl + 1
            end = nl
        return 0

    def _safe(self, text: str, cut: int, whole: bool = True) -> bool:
        """Whether no match can run across `cut` (just after a line break).
        `whole`: `text` starts the text; else what came before it is not
        known, and a cut whose test would look back past it is not made."""
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
        if i < 0 and not whole:
            return False
        return not any(word.endswith(part) for part in self._before_space)
