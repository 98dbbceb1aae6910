"""Coding mode at 80x24: every code readable, the question marks seen."""

from __future__ import annotations

import pytest

from tacompanion.core.spans import Span
from tacompanion.formats.demo import create_demo_study
from tacompanion.store.codes import apply_code, create_code
from tacompanion.store.documents import load_document
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.code_list import CodeList

NAMES = [
    "silence is not absence in the group",
    "silence is not empty time",
    "silence is not withdrawal",
    "learning to wait before naming",
    "learning to wait with the group",
    "not-knowing as a stance",
    "therapist's own anxiety",
    "therapist's own uncertainty",
    "mentalizing the silence",
    "mentalizing the silence of the group",
]


@pytest.fixture
def coded(study):
    create_demo_study(study)
    tid = study.scalar("SELECT id FROM transcripts ORDER BY id")
    doc = load_document(study, "transcript", tid)
    block = next(b for b in doc.blocks if not b.is_interviewer)
    for name in NAMES:
        apply_code(study, create_code(study, name), block.ref, Span(block.start, block.end), "ana")
    return study, tid


async def test_the_panel_and_the_strip_never_show_two_codes_alike(coded):
    study, tid = coded
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        listing = screen.query_one(CodeList)
        width = listing.scrollable_content_region.width
        assert len(listing.codes) >= len(NAMES)
        rows = [listing._render(i).plain for i in range(len(listing.codes))]
        assert len(set(rows)) == len(rows) and all(len(r) <= width for r in rows)
        # the strip: nine codes with their digits, on lines that fit 80 columns
        strip = screen.query_one("#recent").render()
        lines = str(strip).splitlines()
        assert len(lines) == 2 and all(len(line) <= 78 for line in lines)
        text = str(strip)
        for digit in "123456789":
            assert f"{digit} " in text
        shown = [cell.strip() for line in lines for cell in _cells(line)]
        assert len(shown) == 9 and len(set(shown)) == 9
        assert screen.query_one("#recent").region.height == 2


def _cells(line: str) -> list[str]:
    import re

    return [c for c in re.split(r"(?:^| )[1-9] ", line) if c.strip()]


async def test_the_highlighted_code_is_named_in_full_and_the_panel_widens_and_hides(coded):
    study, tid = coded
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("tab")
        listing = screen.query_one(CodeList)
        for _ in range(len(NAMES)):
            name = listing.codes[listing.cursor].name
            await pilot.pause()
            assert name in str(screen.query_one("#code-full").render()).replace("\n", " ")
            await pilot.press("j")
        await pilot.press("tab")
        panel = screen.query_one("#code-panel")
        narrow = panel.region.width
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert panel.region.width > narrow
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert not panel.display and screen.view.region.width >= 78
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert panel.display and panel.region.width == narrow


async def test_question_marks_show_above_their_turn_in_coding_and_reading(study):
    create_demo_study(study)
    from tacompanion.store.by_question import load_choice_guide, mark_question_start, question_starts, study_guides

    tid = study.scalar("SELECT id FROM transcripts ORDER BY id")
    guide = study_guides(study)[0]
    question = load_choice_guide(study, guide.id).questions[2]
    segment = study.query("SELECT id, position FROM segments WHERE transcript_id = ? ORDER BY position", (tid,))[4]
    mark_question_start(study, segment["id"], question.id, guide.id)
    label = question_starts(study, tid)[segment["id"]]
    assert label.startswith(f"Q{question.number} · ")
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.view
        index = next(b.index for b in view.document.blocks if b.segment_id == segment["id"])
        assert view.questions[index] == label
        view.move_to(index)
        await pilot.pause()
        assert _plain(app.export_screenshot()).count(label[:30]) == 1
        # the reading view shows it too
        await pilot.press("q")
        await pilot.pause()
        app.open_transcript(tid, segment["position"])
        await pilot.pause()
        await pilot.pause()
        assert label[:30] in _plain(app.export_screenshot())


def _plain(svg: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
