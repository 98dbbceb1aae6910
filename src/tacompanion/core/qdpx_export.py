"""The pure pieces of a REFI-QDA export (.qdpx): stable GUIDs, a text after
redaction with the means to carry positions over, and the interview-notes
text that carries a whole interview's notes as one source. core/qdpx.py
re-exports them (an import derives GUIDs the same way).

A module of its own, without dataclasses, so that an export does not load
the import's machinery (core/qdpx.py's many dataclasses, and the
dataclasses module itself: ~13 ms of an export's start).

Positions are `[start, end)` in code points, as everywhere in tacompanion.
No I/O here.
"""

from __future__ import annotations

import hashlib
import uuid
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from tacompanion.core.redaction import Redactor

# -- GUIDs ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _namespace_bytes(study_uuid: str) -> bytes:
    try:
        return uuid.UUID(study_uuid).bytes
    except (ValueError, TypeError, AttributeError):
        return uuid.uuid5(uuid.NAMESPACE_URL, f"tacompanion:{study_uuid}").bytes


@lru_cache(maxsize=64)
def namespace_hash(study_uuid: str):
    return hashlib.sha1(_namespace_bytes(study_uuid))


# The RFC 4122 variant set on a hex digit (uuid5's byte 8 keeps its low six bits).
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def guid_from_sha1_hex(x: str) -> str:
    """A uuid5 as `uuid.uuid5` writes it, from the SHA-1 hexdigest of its
    namespace's bytes and name: the first 16 bytes, with the version (5) and
    the RFC 4122 variant set."""
    return f"{x[:8]}-{x[8:12]}-5{x[13:16]}-{_VARIANT[x[16]]}{x[17:20]}-{x[20:32]}"


def derived_guid(study_uuid: str, *parts: str) -> str:
    """A deterministic GUID for something without a row of its own (a coder,
    a selection, an interview's notes source): uuid5 in the study's namespace
    (computed as `uuid.uuid5` does, without its object overhead: an export
    makes one per selection)."""
    h = namespace_hash(study_uuid).copy()
    h.update("\x1f".join(parts).encode("utf-8"))
    return guid_from_sha1_hex(h.hexdigest())


# -- redaction --------------------------------------------------------------------------


class Replacement(NamedTuple):
    old_start: int
    old_end: int
    new_start: int
    new_end: int


class RedactedText:
    """A text after replacements, with the means to carry positions over
    (a value: not changed once made)."""

    __slots__ = ("text", "replacements", "_old_starts")

    def __init__(self, text: str, replacements: tuple[Replacement, ...]) -> None:
        self.text = text
        self.replacements = replacements
        self._old_starts = [r.old_start for r in replacements]

    def __repr__(self) -> str:
        return f"RedactedText(text={self.text!r}, replacements={self.replacements!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RedactedText):
            return NotImplemented
        return (self.text, self.replacements) == (other.text, other.replacements)

    def __hash__(self) -> int:
        return hash((self.text, self.replacements))

    def map_start(self, pos: int) -> int:
        """Where a span starting at `pos` starts now: inside a replaced run it
        starts where the replacement starts."""
        i = bisect_right(self._old_starts, pos) - 1
        if i < 0:
            return pos
        r = self.replacements[i]
        if pos < r.old_end:
            return r.new_start
        return pos + (r.new_end - r.old_end)

    def map_end(self, pos: int) -> int:
        """Where a span ending at `pos` (exclusive) ends now: ending inside a
        replaced run, it takes in the whole replacement."""
        i = bisect_right(self._old_starts, pos - 1) - 1 if pos > 0 else -1
        if i < 0:
            return pos
        r = self.replacements[i]
        if pos <= r.old_end:
            return r.new_end if pos > r.old_start else r.new_start
        return pos + (r.new_end - r.old_end)

    def map_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The span in the new text, or None when nothing of it is left (a
        span wholly inside a run replaced by nothing)."""
        s, e = self.map_start(start), self.map_end(end)
        return (s, e) if s < e else None


def redaction_pattern(rules: Iterable[tuple[str, str]]) -> Redactor:
    """The redaction list ready to apply, with the same rules as every other
    export (core/redaction.py: any case, any normalisation form, whole words
    with a genitive)."""
    return Redactor(rules)


def redact(text: str, rules: Iterable[tuple[str, str]] | Redactor) -> RedactedText:
    """`text` with every occurrence of each `find` replaced, left to right,
    without overlaps; and the runs replaced, to remap positions."""
    redactor = rules if isinstance(rules, Redactor) else Redactor(rules)
    return redacted_from_spans(text, redactor.spans(text))


def redacted_from_spans(text: str, spans: list[tuple[int, int, str]]) -> RedactedText:
    """`text` with the (start, end, replacement) spans a Redactor found in it
    replaced, and the runs replaced to carry positions over."""
    if not spans:
        return RedactedText(text, ())
    out: list[str] = []
    reps: list[Replacement] = []
    last = new_pos = 0
    for start, end, replacement in spans:
        out.append(text[last:start])
        new_pos += start - last
        out.append(replacement)
        reps.append(Replacement(start, end, new_pos, new_pos + len(replacement)))
        new_pos += len(replacement)
        last = end
    out.append(text[last:])
    return RedactedText("".join(out), tuple(reps))


# -- an interview's notes as one text ---------------------------------------------------

NOTES_KINDS = ("note", "quote", "follow-up")
NOTES_SEPARATOR = "\n\n"


def _clock(ms: int | None) -> str:
    if ms is None:
        return "--:--:--"
    seconds = max(ms, 0) // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def join_notes(notes: Sequence[tuple[str, int | None, str]]) -> tuple[str, list[int]]:
    """One text for an interview's notes, each as `[h:mm:ss] kind` on a line
    of its own then its text, blocks separated by a blank line; and where
    each note's text starts in it (codings on notes shift by that)."""
    pieces: list[str] = []
    starts: list[int] = []
    pos = 0
    for kind, elapsed_ms, text in notes:
        if pieces:
            pieces.append(NOTES_SEPARATOR)
            pos += len(NOTES_SEPARATOR)
        header = f"[{_clock(elapsed_ms)}] {kind if kind in NOTES_KINDS else 'note'}\n"
        pieces.append(header)
        pos += len(header)
        starts.append(pos)
        pieces.append(text)
        pos += len(text)
    return "".join(pieces), starts
