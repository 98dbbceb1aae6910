"""Interview mode: the guide, coverage, the clock and the note line, in the room.

The note line has focus from the start and keeps it; every other action is a
key that cannot be typed into a note (ctrl+letter that the note line does not
use, PgUp/PgDn, function keys). Each change is committed to the study before
the screen shows it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from tacompanion.core.guide import Guide, Question
from tacompanion.core.interview import (
    COVERED,
    EV_COVERED,
    EV_CURRENT,
    EV_PROBE_TICKED,
    EV_PROBE_UNTICKED,
    EV_SKIPPED,
    EV_UNCOVERED,
    NOT_YET,
    SKIPPED,
    Interview,
    InterviewNote,
    QuestionEvent,
    derive_coverage,
    format_clock,
    neighbour_question,
    neighbour_section_question,
    section_times_ms,
    summarize,
)
from tacompanion.core.note_markers import ParsedNote, parse_note
from tacompanion.store import interviews as store
from tacompanion.store.guides import load_guide
from tacompanion.store.notes import add_note, list_notes
from tacompanion.store.study import StudyError, now_iso
from tacompanion.tui.interview.interview_dialogs import (
    JumpScreen,
    OffsetScreen,
    SummaryScreen,
    plural,
)
from tacompanion.tui.interview.views import (
    NoteList,
    ProbeList,
    ProbePicker,
    coverage_strip,
    note_markup,
    outline_lines,
    probe_picker_markup,
    probe_rows,
    question_markup,
    question_state_markup,
    status_markup,
)
from tacompanion.tui.widgets.key_bar import KeyBar, node_bindings

RETRY_SECONDS = 3  # how often notes that could not be saved are tried again
ENTER_GRACE_S = 0.6  # an Enter this soon after a jump by number belongs to the jump
WIDE = 110  # columns from which the guide outline shows beside the question
TALL = 36  # rows from which the section notes get more room



@dataclass(frozen=True)
class PendingNote:
    """A note typed while saving failed: kept with its own question and times."""

    note: ParsedNote
    question_id: str | None
    elapsed_ms: int | None
    at: str


_STATE_EVENT = {COVERED: EV_COVERED, SKIPPED: EV_SKIPPED, NOT_YET: EV_UNCOVERED}


QUESTION_KEYS = Binding.Group("Question")
SECTION_KEYS = Binding.Group("Section")


def utc_now() -> datetime:
    return datetime.now(UTC)


class NoteLine(Input):
    """The note line, which keeps the focus and hands the screen its keys.

    Typed characters are handled in this widget's own message queue, while
    bindings normally run later, once the key has bubbled up to the app. Fast
    typing ("note, Enter, PgDn, next note, Enter") could then save a note with
    the next one's first letters, or under the wrong question. So Enter and
    every key the screen binds run here, in the order they were typed; and a
    key that arrives once a dialog opened by an earlier key (^g, ^t) is on top
    goes to that dialog instead of into the note. The probe pop-up (^t) is
    not a dialog: its keys are taken here too, so that what is typed after
    it lands in the note in order.
    """

    async def on_key(self, event: events.Key) -> None:
        # Runs before Input's own key handler (Textual calls the handlers of a
        # widget's classes from the most derived): a key taken here is stopped
        # and its default (Input typing it) prevented; any other key goes on to
        # Input as usual.
        screen = self.screen
        top = self.app.screen
        if top is not screen:
            event.stop()
            event.prevent_default()
            (top.focused or top).post_message(events.Key(event.key, event.character))
            return
        if screen.probe_picker_key(event.key, event.character):
            event.stop()
            event.prevent_default()
            return
        action = "save_note" if event.key == "enter" else screen_action(screen, event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            await self.app.run_action(action, screen)


def screen_action(screen: Screen, key: str) -> str | None:
    """The action the screen itself binds to `key`, if any."""
    for binding in node_bindings(screen).get(key, ()):
        return binding.action
    return None


class InterviewScreen(Screen):
    CSS_PATH = "interview.tcss"
    HELP_TITLE = "interview"
    AUTO_FOCUS = "#note-line"
    OWNS_CTRL_T = True  # ticks a probe: the app's Ctrl+T (thematic map) steps aside

    # No priority bindings: a key must be handled after the keys typed before
    # it (a quick "note, Enter, PgDn" saves the note on the question it was
    # typed under). The note line lets every key here pass through.
    BINDINGS = [
        Binding("pageup", "previous_question", "Previous question", key_display="PgUp",
                group=QUESTION_KEYS, id="interview.previous"),
        Binding("pagedown", "next_question", "Next question", key_display="PgDn",
                group=QUESTION_KEYS, id="interview.next"),
        Binding("ctrl+up", "previous_section", "Previous section",
                tooltip="to the start of this section, then of the one before",
                group=SECTION_KEYS, id="interview.previous_section"),
        Binding("ctrl+down", "next_section", "Next section", group=SECTION_KEYS,
                id="interview.next_section"),
        # macOS takes ^up/^down for Mission Control unless told otherwise.
        Binding("f7", "previous_section", "Previous section", show=False,
                id="interview.previous_section_f7"),
        Binding("f8", "next_section", "Next section", show=False, id="interview.next_section_f8"),
        Binding("ctrl+g", "jump", "Go to",
                tooltip="a question by its number or a few of its words, Enter goes",
                id="interview.jump"),
        Binding("ctrl+o", "toggle_covered", "Covered",
                tooltip="mark the question covered, or not yet (a note marks it too)",
                id="interview.covered"),
        Binding("ctrl+s", "toggle_skipped", "Skip", tooltip="mark the question skipped, or not yet",
                id="interview.skip"),
        Binding("ctrl+t", "tick_probe", "Probe", tooltip="then the probe's number: tick or untick it",
                id="interview.probe"),
        Binding("ctrl+r", "clock", "Clock", tooltip="start the clock with the recorder; then pause / resume",
                id="interview.clock"),
        Binding("ctrl+l", "offset", "Offset",
                tooltip="how long the recorder ran before the clock started",
                id="interview.offset"),
        Binding("ctrl+f", "finish", "Finish", tooltip="the summary, then end and save the interview",
                id="interview.finish"),
        Binding("shift+pagedown", "scroll_notes(1)", "Scroll notes down", show=False,
                tooltip="or the opening script, before the clock starts", id="interview.scroll_down"),
        Binding("shift+pageup", "scroll_notes(-1)", "Scroll notes up", show=False,
                id="interview.scroll_up"),
        Binding("f9", "record", "Record", show=False,
                tooltip="record on this computer too, starting the clock with it", id="interview.record"),
    ]
    room_recording = None  # the laptop's own recording (F9), when started

    def __init__(self, interview_id: int, *, exit_on_end: bool = False) -> None:
        super().__init__()
        self.interview_id = interview_id
        self.exit_on_end = exit_on_end
        study = self.study
        self.interview: Interview = store.load_interview(study, interview_id)
        self.guide: Guide = load_guide(study, self.interview.guide_id)
        self.events: list[QuestionEvent] = store.load_events(study, interview_id)
        self.coverage = derive_coverage(self.events)
        self.notes: list[InterviewNote] = list_notes(study, interview_id)
        self.current: Question | None = (
            self.guide.question(self.interview.current_question_id or "")
            or (self.guide.questions[0] if self.guide.questions else None)
        )
        self._wide = False
        self._tall = False
        self._ignore_enter_until = 0.0
        self.pending: list[PendingNote] = []  # notes typed while saving failed, oldest first
        self._showing_unsaved = False
        self._retry: Timer | None = None

    @property
    def study(self):
        return self.app.study

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="body"):
            with VerticalScroll(id="outline"):
                yield Static(id="outline-text")
            with Vertical(id="main"):
                with Horizontal(id="section-row"):
                    yield Static(id="section-line")
                    yield Static(id="question-state")
                yield Static(id="strip")
                yield Static(id="question")
                yield ProbeList(id="probes")
                with VerticalScroll(id="context"):
                    yield Static(id="context-text")
                yield NoteList(id="notes")
        with Horizontal(id="note-row"):
            yield Static("✎", id="note-prompt")
            yield NoteLine(
                placeholder="Type a note, Enter saves it · !quote  ?follow-up  #tag",
                id="note-line",
                compact=True,
            )
        yield KeyBar(id="keys")
        yield ProbePicker(id="probe-picker")

    def on_mount(self) -> None:
        self.query_one("#note-line", Input).focus()
        self.refresh_all()
        self.set_interval(0.5, self.refresh_clock)

    def on_resize(self, event: Resize) -> None:
        wide, tall = event.size.width >= WIDE, event.size.height >= TALL
        if (wide, tall) != (self._wide, self._tall):
            self._wide, self._tall = wide, tall
            self.set_class(wide, "-wide")
            self.set_class(tall, "-tall")
            self.refresh_notes()
        picker = self.query_one("#probe-picker", ProbePicker)
        if picker.is_open:
            picker.place()
        # The outline wraps to its width, known once the new layout is done.
        self.call_after_refresh(self.refresh_guide)

    # -- time -----------------------------------------------------------------------------

    def elapsed_now(self) -> int | None:
        """Clock time to stamp on a note or an event; None before the clock starts."""
        if not self.interview.clock_started:
            return None
        return self.interview.elapsed_ms(utc_now())

    def refresh_clock(self) -> None:
        interview, guide = self.interview, self.guide
        elapsed = interview.elapsed_ms(utc_now())
        facts = dict(
            planned_minutes=guide.planned_minutes,
            covered=self.coverage.covered_count(guide),
            total=len(guide.questions),
            notes=len(self.notes),
        )
        status = self.query_one("#status", Static)
        rec = self.recording_markup()
        markup = rec + status_markup(interview, elapsed, **facts)
        if Content.from_markup(markup).cell_length > (status.size.width or self.app.size.width):
            markup = rec + status_markup(interview, elapsed, **facts, hints=False)  # 80 columns: facts first
        status.update(markup)
        self.refresh_section_line(elapsed)

    def refresh_section_line(self, elapsed: int) -> None:
        line = self.query_one("#section-line", Static)
        if self.current is None:
            line.update("[dim]This guide has no questions.[/]")
            return
        section = self.guide.sections[self.current.section_index]
        spent = section_times_ms(self.guide, self.events, elapsed).get(section.index, 0)
        count = len(self.guide.sections)
        text = f"[b]{section.index + 1}/{count} {escape(section.title)}[/]"
        if section.minutes:
            over = spent > section.minutes * 60_000
            style = "b reverse $warning" if over else "b"
            text += f"  [{style}] {format_clock(spent)} / {section.minutes}:00 [/]"
        else:
            text += f"  [b]{format_clock(spent)}[/]"
        line.update(text)
        line.set_class(bool(section.minutes) and spent > section.minutes * 60_000, "-over")

    # -- drawing ------------------------------------------------------------------------

    def refresh_all(self) -> None:
        self.refresh_guide()
        self.refresh_notes()
        self.refresh_clock()

    def refresh_guide(self) -> None:
        guide, coverage, current = self.guide, self.coverage, self.current
        current_id = current.id if current else None
        elapsed = self.interview.elapsed_ms(utc_now())
        strip = self.query_one("#strip", Static)
        strip.update(coverage_strip(guide, coverage, current_id, strip.content_region.width))
        outline = self.query_one("#outline", VerticalScroll)
        lines, current_line = outline_lines(
            guide,
            coverage,
            current_id,
            section_times_ms(guide, self.events, elapsed),
            width=outline.scrollable_content_region.width - 1,
        )
        self.query_one("#outline-text", Static).update("\n".join(lines))
        outline.scroll_to(y=max(0, current_line - 3), animate=False)
        if current is None:
            self.query_one("#question", Static).update("")
            self.query_one("#probes", ProbeList).show([])
        else:
            self.query_one("#question", Static).update(question_markup(current))
            self.query_one("#question-state", Static).update(
                question_state_markup(current, coverage.state(current.id), len(guide.questions))
            )
            self.query_one("#probes", ProbeList).show(probe_rows(current, coverage))
        self.refresh_context()

    def refresh_context(self) -> None:
        """The opening script until the clock starts; then the section's notes."""
        guide, current = self.guide, self.current
        blocks: list[str] = []
        if not self.interview.clock_started and guide.opening:
            blocks.append("[b]Opening script[/b]")
            blocks.extend(escape(p) for p in guide.opening)
        if current is not None:
            section = guide.sections[current.section_index]
            blocks.extend(f"[i]{escape(n)}[/i]" for n in section.notes)
        context = self.query_one("#context", VerticalScroll)
        context.display = bool(blocks)
        context.set_class(not self.interview.clock_started and bool(guide.opening), "-opening")
        self.query_one("#context-text", Static).update("\n\n".join(blocks))
        context.scroll_home(animate=False)
        # The opening script gets the notes' room until there is a note to show.
        self.query_one("#notes", NoteList).display = not (context.has_class("-opening") and not self.notes)

    def _note_row(self, note: InterviewNote) -> str:
        q = self.guide.question(note.question_id) if note.question_id else None
        return note_markup(
            note,
            q.number if q else None,
            self.interview.recording_ms(note.elapsed_ms),
            wall_clock=self._wide,
        )

    def refresh_notes(self) -> None:
        rows = [self._note_row(n) for n in self.notes]
        for p in self.pending:  # typed while saving failed: shown, marked, kept in order
            shown = InterviewNote(None, p.question_id, p.note.kind, p.note.text, p.note.tags, p.elapsed_ms, p.at)
            rows.append(f"{self._note_row(shown)} [b $error](not saved yet)[/]")
        self.query_one("#notes", NoteList).show_notes(rows)

    # -- notes --------------------------------------------------------------------------------

    def action_save_note(self) -> None:
        """Enter on the note line: save the note under the current question.

        A note that cannot be saved (a full disk, the file locked by another
        program) is not lost and not merged with the next one: it leaves the
        note line with its own time and question, waits in a queue shown in
        the notes as "not saved", and is saved, in order, as soon as saving
        works again (the next note, or a retry every few seconds)."""
        line = self.query_one("#note-line", NoteLine)
        if time.monotonic() < self._ignore_enter_until:
            self._ignore_enter_until = 0.0
            return
        raw = line.value
        parsed = parse_note(raw)
        if parsed is None:
            if raw.strip():
                self.notify("A marker alone is not a note: type the text after ! or ?", severity="warning")
            return
        question = self.current
        self.pending.append(PendingNote(parsed, question.id if question else None, self.elapsed_now(), now_iso()))
        line.value = ""
        self.save_pending()

    def save_pending(self) -> None:
        """Save the queued notes in order; stop at the first that fails."""
        saved_any = False
        error: StudyError | None = None
        while self.pending:
            p = self.pending[0]
            mark = p.question_id is not None and self.coverage.state(p.question_id) != COVERED
            try:
                note = add_note(self.study, self.interview_id, p.question_id, p.note, p.elapsed_ms,
                                mark_covered=mark, at=p.at)
            except StudyError as exc:
                error = exc
                break
            self.pending.pop(0)
            self.notes.append(note)
            saved_any = True
            if mark and p.question_id is not None:
                self._record(QuestionEvent(p.question_id, EV_COVERED, p.elapsed_ms))
        notes = self.query_one("#notes", NoteList)
        notes.display = True
        if self.pending or saved_any and self._showing_unsaved:
            self.refresh_notes()
        elif saved_any:
            notes.add_note(self._note_row(self.notes[-1]))
        self._showing_unsaved = bool(self.pending)
        if error is not None:
            waiting = len(self.pending)
            self.notify(f"Not saved ({plural(waiting, 'note')} waiting, kept on screen; retried every few "
                        f"seconds): {error}", severity="error", timeout=10)
            if self._retry is None:
                self._retry = self.set_interval(RETRY_SECONDS, self._retry_pending)
        elif self._retry is not None:
            self._retry.stop()
            self._retry = None
            if saved_any:
                self.notify("The waiting notes are saved", timeout=4)
        if saved_any:
            self.refresh_guide()
        self.refresh_clock()

    def _retry_pending(self) -> None:
        if self.pending:
            self.save_pending()

    def _record(self, event: QuestionEvent) -> None:
        """Keep the in-memory events in step with what was just stored."""
        self.events.append(event)
        self.coverage.apply(event)

    def action_scroll_notes(self, direction: int) -> None:
        target = self.query_one("#context", VerticalScroll)
        if not target.has_class("-opening"):
            target = self.query_one("#notes", NoteList)
        if direction > 0:
            target.scroll_page_down(animate=False)
        else:
            target.scroll_page_up(animate=False)

    # -- navigation ------------------------------------------------------------------------------

    def go_to(self, question: Question | None) -> None:
        if question is None or (self.current is not None and question.id == self.current.id):
            return
        self.query_one("#probe-picker", ProbePicker).close()  # its probes were the old question's
        elapsed = self.elapsed_now()
        try:
            store.make_current(self.study, self.interview_id, question.id, elapsed)
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return
        self._record(QuestionEvent(question.id, EV_CURRENT, elapsed))
        self.current = question
        self.refresh_guide()
        self.refresh_clock()

    def action_next_question(self) -> None:
        target = neighbour_question(self.guide, self.current.id if self.current else None, 1)
        if target is None:
            self.notify("This is the last question. ^f finishes the interview.")
        self.go_to(target)

    def action_previous_question(self) -> None:
        target = neighbour_question(self.guide, self.current.id if self.current else None, -1)
        if target is None:
            self.notify("This is the first question.")
        self.go_to(target)

    def action_next_section(self) -> None:
        self.go_to(neighbour_section_question(self.guide, self.current.id if self.current else None, 1))

    def action_previous_section(self) -> None:
        current_id = self.current.id if self.current else None
        section_first = None
        if self.current is not None:
            section_first = self.guide.sections[self.current.section_index].questions[0]
        if section_first is not None and section_first.id != current_id:
            self.go_to(section_first)  # first back to the start of this section
        else:
            self.go_to(neighbour_section_question(self.guide, current_id, -1))

    def action_jump(self) -> None:
        if self.current is None:
            return
        jump = JumpScreen(self.guide, self.coverage, self.current.id)

        def jumped(question_id: str | None) -> None:
            if jump.settled_by_number:
                # "^g 7 Enter" out of habit: that Enter must not save a half-typed note.
                self._ignore_enter_until = time.monotonic() + ENTER_GRACE_S
            self.go_to(self.guide.question(question_id or ""))

        self.app.push_screen(jump, jumped)

    # -- coverage --------------------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        if self.current is None:
            return
        elapsed = self.elapsed_now()
        try:
            store.set_question_state(self.study, self.interview_id, self.current.id, state, elapsed)
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return
        self._record(QuestionEvent(self.current.id, _STATE_EVENT[state], elapsed))
        self.refresh_guide()
        self.refresh_clock()

    def action_toggle_covered(self) -> None:
        if self.current is not None:
            covered = self.coverage.state(self.current.id) == COVERED
            self.set_state(NOT_YET if covered else COVERED)

    def action_toggle_skipped(self) -> None:
        if self.current is not None:
            skipped = self.coverage.state(self.current.id) == SKIPPED
            self.set_state(NOT_YET if skipped else SKIPPED)

    def action_tick_probe(self) -> None:
        """Open the probe pop-up (^t again closes it)."""
        picker = self.query_one("#probe-picker", ProbePicker)
        if picker.is_open:
            picker.close()
            return
        if self.current is None or not self.current.probes:
            self.notify("This question has no probes.")
            return
        picker.open(probe_picker_markup(self.current, self.coverage))

    def probe_picker_key(self, key: str, character: str | None) -> bool:
        """A key typed while the probe pop-up is open: a probe's number ticks
        or unticks it, Esc or ^t closes it (True: the key is used up). Any
        other key, a number that is no probe's too, closes it and is handled
        as usual (False): the pop-up never eats note text, nor a key meant
        for the screen."""
        picker = self.query_one("#probe-picker", ProbePicker)
        if not picker.is_open:
            return False
        if key in ("escape", "ctrl+t"):
            picker.close()
            return True
        if character is not None and len(character) == 1 and "0" <= character <= "9":
            question = self.current
            count = len(question.probes) if question else 0
            number = int(character)
            if question is None or not 1 <= number <= count:
                # Not a probe's number: more likely the start of a note ("5
                # years"), so it closes the pop-up and goes on the note line.
                where = f"Q{question.number}" if question else "This question"
                self.notify(f"{where} has {plural(count, 'probe')}: {character} went into the note",
                            severity="warning")
                picker.close()
                return False
            picker.close()
            self.toggle_probe(number)
            return True
        picker.close()
        return False

    def toggle_probe(self, number: int) -> None:
        question = self.current
        if question is None or not 1 <= number <= len(question.probes):
            return
        probe = question.probes[number - 1]
        ticked = not self.coverage.probe_ticked(question.id, probe.id)
        elapsed = self.elapsed_now()
        try:
            store.set_probe_ticked(self.study, self.interview_id, question.id, probe.id, ticked, elapsed)
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return
        event = EV_PROBE_TICKED if ticked else EV_PROBE_UNTICKED
        self._record(QuestionEvent(question.id, event, elapsed, probe.id))
        self.refresh_guide()

    # -- the clock ---------------------------------------------------------------------------------

    def reload_interview(self) -> None:
        self.interview = store.load_interview(self.study, self.interview_id)

    def action_clock(self) -> None:
        """Start the clock; once running, pause and resume it."""
        try:
            if not self.interview.clock_started:
                store.start_clock(self.study, self.interview_id, now_iso())
                message = "Clock started: time stamps now follow the recording"
            elif self.interview.paused:
                store.resume_clock(self.study, self.interview_id)
                message = "Clock resumed"
            else:
                store.pause_clock(self.study, self.interview_id)
                message = "Clock paused"
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload_interview()
        if self.room_recording is not None:
            self.room_recording.follow_clock(self.interview.paused)
        self.notify(message, timeout=2)
        self.refresh_context()
        self.refresh_clock()

    # -- recording on this computer (tui/interview/room_recording.py) -----------------------

    def action_record(self) -> None:
        """Start a recording beside the study, and the clock with it."""
        from tacompanion.tui.interview.room_recording import RoomRecording
        from tacompanion.tui.recorder import RecorderMissing

        if self.room_recording is not None and self.room_recording.active:
            self.notify("Already recording: it pauses with the clock (^r) and stops at the end (^f).")
            return
        if self.interview.clock_started:
            self.notify("The recording starts together with the clock, so that every note lines up "
                        "with it: the clock is running already.", severity="warning")
            return
        room = RoomRecording(self.study, self.interview_id, self.interview.participant)
        try:
            path = room.start(datetime.now())
        except RecorderMissing as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        except (OSError, ValueError) as exc:
            self.notify(f"the recorder did not start: {exc} (tacompanion settings recorder)",
                        severity="error", timeout=10)
            return
        self.room_recording = room
        replaced = self.interview.recording_offset_ms
        try:
            store.start_clock(self.study, self.interview_id, now_iso())
            store.set_recording_offset(self.study, self.interview_id, 0)
        except StudyError as exc:
            self.notify(str(exc), severity="error")
        self.reload_interview()
        extra = " (the recording offset set before is now 0: notes follow this recording)" if replaced else ""
        self.notify(f"Recording to {path}; clock started{extra}", timeout=4)
        self.refresh_context()
        self.refresh_clock()

    def recording_markup(self) -> str:
        room = self.room_recording
        if room is None:
            return ""
        failure = room.check()
        if failure:
            self.notify(f"{failure}. The notes go on; the file so far is {room.recorder.file}.",
                        severity="error", timeout=30)
        return room.status_markup()

    def stop_recording(self) -> None:
        if self.room_recording is not None:
            message = self.room_recording.stop_and_attach()
            if message:
                self.app.notify(message, timeout=6)

    def on_unmount(self) -> None:
        self.stop_recording()  # the app closing with the interview open: keep what was recorded

    def action_offset(self) -> None:
        self.app.push_screen(OffsetScreen(self.interview.recording_offset_ms), self.set_offset)

    def set_offset(self, offset_ms: int | None) -> None:
        if offset_ms is None:
            return
        try:
            store.set_recording_offset(self.study, self.interview_id, offset_ms)
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload_interview()
        self.refresh_notes()
        self.refresh_clock()

    # -- the end ---------------------------------------------------------------------------------------

    def summary(self):
        return summarize(self.guide, self.coverage, self.notes, self.interview.elapsed_ms(utc_now()))

    def action_finish(self) -> None:
        if self.pending:
            self.save_pending()
            if self.pending:
                self.notify(f"{plural(len(self.pending), 'note')} not saved yet: the interview stays open "
                            "until they are (they are retried every few seconds)", severity="error")
                return
        self.app.push_screen(SummaryScreen(self.guide, self.summary(), self.interview.recording_offset_ms), self.finish)

    def finish(self, confirmed: bool | str | None) -> None:
        """End the interview; with "code", go straight on to coding its notes
        (when recording was not allowed, the notes are the data)."""
        if not confirmed:
            return
        try:
            store.end_interview(self.study, self.interview_id)
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return
        self.stop_recording()
        self.reload_interview()
        self.app.ended_interview = self.interview_id
        if confirmed == "code" and self.interview_has_notes():
            self.code_notes()
            return
        if self.exit_on_end:
            self.app.exit()
        else:
            self.dismiss()
            self.app.notify(f"Interview with {self.interview.participant} ended and saved")

    def interview_has_notes(self) -> bool:
        return bool(store.interview_outcome(self.study, self.interview_id)["notes"])

    def code_notes(self) -> None:
        """Replace this screen by coding mode on the interview's notes."""
        app = self.app
        app.notify(f"Interview with {self.interview.participant} ended and saved: now coding its notes")
        # Launched by `tacompanion interview`: the command ends with coding.
        app.open_coding("notes", self.interview_id, replace=True,
                        on_back=app.exit if self.exit_on_end else None)
