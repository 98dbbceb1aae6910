"""Counting codings up the theme tree: codings, extracts, participants, label.

Pure: given the codings (already limited to the data in analysis: no pilots)
and the tree, returns counts for every code and theme. A theme counts its own
codes and all its subthemes' codes; an extract is a distinct coded span of a
document, so one extract carrying two codes of a theme counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tacompanion.core.prevalence import DEFAULT_RULE, PrevalenceRow, labeller


@dataclass(frozen=True)
class CodingFact:
    code_id: int
    document: tuple[str, int]  # ("t", transcript id) or ("n", note id)
    start: int
    end: int
    participant_id: int


@dataclass
class Tally:
    codings: int = 0
    extracts: set = field(default_factory=set)
    participants: set = field(default_factory=set)

    def add(self, fact: CodingFact) -> None:
        self.codings += 1
        self.extracts.add((fact.document, fact.start, fact.end))
        self.participants.add(fact.participant_id)

    def merge(self, other: Tally) -> None:
        self.codings += other.codings
        self.extracts |= other.extracts
        self.participants |= other.participants


@dataclass(frozen=True)
class Counts:
    codings: int
    extracts: int
    participants: int
    label: str | None


def tally(
    facts: Iterable[CodingFact],
    code_theme: dict[int, int | None],
    theme_parent: dict[int, int | None],
    total_participants: int,
    rule: tuple[PrevalenceRow, ...] | list[PrevalenceRow] = DEFAULT_RULE,
) -> tuple[dict[int, Counts], dict[int, Counts]]:
    """(counts per code id, counts per theme id) for every code and theme given."""
    facts = list(facts)
    owner = {f.document: f.participant_id for f in facts}
    rows = [(f.code_id, f.document, f.start, f.end) for f in facts]
    return tally_rows(rows, owner, code_theme, theme_parent, total_participants, rule)


def tally_rows(
    rows: Iterable[tuple[int, object, int, int]],
    owner: dict,
    code_theme: dict[int, int | None],
    theme_parent: dict[int, int | None],
    total_participants: int,
    rule: tuple[PrevalenceRow, ...] | list[PrevalenceRow] = DEFAULT_RULE,
) -> tuple[dict[int, Counts], dict[int, Counts]]:
    """`tally` over plain tuples (code id, document, start, end), with `owner`
    giving each document's participant: the same counts without building a
    CodingFact per coding (the thematic map counts 20,000 codings each time)."""
    found = code_sets(rows, owner)
    # the codes in the order given, then any other code the rows hold
    per_code = {c: found.pop(c, None) or [0, set(), set()] for c in code_theme}
    per_code.update(found)
    per_theme: dict[int, list] = {t: [0, set(), set()] for t in theme_parent}
    for code_id, home in code_theme.items():
        mine = per_code[code_id]
        for theme_id in theme_chain(home, theme_parent):
            t = per_theme.get(theme_id)
            if t is None:
                t = per_theme[theme_id] = [0, set(), set()]
            add_sets(t, mine)
    label_of = labeller(total_participants, rule)

    def counts(t: list) -> Counts:
        n = len(t[2])
        return Counts(t[0], len(t[1]), n, label_of(n))

    return (
        {c: counts(t) for c, t in per_code.items()},
        {t: counts(v) for t, v in per_theme.items()},
    )


# -- the pieces, for tallies kept up to date one code or theme at a time (store/tallies.py)


def code_sets(rows: Iterable[tuple[int, object, int, int]], owner: dict) -> dict[int, list]:
    """Per code id: [codings, set of extracts, set of participants], from rows
    (code id, document, start, end) and `owner` (document -> participant)."""
    per_code: dict[int, list] = {}
    for code_id, document, start, end in rows:
        t = per_code.get(code_id)
        if t is None:
            t = per_code[code_id] = [0, set(), set()]
        t[0] += 1
        t[1].add((document, start, end))
        t[2].add(owner[document])
    return per_code


def add_sets(into: list, other: list) -> None:
    """Add one [codings, extracts, participants] to another (extracts and
    participants as unions: what two codes share counts once)."""
    into[0] += other[0]
    into[1] |= other[1]
    into[2] |= other[2]


def theme_chain(theme_id: int | None, theme_parent: dict[int, int | None]) -> list[int]:
    """A theme and the themes above it, nearest first (a cycle stops the walk)."""
    chain: list[int] = []
    seen: set[int] = set()
    while theme_id is not None and theme_id not in seen:
        seen.add(theme_id)
        chain.append(theme_id)
        theme_id = theme_parent.get(theme_id)
    return chain


def sizes(sets: list) -> tuple[int, int, int]:
    """(codings, extracts, participants) of a [codings, extracts, participants]."""
    return sets[0], len(sets[1]), len(sets[2])
