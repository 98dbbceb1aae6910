"""`tacompanion export notes`: one CSV row per note, in the documented columns."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from tacompanion.core.note_markers import parse_note
from tacompanion.formats.atomic_write import write_text_atomically
from tacompanion.formats.guide_file import read_guide_file
from tacompanion.formats.notes_csv import NOTE_COLUMNS, notes_csv
from tacompanion.store import interviews as store
from tacompanion.store.notes import add_note

MBT = Path(__file__).resolve().parent.parent / "guides" / "mbt-avpd-therapists.md"


def make_notes(study):
    source, guide = read_guide_file(MBT)
    pid, gid = store.prepare_interview(study, source, guide, str(MBT), "P2", pilot=True)
    interview_id = store.create_interview(study, pid, gid, guide, pilot=True)
    store.start_clock(study, interview_id, "2026-11-26T09:00:00.000Z")
    store.set_recording_offset(study, interview_id, 40_000)
    q = guide.questions[3]
    add_note(study, interview_id, q.id, parse_note('!a "wall" of silence, #Silence #group'), 3_723_000)
    add_note(study, interview_id, None, parse_note("?before the clock"), None)
    return guide, q


def read_csv(text):
    return list(csv.reader(io.StringIO(text)))


def test_columns_and_values(study):
    guide, q = make_notes(study)
    rows = read_csv(notes_csv(study))
    assert tuple(rows[0]) == NOTE_COLUMNS == (
        "participant", "pilot", "interview_start", "elapsed", "section", "question_id",
        "question_text", "kind", "tags", "text",
    )
    assert rows[1] == [
        "P2", "yes", "2026-11-26T09:00:00.000Z", "01:02:43", "The last session", q.id, q.text,
        "quote", "#silence #group", 'a "wall" of silence, #Silence #group',
    ]
    assert rows[2][3:] == ["", "", "", "", "follow-up", "", "before the clock"]


def test_cli_writes_csv_to_stdout(study, db_path, cli):
    make_notes(study)
    result = cli("--db", str(db_path), "export", "notes")
    assert result.returncode == 0, result.stderr
    rows = read_csv(result.stdout)
    assert len(rows) == 3 and rows[1][0] == "P2"


def test_cli_writes_a_file_atomically(study, db_path, cli, tmp_path):
    make_notes(study)
    out = tmp_path / "notes.csv"
    out.write_text("old")
    result = cli("export", "notes", "-o", str(out), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert "wrote 2 notes" in result.stderr
    assert read_csv(out.read_text(encoding="utf-8"))[1][0] == "P2"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp") or ".partial-" in p.name] == []


def test_cli_refuses_a_missing_study_and_an_unknown_kind(db_path, cli, tmp_path):
    result = cli("--db", str(db_path), "export", "notes")
    assert result.returncode == 1 and "no such study file" in result.stderr
    assert "Traceback" not in result.stderr
    result = cli("--db", str(db_path), "export", "everything")
    assert result.returncode == 2
    assert "invalid choice: 'everything'" in result.stderr and "notes" in result.stderr
    result = cli("--db", str(db_path), "export")
    assert result.returncode == 2 and "KIND" in result.stderr


def test_cli_cannot_write_into_a_missing_folder(study, db_path, cli, tmp_path):
    make_notes(study)
    result = cli("--db", str(db_path), "export", "notes", "-o", str(tmp_path / "no" / "x.csv"))
    assert result.returncode == 1 and "cannot write" in result.stderr


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "x.csv"
    target.write_text("old")

    def broken_replace(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken_replace)
    try:
        write_text_atomically(target, "new")
    except OSError:
        pass
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_atomic_write_makes_a_private_new_file(tmp_path):
    target = write_text_atomically(tmp_path / "new.csv", "a,b\r\n")
    assert target.read_bytes() == b"a,b\r\n"
    assert target.stat().st_mode & 0o777 == 0o600
