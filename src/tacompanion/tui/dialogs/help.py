"""The help screen: every key of the screen beneath it, and the basics."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tacompanion.tui.widgets.key_bar import own_bindings

ABOUT = (
    "tacompanion keeps one study in one SQLite file. Everything shown as saved is "
    "already on disk: closing the terminal or killing the program loses nothing."
)

# The manual's page for each moment of the work (the package a screen lives in).
MANUAL_PAGES = {
    "home": "README.md",
    "interview": "docs/interview.md",
    "familiarise": "docs/familiarise.md",
    "coding": "docs/coding.md",
    "thematic": "docs/themes.md",
    "writing": "docs/writing.md",
}


def manual_page(screen: Screen) -> str:
    """The page of the manual about `screen`: its moment's page, else README.md
    (which maps every page)."""
    parts = type(screen).__module__.split(".")
    moment = parts[2] if len(parts) > 3 and parts[:2] == ["tacompanion", "tui"] else ""
    return MANUAL_PAGES.get(moment, "README.md")


_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "escape": "Esc",
    "enter": "Enter",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "exclamation_mark": "!",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "space": "Space",
    "tab": "Tab",
    "home": "Home",
    "end": "End",
    "delete": "Del",
    "backspace": "Backspace",
    "minus": "-",
    "plus": "+",
    "equals_sign": "=",
}


def key_label(key: str) -> str:
    """A key as a person writes it: ctrl+r -> ^r, question_mark -> ?."""
    if len(key) > 1 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    *modifiers, name = key.split("+")
    name = _KEY_NAMES.get(name, name)
    return "+".join([*modifiers, name]).replace("ctrl+", "^")


def binding_rows(screen: Screen) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(this screen's and the app's keys, the focused widget's keys)."""
    by_action: dict[tuple[int, str], list[str]] = {}
    labels: dict[tuple[int, str], str] = {}
    own: list[tuple[int, str]] = []
    widget: list[tuple[int, str]] = []

    def add(node: DOMNode, key: str, binding: Binding, into: list) -> None:
        ident = (id(node), binding.action)
        if ident not in by_action:
            by_action[ident] = []
            label = binding.description or binding.action
            labels[ident] = f"{label}: {binding.tooltip}" if binding.tooltip else label
            into.append(ident)
        if key_label(key) not in by_action[ident]:
            by_action[ident].append(key_label(key))

    for node, key, binding in own_bindings(screen):
        # Ours all have an id; Textual's own (tab, copy) are left out as noise.
        if not binding.system and binding.id is not None:
            add(node, key, binding, own)
    for key, active in screen.active_bindings.items():
        if not isinstance(active.node, (Screen, App)):
            add(active.node, key, active.binding, widget)

    def rows(idents: list[tuple[int, str]]) -> list[tuple[str, str]]:
        return [(", ".join(by_action[i]), labels[i]) for i in idents]

    return rows(own), rows(widget)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    HELP_TITLE = "help"
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "close", "Close help", id="help.close"),
    ]

    def __init__(self, title: str, own: list[tuple[str, str]], widget: list[tuple[str, str]],
                 manual: str = "README.md") -> None:
        super().__init__()
        self.help_title = title
        self.own = own
        self.widget = widget
        self.manual = manual

    @classmethod
    def for_screen(cls, screen: Screen) -> HelpScreen:
        """Help listing the keys that are active on `screen` right now."""
        own, widget = binding_rows(screen)
        return cls(getattr(screen, "HELP_TITLE", screen.__class__.__name__), own, widget, manual_page(screen))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(self.body(), id="help-text")

    def body(self) -> Group:
        """The keys as a two-column grid: a long description wraps under
        itself, not under the keys; keys and descriptions are plain text
        (`[` and `]` are keys here, not markup)."""
        key_style = f"bold {self.app.theme_variables.get('accent', 'cyan')}"
        width = max((len(k) for k, _ in self.own + self.widget), default=4)

        def grid(rows: list[tuple[str, str]]) -> Table:
            table = Table.grid(padding=(0, 2))
            # Keys wrap after 16 cells: one long list of keys must not take
            # the descriptions' room at 80 columns.
            table.add_column(min_width=min(width, 16), max_width=16)
            table.add_column(ratio=1)
            for keys, label in rows:
                table.add_row(Text(keys, style=key_style), Text(label))
            return table

        parts: list = [Text(f"Keys: {self.help_title}", style="bold"), Text(""), grid(self.own)]
        if self.widget:
            parts += [Text(""), Text("In the focused list or field", style="bold"), grid(self.widget)]
        parts += [
            Text(""),
            Text(f"The manual for this screen: {self.manual} in tacompanion's source "
                 "(README.md maps every page).", style="dim"),
            Text(""), Text(ABOUT, style="dim"), Text(""), Text("Esc closes this help.", style="dim"),
        ]
        return Group(*parts)

    def action_close(self) -> None:
        self.dismiss(None)
