"""Recording in the room (F9): a stand-in recorder (a script set as the
`recorder` setting) starts with the clock, is stopped and continued with it,
ends with the interview and is attached with an offset of zero; a recorder
that dies is said at once and the notes go on."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from tacompanion.store import media as store_media
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.interview.interview import InterviewScreen

from .test_app_interview import interview_row, request, text_of, type_text
from .test_media import wait_async

RECORDER = """\
import json, sys, time
from pathlib import Path
args_file, target = Path(sys.argv[1]), Path(sys.argv[2])
with open(target, "ab") as f:
    f.write(b"RIFF-not-really-audio")
tmp = args_file.with_suffix(".tmp")
tmp.write_text(json.dumps(sys.argv[2:]))
tmp.rename(args_file)
while True:
    time.sleep(3600)
"""


def use_standin_recorder(study, tmp_path) -> Path:
    script = tmp_path / "standin_recorder.py"
    script.write_text(RECORDER)
    args = tmp_path / "recorder-args.json"
    study.set_setting("recorder", f"{sys.executable} {script} {args} {{file}}")
    return args


def process_state(pid: int) -> str:
    """R, S, T (stopped), Z... from /proc: the third field of stat."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


async def test_record_starts_with_the_clock_pauses_resumes_and_is_attached_at_the_end(study, tmp_path):
    args = use_standin_recorder(study, tmp_path)
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        await pilot.press("f9")
        await wait_async(pilot, args.exists, "the stand-in recorder")
        [target] = json.loads(args.read_text())
        path = Path(target)
        assert path.parent == Path(study.path).resolve().parent and path.suffix == ".wav"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert interview_row(study)["started_at"] is not None  # the clock started with it
        screen.refresh_clock()
        assert "● rec" in text_of(screen, "#status")
        process = screen.room_recording.recorder.process
        await type_text(pilot, "she laughs")
        await pilot.press("enter")
        await pilot.press("ctrl+r")  # pause
        await wait_async(pilot, lambda: process_state(process.pid) == "T", "the recorder to stop")
        screen.refresh_clock()
        assert "❚❚ rec" in text_of(screen, "#status") and "PAUSED" in text_of(screen, "#status")
        await pilot.press("ctrl+r")  # resume
        await wait_async(pilot, lambda: process_state(process.pid) != "T", "the recorder to go on")
        await pilot.press("ctrl+f", "enter")
        await wait_async(pilot, lambda: process.poll() is not None, "the recorder to end")
    [m] = store_media.list_media(study)
    assert m.full_path == path and m.interview_id == interview_row(study)["id"]
    assert interview_row(study)["recording_offset_ms"] == 0
    # The note's time in the recording is its clock time: the moment played.
    [note_id] = [r["id"] for r in study.query("SELECT id FROM notes")]
    moment, media, _ = store_media.note_recording_moment(study, note_id)
    assert media.full_path == path
    assert moment.start_ms == study.scalar("SELECT elapsed_ms FROM notes WHERE id = ?", (note_id,))


async def test_a_recorder_that_dies_is_said_at_once_and_the_notes_go_on(study, tmp_path):
    args = use_standin_recorder(study, tmp_path)
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        said: list[str] = []
        app.notify = lambda message, **kw: said.append(str(message))
        await pilot.pause()
        screen = app.screen
        await pilot.press("f9")
        await wait_async(pilot, args.exists, "the stand-in recorder")
        process = screen.room_recording.recorder.process
        os.kill(process.pid, 9)
        await wait_async(pilot, lambda: "RECORDER STOPPED" in text_of(screen, "#status"), "the status line")
        assert any("stopped by itself" in s for s in said)
        await type_text(pilot, "still noting")
        await pilot.press("enter")
        assert study.scalar("SELECT count(*) FROM notes WHERE text = 'still noting'") == 1
        await pilot.press("ctrl+f", "enter")
    # What it wrote before it died is kept and attached.
    assert len(store_media.list_media(study)) == 1


async def test_no_recorder_found_names_the_setting_and_the_clock_waits(study, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        said: list[str] = []
        app.notify = lambda message, **kw: said.append(str(message))
        await pilot.pause()
        await pilot.press("f9")
        assert "no recorder found (ffmpeg, arecord or sox's rec)" in said[-1]
        assert "tacompanion settings recorder" in said[-1]
    assert interview_row(study)["started_at"] is None


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
async def test_ffmpeg_records_a_synthetic_input_into_a_wav_that_is_attached(study, tmp_path):
    study.set_setting("recorder", "ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi "
                      "-i sine=frequency=440:sample_rate=8000 -ac 1 -y {file}")
    app = TacompanionApp(study, request(study))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("f9")
        assert screen.room_recording is not None, "ffmpeg did not start"
        path = Path(screen.room_recording.recorder.file)
        await wait_async(pilot, lambda: path.exists() and path.stat().st_size > 4000, "ffmpeg to write")
        await pilot.press("ctrl+f", "enter")
        await wait_async(pilot, lambda: store_media.list_media(study), "the recording to be attached")
    [m] = store_media.list_media(study)
    assert m.full_path == path and m.format == "wav" and m.duration_ms and m.duration_ms > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
