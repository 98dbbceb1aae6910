"""Commands that show rigour: `saturation` (the curve and the stopping rule's
verdict) and `hints` (what else a code may fit, ranked offline). The audit
trail is `export audit` (cli/exports.py)."""

from __future__ import annotations

import argparse
import json

from tacompanion.cli.common import CliError, add_command, open_study


def register(sub) -> None:
    sat = add_command(
        sub, "saturation",
        "new codes per interview, in the order they happened, and whether the data reached "
        "saturation (Guest, Namey & Chen 2020)",
        cmd_saturation,
    )
    sat.epilog = (
        "Documents (transcripts, and interview notes unless analysis_scope is 'transcripts') are "
        "taken in interview order; pilots are left out. Change the stopping rule with: "
        "tacompanion settings saturation_rule BASE RUN THRESHOLD (default 4 2 0.05)."
    )
    sat.add_argument("--json", action="store_true", help="print JSON (the same as stats --json's saturation)")

    hints = add_command(
        sub, "hints",
        "turns and notes a code does not cover yet that resemble its extracts (offline ranking)",
        cmd_hints,
    )
    hints.epilog = (
        "A reading aid for consistency, never a judgement: SQLite FTS5's bm25 ranking with the "
        "terms most distinctive of the code's extracts (TF-IDF over the study's own words). "
        "Nothing is applied here; in coding mode, h on a code walks its hints."
    )
    hints.add_argument("code", metavar="CODE", help="the code's name")
    hints.add_argument("--limit", type=int, default=20, metavar="N", help="at most N hints (default 20)")
    hints.add_argument("--json", action="store_true", help="print JSON")


def cmd_saturation(args: argparse.Namespace) -> int:
    from tacompanion.core.saturation import chart_lines
    from tacompanion.store.saturation import saturation_json, study_saturation

    with open_study(args, create=False) as study:
        result = study_saturation(study)
    if args.json:
        print(json.dumps(saturation_json(result), indent=2, ensure_ascii=False))
        return 0
    print(f"Stopping rule: {result.rule.describe()}")
    print()
    width = max([len('participant'), *(len(p.participant) for p in result.points)])
    print(f"{'#':>3}  {'participant':<{width}}  {'date':<10}  new  total  document")
    for i, p in enumerate(result.points, 1):
        print(f"{i:>3}  {p.participant:<{width}}  {p.date or '':<10}  {len(p.new_codes):>3}  "
              f"{p.total_codes:>5}  {p.document}")
    if result.points:
        print()
        print("\n".join(chart_lines(result, 72, 10)))
    print()
    print(result.verdict())
    return 0


def cmd_hints(args: argparse.Namespace) -> int:
    from tacompanion.store.codes import code_by_name
    from tacompanion.store.hints import code_hints

    with open_study(args, create=False) as study:
        code_id = code_by_name(study, args.code)
        if code_id is None:
            raise CliError(f"no code {args.code!r}")
        found = code_hints(study, code_id, limit=max(1, args.limit))
    if args.json:
        print(json.dumps({
            "code": args.code, "terms": list(found.terms),
            "hints": [{"participant": h.participant, "where": h.where, "kind": h.kind,
                       "score": round(h.score, 4), "text": h.text} for h in found.hints],
        }, indent=2, ensure_ascii=False))
        return 0
    if not found.hints:
        print(f"no hints for {args.code!r}" + ("" if found.terms else " (no coded words to go by yet)"))
        return 0
    print(f"terms: {', '.join(found.terms)}")
    for h in found.hints:
        print(f"{h.score:6.2f}  {h.participant}  {h.where}")
        print(f"        {' '.join(h.text.split())[:200]}")
    return 0
