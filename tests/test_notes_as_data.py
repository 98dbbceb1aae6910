"""Notes as data: from the room straight into coding the interview's notes."""

from __future__ import annotations

from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.screens.coding import CodingScreen
from tacompanion.tui.screens.home import HomeScreen
from tacompanion.tui.screens.interview_dialogs import SummaryScreen

from .test_app_interview import interview_row, request, type_text


def codings_on_notes(study):
    rows = study.query(
        "SELECT c.name, n.text, k.start_pos, k.end_pos FROM codings k JOIN codes c ON c.id = k.code_id "
        "JOIN notes n ON n.id = k.note_id ORDER BY k.id"
    )
    return [(r["name"], r["text"][r["start_pos"]:r["end_pos"]]) for r in rows]


async def test_end_summary_key_switches_into_coding_the_notes(study):
    app = TacompanionApp(study, request(study), coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        for note in ("!it is like a wall #silence", "she waited for the group", "?ask about supervision"):
            await type_text(pilot, note)
            await pilot.press("enter")
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.kind == "notes"
        assert [b.text for b in screen.document.blocks] == [
            "it is like a wall #silence", "she waited for the group", "ask about supervision",
        ]
        assert "quote" in screen.document.blocks[0].header and "#silence" in screen.document.blocks[0].header
        await pilot.press("c", *"Wall", "enter")  # code the first note
        await pilot.press("j", "v", "w", "c", *"Waiting", "enter")  # part of the second
        await pilot.pause()
        assert codings_on_notes(study) == [
            ("Wall", "it is like a wall #silence"), ("Waiting", "she waited"),
        ]
        await pilot.press("u")
        await pilot.pause()
        assert codings_on_notes(study) == [("Wall", "it is like a wall #silence")]
        await pilot.press("q")  # launched from the command line: coding ends the command
        await pilot.pause()
    assert interview_row(study)["ended_at"] is not None
    assert app.return_code == 0 or app.return_code is None


async def test_from_the_home_screen_coding_notes_returns_home(study):
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        from tacompanion.tui.screens.interview_start import begin_interview

        begin_interview(app, request(study), exit_on_end=False)
        await pilot.pause()
        await type_text(pilot, "a note")
        await pilot.press("enter", "ctrl+f", "c")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


def run_interview(study, participant="P1", pilot=False, notes=("first note", "!a quote")):
    """An interview run through the store: clock started, notes on question 1
    and 2 (each marks its question covered), ended."""
    from tacompanion.core.note_markers import parse_note
    from tacompanion.store import interviews as store
    from tacompanion.store.notes import add_note

    from .test_app_interview import GUIDE, Q

    req = request(study, participant, pilot=pilot)
    iid = store.create_interview(study, req.participant_id, req.guide_id, GUIDE, pilot=pilot)
    store.start_clock(study, iid, at="2026-03-02T09:00:00.000Z")
    for i, text in enumerate(notes):
        add_note(study, iid, Q[i].id, parse_note(text), 60_000 * (i + 1), mark_covered=True)
    store.end_interview(study, iid, at="2026-03-02T09:50:00.000Z")
    return iid


def test_stats_json_lists_interviews(cli, db_path):
    import json

    from tacompanion.core.document import DocRef
    from tacompanion.core.spans import Span
    from tacompanion.store.codes import create_and_apply
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        iid = run_interview(study)
        run_interview(study, "P0", pilot=True, notes=("pilot note",))
        note_id = study.scalar("SELECT id FROM notes WHERE interview_id = ? ORDER BY id", (iid,))
        create_and_apply(study, "Opening", DocRef(note_id=note_id), Span(0, 5), "ana")
    done = cli("--db", str(db_path), "stats", "--json")
    assert done.returncode == 0, done.stderr
    interviews = json.loads(done.stdout)["interviews"]
    from .test_app_interview import GUIDE

    assert interviews == [
        {"participant": "P1", "pilot": False, "guide": GUIDE.title, "started": "2026-03-02T09:00:00.000Z",
         "duration_s": 3000, "notes": 2, "questions_covered": 2, "questions_total": 14, "coded_notes": 1},
        {"participant": "P0", "pilot": True, "guide": GUIDE.title, "started": "2026-03-02T09:00:00.000Z",
         "duration_s": 3000, "notes": 1, "questions_covered": 1, "questions_total": 14, "coded_notes": 0},
    ]
    human = cli("--db", str(db_path), "stats")
    assert "Interviews: 2" in human.stdout and "2/14" in human.stdout


async def test_the_transcripts_list_shows_each_participants_notes_and_opens_them_for_coding(study):
    from tacompanion.formats.demo import create_demo_study
    from tacompanion.tui.screens.transcripts import TranscriptsScreen

    create_demo_study(study)
    run_interview(study, "P9", notes=("only notes here",))  # no transcript, notes only
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_transcripts()
        await pilot.pause()
        assert isinstance(app.screen, TranscriptsScreen)
        listing = app.screen.query_one("#transcripts")
        ids = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        texts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        notes_ids = [i for i in ids if i and i.startswith("notes:")]
        assert len(notes_ids) == 3  # T1's and T3's from the demo, and P9's
        p9 = texts.index(next(t for t in texts if t.startswith("P9")))
        assert "interview notes only" in texts[p9] and ids[p9 + 1].startswith("notes:")
        listing.highlighted = p9 + 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen) and app.screen.kind == "notes"
        assert [b.text for b in app.screen.document.blocks] == ["only notes here"]
