"""Answers by question work on one guide at a time: a study with the demo's
MBT interviews and an onboarding interview with P9 must never mix them
(both guides' first questions have the same id)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tacompanion.core.note_markers import parse_note
from tacompanion.formats.demo import create_demo_study
from tacompanion.formats.guide_file import read_guide_file
from tacompanion.store import interviews as store
from tacompanion.store.by_question import (
    answers_by_question,
    find_guide,
    mark_question_start,
    segment_questions,
    study_guides,
    transcript_guide,
)
from tacompanion.store.notes import add_note
from tacompanion.tui.app import TacompanionApp

from .conftest import GUIDES

ONBOARDING_FILE = GUIDES / "user-research-onboarding.md"
ONBOARDING_SOURCE, ONBOARDING = read_guide_file(ONBOARDING_FILE)
MBT_TITLE = "Therapists' experiences of mentalization-based treatment for avoidant personality disorder"


def onboarding_interview(study, participant="P9", notes=("I lead a small design team", "heard from a colleague")):
    """P9 interviewed with the onboarding guide; the recorder ran 1:20 before
    the clock, so the first note (0:03 on the clock) is at 1:23."""
    pid, gid = store.prepare_interview(
        study, ONBOARDING_SOURCE, ONBOARDING, str(ONBOARDING_FILE), participant, pilot=False
    )
    iid = store.create_interview(study, pid, gid, ONBOARDING, pilot=False)
    store.start_clock(study, iid, at="2026-11-26T09:00:00.000Z")
    store.set_recording_offset(study, iid, 80_000)
    for i, text in enumerate(notes):
        add_note(study, iid, ONBOARDING.questions[i].id, parse_note(text), 3_000 + 60_000 * i, mark_covered=True)
    store.end_interview(study, iid, at="2026-11-26T09:45:00.000Z")
    return gid


@pytest.fixture
def two_guides(study):
    create_demo_study(study)
    onboarding_id = onboarding_interview(study)
    mbt_id = study.scalar("SELECT id FROM guides WHERE title = ?", (MBT_TITLE,))
    return study, mbt_id, onboarding_id


def transcript_id(study, name):
    return study.scalar("SELECT id FROM transcripts WHERE file_name = ?", (name,))


def test_both_guides_first_questions_share_an_id_so_matching_needs_the_guide(two_guides):
    study, mbt_id, onboarding_id = two_guides
    mbt = answers_by_question(study, mbt_id).guide
    assert mbt.questions[0].id == ONBOARDING.questions[0].id


def test_the_default_guide_has_the_most_interviews_and_every_guide_is_listed(two_guides):
    study, mbt_id, onboarding_id = two_guides
    guides = study_guides(study)
    assert [(g.id, g.interviews) for g in guides] == [(mbt_id, 2), (onboarding_id, 1)]
    assert guides[1].label == ONBOARDING.title + " (version 1.0) · 1 interview"
    assert answers_by_question(study).choice.id == mbt_id


def test_on_a_tie_the_newest_guide_is_the_default(two_guides):
    study, mbt_id, onboarding_id = two_guides
    study.conn.execute("DELETE FROM interviews WHERE participant_id = "
                       "(SELECT id FROM participants WHERE pseudonym = 'T1')")
    assert [g.id for g in study_guides(study)] == [onboarding_id, mbt_id]


def test_each_guide_has_only_its_own_participants_and_answers(two_guides):
    study, mbt_id, onboarding_id = two_guides
    q1 = ONBOARDING.questions[0].id
    onboarding = answers_by_question(study, onboarding_id)
    assert onboarding.participants == ["P9"]
    assert [(k, [a.text for a in v]) for k, v in onboarding.cells.items()] == [
        ((q1, "P9"), ["I lead a small design team"]),
        ((ONBOARDING.questions[1].id, "P9"), ["heard from a colleague"]),
    ]
    assert onboarding.cells[(q1, "P9")][0].label == "note 1:23"
    mbt = answers_by_question(study, mbt_id)
    assert mbt.participants == ["T1", "T3"]  # T2 and T4 have no interview: with two guides they follow neither
    assert mbt.unassigned == 2
    assert all(p != "P9" for _, p in mbt.cells)
    # T3's own transcript, under the MBT guide only: its first answer under the
    # question the interviewer asked then (the onboarding guide's Q1 has the same id as MBT's)
    assert (q1, "T3") not in mbt.cells
    last_session = "s2.q1-please-tell-me-about-the-last-a"
    kinds = [a.kind for a in mbt.cells[(last_session, "T3")]]
    assert "turn" in kinds and set(kinds) <= {"note", "turn"}


def test_with_one_guide_transcripts_without_an_interview_follow_it(study):
    create_demo_study(study)
    data = answers_by_question(study)
    assert data.participants == ["T1", "T2", "T3", "T4"] and data.unassigned == 0
    t2 = transcript_id(study, "t2-interview.md")
    assert transcript_guide(study, t2).title == MBT_TITLE


def test_a_hand_mark_ties_a_transcript_to_the_guide_it_was_marked_from(two_guides):
    study, mbt_id, onboarding_id = two_guides
    t2 = transcript_id(study, "t2-interview.md")
    assert transcript_guide(study, t2) is None
    segment = study.scalar("SELECT id FROM segments WHERE transcript_id = ? AND is_interviewer = 0 "
                           "ORDER BY position LIMIT 1", (t2,))
    mark_question_start(study, segment, ONBOARDING.questions[2].id, onboarding_id)
    assert transcript_guide(study, t2).id == onboarding_id
    assert "T2" in answers_by_question(study, onboarding_id).participants
    assert "T2" not in answers_by_question(study, mbt_id).participants
    assert ONBOARDING.questions[2].id in segment_questions(study, t2)


def test_a_later_interview_with_another_guide_does_not_take_a_marked_transcript_along(two_guides):
    study, mbt_id, onboarding_id = two_guides
    t1 = transcript_id(study, "t1-interview.txt")
    first = study.scalar("SELECT id FROM segments WHERE transcript_id = ? ORDER BY position LIMIT 1", (t1,))
    mbt_q2 = answers_by_question(study, mbt_id).guide.questions[1].id
    mark_question_start(study, first, mbt_q2, mbt_id)
    onboarding_interview(study, "T1", notes=("a note",))  # T1's latest interview is now an onboarding one
    assert transcript_guide(study, t1).id == mbt_id
    assert "T1" in answers_by_question(study, mbt_id).participants
    onboarding = answers_by_question(study, onboarding_id)
    assert [a.kind for (q, p), answers in onboarding.cells.items() if p == "T1" for a in answers] == ["note"]


def test_find_guide_by_id_title_or_a_unique_part_of_it(two_guides):
    study, mbt_id, onboarding_id = two_guides
    guides = study_guides(study)
    assert find_guide(guides, str(onboarding_id)).id == onboarding_id
    assert find_guide(guides, MBT_TITLE.upper()).id == mbt_id
    assert find_guide(guides, "onboarding").id == onboarding_id
    with pytest.raises(LookupError, match="names 2 guides"):
        find_guide(guides, "ti")
    with pytest.raises(LookupError, match=r"no guide 'nope' \(guides: \d+ = Therapists"):
        find_guide(guides, "nope")


def test_a_version_1_study_keeps_its_hand_marks_under_the_guide_they_were_made_from(db_path):
    """Version 1 read hand marks against the guide of the latest interview;
    the upgrade ties such transcripts to that guide.

    tests/data/v1-hand-marks.db was written by schema version 1: the demo
    study, an interview with the onboarding guide, and the first turn of
    t2-interview.md marked by hand with that guide's fifth question. (It is a
    file, not built here: today's store functions write today's schema.)"""
    import shutil

    from tacompanion.store import schema
    from tacompanion.store.study import Study

    shutil.copy(Path(__file__).parent / "data" / "v1-hand-marks.db", db_path)
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    raw.close()
    with Study.open(db_path) as study:
        assert study.schema_version == schema.latest_version() >= 2
        rows = study.query("SELECT file_name, guide_id FROM transcripts ORDER BY file_name")
        onboarding_id = study.scalar("SELECT id FROM guides WHERE title = ?", (ONBOARDING.title,))
        assert rows[1] == {"file_name": "t2-interview.md", "guide_id": onboarding_id}
        assert all(r["guide_id"] is None for r in rows if r["file_name"] != "t2-interview.md")
        assert "T2" in answers_by_question(study, onboarding_id).participants
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    raw.close()


# -- the command line ----------------------------------------------------------------------------


def test_export_by_question_exports_one_guide_and_says_which(cli, db_path):
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        create_demo_study(study)
        single = cli("--db", str(db_path), "export", "by-question")
        assert single.returncode == 0 and single.stderr == ""  # one guide: nothing to say
        onboarding_interview(study)
    done = cli("--db", str(db_path), "export", "by-question")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"# Answers by question: {MBT_TITLE}\n")
    assert "**P9**" not in done.stdout and "I lead a small design team" not in done.stdout
    assert "the study has 2 guides" in done.stderr and MBT_TITLE in done.stderr and "--guide" in done.stderr
    onboarding = cli("--db", str(db_path), "export", "by-question", "--guide", "onboarding")
    assert onboarding.returncode == 0 and onboarding.stderr == ""
    text = onboarding.stdout
    assert text.startswith(f"# Answers by question: {ONBOARDING.title}\n")
    q1 = text[text.index("### Q1."):text.index("### Q2.")]
    assert "**P9**" in q1 and "- I lead a small design team _(note 1:23)_" in q1
    assert "**T1**" not in text and "**T3**" not in text and "T3" not in q1
    assert "the study has 1 other guide" in text


def test_export_by_question_refuses_an_unknown_guide(cli, db_path):
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        create_demo_study(study)
        onboarding_interview(study)
    done = cli("--db", str(db_path), "export", "by-question", "--guide", "discharge")
    assert done.returncode == 1 and done.stdout == ""
    assert "no guide 'discharge'" in done.stderr and "onboarding" in done.stderr
    assert "Traceback" not in done.stderr


async def test_q_in_coding_mode_offers_the_transcripts_own_guide_or_asks_for_one(two_guides):
    from tacompanion.tui.dialogs.picker import FuzzyPicker

    study, mbt_id, onboarding_id = two_guides
    t3 = transcript_id(study, "t3-interview.vtt")
    app = TacompanionApp(study, coder="ana", start=("transcript", t3))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("Q")
        await pilot.pause()
        assert isinstance(app.screen, FuzzyPicker)
        assert app.screen.items[1][1].startswith("Q2. How did you come to work with MBT?")
    t4 = transcript_id(study, "t4-interview.srt")
    app = TacompanionApp(study, coder="ana", start=("transcript", t4))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("Q")
        await pilot.pause()
        assert app.screen.title_text == "Which guide did this interview follow?"
        await pilot.press(*"onboarding", "enter")
        await pilot.pause()
        assert app.screen.items[0][1].startswith("Q1. Could you tell me a little about your role")
        await pilot.press(*"Q4", "enter")
        await pilot.pause()
        assert "Q4 starts at this turn" in str(app.screen.query_one("#status").render())
    assert transcript_guide(study, t4).id == onboarding_id
    assert ONBOARDING.questions[3].id in segment_questions(study, t4)
