"""Fuzzy matching for pickers: the code picker, the theme picker, question jumps.

A candidate matches when the query's characters appear in it in order
(case-insensitive). Better matches score higher: the whole name, then a
prefix, then a run at a word start, then a plain substring, then scattered
characters, with fewer and shorter gaps preferred.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    index: int  # position in the candidates given
    text: str
    score: float
    positions: tuple[int, ...]  # matched character positions, for highlighting


def _word_starts(text: str) -> set[int]:
    return {i for i, ch in enumerate(text) if ch.isalnum() and (i == 0 or not text[i - 1].isalnum())}


def score(query: str, candidate: str) -> tuple[float, tuple[int, ...]] | None:
    """The match score of `candidate` for `query`, or None when it does not match."""
    q = query.casefold().strip()
    c = candidate.casefold()
    if not q:
        return 0.0, ()
    if c == q:
        return 1000.0, tuple(range(len(c)))
    starts = _word_starts(c)
    found = c.find(q)
    if found >= 0:
        positions = tuple(range(found, found + len(q)))
        if found == 0:
            return 900.0 - len(c) / 100, positions
        bonus = 800.0 if found in starts else 700.0
        return bonus - found - len(c) / 100, positions
    # Scattered characters: greedy, preferring word starts.
    positions: list[int] = []
    i = 0
    for ch in q:
        if ch == " ":
            continue
        nxt = c.find(ch, i)
        if nxt < 0:
            return None
        # Prefer a word start ahead, if the same character begins a word soon.
        for s in sorted(starts):
            if s >= nxt and c[s] == ch and s - nxt <= 8:
                nxt = s
                break
        positions.append(nxt)
        i = nxt + 1
    gaps = sum(b - a - 1 for a, b in zip(positions, positions[1:]))
    at_starts = sum(1 for p in positions if p in starts)
    return 500.0 + 10 * at_starts - gaps - positions[0] - len(c) / 100, tuple(positions)


def rank(query: str, candidates: Sequence[str] | Iterable[str], limit: int | None = None) -> list[Match]:
    """The matching candidates, best first (ties keep the given order)."""
    matches = []
    for index, text in enumerate(candidates):
        result = score(query, text)
        if result is not None:
            matches.append(Match(index, text, result[0], result[1]))
    matches.sort(key=lambda m: (-m.score, m.index))
    return matches[:limit] if limit is not None else matches
