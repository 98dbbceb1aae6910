"""Small helpers for the words shown to people."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """`1 extract`, `2 extracts` (regular plurals only)."""
    return f"{count} {word}{'' if count == 1 else 's'}"
