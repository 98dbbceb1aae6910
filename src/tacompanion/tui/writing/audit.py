"""The audit trail on screen: every analytic decision in time order, filtered
by code, theme, coder or date; Enter goes to the thing where it still exists.

The same record as `tacompanion export audit` (store/audit.py).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from tacompanion.core.words import clip
from tacompanion.store import audit as store
from tacompanion.store.codes import list_codes
from tacompanion.store.journal import check_date
from tacompanion.store.study import StudyError
from tacompanion.store.themes import list_themes, theme_path
from tacompanion.tui.dialogs.picker import FuzzyPicker, Picked
from tacompanion.tui.dialogs.prompts import PromptScreen
from tacompanion.tui.widgets.key_footer import KeyFooter
from tacompanion.tui.widgets.rows_view import RowsView


class AuditScreen(Screen):
    HELP_TITLE = "audit trail"
    DEFAULT_CSS = """
    AuditScreen { layout: vertical; }
    AuditScreen #audit-title { height: auto; padding: 0 1; background: $boost; }
    AuditScreen #audit-list { height: 1fr; min-height: 5; }
    AuditScreen #audit-detail { height: 7; border-top: solid $primary; padding: 0 1; }
    """
    BINDINGS = [
        Binding("c", "filter_code", "By code", id="audit.code"),
        Binding("t", "filter_theme", "By theme", id="audit.theme"),
        Binding("w", "filter_coder", "By coder", id="audit.coder"),
        Binding("d", "filter_dates", "By date", id="audit.dates"),
        Binding("x", "clear", "All", id="audit.clear"),
        Binding("s", "saturation", "Saturation", id="audit.saturation", show=False),
        Binding("escape,q", "back", "Back", id="audit.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[store.AuditEntry] = []
        self.filters: dict[str, object] = {}
        self.filter_words: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="audit-title")
        yield RowsView(id="audit-list")
        with VerticalScroll(id="audit-detail"):
            yield Static(id="audit-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Audit trail"
        self.fill(to_end=True)
        self.query_one(RowsView).focus()

    def on_screen_resume(self) -> None:
        self.fill()

    @property
    def listing(self) -> RowsView:
        return self.query_one(RowsView)

    def fill(self, *, to_end: bool = False) -> None:
        self.entries = store.audit_trail(self.app.study, **self.filters)  # type: ignore[arg-type]
        n = len(self.entries)
        cursor = n - 1 if to_end else min(self.listing.cursor, max(0, n - 1))
        self.listing.set_rows(n, self.render_row, cursor=max(0, cursor))
        shown = " · ".join(f"{k}: {v}" for k, v in self.filter_words.items()) or "everything"
        undone = sum(e.state == "undone" for e in self.entries)
        self.query_one("#audit-title", Static).update(Text.assemble(
            ("Audit trail", "bold"),
            f" · {n} decision{'s' if n != 1 else ''}" + (f" ({undone} undone)" if undone else ""),
            f" · {shown}", (" · Enter goes there", "dim")))
        self.show_detail()

    def render_row(self, index: int) -> Text:
        e = self.entries[index]
        when = e.when[:16].replace("T", " ")
        text = Text.assemble((when, "dim"), "  ", (f"{clip(e.coder, 10):<10}", "cyan"), "  ",
                             (f"{clip(e.decision, 15):<15}", "bold"), "  ", e.label)
        if e.state == "undone":
            text.append("  (undone)", style="yellow")
            text.stylize("dim", 0, len(when) + 31)
        return text

    def current(self) -> store.AuditEntry | None:
        if not self.entries:
            return None
        return self.entries[min(self.listing.cursor, len(self.entries) - 1)]

    def on_rows_view_highlighted(self, event: RowsView.Highlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        e = self.current()
        out = self.query_one("#audit-text", Static)
        if e is None:
            out.update(Text("No decisions logged" + (" with these filters." if self.filters else " yet."),
                            style="dim"))
            return
        lines = Text.assemble((e.label, "bold"), "\n",
                              f"{e.when} UTC · {e.coder} · {e.decision} ({e.kind}) · ",
                              ("undone later" if e.state == "undone" else "in force",
                               "yellow" if e.state == "undone" else "green"))
        if e.names:
            lines.append("\nnames then: " + ", ".join(e.names))
        place = store.still_there(self.app.study, e)
        lines.append("\n" + ("Enter opens it." if place else "What it touched no longer exists."), style="dim")
        out.update(lines)

    def on_rows_view_selected(self, event: RowsView.Selected) -> None:
        e = self.current()
        if e is None:
            return
        place = store.still_there(self.app.study, e)
        if place is None:
            self.notify("What this decision touched no longer exists.", severity="warning")
            return
        kind, key, position = place
        if kind in ("code", "theme"):
            self.app.open_review(kind, key)
        else:
            self.app.open_coding(kind, key, cursor=position)

    # -- filters -------------------------------------------------------------------------

    def _set(self, name: str, value: object, words: str) -> None:
        self.filters[name] = value
        self.filter_words[name] = words
        self.fill(to_end=True)

    def action_filter_code(self) -> None:
        codes = list_codes(self.app.study)
        items = [(c.id, c.name) for c in codes]

        def picked(result: Picked | None) -> None:
            if result is not None and result.item_id is not None:
                self._set("code", result.item_id, f"code '{dict(items)[result.item_id]}'")

        self.app.push_screen(FuzzyPicker("Decisions about which code?", items), picked)

    def action_filter_theme(self) -> None:
        study = self.app.study
        items = [(t.id, theme_path(study, t.id)) for t in list_themes(study)]

        def picked(result: Picked | None) -> None:
            if result is not None and result.item_id is not None:
                self._set("theme", result.item_id, f"theme '{dict(items)[result.item_id]}'")

        self.app.push_screen(FuzzyPicker("Decisions about which theme?", items), picked)

    def action_filter_coder(self) -> None:
        coders = sorted({e.coder for e in store.audit_trail(self.app.study) if e.coder}, key=str.casefold)
        items = list(enumerate(coders))

        def picked(result: Picked | None) -> None:
            if result is not None and result.item_id is not None:
                self._set("coder", coders[result.item_id], f"coder {coders[result.item_id]}")

        self.app.push_screen(FuzzyPicker("Whose decisions?", items), picked)

    def action_filter_dates(self) -> None:
        def answered(value: str | None) -> None:
            if value is None:
                return
            words = value.replace(" to ", " ").split()
            try:
                if not words or len(words) > 2:
                    raise StudyError("give a day, or two: YYYY-MM-DD [YYYY-MM-DD]")
                words = [check_date(w) for w in words]
            except StudyError as exc:
                self.notify(str(exc), severity="warning", markup=False)
                return
            since, until = words[0], words[-1]
            self.filters["since"], self.filters["until"] = since, until
            self.filter_words["dates"] = since if since == until else f"{since} to {until}"
            self.fill(to_end=True)

        self.app.push_screen(PromptScreen("Decisions on which days? FROM [TO], as YYYY-MM-DD:"), answered)

    def action_clear(self) -> None:
        self.filters.clear()
        self.filter_words.clear()
        self.fill(to_end=True)

    def action_saturation(self) -> None:
        self.app.open_saturation()

    def action_back(self) -> None:
        self.app.pop_screen()

