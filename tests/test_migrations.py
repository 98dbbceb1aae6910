"""Safe migrations: every earlier version upgrades with all its rows, steps are
frozen SQL, foreign keys cannot cascade during a step, and a step that would
leave a dangling reference rolls back."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tacompanion.store import schema
from tacompanion.store.memos import get_memo, save_memo
from tacompanion.store.study import Study, StudyError

DATA = Path(__file__).parent / "data"
FIXTURES = sorted(DATA.glob("study-v*.db"))


def _row_counts(path: Path) -> dict[str, int]:
    """Rows of every table (FTS shadow tables aside), read with plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%_fts%' "
            "AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_there_is_a_fixture_of_every_earlier_version():
    versions = {_version(f) for f in FIXTURES}
    assert {1, 2} <= versions
    assert all(v < schema.latest_version() for v in versions)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_every_earlier_version_upgrades_keeping_every_row(fixture, tmp_path):
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    before = _row_counts(copy)
    assert sum(before.values()) > 0
    with Study.open(copy, create=False) as s:
        assert s.schema_version == schema.latest_version()
        assert s.scalar("PRAGMA foreign_keys") == 1
        assert [r[0] for r in s.conn.execute("PRAGMA integrity_check")] == ["ok"]
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    after = _row_counts(copy)
    for table, count in before.items():
        if table == "settings":  # later steps add settings with their defaults
            assert after[table] >= count
            continue
        assert after[table] == count, f"{fixture.name}: {table} had {count} rows, now {after[table]}"
    # the full-text index still finds what the file held
    with Study.open(copy, create=False) as s:
        for table in ("segments", "notes"):
            n = s.scalar(f"SELECT count(*) FROM {table}")
            assert s.scalar(f"SELECT count(*) FROM {table}_fts") == n


def test_the_v1_file_gets_every_later_step(tmp_path):
    copy = tmp_path / "v1.db"
    shutil.copy(DATA / "study-v1.db", copy)
    assert _version(copy) == 1
    with Study.open(copy, create=False) as s:
        assert s.schema_version == schema.latest_version()
        columns = {r["name"] for r in s.query("PRAGMA table_info(transcripts)")}
        assert "guide_id" in columns  # the v2 step ran
        indexes = {r["name"] for r in s.query("PRAGMA index_list(memos)")}
        assert "memos_one_per_code" in indexes and "memos_one_for_study" in indexes


def test_the_v1_step_is_frozen_sql_that_builds_what_sqlite_utils_built(tmp_path):
    """The step once called sqlite-utils' enable_fts at run time; its frozen SQL
    must give exactly the schema that call gives."""
    import sqlite_utils

    def master(conn):
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(),
                      key=lambda r: r[1])

    frozen = sqlite3.connect(":memory:")
    schema.MIGRATIONS[0](frozen)
    generated = sqlite3.connect(":memory:")
    for statement in schema._statements(schema._V1):
        generated.execute(statement)
    db = sqlite_utils.Database(generated, execute_plugins=False)
    db["segments"].enable_fts(["text"], fts_version="FTS5", create_triggers=True)
    db["notes"].enable_fts(["text"], fts_version="FTS5", create_triggers=True)
    assert master(frozen) == master(generated)
    source = Path(schema.__file__).read_text()
    step = source[source.index("def _migrate_to_v1"):source.index("def _statements")]
    assert "sqlite_utils" not in step and "enable_fts" not in step


def test_a_step_that_rebuilds_a_parent_table_does_not_cascade(db_path, study, monkeypatch):
    from tacompanion.store.participants import ensure_participant

    pid = ensure_participant(study, "P1")
    study.conn.execute(
        "INSERT INTO interviews (uuid, participant_id, created_at) VALUES ('i1', ?, 'now')", (pid,))
    study.conn.commit()
    study.close()

    def rebuild_participants(conn):
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'participants'").fetchone()[0]
        conn.execute(sql.replace("CREATE TABLE participants", "CREATE TABLE participants_new", 1))
        conn.execute("INSERT INTO participants_new SELECT * FROM participants")
        conn.execute("DROP TABLE participants")  # ON DELETE CASCADE would empty interviews
        conn.execute("ALTER TABLE participants_new RENAME TO participants")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, rebuild_participants])
    with Study.open(db_path) as s:
        assert s.schema_version == len(schema.MIGRATIONS)
        assert s.scalar("SELECT count(*) FROM interviews") == 1
        assert s.scalar("PRAGMA foreign_keys") == 1


def test_a_step_that_leaves_a_dangling_reference_rolls_back(db_path, study, monkeypatch):
    from tacompanion.store.participants import ensure_participant

    pid = ensure_participant(study, "P1")
    study.conn.execute(
        "INSERT INTO interviews (uuid, participant_id, created_at) VALUES ('i1', ?, 'now')", (pid,))
    study.conn.commit()
    version = study.schema_version
    study.close()

    def lose_participants(conn):
        conn.execute("DELETE FROM participants")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, lose_participants])
    with pytest.raises(StudyError, match="rolled back and the file is unchanged"):
        Study.open(db_path)
    monkeypatch.undo()
    with Study.open(db_path) as s:
        assert s.schema_version == version
        assert s.scalar("SELECT count(*) FROM participants") == 1
        assert s.scalar("SELECT count(*) FROM interviews") == 1


# -- one memo per thing ----------------------------------------------------------------


def _v2_with_duplicate_memos(tmp_path) -> Path:
    copy = tmp_path / "dupes.db"
    shutil.copy(DATA / "study-v2.db", copy)
    conn = sqlite3.connect(copy)
    code_id = conn.execute("SELECT code_id FROM memos WHERE code_id IS NOT NULL").fetchone()[0]
    conn.executemany(
        "INSERT INTO memos (uuid, code_id, text, created_at) VALUES (?, ?, ?, ?)",
        [("d1", code_id, "Second thought on waiting.", "2030-01-01T00:00:00.000Z"),
         ("d0", code_id, "An even earlier note.", "2000-01-01T00:00:00.000Z")],
    )
    conn.executemany(
        "INSERT INTO memos (uuid, text, created_at) VALUES (?, ?, ?)",
        [("s1", "Another study memo.", "2030-01-02T00:00:00.000Z")],
    )
    conn.commit()
    conn.close()
    return copy


def test_the_upgrade_merges_duplicate_memos_and_reports_it(tmp_path):
    copy = _v2_with_duplicate_memos(tmp_path)
    before = _row_counts(copy)["memos"]
    with Study.open(copy, create=False) as s:
        assert s.upgrade_notes and "5 memos on 2 thing(s) were merged" in s.upgrade_notes[0]
        assert "merged" in s.setting("migration_log")[-1]["note"]
        code_id = s.scalar("SELECT code_id FROM memos WHERE code_id IS NOT NULL")
        text = get_memo(s, "code", code_id)
        assert text == schema.MEMO_MERGE_SEPARATOR.join(
            ["An even earlier note.", "Waiting is a skill.", "Second thought on waiting."])
        study_memo = get_memo(s, None)
        assert study_memo.startswith("Aim: how therapists experience")
        assert study_memo.endswith("Another study memo.")
        assert s.scalar("SELECT count(*) FROM memos") == before - 3
    with Study.open(copy, create=False) as s:
        assert s.upgrade_notes == []  # reported once, on the run that upgraded


def test_the_schema_refuses_a_second_memo_on_one_thing(study):
    save_memo(study, None, None, "study memo")
    with pytest.raises(sqlite3.IntegrityError):
        study.conn.execute("INSERT INTO memos (uuid, text, created_at) VALUES ('x', 'two', 'now')")
    study.conn.rollback()
    study.conn.execute("INSERT INTO themes (uuid, name, created_at) VALUES ('t', 'T', 'now')")
    tid = study.scalar("SELECT id FROM themes")
    study.conn.execute("INSERT INTO memos (uuid, theme_id, text, created_at) VALUES ('a', ?, 'a', 'now')", (tid,))
    with pytest.raises(sqlite3.IntegrityError):
        study.conn.execute("INSERT INTO memos (uuid, theme_id, text, created_at) VALUES ('b', ?, 'b', 'now')", (tid,))
    study.conn.rollback()


def test_every_study_connection_commits_with_synchronous_full(study):
    # 2 = FULL: a commit is on disk (WAL fsynced) before the call returns.
    assert study.scalar("PRAGMA synchronous") == 2
    assert study.scalar("PRAGMA journal_mode") == "wal"
