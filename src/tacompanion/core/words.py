"""Small helpers for the words shown to people."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """`1 extract`, `2 extracts` (regular plurals only)."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, the last one an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(text: str) -> str:
    """SQLite's NOCASE collation as a sort key (ASCII letters folded, nothing
    else): what `ORDER BY name COLLATE NOCASE` orders by."""
    return text.translate(_ASCII_LOWER)
