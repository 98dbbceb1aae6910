"""Interviews and notes in the study: every change is on disk at once."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tacompanion.core.interview import COVERED, NOT_YET, SKIPPED, derive_coverage, parse_iso
from tacompanion.core.note_markers import parse_note
from tacompanion.formats.guide_file import read_guide_file
from tacompanion.store import interviews as store
from tacompanion.store.notes import add_note, list_notes
from tacompanion.store.study import Study

GUIDES = Path(__file__).resolve().parent.parent / "guides"

MBT = GUIDES / "mbt-avpd-therapists.md"


def new_interview(study, participant="P1", pilot=False):
    source, guide = read_guide_file(MBT)
    pid, gid = store.prepare_interview(study, source, guide, str(MBT), participant, pilot=pilot)
    return store.create_interview(study, pid, gid, guide, pilot=pilot), guide, pid


def other_connection(path):
    return sqlite3.connect(path)


def test_prepare_stores_the_guide_and_participant_once(study):
    source, guide = read_guide_file(MBT)
    a = store.prepare_interview(study, source, guide, "g.md", "P1", pilot=False)
    b = store.prepare_interview(study, source, guide, "g.md", "p1", pilot=False)
    assert a == b
    assert study.scalar("SELECT count(*) FROM guides") == 1
    assert study.scalar("SELECT count(*) FROM participants") == 1


def test_a_new_interview_is_open_on_its_first_question(study):
    interview_id, guide, pid = new_interview(study)
    interview = store.load_interview(study, interview_id)
    assert interview.current_question_id == guide.questions[0].id
    assert not interview.clock_started and not interview.paused
    assert [r["id"] for r in store.open_interviews(study, pid)] == [interview_id]
    assert [e.event for e in store.load_events(study, interview_id)] == ["current"]


def test_clock_start_pause_resume_survive_reopening(study, db_path):
    interview_id, _, _ = new_interview(study)
    store.start_clock(study, interview_id, "2026-11-26T09:00:00.000Z")
    store.start_clock(study, interview_id, "2026-11-26T09:30:00.000Z")  # once only
    store.pause_clock(study, interview_id, "2026-11-26T09:10:00.000Z")
    store.pause_clock(study, interview_id, "2026-11-26T09:11:00.000Z")  # already paused
    store.resume_clock(study, interview_id, "2026-11-26T09:12:00.000Z")
    store.pause_clock(study, interview_id, "2026-11-26T09:20:00.000Z")
    with Study.open(db_path) as again:  # as after a crash
        interview = store.load_interview(again, interview_id)
    assert interview.started_at == "2026-11-26T09:00:00.000Z"
    assert interview.paused
    now = parse_iso("2026-11-26T10:00:00.000Z")
    assert interview.elapsed_ms(now) == (20 - 2) * 60_000


def test_a_note_is_committed_before_add_note_returns(study, db_path):
    interview_id, guide, _ = new_interview(study)
    q = guide.questions[0]
    note = add_note(study, interview_id, q.id, parse_note("!it was quiet #silence"), 12_000, mark_covered=True)
    with other_connection(db_path) as conn:  # another process sees it at once
        row = conn.execute("SELECT kind, text, tags, elapsed_ms, question_id FROM notes").fetchone()
        covered = conn.execute("SELECT count(*) FROM question_events WHERE event = 'covered'").fetchone()[0]
    assert row == ("quote", "it was quiet #silence", '["silence"]', 12_000, q.id)
    assert covered == 1
    assert list_notes(study, interview_id) == [note]


def test_question_states_and_probes_are_events(study):
    interview_id, guide, _ = new_interview(study)
    q1, q2 = guide.questions[:2]
    store.set_question_state(study, interview_id, q1.id, COVERED, 1000)
    store.set_question_state(study, interview_id, q2.id, SKIPPED, 2000)
    store.set_question_state(study, interview_id, q1.id, NOT_YET, 3000)
    store.set_probe_ticked(study, interview_id, q1.id, q1.probes[0].id, True, 4000)
    store.make_current(study, interview_id, q2.id, 5000)
    coverage = derive_coverage(store.load_events(study, interview_id))
    assert coverage.state(q1.id) == NOT_YET
    assert coverage.state(q2.id) == SKIPPED
    assert coverage.probe_ticked(q1.id, q1.probes[0].id)
    assert store.load_interview(study, interview_id).current_question_id == q2.id


def test_recording_offset_shifts_the_recording_time(study):
    interview_id, _, _ = new_interview(study)
    store.set_recording_offset(study, interview_id, 40_000)
    interview = store.load_interview(study, interview_id)
    assert interview.recording_ms(1_000) == 41_000
    assert interview.recording_ms(None) is None


def test_ending_closes_an_open_pause_and_the_interview(study):
    interview_id, _, pid = new_interview(study)
    store.start_clock(study, interview_id)
    store.pause_clock(study, interview_id)
    ended = store.end_interview(study, interview_id)
    interview = store.load_interview(study, interview_id)
    assert interview.ended_at == ended and not interview.paused
    assert store.open_interviews(study, pid) == []


def test_an_abandoned_interview_ends_at_its_last_activity(study):
    interview_id, guide, _ = new_interview(study)
    note = add_note(study, interview_id, guide.questions[0].id, parse_note("last words"), None)
    ended = store.close_abandoned(study, interview_id)
    assert ended == note.created_at


def test_outcome_counts_notes(study):
    interview_id, guide, _ = new_interview(study)
    add_note(study, interview_id, guide.questions[0].id, parse_note("one"), None)
    outcome = store.interview_outcome(study, interview_id)
    assert outcome == {"ended_at": None, "participant": "P1", "notes": 1}


def test_last_guide_file_is_offered_again(study):
    assert store.last_guide_file(study) is None
    new_interview(study)
    assert store.last_guide_file(study) == str(MBT)


def test_times_are_utc_iso(study):
    interview_id, _, _ = new_interview(study)
    started = store.start_clock(study, interview_id)
    assert started.endswith("Z")
    assert abs(datetime.now(UTC) - parse_iso(started)) < timedelta(seconds=5)
