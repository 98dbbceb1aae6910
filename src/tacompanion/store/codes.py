"""Codes and codings: create, apply, remove, rename, describe, merge, delete.

Every change goes through `history.record`, so it is one undoable step that
is committed, with its log entry, before the caller shows it. A coding sits on
`[start_pos, end_pos)` of either a transcript's text or a note's text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store import history
from tacompanion.store.coders import resolve_coder  # noqa: F401 - its old home; callers import it from here
from tacompanion.store.codings_export import THEME_PATH
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso


@dataclass(frozen=True)
class CodeSummary:
    id: int
    name: str
    description: str
    theme: str | None  # "Theme / Subtheme", or None when unsorted
    codings: int  # everyone's codings counted in the analysis (store.analysis.COUNTED, and its scope)
    participants: int  # distinct participants with a counted coding
    left_out: int = 0  # codings shown but not counted: pilot data (or notes, when only transcripts count)
    mine: int = 0  # the counted codings of the coder asked about (list_codes(coder=...))

    @property
    def all_codings(self) -> int:
        return self.codings + self.left_out


def document_text(study: Study, doc: DocRef) -> str:
    table = "transcripts" if doc.transcript_id is not None else "notes"
    text = study.scalar(f"SELECT text FROM {table} WHERE id = ?", (doc.id,))
    if text is None:
        raise StudyError(f"no such {table[:-1]}: {doc.id}")
    return text


def _clean_name(name: str) -> str:
    value = " ".join(name.split())
    if not value:
        raise StudyError("a code needs a name")
    if len(value) > 200:
        raise StudyError("a code name is a short label (at most 200 characters)")
    return value


def _free_slug(study: Study, name: str, ignore_id: int | None = None) -> str:
    from slugify import slugify  # imported when a code is named, not at start-up

    base = slugify(name) or "code"
    slug, n = base, 1
    while study.scalar(
        "SELECT 1 FROM codes WHERE slug = ? AND id IS NOT ?", (slug, ignore_id)
    ):
        n += 1
        slug = f"{base}-{n}"
    return slug


def code_by_name(study: Study, name: str) -> int | None:
    return study.scalar("SELECT id FROM codes WHERE name = ?", (" ".join(name.split()),))


def code_name(study: Study, code_id: int) -> str:
    name = study.scalar("SELECT name FROM codes WHERE id = ?", (code_id,))
    if name is None:
        raise StudyError(f"no code with id {code_id}")
    return name


def _code_row(study: Study, name: str, description: str) -> dict:
    if code_by_name(study, name) is not None:
        raise StudyError(f"a code named {name!r} already exists")
    position = study.scalar("SELECT coalesce(max(position), 0) + 1 FROM codes")
    return {
        "uuid": new_uuid(),
        "name": name,
        "slug": _free_slug(study, name),
        "description": description,
        "position": position,
        "created_at": now_iso(),
    }


def create_code(study: Study, name: str, description: str = "") -> int:
    name = _clean_name(name)
    row = _code_row(study, name, description)
    with history.record(study, "create-code", f"Create code '{name}'") as op:
        return op.insert("codes", row)


def _coding_row(study: Study, code_id: int, doc: DocRef, span: Span, coder: str) -> dict | None:
    text = document_text(study, doc)
    if not len(span) or span.end > len(text):
        raise StudyError(f"cannot code [{span.start}, {span.end}): outside the text or empty")
    exists = study.scalar(
        f"SELECT 1 FROM codings WHERE code_id = ? AND {doc.column} = ? "
        "AND start_pos = ? AND end_pos = ? AND coder = ?",
        (code_id, doc.id, span.start, span.end, coder),
    )
    if exists:
        return None
    return {
        "uuid": new_uuid(),
        "code_id": code_id,
        doc.column: doc.id,
        "start_pos": span.start,
        "end_pos": span.end,
        "coder": coder,
        "created_at": now_iso(),
    }


def apply_code(study: Study, code_id: int, doc: DocRef, span: Span, coder: str) -> int | None:
    """Code the span as `coder`; None when this coder already has this code on
    exactly this span (another coder's coding of it does not count)."""
    row = _coding_row(study, code_id, doc, span, coder)
    if row is None:
        return None
    name = code_name(study, code_id)
    with history.record(study, "apply-code", f"Apply '{name}'", coder=coder) as op:
        return op.insert("codings", row)


def apply_code_to_spans(study: Study, code_id: int, places: list[tuple[DocRef, Span]], coder: str) -> int:
    """Code every (document, span) with one code, as one undoable step (the
    hits of a search). Returns how many codings were made; a span that
    already has this code is left as it is."""
    rows = [row for doc, span in places if (row := _coding_row(study, code_id, doc, span, coder)) is not None]
    if not rows:
        return 0
    name = code_name(study, code_id)
    label = f"Apply '{name}' to {len(rows)} search hit{'s' if len(rows) != 1 else ''}"
    with history.record(study, "apply-code", label, coder=coder) as op:
        for row in rows:
            op.insert("codings", row)
    return len(rows)


def segment_places(study: Study, segment_ids: list[int], note_ids: list[int] = ()) -> list[tuple[DocRef, Span]]:
    """Turns (by segment id) and interview notes (by note id) as places to
    code, each whole, in the order given; one with no text is left out."""
    out: list[tuple[DocRef, Span]] = []
    for segment_id in segment_ids:
        row = study.query("SELECT transcript_id, start_pos, end_pos FROM segments WHERE id = ?", (segment_id,))
        if row and row[0]["end_pos"] > row[0]["start_pos"]:
            r = row[0]
            out.append((DocRef(transcript_id=r["transcript_id"]), Span(r["start_pos"], r["end_pos"])))
    for note_id in note_ids:
        text = study.scalar("SELECT text FROM notes WHERE id = ?", (note_id,))
        if text:
            out.append((DocRef(note_id=note_id), Span(0, len(text))))
    return out


def create_and_apply(study: Study, name: str, doc: DocRef, span: Span, coder: str) -> tuple[int, int]:
    """Create a code and apply it, as one undoable step. Returns (code, coding)."""
    name = _clean_name(name)
    code = _code_row(study, name, "")
    with history.record(study, "create-and-apply", f"Create and apply '{name}'", coder=coder) as op:
        code_id = op.insert("codes", code)
        row = _coding_row(study, code_id, doc, span, coder)
        assert row is not None  # a new code has no codings yet
        return code_id, op.insert("codings", row)


def remove_coding(study: Study, coding_id: int) -> int:
    """Remove one coding; returns the id of its code."""
    rows = study.query(
        "SELECT c.id, c.name FROM codings k JOIN codes c ON c.id = k.code_id WHERE k.id = ?",
        (coding_id,),
    )
    if not rows:
        raise StudyError(f"no coding with id {coding_id}")
    with history.record(study, "remove-coding", f"Remove '{rows[0]['name']}'") as op:
        op.delete("codings", coding_id)
    return rows[0]["id"]


def rename_code(study: Study, code_id: int, new_name: str) -> None:
    old = code_name(study, code_id)
    name = _clean_name(new_name)
    other = code_by_name(study, name)
    if other is not None and other != code_id:
        raise StudyError(f"a code named {name!r} already exists; merge the two instead")
    with history.record(study, "rename-code", f"Rename '{old}' to '{name}'") as op:
        op.update("codes", code_id, {"name": name, "slug": _free_slug(study, name, code_id)})


def describe_code(study: Study, code_id: int, description: str) -> None:
    name = code_name(study, code_id)
    with history.record(study, "describe-code", f"Describe '{name}'") as op:
        op.update("codes", code_id, {"description": description.strip()})


def merge_codes(study: Study, source_id: int, target_id: int) -> int:
    """Move every coding and memo of `source` to `target`, then delete `source`.

    A coding that `target` already has on the same span by the same coder
    collapses into it.
    Returns the number of codings moved.
    """
    if source_id == target_id:
        raise StudyError("cannot merge a code into itself")
    source, target = code_name(study, source_id), code_name(study, target_id)
    codings = study.query(
        "SELECT k.id, "
        "  EXISTS (SELECT 1 FROM codings t WHERE t.code_id = ? AND t.start_pos = k.start_pos "
        "          AND t.end_pos = k.end_pos AND t.transcript_id IS k.transcript_id "
        "          AND t.note_id IS k.note_id) AS duplicate "
        "FROM codings k WHERE k.code_id = ?",
        (target_id, source_id),
    )
    memos = study.query("SELECT id FROM memos WHERE code_id = ?", (source_id,))
    # resolved disagreements on `source` no longer stand as such: removed with it (and back on undo)
    resolutions = study.query("SELECT id FROM resolutions WHERE code_id = ?", (source_id,))
    moved = 0
    with history.record(study, "merge-codes", f"Merge '{source}' into '{target}'") as op:
        for row in resolutions:
            op.delete("resolutions", row["id"])
        for row in codings:
            if row["duplicate"]:
                op.delete("codings", row["id"])
            else:
                op.update("codings", row["id"], {"code_id": target_id})
                moved += 1
        for memo in memos:
            from tacompanion.store.memos import move_memo

            move_memo(op, study, memo["id"], "code", target_id, heading=f"(memo of merged code '{source}')")
        op.delete("codes", source_id)
    return moved


def delete_code(study: Study, code_id: int) -> None:
    """Delete a code with its codings and memos, as one undoable step."""
    name = code_name(study, code_id)
    codings = study.query("SELECT id FROM codings WHERE code_id = ?", (code_id,))
    memos = study.query("SELECT id FROM memos WHERE code_id = ?", (code_id,))
    children = study.query("SELECT id FROM codes WHERE parent_code_id = ?", (code_id,))
    resolutions = study.query("SELECT id FROM resolutions WHERE code_id = ?", (code_id,))
    with history.record(study, "delete-code", f"Delete '{name}'") as op:
        for row in resolutions:
            op.delete("resolutions", row["id"])
        for row in codings:
            op.delete("codings", row["id"])
        for row in memos:
            op.delete("memos", row["id"])
        for row in children:
            op.update("codes", row["id"], {"parent_code_id": None})
        op.delete("codes", code_id)




def list_codes(study: Study, only: int | None = None, coder: str | None = None, *,
               ids: Iterable[int] | None = None) -> list[CodeSummary]:
    """Every code (or only the one with id `only`, or those in `ids`) with its
    theme path, its codings and participants as the analysis counts them
    (pilots and out-of-scope notes left out; everyone's, and `mine`: those of
    `coder`), and how many codings are left out.

    Counting reads every coding of the codes asked about (from the index on
    code, document and coder): the code panel asks for the codes on screen
    (`ids`), and lists the rest by name (`code_labels`)."""
    from tacompanion.store.analysis import COUNTED, analysis_scope

    where, params = "", {"coder": coder, "only": only}
    if only is not None:
        where = "WHERE c.id = :only"
    elif ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        params.update({f"id{n}": cid for n, cid in enumerate(wanted)})
        where = "WHERE c.id IN (" + ",".join(f":id{n}" for n in range(len(wanted))) + ")"
    counted = COUNTED if analysis_scope(study) == "all" else f"({COUNTED} AND k.transcript_id IS NOT NULL)"
    rows = study.query(
        THEME_PATH
        + f"""
        SELECT c.id, c.name, c.description, path.name AS theme,
          count(CASE WHEN {counted} THEN k.id END) AS codings,
          count(CASE WHEN {counted} AND k.coder = :coder THEN 1 END) AS mine,
          count(DISTINCT CASE WHEN {counted} THEN p.id END) AS participants,
          count(CASE WHEN k.id IS NOT NULL AND NOT {counted} THEN k.id END) AS left_out
        FROM codes c
        LEFT JOIN path ON path.id = c.theme_id
        LEFT JOIN codings k ON k.code_id = c.id
        LEFT JOIN transcripts t ON t.id = k.transcript_id
        LEFT JOIN notes n ON n.id = k.note_id
        LEFT JOIN interviews i ON i.id = n.interview_id
        LEFT JOIN participants p ON p.id = coalesce(t.participant_id, i.participant_id)
        """
        + where
        + " GROUP BY c.id ORDER BY c.name COLLATE NOCASE",
        params,
    )
    return [CodeSummary(**r) for r in rows]


@dataclass(frozen=True)
class CodeLabel:
    """A code as a list names it, without counting its codings."""

    id: int
    name: str
    theme: str | None  # "Theme / Subtheme", or None when unsorted
    parent_id: int | None = None  # the code it sits under, if any


def code_labels(study: Study, ids: Iterable[int] | None = None) -> list[CodeLabel]:
    """Every code (or those in `ids`) with its theme path and parent code, in
    list_codes' order (by name), read from the codes and themes alone: its
    cost follows the number of codes, not of codings."""
    where, params = "", ()
    if ids is not None:
        params = tuple(sorted(set(ids)))
        if not params:
            return []
        where = "WHERE c.id IN (" + ",".join("?" * len(params)) + ") "
    return [
        CodeLabel(*r)
        for r in study.conn.execute(
            THEME_PATH + "SELECT c.id, c.name, path.name, c.parent_code_id FROM codes c "
            "LEFT JOIN path ON path.id = c.theme_id " + where + "ORDER BY c.name COLLATE NOCASE, c.id",
            params,
        )
    ]


def code_names(study: Study) -> list[tuple[int, str]]:
    """(id, name) of every code, by name: what a picker offers."""
    return [(r[0], r[1]) for r in study.conn.execute("SELECT id, name FROM codes ORDER BY name COLLATE NOCASE, id")]


def recent_codes(study: Study, limit: int = 9) -> list[tuple[int, str]]:
    """The codes applied most recently (by anyone), newest first."""
    # The newest codings first, until `limit` codes are met: the same as
    # ordering codes by their newest coding, without grouping every coding.
    seen: dict[int, None] = {}
    for (code_id,) in study.conn.execute("SELECT code_id FROM codings ORDER BY id DESC"):
        seen.setdefault(code_id, None)
        if len(seen) >= limit:
            break
    if not seen:
        return []
    marks = ",".join("?" * len(seen))
    names = dict(study.conn.execute(f"SELECT id, name FROM codes WHERE id IN ({marks})", tuple(seen)).fetchall())
    return [(cid, names[cid]) for cid in seen if cid in names]


def codings_on(study: Study, doc: DocRef, coder: str | None = None) -> list[dict]:
    """The codings on a document (only `coder`'s, when given), in text order:
    id, code_id, name, start_pos, end_pos, coder, created_at."""
    mine = " AND k.coder = ?" if coder is not None else ""
    return study.query(
        f"SELECT k.id, k.code_id, c.name, k.start_pos, k.end_pos, k.coder, k.created_at "
        f"FROM codings k JOIN codes c ON c.id = k.code_id WHERE k.{doc.column} = ?{mine} "
        f"ORDER BY k.start_pos, k.end_pos, c.name COLLATE NOCASE, k.coder",
        (doc.id, coder) if coder is not None else (doc.id,),
    )


def coders(study: Study) -> list[tuple[str, int]]:
    """Every coder with codings in the study, and how many, by name."""
    return [(r[0], r[1]) for r in study.conn.execute(
        "SELECT coder, count(*) FROM codings GROUP BY coder ORDER BY coder COLLATE NOCASE")]


EXPORT_FIELDS = ("kind", "participant", "pilot", "document", "segment", "speaker", "start_pos",
                 "end_pos", "code", "theme", "coder", "created_at", "text")


def codings_for_export(study: Study) -> list[dict]:
    """Every coding with its context, in reading order, as dicts of
    EXPORT_FIELDS (see store/codings_export.py)."""
    from tacompanion.store.codings_export import iter_codings_for_export

    return [dict(zip(EXPORT_FIELDS, row, strict=True)) for row in iter_codings_for_export(study)]


def set_starred(study: Study, coding_ids: list[int], starred: bool) -> int:
    """Star (or unstar) codings as quotes for the report, as one undoable
    step. Returns how many changed."""
    if not coding_ids:
        return 0
    marks = ",".join("?" * len(coding_ids))
    rows = study.query(
        f"SELECT k.id, k.starred, c.name FROM codings k JOIN codes c ON c.id = k.code_id "
        f"WHERE k.id IN ({marks})", tuple(coding_ids))
    if len(rows) != len(set(coding_ids)):
        raise StudyError("no such coding (removed meanwhile?)")
    names = sorted({r["name"] for r in rows}, key=str.casefold)
    label = f"{'Star' if starred else 'Unstar'} a quote of '{', '.join(names)}'"
    changed = 0
    with history.record(study, "star-quote" if starred else "unstar-quote", label) as op:
        for r in rows:
            if bool(r["starred"]) != starred:
                op.update("codings", r["id"], {"starred": int(starred)})
                changed += 1
    return changed
