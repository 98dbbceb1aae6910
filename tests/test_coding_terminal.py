"""Kill -9 while coding, in a real pseudo-terminal: what was shown is on disk."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tacompanion.store.study import Study

from .test_coding_screen import add_transcript

pexpect = pytest.importorskip("pexpect")


def test_kill_9_during_coding_loses_nothing_shown(db_path):
    with Study.open(db_path) as study:
        add_transcript(study)
    env = dict(os.environ, TERM="xterm-256color")
    child = pexpect.spawn(
        sys.executable, ["-m", "tacompanion", "--db", str(db_path), "code", "p1.txt", "--coder", "kim"],
        env=env, dimensions=(24, 80), encoding="utf-8", timeout=20,
    )
    try:
        child.expect("turns")
        child.send("n")
        child.send("c")
        child.expect("Code this turn")
        child.send("Silence\r")
        child.expect("Created 'Silence'")
        child.send("n1")  # recent code 1 on the next uncoded turn
        child.expect("Applied 'Silence' to this turn")
        child.send("u")
        child.expect("Undid")
        child.send("c")
        child.expect("Code this turn")
        child.send("Naming uncertainty\r")
        child.expect("Created 'Naming uncertainty'")
        os.kill(child.pid, signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    with Study.open(db_path) as study:
        rows = study.query(
            "SELECT c.name, k.coder FROM codings k JOIN codes c ON c.id = k.code_id ORDER BY k.id"
        )
        assert [(r["name"], r["coder"]) for r in rows] == [("Silence", "kim"), ("Naming uncertainty", "kim")]
        assert study.scalar("SELECT count(*) FROM operations WHERE state = 'done'") == 2
        assert study.scalar("PRAGMA integrity_check") == "ok"
