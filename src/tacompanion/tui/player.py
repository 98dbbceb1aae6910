"""The external player: started as a child process, ended by its pid.

Not a screen: the app holds one `Player` and every screen's `p` goes through
it (tui/playback.py). mpv is driven through its JSON IPC socket
(`--input-ipc-server`), so seeking and replaying need no restart; ffplay and
vlc (and a `player` template) are restarted at the new time. Nothing here
imports Textual. No player touches the network (`--no-ytdl` for mpv, no
metadata look-ups for vlc); the child gets no terminal (its output goes to
/dev/null) and its own process group, so the TUI's keys stay the TUI's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tacompanion.core.playback import PLAYERS, builtin_command, template_command


def die_with_parent() -> None:
    """In the child, before exec (Linux): SIGTERM when tacompanion itself
    dies, however it dies, so that no player or recorder outlives it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class PlayerMissing(Exception):
    """No player found: the message names the `player` setting."""


@dataclass(frozen=True)
class PlayerChoice:
    name: str  # mpv / ffplay / vlc / "player setting"
    executable: str | None  # for a known player
    template: str | None  # the `player` setting


def choose_player(setting: str | None) -> PlayerChoice:
    """The `player` setting when set, else the first of mpv, ffplay, vlc on PATH."""
    if setting and setting.strip():
        return PlayerChoice("the player setting", None, setting.strip())
    for name in PLAYERS:
        found = shutil.which(name)
        if found:
            return PlayerChoice(name, found, None)
    raise PlayerMissing(
        "no player found (mpv, ffplay or vlc); install one, or set the command: "
        "tacompanion settings player 'mpv --start={start} {file}'"
    )


class Player:
    """One recording playing at a time."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.choice: PlayerChoice | None = None
        self.file: str | None = None
        self.item_start_ms = 0  # where the item (turn, note, extract) is
        self._position_ms = 0  # where playing (re)started
        self._started = 0.0  # time.monotonic() then
        self._ipc_dir: str | None = None
        self.duration_ms: int | None = None

    # -- state ----------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def position_ms(self) -> int:
        """Where the recording is now, as near as we know (mpv: asked)."""
        if self._ipc_path() and self.playing:
            got = self._ipc({"command": ["get_property", "time-pos"]})
            if isinstance(got, (int, float)):
                return int(got * 1000)
        return self._position_ms + int((time.monotonic() - self._started) * 1000)

    # -- control ----------------------------------------------------------------

    def play(self, file: str, start_ms: int, setting: str | None, duration_ms: int | None = None) -> PlayerChoice:
        """Play `file` from `start_ms` (stopping what played). Raises
        PlayerMissing, or OSError / ValueError when the command cannot start."""
        choice = choose_player(setting)
        self.stop()
        self.choice, self.file, self.item_start_ms, self.duration_ms = choice, file, start_ms, duration_ms
        self._launch(start_ms)
        return choice

    def seek(self, delta_ms: int) -> int:
        """Move by `delta_ms`; returns the new position."""
        target = max(0, self.position_ms() + delta_ms)
        if self.duration_ms is not None:
            target = min(target, max(0, self.duration_ms - 500))
        return self._go(target)

    def replay(self) -> int:
        """Back to the item's own time."""
        return self._go(self.item_start_ms)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            _end(process)
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None

    # -- inside ---------------------------------------------------------------------

    def _go(self, target_ms: int) -> int:
        if self.file is None or self.choice is None:
            return target_ms
        if self.playing and self._ipc_path():
            reply = self._ipc({"command": ["seek", target_ms / 1000, "absolute"]}, want_data=False)
            if reply is not None:
                self._position_ms, self._started = target_ms, time.monotonic()
                return target_ms
        self.stop()
        self._launch(target_ms)
        return target_ms

    def _launch(self, start_ms: int) -> None:
        choice = self.choice
        assert choice is not None and self.file is not None
        if choice.template is not None:
            argv = template_command(choice.template, self.file, start_ms)
        else:
            ipc = None
            if choice.name == "mpv":
                self._ipc_dir = tempfile.mkdtemp(prefix="tacompanion-mpv-")
                ipc = str(Path(self._ipc_dir) / "socket")
            argv = builtin_command(choice.name, choice.executable or choice.name, self.file, start_ms, ipc)
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True, preexec_fn=die_with_parent,
        )
        self._position_ms, self._started = start_ms, time.monotonic()

    def _ipc_path(self) -> str | None:
        return str(Path(self._ipc_dir) / "socket") if self._ipc_dir else None

    def _ipc(self, message: dict, *, want_data: bool = True):
        """Send one mpv IPC command; its data (or True), None when mpv does
        not answer (the socket is not up yet, or mpv has gone)."""
        path = self._ipc_path()
        if not path:
            return None
        deadline = time.monotonic() + 2.0
        while not os.path.exists(path):
            if time.monotonic() > deadline or not self.playing:
                return None
            time.sleep(0.02)
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(1.0)
                s.connect(path)
                s.sendall((json.dumps({**message, "request_id": 1}) + "\n").encode())
                buf = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        return None
                    buf += chunk
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        reply = json.loads(line or b"{}")
                        if reply.get("request_id") == 1:
                            if reply.get("error") != "success":
                                return None
                            return reply.get("data") if want_data else True
        except (OSError, ValueError):
            return None


def _end(process: subprocess.Popen) -> None:
    """End the child and whatever it started (its own process group, whose
    id is its pid); a player that ignores SIGTERM is killed."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                process.send_signal(sig)
            except ProcessLookupError:
                pass
        try:
            process.wait(timeout=2)
            return
        except subprocess.TimeoutExpired:
            continue
