"""The Textual app: global keys, the screens, and the open study.

Screens reach the study through `self.app.study` and call the `store` layer;
they never write SQL themselves.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tacompanion import __version__
from tacompanion.store.codes import resolve_coder
from tacompanion.store.study import DAMAGED, Study, StudyError, friendly_error
from tacompanion.tui.study_view import SeesOtherWriters
from tacompanion.tui.widgets.key_bar import node_bindings

if TYPE_CHECKING:
    from tacompanion.tui.interview.interview_start import InterviewRequest

# Screens are imported when first opened, home too (`code FILE` starts on the
# coding screen and builds home only when it is left): each costs start-up
# time that the first screen does not need.


def _home_screen() -> Screen:
    from tacompanion.tui.home.home import HomeScreen

    return HomeScreen()


class TacompanionApp(App):
    # The home screen is the default screen, which Textual builds without
    # loading a screen's own CSS_PATH: its stylesheet is loaded with the app's.
    CSS_PATH = str(Path(__file__).parent / "home" / "home.tcss")  # absolute: subclasses live elsewhere
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
        study.coder = self.coder  # changes are logged as this coder's; undo takes back only theirs
        self.start = start  # ("transcript" | "notes", key) or ("documents", 0): open coding
        self.launch_interview = interview
        self.interview_id: int | None = None  # the interview opened last, if any
        self.study_failure: StudyError | None = None  # why the app left, when the file failed
        self.ended_interview: int | None = None
        # The coding screen's stylesheet is read with the app's: Textual loads
        # a default screen's stylesheet only with the app's (`code FILE` starts
        # on it, see get_default_screen), and a screen pushed later with a
        # stylesheet not yet read makes Textual parse every stylesheet again
        # (about 20 ms, the first time the coding screen opens from home).
        self.css_path = [*self.css_path, Path(__file__).parent / "coding" / "coding.tcss"]

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Notifications are plain text, never markup: a message quoting a
        guide's `[N min]` or a code named `[draft]` shows as written."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _starts_in_coding(self) -> bool:
        return self.launch_interview is None and self.start is not None and self.start[0] in ("transcript", "notes")

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        # Every key runs an action: a problem with the study file met by one
        # (locked by another window, a full disk, a read-only file, a bug) is
        # told on screen and the study stays open; the transaction was rolled
        # back, so nothing shown as saved is lost. Only damage closes the app.
        try:
            screen = self.screen
            if (default_namespace is not None and default_namespace is not self
                    and isinstance(screen, SeesOtherWriters) and screen.catch_up()):
                # What the screen showed (and the ids behind it) came from
                # before another window's change: refreshed, not acted upon.
                self.notify("The study was changed in another window: this screen now shows it. "
                            "Press the key again if it still applies.", severity="warning", timeout=6)
                return True
            return await super().run_action(action, default_namespace, namespaces)
        except (StudyError, sqlite3.DatabaseError) as error:
            self.study_problem(error)
            return True

    def study_problem(self, error: StudyError | sqlite3.DatabaseError) -> None:
        """Tell the user what went wrong with the study file, by kind: damage
        closes the app (the command prints the message); anything else is
        shown and the app goes on."""
        failure = error if isinstance(error, StudyError) else friendly_error(self.study.path, error, in_use=True)
        if failure.kind == DAMAGED:
            self.study_failure = failure
            self.exit(return_code=1)
            return
        with contextlib.suppress(sqlite3.Error):
            if self.study.conn.in_transaction:
                self.study.conn.rollback()
        self.notify(str(failure), title="Not saved" if failure.kind else "Refused",
                    severity="error" if failure.kind else "warning", timeout=12)

    def _handle_exception(self, error: Exception) -> None:
        # Met outside an action (a dialog's callback, a worker): a study file
        # damaged under the app is not a bug to show as a traceback: the app
        # leaves, and the command prints the one message naming the file
        # (run_app raises it). Nothing shown as saved is lost: every save
        # committed before the screen said so. A bug that broke a constraint
        # is called an internal error, not damage.
        # Private Textual API, kept on purpose: Textual has no public hook for
        # an exception raised outside an action (a callback, a worker, a
        # handler). tests/test_textual_private.py fails loudly if Textual stops
        # calling this method with such an error.
        if isinstance(error, (sqlite3.DatabaseError, StudyError)):
            failure = error if isinstance(error, StudyError) else friendly_error(
                self.study.path, error, in_use=True)
            self.study_failure = failure
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
            from tacompanion.tui.coding.coding import CodingScreen

            kind, key = self.start  # type: ignore[misc]
            coding = CodingScreen(kind, key, self.coder)
            coding.on_back = lambda: self.push_screen(_home_screen())
            return coding
        return _home_screen()

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
                self.open_review("theme", key)
            # "transcript" and "notes": the coding screen is the default screen
        if self.launch_interview is None:
            return
        # Straight into the interview (the command leaves when it ends): no
        # home screen to build first, so the interview paints sooner.
        from tacompanion.tui.interview.interview_start import begin_interview

        begin_interview(self, self.launch_interview, exit_on_end=True)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers Textual's commands plus every key of the current
        screen by name, whatever widget has the focus: the screen's own, those
        its widgets show (the code panel's rename, merge, …) and the app's
        (thematic map). Textual's colour-theme command is called "Colour
        scheme", so that "theme" finds the analysis's themes, not colours."""
        titles: set[str] = set()
        for command in super().get_system_commands(screen):
            if command.title == "Theme":
                command = SystemCommand(
                    "Colour scheme", "Change the interface's colours (light, dark, …)", command.callback
                )
            titles.add(command.title.casefold())
            yield command
        seen: set[tuple[int, str]] = set()
        sources: list[tuple[object, bool]] = [(screen, True)]
        sources += [(node, False) for node in screen.query("*")]
        sources.append((self, True))
        for node, every in sources:
            for bindings in node_bindings(node).values():
                for b in bindings:
                    if b.id is None or not (every or b.show) or b.description.casefold() in titles:
                        continue
                    if (id(node), b.action) in seen or (node is self and b.action in ("quit", "help")):
                        continue
                    seen.add((id(node), b.action))
                    keys = self.get_key_display(b)
                    yield SystemCommand(
                        b.description,
                        f"{b.tooltip or b.description} ({keys})",
                        partial(node.run_action, b.action),
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
        from tacompanion.tui.dialogs.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_backup(self) -> None:
        from tacompanion.tui.dialogs.backup import BackupScreen

        self.push_screen(BackupScreen())

    # -- transcripts -------------------------------------------------------------------

    def action_transcripts(self) -> None:
        from tacompanion.tui.familiarise.transcripts import TranscriptsScreen

        if not isinstance(self.screen, TranscriptsScreen):
            self.push_screen(TranscriptsScreen())

    def action_participants(self) -> None:
        from tacompanion.tui.familiarise.participants import ParticipantsScreen

        if not isinstance(self.screen, ParticipantsScreen):
            self.push_screen(ParticipantsScreen())

    def action_import_transcripts(self) -> None:
        def done(imported: int | None) -> None:
            if imported:
                self.notify(f"{imported} transcript{'s' if imported != 1 else ''} imported")

        from tacompanion.tui.familiarise.import_transcripts import ImportScreen

        self.push_screen(ImportScreen(), done)

    def action_search(self) -> None:
        from tacompanion.tui.familiarise.search import SearchScreen

        if isinstance(self.screen, SearchScreen):
            return
        previous = getattr(self.screen, "query_text", None) or ""
        # The search stays open under the transcripts opened from its hits.
        self.push_screen(SearchScreen(previous))

    def open_transcript(self, transcript_id: int, position: int = 0, query: str | None = None) -> None:
        """Read a transcript at a turn; reuse the reading screen already open on it."""
        screen = self.screen
        from tacompanion.tui.familiarise.reading import ReadingScreen

        if isinstance(screen, ReadingScreen) and screen.transcript_id == transcript_id:
            screen.go_to(position, query)
            return
        self.push_screen(ReadingScreen(transcript_id, position=position, query=query))

    def action_by_question(self) -> None:
        from tacompanion.tui.writing.by_question import ByQuestionScreen

        if not isinstance(self.screen, ByQuestionScreen):
            self.push_screen(ByQuestionScreen())

    def action_journal(self) -> None:
        from tacompanion.tui.writing.journal import JournalScreen

        if not isinstance(self.screen, JournalScreen):
            self.push_screen(JournalScreen())

    def action_code(self) -> None:
        from tacompanion.tui.coding.documents import DocumentsScreen

        self.push_screen(DocumentsScreen(self.coder))

    def action_interview(self) -> None:
        from tacompanion.tui.interview.interview_start import (
            StartInterviewScreen,
            begin_interview,
        )

        def started(request: InterviewRequest | None) -> None:
            if request is not None:
                begin_interview(self, request, exit_on_end=False)

        self.push_screen(StartInterviewScreen(), started)

    async def action_quit(self) -> None:
        from tacompanion.tui.dialogs.prompts import ConfirmScreen
        from tacompanion.tui.interview.interview import InterviewScreen

        if isinstance(self.screen, InterviewScreen):
            # Everything is saved already (unless notes wait for a disk with
            # room again); the question only guards against a stray key.
            def answered(yes: bool | None) -> None:
                if yes:
                    self.exit()

            screen = self.screen
            if screen.pending:
                screen.save_pending()
            question = (
                "Quit now? The interview stays open (nothing is lost) and can be "
                "resumed later; ^f finishes it properly instead."
                if not screen.pending else
                f"{len(screen.pending)} note(s) could not be saved yet and would be LOST. "
                "Quit anyway? (n: stay; they are retried every few seconds)"
            )
            self.push_screen(ConfirmScreen(question), answered)
            return
        self.exit()

    # -- the recording: one player for the whole app (tui/player.py, tui/playback.py) --

    @property
    def player(self):
        if getattr(self, "_player", None) is None:
            from tacompanion.tui.player import Player

            self._player = Player()
        return self._player

    def play_item(self, item: tuple[str, int] | None) -> bool:
        """`p` on a turn ("segment"), a note or an extract (its turn's
        segment id): play its recording from its time, or stop what plays.
        Everything that stops it from playing is said, and nothing plays."""
        from tacompanion.core.document import clock
        from tacompanion.core.playback import past_the_end
        from tacompanion.formats.media_probe import check_unchanged
        from tacompanion.store import media as store_media
        from tacompanion.tui.player import PlayerMissing

        if self.player.playing:
            self.player.stop()
            self.notify("Recording stopped.", timeout=2)
            return False
        if item is None:
            self.notify("Nothing here to hear: no turn, note or extract under the cursor.",
                        severity="warning")
            return False
        kind, item_id = item
        find = {"segment": store_media.segment_moment, "note": store_media.note_recording_moment,
                "extract": store_media.extract_segment_moment}[kind]
        try:
            moment, media, whose = find(self.study, item_id)
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return False
        if media is None:
            self.notify(f"No recording is attached to {whose}: tacompanion media add FILE "
                        "--participant ID (or A on the transcripts screen).", severity="warning")
            return False
        if moment.start_ms is None:
            self.notify(f"This {moment.label} has no time, so it has no place in the recording; "
                        "nothing plays.", severity="warning")
            return False
        problem = check_unchanged(media.full_path, media.size, media.sha256, media.hash_method)
        if problem:
            self.notify(problem, severity="error", timeout=10)
            return False
        start = moment.start_ms
        if past_the_end(start, media.duration_ms):
            self.notify(f"This {moment.label} is at {clock(start)}, past the end of {media.path} "
                        f"({clock(media.duration_ms)}): the wrong recording, or a recording offset "
                        "to set (o on the interview notes, or tacompanion media offset)?",
                        severity="warning", timeout=10)
            return False
        try:
            choice = self.player.play(str(media.full_path), start, self.study.setting("player"),
                                      media.duration_ms)
        except PlayerMissing as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return False
        except (OSError, ValueError) as exc:
            self.notify(f"the player did not start: {exc} (tacompanion settings player)",
                        severity="error", timeout=10)
            return False
        self.notify(f"Playing {media.path} from {clock(start)} ({moment.label}, {choice.name}); "
                    "p stops, - + move 5 s, P replays.", timeout=4)
        self.set_timer(1.5, partial(self._player_ended_early, self.player.process, choice.name))
        return True

    def _player_ended_early(self, process, name: str) -> None:
        """A player that fails (no audio device, a file it cannot read) ends at
        once: say so rather than leave "Playing" unanswered."""
        if process is None or process is not self.player.process or process.poll() in (None, 0):
            return
        self.notify(f"{name} ended at once (exit status {process.returncode}): no audio device, or "
                    "it cannot read the file? Try the file in the player yourself, or set another "
                    "(tacompanion settings player).", severity="error", timeout=10)

    def seek_playback(self, delta_ms: int) -> None:
        from tacompanion.core.document import clock

        if not self.player.playing:
            self.notify("Nothing is playing: p plays the item under the cursor.", severity="warning")
            return
        self.notify(f"Recording at {clock(self.player.seek(delta_ms))}", timeout=2)

    def replay_playback(self) -> None:
        from tacompanion.core.document import clock

        if self.player.file is None:
            self.notify("Nothing has played yet: p plays the item under the cursor.", severity="warning")
            return
        self.notify(f"Recording from {clock(self.player.replay())} again", timeout=2)

    def on_unmount(self) -> None:
        if getattr(self, "_player", None) is not None:
            self._player.stop()

    # -- the router: screens ask the app to open other screens -----------------------
    # A screen never imports another screen; it calls one of these. Each
    # imports its screen when first used (start-up pays only for home).

    def open_coding(self, kind: str, key: int, *, cursor: int = 0, coder: str | None = None,
                    replace: bool = False, on_back: Callable[[], object] | None = None) -> Screen:
        """Coding mode on a transcript ("transcript") or an interview's notes
        ("notes"), at a turn. `replace` takes the current screen's place;
        `on_back` runs instead of returning when the user leaves it."""
        from tacompanion.tui.coding.coding import CodingScreen

        screen = CodingScreen(kind, key, coder or self.coder, cursor=cursor)
        if on_back is not None:
            screen.on_back = on_back
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        return screen

    def open_note(self, interview_id: int, note_id: int) -> Screen:
        """An interview's notes in coding mode, at one note (a search hit)."""
        from tacompanion.store.documents import notes_document

        blocks = notes_document(self.study, interview_id).blocks
        cursor = next((b.index for b in blocks if b.ref.note_id == note_id), 0)
        return self.open_coding("notes", interview_id, cursor=cursor)

    def open_notes(self, participant_id: int, pseudonym: str) -> None:
        """A participant's interview notes, over the current screen."""
        from tacompanion.tui.familiarise.notes_screen import NotesScreen

        self.push_screen(NotesScreen(participant_id, pseudonym))

    def open_review(self, target: str, target_id: int, **options: object) -> None:
        """Review a theme's or a code's extracts (options as ReviewScreen takes them:
        participant_id, meeting)."""
        from tacompanion.tui.thematic.review import ReviewScreen

        self.push_screen(ReviewScreen(target, target_id, **options))

    def open_matrix(self) -> None:
        from tacompanion.tui.thematic.matrix import MatrixScreen

        self.push_screen(MatrixScreen())

    def open_split_code(self, code_id: int, done: Callable[[str | None], None]) -> None:
        """Split a code: tick the codings that go to another code; `done` gets
        what happened (None: cancelled)."""
        from tacompanion.store.code_split import codings_of, split_code
        from tacompanion.store.codes import code_name, list_codes
        from tacompanion.store.study import StudyError
        from tacompanion.tui.dialogs.split_code import SplitCodeScreen

        name = code_name(self.study, code_id)
        codings = codings_of(self.study, code_id)
        if len(codings) < 2:
            self.notify(f"'{name}' has {len(codings)} coding{'s' if len(codings) != 1 else ''}: "
                        "splitting needs two or more.", severity="warning")
            return

        def answered(result: tuple[str, list[int]] | None) -> None:
            if result is None:
                done(None)
                return
            try:
                target, created, moved = split_code(self.study, code_id, result[1], result[0])
            except StudyError as exc:
                self.notify(str(exc), severity="error")
                return
            new = "the new code" if created else "the code"
            done(f"Split {moved} coding{'s' if moved != 1 else ''} of '{name}' to {new} "
                 f"'{code_name(self.study, target)}'.")

        names = [c.name for c in list_codes(self.study) if c.id != code_id]
        self.push_screen(SplitCodeScreen(name, codings, names), answered)

    def open_codebook_entry(self, kind: str, item_id: int, done: Callable[[str | None], None]) -> None:
        """Edit a code's or theme's codebook entry; `done` gets what changed (None: nothing)."""
        from tacompanion.tui.dialogs.codebook_entry import CodebookEntryScreen

        self.push_screen(CodebookEntryScreen(kind, item_id), done)

    def action_framework(self) -> None:
        """The framework matrix: a written summary per participant and theme or guide question."""
        from tacompanion.tui.writing.framework import FrameworkScreen

        self.push_screen(FrameworkScreen())

    def open_framework_cell(self, participant_id: int, pseudonym: str, column: object) -> None:
        """One framework cell: the material on one side, the summary written on the other."""
        from tacompanion.tui.writing.framework_cell import FrameworkCellScreen

        self.push_screen(FrameworkCellScreen(participant_id, pseudonym, column))

    def open_framework_text(self, title: str, text: str) -> None:
        """A framework row or column read as one text."""
        from tacompanion.tui.writing.framework_text import FrameworkTextScreen

        self.push_screen(FrameworkTextScreen(title, text))

    def open_cooccurrence(self, code_id: int | None = None) -> None:
        from tacompanion.tui.thematic.cooccurrence import CoOccurrenceScreen

        self.push_screen(CoOccurrenceScreen(code_id))

    def open_prevalence_rule(self) -> None:
        from tacompanion.tui.thematic.prevalence_rule import PrevalenceRuleScreen

        self.push_screen(PrevalenceRuleScreen())

    def open_split_theme(self, theme_name: str, codes: list[tuple[int, str]],
                         answered: Callable[[tuple[str, list[int]] | None], None]) -> None:
        from tacompanion.tui.thematic.split_theme import SplitThemeScreen

        self.push_screen(SplitThemeScreen(theme_name, codes), answered)

    def action_agreement(self) -> None:
        """Compare two coders: ask which (the two with most codings offered
        first), then open the agreement screen."""
        self.open_agreement()

    def open_agreement(self, coder_a: str | None = None, coder_b: str | None = None) -> None:
        """The agreement screen on two coders; asks for whichever is not given."""
        from tacompanion.store.agreement import consensus_coder
        from tacompanion.store.codes import coders
        from tacompanion.tui.dialogs.picker import FuzzyPicker, Picked

        if coder_a and coder_b:
            from tacompanion.tui.thematic.agreement import AgreementScreen

            self.push_screen(AgreementScreen(coder_a, coder_b))
            return
        consensus = consensus_coder(self.study)
        names = [name for name, _ in sorted(coders(self.study), key=lambda c: (c[0] == consensus, -c[1]))
                 if name != coder_a]
        if len(names) + (1 if coder_a else 0) < 2:
            self.notify("Agreement needs codings by two coders; merge a co-coder's study first "
                        "(tacompanion merge FILE).", severity="warning")
            return
        items = list(enumerate(names))

        def picked(result: Picked | None) -> None:
            if result is None or result.item_id is None:
                return
            name = names[result.item_id]
            if coder_a:
                self.open_agreement(coder_a, name)
            else:
                self.open_agreement(name)

        title = f"Compare {coder_a} (A) with which coder (B)?" if coder_a else "Compare which coder (A)?"
        self.push_screen(FuzzyPicker(title, items), picked)

    def open_interview(self, interview_id: int, *, exit_on_end: bool) -> Screen:
        """The interview screen on an interview that exists (see begin_interview)."""
        from tacompanion.tui.interview.interview import InterviewScreen

        screen = InterviewScreen(interview_id, exit_on_end=exit_on_end)
        self.interview_id = interview_id
        self.push_screen(screen)
        return screen

    def open_audit(self) -> None:
        """The audit trail: every analytic decision, filtered by code, theme, coder or date."""
        from tacompanion.tui.writing.audit import AuditScreen

        self.push_screen(AuditScreen())

    def open_saturation(self) -> None:
        from tacompanion.tui.writing.saturation import SaturationScreen

        self.push_screen(SaturationScreen())

    def open_hints(self, code_id: int) -> None:
        """What else a code may fit: uncovered turns and notes alike its extracts."""
        from tacompanion.tui.coding.hints import HintsScreen

        self.push_screen(HintsScreen(code_id, coder=self.coder))

    def open_similar(self, kind: str, item_id: int) -> None:
        """Turns and notes like one turn ("turn", segment id) or note ("note", id)."""
        from tacompanion.tui.coding.hints import HintsScreen

        self.push_screen(HintsScreen(like=(kind, item_id)))

    def action_audit(self) -> None:
        self.open_audit()

    def action_thematic_map(self) -> None:
        """The thematic map, from anywhere: back to it when it is open below,
        else opened on top. Not over a dialog (finish or close that first)."""
        from textual.screen import ModalScreen

        from tacompanion.tui.thematic.thematic_map import ThemeMapScreen

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
    # The modules imported so far (Textual, Rich, ours) live as long as the
    # process: frozen, they are left out of the garbage collector's full
    # passes, which otherwise walk them all, tens of milliseconds at a time,
    # while screens are built and drawn (a third of the coding screen's first
    # paint). Objects made from here on are collected as usual.
    gc.freeze()
    try:
        app.run()
    finally:
        if getattr(app, "_player", None) is not None:
            app._player.stop()  # never leave a player running after the app
    if app.study_failure is not None:
        raise app.study_failure
    if app.return_code:
        raise SystemExit(app.return_code)  # Textual has printed what went wrong
    return app
