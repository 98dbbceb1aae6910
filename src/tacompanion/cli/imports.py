"""`import`: transcripts (.txt .md .docx .vtt .srt), or a REFI-QDA project."""

from __future__ import annotations

import argparse
import os
import sys

from tacompanion.cli.common import (
    PROG,
    CliError,
    add_command,
    study_to_fill,
)


def register(sub) -> None:
    imp = add_command(
        sub,
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
        "with --merge into one with content: the same as `tacompanion merge FILE`), all of it or nothing."
    )
    imp.add_argument("files", nargs="+", metavar="FILE", help="files, folders or globs ('*.vtt')")
    imp.add_argument(
        "--participant", metavar="ID",
        help="the participant's pseudonym (default: the single speaker who is not the "
        "interviewer, else the file name); for a .qdpx, the participant of the one source "
        "that no case owns",
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
        "--large", action="store_true",
        help="for a .qdpx beyond the usual limits (docs/limits.md): read up to 5,000,000 XML elements "
        "and 1 GiB; a file from someone you do not trust should not need it",
    )
    imp.add_argument(
        "--interviewer", metavar="LABEL", action="append", default=[],
        help="a speaker label that is the interviewer in these files, besides the study's "
        "(repeatable)",
    )
    imp.add_argument(
        "--media", metavar="RECORDING",
        help="attach this recording to the one transcript imported (never copied; "
        "see tacompanion media --help)",
    )


def cmd_import(args: argparse.Namespace) -> int:
    from tacompanion.formats.transcript_import import apply_import, plan_import
    from tacompanion.store.study import default_path

    if any(str(f).lower().endswith(".qdpx") for f in args.files):
        return cmd_import_qdpx(args)
    if args.merge or args.large:
        raise CliError(f"{'--merge' if args.merge else '--large'} applies to a .qdpx project only")
    facts = None
    if args.media:
        from tacompanion.cli.media import probe_or_error

        facts = probe_or_error(args.media)  # before anything is written

    from tacompanion.cli.progress import LongWork

    with study_to_fill(default_path(args.db)) as study, LongWork("reading files") as work:
        plan = plan_import(
            study, args.files, participant=args.participant, interviewer=args.interviewer,
            replace=args.replace, progress=lambda done, total, _path: work.update(done, total),
        )
        if not plan.ok:
            for line in plan.errors:
                print(f"{PROG}: error: {line}", file=sys.stderr)
            if args.pilot and any(line.endswith("nothing to do") for line in plan.errors):
                print(f"{PROG}: to mark an imported participant as a pilot: "
                      f"{PROG} participants pilot ID yes", file=sys.stderr)
            raise CliError(
                "nothing imported" if len(plan.errors) == 1 and not plan.items
                else f"nothing imported: {len(plan.errors)} of "
                f"{len(plan.errors) + len(plan.items)} files refused"
            )
        if facts is not None and len(plan.items) != 1:
            raise CliError(f"--media attaches one recording to one transcript; {len(plan.items)} files "
                           "were given (attach each with tacompanion media add)")
        work.stage("importing transcripts", len(plan.items))
        results = apply_import(study, plan, pilot=args.pilot, replace=args.replace,
                               progress=lambda done, total, _path: work.update(done, total))
        attached = None
        if facts is not None:
            from tacompanion.cli.media import describe
            from tacompanion.store.media import add_media

            r = results[0]
            attached = describe(add_media(study, args.media, facts, participant=r.participant,
                                          transcript_id=r.transcript_id))
    for r in results:
        verb = "replaced" if r.replaced else "imported"
        kept = f"; {r.codings_kept} codings kept" if r.replaced else ""
        turns = f"{r.segments:,} turn{'s' if r.segments != 1 else ''}"
        words = f"{r.words:,} word{'s' if r.words != 1 else ''}"
        print(f"{verb} {r.file_name} for {r.participant}: {turns}, {words}{kept}")
    if len(results) > 1:
        print(f"{len(results)} transcripts imported")
    if attached:
        print(f"attached {attached}")
    return 0


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    from tacompanion.cli.progress import LongWork
    from tacompanion.formats.qdpx_import import QdpxError, stream_import, summary_lines
    from tacompanion.store.study import default_path

    if len(args.files) != 1:
        raise CliError("import a .qdpx project on its own, not together with other files")
    path = args.files[0]
    if args.pilot or args.replace or args.interviewer:
        raise CliError("--pilot, --replace and --interviewer apply to transcripts, not to a .qdpx "
                       "(mark a pilot afterwards: tacompanion participants pilot ID yes)")
    if not os.path.isfile(path):
        raise CliError(f"{path}: no such file")
    # Read and written in one go, one source at a time, in one transaction: a
    # bad file leaves the study as it was (and no new study behind).
    with study_to_fill(default_path(args.db)) as study, \
            LongWork(f"{'merging' if args.merge else 'importing'} {os.path.basename(path)}") as work:
        asker = _SourceOwners(args.participant, work)
        try:
            summary, project = stream_import(study, path, merge=args.merge, large=args.large, assign=asker.ask,
                                             progress=work.update, check=asker.check)
        except QdpxError as exc:
            raise CliError(str(exc)) from None
        from tacompanion.formats.qdpx_media import attach_imported_media

        recordings, problems = attach_imported_media(study, project, path)
        summary.problems.extend(problems)
    print("\n".join(summary_lines(summary, path, merge=args.merge)))
    for line in recordings:
        print(line)
    return 0


class _SourceOwners:
    """The participant of each source that no case owns and the matching rule
    places nowhere, asked as the import meets it: --participant for a single
    one (more, or none, is refused once the file is read: nothing is
    written), else asked on a terminal (Enter: a new participant named after
    the file, which the report names), else none (the same)."""

    def __init__(self, participant: str | None, work) -> None:
        self.participant, self.work = participant, work
        self.names: list[str] = []
        self.answers: dict[str, str | None] = {}
        self.terminal = sys.stdin.isatty()

    def ask(self, name: str) -> str | None:
        from tacompanion.core.case_matching import new_participant_name
        from tacompanion.store.participants import check_pseudonym
        from tacompanion.store.study import StudyError

        if name in self.answers:  # a file read twice (see stream_import) is not asked twice
            return self.answers[name]
        self.names.append(name)
        if self.participant is not None or not self.terminal:
            self.answers[name] = self.participant
            return self.participant
        proposal = new_participant_name(name)
        with self.work.paused():
            if len(self.names) == 1:
                print("A source in the project belongs to no case, and neither its name nor its speaker labels "
                      "name one.", file=sys.stderr)
            while True:
                try:
                    got = input(f"participant of {name!r} (Enter: a new participant {proposal!r}): ").strip()
                except EOFError:
                    got = ""
                try:
                    answer = check_pseudonym(got or proposal)
                    break
                except StudyError as exc:
                    print(f"{PROG}: {exc}", file=sys.stderr)
        self.answers[name] = answer
        return answer

    def check(self) -> None:
        names = self.names
        if self.participant is not None and len(names) != 1:
            raise CliError(
                f"--participant answers for a single source that matches no participant; this project has "
                f"{len(names)}" + (f" ({', '.join(repr(n) for n in names)})" if names else "")
                + (": import without it and move them afterwards (tacompanion transcripts move)" if names else "")
            )
