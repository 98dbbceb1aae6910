"""The footer of every screen but the interview's: the keys that work now.

It shows what Textual's Footer shows (the shown bindings of the focused
widget, the screen and the app, one entry per action, grouped bindings as
one entry) but draws them as one line of text in one widget. Textual's
Footer mounts a widget per key and styles each one; on the coding screen,
with its forty bindings, that was a fifth of the time to open the screen.
Keyboard only, so nothing here is clickable.

The help key is kept whatever the width: at 80 columns the keys that do not
fit are left out, and `?` lists them all.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from tacompanion.tui.widgets.key_bar import BindingsLine, item_markup

HELP_ACTION = "help"


def footer_items(screen: Screen) -> list[tuple[str, str, bool, str]]:
    """(keys, description, enabled, action) for the screen's active shown
    bindings, in Textual's order, one item per action or per key group."""
    app = screen.app
    by_action: dict[str, list[tuple[Binding, bool]]] = {}
    for _node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.show:
            by_action.setdefault(binding.action, []).append((binding, enabled))
    items: list[tuple[str, str, bool, str]] = []
    group_at: dict[int, int] = {}  # id(group) -> index of its item
    for action, bindings in by_action.items():
        # One key per action, a printable one when there is one: "?" for
        # help rather than "f1", as the status lines and the README say.
        displays = [app.get_key_display(b) for b, _ in bindings]
        display = next((d for d in displays if len(d) == 1), displays[0])
        binding, enabled = bindings[0]
        group = binding.group
        if group is not None:
            if id(group) in group_at:
                keys, description, was_enabled, first = items[group_at[id(group)]]
                items[group_at[id(group)]] = (f"{keys}/{display}", description, was_enabled or enabled, first)
                continue
            group_at[id(group)] = len(items)
            items.append((display, group.description, enabled, action))
        else:
            items.append((display, binding.description, enabled, action))
    if app.ENABLE_COMMAND_PALETTE:
        palette = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        if palette is not None:
            items.append((app.get_key_display(palette.binding), palette.binding.description, True, "command_palette"))
    return items


def fit_items(items: list[tuple[str, str, bool, str]], width: int) -> list[tuple[str, str, bool, str]]:
    """The items that fit in `width` cells, two spaces apart, in order; the
    help item is kept even when others before it must go."""
    def size(item: tuple[str, str, bool, str]) -> int:
        return len(item[0]) + 1 + len(item[1])

    keep = [item for item in items if item[3] == HELP_ACTION]
    budget = width - sum(size(item) + 2 for item in keep)
    out: list[tuple[str, str, bool, str]] = []
    for item in items:
        if item[3] == HELP_ACTION:
            out.append(item)
            continue
        needed = size(item) + 2
        if needed <= budget:
            out.append(item)
            budget -= needed
        else:
            budget = -1  # keep the order: nothing after a key left out
    return out


class KeyFooter(BindingsLine):
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $panel;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def on_mount(self) -> None:
        # Textual runs BindingsLine.on_mount too (handlers run down the MRO);
        # this one draws the keys in the screen's very first frame.
        self.redraw()

    def redraw(self) -> None:
        width = max(20, (self.size.width or self.screen.size.width) - 2)
        items = fit_items(footer_items(self.screen), width)
        self.update("  ".join(item_markup(keys, description, enabled) for keys, description, enabled, _ in items))
