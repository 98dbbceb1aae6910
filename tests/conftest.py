"""Shared fixtures. No test touches the network or the user's home: HOME and
the working directory point into a temporary folder for every test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GUIDES = REPO / "guides"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("TACOMPANION_DB", raising=False)
    monkeypatch.setenv("TACOMPANION_BUSY_TIMEOUT_MS", "200")


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "study.db"


@pytest.fixture
def study(db_path):
    from tacompanion.store.study import Study

    s = Study.open(db_path)
    yield s
    s.close()


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None):
    """Run the real CLI in a subprocess, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tacompanion", *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def cli():
    return run_cli


def drawn_text(widget) -> str:
    """What a widget shows on screen, line by line (whatever it renders)."""
    return "\n".join(widget.render_line(y).text.rstrip() for y in range(widget.size.height))
