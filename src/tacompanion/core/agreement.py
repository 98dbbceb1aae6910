"""Intercoder agreement between two coders, code by code. Pure: spans in,
figures out.

Definitions (the same in docs/teams.md and in `agreement --json`):
- unit "characters" (the default, as in NVivo's coding comparison): every
  code point of every non-pilot document in the analysis scope;
  unit "turns": a participant turn or a note, coded when any coding of the
  code overlaps it.
- for each code, each unit is coded by A or not and by B or not: four counts,
  both, A only, B only, neither (n = their sum);
- agreement = (both + neither) / n;
- overlap = both / (both + A only + B only): agreement where either coder
  coded, which long uncoded stretches cannot inflate;
- Cohen's kappa = (po - pe) / (1 - pe), po = agreement,
  pe = pA * pB + (1 - pA)(1 - pB), pA = (both + A only) / n, pB likewise;
- Krippendorff's alpha, nominal, two coders, no missing values:
  alpha = 1 - (2n - 1) * (A only + B only) / (n0 * n1), where n1 = the
  number of "coded" values over both coders (2 both + A only + B only) and
  n0 = 2n - n1;
- overall: the same figures with the four counts summed over all codes.
Kappa and alpha are None where they are undefined (pe = 1; n0 or n1 = 0);
agreement is None when n = 0 and overlap when neither coder coded.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

UNITS = ("characters", "turns")

DEFINITIONS = {
    "characters": "every code point of every non-pilot document in the analysis scope",
    "turns": "a participant turn or a note, coded when any coding of the code overlaps it",
    "agreement": "(both + neither) / n",
    "overlap": "both / (both + a_only + b_only)",
    "kappa": "Cohen's kappa: (po - pe) / (1 - pe), pe = pA*pB + (1 - pA)(1 - pB)",
    "alpha": "Krippendorff's alpha, nominal, two coders: 1 - (2n - 1)(a_only + b_only) / (n0 * n1)",
    "overall": "the same figures with both, a_only, b_only and neither summed over all codes",
}


@dataclass(frozen=True)
class UnitCounts:
    """For one code: how many units both coders coded, A only, B only, neither."""

    both: int = 0
    a_only: int = 0
    b_only: int = 0
    neither: int = 0

    @property
    def n(self) -> int:
        return self.both + self.a_only + self.b_only + self.neither

    @property
    def a(self) -> int:
        return self.both + self.a_only

    @property
    def b(self) -> int:
        return self.both + self.b_only

    def __add__(self, other: UnitCounts) -> UnitCounts:
        return UnitCounts(self.both + other.both, self.a_only + other.a_only,
                          self.b_only + other.b_only, self.neither + other.neither)


def agreement(c: UnitCounts) -> float | None:
    return (c.both + c.neither) / c.n if c.n else None


def overlap(c: UnitCounts) -> float | None:
    coded = c.both + c.a_only + c.b_only
    return c.both / coded if coded else None


def cohen_kappa(c: UnitCounts) -> float | None:
    if not c.n:
        return None
    po = (c.both + c.neither) / c.n
    pa, pb = c.a / c.n, c.b / c.n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1:
        return None
    return (po - pe) / (1 - pe)


def krippendorff_alpha(c: UnitCounts) -> float | None:
    n1 = 2 * c.both + c.a_only + c.b_only
    n0 = 2 * c.n - n1
    if not c.n or n0 == 0 or n1 == 0:
        return None
    return 1 - (2 * c.n - 1) * (c.a_only + c.b_only) / (n0 * n1)


def figures(c: UnitCounts) -> dict[str, float | None]:
    return {"agreement": agreement(c), "overlap": overlap(c), "kappa": cohen_kappa(c),
            "alpha": krippendorff_alpha(c)}


# -- spans ------------------------------------------------------------------------------


def merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans as disjoint, sorted runs (overlapping or touching ones joined)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if s >= e:
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def covered(runs: Sequence[tuple[int, int]]) -> int:
    return sum(e - s for s, e in runs)


def intersection(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """How many positions two lists of disjoint sorted runs share."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            total += e - s
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def character_counts(length: int, a_spans: Iterable[tuple[int, int]],
                     b_spans: Iterable[tuple[int, int]]) -> UnitCounts:
    """The four counts over one document of `length` code points."""
    a, b = merged(a_spans), merged(b_spans)
    both = intersection(a, b)
    in_a, in_b = covered(a), covered(b)
    return UnitCounts(both, in_a - both, in_b - both, length - in_a - in_b + both)


def _touched(units: Sequence[tuple[int, int]], runs: Sequence[tuple[int, int]]) -> set[int]:
    """Indexes of the units that any run overlaps (units sorted by start)."""
    starts = [u[0] for u in units]
    hit: set[int] = set()
    for s, e in runs:
        i = max(bisect_left(starts, s) - 1, 0)
        while i < len(units) and units[i][0] < e:
            us, ue = units[i]
            if us < e and s < ue:
                hit.add(i)
            i += 1
    return hit


def turn_counts(units: Sequence[tuple[int, int]], a_spans: Iterable[tuple[int, int]],
                b_spans: Iterable[tuple[int, int]]) -> UnitCounts:
    """The four counts over the units (turns or notes) of one document."""
    units = sorted(u for u in units if u[0] < u[1])
    a, b = _touched(units, merged(a_spans)), _touched(units, merged(b_spans))
    both = len(a & b)
    return UnitCounts(both, len(a) - both, len(b) - both, len(units) - len(a | b))


# -- disagreements ------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """A stretch of one document where the two coders coded a code differently:
    overlapping codings of either coder, grouped, whose spans differ."""

    document: object  # the caller's key for the document
    start: int  # the stretch: from the first to the last coded position of the group
    end: int
    a: tuple[tuple[int, int], ...]  # A's spans in it (as coded)
    b: tuple[tuple[int, int], ...]
    size: int  # code points coded by one coder only


def disagreements(document: object, a_spans: Iterable[tuple[int, int]],
                  b_spans: Iterable[tuple[int, int]]) -> list[Disagreement]:
    """The groups of overlapping codings (of either coder) in which the two
    coders' spans differ, in text order."""
    tagged = sorted([(s, e, "a") for s, e in set(a_spans)] + [(s, e, "b") for s, e in set(b_spans)])
    groups: list[list] = []
    for s, e, who in tagged:
        if groups and s < groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], e)
            groups[-1][2].append((s, e, who))
        else:
            groups.append([s, e, [(s, e, who)]])
    out = []
    for start, end, members in groups:
        a = tuple(sorted((s, e) for s, e, w in members if w == "a"))
        b = tuple(sorted((s, e) for s, e, w in members if w == "b"))
        if merged(a) == merged(b):
            continue
        ma, mb = merged(a), merged(b)
        both = intersection(ma, mb)
        out.append(Disagreement(document, start, end, a, b, covered(ma) + covered(mb) - 2 * both))
    return out


def worst_first_key(code_name: str, c: UnitCounts) -> tuple:
    """Order codes worst first: lowest kappa (undefined last), then lowest overlap."""
    k, o = cohen_kappa(c), overlap(c)
    return (k is None, k if k is not None else 0.0, o if o is not None else 1.0, code_name.casefold())
