"""Thematic actions that more than one screen offers: define a theme, open its memo.

The map and review both use them; they live here, not in either screen, so
that no screen imports another.
"""

from __future__ import annotations

from textual.screen import Screen

from tacompanion.store import themes as theme_store
from tacompanion.store.memos import get_memo, save_memo
from tacompanion.tui.dialogs.prompts import MemoScreen


def define_theme(screen: Screen, theme_id: int, name: str, old: str, after) -> None:
    """Open the definition editor for a theme; save it (one undoable step) and call `after`."""

    def answered(value: str | None) -> None:
        if value is None or value.strip() == old.strip():
            return
        theme_store.define_theme(screen.app.study, theme_id, value)
        after()

    screen.app.push_screen(MemoScreen(
        f"Definition of '{name}': what it is about, and what it is not", old,
        hint="one undoable step"), answered)


def open_theme_memo(screen: Screen, theme_id: int, path: str) -> None:
    study = screen.app.study

    def closed(text: str | None) -> None:
        if text is not None:
            save_memo(study, "theme", theme_id, text)
            if hasattr(screen, "reload"):
                screen.reload()

    screen.app.push_screen(MemoScreen(f"Memo: {path}", get_memo(study, "theme", theme_id)), closed)
