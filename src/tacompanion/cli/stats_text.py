"""`tacompanion stats` for people: the text tables drawn from the dict that
store.stats builds (`stats --json` prints that dict as it is)."""

from __future__ import annotations

from typing import Any


def stats_table(stats: dict[str, Any]) -> str:
    """The human form of `stats`: two aligned tables."""
    lines = []
    people = stats["participants"]
    lines.append(f"Participants: {len(people)}")
    if people:
        lines.extend(
            _table(
                ["participant", "pilot", "interviews", "notes", "transcripts"],
                [[p["id"], "yes" if p["pilot"] else "", p["interviews"], p["notes"], p["transcripts"]]
                 for p in people],
            )
        )
    ts = stats["transcripts"]
    lines.append("")
    lines.append(f"Transcripts: {len(ts)}")
    if ts:
        body = [
            [t["participant"], t["name"], t["format"], t["segments"], t["participant_segments"],
             t["interviewer_segments"], f"{t['words']:,}", f"{t['participant_words']:,}",
             t["coded_segments"]]
            for t in ts
        ]
        if len(ts) > 1:
            body.append(
                ["total", "", "", sum(t["segments"] for t in ts),
                 sum(t["participant_segments"] for t in ts),
                 sum(t["interviewer_segments"] for t in ts),
                 f"{sum(t['words'] for t in ts):,}", f"{sum(t['participant_words'] for t in ts):,}",
                 sum(t["coded_segments"] for t in ts)]
            )
        lines.extend(
            _table(
                ["participant", "file", "format", "turns", "by participant", "by interviewer",
                 "words", "participant words", "coded turns"],
                body,
            )
        )
    ivs = stats.get("interviews", [])
    if ivs:
        lines.append("")
        lines.append(f"Interviews: {len(ivs)}")
        lines.extend(
            _table(
                ["participant", "pilot", "started", "minutes", "notes", "coded notes", "covered"],
                [[i["participant"], "yes" if i["pilot"] else "", (i["started"] or "")[:16].replace("T", " "),
                  "" if i["duration_s"] is None else round(i["duration_s"] / 60),
                  i["notes"], i["coded_notes"], f"{i['questions_covered']}/{i['questions_total']}"]
                 for i in ivs],
            )
        )
    lines.extend(theme_tree_lines(stats))
    return "\n".join(lines)


def theme_tree_lines(stats: dict[str, Any]) -> list[str]:
    """The theme tree with counts and labels, and the rule in force."""
    if "themes" not in stats:
        return []
    prevalence = stats["prevalence"]
    out = ["", f"Themes: {len(stats['themes'])}; codes: {len(stats['codes'])}"
           f" (N = {prevalence['participants']} participants in analysis, pilots excluded)"]
    codes_of: dict[str | None, list[dict]] = {}
    for c in stats["codes"]:
        codes_of.setdefault(c["theme"], []).append(c)
    rows: list[list[Any]] = []
    stack: list[str] = []  # the names from the main theme down to the current one
    for t in stats["themes"]:
        # themes come in tree order, parents first: climb back to the parent
        while stack and (t["parent"] is None or stack[-1] != t["parent"]):
            stack.pop()
        stack.append(t["name"])
        path, depth = " / ".join(stack), len(stack) - 1
        rows.append(["  " * depth + t["name"] + f" [{t['status']}]", t["codings"], t["extracts"],
                     t["participants"], t["label"] or ""])
        for c in codes_of.get(path, []):
            rows.append(["  " * (depth + 1) + "- " + c["name"], c["codings"], c["extracts"],
                         c["participants"], c["label"] or ""])
    unsorted = codes_of.get(None, [])
    if unsorted:
        rows.append(["(unsorted codes)", "", "", "", ""])
        for c in unsorted:
            rows.append(["  - " + c["name"], c["codings"], c["extracts"], c["participants"], c["label"] or ""])
    if rows:
        out.extend(_table(["theme / code", "codings", "extracts", "participants", "prevalence"], rows))
    out.append(f"Prevalence rule: {prevalence['text']}")
    return out


def rule_lines(total: int, rows: list[dict[str, Any]], coders: tuple[str, ...]) -> list[str]:
    """`stats --rule`: the prevalence rule in force, row by row, with its
    meaning for this study's N (from store.stats.prevalence_rule_rows), and
    whose codings the counts use (store.analysis.analysis_coders; () for all)."""
    from tacompanion.store.analysis import coders_text

    table = []
    for r in rows:
        lo, hi = r["low"], r["high"]
        means = "never" if lo > hi else str(lo) if lo == hi else f"{lo} to {hi}"
        table.append([r["label"], r["minimum"], r["maximum"], means if total else "-"])
    out = [f"Prevalence rule (N = {total} participants in analysis, pilots excluded; the first row "
           "that fits a count gives its label):"]
    out.extend(_table(["label", "minimum", "maximum", f"with N = {total}"], table))
    out.append(f"Coders: the counts use {coders_text(coders)}"
               + (" (setting analysis_coders)." if coders else
                  "; a participant counts once however many coders coded them "
                  "(setting analysis_coders restricts this)."))
    return out


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [[f"{c:,}" if isinstance(c, int) and not isinstance(c, bool) else str(c) for c in row]
             for row in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [all(_is_number(r[i]) for r in cells[1:]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "  ".join(
            (c.rjust(w) if num else c.ljust(w)) for c, w, num in zip(row, widths, numeric, strict=True)
        ).rstrip()

    out = ["  " + fmt(cells[0]), "  " + "  ".join("-" * w for w in widths)]
    out.extend("  " + fmt(r) for r in cells[1:])
    return out


def _is_number(value: str) -> bool:
    return value.replace(",", "").isdigit() or value == ""
