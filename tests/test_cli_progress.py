"""The command line's progress bar (cli/progress.py): shown on a terminal,
quiet when either output is not one, off while the command asks something.
Counted from what is written, never timed (`after=0` shows it at once)."""

from __future__ import annotations

import io

from tacompanion.cli import progress as progress_module
from tacompanion.cli.progress import LongWork


class Terminal(io.StringIO):
    def __init__(self, tty: bool = True) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_on_a_terminal_the_bar_shows_its_work(monkeypatch):
    monkeypatch.setattr(progress_module.sys, "stdout", Terminal())
    err = Terminal()
    with LongWork("importing big.qdpx", stream=err, after=0) as work:
        work.update(3, 10)
        assert work._progress is not None
    assert "importing big.qdpx" in err.getvalue()


def test_with_stdout_or_stderr_not_a_terminal_nothing_is_written(monkeypatch):
    for out_tty, err_tty in ((False, True), (True, False)):
        monkeypatch.setattr(progress_module.sys, "stdout", Terminal(out_tty))
        err = Terminal(err_tty)
        with LongWork("exporting codings", stream=err, after=0) as work:
            work.update(3, 10)
            assert work._progress is None
        assert err.getvalue() == ""


def test_the_bar_is_off_while_the_command_asks_and_back_after(monkeypatch):
    monkeypatch.setattr(progress_module.sys, "stdout", Terminal())
    err = Terminal()
    with LongWork("importing", stream=err, after=0) as work:
        work.update(1, 10)
        assert work._progress is not None
        with work.paused():
            assert work._progress is None
            work.update(2, 10)  # from the worker meanwhile: no bar over the question
            assert work._progress is None
        work.update(3, 10)
        assert work._progress is not None and work.done == 3
