"""Write the memo on a transcript: a text area, Ctrl+S to save, Esc to leave."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea


class MemoScreen(ModalScreen[str | None]):
    """Dismisses with the memo text (saved by the caller), or None."""

    CSS_PATH = "memo.tcss"
    HELP_TITLE = "memo"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save memo", id="memo.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="memo.cancel"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.memo_title = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-box"):
            yield Label(f"[b]Memo[/b] on {self.memo_title}  [dim]Ctrl+S saves, Esc cancels[/]")
            yield TextArea(self.text, id="memo-text", soft_wrap=True)

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
