"""The answers-by-question screen: one guide at a time (`s` switches), a
question column as wide as the terminal allows, rows in line with the header."""

from __future__ import annotations

import pytest
from rich.console import Console

from tacompanion.tui.app import TacompanionApp

from .test_by_question_guides import MBT_TITLE, ONBOARDING, two_guides  # noqa: F401 - a fixture


def screen_lines(app) -> list[str]:
    """The screen as text, as the terminal shows it."""
    update = app.screen._compositor.render_update(full=True)
    console = Console(width=app.size.width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(update)
    return console.export_text().splitlines()


def assert_rows_line_up(app) -> None:
    """Every participant column sits under its header in every row."""
    table = app.screen.query_one("#by-question")
    lines = screen_lines(app)
    top = next(i for i, line in enumerate(lines) if line.lstrip().startswith("question "))
    header = lines[top]
    for p in app.screen.data.participants:
        x = header.index(f" {p}") + 1
        for line in lines[top + 1: top + 1 + table.row_count]:
            assert line[x] in "·0123456789", (p, line)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_the_question_column_fits_the_terminal_and_rows_stay_in_line(two_guides, size):
    from tacompanion.tui.writing.by_question import MIN_QUESTION_WIDTH, ByQuestionScreen

    study, mbt_id, onboarding_id = two_guides
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=size) as pilot:
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ByQuestionScreen)
        table = screen.query_one("#by-question")
        width = table.columns["question"].get_render_width(table) - 2
        longest = max(len(f"Q{q.number}. {q.text}") for q in screen.data.guide.questions)
        assert MIN_QUESTION_WIDTH <= width <= size[0] - 10
        if size[0] >= 200:
            assert width == longest  # room for every question in full
        labels = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert all(len(label) <= width for label in labels)
        assert any(label.endswith("…") for label in labels) == (longest > width)
        assert_rows_line_up(app)
        await pilot.press("down", "down", "right")
        await pilot.pause()
        assert table.cursor_coordinate == (2, 2)
        assert_rows_line_up(app)
        q3 = screen.data.guide.questions[2]
        current = str(screen.query_one("#by-question-current").render())
        assert f"Q3. {q3.text}" in " ".join(current.split()).replace("\n", " ")
        assert "T3: 4 answers" in current


async def test_s_switches_guide_and_the_view_never_mixes_them(two_guides):
    from tacompanion.tui.dialogs.picker import FuzzyPicker
    from tacompanion.tui.writing.by_question import ByQuestionScreen

    study, mbt_id, onboarding_id = two_guides
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#by-question")
        assert [str(c.label) for c in table.columns.values()] == ["question", "T1", "T3"]
        assert "guide 1 of 2" in str(screen.query_one("#by-question-summary").render())
        await pilot.press("s")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, FuzzyPicker)
        assert [label for _, label in picker.items] == [
            f"{MBT_TITLE} (version 1.0) · 2 interviews  (shown)",
            f"{ONBOARDING.title} (version 1.0) · 1 interview",
        ]
        await pilot.press(*"onboarding", "enter")
        await pilot.pause()
        assert app.screen is screen and isinstance(screen, ByQuestionScreen)
        assert screen.data.choice.id == onboarding_id
        assert [str(c.label) for c in table.columns.values()] == ["question", "P9"]
        assert [str(c) for c in table.get_row(ONBOARDING.questions[0].id)][1:] == ["1"]
        assert table.cursor_coordinate == (0, 1)
        assert_rows_line_up(app)
        await pilot.press("enter")
        await pilot.pause()
        assert [a.text for a in app.screen.answers] == ["I lead a small design team"]


async def test_coming_back_from_coding_shows_a_new_hand_mark(two_guides):
    from tacompanion.tui.coding.coding import CodingScreen
    from tacompanion.tui.writing.by_question import ByQuestionScreen

    study, mbt_id, onboarding_id = two_guides
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#by-question")
        q2, q3 = screen.data.guide.questions[1:3]
        assert screen.data.count(q3.id, "T3") >= 1 and screen.data.count(q2.id, "T3") == 0
        table.cursor_coordinate = (2, 2)  # Q3 x T3: T3's note and transcript turns
        await pilot.press("enter")
        await pilot.pause()
        first_turn = [a.kind for a in screen.data.cells[(q3.id, "T3")]].index("turn")
        await pilot.press(*["down"] * first_turn, "enter")  # open coding on a transcript turn
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("Q", *"Q2", "enter")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen and isinstance(screen, ByQuestionScreen)
        assert screen.data.count(q2.id, "T3") >= 1
        assert [str(c) for c in table.get_row(q2.id)][2] != "·"
        assert table.cursor_coordinate == (2, 2)
        assert_rows_line_up(app)
