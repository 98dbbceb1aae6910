"""Selecting like a text editor in coding mode, at 80x24, counting keys.

The goals stated in docs/coding.md: once on a turn, any whole sentence in at
most 3 keys, any run of words in at most 6, wherever it lies in the turn.
Each test presses real keys through Pilot and counts them."""

from __future__ import annotations

import random

import pytest

from tacompanion.core.spans import Span, sentences, words
from tacompanion.formats.demo import create_demo_study
from tacompanion.store.documents import load_document
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.coding import CodingScreen
from tacompanion.tui.dialogs.picker import FuzzyPicker
from tacompanion.tui.dialogs.prompts import ConfirmScreen, PromptScreen


@pytest.fixture
def demo(study):
    create_demo_study(study)
    return study


def longest_turn(study) -> tuple[int, int]:
    """(transcript id, block index) of the demo's longest participant turn."""
    best = (0, 0, 0)
    for row in study.query("SELECT id FROM transcripts"):
        doc = load_document(study, "transcript", row["id"])
        for b in doc.blocks:
            if not b.is_interviewer:
                best = max(best, (len(words(b.text)), row["id"], b.index))
    return best[1], best[2]


def study_codings(screen) -> int:
    return screen.app.study.scalar("SELECT count(*) FROM codings WHERE coder = 'ana'")


class Keys:
    """Presses keys and counts them."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.count = 0

    async def __call__(self, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            self.count += 1
        await self.pilot.pause()


async def label_of(screen: CodingScreen, span: Span) -> str:
    hints = screen.view.hints
    assert hints is not None, "no labels shown"
    return next(label for label, s in hints.items() if s == span)


def doc_units(block, kind):
    units = words(block.text) if kind == "word" else sentences(block.text)
    return [Span(u.start + block.start, u.end + block.start) for u in units]


def first_letter(screen, span: Span) -> str:
    block = screen.view.block
    text = block.text[span.start - block.start : span.end - block.start]
    return next(c.casefold() for c in text if c.isalnum())


async def pick_word(keys: Keys, screen, span: Span) -> None:
    """The first letter of the word, then its label when more than one word
    on screen starts with that letter."""
    if screen.view.hint_words is not None:
        await keys(first_letter(screen, span))
    if screen.view.hints is not None:
        await keys(*await label_of(screen, span))


async def select_run(pilot, screen, first: Span, last: Span) -> int:
    keys = Keys(pilot)
    await keys("f")
    await pick_word(keys, screen, first)
    await keys("t")
    await pick_word(keys, screen, last)
    return keys.count


async def test_any_run_of_words_in_six_keys_in_the_longest_demo_turn(demo):
    tid, index = longest_turn(demo)
    app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.view.move_to(index)
        await pilot.pause()
        block = screen.view.block
        units = doc_units(block, "word")
        assert len(units) > 26  # more words than one-letter labels
        rng = random.Random(15)
        runs = [(0, len(units) - 1), (len(units) // 2, len(units) // 2 + 5), (len(units) - 2, len(units) - 1)]
        runs += [tuple(sorted(rng.sample(range(len(units)), 2))) for _ in range(4)]
        for a, b in runs:
            await pilot.press("escape")
            count = await select_run(pilot, screen, units[a], units[b])
            assert screen.view.selection == Span(units[a].start, units[b].end), (a, b)
            assert count <= 6, (a, b, count)


async def test_any_sentence_in_three_keys_and_one_key_each_for_this_next_previous(demo):
    tid, index = longest_turn(demo)
    app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.view.move_to(index)
        await pilot.pause()
        units = doc_units(screen.view.block, "sentence")
        assert len(units) >= 5
        for _k, sentence in enumerate(units):
            await pilot.press("escape")
            keys = Keys(pilot)
            await keys("F")
            await keys(*await label_of(screen, sentence))
            assert screen.view.selection == sentence
            assert keys.count <= 3
        # one key each: the next, the previous, the one under the cursor
        await pilot.press("escape", "full_stop")
        assert screen.view.selection == units[0]
        await pilot.press("right_parenthesis")
        assert screen.view.selection == units[1]
        await pilot.press("right_parenthesis", "left_parenthesis")
        assert screen.view.selection == units[1]
        # a word in the third sentence, then the sentence around it
        third_words = [w for w in doc_units(screen.view.block, "word") if units[2].contains(w)]
        await pilot.press("escape", "f")
        await pick_word(Keys(pilot), screen, third_words[1])
        assert screen.view.selection == third_words[1]
        await pilot.press("full_stop")
        assert screen.view.selection == units[2]


async def test_extend_and_shrink_by_word_sentence_and_to_the_end(demo):
    tid, index = longest_turn(demo)
    app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.view.move_to(index)
        await pilot.pause()
        block = screen.view.block
        w = doc_units(block, "word")
        s = doc_units(block, "sentence")
        await pilot.press("f")
        await pick_word(Keys(pilot), screen, w[3])
        await pilot.press("w", "w")
        assert screen.view.selection == Span(w[3].start, w[5].end)
        await pilot.press("b")
        assert screen.view.selection == Span(w[3].start, w[4].end)
        after = [u for u in s if u.end > w[4].end]
        await pilot.press("s")
        assert screen.view.selection == Span(w[3].start, after[0].end)
        await pilot.press("s", "S")
        assert screen.view.selection == Span(w[3].start, after[0].end)
        await pilot.press("e")
        assert screen.view.selection == Span(w[3].start, w[-1].end)
        await pilot.press("left_square_bracket")
        assert screen.view.selection == Span(w[2].start, w[-1].end)
        # t on a word before the start moves the start there
        await pilot.press("t")
        assert screen.view.hint_words is not None
        await pilot.press("escape")
        assert screen.view.hints is None and screen.view.hint_words is None and screen.view.selection == Span(w[2].start, w[-1].end)


async def test_labels_cancel_on_a_key_that_is_no_label_and_nothing_else_happens(demo):
    tid, index = longest_turn(demo)
    app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.view.move_to(index)
        await pilot.pause()
        await pilot.press("f", "1")  # no word starts with 1: closes, applies no recent code
        assert screen.view.hints is None and screen.view.selection is None
        assert study_codings(screen) == 0
        await pilot.press("f", "s", "1")  # not a label: the same
        assert screen.view.hints is None and screen.view.selection is None
        assert study_codings(screen) == 0
        assert "Labels closed" in str(screen.query_one("#status").render())


async def test_a_search_hit_starts_a_selection_and_all_hits_are_coded_after_a_confirmation(demo):
    tid, _ = longest_turn(demo)
    app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        doc = screen.document
        needle = "silence"
        expected = [
            (b.index, b.start + b.text.casefold().index(needle))
            for b in doc.blocks if needle in b.text.casefold()
        ]
        assert expected
        await pilot.press("slash")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*needle, "enter")
        await pilot.pause()
        assert screen.view.cursor == expected[0][0]
        await pilot.press("v")
        assert screen.view.selection == Span(expected[0][1], expected[0][1] + len(needle))
        total = sum(b.text.casefold().count(needle) for b in doc.blocks)
        await pilot.press("escape", "A")
        assert isinstance(app.screen, ConfirmScreen)
        assert f"all {total} hits" in app.screen.question
        await pilot.press("y")
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press(*"silence named", "enter")
        await pilot.pause()
        rows = demo.query(
            "SELECT k.start_pos, k.end_pos FROM codings k JOIN codes c ON c.id = k.code_id "
            "WHERE c.name = 'silence named' AND k.transcript_id = ?", (tid,)
        )
        assert len(rows) == total
        text = demo.scalar("SELECT text FROM transcripts WHERE id = ?", (tid,))
        assert all(text[r["start_pos"]:r["end_pos"]].casefold() == needle for r in rows)
        await pilot.press("u")  # one undo takes them all back
        await pilot.pause()
        assert demo.scalar(
            "SELECT count(*) FROM codings k JOIN codes c ON c.id = k.code_id WHERE c.name = 'silence named'"
        ) == 0


async def test_the_picker_sits_beside_the_turn_and_its_selection(demo):
    tid, index = longest_turn(demo)
    for size in ((80, 24), (160, 50)):
        app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.screen
            screen.view.move_to(index)
            await pilot.pause()
            await pilot.press("F")
            sentence = doc_units(screen.view.block, "sentence")[-1]
            await pilot.press(*await label_of(screen, sentence))
            await pilot.press("c")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, FuzzyPicker)
            box = picker.query_one("#picker-box").region
            view = screen.view
            # the turn on screen, and the selection's lines
            block = view.block_region(view.cursor)
            turn = block.translate((view.region.x, view.region.y - view.scroll_offset.y)).intersection(view.region)
            assert turn.height > 0 and not turn.overlaps(box), (size, turn, box)
            first = view.line_of(sentence.start) - view.scroll_offset.y
            last = view.line_of(sentence.end - 1) - view.scroll_offset.y
            assert 0 <= first <= last < view.scrollable_content_region.height
            await pilot.press("escape")
            # with the panel hidden, the picker still does not cover the text
            await pilot.press("greater_than_sign", "greater_than_sign")
            assert screen.panel_state == "hidden"
            await pilot.press("c")
            await pilot.pause()
            await pilot.pause()
            box = app.screen.query_one("#picker-box").region
            turn = view.block_region(view.cursor).translate(
                (view.region.x, view.region.y - view.scroll_offset.y)).intersection(view.region)
            assert not turn.overlaps(box)
            await pilot.press("escape")
            await pilot.pause()
            assert screen.panel_state == "hidden" and not screen.query_one("#code-panel").display
