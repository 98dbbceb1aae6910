"""The codebook: each code's and theme's definition, inclusion and exclusion
criteria and example extract; and a prepared codebook read in for deductive
coding.

A code's definition is its `description`, a theme's its `definition`. The
example is one of the code's own codings (for a theme, a coding of one of its
codes), kept by the coding's uuid: it shows that coding's span as it is now,
and it comes back when the coding's removal is undone. Every change is one
undoable step (history.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tacompanion.store import history
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso

KINDS = ("code", "theme")


@dataclass(frozen=True)
class Criteria:
    kind: str  # "code" or "theme"
    id: int
    name: str
    definition: str
    include: str
    exclude: str
    example_coding: str | None  # the uuid of the example's coding


@dataclass(frozen=True)
class Example:
    coding_id: int
    participant: str
    kind: str  # "transcript" or "notes"
    text: str


def _table(kind: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise StudyError(f"the codebook describes codes and themes, not {kind!r}")
    return ("codes", "description") if kind == "code" else ("themes", "definition")


def criteria(study: Study, kind: str, item_id: int) -> Criteria:
    table, definition = _table(kind)
    rows = study.query(
        f"SELECT id, name, {definition} AS definition, include_criteria, exclude_criteria, "
        f"example_coding FROM {table} WHERE id = ?", (item_id,))
    if not rows:
        raise StudyError(f"no {kind} with id {item_id}")
    r = rows[0]
    return Criteria(kind, r["id"], r["name"], r["definition"], r["include_criteria"],
                    r["exclude_criteria"], r["example_coding"])


def set_criteria(study: Study, kind: str, item_id: int, *, definition: str | None = None,
                 include: str | None = None, exclude: str | None = None) -> None:
    """Change any of the three texts (None leaves one as it is), as one step."""
    table, definition_column = _table(kind)
    current = criteria(study, kind, item_id)
    values: dict[str, str] = {}
    if definition is not None:
        values[definition_column] = definition.strip()
    if include is not None:
        values["include_criteria"] = include.strip()
    if exclude is not None:
        values["exclude_criteria"] = exclude.strip()
    with history.record(study, f"codebook-{kind}", f"Codebook: '{current.name}'") as op:
        op.update(table, item_id, values)


def _own_coding_ids(study: Study, kind: str, item_id: int) -> str:
    """SQL for the codes whose codings may be the example."""
    if kind == "code":
        return "SELECT ?"
    return ("WITH RECURSIVE d(id) AS (SELECT ? UNION ALL SELECT t.id FROM themes t JOIN d "
            "ON t.parent_id = d.id) SELECT c.id FROM codes c WHERE c.theme_id IN (SELECT id FROM d)")


def set_example(study: Study, kind: str, item_id: int, coding_id: int | None) -> None:
    """Make one of its own codings the example extract (None: no example)."""
    table, _ = _table(kind)
    current = criteria(study, kind, item_id)
    value = None
    if coding_id is not None:
        value = study.scalar(
            f"SELECT uuid FROM codings WHERE id = ? AND code_id IN ({_own_coding_ids(study, kind, item_id)})",
            (coding_id, item_id))
        if value is None:
            raise StudyError(f"that extract is not coded with '{current.name}'")
    label = f"Example of '{current.name}'" if value else f"No example for '{current.name}'"
    with history.record(study, f"codebook-example-{kind}", label) as op:
        op.update(table, item_id, {"example_coding": value})


def example(study: Study, kind: str, item_id: int) -> Example | None:
    """The example extract as its coding's span is now; None when there is
    none (or its coding was removed, or no longer carries the code)."""
    c = criteria(study, kind, item_id)
    if not c.example_coding:
        return None
    rows = study.conn.execute(
        "SELECT k.id, p.pseudonym, 'transcript', substr(t.text, k.start_pos + 1, k.end_pos - k.start_pos) "
        "FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
        "JOIN participants p ON p.id = t.participant_id "
        f"WHERE k.uuid = ? AND k.code_id IN ({_own_coding_ids(study, kind, item_id)}) "
        "UNION ALL "
        "SELECT k.id, p.pseudonym, 'notes', substr(n.text, k.start_pos + 1, k.end_pos - k.start_pos) "
        "FROM codings k JOIN notes n ON n.id = k.note_id JOIN interviews i ON i.id = n.interview_id "
        "JOIN participants p ON p.id = i.participant_id "
        f"WHERE k.uuid = ? AND k.code_id IN ({_own_coding_ids(study, kind, item_id)})",
        (c.example_coding, item_id, c.example_coding, item_id),
    ).fetchall()
    if not rows:
        return None
    return Example(rows[0][0], rows[0][1], rows[0][2], rows[0][3])


def examples(study: Study, kind: str) -> dict[int, Example]:
    """Every code's (or theme's) example, by id."""
    table, _ = _table(kind)
    ids = [r[0] for r in study.conn.execute(
        f"SELECT id FROM {table} WHERE example_coding IS NOT NULL")]
    out = {}
    for item_id in ids:
        e = example(study, kind, item_id)
        if e is not None:
            out[item_id] = e
    return out


# -- a prepared codebook --------------------------------------------------------------


@dataclass(frozen=True)
class CodebookEntry:
    """One usable row of a codebook file."""

    line: int
    code: str
    theme: str | None = None  # a path, "Theme / Subtheme"; None: leave the code where it is
    definition: str | None = None  # None: the file has no such column or the cell is empty
    include: str | None = None
    exclude: str | None = None
    example: str | None = None


@dataclass
class CodebookResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    themes_created: list[str] = field(default_factory=list)
    examples_to_memos: list[str] = field(default_factory=list)


def apply_codebook(study: Study, entries: list[CodebookEntry], label: str) -> CodebookResult:
    """Create or update the codes (and the theme tree) of a codebook, as one
    undoable step. A code that exists (by name, any case) is updated with the
    non-empty cells of its row, never duplicated. An example text cannot be a
    coding yet (nothing is coded with the code), so it is kept in the code's
    memo, said so in the result."""
    from tacompanion.store.codes import _clean_name, _free_slug, code_by_name

    result = CodebookResult()
    themes = {(r["parent_id"], r["name"].casefold()): r["id"] for r in study.query(
        "SELECT id, parent_id, name FROM themes")}
    with history.record(study, "import-codebook", label) as op:
        position = study.scalar("SELECT coalesce(max(position), 0) FROM codes")

        def theme_for(path: str) -> int:
            parent: int | None = None
            for part in [p.strip() for p in path.split("/") if p.strip()]:
                key = (parent, " ".join(part.split()).casefold())
                if key not in themes:
                    siblings = study.scalar(
                        "SELECT coalesce(max(position), 0) + 1 FROM themes WHERE parent_id IS ?", (parent,))
                    themes[key] = op.insert("themes", {
                        "uuid": new_uuid(), "parent_id": parent, "name": " ".join(part.split()),
                        "definition": "", "status": "candidate", "position": siblings,
                        "created_at": now_iso()})
                    result.themes_created.append(path if parent is None else part)
                parent = themes[key]
            assert parent is not None
            return parent

        for e in entries:
            name = _clean_name(e.code)
            values: dict = {}
            if e.definition:
                values["description"] = e.definition.strip()
            if e.include:
                values["include_criteria"] = e.include.strip()
            if e.exclude:
                values["exclude_criteria"] = e.exclude.strip()
            if e.theme:
                values["theme_id"] = theme_for(e.theme)
            code_id = code_by_name(study, name)
            if code_id is None:
                position += 1
                code_id = op.insert("codes", {
                    "uuid": new_uuid(), "name": name, "slug": _free_slug(study, name),
                    "description": "", "position": position, "created_at": now_iso(), **values})
                result.created.append(name)
            else:
                before = len(op.forward)
                op.update("codes", code_id, values)
                (result.updated if len(op.forward) > before else result.unchanged).append(name)
            if e.example and e.example.strip():
                memo = study.query("SELECT id, text FROM memos WHERE code_id = ? ORDER BY id LIMIT 1",
                                   (code_id,))
                line = f"Example (from the codebook): {e.example.strip()}"
                if memo and line in memo[0]["text"]:
                    continue
                if memo:
                    op.update("memos", memo[0]["id"], {"text": f"{memo[0]['text'].rstrip()}\n{line}",
                                                       "updated_at": now_iso()})
                else:
                    op.insert("memos", {"uuid": new_uuid(), "code_id": code_id, "text": line,
                                        "created_at": now_iso()})
                result.examples_to_memos.append(name)
    return result
