"""Every query behind a REFI-QDA export (.qdpx): the rows it writes.

Apart from store/qdpx.py (the import's one transaction) because an export
needs none of the import's machinery: its modules took ~12 ms of every
export's start. Codings and texts are read one source at a time, so memory
does not grow with the study.
"""

from __future__ import annotations

from typing import Any

from tacompanion.store.study import Study


def export_rows(study: Study) -> dict[str, Any]:
    """Everything an export writes as plain rows, except what grows with the
    data: transcripts come without their text (`export_text`) and codings
    are read one source at a time (`transcript_codings`); "coders" and
    "coding_totals" say what the export needs of all of them."""
    q = study.query
    return {
        "study_uuid": study.setting("study_uuid") or "",
        "themes": q("SELECT id, uuid, parent_id, name, definition, status, position, created_at "
                    "FROM themes ORDER BY position, id"),
        "codes": q("SELECT id, uuid, name, description, theme_id, parent_code_id, color, position "
                   "FROM codes ORDER BY position, id"),
        "participants": q("SELECT id, uuid, pseudonym, pilot, attributes, created_at FROM participants "
                          "ORDER BY pseudonym COLLATE NOCASE, id"),
        "transcripts": q("SELECT id, uuid, participant_id, file_name, format, imported_at "
                         "FROM transcripts ORDER BY participant_id, file_name, id"),
        "interviews": q("SELECT id, uuid, participant_id, pilot, created_at, started_at, recording_offset_ms "
                        "FROM interviews "
                        "ORDER BY participant_id, coalesce(started_at, created_at), id"),
        "notes": q("SELECT id, uuid, interview_id, kind, text, elapsed_ms, created_at FROM notes "
                   "ORDER BY interview_id, coalesce(elapsed_ms, 0), id"),
        "segments": q("SELECT s.id, s.uuid, s.transcript_id, s.start_pos, s.end_pos FROM segments s "
                      "WHERE s.id IN (SELECT segment_id FROM memos WHERE segment_id IS NOT NULL)"),
        "note_codings": q(f"SELECT {_CODING_COLUMNS} FROM codings WHERE note_id IS NOT NULL "
                          "ORDER BY start_pos, end_pos, id"),
        "coders": export_coders(study),
        "coding_totals": study.conn.execute(
            "SELECT count(*), coalesce(sum(starred), 0) FROM codings").fetchone(),
        "memos": q("SELECT id, uuid, code_id, theme_id, transcript_id, segment_id, note_id, "
                   "participant_id, interview_id, text, created_at FROM memos ORDER BY id"),
        "journal": q("SELECT id, uuid, entry_date, text, created_at FROM journal ORDER BY entry_date, id"),
        "framework": q("SELECT id, uuid, participant_id, theme_id, question_id, text, created_at "
                       "FROM framework_summaries WHERE trim(text) != '' ORDER BY participant_id, id"),
        "redactions": [(r["find"], r["replacement"]) for r in
                       q("SELECT find, replacement FROM redactions ORDER BY length(find) DESC, find")],
    }


_CODING_COLUMNS = "id, uuid, code_id, transcript_id, note_id, start_pos, end_pos, coder, created_at, starred"


def export_coders(study: Study) -> list[str]:
    """The coders (names not empty) in the order they first code, reading the
    codings by start, end and id: the order the export met them in. Only when
    two names differ by case alone does that order show (users are listed
    case-insensitively sorted), so only then is every coding read for it."""
    names = [r[0] for r in study.conn.execute("SELECT DISTINCT coder FROM codings WHERE coder <> ''")]
    if len({n.casefold() for n in names}) == len(names):
        return sorted(names)
    seen: dict[str, None] = {}
    for (name,) in study.conn.execute("SELECT coder FROM codings WHERE coder <> '' ORDER BY start_pos, end_pos, id"):
        seen.setdefault(name, None)
    return list(seen)


def export_text(study: Study, transcript_id: int) -> str:
    """A transcript's text, read when its source is written."""
    return study.conn.execute("SELECT text FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()[0]


def export_text_utf8(study: Study, transcript_id: int) -> bytes | None:
    """A transcript's text as the study file holds it, UTF-8 (no decoding,
    no encoding again: the same bytes as export_text's text encoded); None
    when the file keeps its text in another encoding."""
    if study.conn.execute("PRAGMA encoding").fetchone()[0] != "UTF-8":
        return None
    return study.conn.execute("SELECT CAST(text AS BLOB) FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()[0]


def transcript_codings(study: Study, transcript_id: int) -> list[tuple]:
    """A transcript's codings as tuples (start, end, id, uuid, code id,
    coder, created_at), by start and end: the order of the index on
    (transcript, start, end, code, coder), so no sort; codings on the same
    span come by code and coder, not by id (the export sorts those few)."""
    return study.conn.execute(
        "SELECT start_pos, end_pos, id, uuid, code_id, coder, created_at FROM codings "
        "WHERE transcript_id = ? ORDER BY start_pos, end_pos",
        (transcript_id,),
    ).fetchall()


def has_media(study: Study) -> bool:
    """Whether any recording is attached (most studies have none)."""
    return bool(study.conn.execute("SELECT EXISTS (SELECT 1 FROM media)").fetchone()[0])
