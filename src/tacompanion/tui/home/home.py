"""The home screen: the study at a glance, its thematic-analysis phases, and
the way into each mode."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.core.overview import StudyOverview, current_phase, phases
from tacompanion.store.overview import load_overview
from tacompanion.store.transcripts import list_transcripts
from tacompanion.tui.dialogs.help import key_label
from tacompanion.tui.widgets.key_footer import KeyFooter
from tacompanion.tui.widgets.rows_view import RowsView


@dataclass(frozen=True)
class Mode:
    """An entry of the home screen's Start list: a key, a label and the app
    action it runs. Later modes add themselves to MODES."""

    key: str
    label: str
    action: str
    help: str


MODES: list[Mode] = [
    Mode("i", "Start an interview", "interview", "live notes from a guide, in the room"),
    Mode("t", "Read transcripts", "transcripts", "and mark them read"),
    Mode("a", "Add transcripts", "import_transcripts", "txt md docx vtt srt"),
    Mode("slash", "Search transcripts", "search", "every word, in transcripts and interview notes"),
    Mode("c", "Code", "code", "code transcripts and interview notes, keyboard only"),
    Mode("g", "Answers by question", "by_question", "the guide's questions x participants: notes and turns"),
    Mode("m", "Themes", "thematic_map", "the thematic map: sort codes into themes, review them (ctrl+t anywhere)"),
    Mode("A", "Compare coders", "agreement", "intercoder agreement; walk and resolve disagreements"),
    Mode("j", "Journal and memos", "journal", "the dated reflexive journal, and every memo in one place"),
    Mode("h", "Audit trail", "audit", "every analytic decision in time order; s there: saturation"),
    Mode("b", "Back up the study", "backup", "write a consistent copy of the study file"),
]


def glance_text(o: StudyOverview) -> str:
    # Pilots are shown, marked "+N pilot", and never counted.
    pilots = f" +{o.pilot_participants} pilot" if o.pilot_participants else ""
    pilot_t = f" +{o.pilot_transcripts} pilot" if o.pilot_transcripts else ""
    pilot_c = f" +{o.pilot_codings} pilot" if o.pilot_codings else ""
    open_ = f" ({o.open_interviews} open)" if o.open_interviews else ""
    # Six rows at most: the home screen must fit 80x24 with its whole Start
    # list (eleven modes); the guides are counted where they are chosen (g).
    rows = [
        # p opens the participants screen (the Start list is full at 80x24)
        ("Participants", f"{o.participants}{pilots} [dim]· p[/]"),
        ("Interviews", f"{o.interviews}{open_}, {o.notes} note{'s' if o.notes != 1 else ''}"),
        ("Transcripts", f"{o.transcripts} ({o.transcripts_read} read){pilot_t}"),
        ("Codes", f"{o.codes} ({o.codings} codings{pilot_c})"),
        # f opens the framework matrix (the Start list is full at 80x24)
        ("Themes", f"{o.themes} [dim]· f framework[/]"),
        ("Memos", f"{o.memos}, journal {o.journal_entries}"),
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


class Checklist(RowsView, inherit_bindings=False):
    """The transcripts with their read marks, drawn row by row as they show.
    Arrows and Enter only: the letters stay the home screen's mode keys."""

    BINDINGS = [
        Binding("down", "move(1)", "Down", show=False, id="checklist.down"),
        Binding("up", "move(-1)", "Up", show=False, id="checklist.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="checklist.pagedown"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="checklist.pageup"),
        Binding("home", "edge(0)", "First", show=False, id="checklist.first"),
        Binding("end", "edge(1)", "Last", show=False, id="checklist.last"),
        Binding("enter", "select", "Read", id="checklist.read"),
    ]


class HomeScreen(Screen):
    CSS_PATH = "home.tcss"
    HELP_TITLE = "home"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="home.refresh"),
        Binding("p", "app.participants", "Participants", id="home.participants", show=False,
                tooltip="rename, pilot yes/no, attributes, remove"),
        Binding("f", "app.framework", "Framework matrix", id="home.framework", show=False,
                tooltip="a written summary per participant and theme or guide question"),
        *[Binding(m.key, f"app.{m.action}", m.label, id=f"home.{m.action}") for m in MODES],
    ]

    def __init__(self) -> None:
        super().__init__()
        self.checklist_items: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        # Every box carries its title in its border: the rows saved keep the
        # whole Start list (ten modes) on screen at 80x24.
        with Horizontal(id="home-top"):
            with Vertical(id="glance-box", classes="box") as glance_box:
                glance_box.border_title = "Study at a glance"
                yield Static(id="glance")
            with Vertical(id="phases-box", classes="box") as phases_box:
                phases_box.border_title = "Thematic analysis"
                yield Static(id="phases")
        with Horizontal(id="home-bottom"):
            with Vertical(id="start-box", classes="box") as start_box:
                start_box.border_title = "Start"
                yield OptionList(
                    *[Option(f"[b]{key_label(m.key)}[/b]  {m.label}", id=m.action) for m in MODES],
                    id="start",
                )
                # What the highlighted mode does: one line, so the list never wraps.
                yield Static(id="mode-help")
            with Vertical(id="checklist-box", classes="box") as checklist_box:
                checklist_box.border_title = "Familiarise"
                yield Checklist(id="checklist")
        yield KeyFooter()

    def on_mount(self) -> None:
        # The numbers are read on ScreenResume, which comes with the first
        # showing too: reading them here as well would do it twice.
        self.query_one("#start", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_overview()

    def refresh_overview(self) -> None:
        overview = load_overview(self.app.study)
        self.query_one("#glance", Static).update(glance_text(overview))
        self.query_one("#phases", Static).update(phases_text(overview))
        self.refresh_checklist()

    def refresh_checklist(self) -> None:
        """Every transcript with its read mark: phase 1 as a checklist."""
        items = list_transcripts(self.app.study, with_words=False, with_coded=False)
        checklist = self.query_one(Checklist)
        self.checklist_items = items
        if not items:
            checklist.set_rows(1, lambda i: Text("No transcripts yet: a adds some", style="dim"),
                               skip=lambda i: True)
        else:
            checklist.set_rows(len(items), self.checklist_row, cursor=checklist.cursor)
        # Pilots are listed (and marked) but not counted, as everywhere.
        counted = [t for t in items if not t.pilot]
        read = sum(1 for t in counted if t.read_at)
        pilots = len(items) - len(counted)
        self.query_one("#checklist-box").border_title = (
            f"Familiarise {read}/{len(counted)} read" + (f" +{pilots} pilot" if pilots else "")
            if items else "Familiarise"
        )

    def checklist_row(self, index: int) -> Text:
        t = self.checklist_items[index]
        return Text.assemble(("☑" if t.read_at else "☐", "green" if t.read_at else ""), " ",
                             (t.participant, "bold"), (" pilot" if t.pilot else "", "italic"),
                             "  ", (t.file_name, "dim"))

    def on_rows_view_selected(self, event: RowsView.Selected) -> None:
        if self.checklist_items:
            self.app.open_transcript(self.checklist_items[event.index].id)

    def action_refresh(self) -> None:
        self.refresh_overview()
        self.notify("Study reloaded")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "start":
            mode = next((m for m in MODES if m.action == event.option.id), None)
            self.query_one("#mode-help", Static).update(f"[dim]{mode.help}[/]" if mode else "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.run_action(event.option.id or "")
