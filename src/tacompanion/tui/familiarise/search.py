"""Search every transcript and every interview's notes (FTS5): hits in
context, Enter opens one (a note's hit opens the interview's notes there).

A place to come back to: Enter searches and leaves the cursor in the query,
so typing refines it; ↓ or Tab moves to the hits; what a hit opens opens over
the search, so `q` there comes back to the hits. The hits can be coded: c
codes the highlighted turn (or note), C every one found, 1-9 a recent code."""

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
from tacompanion.core.words import escape_markup as escape
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
        self.hits: list[SearchHit | NoteHit] = []

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
            notes = search_notes(self.app.study, text, limit=MAX_HITS)
        except (SearchQueryError, StudyError) as exc:
            if not quiet:
                status.update(f"[b red]{escape(str(exc))}[/]")
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
            " · ".join(found) + " · ↓ to the hits: Enter opens, c codes one, C all" if found
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
        # Over the search, not instead of it: q there comes back to the hits.
        if isinstance(hit, NoteHit):
            self.app.open_note(hit.interview_id, hit.note_id)
        else:
            self.app.open_transcript(hit.transcript_id, hit.position, self.query_text)

    @staticmethod
    def _places(hits: list) -> tuple[list[int], list[int]]:
        """The turns (segment ids) and notes (note ids) of these hits."""
        return ([h.segment_id for h in hits if not isinstance(h, NoteHit)],
                [h.note_id for h in hits if isinstance(h, NoteHit)])

    @staticmethod
    def _where(hit) -> str:
        if isinstance(hit, NoteHit):
            return f"{hit.participant}'s note ({hit.interview})"
        return f"{hit.participant} turn {hit.position + 1}"

    def _highlighted(self):
        results = self.query_one("#search-hits", OptionList)
        if not self.hits or results.highlighted is None:
            return None
        return self.hits[results.highlighted]

    def action_code_hit(self) -> None:
        hit = self._highlighted()
        if hit is not None:
            self.code_places(*self._places([hit]), self._where(hit))

    def action_recent(self, number: int) -> None:
        """The N-th recent code (as in coding mode) on the highlighted turn or note."""
        from tacompanion.store import codes as code_store

        hit = self._highlighted()
        if hit is None:
            return
        recent = code_store.recent_codes(self.app.study)
        if number > len(recent):
            self.query_one("#search-status", Static).update(f"No recent code {number} yet: c picks one.")
            return
        self.apply_to_places(recent[number - 1][0], *self._places([hit]))

    def action_code_all(self) -> None:
        if not self.hits:
            return
        from tacompanion.tui.dialogs.prompts import ConfirmScreen

        try:
            every = [*search_segments(self.app.study, self.query_text, limit=None).hits,
                     *search_notes(self.app.study, self.query_text, limit=None).hits]
        except (SearchQueryError, StudyError) as exc:
            self.query_one("#search-status", Static).update(f"[b red]{escape(str(exc))}[/]")
            return
        segments, notes = self._places(every)
        files = len({h.transcript_id for h in every if not isinstance(h, NoteHit)})
        parts = []
        if segments:
            parts.append(f"{len(segments)} turn{'s' if len(segments) != 1 else ''} "
                         f"(in {files} transcript{'s' if files != 1 else ''})")
        if notes:
            parts.append(f"{len(notes)} note{'s' if len(notes) != 1 else ''}")
        label = f"the {' and '.join(parts)} found for '{self.query_text}'"

        def answered(yes: bool | None) -> None:
            if yes:
                self.code_places(segments, notes, label)

        self.app.push_screen(ConfirmScreen(
            f"Code all {' and '.join(parts)} found for '{self.query_text}' with one code? "
            "Each whole turn or note is coded."
        ), answered)

    def code_places(self, segment_ids: list[int], note_ids: list[int], label: str) -> None:
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
            self.apply_to_places(code_id, segment_ids, note_ids)

        self.app.push_screen(
            FuzzyPicker(f"Code {label}", items, allow_create=True, create_label="Create code"), picked
        )

    def apply_to_places(self, code_id: int, segment_ids: list[int], note_ids: list[int]) -> None:
        from tacompanion.store import codes as code_store

        study = self.app.study
        status = self.query_one("#search-status", Static)
        try:
            places = code_store.segment_places(study, segment_ids, note_ids)
            made = code_store.apply_code_to_spans(study, code_id, places, self.app.coder)
        except StudyError as exc:
            status.update(f"[b red]{escape(str(exc))}[/]")
            return
        name = code_store.code_name(study, code_id)
        had = len(places) - made
        status.update(escape(
            f"Applied '{name}' to {made} place{'s' if made != 1 else ''} found"
            + (f" ({had} had it already)" if had else "") + " · u in coding mode undoes it"
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)
