"""The interview screen's views as text: strip, outline, note lines, key bar packing."""

from __future__ import annotations

import sys
from pathlib import Path

from tacompanion.core.guide_parser import parse_guide
from tacompanion.core.interview import InterviewNote, QuestionEvent, derive_coverage
from tacompanion.formats.guide_file import read_guide_file
from tacompanion.tui.widgets.interview_views import coverage_strip, note_markup, outline_lines
from tacompanion.tui.widgets.key_bar import pack_items

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from bench_interview import sixty_question_guide  # noqa: E402

_, MBT = read_guide_file(REPO / "guides" / "mbt-avpd-therapists.md")
SIXTY = parse_guide(sixty_question_guide())


def test_the_strip_shows_every_question_when_it_fits():
    coverage = derive_coverage([QuestionEvent(MBT.questions[0].id, "covered")])
    strip = coverage_strip(MBT, coverage, MBT.questions[1].id, width=78)
    assert "✓1" in strip and "[reverse b]·2[/]" in strip and "·14" in strip


def test_a_long_guide_shrinks_the_other_sections_to_counts():
    q = SIXTY.questions[36]  # section 4
    events = [QuestionEvent(SIXTY.questions[0].id, "covered"), QuestionEvent(SIXTY.questions[1].id, "skipped")]
    strip = coverage_strip(SIXTY, derive_coverage(events), q.id, width=78)
    assert "§1 2/10" in strip and "§4" not in strip and "·31" in strip and "·40" in strip
    assert "·41" not in strip and "§6 0/10" in strip
    assert "·60" in coverage_strip(SIXTY, derive_coverage([]), q.id, width=0)  # width unknown: all


def test_outline_wraps_under_the_question_and_finds_the_current_line():
    current = MBT.questions[2]
    lines, at = outline_lines(MBT, derive_coverage([]), current.id, {}, width=40)
    assert lines[at].startswith("·  3 [reverse]Please tell me")
    assert lines[at + 1].startswith("     [reverse]")
    assert all(len(line.replace("[reverse]", "").replace("[/]", "")) <= 40 for line in lines[1:3])


def test_a_note_line_shows_time_question_kind_and_tags():
    note = InterviewNote(1, MBT.questions[0].id, "quote", "it was [odd] #Shame", ("shame",), 1000,
                         "2026-11-26T09:00:00.000Z")
    markup = note_markup(note, 1, 41_000, wall_clock=False)
    assert markup.startswith("[b]00:41[/b]")
    assert "Q1" in markup and "[b $warning]![/]" in markup
    assert "\\[odd]" in markup and "[b $secondary]#Shame[/]" in markup


def test_key_bar_packs_items_into_rows():
    items = [("^g", "Go to"), ("^o", "Covered"), ("^s", "Skip")]
    assert pack_items(items, 20) == [[("^g", "Go to"), ("^o", "Covered")], [("^s", "Skip")]]
    assert pack_items(items, 200) == [items]
    assert pack_items([], 10) == [[]]
