"""Recordings in a REFI-QDA project: AudioSource / VideoSource with the
transcript's turn times as SyncPoints (`export qdpx --media`), and back.

Export: each attached recording becomes an AudioSource (or VideoSource)
whose GUID is the recording's uuid. `--media` puts the file in the archive
(`internal://<guid>.<ext>`, stored uncompressed and streamed from disk);
`--media-link` only names it (`absolute:///...`, and `currentPath`). When it
records a transcript, a `Transcript` child carries that transcript's text
(`plainTextPath`: the same `sources/<guid>.txt` as its TextSource, so the
positions are the TextSource's) and one `SyncPoint` per timed turn:
`timeStamp` the turn's start in ms, `position` its first character.
Codings stay on the TextSource (exact character spans); QualCoder and NVivo
read a transcript's media this way.

Import: a recording in the archive is written beside the study, in
`<study>-media/` (0600), a linked one is used where it is; either is then
attached (the study holds its path, size and hash, as `media add` does), and
the SyncPoints give the imported transcript's turns their start times back.
Whatever cannot be used is said, one line each.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from tacompanion.core.qdpx import QMedia, derived_guid, redact
from tacompanion.formats.bounded_zip import ArchiveError, BoundedZip, MiB, ZipLimits
from tacompanion.store.study import Study

MEDIA_DIR_SUFFIX = "-media"
# Recordings taken out of an imported archive (docs/limits.md): an interview's
# recording is at most a few GB (hours of video); it is stored, not compressed,
# so the ratio check refuses a bomb whatever its size.
MAX_RECORDING_BYTES = 16 * 1024 * MiB
MEDIA_LIMITS = ZipLimits(max_entries=100_000, max_entry_bytes=MAX_RECORDING_BYTES,
                         max_total_bytes=4 * MAX_RECORDING_BYTES)


# -- export -----------------------------------------------------------------------------


def media_sources(study: Study, study_uuid: str, how: str, rules, result) -> list[tuple[ET.Element, int]]:
    """(source element, participant id) for every attached recording that is
    there; files to embed go to `result.media_files`; what is left out to
    `result.not_exported`. `how`: "embed" or "link"."""
    from tacompanion.formats.media_probe import check_unchanged
    from tacompanion.store.media import list_media, transcript_for_media

    def red(text: str) -> str:  # the redaction list applies to every field
        return rules(text) if rules else text

    out: list[tuple[ET.Element, int]] = []
    for m in list_media(study):
        problem = check_unchanged(m.full_path, m.size, m.sha256, m.hash_method)
        if problem and not m.full_path.exists():
            result.not_exported.append(f"recording {m.path}: not found at {m.full_path}; left out")
            continue
        if problem:
            result.warnings.append(problem.replace("; nothing plays", "; exported as it now is"))
        tag = "VideoSource" if m.kind == "video" else "AudioSource"
        ext = m.full_path.suffix.lower()
        if how == "embed":
            path = f"internal://{m.uuid}{ext}"
            result.media_files.append((f"sources/{m.uuid}{ext}", str(m.full_path)))
        else:
            path = "absolute://" + m.full_path.resolve().as_posix()
            if red(path) != path:  # a link must name the real file: say so rather than hide it
                result.warnings.append(f"the path of recording {red(m.full_path.name)!r} holds text on the "
                                       "redaction list and is written as it is (a link needs it); "
                                       "--media puts the file in the archive under its GUID instead")
        el = ET.Element(tag, {"guid": m.uuid, "name": red(m.full_path.name), "path": path})
        if how == "link":
            el.set("currentPath", path)
        transcript = transcript_for_media(study, m)
        if transcript is not None:
            tr = ET.SubElement(el, "Transcript", {
                "guid": derived_guid(study_uuid, "transcript-of", m.uuid, transcript["uuid"]),
                "name": red(transcript["file_name"]),
                "plainTextPath": f"internal://{transcript['uuid']}.txt",
            })
            mapped = redact(transcript["text"], rules) if rules else None
            dropped = 0
            for s in transcript["segments"]:
                position = s["start_pos"]
                if mapped is not None:
                    span = mapped.map_span(s["start_pos"], s["end_pos"])
                    if span is None:
                        dropped += 1
                        continue
                    position = span[0]
                ET.SubElement(tr, "SyncPoint", {"guid": derived_guid(study_uuid, "sync", s["uuid"]),
                                                "timeStamp": str(s["start_ms"]), "position": str(position)})
            if dropped:
                result.not_exported.append(f"{dropped} turn time(s) of {transcript['file_name']} inside "
                                           "redacted text")
        out.append((el, m.participant_id))
        result.counts["recordings"] = result.counts.get("recordings", 0) + 1
    return out


def left_out_line(study: Study) -> str | None:
    from tacompanion.store.media import list_media

    n = len(list_media(study))
    if not n:
        return None
    return (f"{n} attached recording(s) and their transcripts' turn times: --media puts them in "
            "the archive, --media-link names where they are")


def stream_media(z: zipfile.ZipFile, files: list[tuple[str, str]]) -> None:
    """Each recording into the open archive, read in 1 MiB chunks and stored
    as it is (audio and video are compressed already)."""
    for arcname, source in files:
        info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o600 << 16
        info.file_size = os.path.getsize(source)
        with open(source, "rb") as src, z.open(info, "w", force_zip64=True) as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)


# -- import ------------------------------------------------------------------------------


def read_media_source(el: ET.Element, local, canonical_guid) -> QMedia:
    """An AudioSource / VideoSource element as QMedia (no file is read here)."""
    transcripts = [t for t in el if local(t.tag) == "Transcript"]
    sync: list[tuple[int, int]] = []
    text_guid = None
    for t in transcripts[:1]:
        ref = (t.get("plainTextPath") or "").removeprefix("internal://")
        text_guid = canonical_guid(ref.rsplit(".", 1)[0]) if ref else None
        for sp in t:
            if local(sp.tag) != "SyncPoint":
                continue
            try:
                sync.append((int(sp.get("position")), int(sp.get("timeStamp"))))
            except (TypeError, ValueError):
                continue
    return QMedia(
        guid=canonical_guid(el.get("guid")), kind="video" if local(el.tag) == "VideoSource" else "audio",
        name=el.get("name") or "", path=el.get("path") or el.get("currentPath") or "",
        transcript_source=text_guid, sync_points=sync, extra_transcripts=max(0, len(transcripts) - 1),
    )


def _extract(z: BoundedZip, member: str, target: Path) -> None:
    """A recording copied out of the archive within MEDIA_LIMITS (its size,
    its ratio, its CRC checked as it streams): the file is new (0600), and
    gone again when the entry is refused."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as dst:
            for chunk in z.chunks(member):
                dst.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def media_not_merged(project) -> list[str]:
    """A merge brings no recordings in: say so for each."""
    return [f"recording {m.name or m.guid!r}: not merged (attach it with tacompanion media add)"
            for m in getattr(project, "media", None) or []]


def attach_imported_media(study: Study, project, archive: str | os.PathLike) -> tuple[list[str], list[str]]:
    """After a project's import: bring in its recordings (see the module's
    docstring). Lines saying what was done, and what could not be."""
    from tacompanion.formats.media_probe import probe
    from tacompanion.store.media import add_media, set_turn_times, source_owner

    done: list[str] = []
    lines: list[str] = []  # the problems
    if not getattr(project, "media", None):
        return done, lines
    folder = Path(study.path).resolve().parent / f"{Path(study.path).stem}{MEDIA_DIR_SUFFIX}"
    try:
        z = BoundedZip(archive, MEDIA_LIMITS)
    except (ArchiveError, OSError) as exc:  # pragma: no cover - the import has just read it
        return done, [f"recording {m.name or m.guid!r}: {archive}: cannot be read ({exc}); not attached"
                      for m in project.media]
    with z:
        names = {n.lower(): n for n in z.namelist()}
        for m in project.media:
            shown = m.name or m.guid
            owner = source_owner(study, project, m)
            if owner is None:
                lines.append(f"recording {shown!r}: no case owns it and no transcript it carries was "
                             "imported; not attached")
                continue
            participant, transcript_id = owner
            if m.path.startswith("internal://"):
                member = names.get(("sources/" + m.path.removeprefix("internal://")).lower())
                if member is None:
                    lines.append(f"recording {shown!r}: {m.path} is not in the archive; not attached")
                    continue
                folder.mkdir(mode=0o700, exist_ok=True)
                target = folder / (Path(m.name).name if m.name else Path(member).name)
                if target.exists():
                    target = target.with_name(f"{target.stem}-{m.guid[:8]}{target.suffix}")
                try:
                    _extract(z, member, target)
                except ArchiveError as exc:
                    lines.append(f"recording {shown!r}: {Path(archive).name}: {exc}; not attached")
                    continue
                where = target
            else:
                raw = m.path.removeprefix("absolute://").removeprefix("relative://")
                where = Path(raw if raw.startswith("/") or ":" in raw[:3] else "/" + raw)
                if not where.is_file():
                    lines.append(f"recording {shown!r}: not found at {where}; not attached "
                                 "(attach it with tacompanion media add once it is there)")
                    continue
            try:
                media = add_media(study, where, probe(where), participant=participant,
                                  transcript_id=transcript_id, uuid=m.guid)
            except Exception as exc:  # noqa: BLE001 - one recording's trouble is reported, not fatal
                lines.append(f"recording {shown!r}: not attached ({exc})")
                continue
            timed = set_turn_times(study, transcript_id, m.sync_points) if transcript_id else 0
            done.append(f"recording {media.path} attached to {participant}"
                         + (f"; {timed} turn time(s) from its SyncPoints" if timed else ""))
            if m.extra_transcripts:
                lines.append(f"recording {shown!r}: {m.extra_transcripts} more transcript(s) of it not read")
    return done, lines
