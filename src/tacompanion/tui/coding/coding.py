"""Coding mode: attach codes to extracts by keyboard alone, with undo.

The screen turns keys into store calls (`store.codes`, `store.history`,
`store.memos`) and redraws from what the store then says, so nothing is
shown that is not already committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from tacompanion.core.fuzzy import rank
from tacompanion.core.spans import (
    Span,
    covering,
    extend_forward,
    extend_to,
    find_all,
    move_start_backward,
    move_start_forward,
    next_unit,
    previous_unit,
    sentences,
    shrink_backward,
    unit_at,
    words,
)
from tacompanion.core.words import distinct_labels, plural
from tacompanion.core.words import escape_markup as escape
from tacompanion.store import codes as code_store
from tacompanion.store import history
from tacompanion.store.codes import CodeSummary
from tacompanion.store.documents import codings_by_block, load_document, question_start_turns
from tacompanion.store.memos import get_memo, save_memo
from tacompanion.store.study import StudyError
from tacompanion.tui.coding.code_list import CodeList
from tacompanion.tui.coding.coding_view import CodingView
from tacompanion.tui.playback import PlaysRecording, playback_bindings
from tacompanion.tui.study_view import SeesOtherWriters
from tacompanion.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from tacompanion.tui.dialogs.picker import Picked

# The dialogs (picker, prompts, memo editor) are imported when first opened:
# `code FILE` draws the coding screen before any of them is needed.


class CodingScreen(PlaysRecording, SeesOtherWriters, Screen):
    CSS_PATH = "coding.tcss"
    HELP_TITLE = "coding"
    BINDINGS = [
        Binding("j,down", "move(1)", "Next", id="coding.next", show=False),
        Binding("k,up", "move(-1)", "Previous", id="coding.previous", show=False),
        Binding("pagedown", "page(1)", "Page down", id="coding.pagedown", show=False),
        Binding("pageup", "page(-1)", "Page up", id="coding.pageup", show=False),
        Binding("g,home", "edge(0)", "Start", id="coding.start", show=False),
        Binding("G,end", "edge(1)", "End", id="coding.end", show=False),
        Binding("n", "uncoded(1)", "Next uncoded", id="coding.next_uncoded"),
        Binding("N", "uncoded(-1)", "Previous uncoded", id="coding.prev_uncoded", show=False),
        Binding("c", "pick_code", "Code", id="coding.code"),
        *[
            Binding(str(i), f"recent({i})", f"Recent code {i}", id=f"coding.recent{i}", show=False)
            for i in range(1, 10)
        ],
        Binding("v", "select", "Select part", id="coding.select"),
        Binding("w", "grow('word')", "Select: +word", id="coding.grow_word", show=False),
        Binding("b", "shrink('word')", "Select: -word", id="coding.shrink_word", show=False),
        Binding("s", "grow('sentence')", "Select: +sentence", id="coding.grow_sentence", show=False),
        Binding("S", "shrink('sentence')", "Select: -sentence", id="coding.shrink_sentence", show=False),
        Binding("right_square_bracket", "start_forward", "Select: start later", id="coding.start_later", show=False),
        Binding("left_square_bracket", "start_back", "Select: start earlier", id="coding.start_earlier", show=False),
        Binding("f", "hint('start')", "Select from a word (labels)", id="coding.from_word"),
        Binding("t", "hint('end')", "Select to a word (labels)", id="coding.to_word", show=False),
        Binding("F", "hint('sentence')", "Select a sentence (labels)", id="coding.pick_sentence", show=False),
        Binding("full_stop", "this_sentence", "Select this sentence", id="coding.this_sentence", show=False),
        Binding("right_parenthesis", "step_sentence(1)", "Select the next sentence", id="coding.next_sentence", show=False),
        Binding("left_parenthesis", "step_sentence(-1)", "Select the previous sentence", id="coding.previous_sentence", show=False),
        Binding("e", "to_end", "Select to the end of the turn", id="coding.to_end", show=False),
        Binding("A", "code_hits", "Code all the search hits", id="coding.code_hits", show=False),
        Binding("greater_than_sign", "panel_width", "Widen or hide the codes panel", id="coding.panel_width", show=False),
        Binding("x", "remove_code", "Remove code", id="coding.remove"),
        Binding("y", "copy_quote", "Copy quote", id="coding.copy", show=False),
        Binding("u", "undo", "Undo", id="coding.undo"),
        Binding("ctrl+r", "redo", "Redo", id="coding.redo"),
        Binding("m", "memo_segment", "Memo", id="coding.memo"),
        Binding("M", "memo_code", "Code memo", id="coding.code_memo", show=False),
        Binding("slash", "search", "Search", id="coding.search"),
        Binding("i", "notes", "Interview notes", id="coding.notes", show=False),
        Binding("L", "similar", "Turns like this one", id="coding.similar", show=False),
        Binding("Q", "mark_question", "Question starts here", id="coding.mark_question", show=False),
        Binding("tab", "toggle_panel", "Codes panel", id="coding.panel"),
        Binding("C", "toggle_coders", "Every coder's codings", id="coding.all_coders", show=False),
        Binding("escape", "escape", "Cancel selection", id="coding.escape", show=False),
        Binding("q", "back", "Back", id="coding.back"),
        *playback_bindings("coding"),
    ]

    def __init__(self, kind: str, key: int, coder: str, cursor: int = 0) -> None:
        super().__init__()
        self.kind = kind
        self.key = key
        self.coder = coder
        self.start_cursor = cursor
        self.document = None
        self.code_filter = ""
        self.last_search = ""
        self.recent: list[tuple[int, str]] = []
        self.hits: list[tuple[int, Span]] = []  # the last search's hits: (block index, span)
        self.panel_state = "normal"  # normal, wide or hidden (key >)
        self.on_back = None  # what `q` does instead of going back, when nothing is below
        self.all_coders = False  # the view shows this coder's codings; C shows everyone's, marked
        self._shown: dict[str | None, Text | str] = {}  # what some Statics show (see _update)

    # -- building ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="recent")
        with Horizontal(id="coding-main"):
            yield CodingView(id="view")
            with Vertical(id="code-panel"):
                yield Static("Codes", id="code-panel-title")
                yield Input(placeholder="filter codes", id="code-filter")
                yield CodeList(id="code-list")
                yield Static(id="code-full")
        yield Static(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        study = self.app.study
        self.document = load_document(study, self.kind, self.key)
        self.title = f"{self.document.participant} · {self.document.title}"
        self.sub_title = f"coding as {self.coder}"
        view = self.query_one(CodingView)
        view.set_document(self.document, self.codings(), self.start_cursor)
        self.show_questions(later=True)
        self.query_one("#code-filter", Input).display = False
        self.refresh_codes()
        self.remember_study_version()
        view.focus()
        self.status(
            f"{len(self.document.blocks)} {'turns' if self.kind == 'transcript' else 'notes'}"
            " · c code · 1-9 recent · f/F select word/sentence · x remove · u undo · ? help"
        )

    @property
    def view(self) -> CodingView:
        return self.query_one(CodingView)

    def status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def reload_from_study(self) -> None:
        """Another window changed the study: read the document, its codings
        and the codes again (a code deleted there leaves the recent strip)."""
        study = self.app.study
        self.document = load_document(study, self.kind, self.key)
        self.view.set_document(self.document, self.codings(), self.view.cursor)
        self.refresh_codes()

    def on_screen_resume(self) -> None:
        self.catch_up()

    def codings(self) -> dict[int, list[dict]]:
        """What the view shows: this coder's codings, or (C) everyone's, each
        marked with its coder."""
        if not self.all_coders:
            return codings_by_block(self.app.study, self.document, self.coder)
        return {i: [{**c, "name": f"{c['name']} ·{c['coder']}"} for c in rows]
                for i, rows in codings_by_block(self.app.study, self.document).items()}

    def refresh_codings(self) -> None:
        self.view.set_codings(self.codings())

    def action_toggle_coders(self) -> None:
        self.all_coders = not self.all_coders
        self.refresh_codings()
        self.status("Showing every coder's codings, each marked with its coder; C shows only yours."
                    if self.all_coders else f"Showing {escape(self.coder)}'s codings only; C shows everyone's.")

    def refresh_codes(self, code_id: int | None = None) -> None:
        """The recent strip, and the code list: all of it, or (cheaper, after
        applying or removing) just the counts of one code already listed."""
        study = self.app.study
        self.recent = code_store.recent_codes(study)
        self.draw_recent()
        listing = self.query_one(CodeList)
        if code_id is not None:
            summary = code_store.list_codes(study, only=code_id, coder=self.coder)
            if summary and listing.update_code(summary[0]):
                if listing.highlighted_id == code_id:
                    self.show_full_name()
                return
            # not listed (new, or filtered out): rebuild
        self.fill_code_list()

    def count_codes(self, ids: list[int]) -> list[CodeSummary]:
        """The counts of these codes (the code panel asks for the rows it draws)."""
        return code_store.list_codes(self.app.study, coder=self.coder, ids=ids)

    def draw_recent(self) -> None:
        """The nine recent codes with their digits, in columns (two lines at 80
        columns), each name cut so that no two read alike."""
        strip = self.query_one("#recent", Static)
        if not self.recent:
            strip.styles.height = 1
            self._update(strip, Text("No codes yet: press c to create the first", style="dim"))
            return
        width = max(20, (strip.size.width or self.size.width or 80) - 2)
        n = len(self.recent)
        per_line = min(n, max(-(-n // 2), width // 16))  # never more than two lines
        cell = width // per_line
        labels = distinct_labels([name for _, name in self.recent], cell - 3)
        text = Text(no_wrap=True, overflow="crop")
        for i, label in enumerate(labels):
            if i and i % per_line == 0:
                text.append("\n")
            text.append(str(i + 1), style="bold reverse")
            text.append(" " + label.ljust(cell - 2))
        strip.styles.height = -(-len(labels) // per_line)
        self._update(strip, text)

    def _update(self, widget: Static, text: Text | str) -> None:
        """`widget.update(text)` unless it shows that already: an update lays
        the screen out again (a frame's work), and the first frame would
        otherwise be laid out once more for each of these."""
        if self._shown.get(widget.id) != text:
            self._shown[widget.id] = text
            widget.update(text)

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw_recent)  # once the strip has its new width

    def show_questions(self, *, later: bool = False) -> None:
        """Where guide questions start, above their turns (Q marks them).
        `later`: the lines are laid out now, blank, and the questions named
        after the first frame: naming them parses the guide (markdown-it),
        which would otherwise be a good part of the screen's first paint."""
        if self.kind != "transcript":
            return
        if later:
            starts = question_start_turns(self.app.study, self.document.key)
            if starts:
                self.view.set_questions({b.index: "" for b in self.document.blocks if b.segment_id in starts})
                self.call_after_refresh(self.show_questions)
            return
        from tacompanion.store.by_question import question_starts

        starts = question_starts(self.app.study, self.document.key)
        self.view.set_questions(
            {b.index: starts[b.segment_id] for b in self.document.blocks if b.segment_id in starts}
        )

    def on_rows_view_highlighted(self, event: CodeList.Highlighted) -> None:
        self.show_full_name()

    def show_full_name(self) -> None:
        """The highlighted code's whole name (and theme) under the list."""
        listing = self.query_one(CodeList)
        full = self.query_one("#code-full", Static)
        if not listing.codes:
            self._update(full, "")
            return
        code = listing.summary(min(listing.cursor, len(listing.codes) - 1))
        text = Text(code.name, style="bold")
        counts = f"\n{plural(code.codings, 'coding')} · {code.participants}p"
        if code.left_out:
            counts += f" · +{code.left_out} pilot (not counted)"
        text.append(counts, style="dim")
        if code.theme:
            text.append(f"\n↳ {code.theme}", style="dim")
        self._update(full, text)

    def update_codes(self, changed: tuple[int, ...], removed: tuple[int, ...] = ()) -> None:
        """After a change to a few codes (undo of an apply, rename, merge,
        delete...): when only their codings changed, those rows are counted
        again when drawn and nothing else is read; when a name, a place in the
        tree or a code changed, the codes are listed again by name (codes
        only, no codings), the others' counts kept. With a filter typed, the
        ranking decides the order: the list is made again."""
        if self.code_filter.strip() or len(changed) + len(removed) > 20:
            self.refresh_codes()
            return
        study = self.app.study
        self.recent = code_store.recent_codes(study)
        self.draw_recent()
        listing = self.query_one(CodeList)
        if not removed:
            fresh = code_store.code_labels(study, ids=changed)
            if len(fresh) == len(set(changed)) and all(listing.listed(c) for c in fresh):
                listing.forget_counts(changed)
                self.show_full_name()
                return
        stale = set(changed) | set(removed)
        self._list_codes(keep=[cid for cid in listing.counted if cid not in stale])

    def _list_codes(self, keep: list[int] | tuple[int, ...] = ()) -> None:
        """Every code in the panel, by name or in the tree; counted as drawn."""
        labels = code_store.code_labels(self.app.study)
        listing = self.query_one(CodeList)
        if not self.code_filter.strip():  # the tree: a code's children indented under it
            from tacompanion.core.code_tree import tree_order

            by_id = {c.id: c for c in labels}
            order = tree_order((c.id, c.name, c.parent_id) for c in labels)
            listing.set_codes([by_id[cid] for cid, _ in order], dict(order),
                              counter=self.count_codes, keep=keep)
        else:
            matches = rank(self.code_filter, [c.name for c in labels])
            listing.set_codes([labels[m.index] for m in matches], counter=self.count_codes, keep=keep)
        self.show_full_name()
        title = f"Codes ({len(labels)})" + (f" · filter '{self.code_filter}'" if self.code_filter else "")
        self._update(self.query_one("#code-panel-title", Static), title)

    def fill_code_list(self) -> None:
        """The code panel made again, every code counted again as it is drawn."""
        self._list_codes()

    # -- the span to code -----------------------------------------------------------

    def target(self) -> tuple[Span, str] | None:
        """The selection, or else the whole current block, with a description."""
        block = self.view.block
        if block is None:
            return None
        if self.view.selection is not None:
            return self.view.selection, "the selection"
        if block.start == block.end:
            return None
        return Span(block.start, block.end), "this turn" if self.kind == "transcript" else "this note"

    # -- actions: moving ---------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.view.move_to(self.view.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.view.move_to(self.view.cursor + direction * self.view.page_size())

    def action_edge(self, end: int) -> None:
        self.view.move_to(len(self.document.blocks) - 1 if end else 0)

    def action_uncoded(self, direction: int) -> None:
        """Next participant turn (or note) that carries no code yet."""
        blocks = self.document.blocks
        i = self.view.cursor + direction
        while 0 <= i < len(blocks):
            if not blocks[i].is_interviewer and not self.view.codings.get(i) and blocks[i].text.strip():
                self.view.move_to(i)
                return
            i += direction
        self.status("No uncoded turn " + ("below." if direction > 0 else "above."))

    # -- actions: coding -----------------------------------------------------------------

    def code_items(self) -> list[tuple[int, str]]:
        items = code_store.code_names(self.app.study)
        # Recently used codes first: they are the likeliest.
        order = {cid: i for i, (cid, _) in enumerate(self.recent)}
        items.sort(key=lambda it: (order.get(it[0], len(order)), it[1].casefold()))
        return items

    def action_pick_code(self) -> None:
        target = self.target()
        if target is None:
            self.status("Nothing to code here.")
            return

        def picked(result: Picked | None) -> None:
            if result is None:
                return
            if result.new_name:
                self.create_and_apply(result.new_name)
            elif result.item_id is not None:
                self.apply_code(result.item_id)

        self.open_picker(f"Code {target[1]}", self.code_items(), picked)

    def open_picker(self, title: str, items: list[tuple[int, str]], picked) -> None:
        """The code picker in the codes panel's place, beside the text: the turn
        and the selection being named stay in view (the panel is shown for it
        when hidden, and hidden again after)."""
        from tacompanion.tui.dialogs.picker import FuzzyPicker

        was = self.panel_state
        if was == "hidden":
            self.set_panel("normal")

        def done(result: Picked | None) -> None:
            if was == "hidden":
                self.set_panel("hidden")
            picked(result)

        def push() -> None:
            panel = self.query_one("#code-panel")
            region = panel.region
            # From under the recent strip to above the status line.
            self.app.push_screen(
                FuzzyPicker(title, items, allow_create=True, create_label="Create code", beside=region), done
            )
            span = self.view.selection
            if span is not None:
                self.view.scroll_to_span(span)

        if was == "hidden":
            self.call_after_refresh(push)
        else:
            push()

    def apply_code(self, code_id: int) -> None:
        target = self.target()
        if target is None:
            self.status("Nothing to code here.")
            return
        span, what = target
        ref = self.view.block.ref
        try:
            made = code_store.apply_code(self.app.study, code_id, ref, span, self.coder)
        except StudyError as exc:
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        name = code_store.code_name(self.app.study, code_id)
        self.after_change(
            f"Applied '{name}' to {what}." if made else f"'{name}' is already on {what}.",
            code_id=code_id,
        )

    def create_and_apply(self, name: str) -> None:
        target = self.target()
        if target is None:
            return
        span, what = target
        try:
            code_store.create_and_apply(self.app.study, name, self.view.block.ref, span, self.coder)
        except StudyError as exc:
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.after_change(f"Created '{' '.join(name.split())}' and applied it to {what}.")

    def action_recent(self, number: int) -> None:
        if number > len(self.recent):
            self.status(f"No recent code {number} yet.")
            return
        self.apply_code(self.recent[number - 1][0])

    def after_change(self, message: str, code_id: int | None = None, hint: str = "u undoes", *,
                     codes: tuple[int, ...] | None = None, removed: tuple[int, ...] = ()) -> None:
        """Redraw what changed (the store has already committed it). With
        `code_id`, only that code's counts changed in the code list; with
        `codes` / `removed`, only those codes changed (or went)."""
        self.refresh_codings()
        self.view.set_selection(None)
        self.status(f"{escape(message)} [dim]{hint}[/]")
        # The code list's counts are the slowest to gather: after the frame.
        if codes is not None or removed:
            self.call_after_refresh(self.update_codes, tuple(codes or ()), tuple(removed))
        else:
            self.call_after_refresh(self.refresh_codes, code_id)

    def action_copy_quote(self) -> None:
        """Copy the selection (or the turn) as '"…" (P3)', redacted."""
        from tacompanion.tui.clipboard import copied_message, copy_quote

        target = self.target()
        if target is None:
            self.status("Nothing to copy here.")
            return
        span, _ = target
        block = self.view.block
        text = block.text[span.start - block.start : span.end - block.start]
        kind = "transcript" if self.kind == "transcript" else "notes"
        quote, where = copy_quote(self.app, text, self.document.participant, kind)
        self.status(escape(copied_message(quote, where)))

    def action_remove_code(self) -> None:
        from tacompanion.tui.dialogs.picker import FuzzyPicker

        codings = [c for c in self.view.codings.get(self.view.cursor, []) if c.get("coder") == self.coder]
        if not codings:
            self.status("None of your codes on this turn." if self.view.codings.get(self.view.cursor)
                        else "No code on this turn.")
            return
        if len(codings) == 1:
            self.remove_coding(codings[0]["id"], codings[0]["name"])
            return
        items = [(c["id"], c["name"]) for c in codings]
        names = dict(items)

        def picked(result: Picked | None) -> None:
            if result is not None and result.item_id is not None:
                self.remove_coding(result.item_id, names[result.item_id])

        self.app.push_screen(FuzzyPicker("Remove which code?", items), picked)

    def remove_coding(self, coding_id: int, name: str) -> None:
        code_id = code_store.remove_coding(self.app.study, coding_id)
        self.after_change(f"Removed '{name}'.", code_id=code_id)

    def action_undo(self) -> None:
        try:
            done = history.undo(self.app.study)
        except StudyError as exc:  # another coder changed those rows since
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.after_change(f"Undid: {done.label}." if done else "Nothing to undo.", hint="^r redoes",
                          codes=done.codes if done else ())

    def action_redo(self) -> None:
        try:
            done = history.redo(self.app.study)
        except StudyError as exc:  # another coder changed those rows since
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.after_change(f"Redid: {done.label}." if done else "Nothing to redo.", codes=done.codes if done else ())

    # -- actions: selecting part of a turn ----------------------------------------------------

    def _units(self, kind: str) -> list[Span]:
        """Words or sentences of the current block, in document coordinates."""
        block = self.view.block
        units = words(block.text) if kind == "word" else sentences(block.text)
        return [Span(u.start + block.start, u.end + block.start) for u in units]

    def action_select(self) -> None:
        block = self.view.block
        if block is None:
            return
        if self.view.selection is not None:
            self.action_escape()
            return
        hit = self.view.hit
        if hit is not None and block.start <= hit.start and hit.end <= block.end:
            self.view.set_selection(hit)  # `/`, then v: the search hit
            self.describe_selection()
            return
        units = self._units("word")
        if not units:
            return
        self.view.set_selection(units[0])
        self.describe_selection()

    def _point(self) -> int:
        """Where the cursor is inside the turn: the selection's start, else the
        search hit's, else the turn's start."""
        block = self.view.block
        for span in (self.view.selection, self.view.hit):
            if span is not None and block.start <= span.start <= block.end:
                return span.start
        return block.start

    def action_hint(self, purpose: str) -> None:
        """Choose a word by typing its first letter and then its label (f
        starts the selection at the word, t ends it there), or a sentence by
        its label (F). Only what is on screen is offered; Space shows more of
        a turn taller than the screen."""
        block = self.view.block
        if block is None or not block.text.strip():
            self.status("Nothing to select here.")
            return
        if purpose == "sentence":
            units = self._units("sentence")
        else:
            units = self._units("word")
            sel = self.view.selection
            if purpose == "end" and sel is not None:
                units = [u for u in units if u.end > sel.start]  # fewer labels: shorter ones
        units = self.view.visible_spans(units) or units
        more = " · Space: further down" if self.view.block_region(self.view.cursor).height > self.view.size.height else ""
        if len(units) == 1:
            self.choose(purpose, units[0])  # nothing to choose between
            return
        if purpose == "sentence":
            self.view.show_hints(units, purpose)
            self.status(f"Type the label of the sentence{more} · Esc cancels")
            return
        self.view.await_letter(units, purpose)
        where = "start at" if purpose == "start" else "end at"
        self.status(f"Type the first letter of the word to {where}, then its label{more} · Esc cancels")

    def on_coding_view_hint_chosen(self, message: CodingView.HintChosen) -> None:
        if message.span is None and message.why == "more":
            self.view.page_in_block()
            self.call_after_refresh(self.action_hint, message.purpose)
            return
        if message.span is None and message.why == "labels":
            self.status("Type the label of the word · Esc cancels")
            return
        if message.span is None:
            self.status(f"Labels closed ({escape(message.why)}).")
            return
        self.choose(message.purpose, message.span)

    def choose(self, purpose: str, span: Span) -> None:
        if purpose == "end":
            words_ = self._units("word")
            span = extend_to(self.view.selection, span, words_[0] if words_ else None)
        self.view.set_selection(span)
        self.describe_selection()

    def action_this_sentence(self) -> None:
        """The sentence under the cursor (every sentence the selection touches)."""
        if self.view.block is None:
            return
        units = self._units("sentence")
        if not units:
            return
        sel = self.view.selection
        if sel is not None:
            self.view.set_selection(covering(sel, units))
        else:
            i = unit_at(units, self._point())
            self.view.set_selection(units[i])
        self.describe_selection()

    def action_step_sentence(self, direction: int) -> None:
        """The next (or previous) sentence of the turn, selected whole."""
        if self.view.block is None:
            return
        units = self._units("sentence")
        sel = self.view.selection
        if sel is None and self.view.hit is not None:
            sel = self.view.hit
        unit = next_unit(sel, units) if direction > 0 else previous_unit(sel, units)
        if unit is None:
            self.status("No sentence " + ("after" if direction > 0 else "before") + " this one in the turn.")
            return
        self.view.set_selection(unit)
        self.describe_selection()

    def action_to_end(self) -> None:
        """Grow the selection to the end of the turn."""
        block = self.view.block
        if block is None:
            return
        units = self._units("word")
        if not units:
            return
        sel = self.view.selection or Span(units[0].start, units[0].end)
        self.view.set_selection(Span(sel.start, units[-1].end))
        self.describe_selection()

    def describe_selection(self) -> None:
        sel = self.view.selection
        if sel is None:
            return
        block = self.view.block
        text = block.text[sel.start - block.start : sel.end - block.start]
        n = len(text.split())
        shown = " ".join(text.split())
        if len(shown) > 28:
            shown = shown[:12] + "…" + shown[-13:]
        self.status(
            f"Selecting {n} word{'s' if n != 1 else ''} “{escape(shown)}” · t/w/b end · \\[ ] start · e end · "
            "c or 1-9 codes · Esc"
        )

    def _reshape(self, change) -> None:
        if self.view.selection is None:
            self.action_select()
            if self.view.selection is None:
                return
        self.view.set_selection(change(self.view.selection))
        self.describe_selection()

    def action_grow(self, kind: str) -> None:
        units = self._units(kind)
        self._reshape(lambda sel: extend_forward(sel, units))

    def action_shrink(self, kind: str) -> None:
        units = self._units(kind)
        self._reshape(lambda sel: shrink_backward(sel, units))

    def action_start_forward(self) -> None:
        units = self._units("word")
        self._reshape(lambda sel: move_start_forward(sel, units))

    def action_start_back(self) -> None:
        units = self._units("word")
        self._reshape(lambda sel: move_start_backward(sel, units))

    def action_escape(self) -> None:
        field = self.query_one("#code-filter", Input)
        if self.focused is field or (self.code_filter and self.focused is self.query_one(CodeList)):
            # Esc in (or right after) the filter: every code again.
            field.value = ""
            self.code_filter = ""
            field.display = False
            self.fill_code_list()
            self.query_one(CodeList).focus()
            self.status("Filter cleared: every code listed.")
        elif self.view.selection is not None:
            self.view.set_selection(None)
            self.status("Selection cancelled: codes now go on the whole turn.")
        elif self.view.hit is not None:
            self.view.set_hit(None)
            self.status("Search hit cleared.")
        elif self.focused is not self.view:
            self.view.focus()

    # -- memos ------------------------------------------------------------------------------

    def action_memo_segment(self) -> None:
        from tacompanion.tui.dialogs.prompts import MemoScreen

        block = self.view.block
        if block is None:
            return
        target, target_id = ("segment", block.segment_id) if block.segment_id else ("note", block.ref.note_id)
        study = self.app.study

        def saved(text: str | None) -> None:
            if text is not None and text != get_memo(study, target, target_id):
                save_memo(study, target, target_id, text)
                self.status("Memo saved.")

        unit = "turn" if self.kind == "transcript" else "note"
        label = f"{self.document.participant} · {self.document.title} {unit} {block.index + 1}"
        self.app.push_screen(MemoScreen(f"Memo on {label}", get_memo(study, target, target_id)), saved)

    def playable_item(self) -> tuple[str, int] | None:
        """The turn or note under the cursor, to hear it (p)."""
        if self.document is None or not self.document.blocks:
            return None
        block = self.document.blocks[min(self.view.cursor, len(self.document.blocks) - 1)]
        if block.segment_id is not None:
            return ("segment", block.segment_id)
        return ("note", block.ref.note_id) if block.ref.note_id is not None else None

    def current_code(self) -> tuple[int, str] | None:
        listing = self.query_one(CodeList)
        if self.focused is listing and listing.highlighted_id is not None:
            cid = listing.highlighted_id
            return cid, code_store.code_name(self.app.study, cid)
        codings = self.view.codings.get(self.view.cursor, [])
        if codings:
            return codings[0]["code_id"], codings[0]["name"]
        return self.recent[0] if self.recent else None

    def action_memo_code(self) -> None:
        from tacompanion.tui.dialogs.prompts import MemoScreen

        current = self.current_code()
        if current is None:
            self.status("No code to write a memo on yet.")
            return
        cid, name = current
        study = self.app.study

        def saved(text: str | None) -> None:
            if text is not None and text != get_memo(study, "code", cid):
                save_memo(study, "code", cid, text)
                self.status(f"Memo on '{escape(name)}' saved.")

        self.app.push_screen(MemoScreen(f"Memo on the code '{name}'", get_memo(study, "code", cid)), saved)

    # -- the code panel -------------------------------------------------------------------------

    def set_panel(self, state: str) -> None:
        panel = self.query_one("#code-panel")
        panel.display = state != "hidden"
        panel.set_class(state == "wide", "wide")
        self.panel_state = state

    def action_panel_width(self) -> None:
        """The codes panel: normal, wide (long names whole), hidden (the text
        takes the width); > cycles."""
        state = {"normal": "wide", "wide": "hidden", "hidden": "normal"}[self.panel_state]
        if state == "hidden" and self.focused is not self.view:
            self.view.focus()
        self.set_panel(state)
        self.status({"normal": "Codes panel at its usual width.", "wide": "Codes panel widened.",
                     "hidden": "Codes panel hidden (> shows it; the code picker still opens beside the text)."}[state])

    def action_toggle_panel(self) -> None:
        listing = self.query_one(CodeList)
        if self.focused is self.view:
            if self.panel_state == "hidden":
                self.set_panel("normal")
            listing.focus()
        else:
            self.query_one("#code-filter", Input).display = bool(self.code_filter)
            self.view.focus()

    def action_filter_codes(self) -> None:
        field = self.query_one("#code-filter", Input)
        field.display = True
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "code-filter":
            self.code_filter = event.value
            self.fill_code_list()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "code-filter":
            self.query_one(CodeList).focus()

    def panel_code(self) -> tuple[int, str] | None:
        listing = self.query_one(CodeList)
        cid = listing.highlighted_id
        if cid is None:
            self.status("No code highlighted.")
            return None
        return cid, code_store.code_name(self.app.study, cid)

    def action_code_hints(self) -> None:
        """What else the highlighted code may fit (uncovered turns and notes alike its extracts)."""
        current = self.panel_code()
        if current is None:
            return
        self.app.open_hints(current[0])

    def action_similar(self) -> None:
        block = self.view.block
        if block is None:
            return
        if block.segment_id is not None:
            self.app.open_similar("turn", block.segment_id)
        elif block.ref.note_id is not None:
            self.app.open_similar("note", block.ref.note_id)

    def action_rename_code(self) -> None:
        from tacompanion.tui.dialogs.prompts import PromptScreen

        current = self.panel_code()
        if current is None:
            return
        cid, name = current

        def answered(value: str | None) -> None:
            if not value or value.strip() == name:
                return
            try:
                code_store.rename_code(self.app.study, cid, value)
            except StudyError as exc:
                self.status(f"[b red]{escape(str(exc))}[/]")
                return
            self.after_change(f"Renamed '{name}' to '{' '.join(value.split())}'.", codes=(cid,))

        self.app.push_screen(PromptScreen(f"Rename the code '{name}' to:", name), answered)

    def action_describe_code(self) -> None:
        from tacompanion.tui.dialogs.prompts import LineEditScreen

        current = self.panel_code()
        if current is None:
            return
        cid, name = current
        old = next((s.description for s in code_store.list_codes(self.app.study, only=cid)), "")

        def answered(value: str | None) -> None:
            if value is None or value.strip() == old:
                return
            code_store.describe_code(self.app.study, cid, value)
            self.after_change(f"Described '{name}'.", codes=(cid,))

        self.app.push_screen(LineEditScreen(f"What '{name}' means (for the codebook):", old), answered)

    def action_codebook_code(self) -> None:
        current = self.panel_code()
        if current is None:
            return

        def done(message: str | None) -> None:
            if message:
                self.after_change(message)

        self.app.open_codebook_entry("code", current[0], done)

    def action_nest_code(self) -> None:
        from tacompanion.tui.dialogs.picker import FuzzyPicker

        current = self.panel_code()
        if current is None:
            return
        cid, name = current
        from tacompanion.store.code_tree import nest_code

        items = [(0, "(the top level: under no code)")] + [
            (i, n) for i, n in code_store.code_names(self.app.study) if i != cid]

        def picked(result: Picked | None) -> None:
            if result is None or result.item_id is None:
                return
            try:
                nest_code(self.app.study, cid, result.item_id or None)
            except StudyError as exc:
                self.status(f"[b red]{exc}[/]")
                return
            where = "at the top level" if not result.item_id else \
                f"under '{code_store.code_name(self.app.study, result.item_id)}'"
            self.after_change(f"Put '{name}' {where}.")

        self.app.push_screen(FuzzyPicker(f"Put the code '{name}' under:", items), picked)

    def action_split_code(self) -> None:
        current = self.panel_code()
        if current is None:
            return

        def done(message: str | None) -> None:
            if message:
                self.after_change(message)

        self.app.open_split_code(current[0], done)

    def action_merge_code(self) -> None:
        from tacompanion.tui.dialogs.picker import FuzzyPicker

        current = self.panel_code()
        if current is None:
            return
        cid, name = current
        items = [(i, n) for i, n in code_store.code_names(self.app.study) if i != cid]

        def picked(result: Picked | None) -> None:
            if result is None or result.item_id is None:
                return
            target = code_store.code_name(self.app.study, result.item_id)
            moved = code_store.merge_codes(self.app.study, cid, result.item_id)
            self.after_change(f"Merged '{name}' into '{target}' ({moved} codings moved).",
                              codes=(result.item_id,), removed=(cid,))

        self.app.push_screen(FuzzyPicker(f"Merge '{name}' into:", items), picked)

    def action_delete_code(self) -> None:
        from tacompanion.tui.dialogs.prompts import ConfirmScreen

        current = self.panel_code()
        if current is None:
            return
        cid, name = current
        count = next((s.all_codings for s in code_store.list_codes(self.app.study, only=cid)), 0)

        def answered(yes: bool | None) -> None:
            if yes:
                code_store.delete_code(self.app.study, cid)
                self.after_change(f"Deleted '{name}' and its {count} codings.", removed=(cid,))

        self.app.push_screen(
            ConfirmScreen(f"Delete the code '{name}' and its {count} codings? (u undoes it)"), answered
        )

    # -- search and notes -------------------------------------------------------------------

    def action_search(self) -> None:
        """Find in this document: the next hit is shown (v selects it, A codes
        every hit with one code); / Enter again finds the next."""
        from tacompanion.tui.dialogs.prompts import PromptScreen


        def answered(value: str | None) -> None:
            if not value or not value.strip():
                return
            self.last_search = value
            blocks = self.document.blocks
            self.hits = [
                (b.index, Span(h.start + b.start, h.end + b.start))
                for b in blocks
                for h in find_all(b.text, value)
            ]
            if not self.hits:
                self.view.set_hit(None)
                self.status(f"'{escape(value)}' is not in this document.")
                return
            here = self.view.hit
            after = [
                (i, span) for i, span in self.hits
                if (i, span.start) > (self.view.cursor, here.start if here else -1)
            ]
            index, span = (after or self.hits)[0]
            self.view.move_to(index)
            self.view.set_hit(span)
            number = self.hits.index((index, span)) + 1
            self.status(
                f"'{escape(value)}' {number}/{len(self.hits)}, turn {index + 1} · v selects it · "
                f"A codes all {len(self.hits)} · / Enter next"
            )

        self.app.push_screen(PromptScreen("Find in this document:", self.last_search), answered)

    def action_code_hits(self) -> None:
        """Code every hit of the last search with one code, after saying how many."""
        from tacompanion.tui.dialogs.prompts import ConfirmScreen

        if not self.hits:
            self.status("Search first (/): A codes all its hits with one code.")
            return
        hits = list(self.hits)
        turns = len({i for i, _ in hits})
        question = (
            f"Code all {plural(len(hits), 'hit')} of '{self.last_search}' "
            f"(in {plural(turns, 'turn' if self.kind == 'transcript' else 'note')}) with one code? "
            "Only the words found are coded."
        )

        def confirmed(yes: bool | None) -> None:
            if not yes:
                self.status("Nothing coded.")
                return
            items = self.code_items()

            def picked(result: Picked | None) -> None:
                if result is None:
                    return
                study = self.app.study
                try:
                    if result.new_name:
                        code_id = code_store.create_code(study, result.new_name)
                    else:
                        code_id = result.item_id
                    places = [(self.document.blocks[i].ref, span) for i, span in hits]
                    made = code_store.apply_code_to_spans(study, code_id, places, self.coder)
                except StudyError as exc:
                    self.status(f"[b red]{escape(str(exc))}[/]")
                    return
                name = code_store.code_name(study, code_id)
                self.after_change(
                    f"Applied '{name}' to {plural(made, 'hit')}"
                    + (f" ({len(hits) - made} had it already)." if made < len(hits) else "."),
                )

            self.open_picker(f"Code the {plural(len(hits), 'hit')} of '{self.last_search}'", items, picked)

        self.app.push_screen(ConfirmScreen(question), confirmed)

    def action_notes(self) -> None:
        self.app.open_notes(self.document.participant_id, self.document.participant)

    def action_mark_question(self) -> None:
        """Mark the guide question that starts at this turn (answers by question)."""
        from tacompanion.tui.dialogs.question_marks import mark_question_here

        block = self.view.block
        if block is None or block.segment_id is None:
            self.status("Questions are marked on transcript turns (notes already carry theirs).")
            return
        def said(message: str) -> None:
            self.show_questions()
            self.status(escape(message))

        mark_question_here(self, self.document.key, block.segment_id, said)

    def action_back(self) -> None:
        if self.on_back is not None:
            self.on_back()
            return
        self.app.pop_screen()
