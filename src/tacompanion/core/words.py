"""Small helpers for the words shown to people."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """`1 extract`, `2 extracts` (regular plurals only)."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, the last one an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def middle_clip(text: str, width: int, keep_end: int) -> str:
    """`text` in `width` characters, cut in the middle with an ellipsis so that
    its last `keep_end` characters stay (the start is kept for the rest)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    keep_end = max(0, min(keep_end, width - 2))
    head = width - 1 - keep_end
    return text[:head] + "…" + (text[len(text) - keep_end:] if keep_end else "")


def distinct_labels(names: list[str], width: int) -> list[str]:
    """Each name cut to `width` characters so that no two different names look
    the same: a name that fits is kept whole; one cut at its end that would
    read as another's cut keeps its distinguishing end instead
    (`silence is not…` twice becomes `silence i…t absence`, `silence i…ot empty`).
    Names equal but for case or spacing stay equal. Pure; one label per name."""
    width = max(1, width)
    labels = [clip(n, width) for n in names]
    for _ in range(3):  # a change can make a new clash; settles in a pass or two
        seen: dict[str, set[str]] = {}
        for name, label in zip(names, labels):
            seen.setdefault(label, set()).add(name)
        clashing = {label for label, group in seen.items() if len(group) > 1}
        if not clashing:
            break
        for label in clashing:
            group = sorted(seen[label])
            for i, name in enumerate(names):
                if labels[i] == label:
                    labels[i] = _distinguishing(name, [g for g in group if g != name], width)
    return labels


def _distinguishing(name: str, others: list[str], width: int) -> str:
    """`name` cut in the middle keeping as much of its end as tells it apart
    from `others`, and as much of its start as then fits; when its end is
    theirs too, the stretch where it first differs from them."""
    if len(name) <= width or width < 4:
        return clip(name, width)
    room = width - 2  # at least one character of the start, and the ellipsis
    keep = next(
        (k for k in range(1, room + 1) if all(not o.endswith(name[-k:]) for o in others)),
        None,
    )
    if keep is not None:
        # Prefer the kept end to begin at a word, when that still fits.
        space = name.rfind(" ", 0, len(name) - keep)
        if space >= 0 and len(name) - space - 1 <= room:
            keep = len(name) - space - 1
        return middle_clip(name, width, keep)
    # Alike at both ends: show the start, then from just before the first
    # character where it differs from the others.
    differ = min(
        next((i for i, (a, b) in enumerate(zip(name, o)) if a != b), min(len(name), len(o)))
        for o in others
    )
    head = max(1, (width - 2) // 3)
    window = width - head - 2
    at = max(head, differ - window // 2)
    return name[:head] + "…" + name[at:at + window] + "…"


def escape_markup(text: str) -> str:
    """`text` to show as written inside Textual (or Rich) markup: every `[`
    escaped. Rich's and Textual's own `escape` leave `[N min]` alone (they
    escape only tags that start with a lower-case letter), and markup then
    swallows it."""
    return text.replace("[", "\\[")


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(text: str) -> str:
    """SQLite's NOCASE collation as a sort key (ASCII letters folded, nothing
    else): what `ORDER BY name COLLATE NOCASE` orders by."""
    return text.translate(_ASCII_LOWER)
