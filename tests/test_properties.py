"""Property-based tests (hypothesis) of what reads files from outside: the
guide parser, the transcript readers and the .qdpx reader.

Invariants, whatever the input: the only exception is the documented one
(GuideError / GuideFileError, TranscriptFileError, QdpxError), its message
names the file, and a refused import leaves the study byte for byte as it
was. The one-pass helpers also agree with the regular expressions they
replaced.

A small number of examples by default, so that CI stays fast; for a long run:
    TACOMPANION_FUZZ_EXAMPLES=2000 python -m pytest -m fuzz tests/test_properties.py
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tacompanion.core.guide import Guide, GuideError
from tacompanion.core.guide_parser import parse_guide, planned_time
from tacompanion.formats.guide_file import GuideFileError, read_guide_file
from tacompanion.formats.qdpx_import import QdpxError, import_qdpx, read_qdpx
from tacompanion.formats.transcript_files import (
    TranscriptFileError,
    _looks_like_timing,
    _strip_tags,
    parse_transcript_bytes,
)
from tacompanion.store.study import Study, StudyError
from tests import hostile_files as H

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("TACOMPANION_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES <= 100,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
GUIDES = Path(__file__).resolve().parents[1] / "guides"
SHIPPED_GUIDE = (GUIDES / "mbt-avpd-therapists.md").read_text("utf-8")

# Markdown's own punctuation, so that the generated texts reach the parser's corners.
MD_ALPHABET = st.sampled_from(list("#-*_[]()>`!|:\\ \t\n0123456789minMIN.,'\"<>&") + ["é", "ø", "😀", "\u200b"])
md_text = st.text(MD_ALPHABET, max_size=400)


def _mutations(base: bytes):
    """Byte-level mutations of `base`: flips, deletions, insertions, cuts, repeats."""
    @st.composite
    def mutate(draw):
        data = bytearray(base)
        for _ in range(draw(st.integers(1, 6))):
            kind = draw(st.sampled_from(["flip", "delete", "insert", "cut", "repeat"]))
            if not data:
                break
            at = draw(st.integers(0, len(data) - 1))
            if kind == "flip":
                data[at] = draw(st.integers(0, 255))
            elif kind == "delete":
                del data[at:at + draw(st.integers(1, 16))]
            elif kind == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=16))
            elif kind == "cut":
                del data[at:]
            else:
                piece = bytes(data[at:at + draw(st.integers(1, 32))])
                data[at:at] = piece * draw(st.integers(2, 50))
        return bytes(data)
    return mutate()


# -- guides ------------------------------------------------------------------------------------


@FUZZ
@given(md_text)
@example("# T\n\n## " + "[" * 2000 + "\n\n- q?\n")
@example("# T\n\n## S\n\n- " + "**" * 300 + "x" + "**" * 300 + "\n")
def test_the_guide_parser_only_ever_raises_guide_error(text):
    try:
        guide = parse_guide(text)
    except GuideError as exc:
        assert exc.issues and all(i.line >= 1 for i in exc.issues)
    else:
        assert isinstance(guide, Guide) and guide.title and guide.sections


@FUZZ
@given(_mutations(SHIPPED_GUIDE.encode("utf-8")))
def test_a_mutated_guide_file_is_read_or_refused_naming_the_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("g") / "guide.md"
    path.write_bytes(data)
    try:
        read_guide_file(path)
    except GuideFileError as exc:
        assert exc.lines and all(line.startswith(f"{path}:") for line in exc.lines)


OLD_MINUTES = re.compile(r"\s*\[\s*([^\]]*?)\s*min\s*\]\s*$", re.IGNORECASE)


@FUZZ
@given(st.text(st.sampled_from(list("[] \tminMIN05a-")), max_size=40))
def test_planned_time_is_what_the_old_expression_found(heading):
    m = OLD_MINUTES.search(heading)
    got = planned_time(heading)
    assert got == (None if m is None else (heading[: m.start()].strip(), m.group(1), m.group(0).strip()))


# -- transcripts ------------------------------------------------------------------------------

OLD_LOOKS_LIKE_TIMING = re.compile(r"\d:\d\d[.,:]\d.*[-=]+>|\d:\d\d.*\s-+\s")
OLD_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@FUZZ
@given(st.text(st.sampled_from(list("0123:.,- =>\tx")), max_size=40))
def test_the_timing_check_is_what_the_old_expression_found(line):
    assert _looks_like_timing(line) == bool(OLD_LOOKS_LIKE_TIMING.search(line))


@FUZZ
@given(st.text(st.sampled_from(list("<>/ab1 é")), max_size=40))
def test_tag_stripping_is_what_the_old_expression_did(text):
    assert _strip_tags(text) == OLD_TAG.sub("", text)


VTT = (b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did it start?\n\n"
       b"00:00:04.500 --> 00:00:09.000\n<v P1>Slowly, with long silences.\n")
SRT = (b"1\n00:00:01,000 --> 00:00:04,000\nInterviewer: How did it start?\n\n"
       b"2\n00:00:04,500 --> 00:00:09,000\nP1: Slowly, <i>with</i> long silences.\n")
TXT = b"Interviewer: How did it start?\n\nP1: Slowly, with long silences.\n"


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: How did it start?")
    document.add_paragraph("P1: Slowly, with long silences.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


DOCX = _docx_bytes()


def _transcript_ok_or_refused(data: bytes, fmt: str) -> None:
    name = f"/data/interview.{fmt}"
    try:
        parsed = parse_transcript_bytes(data, fmt, name)
    except TranscriptFileError as exc:
        assert str(exc).startswith(name) and exc.message
    else:
        assert parsed.segments


@FUZZ
@given(st.sampled_from(["vtt", "srt", "txt", "md"]), st.data())
def test_a_mutated_transcript_is_read_or_refused_naming_the_file(fmt, data):
    base = {"vtt": VTT, "srt": SRT, "txt": TXT, "md": TXT}[fmt]
    _transcript_ok_or_refused(data.draw(_mutations(base)), fmt)


@FUZZ
@given(st.sampled_from(["vtt", "srt", "txt", "md"]), st.binary(max_size=300) | md_text.map(str.encode))
def test_any_bytes_as_a_transcript_are_read_or_refused_naming_the_file(fmt, data):
    _transcript_ok_or_refused(data, fmt)


@FUZZ
@given(_mutations(DOCX))
def test_a_mutated_docx_is_read_or_refused_naming_the_file(data):
    _transcript_ok_or_refused(data, "docx")


# -- .qdpx -------------------------------------------------------------------------------------

QC_DEMO = (H.REFI / "qc-demo.qdpx").read_bytes()
ATLAS = (H.REFI / "atlasti-23-target.qdpx").read_bytes()


def _qde_of(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("project.qde")


@st.composite
def mutated_projects(draw):
    """A real project with its zip bytes mutated, or its project.qde mutated
    and zipped again (so that the XML parser, not only unzip, is reached)."""
    base = draw(st.sampled_from([ATLAS, QC_DEMO]))
    if draw(st.booleans()):
        return draw(_mutations(base))
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    entries["project.qde"] = draw(_mutations(entries["project.qde"]))
    return H.zip_bytes(entries)


@pytest.fixture(scope="module")
def filled_study_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("filled") / "filled.db"
    with Study.open(path) as s:
        import_qdpx(s, H.REFI / "atlasti-23-target.qdpx")
    return path


@FUZZ
@given(mutated_projects())
def test_a_mutated_qdpx_is_read_or_refused_naming_the_file_and_the_study_is_untouched(
        tmp_path_factory, filled_study_file, data):
    folder = tmp_path_factory.mktemp("q")
    path = folder / "project.qdpx"
    path.write_bytes(data)
    study_path = folder / "study.db"
    shutil.copy(filled_study_file, study_path)
    before = hashlib.sha256(study_path.read_bytes()).hexdigest()
    refused = False
    with Study.open(study_path, create=False) as study:
        try:
            project = read_qdpx(path)
        except QdpxError as exc:
            assert str(exc).startswith(f"{path}: ")
            refused = True
        else:
            try:
                import_qdpx(study, path, merge=True)
            except StudyError as exc:
                assert str(exc)
                refused = True
            assert project.codes is not None
    if refused:
        assert hashlib.sha256(study_path.read_bytes()).hexdigest() == before
