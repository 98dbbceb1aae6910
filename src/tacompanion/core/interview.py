"""An interview as plain data, and everything derived from it without I/O.

The study stores facts (the clock start, pauses, question events, notes); the
state on screen is computed from them here, so that after a crash the same
facts give the same screen:

- elapsed time = now - clock start - time spent paused;
- a question's coverage and its ticked probes = the last of its events;
- time in a section = the elapsed time between "question made current" events.

Elapsed times are milliseconds since the interviewer started the clock. The
recorder may have started earlier: `recording_offset_ms` is added to place a
moment in the audio (`recording_ms`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tacompanion.core.guide import Guide, Question, Section
from tacompanion.core.note_markers import KIND_FOLLOW_UP, KIND_QUOTE
from tacompanion.core.recording_time import recording_ms  # a module of its own: see there

NOT_YET = "not yet"
COVERED = "covered"
SKIPPED = "skipped"

# question_events.event values
EV_CURRENT = "current"
EV_COVERED = "covered"
EV_UNCOVERED = "uncovered"
EV_SKIPPED = "skipped"
EV_PROBE_TICKED = "probe-ticked"
EV_PROBE_UNTICKED = "probe-unticked"


@dataclass(frozen=True)
class Pause:
    paused_at: str
    resumed_at: str | None = None


@dataclass(frozen=True)
class QuestionEvent:
    question_id: str
    event: str
    elapsed_ms: int | None = None
    probe_id: str | None = None


@dataclass(frozen=True)
class InterviewNote:
    id: int
    question_id: str | None
    kind: str
    text: str
    tags: tuple[str, ...]
    elapsed_ms: int | None
    created_at: str


@dataclass(frozen=True)
class Interview:
    id: int
    uuid: str
    participant_id: int
    participant: str
    guide_id: int
    pilot: bool
    created_at: str
    started_at: str | None = None
    ended_at: str | None = None
    recording_offset_ms: int = 0
    current_question_id: str | None = None
    pauses: tuple[Pause, ...] = ()

    @property
    def clock_started(self) -> bool:
        return self.started_at is not None

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].resumed_at is None

    def elapsed_ms(self, now: datetime) -> int:
        """Milliseconds on the interview clock at `now` (0 before the start)."""
        return elapsed_ms(self.started_at, self.pauses, now)

    def recording_ms(self, elapsed: int | None) -> int | None:
        """Where an elapsed time falls in the audio recording."""
        return recording_ms(elapsed, self.recording_offset_ms)


# -- time ---------------------------------------------------------------------


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time as stored (`...Z` or with an offset), timezone-aware."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _ms(delta_seconds: float) -> int:
    return int(round(delta_seconds * 1000))


def elapsed_ms(started_at: str | None, pauses: Iterable[Pause], now: datetime) -> int:
    """Clock time at `now`: since `started_at`, less every pause (an open
    pause counts until `now`, so the clock stands still while paused)."""
    if started_at is None:
        return 0
    start = parse_iso(started_at)
    total = (now - start).total_seconds()
    for pause in pauses:
        paused = max(parse_iso(pause.paused_at), start)
        resumed = min(parse_iso(pause.resumed_at) if pause.resumed_at else now, now)
        if resumed > paused:
            total -= (resumed - paused).total_seconds()
    return max(0, _ms(total))


def format_hms(ms: int | None) -> str:
    """`HH:MM:SS` (as in the CSV export); empty for no time."""
    if ms is None:
        return ""
    seconds = max(0, ms) // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def format_clock(ms: int | None) -> str:
    """`MM:SS` under an hour, `H:MM:SS` beyond; `--:--` for no time."""
    if ms is None:
        return "--:--"
    seconds = max(0, ms) // 1000
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


_OFFSET_COLON = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$|^(\d+(?:\.\d+)?)$")
_OFFSET_UNITS = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)\s*s(?:ec)?)?$")


def parse_offset(text: str) -> int:
    """A recording offset typed by a person, in milliseconds.

    `40`, `40s`, `1:20`, `1m20s`, `0:01:20` all mean the recorder ran that long
    before the clock started; a leading `-` means it started after.
    Raises ValueError with a short explanation otherwise.
    """
    raw = text.strip().lower()
    sign = 1
    if raw[:1] in "+-" and raw:
        sign = -1 if raw[0] == "-" else 1
        raw = raw[1:].strip()
    seconds: float | None = None
    if m := _OFFSET_COLON.match(raw):
        if m.group(4) is not None:
            seconds = float(m.group(4))
        else:
            hours = int(m.group(1) or 0)
            minutes = int(m.group(2))
            secs = float(m.group(3))
            if secs >= 60 or (m.group(1) and minutes >= 60):
                raise ValueError(f"{text.strip()!r}: minutes and seconds go up to 59")
            seconds = hours * 3600 + minutes * 60 + secs
    elif raw and (m := _OFFSET_UNITS.match(raw)) and any(m.groups()):
        seconds = int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3) or 0)
    if seconds is None:
        raise ValueError(f"{text.strip()!r}: write seconds (40), minutes:seconds (1:20) or 1m20s")
    if seconds > 24 * 3600:
        raise ValueError(f"{text.strip()!r}: an offset longer than a day is surely a typo")
    return sign * _ms(seconds)


# -- coverage -------------------------------------------------------------------


@dataclass
class Coverage:
    """Each question's state and ticked probes, as the events left them."""

    states: dict[str, str] = field(default_factory=dict)
    ticked: dict[str, set[str]] = field(default_factory=dict)

    def state(self, question_id: str) -> str:
        return self.states.get(question_id, NOT_YET)

    def probe_ticked(self, question_id: str, probe_id: str) -> bool:
        return probe_id in self.ticked.get(question_id, ())

    def apply(self, event: QuestionEvent) -> None:
        q = event.question_id
        if event.event == EV_COVERED:
            self.states[q] = COVERED
        elif event.event == EV_SKIPPED:
            self.states[q] = SKIPPED
        elif event.event == EV_UNCOVERED:
            self.states[q] = NOT_YET
        elif event.event == EV_PROBE_TICKED and event.probe_id:
            self.ticked.setdefault(q, set()).add(event.probe_id)
        elif event.event == EV_PROBE_UNTICKED and event.probe_id:
            self.ticked.get(q, set()).discard(event.probe_id)

    def covered_count(self, guide: Guide) -> int:
        return sum(1 for q in guide.questions if self.state(q.id) == COVERED)

    def ticked_count(self, guide: Guide) -> int:
        return sum(
            1 for q in guide.questions for p in q.probes if self.probe_ticked(q.id, p.id)
        )


def derive_coverage(events: Iterable[QuestionEvent]) -> Coverage:
    coverage = Coverage()
    for event in events:
        coverage.apply(event)
    return coverage


def section_times_ms(guide: Guide, events: Sequence[QuestionEvent], now_ms: int) -> dict[int, int]:
    """Clock time spent in each section (by index), from the events that made
    a question current: each counts until the next one, the last until now."""
    section_of = {q.id: q.section_index for q in guide.questions}
    currents = [e for e in events if e.event == EV_CURRENT and e.question_id in section_of]
    times: dict[int, int] = {}
    for i, event in enumerate(currents):
        start = event.elapsed_ms or 0
        end = (currents[i + 1].elapsed_ms or 0) if i + 1 < len(currents) else now_ms
        section = section_of[event.question_id]
        times[section] = times.get(section, 0) + max(0, end - start)
    return times


# -- navigation -----------------------------------------------------------------


def neighbour_question(guide: Guide, question_id: str | None, step: int) -> Question | None:
    """The question `step` places after (or before, negative) the given one;
    None past either end."""
    questions = guide.questions
    if not questions:
        return None
    ids = [q.id for q in questions]
    index = ids.index(question_id) if question_id in ids else 0
    target = index + step
    return questions[target] if 0 <= target < len(questions) else None


def neighbour_section_question(guide: Guide, question_id: str | None, step: int) -> Question | None:
    """The first question of the section `step` sections away (skipping
    sections without questions); None past either end."""
    current = guide.question(question_id) if question_id else None
    index = current.section_index if current else 0
    sections = guide.sections
    target = index + step
    while 0 <= target < len(sections):
        if sections[target].questions:
            return sections[target].questions[0]
        target += 1 if step > 0 else -1
    return None


def section_of(guide: Guide, question: Question) -> Section:
    return guide.sections[question.section_index]


# -- the end ------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewSummary:
    duration_ms: int
    questions_covered: int
    questions_total: int
    probes_ticked: int
    probes_total: int
    uncovered: tuple[Question, ...]  # not yet asked: ask before the participant leaves
    skipped: tuple[Question, ...]
    follow_ups: tuple[InterviewNote, ...]
    quotes: tuple[InterviewNote, ...]
    note_count: int


def summarize(
    guide: Guide, coverage: Coverage, notes: Sequence[InterviewNote], duration_ms: int
) -> InterviewSummary:
    questions = guide.questions
    return InterviewSummary(
        duration_ms=duration_ms,
        questions_covered=coverage.covered_count(guide),
        questions_total=len(questions),
        probes_ticked=coverage.ticked_count(guide),
        probes_total=guide.probe_count,
        uncovered=tuple(q for q in questions if coverage.state(q.id) == NOT_YET),
        skipped=tuple(q for q in questions if coverage.state(q.id) == SKIPPED),
        follow_ups=tuple(n for n in notes if n.kind == KIND_FOLLOW_UP),
        quotes=tuple(n for n in notes if n.kind == KIND_QUOTE),
        note_count=len(notes),
    )
