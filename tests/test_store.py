"""The study file: creation, schema, migrations, errors, backup."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from tacompanion.core.guide_parser import parse_guide
from tacompanion.store import schema
from tacompanion.store.backup import backup_study
from tacompanion.store.guides import load_guide, save_guide
from tacompanion.store.participants import ensure_participant, list_participants
from tacompanion.store.study import Study, StudyError, default_path, friendly_error

DATA = Path(__file__).parent / "data"

TABLES = {
    "settings", "participants", "guides", "interviews", "interview_pauses",
    "question_events", "notes", "transcripts", "segments", "themes", "codes",
    "codings", "memos", "journal", "operations", "redactions",
    "segments_fts", "notes_fts",
}


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_new_study_is_private_wal_with_foreign_keys_and_current_schema(db_path):
    old = os.umask(0)  # even with a permissive umask the file is 0600
    try:
        study = Study.open(db_path)
    finally:
        os.umask(old)
    with study:
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
        assert study.scalar("PRAGMA journal_mode") == "wal"
        assert study.scalar("PRAGMA foreign_keys") == 1
        assert study.scalar("PRAGMA busy_timeout") > 0
        assert study.schema_version == schema.latest_version()
        assert study.scalar("PRAGMA application_id") == schema.APPLICATION_ID
        assert study.setting("interviewer_labels") == schema.DEFAULT_INTERVIEWER_LABELS
        assert study.setting("analysis_scope") == "all"
        assert len(study.setting("study_uuid")) == 36
    assert TABLES <= tables(db_path)


def test_reopening_keeps_data_and_identity(db_path):
    with Study.open(db_path) as s:
        ensure_participant(s, "P1")
        ident = s.setting("study_uuid")
    with Study.open(db_path, create=False) as s:
        assert [p["pseudonym"] for p in list_participants(s)] == ["P1"]
        assert s.setting("study_uuid") == ident


def test_default_path_order(monkeypatch, tmp_path):
    monkeypatch.delenv("TACOMPANION_DB", raising=False)
    assert default_path() == Path("tacompanion.db")
    monkeypatch.setenv("TACOMPANION_DB", str(tmp_path / "env.db"))
    assert default_path() == tmp_path / "env.db"
    assert default_path(tmp_path / "cli.db") == tmp_path / "cli.db"


def test_missing_file_without_create(db_path):
    with pytest.raises(StudyError, match="no such study file"):
        Study.open(db_path, create=False)
    assert not db_path.exists()


def test_missing_folder_is_one_clear_error(tmp_path):
    with pytest.raises(StudyError, match="does not exist"):
        Study.open(tmp_path / "nowhere" / "s.db")


def test_a_folder_is_not_a_study(tmp_path):
    with pytest.raises(StudyError, match="is a folder"):
        Study.open(tmp_path)


def test_corrupt_file_is_refused_and_left_alone(db_path):
    junk = os.urandom(8192)
    db_path.write_bytes(junk)
    with pytest.raises(StudyError, match="damaged"):
        Study.open(db_path)
    assert db_path.read_bytes() == junk


def test_another_programs_database_is_refused(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StudyError, match="not a tacompanion study"):
        Study.open(db_path)
    assert tables(db_path) == {"invoices"}


def test_an_empty_sqlite_file_of_version_zero_is_upgraded(db_path):
    sqlite3.connect(db_path).close()  # made by another tool: empty, user_version 0
    with Study.open(db_path) as s:
        assert s.schema_version == schema.latest_version()


def test_newer_schema_is_refused(db_path):
    Study.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StudyError, match="newer tacompanion"):
        Study.open(db_path)


def test_locked_study_gives_a_clear_message(db_path):
    Study.open(db_path).close()
    other = sqlite3.connect(db_path)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings VALUES ('held', '1')")
    try:
        with Study.open(db_path) as s, pytest.raises(StudyError, match="locked"):
            ensure_participant(s, "P1")
    finally:
        other.rollback()
        other.close()
    with Study.open(db_path) as s:
        assert list_participants(s) == []


@pytest.fixture
def read_only_study(db_path):
    """A study file that cannot be written: chmod for a normal user; root
    ignores modes, so for root the file is made immutable (chattr +i)."""
    Study.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = DELETE")  # a read-only file cannot switch to WAL later
    conn.close()
    immutable = False
    if os.geteuid() == 0:
        import subprocess

        done = subprocess.run(["chattr", "+i", str(db_path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("cannot make a file read-only for root here")
        immutable = True
    else:
        os.chmod(db_path, 0o400)
    yield db_path
    if immutable:
        import subprocess

        subprocess.run(["chattr", "-i", str(db_path)], check=True)


def test_read_only_file_is_refused(read_only_study):
    with pytest.raises(StudyError, match="read-only"):
        with Study.open(read_only_study) as s:
            ensure_participant(s, "P1")


def test_friendly_messages_name_the_file():
    p = Path("s.db")
    assert "read-only" in str(friendly_error(p, sqlite3.OperationalError("attempt to write a readonly database")))
    assert "locked" in str(friendly_error(p, sqlite3.OperationalError("database is locked")))
    assert "disk is full" in str(friendly_error(p, sqlite3.OperationalError("database or disk is full")))
    assert str(friendly_error(p, sqlite3.DatabaseError("file is not a database"))).startswith("s.db: ")


def test_a_failed_write_leaves_nothing(study):
    with pytest.raises(RuntimeError):
        with study.write() as db:
            db["participants"].insert(
                {"uuid": "u1", "pseudonym": "P9", "created_at": "2026-01-01T00:00:00.000Z"}
            )
            raise RuntimeError("boom")
    assert list_participants(study) == []


# -- migrations --------------------------------------------------------------------


def test_migration_steps_run_in_order_each_in_one_transaction(db_path, monkeypatch):
    with Study.open(db_path) as s:
        ensure_participant(s, "P1")
    v1 = schema.latest_version()

    def to_v2(conn):
        conn.execute("ALTER TABLE participants ADD COLUMN colour TEXT")
        conn.execute("UPDATE participants SET colour = 'teal'")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, to_v2])
    with Study.open(db_path) as s:
        assert s.schema_version == v1 + 1
        assert s.query("SELECT pseudonym, colour FROM participants") == [
            {"pseudonym": "P1", "colour": "teal"}
        ]


def test_a_failing_migration_rolls_back_completely(db_path, monkeypatch):
    with Study.open(db_path) as s:
        ensure_participant(s, "P1")
    v1 = schema.latest_version()

    def broken(conn):
        conn.execute("ALTER TABLE participants ADD COLUMN colour TEXT")
        raise sqlite3.OperationalError("simulated failure halfway")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    with pytest.raises(StudyError):
        Study.open(db_path)
    monkeypatch.undo()
    with Study.open(db_path) as s:
        assert s.schema_version == v1
        cols = {r["name"] for r in s.query("PRAGMA table_info(participants)")}
        assert "colour" not in cols


def test_fixture_of_every_released_schema_version_opens(tmp_path):
    """tests/data/study-vN.db is a study written by schema version N, with data.
    Every later version must open it and keep its content."""
    fixtures = sorted(DATA.glob("study-v*.db"))
    assert fixtures, "keep one fixture per released schema version"
    for fixture in fixtures:
        copy = tmp_path / fixture.name
        shutil.copy(fixture, copy)
        before = _row_counts(copy, ("participants", "transcripts", "codings", "notes", "journal"))
        with Study.open(copy, create=False) as s:
            assert s.schema_version == schema.latest_version()
            assert before == {t: s.scalar(f"SELECT count(*) FROM {t}") for t in before}, fixture.name
            if fixture.name == "study-v1.db":
                assert [p["pseudonym"] for p in list_participants(s)] == ["P1", "P2"]
                assert s.scalar("SELECT title FROM guides") == "Fixture guide"


def _row_counts(path, tables) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


# -- content -----------------------------------------------------------------------


def test_guides_are_stored_once_by_hash_and_reparse(study):
    text = "# A guide\n## S [5 min]\n- q?\n"
    guide = parse_guide(text)
    first = save_guide(study, guide, text, "a.md")
    assert save_guide(study, guide, text, "copy-of-a.md") == first
    assert load_guide(study, first).questions == guide.questions


def test_participants_are_pseudonyms_and_pilot_flag_sticks(study):
    a = ensure_participant(study, " P3 ")
    assert ensure_participant(study, "p3") == a  # case-insensitive
    ensure_participant(study, "P3", pilot=True)
    ensure_participant(study, "P3")
    assert list_participants(study)[0]["pilot"] == 1
    with pytest.raises(StudyError):
        ensure_participant(study, "   ")
    with pytest.raises(StudyError, match="never use a real name"):
        ensure_participant(study, "x" * 80)


def test_a_coding_cannot_be_applied_twice_to_the_same_span(study):
    pid = ensure_participant(study, "P1")
    with study.write() as db:
        db["transcripts"].insert(
            {"uuid": "t", "participant_id": pid, "file_name": "p1.txt", "format": "txt",
             "source_hash": "h", "text": "hello world", "imported_at": "now"}
        )
        db["codes"].insert({"uuid": "c", "name": "Greeting", "slug": "greeting", "created_at": "now"})
        row = {"uuid": "k1", "code_id": 1, "transcript_id": 1, "start_pos": 0, "end_pos": 5,
               "coder": "me", "created_at": "now"}
        db["codings"].insert(row)
    with pytest.raises(sqlite3.IntegrityError):
        with study.write() as db:
            db["codings"].insert({**row, "uuid": "k2"})
    with pytest.raises(sqlite3.IntegrityError):  # a coding sits on a transcript or a note
        with study.write() as db:
            db["codings"].insert({**row, "uuid": "k3", "transcript_id": None})
    assert study.scalar("SELECT count(*) FROM codings") == 1


def test_full_text_index_follows_segments(study):
    pid = ensure_participant(study, "P1")
    with study.write() as db:
        db["transcripts"].insert(
            {"uuid": "t", "participant_id": pid, "file_name": "p1.txt", "format": "txt",
             "source_hash": "h", "text": "We sat in silence.", "imported_at": "now"}
        )
        db["segments"].insert(
            {"uuid": "s", "transcript_id": 1, "position": 0, "speaker": "P1",
             "start_pos": 0, "end_pos": 18, "text": "We sat in silence."}
        )
    hits = study.query("SELECT rowid FROM segments_fts WHERE segments_fts MATCH 'silence'")
    assert hits == [{"rowid": 1}]


# -- backup ------------------------------------------------------------------------


def test_backup_is_a_consistent_private_copy(study, tmp_path):
    ensure_participant(study, "P1")
    dest = backup_study(study, tmp_path / "copy.db")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    with Study.open(dest, create=False) as copy:
        assert [p["pseudonym"] for p in list_participants(copy)] == ["P1"]
        assert copy.setting("study_uuid") == study.setting("study_uuid")
    assert not list(tmp_path.glob(".copy.db.partial*"))


def test_backup_into_a_folder_and_refusals(study, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    assert backup_study(study, folder) == folder / study.path.name
    with pytest.raises(StudyError, match="already exists"):
        backup_study(study, folder)
    backup_study(study, folder, overwrite=True)
    with pytest.raises(StudyError, match="the study itself"):
        backup_study(study, study.path, overwrite=True)
    with pytest.raises(StudyError, match="does not exist"):
        backup_study(study, tmp_path / "no" / "such.db")
    assert not (tmp_path / "no").exists()
