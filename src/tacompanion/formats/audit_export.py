"""The audit trail as CSV, Markdown or Word, and the report's summary of it;
the saturation table and verdict for the report.

Every text field passes through the redaction list (labels and names of
codes and themes can hold a name too), unless the user turns it off.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from tacompanion.core.saturation import Saturation
from tacompanion.formats.redacted import study_redactor as redactor
from tacompanion.store.audit import AuditEntry, audit_summary
from tacompanion.store.study import Study

AUDIT_COLUMNS = ("when", "coder", "decision", "what", "names", "state", "kind")
FORMATS = ("csv", "md", "docx")


def _identity(text: str) -> str:
    return text


def _redaction(study: Study, redact: bool) -> Callable[[str], str]:
    return redactor(study) if redact else _identity


def audit_rows(study: Study, entries: list[AuditEntry], *, redact: bool = True) -> list[dict[str, str]]:
    r = _redaction(study, redact)
    return [
        {
            "when": e.when,
            "coder": r(e.coder),
            "decision": e.decision,
            "what": r(e.label),
            "names": r(" | ".join(e.names)),
            "state": e.state,
            "kind": e.kind,
        }
        for e in entries
    ]


def audit_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def audit_markdown(study: Study, rows: list[dict[str, str]], entries: list[AuditEntry]) -> str:
    out = ["# Audit trail", "", f"_{study.path.name}: every analytic decision in time order "
           "(UTC), from tacompanion's operation log. Undone decisions are kept and marked._", ""]
    out += summary_lines(entries, heading_level=2, title="Summary")
    out += ["## Decisions", "", "| when | coder | decision | what | state |", "|---|---|---|---|---|"]
    for row in rows:
        out.append("| " + " | ".join(_md_cell(row[k]) for k in ("when", "coder", "decision", "what", "state")) + " |")
    if not rows:
        out.append("| | | _no decisions logged yet_ | | |")
    return "\n".join(out) + "\n"


def summary_lines(entries: list[AuditEntry], *, heading_level: int = 2, title: str = "Audit trail") -> list[str]:
    """Counts per kind of decision, undone ones, first and last dates (for the report)."""
    s = audit_summary(entries)
    head = "#" * heading_level
    out = [f"{head} {title}", ""]
    if not entries:
        return out + ["_No analytic decisions logged yet._", ""]
    out += [
        f"{s.total} decisions from {s.first[:10]} to {s.last[:10]}"
        + (f" by {', '.join(s.coders)}" if s.coders else "")
        + (f"; {s.undone} later undone (kept in the trail)." if s.undone else "."),
        "",
        "| decision | count |",
        "|---|---:|",
        *[f"| {_md_cell(k)} | {v} |" for k, v in s.decisions.items()],
        "",
        "_The full trail: `tacompanion export audit`._",
        "",
    ]
    return out


def audit_docx(path: str | Path, study: Study, rows: list[dict[str, str]], entries: list[AuditEntry]) -> None:
    """Write the trail as a Word document (atomically, mode 0600)."""
    from docx import Document

    from tacompanion.formats.atomic_write import write_bytes_atomically

    s = audit_summary(entries)
    doc = Document()
    doc.add_heading("Audit trail", level=0)
    doc.add_paragraph(f"{study.path.name}: every analytic decision in time order (UTC), from "
                      "tacompanion's operation log. Undone decisions are kept and marked.")
    doc.add_heading("Summary", level=1)
    if entries:
        doc.add_paragraph(f"{s.total} decisions from {s.first[:10]} to {s.last[:10]}"
                          + (f" by {', '.join(s.coders)}" if s.coders else "")
                          + (f"; {s.undone} later undone." if s.undone else "."))
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "decision", "count"
        for k, v in s.decisions.items():
            cells = table.add_row().cells
            cells[0].text, cells[1].text = k, str(v)
    else:
        doc.add_paragraph("No analytic decisions logged yet.")
    doc.add_heading("Decisions", level=1)
    columns = ("when", "coder", "decision", "what", "state")
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, columns):
        cell.text = name
    _add_rows_fast(table, [[row[name] for name in columns] for row in rows])
    out = io.BytesIO()
    doc.save(out)
    write_bytes_atomically(path, out.getvalue())


def _add_rows_fast(table, rows: list[list[str]]) -> None:
    """Append rows to a Word table by copying one row's XML: python-docx's
    add_row() and .cells walk the whole table each time, which makes a trail
    of 20,000 decisions take a minute; this takes a second."""
    from copy import deepcopy

    from docx.oxml.ns import qn

    if not rows:
        return
    sample = table.add_row()
    for cell in sample.cells:
        cell.text = "x"
    template = deepcopy(sample._tr)
    sample._tr.getparent().remove(sample._tr)
    tbl = table._tbl
    space = qn("xml:space")
    for values in rows:
        tr = deepcopy(template)
        for t, value in zip(tr.iter(qn("w:t")), values):
            t.text = _xml_safe(value)
            t.set(space, "preserve")
        tbl.append(tr)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    """Word's XML cannot hold control characters other than tab and line ends."""
    return _CONTROL.sub("", text)


def format_for(output: str | None, given: str | None) -> str:
    """csv, md or docx: --format wins, else the output's extension, else csv."""
    if given:
        return given
    suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
    return {"markdown": "md", "md": "md", "docx": "docx"}.get(suffix, "csv")


def saturation_lines(result: Saturation, *, heading_level: int = 2) -> list[str]:
    """The saturation table and verdict, as Markdown (for the report)."""
    head = "#" * heading_level
    out = [f"{head} Saturation", "",
           f"Interviews in the order they happened (pilots left out); stopping rule "
           f"(Guest, Namey & Chen 2020): {result.rule.describe()}.", "",
           "| # | participant | document | date | new codes | codes so far |",
           "|---:|---|---|---|---:|---:|"]
    for i, p in enumerate(result.points, 1):
        out.append(f"| {i} | {_md_cell(p.participant)} | {_md_cell(p.document)} | {p.date or ''} | "
                   f"{len(p.new_codes)} | {p.total_codes} |")
    if not result.points:
        out.append("| | | _no documents in the analysis yet_ | | | |")
    out += ["", f"**{result.verdict()}**", ""]
    return out
