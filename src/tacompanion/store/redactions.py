"""The study's redaction list: find -> replacement, applied to exported text.

Stored in the `redactions` table; see core/redaction.py for how the list is
applied. The stored transcripts are never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tacompanion.core.redaction import RowRedactor, compile_redactions, compile_row_redactions
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso


@dataclass(frozen=True)
class Redaction:
    find: str
    replacement: str


def list_redactions(study: Study) -> list[Redaction]:
    """The list, longest find first (the order they are applied in)."""
    rows = study.conn.execute("SELECT find, replacement FROM redactions").fetchall()
    return [Redaction(f, r) for f, r in sorted(rows, key=lambda r: (-len(r[0]), r[0].casefold()))]


def add_redaction(study: Study, find: str, replacement: str) -> str:
    """Add a find -> replacement pair, or change the replacement of a find
    already listed (compared case-insensitively, as it is applied). Returns
    "added", "changed" or "unchanged"."""
    find = " ".join(find.split())
    if not find:
        raise StudyError("say what to find: a name or a place, e.g. Tromsø")
    if "\n" in replacement:
        raise StudyError("a replacement is one line")
    rows = study.conn.execute("SELECT id, find, replacement FROM redactions").fetchall()
    existing = [r for r in rows if r[1].casefold() == find.casefold()]
    with study.write() as db:
        if existing:
            rid, old_find, old = existing[0]
            if old == replacement and old_find == find:
                return "unchanged"
            db["redactions"].update(rid, {"find": find, "replacement": replacement})
            return "changed"
        db["redactions"].insert({"uuid": new_uuid(), "find": find, "replacement": replacement,
                                 "created_at": now_iso()})
    return "added"


def remove_redaction(study: Study, find: str) -> Redaction:
    """Remove the pair whose find is `find` (case-insensitively); StudyError if none."""
    wanted = " ".join(find.split()).casefold()
    rows = study.conn.execute("SELECT id, find, replacement FROM redactions").fetchall()
    match = [r for r in rows if r[1].casefold() == wanted]
    if not match:
        listed = ", ".join(repr(r[1]) for r in rows) or "the list is empty"
        raise StudyError(f"{find!r} is not on the redaction list ({listed})")
    with study.write() as db:
        db["redactions"].delete(match[0][0])
    return Redaction(match[0][1], match[0][2])


def redactor(study: Study) -> Callable[[str], str]:
    """The study's list as a function from text to redacted text."""
    return compile_redactions((r.find, r.replacement) for r in list_redactions(study))


def row_redactor(study: Study) -> RowRedactor:
    """The study's list as a function applied to every cell of a row."""
    return compile_row_redactions((r.find, r.replacement) for r in list_redactions(study))
