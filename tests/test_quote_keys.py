"""Starring quotes in the review (s, undoable) and copying a quote (y) in the
review and in coding mode: pyperclip first, OSC 52 when it finds no
clipboard, never a crash. pyperclip is monkeypatched: no real clipboard."""

from __future__ import annotations

import pyperclip
import pytest

from tacompanion.store.redactions import add_redaction
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.clipboard import SYSTEM, TERMINAL
from tacompanion.tui.coding.coding import CodingScreen
from tacompanion.tui.thematic.review import ReviewScreen

from .test_report import SAYS, build


@pytest.fixture
def built(study):
    out = build(study)
    add_redaction(study, "Tromsø", "[city]")
    return out


@pytest.fixture
def clipboards(monkeypatch):
    """Where copies went: pyperclip's (fake) clipboard and OSC 52."""
    got = {"system": [], "osc52": [], "pyperclip_works": True}

    def fake_copy(text):
        if not got["pyperclip_works"]:
            raise pyperclip.PyperclipException("no clipboard mechanism here")
        got["system"].append(text)

    monkeypatch.setattr(pyperclip, "copy", fake_copy)
    monkeypatch.setattr(TacompanionApp, "copy_to_clipboard", lambda self, text: got["osc52"].append(text))
    return got


def starred(study) -> set[tuple[str, str]]:
    rows = study.query(
        "SELECT c.name, p.pseudonym FROM codings k JOIN codes c ON c.id = k.code_id "
        "JOIN transcripts t ON t.id = k.transcript_id JOIN participants p ON p.id = t.participant_id "
        "WHERE k.starred = 1")
    return {(r["name"], r["pseudonym"]) for r in rows}


def status(screen) -> str:
    return str(screen.query_one("#review-status" if isinstance(screen, ReviewScreen) else "#status").render())


async def test_star_and_unstar_in_the_review_with_undo(study, built):
    app = TacompanionApp(study, coder="ana", start=("review", built["shame_theme"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert starred(study) == {("Shame", "P3")}
        assert screen.current().text == "I felt the shame"  # P1's Avoidance extract
        assert not str(screen.render_row(screen.view.cursor)).startswith("\u2605")
        await pilot.press("s")
        await pilot.pause()
        assert starred(study) == {("Shame", "P3"), ("Avoidance", "P1")}
        assert str(screen.render_row(screen.view.cursor)).startswith("\u2605")
        assert "starred quote" in str(screen.query_one("#review-detail").render())
        assert "Starred as a quote" in status(screen)
        await pilot.press("u")
        await pilot.pause()
        assert starred(study) == {("Shame", "P3")}
        assert "Undid: Star a quote of 'Avoidance'" in status(screen)
        while screen.current().participant != "P3":
            await pilot.press("j")
        await pilot.press("s")  # starred already: s unstars
        await pilot.pause()
        assert starred(study) == set()
        await pilot.press("u")
        await pilot.pause()
        assert starred(study) == {("Shame", "P3")}


async def test_copy_in_the_review_pyperclip_then_osc52(study, built, clipboards):
    app = TacompanionApp(study, coder="ana", start=("review", built["shame_theme"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        while screen.current().participant != "P3":
            await pilot.press("j")
        await pilot.press("y")
        quote = f'"{SAYS["P3"].replace("Tromsø", "[city]")}" (P3)'
        assert clipboards["system"] == [quote] and clipboards["osc52"] == []
        assert status(screen).startswith(f"Copied to {SYSTEM}: ")
        clipboards["pyperclip_works"] = False  # a headless machine
        await pilot.press("y")
        assert clipboards["osc52"] == [quote]
        assert status(screen).startswith(f"Copied to {TERMINAL}: ")
    assert "Tromsø" in study.scalar("SELECT text FROM transcripts WHERE text LIKE '%Tromsø%'")


async def test_copy_in_coding_mode_selection_notes_and_no_clipboard_at_all(study, built, clipboards, monkeypatch):
    tid = study.scalar("SELECT t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
                       "WHERE p.pseudonym = 'P3'")
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("j", "y")  # the whole turn
        assert clipboards["system"] == [f'"{SAYS["P3"].replace("Tromsø", "[city]")}" (P3)']
        assert status(screen) == (f'Copied to {SYSTEM}: "Shame is the thing we work with most, quietly '
                                  'and…" (P3)')
        await pilot.press("v", "w", "y")  # a selection: two words
        assert clipboards["system"][-1] == '"Shame is" (P3)'

        def no_osc52(self, text):
            raise RuntimeError("no terminal")

        clipboards["pyperclip_works"] = False
        monkeypatch.setattr(TacompanionApp, "copy_to_clipboard", no_osc52)
        await pilot.press("y")
        assert status(screen).startswith("Could not copy: no clipboard here")
        assert isinstance(app.screen, CodingScreen)


async def test_copy_from_interview_notes_says_so(study, built, clipboards):
    interview = study.scalar("SELECT id FROM interviews")
    app = TacompanionApp(study, coder="ana", start=("notes", interview))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        quote = '"He looked away when I asked about [city]." (P4, interview notes)'
        assert clipboards["system"] == [quote]
        assert status(app.screen) == f"Copied to {SYSTEM}: {quote}"  # [city] shown, not read as markup
