"""The visual thematic map: themes as boxes joined by lines, as plain text.

Main themes stand in the first column, one under another; a theme's
subthemes stand in the next column to its right, the first level with it
and the others below, joined to it by a line:

    ╭──────────────────────╮    ╭──────────────────────╮
    │ Being with silence   │──┬─│ Unease               │
    │ 5/6 most · 2 codes   │  │ │ 1/6 one or two       │
    ╰──────────────────────╯  │ ╰──────────────────────╯
                              │ ╭──────────────────────╮
                              └─│ Waiting              │
                                ...

Pure: the drawing is a list of lines (a grid of terminal cells) and the place
of every box, for the screen to highlight the selected one and to scroll.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

BOX_WIDTH = 24  # cells, borders included
GAP = 4  # cells between a box and its subthemes' column
BOX_HEIGHT = 4


@dataclass(frozen=True)
class MapNode:
    id: int
    parent_id: int | None
    title: str
    detail: str


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class MapDrawing:
    lines: list[str]
    boxes: dict[int, Box]
    width: int


def cell_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def fit(text: str, width: int) -> str:
    """`text` cut to `width` cells (with … when cut), padded with spaces."""
    out, used = [], 0
    total = sum(cell_width(c) for c in text)
    limit = width if total <= width else width - 1
    for ch in text:
        w = cell_width(ch)
        if used + w > limit:
            break
        out.append(ch)
        used += w
    if total > width:
        out.append("…")
        used += 1
    return "".join(out) + " " * (width - used)


class _Grid:
    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def put(self, x: int, y: int, text: str) -> None:
        while len(self.rows) <= y:
            self.rows.append([])
        row = self.rows[y]
        for ch in text:
            w = cell_width(ch)
            while len(row) < x + max(w, 1):
                row.append(" ")
            row[x] = ch
            if w == 2:
                row[x + 1] = ""  # the right half of a wide character
            x += max(w, 1)

    def lines(self) -> list[str]:
        return ["".join(r).rstrip() for r in self.rows]


def box_width(nodes: list[MapNode], available: int | None) -> int:
    """The boxes' width: BOX_WIDTH, or wider when the screen has the room, up to
    what the longest title and detail need (so names are cut only when they
    must be)."""
    if not available or not nodes:
        return BOX_WIDTH
    parent = {n.id: n.parent_id for n in nodes}

    def depth(node_id: int) -> int:
        d = 0
        while parent.get(node_id) is not None and d < len(nodes):
            node_id, d = parent[node_id], d + 1  # type: ignore[assignment]
        return d

    columns = 1 + max(depth(n.id) for n in nodes)
    room = (available - GAP * (columns - 1)) // columns
    need = 4 + max(sum(cell_width(c) for c in text) for n in nodes for text in (n.title, n.detail))
    return max(BOX_WIDTH, min(room, need))


def draw_map(nodes: list[MapNode], available: int | None = None) -> MapDrawing:
    """Draw `nodes` (tree order: parents before children, siblings in order),
    the boxes as wide as `available` cells allow (see box_width)."""
    children: dict[int | None, list[MapNode]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)
    grid = _Grid()
    boxes: dict[int, Box] = {}
    BOX_WIDTH = box_width(nodes, available)  # noqa: N806 (the module's default, widened)
    inner = BOX_WIDTH - 4

    def box(node: MapNode, x: int, y: int) -> None:
        grid.put(x, y, "╭" + "─" * (BOX_WIDTH - 2) + "╮")
        grid.put(x, y + 1, "│ " + fit(node.title, inner) + " │")
        grid.put(x, y + 2, "│ " + fit(node.detail, inner) + " │")
        grid.put(x, y + 3, "╰" + "─" * (BOX_WIDTH - 2) + "╯")
        boxes[node.id] = Box(x, y, BOX_WIDTH, BOX_HEIGHT)

    def place(node: MapNode, depth: int, y: int) -> int:
        """Draw the node's subtree from row y; returns the row after it."""
        x = depth * (BOX_WIDTH + GAP)
        box(node, x, y)
        kids = children.get(node.id, [])
        bottom = y + BOX_HEIGHT
        if not kids:
            return bottom
        joints = []
        child_y = y
        for kid in kids:
            joints.append(child_y + 1)
            child_y = place(kid, depth + 1, child_y) + 1
        bottom = max(bottom, child_y - 1)
        # the lines: out of this box, down the joint column, into each child
        right = x + BOX_WIDTH
        mid = right + GAP // 2
        grid.put(right, y + 1, "─" * (mid - right))
        for row in range(y + 1, joints[-1] + 1):
            grid.put(mid, row, "│")
        for i, row in enumerate(joints):
            last = i == len(joints) - 1
            if row == y + 1:
                mark = "─" if len(joints) == 1 else "┬"
            else:
                mark = "└" if last else "├"
            grid.put(mid, row, mark + "─" * (right + GAP - mid - 1))
        return bottom

    y = 0
    for top in children.get(None, []):
        y = place(top, 0, y) + 1
    lines = grid.lines()
    while lines and not lines[-1]:
        lines.pop()
    width = max((sum(cell_width(c) for c in line) for line in lines), default=0)
    return MapDrawing(lines, boxes, width)
