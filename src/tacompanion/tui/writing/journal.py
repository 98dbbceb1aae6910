"""The reflexive journal and every memo, read and written in one place.

A list (journal entries newest first, the study memo, then every memo by
what it is on) above the full text of the highlighted one. Writing happens
in the memo editor: Esc saves, so nothing written is lost by closing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from tacompanion.core.words import clip
from tacompanion.store import journal as store
from tacompanion.store.memos import get_memo, save_memo
from tacompanion.store.study import StudyError
from tacompanion.tui.dialogs.prompts import ConfirmScreen, MemoScreen, PromptScreen
from tacompanion.tui.study_view import SeesOtherWriters
from tacompanion.tui.widgets.key_footer import KeyFooter
from tacompanion.tui.widgets.rows_view import RowsView


@dataclass(frozen=True)
class Row:
    kind: str  # "heading", "empty", "entry", "study", "memo"
    label: str
    entry: store.Entry | None = None
    memo: store.MemoInfo | None = None


def first_line(text: str, width: int = 200) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return clip(line, width)


class JournalScreen(SeesOtherWriters, Screen):
    CSS_PATH = "journal.tcss"
    HELP_TITLE = "journal and memos"
    BINDINGS = [
        Binding("n", "new_entry", "New entry", id="journal.new"),
        Binding("e", "edit", "Write", id="journal.edit"),
        Binding("D", "set_date", "Date", id="journal.date"),
        Binding("d", "delete", "Delete", id="journal.delete"),
        Binding("escape,q", "back", "Back", id="journal.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="journal-title")
        yield RowsView(id="journal-list")
        with VerticalScroll(id="journal-detail"):
            yield Static(id="journal-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Journal and memos"
        self.fill()
        self.remember_study_version()
        self.query_one(RowsView).focus()

    def reload_from_study(self) -> None:
        self.fill()

    def on_screen_resume(self) -> None:
        self.catch_up()

    @property
    def listing(self) -> RowsView:
        return self.query_one(RowsView)

    # -- the list ------------------------------------------------------------------------

    def fill(self, select: tuple[str, int | None] | None = None) -> None:
        """Rebuild the rows; keep the cursor, or put it on `select` (kind, id)."""
        study = self.app.study
        entries = store.list_entries(study)
        memos = store.all_memos(study)
        study_memo = next((m for m in memos if m.target is None), None)
        others = [m for m in memos if m.target is not None]
        rows = [Row("heading", f"Reflexive journal ({len(entries)} entr{'y' if len(entries) == 1 else 'ies'})")]
        if entries:
            rows += [Row("entry", f"{e.date}  {first_line(e.text)}", entry=e) for e in entries]
        else:
            rows.append(Row("empty", "No entries yet: n writes the first, dated today."))
        rows.append(Row("heading", "Study memo"))
        rows.append(Row("study", first_line(study_memo.text) if study_memo else "(none yet: Enter writes it)",
                        memo=study_memo))
        rows.append(Row("heading", f"Memos ({len(others)})"))
        if others:
            rows += [Row("memo", f"{m.about}: {first_line(m.text)}", memo=m) for m in others]
        else:
            rows.append(Row("empty", "No memos yet: m in coding and reading, M on a code, on the map on a theme."))
        self.rows = rows
        cursor = self.listing.cursor if self.listing.count else 0
        if select is not None:
            cursor = next((i for i, r in enumerate(rows) if self._key(r) == select), cursor)
        self.listing.set_rows(len(rows), self.render_row, cursor=cursor,
                              skip=lambda i: self.rows[i].kind in ("heading", "empty"))
        self.query_one("#journal-title", Static).update(Text.assemble(
            ("Reflexive journal and memos", "bold"),
            " · n new entry · Enter writes · D date · d deletes"))
        self.show_detail()

    @staticmethod
    def _key(row: Row) -> tuple[str, int | None]:
        if row.entry is not None:
            return "entry", row.entry.id
        if row.memo is not None:
            return "memo", row.memo.id
        return row.kind, None

    def render_row(self, index: int) -> Text:
        row = self.rows[index]
        if row.kind == "heading":
            return Text(row.label, style="bold")
        if row.kind == "empty":
            return Text("  " + row.label, style="dim")
        if row.kind == "entry":
            day, _, rest = row.label.partition("  ")
            return Text.assemble("  ", (day, "bold"), "  ", rest)
        return Text("  " + row.label)

    @property
    def current(self) -> Row | None:
        if not self.rows or not self.listing.count:
            return None
        row = self.rows[self.listing.cursor]
        return None if row.kind in ("heading", "empty") else row

    def on_rows_view_highlighted(self, event: RowsView.Highlighted) -> None:
        self.show_detail()

    def on_rows_view_selected(self, event: RowsView.Selected) -> None:
        self.action_edit()

    def show_detail(self) -> None:
        row = self.current
        text = self.query_one("#journal-text", Static)
        if row is None:
            text.update("")
        elif row.entry is not None:
            edited = f" · edited {row.entry.updated_at[:16].replace('T', ' ')}" if row.entry.updated_at else ""
            text.update(Text.assemble((f"Journal · {row.entry.date}", "bold"), (edited, "dim"), "\n\n", row.entry.text))
        elif row.memo is not None:
            text.update(Text.assemble((f"Memo on {row.memo.about}", "bold"),
                                      (f" · {row.memo.updated[:16].replace('T', ' ')}", "dim"), "\n\n", row.memo.text))
        else:
            text.update(Text("No study memo yet: Enter writes one (aims, decisions, the audit trail).", style="dim"))

    # -- writing -------------------------------------------------------------------------

    def action_new_entry(self) -> None:
        today = date.today().isoformat()

        def written(text: str | None) -> None:
            if text is None or not text.strip():
                return
            try:
                entry_id = store.add_entry(self.app.study, text, today)
            except StudyError as exc:
                self.notify(str(exc), severity="error")
                return
            self.fill(select=("entry", entry_id))
            self.notify("Journal entry saved")

        self.app.push_screen(MemoScreen(f"Reflexive journal · {today}", "",
                                        hint="D on the entry changes its date"), written)

    def action_edit(self) -> None:
        row = self.current
        if row is None:
            return
        study = self.app.study
        if row.entry is not None:
            entry = row.entry

            def saved_entry(text: str | None) -> None:
                if text is None or text == entry.text:
                    return
                store.update_entry(study, entry.id, text)
                self.fill(select=("entry", entry.id))
                self.notify("Journal entry saved" if text.strip() else "Journal entry deleted")

            self.app.push_screen(MemoScreen(f"Reflexive journal · {entry.date}", entry.text,
                                            hint="an empty entry is deleted"), saved_entry)
            return
        target = row.memo.target if row.memo is not None else None
        target_id = row.memo.target_id if row.memo is not None else None
        about = row.memo.about if row.memo is not None else "the study"
        current = get_memo(study, target, target_id)

        def saved_memo(text: str | None) -> None:
            if text is None or text == current:
                return
            save_memo(study, target, target_id, text)
            self.fill()
            self.notify("Memo saved" if text.strip() else "Memo deleted")

        self.app.push_screen(MemoScreen(f"Memo on {about}", current), saved_memo)

    def action_set_date(self, typed: str | None = None) -> None:
        row = self.current
        if row is None or row.entry is None:
            self.notify("Only journal entries have a date", severity="warning")
            return
        entry = row.entry

        def answered(value: str | None) -> None:
            if value is None or not value.strip() or value.strip() == entry.date:
                return  # Esc, or nothing typed: the date stays
            try:
                store.set_entry_date(self.app.study, entry.id, value)
            except StudyError as exc:
                self.notify(str(exc), severity="error")
                self.action_set_date(value)  # ask again, with what was typed
                return
            self.fill(select=("entry", entry.id))

        self.app.push_screen(
            PromptScreen("The day this entry is about (YYYY-MM-DD)", typed if typed is not None else entry.date),
            answered,
        )

    def action_delete(self) -> None:
        row = self.current
        if row is None or (row.entry is None and row.memo is None):
            return
        study = self.app.study
        what = f"the journal entry of {row.entry.date}" if row.entry else f"the memo on {row.memo.about}"

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            if row.entry is not None:
                store.delete_entry(study, row.entry.id)
            else:
                save_memo(study, row.memo.target, row.memo.target_id, "")
            self.fill()
            self.notify("Deleted")

        self.app.push_screen(ConfirmScreen(f"Delete {what}? This cannot be undone."), answered)

    def action_back(self) -> None:
        self.app.pop_screen()
