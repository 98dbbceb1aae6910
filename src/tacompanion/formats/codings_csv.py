"""Codings as CSV, one row per coding: the coded extracts for a spreadsheet,
R or pandas. Columns are a public contract: later versions add, never rename."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import TextIO

from tacompanion.store.codings_export import iter_codings_for_export
from tacompanion.store.study import Study

CODING_COLUMNS = (
    "participant",
    "transcript",  # the transcript's file name; empty for a coding on interview notes
    "segment",  # 1-based turn in the transcript (note number for notes)
    "speaker",
    "start",  # [start, end) in code points into the stored text
    "end",
    "code",
    "theme",  # "Theme / Subtheme", empty when unsorted
    "coder",
    "time",
    "text",
    "pilot",  # yes / no: pilots are kept out of the analysis, not out of the data
    "source",  # the file name, or "notes <interview start>" for interview notes
)


def coding_cells(study: Study) -> Iterator[list[str]]:
    """Each coding's row as cells in CODING_COLUMNS order, streamed in reading order."""
    for kind, who, pilot, document, segment, speaker, start, end, code, theme, coder, created_at, text in (
        iter_codings_for_export(study)
    ):
        yield [
            who,
            document if kind == "transcript" else "",
            "" if segment is None else str(segment),
            speaker or "",
            str(start),
            str(end),
            code,
            theme or "",
            coder,
            created_at,
            text,
            "yes" if pilot else "no",
            document,
        ]


def coding_rows(study: Study) -> list[dict[str, str]]:
    return [dict(zip(CODING_COLUMNS, cells, strict=True)) for cells in coding_cells(study)]


def write_codings_csv(study: Study, out: TextIO, *, redact: bool = True,
                      progress: Callable[[int], None] | None = None) -> int:
    """Write the CSV (header first, RFC 4180 quoting, CRLF line ends) to a text
    stream opened with newline="", one row at a time, with the study's
    redaction list applied to every cell unless `redact` is false. Returns the
    number of codings written; `progress(n)` is told every few thousand rows."""
    writer = csv.writer(out)
    writer.writerow(CODING_COLUMNS)
    clean = None
    if redact:
        from tacompanion.store.redactions import row_redactor

        clean = row_redactor(study)
    write_row = csv_row_writer(out, len(CODING_COLUMNS))
    n = 0
    for cells in coding_cells(study):
        line = ",".join(cells)
        if clean is not None and clean.may_change(line):  # most rows hold no name of the list
            cells = clean(cells)
            line = ",".join(cells)
        write_row(cells, line)
        n += 1
        if progress is not None and n % 5000 == 0:
            progress(n)
    return n


def csv_row_writer(out: TextIO, width: int) -> Callable[..., None]:
    """A function that writes a row of `width` string cells to `out` exactly
    as csv.writer(out).writerow does, faster for most rows; it may be given
    the cells joined by commas too, when the caller has them.

    csv.writer (QUOTE_MINIMAL, the default) quotes a cell that holds a comma,
    a quote, CR or LF, doubling its quotes, and ends the row with CRLF. Most
    rows here hold no quote and no line break, at most commas in the extract:
    those are written here (the cells with a comma in quotes); every other
    row (NUL too) goes to csv.writer itself."""
    writerow = csv.writer(out).writerow
    if width < 2:  # csv.writer writes a lone empty cell as ""
        return lambda cells, line=None: writerow(cells)
    write = out.write
    separators = width - 1

    def write_row(cells: list[str], line: str | None = None) -> None:
        if line is None:
            line = ",".join(cells)
        if '"' in line or "\n" in line or "\r" in line or "\x00" in line or len(cells) != width:
            writerow(cells)
            return
        if line.count(",") != separators:  # commas inside cells: those cells are quoted
            line = ",".join([f'"{c}"' if "," in c else c for c in cells])
        write(line + "\r\n")

    return write_row


def codings_csv(study: Study) -> str:
    from tacompanion.formats.notes_csv import rows_to_csv

    return rows_to_csv(coding_rows(study), CODING_COLUMNS)
