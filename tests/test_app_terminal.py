"""End to end in a real pseudo-terminal: `tacompanion` opens the home screen."""

from __future__ import annotations

import os
import stat
import sys

import pytest

pexpect = pytest.importorskip("pexpect")


def test_plain_tacompanion_opens_home_on_the_default_study(tmp_path):
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    child = pexpect.spawn(
        sys.executable, ["-m", "tacompanion"], cwd=str(tmp_path), env=env,
        dimensions=(24, 80), encoding="utf-8", timeout=20,
    )
    try:
        child.expect("Study at a glance")
        child.expect("Familiarise")
        child.sendcontrol("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    study = tmp_path / "tacompanion.db"
    assert stat.S_IMODE(study.stat().st_mode) == 0o600


def test_a_study_damaged_under_the_app_ends_it_with_one_message(tmp_path):
    import sqlite3
    import subprocess

    study = tmp_path / "s.db"
    subprocess.run([sys.executable, "-m", "tacompanion", "--db", str(study), "demo", "--no-open"],
                   check=True, capture_output=True)
    conn = sqlite3.connect(study)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'segments'").fetchone()[0]
    conn.close()
    with open(study, "r+b") as f:  # the home screen still opens; reading a transcript fails
        f.seek((root - 1) * page_size)
        f.write(b"\x00\xff" * (page_size // 2))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    child = pexpect.spawn(
        sys.executable, ["-m", "tacompanion", "--db", str(study)], cwd=str(tmp_path), env=env,
        dimensions=(24, 80), encoding="utf-8", timeout=20,
    )
    try:
        child.expect("Study at a glance")
        child.send("t")  # the transcripts list
        child.expect("Transcripts")
        child.send("\r")  # open the first: its turns are on the damaged page
        child.expect(pexpect.EOF)
        output = child.before
    finally:
        child.close(force=True)
    assert child.exitstatus == 1
    assert f"{study}: the study file is damaged" in output.replace("\r\n", "")
    assert "Traceback" not in output
