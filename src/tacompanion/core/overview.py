"""The study at a glance, and which thematic-analysis phase each part is in.

Braun & Clarke's six phases: familiarise, generate codes, search for themes,
review themes, define and name, report. A phase's progress is read off the
data (transcripts marked read, transcripts coded, codes sorted into themes,
themes reviewed, themes defined), never set by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StudyOverview:
    participants: int = 0
    pilot_participants: int = 0
    guides: int = 0
    interviews: int = 0
    open_interviews: int = 0
    notes: int = 0
    transcripts: int = 0
    transcripts_read: int = 0
    documents: int = 0  # transcripts plus interviews with notes: what can be coded
    documents_coded: int = 0
    codes: int = 0
    codings: int = 0
    codes_in_themes: int = 0
    themes: int = 0
    themes_reviewed: int = 0  # status reviewed or final
    themes_defined: int = 0  # a definition written and status final
    memos: int = 0
    journal_entries: int = 0
    # Pilots are shown but never counted: the counts above leave them out.
    pilot_transcripts: int = 0
    pilot_codings: int = 0


@dataclass(frozen=True)
class PhaseProgress:
    number: int
    name: str
    done: int
    total: int
    unit: str

    @property
    def state(self) -> str:
        if self.total == 0 or self.done == 0:
            return "not started"
        if self.done >= self.total:
            return "done"
        return "in progress"

    def describe(self) -> str:
        if self.total == 0:
            return "-"
        return f"{self.done}/{self.total} {self.unit}"


def phases(o: StudyOverview) -> list[PhaseProgress]:
    """Progress through the six phases of thematic analysis."""
    return [
        # Units are short so that a phase fits one line of a narrow panel.
        PhaseProgress(1, "Familiarise", o.transcripts_read, o.transcripts, "read"),
        PhaseProgress(2, "Generate codes", o.documents_coded, o.documents, "coded"),
        PhaseProgress(3, "Search for themes", o.codes_in_themes, o.codes, "codes sorted"),
        PhaseProgress(4, "Review themes", o.themes_reviewed, o.themes, "reviewed"),
        PhaseProgress(5, "Define and name", o.themes_defined, o.themes, "final"),
        # Ready to report once every theme is final and defined.
        PhaseProgress(
            6, "Report", o.themes_defined if o.themes_defined == o.themes else 0, o.themes,
            "ready",
        ),
    ]


def current_phase(o: StudyOverview) -> PhaseProgress | None:
    """The earliest phase that is not done, or None when all are."""
    for phase in phases(o):
        if phase.state != "done":
            return phase
    return None
