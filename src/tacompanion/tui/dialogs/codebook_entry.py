"""The codebook entry of a code or theme: its definition, when to use it
(inclusion), when not (exclusion), and its example extract (chosen in review
with X). Esc or Ctrl+S saves and closes, as the memo editor does; the change
is one undoable step."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from tacompanion.core.quotes import quote_text
from tacompanion.store.codebook import criteria, example, set_criteria
from tacompanion.tui.widgets.key_footer import KeyFooter

FIELDS = (("definition", "Definition: what it means"), ("include", "Include: when to use it"),
          ("exclude", "Exclude: when not to"))


class CodebookEntryScreen(ModalScreen[str | None]):
    """Dismissed with a message saying what changed (None: nothing did)."""

    CSS_PATH = "prompts.tcss"
    HELP_TITLE = "codebook entry"
    BINDINGS = [
        Binding("escape,ctrl+s", "done", "Save and close", id="codebook.done", priority=True),
        Binding("ctrl+g", "discard", "Discard the changes", id="codebook.discard", priority=True),
    ]

    def __init__(self, kind: str, item_id: int) -> None:
        super().__init__()
        self.kind = kind
        self.item_id = item_id

    def compose(self) -> ComposeResult:
        study = self.app.study
        c = self.entry = criteria(study, self.kind, self.item_id)
        e = example(study, self.kind, self.item_id)
        with Vertical(classes="dialog memo codebook"):
            yield Label(f"Codebook: the {self.kind} '{c.name}'", classes="dialog-title")
            for key, title in FIELDS:
                yield Label(title, classes="codebook-label")
                yield TextArea(getattr(c, key), id=f"codebook-{key}", soft_wrap=True, classes="codebook-field")
            yield Label("Example extract (review: X on an extract chooses it)", classes="codebook-label")
            yield Static(Text(quote_text(e.text, e.participant, e.kind)) if e else
                         Text("None chosen yet.", style="dim"), id="codebook-example")
            yield Static("[dim]Tab: next field · Esc or Ctrl+S saves and closes · Ctrl+G discards[/]")
        yield KeyFooter()

    def on_mount(self) -> None:
        area = self.query_one("#codebook-definition", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#codebook-{key}", TextArea).text.strip() for key, _ in FIELDS}

    def action_done(self) -> None:
        new = self.values()
        if all(new[k] == getattr(self.entry, k).strip() for k in new):
            self.dismiss(None)
            return
        set_criteria(self.app.study, self.kind, self.item_id, **new)
        self.dismiss(f"Codebook entry of '{self.entry.name}' saved.")

    def action_discard(self) -> None:
        if self.values() != {k: getattr(self.entry, k).strip() for k, _ in FIELDS}:
            self.app.notify("Changes discarded: the entry is as it was", severity="warning")
        self.dismiss(None)
