"""The home screen: the study at a glance, its thematic-analysis phases, and
the way into each mode."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.core.overview import StudyOverview, current_phase, phases
from tacompanion.store.overview import load_overview


@dataclass(frozen=True)
class Mode:
    """An entry of the home screen's Start list: a key, a label and the app
    action it runs. Later modes add themselves to MODES."""

    key: str
    label: str
    action: str
    help: str


MODES: list[Mode] = [
    Mode("c", "Code", "code", "code transcripts and interview notes, keyboard only"),
    Mode("t", "Themes", "thematic_map", "sort codes into themes and review them (ctrl+t anywhere)"),
    Mode("b", "Back up the study", "backup", "write a consistent copy of the study file"),
]


def glance_text(o: StudyOverview) -> str:
    pilots = f" ({o.pilot_participants} pilot)" if o.pilot_participants else ""
    open_ = f" ({o.open_interviews} open)" if o.open_interviews else ""
    rows = [
        ("Participants", f"{o.participants}{pilots}"),
        ("Guides", f"{o.guides}"),
        ("Interviews", f"{o.interviews}{open_}"),
        ("Notes", f"{o.notes}"),
        ("Transcripts", f"{o.transcripts} ({o.transcripts_read} read)"),
        ("Codes", f"{o.codes} ({o.codings} codings)"),
        ("Themes", f"{o.themes}"),
        ("Memos", f"{o.memos}; journal entries {o.journal_entries}"),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def phases_text(o: StudyOverview) -> str:
    now = current_phase(o)
    marks = {"done": "[green]✓[/]", "in progress": "[yellow]…[/]", "not started": "[dim]·[/]"}
    lines = []
    for phase in phases(o):
        here = " [b]← now[/b]" if now is not None and phase.number == now.number else ""
        lines.append(
            f"{marks[phase.state]} {phase.number} {phase.name:<17} [dim]{phase.describe()}[/]{here}"
        )
    return "\n".join(lines)


class HomeScreen(Screen):
    CSS_PATH = "home.tcss"
    HELP_TITLE = "home"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="home.refresh"),
        *[Binding(m.key, f"app.{m.action}", m.label, id=f"home.{m.action}") for m in MODES],
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-top"):
            with Vertical(id="glance-box", classes="box"):
                yield Static("Study at a glance", classes="box-title")
                yield Static(id="glance")
            with Vertical(id="phases-box", classes="box"):
                yield Static("Thematic analysis", classes="box-title")
                yield Static(id="phases")
        with Vertical(id="start-box", classes="box"):
            yield Static("Start", classes="box-title")
            yield OptionList(
                *[Option(f"[b]{m.key}[/b]  {m.label}  [dim]{m.help}[/]", id=m.action) for m in MODES],
                id="start",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_overview()
        self.query_one("#start", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_overview()

    def refresh_overview(self) -> None:
        overview = load_overview(self.app.study)
        self.query_one("#glance", Static).update(glance_text(overview))
        self.query_one("#phases", Static).update(phases_text(overview))

    def action_refresh(self) -> None:
        self.refresh_overview()
        self.notify("Study reloaded")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.run_action(event.option.id or "")
