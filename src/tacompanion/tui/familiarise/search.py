"""Search every transcript (FTS5): hits in context, Enter opens one.

A place to come back to: Enter searches and leaves the cursor in the query,
so typing refines it; ↓ or Tab moves to the hits; a transcript opened from a
hit opens over the search, so `q` there comes back to the hits. The hits can
be coded: c codes the highlighted turn, C every turn found, with one code."""

from __future__ import annotations

from dataclasses import dataclass

from tacompanion.core.words import escape_markup as escape
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
        Binding("down,tab", "to_results", "To the hits", id="search.to_results"),
        Binding("c", "code_hit", "Code this turn", id="search.code"),
        Binding("C", "code_all", "Code every turn found", id="search.code_all"),
        *[
            Binding(str(i), f"recent({i})", f"Recent code {i} on this turn", id=f"search.recent{i}", show=False)
            for i in range(1, 10)
        ],
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
                select_on_focus=False,  # back from the hits, typing goes on at the end
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
        # The cursor stays in the query: typing on refines it; ↓ goes to the hits.
        self.run_search(event.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # c and C are letters of the query while typing; they code from the hits.
        if action in ("code_hit", "code_all", "recent"):
            return not self.query_one(Input).has_focus
        if action == "to_results":
            return self.query_one(Input).has_focus
        return True

    def on_key(self, event) -> None:
        # A letter typed on the hits goes to the query (and refines it);
        # c, C and 1-9 code from the hits.
        hits = self.query_one("#search-hits", OptionList)
        char = event.character
        if (hits.has_focus and char and char.isprintable() and not char.isspace()
                and char not in "cC123456789"):  # c, C and the digits code the hits
            field = self.query_one(Input)
            field.focus()
            field.insert_text_at_cursor(char)
            event.stop()
            event.prevent_default()

    def run_search(self, text: str, *, quiet: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        results = self.query_one("#search-hits", OptionList)
        try:
            result = search_segments(self.app.study, text, limit=MAX_HITS)
            hits, total, files = result.hits, result.total, result.transcripts
        except (SearchQueryError, StudyError) as exc:
            if not quiet:
                status.update(f"[b red]{escape(str(exc))}[/]")
            return
        self.hits = hits
        self.query_text = text
        results.clear_options()
        results.add_options([Option(hit_prompt(h), id=str(i)) for i, h in enumerate(hits)])
        shown = f" (first {len(hits)})" if total > len(hits) else ""
        status.update(
            f"{total} hit{'s' if total != 1 else ''} in {files} transcript{'s' if files != 1 else ''}"
            f"{shown} · ↓ to the hits: Enter opens, c codes one, C all" if total
            else f"[dim]no hits for {escape(repr(text))}[/]"
        )

    def action_to_results(self) -> None:
        results = self.query_one("#search-hits", OptionList)
        if self.hits and self.query_one(Input).has_focus:
            results.focus()
            results.highlighted = results.highlighted or 0

    @on(OptionList.OptionSelected, "#search-hits")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[event.option_index]
        # Over the search, not instead of it: q in the transcript comes back here.
        self.app.open_transcript(hit.transcript_id, hit.position, self.query_text)

    def action_code_hit(self) -> None:
        results = self.query_one("#search-hits", OptionList)
        if not self.hits or results.highlighted is None:
            return
        hit = self.hits[results.highlighted]
        self.code_turns([hit.segment_id], f"{hit.participant} turn {hit.position + 1}")

    def action_recent(self, number: int) -> None:
        """The N-th recent code (as in coding mode) on the highlighted turn."""
        from tacompanion.store import codes as code_store

        results = self.query_one("#search-hits", OptionList)
        status = self.query_one("#search-status", Static)
        recent = code_store.recent_codes(self.app.study)
        if not self.hits or results.highlighted is None:
            return
        if number > len(recent):
            status.update(f"No recent code {number} yet: c picks one.")
            return
        hit = self.hits[results.highlighted]
        self.apply_to_turns(recent[number - 1][0], [hit.segment_id])

    def action_code_all(self) -> None:
        if not self.hits:
            return
        from tacompanion.tui.dialogs.prompts import ConfirmScreen

        try:
            every = search_segments(self.app.study, self.query_text, limit=None).hits
        except (SearchQueryError, StudyError) as exc:
            self.query_one("#search-status", Static).update(f"[b red]{escape(str(exc))}[/]")
            return
        files = len({h.transcript_id for h in every})
        label = f"the {len(every)} turns found for '{self.query_text}'"

        def answered(yes: bool | None) -> None:
            if yes:
                self.code_turns([h.segment_id for h in every], label)

        self.app.push_screen(ConfirmScreen(
            f"Code all {len(every)} turn{'s' if len(every) != 1 else ''} found for '{self.query_text}' "
            f"(in {files} transcript{'s' if files != 1 else ''}) with one code? Each whole turn is coded."
        ), answered)

    def code_turns(self, segment_ids: list[int], label: str) -> None:
        from tacompanion.store import codes as code_store
        from tacompanion.tui.dialogs.picker import FuzzyPicker, Picked

        study = self.app.study
        items = [(s.id, s.name) for s in code_store.list_codes(study)]
        recent = {cid: i for i, (cid, _) in enumerate(code_store.recent_codes(study))}
        items.sort(key=lambda it: (recent.get(it[0], len(recent)), it[1].casefold()))
        status = self.query_one("#search-status", Static)

        def picked(result: Picked | None) -> None:
            if result is None:
                return
            try:
                code_id = (code_store.create_code(study, result.new_name) if result.new_name
                           else result.item_id)
            except StudyError as exc:
                status.update(f"[b red]{escape(str(exc))}[/]")
                return
            self.apply_to_turns(code_id, segment_ids)

        self.app.push_screen(
            FuzzyPicker(f"Code {label}", items, allow_create=True, create_label="Create code"), picked
        )

    def apply_to_turns(self, code_id: int, segment_ids: list[int]) -> None:
        from tacompanion.store import codes as code_store

        study = self.app.study
        status = self.query_one("#search-status", Static)
        try:
            places = code_store.segment_places(study, segment_ids)
            made = code_store.apply_code_to_spans(study, code_id, places, self.app.coder)
        except StudyError as exc:
            status.update(f"[b red]{escape(str(exc))}[/]")
            return
        name = code_store.code_name(study, code_id)
        had = len(places) - made
        status.update(escape(
            f"Applied '{name}' to {made} turn{'s' if made != 1 else ''}"
            + (f" ({had} had it already)" if had else "") + " · u in coding mode undoes it"
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)
