"""The interview notes of one participant, read-only, beside coding.

A cursor (j/k) picks a note: p plays the recording from it; o sets its
interview's recording offset afterwards, and every time shown follows.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tacompanion.core.document import clock
from tacompanion.store.documents import participant_notes
from tacompanion.tui.playback import PlaysRecording, playback_bindings

_MARK = {"quote": "! ", "follow-up": "? ", "note": ""}


class NotesScreen(PlaysRecording, ModalScreen[None]):
    CSS_PATH = "notes_screen.tcss"
    HELP_TITLE = "interview notes"
    BINDINGS = [
        Binding("escape,i,q", "close", "Close", id="notes.close"),
        Binding("j,down", "move(1)", "Next note", id="notes.next", show=False),
        Binding("k,up", "move(-1)", "Previous note", id="notes.previous", show=False),
        Binding("o", "offset", "Recording offset", id="notes.offset"),
        *playback_bindings("notes"),
    ]

    def __init__(self, participant_id: int, pseudonym: str) -> None:
        super().__init__()
        self.participant_id = participant_id
        self.pseudonym = pseudonym
        self.selected = 0
        self.notes: list[dict] = []

    def compose(self) -> ComposeResult:
        notes = self.notes = participant_notes(self.app.study, self.participant_id)
        with Vertical(id="notes-box"):
            yield Label(f"Interview notes of {self.pseudonym} ({len(notes)})", id="notes-title")
            with VerticalScroll(id="notes-scroll"):
                if not notes:
                    yield Static("[dim]No interview notes for this participant.[/]")
                current = None
                for i, n in enumerate(notes):
                    if n["interview_id"] != current:
                        current = n["interview_id"]
                        start = n["interview_start"][:16].replace("T", " ")
                        offset = n["recording_offset_ms"] or 0
                        shift = f" · recording offset {'-' if offset < 0 else ''}{clock(abs(offset))}" if offset else ""
                        yield Static(Text(f"Interview {start}{shift}", style="bold"))
                    line = Text.assemble(
                        (clock(n["recording_ms"]) or "--:--", "dim"), " ",
                        (_MARK.get(n["kind"], ""), "bold"), n["text"],
                    )
                    yield Static(line, classes="note -selected" if i == self.selected else "note")
            yield Static("[dim]j/k a note · p plays it · o recording offset · Esc closes[/]")

    def action_move(self, delta: int) -> None:
        if not self.notes:
            return
        self.selected = max(0, min(len(self.notes) - 1, self.selected + delta))
        for i, widget in enumerate(self.query(".note")):
            widget.set_class(i == self.selected, "-selected")
            if i == self.selected:
                widget.scroll_visible()

    def playable_item(self) -> tuple[str, int] | None:
        return ("note", self.notes[self.selected]["id"]) if self.notes else None

    def action_offset(self) -> None:
        """Set the selected note's interview's recording offset afterwards."""
        from tacompanion.core.interview import parse_offset
        from tacompanion.store.interviews import set_recording_offset
        from tacompanion.tui.dialogs.prompts import PromptScreen

        if not self.notes:
            self.notify("No interview notes, so no interview to set an offset on.", severity="warning")
            return
        note = self.notes[self.selected]
        interview_id, offset = note["interview_id"], note["recording_offset_ms"] or 0

        async def answered(text: str | None) -> None:
            if text is None:
                return
            try:
                value = parse_offset(text or "0")
            except ValueError as exc:
                self.notify(str(exc), severity="error")
                return
            set_recording_offset(self.app.study, interview_id, value)
            await self.recompose()
            self.query_one("#notes-scroll").focus()  # the focused widget went with the old ones
            self.notify(f"Recording offset {text.strip() or '0'}: every note's time in the recording follows.")

        start = note["interview_start"][:16].replace("T", " ")
        shown = f"{'-' if offset < 0 else ''}{clock(abs(offset))}" if offset else "0"
        self.app.push_screen(PromptScreen(
            f"How long had the recorder run when the clock of the interview of {start} started? "
            "(40, 1:30, 1m30s; -5 if it started after)", shown), answered)

    def action_close(self) -> None:
        self.dismiss(None)
