"""Back up the study from the app: a path, prefilled, and Enter."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tacompanion.core.words import escape_markup as escape
from tacompanion.store.backup import backup_study
from tacompanion.store.study import StudyError


def suggested_backup_path(study_path: Path, now: datetime) -> Path:
    """`study-backup-20261126-0915.db` beside the study."""
    stamp = now.strftime("%Y%m%d-%H%M")
    return study_path.with_name(f"{study_path.stem}-backup-{stamp}{study_path.suffix or '.db'}")


class BackupScreen(ModalScreen[Path | None]):
    CSS_PATH = "backup.tcss"
    HELP_TITLE = "backup"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="backup.cancel")]

    def compose(self) -> ComposeResult:
        study = self.app.study
        with Vertical(id="backup-box"):
            yield Label("Back up the study to (Enter to write, Esc to cancel):")
            yield Input(str(suggested_backup_path(study.path, datetime.now())), id="backup-path")
            yield Static("", id="backup-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            dest = backup_study(self.app.study, Path(event.value).expanduser())
        except StudyError as exc:
            self.query_one("#backup-error", Static).update(f"[b red]{escape(str(exc))}[/]")
            return
        self.app.notify(f"Backed up to {dest}")
        self.dismiss(dest)

    def action_cancel(self) -> None:
        self.dismiss(None)
