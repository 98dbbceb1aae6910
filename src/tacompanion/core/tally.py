"""Counting codings up the theme tree: codings, extracts, participants, label.

Pure: given the codings (already limited to the data in analysis: no pilots)
and the tree, returns counts for every code and theme. A theme counts its own
codes and all its subthemes' codes; an extract is a distinct coded span of a
document, so one extract carrying two codes of a theme counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tacompanion.core.prevalence import DEFAULT_RULE, PrevalenceRow, label


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
    per_code: dict[int, Tally] = {c: Tally() for c in code_theme}
    for fact in facts:
        per_code.setdefault(fact.code_id, Tally()).add(fact)
    per_theme: dict[int, Tally] = {t: Tally() for t in theme_parent}
    for code_id, theme_id in code_theme.items():
        seen: set[int] = set()
        while theme_id is not None and theme_id not in seen:
            seen.add(theme_id)
            per_theme.setdefault(theme_id, Tally()).merge(per_code[code_id])
            theme_id = theme_parent.get(theme_id)

    def counts(t: Tally) -> Counts:
        n = len(t.participants)
        return Counts(t.codings, len(t.extracts), n, label(n, total_participants, rule))

    return (
        {c: counts(t) for c, t in per_code.items()},
        {t: counts(v) for t, v in per_theme.items()},
    )
