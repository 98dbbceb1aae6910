"""The thematic map: the theme tree with counts and prevalence labels, and
every theme operation by key (each one undoable); `v` shows it as boxes.

The screen turns keys into `store.themes` / `store.codes` calls and redraws
from `store.thematic.thematic_map`, so what is shown is what is committed.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from tacompanion.core.map_drawing import MapNode, draw_map
from tacompanion.core.prevalence import rule_text
from tacompanion.core.words import clip
from tacompanion.store import codes as code_store
from tacompanion.store import history
from tacompanion.store import themes as theme_store
from tacompanion.store.study import StudyError
from tacompanion.store.thematic import (
    MapRow,
    ThematicMap,
    next_undo_targets,
    thematic_map,
)
from tacompanion.tui.dialogs.picker import FuzzyPicker, Picked
from tacompanion.tui.dialogs.prompts import ConfirmScreen, LineEditScreen, PromptScreen
from tacompanion.tui.study_view import StudyViewScreen
from tacompanion.tui.thematic.actions import define_theme, open_theme_memo
from tacompanion.tui.thematic.map_canvas import MapCanvas
from tacompanion.tui.widgets.key_footer import KeyFooter
from tacompanion.tui.widgets.rows_view import RowsView

STATUS_MARK = {"candidate": "candidate", "reviewed": "reviewed", "final": "final"}
NUMBERS = 46  # cells for the status, the four counts and the label at the right of each row


def counts_cells(row: MapRow, total: int) -> str:
    c = row.counts
    if c is None:
        return ""
    people = f"{c.participants}/{total}"
    return f"{c.codings:>8}{c.extracts:>9}{people:>7}  {(c.label or '-'):<10}"


def header_text(width: int) -> str:
    name_w = max(10, width - NUMBERS)
    return f"{'theme / code':<{name_w}}{'status':<10}{'codings':>8}{'extracts':>9}{'people':>7}  prevalence"


class ThemeMapScreen(StudyViewScreen):
    CSS_PATH = "thematic_map.tcss"
    HELP_TITLE = "thematic map"
    BINDINGS = [
        Binding("enter", "review", "Review", id="map.review"),
        Binding("n", "new_theme", "New theme", id="map.new_theme"),
        Binding("N", "new_subtheme", "New subtheme", id="map.new_subtheme", show=False),
        Binding("m", "move", "Move", id="map.move"),
        Binding("r", "rename", "Rename", id="map.rename", show=False),
        Binding("e", "define", "Define", id="map.define"),
        Binding("E", "codebook", "Codebook entry", id="map.codebook", show=False),
        Binding("s", "status", "Status", id="map.status", show=False),
        Binding("K", "reorder(-1)", "Move theme up", id="map.up", show=False),
        Binding("J", "reorder(1)", "Move theme down", id="map.down", show=False),
        Binding("M", "merge", "Merge into…", id="map.merge", show=False),
        Binding("S", "split", "Split…", id="map.split", show=False),
        Binding("D", "dissolve", "Dissolve", id="map.dissolve", show=False),
        Binding("w", "memo", "Theme memo", id="map.memo", show=False),
        Binding("u", "undo", "Undo", id="map.undo"),
        Binding("ctrl+r", "redo", "Redo", id="map.redo", show=False),
        Binding("v", "visual", "Boxes/tree", id="map.visual"),
        Binding("x", "matrix", "Matrix", id="map.matrix"),
        Binding("F", "framework", "Framework matrix", id="map.framework", show=False),
        Binding("P", "nest", "Put under a code…", id="map.nest", show=False),
        Binding("C", "with_children", "Count codes with their children", id="map.with_children", show=False),
        Binding("o", "cooccurrence", "Co-occurrence", id="map.cooccurrence", show=False),
        Binding("p", "rule", "Prevalence rule", id="map.rule", show=False),
        Binding("A", "agreement", "Compare coders", id="map.agreement", show=False),
        Binding("h", "hints", "Hints for the code", id="map.hints", show=False),
        Binding("H", "audit", "Audit trail", id="map.audit", show=False),
        Binding("Z", "saturation", "Saturation", id="map.saturation", show=False),
        Binding("escape,q", "back", "Back", id="map.back"),
    ]


    def __init__(self) -> None:
        super().__init__()
        self.map: ThematicMap | None = None
        self.visual = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="map-summary")
        yield Static(id="map-header")
        yield RowsView(id="map-tree")
        yield MapCanvas(id="map-visual")
        yield Static(id="map-detail")
        yield Static(id="map-status")
        yield KeyFooter()

    with_children = False  # C: a code with codes under it counts theirs too

    def on_mount(self) -> None:
        self.title = "Thematic map"
        self.query_one(MapCanvas).display = False
        self.reload()
        self.tree.focus()
        self.status("Enter review · n theme · m move · e define · s status · v boxes · x matrix · ? help")

    def redraw(self) -> None:
        self.reload()

    @property
    def tree(self) -> RowsView:
        return self.query_one("#map-tree", RowsView)

    def status(self, text: str) -> None:
        self.query_one("#map-status", Static).update(text)

    # -- drawing ------------------------------------------------------------------

    def reload(self, keep: tuple[str, int | None] | None = None) -> None:
        """Read the map again and redraw; the cursor stays on the same theme or
        code (`keep`, else whatever was selected)."""
        keep = keep or self.selected_key()
        self.map = thematic_map(self.app.study, with_children=self.with_children)
        # marked after reading: bringing the kept counts up to date writes
        # to the file, and that is no reason to read again when shown again
        self.mark_drawn()
        rows = self.map.rows
        a = self.map.analysis
        themes = sum(1 for r in rows if r.kind == "theme")
        codes = sum(1 for r in rows if r.kind == "code")
        unsorted = next((r.codes for r in rows if r.kind == "unsorted"), 0)
        rule = rule_text(a.rule, a.total) if a.total else rule_text(a.rule)
        self.query_one("#map-summary", Static).update(Text.assemble(
            (f"N = {a.total}", "bold"), " participants (pilots out) · ",
            f"{themes} theme{'' if themes == 1 else 's'} · {codes} code{'' if codes == 1 else 's'}"
            f" ({unsorted} unsorted) · ",
            ("codes count their children (C) · " if self.with_children else "", "bold"), (rule, "dim")))
        cursor = 0
        if keep is not None:
            cursor = next((i for i, r in enumerate(rows) if (r.kind, r.id) == keep), self.tree.cursor)
        self.tree.set_rows(len(rows), self.render_row, cursor=cursor,
                           skip=lambda i: rows[i].kind == "unsorted")
        width = self.tree.scrollable_content_region.width or 80
        self.query_one("#map-header", Static).update(Text(header_text(width), style="bold"))
        if self.visual:
            self.draw_visual()
        self.show_detail()

    def render_row(self, index: int) -> Text:
        row = self.map.rows[index]
        width = self.tree.scrollable_content_region.width or 80
        name_w = max(10, width - NUMBERS)
        total = self.map.analysis.total
        indent = "  " * row.depth
        if row.kind == "unsorted":
            return Text(f"{row.name} ({row.codes})", style="bold dim")
        if row.kind == "theme":
            name = f"{indent}▸ {row.name}"
            status = STATUS_MARK.get(row.status, row.status)
            style = "bold"
        else:
            name = f"{indent}· {row.name}"
            status = ""
            style = ""
        if row.memo:
            name += " ✎"
        name = clip(name, name_w)
        label = row.counts.label if row.counts else None
        return Text.assemble(
            (f"{name:<{name_w}}", style),
            (f"{status:<10}", "italic" if row.status != "final" else "bold"),
            (counts_cells(row, total), "" if label else "dim"),
        )

    def draw_visual(self) -> None:
        total = self.map.analysis.total
        nodes = []
        room = max([20] + [len(r.name) for r in self.map.rows if r.kind == "theme"])
        for r in self.map.rows:
            if r.kind != "theme":
                continue
            c = r.counts
            people = f"{c.participants}/{total} {c.label or '-'}"
            codes = f"{r.codes} code{'s' if r.codes != 1 else ''}"
            # a box holds 20 cells, more when the names are longer and the screen
            # has room: shorten the code count before cutting
            detail = next((d for d in (f"{people} · {codes}", f"{people} · {r.codes}c") if len(d) <= room),
                          people)
            parent = next(t.parent_id for t in self.map.themes if t.id == r.id)
            nodes.append(MapNode(r.id, parent, r.name, detail))
        canvas = self.query_one(MapCanvas)
        width = canvas.scrollable_content_region.width or self.size.width or 80
        canvas.set_drawing(draw_map(nodes, width - 1), self.current_theme_id())

    def on_resize(self) -> None:
        if self.visual:
            self.call_after_refresh(self.draw_visual)
        self.query_one("#map-header", Static).update(Text(header_text(self.tree.scrollable_content_region.width or 80), style="bold"))

    def on_rows_view_highlighted(self, event: RowsView.Highlighted) -> None:
        self.show_detail()
        if self.visual:
            self.query_one(MapCanvas).select(self.current_theme_id())

    def on_rows_view_selected(self, event: RowsView.Selected) -> None:
        self.action_review()

    def show_detail(self) -> None:
        row = self.selected_row()
        detail = self.query_one("#map-detail", Static)
        if row is None:
            detail.update(Text("No themes or codes yet: n creates a theme; code transcripts with c on the home screen.",
                               style="dim"))
            return
        if row.kind == "theme":
            path = self.map.paths[row.id]
            definition = row.definition or "(no definition yet: e writes what it is and is not about)"
            detail.update(Text.assemble((path, "bold"), f" [{row.status}] ", (definition, "italic")))
        elif row.kind == "code":
            where = self.map.paths.get(row.theme_id, "unsorted") if row.theme_id else "unsorted"
            detail.update(Text.assemble(("code ", "dim"), (row.name, "bold"), (f" in {where}", "dim")))
        else:
            detail.update("")

    # -- the selection ----------------------------------------------------------------

    def selected_row(self) -> MapRow | None:
        if self.map is None or not self.map.rows or self.tree.count == 0:
            return None
        return self.map.rows[min(self.tree.cursor, len(self.map.rows) - 1)]

    def selected_key(self) -> tuple[str, int | None] | None:
        row = self.selected_row()
        return (row.kind, row.id) if row else None

    def current_theme_id(self) -> int | None:
        row = self.selected_row()
        if row is None:
            return None
        return row.id if row.kind == "theme" else row.theme_id

    def selected_theme(self) -> MapRow | None:
        row = self.selected_row()
        if row is None or row.kind != "theme":
            self.status("Select a theme first (j/k).")
            return None
        return row

    def done(self, message: str, keep: tuple[str, int | None] | None = None) -> None:
        self.reload(keep)
        self.status(message + " [dim]u undoes[/]")

    def fail(self, exc: Exception) -> None:
        self.status(Text(str(exc), style="bold red"))

    # -- actions ------------------------------------------------------------------------

    def action_review(self) -> None:
        row = self.selected_row()
        if row is None or row.kind == "unsorted":
            return
        self.app.open_review(row.kind, row.id)

    def _create(self, parent_id: int | None) -> None:
        where = "a main theme" if parent_id is None else f"a subtheme of '{self.map.paths[parent_id]}'"

        def answered(value: str | None) -> None:
            if not value or not value.strip():
                return
            try:
                new_id = theme_store.create_theme(self.app.study, value, parent_id=parent_id)
            except StudyError as exc:
                self.fail(exc)
                return
            self.done(f"Created '{' '.join(value.split())}'.", ("theme", new_id))

        self.app.push_screen(PromptScreen(f"Name of the new theme ({where}):"), answered)

    def action_new_theme(self) -> None:
        self._create(None)

    def action_new_subtheme(self) -> None:
        parent = self.current_theme_id()
        if parent is None:
            self.status("Select a theme (or one of its codes) to add a subtheme to it.")
            return
        self._create(parent)

    def action_move(self) -> None:
        row = self.selected_row()
        if row is None or row.kind == "unsorted":
            return
        study = self.app.study
        if row.kind == "code":
            items = [(0, "(unsorted)")] + [(t.id, self.map.paths[t.id]) for t in self.map.themes
                                            if t.id != row.theme_id]

            def picked(result: Picked | None) -> None:
                if result is None:
                    return
                try:
                    if result.new_name:
                        target = theme_store.create_theme(study, result.new_name)
                    else:
                        target = result.item_id or None
                    theme_store.move_code(study, row.id, target)
                except StudyError as exc:
                    self.fail(exc)
                    return
                where = self.map.paths.get(target, "") if target else "unsorted"
                self.done(f"Moved '{row.name}' to {where or result.new_name}.", self._after_move(row))

            self.app.push_screen(FuzzyPicker(f"Move the code '{row.name}' to:", items,
                                             allow_create=True, create_label="New theme"), picked)
            return
        inside = {row.id} | self._descendants(row.id)
        parent = next(t.parent_id for t in self.map.themes if t.id == row.id)
        items = ([(0, "(main themes)")] if parent is not None else []) + [
            (t.id, self.map.paths[t.id]) for t in self.map.themes if t.id not in inside and t.id != parent]

        def picked_theme(result: Picked | None) -> None:
            if result is None or result.item_id is None:
                return
            try:
                theme_store.move_theme(study, row.id, result.item_id or None)
            except StudyError as exc:
                self.fail(exc)
                return
            where = self.map.paths[result.item_id] if result.item_id else "the main themes"
            self.done(f"Moved the theme '{row.name}' under {where}.", ("theme", row.id))

        self.app.push_screen(FuzzyPicker(f"Move the theme '{row.name}' under:", items), picked_theme)

    def _after_move(self, row: MapRow) -> tuple[str, int | None]:
        """Where the cursor goes after moving a code: sorting the unsorted codes
        one after another, to the next unsorted code; otherwise with the code."""
        if row.theme_id is not None:
            return ("code", row.id)
        unsorted = [r.id for r in self.map.rows if r.kind == "code" and r.theme_id is None]
        i = unsorted.index(row.id)
        rest = unsorted[i + 1:] or unsorted[:i][-1:]
        return ("code", rest[0]) if rest else ("code", row.id)

    def _descendants(self, theme_id: int) -> set[int]:
        out: set[int] = set()
        frontier = [theme_id]
        while frontier:
            current = frontier.pop()
            for t in self.map.themes:
                if t.parent_id == current and t.id not in out:
                    out.add(t.id)
                    frontier.append(t.id)
        return out

    def action_rename(self) -> None:
        row = self.selected_row()
        if row is None or row.kind == "unsorted":
            return
        study = self.app.study

        def answered(value: str | None) -> None:
            if not value or " ".join(value.split()) == row.name:
                return
            try:
                if row.kind == "theme":
                    theme_store.rename_theme(study, row.id, value)
                else:
                    code_store.rename_code(study, row.id, value)
            except StudyError as exc:
                self.fail(exc)
                return
            self.done(f"Renamed '{row.name}' to '{' '.join(value.split())}'.", (row.kind, row.id))

        what = "theme" if row.kind == "theme" else "code"
        self.app.push_screen(PromptScreen(f"Rename the {what} '{row.name}' to:", row.name), answered)

    def action_define(self) -> None:
        row = self.selected_row()
        if row is None or row.kind == "unsorted":
            return
        if row.kind == "code":
            self._describe_code(row)
            return
        define_theme(self, row.id, row.name, row.definition, lambda: self.done(
            f"Defined '{row.name}'.", ("theme", row.id)))

    def action_codebook(self) -> None:
        row = self.selected_row()
        if row is None or row.kind == "unsorted":
            return

        def done(message: str | None) -> None:
            if message:
                self.done(message, (row.kind, row.id))

        self.app.open_codebook_entry(row.kind, row.id, done)

    def _describe_code(self, row: MapRow) -> None:
        old = code_store.list_codes(self.app.study, only=row.id)[0].description

        def answered(value: str | None) -> None:
            if value is None or value.strip() == old.strip():
                return
            code_store.describe_code(self.app.study, row.id, value)
            self.done(f"Described the code '{row.name}'.", ("code", row.id))

        self.app.push_screen(LineEditScreen(f"What the code '{row.name}' means:", old), answered)

    def action_status(self) -> None:
        row = self.selected_theme()
        if row is None:
            return
        order = theme_store.STATUSES
        new = order[(order.index(row.status) + 1) % len(order)]
        theme_store.set_status(self.app.study, row.id, new)
        self.done(f"'{row.name}' is now {new}.", ("theme", row.id))

    def action_reorder(self, delta: int) -> None:
        row = self.selected_theme()
        if row is None:
            return
        if theme_store.reorder_theme(self.app.study, row.id, delta):
            self.done(f"Moved '{row.name}' {'up' if delta < 0 else 'down'}.", ("theme", row.id))
        else:
            self.status(f"'{row.name}' is already {'first' if delta < 0 else 'last'} among its siblings.")

    def action_merge(self) -> None:
        row = self.selected_theme()
        if row is None:
            return
        inside = {row.id} | self._descendants(row.id)
        items = [(t.id, self.map.paths[t.id]) for t in self.map.themes if t.id not in inside]
        if not items:
            self.status("There is no other theme to merge into.")
            return

        def picked(result: Picked | None) -> None:
            if result is None or result.item_id is None:
                return
            try:
                theme_store.merge_themes(self.app.study, row.id, result.item_id)
            except StudyError as exc:
                self.fail(exc)
                return
            self.done(f"Merged '{row.name}' into '{self.map.paths[result.item_id]}'.",
                      ("theme", result.item_id))

        self.app.push_screen(FuzzyPicker(f"Merge '{row.name}' (codes, subthemes, memos) into:", items), picked)

    def action_split(self) -> None:
        current = self.selected_row()
        if current is not None and current.kind == "code":
            def done(message: str | None) -> None:
                if message:
                    self.done(message, ("code", current.id))

            self.app.open_split_code(current.id, done)
            return
        row = self.selected_theme()
        if row is None:
            return
        codes = [(r.id, r.name) for r in self.map.rows if r.kind == "code" and r.theme_id == row.id]
        if len(codes) < 2:
            self.status(f"'{row.name}' has {len(codes)} code{'s' if len(codes) != 1 else ''} of its own: "
                        "splitting needs two or more.")
            return

        def answered(result: tuple[str, list[int]] | None) -> None:
            if result is None:
                return
            name, chosen = result
            try:
                new_id = theme_store.split_theme(self.app.study, row.id, name, chosen)
            except StudyError as exc:
                self.fail(exc)
                return
            self.done(f"Split '{' '.join(name.split())}' off '{row.name}' with {len(chosen)} codes.",
                      ("theme", new_id))

        self.app.open_split_theme(row.name, codes, answered)

    def action_dissolve(self) -> None:
        row = self.selected_theme()
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                theme_store.dissolve_theme(self.app.study, row.id)
            except StudyError as exc:
                self.fail(exc)
                return
            self.done(f"Dissolved '{row.name}': its codes are unsorted.")

        self.app.push_screen(ConfirmScreen(
            f"Dissolve '{row.name}'? Its {row.codes} codes become unsorted, its subthemes move up "
            "a level (u undoes it)."), answered)

    def action_memo(self) -> None:
        theme_id = self.current_theme_id()
        if theme_id is None:
            self.status("Select a theme to write its memo.")
            return
        open_theme_memo(self, theme_id, self.map.paths[theme_id])

    def _undo_target(self, redo: bool) -> tuple[str, int | None] | None:
        """Where the cursor goes after undo or redo: the selection if the step
        touches it, else the first theme (or code) it touches."""
        touched = next_undo_targets(self.app.study, redo=redo)
        here = self.selected_key()
        return here if here in touched else (touched[0] if touched else None)

    def action_undo(self) -> None:
        target = self._undo_target(redo=False)
        try:
            done = history.undo(self.app.study)
        except StudyError as exc:  # another coder changed those rows since
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.reload(target)
        self.status(f"Undid: {done.label}." if done else "Nothing to undo.")

    def action_redo(self) -> None:
        target = self._undo_target(redo=True)
        try:
            done = history.redo(self.app.study)
        except StudyError as exc:  # another coder changed those rows since
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.reload(target)
        self.status(f"Redid: {done.label}." if done else "Nothing to redo.")

    def action_visual(self) -> None:
        self.visual = not self.visual
        canvas = self.query_one(MapCanvas)
        canvas.display = self.visual
        self.tree.display = not self.visual
        self.query_one("#map-header", Static).display = not self.visual
        if self.visual:
            self.draw_visual()
            canvas.focus()
            self.status("Boxes: j/k theme to theme · arrows scroll · Enter review · v tree")
        else:
            self.tree.focus()
            self.status("Tree: Enter review · v boxes")

    def on_map_canvas_step(self, event: MapCanvas.Step) -> None:
        """In the boxes view, j/k step from theme to theme (in tree order)."""
        rows = self.map.rows
        i = self.tree.cursor + event.delta
        while 0 <= i < len(rows) and rows[i].kind != "theme":
            i += event.delta
        if 0 <= i < len(rows):
            self.tree.cursor = i

    def on_map_canvas_open(self, event: MapCanvas.Open) -> None:
        self.action_review()

    def action_matrix(self) -> None:
        self.app.open_matrix()

    def action_with_children(self) -> None:
        self.with_children = not self.with_children
        self.reload()
        self.status("A code with codes under it now counts their extracts too (C: its own only)."
                    if self.with_children else "Each code counts its own extracts only (C: with its children).")

    def action_nest(self) -> None:
        row = self.selected_row()
        if row is None or row.kind != "code":
            self.status("Choose a code (its children move with it).")
            return
        from tacompanion.store.code_tree import nest_code

        items = [(0, "(the top level: under no code)")] + [
            (r.id, r.name) for r in self.map.rows if r.kind == "code" and r.id != row.id]

        def picked(result: Picked | None) -> None:
            if result is None or result.item_id is None:
                return
            try:
                nest_code(self.app.study, row.id, result.item_id or None)
            except StudyError as exc:
                self.fail(exc)
                return
            where = "at the top level" if not result.item_id else \
                f"under '{code_store.code_name(self.app.study, result.item_id)}'"
            self.done(f"Put '{row.name}' {where}.", ("code", row.id))

        self.app.push_screen(FuzzyPicker(f"Put the code '{row.name}' under:", items), picked)

    def action_framework(self) -> None:
        self.app.action_framework()

    def action_cooccurrence(self) -> None:
        row = self.selected_row()
        self.app.open_cooccurrence(row.id if row and row.kind == "code" else None)

    def action_rule(self) -> None:
        self.app.open_prevalence_rule()

    def action_agreement(self) -> None:
        self.app.open_agreement()

    def action_hints(self) -> None:
        row = self.selected_row()
        if row is None or row.kind != "code":
            self.status("Select a code first (j/k): h lists what else it may fit.")
            return
        self.app.open_hints(row.id)

    def action_audit(self) -> None:
        self.app.open_audit()

    def action_saturation(self) -> None:
        self.app.open_saturation()

    def action_back(self) -> None:
        self.app.pop_screen()
