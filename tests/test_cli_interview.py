"""`tacompanion interview` before any screen opens: the guide is checked first."""

from __future__ import annotations

from pathlib import Path

MBT = Path(__file__).resolve().parent.parent / "guides" / "mbt-avpd-therapists.md"


def test_a_bad_guide_prints_file_line_errors_and_writes_nothing(cli, db_path, tmp_path):
    guide = tmp_path / "bad.md"
    guide.write_text("# Title\n\n## Section [x min]\n\n1. A question?\n   - misplaced probe\n")
    result = cli("--db", str(db_path), "interview", str(guide), "--participant", "P1")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith(f"{guide}:") for line in lines)
    assert f"{guide}:3:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db_path.exists()


def test_a_missing_guide(cli, db_path, tmp_path):
    result = cli("--db", str(db_path), "interview", str(tmp_path / "nope.md"), "-p", "P1")
    assert result.returncode == 1 and "no such file" in result.stderr
    assert not db_path.exists()


def test_a_bad_pseudonym_is_refused_before_anything_is_written(cli, db_path):
    result = cli("--db", str(db_path), "interview", str(MBT), "--participant", "  ")
    assert result.returncode == 1 and "pseudonym" in result.stderr
    assert not db_path.exists()


def test_without_a_terminal_it_says_so(cli, db_path):
    result = cli("--db", str(db_path), "interview", str(MBT), "--participant", "P1")
    assert result.returncode == 1 and "needs a terminal" in result.stderr
    assert not db_path.exists()


def test_resume_and_new_exclude_each_other(cli, db_path):
    result = cli("--db", str(db_path), "interview", str(MBT), "-p", "P1", "--resume", "--new")
    assert result.returncode == 2 and "not allowed with" in result.stderr


def test_interview_is_no_longer_reserved(cli):
    result = cli("interview", "--help")
    assert result.returncode == 0 and "--participant" in result.stdout
    result = cli("--help")
    assert "not in this version yet" not in [line for line in result.stdout.splitlines() if "interview" in line][0]
