"""A note's time, wherever it is shown, is its position in the recording: the
interview clock plus the recording offset (Ctrl+L in the interview)."""

from __future__ import annotations

import csv
import io
import zipfile

from tacompanion.core.interview import recording_ms
from tacompanion.core.note_markers import parse_note
from tacompanion.store import interviews as store
from tacompanion.store.notes import add_note
from tacompanion.tui.app import TacompanionApp

from .test_app_interview import GUIDE, Q, request

OFFSET_MS = 80_000  # the recorder ran 1:20 before the clock
ELAPSED_MS = 3_000  # the note was typed 0:03 into the interview: 1:23 on the recording


def interview_with_offset(study, participant="P1"):
    req = request(study, participant)
    iid = store.create_interview(study, req.participant_id, req.guide_id, GUIDE, pilot=False)
    store.start_clock(study, iid, at="2026-03-02T09:00:00.000Z")
    store.set_recording_offset(study, iid, OFFSET_MS)
    add_note(study, iid, Q[0].id, parse_note("she waited a long time"), ELAPSED_MS, mark_covered=True)
    store.end_interview(study, iid, at="2026-03-02T09:50:00.000Z")
    return iid


def test_recording_time_is_the_clock_plus_the_offset_never_before_the_start():
    assert recording_ms(3_000, 80_000) == 83_000
    assert recording_ms(3_000, -5_000) == 0
    assert recording_ms(3_000, None) == 3_000
    assert recording_ms(None, 80_000) is None


def test_the_notes_document_for_coding_shows_the_recording_time(study):
    from tacompanion.store.documents import notes_document, participant_notes

    iid = interview_with_offset(study)
    block = notes_document(study, iid).blocks[0]
    assert block.header.startswith("1:23 · Q1")
    assert block.start_ms == 83_000
    [note] = participant_notes(study, study.scalar("SELECT participant_id FROM interviews"))
    assert note["recording_ms"] == 83_000


async def test_the_coding_screen_and_the_notes_beside_it_show_the_recording_time(study):
    from tacompanion.tui.coding.coding import CodingScreen
    from tacompanion.tui.familiarise.notes_screen import NotesScreen

    iid = interview_with_offset(study)
    app = TacompanionApp(study, coder="ana", start=("notes", iid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        shown = "\n".join(screen.view.render_line(y).text for y in range(screen.view.size.height))
        assert "1:23 · Q1" in shown and "0:03" not in shown
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
        lines = [str(s.render()) for s in app.screen.query(".note")]
        assert lines == ["1:23 she waited a long time"]


def test_every_export_gives_the_same_recording_time(cli, db_path):
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        interview_with_offset(study)
    notes = cli("--db", str(db_path), "export", "notes")
    assert notes.returncode == 0, notes.stderr
    [row] = list(csv.DictReader(io.StringIO(notes.stdout)))
    assert row["elapsed"] == "00:01:23"
    by_question = cli("--db", str(db_path), "export", "by-question")
    assert by_question.returncode == 0, by_question.stderr
    assert "- she waited a long time _(note 1:23)_" in by_question.stdout
    out = db_path.parent / "study.qdpx"
    qdpx = cli("--db", str(db_path), "export", "qdpx", "-o", str(out))
    assert qdpx.returncode == 0, qdpx.stderr
    with zipfile.ZipFile(out) as z:
        texts = [z.read(n).decode() for n in z.namelist() if n.startswith("sources/")]
    assert any(t.startswith("[0:01:23] note\nshe waited a long time") for t in texts)
