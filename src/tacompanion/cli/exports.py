"""`export KIND`: notes, codings, answers by question, the report, the
codebook, one theme's quotes, and the REFI-QDA project."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from tacompanion.cli.common import (
    PROG,
    CliError,
    add_db_option,
    open_study,
    theme_or_error,
    write_binary,
    write_export,
)


def register(sub) -> None:
    export = sub.add_parser(
        "export",
        help="export the report, codebook, quotes, codings or notes",
        description=(
            "Export from the study. KIND says what. Every export applies the study's redaction "
            "list (see `tacompanion redact`) unless --no-redact is given."
        ),
    )
    add_db_option(export, top=False)
    export_sub = export.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    export_kind(
        export_sub, "notes", cmd_export_notes, "CSV",
        "interview notes as CSV, one row per note",
        "Interview notes as CSV, one row per note: participant, pilot, interview_start, "
        "elapsed (HH:MM:SS in the recording), section, question_id, question_text, kind, "
        "tags, text. Writes to standard output unless -o names a file.",
    )
    export_kind(
        export_sub, "codings", cmd_export_codings, "CSV",
        "every coding as CSV, one row per coded extract",
        "Every coding as CSV: participant, transcript, segment, speaker, start, end, code, "
        "theme, coder, time, text, pilot. Writes to standard output unless -o names a file.",
    )
    by_question = export_kind(
        export_sub, "by-question", cmd_export_by_question, "Markdown",
        "for each guide question, every participant's answers (Markdown)",
        "For each question of one guide: each participant's notes and, where assigned, "
        "transcript turns, from the interviews and transcripts that followed that guide. "
        "Writes to standard output unless -o names a file.",
    )
    add_format_option(by_question, ("md", "docx"))
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
            "as non-codable codes holding the codes, every coding; participant, transcript and "
            "study memos as the Descriptions other tools read, the journal as notes with a text "
            "file, other memos as notes. Exporting twice gives the same GUIDs."
        ),
    )
    add_db_option(qdpx, top=False)
    qdpx.add_argument("-o", "--output", metavar="FILE", required=True, help="the .qdpx file to write (atomically)")
    qdpx.add_argument("--qualify-names", action="store_true",
                      help="write codes and themes that share a name with their parent's name added "
                      "(QualCoder merges codes of the same name)")
    add_redact_option(qdpx)
    recordings = qdpx.add_mutually_exclusive_group()
    recordings.add_argument("--media", action="store_true",
                            help="put attached recordings in the archive, as audio/video sources with the "
                            "transcript's turn times as SyncPoints")
    recordings.add_argument("--media-link", action="store_true",
                            help="the same, but only name where each recording is (the archive stays small)")
    qdpx.set_defaults(handler=cmd_export_qdpx)
    _add_report_exports(export_sub)


def add_redact_option(parser: argparse.ArgumentParser) -> None:
    """--no-redact, the same on every export; --redact is still accepted (it
    was the way to redact a .qdpx) and changes nothing: redacting is the default."""
    parser.add_argument(
        "--no-redact", dest="redact", action="store_false",
        help="leave out the study's redaction list (by default every export is redacted, every "
        "field of it: see `tacompanion redact list` and docs/redaction.md)",
    )
    parser.add_argument("--redact", dest="redact", action="store_true", default=True,
                        help=argparse.SUPPRESS)


def _add_report_exports(export_sub) -> None:
    report = export_kind(
        export_sub, "report", cmd_export_report, "report",
        "the analysis report as Markdown (themes, prevalence, quotes, the map)",
        "The analysis report as Markdown, to paste into a paper's draft: the data (pilots "
        "excluded, and said so), the prevalence rule, Table 1 of themes and subthemes, each "
        "theme's definition, prevalence and quotes (the starred ones, else a few "
        "representative extracts), and the thematic map (Mermaid mindmap and text tree). "
        "Writes to standard output unless -o names a file.",
    )
    report.add_argument("--journal", action="store_true", help="add the reflexive journal at the end")
    report.add_argument("--saturation", action="store_true",
                        help="add the saturation table and the stopping rule's verdict at the end")
    report.add_argument("--audit", action="store_true",
                        help="end with a summary of the audit trail (counts per kind of decision, "
                        "first and last dates)")
    audit = export_kind(
        export_sub, "audit", cmd_export_audit, "audit trail",
        "every analytic decision in time order (CSV, Markdown or Word)",
        "The audit trail: every analytic decision in time order, with when (UTC), who (the "
        "coder), the decision (create, rename, merge, split, delete, apply, remove, move to a "
        "theme, status change, definition, memo, ...), what was done with the names of that "
        "moment, and whether it was later undone. CSV unless -o ends in .md or .docx (or "
        "--format says). Writes CSV to standard output unless -o names a file.",
    )
    audit.add_argument("--format", choices=("csv", "md", "docx"), help="the file type (default: from -o)")
    audit.add_argument("--coder", metavar="NAME", help="only this coder's decisions")
    audit.add_argument("--since", metavar="YYYY-MM-DD", help="only decisions from this day on")
    audit.add_argument("--until", metavar="YYYY-MM-DD", help="only decisions up to this day")
    report.add_argument("--codebook", action="store_true",
                        help="add the codebook (definitions, criteria, examples) as an appendix")
    add_format_option(report, ("md", "docx"))
    codebook = export_kind(
        export_sub, "codebook", cmd_export_codebook, "CSV",
        "the codebook as CSV, one row per code",
        "The codebook as CSV, one row per code in the map's order: theme (its path, "
        "'Theme / Subtheme'; empty when unsorted), code, description (its definition), codings, "
        "participants and label (prevalence; pilots excluded), include and exclude (the criteria) "
        "and example (the example extract, with its pseudonym). Writes to standard output unless "
        "-o names a file; -o FILE.md writes it as Markdown, -o FILE.docx as a Word document.",
    )
    add_format_option(codebook, ("csv", "md", "docx"))
    quotes = export_kind(
        export_sub, "quotes", cmd_export_quotes, "Markdown",
        "one theme's quotes as Markdown",
        "One theme (with its subthemes) as Markdown: definition, prevalence and quotes - the "
        "ones starred in the review (s), else a few representative extracts. Writes to "
        "standard output unless -o names a file.",
    )
    add_format_option(quotes, ("md", "docx"))
    framework = export_kind(
        export_sub, "framework", cmd_export_framework, "matrix",
        "the framework matrix with its summaries (CSV, Markdown or Word)",
        "The framework matrix: one row per participant, one column per main theme (--by "
        "themes), subtheme (subthemes) or guide question (questions) or section (sections), "
        "each cell the written summary. CSV by default; -o FILE.md writes Markdown (the matrix, "
        "then each column read down), -o FILE.docx a Word document. Pilot participants are left "
        "out unless --pilots.",
    )
    framework.add_argument("--by", choices=("themes", "subthemes", "questions", "sections"),
                           default="themes", help="the columns (default: themes)")
    framework.add_argument("--pilots", action="store_true", help="include pilot participants (marked)")
    framework.add_argument("--group-by", metavar="ATTRIBUTE",
                           help="group the participants by this attribute (a column of its own)")
    add_format_option(framework, ("csv", "md", "docx"))
    quotes.add_argument("--theme", required=True, metavar="NAME",
                        help="the theme: its path 'Theme / Subtheme', or its name when unique")


def add_format_option(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument(
        "--format", choices=formats, default=None,
        help=f"what to write ({', '.join(formats)}; default: from -o FILE's extension, "
        f"else {formats[0]}); docx is a Word document with headings, tables and quotes",
    )


def output_format(args: argparse.Namespace, default: str) -> str:
    """--format, else the -o FILE's extension when it is one the export writes."""
    if getattr(args, "format", None):
        return args.format
    output = (args.output or "").lower()
    for fmt, ext in (("docx", ".docx"), ("md", ".md"), ("md", ".markdown"), ("csv", ".csv")):
        if output.endswith(ext):
            return fmt
    return default


def export_kind(export_sub, name: str, handler: Callable, what: str, help_text: str,
                 description: str) -> argparse.ArgumentParser:
    """One `export KIND`: --db, -o FILE, --no-redact and the handler; the
    caller adds what is particular to the kind."""
    kind = export_sub.add_parser(name, help=help_text, description=description)
    add_db_option(kind, top=False)
    kind.add_argument("-o", "--output", metavar="FILE", help=f"write the {what} to FILE (atomically)")
    add_redact_option(kind)
    kind.set_defaults(handler=handler)
    return kind


def cmd_export_notes(args: argparse.Namespace) -> int:
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.notes_csv import note_rows, redacted_rows, rows_to_csv

    with open_study(args, create=False) as study, LongWork("exporting notes"):
        rows = redacted_rows(study, note_rows(study), args.redact)
        text = rows_to_csv(rows)
    return write_export(args.output, text, len(rows), "note")


def cmd_export_codings(args: argparse.Namespace) -> int:
    """Streamed: one document's codings at a time go from the study to the
    file (or standard output), so memory does not grow with the study."""
    import io

    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.atomic_write import atomic_output
    from tacompanion.formats.codings_csv import write_codings_csv

    with open_study(args, create=False) as study, LongWork("exporting codings") as work:
        total = study.scalar("SELECT count(*) FROM codings")

        def progress(done: int) -> None:
            work.update(done, total)

        if args.output in (None, "-"):
            write_codings_csv(study, sys.stdout, redact=args.redact, progress=progress)
            sys.stdout.flush()
            return 0
        try:
            with atomic_output(args.output) as handle:
                out = io.TextIOWrapper(handle, encoding="utf-8", newline="")
                count = write_codings_csv(study, out, redact=args.redact, progress=progress)
                out.flush()
                out.detach()
        except OSError as exc:
            raise CliError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
    print(f"wrote {count} coding{'s' if count != 1 else ''} to {args.output}", file=sys.stderr)
    return 0


def cmd_export_by_question(args: argparse.Namespace) -> int:
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.by_question_md import by_question_parts
    from tacompanion.formats.docx_writer import is_docx
    from tacompanion.store.by_question import answers_by_question, find_guide, guide_list, study_guides

    word = _needs_file(args, is_docx(args.output, args.format))
    with open_study(args, create=False) as study, LongWork("gathering answers by question") as work:
        guides = study_guides(study)
        if args.guide is not None:
            try:
                chosen = find_guide(guides, args.guide)
            except LookupError as exc:
                raise CliError(str(exc)) from None
        else:
            chosen = guides[0] if guides else None
        data = answers_by_question(study, chosen.id if chosen else None)
        questions = sum(len(s.questions) for s in data.guide.sections) if data.guide is not None else 0
        work.stage("writing answers by question")
        parts = by_question_parts(data, study, redact=args.redact)
        del data  # the parts hold it while they are made, no longer
        if word:  # the Word document made from the parts as they come, its body spilled as it grows
            made = _document(args, parts)
        else:  # Markdown: written as it is made (tens of megabytes on a large study)
            write_parts(args.output, parts)
            made = None
    status = _written(args, made, questions, "question")
    if args.guide is None and len(guides) > 1:  # said once the export is written, not before
        others = guide_list([g for g in guides if g is not chosen])
        print(
            f"{PROG}: the study has {len(guides)} guides; exported {chosen.id} = {chosen.label}; "
            f"choose another with --guide: {others}",
            file=sys.stderr,
        )
    return status


def write_parts(output: str | None, parts) -> None:
    """Text given in parts, to standard output or atomically to a file, as
    it comes (the count is said by _written, once a progress bar is gone)."""
    if output in (None, "-"):
        for part in parts:
            sys.stdout.write(part)
        sys.stdout.flush()
        return
    from tacompanion.formats.atomic_write import atomic_output

    try:
        with atomic_output(output) as handle:
            for part in parts:
                handle.write(part.encode("utf-8"))
    except OSError as exc:
        raise CliError(f"{output}: cannot write ({exc.strerror or exc})") from None


def _needs_file(args: argparse.Namespace, word: bool) -> bool:
    """Whether the export is a Word document; one needs a file (said before any work)."""
    if word and args.output in (None, "-"):
        raise CliError("a Word document needs a file: give -o FILE.docx")
    return word


def _document(args: argparse.Namespace, markdown) -> str | bytes:
    """What write_document writes, made while the progress bar shows: the
    Markdown, or the Word document made from it."""
    from tacompanion.formats.docx_writer import is_docx, markdown_to_docx

    if _needs_file(args, is_docx(args.output, getattr(args, "format", None))):
        return markdown_to_docx(markdown)
    return markdown


def _written(args: argparse.Namespace, made: str | bytes | None, count: int, what: str,
             done: str | None = None) -> int:
    """`made` (see _document) written as write_document writes it, with its
    line on stderr; None: written already (write_parts), only the line."""
    if isinstance(made, bytes):
        return write_binary(args.output, made, count, what, done)
    if made is not None:
        return write_export(args.output, made, count, what, done)
    if args.output not in (None, "-"):
        print(done or f"wrote {count} {what}{'s' if count != 1 else ''} to {args.output}", file=sys.stderr)
    return 0


def cmd_export_report(args: argparse.Namespace) -> int:
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.report_md import report_markdown

    with open_study(args, create=False) as study, LongWork("writing the report"):
        made = _document(args, report_markdown(study, journal=args.journal, redact=args.redact,
                                               saturation=args.saturation, audit=args.audit,
                                               codebook=args.codebook))
    return _written(args, made, 1, "report", f"wrote the report to {args.output}")


def cmd_export_codebook(args: argparse.Namespace) -> int:
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.notes_csv import rows_to_csv
    from tacompanion.formats.report_md import CODEBOOK_COLUMNS, codebook_markdown, codebook_rows

    fmt = output_format(args, "csv")
    args.format = fmt
    with open_study(args, create=False) as study, LongWork("writing the codebook"):
        if fmt == "csv":
            rows = codebook_rows(study, redact=args.redact)
            made, count = rows_to_csv(rows, CODEBOOK_COLUMNS), len(rows)
        else:
            text = codebook_markdown(study, redact=args.redact)
            made, count = _document(args, text), text.count("\n### ")
    return _written(args, made, count, "code")


def cmd_export_quotes(args: argparse.Namespace) -> int:
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.report_md import quotes_markdown

    with open_study(args, create=False) as study, LongWork("writing the quotes"):
        theme_id = theme_or_error(study, args.theme)
        made = _document(args, quotes_markdown(study, theme_id, redact=args.redact))
    return _written(args, made, 1, "theme", f"wrote the quotes of '{args.theme}' to {args.output}")


def cmd_export_framework(args: argparse.Namespace) -> int:
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.framework_export import framework_csv, framework_markdown
    from tacompanion.store.framework import attribute_names, framework
    from tacompanion.store.study import StudyError

    fmt = output_format(args, "csv")
    args.format = fmt
    with open_study(args, create=False) as study, LongWork("writing the framework"):
        if args.group_by and args.group_by not in attribute_names(study):
            names = ", ".join(attribute_names(study)) or "none"
            raise CliError(f"no participant attribute {args.group_by!r} (attributes: {names})")
        try:
            fw = framework(study, args.by, group_by=args.group_by)
        except StudyError as exc:
            raise CliError(str(exc)) from None
        rows = len([r for r in fw.rows if args.pilots or not r.pilot])
        if fmt == "csv":
            made = framework_csv(study, fw, pilots=args.pilots, redact=args.redact)
        else:
            made = _document(args, framework_markdown(study, fw, pilots=args.pilots, redact=args.redact))
    return _written(args, made, rows, "participant")


def cmd_export_qdpx(args: argparse.Namespace) -> int:
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.qdpx_export import export_qdpx

    with open_study(args, create=False) as study, LongWork("exporting sources") as work:
        try:
            media = "embed" if getattr(args, "media", False) else "link" if getattr(args, "media_link", False) else None
            result = export_qdpx(study, args.output, redacted=args.redact, qualify_names=args.qualify_names,
                                 progress=work.update, media=media)
        except OSError as exc:
            raise CliError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
    c = result.counts
    print(
        f"wrote {args.output}: {c.get('participants', 0)} participants, {c.get('transcripts', 0)} transcripts, "
        f"{c.get('interview notes', 0)} interview notes, {c.get('themes', 0)} themes, {c.get('codes', 0)} codes, "
        f"{c.get('codings', 0):,} codings, {c.get('memos', 0)} memos, {c.get('journal entries', 0)} journal entries"
        + (f", {c['recordings']} recording{'s' if c['recordings'] != 1 else ''}" if c.get("recordings") else "")
        + (f", {c['framework summaries']} framework summaries" if c.get("framework summaries") else "")
        + (" (redacted)" if args.redact else ""),
        file=sys.stderr,
    )
    for line in result.not_exported:
        print(f"  not exported: {line}", file=sys.stderr)
    for line in result.warnings:
        print(f"  warning: {line}", file=sys.stderr)
    return 0


def cmd_export_audit(args: argparse.Namespace) -> int:
    """Streamed: the trail is read twice (its summary, then its rows) and
    written as it is read (200,000 decisions on a large study)."""
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.audit_export import (
        audit_csv_parts,
        audit_docx,
        audit_markdown_parts,
        audit_rows,
        format_for,
    )
    from tacompanion.store.audit import audit_entries

    kind = format_for(args.output, args.format)
    if kind == "docx" and args.output in (None, "-"):
        raise CliError("a Word document needs a file: give -o FILE.docx")
    counted = [0]

    def entries():
        return audit_entries(study, coder=args.coder, since=args.since, until=args.until, changes=False)

    def rows():
        for row in audit_rows(study, entries(), redact=args.redact):
            counted[0] += 1
            yield row

    with open_study(args, create=False) as study, LongWork("writing the audit trail"):
        if kind == "docx":
            try:
                audit_docx(args.output, study, rows(), entries())
            except OSError as exc:
                raise CliError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
        elif kind == "md":
            write_parts(args.output, audit_markdown_parts(study, rows(), entries()))
        else:
            write_parts(args.output, audit_csv_parts(rows()))
    return _written(args, None, counted[0], "decision")
