"""The document being coded, drawn with Textual's Line API.

Only the lines on screen are rendered: block heights come from a cheap
wrap of character ranges, and a block's strips are built when first shown
and cached until its cursor state, selection or codings change. A block is
a header (speaker and time, or note details), its text, and a line naming
the codes on it. The widget holds no data access: the screen gives it the
document and the codings, and hears from it through messages.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tacompanion.core.document import Block, CodingDocument
from tacompanion.core.spans import Span

GUTTER = 2  # cursor bar and a space


def wrap_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Character ranges of `text`, one per screen line of at most `width` cells.

    Breaks at spaces, keeps newlines as line breaks, and cuts a word longer
    than a line. Ranges never include the newline or the breaking space.
    """
    width = max(4, width)
    out: list[tuple[int, int]] = []
    pos = 0
    for paragraph in text.split("\n"):
        start, end = pos, pos + len(paragraph)
        pos = end + 1
        if start == end:
            out.append((start, start))
            continue
        line_start, line_cells, last_space = start, 0, -1
        i = start
        narrow = paragraph.isascii()  # one cell a character: no width look-ups
        while i < end:
            ch = text[i]
            w = 1 if narrow else cell_len(ch)
            if ch == " ":
                last_space = i
            if line_cells + w > width:
                if last_space > line_start:
                    out.append((line_start, last_space))
                    i = last_space + 1
                else:
                    out.append((line_start, i))
                line_start, line_cells, last_space = i, 0, -1
                continue
            line_cells += w
            i += 1
        out.append((line_start, end))
    return out


@dataclass
class _Layout:
    width: int
    ranges: list[list[tuple[int, int]]]  # per block: wrapped text ranges (relative to block text)
    tops: list[int]  # per block: first y
    height: int


class CodingView(ScrollView, can_focus=True):
    """Blocks of a document with a cursor, an optional selection and code lines."""

    COMPONENT_CLASSES = {
        "coding-view--bar",
        "coding-view--speaker",
        "coding-view--interviewer",
        "coding-view--time",
        "coding-view--quiet",
        "coding-view--selected",
        "coding-view--codes",
        "coding-view--cursor",
    }
    DEFAULT_CSS = """
    CodingView {
        background: $surface;
        /* The scrollbar's column is kept whether or not it shows, so the text
           wraps once: at the width it will keep. */
        scrollbar-gutter: stable;
    }
    CodingView > .coding-view--bar { color: $accent; text-style: bold; }
    CodingView > .coding-view--speaker { color: $primary; text-style: bold; }
    CodingView > .coding-view--interviewer { color: $text-muted; text-style: bold; }
    CodingView > .coding-view--time { color: $text-muted; }
    CodingView > .coding-view--quiet { color: $text-muted; }
    CodingView > .coding-view--selected { background: $accent; color: $text; text-style: bold; }
    CodingView > .coding-view--codes { color: $success; }
    CodingView > .coding-view--cursor { background: $boost; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, layout=False)

    class CursorMoved(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document: CodingDocument | None = None
        self.codings: dict[int, list[dict]] = {}
        self.selection: Span | None = None  # within the cursor block's text coordinates
        self._layout: _Layout | None = None
        self._cache: dict[int, list[Strip]] = {}
        self._wrapped: dict[int, list[list[tuple[int, int]]]] = {}  # width -> per-block ranges
        self._code_lines_cache: dict[tuple[int, int], list[str]] = {}  # (block, width) -> lines
        self._style_cache: dict[str, Style] | None = None

    # -- data in ---------------------------------------------------------------

    def set_document(self, document: CodingDocument, codings: dict[int, list[dict]], cursor: int = 0) -> None:
        self.document = document
        self.codings = codings
        self.selection = None
        self._layout = None
        self._cache.clear()
        self._wrapped.clear()
        self._code_lines_cache.clear()
        self.set_reactive(CodingView.cursor, max(0, min(cursor, len(document.blocks) - 1)))
        if self.size.width:
            self._relayout()
        # else: not laid out yet (the screen is mounting); wrapping now at a
        # guessed width would be thrown away by the first resize.
        self.call_after_refresh(self.scroll_to_cursor, False)

    def set_codings(self, codings: dict[int, list[dict]]) -> None:
        changed = {i for i in set(codings) | set(self.codings) if codings.get(i) != self.codings.get(i)}
        before = {i: len(self._code_lines(i)) for i in changed}
        self.codings = codings
        for key in [k for k in self._code_lines_cache if k[0] in changed]:
            del self._code_lines_cache[key]  # at every width it was wrapped for
        if any(len(self._code_lines(i)) != before[i] for i in changed):
            # a code line appears, goes or wraps differently: blocks below move
            self._cache.clear()
            self._relayout()
        for i in changed:
            self._cache.pop(i, None)
        self.refresh()

    def set_selection(self, selection: Span | None) -> None:
        self.selection = selection
        self._cache.pop(self.cursor, None)
        self.refresh()

    @property
    def block(self) -> Block | None:
        if self.document is None or not self.document.blocks:
            return None
        return self.document.blocks[self.cursor]

    # -- layout ----------------------------------------------------------------

    def _text_width(self) -> int:
        return max(10, (self.scrollable_content_region.width or self.size.width or 80) - GUTTER - 1)

    def _relayout(self) -> None:
        if self.document is None:
            self.virtual_size = Size(0, 0)
            return
        width = self._text_width()
        # Wrapping depends on the width only: a coding that adds or drops a
        # code line just moves the blocks below it.
        ranges = self._wrapped.get(width)
        if ranges is None:
            ranges = [wrap_ranges(block.text, width) for block in self.document.blocks]
            self._wrapped = {width: ranges}
        tops, y = [], 0
        for i, r in enumerate(ranges):
            tops.append(y)
            y += 1 + len(r) + len(self._code_lines(i)) + 1  # header, text, codes, gap
        self._layout = _Layout(width, ranges, tops, y)
        self.virtual_size = Size(width + GUTTER, y)

    def _ensure_layout(self) -> None:
        if self._layout is None and self.document is not None:
            self._relayout()

    def on_resize(self) -> None:
        if self.document is not None and (self._layout is None or self._layout.width != self._text_width()):
            self._cache.clear()
            self._relayout()
            self.scroll_to_cursor(False)

    def block_region(self, index: int) -> Region:
        self._ensure_layout()
        assert self._layout is not None
        top = self._layout.tops[index]
        bottom = self._layout.tops[index + 1] if index + 1 < len(self._layout.tops) else self._layout.height
        return Region(0, top, self._layout.width, bottom - top)

    def scroll_to_cursor(self, animate: bool = False) -> None:
        self._ensure_layout()
        if self._layout is None or self.document is None or not self.document.blocks:
            return
        self.scroll_to_region(self.block_region(self.cursor), animate=animate, top=False, force=True)

    # -- cursor ----------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._cache.pop(old, None)
        self._cache.pop(new, None)
        self.selection = None
        self.refresh()
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(new))

    def move_to(self, index: int) -> None:
        if self.document is None or not self.document.blocks:
            return
        index = max(0, min(len(self.document.blocks) - 1, index))
        if index != self.cursor:
            self.cursor = index

    def page_size(self) -> int:
        """Blocks to move for a page: as many as fit on screen, at least one."""
        self._ensure_layout()
        if self._layout is None:
            return 1
        y = self.scroll_offset.y
        visible = [i for i, top in enumerate(self._layout.tops) if y <= top < y + self.size.height]
        return max(1, len(visible) - 1)

    # -- drawing ---------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        self._ensure_layout()
        layout = self._layout
        scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y
        width = self.size.width
        if layout is None or self.document is None or line >= layout.height:
            return Strip.blank(width, self._base_style())
        index = bisect.bisect_right(layout.tops, line) - 1
        strips = self._cache.get(index)
        if strips is None:
            strips = self._render_block(index)
            self._cache[index] = strips
        offset = line - layout.tops[index]
        strip = strips[offset] if offset < len(strips) else Strip.blank(width)
        return strip.crop_extend(scroll_x, scroll_x + width, self._base_style())

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_cache = None  # a theme or focus change: styles are read again
        self._cache.clear()

    def _base_style(self) -> Style:
        return self._styles()["base"]

    def _styles(self) -> dict[str, Style]:
        # Reading styles walks the DOM; a frame asks for them once per line.
        if self._style_cache is None:
            self._style_cache = self._read_styles()
        return self._style_cache

    def _read_styles(self) -> dict[str, Style]:
        get = self.get_component_rich_style
        return {
            "base": self.rich_style,
            "bar": get("coding-view--bar"),
            "speaker": get("coding-view--speaker"),
            "interviewer": get("coding-view--interviewer"),
            "time": get("coding-view--time"),
            "text": Style(),
            "quiet": get("coding-view--quiet"),
            "selected": get("coding-view--selected"),
            "coded": Style(underline=True),
            "codes": get("coding-view--codes"),
            "cursor_bg": get("coding-view--cursor"),
        }

    def _code_lines(self, index: int) -> list[str]:
        """The block's code line, wrapped to the text width ([] without codes).
        Kept until the block's codings or the width change: a layout asks for
        every block's, and applying a code changes one or two."""
        width = self._text_width()
        key = (index, width)
        lines = self._code_lines_cache.get(key)
        if lines is None:
            line = self._code_line(index)
            if line is None:
                lines = []
            else:
                line = "● " + line
                lines = [line[a:b] for a, b in wrap_ranges(line, width)]
            self._code_lines_cache[key] = lines
        return lines

    def _code_line(self, index: int) -> str | None:
        codings = self.codings.get(index)
        if not codings:
            return None
        block = self.document.blocks[index]  # type: ignore[union-attr]
        parts = []
        for c in codings:
            whole = c["start"] <= block.start and c["end"] >= block.end
            if whole:
                parts.append(c["name"])
            else:
                lo, hi = max(c["start"], block.start), min(c["end"], block.end)
                excerpt = block.text[lo - block.start : hi - block.start]
                short = " ".join(excerpt.split()[:4])
                more = "…" if len(excerpt.split()) > 4 else ""
                parts.append(f"{c['name']} “{short}{more}”")
        return " · ".join(parts)

    def _render_block(self, index: int) -> list[Strip]:
        self._ensure_layout()
        assert self.document is not None and self._layout is not None
        block = self.document.blocks[index]
        st = self._styles()
        here = index == self.cursor
        bar = Segment("▌ " if here else "  ", st["bar"])
        width = self._layout.width + GUTTER

        def finish(segments: list[Segment]) -> Strip:
            strip = Strip([bar, *segments]).extend_cell_length(width)
            return strip.apply_style(st["cursor_bg"]) if here else strip

        lines: list[Strip] = []
        who = block.speaker or ""
        head: list[Segment] = []
        if block.header:
            if who and block.header.startswith(who):
                head.append(Segment(who, st["interviewer"] if block.is_interviewer else st["speaker"]))
                head.append(Segment(block.header[len(who):], st["time"]))
            else:
                head.append(Segment(block.header, st["time"]))
        else:
            head.append(Segment(f"¶ {index + 1}", st["time"]))
        lines.append(finish(head))

        base = st["quiet"] if block.is_interviewer else st["text"]
        coded = self._coded_chars(index)
        sel = self.selection if here else None
        for lo, hi in self._layout.ranges[index]:
            segments: list[Segment] = []
            run_start = lo
            run_style = None
            for i in range(lo, hi + 1):
                style = None
                if i < hi:
                    style = base
                    absolute = block.start + i
                    if sel is not None and sel.start <= absolute < sel.end:
                        style = base + st["selected"]
                    elif absolute in coded:
                        style = base + st["coded"]
                if i == hi or style != run_style:
                    if run_style is not None and i > run_start:
                        segments.append(Segment(block.text[run_start:i], run_style))
                    run_start, run_style = i, style
            lines.append(finish(segments))

        for code_line in self._code_lines(index):
            lines.append(finish([Segment(code_line, st["codes"])]))
        lines.append(finish([]) if here else Strip.blank(width))
        return lines

    def _coded_chars(self, index: int) -> set[int]:
        """Characters under a partial coding, to underline; whole-turn codings
        are named on the code line instead (underlining all would say nothing)."""
        block = self.document.blocks[index]  # type: ignore[union-attr]
        chars: set[int] = set()
        for c in self.codings.get(index, []):
            if c["start"] <= block.start and c["end"] >= block.end:
                continue
            chars.update(range(max(c["start"], block.start), min(c["end"], block.end)))
        return chars
