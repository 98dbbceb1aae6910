"""The study's prevalence rule: a table of label, minimum and maximum (whole
numbers, or N, half, N-1, half+1 ...), with what each row means for this
study's N. Every change is checked and saved at once."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tacompanion.core.prevalence import DEFAULT_RULE, PrevalenceRow, RuleError, bound
from tacompanion.store.analysis import (
    analysis_scope,
    participants_in_analysis,
    prevalence_rule,
    set_analysis_scope,
    set_prevalence_rule,
)
from tacompanion.tui.dialogs.prompts import ConfirmScreen, PromptScreen
from tacompanion.tui.widgets.key_footer import KeyFooter

EXPLAIN = (
    "A row gives its label to a count n of participants when minimum <= n <= maximum; the first "
    "row that fits wins. Bounds: a whole number, N (participants in analysis), half (N/2 rounded "
    "down), or either plus or minus a number: N-1, half+1."
)


def parse_row(text: str) -> PrevalenceRow:
    """'most; half+1; N-1' -> a row (label; minimum; maximum)."""
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != 3 or not parts[0]:
        raise RuleError("write the row as: label; minimum; maximum (for example: most; half+1; N-1)")
    row = PrevalenceRow(" ".join(parts[0].split()), parts[1], parts[2])
    bound(row.minimum, 6)
    bound(row.maximum, 6)
    return row


class PrevalenceRuleScreen(Screen):
    CSS_PATH = "prevalence_rule.tcss"
    HELP_TITLE = "prevalence rule"
    BINDINGS = [
        Binding("a", "add", "Add row", id="rule.add"),
        Binding("e", "edit", "Edit row", id="rule.edit"),
        Binding("d", "delete", "Delete row", id="rule.delete"),
        Binding("K", "shift(-1)", "Row up", id="rule.up", show=False),
        Binding("J", "shift(1)", "Row down", id="rule.down", show=False),
        Binding("r", "reset", "Default rule", id="rule.reset", show=False),
        Binding("t", "toggle_scope", "Notes count / transcripts only", id="rule.scope"),
        Binding("j", "cursor('down')", "Down", show=False, id="rule.cursor_down"),
        Binding("k", "cursor('up')", "Up", show=False, id="rule.cursor_up"),
        Binding("escape,q", "back", "Back", id="rule.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="rule-title")
        yield DataTable(id="rule", cursor_type="row", zebra_stripes=True)
        yield Static(EXPLAIN, id="rule-explain")
        yield Static(id="rule-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Prevalence rule"
        self.rule = list(prevalence_rule(self.app.study))
        self.fill()
        self.query_one(DataTable).focus()

    def fill(self, cursor: int | None = None) -> None:
        total = participants_in_analysis(self.app.study)
        table = self.query_one(DataTable)
        keep = table.cursor_row if cursor is None else cursor
        table.clear(columns=True)
        table.add_columns("label", "minimum", "maximum", f"with N = {total}")
        for row in self.rule:
            lo, hi = bound(row.minimum, total), bound(row.maximum, total)
            means = ("never" if lo > hi else str(lo) if lo == hi else f"{lo} to {hi}") if total else "-"
            table.add_row(row.label, row.minimum, row.maximum, means)
        if self.rule:
            table.move_cursor(row=max(0, min(keep, len(self.rule) - 1)))
        scope = analysis_scope(self.app.study)
        counted = "transcripts and interview notes" if scope == "all" else "transcripts only"
        self.query_one("#rule-title", Static).update(Text.assemble(
            ("How prevalence is put into words", "bold"),
            f" · N = {total} participants in analysis (pilots out) · data: {counted} (t switches)"
            " · a add · e edit · d delete · K/J order"))

    def status(self, text: str | Text) -> None:
        self.query_one("#rule-status", Static).update(text)

    def save(self, rule: list[PrevalenceRow], message: str, cursor: int | None = None) -> None:
        try:
            set_prevalence_rule(self.app.study, rule)
        except RuleError as exc:
            self.status(Text(str(exc), style="bold red"))
            return
        self.rule = list(prevalence_rule(self.app.study))
        self.fill(cursor)
        self.status(message)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_cursor(self, direction: str) -> None:
        getattr(self.query_one(DataTable), f"action_cursor_{direction}")()

    def _ask(self, title: str, initial: str, then) -> None:
        def answered(value: str | None) -> None:
            if not value or not value.strip():
                return
            try:
                row = parse_row(value)
            except RuleError as exc:
                self.status(Text(str(exc), style="bold red"))
                return
            then(row)

        self.app.push_screen(PromptScreen(title, initial, placeholder="label; minimum; maximum"), answered)

    def action_add(self) -> None:
        at = self.query_one(DataTable).cursor_row + 1 if self.rule else 0

        def add(row: PrevalenceRow) -> None:
            rule = self.rule[:at] + [row] + self.rule[at:]
            self.save(rule, f"Added '{row.label}'.", at)

        self._ask("New row (label; minimum; maximum):", "", add)

    def action_edit(self) -> None:
        if not self.rule:
            self.action_add()
            return
        i = self.query_one(DataTable).cursor_row
        old = self.rule[i]

        def edit(row: PrevalenceRow) -> None:
            rule = self.rule[:]
            rule[i] = row
            self.save(rule, f"Changed '{old.label}'.", i)

        self._ask("Edit the row (label; minimum; maximum):", f"{old.label}; {old.minimum}; {old.maximum}", edit)

    def action_delete(self) -> None:
        if len(self.rule) <= 1:
            self.status("The rule needs at least one row.")
            return
        i = self.query_one(DataTable).cursor_row
        gone = self.rule[i]
        self.save(self.rule[:i] + self.rule[i + 1:], f"Deleted '{gone.label}'.", i)

    def action_shift(self, delta: int) -> None:
        i = self.query_one(DataTable).cursor_row
        j = i + delta
        if not (0 <= j < len(self.rule)):
            return
        rule = self.rule[:]
        rule[i], rule[j] = rule[j], rule[i]
        self.save(rule, f"Moved '{rule[j].label}' {'up' if delta < 0 else 'down'}.", j)

    def action_reset(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.save(list(DEFAULT_RULE), "Back to the default rule.")

        self.app.push_screen(ConfirmScreen(
            "Go back to the default rule (all = N; most = half+1 to N-1; some = 3 to half; "
            "one or two = 1 to 2)?"), answered)

    def action_toggle_scope(self) -> None:
        """Count codings on interview notes, or transcripts only (pilots never)."""
        scope = "transcripts" if analysis_scope(self.app.study) == "all" else "all"
        set_analysis_scope(self.app.study, scope)
        self.fill()
        self.status(
            "Interview notes now count in the analysis, like transcripts."
            if scope == "all" else "Analysis now counts transcripts only: codings on notes are left out."
        )

    def action_back(self) -> None:
        self.app.pop_screen()
