"""One memo per thing: every reader sees the same memo, and wherever two
things become one their memos are joined, never doubled or dropped."""

from __future__ import annotations

from tacompanion.formats.qdpx_export import export_qdpx
from tacompanion.formats.qdpx_import import import_qdpx, summary_lines
from tacompanion.store import history
from tacompanion.store.codes import create_code, merge_codes
from tacompanion.store.memos import SEPARATOR, get_memo, save_memo
from tacompanion.store.study import Study
from tacompanion.store.themes import create_theme, dissolve_theme, merge_themes
from tacompanion.store.transcripts import save_transcript_memo, transcript_memo
from tests.test_qdpx import make_study


def _memo_count(study, where="1"):
    return study.scalar(f"SELECT count(*) FROM memos WHERE {where}")


def test_merging_codes_joins_their_memos_and_undo_splits_them_again(study):
    a, b = create_code(study, "Waiting"), create_code(study, "Patience")
    save_memo(study, "code", a, "Waiting memo.")
    save_memo(study, "code", b, "Patience memo.")
    merge_codes(study, a, b)
    assert get_memo(study, "code", b) == f"Patience memo.{SEPARATOR}(memo of merged code 'Waiting')\nWaiting memo."
    assert _memo_count(study) == 1
    history.undo(study)
    assert get_memo(study, "code", a) == "Waiting memo."
    assert get_memo(study, "code", b) == "Patience memo."


def test_merging_a_code_into_one_without_memo_moves_the_memo_unchanged(study):
    a, b = create_code(study, "Waiting"), create_code(study, "Patience")
    save_memo(study, "code", a, "Waiting memo.")
    merge_codes(study, a, b)
    assert get_memo(study, "code", b) == "Waiting memo."


def test_merging_and_dissolving_themes_keep_one_memo(study):
    t1, t2 = create_theme(study, "Waiting"), create_theme(study, "Holding")
    save_memo(study, "theme", t1, "T1 memo.")
    save_memo(study, "theme", t2, "T2 memo.")
    save_memo(study, None, None, "Study memo.")
    merge_themes(study, t1, t2)
    assert get_memo(study, "theme", t2).endswith("(memo of merged theme 'Waiting')\nT1 memo.")
    dissolve_theme(study, t2)
    study_memo = get_memo(study, None)
    assert study_memo.startswith("Study memo." + SEPARATOR + "(memo of dissolved theme 'Holding')\nT2 memo.")
    assert "T1 memo." in study_memo
    assert _memo_count(study) == 1


def test_the_transcript_memo_is_the_one_memo_of_store_memos(study):
    rich = make_study(study)
    tid = rich["p1"].transcript_id
    save_transcript_memo(study, tid, "Edited on the reading screen.")
    assert get_memo(study, "transcript", tid) == transcript_memo(study, tid) == "Edited on the reading screen."
    save_memo(study, "transcript", tid, "Edited in the memo editor.")
    assert transcript_memo(study, tid) == "Edited in the memo editor."
    assert _memo_count(study, f"transcript_id = {tid}") == 1


def test_a_qdpx_import_appends_to_the_existing_memo_instead_of_a_second(study, tmp_path):
    make_study(study)
    path = tmp_path / "out.qdpx"
    export_qdpx(study, path, redacted=False)
    with Study.open(tmp_path / "other.db") as other:
        import_qdpx(other, path)
        silence = other.scalar("SELECT id FROM codes WHERE name = 'Silence'")
        other.conn.execute("DELETE FROM memos WHERE code_id = ?", (silence,))
        other.conn.commit()
        save_memo(other, "code", silence, "My own memo on silence.")
        summary = import_qdpx(other, path, merge=True)
        assert get_memo(other, "code", silence) == f"My own memo on silence.{SEPARATOR}Silence: seen in most interviews."
        assert _memo_count(other, f"code_id = {silence}") == 1
        assert summary.counts["memos appended to an existing memo"] == 1
        assert "1 memos appended to an existing memo" in "\n".join(summary_lines(summary, str(path)))
        again = import_qdpx(other, path, merge=True)
        assert again.counts.get("memos appended to an existing memo", 0) == 0
        assert get_memo(other, "code", silence).count("Silence: seen") == 1
