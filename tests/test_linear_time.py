"""No parser and no lookup is worse than linear in its input.

Nothing here reads a clock: each test counts the work done (Python function
calls, SQLite virtual-machine steps) for an input and for one twice or four
times as large, and checks that the work grows in proportion; big inputs
also check that the answer is still right. Timings live in bench/."""

from __future__ import annotations

import cProfile
import pstats
import re
import sys

import pytest

from tacompanion.core.guide import GuideError
from tacompanion.core.guide_parser import parse_guide, planned_time
from tacompanion.core.transcript import segment_text
from tacompanion.formats.transcript_files import (
    TranscriptFileError,
    _looks_like_timing,
    _strip_tags,
    parse_transcript_bytes,
)
from tacompanion.store.codes import codings_for_export
from tacompanion.store.study import Study
from tests.reference_sql import REFERENCE_CODINGS_SQL

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

OLD_MINUTES = re.compile(r"\s*\[\s*([^\]]*?)\s*min\s*\]\s*$", re.IGNORECASE)
OLD_LOOKS_LIKE_TIMING = re.compile(r"\d:\d\d[.,:]\d.*[-=]+>|\d:\d\d.*\s-+\s")
OLD_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def calls(fn, *args) -> int:
    """How many Python function calls `fn(*args)` makes, raising or not."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        fn(*args)
    except (GuideError, TranscriptFileError):
        pass
    finally:
        profile.disable()
    return pstats.Stats(profile).total_calls


def grows_linearly(make, run, small: int, factor: int = 4, slack: float = 1.5) -> bool:
    a, b = calls(run, make(small)), calls(run, make(small * factor))
    return b <= factor * slack * a


# -- guides -----------------------------------------------------------------------------------


def test_a_heading_of_brackets_is_parsed_in_linear_work():
    def make(n):
        return "# T\n\n## " + "[" * n + "\n\n- A question?\n"

    assert grows_linearly(make, parse_guide, 5_000)
    guide = parse_guide(make(60_000))  # the heading of the report: 60,000 '['
    assert guide.sections[0].title == "[" * 60_000 and guide.sections[0].minutes is None


def test_nested_emphasis_neither_recurses_nor_grows_faster_than_its_length():
    def make(n):
        return "# T\n\n## S\n\n- " + "**" * n + "deep" + "**" * n + "\n"

    assert grows_linearly(make, parse_guide, 500)
    guide = parse_guide(make(5_000))  # 20 KB of nested '**' (1 KB once raised RecursionError)
    assert guide.sections[0].questions[0].text.strip("*") == "deep"


def test_planned_time_reads_what_the_old_expression_read():
    for heading in ["Warm-up [10 min]", "Warm-up [ 10 MIN ]  ", "[a] b [c [5 min]", "x [] min]", "[min]",
                    "A [5 min] B", "A [five min]", "A [5min]", "nothing", "A ]5 min]", "[[[ 3 min]",
                    "A [x] [2 min]", "]", "[", "A [5 min] ]", "A [\n5\tmin ]"]:
        m = OLD_MINUTES.search(heading)
        got = planned_time(heading)
        if m is None:
            assert got is None, heading
        else:
            assert got == (heading[: m.start()].strip(), m.group(1), m.group(0).strip()), heading


# -- transcripts ------------------------------------------------------------------------------


def test_a_vtt_with_a_long_line_of_dashes_is_refused_in_linear_work():
    def make(n):
        return ("WEBVTT\n\n00:00.000 " + "-" * n + "\n").encode()

    def run(data):
        parse_transcript_bytes(data, "vtt", "long.vtt")

    assert grows_linearly(make, run, 20_000)
    with pytest.raises(TranscriptFileError) as err:
        run(make(200_000))
    assert str(err.value).startswith("long.vtt:3: a cue without a timing line")


def test_srt_tags_are_stripped_in_linear_work():
    def make(n):
        return ("1\n00:00:00,000 --> 00:00:01,000\nP1: " + "<a" * n + " words\n").encode()

    def run(data):
        return parse_transcript_bytes(data, "srt", "tags.srt")

    assert grows_linearly(make, run, 10_000)
    parsed = run(make(100_000))
    assert parsed.segments[0].text.endswith("<a<a words")


def test_the_linear_helpers_agree_with_the_expressions_they_replace():
    lines = ["00:00.000 --> 00:01.000", "0:00.0 ---->", "1:23 - - x", "1:23 -- ", "1:23.4 =>", "1:234 ->",
             "12:34,5 ->", "no clock -> here", "1:23", "-> 1:23.4", "1:2 -", "9:99:9 - ", "1:23\t-\t",
             "1:23.4 -x>", "1:23.4 - >", "1:23 ===> x", "1:23.4=>"]
    for line in lines:
        assert _looks_like_timing(line) == bool(OLD_LOOKS_LIKE_TIMING.search(line)), line
    texts = ["<b>bold</b>", "a < b > c", "<<i>x</i>", "</>", "<1a>", "<a", "x <a y", "<font color=red>hi</font>",
             "<é>x", "a</b", "<a><", "<a>>"]
    for text in texts:
        assert _strip_tags(text) == OLD_TAG.sub("", text), text


def test_plain_transcripts_are_segmented_in_linear_work():
    def make(n):
        return "".join(f"P{i % 3}: something said, turn {i}\n\n" for i in range(n))

    assert grows_linearly(make, lambda t: segment_text(t, "txt"), 2_000)


# -- export codings ---------------------------------------------------------------------------


def _study_with_codings(path, turns: int) -> Study:
    """A transcript of `turns` turns with one coding on each."""
    synth.coded_transcript_study(
        path, "".join(f"P1: this is turn number {n} of the long interview\n\n" for n in range(turns)))
    return Study.open(path)


def _vm_steps(study: Study, fn) -> int:
    """SQLite virtual-machine steps (in hundreds) that `fn` makes the study run."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    study.conn.set_progress_handler(tick, 100)
    try:
        fn(study)
    finally:
        study.conn.set_progress_handler(None, 0)
    return steps[0]


def test_export_codings_finds_each_codings_turn_in_linear_work(tmp_path):
    small = _study_with_codings(tmp_path / "small.db", 500)
    large = _study_with_codings(tmp_path / "large.db", 2_000)
    try:
        a, b = _vm_steps(small, codings_for_export), _vm_steps(large, codings_for_export)
        assert b <= 4 * 1.5 * a, (a, b)  # quadratic would be 16 times
        a, b = calls(codings_for_export, small), calls(codings_for_export, large)
        assert b <= 4 * 1.5 * a, (a, b)
        rows = codings_for_export(large)
        assert [r["segment"] for r in rows] == list(range(1, 2_001))
        assert rows[1_234]["text"].strip() == "this is turn number 1234 of the long interview"
        assert all(r["speaker"] == "P1" for r in rows)
    finally:
        small.close()
        large.close()


def test_export_codings_gives_what_the_old_query_gave(tmp_path):
    """The old one-query export (kept here as the reference) and the new one
    agree row for row on a study with turns, notes, pilots, themes."""
    from tests.test_export_codings import make_study

    make_study(tmp_path / "s.db")
    with Study.open(tmp_path / "s.db") as study:
        assert codings_for_export(study) == study.query(REFERENCE_CODINGS_SQL)




def test_a_guide_file_beyond_the_limit_is_refused_before_it_is_parsed(tmp_path):
    from tacompanion.formats.guide_file import MAX_GUIDE_BYTES, GuideFileError, read_guide_file

    path = tmp_path / "huge.md"
    path.write_text("# T\n\n## " + "[" * MAX_GUIDE_BYTES + "\n", "utf-8")
    assert calls(lambda: pytest.raises(GuideFileError, read_guide_file, path)) < 200
    with pytest.raises(GuideFileError) as err:
        read_guide_file(path)
    assert str(err.value) == f"{path}: {MAX_GUIDE_BYTES + 9:,} bytes is far too large for an interview guide"
