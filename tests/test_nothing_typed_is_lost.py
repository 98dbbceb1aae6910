"""Nothing typed is lost: a burst of keys (fast typing, or a paste) followed at
once by the save key is saved whole, in every editor. The keys are posted to
the app all at once, as the terminal driver does with a paste, not pressed one
by one with a pause after each (as Pilot's press does)."""

from __future__ import annotations

import time

from textual import events

from tacompanion.store import journal
from tacompanion.store.codes import create_code
from tacompanion.store.memos import get_memo
from tacompanion.store.themes import create_theme
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.dialogs.prompts import MemoScreen, PromptScreen

from .test_coding_screen import add_transcript

BURST = "Silence is not withdrawal: she waited, then spoke of the waiting room, twice, with care. Øre, ß, 😀."


async def wait_until(pilot, condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


def burst(app, text: str, then: str, *, paste: bool = False) -> None:
    """Queue every key of `text` (or one paste of it), then the save key,
    without waiting in between."""
    if paste:
        app.post_message(events.Paste(text))
    else:
        for ch in text:
            app.post_message(events.Key("space" if ch == " " else ch, ch))
    app.post_message(events.Key(then, None))


async def test_memo_editor_keeps_a_fast_burst_saved_with_ctrl_s(study):
    tid = add_transcript(study)
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n", "m")
        await wait_until(pilot, lambda: isinstance(app.screen, MemoScreen) and app.focused is not None
                         and app.focused.id == "memo-text")
        burst(app, BURST, "ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, MemoScreen))
        await pilot.pause()
        assert study.scalar("SELECT text FROM memos WHERE segment_id IS NOT NULL") == BURST


async def test_memo_editor_keeps_a_paste_saved_at_once_with_escape(study):
    tid = add_transcript(study)
    code = create_code(study, "Silence")
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n", "m")
        await wait_until(pilot, lambda: isinstance(app.screen, MemoScreen) and app.focused is not None
                         and app.focused.id == "memo-text")
        burst(app, BURST * 3, "escape", paste=True)
        await wait_until(pilot, lambda: not isinstance(app.screen, MemoScreen))
        await pilot.pause()
        assert study.scalar("SELECT text FROM memos WHERE segment_id IS NOT NULL") == BURST * 3
    assert get_memo(study, "code", code) == ""


async def test_journal_editor_keeps_a_fast_burst(study):
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, MemoScreen) and app.focused is not None
                         and app.focused.id == "memo-text")
        burst(app, BURST, "ctrl+s")
        await wait_until(pilot, lambda: bool(journal.list_entries(study)))
        assert [e.text for e in journal.list_entries(study)] == [BURST]


async def test_theme_definition_keeps_a_fast_burst(study):
    theme = create_theme(study, "Holding")
    app = TacompanionApp(study, coder="ana", start=("map", 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        from tacompanion.tui.thematic import actions

        actions.define_theme(app.screen, theme, "Holding", "", lambda: None)
        await wait_until(pilot, lambda: isinstance(app.screen, MemoScreen) and app.focused is not None
                         and app.focused.id == "memo-text")
        burst(app, BURST, "ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, MemoScreen))
        await pilot.pause()
        assert study.scalar("SELECT definition FROM themes WHERE id = ?", (theme,)) == BURST


import pytest  # noqa: E402


@pytest.mark.parametrize("save_key", ["enter", "escape", "ctrl+s"])
async def test_code_description_prompt_keeps_a_fast_burst(study, save_key):
    tid = add_transcript(study)
    create_code(study, "Silence")
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab")  # the code list
        await pilot.pause()
        await pilot.press("e")  # describe the code
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen) and app.focused is not None
                         and app.focused.id == "prompt-input")
        burst(app, BURST, save_key)
        await wait_until(pilot, lambda: not isinstance(app.screen, PromptScreen))
        await pilot.pause()
        assert study.scalar("SELECT description FROM codes WHERE name = 'Silence'") == BURST


async def test_interview_note_line_keeps_a_fast_burst_and_the_next_note_apart(study):
    from tests.test_app_interview import request

    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "note-line")
        burst(app, BURST, "enter")
        burst(app, "second " + BURST, "enter")
        await wait_until(pilot, lambda: study.scalar("SELECT count(*) FROM notes") == 2)
        assert [r[0] for r in study.conn.execute("SELECT text FROM notes ORDER BY id")] == [BURST, "second " + BURST]
