"""Headless modules never import Textual: `--help`, `guide check` and
`export` stay fast, and the layers stay apart."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "tacompanion.cli",
    "tacompanion.core.interview",
    "tacompanion.core.note_markers",
    "tacompanion.core.question_search",
    "tacompanion.store.interviews",
    "tacompanion.store.notes",
    "tacompanion.formats.notes_csv",
    "tacompanion.formats.atomic_write",
]
PURE = ["tacompanion.core.interview", "tacompanion.core.note_markers", "tacompanion.core.question_search"]


@pytest.mark.parametrize("module", HEADLESS)
def test_no_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("module", PURE)
def test_core_needs_no_sqlite(module):
    code = f"import sys, {module}; print('sqlite3' in sys.modules or 'sqlite_utils' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
