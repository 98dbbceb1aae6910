"""`media`: attach recordings to participants, interviews and transcripts;
list and detach them; set an interview's recording offset afterwards."""

from __future__ import annotations

import argparse
import json
import sys

from tacompanion.cli.common import CliError, add_action, add_group, open_study


def register(sub) -> None:
    actions = add_group(
        sub, "media", "attach recordings (audio or video) and set recording offsets",
        "Attach an interview's recording so that notes, turns and extracts can be heard at their "
        "moment (p in the app). The study stores the path (relative to the study file when the "
        "recording lies beside it or below), the size, a content hash and the duration where the "
        "file's header gives it. The recording is never copied or changed.",
        "action",
    )
    add = add_action(actions, "add", "attach a recording", "Attach a recording to a participant, "
                     "and to one of their interviews or transcripts.", cmd_media_add)
    add.add_argument("file", metavar="FILE", help="the recording (wav, mp3, m4a, ogg, opus, flac, mp4, ...)")
    add.add_argument("--participant", metavar="ID", required=True, help="the participant's pseudonym")
    which = add.add_mutually_exclusive_group()
    which.add_argument("--interview", metavar="START",
                       help="the interview that started then (e.g. '2026-11-26 09:15')")
    which.add_argument("--transcript", metavar="NAME", help="the transcript's file name")
    lst = add_action(actions, "list", "list the recordings attached", "List the recordings "
                     "attached, with whether each file is still there unchanged.", cmd_media_list)
    lst.add_argument("--json", action="store_true", help="JSON (one object per recording)")
    rm = add_action(actions, "remove", "detach a recording (the file is left alone)",
                    "Detach a recording, by its id (media list) or its path.", cmd_media_remove)
    rm.add_argument("target", metavar="ID|PATH")
    off = add_action(actions, "offset", "set an interview's recording offset afterwards",
                     "How long the recorder ran before the interview clock started (a leading - "
                     "if it started after). Every note's time in the recording follows.",
                     cmd_media_offset)
    off.add_argument("--participant", metavar="ID", required=True, help="the participant's pseudonym")
    off.add_argument("--interview", metavar="START",
                     help="the interview that started then (needed when they have several)")
    off.add_argument("offset", metavar="OFFSET", help="40, 1:30, 00:01:30, 1m30s or -5s")


def probe_or_error(path: str):
    import os

    from tacompanion.formats.media_probe import probe

    if not os.path.isfile(path):
        raise CliError(f"{path}: no such file")
    try:
        return probe(path)
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror or exc})") from None


def describe(media) -> str:
    from tacompanion.core.interview import format_clock

    length = format_clock(media.duration_ms) if media.duration_ms is not None else "length unknown"
    to = (f"transcript {media.transcript}" if media.transcript
          else f"interview {media.interview_start[:16].replace('T', ' ')}" if media.interview_start
          else media.participant)
    hashed = "" if media.hash_method == "full" else ", hash of size + first and last MiB"
    return f"{media.path} ({media.kind}, {media.format}, {length}{hashed}) attached to {to}"


def cmd_media_add(args: argparse.Namespace) -> int:
    from tacompanion.store.media import add_media, find_interview, find_transcript
    from tacompanion.store.participants import find_participant

    facts = probe_or_error(args.file)
    study = open_study(args, create=False)
    try:
        who = find_participant(study, args.participant)
        interview_id = find_interview(study, who["id"], who["pseudonym"], args.interview)
        transcript_id = find_transcript(study, who["id"], who["pseudonym"], args.transcript)
        media = add_media(study, args.file, facts, participant=who["pseudonym"],
                          interview_id=interview_id, transcript_id=transcript_id)
    finally:
        study.close()
    print(f"attached {describe(media)}")
    if media.duration_ms is None:
        print(f"{args.file}: the length could not be read from its header; playing works all the same",
              file=sys.stderr)
    return 0


def cmd_media_list(args: argparse.Namespace) -> int:
    from tacompanion.formats.media_probe import check_unchanged
    from tacompanion.store.media import list_media

    study = open_study(args, create=False)
    try:
        rows = list_media(study)
    finally:
        study.close()
    states = [check_unchanged(m.full_path, m.size, m.sha256, m.hash_method) for m in rows]
    if args.json:
        out = []
        for m, problem in zip(rows, states, strict=True):
            row = m.as_json()
            row["ok"] = problem is None
            row["problem"] = problem
            out.append(row)
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no recordings attached (tacompanion media add FILE --participant ID)")
        return 0
    for m, problem in zip(rows, states, strict=True):
        print(f"{m.id:>3}  {m.participant}: {describe(m)}")
        if problem:
            print(f"     ! {problem}")
    return 0


def cmd_media_remove(args: argparse.Namespace) -> int:
    from tacompanion.store.media import remove_media

    study = open_study(args, create=False)
    try:
        media = remove_media(study, args.target)
    finally:
        study.close()
    print(f"detached {media.path} from {media.participant} (the file is left where it is)")
    return 0


def cmd_media_offset(args: argparse.Namespace) -> int:
    from tacompanion.core.interview import format_clock, parse_offset
    from tacompanion.store.interviews import set_recording_offset
    from tacompanion.store.media import find_interview
    from tacompanion.store.participants import find_participant

    try:
        offset_ms = parse_offset(args.offset)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    study = open_study(args, create=False)
    try:
        who = find_participant(study, args.participant)
        if args.interview is None:
            rows = study.query("SELECT id, coalesce(started_at, created_at) AS at FROM interviews "
                               "WHERE participant_id = ?", (who["id"],))
            if len(rows) != 1:
                shown = ", ".join(r["at"][:16].replace("T", " ") for r in rows) or "none"
                raise CliError(f"{who['pseudonym']} has {len(rows)} interviews; say which with "
                               f"--interview START ({shown})")
            interview_id = rows[0]["id"]
        else:
            interview_id = find_interview(study, who["id"], who["pseudonym"], args.interview)
        set_recording_offset(study, interview_id, offset_ms)
        notes = study.scalar("SELECT count(*) FROM notes WHERE interview_id = ?", (interview_id,))
    finally:
        study.close()
    sign = "-" if offset_ms < 0 else ""
    print(f"recording offset of {who['pseudonym']}'s interview set to {sign}{format_clock(abs(offset_ms))}; "
          f"{notes} note time{'s' if notes != 1 else ''} in the recording follow")
    return 0
