"""The real CLI in a pseudo-terminal: notes survive kill -9, and the
interview resumes with every note and the clock where it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

REPO = Path(__file__).resolve().parent.parent
GUIDE = "guides/mbt-avpd-therapists.md"


def spawn(db_path: Path, *extra: str):
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("TEXTUAL", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "tacompanion", "--db", str(db_path), "interview", GUIDE, "--participant", "P1", *extra],
        cwd=str(REPO),
        env=env,
        dimensions=(24, 80),
        timeout=30,
        encoding="utf-8",
        codec_errors="replace",
    )


def db_notes(db_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT kind, text FROM notes ORDER BY id").fetchall()


def kill_hard(child) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL


NOTES = [
    ("note", "works in a day unit #setting"),
    ("quote", "silence is where the work is"),
    ("follow-up", "ask about the co-therapist"),
    ("note", "compares group and individual #group"),
]


def typed(kind: str, text: str) -> str:
    return {"note": "", "quote": "!", "follow-up": "?"}[kind] + text


def test_notes_survive_kill_9_and_the_interview_resumes(db_path):
    child = spawn(db_path)
    try:
        child.expect("clock not started")
        child.send("\x12")  # ^r starts the clock
        child.expect("/ 55:00")
        for count, (kind, text) in enumerate(NOTES[:3], start=1):
            child.send(typed(kind, text) + "\r")
            child.expect(f"{count} notes?")  # shown on screen
        child.send("\x1b[6~")  # PgDn: on to question 2
        child.send(typed(*NOTES[3]) + "\r")
        child.expect("4 notes")
        # Killed at once, with no chance to clean up.
        kill_hard(child)
    finally:
        if child.isalive():
            child.kill(signal.SIGKILL)

    assert db_notes(db_path) == NOTES
    with sqlite3.connect(db_path) as conn:
        started, ended = conn.execute("SELECT started_at, ended_at FROM interviews").fetchone()
        question = conn.execute("SELECT question_id FROM notes ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert started is not None and ended is None
    assert question.startswith("s1.q2")

    child = spawn(db_path)
    try:
        child.expect("was left open")
        child.expect("4 notes")
        child.send("r")
        child.expect("4 notes")
        child.expect("Q2/14")
        child.send("one more after the crash\r")
        child.expect("5 notes")
        child.send("\x06")  # ^f: the summary
        child.expect("End the interview")
        child.send("\r")
        child.expect("ended; 5 notes saved")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert len(db_notes(db_path)) == 5
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM interviews").fetchone()[0] == 1
        assert conn.execute("SELECT ended_at IS NOT NULL FROM interviews").fetchone()[0] == 1


def test_kill_9_while_typing_loses_no_saved_note(db_path):
    child = spawn(db_path, "--new")
    try:
        child.expect("clock not started")
        child.send("saved before the kill\r")
        child.expect("1 note")
        child.send("half typed, never saved")
        child.expect("never saved")  # on the note line: typed, not saved
        kill_hard(child)
    finally:
        if child.isalive():
            child.kill(signal.SIGKILL)
    assert db_notes(db_path) == [("note", "saved before the kill")]
