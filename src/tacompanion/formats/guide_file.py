"""Reading a guide file from disk, with every failure phrased as FILE:LINE: message."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tacompanion.core.guide import Guide, GuideError
from tacompanion.core.guide_parser import decode_guide, parse_guide

MAX_GUIDE_BYTES = 256_000  # a guide is a few kilobytes (the longest shipped: 6 kB); docs/limits.md


@dataclass
class GuideFileError(Exception):
    """All problems with one guide file, as printable `FILE:LINE: message` lines."""

    path: str
    lines: list[str]

    def __str__(self) -> str:
        return "\n".join(self.lines)


def read_guide_file(path: str | os.PathLike) -> tuple[str, Guide]:
    """The guide's source text (LF line ends, no BOM) and the parsed guide."""
    name = str(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise GuideFileError(name, [f"{name}: is a folder, not a guide file"])
        size = p.stat().st_size
        if size > MAX_GUIDE_BYTES:
            raise GuideFileError(
                name, [f"{name}: {size:,} bytes is far too large for an interview guide"]
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise GuideFileError(name, [f"{name}: no such file"]) from None
    except PermissionError:
        raise GuideFileError(name, [f"{name}: permission denied"]) from None
    except OSError as exc:
        raise GuideFileError(name, [f"{name}: cannot read ({exc.strerror or exc})"]) from None
    try:
        text = decode_guide(data)
        guide = parse_guide(text)
    except GuideError as exc:
        raise GuideFileError(name, [f"{name}:{i.line}: {i.message}" for i in exc.issues]) from None
    return text, guide


def guide_outline(guide: Guide) -> str:
    """The parsed guide as an indented outline, for `guide show`."""
    out = [guide.title]
    facts = []
    if guide.version:
        facts.append(f"version {guide.version}")
    if guide.language:
        facts.append(f"language {guide.language}")
    facts.append(guide.summary())
    out.append("  " + "; ".join(facts))
    if guide.opening:
        out.append("")
        out.append("Opening script:")
        for paragraph in guide.opening:
            out.extend("  " + line for line in paragraph.splitlines())
    for section in guide.sections:
        out.append("")
        minutes = f" [{section.minutes} min]" if section.minutes else ""
        out.append(f"{section.index + 1}. {section.title}{minutes}")
        for note in section.notes:
            out.extend("   | " + line for line in note.splitlines())
        for q in section.questions:
            out.append(f"   Q{q.number}. {q.text}")
            out.append(f"        id: {q.id}")
            for probe in q.probes:
                out.append(f"        - {probe.text}")
    return "\n".join(out)
