"""Coding mode driven with Pilot: every key, the picker, spans, undo, the panel."""

from __future__ import annotations

import pytest

from tacompanion.formats.transcript_files import parse_transcript_bytes
from tacompanion.store import history
from tacompanion.store.codes import create_code
from tacompanion.store.study import Study
from tacompanion.store.transcripts import import_transcript
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.coding import CodingScreen
from tacompanion.tui.dialogs.picker import FuzzyPicker
from tacompanion.tui.dialogs.prompts import ConfirmScreen, MemoScreen, PromptScreen

TRANSCRIPT = (
    "Interviewer: Tell me about the last session.\n\n"
    "P1: We sat in silence for a long time. Then she spoke. It felt safe.\n\n"
    "Interviewer: What did you do?\n\n"
    "P1: I waited. I named my own uncertainty.\n\n"
    "P1: Café\u0301 talk, \U0001F642 and 我很安静 in the group.\n"
)


def add_transcript(study, text=TRANSCRIPT, who="P1", name="p1.txt") -> int:
    parsed = parse_transcript_bytes(text.encode(), "txt", name).with_interviewer_labels(["Interviewer"])
    return import_transcript(study, parsed, participant=who, file_name=name).transcript_id


def codings(study) -> list[tuple[str, str]]:
    rows = study.query(
        "SELECT c.name, t.text, k.start_pos, k.end_pos FROM codings k "
        "JOIN codes c ON c.id = k.code_id JOIN transcripts t ON t.id = k.transcript_id ORDER BY k.id"
    )
    return [(r["name"], r["text"][r["start_pos"]:r["end_pos"]]) for r in rows]


async def open_coding(study, tid, size=(80, 24)):
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    return app, app.run_test(size=size)


@pytest.fixture
def tid(study):
    return add_transcript(study)


async def test_move_keys(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.view
        assert view.cursor == 0
        await pilot.press("j")
        assert view.cursor == 1
        await pilot.press("down", "k")
        assert view.cursor == 1
        await pilot.press("G")
        assert view.cursor == 4
        await pilot.press("g")
        assert view.cursor == 0
        await pilot.press("pagedown")
        assert view.cursor > 0
        await pilot.press("pageup")
        assert view.cursor == 0
        await pilot.press("n")  # next participant turn without a code
        assert view.cursor == 1
        await pilot.press("n")
        assert view.cursor == 3


async def test_picker_creates_then_applies_and_recent_keys_apply(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("n", "c")
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press(*"Silence", "enter")
        await pilot.pause()
        assert codings(study) == [("Silence", "We sat in silence for a long time. Then she spoke. It felt safe.")]
        await pilot.press("n", "1")  # recent code 1 on the next uncoded turn
        await pilot.pause()
        assert codings(study)[-1] == ("Silence", "I waited. I named my own uncertainty.")
        await pilot.press("1")  # never twice on the same span
        assert len(codings(study)) == 2
        assert "already on" in str(app.screen.query_one("#status").render())
        await pilot.press("c", *"sil", "enter")  # fuzzy: best match applies
        assert len(codings(study)) == 2
        await pilot.press("c", *"sil", "down", "enter")  # explicit create despite a partial match
        await pilot.pause()
        assert codings(study)[-1] == ("sil", "I waited. I named my own uncertainty.")
        await pilot.press("c", "escape")
        assert isinstance(app.screen, CodingScreen)
    rows = study.query("SELECT coder FROM codings")
    assert {r["coder"] for r in rows} == {"ana"}


async def test_span_selection_codes_exactly_the_selected_text(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("n", "v")  # first word selected
        await pilot.press("w", "w")  # "We sat in"
        await pilot.press("b")  # "We sat"
        await pilot.press("s")  # to the end of the sentence
        await pilot.press("right_square_bracket")  # start one word later
        await pilot.press("c", *"Waiting", "enter")
        await pilot.pause()
        assert codings(study) == [("Waiting", "sat in silence for a long time.")]
        assert app.screen.view.selection is None
        await pilot.press("v", "s", "s", "escape")  # Esc drops the selection
        assert app.screen.view.selection is None


async def test_emoji_cjk_and_combining_accents_code_the_right_characters(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("G", "v", "w", "w", "w")  # Café́ talk, 🙂 and
        await pilot.press("c", *"Small talk", "enter")
        await pilot.pause()
        await pilot.press("v", "right_square_bracket", "right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "w", "w", "w")
        await pilot.press("c", *"Quiet", "enter")
        await pilot.pause()
    assert codings(study) == [
        ("Small talk", "Café\u0301 talk, \U0001F642 and"),
        ("Quiet", "我很安静"),
    ]


async def test_remove_chooses_when_several_and_undo_redo(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("n", "c", *"Silence", "enter", "c", *"Safety", "enter")
        await pilot.pause()
        await pilot.press("x")
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press(*"safe", "enter")
        await pilot.pause()
        assert [n for n, _ in codings(study)] == ["Silence"]
        await pilot.press("u")
        await pilot.pause()
        assert sorted(n for n, _ in codings(study)) == ["Safety", "Silence"]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [n for n, _ in codings(study)] == ["Silence"]
        await pilot.press("x")  # one code left: removed at once
        await pilot.pause()
        assert codings(study) == []
        await pilot.press("u")
        await pilot.pause()
        assert [n for n, _ in codings(study)] == ["Silence"]


async def test_undo_history_survives_a_restart(db_path):
    with Study.open(db_path) as study:
        tid = add_transcript(study)
        app, ctx = await open_coding(study, tid)
        async with ctx as pilot:
            await pilot.pause()
            await pilot.press("n", "c", *"Silence", "enter")
            await pilot.pause()
    with Study.open(db_path) as study:
        app, ctx = await open_coding(study, tid)
        async with ctx as pilot:
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
            assert codings(study) == []
            assert "Undid: Create and apply 'Silence'" in str(app.screen.query_one("#status").render())
    with Study.open(db_path) as study:
        app, ctx = await open_coding(study, tid)
        async with ctx as pilot:
            await pilot.pause()
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert [n for n, _ in codings(study)] == ["Silence"]


async def test_code_panel_rename_merge_delete_describe(study, tid):
    create_code(study, "Quiet")
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("n", "c", *"Silnce", "enter")
        await pilot.pause()
        await pilot.press("tab")
        listing = app.screen.query_one("#code-list")
        assert app.focused is listing
        await pilot.press("f", *"siln", "enter")  # filter, back to the list
        assert listing.count == 1
        await pilot.press("escape")  # Esc clears the filter: every code again
        assert listing.count == 2 and app.focused is listing
        await pilot.press("f", *"siln", "enter")
        assert listing.count == 1
        await pilot.press("r")
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("Input").value = "Silence"
        await pilot.press("enter")
        await pilot.pause()
        assert [n for n, _ in codings(study)] == ["Silence"]
        await pilot.press("e")
        app.screen.query_one("Input").value = "Long pauses."
        await pilot.press("enter")
        await pilot.pause()
        assert study.scalar("SELECT description FROM codes WHERE name = 'Silence'") == "Long pauses."
        await pilot.press("m")  # merge Silence into Quiet
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press(*"quiet", "enter")
        await pilot.pause()
        assert [n for n, _ in codings(study)] == ["Quiet"]
        app.screen.query_one("#code-filter").value = ""
        await pilot.pause()
        listing.highlighted = 0
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert codings(study) == [] and study.scalar("SELECT count(*) FROM codes") == 0
        await pilot.press("tab", "u")  # undo the delete
        await pilot.pause()
        assert [n for n, _ in codings(study)] == ["Quiet"]
    assert history.peek(study)[1].kind == "delete-code"


async def test_memos_on_segment_and_code(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("n", "m")
        assert isinstance(app.screen, MemoScreen)
        await pilot.press(*"long silence here")
        await pilot.press("escape")
        await pilot.pause()
        assert study.scalar("SELECT text FROM memos WHERE segment_id IS NOT NULL") == "long silence here"
        await pilot.press("c", *"Silence", "enter", "M")
        await pilot.pause()
        assert isinstance(app.screen, MemoScreen)
        await pilot.press(*"pauses", "ctrl+s")
        await pilot.pause()
        assert study.scalar(
            "SELECT m.text FROM memos m JOIN codes c ON c.id = m.code_id WHERE c.name = 'Silence'"
        ) == "pauses"
        await pilot.press("M", *" and more", "ctrl+g")  # Ctrl+G throws the changes away
        await pilot.pause()
        assert not isinstance(app.screen, MemoScreen)
        assert study.scalar(
            "SELECT m.text FROM memos m JOIN codes c ON c.id = m.code_id WHERE c.name = 'Silence'"
        ) == "pauses"


async def test_search_jumps_and_notes_open(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("slash", *"uncertainty", "enter")
        await pilot.pause()
        assert app.screen.view.cursor == 3
        await pilot.press("i")
        await pilot.pause()
        assert "No interview notes" in str(app.screen.query("Static").first().render()) or \
            app.screen.__class__.__name__ == "NotesScreen"
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not isinstance(app.screen, CodingScreen)


async def test_readable_at_80x24_and_large(study, tid):
    for size in ((80, 24), (200, 50)):
        app, ctx = await open_coding(study, tid, size=size)
        async with ctx as pilot:
            await pilot.pause()
            await pilot.press("n", "c", *"Silence", "enter")
            await pilot.pause()
            view = app.screen.view
            lines = [view.render_line(y).text for y in range(view.size.height)]
            assert any("● Silence" in line for line in lines)
            assert any("We sat in silence" in line for line in lines)


async def test_the_footer_shows_the_keys_of_what_has_the_focus(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        footer = app.screen.query_one("KeyFooter")
        text = str(footer.render())
        assert "c Code" in text and "? Help" in text and "Rename" not in text
        await pilot.press("tab")  # into the code panel: its keys replace the transcript's
        await pilot.pause()
        text = str(footer.render())
        assert "r Rename" in text and "c Code" not in text and "? Help" in text


async def test_the_code_panel_lists_codes_with_counts_and_enter_applies(study, tid):
    create_code(study, "Quiet")
    create_code(study, "A rather long code name that cannot fit the panel at all")
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        listing = app.screen.query_one("#code-list")
        rows = [listing.render_line(y).text for y in range(2)]
        assert rows[0].strip().startswith("A rather") and "…" in rows[0] and rows[0].rstrip().endswith("0/0·0p")
        assert rows[1].strip() == "Quiet 0/0·0p"
        await pilot.press("j", "tab", "j", "enter")  # on the participant's turn, apply Quiet
        await pilot.pause()
        assert codings(study) == [("Quiet", "We sat in silence for a long time. Then she spoke. It felt safe.")]
        assert listing.render_line(1).text.strip() == "Quiet 1/1·1p"


async def test_a_dialog_shows_its_own_keys_in_the_footer(study, tid):
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("m")
        assert isinstance(app.screen, MemoScreen)
        await pilot.pause()
        text = str(app.screen.query_one("KeyFooter").render())
        assert "Save and close" in text and "Discard the changes" in text and "c Code" not in text


async def test_the_code_panel_after_a_change_is_what_a_full_rebuild_shows(study, tid):
    """Rename, merge, delete, undo and redo update the changed rows only
    (issue 16); what the panel shows is what listing every code again gives."""
    from tacompanion.store.codes import list_codes

    for name in ("alpha", "Beta", "gamma", "Delta", "epsilon"):
        create_code(study, name)
    app, ctx = await open_coding(study, tid)
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        listing = screen.query_one("#code-list")

        async def same_as_full() -> None:
            await pilot.pause()
            shown = [(c.id, c.name, c.codings, c.participants) for c in map(listing.summary, range(listing.count))]
            full = [(c.id, c.name, c.codings, c.participants) for c in list_codes(study)]
            assert shown == full
            assert str(screen.query_one("#code-panel-title").render()) == f"Codes ({len(full)})"

        ids = {c.name: c.id for c in list_codes(study)}
        screen.apply_code(ids["gamma"])
        await same_as_full()
        from tacompanion.store.codes import merge_codes, rename_code

        rename_code(study, ids["gamma"], "Aardvark")  # moves to the top
        screen.after_change("renamed", codes=(ids["gamma"],))
        await same_as_full()
        assert listing.codes[0].name == "Aardvark" and listing.summary(0).codings == 1
        merge_codes(study, ids["gamma"], ids["epsilon"])
        screen.after_change("merged", codes=(ids["epsilon"],), removed=(ids["gamma"],))
        await same_as_full()
        screen.action_undo()  # the merge back: codes changed too, so the whole list
        await same_as_full()
        screen.action_undo()  # the rename
        await same_as_full()
        screen.action_undo()  # the apply: only gamma's counts
        await same_as_full()
        assert next(listing.summary(i) for i, c in enumerate(listing.codes) if c.name == "gamma").codings == 0
        screen.action_redo()
        await same_as_full()
        assert next(listing.summary(i) for i, c in enumerate(listing.codes) if c.name == "gamma").codings == 1
