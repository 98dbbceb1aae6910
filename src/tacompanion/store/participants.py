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


# -- the researcher's changes ---------------------------------------------------------------
# Pilot: the participant's flag is the truth. An interview's own flag follows
# it: marking a participant as pilot (or not) sets every interview of theirs
# to the same, so the two never disagree; transcripts have no flag of their own.


def find_participant(study: Study, pseudonym: str) -> dict:
    """The participant called `pseudonym` (case-insensitive), or StudyError
    listing who there is."""
    name = " ".join(pseudonym.split())
    rows = study.query("SELECT id, uuid, pseudonym, pilot, attributes FROM participants WHERE pseudonym = ?",
                       (name,))
    if rows:
        return rows[0]
    others = [r[0] for r in study.conn.execute("SELECT pseudonym FROM participants ORDER BY pseudonym")]
    from tacompanion.core.words import clip

    known = clip(", ".join(others), 200) if others else "none yet"
    raise StudyError(f"no participant {pseudonym!r} (participants: {known})")


def rename_participant(study: Study, old: str, new: str) -> dict:
    """Give participant `old` the pseudonym `new`; everything that shows a
    participant reads it from here, so the map, the report, quotes and every
    export follow. Refused when another participant has the name. Undoable.
    Returns {"id", "old", "new", "speaker_turns"}: the turns whose speaker
    label is still the old name (the text is not rewritten: that would move
    every coding; a redaction hides it in exports)."""
    from tacompanion.store.history import record

    row = find_participant(study, old)
    name = check_pseudonym(new)
    clash = study.scalar("SELECT pseudonym FROM participants WHERE pseudonym = ? AND id != ?", (name, row["id"]))
    if clash is not None:
        raise StudyError(f"{clash!r} is already a participant; choose another pseudonym")
    if name == row["pseudonym"]:
        raise StudyError(f"{row['pseudonym']!r} is already called that")
    with record(study, "rename-participant", f"Rename participant {row['pseudonym']} to {name}") as op:
        op.update("participants", row["id"], {"pseudonym": name})
    turns = study.scalar(
        "SELECT count(*) FROM segments s JOIN transcripts t ON t.id = s.transcript_id "
        "WHERE t.participant_id = ? AND s.speaker = ? COLLATE NOCASE", (row["id"], row["pseudonym"]))
    return {"id": row["id"], "old": row["pseudonym"], "new": name, "speaker_turns": turns or 0}


def set_pilot(study: Study, pseudonym: str, pilot: bool) -> dict:
    """Mark a participant as pilot, or not, at any time: N, prevalence and
    every label follow at once (they are counted from these flags). Their
    interviews take the same flag. Undoable. Returns {"id", "pseudonym",
    "pilot", "changed"}."""
    from tacompanion.store.history import record

    row = find_participant(study, pseudonym)
    interviews = study.query("SELECT id, pilot FROM interviews WHERE participant_id = ?", (row["id"],))
    changed = bool(row["pilot"]) != pilot or any(bool(i["pilot"]) != pilot for i in interviews)
    what = "Mark participant {} as pilot" if pilot else "Mark participant {} as not a pilot"
    with record(study, "participant-pilot", what.format(row["pseudonym"])) as op:
        op.update("participants", row["id"], {"pilot": int(pilot)})
        for i in interviews:
            op.update("interviews", i["id"], {"pilot": int(pilot)})
    return {"id": row["id"], "pseudonym": row["pseudonym"], "pilot": pilot, "changed": changed}


def participant_rows(study: Study) -> list[dict]:
    """Every participant as `participants list --json` gives it: id (the
    pseudonym), pilot, attributes, and how many transcripts, interviews and
    codings (on transcripts and interview notes) are theirs."""
    from tacompanion.core.transcript import natural_key

    rows = study.query(
        "SELECT p.id AS pk, p.pseudonym AS id, p.pilot, p.attributes, "
        "(SELECT count(*) FROM transcripts t WHERE t.participant_id = p.id) AS transcripts, "
        "(SELECT count(*) FROM interviews i WHERE i.participant_id = p.id) AS interviews, "
        "(SELECT count(*) FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
        " WHERE t.participant_id = p.id) + "
        "(SELECT count(*) FROM codings k JOIN notes n ON n.id = k.note_id "
        " JOIN interviews i ON i.id = n.interview_id WHERE i.participant_id = p.id) AS codings "
        "FROM participants p"
    )
    out = []
    for r in sorted(rows, key=lambda r: natural_key(r["id"])):
        attrs = json.loads(r["attributes"] or "{}")
        out.append({"id": r["id"], "pilot": bool(r["pilot"]),
                    "attributes": attrs if isinstance(attrs, dict) else {},
                    "transcripts": r["transcripts"], "interviews": r["interviews"], "codings": r["codings"],
                    "pk": r["pk"]})
    return out
