"""Codes under codes (NVivo's and QualCoder's hierarchies): the order and
depth in which a list of codes is shown with each code's children indented
under it. Pure: ids, names and parent ids in, (id, depth) out."""

from __future__ import annotations

from collections.abc import Iterable


def tree_order(codes: Iterable[tuple[int, str, int | None]]) -> list[tuple[int, int]]:
    """(id, depth) with every code after its parent, siblings by name (any
    case). A code whose parent is not in the list, or whose parents loop,
    is shown at the top level: nothing is ever left out."""
    items = list(codes)
    ids = {cid for cid, _, _ in items}
    children: dict[int | None, list[tuple[str, int]]] = {}
    for cid, name, parent in items:
        key = parent if parent in ids and parent != cid else None
        children.setdefault(key, []).append((name.casefold(), cid))
    for kids in children.values():
        kids.sort()
    out: list[tuple[int, int]] = []
    placed: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for _, cid in children.get(parent, []):
            if cid in placed:
                continue
            placed.add(cid)
            out.append((cid, depth))
            if cid in children:
                walk(cid, depth + 1)

    walk(None, 0)
    if len(placed) < len(ids):  # loops: their members at the top
        for cid, _, _ in sorted(items, key=lambda c: c[1].casefold()):
            if cid not in placed:
                placed.add(cid)
                out.append((cid, 0))
                walk(cid, 1)
    return out


def descendants(parent_of: dict[int, int | None], code_id: int) -> set[int]:
    """Every code under `code_id` (children, their children, ...)."""
    kids: dict[int, list[int]] = {}
    for cid, parent in parent_of.items():
        if parent is not None:
            kids.setdefault(parent, []).append(cid)
    out: set[int] = set()
    stack = [code_id]
    while stack:
        for child in kids.get(stack.pop(), []):
            if child not in out and child != code_id:
                out.add(child)
                stack.append(child)
    return out
