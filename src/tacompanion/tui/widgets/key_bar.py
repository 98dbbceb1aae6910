"""A footer that wraps: every key of the screen stays visible at 80 columns.

Textual's Footer keeps to one row and drops what does not fit; in interview
mode every action must be discoverable at a glance, so this bar packs the
screen's shown bindings into as many rows as the width needs.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Static


def own_bindings(screen: Screen) -> list[tuple[DOMNode, str, Binding]]:
    """(node, key, binding) declared by the screen and the app, in order,
    including keys that a focused field also binds (the field lets them pass)."""
    out = []
    for node in (screen, screen.app):
        for key, bindings in node._bindings.key_to_bindings.items():
            out.extend((node, key, b) for b in bindings)
    return out


def key_items(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for the screen's and the app's shown bindings:
    one item per action, or per group of bindings (PgUp/PgDn Question)."""
    items: dict[tuple[int, str], tuple[list[str], str]] = {}
    for node, _key, binding in own_bindings(screen):
        if not binding.show:
            continue
        display = screen.app.get_key_display(binding)
        if len(display) == 1:
            continue  # a printable key would be typed into the note line, not pressed
        if display[:1] == "f" and display[1:].isdigit():
            display = display.upper()
        if binding.group is not None:
            ident, description = (id(node), f"group:{binding.group.description}"), binding.group.description
        else:
            ident, description = (id(node), binding.action), binding.description
        if ident in items:
            if display not in items[ident][0]:
                items[ident][0].append(display)
        else:
            items[ident] = ([display], description)
    return [("/".join(keys), description) for keys, description in items.values()]


def pack_items(items: list[tuple[str, str]], width: int) -> list[list[tuple[str, str]]]:
    """Items into rows no wider than `width` (an item is `keys description`,
    items apart by two spaces); never an empty row."""
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0
    for keys, description in items:
        size = len(keys) + 1 + len(description)
        gap = 2 if rows[-1] else 0
        if rows[-1] and used + gap + size > width:
            rows.append([])
            used, gap = 0, 0
        rows[-1].append((keys, description))
        used += gap + size
    return rows


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        height: auto;
        background: $panel;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.call_after_refresh(self.redraw)

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        width = max(20, self.size.width or self.screen.size.width - 2)
        rows = pack_items(key_items(self.screen), width)
        self.styles.height = len(rows)
        self.update(
            "\n".join(
                "  ".join(f"[b $accent]{escape(k)}[/] {escape(d)}" for k, d in row) for row in rows
            )
        )
