"""`Study.transaction`: `write`'s transaction for writers that use the
connection alone, so that a .qdpx import does not load sqlite-utils (and,
through it, numpy where it is installed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tacompanion.store.study import Study

from .conftest import REPO


def test_a_transaction_commits_or_leaves_the_study_as_it_was(tmp_path):
    with Study.open(tmp_path / "s.db") as study:
        def value(key: str):
            return study.scalar("SELECT value FROM settings WHERE key = ?", (key,))

        with study.transaction():
            study.conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        assert value("a") == "1"
        with pytest.raises(RuntimeError), study.transaction():
            study.conn.execute("INSERT INTO settings (key, value) VALUES ('b', '2')")
            raise RuntimeError("half-way")
        assert value("b") is None and not study.conn.in_transaction
        # inside an open write: a savepoint, undone alone on failure
        with study.write():
            study.conn.execute("INSERT INTO settings (key, value) VALUES ('c', '3')")
            with pytest.raises(RuntimeError), study.transaction():
                study.conn.execute("INSERT INTO settings (key, value) VALUES ('d', '4')")
                raise RuntimeError("inner")
            assert study.conn.in_transaction
        assert (value("c"), value("d")) == ("3", None)


def test_importing_a_qdpx_does_not_load_sqlite_utils(tmp_path):
    """The whole import, in a fresh interpreter, as the command runs it."""
    project = REPO / "tests" / "data" / "refi-qda" / "qc-demo.qdpx"
    script = (
        "import sys\n"
        "from tacompanion.cli import main\n"
        f"sys.argv = ['tacompanion', '--db', {str(tmp_path / 'new.db')!r}, 'import', {str(project)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('loaded' if 'sqlite_utils' in sys.modules else 'not loaded')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "imported" in done.stdout
    assert done.stdout.strip().endswith("not loaded"), done.stdout
    with Study.open(tmp_path / "new.db", create=False) as study:
        assert study.scalar("SELECT count(*) FROM transcripts") > 0
