"""Import transcripts from the app: files, folders or globs, a participant
when it cannot be told from the files, and a progress bar for big batches.

The import runs in a worker thread with its own connection to the study;
the whole batch is checked first, and nothing is written if any file is
refused (the same rule as `tacompanion import`).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, ProgressBar, Static

from tacompanion.core.words import escape_markup as escape
from tacompanion.store.study import Study, StudyError
from tacompanion.tui.familiarise.participant_question import WhichParticipantScreen


@dataclass(frozen=True)
class ImportOutcome:
    lines: list[str]
    imported: int
    failed: bool
    questions: dict[str, list[str]] = field(default_factory=dict)  # path -> speakers
    request: tuple = ()  # (paths, participant, pilot, replace, assign) to run again


class ImportScreen(ModalScreen[int]):
    """Dismisses with the number of transcripts imported."""

    CSS_PATH = "import_transcripts.tcss"
    HELP_TITLE = "import transcripts"
    # Enter imports whatever has the focus (a checkbox would take it as a
    # toggle); Space ticks the boxes.
    BINDINGS = [
        Binding("enter", "import", "Import", id="import.run", priority=True),
        Binding("escape", "close", "Close", id="import.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.imported = 0
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box"):
            yield Label("[b]Import transcripts[/b]  .txt .md .docx .vtt .srt")
            yield Label("Files, folders or globs (quote paths with spaces):")
            yield Input(placeholder="~/interviews/*.docx", id="import-paths")
            yield Label("Participant pseudonym, when the files do not say (optional):")
            with Horizontal(id="import-options"):
                yield Input(placeholder="P3", id="import-participant")
                yield Checkbox("pilot", id="import-pilot")
                yield Checkbox("replace", id="import-replace")
            yield ProgressBar(id="import-progress", show_eta=False)
            with VerticalScroll(id="import-log-box"):
                yield Static("[dim]Enter imports; Space ticks a box; Esc closes.[/]", id="import-log")

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-paths", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.action_import()

    def action_import(self) -> None:
        if self.busy:
            return
        try:
            paths = shlex.split(self.query_one("#import-paths", Input).value)
        except ValueError as exc:
            self.show([f"[b red]{escape(str(exc))}[/]"])
            return
        if not paths:
            self.query_one("#import-paths", Input).focus()
            self.show(["[b red]Type a file, a folder or a glob first.[/]"])
            return
        participant = self.query_one("#import-participant", Input).value.strip() or None
        pilot = self.query_one("#import-pilot", Checkbox).value
        replace = self.query_one("#import-replace", Checkbox).value
        self.busy = True
        self.show(["Reading…"])
        self.run_import(paths, participant, pilot, replace, {})

    @work(thread=True, exclusive=True, group="import")
    def run_import(
        self, paths: list[str], participant: str | None, pilot: bool, replace: bool,
        assign: dict[str, str],
    ) -> None:
        from tacompanion.core.words import escape_markup as escape
        from tacompanion.formats.transcript_import import apply_import, plan_import

        def progress(done: int, total: int, path: str) -> None:
            self.app.call_from_thread(self.set_progress, done, total)

        lines: list[str] = []
        imported = 0
        failed = False
        questions: dict[str, list[str]] = {}
        try:
            # SQLite connections belong to one thread: this one opens its own.
            with Study.open(self.app.study.path, create=False) as study:
                plan = plan_import(
                    study, paths, participant=participant, replace=replace, progress=progress,
                    assign=assign,
                )
                if plan.questions and len(plan.questions) == len(plan.errors):
                    failed = True  # only questions: ask them, then run again
                    questions = plan.questions
                elif not plan.ok:
                    failed = True
                    fine = len(plan.items)
                    lines = [
                        "[b red]Nothing imported.[/] Fix these (or leave them out) and press Enter again"
                        + (f"; the other {fine} file{'s' if fine != 1 else ''} are fine:" if fine else ":")
                    ]
                    lines += [f"  {escape(e)}" for e in plan.errors]
                    if plan.questions:
                        lines.append(
                            "[b]Which speaker is the participant?[/] Type the pseudonym in "
                            "Participant (it applies to every file of this import)."
                        )
                else:
                    results = apply_import(study, plan, pilot=pilot, replace=replace, progress=progress)
                    imported = len(results)
                    for r in results:
                        verb = "replaced" if r.replaced else "imported"
                        lines.append(
                            f"[green]✓[/] {verb} {escape(r.file_name)} for [b]{escape(r.participant)}[/b]: "
                            f"{r.segments} turns, {r.words:,} words"
                        )
        except StudyError as exc:
            failed = True
            lines = [f"[b red]{escape(str(exc))}[/]"]
        self.app.call_from_thread(
            self.finished,
            ImportOutcome(lines, imported, failed, questions, (paths, participant, pilot, replace, assign)),
        )

    def set_progress(self, done: int, total: int) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = total >= 5
        bar.update(total=total, progress=done)

    def finished(self, outcome: ImportOutcome) -> None:
        if outcome.questions:
            self.ask(outcome)
            return
        self.busy = False
        self.imported += outcome.imported
        self.query_one("#import-progress").display = False
        summary = (
            [f"[b]{outcome.imported} transcript{'s' if outcome.imported != 1 else ''} imported.[/b] "
             "Esc closes; or import more."]
            if not outcome.failed else []
        )
        self.show(outcome.lines + summary)
        if not outcome.failed:
            self.query_one("#import-paths", Input).value = ""

    @work(exclusive=True, group="ask")
    async def ask(self, outcome: ImportOutcome) -> None:
        """One question per file whose participant is unclear, then import again."""
        paths, participant, pilot, replace, assign = outcome.request
        answers = dict(assign)
        for path, speakers in outcome.questions.items():
            answer = await self.app.push_screen_wait(WhichParticipantScreen(path, speakers))
            if answer is None:
                self.busy = False
                self.query_one("#import-progress").display = False
                self.show([f"[b red]Nothing imported:[/] no participant chosen for {path}."])
                return
            answers[path] = answer
        self.show(["Importing…"])
        self.run_import(paths, participant, pilot, replace, answers)

    def show(self, lines: list[str]) -> None:
        self.query_one("#import-log", Static).update("\n".join(lines))

    def action_close(self) -> None:
        if not self.busy:
            self.dismiss(self.imported)
