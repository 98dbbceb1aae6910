"""The entry point, and the one error path: every failure becomes one line
on stderr and an exit status.

Exit status: 0 success, 1 a problem with the input or the study file (one
clear message on stderr), 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from tacompanion.cli.common import PROG, CliError
from tacompanion.cli.parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None) or _open_app
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
        return _report(exc, getattr(args, "db", None))


def _report(exc: Exception, db: str | None = None) -> int:
    import sqlite3

    from tacompanion.core.transcript import TranscriptError
    from tacompanion.store.study import StudyError, default_path, friendly_error

    if isinstance(exc, TranscriptError):
        exc = CliError(exc.message)
    if isinstance(exc, sqlite3.DatabaseError):
        # Met while reading or writing the study (its opening checks passed):
        # pages of the file are damaged, or it is locked or unwritable now.
        exc = friendly_error(default_path(db), exc, in_use=True)
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


def _open_app(args) -> int:
    from tacompanion.cli.study import cmd_app

    return cmd_app(args)
