"""The command line, run as a subprocess the way a user runs it."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys

import pytest

from tacompanion import __version__
from tacompanion.cli import COMMANDS, EXPORT_KINDS

from .conftest import GUIDES


def test_version_and_help(cli):
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"tacompanion {__version__}"
    done = cli("--help")
    assert done.returncode == 0
    for name in COMMANDS:
        assert name in done.stdout


@pytest.mark.parametrize(
    "command", [*COMMANDS, "guide check", "guide show", *(f"export {k}" for k in EXPORT_KINDS)]
)
def test_every_command_has_help(cli, command):
    done = cli(*command.split(), "--help")
    assert done.returncode == 0 and "usage:" in done.stdout


def test_guide_check_good_guides(cli):
    files = sorted(str(p) for p in GUIDES.glob("*.md") if p.name != "README.md")
    done = cli("guide", "check", *files)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(files)
    for name, line in zip(files, lines):
        assert line.startswith(f"{name}: ok \u2014 ") and " sections, " in line


def test_guide_check_on_the_guides_folder_checks_only_guides(cli, tmp_path):
    # `guide check guides/*.md`: the shipped format page is README.markdown,
    # so the glob matches guides only; a README.md elsewhere is skipped, named.
    files = sorted(str(p) for p in GUIDES.glob("*.md"))
    assert files and not any(p.endswith("README.md") for p in files)
    assert (GUIDES / "README.markdown").exists()
    done = cli("guide", "check", *files)
    assert done.returncode == 0, done.stderr
    (tmp_path / "README.md").write_text("# My guides\n\nThese are the guides of the study.\n")
    done = cli("guide", "check", str(tmp_path / "README.md"), files[0])
    assert done.returncode == 0, done.stderr
    assert "README.md: skipped \u2014 a README, not a guide" in done.stderr
    assert done.stdout.startswith(f"{files[0]}: ok")


def test_guide_check_reports_every_error_with_file_and_line(cli, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\nduration: soon\n---\n# T\n## A\n### Deep\n- q\n-\n", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text("# T\n## A [5 min]\n- q\n  - p\n", encoding="utf-8")
    done = cli("guide", "check", str(good), str(bad))
    assert done.returncode == 1
    # Results on stdout, errors on stderr (the same for every command).
    assert done.stdout.splitlines() == [f"{good}: ok \u2014 1 section, 1 question, 1 probe, 5 min planned"]
    assert done.stderr.splitlines() == [
        f"{bad}:2: duration must be a whole number of minutes above 0, not 'soon'",
        f"{bad}:6: level-3 heading 'Deep': only '#' (title) and '##' (sections) are allowed; "
        "write questions as list items",
        f"{bad}:8: empty question: a list item needs text",
    ]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["missing", "folder", "latin1"])
def test_guide_check_unreadable_inputs_are_one_clear_error(cli, tmp_path, kind):
    path = tmp_path / "g.md"
    expected = {"missing": "no such file", "folder": "is a folder", "latin1": ":2: not valid UTF-8"}[kind]
    if kind == "folder":
        path.mkdir()
    elif kind == "latin1":
        path.write_bytes("# T\n## Caf\xe9\n- q\n".encode("latin-1"))
    done = cli("guide", "check", str(path))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and expected in done.stderr and not done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_guide_show_prints_an_outline(cli):
    done = cli("guide", "show", str(GUIDES / "mbt-avpd-therapists.md"))
    assert done.returncode == 0
    assert "Please tell me about the last therapy session you had with a patient with AvPD." in done.stdout
    assert "id: s" in done.stdout and "Opening script:" in done.stdout


def test_guide_show_bad_file_goes_to_stderr(cli, tmp_path):
    done = cli("guide", "show", str(tmp_path / "nope.md"))
    assert done.returncode == 1 and "no such file" in done.stderr and done.stdout == ""


def test_backup_with_db_before_or_after_the_command(cli, tmp_path):
    study = tmp_path / "s.db"
    from tacompanion.store.study import Study

    Study.open(study).close()
    first = tmp_path / "one.db"
    second = tmp_path / "two.db"
    assert cli("--db", str(study), "backup", str(first)).returncode == 0
    done = cli("backup", str(second), "--db", str(study))
    assert done.returncode == 0 and "backed up" in done.stdout
    assert stat.S_IMODE(second.stat().st_mode) == 0o600
    conn = sqlite3.connect(second)
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    conn.close()
    again = cli("--db", str(study), "backup", str(second))
    assert again.returncode == 1 and "already exists" in again.stderr
    assert cli("--db", str(study), "backup", str(second), "--force").returncode == 0


def test_db_from_environment_and_default_in_current_folder(cli, tmp_path):
    from tacompanion.store.study import Study

    Study.open(tmp_path / "tacompanion.db").close()
    assert cli("backup", "b1.db", cwd=tmp_path).returncode == 0
    assert (tmp_path / "b1.db").exists()
    done = cli("backup", "b2.db", cwd=tmp_path, env={"TACOMPANION_DB": str(tmp_path / "none.db")})
    assert done.returncode == 1 and "none.db: no such study file" in done.stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("corrupt", "damaged"),
        ("foreign", "not a tacompanion study"),
        ("newer", "newer tacompanion"),
        ("locked", "locked"),
    ],
)
def test_bad_study_files_are_one_clear_message(cli, tmp_path, setup, message):
    path = tmp_path / "s.db"
    holder = None
    if setup == "corrupt":
        path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    elif setup == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    else:
        from tacompanion.store.study import Study

        Study.open(path).close()
        if setup == "newer":
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA user_version = 42")
            conn.close()
        else:  # another program holds the file exclusively
            holder = sqlite3.connect(path)
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("INSERT INTO settings VALUES ('hold', '1')")
    try:
        done = cli("--db", str(path), "backup", str(tmp_path / "copy.db"))
    finally:
        if holder is not None:
            holder.close()
    assert done.returncode == 1
    assert done.stderr.startswith(f"tacompanion: error: {path}: ") and message in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "copy.db").exists()


def test_the_command_list_is_complete():
    from tacompanion.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    export = sub.choices["export"]
    kinds = next(a for a in export._actions if a.dest == "export_kind")
    assert set(kinds.choices) == set(EXPORT_KINDS)


def test_usage_errors_exit_2(cli):
    done = cli("frobnicate")
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_commands_without_a_screen_do_not_import_textual():
    guide = str(GUIDES / "mbt-avpd-therapists.md")
    code = (
        "import sys\n"
        "from tacompanion import cli\n"
        f"cli.main(['guide', 'check', {guide!r}])\n"
        "import tacompanion.store.study, tacompanion.store.backup, tacompanion.formats.guide_file\n"
        "import tacompanion.core.guide_parser, tacompanion.core.overview\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
        "print('clean')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("clean")


def test_core_imports_neither_sqlite_nor_textual():
    code = (
        "import sys\n"
        "import tacompanion.core.guide, tacompanion.core.guide_parser, tacompanion.core.overview\n"
        "bad = [m for m in ('textual', 'sqlite3', 'sqlite_utils') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def damage_table(path, table: str) -> None:
    """Overwrite the root page of one table: the file still opens (header and
    schema intact), and the first query that reads the table fails."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def test_a_study_damaged_inside_is_one_clear_message_naming_it(cli, tmp_path):
    path = tmp_path / "s.db"
    assert cli("--db", str(path), "demo", "--no-open").returncode == 0
    assert cli("--db", str(path), "check").stdout.strip() == f"{path}: ok, no damage found"
    damage_table(path, "segments")
    done = cli("--db", str(path), "check")
    assert done.returncode == 1 and done.stderr.strip().endswith(
        f"tacompanion: error: {path}: the study file is damaged; restore it from a backup")
    done = cli("--db", str(path), "stats")
    assert done.returncode == 1
    assert done.stderr.startswith(f"tacompanion: error: {path}: the study file is damaged")
    assert "restore it from a backup" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_a_failed_import_into_a_new_study_leaves_no_study_file(cli, tmp_path):
    done = cli("--db", str(tmp_path / "new.db"), "import", str(tmp_path / "nope.txt"))
    assert done.returncode == 1 and "nope.txt: no such file" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    existing = tmp_path / "old.db"
    assert cli("--db", str(existing), "stats").returncode == 1  # no study yet: not created either
    assert cli("--db", str(existing), "demo", "--no-open").returncode == 0
    done = cli("--db", str(existing), "import", str(tmp_path / "nope.txt"))
    assert done.returncode == 1 and existing.exists()  # a study that was there stays


def test_backup_refuses_a_damaged_study_and_leaves_the_old_backup(cli, tmp_path):
    path = tmp_path / "s.db"
    assert cli("--db", str(path), "demo", "--no-open").returncode == 0
    good = tmp_path / "good.db"
    assert cli("--db", str(path), "backup", str(good)).returncode == 0
    before = good.read_bytes()
    damage_table(path, "notes")  # the study still opens; the backup would copy the bad page
    done = cli("--db", str(path), "backup", str(good), "--force")
    assert done.returncode == 1
    assert f"{path}: the study file is damaged" in done.stderr and "no backup was written" in done.stderr
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []
