"""One damaged byte in the schema text (the SQL that describes the tables)
gives one clear message naming the file, in every command, never a
UnicodeDecodeError."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tacompanion.store.study import Study, StudyError

DATA = Path(__file__).resolve().parent / "data"


def _damaged_copies(tmp_path: Path, every: int = 61) -> list[Path]:
    """Copies of a v2 study (upgraded and closed cleanly), each with one byte
    of its schema text replaced by 0xff."""
    base = tmp_path / "base.db"
    shutil.copy(DATA / "study-v2.db", base)
    Study.open(base).close()
    data = base.read_bytes()
    starts = [m.start() for m in re.finditer(rb"CREATE (?:TABLE|INDEX|TRIGGER|VIRTUAL TABLE)", data)]
    copies = []
    for n, pos in enumerate(sorted({p + k for p in starts for k in range(7, 300, every)})):
        damaged = bytearray(data)
        damaged[pos] = 0xFF
        path = tmp_path / f"d{n}.db"
        path.write_bytes(bytes(damaged))
        copies.append(path)
    return copies


def test_opening_a_study_with_a_damaged_schema_byte_is_one_clear_error(tmp_path):
    copies = _damaged_copies(tmp_path)
    assert len(copies) > 100
    refused = 0
    for path in copies:
        try:
            Study.open(path, create=False).close()
        except StudyError as exc:
            refused += 1
            assert str(exc).startswith(f"{path}: ") and ("damaged" in str(exc) or "not a tacompanion" in str(exc))
    assert refused > len(copies) // 2  # most such bytes are caught when the study opens


def test_a_damaged_byte_inside_a_schema_string_is_named_as_damage(tmp_path):
    """A byte SQLite itself does not mind (inside a quoted default or a CHECK
    list) is still found when the study opens."""
    base = tmp_path / "base.db"
    shutil.copy(DATA / "study-v2.db", base)
    Study.open(base).close()
    data = bytearray(base.read_bytes())
    at = data.index(b"'manual'")  # segments.question_source CHECK (... IN ('time', 'manual'))
    data[at + 2] = 0xFF
    base.write_bytes(bytes(data))
    with pytest.raises(StudyError) as err:
        Study.open(base, create=False)
    assert str(err.value).startswith(f"{base}: the study file is damaged: the text that describes its tables")


@pytest.mark.parametrize("command", [["stats"], ["check"], ["export", "codings"], ["journal", "list"],
                                     ["search", "silence"], ["backup", "copy.db"]])
def test_no_command_crashes_on_a_damaged_schema(tmp_path, cli, command):
    copies = _damaged_copies(tmp_path, every=97)[::9]
    for path in copies:
        args = [f"copy-{path.stem}.db" if a == "copy.db" else a for a in command]
        r = cli("--db", str(path), *args, cwd=tmp_path)
        assert "internal error" not in r.stderr and "Traceback" not in r.stderr, (path, r.stderr)
        if r.returncode:
            assert str(path) in r.stderr
