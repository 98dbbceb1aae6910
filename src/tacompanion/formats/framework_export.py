"""The framework matrix out: CSV (one row per participant, one column per
theme or question), Markdown and, through it, Word (the matrix as a table,
then each column read down as text). Redacted like every export."""

from __future__ import annotations

from tacompanion.core.quotes import one_line
from tacompanion.formats.notes_csv import rows_to_csv
from tacompanion.formats.redacted import study_redactor as redactor
from tacompanion.store.framework import Framework, summary_rows
from tacompanion.store.study import Study

BY_WORDS = {"themes": "main themes", "subthemes": "subthemes", "questions": "guide questions",
            "sections": "guide sections"}


def _clean(study: Study, redact: bool):
    return redactor(study) if redact else (lambda text: text)


def framework_csv(study: Study, fw: Framework, *, pilots: bool = False, redact: bool = True) -> str:
    clean = _clean(study, redact)
    rows = [{clean(k): clean(v) for k, v in row.items()} for row in summary_rows(study, fw, pilots=pilots)]
    head = ["participant"] + ([fw.group_by] if fw.group_by else []) + (["pilot"] if pilots else [])
    columns = [clean(h) for h in head] + [clean(c.title) for c in fw.columns]
    return rows_to_csv(rows, tuple(columns))


def _cell(text: str) -> str:
    return one_line(text).replace("|", "\\|") or "-"


def framework_markdown(study: Study, fw: Framework, *, pilots: bool = False, redact: bool = True) -> str:
    rows = [r for r in fw.rows if pilots or not r.pilot]
    counted = len(fw.counted)
    source = f" of the guide {fw.guide_title}" if fw.guide_title else ""
    intro = [f"{counted} participant{'s' if counted != 1 else ''} by {len(fw.columns)} "
             f"{BY_WORDS[fw.by]}{source}; {fw.written()} of {counted * len(fw.columns)} cells summarised."]
    if fw.pilots:
        intro.append("Pilot participants are included and marked (pilot)." if pilots
                     else "Pilot participants are left out.")
    if fw.group_by:
        intro.append(f"Grouped by {fw.group_by}.")
    out = [f"# Framework matrix: {BY_WORDS[fw.by]}", "", f"_{' '.join(intro)}_", ""]
    if not fw.columns:
        out += ["_No columns: no themes yet (or, by guide, no guide)._", ""]
    elif not rows:
        out += ["_No participants with data yet._", ""]
    else:
        out += ["## The matrix", ""]
        head = ["Participant"] + ([fw.group_by] if fw.group_by else []) + [c.title for c in fw.columns]
        out.append("| " + " | ".join(_cell(h) for h in head) + " |")
        out.append("| " + " | ".join("---" for _ in head) + " |")
        for r in rows:
            name = f"{r.pseudonym} (pilot)" if r.pilot else r.pseudonym
            cells = [name] + ([r.group or "-"] if fw.group_by else [])
            cells += [fw.cell(r.participant_id, c.key).summary for c in fw.columns]
            out.append("| " + " | ".join(_cell(x) for x in cells) + " |")
        out += ["", "## By column", ""]
        for c in fw.columns:
            out += [f"### {c.title}", ""]
            written = [(r, fw.cell(r.participant_id, c.key).summary) for r in rows]
            written = [(r, text) for r, text in written if text.strip()]
            for r, text in written:
                out += [f"**{r.pseudonym}{' (pilot)' if r.pilot else ''}.** {one_line(text)}", ""]
            if not written:
                out += ["_No summaries yet._", ""]
    text = "\n".join(out).rstrip("\n") + "\n"
    return _clean(study, redact)(text)
