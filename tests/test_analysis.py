"""Prevalence on hand-made studies, with answers worked out by hand."""

from __future__ import annotations

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store.analysis import analyse
from tacompanion.store.codes import apply_code, create_code
from tacompanion.store.participants import ensure_participant
from tacompanion.store.study import new_uuid
from tacompanion.store.themes import create_theme, move_code

TEXT = "P: We sat in silence, and it felt safe to me."


def transcript(study, who, pilot=False) -> DocRef:
    pid = ensure_participant(study, who, pilot=pilot)
    with study.write() as db:
        t = db["transcripts"]
        t.insert({"uuid": new_uuid(), "participant_id": pid, "file_name": f"{who}.txt", "format": "txt",
                  "source_hash": who, "text": TEXT, "imported_at": "now"})
        return DocRef(transcript_id=t.last_pk)


def interview_note(study, who, text="quiet again", pilot_interview=False) -> DocRef:
    pid = ensure_participant(study, who)
    with study.write() as db:
        i = db["interviews"]
        i.insert({"uuid": new_uuid(), "participant_id": pid, "pilot": int(pilot_interview), "created_at": "now"})
        n = db["notes"]
        n.insert({"uuid": new_uuid(), "interview_id": i.last_pk, "text": text, "created_at": "now"})
        return DocRef(note_id=n.last_pk)


def test_six_participants_with_a_pilot_nested_themes_and_double_coded_extract(study):
    docs = {f"P{i}": transcript(study, f"P{i}") for i in range(1, 7)}
    pilot = transcript(study, "P0", pilot=True)
    theme = create_theme(study, "Being with silence")
    sub = create_theme(study, "Unease", parent_id=theme)
    silence, quiet, boredom = (create_code(study, n) for n in ("Silence", "Quiet", "Boredom"))
    move_code(study, silence, theme)
    move_code(study, quiet, theme)
    move_code(study, boredom, sub)
    span = Span(3, 20)
    for who in ("P1", "P2", "P3", "P4"):
        apply_code(study, silence, docs[who], span, "me")
    apply_code(study, quiet, docs["P1"], span, "me")  # same extract, second code of the theme
    apply_code(study, boredom, docs["P5"], Span(25, 44), "me")
    apply_code(study, silence, pilot, span, "me")  # never counts

    result = analyse(study)
    assert result.total == 6
    s = result.codes[silence]
    assert (s.codings, s.extracts, s.participants, s.label) == (4, 4, 4, "most")
    b = result.codes[boredom]
    assert (b.participants, b.label) == (1, "one or two")
    t = result.themes[theme]
    assert (t.codings, t.extracts, t.participants, t.label) == (6, 5, 5, "most")
    u = result.themes[sub]
    assert (u.codings, u.participants, u.label) == (1, 1, "one or two")


def test_all_and_some_with_four_and_ten(study):
    docs = [transcript(study, f"P{i}") for i in range(1, 5)]
    code = create_code(study, "Silence")
    for d in docs:
        apply_code(study, code, d, Span(3, 9), "me")
    assert analyse(study).codes[code].label == "all"
    more = [transcript(study, f"Q{i}") for i in range(6)]
    assert analyse(study).total == 10
    assert analyse(study).codes[code].label == "some"  # 4 of 10
    apply_code(study, code, more[0], Span(3, 9), "me")
    apply_code(study, code, more[1], Span(3, 9), "me")
    assert analyse(study).codes[code].label == "most"  # 6 of 10


def test_notes_count_unless_the_scope_is_transcripts_only(study):
    doc = transcript(study, "P1")
    note = interview_note(study, "P2")
    pilot_note = interview_note(study, "P3", pilot_interview=True)
    code = create_code(study, "Silence")
    apply_code(study, code, doc, Span(3, 9), "me")
    apply_code(study, code, note, Span(0, 5), "me")
    apply_code(study, code, pilot_note, Span(0, 5), "me")
    r = analyse(study)
    assert (r.total, r.codes[code].participants, r.codes[code].label) == (2, 2, "all")
    study.set_setting("analysis_scope", "transcripts")
    r = analyse(study)
    assert (r.total, r.codes[code].participants, r.codes[code].label) == (1, 1, "all")
