"""Commands of the desk: `code`, `search`, `stats` and `review`."""

from __future__ import annotations

import argparse
import os
import sys

from tacompanion.cli.common import CliError, add_command, open_study, theme_or_error

CODER_HELP = "who is coding (default: the study's default coder, else your login name)"


def register(sub) -> None:
    code = add_command(sub, "code", "code transcripts and interview notes, keyboard only", cmd_code)
    code.add_argument(
        "transcript", nargs="?", metavar="TRANSCRIPT",
        help="the transcript's file name as imported (default: choose from a list)",
    )
    code.add_argument("--participant", metavar="ID",
                      help="open this participant's transcript (or, without one, their notes)")
    code.add_argument("--coder", metavar="NAME", help=CODER_HELP)

    search = add_command(sub, "search", "full-text search across transcripts and interview notes", cmd_search)
    search.add_argument("words", nargs="+", metavar="WORDS",
                        help='words (all must occur), "a phrase", prefix*, a OR b')
    search.add_argument("--limit", type=int, default=100, metavar="N",
                        help="show at most N hits (0: all; default 100)")

    stats = add_command(sub, "stats", "the study in numbers (--json for scripts)", cmd_stats)
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument(
        "--rule", action="store_true",
        help="print only the prevalence rule in force (label, minimum, maximum, and what it "
        "means for this study's N); change it on the thematic map with p",
    )

    review = add_command(
        sub,
        "review",
        "review a theme's extracts, participant by participant (without THEME: the thematic map)",
        cmd_review,
    )
    review.add_argument(
        "theme", nargs="?", metavar="THEME",
        help="the theme: its path 'Theme / Subtheme', or its name when that is unique",
    )
    review.add_argument("--coder", metavar="NAME", help=CODER_HELP)


def cmd_code(args: argparse.Namespace) -> int:
    from tacompanion.store.documents import find_document

    with open_study(args, create=False) as study:
        start = None
        if args.transcript or args.participant:
            try:
                start = find_document(study, args.transcript, args.participant)
            except LookupError as exc:
                raise CliError(str(exc)) from None
        from tacompanion.tui.app import run_app

        run_app(study, coder=args.coder, start=start or ("documents", 0))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from tacompanion.core.search import MARK_END, MARK_START, SearchQueryError
    from tacompanion.core.transcript import format_clock
    from tacompanion.store.notes import search_notes
    from tacompanion.store.transcripts import search_segments

    text = " ".join(args.words)
    with open_study(args, create=False) as study:
        try:
            result = search_segments(study, text, limit=args.limit if args.limit > 0 else None)
            hits, total, files = result.hits, result.total, result.transcripts
            notes = search_notes(study, text, limit=args.limit if args.limit > 0 else None)
        except SearchQueryError as exc:
            raise CliError(str(exc)) from None
    if not hits and not notes.hits:
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
    for n in notes.hits:
        time = f"  {format_clock(n.recording_ms)}" if n.recording_ms is not None else ""
        print(f"{n.participant}  {n.interview}  {n.kind}{time}")
        snippet = " ".join(n.snippet.split()).replace(MARK_START, on).replace(MARK_END, off)
        print(f"    {snippet}")
    if total or not notes.total:
        more = f" (showing {len(hits)}; --limit 0 shows all)" if total > len(hits) else ""
        print(f"{total} hit{'s' if total != 1 else ''} in {files} transcript{'s' if files != 1 else ''}{more}")
    if notes.total:
        more = f" (showing {len(notes.hits)}; --limit 0 shows all)" if notes.total > len(notes.hits) else ""
        print(f"{notes.total} hit{'s' if notes.total != 1 else ''} in the notes of {notes.interviews} "
              f"interview{'s' if notes.interviews != 1 else ''}{more}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from tacompanion.store.stats import prevalence_rule_rows, study_stats

    with open_study(args, create=False) as study:
        if args.rule:
            from tacompanion.cli.stats_text import rule_lines
            from tacompanion.store.analysis import analysis_coders

            print("\n".join(rule_lines(*prevalence_rule_rows(study), analysis_coders(study))))
            return 0
        stats = study_stats(study)
    if args.json:
        import json

        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        from tacompanion.cli.stats_text import stats_table

        print(stats_table(stats))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    with open_study(args, create=False) as study:
        start: tuple[str, int] = ("map", 0)
        if args.theme:
            start = ("review", theme_or_error(study, args.theme, quoted=False))
        from tacompanion.tui.app import run_app

        run_app(study, coder=args.coder, start=start)
    return 0
