"""A codable document as the coding screen sees it: a list of blocks.

A transcript is one document whose blocks are its speaker turns; offsets are
into the transcript text. An interview's notes form a document whose blocks
are the notes; each note is its own text, and offsets are into that note.
Either way a block knows which text (`DocRef`) its `[start, end)` refers to,
so a coding is always stored against the exact stored text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocRef:
    """What a coding sits on: a transcript or an interview note."""

    transcript_id: int | None = None
    note_id: int | None = None

    def __post_init__(self) -> None:
        if (self.transcript_id is None) == (self.note_id is None):
            raise ValueError("a document is either a transcript or a note")

    @property
    def column(self) -> str:
        return "transcript_id" if self.transcript_id is not None else "note_id"

    @property
    def id(self) -> int:
        return self.transcript_id if self.transcript_id is not None else self.note_id  # type: ignore[return-value]


@dataclass(frozen=True)
class Block:
    ref: DocRef
    index: int  # 0-based position in the document
    start: int  # [start, end) into the text that `ref` names
    end: int
    text: str  # exactly that slice
    speaker: str | None = None
    is_interviewer: bool = False
    start_ms: int | None = None
    header: str = ""  # what is shown above the text: speaker and time, or note details
    segment_id: int | None = None


@dataclass(frozen=True)
class CodingDocument:
    kind: str  # "transcript" or "notes"
    key: int  # transcript id, or interview id for notes
    title: str
    participant: str
    participant_id: int
    blocks: tuple[Block, ...]


def clock(ms: int | None) -> str:
    """Milliseconds as H:MM:SS (or M:SS under an hour); '' when unknown."""
    if ms is None:
        return ""
    seconds = max(0, ms) // 1000
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
