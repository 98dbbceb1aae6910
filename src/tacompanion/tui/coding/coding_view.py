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
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tacompanion.core.document import Block, CodingDocument
from tacompanion.core.spans import Span, hint_labels

GUTTER = 2  # cursor bar and a space


def wrap_ranges(text: str, width: int) -> list[tuple[int, int]]:
    """Character ranges of `text`, one per screen line of at most `width` cells.

    Breaks at spaces, keeps newlines as line breaks, and cuts a word longer
    than a line. Ranges never include the newline or the breaking space.
    A paragraph whose characters are all one cell wide (nearly every one) is
    cut a line at a time with `str.rfind`; others are measured a character
    at a time, with the same result where both apply.
    """
    width = max(4, width)
    out: list[tuple[int, int]] = []
    pos = 0
    for paragraph in text.split("\n"):
        start, end = pos, pos + len(paragraph)
        pos = end + 1
        if start == end:
            out.append((start, start))
        elif paragraph.isascii() or all(cell_len(ch) == 1 for ch in set(paragraph)):
            _wrap_narrow(text, start, end, width, out)
        else:
            _wrap_measured(text, start, end, width, out)
    return out


def _wrap_narrow(text: str, start: int, end: int, width: int, out: list[tuple[int, int]]) -> None:
    """`_wrap_measured` for a paragraph of one-cell characters: a line breaks
    at the last space among its first width + 1 characters (not at its first
    character), or else after `width` characters."""
    line_start = start
    rfind = text.rfind
    while end - line_start > width:
        space = rfind(" ", line_start + 1, line_start + width + 1)
        if space > line_start:
            out.append((line_start, space))
            line_start = space + 1
        else:
            out.append((line_start, line_start + width))
            line_start += width
    out.append((line_start, end))


def _wrap_measured(text: str, start: int, end: int, width: int, out: list[tuple[int, int]]) -> None:
    line_start, line_cells, last_space = start, 0, -1
    i = start
    while i < end:
        ch = text[i]
        w = cell_len(ch)
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
        "coding-view--hit",
        "coding-view--hint",
        "coding-view--question",
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
    CodingView > .coding-view--hit { background: $warning 60%; }
    CodingView > .coding-view--hint { background: $error; color: $text; text-style: bold; }
    CodingView > .coding-view--question { color: $secondary; text-style: bold italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, layout=False)

    class CursorMoved(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class HintChosen(Message):
        """A hint label was typed (span in document coordinates), or the hints
        were left (span None, with why)."""

        def __init__(self, purpose: str, span: Span | None, why: str = "") -> None:
            super().__init__()
            self.purpose = purpose
            self.span = span
            self.why = why

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document: CodingDocument | None = None
        self.hit: Span | None = None  # the search hit shown, in document coordinates
        self.hints: dict[str, Span] | None = None  # label -> word or sentence, while choosing
        self.hint_typed = ""
        self.hint_purpose = ""
        self.hint_words: list[Span] | None = None  # words waiting for their first letter to be typed
        self.questions: dict[int, str] = {}  # block index -> "Q3 · How did …", where a question starts
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
        if selection is not None:
            self.scroll_to_span(selection)

    def set_hit(self, hit: Span | None) -> None:
        self.hit = hit
        self._cache.pop(self.cursor, None)
        self.refresh()
        if hit is not None:
            self.scroll_to_span(hit)

    # -- hint labels: choose a word or sentence by typing its label ------------------

    def show_hints(self, spans: list[Span], purpose: str) -> None:
        """Label these spans (of the cursor block) for the user to choose one."""
        labels = hint_labels(len(spans))
        self.hints = dict(zip(labels, spans))
        self.hint_typed = ""
        self.hint_purpose = purpose
        self._cache.pop(self.cursor, None)
        self.refresh()

    def await_letter(self, words: list[Span], purpose: str) -> None:
        """Wait for the first letter of the word wanted; then label the words
        (of these) that start with it: few labels, one letter each, and the
        rest of the text left readable."""
        self.hint_words = words
        self.hint_purpose = purpose

    def _first_letter(self, span: Span) -> str:
        block = self.block
        text = block.text[span.start - block.start : span.end - block.start] if block else ""
        return next((c.casefold() for c in text if c.isalnum()), "")

    def _end_hints(self) -> None:
        self.hint_words = None
        self.hints = None
        self.hint_typed = ""
        self._cache.pop(self.cursor, None)
        self.refresh()

    def on_key(self, event: events.Key) -> None:
        if self.hint_words is not None and self.hints is None:
            event.stop()
            event.prevent_default()
            purpose, words = self.hint_purpose, self.hint_words
            ch = (event.character or "").casefold()
            if event.key == "space":
                self._end_hints()
                self.post_message(self.HintChosen(purpose, None, "more"))
                return
            if event.key == "escape" or len(ch) != 1 or not ch.isalnum():
                self._end_hints()
                self.post_message(self.HintChosen(purpose, None, "cancelled"))
                return
            matching = [w for w in words if self._first_letter(w) == ch]
            if len(matching) == 1:
                self._end_hints()
                self.post_message(self.HintChosen(purpose, matching[0]))
            elif matching:
                self.hint_words = None
                self.show_hints(matching, purpose)
                self.post_message(self.HintChosen(purpose, None, "labels"))
            else:
                self._end_hints()
                self.post_message(self.HintChosen(purpose, None, f"no word on screen starts with '{ch}'"))
            return
        if self.hints is None:
            return
        # While labels show, every key is for them: nothing else happens.
        event.stop()
        event.prevent_default()
        purpose = self.hint_purpose
        ch = (event.character or "").lower()
        if event.key == "space":  # the next screenful of a turn taller than the view
            self._end_hints()
            self.post_message(self.HintChosen(purpose, None, "more"))
            return
        if event.key == "escape" or len(ch) != 1 or not ch.isalpha():
            self._end_hints()
            self.post_message(self.HintChosen(purpose, None, "cancelled"))
            return
        typed = self.hint_typed + ch
        chosen = self.hints.get(typed)
        if chosen is not None:
            self._end_hints()
            self.post_message(self.HintChosen(purpose, chosen))
        elif any(label.startswith(typed) for label in self.hints):
            self.hint_typed = typed
            self._cache.pop(self.cursor, None)
            self.refresh()
        else:
            self._end_hints()
            self.post_message(self.HintChosen(purpose, None, f"no label '{typed}'"))

    def visible_spans(self, spans: list[Span]) -> list[Span]:
        """Those of the cursor block's spans that start on a line on screen."""
        self._ensure_layout()
        if self._layout is None or self.block is None:
            return spans
        top = self.scroll_offset.y
        bottom = top + self.scrollable_content_region.height
        return [s for s in spans if top <= self.line_of(s.start) < bottom]

    def line_of(self, position: int) -> int:
        """The virtual y of a document position in the cursor block."""
        self._ensure_layout()
        assert self._layout is not None and self.block is not None
        block = self.block
        rel = position - block.start
        y = self._layout.tops[self.cursor] + self._question_height(self.cursor) + 1
        for n, (_lo, hi) in enumerate(self._layout.ranges[self.cursor]):
            if rel <= hi:
                return y + n
        return y + max(0, len(self._layout.ranges[self.cursor]) - 1)

    def page_in_block(self) -> None:
        """Scroll on by a screenful within the cursor block, back to its top
        after its last line."""
        if self.block is None:
            return
        region = self.block_region(self.cursor)
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if top + height >= region.bottom or top < region.y:
            self.scroll_to(y=region.y, animate=False, force=True)
        else:
            self.scroll_to(y=min(region.bottom - height, top + height - 1), animate=False, force=True)

    def scroll_to_span(self, span: Span) -> None:
        """Scroll so that the span's lines show (its start, when taller than the view)."""
        if self.block is None or not self.size.height:
            return
        first, last = self.line_of(span.start), self.line_of(max(span.start, span.end - 1))
        height = min(last - first + 1, max(1, self.scrollable_content_region.height))
        self.scroll_to_region(Region(0, first, 1, height), animate=False, force=True)

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
            y += self._question_height(i) + 1 + len(r) + len(self._code_lines(i)) + 1  # mark, header, text, codes, gap
        self._layout = _Layout(width, ranges, tops, y)
        self.virtual_size = Size(width + GUTTER, y)

    def _question_height(self, index: int) -> int:
        return 1 if index in self.questions else 0

    def set_questions(self, questions: dict[int, str]) -> None:
        """Where guide questions start (block index -> label), drawn above the turn."""
        if questions == self.questions:
            return
        if questions.keys() == self.questions.keys():  # named, or renamed: the same lines
            for index, label in questions.items():
                if self.questions[index] != label:
                    self._cache.pop(index, None)
            self.questions = dict(questions)
            self.refresh()
            return
        self.questions = dict(questions)
        self._cache.clear()
        self._layout = None
        if self.size.width:
            self._relayout()
        self.refresh()

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
        if self.hit is not None and self.block is not None and not (
            self.block.start <= self.hit.start < max(self.block.end, self.block.start + 1)
        ):
            self.hit = None
        if self.hints is not None or self.hint_words is not None:
            self._end_hints()
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
            "hit": get("coding-view--hit"),
            "hint": get("coding-view--hint"),
            "question": get("coding-view--question"),
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
        if index in self.questions:
            lines.append(finish([Segment(self.questions[index], st["question"])]))
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
        hit = self.hit if here else None
        overlay: dict[int, str] = {}  # position -> label character drawn over the text
        if here and self.hints:
            for label, span in self.hints.items():
                if label.startswith(self.hint_typed):
                    for k, ch in enumerate(label[len(self.hint_typed):]):
                        overlay.setdefault(span.start + k, ch)
        text = block.text
        for lo, hi in self._layout.ranges[index]:
            segments: list[Segment] = []
            run: list[str] = []
            run_style = None
            for i in range(lo, hi):
                absolute = block.start + i
                ch = text[i]
                style = base
                if absolute in overlay:
                    ch, style = overlay[absolute], base + st["hint"]
                elif sel is not None and sel.start <= absolute < sel.end:
                    style = base + st["selected"]
                elif hit is not None and hit.start <= absolute < hit.end:
                    style = base + st["hit"]
                elif absolute in coded:
                    style = base + st["coded"]
                if style != run_style and run:
                    segments.append(Segment("".join(run), run_style))
                    run = []
                run_style = style
                run.append(ch)
            if run:
                segments.append(Segment("".join(run), run_style))
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
