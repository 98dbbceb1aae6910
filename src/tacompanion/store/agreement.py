"""Intercoder agreement read from the study, and disagreements resolved.

The figures are computed by core/agreement.py over the documents in the
analysis: non-pilot transcripts, and (unless `analysis_scope` is
"transcripts") the notes of non-pilot interviews. A resolution is stored as
codings of the consensus coder (setting `consensus_coder`, default
"consensus") plus a row in `resolutions`, as one undoable step; both
coders' own codings stay as they are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tacompanion.core.agreement import (
    DEFINITIONS,
    UNITS,
    Disagreement,
    UnitCounts,
    character_counts,
    disagreements,
    figures,
    turn_counts,
    worst_first_key,
)
from tacompanion.store.study import Study, StudyError

DECISIONS = {"a": "keep A's", "b": "keep B's", "both": "keep both", "drop": "drop"}


@dataclass(frozen=True)
class CodeAgreement:
    code_id: int
    code: str
    theme: str | None
    counts: UnitCounts


@dataclass(frozen=True)
class AgreementReport:
    coders: tuple[str, str]
    unit: str
    codes: list[CodeAgreement]  # worst first
    overall: UnitCounts

    def as_json(self) -> dict[str, Any]:
        """The public contract of `agreement --json` (extend, never rename)."""
        def row(c: UnitCounts) -> dict[str, Any]:
            return {"a": c.a, "b": c.b, "both": c.both, "a_only": c.a_only, "b_only": c.b_only,
                    "neither": c.neither, "n": c.n}

        return {
            "coders": list(self.coders),
            "unit": self.unit,
            "codes": [{"code": c.code, "theme": c.theme, **row(c.counts), **figures(c.counts)}
                      for c in self.codes],
            "overall": {**figures(self.overall), **row(self.overall)},
            "definitions": {k: DEFINITIONS[k] for k in (self.unit, "agreement", "overlap", "kappa",
                                                        "alpha", "overall")},
        }


def consensus_coder(study: Study) -> str:
    return " ".join(str(study.setting("consensus_coder", "consensus") or "consensus").split()) or "consensus"


def _documents(study: Study) -> dict[tuple[str, int], int]:
    """Every document in the analysis: ("t", transcript id) / ("n", note id) -> length."""
    docs = {("t", r[0]): r[1] for r in study.conn.execute(
        "SELECT t.id, length(t.text) FROM transcripts t JOIN participants p ON p.id = t.participant_id "
        "WHERE p.pilot = 0")}
    if study.setting("analysis_scope", "all") != "transcripts":
        docs.update((("n", r[0]), r[1]) for r in study.conn.execute(
            "SELECT n.id, length(n.text) FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id WHERE p.pilot = 0 AND i.pilot = 0"))
    return docs


def _turns(study: Study, docs: dict[tuple[str, int], int]) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """The units of `turns`: each participant turn of a transcript, each note."""
    units: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for tid, s, e in study.conn.execute(
            "SELECT transcript_id, start_pos, end_pos FROM segments WHERE is_interviewer = 0 AND start_pos < end_pos"):
        if ("t", tid) in docs:
            units[("t", tid)].append((s, e))
    for key, length in docs.items():
        if key[0] == "n" and length:
            units[key] = [(0, length)]
    return units


def _spans(study: Study, coders: tuple[str, str], code_id: int | None,
           docs: dict) -> dict[int, dict[tuple[str, int], tuple[list, list]]]:
    """code id -> document -> (A's spans, B's spans)."""
    out: dict[int, dict[tuple[str, int], tuple[list, list]]] = defaultdict(dict)
    sql = ("SELECT code_id, transcript_id, note_id, start_pos, end_pos, coder FROM codings "
           "WHERE coder IN (?, ?)" + (" AND code_id = ?" if code_id is not None else ""))
    params = coders + ((code_id,) if code_id is not None else ())
    a_name = coders[0]
    for code, tid, nid, s, e, coder in study.conn.execute(sql, params):
        doc = ("t", tid) if tid is not None else ("n", nid)
        if doc not in docs:
            continue
        pair = out[code].get(doc)
        if pair is None:
            pair = out[code][doc] = ([], [])
        pair[0 if coder == a_name else 1].append((s, e))
    return out


def _code_info(study: Study) -> dict[int, tuple[str, str | None]]:
    from tacompanion.store.codings_export import THEME_PATH

    return {r[0]: (r[1], r[2]) for r in study.conn.execute(
        THEME_PATH + "SELECT c.id, c.name, path.name FROM codes c LEFT JOIN path ON path.id = c.theme_id")}


def _check_coders(study: Study, coder_a: str, coder_b: str) -> tuple[str, str]:
    a, b = " ".join(coder_a.split()), " ".join(coder_b.split())
    if not a or not b:
        raise StudyError("name two coders, e.g. tacompanion agreement kim lee")
    if a == b:
        raise StudyError(f"compare two different coders, not {a} with {a}")
    known = {r[0] for r in study.conn.execute("SELECT DISTINCT coder FROM codings")}
    for name in (a, b):
        if name not in known:
            shown = ", ".join(sorted(known, key=str.casefold)) or "none yet"
            raise StudyError(f"no codings by {name!r} in {study.path} (coders: {shown})")
    return a, b


def compare(study: Study, coder_a: str, coder_b: str, unit: str = "characters",
            code: str | None = None) -> AgreementReport:
    """Agreement between two coders for every code either of them applied
    (or only `code`), worst first, and overall."""
    if unit not in UNITS:
        raise StudyError(f"the unit is one of {', '.join(UNITS)}, not {unit!r}")
    a, b = _check_coders(study, coder_a, coder_b)
    code_id = None
    if code is not None:
        from tacompanion.store.codes import code_by_name

        code_id = code_by_name(study, code)
        if code_id is None:
            raise StudyError(f"no code named {code!r} in {study.path}")
    docs = _documents(study)
    spans = _spans(study, (a, b), code_id, docs)
    info = _code_info(study)
    units = _turns(study, docs) if unit == "turns" else {}
    total = sum(docs.values()) if unit == "characters" else sum(len(u) for u in units.values())
    rows = []
    overall = UnitCounts()
    for cid in ([code_id] if code_id is not None else spans):
        counts = UnitCounts()
        seen = 0
        for doc, (sa, sb) in spans.get(cid, {}).items():
            if unit == "characters":
                c = character_counts(docs[doc], sa, sb)
            else:
                c = turn_counts(units.get(doc, []), sa, sb)
            counts = counts + c
            seen += c.n
        counts = counts + UnitCounts(neither=total - seen)
        name, theme = info[cid]
        rows.append(CodeAgreement(cid, name, theme, counts))
        overall = overall + counts
    rows.sort(key=lambda r: worst_first_key(r.code, r.counts))
    return AgreementReport((a, b), unit, rows, overall)


# -- disagreements and their resolution --------------------------------------------------------


@dataclass(frozen=True)
class DisagreementView:
    """One disagreement with what the screen shows around it."""

    code_id: int
    item: Disagreement  # document: ("t", id) / ("n", id)
    where: str  # "P3 · t3-interview.vtt"
    text: str  # the whole document text (the screen cuts the context)
    decision: str | None  # how it was resolved (a / b / both / drop), or None


def disagreements_of(study: Study, coder_a: str, coder_b: str, code_id: int) -> list[DisagreementView]:
    """The disagreements on one code between two coders, in document order."""
    docs = _documents(study)
    spans = _spans(study, (coder_a, coder_b), code_id, docs).get(code_id, {})
    resolved = {}
    for tid, nid, s, e, d in study.conn.execute(
            "SELECT transcript_id, note_id, start_pos, end_pos, decision FROM resolutions "
            "WHERE code_id = ? AND ((coder_a = ? AND coder_b = ?) OR (coder_a = ? AND coder_b = ?)) ORDER BY id",
            (code_id, coder_a, coder_b, coder_b, coder_a)):
        resolved[(("t", tid) if tid is not None else ("n", nid), s, e)] = d
    titles = {("t", r[0]): f"{r[1]} · {r[2]}" for r in study.conn.execute(
        "SELECT t.id, p.pseudonym, t.file_name FROM transcripts t JOIN participants p ON p.id = t.participant_id")}
    titles.update({("n", r[0]): f"{r[1]} · interview notes" for r in study.conn.execute(
        "SELECT n.id, p.pseudonym FROM notes n JOIN interviews i ON i.id = n.interview_id "
        "JOIN participants p ON p.id = i.participant_id")})
    out = []
    for doc in sorted(spans, key=lambda d: (titles.get(d, "").casefold(), d)):
        table = "transcripts" if doc[0] == "t" else "notes"
        text = study.scalar(f"SELECT text FROM {table} WHERE id = ?", (doc[1],)) or ""
        for d in disagreements(doc, *spans[doc]):
            out.append(DisagreementView(code_id, d, titles.get(doc, ""), text,
                                        resolved.get((doc, d.start, d.end))))
    return out


def resolve(study: Study, view: DisagreementView, decision: str, coder_a: str, coder_b: str) -> str:
    """Store how a disagreement is resolved: the spans kept become codings of
    the consensus coder (`drop`: none), as one undoable step. Returns the
    consensus coder's name."""
    from tacompanion.store import history
    from tacompanion.store.codes import code_name
    from tacompanion.store.study import new_uuid, now_iso

    if decision not in DECISIONS:
        raise StudyError(f"a resolution is one of {', '.join(DECISIONS)}")
    consensus = consensus_coder(study)
    d = view.item
    column = "transcript_id" if d.document[0] == "t" else "note_id"
    doc_id = d.document[1]
    keep = {"a": d.a, "b": d.b, "both": tuple(sorted({*d.a, *d.b})), "drop": ()}[decision]
    name = code_name(study, view.code_id)
    # what the consensus coder already has in this stretch is replaced by the decision
    old = study.query(
        f"SELECT id, start_pos, end_pos FROM codings WHERE code_id = ? AND {column} = ? AND coder = ? "
        "AND start_pos < ? AND ? < end_pos", (view.code_id, doc_id, consensus, d.end, d.start))
    earlier = study.query(
        f"SELECT id FROM resolutions WHERE code_id = ? AND {column} = ? AND start_pos = ? AND end_pos = ? "
        "AND ((coder_a = ? AND coder_b = ?) OR (coder_a = ? AND coder_b = ?))",
        (view.code_id, doc_id, d.start, d.end, coder_a, coder_b, coder_b, coder_a))
    label = f"Resolve '{name}' ({DECISIONS[decision]}) in {view.where}"
    now = now_iso()
    with history.record(study, "resolve-disagreement", label) as op:
        for r in earlier:
            op.delete("resolutions", r["id"])
        for r in old:
            if (r["start_pos"], r["end_pos"]) not in keep:
                op.delete("codings", r["id"])
        have = {(r["start_pos"], r["end_pos"]) for r in old}
        for s, e in keep:
            if (s, e) not in have:
                op.insert("codings", {"uuid": new_uuid(), "code_id": view.code_id, column: doc_id,
                                      "start_pos": s, "end_pos": e, "coder": consensus, "created_at": now})
        op.insert("resolutions", {"uuid": new_uuid(), "code_id": view.code_id, column: doc_id,
                                  "start_pos": d.start, "end_pos": d.end, "coder_a": coder_a,
                                  "coder_b": coder_b, "decision": decision, "consensus": consensus,
                                  "created_at": now})
    return consensus


def adopt_agreements(study: Study, coder_a: str, coder_b: str, code_id: int | None = None) -> int:
    """Copy every coding on which the two coders agree exactly (the same code
    on the same span) to the consensus coder, for one code or all, as one
    undoable step; returns how many were added. With the disagreements
    resolved, the consensus coder then holds the whole agreed coding."""
    from tacompanion.store import history
    from tacompanion.store.study import new_uuid, now_iso

    consensus = consensus_coder(study)
    only = " AND a.code_id = ?" if code_id is not None else ""
    rows = study.query(
        "SELECT a.code_id, a.transcript_id, a.note_id, a.start_pos, a.end_pos FROM codings a "
        "JOIN codings b ON b.code_id = a.code_id AND b.start_pos = a.start_pos AND b.end_pos = a.end_pos "
        " AND b.transcript_id IS a.transcript_id AND b.note_id IS a.note_id AND b.coder = ? "
        "WHERE a.coder = ?" + only + " AND NOT EXISTS (SELECT 1 FROM codings c WHERE c.code_id = a.code_id "
        " AND c.start_pos = a.start_pos AND c.end_pos = a.end_pos AND c.transcript_id IS a.transcript_id "
        " AND c.note_id IS a.note_id AND c.coder = ?)",
        (coder_b, coder_a, *((code_id,) if code_id is not None else ()), consensus))
    if not rows:
        return 0
    now = now_iso()
    with history.record(study, "adopt-agreements",
                        f"Agreements of {coder_a} and {coder_b} to {consensus} ({len(rows)})") as op:
        for r in rows:
            op.insert("codings", {"uuid": new_uuid(), **r, "coder": consensus, "created_at": now})
    return len(rows)
