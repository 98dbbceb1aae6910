"""The command line: `tacompanion [--db PATH] [COMMAND ...]`.

Commands that need no screen never import Textual, so that `--help` and
`guide check` answer fast; only the commands that open the app import `tui`.

Exit status: 0 success, 1 a problem with the input or the study file (one
clear message on stderr), 2 a usage error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence

from tacompanion import __version__

PROG = "tacompanion"

# Every command, for --help tests and the README; each has its own --help.
COMMANDS = (
    "guide", "backup", "interview", "import", "search", "code", "review", "stats",
    "export", "redact", "settings", "demo", "journal", "check",
)
EXPORT_KINDS = ("notes", "codings", "by-question", "qdpx", "report", "codebook", "quotes")


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

    command(
        "check",
        "check the study file for damage (SQLite's integrity check; exit 1 when damaged)",
        cmd_check,
    )

    code = command("code", "code transcripts and interview notes, keyboard only", cmd_code)
    code.add_argument(
        "transcript", nargs="?", metavar="TRANSCRIPT",
        help="the transcript's file name as imported (default: choose from a list)",
    )
    code.add_argument("--participant", metavar="ID",
                      help="open this participant's transcript (or, without one, their notes)")
    code.add_argument("--coder", metavar="NAME",
                      help="who is coding (default: the study's default coder, else your login name)")

    interview = command(
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

    export = sub.add_parser(
        "export",
        help="export the report, codebook, quotes, codings or notes",
        description=(
            "Export from the study. KIND says what. Every export applies the study's redaction "
            "list (see `tacompanion redact`) unless --no-redact is given."
        ),
    )
    _add_db_option(export, top=False)
    export_sub = export.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    _export_kind(
        export_sub, "notes", cmd_export_notes, "CSV",
        "interview notes as CSV, one row per note",
        "Interview notes as CSV, one row per note: participant, pilot, interview_start, "
        "elapsed (HH:MM:SS in the recording), section, question_id, question_text, kind, "
        "tags, text. Writes to standard output unless -o names a file.",
    )
    _export_kind(
        export_sub, "codings", cmd_export_codings, "CSV",
        "every coding as CSV, one row per coded extract",
        "Every coding as CSV: participant, transcript, segment, speaker, start, end, code, "
        "theme, coder, time, text, pilot. Writes to standard output unless -o names a file.",
    )
    by_question = _export_kind(
        export_sub, "by-question", cmd_export_by_question, "Markdown",
        "for each guide question, every participant's answers (Markdown)",
        "For each question of one guide: each participant's notes and, where assigned, "
        "transcript turns, from the interviews and transcripts that followed that guide. "
        "Writes to standard output unless -o names a file.",
    )
    by_question.add_argument(
        "--guide", metavar="TITLE_OR_ID",
        help="the guide: its id, its title or a unique part of it (default: the guide with the most "
        "interviews, the newest on a tie; with several guides the one used is named on stderr)",
    )
    qdpx = export_sub.add_parser(
        "qdpx",
        help="the study as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder",
        description=(
            "The study as a REFI-QDA project (.qdpx): participants as cases with their "
            "attributes, transcripts and each interview's notes as text sources, the theme tree "
            "as non-codable codes holding the codes, every coding, memos and the journal as "
            "notes. Exporting twice gives the same GUIDs."
        ),
    )
    _add_db_option(qdpx, top=False)
    qdpx.add_argument("-o", "--output", metavar="FILE", required=True, help="the .qdpx file to write (atomically)")
    qdpx.add_argument("--redact", action="store_true",
                      help="apply the study's redaction list to every exported text (positions follow)")
    qdpx.set_defaults(handler=cmd_export_qdpx)
    _add_report_exports(export_sub)

    imp = command(
        "import",
        "import transcripts (.txt .md .docx .vtt .srt), or a REFI-QDA project (.qdpx)",
        cmd_import,
    )
    imp.epilog = (
        "Turns are written 'Name: text' (in Markdown also '**Name:** text'); a paragraph "
        "without a label continues the previous speaker; without labels each paragraph "
        "is a segment. .vtt uses <v Name> voice tags, .srt a 'Name:' prefix; consecutive "
        "cues of one speaker become one turn. Text must be UTF-8 (BOM or not) or UTF-16 "
        "with a BOM. The whole batch is checked first: if any file is refused, nothing "
        "is imported. A .qdpx project is imported on its own, into an empty study (or "
        "with --merge into one with content, matched by GUID), all of it or nothing."
    )
    imp.add_argument("files", nargs="+", metavar="FILE", help="files, folders or globs ('*.vtt')")
    imp.add_argument(
        "--participant", metavar="ID",
        help="the participant's pseudonym (default: the single speaker who is not the "
        "interviewer, else the file name)",
    )
    imp.add_argument("--pilot", action="store_true", help="mark the participant as a pilot")
    imp.add_argument(
        "--replace", action="store_true",
        help="replace an earlier version of the same file (codings must keep their text)",
    )
    imp.add_argument(
        "--merge", action="store_true",
        help="for a .qdpx: import into a study that has content, adding what it lacks (by GUID)",
    )
    imp.add_argument(
        "--interviewer", metavar="LABEL", action="append", default=[],
        help="a speaker label that is the interviewer in these files, besides the study's "
        "(repeatable)",
    )

    search = command("search", "full-text search across transcripts", cmd_search)
    search.add_argument("words", nargs="+", metavar="WORDS",
                        help='words (all must occur), "a phrase", prefix*, a OR b')
    search.add_argument("--limit", type=int, default=100, metavar="N",
                        help="show at most N hits (0: all; default 100)")

    stats = command("stats", "the study in numbers (--json for scripts)", cmd_stats)
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument(
        "--rule", action="store_true",
        help="print only the prevalence rule in force (label, minimum, maximum, and what it "
        "means for this study's N); change it on the thematic map with p",
    )

    review = command(
        "review",
        "review a theme's extracts, participant by participant (without THEME: the thematic map)",
        cmd_review,
    )
    review.add_argument(
        "theme", nargs="?", metavar="THEME",
        help="the theme: its path 'Theme / Subtheme', or its name when that is unique",
    )
    review.add_argument("--coder", metavar="NAME",
                        help="who is coding (default: the study's default coder, else your login name)")

    settings = command(
        "settings",
        "show the study's settings, or change one: interviewer_labels, default_coder, analysis_scope",
        cmd_settings,
    )
    settings.add_argument("key", nargs="?", metavar="KEY", help="the setting to change")
    settings.add_argument("values", nargs="*", metavar="VALUE",
                          help="its new value (interviewer_labels takes several)")

    demo = command("demo", "create a demo study (MBT therapists) and open it", cmd_demo)
    demo.description = (
        "Create a demo study: the MBT therapists guide, four short synthetic interviews "
        "(.txt .md .vtt .srt) and live notes, then open it. Writes ./tacompanion-demo.db "
        "unless --db names another (new or empty) file."
    )
    for action in demo._actions:
        if action.dest == "db":
            # $TACOMPANION_DB names the real study: the demo never writes there.
            action.help = "the demo study to create (default: ./tacompanion-demo.db; $TACOMPANION_DB is not used)"
    demo.add_argument("--no-open", action="store_true", help="create it, do not open the app")

    redact = sub.add_parser(
        "redact",
        help="the redaction list: names and places replaced in every export",
        description=(
            "The study's redaction list: each FIND is replaced by its REPLACEMENT in every "
            "exported text (report, quotes, codebook, codings, notes, the clipboard), never in "
            "the stored transcripts. Matching ignores case and takes whole words (\"Ann\" "
            "leaves \"Anne\" alone); the longest FIND wins where two overlap."
        ),
    )
    _add_db_option(redact, top=False)
    redact_sub = redact.add_subparsers(dest="redact_command", metavar="ACTION", required=True)
    r_add = redact_sub.add_parser("add", help="add (or change) FIND -> REPLACEMENT",
                                  description="Add FIND -> REPLACEMENT, e.g. Tromsø '[city]'; "
                                  "a FIND already listed gets the new replacement.")
    _add_db_option(r_add, top=False)
    r_add.add_argument("find", metavar="FIND")
    r_add.add_argument("replacement", metavar="REPLACEMENT")
    r_add.set_defaults(handler=cmd_redact_add)
    r_list = redact_sub.add_parser("list", help="print the list", description="Print the list, FIND -> REPLACEMENT.")
    _add_db_option(r_list, top=False)
    r_list.set_defaults(handler=cmd_redact_list)
    r_remove = redact_sub.add_parser("remove", help="remove FIND from the list",
                                     description="Remove FIND from the list.")
    _add_db_option(r_remove, top=False)
    r_remove.add_argument("find", metavar="FIND")
    r_remove.set_defaults(handler=cmd_redact_remove)

    journal = sub.add_parser(
        "journal",
        help="the reflexive journal: add a dated entry, or print them",
        description=(
            "The study's reflexive journal (also on the home screen, key j). 'journal add TEXT' "
            "writes an entry dated today (or --date); TEXT '-' reads it from standard input. "
            "'journal list' prints every entry, oldest first. The report adds them with --journal."
        ),
    )
    _add_db_option(journal, top=False)
    journal_sub = journal.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    j_add = journal_sub.add_parser("add", help="write an entry", description="Write a journal entry.")
    _add_db_option(j_add, top=False)
    j_add.add_argument("text", nargs="+", metavar="TEXT", help="the entry ('-': read standard input)")
    j_add.add_argument("--date", metavar="YYYY-MM-DD", help="the day it is about (default: today)")
    j_add.set_defaults(handler=cmd_journal_add)
    j_list = journal_sub.add_parser("list", help="print every entry", description="Print every entry, oldest first.")
    _add_db_option(j_list, top=False)
    j_list.set_defaults(handler=cmd_journal_list)

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


def cmd_check(args: argparse.Namespace) -> int:
    from tacompanion.store.backup import integrity_problems

    with _open_study(args, create=False) as study:
        problems = integrity_problems(study)
    if problems:
        for problem in problems:
            print(f"{study.path}: {problem}", file=sys.stderr)
        raise CliError(f"{study.path}: the study file is damaged; restore it from a backup")
    print(f"{study.path}: ok, no damage found")
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

    with _open_study(args, create=True) as study:
        participant_id, guide_id = interviews.prepare_interview(
            study, source, guide, args.guide, pseudonym, pilot=args.pilot
        )
        if args.resume and not interviews.open_interviews(study, participant_id):
            raise CliError(f"{pseudonym} has no open interview to resume; leave out --resume")

        from tacompanion.tui.app import run_app
        from tacompanion.tui.screens.interview_start import InterviewRequest

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


def cmd_export_notes(args: argparse.Namespace) -> int:
    from tacompanion.formats.notes_csv import note_rows, redacted_rows, rows_to_csv

    with _open_study(args, create=False) as study:
        rows = redacted_rows(study, note_rows(study), args.redact)
    return _write_export(args.output, rows_to_csv(rows), len(rows), "note")


def cmd_export_codings(args: argparse.Namespace) -> int:
    from tacompanion.formats.codings_csv import CODING_COLUMNS, coding_rows
    from tacompanion.formats.notes_csv import redacted_rows, rows_to_csv

    with _open_study(args, create=False) as study:
        rows = redacted_rows(study, coding_rows(study), args.redact)
    return _write_export(args.output, rows_to_csv(rows, CODING_COLUMNS), len(rows), "coding")


def cmd_export_by_question(args: argparse.Namespace) -> int:
    from tacompanion.formats.by_question_md import by_question_markdown
    from tacompanion.store.by_question import find_guide, guide_list, study_guides

    with _open_study(args, create=False) as study:
        guides = study_guides(study)
        if args.guide is not None:
            try:
                chosen = find_guide(guides, args.guide)
            except LookupError as exc:
                raise CliError(str(exc)) from None
        else:
            chosen = guides[0] if guides else None
        text = by_question_markdown(study, redact=args.redact, guide_id=chosen.id if chosen else None)
    status = _write_export(args.output, text, text.count("\n### "), "question")
    if args.guide is None and len(guides) > 1:  # said once the export is written, not before
        others = guide_list([g for g in guides if g is not chosen])
        print(
            f"{PROG}: the study has {len(guides)} guides; exported {chosen.id} = {chosen.label}; "
            f"choose another with --guide: {others}",
            file=sys.stderr,
        )
    return status


# -- export report / codebook / quotes, and the redaction list -------------------------


def _add_redact_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-redact", dest="redact", action="store_false",
        help="leave out the study's redaction list (by default every export is redacted: "
        "see `tacompanion redact list`)",
    )


def _add_report_exports(export_sub) -> None:
    report = _export_kind(
        export_sub, "report", cmd_export_report, "report",
        "the analysis report as Markdown (themes, prevalence, quotes, the map)",
        "The analysis report as Markdown, to paste into a paper's draft: the data (pilots "
        "excluded, and said so), the prevalence rule, Table 1 of themes and subthemes, each "
        "theme's definition, prevalence and quotes (the starred ones, else a few "
        "representative extracts), and the thematic map (Mermaid mindmap and text tree). "
        "Writes to standard output unless -o names a file.",
    )
    report.add_argument("--journal", action="store_true", help="add the reflexive journal at the end")
    _export_kind(
        export_sub, "codebook", cmd_export_codebook, "CSV",
        "the codebook as CSV, one row per code",
        "The codebook as CSV, one row per code in the map's order: theme (its path, "
        "'Theme / Subtheme'; empty when unsorted), code, description, codings, participants "
        "and label (prevalence; pilots excluded). Writes to standard output unless -o names a file.",
    )
    quotes = _export_kind(
        export_sub, "quotes", cmd_export_quotes, "Markdown",
        "one theme's quotes as Markdown",
        "One theme (with its subthemes) as Markdown: definition, prevalence and quotes - the "
        "ones starred in the review (s), else a few representative extracts. Writes to "
        "standard output unless -o names a file.",
    )
    quotes.add_argument("--theme", required=True, metavar="NAME",
                        help="the theme: its path 'Theme / Subtheme', or its name when unique")


def _export_kind(export_sub, name: str, handler: Callable, what: str, help_text: str,
                 description: str) -> argparse.ArgumentParser:
    """One `export KIND`: --db, -o FILE, --no-redact and the handler; the
    caller adds what is particular to the kind."""
    kind = export_sub.add_parser(name, help=help_text, description=description)
    _add_db_option(kind, top=False)
    kind.add_argument("-o", "--output", metavar="FILE", help=f"write the {what} to FILE (atomically)")
    _add_redact_option(kind)
    kind.set_defaults(handler=handler)
    return kind


def cmd_export_report(args: argparse.Namespace) -> int:
    from tacompanion.formats.report_md import report_markdown

    with _open_study(args, create=False) as study:
        text = report_markdown(study, journal=args.journal, redact=args.redact)
    return _write_export(args.output, text, 1, "report", f"wrote the report to {args.output}")


def cmd_export_codebook(args: argparse.Namespace) -> int:
    from tacompanion.formats.report_md import CODEBOOK_COLUMNS, codebook_rows
    from tacompanion.formats.notes_csv import rows_to_csv

    with _open_study(args, create=False) as study:
        rows = codebook_rows(study, redact=args.redact)
    return _write_export(args.output, rows_to_csv(rows, CODEBOOK_COLUMNS), len(rows), "code")


def cmd_export_quotes(args: argparse.Namespace) -> int:
    from tacompanion.formats.report_md import quotes_markdown

    with _open_study(args, create=False) as study:
        theme_id = _theme_or_error(study, args.theme)
        text = quotes_markdown(study, theme_id, redact=args.redact)
    return _write_export(args.output, text, 1, "theme", f"wrote the quotes of '{args.theme}' to {args.output}")


def _theme_or_error(study, name: str) -> int:
    from tacompanion.store.themes import find_theme, list_themes

    theme_id = find_theme(study, name)
    if theme_id is None:
        names = ", ".join(repr(t.name) for t in list_themes(study) if t.parent_id is None) or "none yet"
        raise CliError(f"no theme {name!r} (main themes: {names})")
    return theme_id


def cmd_redact_add(args: argparse.Namespace) -> int:
    from tacompanion.store.redactions import add_redaction

    with _open_study(args, create=False) as study:
        done = add_redaction(study, args.find, args.replacement)
    find = " ".join(args.find.split())
    print({"added": f"added {find!r} -> {args.replacement!r}",
           "changed": f"changed: {find!r} -> {args.replacement!r}",
           "unchanged": f"{find!r} -> {args.replacement!r} is already on the list"}[done])
    return 0


def cmd_redact_list(args: argparse.Namespace) -> int:
    from tacompanion.store.redactions import list_redactions

    with _open_study(args, create=False) as study:
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

    with _open_study(args, create=False) as study:
        gone = remove_redaction(study, args.find)
    print(f"removed {gone.find!r} -> {gone.replacement!r}")
    return 0


def cmd_journal_add(args: argparse.Namespace) -> int:
    from tacompanion.store.journal import add_entry, list_entries

    text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
    with _open_study(args, create=False) as study:
        entry_id = add_entry(study, text, args.date)
        day = next(e.date for e in list_entries(study) if e.id == entry_id)
    print(f"added a journal entry for {day}")
    return 0


def cmd_journal_list(args: argparse.Namespace) -> int:
    from tacompanion.store.journal import list_entries

    with _open_study(args, create=False) as study:
        entries = list_entries(study)
    if not entries:
        print(f"the journal is empty; write the first entry with: {PROG} journal add TEXT")
        return 0
    for n, e in enumerate(reversed(entries)):
        print(("\n" if n else "") + f"## {e.date}\n\n{e.text.strip()}")
    return 0


def _write_export(output: str | None, text: str, count: int, what: str, done: str | None = None) -> int:
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



def cmd_export_qdpx(args: argparse.Namespace) -> int:
    from tacompanion.formats.qdpx_export import export_qdpx

    with _open_study(args, create=False) as study:
        try:
            result = export_qdpx(study, args.output, redacted=args.redact)
        except OSError as exc:
            raise CliError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
    c = result.counts
    print(
        f"wrote {args.output}: {c.get('participants', 0)} participants, {c.get('transcripts', 0)} transcripts, "
        f"{c.get('interview notes', 0)} interview notes, {c.get('themes', 0)} themes, {c.get('codes', 0)} codes, "
        f"{c.get('codings', 0):,} codings, {c.get('memos', 0)} memos, {c.get('journal entries', 0)} journal entries"
        + (" (redacted)" if args.redact else ""),
        file=sys.stderr,
    )
    for line in result.not_exported:
        print(f"  not exported: {line}", file=sys.stderr)
    return 0


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    from tacompanion.formats.qdpx_import import QdpxError, read_qdpx, summary_lines
    from tacompanion.store.qdpx import import_project
    from tacompanion.store.study import default_path

    if len(args.files) != 1:
        raise CliError("import a .qdpx project on its own, not together with other files")
    path = args.files[0]
    if args.participant or args.pilot or args.replace or args.interviewer:
        raise CliError("--participant, --pilot, --replace and --interviewer apply to transcripts, not to a .qdpx")
    if not os.path.isfile(path):
        raise CliError(f"{path}: no such file")
    try:
        project = read_qdpx(path)  # the whole file first: a bad one leaves no study behind
    except QdpxError as exc:
        raise CliError(str(exc)) from None
    with _study_to_fill(default_path(args.db)) as study:
        summary = import_project(study, project, merge=args.merge)
    print("\n".join(summary_lines(summary, path)))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tacompanion.formats.transcript_import import apply_import, plan_import
    from tacompanion.store.study import default_path

    if any(str(f).lower().endswith(".qdpx") for f in args.files):
        return cmd_import_qdpx(args)
    if args.merge:
        raise CliError("--merge applies to a .qdpx project only")

    progress = _progress_printer("reading") if sys.stderr.isatty() else None
    with _study_to_fill(default_path(args.db)) as study:
        plan = plan_import(
            study, args.files, participant=args.participant, interviewer=args.interviewer,
            replace=args.replace, progress=progress,
        )
        if not plan.ok:
            for line in plan.errors:
                print(f"{PROG}: error: {line}", file=sys.stderr)
            raise CliError(
                "nothing imported" if len(plan.errors) == 1 and not plan.items
                else f"nothing imported: {len(plan.errors)} of "
                f"{len(plan.errors) + len(plan.items)} files refused"
            )
        progress = _progress_printer("importing") if sys.stderr.isatty() else None
        results = apply_import(study, plan, pilot=args.pilot, replace=args.replace, progress=progress)
    for r in results:
        verb = "replaced" if r.replaced else "imported"
        kept = f"; {r.codings_kept} codings kept" if r.replaced else ""
        turns = f"{r.segments:,} turn{'s' if r.segments != 1 else ''}"
        words = f"{r.words:,} word{'s' if r.words != 1 else ''}"
        print(f"{verb} {r.file_name} for {r.participant}: {turns}, {words}{kept}")
    if len(results) > 1:
        print(f"{len(results)} transcripts imported")
    return 0


def _progress_printer(verb: str) -> Callable[[int, int, str], None]:
    """A one-line progress bar on stderr, for batches worth waiting for."""

    def show(done: int, total: int, path: str) -> None:
        if total < 5:
            return
        width = 30
        filled = width * done // total
        end = "\n" if done == total else ""
        print(f"\r{verb} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end,
              file=sys.stderr, flush=True)

    return show


def cmd_search(args: argparse.Namespace) -> int:
    from tacompanion.core.search import MARK_END, MARK_START, SearchQueryError
    from tacompanion.core.transcript import format_clock
    from tacompanion.store.transcripts import search_segments

    text = " ".join(args.words)
    with _open_study(args, create=False) as study:
        try:
            result = search_segments(study, text, limit=args.limit if args.limit > 0 else None)
            hits, total, files = result.hits, result.total, result.transcripts
        except SearchQueryError as exc:
            raise CliError(str(exc)) from None
    if not hits:
        print(f"no hits for {text!r}")
        return 0
    bold = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    on, off = ("\x1b[1m", "\x1b[0m") if bold else ("\u00ab", "\u00bb")
    for h in hits:
        time = f"  {format_clock(h.start_ms)}" if h.start_ms is not None else ""
        speaker = f"  {h.speaker}" if h.speaker else ""
        print(f"{h.participant}  {h.file_name}  turn {h.position + 1}{time}{speaker}")
        snippet = " ".join(h.snippet.split()).replace(MARK_START, on).replace(MARK_END, off)
        print(f"    {snippet}")
    more = f" (showing {len(hits)}; --limit 0 shows all)" if total > len(hits) else ""
    print(f"{total} hit{'s' if total != 1 else ''} in {files} transcript{'s' if files != 1 else ''}{more}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from tacompanion.store.stats import stats_table, study_stats

    with _open_study(args, create=False) as study:
        if args.rule:
            from tacompanion.store.stats import rule_lines

            print("\n".join(rule_lines(study)))
            return 0
        stats = study_stats(study)
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        print(stats_table(stats))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tacompanion.formats.demo import DEMO_FILE_NAME, create_demo_study
    from tacompanion.store.study import Study

    path = Path(args.db or DEMO_FILE_NAME)
    with _study_to_fill(path) as study:
        summary = create_demo_study(study)
    print(f"created the demo study {path}: {summary}")
    if args.no_open:
        print(f"open it with: {PROG} --db {path}")
        return 0
    from tacompanion.tui.app import run_app

    with Study.open(path) as study:
        run_app(study)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    import json

    from tacompanion.store.settings import all_settings, change_setting

    with _open_study(args, create=False) as study:
        if args.key is None:
            for key, value, meaning, editable in all_settings(study):
                shown = json.dumps(value, ensure_ascii=False)
                if len(shown) > 70:
                    shown = shown[:67] + "..."
                print(f"{key} = {shown}{'' if editable else '  (read-only here)'}")
                print(f"    {meaning}")
            return 0
        if not args.values and args.key != "default_coder":
            raise CliError(f"give the new value: {PROG} settings {args.key} VALUE")
        value = change_setting(study, args.key, args.values)
    print(f"{args.key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    from tacompanion.store.documents import find_document

    with _open_study(args, create=False) as study:
        start = None
        if args.transcript or args.participant:
            try:
                start = find_document(study, args.transcript, args.participant)
            except LookupError as exc:
                raise CliError(str(exc)) from None
        from tacompanion.tui.app import run_app

        run_app(study, coder=args.coder, start=start or ("documents", 0))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from tacompanion.store.themes import find_theme, list_themes

    with _open_study(args, create=False) as study:
        start: tuple[str, int] = ("map", 0)
        if args.theme:
            theme_id = find_theme(study, args.theme)
            if theme_id is None:
                names = ", ".join(t.name for t in list_themes(study) if t.parent_id is None) or "none yet"
                raise CliError(f"no theme {args.theme!r} (main themes: {names})")
            start = ("review", theme_id)
        from tacompanion.tui.app import run_app

        run_app(study, coder=args.coder, start=start)
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from tacompanion.tui.app import run_app

    with _open_study(args, create=True) as study:
        run_app(study)
    return 0


def _open_study(args: argparse.Namespace, *, create: bool):
    from tacompanion.store.study import Study, default_path

    return Study.open(default_path(getattr(args, "db", None)), create=create)


@contextlib.contextmanager
def _study_to_fill(path: os.PathLike | str):
    """Open (or create) the study that a command fills; when the command
    fails and the study did not exist before, leave no empty file behind."""
    from pathlib import Path

    from tacompanion.store.study import Study

    existed = Path(path).exists()
    study = Study.open(path, create=True)
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


if __name__ == "__main__":
    raise SystemExit(main())
