"""What every command shares: the program name, the one error type, the
--db option, opening the study, writing an export, a progress line.

stdout carries a command's results (a table, CSV, Markdown, JSON, the lines
it was asked to print); stderr carries messages about the run (errors,
warnings, "wrote N rows to FILE", progress). The same for every command.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable

PROG = "tacompanion"

# Every command, for --help tests and the README; each has its own --help.
COMMANDS = (
    "guide", "backup", "interview", "import", "search", "code", "review", "stats",
    "export", "redact", "settings", "demo", "journal", "check", "saturation", "hints",
    "participants", "transcripts", "merge", "agreement", "codebook", "framework", "media",
)
EXPORT_KINDS = ("notes", "codings", "by-question", "qdpx", "report", "codebook", "quotes", "audit", "framework")

DB_HELP = "the study file (default: $TACOMPANION_DB, else ./tacompanion.db)"


class CliError(Exception):
    """A user-facing error: printed as one line, exit status 1."""


def add_db_option(parser: argparse.ArgumentParser, *, top: bool, help_text: str = DB_HELP) -> None:
    # The same option on the main parser and on every subcommand, so that
    # `--db` works before or after the subcommand; a subcommand's value wins.
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help=help_text,
    )


def add_command(sub, name: str, help_text: str, handler: Callable, *,
                db_help: str = DB_HELP) -> argparse.ArgumentParser:
    """A subcommand with its --db option and its handler."""
    p = sub.add_parser(name, help=help_text, description=help_text)
    add_db_option(p, top=False, help_text=db_help)
    p.set_defaults(handler=handler)
    return p


def add_group(sub, name: str, help_text: str, description: str, dest: str):
    """A command with actions of its own (`redact add`, `journal list`): returns
    the sub-parsers to add the actions to."""
    group = sub.add_parser(name, help=help_text, description=description)
    add_db_option(group, top=False)
    return group.add_subparsers(dest=dest, metavar="ACTION", required=True)


def add_action(actions, name: str, help_text: str, description: str, handler: Callable) -> argparse.ArgumentParser:
    p = actions.add_parser(name, help=help_text, description=description)
    add_db_option(p, top=False)
    p.set_defaults(handler=handler)
    return p


def open_study(args: argparse.Namespace, *, create: bool):
    from tacompanion.store.study import Study, default_path

    return announce_upgrade(Study.open(default_path(getattr(args, "db", None)), create=create))


def announce_upgrade(study):
    """Say on stderr what the upgrade of an older study file reported (once:
    on the run that upgraded it; the study keeps it in `migration_log`)."""
    for note in study.upgrade_notes:
        print(f"{PROG}: upgraded {study.path} to schema version {study.schema_version}: {note}",
              file=sys.stderr)
    return study


@contextlib.contextmanager
def study_to_fill(path: os.PathLike | str):
    """Open (or create) the study that a command fills; when the command
    fails and the study did not exist before, leave no empty file behind."""
    from pathlib import Path

    from tacompanion.store.study import Study

    existed = Path(path).exists()
    study = announce_upgrade(Study.open(path, create=True))
    try:
        yield study
    except BaseException:
        study.close()
        if not existed:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    else:
        study.close()


def write_export(output: str | None, text: str, count: int, what: str, done: str | None = None) -> int:
    """To standard output, or atomically to a file with a count (or `done`) on stderr."""
    if output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    from tacompanion.formats.atomic_write import write_text_atomically

    try:
        write_text_atomically(output, text)
    except OSError as exc:
        raise CliError(f"{output}: cannot write ({exc.strerror or exc})") from None
    print(done or f"wrote {count} {what}{'s' if count != 1 else ''} to {output}", file=sys.stderr)
    return 0


def write_document(args: argparse.Namespace, markdown: str, count: int, what: str,
                   done: str | None = None) -> int:
    """An export that is Markdown, or Word when -o names a .docx (or --format
    docx): the same text, so the same redaction, as a real Word document."""
    from tacompanion.formats.docx_writer import is_docx, markdown_to_docx

    output = getattr(args, "output", None)
    if not is_docx(output, getattr(args, "format", None)):
        return write_export(output, markdown, count, what, done)
    return write_binary(output, markdown_to_docx(markdown), count, what, done)


def write_binary(output: str | None, data: bytes, count: int, what: str, done: str | None = None) -> int:
    """A Word document, atomically to a file (mode 0600); never to a terminal."""
    if output in (None, "-"):
        raise CliError("a Word document needs a file: give -o FILE.docx")
    from tacompanion.formats.atomic_write import write_bytes_atomically

    try:
        write_bytes_atomically(output, data)
    except OSError as exc:
        raise CliError(f"{output}: cannot write ({exc.strerror or exc})") from None
    print(done or f"wrote {count} {what}{'s' if count != 1 else ''} to {output}", file=sys.stderr)
    return 0


def theme_or_error(study, name: str, *, quoted: bool = True) -> int:
    """The theme named by its path or unique name, else one error listing the
    main themes (`quoted`: each name in quotes, as `export quotes` has it)."""
    from tacompanion.store.themes import find_theme, list_themes

    theme_id = find_theme(study, name)
    if theme_id is None:
        shown = repr if quoted else str
        names = ", ".join(shown(t.name) for t in list_themes(study) if t.parent_id is None) or "none yet"
        raise CliError(f"no theme {name!r} (main themes: {names})")
    return theme_id
