"""Interview notes as CSV, one row per note, for a spreadsheet or R/pandas.

The elapsed column is the note's place in the audio recording (`HH:MM:SS`:
clock time plus the interview's recording offset), so a quote can be found
by scrubbing to it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tacompanion.core.guide import Guide
    from tacompanion.store.study import Study

NOTE_COLUMNS = (
    "participant",
    "pilot",
    "interview_start",
    "elapsed",
    "section",
    "question_id",
    "question_text",
    "kind",
    "tags",
    "text",
)


def note_rows(study: Study) -> list[dict[str, str]]:
    """Every note in the study as a CSV row (column name -> text)."""
    # Imported here: the guide parser (markdown-it) is slow to import, and
    # rows_to_csv, which every CSV export uses, needs none of it.
    from tacompanion.core.interview import format_hms, recording_ms
    from tacompanion.store.guides import load_guide
    from tacompanion.store.notes import notes_for_export

    guides: dict[int, Guide | None] = {}
    rows = []
    for r in notes_for_export(study):
        guide_id = r["guide_id"]
        if guide_id not in guides:
            guides[guide_id] = load_guide(study, guide_id) if guide_id is not None else None
        guide = guides[guide_id]
        question = guide.question(r["question_id"]) if guide and r["question_id"] else None
        section = guide.sections[question.section_index].title if guide and question else ""
        recording = recording_ms(r["elapsed_ms"], r["recording_offset_ms"])
        rows.append(
            {
                "participant": r["participant"],
                "pilot": "yes" if r["pilot"] else "no",
                "interview_start": r["started_at"] or "",
                "elapsed": format_hms(recording),
                "section": section,
                "question_id": r["question_id"] or "",
                "question_text": question.text if question else "",
                "kind": r["kind"],
                "tags": " ".join(f"#{t}" for t in json.loads(r["tags"])),
                "text": r["text"],
            }
        )
    return rows


def rows_to_csv(rows: list[dict[str, str]], columns: tuple[str, ...] = NOTE_COLUMNS) -> str:
    """The CSV text (header first, RFC 4180 quoting, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def redacted_rows(study: Study, rows: list[dict[str, str]], redact: bool = True) -> list[dict[str, str]]:
    """The rows with the study's redaction list applied to every cell."""
    if not redact:
        return rows
    from tacompanion.formats.redacted import study_redactor as redactor

    clean = redactor(study)
    return [{k: clean(v) for k, v in row.items()} for row in rows]


def notes_csv(study: Study) -> str:
    return rows_to_csv(note_rows(study))
