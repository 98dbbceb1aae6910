"""Choose what to code: every transcript, and every interview's notes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.store.documents import list_documents
from tacompanion.tui.widgets.key_footer import KeyFooter


class DocumentsScreen(Screen):
    CSS_PATH = "documents.tcss"
    HELP_TITLE = "choose a document to code"
    BINDINGS = [
        Binding("j", "cursor(1)", "Down", show=False, id="documents.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="documents.up"),
        Binding("escape,q", "back", "Back", id="documents.back"),
    ]

    def __init__(self, coder: str) -> None:
        super().__init__()
        self.coder = coder

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Choose a document to code (Enter)", id="documents-title")
        yield OptionList(id="documents")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Code"
        self.fill()

    def on_screen_resume(self) -> None:
        self.fill()

    def fill(self) -> None:
        listing = self.query_one(OptionList)
        keep = listing.highlighted
        listing.clear_options()
        docs = list_documents(self.app.study)
        for d in docs:
            pilot = " [dim](pilot)[/]" if d.pilot else ""
            unit = "turns" if d.kind == "transcript" else "notes"
            listing.add_option(Option(
                f"[b]{d.participant}[/b]{pilot}  {d.title}  [dim]{d.coded_blocks}/{d.blocks} {unit} coded[/]",
                id=f"{d.kind}:{d.key}",
            ))
        if not docs:
            listing.add_option(Option(
                "[dim]Nothing to code yet: import transcripts or run an interview first.[/]", disabled=True))
        listing.highlighted = min(keep or 0, max(0, listing.option_count - 1))
        listing.focus()

    def action_cursor(self, delta: int) -> None:
        listing = self.query_one(OptionList)
        if listing.option_count:
            listing.highlighted = max(0, min(listing.option_count - 1, (listing.highlighted or 0) + delta))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, key = (event.option.id or "").split(":")
        self.app.open_coding(kind, int(key), coder=self.coder)

    def action_back(self) -> None:
        self.app.pop_screen()
