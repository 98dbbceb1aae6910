"""Small modal dialogs: a one-line prompt, a yes/no question, a memo editor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from tacompanion.tui.widgets.key_footer import KeyFooter


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text: Enter answers, Esc cancels."""

    CSS_PATH = "prompts.tcss"
    HELP_TITLE = "prompt"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, initial: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.initial = initial
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Input(self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static("[dim]Enter to confirm · Esc to cancel[/]")
        yield KeyFooter()  # over the footer of the screen below, whose keys do not work now

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TypingSettled(Message):
    """Posted through the text area when a save key is pressed: it reaches the
    dialog only after every key (or paste) queued before the save key has been
    put into the text, so the save sees all of it."""

    def __init__(self, keep: bool) -> None:
        super().__init__()
        self.keep = keep


class ClosesBehindTyping:
    """For an editor of the user's text: its save and discard keys are
    priority bindings (Esc must not reach the text box), so they run as soon
    as the app reads them, while keys typed or pasted just before may still
    wait in the text box's queue. The closing is posted through that queue
    (TypingSettled), behind them; the editor handles it in
    `on_typing_settled`. TYPING_WIDGET is the text box's class."""

    TYPING_WIDGET: type
    _leaving = False

    def action_discard(self) -> None:
        self._close(keep=False)

    def _close(self, *, keep: bool) -> None:
        if self._leaving:
            return
        self._leaving = True
        self.query_one(self.TYPING_WIDGET).post_message(TypingSettled(keep))


class LineEditScreen(ClosesBehindTyping, PromptScreen):
    """Edit one line of the user's own text (a code's description): as in the
    memo editor, Enter or Esc saves and says so; Ctrl+G discards."""

    HELP_TITLE = "edit a line"
    BINDINGS = [
        Binding("escape,ctrl+s", "save", "Save and close", id="line.save", priority=True),
        Binding("ctrl+g", "discard", "Discard the changes", id="line.discard", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Input(self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static("[dim]Enter or Esc saves · Ctrl+G discards the changes[/]")
        yield KeyFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # not PromptScreen's handler as well
        self.action_save()

    TYPING_WIDGET = Input

    def action_save(self) -> None:
        self._close(keep=True)

    def on_typing_settled(self, message: TypingSettled) -> None:
        message.stop()
        value = self.query_one(Input).value
        if message.keep:
            if value != self.initial:
                self.app.notify("Saved")
            self.dismiss(value)
            return
        if value != self.initial:
            self.app.notify("Changes discarded: the text is as it was", severity="warning")
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: y or Enter confirms, n or Esc declines."""

    CSS_PATH = "prompts.tcss"
    HELP_TITLE = "confirm"
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Static("[b]y[/b]/Enter yes · [b]n[/b]/Esc no")
        yield KeyFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class MemoScreen(ClosesBehindTyping, ModalScreen[str | None]):
    """Write a memo. Esc or Ctrl+S closes and keeps what was written: closing
    never loses a memo (delete its text to remove it). Ctrl+G, the one way to
    throw the changes away, must be asked for by name (Emacs's "quit")."""

    CSS_PATH = "prompts.tcss"
    HELP_TITLE = "memo"
    BINDINGS = [
        Binding("escape,ctrl+s", "done", "Save and close", id="memo.done", priority=True),
        Binding("ctrl+g", "discard", "Discard the changes", id="memo.discard", priority=True),
    ]

    def __init__(self, title: str, text: str, hint: str = "an empty memo is removed") -> None:
        super().__init__()
        self.memo_title = title
        self.text = text
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog memo"):
            yield Label(self.memo_title, classes="dialog-title")
            yield TextArea(self.text, id="memo-text", soft_wrap=True)
            yield Static(f"[dim]Enter starts a new line · Esc or Ctrl+S saves and closes · "
                         f"Ctrl+G discards the changes · {self.hint}[/]")
        yield KeyFooter()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    TYPING_WIDGET = TextArea

    def action_done(self) -> None:
        self._close(keep=True)

    def on_typing_settled(self, message: TypingSettled) -> None:
        message.stop()
        text = self.query_one(TextArea).text
        if message.keep:
            if text != self.text:
                self.app.notify("Saved" if text.strip() else "Emptied: the memo is removed")
            self.dismiss(text)
            return
        if text != self.text:
            self.app.notify("Changes discarded: the text is as it was", severity="warning")
        self.dismiss(None)  # callers keep the memo as it was
