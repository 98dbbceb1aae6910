"""Search every transcript (FTS5): hits in context, Enter jumps to one."""

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

from tacompanion.core.search import MARK_END, MARK_START, SearchHit, SearchQueryError
from tacompanion.core.transcript import format_clock
from tacompanion.store.study import StudyError
from tacompanion.store.transcripts import search_segments

MAX_HITS = 300


@dataclass(frozen=True)
class SearchChoice:
    """What the researcher picked: where to go, and what was searched for."""

    hit: SearchHit
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
    snippet = " ".join(hit.snippet.split())
    marked = False
    for piece in snippet.replace(MARK_END, MARK_START).split(MARK_START):
        if piece:
            out.append(piece, style="bold reverse" if marked else "")
        marked = not marked
    return out


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
        self.hits: list[SearchHit] = []

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
        except (SearchQueryError, StudyError) as exc:
            if not quiet:
                status.update(f"[b red]{exc}[/]")
            return
        self.hits = hits
        self.query_text = text
        results.clear_options()
        results.add_options([Option(hit_prompt(h), id=str(i)) for i, h in enumerate(hits)])
        shown = f" (first {len(hits)})" if total > len(hits) else ""
        status.update(
            f"{total} hit{'s' if total != 1 else ''} in {files} transcript{'s' if files != 1 else ''}"
            f"{shown} · ↓ to the hits, Enter opens one" if total else f"[dim]no hits for {text!r}[/]"
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
