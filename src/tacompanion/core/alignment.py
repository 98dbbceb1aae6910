"""Answers by guide question: which question each transcript turn answers.

Two sources, one rule. When the interview was run in the app, the question
that was current at each moment is known (question changes are stored with
the clock time); a transcript turn with a start time on the recording is
placed at `recording time - recording offset` on that clock. Where a
researcher marks by hand the turn where a question starts, the mark holds
for that turn and the ones after it until the next mark, and overrides the
times. Turns before the first change (and before the first mark, without
times) belong to the interview's first question.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence


def question_at(changes: Sequence[tuple[int, str]], clock_ms: int, first: str | None) -> str | None:
    """The question current at `clock_ms`, given (clock ms, question id)
    changes sorted by time; `first` before any change."""
    times = [t for t, _ in changes]
    i = bisect.bisect_right(times, clock_ms) - 1
    return changes[i][1] if i >= 0 else first


def align_by_time(
    starts_ms: Sequence[int | None],
    changes: Sequence[tuple[int, str]],
    offset_ms: int,
    first: str | None,
) -> list[str | None]:
    """For each turn (its start on the recording, or None), the question it
    answers: the one current on the interview clock at that moment."""
    ordered = sorted(changes)
    return [
        None if start is None else question_at(ordered, start - offset_ms, first)
        for start in starts_ms
    ]


def effective_questions(
    timed: Sequence[str | None], marks: Sequence[str | None]
) -> list[str | None]:
    """Each turn's question: the nearest hand mark at or before it, else its
    time-based question. `marks[i]` is the question a researcher marked as
    starting at turn i (None: no mark)."""
    out: list[str | None] = []
    current: str | None = None
    for by_time, mark in zip(timed, marks):
        if mark is not None:
            current = mark
        out.append(current if current is not None else by_time)
    return out
