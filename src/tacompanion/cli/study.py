"""Commands about the study file itself: `backup`, `check`, `settings`,
`demo`, the redaction list and the reflexive journal; and opening the app."""

from __future__ import annotations

import argparse
import sys

from tacompanion.cli.common import (
    PROG,
    CliError,
    add_action,
    add_command,
    add_group,
    open_study,
    study_to_fill,
)


def register(sub) -> None:
    backup = add_command(
        sub,
        "backup",
        "write a consistent copy of the study (safe while it is open elsewhere)",
        cmd_backup,
    )
    backup.add_argument("path", metavar="PATH",
                        help="the copy to write: a file, or a folder (a path ending in / is a folder, made if it does not exist)")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")

    add_command(
        sub,
        "check",
        "check the study file for damage (SQLite's integrity check; exit 1 when damaged)",
        cmd_check,
    )

    settings = add_command(
        sub,
        "settings",
        "show the study's settings, or change one: interviewer_labels, default_coder, analysis_scope",
        cmd_settings,
    )
    settings.add_argument("key", nargs="?", metavar="KEY", help="the setting to change")
    settings.add_argument("values", nargs="*", metavar="VALUE",
                          help="its new value (interviewer_labels takes several)")

    # $TACOMPANION_DB names the real study: the demo never writes there.
    demo = add_command(
        sub, "demo", "create a demo study (MBT therapists) and open it", cmd_demo,
        db_help="the demo study to create (default: ./tacompanion-demo.db; $TACOMPANION_DB is not used)",
    )
    demo.description = (
        "Create a demo study: the MBT therapists guide, four short synthetic interviews "
        "(.txt .md .vtt .srt) and live notes, then open it. Writes ./tacompanion-demo.db "
        "unless --db names another (new or empty) file."
    )
    demo.add_argument("--no-open", action="store_true", help="create it, do not open the app")

    redact = add_group(
        sub, "redact",
        "the redaction list: names and places replaced in every export",
        "The study's redaction list: each FIND is replaced by its REPLACEMENT in every "
        "exported text (report, quotes, codebook, codings, notes, the clipboard), never in "
        "the stored transcripts. Matching ignores case and takes whole words (\"Ann\" "
        "leaves \"Anne\" alone); the longest FIND wins where two overlap.",
        "redact_command",
    )
    r_add = add_action(redact, "add", "add (or change) FIND -> REPLACEMENT",
                       "Add FIND -> REPLACEMENT, e.g. Tromsø '[city]'; "
                       "a FIND already listed gets the new replacement.", cmd_redact_add)
    r_add.add_argument("find", metavar="FIND")
    r_add.add_argument("replacement", metavar="REPLACEMENT")
    add_action(redact, "list", "print the list", "Print the list, FIND -> REPLACEMENT.", cmd_redact_list)
    r_remove = add_action(redact, "remove", "remove FIND from the list", "Remove FIND from the list.",
                          cmd_redact_remove)
    r_remove.add_argument("find", metavar="FIND")

    journal = add_group(
        sub, "journal",
        "the reflexive journal: add a dated entry, or print them",
        "The study's reflexive journal (also on the home screen, key j). 'journal add TEXT' "
        "writes an entry dated today (or --date); TEXT '-' reads it from standard input. "
        "'journal list' prints every entry, oldest first. The report adds them with --journal.",
        "journal_command",
    )
    j_add = add_action(journal, "add", "write an entry", "Write a journal entry.", cmd_journal_add)
    j_add.add_argument("text", nargs="+", metavar="TEXT", help="the entry ('-': read standard input)")
    j_add.add_argument("--date", metavar="YYYY-MM-DD", help="the day it is about (default: today)")
    add_action(journal, "list", "print every entry", "Print every entry, oldest first.", cmd_journal_list)


def cmd_backup(args: argparse.Namespace) -> int:
    from tacompanion.store.backup import backup_study

    with open_study(args, create=False) as study:
        dest = backup_study(study, args.path, overwrite=args.force)
    print(f"backed up {study.path} to {dest}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    # Read-only, without opening it as a study (no upgrade, no journal mode
    # change): works on any damaged file, a read-only one, on a full disk.
    from tacompanion.store.backup import check_file
    from tacompanion.store.study import default_path

    path = default_path(getattr(args, "db", None))
    problems = check_file(path)
    if problems:
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        raise CliError(f"{path}: the study file is damaged; restore it from a backup")
    print(f"{path}: ok, no damage found")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    import json

    from tacompanion.store.settings import all_settings, change_setting

    with open_study(args, create=False) as study:
        if args.key is None:
            for key, value, meaning, editable in all_settings(study):
                shown = json.dumps(value, ensure_ascii=False)
                if len(shown) > 70:
                    shown = shown[:67] + "..."
                print(f"{key} = {shown}{'' if editable else '  (read-only here)'}")
                print(f"    {meaning}")
            return 0
        from tacompanion.store.settings import MAY_BE_EMPTY

        if not args.values and args.key not in MAY_BE_EMPTY:
            raise CliError(f"give the new value: {PROG} settings {args.key} VALUE")
        value = change_setting(study, args.key, args.values)
    print(f"{args.key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tacompanion.formats.demo import DEMO_FILE_NAME, create_demo_study
    from tacompanion.store.study import Study

    path = Path(args.db or DEMO_FILE_NAME)
    with study_to_fill(path) as study:
        summary = create_demo_study(study)
    print(f"created the demo study {path}: {summary}")
    if args.no_open:
        print(f"open it with: {PROG} --db {path}")
        return 0
    from tacompanion.tui.app import run_app

    with Study.open(path) as study:
        run_app(study)
    return 0


def cmd_redact_add(args: argparse.Namespace) -> int:
    from tacompanion.store.redactions import add_redaction

    with open_study(args, create=False) as study:
        done = add_redaction(study, args.find, args.replacement)
    find = " ".join(args.find.split())
    print({"added": f"added {find!r} -> {args.replacement!r}",
           "changed": f"changed: {find!r} -> {args.replacement!r}",
           "unchanged": f"{find!r} -> {args.replacement!r} is already on the list"}[done])
    return 0


def cmd_redact_list(args: argparse.Namespace) -> int:
    from tacompanion.store.redactions import list_redactions

    with open_study(args, create=False) as study:
        pairs = list_redactions(study)
    if not pairs:
        print(f"the redaction list is empty; add a name with: {PROG} redact add FIND REPLACEMENT")
        return 0
    width = max(len(p.find) for p in pairs)
    for p in pairs:
        print(f"{p.find:<{width}}  ->  {p.replacement}")
    return 0


def cmd_redact_remove(args: argparse.Namespace) -> int:
    from tacompanion.store.redactions import remove_redaction

    with open_study(args, create=False) as study:
        gone = remove_redaction(study, args.find)
    print(f"removed {gone.find!r} -> {gone.replacement!r}")
    return 0


def cmd_journal_add(args: argparse.Namespace) -> int:
    from tacompanion.store.journal import add_entry, entry_day

    text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
    day = entry_day(args.date)  # known before the write: nothing is read after it
    with open_study(args, create=False) as study:
        add_entry(study, text, day)
    print(f"added a journal entry for {day}")
    return 0


def cmd_journal_list(args: argparse.Namespace) -> int:
    from tacompanion.store.journal import list_entries

    with open_study(args, create=False) as study:
        entries = list_entries(study)
    if not entries:
        print(f"the journal is empty; write the first entry with: {PROG} journal add TEXT")
        return 0
    for n, e in enumerate(reversed(entries)):
        print(("\n" if n else "") + f"## {e.date}\n\n{e.text.strip()}")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from tacompanion.tui.app import run_app

    with open_study(args, create=True) as study:
        run_app(study)
    return 0
