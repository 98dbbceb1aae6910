"""Choosing a theme's quotes from extracts that arrive one at a time.

`QuotePicker` gives exactly what `core.quotes.choose_quotes` gives for the
same extracts in the same order, but keeps only what can still be chosen:
the starred extracts, and for each participant how many extracts they have
and their `limit` best ones. The report feeds it a whole study's extracts
document by document (150,000 on a large study) without holding them.

Pure: works on any extracts with `participant`, `kind` and `codes` (each with
`code_id` and `starred`), and whatever `words` reads (by default the text).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Iterable
from typing import Any

from tacompanion.core.quotes import GOOD_WORDS, QUOTES_PER_THEME, words_in
from tacompanion.core.transcript import natural_key


class QuotePicker:
    """`add` each extract in order, then `chosen()`: (the quotes, whether they
    are the starred ones), as choose_quotes(all the extracts, code_ids, limit, words)."""

    def __init__(self, code_ids: Iterable[int], limit: int = QUOTES_PER_THEME,
                 words: Callable[[Any], int] = words_in) -> None:
        self.code_ids = set(code_ids)
        self.limit = limit
        self.words = words
        self.starred: list[Any] = []
        # participant -> [how many extracts, their best: sorted (badness, arrival, extract)]
        self._people: dict[str, list] = {}
        self._arrived = 0

    def _badness(self, e: Any) -> tuple[bool, int]:
        n = self.words(e)
        lo, hi = GOOD_WORDS
        return (e.kind != "transcript", lo - n if n < lo else n - hi if n > hi else 0)

    def add(self, e: Any) -> None:
        ids = self.code_ids
        mine = starred = False
        for c in e.codes:
            if c.code_id in ids:
                mine = True
                if c.starred:
                    starred = True
                    break
        if not mine:
            return
        if starred:
            self.starred.append(e)
            return
        if self.starred or self.limit <= 0:  # the starred ones win; the rest cannot be chosen
            return
        self._arrived += 1
        person = self._people.get(e.participant)
        if person is None:
            person = self._people[e.participant] = [0, []]
        person[0] += 1
        best = person[1]
        item = (self._badness(e), self._arrived, e)
        # Arrival (never equal) breaks ties, as choose_quotes' stable sort keeps document order.
        if len(best) < self.limit:
            insort(best, item)
        elif item[0] < best[-1][0]:
            insort(best, item)
            best.pop()

    def chosen(self) -> tuple[list[Any], bool]:
        if self.starred:
            return list(self.starred), True
        # (badness of the best, how many, pseudonym), stable over first arrival
        queues = [(count, [e for _, _, e in best]) for count, best in self._people.values()]
        queues.sort(key=lambda q: (self._badness(q[1][0]), -q[0], natural_key(q[1][0].participant)))
        chosen: list[Any] = []
        round_ = 0
        # Each round before the limit takes one from some queue, so no round
        # reaches past the `limit` best kept for each participant.
        while len(chosen) < self.limit and any(round_ < len(q) for _, q in queues):
            for _, q in queues:
                if round_ < len(q) and len(chosen) < self.limit:
                    chosen.append(q[round_])
            round_ += 1
        return chosen, False
