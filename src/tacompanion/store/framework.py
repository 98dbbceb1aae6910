"""The framework matrix (Ritchie & Spencer; Gale et al. 2013) and rapid
analysis from the guide (Hamilton): one written summary per participant and
column, a column being a theme, a subtheme, or a section or question of the
guide.

Summaries live in `framework_summaries`, keyed by (participant, theme) or
(participant, question id); a guide section is kept as the question id
"section:<section id>". An empty summary is no summary. Writing one as it is
typed keeps one undoable step per sitting (`save_summary` with a session
token updates the step it began), so undo takes back a whole summary
written, not a keystroke.

Pilot participants are rows of their own, shown apart and never counted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from tacompanion.store import history
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso

BY = ("themes", "subthemes", "questions", "sections")
SECTION = "section:"


@dataclass(frozen=True)
class Column:
    key: str  # "theme:12", "question:<id>", "section:<id>"
    title: str  # "Theme / Subtheme", "Q3. How ...", "Warm-up"
    theme_id: int | None = None
    question_id: str | None = None  # as stored: a question id, or "section:<id>"
    code_ids: tuple[int, ...] = ()  # theme columns: the codes (subthemes' included)
    questions: tuple[str, ...] = ()  # question / section columns: the question ids

    @property
    def short(self) -> str:
        return self.title.rsplit(" / ", 1)[-1]


@dataclass(frozen=True)
class Row:
    participant_id: int
    pseudonym: str
    pilot: bool
    group: str = ""  # the value of the grouping attribute ("" without grouping)


@dataclass(frozen=True)
class Cell:
    summary: str
    backing: int  # extracts (theme columns) or notes and turns (guide columns)


@dataclass
class Framework:
    by: str
    columns: list[Column]
    rows: list[Row]  # participants in the analysis, grouped, then pilots
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)
    group_by: str | None = None
    guide_title: str | None = None
    counted_backing: bool = True  # False: the counts are not read yet (every one 0)
    backed: set[int] = field(default_factory=set)  # participants whose counts are read (`count_backing`)

    def cell(self, participant_id: int, column_key: str) -> Cell:
        return self.cells.get((participant_id, column_key), Cell("", 0))

    @property
    def counted(self) -> list[Row]:
        return [r for r in self.rows if not r.pilot]

    @property
    def pilots(self) -> list[Row]:
        return [r for r in self.rows if r.pilot]

    def written(self) -> int:
        counted = {r.participant_id for r in self.counted}
        keys = {c.key for c in self.columns}
        return sum(1 for (pid, key), c in self.cells.items()
                   if c.summary.strip() and pid in counted and key in keys)


# -- participants and attributes ------------------------------------------------------


def attribute_values(study: Study) -> dict[int, dict[str, str]]:
    """Every participant's attributes as text: participant id -> {name: value}.
    The one place the framework (and anything grouping participants) reads
    them, whatever way the study stores them."""
    out: dict[int, dict[str, str]] = {}
    for pid, raw in study.conn.execute("SELECT id, attributes FROM participants"):
        try:
            values = json.loads(raw or "{}")
        except ValueError:
            values = {}
        if isinstance(values, dict):
            out[pid] = {str(k): "" if v is None else str(v) for k, v in values.items()}
    return out


def attribute_names(study: Study) -> list[str]:
    names = {name for values in attribute_values(study).values() for name in values}
    return sorted(names, key=str.casefold)


def _rows(study: Study, group_by: str | None) -> list[Row]:
    from tacompanion.core.transcript import natural_key

    people = study.conn.execute(
        "SELECT p.id, p.pseudonym, p.pilot, "
        " EXISTS (SELECT 1 FROM transcripts t WHERE t.participant_id = p.id), "
        " EXISTS (SELECT 1 FROM interviews i WHERE i.participant_id = p.id AND i.pilot = 0), "
        " EXISTS (SELECT 1 FROM interviews i WHERE i.participant_id = p.id AND i.pilot = 1), "
        " EXISTS (SELECT 1 FROM framework_summaries f WHERE f.participant_id = p.id) "
        "FROM participants p").fetchall()
    values = attribute_values(study) if group_by else {}
    rows = []
    for pid, name, pilot, transcripts, interviews, pilot_interviews, summaries in people:
        if not (transcripts or interviews or pilot_interviews or summaries):
            continue  # a name with no data yet
        is_pilot = bool(pilot) or (pilot_interviews and not interviews and not transcripts)
        group = values.get(pid, {}).get(group_by, "") if group_by else ""
        rows.append(Row(pid, name, bool(is_pilot), group))
    rows.sort(key=lambda r: (r.pilot, group_by is not None and r.group == "",
                             natural_key(r.group), natural_key(r.pseudonym)))
    return rows


# -- columns ------------------------------------------------------------------------------


def _theme_columns(study: Study, by: str) -> list[Column]:
    from tacompanion.store.thematic import theme_paths
    from tacompanion.store.themes import list_themes

    themes = list_themes(study)
    paths = theme_paths(themes)
    children: dict[int | None, list[int]] = defaultdict(list)
    for t in themes:
        children[t.parent_id].append(t.id)
    own: dict[int, list[int]] = defaultdict(list)
    for cid, tid in study.conn.execute("SELECT id, theme_id FROM codes WHERE theme_id IS NOT NULL"):
        own[tid].append(cid)

    def codes(tid: int) -> list[int]:
        out = list(own.get(tid, []))
        for child in children.get(tid, []):
            out += codes(child)
        return out

    if by == "themes":
        chosen = [t for t in themes if t.parent_id is None]
    else:  # every subtheme, and the main themes that have none
        chosen = [t for t in themes if t.parent_id is not None or not children.get(t.id)]
    return [Column(f"theme:{t.id}", paths[t.id], theme_id=t.id, code_ids=tuple(sorted(codes(t.id))))
            for t in chosen]


def _guide_columns(study: Study, by: str, guide_id: int | None):
    from tacompanion.store.by_question import load_choice_guide, study_guides

    guides = study_guides(study)
    choice = guides[0] if guide_id is None and guides else next((g for g in guides if g.id == guide_id), None)
    if choice is None:
        if guide_id is not None:
            raise StudyError(f"no guide with id {guide_id}")
        return [], None, None
    guide = load_choice_guide(study, choice.id)
    if guide is None:
        return [], choice, None
    if by == "questions":
        cols = [Column(f"question:{q.id}", f"Q{q.number}. {q.text}", question_id=q.id, questions=(q.id,))
                for q in guide.questions]
    else:
        cols = [Column(f"section:{s.id}", s.title, question_id=f"{SECTION}{s.id}",
                       questions=tuple(q.id for q in s.questions)) for s in guide.sections]
    return cols, choice, guide


def columns(study: Study, by: str = "themes", guide_id: int | None = None) -> list[Column]:
    if by not in BY:
        raise StudyError(f"the framework's columns are {', '.join(BY)}, not {by!r}")
    if by in ("themes", "subthemes"):
        return _theme_columns(study, by)
    return _guide_columns(study, by, guide_id)[0]


# -- the matrix ---------------------------------------------------------------------------


def _summaries(study: Study) -> dict[tuple[int, str], str]:
    out = {}
    for pid, tid, qid, text in study.conn.execute(
            "SELECT participant_id, theme_id, question_id, text FROM framework_summaries"):
        key = f"theme:{tid}" if tid is not None else (qid if qid.startswith(SECTION) else f"question:{qid}")
        out[(pid, key)] = text
    return out


def _theme_backing(study: Study, cols: list[Column],
                   participant_ids: list[int] | None = None) -> dict[tuple[int, str], int]:
    """Distinct extracts per (participant, column), pilots' own included (their
    rows are shown apart); notes follow the analysis scope. With
    `participant_ids`, of those participants only (their own codings, read
    by document: a bounded amount of work whatever the study's size)."""
    of_code: dict[int, list[str]] = defaultdict(list)
    for c in cols:
        for cid in c.code_ids:
            of_code[cid].append(c.key)
    if not of_code:
        return {}
    seen: dict[tuple[int, str], set] = defaultdict(set)
    # Plain rows, no join: the owner of each document from a small table, the
    # codings read as they are stored (20,000 codings: a join cost ~100 ms).
    owner = dict(study.conn.execute("SELECT id, participant_id FROM transcripts").fetchall())
    from tacompanion.store.analysis import coder_condition

    who = coder_condition(study)  # the coders in the analysis (setting analysis_coders)
    some, params = "", ()
    if participant_ids is not None:
        some = f" AND t.participant_id IN ({','.join('?' * len(participant_ids))})"
        params = tuple(participant_ids)
        rows = study.conn.execute(
            "SELECT k.code_id, k.transcript_id, k.start_pos, k.end_pos FROM transcripts t "
            f"CROSS JOIN codings k ON k.transcript_id = t.id WHERE 1{some}{who}", params).fetchall()
    else:
        rows = study.conn.execute(
            "SELECT k.code_id, k.transcript_id, k.start_pos, k.end_pos FROM codings k "
            "WHERE k.transcript_id IS NOT NULL" + who
        ).fetchall()
    for code_id, doc, start, end in rows:
        columns = of_code.get(code_id)
        if columns:
            pid = owner[doc]
            for key in columns:
                seen[(pid, key)].add((doc, start, end))
    if study.setting("analysis_scope", "all") != "transcripts":
        for code_id, pid, doc, start, end in study.conn.execute(
                "SELECT k.code_id, i.participant_id, k.note_id, k.start_pos, k.end_pos FROM interviews i "
                "JOIN notes n ON n.interview_id = i.id CROSS JOIN codings k ON k.note_id = n.id "
                f"WHERE 1{some.replace('t.participant_id', 'i.participant_id')}{who}", params):
            for key in of_code.get(code_id, ()):
                seen[(pid, key)].add((-doc, start, end))
    return {k: len(v) for k, v in seen.items()}


def _guide_backing(study: Study, cols: list[Column], guide_id: int | None,
                   rows: list[Row]) -> dict[tuple[int, str], int]:
    from tacompanion.store.by_question import answers_by_question

    if not cols:
        return {}
    answers = answers_by_question(study, guide_id)
    pid_of = {r.pseudonym: r.participant_id for r in rows}
    out: dict[tuple[int, str], int] = {}
    for (qid, pseudonym), items in answers.cells.items():
        pid = pid_of.get(pseudonym)
        if pid is None:
            continue
        for c in cols:
            if qid in c.questions:
                out[(pid, c.key)] = out.get((pid, c.key), 0) + len(items)
    return out


def framework(study: Study, by: str = "themes", *, group_by: str | None = None,
              guide_id: int | None = None, backing: bool = True) -> Framework:
    """The matrix: rows, columns, and each cell's summary and backing
    (`backing` False: the summaries only, every count 0; cheap, for a first
    frame that the counts follow)."""
    if by not in BY:
        raise StudyError(f"the framework's columns are {', '.join(BY)}, not {by!r}")
    rows = _rows(study, group_by)
    title = None
    counts: dict[tuple[int, str], int] = {}
    if by in ("themes", "subthemes"):
        cols = _theme_columns(study, by)
        if backing:
            counts = _theme_backing(study, cols)
    else:
        cols, choice, _guide = _guide_columns(study, by, guide_id)
        title = choice.name if choice else None
        if backing:
            counts = _guide_backing(study, cols, choice.id if choice else None, rows)
    summaries = _summaries(study)
    cells = {}
    for r in rows:
        for c in cols:
            text, n = summaries.get((r.participant_id, c.key), ""), counts.get((r.participant_id, c.key), 0)
            if text or n:
                cells[(r.participant_id, c.key)] = Cell(text, n)
    return Framework(by, cols, rows, cells, group_by, title, backing,
                     {r.participant_id for r in rows} if backing else set())


def count_backing(study: Study, fw: Framework, participant_ids) -> list[int]:
    """Read the counts of these participants' cells into `fw` (a framework
    read with `backing` False), for theme columns: each participant's own
    codings, so a screen counts the rows it shows. Returns the participants
    counted now (those not counted before)."""
    wanted = [p for p in dict.fromkeys(participant_ids) if p not in fw.backed]
    if not wanted or fw.by not in ("themes", "subthemes"):
        return []
    counts = _theme_backing(study, fw.columns, wanted)
    for pid in wanted:
        for c in fw.columns:
            n = counts.get((pid, c.key), 0)
            old = fw.cells.get((pid, c.key))
            if n or old:
                fw.cells[(pid, c.key)] = Cell(old.summary if old else "", n)
    fw.backed.update(wanted)
    return wanted


# -- one cell --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backing:
    label: str  # "t1.txt · turn 12", "interview notes", "note 0:21"
    text: str
    codes: str = ""  # theme columns: the codes on the extract


def cell_backing(study: Study, participant_id: int, column: Column,
                 guide_id: int | None = None) -> list[Backing]:
    """The extracts (theme column) or the notes and turns (guide column) of
    one participant that the cell's summary rests on, in reading order."""
    if column.theme_id is not None:
        from tacompanion.store.thematic import extract_where

        out = []
        extracts = _extracts_any(study, list(column.code_ids), participant_id)
        for e in extracts:
            where = extract_where(study, e).split(" · ", 1)
            out.append(Backing(where[1] if len(where) > 1 else "interview notes", e.text,
                               ", ".join(c.name for c in e.codes if c.code_id in column.code_ids)))
        return out
    from tacompanion.store.by_question import answers_by_question

    pseudonym = study.scalar("SELECT pseudonym FROM participants WHERE id = ?", (participant_id,))
    answers = answers_by_question(study, guide_id)
    out = []
    for qid in column.questions:
        for a in answers.cells.get((qid, pseudonym), []):
            label = a.label if len(column.questions) == 1 else f"{qid} · {a.label}"
            out.append(Backing(label, a.text))
    return out


def _extracts_any(study: Study, code_ids: list[int], participant_id: int):
    """Extracts of the codes in one participant's data, a pilot's too (a pilot's
    row shows its own material; `extracts_for` leaves pilots out), in reading order."""
    from tacompanion.store.analysis import coder_condition
    from tacompanion.store.thematic import Extract, ExtractCode, with_texts

    if not code_ids:
        return []
    marks = ",".join("?" * len(code_ids))
    who = coder_condition(study)
    sql = ("SELECT 'transcript', k.transcript_id, NULL, k.start_pos, k.end_pos, k.id, k.code_id, c.name "
           "FROM codings k JOIN transcripts t ON t.id = k.transcript_id JOIN codes c ON c.id = k.code_id "
           f"WHERE k.code_id IN ({marks}) AND t.participant_id = ?{who}")
    params: tuple = (*code_ids, participant_id)
    if study.setting("analysis_scope", "all") != "transcripts":
        sql += (" UNION ALL SELECT 'notes', k.note_id, i.id, k.start_pos, k.end_pos, k.id, k.code_id, c.name "
                "FROM codings k JOIN notes n ON n.id = k.note_id JOIN interviews i ON i.id = n.interview_id "
                f"JOIN codes c ON c.id = k.code_id WHERE k.code_id IN ({marks}) AND i.participant_id = ?{who}")
        params = params + params
    name = study.scalar("SELECT pseudonym FROM participants WHERE id = ?", (participant_id,)) or "?"
    spans: dict[tuple, list] = {}
    heads: dict[tuple, tuple] = {}
    for kind, doc, interview, start, end, kid, cid, cname in study.conn.execute(sql, params):
        key = (kind != "transcript", doc, start, end)
        heads.setdefault(key, (kind, doc, interview, start, end))
        spans.setdefault(key, []).append(ExtractCode(kid, cid, cname))
    out = [Extract(participant_id, name, h[0], h[1], h[2], h[3], h[4], "", tuple(spans[k]))
           for k, h in sorted(heads.items())]
    return with_texts(study, out)


# -- finding and writing --------------------------------------------------------------------


def find_participant(study: Study, pseudonym: str) -> int:
    pid = study.scalar("SELECT id FROM participants WHERE pseudonym = ?", (pseudonym.strip(),))
    if pid is None:
        names = ", ".join(r[0] for r in study.conn.execute(
            "SELECT pseudonym FROM participants ORDER BY pseudonym COLLATE NOCASE")) or "none yet"
        raise StudyError(f"no participant {pseudonym!r} (participants: {names})")
    return pid


def find_column(study: Study, wanted: str, guide_id: int | None = None) -> Column:
    """A column by theme path ('Theme / Subtheme', or a unique theme name), by
    guide question id, or by 'section:<id>'."""
    from tacompanion.store.themes import find_theme

    text = wanted.strip()
    theme_id = find_theme(study, text)
    if theme_id is not None:
        for c in _theme_columns(study, "themes") + _theme_columns(study, "subthemes"):
            if c.theme_id == theme_id:
                return c
        from tacompanion.store.themes import theme_path

        return Column(f"theme:{theme_id}", theme_path(study, theme_id), theme_id=theme_id)
    by = "sections" if text.startswith(SECTION) else "questions"
    for c in _guide_columns(study, by, guide_id)[0]:
        if c.key == (text if by == "sections" else f"question:{text}"):
            return c
    themes = ", ".join(c.title for c in _theme_columns(study, "themes")) or "none yet"
    questions = ", ".join(c.question_id or "" for c in _guide_columns(study, "questions", guide_id)[0])
    raise StudyError(f"no column {wanted!r}: give a theme path (themes: {themes})"
                     + (f" or a question id ({questions})" if questions else ""))


def _where(column: Column) -> tuple[str, tuple]:
    if column.theme_id is not None:
        return "theme_id = ?", (column.theme_id,)
    return "question_id = ?", (column.question_id,)


def summary(study: Study, participant_id: int, column: Column) -> str:
    where, params = _where(column)
    return study.scalar(f"SELECT text FROM framework_summaries WHERE participant_id = ? AND {where}",
                        (participant_id, *params)) or ""


def _label(study: Study, participant_id: int, column: Column) -> str:
    name = study.scalar("SELECT pseudonym FROM participants WHERE id = ?", (participant_id,)) or "?"
    return f"Summary of {name} · {column.title[:60]}"


def set_summary(study: Study, participant_id: int, column: Column, text: str) -> None:
    """Write a cell's summary as one undoable step (an empty text: none)."""
    save_summary(study, participant_id, column, text, session=None)


def save_summary(study: Study, participant_id: int, column: Column, text: str,
                 *, session: str | None) -> None:
    """Write a cell's summary, committed before returning. Calls with the same
    `session` (one sitting in the editor) make one undoable step together."""
    where, params = _where(column)
    rows = study.query(f"SELECT * FROM framework_summaries WHERE participant_id = ? AND {where}",
                       (participant_id, *params))
    row = rows[0] if rows else None
    if row is not None and row["text"] == text:
        return
    if session is not None and _continue_session(study, session, row, text):
        return
    with history.record(study, "framework-summary", _label(study, participant_id, column)) as op:
        if row is None:
            if not text.strip():
                return
            new = {"uuid": new_uuid(), "participant_id": participant_id, "theme_id": column.theme_id,
                   "question_id": None if column.theme_id is not None else column.question_id,
                   "text": text, "created_at": now_iso()}
            op.insert("framework_summaries", new)
        else:
            op.update("framework_summaries", row["id"], {"text": text, "updated_at": now_iso()})
        if session is not None and op.forward:
            op.forward[-1]["session"] = session


def _continue_session(study: Study, session: str, row: dict | None, text: str) -> bool:
    """Fold this save into the step the sitting began, when that step is the
    newest in the log (nothing undone since): True when done."""
    if row is None or study.scalar("SELECT 1 FROM operations WHERE state = 'undone' AND undoable = 1 LIMIT 1"):
        return False
    last = study.query("SELECT id, kind, forward, state, undoable FROM operations ORDER BY id DESC LIMIT 1")
    if not last or last[0]["kind"] != "framework-summary" or last[0]["state"] != "done" \
            or not last[0]["undoable"]:
        return False
    forward = json.loads(last[0]["forward"])
    change = forward[-1] if forward else {}
    target = change.get("row", {}).get("id") if change.get("op") == "insert" else change.get("id")
    if change.get("session") != session or target != row["id"]:
        return False
    when = now_iso()
    if change["op"] == "insert":  # the row as it now is: what undo checks before it deletes it
        change["row"]["text"] = text
        change["row"]["updated_at"] = when
    else:
        change["values"] = {"text": text, "updated_at": when}
    with study.write() as db:
        db["framework_summaries"].update(row["id"], {"text": text, "updated_at": when})
        db["operations"].update(last[0]["id"], {"forward": json.dumps(forward)})
    return True


def summary_rows(study: Study, fw: Framework, *, pilots: bool = False) -> list[dict[str, str]]:
    """The matrix as rows for CSV: participant, group (when grouped), pilot,
    then one column per theme or question holding its summary."""
    out = []
    for r in fw.rows:
        if r.pilot and not pilots:
            continue
        row = {"participant": r.pseudonym}
        if fw.group_by:
            row[fw.group_by] = r.group
        if pilots:
            row["pilot"] = "yes" if r.pilot else ""
        for c in fw.columns:
            row[c.title] = fw.cell(r.participant_id, c.key).summary
        out.append(row)
    return out


def all_summaries(study: Study) -> list[dict]:
    """Every written summary with what it is about, for `framework list`."""
    from tacompanion.store.thematic import theme_paths
    from tacompanion.store.themes import list_themes

    paths = theme_paths(list_themes(study))
    rows = study.query(
        "SELECT f.uuid, p.pseudonym, p.pilot, f.theme_id, f.question_id, f.text, f.created_at, "
        "f.updated_at FROM framework_summaries f JOIN participants p ON p.id = f.participant_id "
        "WHERE trim(f.text) != '' ORDER BY p.pseudonym COLLATE NOCASE, f.id")
    return [{
        "participant": r["pseudonym"], "pilot": bool(r["pilot"]),
        "column": paths.get(r["theme_id"], "?") if r["theme_id"] is not None else r["question_id"],
        "kind": "theme" if r["theme_id"] is not None else (
            "section" if r["question_id"].startswith(SECTION) else "question"),
        "summary": r["text"], "uuid": r["uuid"],
        "updated_at": r["updated_at"] or r["created_at"],
    } for r in rows]
