"""The coding screen's code panel: every code with its codings and
participants, drawn with the Line API (only the rows on screen are rendered).

A study has hundreds of codes; an OptionList measured and parsed every one of
them before the coding screen's first frame. This widget renders a row when
it scrolls into view. It holds no data access: the screen gives it the
codes and asks which one is highlighted.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from tacompanion.core.words import clip, distinct_labels
from tacompanion.store.codes import CodeSummary
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
        self.codes: list[CodeSummary] = []
        self._row_of: dict[int, int] = {}
        self.depths: dict[int, int] = {}
        self._labels: tuple[int, list[str]] | None = None  # (width, names cut distinct)

    def set_codes(self, codes: list[CodeSummary], depths: dict[int, int] | None = None) -> None:
        """Show these codes (indented by `depths`), keeping the cursor's row where it was."""
        keep = self.cursor
        self.depths = depths or {}
        self.codes = list(codes)
        self._row_of = {c.id: i for i, c in enumerate(self.codes)}
        self._labels = None
        self.set_rows(len(self.codes), self._render, cursor=keep)

    def update_code(self, summary: CodeSummary) -> bool:
        """New counts or name for a listed code; False when it is not listed."""
        row = self._row_of.get(summary.id)
        if row is None:
            return False
        if summary.name != self.codes[row].name:
            self._labels = None  # a rename: every cut may change
            self._cache.clear()
        self.codes[row] = summary
        self.refresh_row(row)
        return True

    def on_resize(self) -> None:
        # Names are cut for the width: a wider or narrower panel (>) recuts
        # them all and repaints (RowsView's own handler also clears its rows).
        self._cache.clear()
        self.refresh()

    @property
    def highlighted_id(self) -> int | None:
        return self.codes[self.cursor].id if self.codes else None

    def labels(self, width: int) -> list[str]:
        """Every listed name cut to fit `width` beside its counts, no two alike."""
        if self._labels is None or self._labels[0] != width:
            room = max(4, width - max((len(code_counts(c)) for c in self.codes), default=0))
            self._labels = (width, distinct_labels([c.name for c in self.codes], room))
        return self._labels[1]

    def _render(self, index: int) -> Text:
        code = self.codes[index]
        width = self.scrollable_content_region.width or 30
        return code_row(code, width, self.labels(width)[index], self.depths.get(code.id, 0))

    def action_apply_highlighted(self) -> None:
        code_id = self.highlighted_id
        if code_id is not None:
            self.screen.apply_code(code_id)  # type: ignore[attr-defined]
