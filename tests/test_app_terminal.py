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
