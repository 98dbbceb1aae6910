"""Where in a recording an item is heard, and the player's command line.

Every time in the app is a position in the recording: a turn's `start_ms`
(from .vtt/.srt or `[hh:mm:ss]` marks), a note's elapsed clock time plus its
interview's recording offset, an extract's turn. Pure: the caller reads the
rows and runs the command.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from tacompanion.core.interview import recording_ms

SEEK_STEP_MS = 5000

# Tried in this order when the `player` setting is empty.
PLAYERS = ("mpv", "ffplay", "vlc")


@dataclass(frozen=True)
class Moment:
    """An item to hear: its label in messages and its time (None: no time)."""

    label: str
    start_ms: int | None


def turn_moment(position: int, start_ms: int | None) -> Moment:
    return Moment(f"turn {position + 1}", start_ms)


def note_moment(elapsed_ms: int | None, recording_offset_ms: int | None) -> Moment:
    """A note is heard at its recording position: elapsed + offset."""
    return Moment("note", recording_ms(elapsed_ms, recording_offset_ms))


def extract_moment(turn_position: int, turn_start_ms: int | None) -> Moment:
    return Moment(f"the extract's turn {turn_position + 1}", turn_start_ms)


def past_the_end(start_ms: int, duration_ms: int | None) -> bool:
    """An item whose time lies beyond the recording's known length: the
    wrong recording, or a recording offset not yet set right."""
    return duration_ms is not None and start_ms >= duration_ms


def seconds_text(ms: int) -> str:
    """Milliseconds as seconds for a command line: `90`, `90.5`."""
    whole, rest = divmod(max(0, ms), 1000)
    return f"{whole}" if not rest else f"{whole}.{rest:03d}".rstrip("0")


def template_command(template: str, file: str, start_ms: int) -> list[str]:
    """The `player` (or `recorder`) setting as argv: `{file}` and `{start}`
    (seconds) are filled in word by word, so a path with spaces stays one
    argument. Raises ValueError for a template without `{file}`."""
    words = shlex.split(template)
    if not words or not any("{file}" in w for w in words):
        raise ValueError(f"the template {template!r} needs {{file}}")
    values = {"file": file, "start": seconds_text(start_ms), "start_ms": str(start_ms)}
    return [w.format(**values) for w in words]


def builtin_command(player: str, executable: str, file: str, start_ms: int, ipc_path: str | None) -> list[str]:
    """A known player's argv: quiet, no network, no config surprises."""
    start = seconds_text(start_ms)
    if player == "mpv":
        argv = [executable, "--no-terminal", "--no-ytdl", "--force-window=no", "--keep-open=no",
                "--load-scripts=no", "--no-resume-playback", "--save-position-on-quit=no",
                f"--start={start}"]
        if ipc_path:
            argv.append(f"--input-ipc-server={ipc_path}")
        return [*argv, "--", file]
    if player == "ffplay":
        return [executable, "-nodisp", "-autoexit", "-loglevel", "quiet", "-ss", start, file]
    if player == "vlc":
        return [executable, "-I", "dummy", "--play-and-exit", "--no-video-title-show",
                "--no-metadata-network-access", f"--start-time={start}", file]
    raise ValueError(f"unknown player {player!r}")
