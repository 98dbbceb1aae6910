"""Prevalence in words: how many participants a code or theme rests on.

Thematic-analysis reports describe prevalence with words, not percentages.
A rule is a table of (label, minimum, maximum); bounds are whole numbers or
expressions in N, the number of non-pilot participants with data:
`N`, `N-1`, `half` (N/2 rounded down), `half+1`, `3`. The first row whose
range holds n gives the label. The default, for N = 6: all = 6, most = 4-5,
some = 3, one or two = 1-2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUND = re.compile(r"^\s*(N|half|\d+)\s*(?:([+-])\s*(\d+))?\s*$")


@dataclass(frozen=True)
class PrevalenceRow:
    label: str
    minimum: str
    maximum: str


DEFAULT_RULE: tuple[PrevalenceRow, ...] = (
    PrevalenceRow("all", "N", "N"),
    PrevalenceRow("most", "half+1", "N-1"),
    PrevalenceRow("some", "3", "half"),
    PrevalenceRow("one or two", "1", "2"),
)


class RuleError(ValueError):
    pass


def bound(expression: str, total: int) -> int:
    """The value of a bound such as `N-1` or `half+1` for N = total."""
    match = _BOUND.match(expression)
    if not match:
        raise RuleError(
            f"{expression!r} is not a bound: use a whole number, N, half, or N/half plus or minus a number"
        )
    base, sign, amount = match.groups()
    value = total if base == "N" else total // 2 if base == "half" else int(base)
    if sign:
        value = value + int(amount) if sign == "+" else value - int(amount)
    return value


def check_rule(rows: list[PrevalenceRow] | tuple[PrevalenceRow, ...]) -> None:
    """Raise RuleError for a rule that cannot be read."""
    if not rows:
        raise RuleError("a prevalence rule needs at least one row")
    for row in rows:
        if not row.label.strip():
            raise RuleError("every row of the prevalence rule needs a label")
        bound(row.minimum, 6)
        bound(row.maximum, 6)


def label(n: int, total: int, rule: tuple[PrevalenceRow, ...] | list[PrevalenceRow] = DEFAULT_RULE) -> str | None:
    """The prevalence label for n of `total` participants; None when n is 0."""
    if n <= 0 or total <= 0:
        return None
    for row in rule:
        if bound(row.minimum, total) <= n <= bound(row.maximum, total):
            return row.label
    return None


def labeller(total: int, rule: tuple[PrevalenceRow, ...] | list[PrevalenceRow] = DEFAULT_RULE):
    """`label` with the rule's bounds worked out once for N = total: for
    labelling many counts (every code and theme) at once."""
    ranges = [(bound(r.minimum, total), bound(r.maximum, total), r.label) for r in rule]

    def label_of(n: int) -> str | None:
        if n <= 0 or total <= 0:
            return None
        for lo, hi, word in ranges:
            if lo <= n <= hi:
                return word
        return None

    return label_of


def describe(n: int, total: int, rule: tuple[PrevalenceRow, ...] | list[PrevalenceRow] = DEFAULT_RULE) -> str:
    """'most participants (5 of 6)'."""
    word = label(n, total, rule)
    if word is None:
        return f"no participants (0 of {total})"
    return f"{word} participants ({n} of {total})"


def rule_text(rule: tuple[PrevalenceRow, ...] | list[PrevalenceRow] = DEFAULT_RULE, total: int | None = None) -> str:
    """The rule in words, for the report: 'all = N; most = half+1 to N-1; ...'."""
    parts = []
    for row in rule:
        if total is None:
            span = row.minimum if row.minimum == row.maximum else f"{row.minimum} to {row.maximum}"
        else:
            lo, hi = bound(row.minimum, total), bound(row.maximum, total)
            if lo > hi:
                continue
            span = str(lo) if lo == hi else f"{lo}-{hi}"
        parts.append(f"{row.label} = {span}")
    return "; ".join(parts)


def rule_from_setting(value: list[dict] | None) -> tuple[PrevalenceRow, ...]:
    """The rule stored in the study's `prevalence_rule` setting."""
    if not value:
        return DEFAULT_RULE
    rows = tuple(PrevalenceRow(r["label"], str(r["min"]), str(r["max"])) for r in value)
    check_rule(rows)
    return rows


def rule_to_setting(rule: tuple[PrevalenceRow, ...] | list[PrevalenceRow]) -> list[dict]:
    return [{"label": r.label, "min": r.minimum, "max": r.maximum} for r in rule]
