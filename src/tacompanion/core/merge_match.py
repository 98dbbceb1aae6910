"""How a merge recognises what a study already has, when the GUID is unknown.

Other tools (QualCoder) make new GUIDs on every export, so a co-author's file
coming back must be matched by its content:
- sources by their text, with a BOM and line endings normalised;
- participants by case name or pseudonym (case and spacing ignored);
- themes by their path from the top ("Theme / Subtheme");
- codes by name within the same theme path;
- users (coders) by name.
Pure functions: keys to compare by, and the merge report's lines. No I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


def name_key(name: str | None) -> str:
    """A name as a merge compares it: spacing collapsed, case folded."""
    return " ".join((name or "").split()).casefold()


def path_key(names: Iterable[str]) -> tuple[str, ...]:
    """A theme's path (top first) as a merge compares it."""
    return tuple(name_key(n) for n in names)


def normalise_text(text: str) -> str:
    """A source's text as a merge compares it: no BOM, LF line endings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_key(text: str) -> str:
    """The digest that two sources with the same (normalised) text share."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def coding_key(document: tuple[str, int], start: int, end: int, code_id: int, coder: str) -> tuple:
    """What makes a coding the same coding: document, span, code and coder."""
    return (document, start, end, code_id, coder)


KINDS = ("participants", "transcripts", "interviews", "notes", "themes", "codes", "codings", "coders",
         "memos", "journal entries")


@dataclass
class MergeCounts:
    """For each kind: added (new), matched (already there: by GUID or by
    content), skipped (not merged: unusable, or a duplicate within the file),
    and the conflicts, one line each."""

    added: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)
    by_content: dict[str, int] = field(default_factory=dict)  # of matched: without the GUID
    skipped: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)

    def count(self, table: dict[str, int], kind: str, n: int = 1) -> None:
        table[kind] = table.get(kind, 0) + n


def report_lines(added: Mapping[str, int], matched: Mapping[str, int], by_content: Mapping[str, int],
                 skipped: Mapping[str, int], conflicts: list[str], limit: int = 40) -> list[str]:
    """The merge report: one line per kind that has anything, then the conflicts."""
    kinds = [k for k in KINDS if added.get(k) or matched.get(k) or skipped.get(k)]
    kinds += sorted(k for k in {*added, *matched, *skipped} if k not in KINDS
                    and (added.get(k) or matched.get(k) or skipped.get(k)))
    lines = []
    width = max((len(k) for k in kinds), default=0)
    hows = {k: f" ({by_content[k]:,} by content)" if by_content.get(k) else "" for k in kinds}
    room = max((len(h) for h in hows.values()), default=0)
    for k in kinds:
        lines.append(f"  {k.ljust(width)}  {added.get(k, 0):>7,} added  {matched.get(k, 0):>7,} matched"
                     f"{hows[k].ljust(room)}  {skipped.get(k, 0):>5,} skipped")
    if not kinds:
        lines.append("  nothing in the file")
    if conflicts:
        lines.append(f"conflicts ({len(conflicts)}):")
        lines.extend(f"  - {c}" for c in conflicts[:limit])
        if len(conflicts) > limit:
            lines.append(f"  ... and {len(conflicts) - limit} more")
    else:
        lines.append("conflicts: none")
    return lines
