"""The parser: the top-level options, and each group of commands registered
from its own module."""

from __future__ import annotations

import argparse

from tacompanion import __version__
from tacompanion.cli import (
    analysis,
    codebook,
    exports,
    framework,
    imports,
    interview,
    media,
    people,
    rigour,
    study,
    teams,
)
from tacompanion.cli.common import PROG, add_db_option

# The groups, in the order their commands appear in --help: the room, the
# study file, the material in, its people and documents, their recordings,
# the codebook, the desk, the framework, rigour, the team, the material out.
GROUPS = (interview, study, imports, people, media, codebook, analysis, framework, rigour, teams, exports)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "A terminal companion for qualitative interview research: run interviews "
            "from a guide, then code and theme the material. Without a command, opens "
            "the app's home screen on the study file."
        ),
        epilog="Each command has its own --help. Results go to standard output; "
        "messages (errors, progress, what was written where) to standard error.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    add_db_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return parser
