"""Codes and codings in the store, each change undoable."""

from __future__ import annotations

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store import history
from tacompanion.store.codes import (
        apply_code,
    code_by_name,
    codings_on,
    create_and_apply,
    create_code,
    delete_code,
    describe_code,
    list_codes,
    merge_codes,
    recent_codes,
    remove_coding,
    rename_code,
)
from tacompanion.store.participants import ensure_participant
from tacompanion.store.study import StudyError

TEXT = "I: How was it?\nP1: We sat in silence. It felt safe, café\u0301 \U0001F642 我很安静."


def add_transcript(study, pseudonym="P1", pilot=False, text=TEXT) -> DocRef:
    pid = ensure_participant(study, pseudonym, pilot=pilot)
    with study.write() as db:
        table = db["transcripts"]
        table.insert(
            {"uuid": f"t-{pseudonym}", "participant_id": pid, "file_name": f"{pseudonym}.txt",
             "format": "txt", "source_hash": pseudonym, "text": text, "imported_at": "now"}
        )
        return DocRef(transcript_id=table.last_pk)


def test_apply_is_idempotent_per_span_and_many_codes_per_extract(study):
    doc = add_transcript(study)
    a, b = create_code(study, "Silence"), create_code(study, "Safety")
    span = Span(19, 35)
    assert apply_code(study, a, doc, span, "ana") is not None
    assert apply_code(study, a, doc, span, "ana") is None
    apply_code(study, b, doc, span, "ana")
    assert [c["name"] for c in codings_on(study, doc)] == ["Safety", "Silence"]


def test_offsets_are_code_points_into_the_stored_text(study):
    doc = add_transcript(study)
    tricky = "café\u0301 \U0001F642 我很安静"
    start = TEXT.index(tricky)
    code, _ = create_and_apply(study, "Calm", doc, Span(start, start + len(tricky)), "ana")
    (coding,) = codings_on(study, doc)
    assert TEXT[coding["start_pos"] : coding["end_pos"]] == tricky


def test_spans_outside_the_text_are_refused(study):
    doc = add_transcript(study)
    code = create_code(study, "X")
    with pytest.raises(StudyError):
        apply_code(study, code, doc, Span(0, len(TEXT) + 1), "ana")
    with pytest.raises(StudyError):
        apply_code(study, code, doc, Span(3, 3), "ana")


def test_create_and_apply_is_one_undo_step(study):
    doc = add_transcript(study)
    create_and_apply(study, "Withdrawal", doc, Span(0, 5), "ana")
    history.undo(study)
    assert code_by_name(study, "Withdrawal") is None and codings_on(study, doc) == []
    history.redo(study)
    assert [c["name"] for c in codings_on(study, doc)] == ["Withdrawal"]


def test_names_are_unique_without_case_and_slugs_stay_unique(study):
    create_code(study, "Self-criticism")
    with pytest.raises(StudyError, match="already exists"):
        create_code(study, "self-criticism")
    create_code(study, "Self criticism!")
    slugs = [r["slug"] for r in study.query("SELECT slug FROM codes ORDER BY id")]
    assert slugs == ["self-criticism", "self-criticism-2"]


def test_rename_describe_and_undo(study):
    code = create_code(study, "Silnce")
    rename_code(study, code, "Silence")
    describe_code(study, code, "  Long pauses the patient leaves.  ")
    other = create_code(study, "Shame")
    with pytest.raises(StudyError, match="merge"):
        rename_code(study, other, "silence")
    (s,) = [c for c in list_codes(study) if c.id == code]
    assert (s.name, s.description) == ("Silence", "Long pauses the patient leaves.")
    history.undo(study)  # create Shame
    history.undo(study)  # describe
    history.undo(study)  # rename
    assert [c.name for c in list_codes(study)] == ["Silnce"]


def test_merge_moves_codings_collapses_duplicates_and_undoes(study):
    doc = add_transcript(study)
    a, b = create_code(study, "Quiet"), create_code(study, "Silence")
    apply_code(study, a, doc, Span(0, 5), "ana")
    apply_code(study, a, doc, Span(19, 35), "ana")
    apply_code(study, b, doc, Span(19, 35), "ana")
    with study.write() as db:
        db["memos"].insert({"uuid": "m", "code_id": a, "text": "quiet memo", "created_at": "now"})
    assert merge_codes(study, a, b) == 1
    assert [(c["name"], c["start_pos"]) for c in codings_on(study, doc)] == [("Silence", 0), ("Silence", 19)]
    assert study.scalar("SELECT code_id FROM memos") == b
    history.undo(study)
    assert sorted((c["name"], c["start_pos"]) for c in codings_on(study, doc)) == [
        ("Quiet", 0), ("Quiet", 19), ("Silence", 19)]
    assert study.scalar("SELECT code_id FROM memos") == a


def test_delete_removes_codings_and_undo_brings_everything_back(study):
    doc = add_transcript(study)
    code = create_code(study, "Quiet")
    apply_code(study, code, doc, Span(0, 5), "ana")
    delete_code(study, code)
    assert list_codes(study) == [] and codings_on(study, doc) == []
    history.undo(study)
    assert [c["name"] for c in codings_on(study, doc)] == ["Quiet"]


def test_remove_coding_and_recent_codes(study):
    doc = add_transcript(study)
    ids = [create_code(study, n) for n in ("A", "B", "C")]
    for cid in ids:
        apply_code(study, cid, doc, Span(0, 5), "ana")
    apply_code(study, ids[0], doc, Span(6, 9), "ana")
    assert [n for _, n in recent_codes(study)] == ["A", "C", "B"]
    remove_coding(study, codings_on(study, doc)[0]["id"])
    history.undo(study)
    assert len(codings_on(study, doc)) == 4


def test_participants_count_excludes_pilots(study):
    real = add_transcript(study, "P1")
    pilot = add_transcript(study, "P0", pilot=True)
    code = create_code(study, "Silence")
    apply_code(study, code, real, Span(0, 5), "ana")
    apply_code(study, code, pilot, Span(0, 5), "ana")
    (s,) = list_codes(study)
    # pilots shown (left out, counted apart) but never counted: the map's numbers
    assert (s.codings, s.participants, s.left_out, s.theme) == (1, 1, 1, None)
    assert s.all_codings == 2
    from tacompanion.store.thematic import thematic_map

    (row,) = [r for r in thematic_map(study).rows if r.kind == "code"]
    assert (row.counts.codings, row.counts.participants) == (s.codings, s.participants)
