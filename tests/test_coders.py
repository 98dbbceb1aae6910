"""A coding belongs to its coder: the schema step, applying, undo per coder,
and the analysis counting a participant once whatever the number of coders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store import codes as code_store
from tacompanion.store import history, schema
from tacompanion.store.analysis import analyse, set_analysis_coders
from tacompanion.store.study import Study, StudyError

DATA = Path(__file__).parent / "data"


@pytest.fixture
def v2(tmp_path) -> Path:
    copy = tmp_path / "study-v2.db"
    shutil.copy(DATA / "study-v2.db", copy)
    return copy


def test_a_v2_study_upgrades_keeps_every_coding_and_lets_a_second_coder_code_the_same_span(v2):
    with Study.open(v2, create=False) as s:
        assert s.schema_version == schema.latest_version()
        assert s.scalar("SELECT count(*) FROM codings") == 35
        assert dict(code_store.coders(s)) == {"kim": 23, "lee": 12}
        assert s.setting("analysis_coders") == []
        assert s.setting("consensus_coder") == "consensus"
        k = s.query("SELECT * FROM codings WHERE coder = 'kim' AND transcript_id IS NOT NULL LIMIT 1")[0]
        doc, span = DocRef(transcript_id=k["transcript_id"]), Span(k["start_pos"], k["end_pos"])
        # kim has it already: refused; lee may put the same code on the same span
        assert code_store.apply_code(s, k["code_id"], doc, span, "kim") is None
        assert code_store.apply_code(s, k["code_id"], doc, span, "lee") is not None
        assert code_store.apply_code(s, k["code_id"], doc, span, "lee") is None
        on = [c for c in code_store.codings_on(s, doc) if (c["start_pos"], c["end_pos"]) == (span.start, span.end)
              and c["code_id"] == k["code_id"]]
        assert sorted(c["coder"] for c in on) == ["kim", "lee"]
        assert all(c["coder"] == "lee" for c in code_store.codings_on(s, doc, coder="lee"))
        # the index refuses a true duplicate even when written directly
        with pytest.raises(Exception, match="UNIQUE"):
            s.conn.execute(
                "INSERT INTO codings (uuid, code_id, transcript_id, start_pos, end_pos, coder, created_at) "
                "VALUES ('x', ?, ?, ?, ?, 'kim', 'now')", (k["code_id"], k["transcript_id"], span.start, span.end))


def test_the_code_panel_counts_this_coders_codings_and_everyones(v2):
    with Study.open(v2, create=False) as s:
        summaries = code_store.list_codes(s, coder="lee")
        assert sum(c.codings for c in summaries) == 35
        assert sum(c.mine for c in summaries) == 12


def test_undo_takes_back_this_coders_own_last_change_only(study):
    study.coder = "ann"
    a = code_store.create_code(study, "Silence")
    study.coder = "ben"
    code_store.rename_code(study, a, "Withdrawal")
    study.coder = "ann"
    # ann's u undoes her own creation? No: ben's rename sits on it; the step is refused, nothing changes
    with pytest.raises(StudyError, match="changed since"):
        history.undo(study)
    assert code_store.code_name(study, a) == "Withdrawal"
    b = code_store.create_code(study, "Shame")
    study.coder = "ben"
    assert history.undo(study).label == "Rename 'Silence' to 'Withdrawal'"  # ben's, not ann's newer one
    assert code_store.code_name(study, a) == "Silence"
    assert code_store.code_name(study, b) == "Shame"
    assert history.peek(study)[1].label == "Rename 'Silence' to 'Withdrawal'"
    assert history.peek(study, "ann")[0].label == "Create code 'Shame'"
    assert history.peek(study, "ann")[1] is None  # ben's undone rename is not ann's to redo
    study.coder = "ann"
    assert history.undo(study).label == "Create code 'Shame'"
    assert history.redo(study).label == "Create code 'Shame'"
    study.coder = "ben"
    assert history.redo(study).label == "Rename 'Silence' to 'Withdrawal'"
    assert code_store.code_name(study, a) == "Withdrawal"


def test_the_analysis_counts_a_participant_once_and_the_setting_restricts_coders(v2, cli):
    with Study.open(v2, create=False) as s:
        k = s.query("SELECT * FROM codings WHERE coder = 'kim' AND transcript_id IS NOT NULL LIMIT 1")[0]
        before = analyse(s).codes[k["code_id"]]
        code_store.apply_code(s, k["code_id"], DocRef(transcript_id=k["transcript_id"]),
                              Span(k["start_pos"], k["end_pos"]), "lee")
        after = analyse(s).codes[k["code_id"]]
        assert after.participants == before.participants  # one participant, two coders
        assert after.extracts == before.extracts  # the same span once
        assert after.codings == before.codings + 1
        lee_only = s.scalar("SELECT count(DISTINCT code_id) FROM codings WHERE coder = 'lee'")
        set_analysis_coders(s, ["lee"])
        a = analyse(s)
        assert a.coders == ("lee",)
        assert sum(c.codings for c in a.codes.values()) == 13
        assert sum(1 for c in a.codes.values() if c.codings) == lee_only
    done = cli("--db", str(v2), "stats", "--rule")
    assert done.returncode == 0, done.stderr
    assert "the codings of lee (setting analysis_coders)" in done.stdout
    done = cli("--db", str(v2), "stats", "--json")
    assert done.returncode == 0, done.stderr
    import json

    assert json.loads(done.stdout)["prevalence"]["coders"] == ["lee"]
    done = cli("--db", str(v2), "settings")
    assert "analysis_coders = [\"lee\"]" in done.stdout and "consensus_coder = \"consensus\"" in done.stdout
    done = cli("--db", str(v2), "settings", "analysis_coders", "all")
    assert done.returncode == 0, done.stderr
    with Study.open(v2, create=False) as s:
        assert analyse(s).coders == ()
        assert sum(c.codings for c in analyse(s).codes.values()) == 36
