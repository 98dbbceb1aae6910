"""The study's participants: pseudonym, pilot, how much data is theirs, and
their attributes. Rename (r), pilot yes/no (p), set or remove an attribute
(a, x), remove a participant (Delete), undo (u); keyboard only."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.core.attributes import show_value
from tacompanion.core.words import clip, plural
from tacompanion.store import history
from tacompanion.store.analysis import participants_in_analysis
from tacompanion.store.attributes import attribute_types, set_attribute, unset_attribute
from tacompanion.store.data_changes import participant_removal, remove_participant
from tacompanion.store.participants import participant_rows, rename_participant, set_pilot
from tacompanion.store.study import StudyError
from tacompanion.tui.dialogs.prompts import ConfirmScreen, PromptScreen
from tacompanion.tui.widgets.key_footer import KeyFooter


def participant_line(row: dict, width: int) -> Text:
    """'P3       pilot  1 tr  1 int   37 cod  profession nurse · years 11'."""
    line = Text()
    line.append(f"{clip(row['id'], width):<{width}}", style="bold")
    line.append(" pilot " if row["pilot"] else "       ", style="yellow" if row["pilot"] else "")
    line.append(f"{row['transcripts']:>3} tr {row['interviews']:>3} int {row['codings']:>5} cod  ", style="dim")
    attrs = " · ".join(f"{k} {show_value(v)}" for k, v in sorted(row["attributes"].items(),
                                                                 key=lambda kv: kv[0].casefold()))
    line.append(attrs or "no attributes", style="" if attrs else "dim")
    return line


class ParticipantsScreen(Screen):
    CSS_PATH = "participants.tcss"
    HELP_TITLE = "participants"
    BINDINGS = [
        Binding("r", "rename", "Rename", id="participants.rename"),
        Binding("p", "pilot", "Pilot yes/no", id="participants.pilot"),
        Binding("a", "set_attribute", "Set attribute", id="participants.set"),
        Binding("x", "unset_attribute", "Remove attribute", id="participants.unset", show=False),
        Binding("delete", "remove", "Remove", id="participants.remove"),
        Binding("u", "undo", "Undo", id="participants.undo"),
        Binding("escape,q", "back", "Back", id="participants.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="participants-summary")
        yield OptionList(id="participants")
        yield Static(id="participants-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Participants"
        self.refresh_list()
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    def refresh_list(self, keep: str | None = None) -> None:
        study = self.app.study
        listing = self.query_one(OptionList)
        if keep is None and listing.highlighted_option is not None:
            keep = listing.highlighted_option.id
        self.rows = participant_rows(study)
        width = min(max((len(r["id"]) for r in self.rows), default=8), 16)
        listing.clear_options()
        listing.add_options([Option(participant_line(r, width), id=r["id"]) for r in self.rows])
        pilots = sum(r["pilot"] for r in self.rows)
        types = attribute_types(study)
        summary = (f"{plural(len(self.rows), 'participant')}"
                   + (f", {pilots} pilot{'s' if pilots != 1 else ''} left out" if pilots else "")
                   + f" · N = {participants_in_analysis(study)}"
                   + (" · attributes: " + ", ".join(f"{k} ({v})" for k, v in types.items()) if types else ""))
        self.query_one("#participants-summary", Static).update(
            summary if self.rows else "No participants yet: import transcripts (home, a) or run an interview.")
        if self.rows:
            ids = [r["id"].casefold() for r in self.rows]
            index = ids.index(keep.casefold()) if keep and keep.casefold() in ids else 0
            listing.highlighted = index

    def selected(self) -> dict | None:
        option = self.query_one(OptionList).highlighted_option
        if option is None:
            return None
        return next((r for r in self.rows if r["id"] == option.id), None)

    def status(self, text: str) -> None:
        self.query_one("#participants-status", Static).update(text)

    def _try(self, action, *args, **kwargs):
        try:
            return action(self.app.study, *args, **kwargs)
        except StudyError as exc:
            self.status(f"[b red]{exc}[/]")
            return None

    # -- actions ---------------------------------------------------------------------------

    def action_rename(self) -> None:
        row = self.selected()
        if row is None:
            return

        def answered(value: str | None) -> None:
            if not value or value.strip() == row["id"]:
                return
            got = self._try(rename_participant, row["id"], value)
            if got is None:
                return
            note = (f" · {got['speaker_turns']} turns still carry the speaker label {got['old']!r}: "
                    f"a redaction hides it in exports" if got["speaker_turns"] else "")
            self.status(f"Renamed {got['old']} to {got['new']}{note}")
            self.refresh_list(keep=got["new"])

        self.app.push_screen(PromptScreen(f"New pseudonym for {row['id']}:", row["id"]), answered)

    def action_pilot(self) -> None:
        row = self.selected()
        if row is None:
            return
        before = participants_in_analysis(self.app.study)
        got = self._try(set_pilot, row["id"], not row["pilot"])
        if got is None:
            return
        after = participants_in_analysis(self.app.study)
        what = "a pilot" if got["pilot"] else "not a pilot"
        self.status(f"{got['pseudonym']} is now {what}: N = {after}"
                    + (f" (was {before})" if after != before else "") + "; every label follows")
        self.refresh_list(keep=row["id"])

    def action_set_attribute(self) -> None:
        row = self.selected()
        if row is None:
            return
        types = attribute_types(self.app.study)
        known = ", ".join(types) if types else "e.g. profession, years, site"

        def named(name: str | None) -> None:
            if not name or not name.strip():
                return
            key = next((k for k in row["attributes"] if k.casefold() == name.strip().casefold()), None)
            current = show_value(row["attributes"][key]) if key else ""
            kind = next((v for k, v in types.items() if k.casefold() == name.strip().casefold()), None)
            hint = f" ({kind})" if kind else " (11, 2.5, yes/no, 2026-03-01 or text)"

            def valued(value: str | None) -> None:
                if value is None or not value.strip():
                    return
                got = self._try(set_attribute, row["id"], name, value)
                if got is not None:
                    self.status(f"{got['pseudonym']}: {got['name']} = {show_value(got['value'])} ({got['type']})")
                    self.refresh_list(keep=row["id"])

            self.app.push_screen(PromptScreen(f"{name.strip()} of {row['id']}{hint}:", current), valued)

        self.app.push_screen(PromptScreen(f"Attribute of {row['id']} ({known}):"), named)

    def action_unset_attribute(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not row["attributes"]:
            self.status(f"{row['id']} has no attributes")
            return

        def answered(name: str | None) -> None:
            if name and name.strip():
                got = self._try(unset_attribute, row["id"], name.strip())
                if got is not None:
                    self.status(f"{got['pseudonym']}: {got['name']} removed")
                    self.refresh_list(keep=row["id"])

        have = ", ".join(sorted(row["attributes"], key=str.casefold))
        self.app.push_screen(PromptScreen(f"Remove which attribute of {row['id']} ({have})?"), answered)

    def action_remove(self) -> None:
        row = self.selected()
        if row is None:
            return
        plan = self._try(participant_removal, row["id"])
        if plan is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            gone = self._try(remove_participant, row["id"])
            if gone is not None:
                self.status(f"Removed {gone.what} ({gone.lines()}); backup first: {gone.backup.name} · u undoes")
                self.refresh_list()

        self.app.push_screen(ConfirmScreen(
            f"Remove {plan.what} and with it {plan.lines()}? A backup of the study is written first, "
            "and u undoes it."), answered)

    def action_undo(self) -> None:
        done = history.undo(self.app.study)
        self.status(f"Undone: {done.label}" if done else "Nothing to undo")
        self.refresh_list()

    def action_back(self) -> None:
        self.app.pop_screen()
