"""The transcript screens, driven with Pilot at 80x24."""

from __future__ import annotations

import time

from tacompanion.core.transcript import Segment
from tacompanion.formats.demo import create_demo_study
from tacompanion.formats.transcript_files import parse_transcript_bytes
from tacompanion.store.transcripts import import_transcript, list_transcripts, transcript_memo
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.dialogs.prompts import MemoScreen
from tacompanion.tui.familiarise.import_transcripts import ImportScreen
from tacompanion.tui.familiarise.notes_panel import NotesPanel, place_notes
from tacompanion.tui.familiarise.reading import ReadingScreen
from tacompanion.tui.familiarise.search import SearchScreen
from tacompanion.tui.familiarise.transcript_view import TranscriptView, wrap_ranges
from tacompanion.tui.familiarise.transcripts import TranscriptsScreen
from tacompanion.tui.home.home import HomeScreen


def long_transcript(turns: int = 400) -> str:
    parts = []
    for i in range(turns):
        who = "Interviewer" if i % 2 == 0 else "P1"
        words = " ".join(f"word{i}x{j}" for j in range(30 if who == "P1" else 8))
        parts.append(f"{who}: {words}")
    return "\n\n".join(parts) + "\n"


def add(study, text: str, name: str = "p1.txt", participant: str = "P1") -> int:
    parsed = parse_transcript_bytes(text.encode(), "txt", name).with_interviewer_labels(["Interviewer"])
    return import_transcript(study, parsed, participant=participant, file_name=name).transcript_id


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


def screen_text(view: TranscriptView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


# -- pure pieces ---------------------------------------------------------------------------


def test_wrap_ranges_cover_the_text_and_fit_the_width():
    text = "Short words here and there, then averyveryverylongwordindeed and more.\n\nNext."
    ranges = wrap_ranges(text, 12)
    assert all(len(text[a:b].rstrip()) <= 12 for a, b in ranges)
    assert "".join(text[a:b] for a, b in ranges).replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert (text.index("\n\n") + 1, text.index("\n\n") + 1) in ranges  # the blank line


def test_wrap_ranges_is_greedy_and_loses_nothing_on_random_text():
    import random

    rng = random.Random(7)
    words = ["a", "bb", "ccc", "dddd", "eeeee", "f" * 12, "x" * 30, "gg,", "é", "日本語"]
    for _ in range(500):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 50)))
        if rng.random() < 0.3:
            text = "  " + text + "\n\n" + text
        width = rng.randint(5, 40)
        ranges = wrap_ranges(text, width)
        from rich.cells import cell_len

        assert all(cell_len(text[a:b].rstrip()) <= width for a, b in ranges)
        kept = "\n".join(text[a:b] for a, b in ranges)
        assert "".join(kept.split()) == "".join(text.split())  # no character lost
        for (a, b), (c, d) in zip(ranges, ranges[1:], strict=False):
            line, following = text[a:b].rstrip(), text[c:d].split()
            if line and following and "\n" not in text[b - 1 : c + 1]:
                # greedy: the next word did not fit (or is cut because it never fits)
                assert cell_len(line) + 1 + cell_len(following[0]) > width or cell_len(following[0]) > width


def test_notes_are_placed_at_the_turn_spoken_at_their_time():
    from tacompanion.store.transcripts import NoteRow

    segments = [
        Segment(0, "I", 0, 1, "a", 0), Segment(1, "P", 2, 3, "b", 10_000),
        Segment(2, "I", 4, 5, "c", 60_000),
    ]
    notes = [
        NoteRow(1, "note", "x", 5_000, 8_000, None), NoteRow(2, "note", "y", 20_000, 23_000, None),
        NoteRow(3, "note", "z", 90_000, 93_000, None), NoteRow(4, "note", "w", None, None, None),
    ]
    assert place_notes(notes, segments) == [0, 1, 2, None]
    untimed = [Segment(0, "I", 0, 1, "a")]
    assert place_notes(notes, untimed) == [None, None, None, None]


# -- reading -------------------------------------------------------------------------------------


async def test_reading_view_moves_by_turn_page_and_ends(study):
    tid = add(study, long_transcript())
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_transcript(tid)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReadingScreen)
        view = screen.query_one(TranscriptView)
        assert view.has_focus
        lines = screen_text(view)
        assert lines[0].startswith("▌ Interviewer") and lines[0].rstrip().endswith("1")
        assert lines[1].startswith("▌   word0x0 word0x1")
        await pilot.press("j", "down")
        assert view.cursor == 2
        await pilot.press("k")
        assert view.cursor == 1
        await pilot.press("pagedown")
        assert view.scroll_y > 0 and view.cursor > 1
        first_visible = view.turn_at_line(round(view.scroll_y))
        assert view.cursor in (first_visible, first_visible + 1)
        await pilot.press("end")
        assert view.cursor == 399 and view.scroll_y == view.max_scroll_y
        assert "word399x29" in "".join(screen_text(view))
        await pilot.press("home")
        assert view.cursor == 0 and view.scroll_y == 0
        status = str(screen.query_one("#reading-status").render())
        assert "turn 1/400" in status and "unread" in status


async def test_reading_view_marks_read_writes_a_memo_and_updates_the_checklist(study):
    tid = add(study, "Interviewer: Hello?\n\nP1: Hi.\n")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert home.query_one("#checklist-box").border_title == "Familiarise 0/1 read"
        app.open_transcript(tid)
        await pilot.pause()
        await pilot.press("r")
        assert list_transcripts(study)[0].read_at is not None
        assert "✓ read" in str(app.screen.query_one("#reading-status").render())
        await pilot.press("m")
        assert isinstance(app.screen, MemoScreen)
        app.screen.query_one("TextArea").text = "Hesitant greeting."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)
        assert transcript_memo(study, tid) == "Hesitant greeting."
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert home.query_one("#checklist-box").border_title == "Familiarise 1/1 read"


async def test_notes_beside_the_transcript_follow_the_cursor_by_time(study):
    create_demo_study(study)
    tid = next(t.id for t in list_transcripts(study) if t.format == "vtt")
    app = TacompanionApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_transcript(tid)
        await pilot.pause()
        screen = app.screen
        panel = screen.query_one(NotesPanel)
        assert screen.query_one("#notes-box").display  # wide enough: shown
        assert panel.option_count == 5
        view = screen.query_one(TranscriptView)
        view.go_to(5)
        await pilot.pause()
        assert panel.placements[panel.highlighted] <= 5
        assert panel.placements[panel.highlighted] == max(p for p in panel.placements if p is not None and p <= 5)
        panel.focus()
        panel.highlighted = 4
        await pilot.press("enter")
        await pilot.pause()
        assert view.cursor == panel.placements[4] and view.has_focus


async def test_without_notes_the_panel_says_so_and_narrow_screens_hide_it(study):
    tid = add(study, "Interviewer: Hello?\n\nP1: Hi.\n")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_transcript(tid)
        await pilot.pause()
        box = app.screen.query_one("#notes-box")
        assert not box.display
        await pilot.press("n")
        assert box.display
        assert "No interview notes for P1" in str(app.screen.query_one("#notes-empty").render())


async def test_search_from_the_app_jumps_to_the_hit_and_marks_it(study):
    tid = add(study, long_transcript(60) + "\nP1: the silence was heavy\n")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"silence", "enter")
        await pilot.pause()
        assert "1 hit in 1 transcript" in str(app.screen.query_one("#search-status").render())
        await pilot.press("down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReadingScreen) and screen.transcript_id == tid
        view = screen.query_one(TranscriptView)
        assert view.cursor == 60
        visible = screen_text(view)
        assert any("the silence was heavy" in line for line in visible)
        assert view.highlight is not None and view.highlight.search("Silence")


async def test_transcripts_list_shows_words_turns_and_coded_share(study):
    add(study, "Interviewer: one two\n\nP1: three four five\n")
    add(study, "Interviewer: hi\n\nP2: yo\n", name="p2.txt", participant="P2")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TranscriptsScreen)
        listing = app.screen.query_one("#transcripts")
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert prompts[0].startswith("P1") and "0/1 read" in prompts[0]
        assert "p1.txt" in prompts[1] and "5 words" in prompts[1] and "2 turns" in prompts[1]
        assert "0% coded" in prompts[1]
        await pilot.press("r")
        assert list_transcripts(study)[0].read_at is not None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)


async def test_import_from_the_app_writes_the_batch(study, tmp_path):
    for n in (1, 2):
        (tmp_path / f"p{n}.txt").write_text(f"Interviewer: hi\n\nP{n}: hello\n")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one("#import-paths").value = str(tmp_path / "*.txt")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = str(app.screen.query_one("#import-log").render())
        assert "2 transcripts imported" in log
        await pilot.press("escape")
    assert [t.participant for t in list_transcripts(study)] == ["P1", "P2"]


async def test_import_from_the_app_refuses_a_bad_batch_and_writes_nothing(study, tmp_path):
    (tmp_path / "p1.txt").write_text("Interviewer: hi\n\nP1: hello\n")
    (tmp_path / "p2.vtt").write_text("no header\n")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        app.screen.query_one("#import-paths").value = str(tmp_path)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = str(app.screen.query_one("#import-log").render())
        assert "Nothing imported" in log and "p2.vtt:1: not a WebVTT file" in log
    assert list_transcripts(study) == []


async def test_a_long_transcript_renders_only_what_shows(study):
    # How fast it paints is measured in bench/ (bench_transcripts.py, "open"), not here.
    tid = add(study, long_transcript(1500))  # ~ 30,000 words
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_transcript(tid)
        await wait_until(pilot, lambda: bool(app.screen.query(TranscriptView)))
        view = app.screen.query_one(TranscriptView)
        await wait_until(pilot, lambda: len(view._cache) > 0)  # painted
        assert len(view._lines) > 5000
        assert len(view._cache) <= 2 * view.size.height  # only the lines on screen


async def test_on_a_narrow_screen_notes_wait_for_n_and_then_follow_the_cursor(study):
    create_demo_study(study)
    tid = next(t.id for t in list_transcripts(study) if t.format == "vtt")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_transcript(tid)
        await pilot.pause()
        screen = app.screen
        panel = screen.query_one(NotesPanel)
        assert not screen.query_one("#notes-box").display and panel.option_count == 0
        assert "5 notes (n)" in str(screen.query_one("#reading-status").render())
        await pilot.press("end", "n")
        assert screen.query_one("#notes-box").display and panel.option_count == 5
        assert panel.highlighted == 4  # the last note, placed at the last turns


async def test_import_asks_which_speaker_is_the_participant(study, tmp_path):
    from tacompanion.tui.familiarise.participant_question import WhichParticipantScreen

    (tmp_path / "group.txt").write_text("Interviewer: hi\n\nAnna: hello\n\nBo: hey\n")
    (tmp_path / "p2.txt").write_text("Interviewer: hi\n\nP2: hello\n")
    app = TacompanionApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        app.screen.query_one("#import-paths").value = str(tmp_path)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, WhichParticipantScreen))
        assert "group.txt" in str(app.screen.query_one("Label").render())
        assert list_transcripts(study) == []  # nothing written while asking
        await pilot.press("down", "enter")  # Bo
        await wait_until(pilot, lambda: "imported." in str(app.screen.query_one("#import-log").render()))
        assert isinstance(app.screen, ImportScreen)
        assert "2 transcripts imported" in str(app.screen.query_one("#import-log").render())
    assert [(t.participant, t.file_name) for t in list_transcripts(study)] == [("Bo", "group.txt"), ("P2", "p2.txt")]


async def test_search_is_a_place_to_come_back_to_and_its_hits_can_be_coded(study):
    from tacompanion.tui.dialogs.picker import FuzzyPicker
    from tacompanion.tui.dialogs.prompts import ConfirmScreen

    add(study, "Interviewer: and then?\n\nP1: the silence was heavy\n\nP1: silence again, and waiting\n")
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        search = app.screen
        await pilot.press(*"silence", "enter")
        await pilot.pause()
        assert search.query_one("#search-input").has_focus  # Enter searched; the query keeps the cursor
        await pilot.press(*" waiting", "enter")  # typing refines it
        await pilot.pause()
        assert search.query_one("#search-input").value == "silence waiting"
        assert len(search.hits) == 1
        await pilot.press("down")
        assert search.query_one("#search-hits").has_focus
        await pilot.press("s")  # a letter on the hits goes back to the query
        assert search.query_one("#search-input").has_focus
        assert search.query_one("#search-input").value == "silence waitings"
        await pilot.press("backspace")
        await pilot.pause()
        assert search.query_one("#search-input").value == "silence waiting"
        await pilot.press("down")
        await pilot.pause()
        assert search.query_one("#search-hits").has_focus, (search.hits, app.focused)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen), app.screen
        await pilot.press("q")  # back to the hits, not home
        await pilot.pause()
        assert app.screen is search and len(search.hits) == 1
        await pilot.press("c")
        assert isinstance(app.screen, FuzzyPicker)
        await pilot.press(*"waiting", "enter")
        await pilot.pause()
        assert [r["text"] for r in study.query(
            "SELECT substr(t.text, k.start_pos + 1, k.end_pos - k.start_pos) AS text FROM codings k "
            "JOIN transcripts t ON t.id = k.transcript_id")] == ["silence again, and waiting"]
        search.query_one("#search-input").value = "silence"
        search.query_one("#search-input").focus()
        await pilot.press("enter", "down", "C")
        assert isinstance(app.screen, ConfirmScreen) and "all 2 turns" in app.screen.question
        await pilot.press("y", *"silence", "enter")
        await pilot.pause()
        assert study.scalar(
            "SELECT count(*) FROM codings k JOIN codes c ON c.id = k.code_id WHERE c.name = 'silence'") == 2
        assert app.focused is search.query_one("#search-hits"), app.focused
        await pilot.press("2")  # the 2nd recent code ('waiting') on the highlighted turn, as in coding mode
        await pilot.pause()
        assert study.scalar(
            "SELECT count(*) FROM codings k JOIN codes c ON c.id = k.code_id WHERE c.name = 'waiting'") == 2
