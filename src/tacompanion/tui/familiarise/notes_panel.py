"""The interview notes beside a transcript, each placed at a turn by time.

A note is placed at the turn that was being spoken when it was written
(its time on the recording against the turns' start times), when both have
times. Selecting a note asks the screen to jump there.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tacompanion.core.transcript import Segment, format_clock
from tacompanion.store.transcripts import NoteRow

KIND_MARK = {"note": "•", "quote": "“", "follow-up": "→"}


def place_notes(notes: list[NoteRow], segments: list[Segment]) -> list[int | None]:
    """For each note, the turn (position) it belongs to by time, or None."""
    timed = [(s.start_ms, s.position) for s in segments if s.start_ms is not None]
    if not timed:
        return [None] * len(notes)
    starts = [t for t, _ in timed]
    out: list[int | None] = []
    for note in notes:
        if note.recording_ms is None:
            out.append(None)
            continue
        i = bisect_right(starts, note.recording_ms) - 1
        out.append(timed[max(i, 0)][1])
    return out


class NotesPanel(OptionList):
    """A short list: the notes of one interview (or one participant)."""

    DEFAULT_CSS = """
    NotesPanel, NotesPanel:focus {
        border: none;
        padding: 0;
        background: $surface;
    }
    """

    class JumpToTurn(Message):
        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.placements: list[int | None] = []

    def show_notes(self, notes: list[NoteRow], segments: list[Segment]) -> None:
        self.placements = place_notes(notes, segments)
        self.clear_options()
        options = []
        for i, (note, turn) in enumerate(zip(notes, self.placements, strict=True)):
            head = Text()
            head.append(KIND_MARK.get(note.kind, "•") + " ", style="bold")
            if note.elapsed_ms is not None:
                head.append(format_clock(note.recording_ms), style="dim")
            if turn is not None:
                head.append(f"  turn {turn + 1}", style="dim")
            head.append("\n")
            head.append(note.text)
            options.append(Option(head, id=str(i)))
        self.add_options(options)

    def follow_turn(self, position: int) -> None:
        """Highlight the last note placed at or before this turn."""
        best = None
        for i, turn in enumerate(self.placements):
            if turn is not None and turn <= position:
                best = i
        if best is not None and best != self.highlighted:
            self.highlighted = best

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        turn = self.placements[event.option_index] if self.placements else None
        if turn is not None:
            self.post_message(self.JumpToTurn(turn))
