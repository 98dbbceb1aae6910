"""Interview mode driven with Pilot at 80x24 (and once at 200x50)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual import events

from tacompanion.core.note_markers import parse_note
from tacompanion.formats.guide_file import read_guide_file
from tacompanion.store import interviews as store
from tacompanion.store.notes import add_note
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.dialogs.help import HelpScreen
from tacompanion.tui.dialogs.prompts import ConfirmScreen
from tacompanion.tui.home.home import HomeScreen
from tacompanion.tui.interview import interview as interview_screen_module
from tacompanion.tui.interview.interview import InterviewScreen
from tacompanion.tui.interview.interview_dialogs import (
    JumpScreen,
    ResumeScreen,
    SummaryScreen,
)
from tacompanion.tui.interview.interview_start import InterviewRequest, StartInterviewScreen

from .conftest import drawn_text

MBT = Path(__file__).resolve().parent.parent / "guides" / "mbt-avpd-therapists.md"
SOURCE, GUIDE = read_guide_file(MBT)
Q = GUIDE.questions


def request(study, participant="P1", resume=None, pilot=False):
    pid, gid = store.prepare_interview(study, SOURCE, GUIDE, str(MBT), participant, pilot=pilot)
    return InterviewRequest(pid, gid, pilot, resume)


def interview_row(study):
    return study.query("SELECT * FROM interviews ORDER BY id DESC LIMIT 1")[0]


def notes(study):
    return study.query("SELECT question_id, kind, text, tags, elapsed_ms FROM notes ORDER BY id")


def events_of(study, kind):
    return [
        (r["question_id"], r["probe_id"])
        for r in study.query("SELECT question_id, probe_id FROM question_events WHERE event = ? ORDER BY id", (kind,))
    ]


def text_of(screen, selector):
    return str(screen.query_one(selector).render())


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


async def type_text(pilot, text):
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


async def test_starting_opens_the_screen_with_the_note_line_focused(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        assert app.focused.id == "note-line"
        assert Q[0].text in text_of(screen, "#question")
        assert "clock not started" in text_of(screen, "#status")
        assert "Opening script" in text_of(screen, "#context-text")
        assert "1/7 Warm-up" in text_of(screen, "#section-line")
        keys = text_of(screen, "#keys")
        for label in ("PgDn", "^g", "^o", "^s", "^t", "^r", "^l", "^f", "Help"):
            assert label in keys
    row = interview_row(study)
    assert row["started_at"] is None and row["current_question_id"] == Q[0].id


async def test_clock_starts_pauses_and_resumes_by_key(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        assert interview_row(study)["started_at"] is not None
        assert "Opening script" not in text_of(app.screen, "#context-text")
        await pilot.press("ctrl+r")
        assert app.screen.interview.paused
        assert "PAUSED" in text_of(app.screen, "#status")
        assert study.scalar("SELECT count(*) FROM interview_pauses WHERE resumed_at IS NULL") == 1
        await pilot.press("ctrl+r")
        assert not app.screen.interview.paused
        assert study.scalar("SELECT count(*) FROM interview_pauses WHERE resumed_at IS NOT NULL") == 1


async def test_a_note_with_markers_and_tags_is_saved_and_listed(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        await type_text(pilot, "!I felt #Shame there")
        await pilot.press("enter")
        await type_text(pilot, "?ask about #supervision")
        await pilot.press("enter")
        await type_text(pilot, "plain")
        await pilot.press("enter")
        screen = app.screen
        assert screen.query_one("#note-line").value == ""
        assert screen.query_one("#notes").option_count == 3
        assert "3 notes" in text_of(screen, "#status")
        assert "✓ covered" in text_of(screen, "#question-state")
        last = str(screen.query_one("#notes").get_option_at_index(2).prompt)
        assert "plain" in last and "Q1" in last
    rows = notes(study)
    assert [(r["kind"], r["text"], r["tags"]) for r in rows] == [
        ("quote", "I felt #Shame there", '["shame"]'),
        ("follow-up", "ask about #supervision", '["supervision"]'),
        ("note", "plain", "[]"),
    ]
    assert all(r["question_id"] == Q[0].id and r["elapsed_ms"] is not None for r in rows)
    assert events_of(study, "covered") == [(Q[0].id, None)]  # marked once, by the first note


async def test_a_note_before_the_clock_has_no_elapsed_time(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "early")
        await pilot.press("enter")
        assert "--:--" in str(app.screen.query_one("#notes").get_option_at_index(0).prompt)
    assert notes(study)[0]["elapsed_ms"] is None


async def test_a_lone_marker_is_not_saved(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("exclamation_mark", "enter")
        assert app.screen.query_one("#note-line").value == "!"
    assert notes(study) == []


async def test_next_previous_question_and_section(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("pagedown")
        assert screen.current == Q[1]
        await pilot.press("pagedown")
        assert screen.current == Q[2] and "2/7 The last session" in text_of(screen, "#section-line")
        await pilot.press("pageup")
        assert screen.current == Q[1]
        await pilot.press("ctrl+down", "ctrl+down")
        assert screen.current == GUIDE.sections[2].questions[0]
        await pilot.press("pagedown", "ctrl+up")  # first back to the section's start
        assert screen.current == GUIDE.sections[2].questions[0]
        await pilot.press("ctrl+up")
        assert screen.current == GUIDE.sections[1].questions[0]
        await pilot.press("f8")
        assert screen.current == GUIDE.sections[2].questions[0]
        await pilot.press("f7")
        assert screen.current == GUIDE.sections[1].questions[0]
        assert app.focused.id == "note-line"
    assert interview_row(study)["current_question_id"] == GUIDE.sections[1].questions[0].id


async def test_jump_by_number_in_one_keystroke_and_the_note_goes_there(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, JumpScreen)
        await pilot.press("7")  # 14 questions: nothing else starts with 7
        assert isinstance(app.screen, InterviewScreen)
        assert app.screen.current == Q[6]
        await pilot.press("enter")  # out of habit, right after: not a note
        await type_text(pilot, "early answer")
        await pilot.press("enter")
    assert notes(study)[0]["question_id"] == Q[6].id


async def test_jump_by_fuzzy_words(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+g")
        # The example in the box is a question further on, from this guide.
        assert app.screen.query_one("#jump-query").placeholder == "3  or  therapy"
        assert "therapy" in Q[2].text
        await type_text(pilot, "silnc")
        await pilot.press("enter")
        assert app.screen.current.text.startswith("How did silence")
        await pilot.press("ctrl+g")
        await type_text(pilot, "1")  # ambiguous (10-14): wait for Enter
        assert isinstance(app.screen, JumpScreen)
        await pilot.press("enter")
        assert app.screen.current == Q[0]
        await pilot.press("ctrl+g", "escape")
        assert app.screen.current == Q[0]


async def test_mark_covered_skipped_and_back(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("ctrl+o")
        assert "✓ covered" in text_of(screen, "#question-state")
        assert "✓1" in text_of(screen, "#strip")
        await pilot.press("ctrl+o")
        assert "not yet" in text_of(screen, "#question-state")
        await pilot.press("ctrl+s")
        assert "skipped" in text_of(screen, "#question-state")
        assert "–1" in text_of(screen, "#strip")
    assert events_of(study, "covered") == [(Q[0].id, None)]
    assert events_of(study, "uncovered") == [(Q[0].id, None)]
    assert events_of(study, "skipped") == [(Q[0].id, None)]


def picker_open(app) -> bool:
    return app.screen.query_one("#probe-picker").is_open


def record_warnings(app) -> list[str]:
    """The messages of the warnings the app shows from now on."""
    shown: list[str] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        if kwargs.get("severity") == "warning":
            shown.append(message)
        return notify(message, *args, **kwargs)

    app.notify = recording
    return shown


async def test_tick_and_untick_a_probe(study):
    app = TacompanionApp(study, request(study))
    warnings = record_warnings(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+t")
        assert picker_open(app) and "press its number" in text_of(app.screen, "#probe-picker")
        assert app.focused.id == "note-line"  # the pop-up never takes the focus
        await pilot.press("2")
        assert not picker_open(app)
        assert "2 ☑" in app.screen.query_one("#probes").plain()
        await pilot.press("ctrl+t", "9")  # no probe 9: more likely a note ("9 years"), so it goes there
        assert not picker_open(app)
        assert warnings == ["Q1 has 3 probes: 9 went into the note"]
        assert app.screen.query_one("#note-line").value == "9"
        await pilot.press("backspace", "ctrl+t", "2")
        assert "2 ☐" in app.screen.query_one("#probes").plain()
        await pilot.press("ctrl+t", "escape")
        assert not picker_open(app)
        await pilot.press("ctrl+t", "ctrl+t")
        assert not picker_open(app)
        assert app.screen.query_one("#note-line").value == ""
    probe = Q[0].probes[1].id
    assert events_of(study, "probe-ticked") == [(Q[0].id, probe)]
    assert events_of(study, "probe-unticked") == [(Q[0].id, probe)]


async def test_typing_after_ctrl_t_closes_the_probe_pop_up_and_goes_into_the_note(study):
    # An interviewer typing without looking: nothing typed may be lost.
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "she ")
        await pilot.press("ctrl+t")
        await type_text(pilot, "paused")
        assert not picker_open(app)
        assert app.screen.query_one("#note-line").value == "she paused"
        await pilot.press("ctrl+t", "enter")  # Enter: as if pressed on the note line
        assert not picker_open(app)
        assert [r["text"] for r in notes(study)] == ["she paused"]
        await pilot.press("ctrl+t", "exclamation_mark")  # a marker is text too
        assert app.screen.query_one("#note-line").value == "!"
        await pilot.press("backspace", "ctrl+t", "pagedown")  # a screen key closes it and acts
        assert not picker_open(app) and app.screen.current == Q[1]
    assert events_of(study, "probe-ticked") == []


async def test_fast_typing_after_ctrl_t_keeps_every_letter_in_order(study):
    # Keys arrive faster than the app handles them: the pop-up must not eat
    # the ones that come while it is opening or closing.
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = ["ctrl+t", *"quiet", "ctrl+t", "1", *" now", "enter"]
        for key in keys:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await wait_until(pilot, lambda: len(notes(study)) == 1)
        assert not picker_open(app)
    assert [r["text"] for r in notes(study)] == ["quiet now"]
    assert events_of(study, "probe-ticked") == [(Q[0].id, Q[0].probes[0].id)]


async def test_recording_offset_shifts_the_stamps(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        await type_text(pilot, "x")
        await pilot.press("enter", "ctrl+l")
        await type_text(pilot, "1:40")
        await pilot.press("enter")
        assert isinstance(app.screen, InterviewScreen)
        assert "· rec " in text_of(app.screen, "#status")
        assert str(app.screen.query_one("#notes").get_option_at_index(0).prompt).startswith("01:40")
        await pilot.press("ctrl+l")
        await pilot.press("ctrl+u")
        await type_text(pilot, "soon")
        await pilot.press("enter")
        assert "write seconds" in text_of(app.screen, "#offset-error")
        await pilot.press("escape")
    assert interview_row(study)["recording_offset_ms"] == 100_000


async def test_the_clock_holds_interview_time_to_the_plan_and_shows_the_recording_beside_it(study, monkeypatch):
    req = request(study)
    interview_id = store.create_interview(study, req.participant_id, req.guide_id, GUIDE, pilot=False)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    store.start_clock(study, interview_id, "2026-03-02T09:00:00.000Z")
    now = start + timedelta(seconds=34)
    monkeypatch.setattr(interview_screen_module, "utc_now", lambda: now)  # a clock the test moves
    app = TacompanionApp(study, InterviewRequest(req.participant_id, req.guide_id, False, True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "00:34 / 55:00  │" in text_of(screen, "#status")  # no offset: nothing more to say
        await pilot.press("ctrl+l")
        await type_text(pilot, "1:20")
        await pilot.press("enter")
        status = text_of(screen, "#status")
        assert "00:34 / 55:00 · rec 01:54" in status and "+01:20" not in status
        assert "00:34 / 5:00" in text_of(screen, "#section-line")  # the section's own time, too
        await type_text(pilot, "x")
        await pilot.press("enter")
        assert str(screen.query_one("#notes").get_option_at_index(0).prompt).startswith("01:54")  # in the audio
        now = start + timedelta(minutes=54, seconds=30)
        screen.refresh_clock()
        # 55:50 into the recording but 54:30 into the interview: not over the 55 minutes planned
        assert "54:30 / 55:00 · rec 55:50" in text_of(screen, "#status")
    assert notes(study)[0]["elapsed_ms"] == 34_000


async def test_the_section_clock_warns_when_over(study):
    req = request(study)
    interview_id = store.create_interview(study, req.participant_id, req.guide_id, GUIDE, pilot=False)
    started = (datetime.now(UTC) - timedelta(minutes=6)).isoformat(timespec="milliseconds")
    store.start_clock(study, interview_id, started.replace("+00:00", "Z"))
    app = TacompanionApp(study, InterviewRequest(req.participant_id, req.guide_id, False, True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        line = app.screen.query_one("#section-line")
        assert line.has_class("-over")  # warm-up: 5 min planned, 6 spent
        assert "06:0" in text_of(app.screen, "#section-line")
        await pilot.press("ctrl+down")
        assert not line.has_class("-over")


async def test_finish_shows_the_summary_then_ends_the_interview(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        for note in ("!it is like a wall", "?ask about the group", "plain"):
            await type_text(pilot, note)
            await pilot.press("enter")
        await pilot.press("ctrl+t", "1")
        await pilot.press("ctrl+f")
        assert isinstance(app.screen, SummaryScreen)
        text = text_of(app.screen, "#summary-text")
        assert "1/14 covered" in text and f"1/{GUIDE.probe_count} ticked" in text
        assert "(1 quote, 1 follow-up)" in text
        assert "Notes      3" in text and "it is like a wall" in text and "ask about the group" in text
        assert Q[1].text in text  # not yet asked
        await pilot.press("escape")  # back: nothing ended
        assert isinstance(app.screen, InterviewScreen)
        assert interview_row(study)["ended_at"] is None
        await pilot.press("ctrl+f", "enter")
        await pilot.pause()
    assert interview_row(study)["ended_at"] is not None
    assert app.ended_interview == interview_row(study)["id"]


async def test_an_open_interview_is_offered_for_resuming(study):
    req = request(study)
    interview_id = store.create_interview(study, req.participant_id, req.guide_id, GUIDE, pilot=False)
    store.make_current(study, interview_id, Q[4].id, None)
    add_note(study, interview_id, Q[4].id, parse_note("before the crash"), None, mark_covered=True)
    app = TacompanionApp(study, req)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        assert "1 note" in text_of(app.screen, "#resume-text")
        assert "(clock not started)" in text_of(app.screen, "#resume-text")  # never "started" then
        await pilot.press("r")
        screen = app.screen
        assert isinstance(screen, InterviewScreen) and screen.interview_id == interview_id
        assert screen.current == Q[4]
        assert "before the crash" in str(screen.query_one("#notes").get_option_at_index(0).prompt)
        assert "✓ covered" in text_of(screen, "#question-state")


async def test_new_closes_the_open_interview(study):
    req = request(study)
    old = store.create_interview(study, req.participant_id, req.guide_id, GUIDE, pilot=False)
    app = TacompanionApp(study, req)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        assert isinstance(app.screen, InterviewScreen) and app.screen.interview_id != old
    assert study.scalar("SELECT ended_at IS NOT NULL FROM interviews WHERE id = ?", (old,)) == 1


async def test_help_lists_every_interview_key(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        text = drawn_text(app.screen.query_one("#help-text"))
        for label in ("PgDn", "PgUp", "^g", "Go to", "^o", "^s", "^t", "^r", "^l", "^f", "^↓", "^↑",
                      "F7", "F8", "shift+PgDn", "^q"):
            assert label in text, label
        await pilot.press("escape")
        assert isinstance(app.screen, InterviewScreen)


async def test_question_mark_in_a_note_is_text_not_help(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, InterviewScreen)
        assert app.screen.query_one("#note-line").value == "?"


async def test_fast_typing_keeps_notes_apart_and_on_their_question(study):
    # Keys arrive faster than the app handles them (as from a paste or a fast
    # typist): Enter and PgDn must still act in the order they were typed.
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = [*"one", "enter", "pagedown", *"two", "enter", "pagedown", *"three", "enter"]
        for key in keys:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await wait_until(pilot, lambda: len(notes(study)) == 3)
    assert [(r["text"], r["question_id"]) for r in notes(study)] == [
        ("one", Q[0].id), ("two", Q[1].id), ("three", Q[2].id)
    ]


async def test_quit_asks_first_and_leaves_the_interview_open(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, InterviewScreen)
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
    assert interview_row(study)["ended_at"] is None


async def test_a_large_terminal_shows_the_outline(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.has_class("-wide") and screen.has_class("-tall")
        assert screen.query_one("#outline").display and not screen.query_one("#strip").display
        outline = text_of(screen, "#outline-text")
        assert "1. Warm-up" in outline and Q[-1].text in outline
        assert len(text_of(screen, "#keys").splitlines()) == 1


async def test_start_from_the_home_screen(study, tmp_path):
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, StartInterviewScreen)
        app.screen.query_one("#start-guide").value = str(tmp_path / "missing.md")
        app.screen.query_one("#start-participant").value = "P9"
        app.screen.query_one("#start-participant").focus()
        await pilot.press("enter")
        assert "no such file" in text_of(app.screen, "#start-error")
        app.screen.query_one("#start-guide").value = str(MBT)
        app.screen.query_one("#start-pilot").value = True
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
        assert "PILOT" in text_of(app.screen, "#status")
        await pilot.press("ctrl+f", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    row = interview_row(study)
    assert row["pilot"] == 1 and row["ended_at"] is not None


async def test_probes_follow_the_question_including_none(study, tmp_path):
    guide = tmp_path / "g.md"
    guide.write_text("# G\n\n## S\n\n1. With two?\n   - one\n   - two\n2. Without?\n3. With one?\n   - alone\n")
    source, parsed = read_guide_file(guide)
    pid, gid = store.prepare_interview(study, source, parsed, str(guide), "P1", pilot=False)
    app = TacompanionApp(study, InterviewRequest(pid, gid, False, None))
    async with app.run_test(size=(80, 24)) as pilot:
        probes = app.screen.query_one("#probes")
        assert probes.plain().splitlines() == ["1 ☐ one", "2 ☐ two"]
        await pilot.press("pagedown")
        assert "No probes" in str(probes.children[0].render())
        await pilot.press("pagedown")
        assert probes.plain() == "1 ☐ alone"
        await pilot.press("ctrl+t", "1")
        assert probes.plain() == "1 ☑ alone"


class FakeClock:
    """Stands in for the interview screen's `time` module: the Enter grace is
    measured on this clock, so the test does not depend on how loaded the
    machine is (a real pause could last longer or shorter than the grace)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


async def test_an_enter_right_after_a_jump_by_number_does_not_save_the_line(study, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(interview_screen_module, "time", clock)
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "half")
        await pilot.press("ctrl+g", "9", "enter")
        assert app.screen.current == Q[8]
        assert app.screen.query_one("#note-line").value == "half"
        assert notes(study) == []
        clock.now += interview_screen_module.ENTER_GRACE_S + 0.1
        await pilot.press("enter")
    assert [(r["text"], r["question_id"]) for r in notes(study)] == [("half", Q[8].id)]


async def test_the_command_palette_offers_the_interview_actions(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Next question", "Go to", "Covered", "Clock", "Finish"):
            assert title in titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Next question")
        await command.callback()
        assert app.screen.current == Q[1]


async def test_shift_page_keys_scroll_the_opening_then_the_notes(study):
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        context = app.screen.query_one("#context")
        await wait_until(pilot, lambda: context.max_scroll_y > 0)  # the opening is longer than its room
        # The screen's first resize redraws the guide and the context after the
        # next refresh (scrolling the context home): a key pressed before that
        # is undone by it, which a person at a terminal is never quick enough
        # to see. Wait for the refreshes already asked for to have run.
        settled = []
        app.screen.call_after_refresh(settled.append, True)
        await wait_until(pilot, lambda: settled)
        await pilot.press("shift+pagedown")
        await wait_until(pilot, lambda: context.scroll_y > 0)
        await pilot.press("ctrl+r")
        for i in range(15):
            await type_text(pilot, f"n{i}")
            await pilot.press("enter")
        note_list = app.screen.query_one("#notes")
        await wait_until(pilot, lambda: note_list.scroll_y > 0)  # newest last, scrolled into view
        await pilot.wait_for_scheduled_animations()
        settled.clear()
        app.screen.call_after_refresh(settled.append, True)
        await wait_until(pilot, lambda: settled)
        bottom = note_list.scroll_y
        await pilot.press("shift+pageup")
        await wait_until(pilot, lambda: note_list.scroll_y < bottom)
