"""Notes as data: from the room straight into coding the interview's notes."""

from __future__ import annotations

from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.coding import CodingScreen
from tacompanion.tui.home.home import HomeScreen
from tacompanion.tui.interview.interview_dialogs import SummaryScreen

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
        from tacompanion.tui.interview.interview_start import begin_interview

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
    from tacompanion.tui.familiarise.transcripts import TranscriptsScreen

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


VTT = """WEBVTT

00:00:05.000 --> 00:00:20.000
<v Interviewer>Could you tell me about your background?

00:00:21.000 --> 00:01:30.000
<v P1>I trained as a psychologist.

00:01:41.000 --> 00:01:50.000
<v Interviewer>How did you come to MBT?

00:01:51.000 --> 00:02:40.000
<v P1>By accident, really.

00:03:41.000 --> 00:03:44.000
<v Interviewer>And your last session?

00:03:45.000 --> 00:04:30.000
<v P1>The last session was quiet.
"""


def timed_study(study):
    """P1's interview run in the app: Q1 from the start, Q2 at 1:00 and Q3 at
    3:00 on the clock; the recorder ran 40 s before the clock. And P1's VTT."""
    from tacompanion.formats.transcript_files import parse_transcript_bytes
    from tacompanion.store import interviews as store
    from tacompanion.store.transcripts import import_transcript

    from .test_app_interview import GUIDE, Q

    req = request(study, "P1")
    iid = store.create_interview(study, req.participant_id, req.guide_id, GUIDE, pilot=False)
    store.start_clock(study, iid, at="2026-03-02T09:00:00.000Z")
    store.set_recording_offset(study, iid, 40_000)
    store.make_current(study, iid, Q[1].id, 60_000)
    store.make_current(study, iid, Q[2].id, 180_000)
    store.end_interview(study, iid, at="2026-03-02T09:50:00.000Z")
    parsed = parse_transcript_bytes(VTT.encode(), "vtt", "p1.vtt").with_interviewer_labels(["Interviewer"])
    tid = import_transcript(study, parsed, participant="P1", file_name="p1.vtt").transcript_id
    return iid, tid


def test_transcript_turns_are_assigned_to_questions_by_time_and_offset(study):
    from tacompanion.store.by_question import align_transcript, segment_questions

    from .test_app_interview import Q

    iid, tid = timed_study(study)
    assert align_transcript(study, tid) == 6
    # recording time - 40 s = clock time: 0:05 -> Q1, 1:41 (clock 1:01) -> Q2, 3:41 (3:01) -> Q3
    assert segment_questions(study, tid) == [Q[0].id, Q[0].id, Q[1].id, Q[1].id, Q[2].id, Q[2].id]
    sources = [r["question_source"] for r in study.query(
        "SELECT question_source FROM segments WHERE transcript_id = ? ORDER BY position", (tid,))]
    assert sources == ["time"] * 6


def test_a_hand_mark_overrides_times_from_that_turn_on(study):
    from tacompanion.store.by_question import align_transcript, mark_question_start, segment_questions

    from .test_app_interview import Q

    iid, tid = timed_study(study)
    align_transcript(study, tid)
    seg = study.query("SELECT id FROM segments WHERE transcript_id = ? AND position = 3", (tid,))[0]["id"]
    mark_question_start(study, seg, Q[5].id)
    align_transcript(study, tid)  # a new alignment keeps the hand mark
    assert segment_questions(study, tid) == [Q[0].id, Q[0].id, Q[1].id, Q[5].id, Q[5].id, Q[5].id]
    mark_question_start(study, seg, None)
    assert segment_questions(study, tid) == [Q[0].id, Q[0].id, Q[1].id, Q[1].id, Q[2].id, Q[2].id]


async def test_the_by_question_view_counts_answers_and_opens_them_for_coding(study):
    from tacompanion.tui.writing.by_question import AnswersScreen, ByQuestionScreen

    from .test_app_interview import Q

    timed_study(study)
    run_interview(study, "P2", notes=("p2 on background", "p2 on mbt"))
    run_interview(study, "P0", pilot=True, notes=("pilot",))
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ByQuestionScreen)
        assert screen.data.participants == ["P1", "P2"]  # the pilot stays out
        table = screen.query_one("#by-question")
        assert [str(c) for c in table.get_row(Q[0].id)] == [f"Q1. {Q[0].text}", "1", "1"]
        assert [str(c) for c in table.get_row(Q[1].id)][1:] == ["1", "1"]
        assert [str(c) for c in table.get_row(Q[2].id)][1:] == ["1", "·"]
        table.cursor_coordinate = (2, 1)  # Q3 x P1: the turn at 3:45
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AnswersScreen)
        assert [a.text for a in app.screen.answers] == ["The last session was quiet."]
        await pilot.press("enter")
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen) and coding.kind == "transcript"
        assert coding.view.block.text == "The last session was quiet."
        await pilot.press("c", *"Quiet session", "enter")
        await pilot.pause()
        assert study.scalar("SELECT count(*) FROM codings") == 1


async def test_q_in_coding_mode_marks_where_a_question_starts(study):
    from tacompanion.store.by_question import segment_questions

    from .test_app_interview import Q

    iid, tid = timed_study(study)
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("G", "Q", *"Q12", "enter")
        await pilot.pause()
        assert "Q12 starts at this turn" in str(app.screen.query_one("#status").render())
    assert segment_questions(study, tid)[-1] == Q[11].id


async def test_q_in_the_reading_view_marks_where_a_question_starts(study):
    from tacompanion.store.by_question import segment_questions
    from tacompanion.tui.familiarise.reading import ReadingScreen

    from .test_app_interview import Q

    iid, tid = timed_study(study)
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_transcript(tid)
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)
        await pilot.press("end", "Q", *"Q12", "enter")
        await pilot.pause()
    assert segment_questions(study, tid)[-1] == Q[11].id


def test_export_by_question(cli, db_path):
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        timed_study(study)
        run_interview(study, "P2", notes=("p2 on background", "p2 on mbt"))
    done = cli("--db", str(db_path), "export", "by-question")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    from .test_app_interview import Q

    q1 = text.index(f"### Q1. {Q[0].text}")
    q2 = text.index(f"### Q2. {Q[1].text}")
    block = text[q1:q2]
    assert "**P1**" in block and "- I trained as a psychologist. _(p1.vtt turn 2)_" in block
    assert "**P2**" in block and "- p2 on background _(note 1:00)_" in block
    assert "Could you tell me about your background?" not in block  # the interviewer's turn is no answer
    assert "_Nothing yet from: P2._" in text[text.index("### Q3."):]


async def test_the_rule_screen_switches_notes_in_or_out_of_the_analysis(study):
    from tacompanion.store.analysis import analyse
    from tacompanion.tui.thematic.prevalence_rule import PrevalenceRuleScreen

    run_interview(study, "P1")
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PrevalenceRuleScreen())
        await pilot.pause()
        assert "transcripts and interview notes" in str(app.screen.query_one("#rule-title").render())
        assert analyse(study).total == 1  # P1 counts through the notes
        await pilot.press("t")
        await pilot.pause()
        assert study.setting("analysis_scope") == "transcripts"
        assert analyse(study).total == 0
        assert "transcripts only" in str(app.screen.query_one("#rule-title").render())
        await pilot.press("t")
        assert study.setting("analysis_scope") == "all"


def test_kill_9_while_coding_notes_loses_nothing_shown(db_path):
    import os
    import signal
    import sys

    import pytest

    pexpect = pytest.importorskip("pexpect")
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        run_interview(study, "P9", notes=("long silence before she answered", "she spoke of shame"))
    child = pexpect.spawn(
        sys.executable, ["-m", "tacompanion", "--db", str(db_path), "code", "--participant", "P9",
                         "--coder", "kim"],
        env=dict(os.environ, TERM="xterm-256color"), dimensions=(24, 80), encoding="utf-8", timeout=20,
    )
    try:
        child.expect("notes · c code")
        child.send("c")
        child.expect("Code this note")
        child.send("Silence\r")
        child.expect("Created 'Silence'")
        child.send("jvw")  # "she spoke"
        child.expect("Selecting 2 words")
        child.send("c")
        child.expect("Code the selection")
        child.send("Shame talk\r")
        child.expect("Created 'Shame talk'")
        os.kill(child.pid, signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    with Study.open(db_path) as study:
        rows = study.query(
            "SELECT c.name, n.text, k.start_pos, k.end_pos FROM codings k JOIN codes c ON c.id = k.code_id "
            "JOIN notes n ON n.id = k.note_id ORDER BY k.id"
        )
        assert [(r["name"], r["text"][r["start_pos"]:r["end_pos"]]) for r in rows] == [
            ("Silence", "long silence before she answered"), ("Shame talk", "she spoke"),
        ]


def test_export_by_question_applies_the_redaction_list(cli, db_path):
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        run_interview(study, "P2", notes=("grew up in Tromsø, then Oslo", "p2 on mbt"))
    assert cli("--db", str(db_path), "redact", "add", "Tromsø", "[city]").returncode == 0
    redacted = cli("--db", str(db_path), "export", "by-question").stdout
    assert "- grew up in [city], then Oslo _(note 1:00)_" in redacted and "Tromsø" not in redacted
    plain = cli("--db", str(db_path), "export", "by-question", "--no-redact").stdout
    assert "- grew up in Tromsø, then Oslo _(note 1:00)_" in plain
    with Study.open(db_path) as study:
        assert study.scalar("SELECT count(*) FROM notes WHERE text LIKE '%Tromsø%'") == 1
