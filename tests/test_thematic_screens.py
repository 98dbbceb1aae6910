"""The thematic map, review, matrix, co-occurrence and prevalence rule
screens, driven with Pilot on a small hand-made study."""

from __future__ import annotations

import pytest

from tacompanion.core.spans import Span
from tacompanion.store import history
from tacompanion.store.codes import apply_code, create_code
from tacompanion.store.documents import load_document
from tacompanion.store.memos import get_memo
from tacompanion.store.participants import ensure_participant
from tacompanion.store.themes import create_theme, list_themes, move_code, theme
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.coding import CodingScreen
from tacompanion.tui.dialogs.picker import FuzzyPicker
from tacompanion.tui.dialogs.prompts import ConfirmScreen, MemoScreen, PromptScreen
from tacompanion.tui.thematic.cooccurrence import CoOccurrenceScreen
from tacompanion.tui.thematic.matrix import MatrixScreen
from tacompanion.tui.thematic.prevalence_rule import PrevalenceRuleScreen
from tacompanion.tui.thematic.review import ReviewScreen
from tacompanion.tui.thematic.split_theme import SplitThemeScreen
from tacompanion.tui.thematic.thematic_map import ThemeMapScreen
from tests.test_coding_screen import add_transcript


def turns(study, tid):
    """The participant turns of a transcript: (ref, span)."""
    doc = load_document(study, "transcript", tid)
    return [(b.ref, Span(b.start, b.end)) for b in doc.blocks if not b.is_interviewer]


@pytest.fixture
def world(study):
    """P1-P4 and a pilot P0, each the same five turns (turns 1, 3 and 4 are
    the participant's). Theme 'Being with silence' holds Silence and the
    subtheme 'Unease' (Waiting); 'Naming' holds Naming; Safety is unsorted.
    Silence: turn 1 of P1, P2, P3 (and the pilot); Waiting: turn 3 of P1, P4;
    Naming: turn 3 of P1 (with Waiting) and P2; Safety: turn 1 of P1."""
    tids = {who: add_transcript(study, who=who, name=f"{who.lower()}.txt") for who in ("P1", "P2", "P3", "P4", "P0")}
    ensure_participant(study, "P0", pilot=True)
    silence, waiting, naming, safety = (create_code(study, n) for n in ("Silence", "Waiting", "Naming", "Safety"))
    being = create_theme(study, "Being with silence")
    unease = create_theme(study, "Unease", parent_id=being)
    name_t = create_theme(study, "Naming it")
    move_code(study, silence, being)
    move_code(study, waiting, unease)
    move_code(study, naming, name_t)
    t = {who: turns(study, tid) for who, tid in tids.items()}
    for who in ("P1", "P2", "P3", "P0"):
        apply_code(study, silence, *t[who][0], "me")
    for who in ("P1", "P4"):
        apply_code(study, waiting, *t[who][1], "me")
    for who in ("P1", "P2"):
        apply_code(study, naming, *t[who][1], "me")
    apply_code(study, safety, *t["P1"][0], "me")
    return {"tids": tids, "silence": silence, "waiting": waiting, "naming": naming, "safety": safety,
            "being": being, "unease": unease, "naming_theme": name_t}


def app_for(study, start=("map", 0)):
    app = TacompanionApp(study, coder="ana", start=start)
    return app, app.run_test(size=(80, 24))


def row_index(screen, kind, ident):
    return next(i for i, r in enumerate(screen.map.rows) if (r.kind, r.id) == (kind, ident))


async def type_text(pilot, text):
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


async def test_map_tree_shows_counts_and_labels(study, world):
    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ThemeMapScreen)
        lines = [screen.render_row(i).plain for i in range(len(screen.map.rows))]
        being = lines[row_index(screen, "theme", world["being"])]
        # Being with silence: Silence x3 + Waiting x2 = 5 codings, 5 extracts, P1-P4 = all
        assert "Being with silence" in being and "candidate" in being
        assert being.split()[-4:] == ["5", "5", "4/4", "all"]
        unease = lines[row_index(screen, "theme", world["unease"])]
        assert unease.split()[-4:] == ["2", "2", "2/4", "one"] or unease.rstrip().endswith("one or two")
        assert lines[row_index(screen, "code", world["silence"])].split()[-2:] == ["3/4", "most"]
        assert any(line.startswith("Unsorted codes (1)") for line in lines)
        assert "N = 4" in str(screen.query_one("#map-summary").render())


async def test_map_operations_by_keys_each_undoable(study, world):
    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        # create a main theme
        await pilot.press("n")
        assert isinstance(app.screen, PromptScreen)
        await type_text(pilot, "Safety first")
        await pilot.press("enter")
        await pilot.pause()
        safety_theme = next(t.id for t in list_themes(study) if t.name == "Safety first")
        assert screen.selected_key() == ("theme", safety_theme)
        # move the unsorted code Safety into it with the fuzzy picker
        screen.tree.move_to(row_index(screen, "code", world["safety"]))
        await pilot.press("m")
        assert isinstance(app.screen, FuzzyPicker)
        await type_text(pilot, "safety fi")
        await pilot.press("enter")
        await pilot.pause()
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["safety"],)) == safety_theme
        assert screen.selected_key() == ("code", world["safety"])
        # rename, define, status
        screen.tree.move_to(row_index(screen, "theme", safety_theme))
        await pilot.press("r")
        await pilot.press("ctrl+u")
        await type_text(pilot, "Feeling safe")
        await pilot.press("enter")
        await pilot.pause()
        assert theme(study, safety_theme).name == "Feeling safe"
        await pilot.press("e")
        assert isinstance(app.screen, MemoScreen)
        await type_text(pilot, "About safety in the room")
        await pilot.press("escape")
        await pilot.pause()
        assert theme(study, safety_theme).definition == "About safety in the room"
        await pilot.press("s")
        assert theme(study, safety_theme).status == "reviewed"
        await pilot.press("s", "s")
        assert theme(study, safety_theme).status == "candidate"
        # reorder: last main theme moves up one
        order = lambda: [t.name for t in list_themes(study) if t.parent_id is None]  # noqa: E731
        assert order() == ["Being with silence", "Naming it", "Feeling safe"]
        await pilot.press("K")
        assert order() == ["Being with silence", "Feeling safe", "Naming it"]
        await pilot.press("u")
        await pilot.pause()
        assert order() == ["Being with silence", "Naming it", "Feeling safe"]
        # a subtheme of the selected theme
        await pilot.press("N")
        await type_text(pilot, "In the body")
        await pilot.press("enter")
        await pilot.pause()
        sub = next(t for t in list_themes(study) if t.name == "In the body")
        assert sub.parent_id == safety_theme
        await pilot.press("u")
        await pilot.pause()
        assert all(t.name != "In the body" for t in list_themes(study))
        # merge 'Naming it' into 'Feeling safe', then undo
        screen.tree.move_to(row_index(screen, "theme", world["naming_theme"]))
        await pilot.press("M")
        await type_text(pilot, "feeling")
        await pilot.press("enter")
        await pilot.pause()
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["naming"],)) == safety_theme
        assert all(t.name != "Naming it" for t in list_themes(study))
        await pilot.press("u")
        await pilot.pause()
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["naming"],)) == world["naming_theme"]
        # dissolve 'Naming it' (confirm), then undo
        screen.tree.move_to(row_index(screen, "theme", world["naming_theme"]))
        await pilot.press("D")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["naming"],)) is None
        await pilot.press("u")
        await pilot.pause()
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["naming"],)) == world["naming_theme"]
        assert screen.selected_key() == ("theme", world["naming_theme"])  # the cursor is on what came back
        # move a theme under another: 'Naming it' becomes a subtheme of 'Being with silence'
        await pilot.press("m")
        await type_text(pilot, "being")
        await pilot.press("enter")
        await pilot.pause()
        assert theme(study, world["naming_theme"]).parent_id == world["being"]
        await pilot.press("ctrl+r")  # nothing undone: nothing to redo
        await pilot.press("u")
        await pilot.pause()
        assert theme(study, world["naming_theme"]).parent_id is None
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert theme(study, world["naming_theme"]).parent_id == world["being"]


async def test_split_a_theme_choosing_its_codes(study, world):
    move_code(study, world["safety"], world["being"])  # Being with silence: Silence, Safety
    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        screen.tree.move_to(row_index(screen, "theme", world["being"]))
        await pilot.press("S")
        assert isinstance(app.screen, SplitThemeScreen)
        await type_text(pilot, "Safety")
        await pilot.press("enter")  # no code ticked yet: refused, focus goes to the list
        await pilot.pause()
        assert isinstance(app.screen, SplitThemeScreen)
        codes = app.screen.query_one("#split-codes")
        assert [str(codes.get_option_at_index(i).prompt) for i in range(codes.option_count)] == ["Safety", "Silence"]
        await pilot.press("space")  # tick Safety
        await pilot.press("ctrl+s")
        await pilot.pause()
        new = next(t for t in list_themes(study) if t.name == "Safety")
        assert new.parent_id is None
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["safety"],)) == new.id
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["silence"],)) == world["being"]
        assert screen.selected_key() == ("theme", new.id)
        await pilot.press("u")
        await pilot.pause()
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["safety"],)) == world["being"]


async def test_visual_map_boxes_follow_the_selection(study, world):
    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("v")
        await pilot.pause()
        canvas = screen.query_one("#map-visual")
        assert canvas.display and not screen.tree.display
        text = "\n".join(canvas.drawing.lines)
        assert "Being with silence" in text and "Unease" in text and "4/4 all" in text
        assert canvas.selected == canvas.drawing.boxes[world["being"]]
        await pilot.press("j")
        assert canvas.selected == canvas.drawing.boxes[world["unease"]]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.target_id == world["unease"]


async def test_review_walks_extracts_by_participant_and_returns_from_the_transcript(study, world):
    app, ctx = app_for(study, start=("review", world["being"]))
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        # Silence P1-P3 turn 1, Waiting P1 & P4 turn 3: five extracts, pilot left out
        assert [e.participant for e in screen.extracts] == ["P1", "P1", "P2", "P3", "P4"]
        assert [kind for kind, _ in screen.rows] == ["head", "extract", "extract", "head", "extract",
                                                      "head", "extract", "head", "extract"]
        assert screen.view.cursor == 1
        assert screen.current().text.startswith("We sat in silence")
        assert [c.name for c in screen.current().codes] == ["Safety", "Silence"]
        await pilot.press("j")
        assert screen.current().text.startswith("I waited")
        await pilot.press("t")
        await pilot.pause()
        detail = str(screen.query_one("#review-detail").render())
        assert "What did you do?" in detail  # the turn before: the question
        await pilot.press("n")
        assert screen.current().participant == "P2"
        await pilot.press("N")  # previous participant (p plays the recording)
        assert screen.current().participant == "P1"
        await pilot.press("j")  # P1's second extract
        spot = screen.view.cursor
        await pilot.press("o")
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        assert coding.view.cursor == 3 and coding.view.block.text.startswith("I waited")
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen and screen.view.cursor == spot


async def test_review_recode_remove_move_and_define(study, world):
    app, ctx = app_for(study, start=("review", world["being"]))
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        # remove: P1's first extract has Safety and Silence: choose Silence
        await pilot.press("x")
        assert isinstance(app.screen, FuzzyPicker)
        await type_text(pilot, "silence")
        await pilot.press("enter")
        await pilot.pause()
        assert [e.participant for e in screen.extracts] == ["P1", "P2", "P3", "P4"]
        await pilot.press("u")
        await pilot.pause()
        assert len(screen.extracts) == 5
        # recode P2's Silence as Waiting (one step)
        screen.view.move_to(next(r for r, (k, i) in enumerate(screen.rows)
                                 if k == "extract" and screen.extracts[i].participant == "P2"))
        await pilot.press("R")
        await type_text(pilot, "waiting")
        await pilot.press("enter")
        await pilot.pause()
        assert [c.name for c in screen.current().codes] == ["Naming", "Waiting"] or \
            [c.name for c in screen.current().codes] == ["Waiting"]
        assert study.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (world["silence"],)) == 3
        assert history.peek(study)[0].kind == "recode"
        await pilot.press("u")
        await pilot.pause()
        assert study.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (world["silence"],)) == 4
        # move the code (Silence) to 'Naming it': it leaves this review
        screen.view.move_to(1)
        await pilot.press("m")  # Safety and Silence: Silence is the one reviewed, so no question
        assert isinstance(app.screen, FuzzyPicker)
        assert "'Silence'" in app.screen.title_text
        await type_text(pilot, "naming it")
        await pilot.press("enter")
        await pilot.pause()
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (world["silence"],)) == world["naming_theme"]
        assert [e.participant for e in screen.extracts] == ["P1", "P4"]
        # write the definition of the theme reviewed
        await pilot.press("e")
        assert isinstance(app.screen, MemoScreen)
        await type_text(pilot, "Sitting with not knowing")
        await pilot.press("escape")
        await pilot.pause()
        assert theme(study, world["being"]).definition == "Sitting with not knowing"
        assert "Sitting with not knowing" in str(screen.query_one("#review-title").render())
        await pilot.press("w")
        await type_text(pilot, "memo")
        await pilot.press("escape")
        await pilot.pause()
        assert get_memo(study, "theme", world["being"]) == "memo"
        await pilot.press("ctrl+t")
        await pilot.pause()
        map_screen = app.screen
        assert isinstance(map_screen, ThemeMapScreen)
        row = map_screen.render_row(row_index(map_screen, "theme", world["being"])).plain
        assert "Being with silence ✎" in row  # the theme has a memo


async def test_matrix_counts_and_enter_opens_the_extracts(study, world):
    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        m = screen.matrix
        assert [w for _, w in m.participants] == ["P1", "P2", "P3", "P4"]
        assert [p for _, p, _ in m.themes] == ["Being with silence", "Naming it"]
        grid = [[m.cell(pid, tid) for tid, _, _ in m.themes] for pid, _ in m.participants]
        assert grid == [[2, 1], [1, 1], [1, 0], [1, 0]]
        assert m.labels[world["being"]] == (4, "all")
        assert m.labels[world["naming_theme"]] == (2, "one or two")
        table = screen.query_one("#matrix")
        assert str(table.get_cell_at((0, 1))) == "2"
        assert str(table.get_cell_at((4, 2))) == "2/4"
        await pilot.press("l")
        await pilot.pause()
        assert [p for _, p, _ in screen.matrix.themes] == [
            "Being with silence", "Being with silence / Unease", "Naming it"]
        await pilot.press("l")
        await pilot.pause()
        table.move_cursor(row=0, column=1)
        await pilot.press("enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert [e.participant for e in review.extracts] == ["P1", "P1"]
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen


async def test_cooccurrence_lists_codes_sharing_extracts(study, world):
    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CoOccurrenceScreen)
        pairs = {(p.name_a, p.name_b): (p.shared, p.participants) for p in screen.pairs}
        assert pairs == {("Silence", "Safety"): (1, 1), ("Waiting", "Naming"): (1, 1)}
        await pilot.press("enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.target == "code"
        # Silence's extracts where Safety meets it: P1's turn 1 only (not P2's or P3's)
        assert (review.target_id, review.meeting) == (world["silence"], world["safety"])
        assert [e.participant for e in review.extracts] == ["P1"]
        assert "where 'Safety' meets it only" in str(review.query_one("#review-title").render())


async def test_prevalence_rule_screen_changes_the_labels(study, world):
    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PrevalenceRuleScreen)
        table = screen.query_one("#rule")
        assert [str(table.get_cell_at((i, 0))) for i in range(4)] == ["all", "most", "some", "one or two"]
        assert str(table.get_cell_at((1, 3))) == "3"  # most = 3 of 4
        await pilot.press("e")
        await pilot.press("ctrl+u")
        await type_text(pilot, "every; N; N")
        await pilot.press("enter")
        await pilot.pause()
        assert study.setting("prevalence_rule")[0] == {"label": "every", "min": "N", "max": "N"}
        await pilot.press("e", "ctrl+u")
        await type_text(pilot, "nonsense")
        await pilot.press("enter")
        await pilot.pause()
        assert "label; minimum; maximum" in str(screen.query_one("#rule-status").render())
        await pilot.press("q")
        await pilot.pause()
        map_screen = app.screen
        assert isinstance(map_screen, ThemeMapScreen)
        being = map_screen.render_row(row_index(map_screen, "theme", world["being"])).plain
        assert being.rstrip().endswith("every")


async def test_ctrl_t_reaches_the_map_from_anywhere(study, world):
    app = TacompanionApp(study, coder="ana", start=("transcript", world["tids"]["P1"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ThemeMapScreen)
        await pilot.press("enter")  # review the first theme
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("ctrl+t")  # back down to the map already open
        await pilot.pause()
        assert isinstance(app.screen, ThemeMapScreen)
        assert sum(isinstance(s, ThemeMapScreen) for s in app.screen_stack) == 1
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)


async def test_sorting_unsorted_codes_one_after_another(study, world):
    third = create_code(study, "Zest")  # unsorted, after Safety
    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        screen = app.screen
        screen.tree.move_to(row_index(screen, "code", world["safety"]))
        await pilot.press("m")
        await type_text(pilot, "naming it")
        await pilot.press("enter")
        await pilot.pause()
        # the cursor stays among the unsorted: on the next one, ready for m again
        assert screen.selected_key() == ("code", third)
        await pilot.press("m")
        await type_text(pilot, "A new theme")
        await pilot.press("up", "enter")  # the picker's last line: create it
        await pilot.pause()
        new = next(t for t in list_themes(study) if t.name == "A new theme")
        assert study.scalar("SELECT theme_id FROM codes WHERE id = ?", (third,)) == new.id
        assert "Unsorted codes (0)" in [screen.render_row(i).plain.strip() for i in range(len(screen.map.rows))]


async def test_help_lists_the_maps_and_the_reviews_keys(study, world):
    from tacompanion.tui.dialogs.help import HelpScreen, binding_rows

    app, ctx = app_for(study)
    async with ctx as pilot:
        await pilot.pause()
        own, widget = binding_rows(app.screen)
        labels = {label for _, label in own}
        assert ("Enter", "Open") in widget  # the tree's Enter: review the selection
        assert {"New theme", "Move", "Define", "Split…", "Dissolve", "Merge into…",
                "Undo", "Boxes/tree", "Matrix", "Co-occurrence", "Prevalence rule", "Thematic map"} <= labels
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("enter")
        await pilot.pause()
        own, _ = binding_rows(app.screen)
        assert {"Turn", "Open transcript", "Recode", "Remove code", "Move code", "Define"} <= {
            label for _, label in own}


async def test_matrix_columns_take_the_width_of_the_terminal(study, world):
    app = TacompanionApp(study, coder="ana", start=("map", 0))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        table = app.screen.query_one("#matrix")
        heads = [str(c.label) for c in table.columns.values()][1:]
        assert heads == ["Being with silence", "Naming it"]  # whole names when there is room
        await pilot.resize_terminal(30, 24)
        await pilot.pause()
        heads = [str(c.label) for c in table.columns.values()][1:]
        assert heads == ["Being wit…", "Naming it"]  # cut to fit a narrow terminal
