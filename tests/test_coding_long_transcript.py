"""The coding view on a long transcript (bench/synth.py: 12,000 words, over
200 turns): its lines are cut as the plain character-by-character wrap cuts
them, and at the far end selecting, searching, applying and undoing behave
as at the start (issue 16 made the wrap and the first frame cheaper)."""

from __future__ import annotations

import random
import sys

import pytest
from rich.cells import cell_len

from tacompanion.core.spans import Span, find_all, sentences, words
from tacompanion.store.by_question import question_starts
from tacompanion.store.codes import code_by_name
from tacompanion.store.documents import question_start_turns
from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.coding_view import GUTTER, wrap_ranges
from tacompanion.tui.dialogs.prompts import PromptScreen

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402


def reference_wrap(text: str, width: int) -> list[tuple[int, int]]:
    """The wrap as it was written first: one character at a time, measured
    (every character of an ASCII paragraph counted as one cell)."""
    width = max(4, width)
    out: list[tuple[int, int]] = []
    pos = 0
    for paragraph in text.split("\n"):
        start, end = pos, pos + len(paragraph)
        pos = end + 1
        if start == end:
            out.append((start, start))
            continue
        line_start, line_cells, last_space = start, 0, -1
        i = start
        narrow = paragraph.isascii()
        while i < end:
            ch = text[i]
            w = 1 if narrow else cell_len(ch)
            if ch == " ":
                last_space = i
            if line_cells + w > width:
                if last_space > line_start:
                    out.append((line_start, last_space))
                    i = last_space + 1
                else:
                    out.append((line_start, i))
                line_start, line_cells, last_space = i, 0, -1
                continue
            line_cells += w
            i += 1
        out.append((line_start, end))
    return out


def test_the_quick_wrap_cuts_every_line_where_the_measured_one_does():
    rnd = random.Random(16)
    pieces = ["a", "word", " ", " ", "  ", "\n", "café", "naïve", "—", "漢字", "e\u0301", "x" * 30, ".", "\t"]
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        width = rnd.randint(1, 40)
        assert wrap_ranges(text, width) == reference_wrap(text, width), (text, width)


@pytest.fixture(scope="module")
def long_study_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("long") / "study.db"
    synth.make_study(path, transcripts=2, words=12000, codes=30, themes=3, codings=300, participants=2,
                     interviews=1, memos=1, journal=1, seed=5)
    return path


@pytest.fixture
def long_study(long_study_file, tmp_path):
    import shutil

    path = tmp_path / "study.db"
    shutil.copy(long_study_file, path)
    with Study.open(path, create=False) as study:
        yield study


def test_the_turns_where_questions_start_are_found_without_the_guide(long_study):
    tids = [r[0] for r in long_study.conn.execute("SELECT id FROM transcripts")]
    assert any(question_start_turns(long_study, t) for t in tids)
    for tid in tids:
        assert question_start_turns(long_study, tid) == set(question_starts(long_study, tid))


def visible_lines(view) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_at_the_end_of_a_long_transcript_lines_selection_search_apply_and_undo(long_study, size):
    study = long_study
    tid = study.scalar("SELECT id FROM transcripts ORDER BY id")
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.view
        blocks = screen.document.blocks
        assert len(blocks) > 200
        # the questions are named once the first frame is out
        assert view.questions and all(label.startswith("Q") for label in view.questions.values())

        # Every block is cut as the measured wrap cuts it, at the view's width.
        width = view._text_width()
        for b in blocks:
            assert view._layout.ranges[b.index] == reference_wrap(b.text, width)

        await pilot.press("G")
        await pilot.pause()
        last = len(blocks) - 1
        assert view.cursor == last
        # The last turn is on screen, its lines as the measured wrap cuts them.
        text_lines = [blocks[last].text[lo:hi].rstrip()
                      for lo, hi in reference_wrap(blocks[last].text, width)]
        body = [line[GUTTER:].rstrip() for line in visible_lines(view)]
        at = next(i for i, line in enumerate(body) if line and line in text_lines)
        j = text_lines.index(body[at])
        run = 0
        while at + run < len(body) and j + run < len(text_lines) and body[at + run] == text_lines[j + run]:
            run += 1
        assert run >= min(len(text_lines) - j, len(body) - at)
        assert run >= min(len(text_lines), 3)

        # The last participant turn: f, a letter, a label; e to its end.
        index = max(b.index for b in blocks if not b.is_interviewer and len(words(b.text)) > 8)
        view.move_to(index)
        await pilot.pause()
        block = view.block
        units = [Span(u.start + block.start, u.end + block.start) for u in words(block.text)]
        on_screen = view.visible_spans(units)
        target = on_screen[len(on_screen) // 2]
        await pilot.press("f")
        await pilot.pause()
        assert view.hint_words is not None
        first = next(c.casefold() for c in block.text[target.start - block.start:] if c.isalnum())
        await pilot.press(first)
        await pilot.pause()
        if view.hints is not None:
            label = next(k for k, s in view.hints.items() if s.start == target.start)
            await pilot.press(*label)
            await pilot.pause()
        assert view.selection is not None and view.selection.start == target.start
        await pilot.press("e")
        assert view.selection == Span(target.start, units[-1].end)
        # The selection shows as selected on screen, and stays in view.
        top = view.scroll_offset.y
        assert top <= view.line_of(view.selection.start) < top + view.scrollable_content_region.height

        # F: a sentence by its label.
        await pilot.press("escape", "F")
        await pilot.pause()
        spans = [Span(s.start + block.start, s.end + block.start) for s in sentences(block.text)]
        if view.hints is not None:  # more than one sentence on screen
            label, chosen = next(iter(view.hints.items()))
            await pilot.press(*label)
            await pilot.pause()
            assert view.selection == chosen and chosen in spans
        else:
            assert view.selection in spans

        # Apply a new code there, then undo: the study and the lines agree.
        selection = view.selection
        screen.create_and_apply("far down")
        await pilot.pause()
        code_id = code_by_name(study, "far down")
        rows = study.query("SELECT start_pos, end_pos FROM codings WHERE code_id = ?", (code_id,))
        assert [(r["start_pos"], r["end_pos"]) for r in rows] == [(selection.start, selection.end)]
        drawn = [strip.text for strip in view._render_block(view.cursor)]  # the turn's lines, as drawn
        assert any("far down" in line for line in drawn)
        await pilot.press("u")
        await pilot.pause()
        assert study.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (code_id,)) == 0
        assert not any("far down" in strip.text for strip in view._render_block(view.cursor))

        # Search from the top for words found only far down: the hit is shown, v selects it.
        await pilot.press("g")
        await pilot.pause()
        assert view.cursor == 0
        phrase = " ".join(block.text.split()[-4:-1])
        hits = [(b.index, h) for b in blocks for h in find_all(b.text, phrase)]
        assert hits and hits[0][0] >= len(blocks) // 2
        await pilot.press("slash")
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("Input").value = phrase
        await pilot.press("enter")
        await pilot.pause()
        assert view.cursor == hits[0][0] and view.hit is not None
        top = view.scroll_offset.y
        assert top <= view.line_of(view.hit.start) < top + view.scrollable_content_region.height
        await pilot.press("v")
        assert view.selection == view.hit
        hit_text = blocks[view.cursor].text[view.hit.start - blocks[view.cursor].start:
                                            view.hit.end - blocks[view.cursor].start]
        assert hit_text.casefold() == phrase.casefold()
