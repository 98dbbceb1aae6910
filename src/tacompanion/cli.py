"""The command line: `tacompanion [--db PATH] [COMMAND ...]`.

Commands that need no screen never import Textual, so that `--help` and
`guide check` answer fast; only the commands that open the app import `tui`.

Exit status: 0 success, 1 a problem with the input or the study file (one
clear message on stderr), 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from tacompanion import __version__

PROG = "tacompanion"

# Names reserved now and filled in by later work, with what each will do.
RESERVED = {
    "interview": "run an interview from a guide: live notes, coverage and the clock",
    "import": "import transcripts (.txt .md .docx .vtt .srt) or a REFI-QDA project (.qdpx)",
    "code": "code transcripts and notes, keyboard only",
    "review": "review a theme's extracts, participant by participant",
    "search": "full-text search across transcripts and notes",
    "stats": "the study in numbers (--json for scripts)",
    "export": "export the report, codebook, codings, notes, quotes or a .qdpx project",
    "redact": "the redaction list applied to every export",
    "demo": "create a demo study and open it",
}


class CliError(Exception):
    """A user-facing error: printed as one line, exit status 1."""


def _add_db_option(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # The same option on the main parser and on every subcommand, so that
    # `--db` works before or after the subcommand; a subcommand's value wins.
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="the study file (default: $TACOMPANION_DB, else ./tacompanion.db)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "A terminal companion for qualitative interview research: run interviews "
            "from a guide, then code and theme the material. Without a command, opens "
            "the app's home screen on the study file."
        ),
        epilog="Each command has its own --help.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_db_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, handler: Callable) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_db_option(p, top=False)
        p.set_defaults(handler=handler)
        return p

    guide = sub.add_parser(
        "guide", help="check or show interview guides", description="Check or show interview guides."
    )
    guide_sub = guide.add_subparsers(dest="guide_command", metavar="ACTION", required=True)
    check = guide_sub.add_parser(
        "check",
        help="validate guide files",
        description="Validate guide files: 'FILE: ok - ...' or every error as FILE:LINE: message.",
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(handler=cmd_guide_check)
    show = guide_sub.add_parser("show", help="print a guide as an outline", description="Print a parsed guide as an outline.")
    show.add_argument("file", metavar="FILE")
    show.set_defaults(handler=cmd_guide_show)

    backup = command(
        "backup",
        "write a consistent copy of the study (safe while it is open elsewhere)",
        cmd_backup,
    )
    backup.add_argument("path", metavar="PATH", help="the copy to write (a file, or a folder)")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")

    for name, help_text in RESERVED.items():
        p = command(name, f"{help_text} (not in this version yet)", cmd_reserved)
        p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    return parser


# -- commands ------------------------------------------------------------------


def cmd_guide_check(args: argparse.Namespace) -> int:
    from tacompanion.formats.guide_file import GuideFileError, read_guide_file

    status = 0
    for name in args.files:
        try:
            _, guide = read_guide_file(name)
        except GuideFileError as exc:
            print(str(exc))
            status = 1
            continue
        print(f"{name}: ok \u2014 {guide.summary()}")
    return status


def cmd_guide_show(args: argparse.Namespace) -> int:
    from tacompanion.formats.guide_file import GuideFileError, guide_outline, read_guide_file

    try:
        _, guide = read_guide_file(args.file)
    except GuideFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(guide_outline(guide))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from tacompanion.store.backup import backup_study

    with _open_study(args, create=False) as study:
        dest = backup_study(study, args.path, overwrite=args.force)
    print(f"backed up {study.path} to {dest}")
    return 0


def cmd_reserved(args: argparse.Namespace) -> int:
    print(
        f"{PROG} {args.command}: {RESERVED[args.command]} - "
        "not available in this version of tacompanion yet",
        file=sys.stderr,
    )
    return 2


def cmd_app(args: argparse.Namespace) -> int:
    from tacompanion.tui.app import run_app

    with _open_study(args, create=True) as study:
        run_app(study)
    return 0


def _open_study(args: argparse.Namespace, *, create: bool):
    from tacompanion.store.study import Study, default_path

    return Study.open(default_path(getattr(args, "db", None)), create=create)


# -- entry point -----------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None) or cmd_app
    try:
        return handler(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `tacompanion guide show X | head`: the reader left; not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into messages
        return _report(exc)


def _report(exc: Exception) -> int:
    from tacompanion.store.study import StudyError

    if isinstance(exc, (StudyError, CliError)):
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    if os.environ.get("TACOMPANION_DEBUG"):
        raise exc
    print(
        f"{PROG}: internal error: {type(exc).__name__}: {exc} "
        "(set TACOMPANION_DEBUG=1 to see the details, and please report it)",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
