"""`stats` for people: store.stats returns data, cli.stats_text draws it."""

from __future__ import annotations

import shutil
from pathlib import Path

from tacompanion.cli.stats_text import rule_lines, stats_table
from tacompanion.store import stats as store_stats
from tacompanion.store.study import Study

DATA = Path(__file__).parent / "data" / "study-v2.db"


def test_the_store_returns_the_rule_as_data_and_the_cli_draws_it(tmp_path):
    path = tmp_path / "s.db"
    shutil.copy(DATA, path)
    with Study.open(path) as study:
        total, rows = store_stats.prevalence_rule_rows(study)
    assert total == 4
    assert [(r["label"], r["minimum"], r["maximum"], r["low"], r["high"]) for r in rows] == [
        ("all", "N", "N", 4, 4), ("most", "half+1", "N-1", 3, 3), ("some", "3", "half", 3, 2),
        ("one or two", "1", "2", 1, 2),
    ]
    assert rule_lines(total, rows, ()) == [
        "Prevalence rule (N = 4 participants in analysis, pilots excluded; the first row that fits a "
        "count gives its label):",
        "  label       minimum  maximum  with N = 4",
        "  ----------  -------  -------  ----------",
        "  all         N        N        4",
        "  most        half+1   N-1      3",
        "  some        3        half     never",
        "  one or two  1        2        1 to 2",
        "Coders: the counts use every coder's codings; a participant counts once however many coders "
        "coded them (setting analysis_coders restricts this).",
    ]
    assert rule_lines(total, rows, ("kim",))[-1] == (
        "Coders: the counts use the codings of kim (setting analysis_coders).")


def test_no_text_is_drawn_in_the_store():
    assert not [name for name in dir(store_stats) if name.endswith(("_table", "_lines"))]


def test_an_empty_study_draws_its_zero_counts():
    text = stats_table({"participants": [], "transcripts": [], "interviews": []})
    assert text == "Participants: 0\n\nTranscripts: 0"
