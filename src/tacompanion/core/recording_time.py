"""Where a moment on the interview clock falls in the recording: the one
rule for a note's time, everywhere (re-exported by core/interview.py).

A module of its own so that a caller that needs only this (the .qdpx
export's notes source) does not import core/interview.py and the guide's
machinery with it (~10 ms of a command's start).
"""

from __future__ import annotations


def recording_ms(elapsed: int | None, offset_ms: int | None) -> int | None:
    """Where a moment on the interview clock falls in the recording: the
    elapsed time plus the recording offset (never before its start). This is
    the time shown to the user for a note, everywhere."""
    return None if elapsed is None else max(0, elapsed + (offset_ms or 0))
