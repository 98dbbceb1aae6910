"""Progress for long work on the command line: a Rich progress bar on stderr.

A bar appears only when stdout and stderr are both terminals, and only once
the work has taken longer than a second, so quick commands and scripts
(pipes, files, CI; `export codings | grep ...`) see nothing but their output. It is transient: it goes away when the work is
done, leaving the command's summary line.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from typing import TextIO

SHOW_AFTER_S = 1.0


class LongWork:
    """`with LongWork("exporting codings") as work: ... work.update(done, total)`.

    update() may be called as often as wanted (it is cheap before the bar
    shows, and Rich refreshes the bar at its own pace); a total of None draws
    a bar without an end (a stage whose size is not known). A timer shows the
    bar after SHOW_AFTER_S even when no update comes (one long step).
    """

    def __init__(self, description: str, *, total: int | None = None, stream: TextIO | None = None,
                 after: float = SHOW_AFTER_S) -> None:
        self.stream = stream or sys.stderr
        self.description = description
        self.total = total
        self.done = 0
        self.after = after
        self.enabled = _is_terminal(self.stream) and _is_terminal(sys.stdout)
        self._lock = threading.Lock()
        self._progress = None
        self._task = None
        self._timer: threading.Timer | None = None
        self._started = time.monotonic()
        self._closed = False

    def __enter__(self) -> LongWork:
        if self.enabled:
            self._timer = threading.Timer(self.after, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, done: int, total: int | None = None, description: str | None = None) -> None:
        if not self.enabled:
            return
        with self._lock:
            self.done = done
            if total is not None:
                self.total = total
            if description is not None:
                self.description = description
            if self._progress is None and time.monotonic() - self._started >= self.after:
                self._show_locked()
            if self._progress is not None:
                self._progress.update(self._task, completed=self.done, total=self.total,
                                      description=self.description)

    def stage(self, description: str, total: int | None = None) -> None:
        """A new step of the work, counted from 0 (to `total`, or without an end)."""
        if not self.enabled:
            return
        with self._lock:
            self.done, self.total, self.description = 0, total, description
            if self._progress is not None:
                self._progress.update(self._task, completed=0, total=total, description=description)
        self.update(0)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The bar off while the command asks something; back afterwards
        (as from the start: shown again only after SHOW_AFTER_S)."""
        with self._lock:
            progress, self._progress = self._progress, None
            self._closed = True
        if progress is not None:
            progress.stop()
        try:
            yield
        finally:
            with self._lock:
                self._closed = False
                self._started = time.monotonic()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    def _show(self) -> None:
        with self._lock:
            if self._progress is None:
                self._show_locked()

    def _show_locked(self) -> None:
        if self._closed:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
            console=Console(file=self.stream), transient=True,
        )
        self._task = self._progress.add_task(self.description, total=self.total, completed=self.done)
        self._progress.start()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
