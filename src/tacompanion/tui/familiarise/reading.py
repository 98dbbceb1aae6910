"""Reading one transcript closely (familiarisation): turn by turn, with the
interview notes beside it, a read mark and a memo."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from tacompanion.core.search import highlight_terms, term_pattern
from tacompanion.core.transcript import format_clock
from tacompanion.store.transcripts import (
    coded_positions,
    get_transcript,
    load_segments,
    participant_notes,
    save_transcript_memo,
    segment_id_at,
    set_read,
    transcript_memo,
)
from tacompanion.tui.dialogs.prompts import MemoScreen
from tacompanion.tui.familiarise.notes_panel import NotesPanel
from tacompanion.tui.familiarise.transcript_view import TranscriptView
from tacompanion.tui.playback import PlaysRecording, playback_bindings
from tacompanion.tui.widgets.key_footer import KeyFooter

# Below this width the notes start hidden: the transcript needs the room.
NOTES_MIN_WIDTH = 100


class ReadingScreen(PlaysRecording, Screen):
    CSS_PATH = "reading.tcss"
    HELP_TITLE = "reading a transcript"
    BINDINGS = [
        Binding("r", "toggle_read", "Mark read", id="reading.read"),
        Binding("m", "memo", "Memo", id="reading.memo"),
        Binding("n", "toggle_notes", "Notes", id="reading.notes"),
        Binding("slash", "app.search", "Search", id="reading.search"),
        Binding("Q", "mark_question", "Question starts here", id="reading.mark_question", show=False),
        Binding("escape,q", "close", "Back", id="reading.back"),
        *playback_bindings("reading"),
    ]

    def __init__(self, transcript_id: int, *, position: int = 0, query: str | None = None) -> None:
        super().__init__()
        self.notes_pending = False
        self.has_memo = False
        self.transcript_id = transcript_id
        self.start_position = position
        self.query_text = query

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="reading-status")
        with Horizontal(id="reading-body"):
            yield TranscriptView(id="transcript")
            with Vertical(id="notes-box"):
                yield Static("Interview notes", id="notes-title")
                yield NotesPanel(id="notes")
                yield Static("", id="notes-empty")
        yield KeyFooter()

    def on_mount(self) -> None:
        study = self.app.study
        self.info = get_transcript(study, self.transcript_id)
        self.segments = load_segments(study, self.transcript_id)
        view = self.query_one(TranscriptView)
        view.set_transcript(self.segments, coded_positions(study, self.transcript_id))
        self.show_questions()
        self.has_memo = bool(transcript_memo(study, self.transcript_id))
        self.notes = participant_notes(study, self.transcript_id)
        panel = self.query_one(NotesPanel)
        empty = self.query_one("#notes-empty", Static)
        empty.update(f"[dim]No interview notes for {self.info.participant}.[/]")
        empty.display = not self.notes
        panel.display = bool(self.notes)
        box = self.query_one("#notes-box")
        box.display = bool(self.notes) and self.size.width >= NOTES_MIN_WIDTH
        if box.display:
            panel.show_notes(self.notes, self.segments)
        else:  # filled when first shown: the transcript paints first
            self.notes_pending = bool(self.notes)
        self.sub_title = f"{self.info.participant} · {self.info.file_name}"
        if self.query_text:
            self.highlight(self.query_text)
        view.focus()
        self.update_status()
        if self.start_position:
            # After the first layout: centring needs the view's real height.
            self.call_after_refresh(view.go_to, self.start_position)

    # -- status --------------------------------------------------------------------------

    def update_status(self, position: int | None = None) -> None:
        view = self.query_one(TranscriptView)
        position = view.cursor if position is None else position
        info = self.info
        read = "[green]✓ read[/]" if info.read_at else "[dim]unread (r)[/]"
        memo = " · memo" if self.has_memo else ""
        notes = f" · {len(self.notes)} notes (n)" if self.notes else ""
        where = ""
        if self.segments:
            seg = self.segments[position]
            clock = f" {format_clock(seg.start_ms)}" if seg.start_ms is not None else ""
            where = f"turn {position + 1}/{len(self.segments)}{clock}"
        pilot = " (pilot)" if info.pilot else ""
        self.query_one("#reading-status", Static).update(
            f"[b]{info.participant}[/b]{pilot} · {info.file_name} · {where} · {read}{memo}{notes}"
        )

    def playable_item(self) -> tuple[str, int] | None:
        """The note highlighted in the notes panel when it has the focus,
        else the turn under the cursor."""
        panel = self.query_one(NotesPanel)
        if panel.has_focus and panel.highlighted is not None and self.notes:
            return ("note", self.notes[panel.highlighted].id)
        if not self.segments:
            return None
        segment_id = segment_id_at(self.app.study, self.transcript_id, self.query_one(TranscriptView).cursor)
        return ("segment", segment_id) if segment_id is not None else None

    def on_transcript_view_cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        self.update_status(event.position)
        if self.notes:
            self.query_one(NotesPanel).follow_turn(event.position)

    def on_notes_panel_jump_to_turn(self, event: NotesPanel.JumpToTurn) -> None:
        view = self.query_one(TranscriptView)
        view.go_to(event.position)
        view.focus()

    # -- actions -----------------------------------------------------------------------------

    def go_to(self, position: int, query: str | None = None) -> None:
        """Jump to a turn (from a search hit), marking the words searched for."""
        if query:
            self.highlight(query)
        view = self.query_one(TranscriptView)
        view.go_to(position)
        view.focus()

    def highlight(self, query: str) -> None:
        self.query_text = query
        self.query_one(TranscriptView).set_highlight(term_pattern(highlight_terms(query)))

    def action_toggle_read(self) -> None:
        read_at = set_read(self.app.study, self.transcript_id, not self.info.read_at)
        self.info = get_transcript(self.app.study, self.transcript_id)
        self.update_status()
        self.notify("Marked as read" if read_at else "Marked as not read")

    def action_memo(self) -> None:
        current = transcript_memo(self.app.study, self.transcript_id)

        def saved(text: str | None) -> None:
            if text is None or text == current:
                return
            save_transcript_memo(self.app.study, self.transcript_id, text)
            self.has_memo = bool(text.strip())
            self.update_status()
            self.notify("Memo saved" if text.strip() else "Memo deleted")

        self.app.push_screen(MemoScreen(f"Memo on {self.info.participant} · {self.info.file_name}", current), saved)

    def action_toggle_notes(self) -> None:
        box = self.query_one("#notes-box")
        box.display = not box.display
        if box.display and self.notes_pending:
            self.notes_pending = False
            panel = self.query_one(NotesPanel)
            panel.show_notes(self.notes, self.segments)
            panel.follow_turn(self.query_one(TranscriptView).cursor)
        if not box.display:
            self.query_one(TranscriptView).focus()

    def show_questions(self) -> None:
        from tacompanion.store.by_question import question_starts

        self.query_one(TranscriptView).set_questions(question_starts(self.app.study, self.transcript_id, "position"))

    def action_mark_question(self) -> None:
        """Mark the guide question that starts at this turn (answers by question)."""
        from tacompanion.tui.dialogs.question_marks import mark_question_here

        if not self.segments:
            return
        segment_id = segment_id_at(self.app.study, self.transcript_id, self.query_one(TranscriptView).cursor)
        if segment_id is not None:
            def said(message: str) -> None:
                self.show_questions()
                self.notify(message)

            mark_question_here(self, self.transcript_id, segment_id, said)

    def action_close(self) -> None:
        self.app.pop_screen()
