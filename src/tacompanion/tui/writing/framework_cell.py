"""One cell of the framework matrix: the participant's extracts (or notes and
turns) for the column on the left, the summary on the right, saved as it is
typed; one sitting is one undoable step."""

from __future__ import annotations

import uuid

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, TextArea

from tacompanion.core.words import plural
from tacompanion.store.framework import Column, cell_backing, save_summary, summary
from tacompanion.tui.widgets.key_footer import KeyFooter

SAVE_AFTER = 0.3  # seconds of no typing before the text is written


class FrameworkCellScreen(Screen):
    CSS_PATH = "framework.tcss"
    HELP_TITLE = "framework cell"
    BINDINGS = [
        Binding("escape,ctrl+s", "done", "Save and close", id="framework_cell.done", priority=True),
        Binding("f6", "switch_side", "Extracts / summary", id="framework_cell.switch"),
    ]

    def __init__(self, participant_id: int, pseudonym: str, column: Column) -> None:
        super().__init__()
        self.participant_id = participant_id
        self.pseudonym = pseudonym
        self.column = column
        self.session = str(uuid.uuid4())
        self.pending = False
        self.timer = None

    def compose(self) -> ComposeResult:
        study = self.app.study
        material = cell_backing(study, self.participant_id, self.column)
        what = "extracts" if self.column.theme_id is not None else "notes and turns"
        count = plural(len(material), "extract") if self.column.theme_id is not None else (
            "1 note or turn" if len(material) == 1 else f"{len(material)} notes and turns")
        yield Static(Text.assemble((self.pseudonym, "bold"), " · ", (self.column.title, "bold"),
                                   f" · {count}"), id="cell-title")
        with Horizontal(id="cell-body"):
            with VerticalScroll(id="cell-material", can_focus=True):
                if not material:
                    yield Static(Text(f"No {what} for {self.pseudonym} here yet.", style="dim"))
                for item in material:
                    head = item.label + (f" · {item.codes}" if item.codes else "")
                    yield Static(Text.assemble((head, "dim"), "\n", " ".join(item.text.split()), "\n"))
            yield TextArea(summary(study, self.participant_id, self.column), id="cell-summary",
                           soft_wrap=True)
        yield Static("[dim]Saved as you type · Esc closes · F6: the material[/]", id="cell-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.border_title = "Summary"
        self.query_one("#cell-material").border_title = "Material"
        area.focus()
        area.move_cursor(area.document.end)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.pending = True
        if self.timer is not None:
            self.timer.stop()
        self.timer = self.set_timer(SAVE_AFTER, self.save)

    def save(self) -> None:
        if not self.pending:
            return
        self.pending = False
        save_summary(self.app.study, self.participant_id, self.column,
                     self.query_one(TextArea).text.strip(), session=self.session)

    def action_switch_side(self) -> None:
        if self.query_one(TextArea).has_focus:
            self.query_one("#cell-material").focus()
        else:
            self.query_one(TextArea).focus()

    def action_done(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        self.save()
        self.app.pop_screen()
