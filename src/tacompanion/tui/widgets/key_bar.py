"""A footer that wraps: every key of the screen stays visible at 80 columns.

Textual's Footer keeps to one row and drops what does not fit; in interview
mode every action must be discoverable at a glance, so this bar packs the
screen's shown bindings into as many rows as the width needs. Like Textual's
Footer it asks each action's `check_action`: False leaves the key out (the
app's Ctrl+T map while the interview's Ctrl+T ticks a probe), None dims it.
"""

from __future__ import annotations

from textual.actions import parse
from textual.binding import Binding
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Static


def action_state(screen: Screen, node: DOMNode, binding: Binding) -> bool | None:
    """What `check_action` says of the binding's action, in `node`'s namespace
    (or the one the action names): True, False (hidden) or None (disabled)."""
    namespace, name, parameters = parse(binding.action)
    target = {"app": screen.app, "screen": screen}.get(namespace, node)
    return target.check_action(name, parameters)


def node_bindings(node: DOMNode) -> dict[str, list[Binding]]:
    """Key -> the bindings `node` itself declares (its BINDINGS, merged along
    its classes as Textual merges them).

    The one place that reads Textual's private `_bindings`: Textual has no
    public accessor for a node's own bindings. `Screen.active_bindings` gives
    only the winner of each key along the focused chain, so a key that the
    focused field also binds (Home, End, Ctrl+A on an Input) shows the field's
    binding, not the screen's; the help screen, the key bar, the palette and
    the interview's note line need the screen's. tests/test_textual_private.py
    fails loudly if Textual changes this."""
    return node._bindings.key_to_bindings


def own_bindings(screen: Screen) -> list[tuple[DOMNode, str, Binding]]:
    """(node, key, binding) declared by the screen and the app, in order,
    including keys that a focused field also binds (the field lets them pass);
    not those whose action's check says False (not available here)."""
    out = []
    for node in (screen, screen.app):
        for key, bindings in node_bindings(node).items():
            out.extend((node, key, b) for b in bindings if action_state(screen, node, b) is not False)
    return out


def key_items(screen: Screen) -> list[tuple[str, str, bool]]:
    """(keys, description, enabled) for the screen's and the app's shown
    bindings: one item per action, or per group of bindings (PgUp/PgDn
    Question), enabled unless every action's check says None."""
    items: dict[tuple[int, str], tuple[list[str], str, bool]] = {}
    for node, _key, binding in own_bindings(screen):
        if not binding.show:
            continue
        enabled = bool(action_state(screen, node, binding))
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
            keys, _description, was_enabled = items[ident]
            if display not in keys:
                keys.append(display)
            items[ident] = (keys, description, was_enabled or enabled)
        else:
            items[ident] = ([display], description, enabled)
    return [("/".join(keys), description, enabled) for keys, description, enabled in items.values()]


def pack_items(items: list[tuple], width: int) -> list[list[tuple]]:
    """Items (keys, description, ...) into rows no wider than `width` (an
    item is drawn `keys description`, items two spaces apart); never an
    empty row."""
    rows: list[list[tuple]] = [[]]
    used = 0
    for item in items:
        keys, description = item[0], item[1]
        size = len(keys) + 1 + len(description)
        gap = 2 if rows[-1] else 0
        if rows[-1] and used + gap + size > width:
            rows.append([])
            used, gap = 0, 0
        rows[-1].append(item)
        used += gap + size
    return rows


def item_markup(keys: str, description: str, enabled: bool) -> str:
    entry = f"[b $accent]{escape(keys)}[/] {escape(description)}"
    return entry if enabled else f"[dim]{entry}[/]"


class BindingsLine(Static):
    """Text drawn from the screen's keys, drawn again whenever they change
    (focus moves, an action's check changes, the screen comes back on top)
    or the width does. Subclasses write `redraw`."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.call_after_refresh(self.redraw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        raise NotImplementedError


class KeyBar(BindingsLine):
    DEFAULT_CSS = """
    KeyBar {
        height: auto;
        background: $panel;
        padding: 0 1;
    }
    """

    def redraw(self) -> None:
        screen = self.screen
        if self.app.screen is not screen:
            # The app's checks look at the screen on top (a dialog now): keep
            # the keys as they were; the bar is redrawn when this screen resumes.
            return
        width = max(20, self.size.width or screen.size.width - 2)
        rows = pack_items(key_items(screen), width)
        self.styles.height = len(rows)
        self.update("\n".join("  ".join(item_markup(*item) for item in row) for row in rows))
