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
    mark_all(conn)
    conn.execute(trigger[0])


def mark_all(conn: sqlite3.Connection) -> None:
    """Everything to be counted again at the next `current` (in the caller's transaction)."""
    conn.execute("INSERT INTO analysis_tally_dirty (kind, id) VALUES ('all', 0) ON CONFLICT DO NOTHING")


def maintained(conn: sqlite3.Connection) -> bool:
    """Whether the tables and every trigger that keeps them honest are there
    (a tool that dropped a table, or a step that rebuilt one, takes its
    triggers with it: then everything is counted from the codings)."""
    names = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE 'analysis_%'").fetchall()}
    return {"analysis_tallies", "analysis_tally_dirty", "analysis_tally_basis", "analysis_tally_changes",
            "analysis_cells", *ANALYSIS_TALLY_TRIGGERS} <= names


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


# Coding changes beyond this many are not looked at one by one: their codes
# are counted again, as a bulk change needs anyway.
CHANGES_LOOKED_AT = 2000


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
    changes = conn.execute(
        "SELECT code_id, transcript_id, note_id, start_pos, end_pos, coder, sign FROM analysis_tally_changes "
        f"LIMIT {CHANGES_LOOKED_AT + 1}").fetchall()
    if len(changes) > CHANGES_LOOKED_AT:
        dirty += [("code", c) for (c,) in conn.execute("SELECT DISTINCT code_id FROM analysis_tally_changes")]
        changes = []
    kept = _stored(conn)
    if not dirty and not changes:
        return Tallies(*kept, recounted=0, stored=True)
    return _count(conn, scope, who, code_theme, theme_parent, code_parent, dirty, store=store,
                  basis=basis, kept=kept, changes=changes, coders=coders)


def _stored(conn: sqlite3.Connection) -> tuple[dict[int, Sizes], dict[int, Sizes], dict[int, Sizes]]:
    out: dict[str, dict[int, Sizes]] = {"code": {}, "theme": {}, "family": {}}
    for kind, id_, n, e, p in conn.execute(
            "SELECT kind, id, codings, extracts, participants FROM analysis_tallies"):
        out[kind][id_] = (n, e, p)
    return out["code"], out["theme"], out["family"]


def stored_cells(conn: sqlite3.Connection, theme_ids: list[int] | None = None) -> dict[tuple[int, int], int]:
    """Distinct extracts per (theme, participant) as stored (current after a
    `current` that returned `stored`; a missing cell is 0). `theme_ids`: only
    these themes'."""
    sql = "SELECT theme_id, participant_id, extracts FROM analysis_cells"
    if theme_ids is None:
        rows = conn.execute(sql)
    else:
        rows = conn.execute(sql + " WHERE theme_id IN (SELECT value FROM json_each(?))",
                            (json.dumps(sorted(theme_ids)),))
    return {(t, p): n for t, p, n in rows}


def _ancestors(start: int, parent: dict[int, int | None]) -> list[int]:
    """`start` and everything above it (a cycle stops the walk)."""
    return theme_chain(start, parent)


def _count(conn, scope, who, code_theme, theme_parent, code_parent, dirty, *, store: bool,
           basis: str | None = None, kept=None, changes=(), coders: tuple[str, ...] = ()) -> Tallies:
    """Count what `dirty` marks (None: everything) from its codings, adjust
    what the coding `changes` touch (store/tallies `_adjust`), put it over
    `kept`, and store it when `store`."""
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
    if wanted is not None and not wanted:
        rows, owner = [], {}
    else:
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
    # extracts per theme and participant, for the themes counted again
    found_cells: dict[tuple[int, int], int] = {}
    for t, v in new_themes.items():
        for document, _, _ in v[1]:
            key = (t, owner[document])
            found_cells[key] = found_cells.get(key, 0) + 1

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
    adjusted: dict[tuple[str, int], Sizes] = {}
    cell_steps: dict[tuple[int, int], int] = {}
    if changes and dirty is not None:
        out = {"code": out_codes, "theme": out_themes, "family": out_families}
        adjusted, cell_steps = _adjust(
            conn, changes, scope, who, coders, code_theme, theme_parent, code_parent, heads_all,
            skip={("code", i) for i in codes} | {("theme", i) for i in themes}
            | {("family", i) for i in families}, kept=out)
        for (kind, i), v in adjusted.items():
            if v[0]:
                out[kind][i] = v
            else:
                out[kind].pop(i, None)
    stored = False
    if store:
        rows_out = [("code", i, *v) for i, v in found_codes.items()]
        rows_out += [("theme", i, *v) for i, v in found_themes.items()]
        rows_out += [("family", i, *v) for i, v in found_families.items()]
        rows_out += [(kind, i, *v) for (kind, i), v in adjusted.items() if v[0]]
        if dirty is None:
            drops = None
        else:
            drops = [("code", i) for i in codes | gone_codes]
            drops += [("theme", i) for i in themes | gone_themes]
            drops += [("family", i) for i in families | no_longer_heads | gone_codes]
            drops += list(adjusted)
        cell_themes = None if dirty is None else themes | gone_themes
        stored = _store(conn, rows_out, drops, basis, found_cells, cell_themes, cell_steps)
    return Tallies(out_codes, out_themes, out_families, recounted=len(per_code), stored=stored)


def _adjust(conn, changes, scope, who, coders, code_theme, theme_parent, code_parent, heads_all, *,
            skip: set[tuple[str, int]], kept: dict[str, dict[int, Sizes]]
            ) -> tuple[dict[tuple[str, int], Sizes], dict[tuple[int, int], int]]:
    """The counts of the codes, themes and families the coding `changes`
    touch (those in `skip` are counted again from their codings instead),
    adjusted from `kept` by looking at the changed spans only: an extract
    is new to a theme when the theme's codes code it now and did not before
    the changes (now, minus the changes); a participant likewise, from the
    counts of their codings by code. Returns the new counts, and each
    (theme, participant)'s step in extracts for `analysis_cells`.

    Only codings that count now are looked at: a change whose document or
    code changed what it counts towards since the counts were stored has
    marked its code (the schema's triggers), and so is in `skip`."""
    owner: dict[int, int] = {}  # document -> participant, for the documents in analysis
    transcripts = sorted({r[1] for r in changes if r[1] is not None})
    if transcripts:
        owner.update(conn.execute(
            "SELECT t.id, t.participant_id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
            "WHERE p.pilot = 0 AND t.id IN (SELECT value FROM json_each(?))", (json.dumps(transcripts),)))
    notes = sorted({r[2] for r in changes if r[2] is not None})
    if notes and scope != "transcripts":
        owner.update((-n, p) for n, p in conn.execute(
            "SELECT n.id, i.participant_id FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id WHERE p.pilot = 0 AND coalesce(i.pilot, 0) = 0 "
            "AND n.id IN (SELECT value FROM json_each(?))", (json.dumps(notes),)))
    known: dict[int, tuple[tuple[str, int], ...]] = {}

    def units(code: int) -> tuple[tuple[str, int], ...]:
        """What a coding of `code` counts towards (not `skip`)."""
        got = known.get(code)
        if got is None:
            out: list[tuple[str, int]] = []
            if code in code_theme:
                out.append(("code", code))
                out += [("family", a) for a in _ancestors(code, code_parent) if a in heads_all]
                out += [("theme", t) for t in theme_chain(code_theme[code], theme_parent)]
            got = known[code] = tuple(u for u in out if u not in skip)
        return got

    at_span: dict[tuple, dict] = {}  # span -> unit -> net change
    by_person: dict[int, dict] = {}  # participant -> unit -> net change
    codings: dict[tuple[str, int], int] = {}
    for code, transcript, note, start, end, coder, sign in changes:
        if coders and coder not in coders:
            continue
        document = transcript if transcript is not None else -note
        person = owner.get(document)
        if person is None:
            continue
        span_step = at_span.setdefault((document, start, end), {})
        person_step = by_person.setdefault(person, {})
        for u in units(code):
            span_step[u] = span_step.get(u, 0) + sign
            person_step[u] = person_step.get(u, 0) + sign
            codings[u] = codings.get(u, 0) + sign
    steps: dict[tuple[str, int], list[int]] = {u: [n, 0, 0] for u, n in codings.items()}
    cell_steps: dict[tuple[int, int], int] = {}
    for (document, start, end), step in at_span.items():
        if not any(step.values()):
            continue
        column = "transcript_id" if document > 0 else "note_id"
        now: dict[tuple[str, int], int] = {}
        for (code,) in conn.execute(
                f"SELECT k.code_id FROM codings k WHERE k.{column} = ? AND k.start_pos = ? AND k.end_pos = ?{who}",
                (abs(document), start, end)):
            for u in units(code):
                now[u] = now.get(u, 0) + 1
        for u, d in step.items():
            n = now.get(u, 0)
            moved = (n > 0) - (n - d > 0)
            if moved:
                steps[u][1] += moved
                if u[0] == "theme":
                    key = (u[1], owner[document])
                    cell_steps[key] = cell_steps.get(key, 0) + moved
    for person, step in by_person.items():
        if not any(step.values()):
            continue
        sql = (f"SELECT k.code_id, count(*) FROM transcripts t CROSS JOIN codings k ON k.transcript_id = t.id "
               f"WHERE t.participant_id = ?{who} GROUP BY k.code_id")
        params: tuple = (person,)
        if scope != "transcripts":
            sql += (" UNION ALL SELECT k.code_id, count(*) FROM interviews i JOIN notes n ON n.interview_id = i.id "
                    f"CROSS JOIN codings k ON k.note_id = n.id WHERE i.participant_id = ? "
                    f"AND coalesce(i.pilot, 0) = 0{who} GROUP BY k.code_id")
            params += (person,)
        now = {}
        for code, n in conn.execute(sql, params):
            for u in units(code):
                now[u] = now.get(u, 0) + n
        for u, d in step.items():
            n = now.get(u, 0)
            steps[u][2] += (n > 0) - (n - d > 0)
    out: dict[tuple[str, int], Sizes] = {}
    for u, (dn, de, dp) in steps.items():
        n, e, p = kept[u[0]].get(u[1], ZERO)
        out[u] = (n + dn, e + de, p + dp)
    return out, cell_steps


def _store(conn: sqlite3.Connection, rows: list[tuple], drops: list[tuple] | None, basis: str,
           cells: dict[tuple[int, int], int], cell_themes: set[int] | None,
           cell_steps: dict[tuple[int, int], int]) -> bool:
    """Write the recounted tallies and clear the dirty marks and changes, all
    or nothing. `cells`: the extracts per (theme, participant) of the themes
    in `cell_themes` (None: of every theme), which replace theirs;
    `cell_steps`: steps to add to others. Inside the snapshot the counts were
    read in: SQLite refuses the write (busy) when another connection
    committed since, so what is stored is always what the marks it clears
    asked for. False when it could not write."""
    conn.execute("SAVEPOINT analysis_tallies")
    try:
        if drops is None:
            conn.execute("DELETE FROM analysis_tallies")
        else:
            conn.executemany("DELETE FROM analysis_tallies WHERE kind = ? AND id = ?", drops)
        conn.executemany(
            "INSERT INTO analysis_tallies (kind, id, codings, extracts, participants) VALUES (?, ?, ?, ?, ?)",
            rows)
        if cell_themes is None:
            conn.execute("DELETE FROM analysis_cells")
        elif cell_themes:
            conn.execute("DELETE FROM analysis_cells WHERE theme_id IN (SELECT value FROM json_each(?))",
                         (json.dumps(sorted(cell_themes)),))
        conn.executemany("INSERT INTO analysis_cells (theme_id, participant_id, extracts) VALUES (?, ?, ?)",
                         [(t, p, n) for (t, p), n in cells.items()])
        steps = [(t, p, n) for (t, p), n in cell_steps.items() if n]
        conn.executemany(
            "INSERT INTO analysis_cells (theme_id, participant_id, extracts) VALUES (?, ?, ?) "
            "ON CONFLICT (theme_id, participant_id) DO UPDATE SET extracts = extracts + excluded.extracts", steps)
        if steps:
            conn.execute("DELETE FROM analysis_cells WHERE extracts <= 0")
        conn.execute("DELETE FROM analysis_tally_dirty")
        conn.execute("DELETE FROM analysis_tally_changes")
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
