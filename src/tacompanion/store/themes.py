"""The theme tree: themes and subthemes, and each code's place in it.

Every change is one undoable step (see history.py). A code sits in at most
one theme or subtheme (`codes.theme_id`), or is unsorted (NULL).
"""

from __future__ import annotations

from dataclasses import dataclass

from tacompanion.store import history
from tacompanion.store.codes import code_name
from tacompanion.store.memos import move_memo
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso

STATUSES = ("candidate", "reviewed", "final")


@dataclass(frozen=True)
class ThemeRow:
    id: int
    name: str
    parent_id: int | None
    definition: str
    status: str
    position: int


def theme(study: Study, theme_id: int) -> ThemeRow:
    rows = study.query(
        "SELECT id, name, parent_id, definition, status, position FROM themes WHERE id = ?",
        (theme_id,),
    )
    if not rows:
        raise StudyError(f"no theme with id {theme_id}")
    return ThemeRow(**rows[0])


def list_themes(study: Study) -> list[ThemeRow]:
    """All themes, parents before children, siblings in their order."""
    rows = [ThemeRow(**r) for r in study.query(
        "SELECT id, name, parent_id, definition, status, position FROM themes "
        "ORDER BY position, id"
    )]
    by_parent: dict[int | None, list[ThemeRow]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    out: list[ThemeRow] = []

    def walk(parent: int | None) -> None:
        for row in by_parent.get(parent, []):
            out.append(row)
            walk(row.id)

    walk(None)
    return out


def theme_path(study: Study, theme_id: int) -> str:
    """'Theme / Subtheme'."""
    names = []
    current: int | None = theme_id
    while current is not None:
        row = theme(study, current)
        names.append(row.name)
        current = row.parent_id
    return " / ".join(reversed(names))


def find_theme(study: Study, path_or_name: str) -> int | None:
    """A theme by its path ('Theme / Subtheme') or, when unique, its name."""
    wanted = " / ".join(p.strip() for p in path_or_name.split("/")).casefold()
    matches = [t.id for t in list_themes(study) if theme_path(study, t.id).casefold() == wanted]
    if not matches:
        matches = [t.id for t in list_themes(study) if t.name.casefold() == wanted]
    if len(matches) > 1:
        raise StudyError(f"more than one theme is called {path_or_name!r}; give its path, 'Theme / Subtheme'")
    return matches[0] if matches else None


def _clean(name: str) -> str:
    value = " ".join(name.split())
    if not value:
        raise StudyError("a theme needs a name")
    return value


def _check_sibling_name(study: Study, name: str, parent_id: int | None, ignore: int | None = None) -> None:
    clash = study.scalar(
        "SELECT 1 FROM themes WHERE parent_id IS ? AND name = ? COLLATE NOCASE AND id IS NOT ?",
        (parent_id, name, ignore),
    )
    if clash:
        raise StudyError(f"a theme named {name!r} already exists there")


def _next_position(study: Study, parent_id: int | None) -> int:
    return study.scalar(
        "SELECT coalesce(max(position), 0) + 1 FROM themes WHERE parent_id IS ?", (parent_id,)
    )


def create_theme(study: Study, name: str, parent_id: int | None = None, definition: str = "") -> int:
    name = _clean(name)
    if parent_id is not None:
        theme(study, parent_id)
    _check_sibling_name(study, name, parent_id)
    row = {
        "uuid": new_uuid(),
        "parent_id": parent_id,
        "name": name,
        "definition": definition.strip(),
        "status": "candidate",
        "position": _next_position(study, parent_id),
        "created_at": now_iso(),
    }
    kind = "create-subtheme" if parent_id else "create-theme"
    with history.record(study, kind, f"Create theme '{name}'") as op:
        return op.insert("themes", row)


def rename_theme(study: Study, theme_id: int, new_name: str) -> None:
    row = theme(study, theme_id)
    name = _clean(new_name)
    _check_sibling_name(study, name, row.parent_id, ignore=theme_id)
    with history.record(study, "rename-theme", f"Rename theme '{row.name}' to '{name}'") as op:
        op.update("themes", theme_id, {"name": name})


def define_theme(study: Study, theme_id: int, definition: str) -> None:
    row = theme(study, theme_id)
    with history.record(study, "define-theme", f"Define '{row.name}'") as op:
        op.update("themes", theme_id, {"definition": definition.strip()})


def set_status(study: Study, theme_id: int, status: str) -> None:
    if status not in STATUSES:
        raise StudyError(f"status must be one of {', '.join(STATUSES)}")
    row = theme(study, theme_id)
    with history.record(study, "theme-status", f"Mark '{row.name}' {status}") as op:
        op.update("themes", theme_id, {"status": status})


def move_code(study: Study, code_id: int, theme_id: int | None) -> None:
    """Put a code into a theme or subtheme, or (None) back among the unsorted."""
    from tacompanion.core.code_tree import descendants

    name = code_name(study, code_id)
    where = "unsorted" if theme_id is None else f"'{theme(study, theme_id).name}'"
    parent_of = dict(study.conn.execute("SELECT id, parent_code_id FROM codes").fetchall())
    with history.record(study, "move-code", f"Move '{name}' to {where}") as op:
        op.update("codes", code_id, {"theme_id": theme_id})
        for child in sorted(descendants(parent_of, code_id)):  # codes under it go along
            op.update("codes", child, {"theme_id": theme_id})


def _descendants(study: Study, theme_id: int) -> set[int]:
    rows = study.query(
        "WITH RECURSIVE d(id) AS (SELECT id FROM themes WHERE parent_id = ? "
        "UNION ALL SELECT t.id FROM themes t JOIN d ON t.parent_id = d.id) SELECT id FROM d",
        (theme_id,),
    )
    return {r["id"] for r in rows}


def move_theme(study: Study, theme_id: int, new_parent_id: int | None) -> None:
    """Make a theme a subtheme of another, or (None) a main theme."""
    row = theme(study, theme_id)
    if new_parent_id is not None and (new_parent_id == theme_id or new_parent_id in _descendants(study, theme_id)):
        raise StudyError("a theme cannot go inside itself or one of its subthemes")
    _check_sibling_name(study, row.name, new_parent_id, ignore=theme_id)
    where = "main themes" if new_parent_id is None else f"'{theme(study, new_parent_id).name}'"
    with history.record(study, "move-theme", f"Move theme '{row.name}' to {where}") as op:
        op.update(
            "themes", theme_id,
            {"parent_id": new_parent_id, "position": _next_position(study, new_parent_id)},
        )


def reorder_theme(study: Study, theme_id: int, delta: int) -> bool:
    """Move a theme up (-1) or down (+1) among its siblings; False at the edge."""
    row = theme(study, theme_id)
    siblings = [t for t in list_themes(study) if t.parent_id == row.parent_id]
    index = next(i for i, t in enumerate(siblings) if t.id == theme_id)
    other = index + delta
    if not 0 <= other < len(siblings):
        return False
    order = siblings[:]
    order[index], order[other] = order[other], order[index]
    with history.record(study, "reorder-theme", f"Reorder '{row.name}'") as op:
        for position, t in enumerate(order, start=1):
            op.update("themes", t.id, {"position": position})
    return True


def merge_themes(study: Study, source_id: int, target_id: int) -> None:
    """Fold `source` into `target`: its codes, subthemes and memos move over."""
    source, target = theme(study, source_id), theme(study, target_id)
    if source_id == target_id or target_id in _descendants(study, source_id):
        raise StudyError("a theme cannot be merged into itself or one of its subthemes")
    codes = study.query("SELECT id FROM codes WHERE theme_id = ?", (source_id,))
    children = [t for t in list_themes(study) if t.parent_id == source_id]
    memos = study.query("SELECT id FROM memos WHERE theme_id = ?", (source_id,))
    summaries = study.query(
        "SELECT s.id, s.text, t.id AS other, t.text AS other_text FROM framework_summaries s "
        "LEFT JOIN framework_summaries t ON t.participant_id = s.participant_id AND t.theme_id = ? "
        "WHERE s.theme_id = ?", (target_id, source_id))
    with history.record(study, "merge-themes", f"Merge '{source.name}' into '{target.name}'") as op:
        # framework summaries follow the theme; two for one participant are joined
        for f in summaries:
            if f["other"] is None:
                op.update("framework_summaries", f["id"], {"theme_id": target_id})
            else:
                joined = "\n\n".join(x for x in (f["other_text"].strip(), f["text"].strip()) if x)
                op.update("framework_summaries", f["other"], {"text": joined, "updated_at": now_iso()})
                op.delete("framework_summaries", f["id"])
        for c in codes:
            op.update("codes", c["id"], {"theme_id": target_id})
        for child in children:
            _check_sibling_name(study, child.name, target_id)
            op.update("themes", child.id, {"parent_id": target_id})
        for m in memos:
            move_memo(op, study, m["id"], "theme", target_id, heading=f"(memo of merged theme '{source.name}')")
        op.delete("themes", source_id)


def split_theme(study: Study, theme_id: int, new_name: str, code_ids: list[int]) -> int:
    """A new sibling theme taking the chosen codes of `theme_id`; returns its id."""
    row = theme(study, theme_id)
    name = _clean(new_name)
    _check_sibling_name(study, name, row.parent_id)
    own = {r["id"] for r in study.query("SELECT id FROM codes WHERE theme_id = ?", (theme_id,))}
    stray = [c for c in code_ids if c not in own]
    if stray or not code_ids:
        raise StudyError("choose one or more codes of the theme to split off")
    new_row = {
        "uuid": new_uuid(), "parent_id": row.parent_id, "name": name, "definition": "",
        "status": "candidate", "position": _next_position(study, row.parent_id),
        "created_at": now_iso(),
    }
    with history.record(study, "split-theme", f"Split '{name}' off '{row.name}'") as op:
        new_id = op.insert("themes", new_row)
        for code_id in code_ids:
            op.update("codes", code_id, {"theme_id": new_id})
    return new_id


def dissolve_theme(study: Study, theme_id: int) -> None:
    """Remove a theme: its codes become unsorted, its subthemes move up a level,
    and its memos are kept as study memos that say where they came from."""
    row = theme(study, theme_id)
    codes = study.query("SELECT id FROM codes WHERE theme_id = ?", (theme_id,))
    children = [t for t in list_themes(study) if t.parent_id == theme_id]
    memos = study.query("SELECT id, text FROM memos WHERE theme_id = ?", (theme_id,))
    summaries = study.query(
        "SELECT id, participant_id, text FROM framework_summaries WHERE theme_id = ?", (theme_id,))
    with history.record(study, "dissolve-theme", f"Dissolve '{row.name}'") as op:
        # a framework summary is kept as a memo on its participant, saying where it came from
        for f in summaries:
            if f["text"].strip():
                op.insert("memos", {
                    "uuid": new_uuid(), "participant_id": f["participant_id"], "created_at": now_iso(),
                    "text": f"(framework summary of dissolved theme '{row.name}')\n{f['text']}"})
            op.delete("framework_summaries", f["id"])
        for c in codes:
            op.update("codes", c["id"], {"theme_id": None})
        for child in children:
            _check_sibling_name(study, child.name, row.parent_id)
            op.update("themes", child.id, {"parent_id": row.parent_id,
                                            "position": _next_position(study, row.parent_id)})
        for m in memos:
            move_memo(op, study, m["id"], None, None, heading=f"(memo of dissolved theme '{row.name}')",
                      always_heading=True)
        op.delete("themes", theme_id)
