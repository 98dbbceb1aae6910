"""Quotes: how an extract is attributed, and which extracts a report quotes.

Pure: works on any extracts with `participant`, `kind` ("transcript" or
"notes"), `text` and `codes` (each with `code_id` and `starred`), such as
store.thematic.Extract.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tacompanion.core.transcript import natural_key

QUOTES_PER_THEME = 3  # when none is starred
# A quote that reads well in a paper: long enough to say something, short
# enough not to fill the page. Extracts outside this range are picked last.
GOOD_WORDS = (8, 80)


def one_line(text: str) -> str:
    return " ".join(text.split())


def attribution(participant: str, kind: str) -> str:
    """'(P3)', or '(P3, interview notes)' for what the interviewer wrote down."""
    return f"({participant}, interview notes)" if kind == "notes" else f"({participant})"


_INNER = str.maketrans({'"': "'", "\u201c": "\u2018", "\u201d": "\u2019"})


def quote_text(text: str, participant: str, kind: str = "transcript") -> str:
    """'"We sat in silence." (P3)': the clipboard's and the report's form.
    Whitespace (paragraphs too) becomes single spaces, and double quotes
    inside the extract become single ones, as a quote within a quote is written."""
    return f'"{one_line(text).translate(_INNER)}" {attribution(participant, kind)}'


def is_starred(extract: Any, code_ids: set[int]) -> bool:
    return any(c.starred and c.code_id in code_ids for c in extract.codes)


def words_in(extract: Any) -> int:
    return len(extract.text.split())


def words_estimated(extract: Any) -> int:
    """An extract's length in words from its span alone (about 6 characters a
    word with its space), for choosing before the texts are read."""
    return (extract.end - extract.start + 1) // 6


def choose_quotes(
    extracts: Sequence[Any], code_ids: set[int], limit: int = QUOTES_PER_THEME,
    words: Callable[[Any], int] = words_in,
) -> tuple[list[Any], bool]:
    """(the quotes, whether they are the starred ones). Starred extracts of
    these codes, all of them, when there are any; else up to `limit`
    representative ones: one per participant before a second from anyone.
    An extract is better when it comes from a transcript rather than notes,
    then when its length reads well (GOOD_WORDS), then when it comes earlier;
    participants whose best extract is better come first, then those with
    more extracts, then by pseudonym."""
    mine = [e for e in extracts if any(c.code_id in code_ids for c in e.codes)]
    starred = [e for e in mine if is_starred(e, code_ids)]
    if starred:
        return starred, True
    by_person: dict[str, list[Any]] = {}
    for e in mine:
        by_person.setdefault(e.participant, []).append(e)

    def badness(e: Any) -> tuple[int, int]:
        n = words(e)
        lo, hi = GOOD_WORDS
        off = lo - n if n < lo else n - hi if n > hi else 0
        return (e.kind != "transcript", off)

    # stable sorts: document order among equally good extracts
    queues = [sorted(found, key=badness) for found in by_person.values()]
    queues.sort(key=lambda q: (badness(q[0]), -len(q), natural_key(q[0].participant)))
    chosen: list[Any] = []
    round_ = 0
    while len(chosen) < limit and any(round_ < len(q) for q in queues):
        for q in queues:
            if round_ < len(q) and len(chosen) < limit:
                chosen.append(q[round_])
        round_ += 1
    return chosen, False
