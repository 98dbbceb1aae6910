"""`codebook import FILE.csv`: a prepared codebook, to start deductive coding."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tacompanion.cli.common import CliError, add_action, add_group, open_study


def register(sub) -> None:
    actions = add_group(
        sub, "codebook", "import a prepared codebook (CSV) to code with",
        "The codebook: `codebook import FILE.csv` reads codes with their definitions and "
        "criteria to start deductive coding. `export codebook` writes it.",
        "codebook_action",
    )
    imp = add_action(
        actions, "import", "create or update codes from a codebook CSV",
        "Create or update codes from a CSV with the columns `export codebook` writes: "
        "theme, code, description, include, exclude, example (only `code` is required; "
        "definition / inclusion / exclusion are read too). `theme` is a path, 'Theme / "
        "Subtheme', and creates the tree. A code that exists (same name, any case) is updated "
        "with the row's non-empty cells, never duplicated. An example is kept in the code's "
        "memo (an example extract is one of the code's own codings: choose it in review). "
        "Rows that cannot be used are listed with their line; the rest is imported as one "
        "step (undo it in the app with u).",
        cmd_codebook_import,
    )
    imp.add_argument("file", metavar="FILE.csv", help="the codebook")
    imp.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")


def cmd_codebook_import(args: argparse.Namespace) -> int:
    from tacompanion.formats.codebook_csv import CodebookFileError, read_codebook
    from tacompanion.store.codebook import apply_codebook
    from tacompanion.store.study import StudyError

    try:
        parsed = read_codebook(args.file)
    except CodebookFileError as exc:
        raise CliError(str(exc)) from None
    for problem in parsed.problems:
        print(f"{args.file}: {problem} (left out)", file=sys.stderr)
    if parsed.ignored_columns:
        print(f"{args.file}: columns not read: {', '.join(parsed.ignored_columns)}", file=sys.stderr)
    if not parsed.entries:
        raise CliError(f"{args.file}: no usable rows; nothing imported")
    with open_study(args, create=False) as study:
        try:
            if args.dry_run:
                from tacompanion.store.codes import code_by_name

                new = sum(1 for e in parsed.entries if code_by_name(study, e.code) is None)
                print(f"would create {new} code{'s' if new != 1 else ''} and update up to "
                      f"{len(parsed.entries) - new}; nothing changed", file=sys.stderr)
                return 0
            result = apply_codebook(study, parsed.entries, f"Import codebook {Path(args.file).name}")
        except StudyError as exc:
            raise CliError(f"{args.file}: {exc}") from None
    parts = [f"{len(result.created)} created", f"{len(result.updated)} updated"]
    if result.unchanged:
        parts.append(f"{len(result.unchanged)} unchanged")
    themes = f"; {len(result.themes_created)} theme{'s' if len(result.themes_created) != 1 else ''} created" \
        if result.themes_created else ""
    print(f"codebook {args.file}: codes {', '.join(parts)}{themes}"
          f"{f'; {len(parsed.problems)} row(s) left out' if parsed.problems else ''}", file=sys.stderr)
    if result.examples_to_memos:
        print(f"  examples kept in the code memos of: {', '.join(result.examples_to_memos)}", file=sys.stderr)
    return 0
