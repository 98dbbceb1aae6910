"""A transcript, turn by turn, drawn with the Line API.

Only the lines on screen are rendered (`render_line`), each once: strips are
cached by line and by whether the line belongs to the cursor's turn. The
layout (which characters of which turn go on which screen line) is computed
once per width by a plain greedy word wrap, a few milliseconds for a
12,000-word interview. The widget never touches the database: the screen
hands it segments and listens for `CursorMoved`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tacompanion.core.transcript import Segment, format_clock

GUTTER = 2  # the cursor bar and a space
INDENT = 2  # speech sits under the speaker's name
SPEAKER_STYLES = 4
MAX_MEASURE = 88  # a comfortable line for reading; wider screens get margins

_WORD = re.compile(r"\S+\s*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Line:
    """One screen line: a turn's header, a slice of its text, or a gap."""

    turn: int
    kind: str  # "head", "body" or "gap"
    start: int = 0
    end: int = 0


def wrap_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of `text` (which may hold newlines) to `width` cells,
    as (start, end) ranges into `text`; an empty line is (i, i)."""
    width = max(width, 4)
    out: list[tuple[int, int]] = []
    pos = 0
    for raw in text.split("\n"):
        line_start = pos
        pos += len(raw) + 1
        if not raw.strip():
            out.append((line_start, line_start))
            continue
        ascii_only = raw.isascii()
        if ascii_only and "\t" not in raw:
            # One character, one cell: let the regex engine do the greedy wrap.
            lead = len(raw) - len(raw.lstrip())  # indentation is not shown
            for m in _ascii_wrap(width).finditer(raw, lead):
                out.append((line_start + m.start(), line_start + m.end()))
            continue
        start = line_start + len(raw) - len(raw.lstrip())
        used = 0
        for m in _WORD.finditer(raw):
            word = m.group().rstrip()
            w = len(word) if ascii_only else cell_len(word)
            s = line_start + m.start()
            if used and used + w > width:
                out.append((start, s))
                start, used = s, 0
            while w > width:  # a word longer than the line: cut it
                cut = s + _fit(text, s, width)
                out.append((start, cut))
                start = s = cut
                rest = text[s : line_start + m.start() + len(word)]
                w = len(rest) if ascii_only else cell_len(rest)
                used = 0
            used += w + len(m.group()) - len(word)  # the word and its spaces
        out.append((start, line_start + len(raw)))
    return out


@lru_cache(maxsize=32)
def _ascii_wrap(width: int) -> re.Pattern[str]:
    """A line of at most `width` characters ending at a space (spaces after it
    included), or a hard cut of a word longer than the line."""
    return re.compile(rf"\S.{{0,{width - 1}}}(?:[^\S\n]+|$)|\S{{{width}}}")


def _fit(text: str, start: int, width: int) -> int:
    """How many characters from `start` fit in `width` cells (at least one)."""
    used = 0
    n = 0
    while start + n < len(text) and used + cell_len(text[start + n]) <= width:
        used += cell_len(text[start + n])
        n += 1
    return max(n, 1)


class TranscriptView(ScrollView, can_focus=True):
    """Turns of one transcript with a cursor on the current turn."""

    DEFAULT_CSS = """
    TranscriptView {
        scrollbar-gutter: stable;
        overflow-x: hidden;
        background: $surface;
    }
    TranscriptView > .transcript-view--speaker-0 { color: $accent; text-style: bold; }
    TranscriptView > .transcript-view--speaker-1 { color: $success; text-style: bold; }
    TranscriptView > .transcript-view--speaker-2 { color: $warning; text-style: bold; }
    TranscriptView > .transcript-view--speaker-3 { color: $secondary; text-style: bold; }
    TranscriptView > .transcript-view--interviewer-name { color: $text-muted; text-style: bold; }
    TranscriptView > .transcript-view--interviewer { color: $text-muted; }
    TranscriptView > .transcript-view--speech { color: $foreground; }
    TranscriptView > .transcript-view--meta { color: $text-muted; }
    TranscriptView > .transcript-view--bar { color: $accent; }
    TranscriptView > .transcript-view--cursor { background: $boost; }
    TranscriptView > .transcript-view--hit { background: $warning 35%; text-style: bold; }
    TranscriptView > .transcript-view--coded { color: $success; }
    TranscriptView > .transcript-view--question { color: $secondary; text-style: bold italic; }
    TranscriptView:focus > .transcript-view--cursor { background: $accent 15%; }
    """

    COMPONENT_CLASSES = {
        "transcript-view--speaker-0",
        "transcript-view--speaker-1",
        "transcript-view--speaker-2",
        "transcript-view--speaker-3",
        "transcript-view--interviewer-name",
        "transcript-view--interviewer",
        "transcript-view--speech",
        "transcript-view--meta",
        "transcript-view--bar",
        "transcript-view--cursor",
        "transcript-view--hit",
        "transcript-view--coded",
        "transcript-view--question",
    }

    BINDINGS = [
        Binding("down,j", "next_turn", "Next turn", show=False, id="reading.next"),
        Binding("up,k", "previous_turn", "Previous turn", show=False, id="reading.previous"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="reading.page_down"),
        Binding("pageup,b", "page_up", "Page up", show=False, id="reading.page_up"),
        Binding("home,g", "first_turn", "Start", show=False, id="reading.start"),
        Binding("end,G", "last_turn", "End", show=False, id="reading.end"),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, init=False)

    class CursorMoved(Message):
        """The cursor is on another turn."""

        def __init__(self, view: TranscriptView, position: int) -> None:
            super().__init__()
            self.view = view
            self.position = position

        @property
        def control(self) -> TranscriptView:
            return self.view

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.segments: list[Segment] = []
        self.coded: set[int] = set()
        self.highlight: re.Pattern[str] | None = None
        self.questions: dict[int, str] = {}  # turn -> "Q3 · …", where a guide question starts
        self._speaker_style: dict[str, int] = {}
        self._lines: list[Line] = []
        self._turn_first_line: list[int] = []
        self._layout_width = -1
        self._cache: LRUCache[tuple[int, bool], Strip] = LRUCache(2048)

    # -- data ---------------------------------------------------------------------------

    def set_transcript(self, segments: list[Segment], coded: set[int] | None = None) -> None:
        self.segments = segments
        self.coded = coded or set()
        self._speaker_style = {}
        for s in segments:
            if s.speaker is not None and not s.is_interviewer and s.speaker not in self._speaker_style:
                self._speaker_style[s.speaker] = len(self._speaker_style) % SPEAKER_STYLES
        self._layout_width = -1
        self._relayout()
        self.cursor = min(self.cursor, max(len(segments) - 1, 0))

    def set_questions(self, questions: dict[int, str]) -> None:
        """Where guide questions start (turn -> label), drawn above the turn."""
        if questions == self.questions:
            return
        self.questions = dict(questions)
        self._layout_width = -1
        self._relayout()

    def set_highlight(self, pattern: re.Pattern[str] | None) -> None:
        self.highlight = pattern
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # -- layout -------------------------------------------------------------------------

    @property
    def text_width(self) -> int:
        return max(min(self.scrollable_content_region.width - GUTTER - INDENT - 1, MAX_MEASURE), 10)

    @property
    def column_width(self) -> int:
        """Cells used by the turns: gutter, indent, text and a space."""
        return min(self.scrollable_content_region.width, self.text_width + GUTTER + INDENT + 1)

    def on_resize(self, event: Resize) -> None:
        self._relayout()

    def _relayout(self) -> None:
        if not self.size.width:
            return  # not laid out yet: wrapping for a guessed width is wasted work
        width = self.text_width
        if width == self._layout_width:
            self.virtual_size = Size(self.scrollable_content_region.width, len(self._lines))
            return
        self._layout_width = width
        lines: list[Line] = []
        firsts: list[int] = []
        for i, s in enumerate(self.segments):
            firsts.append(len(lines))
            if i in self.questions:
                lines.append(Line(i, "question"))
            if s.speaker is not None or s.start_ms is not None:
                lines.append(Line(i, "head"))
            lines.extend(Line(i, "body", a, b) for a, b in wrap_ranges(s.text, width))
            lines.append(Line(i, "gap"))
        self._lines = lines
        self._turn_first_line = firsts
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(lines))
        if self.segments:
            self._keep_cursor_visible(center=False)
        self.refresh()

    def turn_at_line(self, line: int) -> int:
        if not self._turn_first_line:
            return 0
        return max(bisect_right(self._turn_first_line, line) - 1, 0)

    def turn_lines(self, turn: int) -> tuple[int, int]:
        """First and last screen line of a turn (its gap excluded)."""
        first = self._turn_first_line[turn]
        end = self._turn_first_line[turn + 1] if turn + 1 < len(self._turn_first_line) else len(self._lines)
        return first, end - 2

    # -- cursor and scrolling ------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._keep_cursor_visible(center=False)
        self.refresh()
        self.post_message(self.CursorMoved(self, new))

    def go_to(self, position: int, *, center: bool = True) -> None:
        """Put the cursor on a turn and bring it into view."""
        if not self.segments:
            return
        position = max(0, min(position, len(self.segments) - 1))
        if position == self.cursor:
            self._keep_cursor_visible(center=center)
            self.post_message(self.CursorMoved(self, position))
        else:
            self.set_reactive(TranscriptView.cursor, position)
            self._keep_cursor_visible(center=center)
            self.refresh()
            self.post_message(self.CursorMoved(self, position))

    def _keep_cursor_visible(self, *, center: bool) -> None:
        if not self.segments or not self._turn_first_line:
            return
        first, last = self.turn_lines(self.cursor)
        height = max(self.scrollable_content_region.height, 1)
        top = round(self.scroll_y)
        if center:
            target = max(first - height // 3, 0)
        elif first < top:
            target = first
        elif last >= top + height:
            target = first if last - first + 1 > height else last - height + 1
        else:
            return
        self.scroll_to(y=target, animate=False, immediate=True)

    def action_next_turn(self) -> None:
        if self.cursor < len(self.segments) - 1:
            self.cursor += 1

    def action_previous_turn(self) -> None:
        if self.cursor > 0:
            self.cursor -= 1

    def action_first_turn(self) -> None:
        self.cursor = 0
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_last_turn(self) -> None:
        if self.segments:
            self.cursor = len(self.segments) - 1
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def action_page_down(self) -> None:
        self._page(+1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        """Scroll a screenful and put the cursor on the first turn that starts
        in view; at either end, go to the first or last turn."""
        if not self.segments:
            return
        height = max(self.scrollable_content_region.height, 1)
        top, bottom = round(self.scroll_y), round(self.max_scroll_y)
        if direction > 0 and top >= bottom:
            turn = len(self.segments) - 1
        elif direction < 0 and top <= 0:
            turn = 0
        else:
            target = max(0, min(top + direction * height, bottom))
            self.scroll_to(y=target, animate=False, immediate=True)
            turn = self._first_turn_from(target)
        self.set_reactive(TranscriptView.cursor, turn)
        self.refresh()
        self.post_message(self.CursorMoved(self, turn))

    def _first_turn_from(self, line: int) -> int:
        """The first turn that starts on or below `line` (else the one there)."""
        turn = self.turn_at_line(line)
        if self._turn_first_line[turn] < line and turn + 1 < len(self.segments):
            height = max(self.scrollable_content_region.height, 1)
            if self._turn_first_line[turn + 1] < line + height:
                return turn + 1
        return turn

    def on_click(self, event: Click) -> None:
        line = round(self.scroll_y) + event.y
        if 0 <= line < len(self._lines):
            self.cursor = self._lines[line].turn
            self.focus()

    # -- drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self._layout_width != self.text_width:
            self._relayout()
        index = round(self.scroll_y) + y
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        line = self._lines[index]
        on_cursor = line.turn == self.cursor
        key = (index, on_cursor)
        strip = self._cache.get(key)
        if strip is None or strip.cell_length != width:
            strip = self._render(line, on_cursor, width)
            self._cache[key] = strip
        return strip

    def _render(self, line: Line, on_cursor: bool, width: int) -> Strip:
        base = self.rich_style
        if on_cursor:
            base = base + self.get_component_rich_style("transcript-view--cursor")
        seg = self.segments[line.turn]
        bar_style = base + self.get_component_rich_style("transcript-view--bar")
        parts: list[RichSegment] = [
            RichSegment("▌" if on_cursor and line.kind != "gap" else " ", bar_style),
            RichSegment(" ", base),
        ]
        if line.kind == "question":
            label = self.questions.get(line.turn, "")
            room = max(4, self.column_width - GUTTER)
            label = label if cell_len(label) <= room else label[: room - 1] + "…"
            parts.append(RichSegment(label, base + self.get_component_rich_style("transcript-view--question")))
        elif line.kind == "head":
            parts.extend(self._head(seg, line.turn, base, self.column_width - GUTTER))
        elif line.kind == "body":
            parts.append(RichSegment(" " * INDENT, base))
            speech = "transcript-view--interviewer" if seg.is_interviewer else "transcript-view--speech"
            style = base + self.get_component_rich_style(speech)
            parts.extend(self._body(seg.text[line.start : line.end], style))
        strip = Strip(parts)
        return strip.adjust_cell_length(width, base)

    def _head(self, seg: Segment, turn: int, base: Style, width: int) -> list[RichSegment]:
        if seg.is_interviewer:
            name_style = self.get_component_rich_style("transcript-view--interviewer-name")
        else:
            slot = self._speaker_style.get(seg.speaker or "", 0)
            name_style = self.get_component_rich_style(f"transcript-view--speaker-{slot}")
        meta = base + self.get_component_rich_style("transcript-view--meta")
        out = []
        used = 0
        if seg.speaker is not None:
            name = seg.speaker[: max(width - 12, 4)]
            out.append(RichSegment(name, base + name_style))
            used += cell_len(name)
        if seg.start_ms is not None:
            stamp = ("  " if used else "") + format_clock(seg.start_ms)
            out.append(RichSegment(stamp, meta))
            used += len(stamp)
        if turn in self.coded:
            out.append(RichSegment("  ◆ coded", base + self.get_component_rich_style("transcript-view--coded")))
            used += 9
        number = str(turn + 1)
        gap = width - used - len(number) - 1
        if gap > 0:
            out.append(RichSegment(" " * gap, base))
            out.append(RichSegment(number, meta))
        return out

    def _body(self, text: str, style: Style) -> list[RichSegment]:
        text = _CONTROL.sub(" ", text.rstrip())
        if self.highlight is None:
            return [RichSegment(text, style)]
        hit = style + self.get_component_rich_style("transcript-view--hit")
        out: list[RichSegment] = []
        pos = 0
        for m in self.highlight.finditer(text):
            if m.start() > pos:
                out.append(RichSegment(text[pos : m.start()], style))
            out.append(RichSegment(m.group(), hit))
            pos = m.end()
        if pos < len(text):
            out.append(RichSegment(text[pos:], style))
        return out
