"""The Textual app: global keys, the screens, and the open study.

Screens reach the study through `self.app.study` and call the `store` layer;
they never write SQL themselves.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from tacompanion import __version__
from tacompanion.store.study import Study
from tacompanion.tui.screens.backup import BackupScreen
from tacompanion.tui.screens.help import HelpScreen
from tacompanion.tui.screens.home import HomeScreen
from tacompanion.tui.screens.import_transcripts import ImportScreen
from tacompanion.tui.screens.reading import ReadingScreen
from tacompanion.tui.screens.search import SearchChoice, SearchScreen
from tacompanion.tui.screens.transcripts import TranscriptsScreen


class TacompanionApp(App):
    TITLE = "tacompanion"
    SUB_TITLE = __version__
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, study: Study) -> None:
        super().__init__()
        self.study = study

    def on_mount(self) -> None:
        self.sub_title = str(self.study.path)
        self.push_screen(HomeScreen())

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_backup(self) -> None:
        self.push_screen(BackupScreen())

    # -- transcripts -------------------------------------------------------------------

    def action_transcripts(self) -> None:
        if not isinstance(self.screen, TranscriptsScreen):
            self.push_screen(TranscriptsScreen())

    def action_import_transcripts(self) -> None:
        def done(imported: int | None) -> None:
            if imported:
                self.notify(f"{imported} transcript{'s' if imported != 1 else ''} imported")

        self.push_screen(ImportScreen(), done)

    def action_search(self) -> None:
        if isinstance(self.screen, SearchScreen):
            return
        previous = getattr(self.screen, "query_text", None) or ""

        def chosen(choice: SearchChoice | None) -> None:
            if choice is not None:
                self.open_transcript(choice.hit.transcript_id, choice.hit.position, choice.query)

        self.push_screen(SearchScreen(previous), chosen)

    def open_transcript(self, transcript_id: int, position: int = 0, query: str | None = None) -> None:
        """Read a transcript at a turn; reuse the reading screen already open on it."""
        screen = self.screen
        if isinstance(screen, ReadingScreen) and screen.transcript_id == transcript_id:
            screen.go_to(position, query)
            return
        self.push_screen(ReadingScreen(transcript_id, position=position, query=query))


def run_app(study: Study) -> None:
    TacompanionApp(study).run()
