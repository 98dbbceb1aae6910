"""Two coders compared: every code with its agreement figures, worst first;
Enter walks a code's disagreements (A's span beside B's, in context) and a
key resolves each one as codings of the consensus coder. See docs/teams.md."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Static

from tacompanion.core.agreement import figures
from tacompanion.core.words import clip
from tacompanion.store import history
from tacompanion.store.agreement import (
    DECISIONS,
    AgreementReport,
    DisagreementView,
    adopt_agreements,
    compare,
    consensus_coder,
    disagreements_of,
    resolve,
)
from tacompanion.store.study import StudyError
from tacompanion.tui.study_view import StudyViewScreen
from tacompanion.tui.widgets.key_footer import KeyFooter

CONTEXT = 160  # code points shown before and after a disagreement


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def side(text: str, start: int, end: int, spans: tuple[tuple[int, int], ...], style: str) -> Text:
    """The stretch [start, end) with CONTEXT around it, `spans` highlighted."""
    lo, hi = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    out = Text(("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else ""))
    shift = 1 if lo else 0
    for s, e in spans:
        out.stylize(style, s - lo + shift, e - lo + shift)
    return out


class AgreementScreen(StudyViewScreen):
    CSS_PATH = "agreement.tcss"
    HELP_TITLE = "agreement"
    BINDINGS = [
        Binding("enter", "walk", "Disagreements", id="agreement.walk"),
        Binding("a", "resolve('a')", "Keep A's", id="agreement.keep_a"),
        Binding("b", "resolve('b')", "Keep B's", id="agreement.keep_b"),
        Binding("equals_sign", "resolve('both')", "Keep both", id="agreement.keep_both"),
        Binding("x", "resolve('drop')", "Drop", id="agreement.drop"),
        Binding("n,j,down", "step(1)", "Next", id="agreement.next", show=False),
        Binding("p,k,up", "step(-1)", "Previous", id="agreement.previous", show=False),
        Binding("t", "unit", "Characters/turns", id="agreement.unit"),
        Binding("g", "adopt", "Agreements to consensus", id="agreement.adopt", show=False),
        Binding("u", "undo", "Undo", id="agreement.undo"),
        Binding("ctrl+r", "redo", "Redo", id="agreement.redo", show=False),
        Binding("escape,q", "back", "Back", id="agreement.back"),
    ]

    def __init__(self, coder_a: str, coder_b: str, unit: str = "characters") -> None:
        super().__init__()
        self.coder_a, self.coder_b, self.unit = coder_a, coder_b, unit
        self.report: AgreementReport | None = None
        self.walking: list[DisagreementView] | None = None  # the disagreements shown, or None: the list
        self.at = 0
        self.code_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="agreement-title")
        yield DataTable(id="agreement-codes", cursor_type="row", zebra_stripes=True)
        with Vertical(id="agreement-walk"):
            yield Static(id="walk-where")
            with Horizontal(id="walk-sides"):
                yield Static(id="walk-a", classes="walk-side")
                yield Static(id="walk-b", classes="walk-side")
        yield Static(id="agreement-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = f"Agreement: {self.coder_a} and {self.coder_b}"
        self.query_one("#agreement-walk").display = False
        self.fill()
        self.query_one(DataTable).focus()

    # -- the list of codes -------------------------------------------------------------------

    def redraw(self) -> None:
        self.fill()
        if self.walking is not None and self.code_id is not None:
            self.walk(self.code_id, keep_at=True)

    def fill(self) -> None:
        self.mark_drawn()
        table = self.query_one(DataTable)
        keep = table.cursor_row
        try:
            self.report = compare(self.app.study, self.coder_a, self.coder_b, unit=self.unit)
        except StudyError as exc:
            self.report = None
            table.clear(columns=True)
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        table.clear(columns=True)
        width = self.size.width or 80
        name_width = max(12, width - 48)
        table.add_column("code", key="code", width=name_width)
        for label in (self.coder_a[:7], self.coder_b[:7], "overlap", "kappa", "alpha"):
            table.add_column(label, width=7)
        for c in self.report.codes:
            f = figures(c.counts)
            table.add_row(clip(c.code, name_width), f"{c.counts.a:,}", f"{c.counts.b:,}",
                          _pct(f["overlap"]), _num(f["kappa"]), _num(f["alpha"]), key=str(c.code_id))
        if self.report.codes:
            table.move_cursor(row=min(keep, len(self.report.codes) - 1))
        o = figures(self.report.overall)
        self.query_one("#agreement-title", Static).update(
            f"[b]{escape(self.coder_a)}[/] (A) and [b]{escape(self.coder_b)}[/] (B) · unit: {self.unit} · "
            f"overall overlap {_pct(o['overlap'])}, kappa {_num(o['kappa'])}, alpha {_num(o['alpha'])} · "
            f"worst first")
        if self.walking is None:
            self.status(f"{len(self.report.codes)} codes · Enter: its disagreements · t: unit · "
                        f"g: agreements to {escape(consensus_coder(self.app.study))}")

    def status(self, text: str) -> None:
        self.query_one("#agreement-status", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resolve":
            return self.walking is not None
        if action == "walk":
            return self.walking is None
        return True

    # -- walking a code's disagreements ------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_walk()

    def action_walk(self) -> None:
        if self.walking is not None or self.report is None or not self.report.codes:
            return
        table = self.query_one(DataTable)
        self.walk(self.report.codes[table.cursor_row].code_id)

    def walk(self, code_id: int, keep_at: bool = False) -> None:
        self.code_id = code_id
        self.walking = disagreements_of(self.app.study, self.coder_a, self.coder_b, code_id)
        self.at = min(self.at, len(self.walking) - 1) if keep_at else 0
        self.at = max(self.at, 0)
        self.query_one(DataTable).display = False
        self.query_one("#agreement-walk").display = True
        self.refresh_bindings()
        self.show_one()

    def show_one(self) -> None:
        name = next((c.code for c in self.report.codes if c.code_id == self.code_id), "?") if self.report else "?"
        where = self.query_one("#walk-where", Static)
        a, b = self.query_one("#walk-a", Static), self.query_one("#walk-b", Static)
        if not self.walking:
            where.update(f"[b]{escape(name)}[/]: no disagreements; the two coders coded it alike")
            a.update("")
            b.update("")
            self.status("esc: back to the codes")
            return
        v = self.walking[self.at]
        d = v.item
        done = sum(1 for w in self.walking if w.decision)
        state = f"resolved: {DECISIONS[v.decision]}" if v.decision else "not resolved"
        where.update(f"[b]{escape(name)}[/] · {self.at + 1} of {len(self.walking)} ({done} resolved) · "
                     f"{escape(v.where)} · {state}")
        for widget, who, spans in ((a, f"A: {self.coder_a}", d.a), (b, f"B: {self.coder_b}", d.b)):
            note = "" if spans else " (did not code this)"
            widget.update(Text.assemble((who, "bold"), (note, "dim"), "\n",
                                        side(v.text, d.start, d.end, spans, "reverse bold")))
        self.status("a A's · b B's · = both · x drop · n/p next/prev · u undo · esc codes")

    def action_step(self, delta: int) -> None:
        if self.walking is None:  # in the list: j / k move between codes
            table = self.query_one(DataTable)
            if table.row_count:
                table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))
            return
        if self.walking:
            self.at = max(0, min(len(self.walking) - 1, self.at + delta))
            self.show_one()

    def action_resolve(self, decision: str) -> None:
        if not self.walking:
            return
        v = self.walking[self.at]
        try:
            who = resolve(self.app.study, v, decision, self.coder_a, self.coder_b)
        except StudyError as exc:
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.mark_drawn()
        self.walking = disagreements_of(self.app.study, self.coder_a, self.coder_b, self.code_id)
        # on to the next one not yet resolved, if any
        nxt = next((i for i in range(self.at + 1, len(self.walking)) if not self.walking[i].decision), None)
        if nxt is not None:
            self.at = nxt
        self.show_one()
        self.status(f"Resolved: {DECISIONS[decision]}, stored as {escape(who)}'s coding. [dim]u undoes[/]")
        self.fill()

    def action_adopt(self) -> None:
        try:
            n = adopt_agreements(self.app.study, self.coder_a, self.coder_b, self.code_id if self.walking else None)
        except StudyError as exc:
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.status(f"{n} agreed coding(s) copied to {escape(consensus_coder(self.app.study))}. [dim]u undoes[/]")

    def action_unit(self) -> None:
        self.unit = "turns" if self.unit == "characters" else "characters"
        self.fill()

    def _step_history(self, redo: bool) -> None:
        try:
            done = history.redo(self.app.study) if redo else history.undo(self.app.study)
        except StudyError as exc:
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.redraw()
        if self.walking is not None:
            self.show_one()
        verb = "Redid" if redo else "Undid"
        self.status(f"{verb}: {escape(done.label)}." if done else f"Nothing to {'redo' if redo else 'undo'}.")

    def action_undo(self) -> None:
        self._step_history(False)

    def action_redo(self) -> None:
        self._step_history(True)

    def action_back(self) -> None:
        if self.walking is not None:
            self.walking = None
            self.query_one("#agreement-walk").display = False
            table = self.query_one(DataTable)
            table.display = True
            table.focus()
            self.refresh_bindings()
            self.fill()
            return
        self.app.pop_screen()
