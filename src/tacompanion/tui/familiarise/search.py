"""Search every transcript and every interview's notes (FTS5): hits in
context, Enter jumps to one (a note's hit opens the interview's notes there)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.core.search import MARK_END, MARK_START, NoteHit, SearchHit, SearchQueryError
from tacompanion.core.transcript import format_clock
from tacompanion.store.notes import search_notes
from tacompanion.store.study import StudyError
from tacompanion.store.transcripts import search_segments

MAX_HITS = 300


@dataclass(frozen=True)
class SearchChoice:
    """What the researcher picked: where to go, and what was searched for."""

    hit: SearchHit | NoteHit
    query: str


def hit_prompt(hit: SearchHit) -> Text:
    """Two lines: where (participant, file, turn, time, speaker), then the words."""
    out = Text()
    out.append(hit.participant, style="bold")
    out.append(f"  {hit.file_name}  turn {hit.position + 1}", style="dim")
    if hit.start_ms is not None:
        out.append(f"  {format_clock(hit.start_ms)}", style="dim")
    if hit.speaker:
        out.append(f"  {hit.speaker}", style="italic")
    out.append("\n  ")
    _marked(out, hit.snippet)
    return out


def note_hit_prompt(hit: NoteHit) -> Text:
    """Two lines: whose note, which interview, its kind and time; then the words."""
    out = Text()
    out.append(hit.participant, style="bold")
    out.append(f"  {hit.interview}  {hit.kind}", style="dim")
    if hit.recording_ms is not None:
        out.append(f"  {format_clock(hit.recording_ms)}", style="dim")
    out.append("\n  ")
    _marked(out, hit.snippet)
    return out


def _marked(out: Text, snippet: str) -> None:
    snippet = " ".join(snippet.split())
    marked = False
    for piece in snippet.replace(MARK_END, MARK_START).split(MARK_START):
        if piece:
            out.append(piece, style="bold reverse" if marked else "")
        marked = not marked


class SearchScreen(ModalScreen[SearchChoice | None]):
    CSS_PATH = "search.tcss"
    HELP_TITLE = "search"
    BINDINGS = [
        Binding("escape", "cancel", "Close", id="search.close"),
        Binding("down", "to_results", "Hits", show=False, id="search.to_results"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.hits: list[SearchHit | NoteHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(
                self.initial,
                placeholder='words, "a phrase", prefix*, a OR b — Enter searches',
                id="search-input",
            )
            yield Static("", id="search-status")
            yield OptionList(id="search-hits")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.initial:
            self.run_search(self.initial)

    @on(Input.Changed, "#search-input")
    def typed(self, event: Input.Changed) -> None:
        if len(event.value.strip()) >= 3:
            self.run_search(event.value, quiet=True)

    @on(Input.Submitted, "#search-input")
    def submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)
        if self.hits:
            self.action_to_results()

    def run_search(self, text: str, *, quiet: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        results = self.query_one("#search-hits", OptionList)
        try:
            result = search_segments(self.app.study, text, limit=MAX_HITS)
            hits, total, files = result.hits, result.total, result.transcripts
            notes = search_notes(self.app.study, text, limit=MAX_HITS)
        except (SearchQueryError, StudyError) as exc:
            if not quiet:
                status.update(f"[b red]{exc}[/]")
            return
        self.hits = [*hits, *notes.hits]
        self.query_text = text
        results.clear_options()
        results.add_options([Option(hit_prompt(h) if isinstance(h, SearchHit) else note_hit_prompt(h), id=str(i))
                             for i, h in enumerate(self.hits)])
        shown = f" (first {len(hits)})" if total > len(hits) else ""
        found = []
        if total:
            found.append(f"{total} hit{'s' if total != 1 else ''} in {files} transcript{'s' if files != 1 else ''}"
                         f"{shown}")
        if notes.total:
            found.append(f"{notes.total} in the notes of {notes.interviews} interview"
                         f"{'s' if notes.interviews != 1 else ''}")
        status.update(
            " · ".join(found) + " · ↓ to the hits, Enter opens one" if found else f"[dim]no hits for {text!r}[/]"
        )

    def action_to_results(self) -> None:
        results = self.query_one("#search-hits", OptionList)
        if self.hits and self.query_one(Input).has_focus:
            results.focus()
            results.highlighted = results.highlighted or 0

    @on(OptionList.OptionSelected, "#search-hits")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(SearchChoice(self.hits[event.option_index], self.query_text))

    def action_cancel(self) -> None:
        self.dismiss(None)
