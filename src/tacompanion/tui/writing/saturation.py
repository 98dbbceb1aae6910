"""Saturation on screen: new codes per document in interview order, as bars in
block characters, the last run's share of new codes, and the verdict of the
stopping rule (Guest, Namey & Chen 2020), whose three numbers are settings
changed here with b, r and t."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from tacompanion.core.saturation import Saturation, chart_lines, parse_share
from tacompanion.core.words import clip
from tacompanion.store.saturation import set_stopping_rule, stopping_rule, study_saturation
from tacompanion.store.study import StudyError
from tacompanion.tui.dialogs.prompts import PromptScreen
from tacompanion.tui.widgets.key_footer import KeyFooter
from tacompanion.tui.widgets.rows_view import RowsView


class SaturationScreen(Screen):
    HELP_TITLE = "saturation"
    DEFAULT_CSS = """
    SaturationScreen { layout: vertical; }
    SaturationScreen #saturation-title { height: auto; padding: 0 1; background: $boost; }
    SaturationScreen #saturation-chart { height: auto; padding: 0 1; }
    SaturationScreen #saturation-list { height: 1fr; min-height: 3; }
    """
    BINDINGS = [
        Binding("b", "rule('base')", "Base size", id="saturation.base"),
        Binding("r", "rule('run')", "Run length", id="saturation.run"),
        Binding("t", "rule('threshold')", "Threshold", id="saturation.threshold"),
        Binding("escape,q", "back", "Back", id="saturation.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.result: Saturation | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="saturation-title")
        yield Static(id="saturation-chart")
        yield RowsView(id="saturation-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Saturation"
        self.fill()
        self.query_one(RowsView).focus()

    def on_screen_resume(self) -> None:
        self.fill()

    def on_resize(self) -> None:
        self.draw_chart()

    def fill(self) -> None:
        self.result = r = study_saturation(self.app.study)
        share = r.last_share()
        share_text = (f" · last {r.rule.run} brought {share:.0%} of all codes" if share is not None else "")
        verdict_style = "bold green" if r.reached else "bold yellow"
        self.query_one("#saturation-title", Static).update(Text.assemble(
            ("Saturation", "bold"), f" · {len(r.points)} documents (pilots out) · {r.points[-1].total_codes if r.points else 0} codes"
            f"{share_text}\n",
            ("Rule: ", "dim"), (f"{r.rule.describe()} ", "dim"), ("(b r t change it)\n", "dim"),
            (r.verdict(), verdict_style)))
        self.draw_chart()
        listing = self.query_one(RowsView)
        listing.set_rows(len(r.points), self.render_row, cursor=min(listing.cursor, max(0, len(r.points) - 1)))

    def draw_chart(self) -> None:
        if self.result is None:
            return
        width = max(20, self.size.width - 2)
        height = 8 if self.size.height >= 24 else 6
        lines = chart_lines(self.result, width, height)
        chart = self.query_one("#saturation-chart", Static)
        if not lines:
            chart.update(Text("No documents in the analysis yet.", style="dim"))
            return
        legend = Text.assemble(("█", ""), " codes met before  ", ("▓", ""), " new in that document", style="dim")
        chart.update(Text("\n".join(lines) + "\n") + legend)

    def render_row(self, index: int) -> Text:
        assert self.result is not None
        p = self.result.points[index]
        mark = " ◆" if self.result.reached_at == index else ""
        new = ", ".join(p.new_codes)
        return Text.assemble(
            (f"{index + 1:>3} ", "dim"), (f"{clip(p.participant, 8):<8} ", "bold"), f"{p.date or '':<10} ",
            (f"+{len(p.new_codes):<3}", "green" if p.new_codes else "dim"), f" {p.total_codes:>4}  ",
            clip(p.document, 24), (mark, "bold green"), (f"  {new}" if new else "", "dim"))

    def action_rule(self, part: str) -> None:
        rule = stopping_rule(self.app.study)
        current = {"base": rule.base, "run": rule.run, "threshold": rule.threshold}[part]
        question = {
            "base": "Base size: how many first documents make the base of codes?",
            "run": "Run length: how many documents in each run after the base?",
            "threshold": "Threshold: new codes in a run, as a share of the base's codes (0.05 = 5%):",
        }[part]

        def answered(value: str | None) -> None:
            if value is None:
                return
            values = {"base": rule.base, "run": rule.run, "threshold": rule.threshold}
            try:
                values[part] = parse_share(value) if part == "threshold" else int(value)
                set_stopping_rule(self.app.study, int(values["base"]), int(values["run"]), float(values["threshold"]))
            except ValueError:
                self.notify(f"Not a number: {value!r}", severity="warning")
                return
            except StudyError as exc:
                self.notify(str(exc), severity="warning", markup=False)
                return
            self.fill()

        self.app.push_screen(PromptScreen(question, str(current)), answered)

    def action_back(self) -> None:
        self.app.pop_screen()
