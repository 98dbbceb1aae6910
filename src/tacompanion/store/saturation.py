"""Saturation read from the study: the documents in the order the interviews
happened, the codes first applied in each, and the stopping rule in force
(setting `saturation_rule`; see core/saturation.py for the rule).

A document is a transcript, or an interview's notes (unless the analysis
scope is "transcripts"). Its date is its interview's start (else, for a
transcript, its import time; for notes, the interview's creation); ties are
broken by the document's name. Pilot participants and pilot interviews are
left out.
"""

from __future__ import annotations

from tacompanion.core.saturation import (
    DocumentCodes,
    Saturation,
    StoppingRule,
    make_rule,
    order_documents,
    rule_from_setting,
    saturation,
)
from tacompanion.store.analysis import analysis_scope
from tacompanion.store.study import Study, StudyError


def stopping_rule(study: Study) -> StoppingRule:
    from tacompanion.core.saturation import RuleError

    try:
        return rule_from_setting(study.setting("saturation_rule"))
    except RuleError as exc:
        raise StudyError(f"{study.path}: {exc}") from None


def set_stopping_rule(study: Study, base: int, run: int, threshold: float) -> StoppingRule:
    from tacompanion.core.saturation import RuleError

    try:
        rule = make_rule(base, run, threshold)
    except RuleError as exc:
        raise StudyError(str(exc)) from None
    study.set_setting("saturation_rule", rule.as_setting())
    return rule


def ordered_documents(study: Study) -> list[DocumentCodes]:
    transcripts = study.conn.execute(
        "SELECT t.id, p.pseudonym, t.file_name, coalesce(i.started_at, t.imported_at) AS at "
        "FROM transcripts t JOIN participants p ON p.id = t.participant_id "
        "LEFT JOIN interviews i ON i.id = t.interview_id "
        "WHERE p.pilot = 0 AND coalesce(i.pilot, 0) = 0"
    ).fetchall()
    codes_of: dict[tuple[str, int], set[str]] = {}
    from tacompanion.store.analysis import coder_condition

    coders = coder_condition(study)  # the coders in analysis (setting analysis_coders)
    for kind, doc, name in study.conn.execute(
        "SELECT DISTINCT 't', k.transcript_id, c.name FROM codings k JOIN codes c ON c.id = k.code_id "
        f"WHERE k.transcript_id IS NOT NULL{coders} "
        "UNION ALL "
        "SELECT DISTINCT 'n', n.interview_id, c.name FROM codings k JOIN codes c ON c.id = k.code_id "
        f"JOIN notes n ON n.id = k.note_id WHERE 1{coders}"
    ):
        codes_of.setdefault((kind, doc), set()).add(name)
    rows = []
    for tid, participant, file_name, at in transcripts:
        doc = DocumentCodes(participant, file_name, _day(at), frozenset(codes_of.get(("t", tid), ())))
        rows.append((at, file_name, doc))
    if analysis_scope(study) != "transcripts":
        for iid, participant, at in study.conn.execute(
            "SELECT i.id, p.pseudonym, coalesce(i.started_at, i.created_at) FROM interviews i "
            "JOIN participants p ON p.id = i.participant_id "
            "WHERE p.pilot = 0 AND i.pilot = 0 AND EXISTS (SELECT 1 FROM notes n WHERE n.interview_id = i.id)"
        ):
            name = f"{participant} interview notes"
            rows.append((at, name, DocumentCodes(participant, name, _day(at),
                                                 frozenset(codes_of.get(("n", iid), ())))))
    return order_documents(rows)


def study_saturation(study: Study) -> Saturation:
    return saturation(ordered_documents(study), stopping_rule(study))


def saturation_json(result: Saturation) -> dict:
    """The `saturation` key of `stats --json` (a public contract: extend, never rename)."""
    share = result.last_share()
    return {
        "documents": [
            {"participant": p.participant, "document": p.document, "date": p.date,
             "new_codes": len(p.new_codes), "total_codes": p.total_codes, "codes_first_here": list(p.new_codes)}
            for p in result.points
        ],
        "rule": result.rule.as_setting(),
        "reached": result.reached,
        "reached_at": (result.reached_at + 1) if result.reached_at is not None else None,
        "base_codes": result.base_codes,
        "last_share": round(share, 4) if share is not None else None,
        "verdict": result.verdict(),
    }


def _day(at: str | None) -> str | None:
    return at[:10] if at else None
