"""The shortcuts of issue 16 in `export codings` give exactly what the plain
way gives: the CSV rows written without csv.writer, and the redaction of
text with code points beyond ASCII folded run by run."""

from __future__ import annotations

import csv
import io
import random
import unicodedata

import pytest

from tacompanion.core.redaction import Redactor, _folded, _folded_with_origin, compile_row_redactions
from tacompanion.formats.codings_csv import csv_row_writer

CELL_PIECES = ["", "a", "word", " ", ",", ", ", '"', '""', "\r", "\n", "\r\n", "\x00", "é", "e\u0301", "我",
               "\U0001F642", "Tromsø", "1,5", "'", ";", "\t", "x,y,z"]


@pytest.mark.parametrize("width", [1, 2, 3, 13])
def test_rows_are_written_as_csv_writer_writes_them(width):
    rng = random.Random(width)
    rows = [[""] * width, ["x"] * width, [","] * width]
    for _ in range(3000):
        rows.append(["".join(rng.choice(CELL_PIECES) for _ in range(rng.randint(0, 4))) for _ in range(width)])
    expected, got = io.StringIO(newline=""), io.StringIO(newline="")
    writer = csv.writer(expected)
    write_row = csv_row_writer(got, width)
    for row in rows:
        writer.writerow(row)
        write_row(row)
    assert got.getvalue() == expected.getvalue()
    # and the shortcut is taken: most of these rows were not left to csv.writer
    assert sum(1 for r in rows if "," in "".join(r) and '"' not in "".join(r)) > 100


def test_a_row_of_another_width_still_comes_out_right():
    got = io.StringIO(newline="")
    csv_row_writer(got, 3)(["a,b", "c"])
    assert got.getvalue() == '"a,b",c\r\n'


TEXT_PIECES = ["Tromsø", "TROMSØ", "tromso\u0338", "İstanbul", "Straße", "STRASSE", "ΣΟΦΙΑΣ", "café", "cafe\u0301",
               "\u212a", "ﬁ", "ǅ", "a\u0327\u0301", "a\u0301\u0327", "Anna", "Berg", "anna\nberg", " ", "’s", "'s",
               "word", "\U0001F642", "我很安静", "-", "\u00a0", "x"]


def test_text_folded_run_by_run_is_the_text_folded_code_point_by_code_point():
    rng = random.Random(16)
    for _ in range(3000):
        text = "".join(rng.choice(TEXT_PIECES) for _ in range(rng.randint(0, 8)))
        assert _folded(text) == _folded_with_origin(text)[0], text


def _spans_folding_everything(redactor: Redactor, text: str) -> list[tuple[int, int, str]]:
    """Redactor.spans as it was: the origin of every code point built first."""
    folded, origin = _folded_with_origin(text)
    out = []
    for m in redactor._pattern.finditer(folded):
        group = m.lastindex
        start, end = m.start(group), m.end(group)
        o_start, o_end = origin[start], origin[end - 1] + 1
        while o_end < len(text) and unicodedata.combining(text[o_end]):
            o_end += 1
        out.append((o_start, o_end, redactor._replacements[group - 1]))
    return out


def test_redaction_spans_are_the_same_as_when_everything_was_folded_first():
    pairs = [("Tromsø", "[city]"), ("Anna Berg", "[name]"), ("Istanbul", "[city]"), ("Straße", "[street]"),
             ("ΣΟΦΙΑ", "[name]"), ("café", "[place]"), ("-x-", "[o]")]
    redactor = Redactor(pairs)
    row = compile_row_redactions(pairs)
    rng = random.Random(17)
    found = skipped = 0
    for _ in range(3000):
        text = "".join(rng.choice(TEXT_PIECES) for _ in range(rng.randint(0, 8)))
        spans = redactor.spans(text)
        assert spans == _spans_folding_everything(redactor, text), text
        found += bool(spans)
        cells = [text, text[: len(text) // 2], "plain"]
        assert row(cells) == [redactor(c) for c in cells]
        if not row.may_change(",".join(cells)):  # what the export trusts to skip a row
            assert row(cells) == cells
        skipped += not row.may_change(",".join(cells))
    assert found > 300 and skipped > 300  # the texts did hold finds, and some rows were skipped
