"""Recordings: attached (never copied), their length read from the header,
and heard at the moment of a turn, a note (with its recording offset) or an
extract, through a stand-in player that writes down its arguments."""

from __future__ import annotations

import json
import os
import shutil
import struct
import sys
import time
import wave
from pathlib import Path

import pytest

from tacompanion.formats.demo import create_demo_study
from tacompanion.formats.media_probe import check_unchanged, probe, read_duration
from tacompanion.store import media as store_media
from tacompanion.store.interviews import set_recording_offset
from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp

DATA = Path(__file__).parent / "data"
LIMIT_S = 60  # generous: the machine is shared and loaded


def make_wav(path: Path, seconds: int, rate: int = 200) -> Path:
    """Silence, `seconds` long: 8-bit mono at a low rate keeps it small."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(b"\x80" * rate * seconds)
    return path


STANDIN = """\
import json, sys, time
from pathlib import Path
out = Path(sys.argv[1])
tmp = out.with_suffix(".tmp")
tmp.write_text(json.dumps(sys.argv[2:]))
tmp.rename(out)
while True:
    time.sleep(3600)
"""


def wait_for(condition, what: str):
    deadline = time.monotonic() + LIMIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {LIMIT_S} s for {what}")
        time.sleep(0.02)


async def wait_async(pilot, condition, what: str):
    deadline = time.monotonic() + LIMIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {LIMIT_S} s for {what}")
        await pilot.pause(0.02)


@pytest.fixture
def demo(study, tmp_path):
    """The demo study (T3: a .vtt transcript linked to an interview with
    notes, recording offset 0:03) with a 10-minute WAV attached to T3."""
    create_demo_study(study)
    wav = make_wav(tmp_path / "T3.wav", 600)
    transcript_id = study.scalar("SELECT id FROM transcripts WHERE file_name = 't3-interview.vtt'")
    store_media.add_media(study, wav, probe(wav), participant="T3", transcript_id=transcript_id)
    return study


@pytest.fixture
def standin(study, tmp_path):
    """The `player` setting: a script that writes its arguments to a file
    and waits until it is killed. Returns the file's path."""
    script = tmp_path / "standin_player.py"
    script.write_text(STANDIN)
    out = tmp_path / "player-args.json"
    study.set_setting("player", f"{sys.executable} {script} {out} --start={{start}} {{file}}")
    return out


def collect_notes(app) -> list[str]:
    said: list[str] = []
    app.notify = lambda message, **kw: said.append(str(message))  # type: ignore[method-assign]
    return said


# -- the header: duration without decoding -----------------------------------------------


def test_a_wav_is_probed_for_size_hash_and_duration(tmp_path):
    wav = make_wav(tmp_path / "a.wav", 3, rate=8000)
    facts = probe(wav)
    assert facts.duration_ms == 3000 and facts.format == "wav" and facts.kind == "audio"
    assert facts.size == wav.stat().st_size and facts.hash_method == "full" and len(facts.sha256) == 64
    assert check_unchanged(wav, facts.size, facts.sha256, facts.hash_method) is None


def test_flac_ogg_mp4_and_mp3_headers_give_their_length(tmp_path):
    # FLAC: STREAMINFO with 44100 Hz and 441000 samples = 10 s.
    bits = (44100 << 44) | (1 << 41) | (15 << 36) | 441000
    info = b"\x10\x00\x10\x00" + b"\0" * 6 + bits.to_bytes(8, "big") + b"\0" * 16
    (tmp_path / "a.flac").write_bytes(b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info)
    assert read_duration(tmp_path / "a.flac") == ("flac", 10000)

    # Ogg Opus: OpusHead (pre-skip 312), last page granule 48000 * 7 + 312 = 7 s.
    def page(granule: int, body: bytes) -> bytes:
        return b"OggS\0\0" + struct.pack("<q", granule) + b"\0" * 12 + b"\x01" + bytes([len(body)]) + body
    head = b"OpusHead\x01\x01" + struct.pack("<H", 312) + b"\0" * 7
    (tmp_path / "a.opus").write_bytes(page(0, head) + page(48000 * 7 + 312, b"x"))
    assert read_duration(tmp_path / "a.opus") == ("ogg", 7000)

    # MP4: ftyp, then moov > mvhd with timescale 1000 and duration 65432.
    mvhd_body = b"\0" * 4 + b"\0" * 8 + struct.pack(">II", 1000, 65432) + b"\0" * 80
    mvhd = struct.pack(">I", 8 + len(mvhd_body)) + b"mvhd" + mvhd_body
    moov = struct.pack(">I", 8 + len(mvhd)) + b"moov" + mvhd
    ftyp = struct.pack(">I", 16) + b"ftypM4A \0\0\0\0"
    (tmp_path / "a.m4a").write_bytes(ftyp + moov)
    assert read_duration(tmp_path / "a.m4a") == ("mp4", 65432)

    # MP3 at a constant 128 kbit/s: 16,000 bytes of audio = 1 s.
    frame = bytes([0xFF, 0xFB, 0x90, 0x00])
    (tmp_path / "a.mp3").write_bytes(frame + b"\0" * (16000 - 4))
    assert read_duration(tmp_path / "a.mp3") == ("mp3", 1000)
    # ... and with a Xing header: 100 frames of 1152 samples at 44.1 kHz.
    xing = frame + b"\0" * 32 + b"Xing" + struct.pack(">II", 1, 100)
    (tmp_path / "b.mp3").write_bytes(xing + b"\0" * 400)
    assert read_duration(tmp_path / "b.mp3") == ("mp3", round(100 * 1152 * 1000 / 44100))

    (tmp_path / "a.xyz").write_bytes(b"nothing known")
    assert read_duration(tmp_path / "a.xyz") == ("xyz", None)


# -- the schema -----------------------------------------------------------------------------


def test_a_v2_study_gains_the_media_table_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(DATA / "study-v2.db", path)
    with Study.open(path) as study:
        assert study.scalar("SELECT count(*) FROM codings") > 0
        assert study.query("SELECT * FROM media") == []
        wav = make_wav(tmp_path / "r.wav", 2)
        pseudonym = study.scalar("SELECT pseudonym FROM participants ORDER BY id LIMIT 1")
        m = store_media.add_media(study, wav, probe(wav), participant=pseudonym)
        assert m.path == "r.wav" and m.duration_ms == 2000


# -- the command line --------------------------------------------------------------------------


def test_media_add_list_offset_remove_and_the_file_is_never_touched(cli, db_path, tmp_path):
    assert cli("--db", str(db_path), "demo", "--no-open").returncode == 0
    (tmp_path / "rec").mkdir()
    wav = make_wav(tmp_path / "rec" / "T1.wav", 5)
    before = wav.read_bytes()
    got = cli("--db", str(db_path), "media", "add", str(wav), "--participant", "T1",
              "--interview", "2026-03-02 09:02")
    assert got.returncode == 0, got.stderr
    assert "rec/T1.wav (audio, wav, 00:05) attached to interview 2026-03-02 09:02" in got.stdout
    again = cli("--db", str(db_path), "media", "add", str(wav), "--participant", "T1",
                "--interview", "2026-03-02 09:02")
    assert again.returncode == 1 and "already attached" in again.stderr
    wrong = cli("--db", str(db_path), "media", "add", str(wav), "--participant", "T1", "--interview", "2030")
    assert wrong.returncode == 1 and "no interview started at '2030'" in wrong.stderr
    assert "Traceback" not in wrong.stderr

    listed = json.loads(cli("--db", str(db_path), "media", "list", "--json").stdout)
    assert [(m["participant"], m["path"], m["duration_ms"], m["ok"]) for m in listed] == [
        ("T1", "rec/T1.wav", 5000, True)]

    off = cli("--db", str(db_path), "media", "offset", "--participant", "T1", "00:01:30")
    assert off.returncode == 0, off.stderr
    with Study.open(db_path) as study:
        assert study.scalar("SELECT recording_offset_ms FROM interviews i JOIN participants p "
                            "ON p.id = i.participant_id WHERE p.pseudonym = 'T1'") == 90_000

    with wav.open("ab") as f:
        f.write(b"\0")
    changed = cli("--db", str(db_path), "media", "list")
    assert f"{wav}: the recording has changed since it was attached" in changed.stdout
    removed = cli("--db", str(db_path), "media", "remove", "rec/T1.wav")
    assert removed.returncode == 0 and "file is left where it is" in removed.stdout
    assert wav.read_bytes() == before + b"\0"  # only the test changed it
    assert json.loads(cli("--db", str(db_path), "media", "list", "--json").stdout) == []


def test_import_with_media_attaches_the_recording_to_the_transcript(cli, db_path, tmp_path):
    vtt = tmp_path / "P3.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did it start?\n\n"
                   "00:00:05.500 --> 00:00:09.000\n<v P3>Slowly, at first.\n")
    wav = make_wav(tmp_path / "P3.wav", 12)
    got = cli("--db", str(db_path), "import", str(vtt), "--participant", "P3", "--media", str(wav))
    assert got.returncode == 0, got.stderr
    assert "attached P3.wav (audio, wav, 00:12) attached to transcript P3.vtt" in got.stdout
    missing = cli("--db", str(db_path), "import", str(vtt), "--media", str(tmp_path / "gone.m4a"))
    assert missing.returncode == 1 and "gone.m4a: no such file" in missing.stderr


# -- playing ------------------------------------------------------------------------------------


async def test_p_plays_a_turn_from_its_start_and_p_again_stops(demo, standin):
    tid = demo.scalar("SELECT id FROM transcripts WHERE file_name = 't3-interview.vtt'")
    start_2 = demo.scalar("SELECT start_ms FROM segments WHERE transcript_id = ? AND position = 1", (tid,))
    app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        said = collect_notes(app)
        await pilot.pause()
        await pilot.press("j", "p")
        await wait_async(pilot, standin.exists, "the stand-in player")
        args = json.loads(standin.read_text())
        assert args[0] == f"--start={start_2 / 1000:g}" and args[1].endswith("T3.wav")
        process = app.player.process
        assert process is not None and process.poll() is None
        await pilot.press("p")
        await wait_async(pilot, lambda: process.poll() is not None, "the player to end")
        assert said[-1] == "Recording stopped."
        # - + and P restart a player without a socket at the new time.
        standin.unlink()
        await pilot.press("p")
        await wait_async(pilot, standin.exists, "the player again")
        standin.unlink()
        await pilot.press("plus")
        await wait_async(pilot, standin.exists, "the player 5 s on")
        on = float(json.loads(standin.read_text())[0].split("=")[1])
        assert start_2 / 1000 + 5 <= on < start_2 / 1000 + 5 + LIMIT_S
        standin.unlink()
        await pilot.press("P")
        await wait_async(pilot, standin.exists, "the replay")
        assert json.loads(standin.read_text())[0] == f"--start={start_2 / 1000:g}"
    assert app.player.process is None or app.player.process.poll() is not None


async def test_a_note_plays_at_its_clock_time_plus_the_recording_offset(demo, standin):
    iid = demo.scalar("SELECT interview_id FROM transcripts WHERE file_name = 't3-interview.vtt'")
    elapsed = demo.scalar("SELECT elapsed_ms FROM notes WHERE interview_id = ? "
                          "ORDER BY elapsed_ms LIMIT 1", (iid,))
    set_recording_offset(demo, iid, 75_500)  # set afterwards: the note follows
    app = TacompanionApp(demo, coder="ana", start=("notes", iid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await wait_async(pilot, standin.exists, "the stand-in player")
        assert json.loads(standin.read_text())[0] == f"--start={(elapsed + 75_500) / 1000:g}"
        await pilot.press("p")


async def test_an_extract_plays_from_its_turn_in_review(demo, standin):
    from tacompanion.core.document import DocRef
    from tacompanion.core.spans import Span
    from tacompanion.store import codes as code_store

    tid = demo.scalar("SELECT id FROM transcripts WHERE file_name = 't3-interview.vtt'")
    turn = demo.query("SELECT start_pos, end_pos, start_ms FROM segments WHERE transcript_id = ? "
                      "AND position = 3", (tid,))[0]
    code_id = code_store.create_code(demo, "waiting")
    code_store.apply_code(demo, code_id, DocRef(transcript_id=tid), Span(turn["start_pos"] + 2, turn["end_pos"]), "ana")
    app = TacompanionApp(demo, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_review("code", code_id)
        await pilot.pause()
        await pilot.press("p")
        await wait_async(pilot, standin.exists, "the stand-in player")
        assert json.loads(standin.read_text())[0] == f"--start={turn['start_ms'] / 1000:g}"
        await pilot.press("p")


async def test_a_missing_or_changed_recording_is_said_with_its_path_and_nothing_plays(demo, standin):
    tid = demo.scalar("SELECT id FROM transcripts WHERE file_name = 't3-interview.vtt'")
    [m] = store_media.list_media(demo)
    app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        said = collect_notes(app)
        await pilot.pause()
        moved = m.full_path.with_name("elsewhere.wav")
        m.full_path.rename(moved)
        await pilot.press("p")
        assert said[-1] == f"{m.full_path}: the recording is missing (moved or renamed?); nothing plays"
        moved.rename(m.full_path)
        data = bytearray(m.full_path.read_bytes())
        data[-1] ^= 0xFF  # same size, other content
        m.full_path.write_bytes(bytes(data))
        await pilot.press("p")
        assert said[-1].startswith(f"{m.full_path}: the recording has changed since it was attached")
        assert app.player.process is None and not standin.exists()


async def test_no_player_found_names_the_setting(demo, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    tid = demo.scalar("SELECT id FROM transcripts WHERE file_name = 't3-interview.vtt'")
    app = TacompanionApp(demo, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        said = collect_notes(app)
        await pilot.pause()
        await pilot.press("p")
        assert "no player found (mpv, ffplay or vlc)" in said[-1]
        assert "tacompanion settings player" in said[-1]


async def test_a_turn_without_a_time_says_so(study, tmp_path, standin):
    create_demo_study(study)
    wav = make_wav(tmp_path / "T2.wav", 60)
    tid = study.scalar("SELECT id FROM transcripts WHERE file_name = 't2-interview.md'")
    store_media.add_media(study, wav, probe(wav), participant="T2", transcript_id=tid)
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        said = collect_notes(app)
        await pilot.pause()
        await pilot.press("p")
        assert said[-1] == "This turn 1 has no time, so it has no place in the recording; nothing plays."
        assert not standin.exists()


async def test_the_notes_screen_sets_the_offset_afterwards_and_the_times_follow(demo, standin):
    from tacompanion.tui.familiarise.notes_screen import NotesScreen

    iid = demo.scalar("SELECT interview_id FROM transcripts WHERE file_name = 't3-interview.vtt'")
    pid = demo.scalar("SELECT participant_id FROM interviews WHERE id = ?", (iid,))
    elapsed = demo.scalar("SELECT elapsed_ms FROM notes WHERE interview_id = ? ORDER BY elapsed_ms LIMIT 1",
                          (iid,))
    app = TacompanionApp(demo, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        said = collect_notes(app)
        app.open_notes(pid, "T3")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
        await pilot.press("o", *"ctrl+a ctrl+k".split(), *"2:00", "enter")
        await wait_async(pilot, lambda: demo.scalar(
            "SELECT recording_offset_ms FROM interviews WHERE id = ?", (iid,)) == 120_000, "the offset")
        await pilot.pause()
        first = str(app.screen.query(".note").first().render())
        seconds = (elapsed + 120_000) // 1000
        assert first.startswith(f"{seconds // 60}:{seconds % 60:02d} ")
        assert said == ["Recording offset 2:00: every note's time in the recording follows."]
        said.clear()
        await pilot.press("p")
        # Until the stand-in has written its arguments, or something other than "Playing" is said.
        await wait_async(pilot, lambda: standin.exists() or any(not m.startswith("Playing") for m in said),
                         "the stand-in player")
        assert standin.exists(), said
        assert json.loads(standin.read_text())[0] == f"--start={(elapsed + 120_000) / 1000:g}"
        await pilot.press("p")


def test_the_player_is_ended_by_its_pid_even_when_it_ignores_sigterm(tmp_path):
    from tacompanion.tui.player import Player

    script = tmp_path / "stubborn.py"
    out = tmp_path / "args.json"
    script.write_text("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + STANDIN)
    player = Player()
    player.play(str(tmp_path / "x.wav"), 1500, f"{sys.executable} {script} {out} {{start}} {{file}}")
    wait_for(out.exists, "the stubborn player")
    assert json.loads(out.read_text()) == ["1.5", str(tmp_path / "x.wav")]
    process = player.process
    player.stop()
    assert process.poll() is not None and not player.playing
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)
