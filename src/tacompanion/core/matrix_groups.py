"""Rows of the participants x themes matrix grouped by an attribute
(profession, site): per group, its participants, and per theme how many of
them have it with the prevalence label counted within the group. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tacompanion.core.attributes import group_key
from tacompanion.core.prevalence import PrevalenceRow, labeller
from tacompanion.core.transcript import natural_key

NOT_SET = "(not set)"


@dataclass(frozen=True)
class MatrixGroup:
    label: str  # the attribute's value, or "(not set)"
    participants: tuple[tuple[int, str], ...]  # (id, pseudonym)
    counts: dict[int, tuple[int, str | None]]  # theme id -> (participants with it, label within the group)

    @property
    def size(self) -> int:
        return len(self.participants)


def group_rows(
    participants: Sequence[tuple[int, str]],
    themes: Sequence[int],
    cells: Mapping[tuple[int, int], int],
    values: Mapping[int, object],
    rule: Sequence[PrevalenceRow],
) -> list[MatrixGroup]:
    """The matrix's participants grouped by `values` (participant id ->
    value). Groups in natural order of their label, '(not set)' last; within
    a group the participants keep their order."""
    members: dict[str, list[tuple[int, str]]] = {}
    for pid, name in participants:
        members.setdefault(group_key(values.get(pid)), []).append((pid, name))
    order = sorted(members, key=lambda k: (k == NOT_SET, natural_key(k)))
    out = []
    for key in order:
        people = members[key]
        label_of = labeller(len(people), tuple(rule))
        counts = {}
        for tid in themes:
            n = sum(1 for pid, _ in people if cells.get((pid, tid)))
            counts[tid] = (n, label_of(n))
        out.append(MatrixGroup(key, tuple(people), counts))
    return out
