"""The Textual app: global keys, the screens, and the open study.

Screens reach the study through `self.app.study` and call the `store` layer;
they never write SQL themselves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tacompanion import __version__
from tacompanion.store.codes import resolve_coder
from tacompanion.store.study import Study, StudyError, friendly_error
from tacompanion.tui.screens.help import HelpScreen
from tacompanion.tui.screens.home import HomeScreen

if TYPE_CHECKING:
    from tacompanion.tui.screens.interview_start import InterviewRequest
    from tacompanion.tui.screens.search import SearchChoice

# Screens other than home are imported when first opened: each costs start-up
# time that the home screen does not need.


class TacompanionApp(App):
    # The home screen is the default screen, which Textual builds without
    # loading a screen's own CSS_PATH: its stylesheet is loaded with the app's.
    CSS_PATH = str(Path(__file__).parent / "screens" / "home.tcss")  # absolute: subclasses live elsewhere
    TITLE = "tacompanion"
    SUB_TITLE = __version__
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+t", "thematic_map", "Thematic map", id="app.thematic_map"),
    ]

    def __init__(
        self,
        study: Study,
        interview: InterviewRequest | None = None,
        *,
        coder: str | None = None,
        start: tuple[str, int] | None = None,
    ) -> None:
        super().__init__()
        self.study = study
        self.coder = coder or resolve_coder(study)
        self.start = start  # ("transcript" | "notes", key) or ("documents", 0): open coding
        self.launch_interview = interview
        self.interview_id: int | None = None  # the interview opened last, if any
        self.study_failure: StudyError | None = None  # why the app left, when the file failed
        self.ended_interview: int | None = None
        if self._starts_in_coding():
            # The coding screen is the first screen (see get_default_screen):
            # Textual loads a default screen's stylesheet only with the app's.
            self.css_path = [*self.css_path, Path(__file__).parent / "screens" / "coding.tcss"]

    def _starts_in_coding(self) -> bool:
        return self.launch_interview is None and self.start is not None and self.start[0] in ("transcript", "notes")

    def _handle_exception(self, error: Exception) -> None:
        # A study file damaged (or made unreadable) under the app is not a bug
        # to show as a traceback: the app leaves, and the command prints the
        # one message naming the file (run_app raises it). Nothing shown as
        # saved is lost: every save committed before the screen said so.
        if isinstance(error, sqlite3.DatabaseError):
            self.study_failure = friendly_error(self.study.path, error, in_use=True)
            self.exit(return_code=1)
            return
        super()._handle_exception(error)

    def get_default_screen(self) -> Screen:
        # Home is the first screen drawn: no blank frame before it. An
        # interview started from the command line needs no home screen (the
        # command ends with the interview), so a bare screen stands in.
        # `tacompanion code FILE` opens on the coding screen itself, without
        # building home first; `q` there opens home over it (Textual cannot
        # replace the bottom screen; home has no way back down to it).
        if self.launch_interview is not None:
            return Screen()
        if self._starts_in_coding():
            from tacompanion.tui.screens.coding import CodingScreen

            kind, key = self.start  # type: ignore[misc]
            coding = CodingScreen(kind, key, self.coder)
            coding.on_back = lambda: self.push_screen(HomeScreen())
            return coding
        return HomeScreen()

    def on_ready(self) -> None:
        # sqlite-utils is loaded on the first write, so that start-up does not
        # wait for it; load it now, after the first frame and off the main
        # thread, so that the first code applied does not wait for it either.
        self.run_worker(_load_write_support, thread=True, group="warm-up", exit_on_error=False)

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
            # "transcript" and "notes": the coding screen is the default screen
        if self.launch_interview is None:
            return
        # Straight into the interview (the command leaves when it ends): no
        # home screen to build first, so the interview paints sooner.
        from tacompanion.tui.screens.interview_start import begin_interview

        begin_interview(self, self.launch_interview, exit_on_end=True)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers Textual's commands plus the current screen's own
        keys (those with an id), so every action can be found by name."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for binding in screen._bindings.key_to_bindings.values():
            for b in binding:
                if b.id is None or b.action in seen:
                    continue
                seen.add(b.action)
                keys = self.get_key_display(b)
                yield SystemCommand(
                    b.description,
                    f"{b.tooltip or b.description} ({keys})",
                    partial(screen.run_action, b.action),
                )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In the room, Ctrl+T ticks a probe: the map's global key steps aside
        # (and leaves the footer) while an interview is on screen.
        # Read off a class attribute rather than isinstance: checking must not
        # import the interview screen (and its guide parser) on every screen.
        if action == "thematic_map" and getattr(self.screen, "OWNS_CTRL_T", False):
            return False
        return True

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_backup(self) -> None:
        from tacompanion.tui.screens.backup import BackupScreen

        self.push_screen(BackupScreen())

    # -- transcripts -------------------------------------------------------------------

    def action_transcripts(self) -> None:
        from tacompanion.tui.screens.transcripts import TranscriptsScreen

        if not isinstance(self.screen, TranscriptsScreen):
            self.push_screen(TranscriptsScreen())

    def action_import_transcripts(self) -> None:
        def done(imported: int | None) -> None:
            if imported:
                self.notify(f"{imported} transcript{'s' if imported != 1 else ''} imported")

        from tacompanion.tui.screens.import_transcripts import ImportScreen

        self.push_screen(ImportScreen(), done)

    def action_search(self) -> None:
        from tacompanion.tui.screens.search import SearchScreen

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
        from tacompanion.tui.screens.reading import ReadingScreen

        if isinstance(screen, ReadingScreen) and screen.transcript_id == transcript_id:
            screen.go_to(position, query)
            return
        self.push_screen(ReadingScreen(transcript_id, position=position, query=query))

    def action_by_question(self) -> None:
        from tacompanion.tui.screens.by_question import ByQuestionScreen

        if not isinstance(self.screen, ByQuestionScreen):
            self.push_screen(ByQuestionScreen())

    def action_journal(self) -> None:
        from tacompanion.tui.screens.journal import JournalScreen

        if not isinstance(self.screen, JournalScreen):
            self.push_screen(JournalScreen())

    def action_code(self) -> None:
        from tacompanion.tui.screens.documents import DocumentsScreen

        self.push_screen(DocumentsScreen(self.coder))

    def action_interview(self) -> None:
        from tacompanion.tui.screens.interview_start import StartInterviewScreen, begin_interview

        def started(request: InterviewRequest | None) -> None:
            if request is not None:
                begin_interview(self, request, exit_on_end=False)

        self.push_screen(StartInterviewScreen(), started)

    async def action_quit(self) -> None:
        from tacompanion.tui.screens.interview import InterviewScreen
        from tacompanion.tui.screens.dialogs import ConfirmScreen

        if isinstance(self.screen, InterviewScreen):
            # Everything is saved already; the question only guards against a stray key.
            def answered(yes: bool | None) -> None:
                if yes:
                    self.exit()

            self.push_screen(
                ConfirmScreen(
                    "Quit now? The interview stays open (nothing is lost) and can be "
                    "resumed later; ^f finishes it properly instead."
                ),
                answered,
            )
            return
        self.exit()

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


def _load_write_support() -> None:
    import sqlite_utils  # noqa: F401


def run_app(
    study: Study,
    interview: InterviewRequest | None = None,
    *,
    coder: str | None = None,
    start: tuple[str, int] | None = None,
) -> TacompanionApp:
    app = TacompanionApp(study, interview, coder=coder, start=start)
    app.run()
    if app.study_failure is not None:
        raise app.study_failure
    if app.return_code:
        raise SystemExit(app.return_code)  # Textual has printed what went wrong
    return app
