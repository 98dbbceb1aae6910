"""The review's extracts and the participants x themes matrix computed the
plain way, everything at once (the code the screens used before issue 16
made them lazy): the reference that the lazy ones must equal."""

from __future__ import annotations

from collections import defaultdict

from tacompanion.core.prevalence import label, rule_from_setting
from tacompanion.core.tally import theme_chain
from tacompanion.store.analysis import coder_condition, coding_rows
from tacompanion.store.study import Study
from tacompanion.store.thematic import theme_paths
from tacompanion.store.themes import list_themes


def reference_extracts(study: Study, code_ids: list[int], participant_id: int | None = None,
                       meeting: int | None = None) -> list[tuple]:
    """Every extract as a tuple (participant id, pseudonym, kind, document,
    interview, start, end, text, ((coding id, code id, name, starred), ...))."""
    if not code_ids:
        return []
    scope = study.setting("analysis_scope", "all")
    marks = ",".join("?" * len(code_ids))
    who = " AND p.id = ?" if participant_id is not None else ""
    extra = (participant_id,) if participant_id is not None else ()
    sql = (
        "SELECT p.id, p.pseudonym, 't', k.transcript_id, NULL, k.start_pos, k.end_pos, "
        "  k2.id, k2.code_id, c2.name, k2.starred "
        "FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
        "JOIN participants p ON p.id = t.participant_id "
        "JOIN codings k2 ON k2.transcript_id = k.transcript_id AND k2.start_pos = k.start_pos "
        "  AND k2.end_pos = k.end_pos "
        "JOIN codes c2 ON c2.id = k2.code_id "
        f"WHERE k.code_id IN ({marks}) AND p.pilot = 0{who}"
    )
    coders = coder_condition(study, "k") + coder_condition(study, "k2")
    sql += coders
    params: tuple = (*code_ids, *extra)
    if scope != "transcripts":
        sql += (
            " UNION ALL "
            "SELECT p.id, p.pseudonym, 'n', k.note_id, i.id, k.start_pos, k.end_pos, "
            "  k2.id, k2.code_id, c2.name, k2.starred "
            "FROM codings k JOIN notes n ON n.id = k.note_id "
            "JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id "
            "JOIN codings k2 ON k2.note_id = k.note_id AND k2.start_pos = k.start_pos "
            "  AND k2.end_pos = k.end_pos "
            "JOIN codes c2 ON c2.id = k2.code_id "
            f"WHERE k.code_id IN ({marks}) AND p.pilot = 0 AND i.pilot = 0{who}{coders}"
        )
        params = params + params
    heads: dict[tuple, tuple] = {}
    codes: dict[tuple, dict[int, tuple]] = {}
    for r in study.conn.execute(sql, params):
        key = (r[2], r[3], r[5], r[6])
        if key not in heads:
            heads[key] = r[:7]
            codes[key] = {}
        got = codes[key].get(r[8])
        if got is None or r[7] < got[1]:
            codes[key][r[8]] = (r[9].casefold(), r[7], r[8], r[9], bool(r[10]) or bool(got and got[4]))
        elif r[10]:
            codes[key][r[8]] = (*got[:4], True)
    texts = {("t", i): t for i, t in study.conn.execute("SELECT id, text FROM transcripts")}
    texts.update({("n", i): t for i, t in study.conn.execute("SELECT id, text FROM notes")})
    out = []
    for key, h in heads.items():
        out.append((h[0], h[1], "transcript" if h[2] == "t" else "notes", h[3], h[4], h[5], h[6],
                    texts[(h[2], h[3])][h[5]:h[6]], tuple(c[1:] for c in sorted(codes[key].values()))))
    if meeting is not None:
        spans: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        for doc, note, start, end in study.conn.execute(
            "SELECT transcript_id, note_id, start_pos, end_pos FROM codings k WHERE code_id = ?"
            + coder_condition(study), (meeting,)
        ):
            spans[("transcript", doc) if doc is not None else ("notes", note)].append((start, end))
        out = [e for e in out if any(a < e[6] and e[5] < b for a, b in spans.get((e[2], e[3]), ()))]
    out.sort(key=lambda e: (e[1].casefold(), e[0], e[2] != "transcript", e[3], e[5], e[6]))
    return out


def as_tuple(e) -> tuple:
    """An Extract in the form of `reference_extracts`."""
    return (e.participant_id, e.participant, e.kind, e.doc_id, e.interview_id, e.start, e.end, e.text,
            tuple((c.coding_id, c.code_id, c.name, c.starred) for c in e.codes))


def reference_matrix(study: Study, level: str = "main"):
    """(participants, themes, cells, total, labels) as the matrix showed them."""
    scope = study.setting("analysis_scope", "all")
    rule = rule_from_setting(study.setting("prevalence_rule"))
    themes = list_themes(study)
    paths = theme_paths(themes)
    parent = {t.id: t.parent_id for t in themes}
    depth: dict[int, int] = {}
    for t in themes:
        depth[t.id] = 0 if t.parent_id is None else depth[t.parent_id] + 1
    columns = [t for t in themes if level == "all" or t.parent_id is None]
    wanted = {t.id for t in columns}
    code_theme = {r[0]: r[1] for r in study.conn.execute("SELECT id, theme_id FROM codes")}
    ancestors: dict[int, list[int]] = {}
    for cid, tid in code_theme.items():
        chain = []
        while tid is not None:
            if tid in wanted:
                chain.append(tid)
            tid = parent.get(tid)
        ancestors[cid] = chain
    seen: dict[tuple[int, int], set] = defaultdict(set)
    coders = coder_condition(study)
    sql = ("SELECT k.code_id, 't' || k.transcript_id, k.start_pos, k.end_pos, t.participant_id "
           "FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
           f"JOIN participants p ON p.id = t.participant_id WHERE p.pilot = 0{coders}")
    if scope != "transcripts":
        sql += (" UNION ALL SELECT k.code_id, 'n' || k.note_id, k.start_pos, k.end_pos, i.participant_id "
                "FROM codings k JOIN notes n ON n.id = k.note_id JOIN interviews i ON i.id = n.interview_id "
                f"JOIN participants p ON p.id = i.participant_id WHERE p.pilot = 0 AND i.pilot = 0{coders}")
    for code_id, document, start, end, who in study.conn.execute(sql):
        for tid in ancestors.get(code_id, ()):
            seen[(who, tid)].add((document, start, end))
    cells = {k: len(v) for k, v in seen.items()}
    notes = "" if scope == "transcripts" else (
        " UNION SELECT i.participant_id FROM interviews i JOIN notes n ON n.interview_id = i.id"
        " WHERE i.pilot = 0"
    )
    people = [(r[0], r[1]) for r in study.conn.execute(
        "SELECT id, pseudonym FROM participants WHERE pilot = 0 AND id IN "
        f"(SELECT participant_id FROM transcripts{notes}) ORDER BY pseudonym COLLATE NOCASE"
    )]
    total = len(people)
    labels = {}
    for t in columns:
        n = sum(1 for pid, _ in people if cells.get((pid, t.id)))
        labels[t.id] = (n, label(n, total, rule))
    return people, [(t.id, paths[t.id], depth[t.id]) for t in columns], cells, total, labels


def reference_cooccurrences(study: Study, code_id: int | None = None) -> list[tuple]:
    """(code a, code b, shared, participants) per pair, most shared first: a
    sweep over every coding of every document."""
    scope = study.setting("analysis_scope", "all")
    coders = coder_condition(study)
    sql = ("SELECT k.code_id, 't' || k.transcript_id, k.start_pos, k.end_pos, t.participant_id "
           "FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
           f"JOIN participants p ON p.id = t.participant_id WHERE p.pilot = 0{coders}")
    if scope != "transcripts":
        sql += (" UNION ALL SELECT k.code_id, 'n' || k.note_id, k.start_pos, k.end_pos, i.participant_id "
                "FROM codings k JOIN notes n ON n.id = k.note_id JOIN interviews i ON i.id = n.interview_id "
                f"JOIN participants p ON p.id = i.participant_id WHERE p.pilot = 0 AND i.pilot = 0{coders}")
    by_doc: dict[str, list] = defaultdict(list)
    for code, document, start, end, who in study.conn.execute(sql):
        by_doc[document].append((start, end, code, who))
    shared: dict[tuple[int, int], int] = defaultdict(int)
    people: dict[tuple[int, int], set] = defaultdict(set)
    for facts in by_doc.values():
        facts.sort()
        active: list = []
        for start, end, code, who in facts:
            active = [a for a in active if a[1] > start]
            for a in active:
                if a[2] == code:
                    continue
                pair = (a[2], code) if a[2] < code else (code, a[2])
                if code_id is not None and code_id not in pair:
                    continue
                shared[pair] += 1
                people[pair].add(who)
            active.append((start, end, code, who))
    names = dict(study.conn.execute("SELECT id, name FROM codes").fetchall())
    out = [(a, b, n, len(people[(a, b)])) for (a, b), n in shared.items()]
    out.sort(key=lambda c: (-c[2], -c[3], names[c[0]].casefold(), names[c[1]].casefold()))
    return out


def reference_cells(study: Study) -> dict[tuple[int, int], int]:
    """Distinct extracts per (theme, participant), from every coding."""
    rows, owner = coding_rows(study, study.setting("analysis_scope", "all"))
    code_theme = dict(study.conn.execute("SELECT id, theme_id FROM codes").fetchall())
    theme_parent = dict(study.conn.execute("SELECT id, parent_id FROM themes").fetchall())
    seen: dict[tuple[int, int], set] = {}
    for code, document, start, end in rows:
        for t in theme_chain(code_theme.get(code), theme_parent):
            seen.setdefault((t, owner[document]), set()).add((document, start, end))
    return {k: len(v) for k, v in seen.items()}
