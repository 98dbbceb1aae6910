"""Commands of the room: `guide check`, `guide show` and `interview`."""

from __future__ import annotations

import argparse
import sys

from tacompanion.cli.common import PROG, CliError, add_command, open_study


def register(sub) -> None:
    guide = sub.add_parser(
        "guide", help="check or show interview guides", description="Check or show interview guides."
    )
    guide_sub = guide.add_subparsers(dest="guide_command", metavar="ACTION", required=True)
    check = guide_sub.add_parser(
        "check",
        help="validate guide files",
        description="Validate guide files: 'FILE: ok - ...' on standard output, or every error as "
        "FILE:LINE: message on standard error.",
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(handler=cmd_guide_check)
    show = guide_sub.add_parser("show", help="print a guide as an outline",
                                description="Print a parsed guide as an outline.")
    show.add_argument("file", metavar="FILE")
    show.set_defaults(handler=cmd_guide_show)

    interview = add_command(
        sub,
        "interview",
        "run an interview from a guide: live notes, coverage and the clock",
        cmd_interview,
    )
    interview.add_argument("guide", metavar="GUIDE", help="the interview guide (Markdown)")
    interview.add_argument(
        "--participant", "-p", required=True, metavar="ID", help="the participant's pseudonym, e.g. P3"
    )
    interview.add_argument(
        "--pilot", action="store_true", help="a pilot interview (kept out of the analysis)"
    )
    choice = interview.add_mutually_exclusive_group()
    choice.add_argument(
        "--resume", action="store_true", help="resume the participant's open interview without asking"
    )
    choice.add_argument(
        "--new",
        action="store_true",
        help="close any open interview with the participant as it was left, and start a new one",
    )


def cmd_guide_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tacompanion.formats.guide_file import GuideFileError, read_guide_file

    status = 0
    for name in args.files:
        if Path(name).stem.casefold() == "readme":
            # `guide check guides/*.md` in a folder with a README: that file
            # describes the guides; it is not one, and does not fail the batch.
            print(f"{name}: skipped \u2014 a README, not a guide", file=sys.stderr)
            continue
        try:
            _, guide = read_guide_file(name)
        except GuideFileError as exc:
            print(str(exc), file=sys.stderr)
            status = 1
            continue
        print(f"{name}: ok \u2014 {guide.summary()}")
    return status


def cmd_guide_show(args: argparse.Namespace) -> int:
    from tacompanion.formats.guide_file import (
        GuideFileError,
        guide_outline,
        read_guide_file,
    )

    try:
        _, guide = read_guide_file(args.file)
    except GuideFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(guide_outline(guide))
    return 0


def cmd_interview(args: argparse.Namespace) -> int:
    from tacompanion.formats.guide_file import GuideFileError, read_guide_file
    from tacompanion.store.participants import check_pseudonym

    try:
        source, guide = read_guide_file(args.guide)
    except GuideFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if not guide.questions:
        raise CliError(f"{args.guide}: the guide has no questions to interview with")
    pseudonym = check_pseudonym(args.participant)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CliError("the interview screen needs a terminal (run it in a terminal window)")

    from tacompanion.store import interviews

    with open_study(args, create=True) as study:
        participant_id, guide_id = interviews.prepare_interview(
            study, source, guide, args.guide, pseudonym, pilot=args.pilot
        )
        if args.resume and not interviews.open_interviews(study, participant_id):
            raise CliError(f"{pseudonym} has no open interview to resume; leave out --resume")

        from tacompanion.tui.app import run_app
        from tacompanion.tui.interview.interview_start import InterviewRequest

        resume = True if args.resume else False if args.new else None
        app = run_app(study, InterviewRequest(participant_id, guide_id, args.pilot, resume))
        if app.interview_id is not None:
            outcome = interviews.interview_outcome(study, app.interview_id)
            notes = f"{outcome['notes']} note{'s' if outcome['notes'] != 1 else ''}"
            if outcome["ended_at"]:
                print(f"Interview with {outcome['participant']} ended; {notes} saved in {study.path}")
            else:
                print(
                    f"Interview with {outcome['participant']} left open ({notes} saved); "
                    f"resume it with: {PROG} interview {args.guide} --participant "
                    f"{outcome['participant']} --resume"
                )
    return 0
