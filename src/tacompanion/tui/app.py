"""The Textual app: global keys, the screens, and the open study.

Screens reach the study through `self.app.study` and call the `store` layer;
they never write SQL themselves.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from tacompanion import __version__
from tacompanion.store.codes import resolve_coder
from tacompanion.store.study import Study
from tacompanion.tui.screens.backup import BackupScreen
from tacompanion.tui.screens.help import HelpScreen
from tacompanion.tui.screens.home import HomeScreen


class TacompanionApp(App):
    TITLE = "tacompanion"
    SUB_TITLE = __version__
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+t", "thematic_map", "Thematic map", id="app.thematic_map"),
    ]

    def __init__(self, study: Study, *, coder: str | None = None, start: tuple[str, int] | None = None) -> None:
        super().__init__()
        self.study = study
        self.coder = coder or resolve_coder(study)
        self.start = start

    def get_default_screen(self) -> HomeScreen:
        # Home is the first screen drawn: no blank frame before it.
        return HomeScreen()

    def on_mount(self) -> None:
        self.sub_title = str(self.study.path)
        if self.start is not None:
            kind, key = self.start
            if kind == "documents":
                self.action_code()
            elif kind == "map":
                self.action_thematic_map()
            elif kind == "review":
                from tacompanion.tui.screens.review import ReviewScreen

                self.push_screen(ReviewScreen("theme", key))
            else:
                from tacompanion.tui.screens.coding import CodingScreen

                self.push_screen(CodingScreen(kind, key, self.coder))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_backup(self) -> None:
        self.push_screen(BackupScreen())

    def action_code(self) -> None:
        from tacompanion.tui.screens.documents import DocumentsScreen

        self.push_screen(DocumentsScreen(self.coder))


    def action_thematic_map(self) -> None:
        """The thematic map, from anywhere: back to it when it is open below,
        else opened on top. Not over a dialog (finish or close that first)."""
        from textual.screen import ModalScreen

        from tacompanion.tui.screens.thematic_map import ThemeMapScreen

        if isinstance(self.screen, ModalScreen):
            self.bell()
            return
        if isinstance(self.screen, ThemeMapScreen):
            return
        if any(isinstance(s, ThemeMapScreen) for s in self.screen_stack):
            while not isinstance(self.screen_stack[-1], ThemeMapScreen):
                self.pop_screen()
            return
        self.push_screen(ThemeMapScreen())


def run_app(study: Study, *, coder: str | None = None, start: tuple[str, int] | None = None) -> None:
    TacompanionApp(study, coder=coder, start=start).run()
