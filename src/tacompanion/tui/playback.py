"""Hearing the current item: the keys every screen that shows turns, notes
or extracts shares, and what they do.

A screen adds `playback_bindings("its-prefix")` to its BINDINGS, mixes in
`PlaysRecording` and says what is under its cursor with `playable_item()`:
("segment", id), ("note", id), ("extract", segment id), or None. The app
does the rest (`TacompanionApp.play_item`), so every screen behaves alike:

    p   play from the item's time; again: stop
    -   back 5 s      + (or =)   on 5 s      P   replay the item from its time
"""

from __future__ import annotations

from textual.binding import Binding

from tacompanion.core.playback import SEEK_STEP_MS


def playback_bindings(prefix: str, *, play_key: str = "p", show: bool = False) -> list[Binding]:
    return [
        Binding(play_key, "play", "Play / stop recording", id=f"{prefix}.play", show=show),
        Binding("minus", f"seek({-SEEK_STEP_MS})", "Recording: back 5 s",
                id=f"{prefix}.seek_back", show=False),
        Binding("plus,equals_sign", f"seek({SEEK_STEP_MS})", "Recording: on 5 s",
                id=f"{prefix}.seek_on", show=False),
        Binding("P", "replay", "Recording: replay the item", id=f"{prefix}.replay", show=False),
    ]


class PlaysRecording:
    """Actions for the playback keys; the screen defines `playable_item`."""

    def playable_item(self) -> tuple[str, int] | None:  # pragma: no cover - each screen says
        raise NotImplementedError

    def action_play(self) -> None:
        self.app.play_item(self.playable_item())  # type: ignore[attr-defined]

    def action_seek(self, delta_ms: int) -> None:
        self.app.seek_playback(delta_ms)  # type: ignore[attr-defined]

    def action_replay(self) -> None:
        self.app.replay_playback()  # type: ignore[attr-defined]
