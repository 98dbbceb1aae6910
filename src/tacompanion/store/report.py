"""What the report needs besides the map and the extracts: the study's data in
numbers (pilots counted apart) and the reflexive journal."""

from __future__ import annotations

from dataclasses import dataclass

from tacompanion.core.transcript import natural_key
from tacompanion.store.study import Study


@dataclass(frozen=True)
class DataNumbers:
    participants: int  # non-pilot participants
    pilot_participants: tuple[str, ...]  # their pseudonyms
    interviews: int  # interviews that are not pilots, with non-pilot participants
    pilot_interviews: int
    transcripts: int  # transcripts of non-pilot participants
    pilot_transcripts: int
    notes_interviews: int  # non-pilot interviews with interview notes


def data_numbers(study: Study) -> DataNumbers:
    people = study.conn.execute("SELECT pseudonym, pilot FROM participants").fetchall()
    pilots = tuple(sorted((p for p, pilot in people if pilot), key=natural_key))
    interviews, pilot_interviews, with_notes = study.conn.execute(
        "SELECT coalesce(sum(i.pilot = 0 AND p.pilot = 0), 0), coalesce(sum(i.pilot = 1 OR p.pilot = 1), 0), "
        "  coalesce(sum(i.pilot = 0 AND p.pilot = 0 AND EXISTS "
        "    (SELECT 1 FROM notes n WHERE n.interview_id = i.id)), 0) "
        "FROM interviews i JOIN participants p ON p.id = i.participant_id"
    ).fetchone()
    transcripts, pilot_transcripts = study.conn.execute(
        "SELECT coalesce(sum(p.pilot = 0), 0), coalesce(sum(p.pilot = 1), 0) "
        "FROM transcripts t JOIN participants p ON p.id = t.participant_id"
    ).fetchone()
    return DataNumbers(len(people) - len(pilots), pilots, interviews, pilot_interviews,
                       transcripts, pilot_transcripts, with_notes)


@dataclass(frozen=True)
class JournalEntry:
    date: str
    text: str


def journal_entries(study: Study) -> list[JournalEntry]:
    """The reflexive journal, oldest entry first."""
    return [JournalEntry(d, t) for d, t in study.conn.execute(
        "SELECT entry_date, text FROM journal ORDER BY entry_date, created_at, id")]
