"""A long list of one-line rows with a cursor, drawn with the Line API.

Only the rows on screen are rendered: the screen gives the number of rows and
a function that renders row i as Rich `Text`; a rendered row is cached until
the rows are replaced. Rows may be wider than the view (scroll sideways).
Some rows (headings) can be skipped by the cursor. The widget holds no data
access: it hears keys and posts `Highlighted` and `Selected` messages.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class RowsView(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"rows-view--cursor"}
    DEFAULT_CSS = """
    RowsView { background: $surface; }
    RowsView > .rows-view--cursor { background: $accent 40%; text-style: bold; }
    RowsView:blur > .rows-view--cursor { background: $boost; text-style: none; }
    """
    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="rows.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="rows.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="rows.pagedown"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="rows.pageup"),
        Binding("home,g", "edge(0)", "First", show=False, id="rows.first"),
        Binding("end,G", "edge(1)", "Last", show=False, id="rows.last"),
        Binding("enter", "select", "Open", show=False, id="rows.select"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, layout=False)

    class Highlighted(Message):
        def __init__(self, view: RowsView, index: int) -> None:
            super().__init__()
            self.view = view
            self.index = index

    class Selected(Message):
        def __init__(self, view: RowsView, index: int) -> None:
            super().__init__()
            self.view = view
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count = 0
        self.width_hint = 0
        self._render_row: Callable[[int], Text] = lambda i: Text()
        self._skip: Callable[[int], bool] = lambda i: False
        self._cache: dict[int, Strip] = {}

    def set_rows(
        self,
        count: int,
        render: Callable[[int], Text],
        *,
        cursor: int = 0,
        skip: Callable[[int], bool] | None = None,
        width: int = 0,
    ) -> None:
        """Show `count` rows; `skip(i)` says the cursor passes row i by;
        `width` is the widest row, in cells, when known (for sideways scroll)."""
        self.count = count
        self._render_row = render
        self._skip = skip or (lambda i: False)
        self._cache.clear()
        self.width_hint = width
        self.virtual_size = Size(max(width, 1), count)
        cursor = max(0, min(cursor, count - 1)) if count else 0
        cursor = self._nearest(cursor, 1)
        self.set_reactive(RowsView.cursor, cursor)
        self.refresh()
        self.call_after_refresh(self.scroll_to_cursor)
        if count:
            self.post_message(self.Highlighted(self, cursor))

    def on_resize(self) -> None:
        # rows are drawn for the width they have: redraw them all
        self._cache.clear()
        self.scroll_to_cursor()

    def refresh_row(self, index: int) -> None:
        self._cache.pop(index, None)
        self.refresh()

    def _nearest(self, index: int, direction: int) -> int:
        """`index`, or the nearest row that the cursor may rest on."""
        if not self.count:
            return 0
        for step in (direction, -direction):
            i = index
            while 0 <= i < self.count:
                if not self._skip(i):
                    return i
                i += step
        return index

    # -- drawing -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= self.count:
            return Strip.blank(width, base)
        strip = self._cache.get(index)
        if strip is None:
            text = self._render_row(index)
            text.no_wrap = True
            text.end = ""
            strip = Strip(list(text.render(self.app.console)))
            self._cache[index] = strip
        line = strip.crop_extend(scroll_x, scroll_x + width, base)
        if index == self.cursor:
            line = line.apply_style(self.get_component_rich_style("rows-view--cursor"))
        return line.apply_style(base)

    # -- the cursor --------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.scroll_to_cursor()
        if self.count:
            self.post_message(self.Highlighted(self, new))

    def scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, force=True)

    def move_to(self, index: int, direction: int = 1) -> None:
        if not self.count:
            return
        index = max(0, min(self.count - 1, index))
        self.cursor = self._nearest(index, direction)

    def action_move(self, delta: int) -> None:
        if not self.count:
            return
        i = self.cursor + delta
        while 0 <= i < self.count and self._skip(i):
            i += delta
        if 0 <= i < self.count:
            self.cursor = i

    def action_page(self, direction: int) -> None:
        step = max(1, (self.scrollable_content_region.height or 10) - 1)
        self.move_to(self.cursor + direction * step, direction)

    def action_edge(self, end: int) -> None:
        self.move_to(self.count - 1 if end else 0, -1 if end else 1)

    def action_select(self) -> None:
        if self.count:
            self.post_message(self.Selected(self, self.cursor))
