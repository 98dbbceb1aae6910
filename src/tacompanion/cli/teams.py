"""Commands for working as a team: `merge` (a co-coder's study or a .qdpx
into this study) and `agreement` (intercoder agreement between two coders).
See docs/teams.md."""

from __future__ import annotations

import argparse
import json

from tacompanion.cli.common import CliError, add_command, open_study, study_to_fill


def register(sub) -> None:
    merge = add_command(
        sub,
        "merge",
        "merge another study file or a REFI-QDA project (.qdpx) into this study",
        cmd_merge,
    )
    merge.epilog = (
        "Matches by GUID first, then by content: sources by their text, participants by name, "
        "themes by path, codes by name within their theme path, coders by name. Adds what is new "
        "(every coder's codings, codes, themes, memos, journal entries), skips what is there, lists "
        "conflicts; all of it or nothing. Merging the same file twice changes nothing the second "
        "time. `import FILE.qdpx --merge` is the same operation. See docs/teams.md."
    )
    merge.add_argument("path", metavar="PATH", help="the other study file, or a .qdpx project")
    merge.add_argument("--large", action="store_true",
                       help="a .qdpx beyond the usual limits (docs/limits.md; as for import)")

    agree = add_command(
        sub,
        "agreement",
        "intercoder agreement between two coders, code by code (worst first) and overall",
        cmd_agreement,
    )
    agree.epilog = (
        "For each code every unit is coded by A or not and by B or not: both, A only, B only, "
        "neither. agreement = (both + neither) / n; overlap = both / (both + A only + B only); "
        "Cohen's kappa = (po - pe) / (1 - pe), pe = pA*pB + (1 - pA)(1 - pB); Krippendorff's "
        "alpha, nominal, two coders. Units: characters (every code point of every non-pilot "
        "document in the analysis scope, as NVivo's coding comparison) or turns (a participant "
        "turn or a note, coded when any coding of the code overlaps it). See docs/teams.md."
    )
    agree.add_argument("coder_a", metavar="CODER_A")
    agree.add_argument("coder_b", metavar="CODER_B")
    agree.add_argument("--unit", choices=("characters", "turns"), default="characters",
                       help="what a unit is (default: characters)")
    agree.add_argument("--code", metavar="NAME", help="only this code")
    agree.add_argument("--json", action="store_true", help="print the figures as JSON")


def cmd_merge(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tacompanion.formats.merge import MergeError, merge_into, merge_lines
    from tacompanion.store.study import default_path

    target = Path(default_path(args.db))
    if target.exists() and Path(args.path).exists() and Path(args.path).resolve() == target.resolve():
        raise CliError(f"{args.path}: that is this study itself; merge another copy")
    from tacompanion.cli.progress import LongWork

    # read and written in one go, one source at a time: a bad file leaves the
    # study as it was (and no new study behind)
    with study_to_fill(target) as study, LongWork(f"merging {Path(args.path).name}") as work:
        try:
            summary, kind, project = merge_into(study, args.path, large=args.large, progress=work.update)
        except MergeError as exc:
            raise CliError(str(exc)) from None
    from tacompanion.formats.qdpx_media import media_not_merged

    summary.problems.extend(media_not_merged(project))
    print("\n".join(merge_lines(summary, args.path, kind)))
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from tacompanion.store.agreement import compare

    with open_study(args, create=False) as study:
        report = compare(study, args.coder_a, args.coder_b, unit=args.unit, code=args.code)
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return 0
    print("\n".join(agreement_lines(report)))
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def agreement_lines(report) -> list[str]:
    """The table `agreement` prints: one row per code, worst first, then overall."""
    from tacompanion.core.agreement import figures

    a, b = report.coders
    rows = [["code", "theme", a, b, "both", "agreement", "overlap", "kappa", "alpha"]]
    for c in report.codes:
        f = figures(c.counts)
        rows.append([c.code, c.theme or "", f"{c.counts.a:,}", f"{c.counts.b:,}", f"{c.counts.both:,}",
                     _pct(f["agreement"]), _pct(f["overlap"]), _num(f["kappa"]), _num(f["alpha"])])
    f = figures(report.overall)
    o = report.overall
    rows.append(["overall", "", f"{o.a:,}", f"{o.b:,}", f"{o.both:,}", _pct(f["agreement"]),
                 _pct(f["overlap"]), _num(f["kappa"]), _num(f["alpha"])])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    widths[0], widths[1] = min(widths[0], 32), min(widths[1], 28)

    def fmt(r: list[str]) -> str:
        cells = [r[0][:widths[0]].ljust(widths[0]), r[1][:widths[1]].ljust(widths[1])]
        cells += [x.rjust(w) for x, w in zip(r[2:], widths[2:], strict=True)]
        return "  ".join(cells).rstrip()

    lines = [f"Agreement between {a} and {b}, unit: {report.unit} "
             f"({len(report.codes)} code{'s' if len(report.codes) != 1 else ''}, worst first)", fmt(rows[0]),
             "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows[1:-1]]
    lines += ["  ".join("-" * w for w in widths), fmt(rows[-1])]
    lines.append("agreement = (both + neither) / n; overlap = both / (both + A only + B only); "
                 "see docs/teams.md")
    return lines
