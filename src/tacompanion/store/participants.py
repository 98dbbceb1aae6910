"""Participants: pseudonyms only (P3, T07), a pilot flag and free attributes."""

from __future__ import annotations

import json

from tacompanion.store.study import Study, StudyError, new_uuid, now_iso

MAX_PSEUDONYM = 40


def check_pseudonym(pseudonym: str) -> str:
    """A usable pseudonym, stripped; raise StudyError when it is not one."""
    value = pseudonym.strip()
    if not value:
        raise StudyError("a participant needs a pseudonym such as P3")
    if len(value) > MAX_PSEUDONYM or "\n" in value:
        raise StudyError(
            f"{value[:MAX_PSEUDONYM]!r}...: a pseudonym is a short label such as P3 "
            f"(at most {MAX_PSEUDONYM} characters); never use a real name"
        )
    return value


def ensure_participant(study: Study, pseudonym: str, *, pilot: bool = False) -> int:
    """The participant's id, creating the participant when new.

    An existing participant keeps its pilot flag unless `pilot` asks to set it:
    a participant marked as pilot once stays out of the analysis.
    """
    name = check_pseudonym(pseudonym)
    row = study.query("SELECT id, pilot FROM participants WHERE pseudonym = ?", (name,))
    if row:
        if pilot and not row[0]["pilot"]:
            with study.write() as db:
                db["participants"].update(row[0]["id"], {"pilot": 1})
        return row[0]["id"]
    with study.write() as db:
        table = db["participants"]
        table.insert(
            {
                "uuid": new_uuid(),
                "pseudonym": name,
                "pilot": int(pilot),
                "attributes": json.dumps({}),
                "created_at": now_iso(),
            }
        )
        return table.last_pk


def participant_pseudonym(study: Study, participant_id: int) -> str:
    return study.scalar("SELECT pseudonym FROM participants WHERE id = ?", (participant_id,)) or "?"


def list_participants(study: Study) -> list[dict]:
    return study.query(
        "SELECT p.id, p.uuid, p.pseudonym, p.pilot, p.attributes, "
        "(SELECT count(*) FROM interviews i WHERE i.participant_id = p.id) AS interviews, "
        "(SELECT count(*) FROM notes n JOIN interviews i ON i.id = n.interview_id "
        " WHERE i.participant_id = p.id) AS notes, "
        "(SELECT count(*) FROM transcripts t WHERE t.participant_id = p.id) AS transcripts "
        "FROM participants p ORDER BY p.pseudonym COLLATE NOCASE"
    )
