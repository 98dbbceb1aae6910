"""The reflexive journal (dated entries) and the list of every memo.

Thematic analysis asks the researcher to keep track of their own part in the
analysis: what they expected, what surprised them, why a theme was split.
The journal holds those entries, one per sitting or thought, each with the
day it is about; memos hang on the things they are about (store/memos.py) and
`all_memos` lists them together so they can be read back in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tacompanion.store.memos import TARGETS
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso

DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits: \d takes any script's
YEARS = range(1900, 2101)  # a reflexive journal of a study done by a person alive


@dataclass(frozen=True)
class Entry:
    id: int
    date: str  # YYYY-MM-DD: the day the entry is about
    text: str
    created_at: str
    updated_at: str | None


@dataclass(frozen=True)
class MemoInfo:
    id: int
    target: str | None  # one of memos.TARGETS, or None for the study memo
    target_id: int | None
    about: str  # what it is on, for a person: "code 'Silence'", "P3 · p3.txt turn 12"
    text: str
    updated: str  # when last written (ISO)


def check_date(value: str) -> str:
    """A journal date as YYYY-MM-DD, checked; StudyError says what is wrong."""
    value = value.strip()
    if not DATE_RE.match(value):
        raise StudyError(f"a journal date is written YYYY-MM-DD, not {value!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise StudyError(f"{value} is not a date in the calendar") from None
    if day.year not in YEARS:
        raise StudyError(f"{value}: a journal date lies between {YEARS.start} and {YEARS.stop - 1}")
    return value


def list_entries(study: Study) -> list[Entry]:
    """Every journal entry, newest day first (the latest thought on top)."""
    return [
        Entry(r["id"], r["entry_date"], r["text"], r["created_at"], r["updated_at"])
        for r in study.query(
            "SELECT id, entry_date, text, created_at, updated_at FROM journal "
            "ORDER BY entry_date DESC, created_at DESC, id DESC"
        )
    ]


def entry_day(on: str | None = None) -> str:
    """The day an entry is written for: `on` checked, else today."""
    return check_date(on) if on else date.today().isoformat()


def add_entry(study: Study, text: str, on: str | None = None) -> int:
    """A new entry (today unless `on` gives the day), committed; its id.
    Nothing is read after the commit: what the caller reports about the entry
    (its day: `entry_day(on)`) is known before it is written."""
    if not text.strip():
        raise StudyError("a journal entry needs some text")
    day = entry_day(on)
    with study.write() as db:
        table = db["journal"]
        table.insert({"uuid": new_uuid(), "entry_date": day, "text": text, "created_at": now_iso()})
        return table.last_pk


def update_entry(study: Study, entry_id: int, text: str) -> None:
    """New text for an entry (an empty text deletes it), committed."""
    if not text.strip():
        delete_entry(study, entry_id)
        return
    with study.write() as db:
        db["journal"].update(entry_id, {"text": text, "updated_at": now_iso()})


def set_entry_date(study: Study, entry_id: int, on: str) -> None:
    """Move an entry to another day (checked), committed."""
    day = check_date(on)
    with study.write() as db:
        db["journal"].update(entry_id, {"entry_date": day, "updated_at": now_iso()})


def delete_entry(study: Study, entry_id: int) -> None:
    with study.write() as db:
        db["journal"].delete(entry_id)


def all_memos(study: Study) -> list[MemoInfo]:
    """Every memo with a label of what it is on: the study memo first, then
    by kind (codes, themes, transcripts, turns, notes, participants,
    interviews), each in a readable order."""
    rows = study.query(
        "SELECT m.id, m.text, coalesce(m.updated_at, m.created_at) AS updated, "
        " m.code_id, m.theme_id, m.transcript_id, m.segment_id, m.note_id, m.participant_id, m.interview_id, "
        " c.name AS code_name, th.name AS theme_name, "
        " t.file_name AS t_file, tp.pseudonym AS t_who, "
        " st.file_name AS s_file, sp.pseudonym AS s_who, "
        " (SELECT count(*) FROM segments s2 WHERE s2.transcript_id = s.transcript_id "
        "  AND s2.start_pos <= s.start_pos) AS s_turn, "
        " np.pseudonym AS n_who, substr(n.text, 1, 40) AS n_text, "
        " pp.pseudonym AS p_who, ip.pseudonym AS i_who, coalesce(i.started_at, i.created_at) AS i_when "
        "FROM memos m "
        "LEFT JOIN codes c ON c.id = m.code_id "
        "LEFT JOIN themes th ON th.id = m.theme_id "
        "LEFT JOIN transcripts t ON t.id = m.transcript_id "
        "LEFT JOIN participants tp ON tp.id = t.participant_id "
        "LEFT JOIN segments s ON s.id = m.segment_id "
        "LEFT JOIN transcripts st ON st.id = s.transcript_id "
        "LEFT JOIN participants sp ON sp.id = st.participant_id "
        "LEFT JOIN notes n ON n.id = m.note_id "
        "LEFT JOIN interviews ni ON ni.id = n.interview_id "
        "LEFT JOIN participants np ON np.id = ni.participant_id "
        "LEFT JOIN participants pp ON pp.id = m.participant_id "
        "LEFT JOIN interviews i ON i.id = m.interview_id "
        "LEFT JOIN participants ip ON ip.id = i.participant_id"
    )
    out: list[MemoInfo] = []
    for r in rows:
        target = next((t for t in TARGETS if r[f"{t}_id"] is not None), None)
        target_id = r[f"{target}_id"] if target else None
        about = {
            None: "the study",
            "code": f"code '{r['code_name']}'",
            "theme": f"theme '{r['theme_name']}'",
            "transcript": f"{r['t_who']} · {r['t_file']}",
            "segment": f"{r['s_who']} · {r['s_file']} turn {r['s_turn']}",
            "note": f"{r['n_who']} · note “{(r['n_text'] or '').strip()}”",
            "participant": f"participant {r['p_who']}",
            "interview": f"{r['i_who']} · interview {(r['i_when'] or '')[:10]}",
        }[target]
        out.append(MemoInfo(r["id"], target, target_id, about, r["text"], r["updated"]))
    order = {None: -1, **{t: i for i, t in enumerate(TARGETS)}}
    out.sort(key=lambda m: (order[m.target], m.about.casefold()))
    return out
