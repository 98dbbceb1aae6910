"""`tacompanion participants ...` and `tacompanion transcripts ...`: the
study's people and documents under the researcher's control (rename, pilot
yes/no, typed attributes, remove; move, rename, remove a transcript)."""

from __future__ import annotations

import argparse
import json
import sys

from tacompanion.cli.common import CliError, add_action, add_db_option, open_study


def register(sub) -> None:
    p = sub.add_parser(
        "participants",
        help="list participants; rename, mark as pilot, set attributes, remove",
        description=(
            "The study's participants. 'list' (the default) shows each with pilot flag, attributes "
            "and counts; 'rename OLD NEW' changes a pseudonym everywhere (refused if NEW is taken); "
            "'pilot ID yes|no' marks or unmarks a pilot at any time (N and every prevalence label "
            "follow); 'set ID ATTRIBUTE VALUE' sets a typed attribute (text, integer, decimal, boolean, "
            "date: a new attribute takes the type its value suggests, or --type); 'unset ID ATTRIBUTE' "
            "removes one; 'remove ID' removes a participant with their transcripts, interviews, notes, "
            "codings and memos, after a backup (it asks first; --yes answers in advance)."
        ),
    )
    add_db_option(p, top=False)
    p.add_argument("--json", action="store_true", help="with no ACTION: the list as JSON")
    p.set_defaults(handler=cmd_participants_list)
    ps = p.add_subparsers(dest="participants_command", metavar="ACTION")

    lst = add_action(ps, "list", "every participant (the default)",
        "Every participant: pilot, "
        "attributes, transcripts, interviews, codings.", cmd_participants_list)
    lst.add_argument("--json", action="store_true",
                     help='[{"id", "pilot", "attributes": {...}, "transcripts", "interviews", "codings"}]')

    rn = add_action(ps, "rename", "change a pseudonym everywhere",
        "Give participant OLD the "
        "pseudonym NEW: the map, exports, the report and quotes follow. Refused if NEW is taken.", cmd_participants_rename)
    rn.add_argument("old", metavar="OLD")
    rn.add_argument("new", metavar="NEW")

    pi = add_action(ps, "pilot", "mark a participant as pilot (yes) or not (no)",
        "Mark participant ID as a pilot (yes) or not (no), at any time: pilots stay "
        "out of N and every prevalence label; their interviews follow.", cmd_participants_pilot)
    pi.add_argument("id", metavar="ID")
    pi.add_argument("answer", metavar="yes|no")

    st = add_action(ps, "set", "set an attribute",
        "Set ATTRIBUTE of participant ID to VALUE. "
        "A new attribute takes the type its value suggests (11 integer, 2.5 decimal, yes boolean, "
        "2026-03-01 date, else text) unless --type says; later values must fit the type.", cmd_participants_set)
    st.add_argument("id", metavar="ID")
    st.add_argument("attribute", metavar="ATTRIBUTE")
    st.add_argument("value", metavar="VALUE")
    st.add_argument("--type", choices=("text", "integer", "decimal", "boolean", "date"),
                    help="the attribute's type (changing it checks every participant's value)")

    un = add_action(ps, "unset", "remove an attribute from a participant",
        "Remove ATTRIBUTE from participant ID.", cmd_participants_unset)
    un.add_argument("id", metavar="ID")
    un.add_argument("attribute", metavar="ATTRIBUTE")

    rm = add_action(ps, "remove", "remove a participant and everything of theirs",
        "Remove participant ID with their transcripts, interviews, notes, codings "
        "and memos. Says what goes and asks first; a backup of the study is written beside it "
        "before anything is removed. --yes answers in advance (needed when standard input is "
        "not a terminal).", cmd_participants_remove)
    rm.add_argument("id", metavar="ID")
    rm.add_argument("--yes", action="store_true", help="remove without asking")

    t = sub.add_parser(
        "transcripts",
        help="list transcripts; remove, move to another participant, rename",
        description=(
            "The study's transcripts. 'list' (the default); 'remove NAME' removes one with its turns, "
            "codings and memos after a backup (asks first; --yes answers in advance); 'move NAME "
            "--participant ID' gives it to another participant (made when new), its codings with it; "
            "'rename NAME NEW'. NAME is the file name as listed, or its id."
        ),
    )
    add_db_option(t, top=False)
    t.add_argument("--json", action="store_true", help="with no ACTION: the list as JSON")
    t.set_defaults(handler=cmd_transcripts_list)
    ts = t.add_subparsers(dest="transcripts_command", metavar="ACTION")
    tl = add_action(ts, "list", "every transcript (the default)",
        "Every transcript: id, "
        "participant, name, format, turns, words, codings, read.", cmd_transcripts_list)
    tl.add_argument("--json", action="store_true",
                    help='[{"id", "participant", "pilot", "name", "format", "segments", "words", "codings", "read"}]')
    tr = add_action(ts, "remove", "remove a transcript",
        "Remove transcript NAME with its turns, "
        "codings and memos; says what goes and asks first; a backup is written before.", cmd_transcripts_remove)
    tr.add_argument("name", metavar="NAME")
    tr.add_argument("--of", metavar="ID", help="the participant whose transcript it is, when names repeat")
    tr.add_argument("--yes", action="store_true", help="remove without asking")
    tm = add_action(ts, "move", "give a transcript to another participant",
        "Give transcript NAME to participant ID (made when new); its codings "
        "and memos go with it.", cmd_transcripts_move)
    tm.add_argument("name", metavar="NAME")
    tm.add_argument("--participant", metavar="ID", required=True, help="the participant it belongs to")
    tm.add_argument("--of", metavar="ID", help="the participant whose transcript it is now, when names repeat")
    tn = add_action(ts, "rename", "rename a transcript",
        "Give transcript NAME the name NEW.", cmd_transcripts_rename)
    tn.add_argument("name", metavar="NAME")
    tn.add_argument("new", metavar="NEW")
    tn.add_argument("--of", metavar="ID", help="the participant whose transcript it is, when names repeat")


# -- participants ----------------------------------------------------------------------------


def cmd_participants_list(args: argparse.Namespace) -> int:
    from tacompanion.core.attributes import show_value
    from tacompanion.store.participants import participant_rows

    with open_study(args, create=False) as study:
        rows = participant_rows(study)
    if args.json:
        keys = ("id", "pilot", "attributes", "transcripts", "interviews", "codings")
        print(json.dumps([{k: r[k] for k in keys} for r in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no participants yet: import transcripts or run an interview")
        return 0
    width = max(len("participant"), *(len(r["id"]) for r in rows))
    print(f"{'participant':<{width}}  pilot  transcripts  interviews  codings  attributes")
    for r in rows:
        attrs = ", ".join(f"{k}={show_value(v)}" for k, v in sorted(r["attributes"].items(),
                                                                     key=lambda kv: kv[0].casefold()))
        print(f"{r['id']:<{width}}  {'yes' if r['pilot'] else '':<5}  {r['transcripts']:>11}  "
              f"{r['interviews']:>10}  {r['codings']:>7}  {attrs}".rstrip())
    pilots = sum(r["pilot"] for r in rows)
    print(f"{len(rows)} participant{'s' if len(rows) != 1 else ''}"
          + (f" ({pilots} pilot{'s' if pilots != 1 else ''}, left out of the analysis)" if pilots else ""))
    return 0


def cmd_participants_rename(args: argparse.Namespace) -> int:
    from tacompanion.store.participants import rename_participant

    with open_study(args, create=False) as study:
        got = rename_participant(study, args.old, args.new)
    print(f"renamed {got['old']} to {got['new']}: the map, the report, quotes and every export follow")
    if got["speaker_turns"]:
        n = got["speaker_turns"]
        print(f"note: {n} turn{'s' if n != 1 else ''} of {got['new']}'s transcripts still carry the speaker "
              f"label {got['old']!r} in their text; to hide it in exports: "
              f"tacompanion redact add {_quoted(got['old'])} {_quoted(got['new'])}")
    return 0


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)


def cmd_participants_pilot(args: argparse.Namespace) -> int:
    from tacompanion.core.attributes import truth
    from tacompanion.store.analysis import participants_in_analysis
    from tacompanion.store.participants import set_pilot

    answer = truth(args.answer)
    if answer is None:
        raise CliError(f"pilot is yes or no, not {args.answer!r}")
    with open_study(args, create=False) as study:
        before = participants_in_analysis(study)
        got = set_pilot(study, args.id, answer)
        after = participants_in_analysis(study)
    what = "a pilot" if answer else "not a pilot"
    if not got["changed"]:
        print(f"{got['pseudonym']} was already {what}; nothing changed")
        return 0
    change = f"N = {after} (was {before})" if after != before else f"N = {after}"
    print(f"{got['pseudonym']} is now {what}: {change}; every prevalence label follows")
    return 0


def cmd_participants_set(args: argparse.Namespace) -> int:
    from tacompanion.core.attributes import show_value
    from tacompanion.store.attributes import set_attribute

    with open_study(args, create=False) as study:
        got = set_attribute(study, args.id, args.attribute, args.value, kind=args.type)
    print(f"{got['pseudonym']}: {got['name']} = {show_value(got['value'])} ({got['type']})")
    return 0


def cmd_participants_unset(args: argparse.Namespace) -> int:
    from tacompanion.store.attributes import unset_attribute

    with open_study(args, create=False) as study:
        got = unset_attribute(study, args.id, args.attribute)
    print(f"{got['pseudonym']}: {got['name']} removed")
    return 0


def cmd_participants_remove(args: argparse.Namespace) -> int:
    from tacompanion.store.data_changes import participant_removal, remove_participant

    with open_study(args, create=False) as study:
        plan = participant_removal(study, args.id)
        _confirm(f"remove {plan.what} and with it {plan.lines()}?", args.yes)
        gone = remove_participant(study, args.id)
    print(f"removed {gone.what}: {gone.lines()}")
    print(f"a backup of the study from before was written to {gone.backup}")
    return 0


def _confirm(question: str, yes: bool) -> None:
    """Ask on the terminal; refuse without --yes when nobody can answer."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CliError(f"{question.rstrip('?')}: pass --yes to confirm (standard input is not a terminal)")
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().casefold() not in ("y", "yes"):
        raise CliError("nothing removed")


# -- transcripts -----------------------------------------------------------------------------


def cmd_transcripts_list(args: argparse.Namespace) -> int:
    from tacompanion.store.transcripts import list_transcripts

    with open_study(args, create=False) as study:
        items = list_transcripts(study)
        codings = dict(study.conn.execute(
            "SELECT transcript_id, count(*) FROM codings WHERE transcript_id IS NOT NULL GROUP BY transcript_id"))
    rows = [{"id": t.id, "participant": t.participant, "pilot": t.pilot, "name": t.file_name, "format": t.format,
             "segments": t.segments, "words": t.words, "codings": codings.get(t.id, 0), "read": bool(t.read_at)}
            for t in items]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no transcripts yet: tacompanion import FILE --participant ID")
        return 0
    who = max(len("participant"), *(len(r["participant"]) for r in rows))
    name = max(len("name"), *(len(r["name"]) for r in rows))
    print(f"{'id':>4}  {'participant':<{who}}  {'name':<{name}}  format  turns   words  codings  read")
    for r in rows:
        pilot = " (pilot)" if r["pilot"] else ""
        print(f"{r['id']:>4}  {r['participant']:<{who}}  {r['name']:<{name}}  {r['format']:<6}  "
              f"{r['segments']:>5}  {r['words']:>6}  {r['codings']:>7}  {'yes' if r['read'] else '':<4}{pilot}".rstrip())
    return 0


def cmd_transcripts_remove(args: argparse.Namespace) -> int:
    from tacompanion.store.data_changes import remove_transcript, transcript_removal

    with open_study(args, create=False) as study:
        plan = transcript_removal(study, args.name, args.of)
        _confirm(f"remove {plan.what} and with it {plan.lines()}?", args.yes)
        gone = remove_transcript(study, args.name, args.of)
    print(f"removed {gone.what}: {gone.lines()}")
    print(f"a backup of the study from before was written to {gone.backup}")
    return 0


def cmd_transcripts_move(args: argparse.Namespace) -> int:
    from tacompanion.store.data_changes import move_transcript

    with open_study(args, create=False) as study:
        got = move_transcript(study, args.name, args.participant, participant=args.of)
    new = " (a new participant)" if got["new_participant"] else ""
    codings = f"{got['codings']} coding{'s' if got['codings'] != 1 else ''}"
    print(f"moved {got['file_name']} from {got['from']} to {got['to']}{new}, with its {codings}")
    if not got["left"]:
        print(f"{got['from']} has no transcripts or interviews left (not counted in N); "
              f"tacompanion participants remove {_quoted(got['from'])} removes them")
    return 0


def cmd_transcripts_rename(args: argparse.Namespace) -> int:
    from tacompanion.store.data_changes import rename_transcript

    with open_study(args, create=False) as study:
        got = rename_transcript(study, args.name, args.new, participant=args.of)
    print(f"renamed {got['participant']}'s {got['old']} to {got['new']}")
    return 0
