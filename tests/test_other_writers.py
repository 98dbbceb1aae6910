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


async def test_the_coding_screen_refreshes_instead_of_using_a_code_deleted_elsewhere(db_path):
    """Another window deletes the code behind recent digit 1: the digit must
    not say "no code with id": the screen refreshes and says why."""
    from tacompanion.core.document import DocRef
    from tacompanion.core.spans import Span
    from tacompanion.store.codes import apply_code
    from tacompanion.tui.app import TacompanionApp
    from tests.test_coding_screen import add_transcript

    with Study.open(db_path) as setup:
        tid = add_transcript(setup)
        waiting = create_code(setup, "Waiting")
        apply_code(setup, waiting, DocRef(transcript_id=tid), Span(10, 15), "kim")
        silence = create_code(setup, "Silence")
        apply_code(setup, silence, DocRef(transcript_id=tid), Span(0, 5), "kim")
    mine, other = Study.open(db_path), Study.open(db_path)
    try:
        app = TacompanionApp(mine, coder="kim", start=("transcript", tid))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("n")  # on to the next turn
            await pilot.pause()
            recent_before = [name for _, name in screen.recent]
            assert recent_before == ["Silence", "Waiting"]
            delete_code(other, other.scalar("SELECT id FROM codes WHERE name = 'Silence'"))
            notes = []
            app.notify = lambda message, **kw: notes.append(message)  # what the user is told
            await pilot.press("1")
            await pilot.pause()
            status = str(screen.query_one("#status").render())
            assert "no code with id" not in status.lower()
            assert notes and "changed in another window" in notes[0]
            assert "Silence" not in [name for _, name in screen.recent]
            assert mine.scalar("SELECT count(*) FROM codings") == 1  # nothing applied on stale ids
            await pilot.press("1")  # now on what the screen shows: Waiting
            await pilot.pause()
            assert [r[0] for r in mine.conn.execute(
                "SELECT c.name FROM codings k JOIN codes c ON c.id = k.code_id ORDER BY k.id")] == ["Waiting", "Waiting"]
    finally:
        mine.close()
        other.close()
