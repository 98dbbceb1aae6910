"""`tacompanion review THEME` in a real 80x24 pseudo-terminal: the review
opens, ctrl+t reaches the thematic map, a code is sorted by keys alone."""

from __future__ import annotations

import os
import sys

import pytest

from tacompanion.core.spans import Span
from tacompanion.store.codes import apply_code, create_code
from tacompanion.store.study import Study
from tacompanion.store.themes import create_theme, move_code

from .test_analysis import transcript

pexpect = pytest.importorskip("pexpect")


def test_review_then_ctrl_t_to_the_map_and_sort_a_code(db_path):
    with Study.open(db_path) as study:
        docs = [transcript(study, f"P{i}") for i in range(1, 4)]
        theme = create_theme(study, "Being with silence")
        create_theme(study, "Holding")
        silence, safety = create_code(study, "Silence"), create_code(study, "Safety")
        move_code(study, silence, theme)
        for d in docs:
            apply_code(study, silence, d, Span(3, 20), "me")
        apply_code(study, safety, docs[0], Span(25, 44), "me")
    env = dict(os.environ, TERM="xterm-256color")
    child = pexpect.spawn(
        sys.executable, ["-m", "tacompanion", "--db", str(db_path), "review", "being with SILENCE"],
        env=env, dimensions=(24, 80), encoding="utf-8", timeout=20,
    )
    try:
        child.expect("3 extracts")
        child.expect("3 of 3 participants")
        child.send("\x14")  # ctrl+t
        child.expect("Thematic map")
        child.expect("Unsorted codes")
        child.send("G")  # the last row: the unsorted code Safety
        child.send("m")
        child.expect("Move the code 'Safety' to")
        child.send("holding\r")
        child.expect("Moved 'Safety' to Holding")
        child.send("\x11")  # ctrl+q
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    with Study.open(db_path) as study:
        assert study.scalar(
            "SELECT t.name FROM codes c JOIN themes t ON t.id = c.theme_id WHERE c.name = 'Safety'"
        ) == "Holding"
