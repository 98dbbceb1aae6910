"""The visual thematic map on screen: the lines of `core.map_drawing`, with
the selected box highlighted; scrolls both ways, draws only what is seen."""

from __future__ import annotations

from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tacompanion.core.map_drawing import Box, MapDrawing


class MapCanvas(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"map-canvas--selected"}
    DEFAULT_CSS = """
    MapCanvas { background: $surface; }
    MapCanvas > .map-canvas--selected { background: $accent 40%; text-style: bold; }
    """

    BINDINGS = [
        Binding("j", "step(1)", "Next theme", show=False, id="canvas.next"),
        Binding("k", "step(-1)", "Previous theme", show=False, id="canvas.previous"),
        Binding("enter", "open", "Open", show=False, id="canvas.open"),
    ]

    class Step(Message):
        """Select the next (1) or previous (-1) box."""

        def __init__(self, delta: int) -> None:
            super().__init__()
            self.delta = delta

    class Open(Message):
        """Open the selected box."""

    def action_step(self, delta: int) -> None:
        self.post_message(self.Step(delta))

    def action_open(self) -> None:
        self.post_message(self.Open())

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.drawing: MapDrawing | None = None
        self.selected: Box | None = None

    def set_drawing(self, drawing: MapDrawing, selected: int | None = None) -> None:
        self.drawing = drawing
        self.virtual_size = Size(drawing.width, len(drawing.lines))
        self.select(selected)

    def select(self, theme_id: int | None) -> None:
        self.selected = self.drawing.boxes.get(theme_id) if self.drawing and theme_id is not None else None
        if self.selected is not None:
            b = self.selected
            self.call_after_refresh(
                self.scroll_to_region, Region(b.x, b.y, b.width, b.height), animate=False, force=True
            )
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self.drawing is None or row >= len(self.drawing.lines):
            return Strip.blank(width, base)
        text = self.drawing.lines[row]
        segments = [Segment(text, base)]
        b = self.selected
        if b is not None and b.y <= row < b.y + b.height:
            strip = Strip(segments)
            left = strip.crop(0, b.x)
            box = strip.crop(b.x, b.x + b.width).apply_style(
                self.get_component_rich_style("map-canvas--selected"))
            right = strip.crop(b.x + b.width, strip.cell_length)
            strip = Strip.join([left, box, right])
        else:
            strip = Strip(segments)
        return strip.crop_extend(scroll_x, scroll_x + width, base)
