"""Recordings attached to the study: every query about table `media`.

The study holds a reference (path, size, hash, duration), never the file.
A path is stored relative to the study file when the recording lies beside
it or below it, so a study folder can be moved whole; else absolute.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tacompanion.core.playback import Moment, extract_moment, note_moment, turn_moment
from tacompanion.store.participants import find_participant
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso


@dataclass(frozen=True)
class Media:
    id: int
    participant: str
    participant_id: int
    interview_id: int | None
    interview_start: str | None
    transcript_id: int | None
    transcript: str | None
    path: str  # as stored
    full_path: Path  # resolved against the study's folder
    size: int
    sha256: str
    hash_method: str
    duration_ms: int | None
    format: str
    kind: str
    added_at: str
    uuid: str = ""

    def as_json(self) -> dict:
        return {
            "id": self.id, "participant": self.participant, "interview_start": self.interview_start,
            "transcript": self.transcript, "path": self.path, "full_path": str(self.full_path),
            "size": self.size, "sha256": self.sha256, "hash_method": self.hash_method,
            "duration_ms": self.duration_ms, "format": self.format, "kind": self.kind,
            "added_at": self.added_at,
        }


_SELECT = (
    "SELECT m.*, p.pseudonym, coalesce(i.started_at, i.created_at) AS interview_start, "
    "t.file_name AS transcript FROM media m JOIN participants p ON p.id = m.participant_id "
    "LEFT JOIN interviews i ON i.id = m.interview_id LEFT JOIN transcripts t ON t.id = m.transcript_id "
)


def stored_path(study: Study, path: str | os.PathLike) -> str:
    """Relative to the study's folder when the file is in it or below."""
    full = Path(path).resolve()
    base = Path(study.path).resolve().parent
    try:
        return full.relative_to(base).as_posix()
    except ValueError:
        return str(full)


def full_path(study: Study, stored: str) -> Path:
    p = Path(stored)
    return p if p.is_absolute() else Path(study.path).resolve().parent / p


def _media(study: Study, r: dict) -> Media:
    return Media(
        r["id"], r["pseudonym"], r["participant_id"], r["interview_id"], r["interview_start"],
        r["transcript_id"], r["transcript"], r["path"], full_path(study, r["path"]), r["size"],
        r["sha256"], r["hash_method"], r["duration_ms"], r["format"], r["kind"], r["added_at"], r["uuid"],
    )


def list_media(study: Study) -> list[Media]:
    return [_media(study, r) for r in study.query(
        _SELECT + "ORDER BY p.pseudonym COLLATE NOCASE, m.id")]


def get_media(study: Study, media_id: int) -> Media:
    rows = study.query(_SELECT + "WHERE m.id = ?", (media_id,))
    if not rows:
        raise StudyError(f"no recording with id {media_id}")
    return _media(study, rows[0])


def find_interview(study: Study, participant_id: int, pseudonym: str, start: str | None) -> int | None:
    """The participant's interview that started at `start` (a prefix such as
    `2026-11-26 09:15`); None without `start`. StudyError listing the
    interviews when none or several match."""
    if start is None:
        return None
    rows = study.query(
        "SELECT id, coalesce(started_at, created_at) AS at FROM interviews "
        "WHERE participant_id = ? ORDER BY created_at, id", (participant_id,))
    wanted = start.strip().replace(" ", "T")
    hits = [r for r in rows if r["at"].startswith(wanted)]
    if len(hits) == 1:
        return hits[0]["id"]
    shown = ", ".join(r["at"][:16].replace("T", " ") for r in rows) or "none"
    if not hits:
        raise StudyError(f"{pseudonym} has no interview started at {start!r} (interviews: {shown})")
    raise StudyError(f"{start!r} matches {len(hits)} interviews of {pseudonym} ({shown}); give more of the time")


def find_transcript(study: Study, participant_id: int, pseudonym: str, name: str | None) -> int | None:
    if name is None:
        return None
    rows = study.query("SELECT id, file_name FROM transcripts WHERE participant_id = ? ORDER BY id",
                       (participant_id,))
    hits = [r for r in rows if r["file_name"] == name] or [
        r for r in rows if Path(r["file_name"]).stem == Path(name).stem]
    if len(hits) == 1:
        return hits[0]["id"]
    shown = ", ".join(r["file_name"] for r in rows) or "none"
    raise StudyError(f"{pseudonym} has {'no' if not hits else len(hits)} transcript(s) named {name!r} "
                     f"(transcripts: {shown})")


def add_media(
    study: Study, path: str | os.PathLike, facts, *, participant: str,
    interview_id: int | None = None, transcript_id: int | None = None, uuid: str | None = None,
) -> Media:
    """Attach a probed recording (formats.media_probe.MediaFacts). A
    transcript linked to an interview attaches to that interview too."""
    who = find_participant(study, participant)
    stored = stored_path(study, path)
    if transcript_id is not None and interview_id is None:
        interview_id = study.scalar("SELECT interview_id FROM transcripts WHERE id = ?", (transcript_id,))
    with study.write() as db:
        same = db.execute(
            "SELECT count(*) FROM media WHERE participant_id = ? AND path = ? "
            "AND interview_id IS ? AND transcript_id IS ?",
            (who["id"], stored, interview_id, transcript_id)).fetchone()[0]
        if same:
            raise StudyError(f"{path}: already attached to {who['pseudonym']}; nothing to do")
        table = db["media"]
        table.insert({
            "uuid": uuid if uuid and not db.execute("SELECT 1 FROM media WHERE uuid = ?", (uuid,)).fetchone()
            else new_uuid(), "participant_id": who["id"], "interview_id": interview_id,
            "transcript_id": transcript_id, "path": stored, "size": facts.size,
            "sha256": facts.sha256, "hash_method": facts.hash_method,
            "duration_ms": facts.duration_ms, "format": facts.format, "kind": facts.kind,
            "added_at": now_iso(),
        })
        media_id = table.last_pk
    return get_media(study, media_id)


def remove_media(study: Study, target: str) -> Media:
    """Detach a recording by its id or its path (the file is left alone)."""
    rows = list_media(study)
    hits = [m for m in rows if str(m.id) == target]
    if not hits:
        want = Path(target)
        hits = [m for m in rows if m.path == target or m.full_path == want.resolve()
                or (not want.is_absolute() and Path(m.path).name == target)]
    if not hits:
        shown = ", ".join(f"{m.id}: {m.path}" for m in rows) or "none"
        raise StudyError(f"no recording {target!r} attached (recordings: {shown})")
    if len(hits) > 1:
        raise StudyError(f"{target!r} names {len(hits)} recordings; give its id "
                         f"({', '.join(str(m.id) for m in hits)})")
    with study.write() as db:
        db.execute("DELETE FROM media WHERE id = ?", (hits[0].id,))
    return hits[0]


def participant_of_interview(study: Study, interview_id: int) -> str:
    return study.scalar("SELECT p.pseudonym FROM interviews i JOIN participants p ON p.id = i.participant_id "
                        "WHERE i.id = ?", (interview_id,))


def interview_offset(study: Study, interview_id: int) -> int:
    return study.scalar("SELECT recording_offset_ms FROM interviews WHERE id = ?", (interview_id,)) or 0


# -- the recording and the moment of an item ---------------------------------------------


def _recording_for(study: Study, participant_id: int, *, transcript_id: int | None = None,
                   interview_id: int | None = None) -> Media | None:
    """The recording of a transcript or interview: attached to it, else to
    its interview / its transcript, else the participant's only recording
    attached to nothing more precise."""
    if transcript_id is not None and interview_id is None:
        interview_id = study.scalar("SELECT interview_id FROM transcripts WHERE id = ?", (transcript_id,))
    tries = []
    if transcript_id is not None:
        tries.append(("m.transcript_id = ?", transcript_id))
    if interview_id is not None:
        tries.append(("m.interview_id = ?", interview_id))
        tries.append(("m.transcript_id IN (SELECT id FROM transcripts WHERE interview_id = ?)", interview_id))
    for where, value in tries:
        rows = study.query(_SELECT + f"WHERE {where} ORDER BY m.id DESC LIMIT 1", (value,))
        if rows:
            return _media(study, rows[0])
    # Else the participant's one recording (attached to nothing more
    # precise, or their only one): a participant usually has one.
    for where in ("AND m.interview_id IS NULL AND m.transcript_id IS NULL", ""):
        rows = study.query(_SELECT + f"WHERE m.participant_id = ? {where}", (participant_id,))
        if len(rows) == 1:
            return _media(study, rows[0])
    return None


def segment_moment(study: Study, segment_id: int) -> tuple[Moment, Media | None, str]:
    """A turn's moment, its recording (None: none attached) and whose it is."""
    rows = study.query(
        "SELECT s.position, s.start_ms, s.transcript_id, t.participant_id, p.pseudonym, t.file_name "
        "FROM segments s JOIN transcripts t ON t.id = s.transcript_id "
        "JOIN participants p ON p.id = t.participant_id WHERE s.id = ?", (segment_id,))
    if not rows:
        raise StudyError(f"no turn with id {segment_id}")
    r = rows[0]
    media = _recording_for(study, r["participant_id"], transcript_id=r["transcript_id"])
    return turn_moment(r["position"], r["start_ms"]), media, f"{r['pseudonym']}'s {r['file_name']}"


def segment_at(study: Study, transcript_id: int, pos: int) -> int | None:
    """The turn of a transcript holding character `pos` (an extract's start)."""
    return study.scalar(
        "SELECT id FROM segments WHERE transcript_id = ? AND start_pos <= ? ORDER BY start_pos DESC LIMIT 1",
        (transcript_id, pos))


def extract_segment_moment(study: Study, segment_id: int) -> tuple[Moment, Media | None, str]:
    moment, media, whose = segment_moment(study, segment_id)
    position = int(moment.label.split()[-1]) - 1
    return extract_moment(position, moment.start_ms), media, whose


def note_recording_moment(study: Study, note_id: int) -> tuple[Moment, Media | None, str]:
    """A note's moment (elapsed + its interview's offset, read now, so an
    offset set afterwards applies), its recording and whose it is."""
    rows = study.query(
        "SELECT n.elapsed_ms, i.id AS interview_id, i.recording_offset_ms, i.participant_id, p.pseudonym "
        "FROM notes n JOIN interviews i ON i.id = n.interview_id "
        "JOIN participants p ON p.id = i.participant_id WHERE n.id = ?", (note_id,))
    if not rows:
        raise StudyError(f"no note with id {note_id}")
    r = rows[0]
    media = _recording_for(study, r["participant_id"], interview_id=r["interview_id"])
    return note_moment(r["elapsed_ms"], r["recording_offset_ms"]), media, f"{r['pseudonym']}'s interview"


# -- exchange (formats/qdpx_media.py) ----------------------------------------------------------


def transcript_for_media(study: Study, media: Media) -> dict | None:
    """The transcript a recording records (attached to it, or the first of
    its interview), with its timed turns: uuid, file_name, text, segments."""
    tid = media.transcript_id
    if tid is None and media.interview_id is not None:
        tid = study.scalar("SELECT id FROM transcripts WHERE interview_id = ? ORDER BY id LIMIT 1",
                           (media.interview_id,))
    if tid is None:
        return None
    rows = study.query("SELECT uuid, file_name, text FROM transcripts WHERE id = ?", (tid,))
    if not rows:
        return None
    out = rows[0]
    out["segments"] = study.query(
        "SELECT uuid, start_pos, end_pos, start_ms FROM segments WHERE transcript_id = ? "
        "AND start_ms IS NOT NULL ORDER BY position", (tid,))
    return out


def source_owner(study: Study, project, media) -> tuple[str, int | None] | None:
    """(pseudonym, transcript id or None) of an imported recording: the
    transcript its Transcript's text became, else the case that lists it."""
    if media.transcript_source:
        rows = study.query("SELECT t.id, p.pseudonym FROM transcripts t JOIN participants p "
                           "ON p.id = t.participant_id WHERE t.uuid = ?", (media.transcript_source,))
        if not rows:
            text = next((s.text for s in project.sources if s.guid == media.transcript_source), None)
            if text is not None:
                rows = study.query("SELECT t.id, p.pseudonym FROM transcripts t JOIN participants p "
                                   "ON p.id = t.participant_id WHERE t.text = ? ORDER BY t.id LIMIT 1", (text,))
        if rows:
            return rows[0]["pseudonym"], rows[0]["id"]
    for case in project.cases:
        if media.guid in case.sources:
            row = study.query("SELECT pseudonym FROM participants WHERE uuid = ? OR pseudonym = ? "
                              "ORDER BY uuid = ? DESC LIMIT 1", (case.guid, case.name, case.guid))
            if row:
                return row[0]["pseudonym"], None
    return None


def set_turn_times(study: Study, transcript_id: int, sync_points: list[tuple[int, int]]) -> int:
    """Give turns without a time the time of the SyncPoint at their first
    character; how many were given one."""
    by_position = dict(sync_points)
    changed = 0
    with study.write() as db:
        for seg_id, start_pos in db.execute(
                "SELECT id, start_pos FROM segments WHERE transcript_id = ? AND start_ms IS NULL",
                (transcript_id,)).fetchall():
            if start_pos in by_position:
                db.execute("UPDATE segments SET start_ms = ? WHERE id = ?", (by_position[start_pos], seg_id))
                changed += 1
    return changed
