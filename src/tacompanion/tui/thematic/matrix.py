"""Participants x themes: how many extracts of each theme each participant's
data holds, with each theme's prevalence underneath. Enter opens those
extracts; `l` switches between main themes and every subtheme too; `g` groups
the rows by a participant attribute (each group headed by its own counts and
labels), then by the next, then not at all.

A participant's cells are counted when their row comes into view (the rows
below the fold show … until then); the people and label rows, and the
groups' counts, are exact from the start (see store.thematic.Matrix)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tacompanion.core.matrix_groups import MatrixGroup, group_rows
from tacompanion.core.words import clip
from tacompanion.store.analysis import prevalence_rule
from tacompanion.store.attributes import attribute_types, attribute_values
from tacompanion.store.thematic import Matrix, participant_theme_matrix
from tacompanion.tui.study_view import StudyViewScreen
from tacompanion.tui.widgets.key_footer import KeyFooter

# Cells per theme column: the header is the theme's name, cut to fit. As wide
# as the terminal allows (a wide terminal shows whole names), never narrower
# than COLUMN nor wider than MAX_COLUMN.
COLUMN = 10
MAX_COLUMN = 28
WAITING = Text("…", justify="right", style="dim")  # a cell not counted yet (one Text for all: never changed)


def column_width(screen_width: int, who_width: int, heads: list[str]) -> int:
    """Cells for each theme column, so that all of them fit when they can.
    DataTable pads each cell with one space on either side."""
    if not heads:
        return COLUMN
    room = screen_width - (who_width + 2) - 2  # the participant column; the scrollbar
    per = room // len(heads) - 2
    return max(COLUMN, min(MAX_COLUMN, per, max(len(h) for h in heads)))


class MatrixScreen(StudyViewScreen):
    CSS_PATH = "matrix.tcss"
    HELP_TITLE = "participants x themes"
    BINDINGS = [
        Binding("l", "level", "Main themes / all", id="matrix.level"),
        Binding("g", "group", "Group by attribute", id="matrix.group"),
        Binding("j", "cursor('down')", "Down", show=False, id="matrix.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="matrix.up"),
        Binding("escape,q", "back", "Back", id="matrix.back"),
    ]


    def __init__(self, level: str = "main") -> None:
        super().__init__()
        self.level = level
        self.matrix: Matrix | None = None
        self.column_width = COLUMN
        self.group_by: str | None = None  # a participant attribute, or None
        self.groups: list[MatrixGroup] = []
        # what each table row shows: a participant's id, a group (its index) or None (the totals)
        self.row_kinds: list[tuple[str, int] | None] = []
        self.drawn: set[int] = set()  # participants whose counts are in the table (not …)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="matrix-title")
        # The participant column stays in place when the table scrolls sideways.
        yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=True, fixed_columns=1)
        yield Static(id="matrix-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Participants x themes"
        self.fill()
        table = self.query_one(DataTable)
        table.focus()
        # a participant's counts are read when their row scrolls into view
        self.watch(table, "scroll_y", lambda: self.count_visible(), init=False)

    def redraw(self) -> None:
        self.fill()

    def on_resize(self) -> None:
        # Wider or narrower: the theme columns take the room there is.
        if self.matrix is not None and self.column_layout(self.matrix)[1] != self.column_width:
            self.fill()
        self.call_after_refresh(self.count_visible)  # taller: more rows in view

    def column_layout(self, m: Matrix) -> tuple[list[str], int]:
        """The theme columns' headers (uncut) and their width at this size."""
        heads = [("·" * depth) + path.rsplit(" / ", 1)[-1] for _, path, depth in m.themes]
        who_width = max([len("people"), *(len(who) for _, who in m.participants),
                         *(len(self.group_label(g)) for g in self.groups)])
        return heads, column_width(self.size.width or 80, who_width, heads)

    def fill(self) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_coordinate
        m = self.matrix = participant_theme_matrix(self.app.study, self.level)
        self.mark_drawn()  # after reading: see ThemeMapScreen.reload
        self.groups = self.grouped(m) if self.group_by else []
        table.clear(columns=True)
        table.add_column("", key="who")
        heads, width = self.column_layout(m)
        self.column_width = width
        for (tid, _, _), head in zip(m.themes, heads):
            table.add_column(Text(clip(head, width), justify="right"), width=width, key=str(tid))
        self.row_kinds = []
        self.drawn = set()
        # The rows that the first frame shows are counted now (from the top
        # or around the cursor kept: at most the screen's height); the others
        # when they scroll into view.
        order = [pid for g in self.groups for pid, _ in g.participants] if self.groups \
            else [pid for pid, _ in m.participants]
        height = max(1, (self.app.size.height or 24) - 5)  # less the header, title, footer and status
        top = max(0, min(keep.row, len(order)) - height) if keep.row >= height else 0
        first_frame = set(order[top:top + 2 * height] if top else order[:height])
        m.load(first_frame)

        def person(pid: int, who: str) -> None:
            # only the rows of the first frame are written out now, even when
            # every cell is known (kept in the file): a table of 1,000s of
            # cells costs its drawing, the others come as they scroll in
            cells = self.person_cells(pid) if pid in first_frame else [WAITING] * len(m.themes)
            table.add_row(Text(who, style="bold"), *cells, key=str(pid))
            self.row_kinds.append(("participant", pid))

        if self.groups:
            for index, g in enumerate(self.groups):
                head = [Text(self.group_label(g), style="bold italic")]
                for tid, _, _ in m.themes:
                    n, word = g.counts[tid]
                    head.append(Text(clip(f"{n}/{g.size} {word or '-'}", width), justify="right", style="italic"))
                table.add_row(*head, key=f"group:{index}")
                self.row_kinds.append(("group", index))
                for pid, who in g.participants:
                    person(pid, f"  {who}")
        else:
            for pid, who in m.participants:
                person(pid, who)
        people = [Text("people", style="italic")]
        words = [Text("", style="italic")]
        for tid, _, _ in m.themes:
            n, word = m.labels[tid]
            people.append(Text(f"{n}/{m.total}", justify="right", style="italic"))
            words.append(Text((word or "-")[:width], justify="right", style="italic"))
        table.add_row(*people, key="people")
        table.add_row(*words, key="label")
        if m.themes and m.participants:
            row = min(keep.row, len(self.row_kinds) - 1)
            col = max(1, min(keep.column, len(m.themes)))
            table.move_cursor(row=row, column=col)
        level = "main themes" if self.level == "main" else "every theme and subtheme"
        grouped = f" · grouped by {self.group_by} (g)" if self.group_by else ""
        self.query_one("#matrix-title", Static).update(Text.assemble(
            ("Extracts per participant and theme", "bold"),
            f" ({level}; l switches) · N = {m.total}, pilots out{grouped}"))
        if not m.themes:
            self.status("No themes yet: create them on the thematic map (n).")
        self.describe()

    def person_cells(self, pid: int) -> list[Text]:
        """A participant's counts when counted, … until then."""
        m = self.matrix
        if m is None or not m.loaded(pid):
            return [WAITING] * len(m.themes if m else ())
        self.drawn.add(pid)
        row = m.row(pid)
        return [Text(str(row[tid]) if row.get(tid) else "·", justify="right", style="" if row.get(tid) else "dim")
                for tid, _, _ in m.themes]

    def count_visible(self) -> None:
        """Count and show the participants' rows in view (those not shown yet)."""
        m = self.matrix
        if m is None or not m.themes:
            return
        table = self.query_one(DataTable)
        first = int(table.scroll_y)
        height = max(1, table.size.height)
        wanted = [kind[1] for kind in self.row_kinds[first:first + height]
                  if kind is not None and kind[0] == "participant" and kind[1] not in self.drawn]
        if not wanted:
            return
        m.load(wanted)
        for pid in wanted:
            for (tid, _, _), cell in zip(m.themes, self.person_cells(pid)):
                table.update_cell(str(pid), str(tid), cell)

    def grouped(self, m: Matrix) -> list[MatrixGroup]:
        """The rows grouped by the attribute `group_by`: a group's counts only
        ask which cells hold anything (`Matrix.present`), known for all."""
        study = self.app.study
        return group_rows(m.participants, [t[0] for t in m.themes], dict.fromkeys(m.present, 1),
                          attribute_values(study, self.group_by), prevalence_rule(study))

    def status(self, text: str | Text) -> None:
        self.query_one("#matrix-status", Static).update(text)

    def group_label(self, g: MatrixGroup) -> str:
        return f"{g.label} ({g.size})"

    def selected(self) -> tuple[int, int] | None:
        """(participant id, theme id) under the cursor."""
        m = self.matrix
        table = self.query_one(DataTable)
        row, col = table.cursor_coordinate
        if m is None or not (0 <= row < len(self.row_kinds)) or not (1 <= col <= len(m.themes)):
            return None
        kind = self.row_kinds[row]
        if kind is None or kind[0] != "participant":
            return None
        return kind[1], m.themes[col - 1][0]

    def selected_group(self) -> tuple[MatrixGroup, int] | None:
        """(group, theme id) when the cursor is on a group's row."""
        m = self.matrix
        row, col = self.query_one(DataTable).cursor_coordinate
        if m is None or not (0 <= row < len(self.row_kinds)) or not (1 <= col <= len(m.themes)):
            return None
        kind = self.row_kinds[row]
        if kind is None or kind[0] != "group":
            return None
        return self.groups[kind[1]], m.themes[col - 1][0]

    def describe(self) -> None:
        m = self.matrix
        picked = self.selected()
        if m is None:
            return
        group = self.selected_group()
        if group is not None:
            g, tid = group
            path = next(p for t, p, _ in m.themes if t == tid)
            n, word = g.counts[tid]
            self.status(Text.assemble((path, "bold"), f" · {self.group_by} {g.label}: {n} of {g.size} "
                                      f"participant{'s' if g.size != 1 else ''}" + (f" ({word})" if word else "")))
            return
        if picked is None:
            self.status(Text("The last rows: participants with extracts of each theme, and its prevalence "
                             "label. A cell above opens its extracts.", style="dim"))
            return
        pid, tid = picked
        who = dict(m.participants)[pid]
        path = next(p for t, p, _ in m.themes if t == tid)
        n = m.cell(pid, tid)
        self.status(Text.assemble((path, "bold"), f" · {who}: {n} extract{'s' if n != 1 else ''}",
                                  (" · Enter opens them" if n else "", "dim")))

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if event.coordinate.column == 0 and self.matrix is not None and self.matrix.themes:
            # The names are row labels, not cells: the cursor stays on the counts.
            # (the table's own row: after a refill this event comes late, from row 0)
            table = self.query_one(DataTable)
            table.move_cursor(row=table.cursor_coordinate.row, column=1)
            return
        self.describe()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        picked = self.selected()
        if picked is None or self.matrix is None:
            return
        pid, tid = picked
        if not self.matrix.cell(pid, tid):
            self.status(Text("No extracts in this cell.", style="dim"))
            return
        self.app.open_review("theme", tid, participant_id=pid)

    def action_cursor(self, direction: str) -> None:
        getattr(self.query_one(DataTable), f"action_cursor_{direction}")()

    def action_group(self) -> None:
        """Group the rows by the next participant attribute, then not at all."""
        names = list(attribute_types(self.app.study))
        if not names:
            self.group_by = None
            self.status(Text("No participant attributes yet: set them on the participants screen "
                             "(home, p) or with `tacompanion participants set`.", style="dim"))
            return
        if self.group_by in names and names.index(self.group_by) + 1 < len(names):
            self.group_by = names[names.index(self.group_by) + 1]
        else:
            self.group_by = None if self.group_by in names else names[0]
        self.fill()

    def action_level(self) -> None:
        self.level = "all" if self.level == "main" else "main"
        self.fill()

    def action_back(self) -> None:
        self.app.pop_screen()
