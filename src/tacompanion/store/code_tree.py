"""Codes under codes: put a code under another (or back at the top), and
count a code together with the codes under it.

A code's children sit in its theme: nesting a code moves it (and everything
under it) into its new parent's theme, and moving a code to a theme takes
its children along (themes.move_code). Each change is one undoable step.
"""

from __future__ import annotations

from tacompanion.core.code_tree import descendants, tree_order
from tacompanion.core.prevalence import label
from tacompanion.core.tally import Counts
from tacompanion.store import history, tallies
from tacompanion.store.analysis import (
    analysis_coders,
    analysis_scope,
    coder_condition,
    coding_rows,
    participants_in_analysis,
    prevalence_rule,
)
from tacompanion.store.codes import code_name
from tacompanion.store.study import Study, StudyError


def parents(study: Study) -> dict[int, int | None]:
    return dict(study.conn.execute("SELECT id, parent_code_id FROM codes").fetchall())


def code_depths(study: Study) -> list[tuple[int, int]]:
    """Every code as (id, depth) in tree order."""
    return tree_order(study.conn.execute("SELECT id, name, parent_code_id FROM codes").fetchall())


def nest_code(study: Study, code_id: int, parent_id: int | None) -> None:
    """Put `code_id` under `parent_id` (None: at the top level). It and the
    codes under it join the parent's theme."""
    name = code_name(study, code_id)
    parent_of = parents(study)
    under = descendants(parent_of, code_id)
    if parent_id is not None:
        parent_name = code_name(study, parent_id)
        if parent_id == code_id or parent_id in under:
            raise StudyError(f"'{name}' cannot go under itself or a code under it")
        theme = study.scalar("SELECT theme_id FROM codes WHERE id = ?", (parent_id,))
        label_text = f"Put '{name}' under '{parent_name}'"
    else:
        theme = None
        label_text = f"Put '{name}' at the top level"
    with history.record(study, "nest-code", label_text) as op:
        op.update("codes", code_id, {"parent_code_id": parent_id})
        if parent_id is not None:
            for cid in [code_id, *sorted(under)]:
                op.update("codes", cid, {"theme_id": theme})


def counts_with_children(study: Study, *, full: bool = False) -> dict[int, Counts]:
    """For every code with codes under it: its counts together with theirs
    (an extract coded with two of them counts once; pilots left out). Read
    from the tallies kept in the file (store/tallies.py); `full`: counted from
    the codings, as a reference."""
    if full:
        return _counts_with_children_from_codings(study)
    with tallies.snapshot(study.conn):
        parent_of = parents(study)
        heads = {p for c, p in parent_of.items() if p is not None and p in parent_of and p != c}
        if not heads:
            return {}
        scope = analysis_scope(study)
        total = participants_in_analysis(study, scope)
        rule = prevalence_rule(study)
        theme_parent = dict(study.conn.execute("SELECT id, parent_id FROM themes").fetchall())
        code_theme = dict(study.conn.execute("SELECT id, theme_id FROM codes").fetchall())
        coders = analysis_coders(study)
        kept = tallies.current(study.conn, scope=study.setting("analysis_scope", "all"), coders=coders,
                               who=coder_condition(study, coders=coders), code_theme=code_theme,
                               theme_parent=theme_parent, code_parent=parent_of)
    out = {}
    for head in parent_of:  # in the order of the codes, as before
        if head in heads:
            n = kept.families.get(head, tallies.ZERO)
            out[head] = Counts(n[0], n[1], n[2], label(n[2], total, rule))
    return out


def _counts_with_children_from_codings(study: Study) -> dict[int, Counts]:
    parent_of = parents(study)
    families = {cid: {cid} | descendants(parent_of, cid) for cid in parent_of}
    families = {cid: members for cid, members in families.items() if len(members) > 1}
    if not families:
        return {}
    scope = analysis_scope(study)
    total = participants_in_analysis(study, scope)
    rule = prevalence_rule(study)
    rows, owner = coding_rows(study, scope)
    of_code: dict[int, list[int]] = {}
    for head, members in families.items():
        for m in members:
            of_code.setdefault(m, []).append(head)
    tallies_of = {head: [0, set(), set()] for head in families}
    for code, document, start, end in rows:
        for head in of_code.get(code, ()):
            t = tallies_of[head]
            t[0] += 1
            t[1].add((document, start, end))
            t[2].add(owner[document])
    return {head: Counts(t[0], len(t[1]), len(t[2]), label(len(t[2]), total, rule))
            for head, t in tallies_of.items()}
