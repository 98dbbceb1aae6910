"""The merge report (`tacompanion merge`, `import --merge`): what was added,
matched, skipped, what conflicted and what could not be used."""

from __future__ import annotations

from tacompanion.core.merge_match import report_lines
from tacompanion.store.qdpx import ImportSummary

# What a study file carries that REFI-QDA has no place for: left in the other study.
NOT_MERGED_FROM_A_STUDY = "guides, interview timings and question coverage, starred quote marks"


def merge_lines(summary: ImportSummary, path: str, kind: str = "qdpx") -> list[str]:
    """The merge report: for each kind added, matched, skipped; then conflicts
    and whatever could not be used."""
    added = dict(summary.counts)
    skipped = dict(summary.skipped)
    if summary.duplicates:
        skipped["codings"] = skipped.get("codings", 0) + summary.duplicates
    lines = [f"merged {path}:"]
    lines += report_lines(added, summary.matched, summary.by_content, skipped, summary.conflicts)
    if summary.duplicates:
        lines.append(f"{summary.duplicates:,} duplicate coding(s) (same coder, code and span) collapsed")
    if summary.problems:
        lines.append(f"not merged ({len(summary.problems)}):")
        lines.extend(f"  - {p}" for p in summary.problems[:40])
        if len(summary.problems) > 40:
            lines.append(f"  ... and {len(summary.problems) - 40} more")
    if kind == "study":
        lines.append(f"left in the other study (a merge carries what REFI-QDA holds): {NOT_MERGED_FROM_A_STUDY}")
    return lines
