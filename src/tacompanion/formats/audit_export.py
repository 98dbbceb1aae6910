"""The audit trail as CSV, Markdown or Word, and the report's summary of it;
the saturation table and verdict for the report.

Every text field passes through the redaction list (labels and names of
codes and themes can hold a name too), unless the user turns it off.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
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


def audit_rows(study: Study, entries: Iterable[AuditEntry], *, redact: bool = True) -> Iterator[dict[str, str]]:
    """One row per entry, as they come (a list of entries, or audit_entries)."""
    r = _redaction(study, redact)
    for e in entries:
        yield {
            "when": e.when,
            "coder": r(e.coder),
            "decision": e.decision,
            "what": r(e.label),
            "names": r(" | ".join(e.names)),
            "state": e.state,
            "kind": e.kind,
        }


def audit_csv(rows: Iterable[dict[str, str]]) -> str:
    return "".join(audit_csv_parts(rows))


def audit_csv_parts(rows: Iterable[dict[str, str]], every: int = 2000) -> Iterator[str]:
    """The CSV a few thousand rows at a time."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AUDIT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % every == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def audit_markdown(study: Study, rows: Iterable[dict[str, str]], entries: Iterable[AuditEntry]) -> str:
    return "".join(audit_markdown_parts(study, rows, entries))


def audit_markdown_parts(study: Study, rows: Iterable[dict[str, str]], entries: Iterable[AuditEntry],
                         every: int = 2000) -> Iterator[str]:
    """The Markdown trail a few thousand rows at a time; `entries` are read
    once, for the summary, before the rows."""
    out = ["# Audit trail", "", f"_{study.path.name}: every analytic decision in time order "
           "(UTC), from tacompanion's operation log. Undone decisions are kept and marked._", ""]
    out += summary_lines(entries, heading_level=2, title="Summary")
    out += ["## Decisions", "", "| when | coder | decision | what | state |", "|---|---|---|---|---|"]
    yield "\n".join(out)
    out = []
    empty = True
    for row in rows:
        empty = False
        out.append("| " + " | ".join(_md_cell(row[k]) for k in ("when", "coder", "decision", "what", "state")) + " |")
        if len(out) >= every:
            yield "\n" + "\n".join(out)
            out = []
    if empty:
        out.append("| | | _no decisions logged yet_ | | |")
    yield ("\n" + "\n".join(out) if out else "") + "\n"


def summary_lines(entries: Iterable[AuditEntry], *, heading_level: int = 2,
                  title: str = "Audit trail") -> list[str]:
    """Counts per kind of decision, undone ones, first and last dates (for the report)."""
    s = audit_summary(entries)
    head = "#" * heading_level
    out = [f"{head} {title}", ""]
    if not s.total:
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


def audit_docx(path: str | Path, study: Study, rows: Iterable[dict[str, str]],
               entries: Iterable[AuditEntry]) -> int:
    """Write the trail as a Word document (atomically, mode 0600); `entries`
    are read once, for the summary, then the rows. The rows of the table go
    to a temporary file as they are made and into word/document.xml as it
    is written (the same document: a trail of 200,000 decisions held as
    python-docx's tree took 2 GB). Returns how many rows."""
    import tempfile

    from docx import Document

    from tacompanion.formats.atomic_write import write_bytes_atomically

    s = audit_summary(entries)
    doc = Document()
    doc.add_heading("Audit trail", level=0)
    doc.add_paragraph(f"{study.path.name}: every analytic decision in time order (UTC), from "
                      "tacompanion's operation log. Undone decisions are kept and marked.")
    doc.add_heading("Summary", level=1)
    if s.total:
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
    with tempfile.TemporaryFile() as spill:
        count = _spill_rows(table, ([row[name] for name in columns] for row in rows), spill)
        out = io.BytesIO()
        doc.save(out)
        write_bytes_atomically(path, _with_rows(out.getvalue(), spill) if count else out.getvalue())
    return count


def _spill_rows(table, rows: Iterable[list[str]], spill) -> int:
    """Each row made by copying one row's XML (python-docx's add_row() and
    .cells walk the whole table each time: a minute for 20,000 rows) and
    written to `spill` as it would stand in the table in word/document.xml."""
    from copy import deepcopy
    from itertools import chain

    from docx.oxml.ns import qn
    from lxml import etree

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    sample = table.add_row()
    for cell in sample.cells:
        cell.text = "x"
    template = deepcopy(sample._tr)
    sample._tr.getparent().remove(sample._tr)
    space = qn("xml:space")
    texts = qn("w:t")
    count = 0
    for values in chain([first], rows):
        tr = deepcopy(template)
        for t, value in zip(tr.iter(texts), values):
            t.text = _xml_safe(value)
            t.set(space, "preserve")
        xml = etree.tostring(tr, encoding="UTF-8")
        end = xml.index(b">")  # its namespaces are declared on the document's root
        spill.write(_XMLNS.sub(b"", xml[:end]) + xml[end:])
        count += 1
    return count


_XMLNS = re.compile(rb' xmlns(?::[A-Za-z0-9_.-]+)?="[^"]*"')


def _with_rows(package: bytes, spill) -> bytes:
    """The package with the spilled rows at the end of the last table of
    word/document.xml (the decisions), every other part as python-docx wrote it."""
    from tacompanion.formats.docx_writer import with_spill_spliced

    return with_spill_spliced(package, spill, lambda xml: xml.rindex(b"</w:tbl>"))


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
