"""Starting an interview: from the home screen (guide, participant, pilot)
or from `tacompanion interview`; either way an interview left open for the
participant is offered for resuming first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from tacompanion.core.interview import parse_iso
from tacompanion.core.words import escape_markup as escape
from tacompanion.formats.guide_file import GuideFileError, read_guide_file
from tacompanion.store import interviews as store
from tacompanion.store.guides import load_guide
from tacompanion.store.participants import check_pseudonym, participant_pseudonym
from tacompanion.store.study import StudyError
from tacompanion.tui.interview.interview_dialogs import ResumeScreen


@dataclass(frozen=True)
class InterviewRequest:
    """Who is interviewed with which stored guide; `resume` None asks when an
    interview with the participant is still open, True resumes it, False
    closes it and starts a new one."""

    participant_id: int
    guide_id: int
    pilot: bool
    resume: bool | None = None


def begin_interview(app: App, request: InterviewRequest, *, exit_on_end: bool) -> None:
    """Open the interview screen for a request, asking about an open interview first."""
    study = app.study
    open_ = store.open_interviews(study, request.participant_id)

    def open_screen(interview_id: int) -> None:
        screen = app.open_interview(interview_id, exit_on_end=exit_on_end)
        if screen.interview.guide_id != request.guide_id:
            app.notify(
                "Resumed with the guide version this interview started with "
                "(the guide file has changed since)",
                timeout=8,
            )

    def start_new() -> None:
        for row in open_:
            store.close_abandoned(study, row["id"])
        pilot = request.pilot or store.participant_is_pilot(study, request.participant_id)
        guide = load_guide(study, request.guide_id)
        open_screen(store.create_interview(study, request.participant_id, request.guide_id, guide, pilot=pilot))

    def chosen(choice: str | None) -> None:
        if choice == "resume":
            open_screen(open_[0]["id"])
        elif choice == "new":
            start_new()
        elif exit_on_end:
            app.exit()

    if not open_:
        if request.resume:
            raise StudyError("there is no open interview with this participant to resume")
        start_new()
    elif request.resume is True:
        open_screen(open_[0]["id"])
    elif request.resume is False:
        start_new()
    else:
        row = open_[0]
        if row["started_at"]:
            when = f"started {parse_iso(row['started_at']).astimezone():%Y-%m-%d %H:%M}"
        else:
            when = f"opened {parse_iso(row['created_at']).astimezone():%Y-%m-%d %H:%M} (clock not started)"
        participant = participant_pseudonym(study, request.participant_id)
        app.push_screen(ResumeScreen(participant, when, row["notes"]), chosen)


class StartInterviewScreen(ModalScreen[InterviewRequest | None]):
    """The guide file, the participant's pseudonym and the pilot flag; Enter starts."""

    CSS_PATH = "interview_start.tcss"
    HELP_TITLE = "start an interview"
    # Enter starts whatever has the focus (the Pilot box too: a checkbox
    # would take Enter as a toggle); Space ticks the box.
    BINDINGS = [
        Binding("enter", "start", "Start", id="start.start", priority=True),
        Binding("escape", "cancel", "Cancel", id="start.cancel"),
    ]

    def compose(self) -> ComposeResult:
        guide = store.last_guide_file(self.app.study) or ""
        with Vertical(id="start-interview-box"):
            yield Static("Start an interview", classes="dialog-title")
            yield Label("Guide file (Markdown)")
            yield Input(guide, placeholder="guides/my-guide.md", id="start-guide")
            yield Label("Participant pseudonym (never a real name)")
            yield Input(placeholder="P1", id="start-participant")
            yield Checkbox("Pilot interview (kept out of the analysis)", id="start-pilot")
            yield Static("[dim]Enter starts, Tab moves between fields, Space ticks the box, Esc cancels[/]")
            yield Static("", id="start-error")

    def on_mount(self) -> None:
        guide = self.query_one("#start-guide", Input)
        (self.query_one("#start-participant", Input) if guide.value else guide).focus()

    def show_error(self, message: str) -> None:
        self.query_one("#start-error", Static).update(f"[b $error]{escape(message)}[/]")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start()

    def action_start(self) -> None:
        self.start()

    def start(self) -> None:
        guide_path = self.query_one("#start-guide", Input).value.strip()
        participant = self.query_one("#start-participant", Input).value
        pilot = self.query_one("#start-pilot", Checkbox).value
        if not guide_path:
            self.show_error("Which guide? Give the path of its Markdown file.")
            self.query_one("#start-guide", Input).focus()
            return
        try:
            source, guide = read_guide_file(Path(guide_path).expanduser())
        except GuideFileError as exc:
            self.show_error(str(exc))
            return
        try:
            name = check_pseudonym(participant)
            participant_id, guide_id = store.prepare_interview(
                self.app.study, source, guide, guide_path, name, pilot=pilot
            )
        except StudyError as exc:
            self.show_error(str(exc))
            self.query_one("#start-participant", Input).focus()
            return
        self.dismiss(InterviewRequest(participant_id, guide_id, pilot))

    def action_cancel(self) -> None:
        self.dismiss(None)
