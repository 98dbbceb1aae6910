"""One meaning per key: Enter does what a dialog's footer says whatever has
the focus; Esc saves what the user wrote; the palette finds every action of
the screen by name. Driven with Pilot at 80x24."""

from __future__ import annotations

from textual.widgets import Checkbox

from tacompanion.formats.demo import create_demo_study
from tacompanion.store.codes import create_code
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.dialogs.prompts import LineEditScreen

GUIDE = "# A guide\n\n## Section\n\n1. How was it?\n"


async def test_enter_on_the_pilot_box_starts_the_interview(study, tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(GUIDE)
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.action_interview()
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#start-guide").value = str(guide)
        dialog.query_one("#start-participant").value = "P9"
        box = dialog.query_one("#start-pilot", Checkbox)
        box.focus()
        await pilot.press("space")  # Space ticks the box
        assert box.value is True
        await pilot.press("enter")  # Enter starts, as the footer says
        await pilot.pause()
        assert app.screen is not dialog
        assert study.scalar("SELECT pilot FROM participants WHERE pseudonym = 'P9'") == 1


async def test_enter_on_a_checkbox_imports_the_transcripts(study, tmp_path):
    (tmp_path / "p4.txt").write_text("Interviewer: Hello?\n\nP4: Hello.\n")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.action_import_transcripts()
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#import-paths").value = str(tmp_path / "p4.txt")
        dialog.query_one("#import-replace", Checkbox).focus()
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.05)
            if study.scalar("SELECT count(*) FROM transcripts"):
                break
        assert study.scalar("SELECT count(*) FROM transcripts") == 1
        assert dialog.query_one("#import-replace", Checkbox).value is False


async def test_esc_saves_a_code_description_and_ctrl_g_discards(study):
    create_demo_study(study)
    create_code(study, "waiting")
    tid = study.scalar("SELECT id FROM transcripts ORDER BY id")
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        listing = app.screen.query_one("#code-list")
        listing.cursor = [c.name for c in listing.codes].index("waiting")
        await pilot.press("e")
        assert isinstance(app.screen, LineEditScreen)
        await pilot.press(*"holding back")
        await pilot.press("escape")
        await pilot.pause()
        assert study.scalar("SELECT description FROM codes WHERE name = 'waiting'") == "holding back"
        assert any("Saved" in n.message for n in app._notifications)
        await pilot.press("e")
        await pilot.press(*" more", "ctrl+g")
        await pilot.pause()
        assert study.scalar("SELECT description FROM codes WHERE name = 'waiting'") == "holding back"


async def test_the_palette_finds_the_panel_and_app_actions_from_the_text(study):
    create_demo_study(study)
    create_code(study, "waiting")
    tid = study.scalar("SELECT id FROM transcripts ORDER BY id")
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.view  # the text has the focus, not the panel
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Thematic map" in titles
        assert any(t.startswith("Merge") for t in titles)
        assert "Rename" in titles and "Select from a word (labels)" in titles
        assert "Colour scheme" in titles and "Theme" not in titles
        assert not any("theme" in t.casefold() and "colour" in t.casefold() for t in titles)
        # through the palette itself: typing "merge" and Enter opens the merge picker
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"merge")
        from textual.command import CommandList

        for _ in range(250):  # the palette searches in a worker: wait for its first match
            await pilot.pause(0.02)
            if app.screen.query_one(CommandList).option_count:
                break
        assert "Merge" in str(app.screen.query_one(CommandList).get_option_at_index(0).prompt)
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if type(app.screen).__name__ == "FuzzyPicker":
                break
        assert type(app.screen).__name__ == "FuzzyPicker" and "Merge" in app.screen.title_text


async def test_a_guide_error_in_the_app_shows_its_brackets(study, tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text("# A guide\n\n## Section [0 min]\n\n1. How was it?\n")
    from tacompanion.formats.guide_file import GuideFileError, read_guide_file

    try:
        read_guide_file(guide)
        message = None
    except GuideFileError as exc:
        message = str(exc)
    assert message and "[" in message  # the guide parser names the form '[N min]'
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.action_interview()
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#start-guide").value = str(guide)
        dialog.query_one("#start-participant").value = "P9"
        await pilot.press("enter")
        await pilot.pause()
        shown = str(dialog.query_one("#start-error").render())
        assert "[N min]" in message and "[N min]" in shown


def test_escape_markup_keeps_every_bracket():
    from textual.markup import to_content

    from tacompanion.core.words import escape_markup

    for text in ["planned time must be '[N min]'", "[draft] silence", "a [b]bold[/b] word", "[ ] start"]:
        assert to_content(f"[b]{escape_markup(text)}[/]").plain == text


async def test_esc_in_the_memo_editor_saves_and_says_so(study):
    create_demo_study(study)
    tid = study.scalar("SELECT id FROM transcripts ORDER BY id")
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("j", "m", *"a thought", "escape")
        await pilot.pause()
        assert any(n.message == "Saved" for n in app._notifications)
        assert study.scalar("SELECT count(*) FROM memos WHERE text = 'a thought'") == 1
