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

from tacompanion.core.words import clip
from tacompanion.store.codes import CodeSummary
from tacompanion.tui.widgets.rows_view import RowsView


def code_row(summary: CodeSummary, width: int) -> Text:
    """`name  mine/all·Np` (this coder's codings, everyone's, participants),
    the name cut with an ellipsis to fit `width`."""
    counts = f" {summary.mine}/{summary.codings}·{summary.participants}p"
    room = max(4, width - len(counts))
    name = clip(summary.name, room)
    row = Text(name)
    row.append(counts, style="dim")
    return row


class CodeList(RowsView):
    BINDINGS = [
        Binding("enter", "apply_highlighted", "Apply code", id="codes.apply"),
        Binding("r", "screen.rename_code", "Rename", id="codes.rename"),
        Binding("e", "screen.describe_code", "Describe", id="codes.describe"),
        Binding("m", "screen.merge_code", "Merge into…", id="codes.merge"),
        Binding("d", "screen.delete_code", "Delete", id="codes.delete"),
        Binding("f,slash", "screen.filter_codes", "Filter", id="codes.filter"),
        Binding("h", "screen.code_hints", "Hints", id="codes.hints"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.codes: list[CodeSummary] = []
        self._row_of: dict[int, int] = {}

    def set_codes(self, codes: list[CodeSummary]) -> None:
        """Show these codes, keeping the cursor's row where it was."""
        keep = self.cursor
        self.codes = list(codes)
        self._row_of = {c.id: i for i, c in enumerate(self.codes)}
        self.set_rows(len(self.codes), self._render, cursor=keep)

    def update_code(self, summary: CodeSummary) -> bool:
        """New counts or name for a listed code; False when it is not listed."""
        row = self._row_of.get(summary.id)
        if row is None:
            return False
        self.codes[row] = summary
        self.refresh_row(row)
        return True

    @property
    def highlighted_id(self) -> int | None:
        return self.codes[self.cursor].id if self.codes else None

    def _render(self, index: int) -> Text:
        return code_row(self.codes[index], self.scrollable_content_region.width or 30)

    def action_apply_highlighted(self) -> None:
        code_id = self.highlighted_id
        if code_id is not None:
            self.screen.apply_code(code_id)  # type: ignore[attr-defined]
