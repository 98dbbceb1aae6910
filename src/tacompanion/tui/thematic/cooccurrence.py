"""Code co-occurrence: which codes share extracts (a coding of one overlapping
a coding of the other), with counts, most shared first; for one code, or for
all. Enter opens the extracts where the two meet (on the first code's column:
those of the first code; on the second's: those of the second)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tacompanion.store import codes as code_store
from tacompanion.store.thematic import CoOccurrence, cooccurrences
from tacompanion.tui.study_view import StudyViewScreen
from tacompanion.tui.widgets.key_footer import KeyFooter

MAX_ROWS = 500


class CoOccurrenceScreen(StudyViewScreen):
    CSS_PATH = "cooccurrence.tcss"
    HELP_TITLE = "code co-occurrence"
    BINDINGS = [
        Binding("a", "all", "All codes / this code", id="cooccurrence.all"),
        Binding("j", "cursor('down')", "Down", show=False, id="cooccurrence.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="cooccurrence.up"),
        Binding("escape,q", "back", "Back", id="cooccurrence.back"),
    ]


    def __init__(self, code_id: int | None = None) -> None:
        super().__init__()
        self.code_id = code_id
        self.focus_code = code_id
        self.pairs: list[CoOccurrence] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="cooccurrence-title")
        yield DataTable(id="cooccurrence", cursor_type="cell", zebra_stripes=True)
        yield Static(id="cooccurrence-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Code co-occurrence"
        self.fill()
        self.query_one(DataTable).focus()

    def redraw(self) -> None:
        self.fill()

    def fill(self) -> None:
        self.mark_drawn()
        study = self.app.study
        self.pairs = cooccurrences(study, self.code_id)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("code", key="a")
        table.add_column("code", key="b")
        table.add_column(Text("shared", justify="right"), key="shared")
        table.add_column(Text("people", justify="right"), key="people")
        for n, p in enumerate(self.pairs[:MAX_ROWS]):
            a, b = (p.name_a, p.name_b)
            if self.code_id is not None and p.code_b == self.code_id:
                a, b = b, a
            table.add_row(a, b, Text(str(p.shared), justify="right"),
                          Text(str(p.participants), justify="right"), key=str(n))
        about = "all codes" if self.code_id is None else f"'{code_store.code_name(study, self.code_id)}'"
        more = f" (the first {MAX_ROWS} shown)" if len(self.pairs) > MAX_ROWS else ""
        self.query_one("#cooccurrence-title", Static).update(Text.assemble(
            ("Codes that share extracts", "bold"),
            f": {about} · {len(self.pairs)} pair{'' if len(self.pairs) == 1 else 's'}{more} · "
            "shared = overlapping codings, people = participants (pilots out)"))
        self.status("Enter opens the extracts where the two codes meet" + (" · a: all codes" if self.focus_code else "")
                    if self.pairs else "No two codes share an extract yet.")

    def status(self, text: str) -> None:
        self.query_one("#cooccurrence-status", Static).update(text)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        row, col = event.coordinate
        if not (0 <= row < min(len(self.pairs), MAX_ROWS)):
            return
        p = self.pairs[row]
        a, b = p.code_a, p.code_b
        if self.code_id is not None and b == self.code_id:
            a, b = b, a
        if col == 1:
            a, b = b, a
        self.app.open_review("code", a, meeting=b)

    def action_cursor(self, direction: str) -> None:
        getattr(self.query_one(DataTable), f"action_cursor_{direction}")()

    def action_all(self) -> None:
        self.code_id = None if self.code_id is not None else self.focus_code
        self.fill()

    def action_back(self) -> None:
        self.app.pop_screen()
