"""The small screens of interview mode: go to a question, set the recording
offset, the end-of-interview summary, and resume-or-new."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import Key
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.core.guide import Guide
from tacompanion.core.interview import (
    Coverage,
    InterviewSummary,
    format_clock,
    format_hms,
    parse_offset,
    recording_ms,
)
from tacompanion.core.question_search import (
    find_questions,
    jump_placeholder,
    unambiguous_number,
)
from tacompanion.core.words import plural
from tacompanion.tui.interview.views import state_glyph


class JumpScreen(ModalScreen[str | None]):
    """Go to a question: its number (settled at once when unambiguous) or a
    few letters of its text, then Enter; Up/Down choose among the matches."""

    CSS_PATH = "interview_dialogs.tcss"
    HELP_TITLE = "go to a question"
    BINDINGS = [
        Binding("escape,ctrl+g", "cancel", "Cancel", id="jump.cancel"),
        Binding("down", "move(1)", "Next match", id="jump.down"),
        Binding("up", "move(-1)", "Previous match", id="jump.up"),
    ]

    def __init__(self, guide: Guide, coverage: Coverage, current_id: str) -> None:
        super().__init__()
        self.guide = guide
        self.coverage = coverage
        self.current_id = current_id
        self.settled_by_number = False  # went at once on an unambiguous number

    def compose(self) -> ComposeResult:
        with Vertical(id="jump-box", classes="dialog"):
            yield Static("Go to question: number or words, Enter goes, Esc cancels", classes="dialog-title")
            yield Input(placeholder=jump_placeholder(self.guide, self.current_id), id="jump-query")
            yield OptionList(id="jump-matches")

    def on_mount(self) -> None:
        self.show_matches("")
        self.query_one("#jump-query", Input).focus()

    def show_matches(self, query: str) -> None:
        matches = self.query_one("#jump-matches", OptionList)
        found = find_questions(self.guide, query)
        matches.set_options(
            Option(
                f"{state_glyph(self.coverage.state(q.id))} {q.number:>2}. {escape(q.text)}",
                id=q.id,
            )
            for q in found
        )
        if found:
            ids = [q.id for q in found]
            matches.highlighted = ids.index(self.current_id) if not query and self.current_id in ids else 0

    def on_key(self, event: Key) -> None:
        # Keys typed right after ^g may arrive before the query field has the
        # focus: they are meant for it.
        query = self.query_one("#jump-query", Input)
        if event.is_printable and self.focused is not query and event.character:
            event.stop()
            query.focus()
            query.insert_text_at_cursor(event.character)

    @on(Input.Changed, "#jump-query")
    def query_changed(self, event: Input.Changed) -> None:
        settled = unambiguous_number(self.guide, event.value)
        if settled is not None:
            self.settled_by_number = True
            self.dismiss(settled.id)
            return
        self.show_matches(event.value)

    @on(Input.Submitted, "#jump-query")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        matches = self.query_one("#jump-matches", OptionList)
        if matches.highlighted is None:
            self.notify("No question matches", severity="warning")
            return
        self.dismiss(matches.get_option_at_index(matches.highlighted).id)

    @on(OptionList.OptionSelected, "#jump-matches")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        matches = self.query_one("#jump-matches", OptionList)
        if matches.option_count:
            current = matches.highlighted or 0
            matches.highlighted = max(0, min(matches.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)


class OffsetScreen(ModalScreen[int | None]):
    """How long the recorder ran before the clock started."""

    CSS_PATH = "interview_dialogs.tcss"
    HELP_TITLE = "recording offset"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="offset.cancel")]

    def __init__(self, offset_ms: int) -> None:
        super().__init__()
        self.offset_ms = offset_ms

    def compose(self) -> ComposeResult:
        current = ""
        if self.offset_ms:
            current = ("-" if self.offset_ms < 0 else "") + format_clock(abs(self.offset_ms))
        with Vertical(id="offset-box", classes="dialog"):
            yield Static(
                "How long did the recorder run before the clock started?\n"
                "[dim]40, 1:20 or 1m20s; -5 if it started after the clock. Enter sets, Esc cancels.[/]",
                classes="dialog-title",
            )
            yield Input(current, placeholder="40", id="offset-value")
            yield Static("", id="offset-error")

    def on_mount(self) -> None:
        self.query_one("#offset-value", Input).focus()

    @on(Input.Submitted, "#offset-value")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = parse_offset(event.value or "0")
        except ValueError as exc:
            self.query_one("#offset-error", Static).update(f"[b $error]{escape(str(exc))}[/]")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def summary_markup(guide: Guide, summary: InterviewSummary, offset_ms: int = 0) -> str:
    def stamp(elapsed: int | None) -> str:
        return format_clock(recording_ms(elapsed, offset_ms))

    lines = [
        f"[b]Duration[/b]   {format_hms(summary.duration_ms)}"
        + (f"  [dim](planned {guide.planned_minutes} min)[/]" if guide.planned_minutes else ""),
        f"[b]Questions[/b]  {summary.questions_covered}/{summary.questions_total} covered"
        + (f", {len(summary.skipped)} skipped" if summary.skipped else ""),
        f"[b]Probes[/b]     {summary.probes_ticked}/{summary.probes_total} ticked",
        f"[b]Notes[/b]      {summary.note_count}"
        f"  [dim]({plural(len(summary.quotes), 'quote')}, "
        f"{plural(len(summary.follow_ups), 'follow-up')})[/]",
        "",
    ]
    if summary.uncovered:
        lines.append("[b $warning]Not yet asked: ask before the participant leaves[/]")
        lines += [f"  {q.number:>2}. {escape(q.text)}" for q in summary.uncovered]
    else:
        lines.append("[b $success]Every question covered or skipped.[/]")
    lines.append("")
    if summary.follow_ups:
        lines.append("[b $accent]Open follow-ups (?)[/]")
        lines += [f"  {stamp(n.elapsed_ms)}  {escape(n.text)}" for n in summary.follow_ups]
    else:
        lines.append("[dim]No follow-ups.[/]")
    lines.append("")
    if summary.quotes:
        lines.append("[b $warning]Quotes (!)[/]")
        lines += [f"  {stamp(n.elapsed_ms)}  [i]{escape(n.text)}[/]" for n in summary.quotes]
    else:
        lines.append("[dim]No quotes.[/]")
    return "\n".join(lines)


class SummaryScreen(ModalScreen[bool | str]):
    """Before ending: what was covered, what is still to ask, follow-ups, quotes.
    Dismisses with True (end), "code" (end, then code these notes) or False."""

    CSS_PATH = "interview_dialogs.tcss"
    HELP_TITLE = "end the interview"
    BINDINGS = [
        Binding("ctrl+f,enter", "confirm", "End interview", id="summary.confirm"),
        Binding("c", "code", "End and code the notes", id="summary.code"),
        Binding("escape", "cancel", "Back to the interview", id="summary.cancel"),
        Binding("pagedown", "scroll(1)", "Scroll down", id="summary.down"),
        Binding("pageup", "scroll(-1)", "Scroll up", id="summary.up"),
    ]

    def __init__(self, guide: Guide, summary: InterviewSummary, offset_ms: int = 0) -> None:
        super().__init__()
        self.guide = guide
        self.summary = summary
        self.offset_ms = offset_ms

    def compose(self) -> ComposeResult:
        with Vertical(id="summary-box", classes="dialog"):
            yield Static("End the interview?", classes="dialog-title")
            with VerticalScroll(id="summary-body"):
                yield Static(summary_markup(self.guide, self.summary, self.offset_ms), id="summary-text")
            yield Static(
                "[b]Enter[/b] ends and saves the interview  [b]c[/b] ends it and codes its notes  "
                "[b]Esc[/b] goes back  [b]PgDn/PgUp[/b] scroll",
                id="summary-keys",
            )

    def action_scroll(self, direction: int) -> None:
        body = self.query_one("#summary-body", VerticalScroll)
        if direction > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_code(self) -> None:
        self.dismiss("code")

    def action_cancel(self) -> None:
        self.dismiss(False)


class ResumeScreen(ModalScreen[str | None]):
    """An interview with this participant was left open: resume it or start anew."""

    CSS_PATH = "interview_dialogs.tcss"
    HELP_TITLE = "resume an interview"
    BINDINGS = [
        Binding("r,enter", "choose('resume')", "Resume it", id="resume.resume"),
        Binding("n", "choose('new')", "New interview", id="resume.new"),
        Binding("escape", "choose(None)", "Cancel", id="resume.cancel"),
    ]

    def __init__(self, participant: str, started: str, notes: int) -> None:
        # started: "started 2026-11-26 09:02" or "opened … (clock not started)"
        super().__init__()
        self.participant = participant
        self.started = started
        self.notes = notes

    def compose(self) -> ComposeResult:
        with Vertical(id="resume-box", classes="dialog"):
            yield Static(
                f"[b]An interview with {escape(self.participant)} was left open[/b]\n"
                f"{escape(self.started)}, {plural(self.notes, 'note')}\n\n"
                "[b $accent]r[/] or [b $accent]Enter[/]  resume it (the clock goes on from where it was)\n"
                "[b $accent]n[/]           close it as it was left and start a new interview\n"
                "[b $accent]Esc[/]         cancel",
                id="resume-text",
            )

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)

