"""Spans of text: `[start, end)` offsets in code points (Python string indices).

Selection moves by word and by sentence inside one segment. Offsets always
come from the stored text, never from screen columns, so wide characters
(CJK), emoji and combining accents select exactly the characters shown.

A word is a run of non-space characters, except that CJK ideographs and kana,
which are written without spaces, are words of their own. Combining marks
and emoji joiners stay with the character before them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f]+[\"'\u201d\u2019)\]]*")


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"not a span: [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # hiragana, katakana
        or 0x3400 <= o <= 0x4DBF
        or 0x4E00 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2FA1F
        or 0xAC00 <= o <= 0xD7AF  # hangul syllables
    )


def _attaches(ch: str) -> bool:
    """A character that belongs to the one before it: combining marks, joiners,
    variation selectors, emoji skin-tone modifiers."""
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch in "\u200d\ufe0f\ufe0e"
        or 0x1F3FB <= ord(ch) <= 0x1F3FF
    )


def words(text: str, span: Span | None = None) -> list[Span]:
    """The words of `text` (inside `span`, when given), in order."""
    lo, hi = (span.start, span.end) if span else (0, len(text))
    out: list[Span] = []
    i = lo
    while i < hi:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if _is_cjk(ch):
            i += 1
            while i < hi and _attaches(text[i]):
                i += 1
        else:
            i += 1
            while i < hi and not text[i].isspace():
                if _is_cjk(text[i]) and not (i > start and text[i - 1] == "\u200d"):
                    break
                i += 1
        out.append(Span(start, i))
    return out


def sentences(text: str, span: Span | None = None) -> list[Span]:
    """The sentences of `text` (inside `span`), trimmed of surrounding space."""
    lo, hi = (span.start, span.end) if span else (0, len(text))
    out: list[Span] = []
    start = lo
    for match in _SENTENCE_END.finditer(text, lo, hi):
        end = match.end()
        fullwidth = any(c in "\u3002\uff01\uff1f" for c in match.group())
        if end < hi and not text[end].isspace() and not fullwidth:
            continue  # "3.5" or "v1.2": not the end of a sentence
        out.append(Span(start, end))
        start = end
    if start < hi:
        out.append(Span(start, hi))
    trimmed = []
    for s in out:
        a, b = s.start, s.end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            trimmed.append(Span(a, b))
    return trimmed


def first_unit(units: list[Span]) -> Span | None:
    return units[0] if units else None


def extend_forward(selection: Span, units: list[Span]) -> Span:
    """Grow the selection's end to the end of the next unit (word or sentence)."""
    for unit in units:
        if unit.end > selection.end:
            return Span(selection.start, unit.end)
    return selection


def shrink_backward(selection: Span, units: list[Span]) -> Span:
    """Pull the selection's end back by one unit, keeping at least one unit."""
    ends = [u.end for u in units if selection.start < u.end < selection.end]
    return Span(selection.start, ends[-1]) if ends else selection


def move_start_forward(selection: Span, units: list[Span]) -> Span:
    """Drop the first unit of the selection; a one-unit selection moves on to
    the next unit instead, so a single word can be walked along the text."""
    starts = [u.start for u in units if selection.start < u.start < selection.end]
    if starts:
        return Span(starts[0], selection.end)
    following = [u for u in units if u.start >= selection.end]
    return following[0] if following else selection


def move_start_backward(selection: Span, units: list[Span]) -> Span:
    """Take in the unit before the selection's start."""
    starts = [u.start for u in units if u.start < selection.start]
    return Span(starts[-1], selection.end) if starts else selection


def count_touched(segments: list[tuple[int, int]], marks: list[tuple[int, int]]) -> int:
    """How many of the `[start, end)` segments some mark overlaps.

    Linear after sorting: the marks are merged into disjoint runs, and each
    segment looks up the last run that starts before it ends.
    """
    import bisect

    runs: list[list[int]] = []
    for start, end in sorted(marks):
        if runs and start <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    starts = [r[0] for r in runs]
    touched = 0
    for start, end in segments:
        i = bisect.bisect_left(starts, end) - 1  # the last run starting before `end`
        if i >= 0 and runs[i][1] > start:
            touched += 1
    return touched


# -- selecting like a text editor ------------------------------------------------

HINT_ALPHABET = "asdfghjklqwertyuiopzxcvbnm"


def hint_labels(count: int, alphabet: str = HINT_ALPHABET) -> list[str]:
    """`count` distinct labels to type, none the start of another, as short
    as they can be: one letter each while they suffice; else as many one-letter
    labels as leave enough letters to start two-letter ones (the first spans,
    in reading order, get the short labels)."""
    n = len(alphabet)
    if count <= n:
        return list(alphabet[:count])
    if count <= n * n:
        singles = (n * n - count) // (n - 1)
        doubles = [a + b for a in alphabet[singles:] for b in alphabet]
        return list(alphabet[:singles]) + doubles[: count - singles]
    return [a + b + c for a in alphabet for b in alphabet for c in alphabet][:count]


def unit_at(units: list[Span], position: int) -> int | None:
    """Index of the unit holding `position`, else of the first one after it
    (a position in the space between two sentences belongs to the next)."""
    for i, unit in enumerate(units):
        if position < unit.end:
            return i
    return len(units) - 1 if units else None


def covering(selection: Span, units: list[Span]) -> Span:
    """The selection grown to whole units (the sentences it touches)."""
    touched = [u for u in units if u.overlaps(selection) or (len(selection) == 0 and u.contains(selection))]
    if not touched:
        return selection
    return Span(touched[0].start, touched[-1].end)


def next_unit(selection: Span | None, units: list[Span]) -> Span | None:
    """The first unit starting at or after the selection's end (the first
    unit when nothing is selected)."""
    if not units:
        return None
    if selection is None:
        return units[0]
    for unit in units:
        if unit.start >= selection.end:
            return unit
    return None


def previous_unit(selection: Span | None, units: list[Span]) -> Span | None:
    """The last unit ending at or before the selection's start (the last unit
    when nothing is selected)."""
    if not units:
        return None
    if selection is None:
        return units[-1]
    for unit in reversed(units):
        if unit.end <= selection.start:
            return unit
    return None


def extend_to(selection: Span | None, unit: Span, first: Span | None = None) -> Span:
    """Move the selection's end to the end of `unit` (its start, when `unit`
    lies before the selection). Without a selection, from `first` (the
    turn's first word) to `unit`."""
    if selection is None:
        start = first.start if first is not None and first.start <= unit.start else unit.start
        return Span(start, unit.end)
    if unit.end <= selection.start:
        return Span(unit.start, selection.end)
    return Span(selection.start, max(unit.end, selection.start))


def find_all(text: str, needle: str) -> list[Span]:
    """Every place `needle` occurs in `text`, ignoring case, not overlapping."""
    out: list[Span] = []
    needle = needle.casefold()
    if not needle:
        return out
    haystack = text.casefold()
    if len(haystack) != len(text):  # casefolding changed lengths (ß): fall back to lower()
        haystack, needle = text.lower(), needle.lower()
        if len(haystack) != len(text):
            return out
    i = haystack.find(needle)
    while i >= 0:
        out.append(Span(i, i + len(needle)))
        i = haystack.find(needle, i + len(needle))
    return out
