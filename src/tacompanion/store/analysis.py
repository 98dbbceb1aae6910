"""The numbers of the analysis: N, and counts with prevalence labels for every
code and theme. Pilot participants and pilot interviews never count. With the
study setting `analysis_scope` = "transcripts", codings on interview notes are
left out too (and participants with notes only do not count in N).

Coders: a participant counts once however many coders coded their data (the
counts are of distinct participants and distinct extracts). By default every
coder's codings count; the study setting `analysis_coders` (a list of names;
empty = everyone) restricts the analysis to chosen coders, for example the
consensus coder once disagreements are resolved.

The counts are kept in the study file (store/tallies.py) and recounted from
the codings only where something changed, so `analyse` costs about what the
map shows; `analyse(study, full=True)` counts every coding, the reference the
kept counts are tested against."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass

from tacompanion.core.prevalence import PrevalenceRow, labeller, rule_from_setting
from tacompanion.core.tally import CodingFact, Counts, tally_rows
from tacompanion.store import tallies
from tacompanion.store.study import Study, StudyError

SCOPES = ("all", "transcripts")

# The one rule for every count on every screen and in every export: data of
# a pilot participant, or of a pilot interview, is shown (and marked) but
# never counted. Over the aliases `p` (participants) and `i` (interviews, NULL
# for a transcript): a SQL condition, so that each count states it the same.
COUNTED = "(p.pilot = 0 AND coalesce(i.pilot, 0) = 0)"


def is_counted(participant_pilot: bool, interview_pilot: bool | None = None) -> bool:
    """The same rule in Python, for data already read."""
    return not participant_pilot and not interview_pilot


@dataclass(frozen=True)
class Analysis:
    total: int  # N: non-pilot participants with data in analysis
    rule: tuple[PrevalenceRow, ...]
    scope: str
    codes: dict[int, Counts]
    themes: dict[int, Counts]
    coders: tuple[str, ...] = ()  # whose codings count; () = every coder's


def analysis_coders(study: Study) -> tuple[str, ...]:
    """The coders whose codings the analysis counts; () means every coder."""
    value = study.setting("analysis_coders", []) or []
    if isinstance(value, str):
        value = [value]
    return tuple(dict.fromkeys(" ".join(str(v).split()) for v in value if str(v).strip()))


def set_analysis_coders(study: Study, names: list[str]) -> tuple[str, ...]:
    """Restrict the analysis to these coders (no names: every coder counts)."""
    clean = tuple(dict.fromkeys(" ".join(n.split()) for n in names if n.strip()))
    if any(n.casefold() in ("all", "everyone", "*") for n in clean):
        if len(clean) > 1:
            raise StudyError("analysis_coders: either 'all' or names of coders, not both")
        clean = ()
    study.set_setting("analysis_coders", list(clean))
    return clean


def coders_text(coders: tuple[str, ...]) -> str:
    """How a report says whose codings count."""
    if not coders:
        return "every coder's codings"
    return ("the codings of " + ", ".join(coders[:-1]) + " and " + coders[-1]) if len(coders) > 1 \
        else f"the codings of {coders[0]}"


def coder_condition(study: Study, alias: str = "k", coders: tuple[str, ...] | None = None) -> str:
    """" AND <alias>.coder IN (...)" for the coders in analysis, or "" when
    every coder counts. Names are quoted as SQL literals (no parameters, so
    the fragment drops into any query, UNIONs included)."""
    coders = analysis_coders(study) if coders is None else coders
    if not coders:
        return ""
    names = ", ".join("'" + c.replace("'", "''") + "'" for c in coders)
    return f" AND {alias}.coder IN ({names})"


def participants_in_analysis(study: Study, scope: str | None = None) -> int:
    scope = scope or study.setting("analysis_scope", "all")
    notes = "" if scope == "transcripts" else (
        " UNION SELECT i.participant_id FROM interviews i JOIN notes n ON n.interview_id = i.id"
        " WHERE i.pilot = 0"
    )
    return study.scalar(
        "SELECT count(*) FROM participants WHERE pilot = 0 AND id IN "
        f"(SELECT participant_id FROM transcripts{notes})"
    )


def coding_facts(study: Study, scope: str) -> list[CodingFact]:
    who = coder_condition(study)
    sql = (
        "SELECT k.code_id, 't' AS kind, k.transcript_id AS doc, k.start_pos, k.end_pos, "
        "       t.participant_id "
        "FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
        # A transcript has no interview row here: `i` is all NULL for COUNTED.
        "JOIN participants p ON p.id = t.participant_id LEFT JOIN interviews i ON 0 "
        f"WHERE {COUNTED}{who}"
    )
    if scope != "transcripts":
        sql += (
            " UNION ALL "
            "SELECT k.code_id, 'n', k.note_id, k.start_pos, k.end_pos, i.participant_id "
            "FROM codings k JOIN notes n ON n.id = k.note_id "
            "JOIN interviews i ON i.id = n.interview_id "
            f"JOIN participants p ON p.id = i.participant_id WHERE {COUNTED}{who}"
        )
    return [
        CodingFact(r[0], (r[1], r[2]), r[3], r[4], r[5])
        for r in study.conn.execute(sql).fetchall()
    ]


def coding_rows(study: Study, scope: str) -> tuple[list[tuple[int, int, int, int]], dict[int, int]]:
    """The same codings as `coding_facts`, read the fast way: (rows, owner).
    rows: (code id, document, start, end), document being a transcript's id or
    minus a note's id; owner: document -> participant id. Pilots are left out."""
    return tallies.read_coding_rows(study.conn, scope, coder_condition(study))


def analyse(study: Study, *, full: bool = False) -> Analysis:
    """N, and the counts with labels of every code and theme. The counts come
    from the tallies kept in the file (store/tallies.py), recounted from the
    codings only for what changed since they were stored; `full`: count
    everything from the codings, as a reference (and what the tallies must
    always equal)."""
    if full:
        scope = study.setting("analysis_scope", "all")
        rule = rule_from_setting(study.setting("prevalence_rule"))
        total = participants_in_analysis(study, scope)
        code_theme = {r[0]: r[1] for r in study.conn.execute("SELECT id, theme_id FROM codes")}
        theme_parent = {r[0]: r[1] for r in study.conn.execute("SELECT id, parent_id FROM themes")}
        rows, owner = coding_rows(study, scope)
        codes, themes = tally_rows(rows, owner, code_theme, theme_parent, total, rule)
        return Analysis(total, rule, scope, codes, themes, analysis_coders(study))
    with tallies.snapshot(study.conn):
        scope = study.setting("analysis_scope", "all")
        rule = rule_from_setting(study.setting("prevalence_rule"))
        total = participants_in_analysis(study, scope)
        code_theme, theme_parent, coders, kept = _kept(study, scope)
    label_of = labeller(total, rule)
    zero = tallies.ZERO

    def counts(n: tuple[int, int, int]) -> Counts:
        return Counts(n[0], n[1], n[2], label_of(n[2]))

    return Analysis(
        total, rule, scope,
        {c: counts(kept.codes.get(c, zero)) for c in code_theme},
        {t: counts(kept.themes.get(t, zero)) for t in theme_parent},
        coders,
    )


def _kept(study: Study, scope: str):
    """(code -> theme, theme -> parent, coders, tallies) with the tallies
    brought up to date; inside a snapshot."""
    # the same query as `full`'s: the codes come in the same order
    code_theme = {r[0]: r[1] for r in study.conn.execute("SELECT id, theme_id FROM codes")}
    code_parent = dict(study.conn.execute("SELECT id, parent_code_id FROM codes").fetchall())
    theme_parent = {r[0]: r[1] for r in study.conn.execute("SELECT id, parent_id FROM themes")}
    coders = analysis_coders(study)
    kept = tallies.current(study.conn, scope=scope, coders=coders, who=coder_condition(study, coders=coders),
                           code_theme=code_theme, theme_parent=theme_parent, code_parent=code_parent)
    return code_theme, theme_parent, coders, kept


def theme_cells(study: Study, theme_ids: list[int] | None = None) -> dict[tuple[int, int], int] | None:
    """Distinct extracts per (theme, participant) in analysis, each theme
    with its subthemes' codes, as kept in the file and brought up to date
    (store/tallies.py; a missing cell is 0). `theme_ids`: only these themes'.
    None when the kept counts could not be stored (a study that cannot be
    written now): the caller counts from the codings."""
    with tallies.snapshot(study.conn):
        kept = _kept(study, study.setting("analysis_scope", "all"))[-1]
        if not kept.stored:
            return None
        return tallies.stored_cells(study.conn, theme_ids)


def mark_recount(study: Study) -> None:
    """Have the kept counts counted again from every coding at their next
    use (a reader found them out of step). Where the study cannot be written
    now, the reader's own fallback stands and nothing is marked."""
    with contextlib.suppress(StudyError, sqlite3.Error), study.write():
        tallies.mark_all(study.conn)


def prevalence_rule(study: Study) -> tuple[PrevalenceRow, ...]:
    """The rule in force: the study's `prevalence_rule` setting."""
    return rule_from_setting(study.setting("prevalence_rule"))


def set_prevalence_rule(study: Study, rule: list[PrevalenceRow] | tuple[PrevalenceRow, ...]) -> None:
    """Replace the study's prevalence rule (checked first: a bad rule is refused)."""
    from tacompanion.core.prevalence import check_rule, rule_to_setting

    rows = tuple(PrevalenceRow(" ".join(r.label.split()), r.minimum.strip(), r.maximum.strip()) for r in rule)
    check_rule(rows)
    study.set_setting("prevalence_rule", rule_to_setting(rows))


def analysis_scope(study: Study) -> str:
    """"all" (transcripts and interview notes count) or "transcripts"."""
    scope = study.setting("analysis_scope", "all")
    return scope if scope in SCOPES else "all"


def set_analysis_scope(study: Study, scope: str) -> None:
    """Whether codings on interview notes count in the analysis."""
    if scope not in SCOPES:
        raise StudyError(f"the analysis scope is one of {', '.join(SCOPES)}, not {scope!r}")
    study.set_setting("analysis_scope", scope)
