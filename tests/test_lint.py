"""ruff, with the rules in pyproject.toml ([tool.ruff]), finds nothing."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_ruff_finds_nothing():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert "No module named ruff" not in done.stderr, "ruff is in the test extra: pip install -e '.[test]'"
    assert done.returncode == 0, done.stdout + done.stderr
