"""Guides kept in the study: each distinct source text once, by its hash."""

from __future__ import annotations

from tacompanion.core.guide import Guide
from tacompanion.core.guide_parser import parse_guide
from tacompanion.store.study import Study, new_uuid, now_iso


def save_guide(study: Study, guide: Guide, source_text: str, file_name: str | None) -> int:
    """Store a parsed guide with its exact source text; return its row id.

    The same text (by hash) is stored once, so every interview keeps a
    reference to the exact guide it used, even after the file is edited.
    """
    existing = study.scalar("SELECT id FROM guides WHERE source_hash = ?", (guide.source_hash,))
    if existing is not None:
        return existing
    with study.write() as db:
        table = db["guides"]
        table.insert(
            {
                "uuid": new_uuid(),
                "title": guide.title,
                "version": guide.version,
                "language": guide.language,
                "duration_min": guide.duration,
                "file_name": file_name,
                "source_text": source_text,
                "source_hash": guide.source_hash,
                "created_at": now_iso(),
            }
        )
        return table.last_pk


def load_guide(study: Study, guide_id: int) -> Guide:
    """Parse a stored guide again from its exact source text."""
    text = study.scalar("SELECT source_text FROM guides WHERE id = ?", (guide_id,))
    if text is None:
        raise KeyError(f"no guide with id {guide_id}")
    return parse_guide(text)


def list_guides(study: Study) -> list[dict]:
    return study.query(
        "SELECT id, uuid, title, version, duration_min, file_name, created_at "
        "FROM guides ORDER BY created_at"
    )
