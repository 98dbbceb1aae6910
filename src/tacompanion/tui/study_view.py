"""A screen drawn from the study that redraws only when the study changed."""

from __future__ import annotations

from textual.screen import Screen

from tacompanion.store.thematic import change_marker


class StudyViewScreen(Screen):
    """Subclasses implement `redraw()` and call `mark_drawn()` when they read
    the study. Coming back from a screen above redraws only if the study
    changed meanwhile (here or in another process)."""

    marker: tuple[int, int] | None = None  # the study's change marker when last drawn

    def redraw(self) -> None:
        raise NotImplementedError

    def mark_drawn(self) -> None:
        self.marker = change_marker(self.app.study)

    def on_screen_resume(self) -> None:
        if change_marker(self.app.study) != self.marker:
            self.redraw()
