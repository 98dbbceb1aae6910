"""The command line of issue 14, run as a user would: participants and
transcripts under control, a .qdpx from QualCoder with an unassigned source,
export warnings about shared names, and search over interview notes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.test_qdpx_round_trips import qualcoder_project

V2 = Path(__file__).resolve().parent / "data" / "study-v2.db"


@pytest.fixture
def db(tmp_path) -> str:
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    return str(path)


def test_participants_list_json_has_exactly_the_contract_keys(cli, db):
    r = cli("--db", db, "participants", "list", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [set(row) for row in rows] == [{"id", "pilot", "attributes", "transcripts", "interviews", "codings"}] * 4
    assert rows[0] == {"id": "T1", "pilot": False, "attributes": {}, "transcripts": 1, "interviews": 1,
                       "codings": 11}
    plain = cli("--db", db, "participants")
    assert plain.returncode == 0 and plain.stdout.splitlines()[0].startswith("participant  pilot")


def test_pilot_rename_and_attributes_through_the_cli(cli, db):
    r = cli("--db", db, "participants", "pilot", "T2", "yes")
    assert r.returncode == 0 and "N = 3 (was 4)" in r.stdout
    stats = json.loads(cli("--db", db, "stats", "--json").stdout)
    assert {p["id"]: p["pilot"] for p in stats["participants"]}["T2"] is True
    r = cli("--db", db, "participants", "pilot", "T2", "maybe")
    assert r.returncode == 1 and "pilot is yes or no, not 'maybe'" in r.stderr
    r = cli("--db", db, "participants", "rename", "T1", "T2")
    assert r.returncode == 1 and "'T2' is already a participant" in r.stderr and "Traceback" not in r.stderr
    r = cli("--db", db, "participants", "rename", "T1", "P1")
    assert r.returncode == 0 and "redact add T1 P1" in r.stdout
    assert cli("--db", db, "participants", "set", "P1", "years", "11").stdout.strip() == "P1: years = 11 (integer)"
    r = cli("--db", db, "participants", "set", "T3", "years", "2.5")
    assert r.returncode == 1 and "years is a whole number, not '2.5'" in r.stderr
    assert cli("--db", db, "participants", "set", "T3", "years", "2.5", "--type", "decimal").returncode == 0
    cli("--db", db, "participants", "unset", "P1", "years")
    rows = {p["id"]: p for p in json.loads(cli("--db", db, "participants", "list", "--json").stdout)}
    assert rows["P1"]["attributes"] == {} and rows["T3"]["attributes"] == {"years": 2.5}
    assert rows["T2"]["pilot"] is True


def test_remove_needs_yes_without_a_terminal_and_names_what_goes_and_the_backup(cli, db, tmp_path):
    r = cli("--db", db, "participants", "remove", "T1", input="y\n")
    assert r.returncode == 1
    assert "1 transcript, 1 interview with 4 notes, 11 codings, 1 memo" in r.stderr and "--yes" in r.stderr
    assert json.loads(cli("--db", db, "participants", "list", "--json").stdout)[0]["id"] == "T1"
    r = cli("--db", db, "participants", "remove", "T1", "--yes")
    assert r.returncode == 0, r.stderr
    backup = Path(r.stdout.strip().rsplit(" ", 1)[-1])
    assert backup.exists() and backup.parent == tmp_path
    assert [p["id"] for p in json.loads(cli("--db", db, "participants", "list", "--json").stdout)] == ["T2", "T3", "T4"]
    # the backup is a whole study from before
    assert "T1" in cli("--db", str(backup), "participants").stdout


def test_transcripts_list_move_rename_remove(cli, db):
    rows = json.loads(cli("--db", db, "transcripts", "list", "--json").stdout)
    assert rows[0] == {"id": 1, "participant": "T1", "pilot": False, "name": "t1-interview.txt", "format": "txt",
                       "segments": 18, "words": 591, "codings": 8, "read": False}
    r = cli("--db", db, "transcripts", "move", "t4-interview.srt", "--participant", "T2")
    assert r.returncode == 0 and "with its 8 codings" in r.stdout and "T4 has no transcripts" in r.stdout
    r = cli("--db", db, "transcripts", "rename", "t4-interview.srt", "t2-second.srt")
    assert r.returncode == 0
    r = cli("--db", db, "transcripts", "remove", "t2-second.srt")
    assert r.returncode == 1 and "--yes" in r.stderr
    r = cli("--db", db, "transcripts", "remove", "t2-second.srt", "--yes")
    assert r.returncode == 0 and "removed transcript t2-second.srt of T2: 12 turns, 8 codings" in r.stdout
    r = cli("--db", db, "transcripts", "remove", "t2-second.srt", "--yes")
    assert r.returncode == 1 and "no transcript 't2-second.srt'" in r.stderr
    assert [t["participant"] for t in json.loads(cli("--db", db, "transcripts", "list", "--json").stdout)] == \
        ["T1", "T2", "T3"]


def test_a_qualcoder_project_with_one_unassigned_source_and_participant_answering(cli, tmp_path):
    path = qualcoder_project(tmp_path)
    r = cli("--db", str(tmp_path / "a.db"), "import", str(path))
    assert r.returncode == 0, r.stderr
    assert "new participant 'focus group' named after the file" in r.stdout
    r = cli("--db", str(tmp_path / "b.db"), "import", str(path), "--participant", "P3")
    assert r.returncode == 0, r.stderr
    assert "focus group" not in r.stdout
    people = json.loads(cli("--db", str(tmp_path / "b.db"), "participants", "list", "--json").stdout)
    assert [(p["id"], p["pilot"], p["transcripts"]) for p in people] == [
        ("P3", False, 2), ("T1", True, 1), ("T2", False, 1)]
    assert people[1]["attributes"] == {"Profession": "nurse", "Started": "2026-03-01", "Years": 11}
    # --participant answers for a single source only
    extra = qualcoder_project(tmp_path, extra_sources={"f" * 8 + "-0000-4000-8000-" + "0" * 12: ("other.txt", "Q: x\n")})
    r = cli("--db", str(tmp_path / "c.db"), "import", str(extra), "--participant", "P3")
    assert r.returncode == 1 and "this project has 2 ('focus group.txt', 'other.txt')" in r.stderr
    assert not (tmp_path / "c.db").exists()


def test_export_warns_about_shared_names_and_qualifies_them(cli, tmp_path):
    from tacompanion.store.study import Study
    from tacompanion.store.themes import create_theme

    db = tmp_path / "s.db"
    with Study.open(db) as s:
        for parent in ("Coping", "Work"):
            create_theme(s, "Support", parent_id=create_theme(s, parent))
    r = cli("--db", str(db), "export", "qdpx", "-o", str(tmp_path / "a.qdpx"))
    assert r.returncode == 0 and "warning: 2 codes/themes share the name 'Support'" in r.stderr
    r = cli("--db", str(db), "export", "qdpx", "-o", str(tmp_path / "b.qdpx"), "--qualify-names")
    assert r.returncode == 0 and "written with their parent's name added" in r.stderr


def test_search_finds_interview_notes_with_their_interview_and_time(cli, db):
    r = cli("--db", db, "search", "thinking", "hiding")
    assert r.returncode == 0, r.stderr
    assert "T1  interview notes 2026-03-02 09:02  note  10:20" in r.stdout
    assert "«thinking» vs «hiding»" in r.stdout
    assert r.stdout.strip().endswith("1 hit in the notes of 1 interview")


def test_on_a_terminal_the_import_asks_for_each_unassigned_source(tmp_path):
    """In a pseudo-terminal, the import asks before writing: an answer places
    the source, Enter accepts the participant named after the file."""
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    extra = qualcoder_project(tmp_path, extra_sources={"f" * 8 + "-0000-4000-8000-" + "0" * 12:
                                                       ("other.txt", "Q: so?\nA: so.\n")})
    db = tmp_path / "asked.db"
    child = pexpect.spawn(sys.executable, ["-m", "tacompanion", "--db", str(db), "import", str(extra)],
                          env=dict(os.environ, TERM="dumb"), timeout=30, encoding="utf-8")
    child.expect("participant of 'focus group.txt'")
    child.sendline("T2")
    child.expect(r"participant of 'other.txt' \(Enter: a new participant 'other'\)")
    child.sendline("")
    child.expect("imported")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    from tacompanion.store.study import Study

    with Study.open(db, create=False) as s:
        owners = dict(s.conn.execute("SELECT t.file_name, p.pseudonym FROM transcripts t "
                                     "JOIN participants p ON p.id = t.participant_id"))
    assert owners["focus group.txt"] == "T2" and owners["other.txt"] == "other"
