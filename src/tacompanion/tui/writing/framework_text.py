"""A whole row or column of the framework matrix as one text, to read
across a participant or down a theme."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tacompanion.tui.widgets.key_footer import KeyFooter


class FrameworkTextScreen(Screen):
    CSS_PATH = "framework.tcss"
    HELP_TITLE = "framework reading"
    BINDINGS = [
        Binding("j,down", "scroll(1)", "Down", show=False, id="framework_text.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="framework_text.up"),
        Binding("escape,q", "back", "Back", id="framework_text.back"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.heading = title
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{_escape(self.heading)}[/b]", id="text-title")
        with VerticalScroll(id="text-body"):
            yield Static(self.text, markup=False, id="text-content")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#text-body").focus()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#text-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
