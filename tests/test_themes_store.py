"""The theme tree: every operation and its undo."""

from __future__ import annotations

import pytest

from tacompanion.store import history
from tacompanion.store.codes import create_code
from tacompanion.store.study import StudyError
from tacompanion.store.themes import (
    create_theme,
    define_theme,
    dissolve_theme,
    find_theme,
    list_themes,
    merge_themes,
    move_code,
    move_theme,
    rename_theme,
    reorder_theme,
    set_status,
    split_theme,
    theme_path,
)


def tree(study) -> list[tuple[str, list[str]]]:
    """[(theme path, [its codes])] in tree order."""
    out = []
    for t in list_themes(study):
        codes = [r["name"] for r in study.query(
            "SELECT name FROM codes WHERE theme_id = ? ORDER BY name", (t.id,))]
        out.append((theme_path(study, t.id), codes))
    return out


def unsorted(study) -> list[str]:
    return [r["name"] for r in study.query("SELECT name FROM codes WHERE theme_id IS NULL ORDER BY name")]


@pytest.fixture
def sorted_study(study):
    a = create_theme(study, "Being with silence")
    sub = create_theme(study, "The therapist's unease", parent_id=a)
    b = create_theme(study, "The group as a holding space")
    codes = {n: create_code(study, n) for n in ("Silence", "Boredom", "Safety", "Belonging", "Shame")}
    move_code(study, codes["Silence"], a)
    move_code(study, codes["Boredom"], sub)
    move_code(study, codes["Safety"], b)
    move_code(study, codes["Belonging"], b)
    return study, {"a": a, "sub": sub, "b": b, **codes}


def test_build_a_tree_and_undo_it_step_by_step(sorted_study):
    study, ids = sorted_study
    assert tree(study) == [
        ("Being with silence", ["Silence"]),
        ("Being with silence / The therapist's unease", ["Boredom"]),
        ("The group as a holding space", ["Belonging", "Safety"]),
    ]
    assert unsorted(study) == ["Shame"]
    history.undo(study)  # Belonging back to unsorted
    assert unsorted(study) == ["Belonging", "Shame"]
    history.redo(study)
    assert unsorted(study) == ["Shame"]


def test_rename_define_status(sorted_study):
    study, ids = sorted_study
    rename_theme(study, ids["b"], "Holding space")
    define_theme(study, ids["b"], "How the group holds ... Not about individual sessions.")
    set_status(study, ids["b"], "reviewed")
    with pytest.raises(StudyError):
        set_status(study, ids["b"], "done")
    with pytest.raises(StudyError, match="already exists"):
        rename_theme(study, ids["a"], "holding space")
    t = [t for t in list_themes(study) if t.id == ids["b"]][0]
    assert (t.name, t.status) == ("Holding space", "reviewed")
    for _ in range(3):
        history.undo(study)
    t = [t for t in list_themes(study) if t.id == ids["b"]][0]
    assert (t.name, t.definition, t.status) == ("The group as a holding space", "", "candidate")


def test_move_subtheme_and_refuse_cycles(sorted_study):
    study, ids = sorted_study
    move_theme(study, ids["sub"], ids["b"])
    assert theme_path(study, ids["sub"]) == "The group as a holding space / The therapist's unease"
    with pytest.raises(StudyError, match="inside itself"):
        move_theme(study, ids["b"], ids["sub"])
    move_theme(study, ids["sub"], None)
    assert theme_path(study, ids["sub"]) == "The therapist's unease"
    history.undo(study)
    history.undo(study)
    assert theme_path(study, ids["sub"]) == "Being with silence / The therapist's unease"


def test_reorder_siblings(sorted_study):
    study, ids = sorted_study
    assert [t.name for t in list_themes(study) if t.parent_id is None] == [
        "Being with silence", "The group as a holding space"]
    assert reorder_theme(study, ids["b"], -1)
    assert not reorder_theme(study, ids["b"], -1)
    assert [t.name for t in list_themes(study) if t.parent_id is None] == [
        "The group as a holding space", "Being with silence"]
    history.undo(study)
    assert list_themes(study)[0].name == "Being with silence"


def test_merge_moves_codes_subthemes_and_memos(sorted_study):
    study, ids = sorted_study
    with study.write() as db:
        db["memos"].insert({"uuid": "m", "theme_id": ids["a"], "text": "note", "created_at": "now"})
    merge_themes(study, ids["a"], ids["b"])
    assert tree(study) == [
        ("The group as a holding space", ["Belonging", "Safety", "Silence"]),
        ("The group as a holding space / The therapist's unease", ["Boredom"]),
    ]
    assert study.scalar("SELECT theme_id FROM memos") == ids["b"]
    history.undo(study)
    assert tree(study)[0] == ("Being with silence", ["Silence"])
    assert study.scalar("SELECT theme_id FROM memos") == ids["a"]


def test_split_takes_chosen_codes_into_a_sibling(sorted_study):
    study, ids = sorted_study
    new = split_theme(study, ids["b"], "Belonging", [ids["Belonging"]])
    assert ("Belonging", ["Belonging"]) in tree(study)
    assert ("The group as a holding space", ["Safety"]) in tree(study)
    with pytest.raises(StudyError):
        split_theme(study, ids["b"], "Other", [ids["Shame"]])  # not its code
    history.undo(study)
    assert all(path != "Belonging" for path, _ in tree(study)) and new


def test_dissolve_unsorts_codes_lifts_subthemes_keeps_memos(sorted_study):
    study, ids = sorted_study
    with study.write() as db:
        db["memos"].insert({"uuid": "m", "theme_id": ids["a"], "text": "why", "created_at": "now"})
    dissolve_theme(study, ids["a"])
    assert unsorted(study) == ["Shame", "Silence"]
    assert ("The therapist's unease", ["Boredom"]) in tree(study)
    memo = study.query("SELECT theme_id, text FROM memos")[0]
    assert memo["theme_id"] is None and memo["text"].endswith("why")
    history.undo(study)
    assert tree(study)[0] == ("Being with silence", ["Silence"])
    assert study.scalar("SELECT text FROM memos") == "why"


def test_find_theme_by_path_or_unique_name(sorted_study):
    study, ids = sorted_study
    assert find_theme(study, "being with silence / the therapist's unease") == ids["sub"]
    assert find_theme(study, "The therapist's unease") == ids["sub"]
    assert find_theme(study, "nothing") is None
