"""The framework matrix: participants x themes (or the guide's questions or
sections), one written summary per cell (Ritchie & Spencer's framework
method; Hamilton's rapid analysis from the guide, which needs interview
notes only).

Here because summarising is writing: the matrix is where a participant's
material becomes the researcher's own text, read across a row (a person) and
down a column (a theme). Each cell shows whether it has a summary (✓) and how
many extracts, notes or turns back it. Enter opens the cell to write; `n`
jumps to the next cell without a summary; `r` / `c` read the whole row or
column as one text; `b` changes the columns, `a` groups by an attribute.

With theme columns, a participant's counts are read when their row comes
into view (… until then); with the guide's columns, all of them right after
the first frame.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tacompanion.core.words import clip
from tacompanion.store.framework import BY, Column, Framework, Row, attribute_names, count_backing, framework
from tacompanion.tui.study_view import StudyViewScreen
from tacompanion.tui.widgets.key_footer import KeyFooter

BY_WORDS = {"themes": "main themes", "subthemes": "subthemes", "questions": "guide questions",
            "sections": "guide sections"}
COLUMN = 9
MAX_COLUMN = 24


class FrameworkScreen(StudyViewScreen):
    CSS_PATH = "framework.tcss"
    HELP_TITLE = "framework matrix"
    BINDINGS = [
        Binding("enter", "open_cell", "Write", id="framework.open"),
        Binding("n", "next_empty", "Next empty", id="framework.next_empty"),
        Binding("r", "read_row", "Read row", id="framework.read_row"),
        Binding("c", "read_column", "Read column", id="framework.read_column"),
        Binding("b", "by", "Columns", id="framework.by"),
        Binding("a", "group", "Group by", id="framework.group", show=False),
        Binding("u", "undo", "Undo", id="framework.undo", show=False),
        Binding("ctrl+r", "redo", "Redo", id="framework.redo", show=False),
        Binding("h", "cursor('left')", "Left", show=False, id="framework.left"),
        Binding("l", "cursor('right')", "Right", show=False, id="framework.right"),
        Binding("j", "cursor('down')", "Down", show=False, id="framework.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="framework.up"),
        Binding("escape,q", "back", "Back", id="framework.back"),
    ]

    def __init__(self, by: str = "themes") -> None:
        super().__init__()
        self.by = by
        self.group_by: str | None = None
        self.fw: Framework | None = None
        self.note: tuple[str, object] | None = None  # what undo or redo did, where the cursor is
        self.table_rows: list[Row | None] = []  # None: the line that heads the pilots

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="framework-title")
        yield DataTable(id="framework", cursor_type="cell", zebra_stripes=True, fixed_columns=1)
        yield Static(id="framework-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Framework matrix"
        # The summaries first; the counts of theme columns as their rows come
        # into view; those of guide columns (every note and turn read) right
        # after the first frame.
        self.fill(backing=False)
        table = self.query_one(DataTable)
        table.focus()
        self.watch(table, "scroll_y", lambda: self.count_visible(), init=False)
        if not self.by_rows():
            self.call_after_refresh(self.fill)

    def by_rows(self) -> bool:
        """Whether the counts are read row by row (theme columns)."""
        return self.by in ("themes", "subthemes")

    def on_resize(self) -> None:
        self.call_after_refresh(self.count_visible)  # taller: more rows in view

    def redraw(self) -> None:
        self.fill()

    # -- drawing --------------------------------------------------------------------

    def fill(self, backing: bool = True) -> None:
        self.mark_drawn()
        table = self.query_one(DataTable)
        keep = table.cursor_coordinate
        by_rows = self.by_rows()
        fw = self.fw = framework(self.app.study, self.by, group_by=self.group_by,
                                 backing=backing and not by_rows)
        if by_rows:
            # the rows the first frame shows (from the top, or around the cursor kept)
            height = max(1, (self.app.size.height or 24) - 5)  # less the header, title, footer, status
            top = max(0, keep.row - height) if keep.row >= height else 0
            people = [r.participant_id for r in fw.rows]  # pilots last, as in the table
            count_backing(self.app.study, fw, people[top:top + (2 * height if top else height)])
        table.clear(columns=True)
        who = max([6, *(len(r.pseudonym) + (len(r.group) + 3 if r.group else 0) for r in fw.rows)])
        table.add_column("", key="who", width=min(who, 24))
        room = (self.size.width or 80) - min(who, 24) - 4
        width = max(COLUMN, min(MAX_COLUMN, room // max(1, len(fw.columns)) - 2,
                                max([len(c.short) for c in fw.columns] or [COLUMN])))
        for c in fw.columns:
            head = f"Q{c.title.split('.', 1)[0][1:]}" if c.key.startswith("question:") else c.short
            table.add_column(Text(clip(head, width)), width=width, key=c.key)
        self.table_rows = []
        pilots_headed = False
        for r in fw.rows:
            if r.pilot and not pilots_headed:
                pilots_headed = True
                table.add_row(Text("pilots", style="italic dim"), *["" for _ in fw.columns], key="pilots")
                self.table_rows.append(None)
            name = r.pseudonym if not r.group else f"{r.pseudonym} · {r.group}"
            table.add_row(Text(name, style="dim" if r.pilot else "bold"), *self.row_cells(r),
                          key=f"p{r.participant_id}")
            self.table_rows.append(r)
        if fw.columns and self.table_rows:
            row = min(keep.row, len(self.table_rows) - 1)
            if self.table_rows[row] is None:
                row = max(0, row - 1)
            table.move_cursor(row=row, column=max(1, min(keep.column, len(fw.columns))))
        counted = len(fw.counted)
        group = f" · grouped by {self.group_by}" if self.group_by else ""
        source = f" of {clip(fw.guide_title, 28)}" if fw.guide_title else ""
        self.query_one("#framework-title", Static).update(Text.assemble(
            ("Framework", "bold"), f" · {BY_WORDS[self.by]}{source} (b){group} · "
            f"{fw.written()} of {counted * len(fw.columns)} written · ✓ summary, n extracts"))
        if not fw.columns:
            self.status("No columns: create themes on the thematic map, or press b for the guide's "
                        "questions." if self.by in ("themes", "subthemes") else
                        "No guide in this study: press b for themes.")
        elif not fw.rows:
            self.status("No participants with data yet.")
        else:
            self.describe()

    def row_cells(self, r: Row) -> list[Text]:
        fw = self.fw
        out = []
        for c in fw.columns if fw else ():
            cell = fw.cell(r.participant_id, c.key)
            mark = "✓" if cell.summary.strip() else " "
            counted = fw.counted_backing or r.participant_id in fw.backed
            count = str(cell.backing) if cell.backing else "·" if counted else "…"
            style = "bold" if cell.summary.strip() else ("" if cell.backing else "dim")
            out.append(Text(f"{mark} {count}", style=style))
        return out

    def count_visible(self) -> None:
        """Read and show the counts of the rows in view (those not read yet)."""
        fw = self.fw
        if fw is None or not fw.columns or not self.by_rows():
            return
        table = self.query_one(DataTable)
        first = int(table.scroll_y)
        shown = [r for r in self.table_rows[first:first + max(1, table.size.height)] if r is not None]
        for pid in count_backing(self.app.study, fw, [r.participant_id for r in shown]):
            r = next(r for r in shown if r.participant_id == pid)
            for c, cell in zip(fw.columns, self.row_cells(r)):
                table.update_cell(f"p{pid}", c.key, cell)

    def status(self, text: str | Text) -> None:
        self.query_one("#framework-status", Static).update(text)

    # -- where the cursor is ------------------------------------------------------------

    def selected(self) -> tuple[Row, Column] | None:
        fw = self.fw
        if fw is None:
            return None
        row, col = self.query_one(DataTable).cursor_coordinate
        if not (0 <= row < len(self.table_rows)) or not (1 <= col <= len(fw.columns)):
            return None
        r = self.table_rows[row]
        return (r, fw.columns[col - 1]) if r is not None else None

    def describe(self) -> None:
        picked = self.selected()
        if picked is None or self.fw is None:
            self.status(Text("Pilot participants below: shown apart, not counted.", style="dim"))
            return
        r, c = picked
        count_backing(self.app.study, self.fw, [r.participant_id])  # no-op once counted
        cell = self.fw.cell(r.participant_id, c.key)
        what = "extract" if c.theme_id is not None else "note or turn"
        what = what if cell.backing == 1 else ("extracts" if c.theme_id is not None else "notes and turns")

        head = Text.assemble((r.pseudonym, "bold"), (" (pilot)" if r.pilot else ""), " · ",
                             (clip(c.title, 50), "bold"), f" · {cell.backing} {what}\n")
        body = Text(clip(" ".join(cell.summary.split()), 150) if cell.summary.strip()
                    else "No summary yet: Enter writes one.", style="" if cell.summary.strip() else "dim")
        if self.note is not None:  # what the last key did, until the cursor moves on
            if self.note[1] == self.query_one(DataTable).cursor_coordinate:
                body = Text(self.note[0], style="bold")
            else:
                self.note = None
        self.status(head + body)

    def say(self, text: str) -> None:
        self.note = (text, self.query_one(DataTable).cursor_coordinate)
        self.describe()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        # The names are row labels, not cells: the cursor stays on the cells. The
        # cursor as it is now, not the event's (a redraw's event comes late).
        table = self.query_one(DataTable)
        row, column = table.cursor_coordinate
        if column == 0 and self.fw is not None and self.fw.columns:
            table.move_cursor(row=row, column=1)
            return
        self.describe()

    def fresh(self) -> None:
        """Read the study again when it changed since the last drawing (another
        process, or the command line): what is read out must be what is stored."""
        from tacompanion.store.thematic import change_marker

        if change_marker(self.app.study) != self.marker:
            self.fill()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open_cell()

    # -- actions ------------------------------------------------------------------------

    def action_cursor(self, direction: str) -> None:
        getattr(self.query_one(DataTable), f"action_cursor_{direction}")()

    def action_open_cell(self) -> None:
        picked = self.selected()
        if picked is None:
            return
        r, c = picked
        self.app.open_framework_cell(r.participant_id, r.pseudonym, c)

    def action_next_empty(self) -> None:
        """The next cell without a summary, row by row (pilots last), wrapping."""
        self.fresh()
        fw = self.fw
        if fw is None or not fw.columns:
            return
        table = self.query_one(DataTable)
        row, col = table.cursor_coordinate
        width = len(fw.columns)
        total = len(self.table_rows) * width
        start = row * width + max(0, col - 1)
        for step in range(1, total + 1):
            index = (start + step) % total
            r = self.table_rows[index // width]
            if r is None:
                continue
            c = fw.columns[index % width]
            if not fw.cell(r.participant_id, c.key).summary.strip():
                table.move_cursor(row=index // width, column=index % width + 1)
                return
        self.status(Text("Every cell has a summary.", style="bold"))

    def action_read_row(self) -> None:
        self.fresh()
        picked = self.selected()
        if picked is None or self.fw is None:
            return
        r, _ = picked
        parts = []
        for c in self.fw.columns:
            text = self.fw.cell(r.participant_id, c.key).summary.strip()
            parts.append(f"{c.title}\n{text or '(no summary yet)'}")
        self.app.open_framework_text(f"{r.pseudonym}{' (pilot)' if r.pilot else ''} across "
                                     f"{BY_WORDS[self.by]}", "\n\n".join(parts))

    def action_read_column(self) -> None:
        self.fresh()
        picked = self.selected()
        if picked is None or self.fw is None:
            return
        _, c = picked
        parts = []
        for r in self.fw.rows:
            text = self.fw.cell(r.participant_id, c.key).summary.strip()
            parts.append(f"{r.pseudonym}{' (pilot)' if r.pilot else ''}\n{text or '(no summary yet)'}")
        self.app.open_framework_text(c.title, "\n\n".join(parts))

    def action_by(self) -> None:
        self.by = BY[(BY.index(self.by) + 1) % len(BY)]
        self.fill()

    def action_group(self) -> None:
        names = attribute_names(self.app.study)
        if not names:
            self.status(Text("No participant attributes in this study to group by.", style="dim"))
            return
        options = [None, *names]
        self.group_by = options[(options.index(self.group_by) + 1) % len(options)]
        self.fill()

    def action_undo(self) -> None:
        from tacompanion.store import history

        done = history.undo(self.app.study)
        self.fill()
        self.say(f"Undid: {done.label}." if done else "Nothing to undo.")

    def action_redo(self) -> None:
        from tacompanion.store import history

        done = history.redo(self.app.study)
        self.fill()
        self.say(f"Redid: {done.label}." if done else "Nothing to redo.")

    def action_back(self) -> None:
        self.app.pop_screen()
