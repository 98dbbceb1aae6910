"""A screen drawn from the study that redraws only when the study changed."""

from __future__ import annotations

from textual.screen import Screen


class SeesOtherWriters:
    """A screen that holds ids read from the study (codes, themes, turns) and
    must not act on them once another window or command changed the study.

    The app asks `changed_elsewhere()` before every key the screen handles;
    when it is so, the screen reloads (`reload_from_study`) instead of acting
    and the user is told. Coming back into view, it reloads quietly. SQLite's
    data_version tells the changes of other processes from our own."""

    _seen_data_version: int | None = None

    def reload_from_study(self) -> None:
        raise NotImplementedError

    def remember_study_version(self) -> None:
        self._seen_data_version = self.app.study.data_version()

    def changed_elsewhere(self) -> bool:
        version = self.app.study.data_version()
        return self._seen_data_version is not None and version != self._seen_data_version

    def catch_up(self) -> bool:
        """Reload if another writer changed the study; True when it did."""
        if not self.changed_elsewhere():
            return False
        self.reload_from_study()
        self.remember_study_version()
        return True


class StudyViewScreen(SeesOtherWriters, Screen):
    """Subclasses implement `redraw()` and call `mark_drawn()` when they read
    the study. Coming back from a screen above redraws only if the study
    changed meanwhile (here or in another process)."""

    marker: tuple[int, int] | None = None  # the study's change marker when last drawn

    def redraw(self) -> None:
        raise NotImplementedError

    def mark_drawn(self) -> None:
        from tacompanion.store.thematic import change_marker  # not at start-up: few screens use it

        self.marker = change_marker(self.app.study)
        self.remember_study_version()

    def reload_from_study(self) -> None:
        self.redraw()

    def on_screen_resume(self) -> None:
        from tacompanion.store.thematic import change_marker

        if change_marker(self.app.study) != self.marker:
            self.redraw()
