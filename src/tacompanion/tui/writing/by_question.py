"""Answers by guide question: rows are the guide's questions, columns the
participants, each cell how many notes and transcript turns answer it.
Enter on a cell lists them; Enter on one opens coding mode right there."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from tacompanion.store.by_question import Answer, ByQuestion, answers_by_question
from tacompanion.tui.playback import PlaysRecording, playback_bindings
from tacompanion.tui.study_view import StudyViewScreen
from tacompanion.tui.widgets.key_footer import KeyFooter


class AnswersScreen(PlaysRecording, ModalScreen[Answer | None]):
    """The answers in one cell; Enter codes the chosen one."""

    CSS_PATH = "by_question.tcss"
    HELP_TITLE = "answers"
    BINDINGS = [Binding("escape,q", "close", "Close", id="answers.close"), *playback_bindings("answers")]

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
            yield Static("[dim]Enter codes it in coding mode · p plays its recording · Esc closes[/]")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.answers[int(event.option.id)])

    def playable_item(self) -> tuple[str, int] | None:
        """The highlighted answer: its turn, or its note."""
        from tacompanion.store.documents import notes_document
        from tacompanion.store.transcripts import segment_id_at

        highlighted = self.query_one(OptionList).highlighted
        if highlighted is None:
            return None
        a = self.answers[highlighted]
        if a.doc_kind == "transcript":
            segment_id = segment_id_at(self.app.study, a.doc_key, a.index)
            return ("segment", segment_id) if segment_id is not None else None
        blocks = notes_document(self.app.study, a.doc_key).blocks
        return ("note", blocks[a.index].ref.note_id) if a.index < len(blocks) else None

    def action_close(self) -> None:
        self.dismiss(None)


def _escape(text: str) -> str:
    from tacompanion.core.words import escape_markup as escape

    return escape(text)


# The question column: never narrower than this (the table scrolls sideways
# instead, the question column staying in place), never wider than its text.
MIN_QUESTION_WIDTH = 24


def question_width(total: int, participants: list[str], longest: int) -> int:
    """Cells for the question column in a table `total` cells wide: what the
    participant columns leave (each cell has one cell of padding each side,
    and one column is kept for the scrollbar)."""
    others = sum(max(len(p), 2) + 2 for p in participants)
    room = total - others - 2 - 1
    return max(MIN_QUESTION_WIDTH, min(longest, room))


def truncate(text: str, width: int) -> Text:
    """`text` cut to `width` terminal cells, with an ellipsis when cut."""
    label = Text(text, no_wrap=True)
    label.truncate(width, overflow="ellipsis")
    return label


class ByQuestionScreen(StudyViewScreen):
    """Rows: the questions of one guide; columns: the participants whose
    interviews or transcripts followed it. `s` switches guide."""

    CSS_PATH = "by_question.tcss"
    HELP_TITLE = "answers by question"
    BINDINGS = [
        Binding("enter", "open_cell", "Answers", id="by_question.open"),
        Binding("s", "switch_guide", "Guide", id="by_question.guide"),
        Binding("escape,q", "back", "Back", id="by_question.back"),
    ]

    def __init__(self, guide_id: int | None = None) -> None:
        super().__init__()
        self.guide_id = guide_id  # None: the study's default guide
        self.data: ByQuestion | None = None
        self.built_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="by-question-summary")
        table = DataTable(id="by-question", cursor_type="cell", zebra_stripes=True)
        table.fixed_columns = 1  # the questions stay in view when the table scrolls sideways
        yield table
        yield Static(id="by-question-current")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Answers by question"

    # Filled on ScreenResume (StudyViewScreen), which is also sent when the
    # screen is first shown: never on mount as well, so the table is not built
    # twice before its first frame; coming back from a screen above refills
    # only when the study changed.

    def redraw(self) -> None:
        self.fill()

    def on_resize(self, event: events.Resize) -> None:
        if self.data is not None and self.app.size.width != self.built_width:
            self.build_table()

    def fill(self) -> None:
        self.data = answers_by_question(self.app.study, self.guide_id)
        self.mark_drawn()  # after: placing transcript turns may write to the study
        data = self.data
        if data.choice is not None:
            self.guide_id = data.choice.id
        summary = self.query_one("#by-question-summary", Static)
        if data.guide is None:
            summary.update("No interview guide in this study yet: run an interview first.")
            self.query_one(DataTable).clear(columns=True)
            self.query_one("#by-question-current", Static).update("")
            return
        version = f" (version {_escape(data.guide.version)})" if data.guide.version else ""
        parts = [
            f"[b]{_escape(data.guide.title)}[/b]{version}",
            f"{len(data.guide.questions)} questions",
            f"{len(data.participants)} participant{'' if len(data.participants) == 1 else 's'}",
        ]
        if len(data.guides) > 1:
            number = 1 + [g.id for g in data.guides].index(data.choice.id)
            parts.append(f"guide {number} of {len(data.guides)}")
        if data.unassigned:
            parts.append(f"{data.unassigned} transcript{'s' if data.unassigned != 1 else ''} without a guide")
        summary.update(" · ".join(parts))
        self.build_table()

    def build_table(self) -> None:
        data = self.data
        table = self.query_one(DataTable)
        keep = table.cursor_coordinate if table.row_count else None
        table.clear(columns=True)
        if data is None or data.guide is None:
            return
        self.built_width = self.app.size.width
        labels = [f"Q{q.number}. {' '.join(q.text.split())}" for q in data.guide.questions]
        width = question_width(self.built_width, data.participants, max(map(len, labels), default=0))
        # Fixed widths: measured widths settle only after the first frame, and
        # a frame drawn before that leaves the rows out of line with the header.
        table.add_column("question", key="question", width=width)
        for p in data.participants:
            table.add_column(p, key=p, width=max(len(p), 2))
        for q, label in zip(data.guide.questions, labels):
            cells = [str(data.count(q.id, p) or "·") for p in data.participants]
            table.add_row(truncate(label, width), *cells, key=q.id)
        table.focus()
        if keep is not None and keep.row < table.row_count and keep.column < len(table.columns):
            table.cursor_coordinate = keep
        elif data.participants:
            table.cursor_coordinate = (0, 1)
        self.show_current()

    def show_current(self) -> None:
        """The full text of the question under the cursor, and the cell's count."""
        current = self.query_one("#by-question-current", Static)
        data = self.data
        table = self.query_one(DataTable)
        if data is None or data.guide is None or not table.row_count:
            current.update("")
            return
        row, column = table.cursor_coordinate
        question = data.guide.questions[row]
        section = data.guide.sections[question.section_index].title
        text = f"[dim]{_escape(section)}[/]  [b]Q{question.number}.[/b] {_escape(question.text)}"
        if column > 0:
            participant = data.participants[column - 1]
            n = data.count(question.id, participant)
            text += (
                f"\n[dim]{_escape(participant)}: {n} answer{'' if n == 1 else 's'} · Enter lists them[/]" if n
                else f"\n[dim]{_escape(participant)}: nothing under Q{question.number} yet[/]"
            )
        current.update(text)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.show_current()

    def action_switch_guide(self) -> None:
        from tacompanion.tui.dialogs.picker import FuzzyPicker, Picked

        guides = self.data.guides if self.data else []
        if len(guides) < 2:
            self.notify("This study has one guide." if guides else "No interview guide in this study yet.")
            return
        items = [(g.id, g.label + ("  (shown)" if g.id == self.guide_id else "")) for g in guides]

        def picked(result: Picked | None) -> None:
            if result is None or result.item_id is None or result.item_id == self.guide_id:
                return
            self.guide_id = result.item_id
            self.query_one(DataTable).clear(columns=True)  # a new guide starts at its first question
            self.fill()

        self.app.push_screen(FuzzyPicker("Answers by question of which guide?", items), picked)

    def action_open_cell(self) -> None:
        table = self.query_one(DataTable)
        if self.data is None or self.data.guide is None or not table.row_count:
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
            self.app.open_coding(answer.doc_kind, answer.doc_key, cursor=answer.index)

        self.app.push_screen(AnswersScreen(f"{participant} · Q{question.number}. {question.text}", answers), chosen)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open_cell()

    def action_back(self) -> None:
        self.app.pop_screen()
