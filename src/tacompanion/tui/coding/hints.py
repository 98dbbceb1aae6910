"""Hints: the turns and notes a code does not cover yet that resemble its
extracts, walked one by one: a applies the code to the whole turn, x
dismisses the hint (remembered), o opens it in coding mode. Or, for one turn,
the turns and notes most like it ("turns like this one").

A reading aid for consistency, never a judgement: the ranking is offline
(store/hints.py) and nothing is applied without a key press.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from tacompanion.core.words import clip
from tacompanion.store import hints as store
from tacompanion.store import history
from tacompanion.store.codes import code_name
from tacompanion.store.study import StudyError
from tacompanion.tui.widgets.key_footer import KeyFooter
from tacompanion.tui.widgets.rows_view import RowsView


class HintsScreen(Screen):
    """`code_id` set: hints for that code. Else `like` = ("turn" | "note", id)."""

    HELP_TITLE = "hints"
    DEFAULT_CSS = """
    HintsScreen { layout: vertical; }
    HintsScreen #hints-title { height: auto; padding: 0 1; background: $boost; }
    HintsScreen #hints-list { height: 1fr; min-height: 4; }
    HintsScreen #hints-detail { height: 40%; border-top: solid $primary; padding: 0 1; }
    """
    BINDINGS = [
        Binding("a", "apply", "Apply code", id="hints.apply"),
        Binding("x", "dismiss_hint", "Dismiss", id="hints.dismiss"),
        Binding("o", "open", "Open in context", id="hints.open"),
        Binding("u", "undo", "Undo apply", id="hints.undo", show=False),
        Binding("escape,q", "back", "Back", id="hints.back"),
    ]

    def __init__(self, code_id: int | None = None, *, like: tuple[str, int] | None = None,
                 coder: str | None = None) -> None:
        super().__init__()
        self.code_id = code_id
        self.like = like
        self.coder = coder
        self.found: store.HintList | None = None
        self.hints: list[store.Hint] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="hints-title")
        yield RowsView(id="hints-list")
        with VerticalScroll(id="hints-detail"):
            yield Static(id="hints-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Hints" if self.code_id is not None else "Turns like this one"
        self.fill()
        self.query_one(RowsView).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("apply", "dismiss_hint", "undo") and self.code_id is None:
            return None  # "turns like this one" only reads
        return True

    @property
    def listing(self) -> RowsView:
        return self.query_one(RowsView)

    def fill(self) -> None:
        study = self.app.study
        if self.code_id is not None:
            self.found = store.code_hints(study, self.code_id)
            what = Text.assemble(("Hints for ", "bold"), (code_name(study, self.code_id), "bold cyan"),
                                 " · turns and notes it does not cover yet, most alike its extracts first")
        else:
            kind, item = self.like  # type: ignore[misc]
            self.found = store.similar_items(study, kind, item)
            what = Text.assemble(("Turns like this one", "bold"), " · most alike first")
        self.hints = list(self.found.hints)
        terms = ", ".join(self.found.terms) or "none yet"
        self.query_one("#hints-title", Static).update(what + Text.assemble(
            "\n", ("by the words: ", "dim"), (terms, "dim italic"),
            ("\nA reading aid for consistency, not a judgement: nothing is applied without a key.", "dim")))
        self.listing.set_rows(len(self.hints), self.render_row, cursor=min(self.listing.cursor, max(0, len(self.hints) - 1)))
        self.show_detail()

    def render_row(self, index: int) -> Text:
        h = self.hints[index]
        return Text.assemble((f"{h.score:5.1f} ", "dim"), (f"{clip(h.participant, 8):<8} ", "bold"),
                             (f"{clip(h.where, 28):<28} ", "cyan"), " ".join(h.text.split()))

    def current(self) -> store.Hint | None:
        if not self.hints:
            return None
        return self.hints[min(self.listing.cursor, len(self.hints) - 1)]

    def on_rows_view_highlighted(self, event: RowsView.Highlighted) -> None:
        self.show_detail()

    def on_rows_view_selected(self, event: RowsView.Selected) -> None:
        self.action_open()

    def show_detail(self) -> None:
        h = self.current()
        out = self.query_one("#hints-text", Static)
        if h is None:
            out.update(Text("No more hints." if self.found and self.found.terms else
                            "Nothing to go by yet: code a few extracts first.", style="dim"))
            return
        out.update(Text.assemble((f"{h.participant} · {h.where}\n", "bold"), h.text))

    def _drop_current(self) -> None:
        index = self.listing.cursor
        del self.hints[index]
        self.listing.set_rows(len(self.hints), self.render_row, cursor=min(index, max(0, len(self.hints) - 1)))
        self.show_detail()

    def action_apply(self) -> None:
        h = self.current()
        if h is None or self.code_id is None:
            return
        try:
            done = store.apply_hint(self.app.study, self.code_id, h, self.coder or self.app.coder)
        except StudyError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        name = code_name(self.app.study, self.code_id)
        self.notify(f"Applied '{name}' to {h.participant} {h.where}" if done else
                    f"'{name}' is already on that whole {h.kind}", markup=False)
        self._drop_current()

    def action_dismiss_hint(self) -> None:
        h = self.current()
        if h is None or self.code_id is None:
            return
        store.dismiss_hint(self.app.study, self.code_id, h)
        self._drop_current()

    def action_undo(self) -> None:
        done = history.undo(self.app.study)
        self.notify(f"Undid: {done.label}" if done else "Nothing to undo", markup=False)
        self.fill()

    def action_open(self) -> None:
        h = self.current()
        if h is None:
            return
        self.app.open_coding(h.doc_kind, h.doc_key, cursor=store.block_index(self.app.study, h))

    def action_back(self) -> None:
        self.app.pop_screen()
