"""Removing a participant or a transcript, moving a transcript to another
participant, renaming a transcript: the changes a study's people and
documents need after import (a pilot found late, a file imported twice or
under the wrong participant).

Each is one undoable operation (store/history.py): the rows that go with a
removal are deleted one by one, dependents first, so that undo brings them
all back. A removal is also preceded by an automatic backup beside the
study, whose name the caller shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tacompanion.store.participants import check_pseudonym, find_participant
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso


@dataclass(frozen=True)
class Removal:
    """What a removal takes with it (counts), and the backup made before it."""

    what: str  # "participant P3" / "transcript t1.txt of P3"
    transcripts: int = 0
    interviews: int = 0
    notes: int = 0
    codings: int = 0
    memos: int = 0
    backup: Path | None = None
    turns: int = 0  # of a transcript removed on its own


    def lines(self) -> str:
        """'2 transcripts, 1 interview with 14 notes, 37 codings, 2 memos'."""
        from tacompanion.core.words import plural

        parts = []
        if self.turns:
            parts.append(plural(self.turns, "turn"))
        elif self.transcripts:
            parts.append(plural(self.transcripts, "transcript"))
        if self.interviews:
            parts.append(plural(self.interviews, "interview")
                         + (f" with {plural(self.notes, 'note')}" if self.notes else ""))
        parts.append(plural(self.codings, "coding"))
        if self.memos:
            parts.append(plural(self.memos, "memo"))
        return ", ".join(parts)


# -- finding a transcript by name ------------------------------------------------------------


def find_transcript(study: Study, name: str, participant: str | None = None) -> dict:
    """The transcript called `name` (its file name, case-insensitive, or its
    id), of `participant` when given. StudyError when none or several."""
    wanted = name.strip()
    rows = study.query(
        "SELECT t.id, t.file_name, t.participant_id, t.interview_id, t.guide_id, t.source_hash, "
        "p.pseudonym FROM transcripts t JOIN participants p ON p.id = t.participant_id "
        "WHERE t.file_name = ? COLLATE NOCASE OR CAST(t.id AS TEXT) = ?", (wanted, wanted.lstrip("#")))
    exact = [r for r in rows if r["file_name"].casefold() == wanted.casefold()] or rows
    if participant:
        exact = [r for r in exact if r["pseudonym"].casefold() == " ".join(participant.split()).casefold()]
    if not exact:
        names = [r[0] for r in study.conn.execute("SELECT file_name FROM transcripts ORDER BY file_name")]
        from tacompanion.core.words import clip

        known = clip(", ".join(names), 200) if names else "none yet"
        raise StudyError(f"no transcript {name!r} (transcripts: {known})")
    if len(exact) > 1:
        which = "; ".join(f"{r['pseudonym']}'s (id {r['id']})" for r in exact)
        raise StudyError(f"{name!r} names several transcripts: {which}; give the id instead")
    return exact[0]


# -- what goes with a removal -----------------------------------------------------------------


def _transcript_rows(study: Study, transcript_ids: list[int]) -> dict[str, list[int]]:
    marks = ",".join("?" * len(transcript_ids))
    if not transcript_ids:
        return {"codings": [], "memos": [], "segments": []}
    q = study.conn.execute
    return {
        "codings": [r[0] for r in q(f"SELECT id FROM codings WHERE transcript_id IN ({marks})", transcript_ids)],
        "memos": [r[0] for r in q(
            f"SELECT id FROM memos WHERE transcript_id IN ({marks}) OR segment_id IN "
            f"(SELECT id FROM segments WHERE transcript_id IN ({marks}))", transcript_ids * 2)],
        "segments": [r[0] for r in q(f"SELECT id FROM segments WHERE transcript_id IN ({marks})",
                                     transcript_ids)],
    }


def _participant_rows(study: Study, participant_id: int) -> dict[str, list[int]]:
    q = study.conn.execute
    transcripts = [r[0] for r in q("SELECT id FROM transcripts WHERE participant_id = ?", (participant_id,))]
    interviews = [r[0] for r in q("SELECT id FROM interviews WHERE participant_id = ?", (participant_id,))]
    rows = _transcript_rows(study, transcripts)
    marks = ",".join("?" * len(interviews)) or "NULL"
    notes = [r[0] for r in q(f"SELECT id FROM notes WHERE interview_id IN ({marks})", interviews)]
    note_marks = ",".join("?" * len(notes)) or "NULL"
    rows["codings"] += [r[0] for r in q(f"SELECT id FROM codings WHERE note_id IN ({note_marks})", notes)]
    rows["memos"] += [r[0] for r in q(
        f"SELECT id FROM memos WHERE participant_id = ? OR interview_id IN ({marks}) "
        f"OR note_id IN ({note_marks})", [participant_id, *interviews, *notes])]
    rows["transcripts"] = transcripts
    rows["notes"] = notes
    rows["question_events"] = [r[0] for r in q(
        f"SELECT id FROM question_events WHERE interview_id IN ({marks})", interviews)]
    rows["interview_pauses"] = [r[0] for r in q(
        f"SELECT id FROM interview_pauses WHERE interview_id IN ({marks})", interviews)]
    rows["interviews"] = interviews
    return rows


def participant_removal(study: Study, pseudonym: str) -> Removal:
    """What removing the participant would take with it (nothing removed)."""
    p = find_participant(study, pseudonym)
    rows = _participant_rows(study, p["id"])
    return Removal(f"participant {p['pseudonym']}", len(rows["transcripts"]), len(rows["interviews"]),
                   len(rows["notes"]), len(rows["codings"]), len(rows["memos"]))


def transcript_removal(study: Study, name: str, participant: str | None = None) -> Removal:
    t = find_transcript(study, name, participant)
    rows = _transcript_rows(study, [t["id"]])
    return Removal(f"transcript {t['file_name']} of {t['pseudonym']}", 1, 0, 0,
                   len(rows["codings"]), len(rows["memos"]), turns=len(rows["segments"]))


# -- removing ---------------------------------------------------------------------------------

_ORDER = ("codings", "memos", "segments", "transcripts", "notes", "question_events", "interview_pauses",
          "interviews")


def remove_participant(study: Study, pseudonym: str, *, backup: bool = True) -> Removal:
    """Remove the participant and everything of theirs (transcripts,
    interviews and their notes, codings, memos) as one undoable operation,
    after a backup of the study beside it (unless `backup` is False)."""
    from tacompanion.store.history import record

    p = find_participant(study, pseudonym)
    plan = participant_removal(study, p["pseudonym"])
    saved = _backup_before(study, f"removing-{p['pseudonym']}") if backup else None
    rows = _participant_rows(study, p["id"])
    with record(study, "remove-participant", f"Remove participant {p['pseudonym']}") as op:
        for table in _ORDER:
            for row_id in rows.get(table, []):
                op.delete(table, row_id)
        op.delete("participants", p["id"])
    return Removal(plan.what, plan.transcripts, plan.interviews, plan.notes, plan.codings, plan.memos, saved)


def remove_transcript(study: Study, name: str, participant: str | None = None, *, backup: bool = True) -> Removal:
    """Remove one transcript with its turns, codings and memos, as one
    undoable operation, after a backup (unless `backup` is False)."""
    from tacompanion.store.history import record

    t = find_transcript(study, name, participant)
    plan = transcript_removal(study, str(t["id"]))
    saved = _backup_before(study, f"removing-{t['file_name']}") if backup else None
    rows = _transcript_rows(study, [t["id"]])
    with record(study, "remove-transcript", f"Remove transcript {t['file_name']} of {t['pseudonym']}") as op:
        for table in ("codings", "memos", "segments"):
            for row_id in rows[table]:
                op.delete(table, row_id)
        op.delete("transcripts", t["id"])
    return Removal(plan.what, 1, 0, 0, plan.codings, plan.memos, saved, plan.turns)


def _backup_before(study: Study, what: str) -> Path:
    """A backup of the study beside it: `study.before-removing-P3-20261205T174012.db`."""
    from slugify import slugify

    from tacompanion.store.backup import backup_study

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    base = study.path.with_name(f"{study.path.stem}.before-{slugify(what)[:60]}-{stamp}")
    dest, n = base.with_name(base.name + ".db"), 1
    while dest.exists():
        n += 1
        dest = base.with_name(f"{base.name}-{n}.db")
    return backup_study(study, dest)


# -- moving and renaming transcripts ---------------------------------------------------------


def move_transcript(study: Study, name: str, to: str, *, participant: str | None = None) -> dict:
    """Give a transcript to another participant (made when new, and said so);
    its codings and memos go with it. A link to an interview of the old
    participant is dropped (the guide its questions follow is kept). Refused
    when the other participant already has the same text. Undoable.
    Returns {"file_name", "from", "to", "new_participant", "codings", "left"}:
    `left` is what the old participant still has (transcripts + interviews)."""
    from tacompanion.store.history import record

    t = find_transcript(study, name, participant)
    target = " ".join(to.split())
    existing = study.query("SELECT id, pseudonym FROM participants WHERE pseudonym = ?", (target,))
    if existing and existing[0]["id"] == t["participant_id"]:
        raise StudyError(f"{t['file_name']} is already {existing[0]['pseudonym']}'s")
    if existing:
        clash = study.scalar("SELECT file_name FROM transcripts WHERE participant_id = ? AND source_hash = ?",
                             (existing[0]["id"], t["source_hash"]))
        if clash is not None:
            raise StudyError(f"{existing[0]['pseudonym']} already has this text ({clash}); "
                             f"remove one of the two instead")
    codings = study.scalar("SELECT count(*) FROM codings WHERE transcript_id = ?", (t["id"],))
    with record(study, "move-transcript", f"Move {t['file_name']} from {t['pseudonym']} to {target}") as op:
        if existing:
            to_id, to_name = existing[0]["id"], existing[0]["pseudonym"]
        else:
            to_name = check_pseudonym(target)
            to_id = op.insert("participants", {"uuid": new_uuid(), "pseudonym": to_name, "pilot": 0,
                                               "attributes": "{}", "created_at": now_iso()})
        values: dict = {"participant_id": to_id}
        if t["interview_id"] is not None:
            owner, guide = study.conn.execute(
                "SELECT participant_id, guide_id FROM interviews WHERE id = ?", (t["interview_id"],)).fetchone()
            if owner != to_id:
                values["interview_id"] = None
                if t["guide_id"] is None and guide is not None:
                    values["guide_id"] = guide
        op.update("transcripts", t["id"], values)
    left = study.scalar(
        "SELECT (SELECT count(*) FROM transcripts WHERE participant_id = ?) + "
        "(SELECT count(*) FROM interviews WHERE participant_id = ?)", (t["participant_id"], t["participant_id"]))
    return {"file_name": t["file_name"], "from": t["pseudonym"], "to": to_name,
            "new_participant": not existing, "codings": codings, "left": left}


def rename_transcript(study: Study, name: str, new: str, *, participant: str | None = None) -> dict:
    """Give a transcript another name; refused when its participant has
    another transcript of that name. Undoable."""
    from tacompanion.store.history import record

    t = find_transcript(study, name, participant)
    value = " ".join(new.split())
    if not value or len(value) > 200:
        raise StudyError("a transcript's name is one line of at most 200 characters")
    clash = study.scalar("SELECT id FROM transcripts WHERE participant_id = ? AND file_name = ? COLLATE NOCASE "
                         "AND id != ?", (t["participant_id"], value, t["id"]))
    if clash is not None:
        raise StudyError(f"{t['pseudonym']} already has a transcript called {value!r}")
    with record(study, "rename-transcript", f"Rename {t['file_name']} to {value}") as op:
        op.update("transcripts", t["id"], {"file_name": value})
    return {"old": t["file_name"], "new": value, "participant": t["pseudonym"]}
