"""The command line: `tacompanion [--db PATH] [COMMAND ...]`.

A package: `parser` builds the argument parser from one module per group of
commands (`interview`, `study`, `imports`, `analysis`, `exports`), `common`
holds what they share, `main` is the entry point and the one error path.

Commands that need no screen never import Textual, so that `--help` and
`guide check` answer fast; only the commands that open the app import `tui`.
"""

from tacompanion.cli.common import COMMANDS, EXPORT_KINDS, PROG, CliError
from tacompanion.cli.main import main
from tacompanion.cli.parser import build_parser

__all__ = ["COMMANDS", "EXPORT_KINDS", "PROG", "CliError", "build_parser", "main"]
