"""Seeing other writers: a study connection notices commits made by another
connection (another window or command), and only those."""

from __future__ import annotations

from tacompanion.store.codes import create_code, delete_code
from tacompanion.store.study import Study


def test_a_commit_by_another_connection_is_noticed_once(db_path):
    with Study.open(db_path) as mine, Study.open(db_path) as other:
        assert mine.changed_elsewhere() is False
        create_code(mine, "Silence")  # my own commit is not "elsewhere"
        assert mine.changed_elsewhere() is False
        code = other.scalar("SELECT id FROM codes")
        delete_code(other, code)
        assert mine.changed_elsewhere() is True
        assert mine.changed_elsewhere() is False  # until the next commit elsewhere
        assert other.changed_elsewhere() is True  # it saw my create_code
        assert other.changed_elsewhere() is False
