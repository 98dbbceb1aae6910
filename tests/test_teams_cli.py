"""`tacompanion merge` and `tacompanion agreement`, run as a user would."""

from __future__ import annotations

import json
import shutil

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.formats.demo import create_demo_study
from tacompanion.store import codes as code_store
from tacompanion.store.study import Study


def _copies(tmp_path):
    base = tmp_path / "base.db"
    with Study.open(base) as s:
        create_demo_study(s, analysis=False)  # the material only: a plain base to merge onto
    kim, lee = tmp_path / "kim.db", tmp_path / "lee.db"
    shutil.copy(base, kim)
    shutil.copy(base, lee)
    with Study.open(kim) as s:
        code_store.create_and_apply(s, "Silence", DocRef(transcript_id=1), Span(0, 100), "kim")
    with Study.open(lee) as s:
        code_store.create_and_apply(s, "Silence", DocRef(transcript_id=1), Span(50, 150), "lee")
    return kim, lee


def test_merge_a_co_coders_study_then_compare_the_two(cli, tmp_path):
    kim, lee = _copies(tmp_path)
    done = cli("--db", str(kim), "merge", str(lee))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"merged {lee}:")
    assert "conflicts: none" in done.stdout
    assert any(line.split()[:3] == ["codings", "1", "added"] for line in done.stdout.splitlines())
    assert any(line.split()[:2] == ["codes", "0"] for line in done.stdout.splitlines())  # Silence matched
    again = cli("--db", str(kim), "merge", str(lee))
    assert any(line.split()[:5] == ["codings", "0", "added", "1", "matched"] for line in again.stdout.splitlines())

    done = cli("--db", str(kim), "agreement", "kim", "lee", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["coders"] == ["kim", "lee"] and data["unit"] == "characters"
    (code,) = data["codes"]
    assert {k: code[k] for k in ("code", "theme", "a", "b", "both")} == {
        "code": "Silence", "theme": None, "a": 100, "b": 100, "both": 50}
    assert code["overlap"] == 50 / 150
    assert set(data["overall"]) >= {"agreement", "overlap", "kappa", "alpha"}
    assert "overlap" in data["definitions"]
    done = cli("--db", str(kim), "agreement", "kim", "lee", "--unit", "turns", "--code", "silence")
    assert done.returncode == 0, done.stderr
    assert "Agreement between kim and lee, unit: turns (1 code, worst first)" in done.stdout
    assert "overall" in done.stdout


def test_import_merge_prints_the_same_merge_report(cli, tmp_path):
    kim, lee = _copies(tmp_path)
    out = tmp_path / "lee.qdpx"
    assert cli("--db", str(lee), "export", "qdpx", "-o", str(out)).returncode == 0
    done = cli("--db", str(kim), "import", str(out), "--merge")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"merged {out}:") and "conflicts: none" in done.stdout


def test_bad_input_one_clear_message(cli, tmp_path):
    kim, _ = _copies(tmp_path)
    (tmp_path / "x.txt").write_text("not a study")
    for args, message in [
        (("merge", str(tmp_path / "none.db")), "none.db: no such file"),
        (("merge", str(tmp_path / "x.txt")), "neither a tacompanion study nor a REFI-QDA project"),
        (("merge", str(kim)), "that is this study itself"),
        (("agreement", "kim", "bob"), "no codings by 'bob'"),
        (("agreement", "kim", "kim"), "two different coders"),
        (("agreement", "kim", "lee", "--code", "Nope"), "no codings by 'lee'"),
    ]:
        done = cli("--db", str(kim), *args)
        assert done.returncode == 1, (args, done.stdout)
        assert message in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
