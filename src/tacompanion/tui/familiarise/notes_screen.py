"""The interview notes of one participant, read-only, beside coding."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tacompanion.core.document import clock
from tacompanion.store.documents import participant_notes

_MARK = {"quote": "! ", "follow-up": "? ", "note": ""}


class NotesScreen(ModalScreen[None]):
    CSS_PATH = "notes_screen.tcss"
    HELP_TITLE = "interview notes"
    BINDINGS = [Binding("escape,i,q", "close", "Close", id="notes.close")]

    def __init__(self, participant_id: int, pseudonym: str) -> None:
        super().__init__()
        self.participant_id = participant_id
        self.pseudonym = pseudonym

    def compose(self) -> ComposeResult:
        notes = participant_notes(self.app.study, self.participant_id)
        with Vertical(id="notes-box"):
            yield Label(f"Interview notes of {self.pseudonym} ({len(notes)})", id="notes-title")
            with VerticalScroll(id="notes-scroll"):
                if not notes:
                    yield Static("[dim]No interview notes for this participant.[/]")
                current = None
                for n in notes:
                    if n["interview_id"] != current:
                        current = n["interview_id"]
                        start = n["interview_start"][:16].replace("T", " ")
                        yield Static(Text(f"Interview {start}", style="bold"))
                    line = Text.assemble(
                        (clock(n["recording_ms"]) or "--:--", "dim"), " ",
                        (_MARK.get(n["kind"], ""), "bold"), n["text"],
                    )
                    yield Static(line, classes="note")
            yield Static("[dim]Esc closes[/]")

    def action_close(self) -> None:
        self.dismiss(None)
