"""`framework set` and `framework list`: the framework matrix's summaries
for scripts (the screen is the thematic map's F, or home's)."""

from __future__ import annotations

import argparse
import json
import sys

from tacompanion.cli.common import CliError, add_action, add_group, open_study


def register(sub) -> None:
    actions = add_group(
        sub, "framework", "the framework matrix's summaries (set, list)",
        "The framework matrix: one written summary per participant and theme (or guide "
        "question). The app's framework screen (F on the thematic map or home) writes them "
        "too; `export framework` writes the matrix.",
        "framework_action",
    )
    set_ = add_action(
        actions, "set", "write one cell's summary",
        "Write the summary of PARTICIPANT for COLUMN (a theme path 'Theme / Subtheme', a "
        "theme's name when unique, a guide question id, or section:ID). An empty TEXT removes "
        "it. One undoable step.",
        cmd_framework_set,
    )
    set_.add_argument("participant", metavar="PARTICIPANT", help="the pseudonym, e.g. P3")
    set_.add_argument("column", metavar="COLUMN", help="'Theme / Subtheme' or a question id")
    set_.add_argument("text", metavar="TEXT", help="the summary ('-' reads it from standard input)")
    list_ = add_action(
        actions, "list", "every written summary",
        "Every written summary: participant, column and text (pilots marked).",
        cmd_framework_list,
    )
    list_.add_argument("--json", action="store_true",
                       help="print JSON: a list of {participant, pilot, column, kind, summary, uuid, updated_at}")


def cmd_framework_set(args: argparse.Namespace) -> int:
    from tacompanion.store.framework import find_column, find_participant, set_summary
    from tacompanion.store.study import StudyError

    text = sys.stdin.read() if args.text == "-" else args.text
    with open_study(args, create=False) as study:
        try:
            pid = find_participant(study, args.participant)
            column = find_column(study, args.column)
            set_summary(study, pid, column, text.strip())
        except StudyError as exc:
            raise CliError(str(exc)) from None
    what = "removed the summary" if not text.strip() else "wrote the summary"
    print(f"{what} of {args.participant} for {column.title}", file=sys.stderr)
    return 0


def cmd_framework_list(args: argparse.Namespace) -> int:
    from tacompanion.store.framework import all_summaries

    with open_study(args, create=False) as study:
        rows = all_summaries(study)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no summaries yet", file=sys.stderr)
        return 0
    for r in rows:
        who = f"{r['participant']}{' (pilot)' if r['pilot'] else ''}"
        print(f"{who}\t{r['column']}\t{' '.join(r['summary'].split())}")
    return 0
