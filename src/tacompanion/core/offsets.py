"""Carrying `[start, end)` spans from one version of a text to the next.

Used when a transcript is replaced by a corrected file: a coding keeps its
place only when the exact text it covers is still there, unchanged, at a
position the diff can vouch for. Anything else is reported, never moved by
guesswork.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Block:
    """`length` characters equal in both texts, from `old` and from `new`."""

    old: int
    new: int
    length: int


def equal_blocks(old: str, new: str) -> list[Block]:
    """Stretches the two texts share, in order, found line by line first and
    then character by character inside changed lines (fast on long texts)."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_starts = _starts(old_lines)
    new_starts = _starts(new_lines)
    blocks: list[Block] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        o1, o2 = old_starts[i1], old_starts[i2]
        n1, n2 = new_starts[j1], new_starts[j2]
        if tag == "equal":
            blocks.append(Block(o1, n1, o2 - o1))
        elif tag == "replace":
            inner = SequenceMatcher(None, old[o1:o2], new[n1:n2], autojunk=False)
            for a, b, size in inner.get_matching_blocks():
                if size:
                    blocks.append(Block(o1 + a, n1 + b, size))
    return _merge(blocks)


def _starts(lines: list[str]) -> list[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


def _merge(blocks: list[Block]) -> list[Block]:
    merged: list[Block] = []
    for b in blocks:
        if merged:
            last = merged[-1]
            if last.old + last.length == b.old and last.new + last.length == b.new:
                merged[-1] = Block(last.old, last.new, last.length + b.length)
                continue
        merged.append(b)
    return merged


def map_span(blocks: list[Block], start: int, end: int) -> tuple[int, int] | None:
    """The span's place in the new text, or None unless it lies wholly in one
    unchanged stretch (so the text it covers is exactly the same)."""
    i = bisect_right([b.old for b in blocks], start) - 1
    if i < 0:
        return None
    b = blocks[i]
    if start >= b.old and end <= b.old + b.length:
        shift = b.new - b.old
        return start + shift, end + shift
    return None
