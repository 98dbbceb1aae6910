"""Split a code: walk its codings, tick the ones that go to another code (a
new one, made beside it, or an existing one, by name)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList, Static

from tacompanion.core.words import clip
from tacompanion.store.code_split import CodingToSplit
from tacompanion.tui.widgets.key_footer import KeyFooter


class SplitCodeScreen(ModalScreen[tuple[str, list[int]] | None]):
    """Returns (the target code's name, the ticked coding ids), or None."""

    CSS_PATH = "split_code.tcss"
    HELP_TITLE = "split a code"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="split_code.cancel"),
        Binding("ctrl+s", "done", "Split", id="split_code.done"),
    ]

    def __init__(self, code_name: str, codings: list[CodingToSplit], names: list[str]) -> None:
        super().__init__()
        self.code_name = code_name
        self.codings = codings
        self.names = {n.casefold(): n for n in names}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="split-code-box"):
            yield Label(f"Split '{self.code_name}': the ticked codings go to the code named below "
                        "(new, or one that exists)", classes="dialog-title")
            yield Input(placeholder="the code they go to", id="split-code-name")
            yield SelectionList[int](*[
                (f"{c.participant} · {clip(' '.join(c.text.split()), 58)}", c.id) for c in self.codings
            ], id="split-code-list")
            with VerticalScroll(id="split-code-text-box"):
                yield Static(id="split-code-text")
            yield Static("[dim]Tab to the codings · Up/Down walks · Space ticks · Ctrl+S splits · "
                         "Esc cancels[/]")
            yield Static(id="split-code-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.show(0)

    def show(self, index: int) -> None:
        if not self.codings:
            return
        c = self.codings[max(0, min(index, len(self.codings) - 1))]
        self.query_one("#split-code-text", Static).update(
            Text.assemble((f"{c.participant} · {c.where}\n", "bold"), c.text))

    def on_selection_list_selection_highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        self.show(event.selection_index)

    def on_input_changed(self, event: Input.Changed) -> None:
        name = " ".join(event.value.split())
        existing = self.names.get(name.casefold())
        self.query_one("#split-code-error", Static).update(
            "" if not name else f"[dim]to the existing code '{existing}'[/]" if existing
            else f"[dim]to a new code '{name}', beside '{self.code_name}'[/]")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not list(self.query_one(SelectionList).selected):
            self.query_one(SelectionList).focus()
            return
        self.action_done()

    def action_done(self) -> None:
        name = " ".join(self.query_one(Input).value.split())
        chosen = list(self.query_one(SelectionList).selected)
        error = self.query_one("#split-code-error", Static)
        if not name:
            error.update("[b red]Name the code the codings go to.[/]")
            self.query_one(Input).focus()
            return
        if name.casefold() == self.code_name.casefold():
            error.update("[b red]That is this code: name another.[/]")
            return
        if not chosen:
            error.update("[b red]Tick one or more codings (Tab, then Space).[/]")
            self.query_one(SelectionList).focus()
            return
        if len(chosen) == len(self.codings):
            error.update("[b red]Leave at least one coding behind (or rename or merge the code).[/]")
            return
        self.dismiss((name, chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)
