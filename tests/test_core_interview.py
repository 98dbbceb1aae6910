"""The interview's derived state: clock, coverage, section times, summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tacompanion.core.guide_parser import parse_guide
from tacompanion.core.interview import (
    COVERED,
    NOT_YET,
    SKIPPED,
    InterviewNote,
    Pause,
    QuestionEvent,
    derive_coverage,
    elapsed_ms,
    format_clock,
    format_hms,
    neighbour_question,
    neighbour_section_question,
    parse_iso,
    parse_offset,
    section_times_ms,
    summarize,
)

GUIDE = parse_guide(
    """# Test guide

Opening words.

## One [5 min]

1. First question?
   - probe a
   - probe b
2. Second question?

## Two [10 min]

1. Third question?
   - probe c
"""
)
Q1, Q2, Q3 = GUIDE.questions
START = "2026-11-26T09:00:00.000Z"


def at(seconds: float) -> datetime:
    return parse_iso(START) + timedelta(seconds=seconds)


def iso(seconds: float) -> str:
    return at(seconds).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_elapsed_is_zero_before_the_clock_starts():
    assert elapsed_ms(None, (), at(100)) == 0


def test_elapsed_counts_from_the_start():
    assert elapsed_ms(START, (), at(61.5)) == 61_500


def test_elapsed_leaves_out_closed_pauses():
    pauses = [Pause(iso(60), iso(90)), Pause(iso(100), iso(110))]
    assert elapsed_ms(START, pauses, at(200)) == (200 - 30 - 10) * 1000


def test_elapsed_stands_still_during_an_open_pause():
    pauses = [Pause(iso(60), None)]
    assert elapsed_ms(START, pauses, at(70)) == 60_000
    assert elapsed_ms(START, pauses, at(7000)) == 60_000


def test_elapsed_after_a_crash_continues_from_the_stored_facts():
    # The process died at 300 s and came back at 900 s: the clock ran on,
    # as the recorder did.
    pauses = [Pause(iso(100), iso(160))]
    assert elapsed_ms(START, pauses, at(900)) == 840_000


def test_a_pause_before_the_start_is_ignored():
    assert elapsed_ms(START, [Pause(iso(-50), iso(10))], at(20)) == 10_000


def test_time_formats():
    assert format_hms(0) == "00:00:00"
    assert format_hms(3_725_999) == "01:02:05"
    assert format_hms(None) == ""
    assert format_clock(65_000) == "01:05"
    assert format_clock(3_725_000) == "1:02:05"
    assert format_clock(None) == "--:--"


@pytest.mark.parametrize(
    ("text", "ms"),
    [("40", 40_000), ("40s", 40_000), ("1:20", 80_000), ("1m20s", 80_000), ("0:01:20", 80_000),
     ("-5", -5_000), ("2.5", 2_500), (" 1 m ", 60_000)],
)
def test_parse_offset_accepts_what_people_type(text, ms):
    assert parse_offset(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "1:75", "forty", "30h"])
def test_parse_offset_refuses_nonsense(text):
    with pytest.raises(ValueError):
        parse_offset(text)


def test_coverage_follows_the_last_event_of_each_question():
    events = [
        QuestionEvent(Q1.id, "covered"),
        QuestionEvent(Q2.id, "skipped"),
        QuestionEvent(Q1.id, "uncovered"),
        QuestionEvent(Q3.id, "skipped"),
        QuestionEvent(Q3.id, "covered"),
        QuestionEvent(Q1.id, "probe-ticked", probe_id=Q1.probes[0].id),
        QuestionEvent(Q1.id, "probe-ticked", probe_id=Q1.probes[1].id),
        QuestionEvent(Q1.id, "probe-unticked", probe_id=Q1.probes[0].id),
    ]
    coverage = derive_coverage(events)
    assert coverage.state(Q1.id) == NOT_YET
    assert coverage.state(Q2.id) == SKIPPED
    assert coverage.state(Q3.id) == COVERED
    assert not coverage.probe_ticked(Q1.id, Q1.probes[0].id)
    assert coverage.probe_ticked(Q1.id, Q1.probes[1].id)
    assert coverage.covered_count(GUIDE) == 1
    assert coverage.ticked_count(GUIDE) == 1


def test_section_times_come_from_the_current_question_events():
    events = [
        QuestionEvent(Q1.id, "current", None),  # before the clock started
        QuestionEvent(Q2.id, "current", 120_000),
        QuestionEvent(Q3.id, "current", 400_000),
        QuestionEvent(Q1.id, "current", 500_000),  # back to section one
        QuestionEvent(Q1.id, "covered", 510_000),  # not a move
    ]
    times = section_times_ms(GUIDE, events, 560_000)
    assert times == {0: 400_000 + 60_000, 1: 100_000}


def test_navigation_stops_at_the_ends():
    assert neighbour_question(GUIDE, Q1.id, 1) == Q2
    assert neighbour_question(GUIDE, Q1.id, -1) is None
    assert neighbour_question(GUIDE, Q3.id, 1) is None
    assert neighbour_section_question(GUIDE, Q1.id, 1) == Q3
    assert neighbour_section_question(GUIDE, Q3.id, -1) == Q1
    assert neighbour_section_question(GUIDE, Q3.id, 1) is None


def test_summary_lists_what_is_left_and_what_was_caught():
    coverage = derive_coverage([QuestionEvent(Q1.id, "covered"), QuestionEvent(Q2.id, "skipped"),
                                QuestionEvent(Q3.id, "probe-ticked", probe_id=Q3.probes[0].id)])
    notes = [
        InterviewNote(1, Q1.id, "note", "plain", (), 1000, START),
        InterviewNote(2, Q1.id, "quote", "said it", (), 2000, START),
        InterviewNote(3, Q2.id, "follow-up", "come back", (), 3000, START),
    ]
    summary = summarize(GUIDE, coverage, notes, 3_000_000)
    assert (summary.questions_covered, summary.questions_total) == (1, 3)
    assert (summary.probes_ticked, summary.probes_total) == (1, 3)
    assert summary.uncovered == (Q3,)
    assert summary.skipped == (Q2,)
    assert [n.text for n in summary.follow_ups] == ["come back"]
    assert [n.text for n in summary.quotes] == ["said it"]
    assert summary.note_count == 3
    assert summary.duration_ms == 3_000_000


def test_parse_iso_reads_stored_times():
    assert parse_iso("2026-11-26T09:15:02.120Z") == datetime(2026, 11, 26, 9, 15, 2, 120_000, UTC)
