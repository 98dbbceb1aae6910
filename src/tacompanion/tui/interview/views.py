"""What the interview screen draws: the guide outline, the coverage strip,
the current question with its probes, and the list of notes.

Plain views: they are handed core objects and never touch the study.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime

from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.core.guide import Guide, Question
from tacompanion.core.interview import (
    COVERED,
    NOT_YET,
    SKIPPED,
    Coverage,
    Interview,
    InterviewNote,
    format_clock,
    parse_iso,
)
from tacompanion.core.note_markers import KIND_FOLLOW_UP, KIND_QUOTE, tag_spans

# One glyph per coverage state, readable without colour too.
STATE_GLYPHS = {COVERED: "✓", SKIPPED: "–"}
NOT_YET_GLYPH = "·"
STATE_STYLES = {COVERED: "$success", SKIPPED: "$text-muted"}


def state_glyph(state: str) -> str:
    return STATE_GLYPHS.get(state, NOT_YET_GLYPH)


def coverage_strip(
    guide: Guide, coverage: Coverage, current_id: str | None, width: int = 0, rows: int = 2
) -> str:
    """Every question number with its state, sections apart: `✓1 ✓2 │ ·3 ...`,
    the current question reversed. When that would take more than `rows`
    rows of `width`, other sections shrink to `§2 3/10` (covered of total)."""
    current = guide.question(current_id) if current_id else None

    def cells(section) -> str:
        out = []
        for q in section.questions:
            state = coverage.state(q.id)
            cell = f"{state_glyph(state)}{q.number}"
            style = STATE_STYLES.get(state, "")
            if q.id == current_id:
                cell = f"[reverse b]{cell}[/]"
            elif style:
                cell = f"[{style}]{cell}[/]"
            out.append(cell)
        return " ".join(out)

    def plain_length(section) -> int:
        return sum(len(str(q.number)) + 2 for q in section.questions)

    sections = [s for s in guide.sections if s.questions]
    full = sum(plain_length(s) + 3 for s in sections)
    if not width or full <= width * rows or current is None:
        return " [dim]│[/] ".join(cells(s) for s in sections)
    parts = []
    for section in sections:
        if section.index == current.section_index:
            parts.append(cells(section))
        else:
            done = sum(1 for q in section.questions if coverage.state(q.id) != NOT_YET)
            style = "$success" if done == len(section.questions) else "$text-muted"
            parts.append(f"[{style}]§{section.index + 1} {done}/{len(section.questions)}[/]")
    return " [dim]│[/] ".join(parts)


def outline_lines(
    guide: Guide,
    coverage: Coverage,
    current_id: str | None,
    section_times: dict[int, int],
    width: int = 0,
) -> tuple[list[str], int]:
    """The guide outline as markup lines (question text wrapped to `width`
    under its own start, when given), and the line of the current question."""
    lines: list[str] = []
    current_line = 0
    for section in guide.sections:
        minutes = f" [dim]{section.minutes} min[/]" if section.minutes else ""
        spent = section_times.get(section.index)
        spent_text = f" [dim]({format_clock(spent)})[/]" if spent else ""
        lines.append(f"[b]{section.index + 1}. {escape(section.title)}[/]{minutes}{spent_text}")
        for q in section.questions:
            state = coverage.state(q.id)
            glyph = state_glyph(state)
            style = STATE_STYLES.get(state, "")
            glyph_markup = f"[{style}]{glyph}[/]" if style else glyph
            indent = 5  # "✓ 12 "
            chunks = textwrap.wrap(q.text, width - indent) if width > indent + 8 else [q.text]
            current = q.id == current_id
            if current:
                current_line = len(lines)
            for i, chunk in enumerate(chunks or [""]):
                head = f"{glyph_markup} {q.number:>2} " if i == 0 else " " * indent
                text = escape(chunk)
                lines.append(f"{head}[reverse]{text}[/]" if current else f"{head}{text}")
    return lines, current_line


def status_markup(
    interview: Interview,
    elapsed_ms: int,
    *,
    planned_minutes: int | None,
    covered: int,
    total: int,
    notes: int,
    hints: bool = True,
) -> str:
    """The status line: participant, the clock against the planned time,
    coverage and notes. The clock is the interview's own time (what the
    plan and its warning colour are about); with a recording offset, the
    position in the recording follows it (`00:34 / 45:00 · rec 01:54`),
    since that is what note stamps show. `hints` adds the key reminders."""
    who = escape(interview.participant) + (" [b $warning]PILOT[/]" if interview.pilot else "")
    offset_ms = interview.recording_offset_ms
    if not interview.clock_started:
        clock = "[b $warning]clock not started[/]" + (" [dim](^r starts it)[/]" if hints else "")
        if offset_ms:
            sign = "+" if offset_ms > 0 else "-"
            clock += f" [dim]· rec offset {sign}{format_clock(abs(offset_ms))}[/]"
    else:
        over = planned_minutes is not None and elapsed_ms > planned_minutes * 60_000
        clock = f"[{'b $error' if over else 'b'}]{format_clock(elapsed_ms)}[/]"
        if planned_minutes:
            clock += f" [dim]/ {planned_minutes}:00[/]"
        if offset_ms:
            clock += f" [dim]· rec[/] {format_clock(interview.recording_ms(elapsed_ms))}"
        if interview.paused:
            clock += " [b reverse $warning] PAUSED [/]" + (" [dim]^r resumes[/]" if hints else "")
    note_count = f"{notes} note{'s' if notes != 1 else ''}"
    return f" {who}  {clock}  [dim]│[/] {covered}/{total} covered  [dim]│[/] {note_count}"


def question_markup(question: Question) -> str:
    return f"[b]Q{question.number}. {escape(question.text)}[/b]"


def question_state_markup(question: Question, state: str, total: int) -> str:
    badge = {COVERED: "[b $success]✓ covered[/]", SKIPPED: "[b $text-muted]– skipped[/]"}.get(
        state, "[$text-muted]· not yet[/]"
    )
    return f"Q{question.number}/{total} {badge}"


def probe_rows(question: Question, coverage: Coverage) -> list[tuple[str, str]]:
    """(mark, text) markup per probe: its number and tick box, and its text."""
    rows = []
    for probe in question.probes:
        ticked = coverage.probe_ticked(question.id, probe.id)
        box = "[b $success]☑[/]" if ticked else "☐"
        text = f"[dim]{escape(probe.text)}[/]" if ticked else escape(probe.text)
        rows.append((f"{probe.number} {box}", text))
    return rows


class ProbeList(Vertical):
    """The current question's probes, each wrapped under its own text."""

    DEFAULT_CSS = """
    ProbeList {
        height: auto;
    }
    ProbeList > Horizontal {
        height: auto;
    }
    ProbeList .probe-mark {
        width: 4;
    }
    ProbeList .probe-text {
        width: 1fr;
    }
    """

    _rows: list[tuple[Static, Static]] | None = None  # None before the first show

    def show(self, rows: Sequence[tuple[str, str]]) -> None:
        rows = list(rows)
        if rows and self._rows is not None and len(rows) == len(self._rows):
            for (mark_widget, text_widget), (mark, text) in zip(self._rows, rows, strict=True):
                mark_widget.update(mark)  # same shape: update in place
                text_widget.update(text)
            return
        self.remove_children()
        self._rows = [
            (Static(mark, classes="probe-mark"), Static(text, classes="probe-text")) for mark, text in rows
        ]
        if rows:
            self.mount_all(Horizontal(*pair) for pair in self._rows)
        else:
            self.mount(Static("[dim]No probes for this question.[/]"))

    def plain(self) -> str:
        """The probes as text, one per line (for tests and screen readers)."""
        return "\n".join(f"{m.render()} {t.render()}" for m, t in self._rows or [])


def probe_picker_markup(question: Question, coverage: Coverage) -> str:
    """The pop-up after ^t: the question's probes by number, and what keys do."""
    lines = [f"[b]Tick or untick a probe of Q{question.number}: press its number[/b]"]
    for probe in question.probes:
        box = "☑" if coverage.probe_ticked(question.id, probe.id) else "☐"
        lines.append(f"[b $accent]{probe.number}[/] {box} {escape(probe.text)}")
    lines.append("[dim]Esc or ^t closes; typing goes on in the note[/]")
    return "\n".join(lines)


class ProbePicker(Static):
    """The pop-up after ^t, drawn over the interview screen.

    Not a screen of its own: the note line keeps the focus, so every key
    reaches the interview screen in the order it was typed, and a key that
    is not a probe's number closes the pop-up and goes on into the note.
    """

    DEFAULT_CSS = """
    ProbePicker {
        display: none;
        position: absolute;
        layer: popup;
        height: auto;
        background: $panel;
        border: round $accent;
        padding: 0 1;
    }
    """

    TOP = 4  # at least below the status, section and strip rows

    @property
    def is_open(self) -> bool:
        return self.display

    def open(self, markup: str) -> None:
        self.update(markup)
        self._rows = markup.count("\n") + 1
        self.place()
        self.display = True

    def close(self) -> None:
        self.display = False

    _rows = 0

    def place(self) -> None:
        """Centred on the screen, as wide as a dialog (at 80x24 the question
        and its probes stay in sight above it)."""
        size = self.screen.size
        width = min(100, max(20, size.width * 9 // 10))
        height = self._rows + 2  # the border
        self.styles.width = width
        self.styles.offset = (max(0, (size.width - width) // 2), max(self.TOP, (size.height - height) // 2))


KIND_MARKUP = {KIND_QUOTE: "[b $warning]![/] ", KIND_FOLLOW_UP: "[b $accent]?[/] "}


def note_markup(
    note: InterviewNote,
    question_number: int | None,
    recording_ms: int | None,
    *,
    wall_clock: bool,
) -> str:
    """One entry of the note list: time stamp, question, kind mark, text with tags."""
    parts = [f"[b]{format_clock(recording_ms):>5}[/b]"]
    if wall_clock:
        parts.append(f" [dim]{local_time(note.created_at):%H:%M}[/]")
    parts.append(f" [dim]{'Q' + str(question_number) if question_number else '--':<3}[/] ")
    parts.append(KIND_MARKUP.get(note.kind, ""))
    body, last = [], 0
    for start, end in tag_spans(note.text):
        body.append(escape(note.text[last:start]))
        body.append(f"[b $secondary]{escape(note.text[start:end])}[/]")
        last = end
    body.append(escape(note.text[last:]))
    text = "".join(body)
    parts.append(f"[i]{text}[/i]" if note.kind == KIND_QUOTE else text)
    return "".join(parts)


class NoteList(OptionList):
    """The interview's notes, newest last. Never takes focus: the note line keeps it."""

    can_focus = False

    DEFAULT_CSS = """
    NoteList {
        height: 1fr;
        border: none;
        padding: 0;
        background: $surface;
    }
    NoteList > .option-list--option-highlighted {
        background: $surface;
        text-style: none;
    }
    """

    def show_notes(self, rows: Sequence[str]) -> None:
        self.set_options(Option(Content.from_markup(row)) for row in rows)
        self.scroll_end(animate=False)

    def add_note(self, row: str) -> None:
        self.add_option(Option(Content.from_markup(row)))
        self.scroll_end(animate=False)


def local_time(iso: str) -> datetime:
    return parse_iso(iso).astimezone()
