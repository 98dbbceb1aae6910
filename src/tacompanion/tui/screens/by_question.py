"""Answers by guide question: rows are the guide's questions, columns the
participants, each cell how many notes and transcript turns answer it.
Enter on a cell lists them; Enter on one opens coding mode right there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.store.by_question import Answer, ByQuestion, answers_by_question
from tacompanion.tui.widgets.key_footer import KeyFooter


class AnswersScreen(ModalScreen[Answer | None]):
    """The answers in one cell; Enter codes the chosen one."""

    CSS_PATH = "by_question.tcss"
    HELP_TITLE = "answers"
    BINDINGS = [Binding("escape,q", "close", "Close", id="answers.close")]

    def __init__(self, title: str, answers: list[Answer]) -> None:
        super().__init__()
        self.heading = title
        self.answers = answers

    def compose(self) -> ComposeResult:
        with Vertical(id="answers-box"):
            yield Label(self.heading, id="answers-title")
            yield OptionList(
                *[Option(f"[dim]{a.label}[/]\n{_escape(a.text)}", id=str(i)) for i, a in enumerate(self.answers)],
                id="answers",
            )
            yield Static("[dim]Enter codes it in coding mode · Esc closes[/]")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.answers[int(event.option.id)])

    def action_close(self) -> None:
        self.dismiss(None)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class ByQuestionScreen(Screen):
    CSS_PATH = "by_question.tcss"
    HELP_TITLE = "answers by question"
    BINDINGS = [
        Binding("enter", "open_cell", "Answers", id="by_question.open"),
        Binding("escape,q", "back", "Back", id="by_question.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="by-question-summary")
        yield DataTable(id="by-question", cursor_type="cell", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Answers by question"
        self.fill()

    def on_screen_resume(self) -> None:
        self.fill()

    def fill(self) -> None:
        self.data: ByQuestion = answers_by_question(self.app.study)
        table = self.query_one(DataTable)
        keep = table.cursor_coordinate
        table.clear(columns=True)
        data = self.data
        summary = self.query_one("#by-question-summary", Static)
        if data.guide is None:
            summary.update("No interview guide in this study yet: run an interview first.")
            return
        summary.update(
            f"[b]{_escape(data.guide.title)}[/b] · {len(data.guide.questions)} questions · "
            f"{len(data.participants)} participants (pilots out) · cells: notes and turns answering"
        )
        table.add_column("question", key="question")
        for p in data.participants:
            table.add_column(p, key=p)
        for q in data.guide.questions:
            text = q.text if len(q.text) <= 38 else q.text[:37] + "…"
            cells = [str(data.count(q.id, p) or "·") for p in data.participants]
            table.add_row(f"Q{q.number}. {text}", *cells, key=q.id)
        table.focus()
        if keep is not None and table.row_count:
            table.cursor_coordinate = keep
        elif table.row_count and data.participants:
            table.cursor_coordinate = (0, 1)

    def action_open_cell(self) -> None:
        table = self.query_one(DataTable)
        if self.data.guide is None or not table.row_count:
            return
        row, column = table.cursor_coordinate
        if column == 0:
            return
        question = self.data.guide.questions[row]
        participant = self.data.participants[column - 1]
        answers = self.data.cells.get((question.id, participant), [])
        if not answers:
            self.notify(f"{participant} has nothing under Q{question.number} yet")
            return

        def chosen(answer: Answer | None) -> None:
            if answer is None:
                return
            from tacompanion.tui.screens.coding import CodingScreen

            self.app.push_screen(CodingScreen(answer.doc_kind, answer.doc_key, self.app.coder, cursor=answer.index))

        self.app.push_screen(AnswersScreen(f"{participant} · Q{question.number}. {question.text}", answers), chosen)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open_cell()

    def action_back(self) -> None:
        self.app.pop_screen()
