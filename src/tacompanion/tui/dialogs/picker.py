"""A fuzzy picker: type to filter, Up/Down to choose, Enter to take, Esc to cancel.

Used for codes (with "create" offered, so a new code can be made even when
an existing one matches partly) and for themes. Focus never leaves the text
field, so typing and choosing mix freely.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tacompanion.core.fuzzy import rank
from tacompanion.tui.widgets.key_footer import KeyFooter

CREATE_ID = "__create__"
MAX_SHOWN = 60


@dataclass(frozen=True)
class Picked:
    """What the picker returns: an existing item's id, or a name to create."""

    item_id: int | None = None
    new_name: str | None = None


class FuzzyPicker(ModalScreen[Picked | None]):
    CSS_PATH = "picker.tcss"
    HELP_TITLE = "picker"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", id="picker.down", show=False),
        Binding("up", "move(-1)", "Previous", id="picker.up", show=False),
        Binding("pagedown", "move(10)", "Page down", id="picker.pagedown", show=False),
        Binding("pageup", "move(-10)", "Page up", id="picker.pageup", show=False),
    ]

    def __init__(
        self,
        title: str,
        items: list[tuple[int, str]],
        *,
        allow_create: bool = False,
        create_label: str = "Create",
        initial: str = "",
        beside: Region | None = None,
    ) -> None:
        super().__init__()
        self.beside = beside  # the screen region to sit in (beside the text), else centred
        self.title_text = title
        self.items = items
        self.allow_create = allow_create
        self.create_label = create_label
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Label(self.title_text, id="picker-title")
            yield Input(self.initial, placeholder="type to filter", id="picker-input")
            yield OptionList(id="picker-list")
        yield KeyFooter()  # over the footer of the screen below, whose keys do not work now

    def on_mount(self) -> None:
        if self.beside is not None:
            # In the place given (the coding screen's codes panel), so that the
            # text being coded stays in view.
            box = self.query_one("#picker-box")
            self.styles.align = ("left", "top")
            box.styles.offset = (self.beside.x, self.beside.y)
            box.styles.width = self.beside.width
            box.styles.height = self.beside.height
            box.styles.max_width = None
            box.styles.max_height = None
            box.add_class("beside")
        self.refilter(self.initial)
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refilter(event.value)

    def refilter(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        names = [name for _, name in self.items]
        matches = rank(query, names, limit=MAX_SHOWN)
        shown: list[Option] = []
        for m in matches:
            label = Text(m.text)
            for pos in m.positions:
                label.stylize("bold underline", pos, pos + 1)
            shown.append(Option(label, id=str(self.items[m.index][0])))
        name = " ".join(query.split())
        exact = any(n.casefold() == name.casefold() for n in names)
        if self.allow_create and name and not exact:
            create = Option(Text.assemble(("+ ", "bold"), f"{self.create_label} '{name}'"), id=CREATE_ID)
            # With no match, creating is the only sensible Enter; otherwise it is
            # offered last, one Up away from the text field.
            shown.append(create)
        options.add_options(shown)
        if shown:
            options.highlighted = 0

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count == 0:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        self.take(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.take(event.option.id)

    def take(self, option_id: str | None) -> None:
        if option_id == CREATE_ID:
            self.dismiss(Picked(new_name=" ".join(self.query_one(Input).value.split())))
        elif option_id is not None:
            self.dismiss(Picked(item_id=int(option_id)))

    def action_cancel(self) -> None:
        self.dismiss(None)
