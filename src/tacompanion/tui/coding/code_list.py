"""The coding screen's code panel: every code with its codings and
participants, drawn with the Line API (only the rows on screen are rendered).

A study has hundreds of codes and may have hundreds of thousands of codings.
The panel lists every code by name, and counts only the codes it draws: a
row's counts are asked for (with those of the rows around it on screen) the
first time it is drawn, and kept until the screen says they changed. An
OptionList measured and parsed every row before the first frame, and
counting every code read every coding. The widget holds no data access: the
screen gives it the codes and a function that counts some of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.text import Text
from textual.binding import Binding

from tacompanion.core.words import clip, distinct_labels
from tacompanion.store.codes import CodeLabel, CodeSummary
from tacompanion.tui.widgets.rows_view import RowsView


def code_counts(summary: CodeSummary) -> str:
    """`mine/all·Np`: this coder's codings, everyone's, participants, counted
    as the map counts them; a `+` says that pilot codings are there too,
    shown but not counted."""
    return f" {summary.mine}/{summary.codings}·{summary.participants}p" + ("+" if summary.left_out else "")


def code_row(summary: CodeSummary, width: int, label: str | None = None, depth: int = 0) -> Text:
    """`name  mine/all·Np`, the name cut with an ellipsis to fit `width`
    (or `label`, the name as cut to stay distinct from the other codes'); a
    code under another indented by its depth."""
    counts = code_counts(summary)
    room = max(4, width - len(counts))
    indent = "  " * depth
    inner = max(4, room - len(indent))
    name = indent + (label if label is not None and len(label) <= inner else clip(summary.name, inner))
    row = Text(name)
    row.append(counts, style="dim")
    return row


Counter = Callable[[list[int]], list[CodeSummary]]

MARGIN = 10  # rows counted beyond those on screen, above and below: a page key needs no wait


class CodeList(RowsView):
    BINDINGS = [
        Binding("enter", "apply_highlighted", "Apply code", id="codes.apply"),
        Binding("r", "screen.rename_code", "Rename", id="codes.rename"),
        Binding("e", "screen.describe_code", "Describe", id="codes.describe"),
        Binding("E", "screen.codebook_code", "Codebook entry", id="codes.codebook", show=False),
        Binding("m", "screen.merge_code", "Merge into…", id="codes.merge"),
        Binding("S", "screen.split_code", "Split…", id="codes.split", show=False),
        Binding("P", "screen.nest_code", "Put under a code…", id="codes.nest", show=False),
        Binding("d", "screen.delete_code", "Delete", id="codes.delete"),
        Binding("f,slash", "screen.filter_codes", "Filter", id="codes.filter"),
        Binding("h", "screen.code_hints", "Hints", id="codes.hints"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.codes: list[CodeLabel] = []  # the rows, in order: names without counts
        self.counted: dict[int, CodeSummary] = {}  # code id -> its counts, for the rows drawn so far
        self.counter: Counter = lambda ids: []
        self._row_of: dict[int, int] = {}
        self.depths: dict[int, int] = {}
        self._labels: dict[tuple[int, int], list[str]] = {}  # (width, room) -> every name cut distinct

    def set_codes(self, codes: list[CodeLabel], depths: dict[int, int] | None = None, *,
                  counter: Counter | None = None, keep: Iterable[int] = ()) -> None:
        """Show these codes (indented by `depths`), keeping the cursor's row
        where it was; `counter(ids)` counts codes when their rows are drawn.
        The counts of the codes in `keep` are kept (they did not change);
        every other code is counted again when drawn."""
        cursor = self.cursor
        if counter is not None:
            self.counter = counter
        keep = set(keep)
        depths = depths or {}
        if self.count and depths == self.depths and [(c.id, c.name) for c in codes] == [
                (c.id, c.name) for c in self.codes]:
            # The same rows (counts changed, say after an undo): the rows drawn
            # and the names cut stay; only the codes not kept are counted again.
            self.codes = list(codes)  # their themes may have moved
            self.forget_counts([cid for cid in self.counted if cid not in keep])
            return
        self.counted = {cid: s for cid, s in self.counted.items() if cid in keep}
        self.depths = depths
        self.codes = list(codes)
        self._row_of = {c.id: i for i, c in enumerate(self.codes)}
        self._labels.clear()
        self.set_rows(len(self.codes), self._render, cursor=cursor)

    def update_code(self, summary: CodeSummary) -> bool:
        """New counts or name for a listed code; False when it is not listed."""
        row = self._row_of.get(summary.id)
        if row is None:
            return False
        if summary.name != self.codes[row].name:
            self._labels.clear()  # a rename: every cut may change
            self._cache.clear()
            self.codes[row] = CodeLabel(summary.id, summary.name, summary.theme, self.codes[row].parent_id)
        self.counted[summary.id] = summary
        self.refresh_row(row)
        return True

    def listed(self, code: CodeLabel) -> bool:
        """Whether this code is listed exactly so (name, theme, parent)."""
        row = self._row_of.get(code.id)
        return row is not None and self.codes[row] == code

    def forget_counts(self, ids: Iterable[int]) -> None:
        """These codes' counts changed: they are asked for again when drawn."""
        for cid in list(ids):
            self.counted.pop(cid, None)
            row = self._row_of.get(cid)
            if row is not None:
                self._cache.pop(row, None)
        self.refresh()

    def on_resize(self) -> None:
        # Names are cut for the width: a wider or narrower panel (>) recuts
        # them all and repaints (RowsView's own handler also clears its rows).
        self._cache.clear()
        self.refresh()

    @property
    def highlighted_id(self) -> int | None:
        return self.codes[self.cursor].id if self.codes else None

    def summary(self, index: int) -> CodeSummary:
        """Row `index`'s code with its counts, counted now (with the rows
        around it on screen) if they are not known yet."""
        code = self.codes[index]
        known = self.counted.get(code.id)
        if known is None:
            top = self.scroll_offset.y
            height = self.scrollable_content_region.height or 1
            rows = set(range(max(0, index - MARGIN), min(len(self.codes), index + MARGIN + 1)))
            if top - MARGIN <= index < top + height + MARGIN:  # on screen: the screen's rows too
                rows.update(range(max(0, top - MARGIN), min(len(self.codes), top + height + MARGIN)))
            wanted = [self.codes[i].id for i in sorted(rows) if self.codes[i].id not in self.counted]
            for counted in self.counter(wanted):
                self.counted[counted.id] = counted
            known = self.counted.get(code.id)
            if known is None:  # gone from the study since it was listed
                known = CodeSummary(code.id, code.name, "", code.theme, 0, 0)
        return known

    def labels(self, width: int, room: int) -> list[str]:
        """Every listed name cut to `room` characters, no two alike (one
        list per room: a row's name has the room its own counts leave)."""
        key = (width, room)
        labels = self._labels.get(key)
        if labels is None:
            labels = self._labels[key] = distinct_labels([c.name for c in self.codes], room)
        return labels

    def _render(self, index: int) -> Text:
        code = self.summary(index)
        width = self.scrollable_content_region.width or 30
        room = max(4, width - len(code_counts(code)))
        return code_row(code, width, self.labels(width, room)[index], self.depths.get(code.id, 0))

    def action_apply_highlighted(self) -> None:
        code_id = self.highlighted_id
        if code_id is not None:
            self.screen.apply_code(code_id)  # type: ignore[attr-defined]
