"""The app's import of many transcripts runs in a worker: the progress bar
advances file by file while the screen keeps answering keys (issue 16).
Counted, never timed: the worker is held half-way by an event."""

from __future__ import annotations

import threading
import time

from textual.widgets import Input, ProgressBar

from tacompanion.formats import transcript_import
from tacompanion.store.transcripts import list_transcripts
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.familiarise.import_transcripts import ImportScreen

FILES = 6


async def wait_until(pilot, condition, what: str, bound: float = 30.0) -> None:
    deadline = time.monotonic() + bound  # a bound against hanging, not a measurement
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        await pilot.pause(0.02)


async def test_the_bar_advances_file_by_file_and_the_screen_answers_meanwhile(study, tmp_path, monkeypatch):
    for n in range(1, FILES + 1):
        (tmp_path / f"p{n}.txt").write_text(f"Interviewer: hi\n\nP{n}: hello there, number {n}\n")
    held, release = threading.Event(), threading.Event()
    real_apply = transcript_import.apply_import

    def apply_import(study_, plan, *, progress=None, **kwargs):
        def counted(done: int, total: int, path: str) -> None:
            progress(done, total, path)  # the bar is updated (call_from_thread waits for the screen)
            if done == 3:
                held.set()
                release.wait(30)

        return real_apply(study_, plan, progress=counted, **kwargs)

    monkeypatch.setattr(transcript_import, "apply_import", apply_import)
    seen: list[tuple[float, float | None]] = []
    real_set = ImportScreen.set_progress

    def set_progress(self, done: int, total: int) -> None:
        real_set(self, done, total)
        bar = self.query_one("#import-progress", ProgressBar)
        seen.append((bar.progress, bar.total))

    monkeypatch.setattr(ImportScreen, "set_progress", set_progress)
    app = TacompanionApp(study)
    try:
        await drive(app, tmp_path, held, release)
    finally:
        release.set()  # never leave the worker waiting
    applied = [p for p, t in seen if t == FILES][-(FILES + 1):]
    assert applied == [float(n) for n in range(FILES + 1)]  # 0, 1, ... 6: one step per file
    assert len(list_transcripts(study)) == FILES


async def drive(app: TacompanionApp, tmp_path, held: threading.Event, release: threading.Event) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        paths = screen.query_one("#import-paths", Input)
        paths.value = str(tmp_path / "*.txt")
        await pilot.press("enter")
        await wait_until(pilot, held.is_set, "the worker reached the third file")
        bar = screen.query_one("#import-progress", ProgressBar)
        assert bar.display and (bar.progress, bar.total) == (3, FILES)
        # the worker is held: the screen still takes keys
        await pilot.press("end", "x")
        assert paths.value.endswith("*.txtx")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not bar.display
        assert f"{FILES} transcripts imported" in str(screen.query_one("#import-log").render())
