"""The interview screen's views as text: strip, outline, note lines, the key bar."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from tacompanion.core.guide_parser import parse_guide
from tacompanion.core.interview import Interview, InterviewNote, Pause, QuestionEvent, derive_coverage
from tacompanion.formats.guide_file import read_guide_file
from tacompanion.tui.interview.views import coverage_strip, note_markup, outline_lines, status_markup
from tacompanion.tui.widgets.key_bar import KeyBar, item_markup, key_items, pack_items

from .conftest import drawn_text

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


def test_the_status_clock_is_interview_time_against_the_plan_with_the_recording_beside_it():
    started = Interview(1, "u", 1, "P9", 1, False, "2026-03-02T09:00:00.000Z",
                        started_at="2026-03-02T09:00:00.000Z", recording_offset_ms=80_000)
    facts = dict(planned_minutes=45, covered=2, total=14, notes=3)
    markup = status_markup(started, 34_000, **facts)
    assert "[b]00:34[/] [dim]/ 45:00[/] [dim]· rec[/] 01:54" in markup
    assert "2/14 covered" in markup and "3 notes" in markup
    # The recording is past the plan, the interview is not: no warning colour.
    assert "$error" not in status_markup(started, 44 * 60_000, **facts)
    assert "[b $error]45:01[/]" in status_markup(started, 45 * 60_000 + 1_000, **facts)
    no_offset = replace(started, recording_offset_ms=0)
    assert "rec" not in status_markup(no_offset, 34_000, **facts)
    waiting = replace(started, started_at=None)
    shown = status_markup(waiting, 0, **facts)
    assert "clock not started[/] [dim](^r starts it)[/] [dim]· rec offset +01:20[/]" in shown
    assert "^r" not in status_markup(waiting, 0, **facts, hints=False)
    paused = replace(started, pauses=(Pause("2026-03-02T09:00:30.000Z"),))
    assert "PAUSED" in status_markup(paused, 30_000, **facts, hints=False)
    assert "^r resumes" in status_markup(paused, 30_000, **facts)


def test_key_bar_packs_items_into_rows():
    items = [("^g", "Go to"), ("^o", "Covered"), ("^s", "Skip")]
    assert pack_items(items, 20) == [[("^g", "Go to"), ("^o", "Covered")], [("^s", "Skip")]]
    assert pack_items(items, 200) == [items]
    assert pack_items([], 10) == [[]]


class _Checked(Screen):
    """A screen whose checks say: `hidden` is not available, `waiting` not yet."""

    BINDINGS = [
        Binding("ctrl+a", "shown", "Shown"),
        Binding("ctrl+b", "hidden", "Hidden"),
        Binding("ctrl+e", "waiting", "Waiting"),
        Binding("pageup", "previous", "Previous", group=Binding.Group("Move")),
        Binding("pagedown", "next", "Next", group=Binding.Group("Move")),
    ]
    ready = False

    def compose(self):
        yield KeyBar(id="keys")

    def check_action(self, action, parameters):
        if action == "hidden":
            return False
        if action == "waiting":
            return True if self.ready else None
        return True


async def test_the_key_bar_honours_check_action_like_textuals_footer():
    class CheckApp(App):
        def on_mount(self):
            self.push_screen(_Checked())

    app = CheckApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        items = {description: enabled for _keys, description, enabled in key_items(screen)}
        assert "Hidden" not in items  # False: left out
        assert items["Shown"] is True and items["Waiting"] is False  # None: shown, dimmed
        bar = screen.query_one(KeyBar)
        await wait_until(pilot, lambda: "^a" in str(bar.render()))
        assert "Hidden" not in str(bar.render()) and "Waiting" in str(bar.render())
        assert item_markup("^e", "Waiting", False).startswith("[dim]")
        screen.ready = True
        screen.refresh_bindings()  # as Textual's Footer, the bar follows a change of the checks
        await wait_until(pilot, lambda: ("^e", "Waiting", True) in key_items(screen))


async def test_the_interview_key_bar_and_help_leave_out_the_maps_ctrl_t(study):
    from tacompanion.store import interviews as store
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.interview.interview_start import InterviewRequest

    source, guide = read_guide_file(REPO / "guides" / "mbt-avpd-therapists.md")
    pid, gid = store.prepare_interview(study, source, guide, "mbt.md", "P9", pilot=False)
    app = TacompanionApp(study, InterviewRequest(pid, gid, False, None))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = app.screen.query_one("#keys")
        await wait_until(pilot, lambda: "^t Probe" in str(keys.render()))
        assert "Thematic map" not in str(keys.render())
        assert [k for k, d, _ in key_items(app.screen) if k == "^t"] == ["^t"]
        await pilot.press("ctrl+g", "escape")  # back from a dialog: still not there
        await pilot.pause()
        assert "Thematic map" not in str(keys.render())
        await pilot.press("f1")
        await pilot.pause()
        help_text = drawn_text(app.screen.query_one("#help-text"))
        assert "Go to" in help_text and "Thematic map" not in help_text


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)
