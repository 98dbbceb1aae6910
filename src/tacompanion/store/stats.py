"""`tacompanion stats`: the study in numbers, as one plain dict (the text
tables of the terminal are drawn from it in cli/stats_text.py).

The dict is a public contract (`stats --json`): scripts read it, and later
work adds keys to it. Build it here and only here; add a key with a function
that fills it, and never rename or remove one.
"""

from __future__ import annotations

from typing import Any

from tacompanion.core.transcript import natural_key
from tacompanion.store.saturation import saturation_json, study_saturation
from tacompanion.store.study import Study


def study_stats(study: Study) -> dict[str, Any]:
    """The whole report: {"participants": [...], "transcripts": [...], "codes": [...],
    "themes": [...], "prevalence": {...}}."""
    return {
        "participants": participant_stats(study),
        "transcripts": transcript_stats(study),
        "interviews": interview_stats(study),
        **analysis_stats(study),
        "saturation": saturation_json(study_saturation(study)),
    }


def interview_stats(study: Study) -> list[dict[str, Any]]:
    """Per interview: participant, pilot, guide (title), started (clock start,
    ISO 8601, or null), duration_s (clock time to the end, pauses left out;
    while still open, the clock time of its last note or question event, so
    that the same file always gives the same numbers), notes,
    questions_covered, questions_total, coded_notes (notes with a coding).

    Read with plain queries (not store/interviews.py, which loads the whole
    interview machinery), and of each guide only its questions' ids
    (core/guide_parser.question_ids: most guides without Markdown's parser)."""
    rows = study.conn.execute(
        "SELECT i.id, p.pseudonym, max(p.pilot, i.pilot) AS pilot, g.title, g.source_text, "
        " i.started_at, i.ended_at, "
        " (SELECT count(*) FROM notes n WHERE n.interview_id = i.id) AS notes, "
        " (SELECT count(DISTINCT n.id) FROM notes n JOIN codings k ON k.note_id = n.id "
        "  WHERE n.interview_id = i.id) AS coded_notes, "
        " max(coalesce((SELECT max(elapsed_ms) FROM notes n WHERE n.interview_id = i.id), 0), "
        "     coalesce((SELECT max(elapsed_ms) FROM question_events e WHERE e.interview_id = i.id), 0)) "
        "   AS last_elapsed_ms "
        "FROM interviews i JOIN participants p ON p.id = i.participant_id "
        "LEFT JOIN guides g ON g.id = i.guide_id ORDER BY i.created_at, i.id"
    ).fetchall()
    if not rows:
        return []
    from tacompanion.core.guide import GuideError
    from tacompanion.core.guide_parser import question_ids
    from tacompanion.core.interview import COVERED, Pause, QuestionEvent, derive_coverage, elapsed_ms, parse_iso

    guides: dict[str, tuple[str, ...] | None] = {}
    out = []
    for iid, who, pilot, title, source, started_at, ended_at, notes, coded_notes, last_elapsed in rows:
        if source not in guides:
            try:
                guides[source] = question_ids(source) if source else None
            except GuideError:
                guides[source] = None
        questions = guides[source]
        if not started_at:
            duration = None
        elif ended_at:
            pauses = [Pause(paused, resumed) for paused, resumed in study.conn.execute(
                "SELECT paused_at, resumed_at FROM interview_pauses WHERE interview_id = ? "
                "ORDER BY paused_at, id", (iid,))]
            duration = elapsed_ms(started_at, pauses, parse_iso(ended_at)) // 1000
        else:
            duration = last_elapsed // 1000
        covered = 0
        if questions:
            coverage = derive_coverage(QuestionEvent(*r) for r in study.conn.execute(
                "SELECT question_id, event, elapsed_ms, probe_id FROM question_events "
                "WHERE interview_id = ? ORDER BY id", (iid,)))
            covered = sum(1 for q in questions if coverage.state(q) == COVERED)
        out.append({
            "participant": who,
            "pilot": bool(pilot),
            "guide": title,
            "started": started_at,
            "duration_s": duration,
            "notes": notes,
            "questions_covered": covered,
            "questions_total": len(questions) if questions else 0,
            "coded_notes": coded_notes,
        })
    return out


def analysis_stats(study: Study) -> dict[str, Any]:
    """"codes" and "themes" with counts and prevalence labels (from `analyse`),
    and "prevalence": N and the rule in force.

    The themes come in the thematic map's order (store/thematic.thematic_map:
    the tree depth first, each theme's own codes in code-tree order under it,
    then the unsorted codes), built here from two small queries so that
    `stats` does not import the map, review and matrix machinery (tested
    against thematic_map)."""
    from tacompanion.core.code_tree import tree_order
    from tacompanion.core.prevalence import rule_text, rule_to_setting
    from tacompanion.store.analysis import analyse

    a = analyse(study)
    themes = _themes_in_tree_order(study)
    by_id = {t[0]: t for t in themes}
    paths: dict[int, str] = {}
    for tid, name, parent, _status in themes:
        paths[tid] = name if parent is None else f"{paths[parent]} / {name}"
    members: dict[int | None, list[tuple[int, str, int | None]]] = {}
    for cid, name, theme_id, parent_code in study.conn.execute(
        "SELECT id, name, theme_id, parent_code_id FROM codes"
    ):
        members.setdefault(theme_id, []).append((cid, name, parent_code))
    own_codes: dict[int | None, list[tuple[int, str]]] = {}
    for theme_id, codes_here in members.items():
        names = {cid: name for cid, name, _ in codes_here}
        own_codes[theme_id] = [(cid, names[cid]) for cid, _ in tree_order(codes_here)]
    children: dict[int | None, list[tuple]] = {}
    for t in themes:
        children.setdefault(t[2], []).append(t)

    def counted(counts) -> dict[str, Any]:
        if counts is None:
            return {"codings": 0, "extracts": 0, "participants": 0, "label": None}
        return {"codings": counts.codings, "extracts": counts.extracts,
                "participants": counts.participants, "label": counts.label}

    codes: list[dict[str, Any]] = []
    theme_rows: list[dict[str, Any]] = []
    stack = list(reversed(children.get(None, [])))
    while stack:  # depth first, as the map walks it
        tid, name, parent, status = stack.pop()
        own = own_codes.get(tid, [])
        theme_rows.append({"name": name, "parent": by_id[parent][1] if parent is not None else None,
                           "status": status, "codes": [n for _, n in own], **counted(a.themes.get(tid))})
        for cid, code_name in own:
            codes.append({"name": code_name, "theme": paths.get(tid), **counted(a.codes.get(cid))})
        stack.extend(reversed(children.get(tid, [])))
    for cid, code_name in own_codes.get(None, []):
        codes.append({"name": code_name, "theme": None, **counted(a.codes.get(cid))})
    codes.sort(key=lambda c: c["name"].casefold())
    return {
        "codes": codes,
        "themes": theme_rows,
        "prevalence": {"participants": a.total, "scope": a.scope, "coders": list(a.coders),
                       "rule": rule_to_setting(a.rule),
                       "text": rule_text(a.rule, a.total) if a.total else rule_text(a.rule)},
    }


def _themes_in_tree_order(study: Study) -> list[tuple[int, str, int | None, str]]:
    """(id, name, parent id, status) of every theme reached from the top,
    parents before children, siblings by position: store/themes.list_themes's
    order (a damaged file's cycle is left out, as there)."""
    by_parent: dict[int | None, list[tuple[int, str, int | None, str]]] = {}
    for row in study.conn.execute("SELECT id, name, parent_id, status FROM themes ORDER BY position, id"):
        by_parent.setdefault(row[2], []).append(row)
    out = []
    seen: set[int] = set()
    stack = list(reversed(by_parent.get(None, [])))
    while stack:
        row = stack.pop()
        if row[0] in seen:
            continue
        seen.add(row[0])
        out.append(row)
        stack.extend(reversed(by_parent.get(row[0], [])))
    return out


def participant_stats(study: Study) -> list[dict[str, Any]]:
    rows = study.query(
        "SELECT p.pseudonym AS id, p.pilot, "
        "(SELECT count(*) FROM interviews i WHERE i.participant_id = p.id) AS interviews, "
        "(SELECT count(*) FROM notes n JOIN interviews i ON i.id = n.interview_id "
        " WHERE i.participant_id = p.id) AS notes, "
        "(SELECT count(*) FROM transcripts t WHERE t.participant_id = p.id) AS transcripts "
        "FROM participants p ORDER BY p.pseudonym COLLATE NOCASE"
    )
    for r in rows:
        r["pilot"] = bool(r["pilot"])
    rows.sort(key=lambda r: natural_key(r["id"]))
    return rows


def transcript_stats(study: Study) -> list[dict[str, Any]]:
    from tacompanion.store.transcript_counts import coded_segment_counts, transcript_word_counts

    rows = study.conn.execute(
        "SELECT t.id, p.pseudonym, t.file_name, t.format "
        "FROM transcripts t JOIN participants p ON p.id = t.participant_id"
    ).fetchall()
    turns = {tid: (n, by_participant) for tid, n, by_participant in study.conn.execute(
        "SELECT transcript_id, count(*), sum(is_interviewer = 0) FROM segments GROUP BY transcript_id")}
    words = transcript_word_counts(study)  # kept with the text: no turn is split here
    coded = coded_segment_counts(study)
    rows.sort(key=lambda r: (natural_key(r[1]), natural_key(r[2]), r[0]))
    out = []
    for tid, participant, name, fmt in rows:
        segments, participant_segments = turns.get(tid, (0, 0))
        total, participant_words = words.get(tid, (0, 0))
        out.append(
            {
                "participant": participant,
                "name": name,
                "format": fmt,
                "segments": segments,
                "participant_segments": participant_segments,
                "interviewer_segments": segments - participant_segments,
                "words": total,
                "participant_words": participant_words,
                "coded_segments": coded.get(tid, 0),
            }
        )
    return out


def prevalence_rule_rows(study: Study) -> tuple[int, list[dict[str, Any]]]:
    """`stats --rule`: N (the participants in analysis, pilots excluded) and the
    prevalence rule in force, row by row: label, minimum, maximum, and `low`,
    `high`, the numbers of participants the row means for this N (low > high:
    no count fits it)."""
    from tacompanion.core.prevalence import bound
    from tacompanion.store.analysis import participants_in_analysis, prevalence_rule

    total = participants_in_analysis(study)
    rows = [
        {"label": r.label, "minimum": r.minimum, "maximum": r.maximum,
         "low": bound(r.minimum, total), "high": bound(r.maximum, total)}
        for r in prevalence_rule(study)
    ]
    return total, rows
