"""A second recording in the room: a recorder command as a child process.

Not a screen: the interview screen holds one `Recorder`. Found in this
order: ffmpeg (ALSA's default input), arecord, sox's `rec`; or the
`recorder` setting, a template such as `arecord -f cd {file}`.

Pausing: the recorder is stopped with SIGSTOP and continued with SIGCONT,
together with the interview clock, so one file covers the interview and
its time runs with the clock: ALSA drops what is captured while the
process is stopped (an overrun), as the clock leaves out the pause. Every
note's time is then its place in the file, with a recording offset of zero
(give or take the capture buffer, a fraction of a second per pause).

Ending: SIGCONT then SIGINT (each recorder then finishes its file's header),
SIGTERM and at last SIGKILL, by the child's pid (its own process group).
Should tacompanion itself be killed, the recorder gets SIGTERM (Linux's
parent-death signal) and finishes its file: it never records on unseen.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass

from tacompanion.core.playback import template_command
from tacompanion.tui.player import die_with_parent

RECORDERS = ("ffmpeg", "arecord", "rec")


class RecorderMissing(Exception):
    """No recorder found: the message names the `recorder` setting."""


@dataclass(frozen=True)
class RecorderChoice:
    name: str
    argv_for: tuple[str, ...]  # with "{file}" standing for the file


def choose_recorder(setting: str | None) -> RecorderChoice:
    if setting and setting.strip():
        template_command(setting, "FILE", 0)  # ValueError when {file} is missing
        return RecorderChoice("the recorder setting", (setting.strip(),))
    for name in RECORDERS:
        found = shutil.which(name)
        if not found:
            continue
        if name == "ffmpeg":
            argv = (found, "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "alsa", "-i", "default",
                    "-ac", "1", "-ar", "44100", "-y", "{file}")
        elif name == "arecord":
            argv = (found, "-q", "-f", "cd", "-t", "wav", "{file}")
        else:
            argv = (found, "-q", "-c", "1", "-r", "44100", "{file}")
        return RecorderChoice(name, argv)
    raise RecorderMissing(
        "no recorder found (ffmpeg, arecord or sox's rec); install one, or set the command: "
        "tacompanion settings recorder 'arecord -f cd {file}'"
    )


class Recorder:
    """One recording: start, pause, resume, stop; `failed` says why it ended early."""

    def __init__(self, choice: RecorderChoice, file: str) -> None:
        self.choice = choice
        self.file = file
        self.process: subprocess.Popen | None = None
        self.failed: str | None = None
        self.stopped = False
        self.paused = False
        self._started = 0.0
        self._paused_at: float | None = None
        self._paused_total = 0.0

    def argv(self) -> list[str]:
        if len(self.choice.argv_for) == 1 and self.choice.name == "the recorder setting":
            return template_command(self.choice.argv_for[0], self.file, 0)
        return [w.replace("{file}", self.file) for w in self.choice.argv_for]

    def start(self) -> None:
        """Create the file (0600) and start the recorder. Raises OSError."""
        fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        try:
            self.process = subprocess.Popen(
                self.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True, umask=0o077,
                preexec_fn=die_with_parent,
            )
        except OSError:
            os.unlink(self.file)
            raise
        self._started = time.monotonic()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None and not self.stopped

    def seconds(self) -> float:
        """How long it has recorded (pauses left out)."""
        if self.process is None:
            return 0.0
        now = self._paused_at if self._paused_at is not None else time.monotonic()
        return max(0.0, now - self._started - self._paused_total)

    def check(self) -> str | None:
        """Call often: the reason when the recorder has ended by itself (once)."""
        if self.process is None or self.stopped or self.failed:
            return None
        code = self.process.poll()
        if code is None:
            return None
        self.failed = f"the recorder ({self.choice.name}) stopped by itself (exit status {code})"
        return self.failed

    def pause(self) -> None:
        if self.running and not self.paused:
            self._signal(signal.SIGSTOP)
            self.paused, self._paused_at = True, time.monotonic()

    def resume(self) -> None:
        if self.running and self.paused:
            self._signal(signal.SIGCONT)
            self._paused_total += time.monotonic() - (self._paused_at or time.monotonic())
            self.paused, self._paused_at = False, None

    def stop(self) -> None:
        """End it so that it finishes its file; by pid, then harder."""
        if self.process is None or self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self._signal(signal.SIGCONT)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
                self._signal(sig)
                try:
                    self.process.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.paused:
            self.resume_bookkeeping()

    def resume_bookkeeping(self) -> None:
        self._paused_total += time.monotonic() - (self._paused_at or time.monotonic())
        self.paused, self._paused_at = False, None

    def _signal(self, sig: int) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                self.process.send_signal(sig)
            except ProcessLookupError:
                pass
