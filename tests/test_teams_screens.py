"""Coding as one coder among several, and the agreement screen, driven with Pilot."""

from __future__ import annotations

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store import codes as code_store
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.coding import CodingScreen
from tacompanion.tui.dialogs.picker import FuzzyPicker
from tacompanion.tui.thematic.agreement import AgreementScreen
from tests.test_coding_screen import add_transcript


def _two_coders(study):
    tid = add_transcript(study)
    turn = study.query("SELECT start_pos, end_pos FROM segments WHERE transcript_id = ? AND position = 1", (tid,))[0]
    doc = DocRef(transcript_id=tid)
    quiet, _ = code_store.create_and_apply(study, "Quiet", doc, Span(turn["start_pos"], turn["end_pos"]), "ana")
    code_store.apply_code(study, quiet, doc, Span(turn["start_pos"], turn["start_pos"] + 10), "bo")
    code_store.create_and_apply(study, "Trust", doc, Span(turn["start_pos"], turn["end_pos"]), "bo")
    return tid


async def test_coding_shows_this_coders_codings_and_C_shows_everyones(study):
    tid = _two_coders(study)
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.sub_title == "coding as ana"
        names = lambda: sorted(c["name"] for rows in screen.view.codings.values() for c in rows)  # noqa: E731
        assert names() == ["Quiet"]
        await pilot.press("C")
        assert names() == ["Quiet ·ana", "Quiet ·bo", "Trust ·bo"]
        rows = [screen.query_one("#code-list").render_line(y).text.strip() for y in range(2)]
        assert rows == ["Quiet 1/2·1p", "Trust 0/1·1p"]
        # x removes only ana's own coding, never bo's
        await pilot.press("j", "x")
        await pilot.pause()
        assert sorted(r[0] for r in study.conn.execute("SELECT coder FROM codings")) == ["bo", "bo"]
        # u undoes ana's own removal
        await pilot.press("u")
        await pilot.pause()
        assert sorted(r[0] for r in study.conn.execute("SELECT coder FROM codings")) == ["ana", "bo", "bo"]


async def test_undo_in_the_app_never_takes_back_another_coders_change(study):
    tid = _two_coders(study)
    app = TacompanionApp(study, coder="bo", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("u")  # bo's last change: Trust created and applied (not ana's Quiet)
        await pilot.pause()
        assert code_store.code_by_name(study, "Trust") is None
        assert study.scalar("SELECT count(*) FROM codings WHERE coder = 'ana'") == 1


async def test_agreement_screen_from_the_map_walks_and_resolves_disagreements(study):
    _two_coders(study)
    app = TacompanionApp(study, coder="lead", start=("map", 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press("a", "n", "a", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press("b", "o", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AgreementScreen)
        assert (screen.coder_a, screen.coder_b) == ("ana", "bo")
        assert [c.code for c in screen.report.codes] == ["Trust", "Quiet"]  # worst first
        await pilot.press("j", "enter")  # Quiet
        await pilot.pause()
        assert screen.walking is not None and len(screen.walking) == 1
        text = str(screen.query_one("#walk-a").render()) + str(screen.query_one("#walk-b").render())
        assert "A: ana" in text and "B: bo" in text
        await pilot.press("b")  # keep bo's span
        await pilot.pause()
        assert study.query("SELECT coder, end_pos - start_pos AS n FROM codings WHERE coder = 'consensus'") == [
            {"coder": "consensus", "n": 10}]
        assert screen.walking[0].decision == "b"
        await pilot.press("u")
        await pilot.pause()
        assert study.scalar("SELECT count(*) FROM codings WHERE coder = 'consensus'") == 0
        assert screen.walking[0].decision is None
        await pilot.press("escape")
        assert screen.walking is None
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AgreementScreen)
