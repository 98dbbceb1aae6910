"""Saturation: how many new codes each interview brought, and whether the
data reached saturation under Guest, Namey & Chen's (2020) stopping rule.

Pure: given the documents already in interview order (pilots left out) and the
codes applied in each, returns the curve and the verdict.

The stopping rule, as we read Guest et al. 2020 (PLoS ONE 15(5): e0232076):
- the *base* is the set of distinct codes of the first `base` documents;
- a *run* is `run` consecutive documents after the base; its new information
  is the number of codes that first appear in it (in no earlier document);
- saturation is reached at the first run whose new information, divided by the
  number of codes in the base, is at most `threshold` (0.05 = 5%).
Runs start right after the base and move forward one document at a time; the
base (the denominator) stays the first `base` documents, as in the paper.
Fewer than base + run documents cannot show saturation (reached is false).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class StoppingRule:
    base: int = 4
    run: int = 2
    threshold: float = 0.05

    def as_setting(self) -> dict:
        return {"base": self.base, "run": self.run, "threshold": self.threshold}

    def describe(self) -> str:
        return (f"base {self.base} documents, runs of {self.run}, new information "
                f"<= {self.threshold:.0%} of the base's codes")


class RuleError(ValueError):
    """A stopping rule that cannot be used, said for the researcher."""


def rule_from_setting(value: object) -> StoppingRule:
    """The rule from the study setting, checked; the default when unset."""
    if value is None:
        return StoppingRule()
    if not isinstance(value, dict):
        raise RuleError("saturation_rule must be an object with base, run and threshold")
    try:
        base = int(value.get("base", 4))
        run = int(value.get("run", 2))
        threshold = float(value.get("threshold", 0.05))
    except (TypeError, ValueError):
        raise RuleError("saturation_rule: base and run are whole numbers, threshold a number") from None
    return make_rule(base, run, threshold)


def parse_share(text: str) -> float:
    """A threshold as typed: a share ("0.05") or a percentage ("5%").
    ValueError when it is neither."""
    text = text.strip()
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def make_rule(base: int, run: int, threshold: float) -> StoppingRule:
    if base < 1:
        raise RuleError("the base size must be 1 or more interviews")
    if run < 1:
        raise RuleError("the run length must be 1 or more interviews")
    if not 0 <= threshold < 1:
        raise RuleError("the threshold is a share between 0 and 1 (0.05 = 5%)")
    return StoppingRule(base, run, threshold)


@dataclass(frozen=True)
class DocumentCodes:
    """One document in interview order, with the codes applied in it."""

    participant: str
    document: str
    date: str | None  # YYYY-MM-DD: the interview's date, else the import date
    codes: frozenset[str]


@dataclass(frozen=True)
class SaturationPoint:
    participant: str
    document: str
    date: str | None
    new_codes: tuple[str, ...]  # codes first applied in this document, sorted
    total_codes: int  # distinct codes so far, this document included


@dataclass(frozen=True)
class RunCheck:
    first: int  # index of the run's first document
    last: int  # index of its last document
    new: int
    ratio: float  # new / base codes


@dataclass(frozen=True)
class Saturation:
    points: tuple[SaturationPoint, ...]
    rule: StoppingRule
    base_codes: int
    runs: tuple[RunCheck, ...]
    reached: bool
    reached_at: int | None  # index of the last document of the first run under the threshold

    def last_share(self, k: int | None = None) -> float | None:
        """The share of all codes that the last k documents brought first
        (k: the run length); None before there are k documents."""
        k = k or self.rule.run
        if len(self.points) < k or not self.points[-1].total_codes:
            return None
        new = sum(len(p.new_codes) for p in self.points[-k:])
        return new / self.points[-1].total_codes

    def verdict(self) -> str:
        if self.reached and self.reached_at is not None:
            p = self.points[self.reached_at]
            run = next(r for r in self.runs if r.last == self.reached_at)
            return (f"Saturation reached at document {self.reached_at + 1} ({p.participant}, {p.document}): "
                    f"{_documents(run)} brought {run.new} new code"
                    f"{'s' if run.new != 1 else ''} ({run.ratio:.0%} of the base's {self.base_codes}).")
        needed = self.rule.base + self.rule.run
        if len(self.points) < needed:
            return (f"Not reached: the rule needs at least {needed} documents "
                    f"({len(self.points)} so far).")
        if not self.base_codes:
            return "Not reached: the base documents have no codes yet."
        best = min(self.runs, key=lambda r: r.ratio)
        return (f"Not reached: the best run ({_documents(best)}) brought "
                f"{best.new} new code{'s' if best.new != 1 else ''}, {best.ratio:.0%} of the base's "
                f"{self.base_codes} (threshold {self.rule.threshold:.0%}).")


def _documents(run: RunCheck) -> str:
    if run.first == run.last:
        return f"document {run.first + 1}"
    return f"documents {run.first + 1}-{run.last + 1}"


def saturation(documents: Sequence[DocumentCodes], rule: StoppingRule = StoppingRule()) -> Saturation:
    seen: set[str] = set()
    points: list[SaturationPoint] = []
    new_counts: list[int] = []
    for d in documents:
        new = sorted(d.codes - seen, key=str.casefold)
        seen |= d.codes
        points.append(SaturationPoint(d.participant, d.document, d.date, tuple(new), len(seen)))
        new_counts.append(len(new))
    base_codes = len(set().union(*(d.codes for d in documents[: rule.base]))) if documents else 0
    runs: list[RunCheck] = []
    reached_at = None
    if base_codes:
        for first in range(rule.base, len(documents) - rule.run + 1):
            last = first + rule.run - 1
            new = sum(new_counts[first: last + 1])
            runs.append(RunCheck(first, last, new, new / base_codes))
            if reached_at is None and new / base_codes <= rule.threshold:
                reached_at = last
    return Saturation(tuple(points), rule, base_codes, tuple(runs), reached_at is not None, reached_at)


def order_documents(rows: Iterable[tuple[str | None, str, DocumentCodes]]) -> list[DocumentCodes]:
    """Documents in the order the interviews happened: by (when, name), where
    `when` is an ISO time (the interview's start, else the import time) and
    ties are broken by the document's name in natural order (T2 before T10)."""
    from tacompanion.core.transcript import natural_key

    return [d for _, _, d in sorted(rows, key=lambda r: (r[0] or "", natural_key(r[1])))]


def chart_lines(result: Saturation, width: int, height: int) -> list[str]:
    """The curve as bars in block characters: one column group per document,
    the bar's full height = codes so far, its top part (▓) = new codes there.
    Fits `width` x `height` cells (axis labels included)."""
    points = result.points
    if not points or height < 3:
        return []
    total = max(p.total_codes for p in points) or 1
    label_w = len(str(total)) + 1
    n = len(points)
    slot = max(1, min(4, (width - label_w) // max(1, n)))
    bar_w = max(1, slot - 1) if slot > 1 else 1
    shown = min(n, (width - label_w) // slot)
    rows = height - 1
    lines = []
    for r in range(rows, 0, -1):
        level = total * r / rows
        below = total * (r - 1) / rows
        cells = []
        for p in points[-shown:] if shown < n else points:
            old = p.total_codes - len(p.new_codes)
            if p.total_codes >= level:
                ch = "▓" if old < level else "█"
            elif p.total_codes > below:
                ch = "▄" if old >= p.total_codes else "▃"
            else:
                ch = " "
            cells.append(ch * bar_w + " " * (slot - bar_w))
        axis = str(total) if r == rows else ("0" if r == 1 and total == 0 else "")
        lines.append(f"{axis:>{label_w - 1}}│" + "".join(cells).rstrip())
    first = n - shown + 1 if shown < n else 1
    numbers = "".join(f"{i:<{slot}}" if len(str(i)) <= slot else "·" * slot
                      for i in range(first, n + 1))
    lines.append(" " * (label_w - 1) + "└" + numbers.rstrip())
    return lines
