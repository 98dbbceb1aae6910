"""Intercoder agreement: the definitions checked against a worked example and
the `krippendorff` package, and the figures read from a study."""

from __future__ import annotations

import random

import pytest

from tacompanion.core.agreement import (
    UnitCounts,
    character_counts,
    cohen_kappa,
    disagreements,
    figures,
    krippendorff_alpha,
    turn_counts,
)
from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store import codes as code_store
from tacompanion.store import history
from tacompanion.store.agreement import compare, disagreements_of, resolve
from tacompanion.store.study import StudyError


def test_kappa_of_a_worked_example():
    # 50 units: both coded 20, A only 5, B only 10, neither 15.
    # po = 35/50 = 0.7; pA = 25/50 = 0.5, pB = 30/50 = 0.6; pe = 0.5*0.6 + 0.5*0.4 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    c = UnitCounts(both=20, a_only=5, b_only=10, neither=15)
    f = figures(c)
    assert f["agreement"] == pytest.approx(0.7)
    assert f["kappa"] == pytest.approx(0.4)
    assert f["overlap"] == pytest.approx(20 / 35)


def _alpha_by_package(c: UnitCounts) -> float:
    import krippendorff
    import numpy as np

    a = [1] * c.both + [1] * c.a_only + [0] * c.b_only + [0] * c.neither
    b = [1] * c.both + [0] * c.a_only + [1] * c.b_only + [0] * c.neither
    return krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="nominal")


@pytest.mark.parametrize("seed", range(12))
def test_alpha_matches_the_krippendorff_package(seed):
    rng = random.Random(seed)
    c = UnitCounts(rng.randint(0, 60), rng.randint(0, 30), rng.randint(0, 30), rng.randint(1, 200))
    if krippendorff_alpha(c) is None:
        pytest.skip("alpha undefined for this draw")
    assert krippendorff_alpha(c) == pytest.approx(_alpha_by_package(c), abs=1e-9)


def test_undefined_figures_are_none():
    nobody = UnitCounts(neither=100)
    assert cohen_kappa(nobody) is None and krippendorff_alpha(nobody) is None
    assert figures(nobody)["overlap"] is None and figures(nobody)["agreement"] == 1.0
    assert figures(UnitCounts())["agreement"] is None


def test_character_and_turn_counts():
    # text of 100 code points; A codes [10, 30), B codes [20, 40) and [35, 50) (overlapping: joined)
    c = character_counts(100, [(10, 30)], [(20, 40), (35, 50)])
    assert (c.both, c.a_only, c.b_only, c.neither) == (10, 10, 20, 60)
    turns = [(0, 15), (15, 25), (25, 45), (60, 90)]
    t = turn_counts(turns, [(10, 30)], [(40, 41)])
    assert (t.both, t.a_only, t.b_only, t.neither) == (1, 2, 0, 1)


def test_disagreements_group_overlapping_codings_and_skip_agreements():
    got = disagreements("doc", [(0, 10), (50, 60), (80, 90)], [(0, 10), (55, 70), (100, 110)])
    assert [(d.start, d.end, d.a, d.b) for d in got] == [
        (50, 70, ((50, 60),), ((55, 70),)), (80, 90, ((80, 90),), ()), (100, 110, (), ((100, 110),))]
    assert got[0].size == 15


@pytest.fixture
def two_coders(study):
    from tacompanion.formats.demo import create_demo_study

    create_demo_study(study)
    doc = DocRef(transcript_id=1)
    silence, _ = code_store.create_and_apply(study, "Silence", doc, Span(0, 100), "kim")
    code_store.apply_code(study, silence, doc, Span(50, 150), "lee")
    shame, _ = code_store.create_and_apply(study, "Shame", doc, Span(200, 220), "kim")
    code_store.apply_code(study, shame, doc, Span(200, 220), "lee")
    code_store.apply_code(study, shame, DocRef(transcript_id=2), Span(0, 10), "lee")
    return study


def test_compare_reads_every_code_in_scope_worst_first(two_coders):
    s = two_coders
    n = s.scalar("SELECT sum(length(text)) FROM transcripts") + s.scalar("SELECT sum(length(text)) FROM notes")
    report = compare(s, "kim", "lee")
    assert [c.code for c in report.codes] == ["Silence", "Shame"]
    silence = report.codes[0].counts
    assert (silence.both, silence.a_only, silence.b_only, silence.n) == (50, 50, 50, n)
    data = report.as_json()
    assert data["coders"] == ["kim", "lee"] and data["unit"] == "characters"
    assert set(data["codes"][0]) >= {"code", "theme", "a", "b", "both", "agreement", "overlap", "kappa", "alpha"}
    assert data["codes"][1]["overlap"] == pytest.approx(20 / 30)
    assert data["overall"]["both"] == 70 and data["overall"]["n"] == 2 * n
    turns = compare(s, "kim", "lee", unit="turns", code="Shame")
    assert [c.code for c in turns.codes] == ["Shame"]
    with pytest.raises(StudyError, match="no codings by 'ann'"):
        compare(s, "kim", "ann")
    with pytest.raises(StudyError, match="no code named"):
        compare(s, "kim", "lee", code="Nope")


def test_resolving_stores_consensus_codings_and_undo_takes_it_back(two_coders):
    s = two_coders
    s.coder = "lead"
    silence = code_store.code_by_name(s, "Silence")
    views = disagreements_of(s, "kim", "lee", silence)
    assert len(views) == 1 and views[0].decision is None
    assert resolve(s, views[0], "b", "kim", "lee") == "consensus"
    assert s.query("SELECT start_pos, end_pos FROM codings WHERE coder = 'consensus'") == [
        {"start_pos": 50, "end_pos": 150}]
    assert disagreements_of(s, "kim", "lee", silence)[0].decision == "b"
    # changing one's mind replaces the consensus coding
    resolve(s, disagreements_of(s, "kim", "lee", silence)[0], "both", "kim", "lee")
    assert sorted((r["start_pos"], r["end_pos"]) for r in s.query(
        "SELECT start_pos, end_pos FROM codings WHERE coder = 'consensus'")) == [(0, 100), (50, 150)]
    assert s.scalar("SELECT count(*) FROM codings WHERE coder IN ('kim', 'lee')") == 5  # originals kept
    assert history.undo(s).kind == "resolve-disagreement"
    assert disagreements_of(s, "kim", "lee", silence)[0].decision == "b"
    assert history.undo(s).kind == "resolve-disagreement"
    assert s.scalar("SELECT count(*) FROM codings WHERE coder = 'consensus'") == 0
    assert disagreements_of(s, "kim", "lee", silence)[0].decision is None


def test_agreements_go_to_the_consensus_coder_once(two_coders):
    from tacompanion.store.agreement import adopt_agreements

    s = two_coders
    assert adopt_agreements(s, "kim", "lee") == 1  # Shame on [200, 220) by both
    assert adopt_agreements(s, "kim", "lee") == 0
    assert s.query("SELECT start_pos, end_pos FROM codings WHERE coder = 'consensus'") == [
        {"start_pos": 200, "end_pos": 220}]
    assert history.undo(s).kind == "adopt-agreements"
    assert s.scalar("SELECT count(*) FROM codings WHERE coder = 'consensus'") == 0
