"""The transcripts of the study, per participant: words, turns, how much is
coded and whether each has been read; Enter opens one. Each participant's
interview notes are listed beside their transcripts (Enter codes them: where
there is no recording, the notes are the data). A transcript can be moved to
another participant (m), renamed (n) or removed (Delete); u undoes."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.core.document import clock
from tacompanion.core.words import clip
from tacompanion.store import history
from tacompanion.store.data_changes import move_transcript, remove_transcript, rename_transcript, transcript_removal
from tacompanion.store.documents import DocumentInfo, list_documents
from tacompanion.store.study import StudyError
from tacompanion.store.transcripts import TranscriptInfo, list_transcripts, set_read
from tacompanion.tui.dialogs.prompts import ConfirmScreen, PromptScreen
from tacompanion.tui.widgets.key_footer import KeyFooter


def transcript_row(t: TranscriptInfo, name_width: int = 28) -> Text:
    row = Text("  ")
    row.append("✓ " if t.read_at else "· ", style="green" if t.read_at else "dim")
    name = clip(t.file_name, name_width)
    row.append(f"{name:<{name_width}}")
    row.append(f" {t.words:>7,} words {t.segments:>5} turns", style="")
    row.append(f" {round(100 * t.coded_share):>3}% coded", style="dim" if not t.coded_segments else "")
    return row


def notes_row(d: DocumentInfo, name_width: int = 28) -> Text:
    row = Text("  ")
    row.append("✎ ", style="dim")
    name = clip(d.title, name_width)
    row.append(f"{name:<{name_width}}")
    row.append(f" {d.blocks:>7} notes      ", style="")
    share = round(100 * d.coded_blocks / d.blocks) if d.blocks else 0
    row.append(f" {share:>3}% coded", style="dim" if not d.coded_blocks else "")
    return row


def participant_row(name: str, pilot: bool, items: list[TranscriptInfo]) -> Text:
    row = Text(name, style="bold")
    if pilot:
        row.append(" (pilot)", style="dim")
    read = sum(1 for t in items if t.read_at)
    row.append(f"  {read}/{len(items)} read" if items else "  interview notes only", style="dim")
    return row


class TranscriptsScreen(Screen):
    CSS_PATH = "transcripts.tcss"
    HELP_TITLE = "transcripts"
    BINDINGS = [
        Binding("r", "toggle_read", "Mark read", id="transcripts.read"),
        Binding("a", "app.import_transcripts", "Add transcripts", id="transcripts.import"),
        Binding("slash", "app.search", "Search", id="transcripts.search"),
        Binding("m", "move", "Move to participant", id="transcripts.move"),
        Binding("n", "rename", "Rename", id="transcripts.rename", show=False),
        Binding("delete", "remove", "Remove", id="transcripts.remove", show=False),
        Binding("u", "undo", "Undo", id="transcripts.undo", show=False),
        Binding("A", "attach_recording", "Attach recording", id="transcripts.attach_recording", show=False),
        Binding("escape,q", "close", "Back", id="transcripts.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="transcripts-summary")
        yield OptionList(id="transcripts")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one("#transcripts", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    def refresh_list(self) -> None:
        items = list_transcripts(self.app.study)
        self.items = {t.id: t for t in items}
        notes: dict[str, list[DocumentInfo]] = {}
        for d in list_documents(self.app.study):
            if d.kind == "notes":
                notes.setdefault(d.participant, []).append(d)
        listing = self.query_one("#transcripts", OptionList)
        keep = listing.highlighted_option.id if listing.highlighted_option else None
        listing.clear_options()
        width = min(max((len(t.file_name) for t in items), default=10), 28)
        options: list[Option] = []
        by_participant: dict[str, list[TranscriptInfo]] = {}
        for t in items:
            by_participant.setdefault(t.participant, []).append(t)
        for name in notes:  # participants with interview notes but no transcript yet
            by_participant.setdefault(name, [])
        for name, group in by_participant.items():
            pilot = group[0].pilot if group else any(d.pilot for d in notes[name])
            options.append(Option(participant_row(name, pilot, group), disabled=True))
            options.extend(Option(transcript_row(t, width), id=str(t.id)) for t in group)
            options.extend(Option(notes_row(d, width), id=f"notes:{d.key}") for d in notes.get(name, []))
        listing.add_options(options)
        read = sum(1 for t in items if t.read_at)
        summary = self.query_one("#transcripts-summary", Static)
        if items:
            summary.update(
                f"{len(items)} transcripts of {len(by_participant)} participants · {read} read · "
                f"{sum(t.words for t in items):,} words"
            )
        else:
            summary.update("No transcripts yet. Press [b]a[/b] to add .txt .md .docx .vtt or .srt files."
                           + (" Interview notes are listed below." if notes else ""))
        if keep is not None:
            try:
                listing.highlighted = listing.get_option_index(keep)
            except Exception:  # noqa: BLE001 - the transcript went away
                pass
        elif items:
            listing.highlighted = 1

    def selected(self) -> TranscriptInfo | None:
        option = self.query_one("#transcripts", OptionList).highlighted_option
        if option is None or option.id is None or not option.id.isdigit():
            return None
        return self.items.get(int(option.id))

    @on(OptionList.OptionSelected, "#transcripts")
    def open_transcript(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        if event.option.id.startswith("notes:"):
            self.app.open_coding("notes", int(event.option.id[6:]))
            return
        self.app.open_transcript(int(event.option.id))

    def action_toggle_read(self) -> None:
        t = self.selected()
        if t is None:
            return
        set_read(self.app.study, t.id, not t.read_at)
        self.refresh_list()

    # -- moving, renaming, removing (store/data_changes.py) ---------------------------

    def _transcript_or_say(self) -> TranscriptInfo | None:
        """The highlighted transcript; on an interview's notes, say what to do instead."""
        t = self.selected()
        if t is None:
            self.notify("Highlight a transcript: interview notes go with their participant "
                        "(the participants screen, home p)", severity="warning")
        return t

    def _done(self, change, *args, message, **kwargs) -> None:
        try:
            got = change(self.app.study, *args, **kwargs)
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(message(got))
        self.refresh_list()

    def action_move(self) -> None:
        t = self._transcript_or_say()
        if t is None:
            return

        def answered(to: str | None) -> None:
            if to and to.strip():
                self._done(move_transcript, str(t.id), to, message=lambda g: (
                    f"Moved {g['file_name']} from {g['from']} to {g['to']}"
                    + (" (a new participant)" if g["new_participant"] else "")
                    + f", with its {g['codings']} codings"
                    + (f"; {g['from']} has nothing left" if not g["left"] else "")))

        self.app.push_screen(PromptScreen(f"Move {t.file_name} from {t.participant} to participant:"), answered)

    def action_rename(self) -> None:
        t = self._transcript_or_say()
        if t is None:
            return

        def answered(name: str | None) -> None:
            if name and name.strip() and name.strip() != t.file_name:
                self._done(rename_transcript, str(t.id), name,
                           message=lambda g: f"Renamed {g['old']} to {g['new']}")

        self.app.push_screen(PromptScreen(f"New name for {t.participant}'s {t.file_name}:", t.file_name), answered)

    def action_remove(self) -> None:
        t = self._transcript_or_say()
        if t is None:
            return
        try:
            plan = transcript_removal(self.app.study, str(t.id))
        except StudyError as exc:
            self.notify(str(exc), severity="error")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._done(remove_transcript, str(t.id), message=lambda g: (
                    f"Removed {g.what} ({g.lines()}); backup first: {g.backup.name}; u undoes"))

        self.app.push_screen(ConfirmScreen(
            f"Remove {plan.what} and with it {plan.lines()}? A backup of the study is written "
            "first, and u undoes it."), answered)

    def action_attach_recording(self) -> None:
        """Attach a recording (a path typed) to the highlighted transcript, or
        to the interview whose notes are highlighted. Never copied."""
        option = self.query_one("#transcripts", OptionList).highlighted_option
        oid = option.id if option is not None else None
        t = self.selected()
        if t is None and not (oid or "").startswith("notes:"):
            self.notify("Highlight a transcript or an interview's notes to attach its recording.",
                        severity="warning")
            return
        interview_id = int(oid[6:]) if t is None and oid else None
        target = t.file_name if t is not None else "these interview notes"

        def answered(path: str | None) -> None:
            import os

            from tacompanion.formats.media_probe import probe
            from tacompanion.store.media import add_media, participant_of_interview

            if not path or not path.strip():
                return
            path = os.path.expanduser(path.strip())
            if not os.path.isfile(path):
                self.notify(f"{path}: no such file", severity="error")
                return
            try:
                facts = probe(path)
            except OSError as exc:
                self.notify(f"{path}: cannot read ({exc.strerror or exc})", severity="error")
                return
            participant = t.participant if t is not None else participant_of_interview(
                self.app.study, interview_id)
            try:
                media = add_media(self.app.study, path, facts, participant=participant,
                                  interview_id=interview_id, transcript_id=t.id if t is not None else None)
            except StudyError as exc:
                self.notify(str(exc), severity="error")
                return
            length = "length unknown" if media.duration_ms is None else clock(media.duration_ms)
            self.notify(f"Attached {media.path} ({length}) to {target}; p plays from a turn or note.")

        self.app.push_screen(PromptScreen(f"Path of the recording of {target} (never copied):"), answered)

    def action_undo(self) -> None:
        done = history.undo(self.app.study)
        self.notify(f"Undone: {done.label}" if done else "Nothing to undo")
        self.refresh_list()

    def action_close(self) -> None:
        self.app.pop_screen()
