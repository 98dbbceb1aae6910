"""Participants and transcripts under the researcher's control (issue 14):
rename, pilot yes/no at any time, typed attributes, removal with a backup
and undo, moving and renaming transcripts; on a study of schema version 2
(tests/data/study-v2.db: T1-T4, codings by two coders, notes, memos)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tacompanion.core.attributes import AttributeValueError, guess_type, parse_value, truth
from tacompanion.core.case_matching import match_source, name_keys
from tacompanion.core.matrix_groups import group_rows
from tacompanion.core.prevalence import DEFAULT_RULE
from tacompanion.formats.codings_csv import coding_rows
from tacompanion.formats.qdpx_export import build_qdpx
from tacompanion.formats.report_md import report_markdown
from tacompanion.store import schema
from tacompanion.store.analysis import analyse
from tacompanion.store.attributes import (
    attribute_types,
    matrix_groups,
    set_attribute,
    unset_attribute,
)
from tacompanion.store.data_changes import (
    move_transcript,
    participant_removal,
    remove_participant,
    remove_transcript,
    rename_transcript,
)
from tacompanion.store.history import undo
from tacompanion.store.participants import participant_rows, rename_participant, set_pilot
from tacompanion.store.report import data_numbers
from tacompanion.store.study import Study, StudyError
from tacompanion.store.thematic import participant_theme_matrix
from tacompanion.store.transcripts import search_segments

V2 = Path(__file__).resolve().parent / "data" / "study-v2.db"


@pytest.fixture
def v2(tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    with Study.open(path) as s:
        assert s.schema_version == schema.latest_version()
        yield s


def _counts(s: Study) -> dict[str, int]:
    return {t: s.scalar(f"SELECT count(*) FROM {t}") for t in
            ("participants", "transcripts", "segments", "interviews", "notes", "codings", "memos",
             "question_events", "interview_pauses")}


# -- core --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, kind", [("11", "integer"), ("-3", "integer"), ("2.5", "decimal"),
                                        ("yes", "boolean"), ("False", "boolean"), ("2026-03-01", "date"),
                                        ("nurse", "text"), ("2026-13-40", "text"), ("1", "integer")])
def test_a_new_attributes_type_is_what_its_value_suggests(text, kind):
    assert guess_type(text) == kind


def test_values_are_read_as_their_type_or_refused_with_what_was_expected():
    assert parse_value("integer", 11.0) == 11 and parse_value("integer", "11.0") == 11
    assert parse_value("decimal", "2,5") == 2.5 and parse_value("decimal", "3") == 3.0 and isinstance(parse_value("decimal", "3"), float)
    assert parse_value("boolean", "Yes") is True and parse_value("boolean", "0") is False
    assert parse_value("date", "2026-03-01T10:00:00Z") == "2026-03-01"
    assert parse_value("text", True) == "true" and parse_value("text", 11.0) == "11"
    for kind, bad in (("integer", "11.5"), ("boolean", "maybe"), ("date", "March"), ("decimal", "x")):
        with pytest.raises(AttributeValueError, match="years"):
            parse_value(kind, bad, name="years")
    assert [truth(v) for v in ("true", "no", "1", 0, True, "perhaps")] == [True, False, True, False, True, None]


@pytest.mark.parametrize("name, speakers, case", [
    ("t1-interview.txt", [], "T1"), ("P3 interview notes", [], "P3"), ("p3", [], "P3"),
    ("T1.docx", [], "T1"), ("session.txt", ["Interviewer", "P3", "P3"], "P3"),
    ("session.txt", ["T1", "P3"], None), ("session.txt", ["A", "B"], None), ("T10 talk.txt", [], None)])
def test_the_rule_that_gives_a_source_to_a_case(name, speakers, case):
    assert match_source(name, speakers, ["T1", "P3"]).case == case


def test_name_keys():
    assert name_keys("t1-interview.txt") == ["t1-interview.txt", "t1-interview", "t1"]
    assert name_keys("P3 interview notes") == ["p3 interview notes", "p3"]


def test_groups_count_and_label_within_each_group():
    people = [(1, "P1"), (2, "P2"), (3, "P3"), (4, "P4")]
    cells = {(1, 10): 2, (2, 10): 1, (3, 10): 1, (3, 11): 4}
    groups = group_rows(people, [10, 11], cells, {1: "nurse", 2: "nurse", 3: "doctor"}, DEFAULT_RULE)
    assert [(g.label, g.size) for g in groups] == [("doctor", 1), ("nurse", 2), ("(not set)", 1)]
    assert groups[1].counts[10] == (2, "all") and groups[1].counts[11] == (0, None)
    assert groups[0].counts[11] == (1, "all") and groups[2].counts[10] == (0, None)


# -- rename ------------------------------------------------------------------------------------


def test_rename_follows_everywhere_and_is_refused_when_taken(v2):
    with pytest.raises(StudyError, match="'T2' is already a participant"):
        rename_participant(v2, "T1", "t2")
    got = rename_participant(v2, "T1", "P7")
    assert got["old"] == "T1" and got["new"] == "P7"
    assert got["speaker_turns"] > 0  # the label in the text stays: said, so a redaction can hide it
    assert (1, "P7") in participant_theme_matrix(v2).participants
    assert {r["participant"] for r in coding_rows(v2)} == {"P7", "T2", "T3", "T4"}
    with zipfile.ZipFile(io.BytesIO(build_qdpx(v2).data)) as z:
        assert b'<Case guid="' in z.read("project.qde") and b'name="P7"' in z.read("project.qde")
    report = report_markdown(v2)
    assert "(P7)" in report and "(T1)" not in report  # quotes are attributed to the new name
    assert [r["id"] for r in participant_rows(v2)] == ["P7", "T2", "T3", "T4"]
    with pytest.raises(StudyError, match="no participant 'T1'"):
        rename_participant(v2, "T1", "P8")
    undo(v2)
    assert [r["id"] for r in participant_rows(v2)][0] == "T1"


# -- pilot -------------------------------------------------------------------------------------


def test_pilot_yes_and_no_move_n_labels_and_the_interviews_flags(v2):
    assert analyse(v2).total == 4
    set_pilot(v2, "T1", True)
    a = analyse(v2)
    assert a.total == 3 and all(c.label == "all" for c in a.themes.values() if c.participants == 3)
    assert v2.scalar("SELECT pilot FROM interviews WHERE participant_id = 1") == 1
    assert data_numbers(v2).pilot_participants == ("T1",)
    assert participant_theme_matrix(v2).total == 3
    set_pilot(v2, "t1", False)
    assert analyse(v2).total == 4
    assert v2.scalar("SELECT pilot FROM interviews WHERE participant_id = 1") == 0
    assert data_numbers(v2).pilot_participants == ()


# -- attributes --------------------------------------------------------------------------------


def test_attributes_are_typed_declared_and_used_to_group_the_matrix(v2):
    set_attribute(v2, "T1", "profession", "nurse")
    set_attribute(v2, "T2", "Profession", "doctor")  # the same attribute, whatever its case
    set_attribute(v2, "T3", "profession", "nurse")
    set_attribute(v2, "T1", "years", "11")
    assert attribute_types(v2) == {"profession": "text", "years": "integer"}
    with pytest.raises(StudyError, match="years is a whole number, not 'eleven'"):
        set_attribute(v2, "T2", "years", "eleven")
    set_attribute(v2, "T2", "years", "4.5", kind="decimal")  # a new type for all: 11 reads as one
    assert attribute_types(v2)["years"] == "decimal"
    with pytest.raises(StudyError, match="stays decimal"):
        set_attribute(v2, "T3", "years", "yes", kind="boolean")
    with pytest.raises(StudyError, match="pilot is not an attribute"):
        set_attribute(v2, "T3", "Pilot", "yes")
    rows = {r["id"]: r["attributes"] for r in participant_rows(v2)}
    assert rows["T1"] == {"profession": "nurse", "years": 11} and rows["T2"]["years"] == 4.5
    groups = matrix_groups(v2, participant_theme_matrix(v2), "profession")
    assert [(g.label, [p for _, p in g.participants]) for g in groups] == [
        ("doctor", ["T2"]), ("nurse", ["T1", "T3"]), ("(not set)", ["T4"])]
    assert all(n == 2 and label == "all" for n, label in groups[1].counts.values())
    unset_attribute(v2, "T1", "PROFESSION")
    assert "profession" not in {r["id"]: r["attributes"] for r in participant_rows(v2)}["T1"]
    with pytest.raises(StudyError, match="T1 has no attribute 'site'"):
        unset_attribute(v2, "T1", "site")


# -- removal -----------------------------------------------------------------------------------


def test_removing_a_participant_names_what_goes_backs_up_and_undoes(v2):
    before = _counts(v2)
    assert "T1" in {h.participant for h in search_segments(v2, "the", limit=None).hits}
    plan = participant_removal(v2, "T1")
    assert plan.lines() == "1 transcript, 1 interview with 4 notes, 11 codings, 1 memo"
    gone = remove_participant(v2, "T1")
    assert gone.backup is not None and gone.backup.exists()
    assert gone.backup.parent == v2.path.parent and "before-removing-t1" in gone.backup.name
    with Study.open(gone.backup, create=False) as copy:
        assert copy.scalar("SELECT count(*) FROM participants WHERE pseudonym = 'T1'") == 1
    after = _counts(v2)
    assert after["participants"] == 3 and after["transcripts"] == 3 and after["codings"] == before["codings"] - 11
    assert analyse(v2).total == 3
    assert {h.participant for h in search_segments(v2, "the", limit=None).hits} == {"T2", "T3", "T4"}
    undo(v2)
    assert _counts(v2) == before
    assert analyse(v2).total == 4


def test_removing_a_transcript_and_undo(v2):
    before = _counts(v2)
    gone = remove_transcript(v2, "T2-INTERVIEW.md")
    assert (gone.codings, gone.memos) == (8, 0) and gone.backup.exists()
    assert _counts(v2)["transcripts"] == 3 and _counts(v2)["codings"] == before["codings"] - 8
    undo(v2)
    assert _counts(v2) == before
    with pytest.raises(StudyError, match="no transcript 'nothing.txt'"):
        remove_transcript(v2, "nothing.txt")


# -- moving and renaming transcripts -----------------------------------------------------------


def test_moving_a_transcript_takes_its_codings_and_drops_the_other_participants_interview(v2):
    got = move_transcript(v2, "t1-interview.txt", "T2")
    assert got["from"] == "T1" and got["to"] == "T2" and got["codings"] == 8 and got["left"] == 1
    row = v2.query("SELECT participant_id, interview_id, guide_id FROM transcripts WHERE file_name = 't1-interview.txt'")[0]
    assert row["participant_id"] == 2 and row["interview_id"] is None and row["guide_id"] is not None
    rows = {r["id"]: r for r in participant_rows(v2)}
    assert rows["T2"]["transcripts"] == 2 and rows["T1"]["transcripts"] == 0
    with pytest.raises(StudyError, match="already T2's"):
        move_transcript(v2, "t1-interview.txt", "t2")
    made = move_transcript(v2, "t1-interview.txt", "P9")
    assert made["new_participant"] is True
    undo(v2)
    undo(v2)
    assert v2.scalar("SELECT participant_id FROM transcripts WHERE file_name = 't1-interview.txt'") == 1
    assert v2.scalar("SELECT count(*) FROM participants WHERE pseudonym = 'P9'") == 0


def test_a_move_onto_the_same_text_and_a_rename_onto_a_taken_name_are_refused(v2):
    text = v2.scalar("SELECT source_hash FROM transcripts WHERE id = 1")
    with v2.write() as db:
        db.execute("UPDATE transcripts SET source_hash = ? WHERE id = 2", [text])
    with pytest.raises(StudyError, match="T2 already has this text"):
        move_transcript(v2, "t1-interview.txt", "T2")
    move_transcript(v2, "t3-interview.vtt", "T2")
    with pytest.raises(StudyError, match="already has a transcript called"):
        rename_transcript(v2, "t3-interview.vtt", "T2-interview.md")
    assert rename_transcript(v2, "t3-interview.vtt", "t3 second session.vtt")["new"] == "t3 second session.vtt"
    assert json.loads(json.dumps(participant_rows(v2)))  # plain data


# -- search covers interview notes -------------------------------------------------------------


def test_search_finds_interview_notes_with_their_interview_and_time(v2):
    from tacompanion.core.search import MARK_START
    from tacompanion.store.notes import search_notes

    result = search_notes(v2, "group")
    assert result.total == 1 and result.interviews == 1
    hit = result.hits[0]
    assert hit.participant == "T3" and hit.interview.startswith("interview notes 2026-")
    assert hit.kind == "note" and hit.recording_ms == 121000
    assert MARK_START + "group" in hit.snippet
    assert search_notes(v2, "nothingsaidofthis").hits == []
