"""Codings as CSV, one row per coding: the coded extracts for a spreadsheet,
R or pandas. Columns are a public contract: later versions add, never rename."""

from __future__ import annotations

from tacompanion.formats.notes_csv import rows_to_csv
from tacompanion.store.codes import codings_for_export
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


def coding_rows(study: Study) -> list[dict[str, str]]:
    return [
        {
            "participant": r["participant"],
            "transcript": r["document"] if r["kind"] == "transcript" else "",
            "segment": "" if r["segment"] is None else str(r["segment"]),
            "speaker": r["speaker"] or "",
            "start": str(r["start_pos"]),
            "end": str(r["end_pos"]),
            "code": r["code"],
            "theme": r["theme"] or "",
            "coder": r["coder"],
            "time": r["created_at"],
            "text": r["text"],
            "pilot": "yes" if r["pilot"] else "no",
            "source": r["document"],
        }
        for r in codings_for_export(study)
    ]


def codings_csv(study: Study) -> str:
    return rows_to_csv(coding_rows(study), CODING_COLUMNS)
