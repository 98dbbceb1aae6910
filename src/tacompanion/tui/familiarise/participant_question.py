"""Ask which speaker of a file is the participant, when the file cannot say."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class WhichParticipantScreen(ModalScreen[str | None]):
    """Dismisses with the participant's pseudonym, or None to leave the file out."""

    CSS_PATH = "participant_question.tcss"
    HELP_TITLE = "which participant"
    BINDINGS = [Binding("escape", "skip", "Leave the file out", id="question.skip")]

    def __init__(self, path: str, speakers: list[str]) -> None:
        super().__init__()
        self.path = path
        self.speakers = speakers

    def compose(self) -> ComposeResult:
        with Vertical(id="question-box"):
            yield Label(f"[b]Which speaker is the participant in {Path(self.path).name}?[/b]")
            yield Label("[dim]The others count as participants' turns too; pick the one this "
                        "transcript belongs to, or type a pseudonym.[/]")
            yield OptionList(*[Option(s, id=str(i)) for i, s in enumerate(self.speakers)], id="question-speakers")
            yield Input(placeholder="or a pseudonym such as P3, then Enter", id="question-other")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#question-speakers")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.speakers[event.option_index])

    @on(Input.Submitted, "#question-other")
    def typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_skip(self) -> None:
        self.dismiss(None)
