"""The interview guide as plain data: sections, main questions and probes.

Built by `guide_parser.parse_guide`; stored whole (source text and hash) with
every interview, so that question ids always resolve against the exact guide
that was used in the room.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Probe:
    id: str
    number: int  # 1-based within its question
    text: str
    line: int


@dataclass(frozen=True)
class Question:
    id: str
    number: int  # 1-based across the whole guide: "jump to question 7"
    section_index: int  # 0-based index of its section
    position: int  # 1-based within its section
    text: str
    line: int
    probes: tuple[Probe, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    index: int  # 0-based
    title: str
    minutes: int | None
    line: int
    notes: tuple[str, ...] = ()  # paragraphs and blockquotes for the interviewer
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Guide:
    title: str
    sections: tuple[Section, ...]
    opening: tuple[str, ...] = ()  # the opening script, one string per paragraph
    version: str | None = None
    duration: int | None = None  # planned minutes from the front matter
    language: str | None = None
    source_hash: str = ""

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @property
    def probe_count(self) -> int:
        return sum(len(q.probes) for q in self.questions)

    @property
    def section_minutes(self) -> int | None:
        """Sum of the sections' planned minutes, or None when no section has any."""
        minutes = [s.minutes for s in self.sections if s.minutes is not None]
        return sum(minutes) if minutes else None

    @property
    def planned_minutes(self) -> int | None:
        """The planned length: the front matter's duration, else the sections' sum."""
        return self.duration if self.duration is not None else self.section_minutes

    def question(self, question_id: str) -> Question | None:
        for q in self.questions:
            if q.id == question_id:
                return q
        return None

    def summary(self) -> str:
        """`S sections, Q questions, P probes` plus the planned minutes when known."""
        s, q, p = len(self.sections), len(self.questions), self.probe_count
        text = (
            f"{s} section{'s' if s != 1 else ''}, "
            f"{q} question{'s' if q != 1 else ''}, "
            f"{p} probe{'s' if p != 1 else ''}"
        )
        if self.planned_minutes is not None:
            text += f", {self.planned_minutes} min planned"
        return text


@dataclass(frozen=True, order=True)
class GuideIssue:
    line: int
    message: str


@dataclass
class GuideError(Exception):
    """Every problem found in one guide, each with its 1-based line."""

    issues: list[GuideIssue] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f"{i.line}: {i.message}" for i in self.issues)


def text_hash(text: str) -> str:
    """SHA-256 of the LF-normalised text, as hex: a guide's identity in the study."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
