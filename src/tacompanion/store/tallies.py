"""Counts per code, theme and code family, kept in the study file so that the
thematic map (and everything that counts with `analysis.analyse`) reads a few
hundred stored rows instead of every coding.

The tables (schema step `_migrate_analysis_tallies`): `analysis_tallies`
holds (codings, distinct extracts, distinct participants) of every code, of
every theme with its subthemes' codes, and of every code that has codes under
it together with them (kind 'family'); a missing row means zero.
`analysis_tally_dirty` holds what changed since, marked by triggers in the
same transaction as each change (a code whose codings changed or that moved,
a theme that moved or went, 'all' after the upgrade). `analysis_tally_basis`
holds the analysis scope and coders the tallies were counted under: when the
settings differ, everything is counted again.

`current` brings the tallies up to date: for a dirty code its own codings are
read again; a theme is counted again (its whole subtree) when a code in it,
or the theme itself, is dirty, and so are the themes above it; a family when
one of its codes is. Everything is read in one snapshot, and what was
counted is stored in the same transaction, which commits only if nothing
else was committed meanwhile; on a read-only, locked or busy study the
counts are returned without being stored (the next read tries again).
Prevalence labels are not stored: they follow the rule and N when read.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from tacompanion.core.tally import add_sets, code_sets, sizes, theme_chain
from tacompanion.store.schema import ANALYSIS_TALLY_TRIGGERS

Sizes = tuple[int, int, int]  # codings, extracts, participants
ZERO: Sizes = (0, 0, 0)


@dataclass(frozen=True)
class Tallies:
    codes: dict[int, Sizes]
    themes: dict[int, Sizes]
    families: dict[int, Sizes]  # codes with codes under them, counted with them
    recounted: int  # codes whose codings were read this time (0: nothing was dirty)
    stored: bool  # whether what was recounted is now stored in the file


@contextlib.contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction around the block (unless one is already open), so
    that everything read in it belongs to one state of the study."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if conn.in_transaction:
        conn.execute("COMMIT")


@contextlib.contextmanager
def marked_all_after(conn: sqlite3.Connection, bulk: bool) -> Iterator[None]:
    """With `bulk`, codings inserted inside the block skip their per-row dirty
    mark and everything is marked dirty once at the end instead (the next
    count recounts the whole study, as it must after a large import anyway).
    A trigger on `codings` makes SQLite keep a statement journal for every
    row inserted: about a second of writes on 200,000 codings. Inside the
    caller's transaction, like the full-text index's trigger in store/qdpx.py:
    a failure rolls the trigger back with everything else."""
    trigger = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'analysis_tally_coding_added'"
    ).fetchone()
    if not bulk or trigger is None:
        yield
        return
    conn.execute("DROP TRIGGER analysis_tally_coding_added")
    yield
    conn.execute("INSERT INTO analysis_tally_dirty (kind, id) VALUES ('all', 0) ON CONFLICT DO NOTHING")
    conn.execute(trigger[0])


def maintained(conn: sqlite3.Connection) -> bool:
    """Whether the tables and every trigger that keeps them honest are there
    (a tool that dropped a table, or a step that rebuilt one, takes its
    triggers with it: then everything is counted from the codings)."""
    names = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE 'analysis_tall%'").fetchall()}
    return {"analysis_tallies", "analysis_tally_dirty", "analysis_tally_basis",
            *ANALYSIS_TALLY_TRIGGERS} <= names


def read_coding_rows(conn: sqlite3.Connection, scope: str, who: str, code_ids: list[int] | None = None
                     ) -> tuple[list[tuple[int, int, int, int]], dict[int, int]]:
    """(rows, owner): rows (code id, document, start, end) of the codings in
    analysis (pilots out; notes only when `scope` is not "transcripts"; `who`
    the coder condition on alias k), document being a transcript's id or minus
    a note's id; owner: document -> participant. `code_ids`: only these codes'."""
    counted_transcripts = ("SELECT t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
                           "WHERE p.pilot = 0")
    owner = dict(conn.execute(
        "SELECT t.id, t.participant_id FROM transcripts t "
        "JOIN participants p ON p.id = t.participant_id WHERE p.pilot = 0"
    ).fetchall())
    only, params, by = "", (), "transcript_id"
    if code_ids is not None:
        only, params = " AND k.code_id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(code_ids)),)
        by = "+transcript_id"  # a few codes' codings: found by code, not by scanning every transcript's
    rows = conn.execute(
        f"SELECT code_id, transcript_id, start_pos, end_pos FROM codings k WHERE {by} IN ("
        f"{counted_transcripts}){who}{only}", params
    ).fetchall()
    if scope != "transcripts":
        notes = conn.execute(
            "SELECT k.code_id, -k.note_id, k.start_pos, k.end_pos, i.participant_id "
            "FROM codings k JOIN notes n ON n.id = k.note_id "
            "JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id "
            f"WHERE (p.pilot = 0 AND coalesce(i.pilot, 0) = 0){who}{only}", params
        ).fetchall()
        rows.extend(r[:4] for r in notes)
        owner.update((r[1], r[4]) for r in notes)
    return rows, owner


def current(conn: sqlite3.Connection, *, scope: str, coders: tuple[str, ...], who: str,
            code_theme: dict[int, int | None], theme_parent: dict[int, int | None],
            code_parent: dict[int, int | None], store: bool = True) -> Tallies:
    """The tallies, brought up to date (see the module's doc). Call inside
    `snapshot`, with the codes' themes, the themes' parents and the codes'
    parents read in it. `store`=False: count without writing."""
    basis = json.dumps({"scope": "transcripts" if scope == "transcripts" else "all", "coders": list(coders)})
    if not maintained(conn):
        return _count(conn, scope, who, code_theme, theme_parent, code_parent, None, store=False)
    stored_basis = conn.execute("SELECT basis FROM analysis_tally_basis WHERE id = 1").fetchone()
    dirty = conn.execute("SELECT kind, id FROM analysis_tally_dirty").fetchall()
    if stored_basis is None or stored_basis[0] != basis or any(kind == "all" for kind, _ in dirty):
        return _count(conn, scope, who, code_theme, theme_parent, code_parent, None, store=store, basis=basis)
    kept = _stored(conn)
    if not dirty:
        return Tallies(*kept, recounted=0, stored=True)
    return _count(conn, scope, who, code_theme, theme_parent, code_parent, dirty, store=store,
                  basis=basis, kept=kept)


def _stored(conn: sqlite3.Connection) -> tuple[dict[int, Sizes], dict[int, Sizes], dict[int, Sizes]]:
    out: dict[str, dict[int, Sizes]] = {"code": {}, "theme": {}, "family": {}}
    for kind, id_, n, e, p in conn.execute(
            "SELECT kind, id, codings, extracts, participants FROM analysis_tallies"):
        out[kind][id_] = (n, e, p)
    return out["code"], out["theme"], out["family"]


def _ancestors(start: int, parent: dict[int, int | None]) -> list[int]:
    """`start` and everything above it (a cycle stops the walk)."""
    return theme_chain(start, parent)


def _count(conn, scope, who, code_theme, theme_parent, code_parent, dirty, *, store: bool,
           basis: str | None = None, kept=None) -> Tallies:
    """Count what `dirty` marks (None: everything), put it over `kept`, and
    store it when `store`."""
    heads_all = {p for c, p in code_parent.items() if p is not None and p in code_parent and p != c}
    if dirty is None:
        codes, themes, families = set(code_theme), set(theme_parent), set(heads_all)
        gone_codes: set[int] = set()
        gone_themes: set[int] = set()
        no_longer_heads: set[int] = set()
        wanted = None
    else:
        marked_codes = {i for kind, i in dirty if kind == "code"}
        marked_themes = {i for kind, i in dirty if kind == "theme"}
        codes = marked_codes & code_theme.keys()
        gone_codes = marked_codes - codes
        themes = set()
        for t in (marked_themes & theme_parent.keys()) | {code_theme[c] for c in codes}:
            themes.update(theme_chain(t, theme_parent))
        gone_themes = marked_themes - theme_parent.keys()
        upward: set[int] = set()
        for c in codes:
            upward.update(_ancestors(c, code_parent))
        families = upward & heads_all
        no_longer_heads = upward - heads_all
        # the codes whose codings are needed: the dirty ones, every code of a
        # theme counted again (its subthemes' too), every code of a family
        children: dict[int | None, list[int]] = {}
        for t, p in theme_parent.items():
            children.setdefault(p, []).append(t)
        subtree: set[int] = set()
        stack = list(themes)
        while stack:
            t = stack.pop()
            if t not in subtree:
                subtree.add(t)
                stack.extend(children.get(t, ()))
        wanted = set(codes) | {c for c, t in code_theme.items() if t in subtree}
        if families:
            for c in code_parent:
                if any(a in families for a in _ancestors(c, code_parent)):
                    wanted.add(c)
        if len(wanted) * 2 > len(code_theme):
            wanted = None  # most of the study: one plain read of every coding is quicker
    rows, owner = read_coding_rows(conn, scope, who, None if wanted is None else list(wanted))
    per_code = code_sets(rows, owner)
    new_themes: dict[int, list] = {t: [0, set(), set()] for t in themes}
    new_families: dict[int, list] = {h: [0, set(), set()] for h in families}
    for c, sets in per_code.items():
        if new_themes:
            for t in theme_chain(code_theme.get(c), theme_parent):
                if t in new_themes:
                    add_sets(new_themes[t], sets)
        if new_families:
            for a in _ancestors(c, code_parent):
                if a in new_families:
                    add_sets(new_families[a], sets)
    found_codes = {c: sizes(per_code[c]) for c in codes if c in per_code}
    found_themes = {t: sizes(v) for t, v in new_themes.items() if v[0]}
    found_families = {h: sizes(v) for h, v in new_families.items() if v[0]}

    if kept is None:
        out_codes, out_themes, out_families = found_codes, found_themes, found_families
    else:
        out_codes, out_themes, out_families = (dict(k) for k in kept)
        for target, drop, found in (
            (out_codes, codes | gone_codes, found_codes),
            (out_themes, themes | gone_themes, found_themes),
            (out_families, families | no_longer_heads | gone_codes, found_families),
        ):
            for i in drop:
                target.pop(i, None)
            target.update(found)
    stored = False
    if store:
        rows_out = [("code", i, *v) for i, v in found_codes.items()]
        rows_out += [("theme", i, *v) for i, v in found_themes.items()]
        rows_out += [("family", i, *v) for i, v in found_families.items()]
        if dirty is None:
            drops = None
        else:
            drops = [("code", i) for i in codes | gone_codes]
            drops += [("theme", i) for i in themes | gone_themes]
            drops += [("family", i) for i in families | no_longer_heads | gone_codes]
        stored = _store(conn, rows_out, drops, basis)
    return Tallies(out_codes, out_themes, out_families, recounted=len(per_code), stored=stored)


def _store(conn: sqlite3.Connection, rows: list[tuple], drops: list[tuple] | None, basis: str) -> bool:
    """Write the recounted tallies and clear the dirty marks, all or nothing.
    Inside the snapshot the counts were read in: SQLite refuses the write
    (busy) when another connection committed since, so what is stored is
    always what the marks it clears asked for. False when it could not write."""
    conn.execute("SAVEPOINT analysis_tallies")
    try:
        if drops is None:
            conn.execute("DELETE FROM analysis_tallies")
        else:
            conn.executemany("DELETE FROM analysis_tallies WHERE kind = ? AND id = ?", drops)
        conn.executemany(
            "INSERT INTO analysis_tallies (kind, id, codings, extracts, participants) VALUES (?, ?, ?, ?, ?)",
            rows)
        conn.execute("DELETE FROM analysis_tally_dirty")
        conn.execute("INSERT OR REPLACE INTO analysis_tally_basis (id, basis) VALUES (1, ?)", (basis,))
    except sqlite3.OperationalError as exc:
        from tacompanion.store.study import FULL, IO, LOCKED, READ_ONLY, error_kind

        conn.execute("ROLLBACK TO analysis_tallies")
        conn.execute("RELEASE analysis_tallies")
        if error_kind(exc) in (LOCKED, READ_ONLY, FULL, IO):
            return False
        raise
    conn.execute("RELEASE analysis_tallies")
    return True
