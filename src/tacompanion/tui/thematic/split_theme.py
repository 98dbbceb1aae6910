"""Split a theme: name the new theme and tick the codes that go to it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList, Static


class SplitThemeScreen(ModalScreen[tuple[str, list[int]] | None]):
    """Returns (new theme's name, chosen code ids), or None when cancelled."""

    CSS_PATH = "split_theme.tcss"
    HELP_TITLE = "split a theme"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="split.cancel"),
        Binding("ctrl+s", "done", "Split", id="split.done"),
    ]

    def __init__(self, theme_name: str, codes: list[tuple[int, str]]) -> None:
        super().__init__()
        self.theme_name = theme_name
        self.codes = codes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="split-box"):
            yield Label(f"Split '{self.theme_name}': a new sibling theme takes the ticked codes",
                        classes="dialog-title")
            yield Input(placeholder="name of the new theme", id="split-name")
            yield SelectionList[int](*[(name, cid) for cid, name in self.codes], id="split-codes")
            yield Static("[dim]Tab to the codes · Space ticks · Enter in the name (or Ctrl+S) splits · "
                         "Esc cancels[/]", id="split-help")
            yield Static(id="split-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_done()

    def action_done(self) -> None:
        name = " ".join(self.query_one(Input).value.split())
        chosen = list(self.query_one(SelectionList).selected)
        if not name:
            self.query_one("#split-error", Static).update("[b red]Name the new theme.[/]")
            self.query_one(Input).focus()
            return
        if not chosen:
            self.query_one("#split-error", Static).update("[b red]Tick one or more codes (Tab, then Space).[/]")
            self.query_one(SelectionList).focus()
            return
        if len(chosen) == len(self.codes):
            self.query_one("#split-error", Static).update(
                "[b red]Leave at least one code behind (or rename the theme instead).[/]")
            return
        self.dismiss((name, chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)
