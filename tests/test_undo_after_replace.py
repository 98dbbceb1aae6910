"""Undo that cannot lie: after a transcript is replaced by an edited text
(import --replace), an undo puts a coding back on the same words, or refuses
with a message; it never restores it onto other text."""

from __future__ import annotations

import json

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store import history
from tacompanion.store.codes import apply_code, create_code, remove_coding
from tacompanion.store.study import StudyError
from tacompanion.store.transcripts import import_transcript
from tests.test_transcript_import import P3_TXT, parsed


def _setup(study):
    tid = import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt").transcript_id
    silence = create_code(study, "Silence")
    start = P3_TXT.index("the silence got easier")
    coding = apply_code(study, silence, DocRef(transcript_id=tid), Span(start, start + len("the silence")), "kim")
    return tid, silence, coding


def _coded_words(study):
    return [r["words"] for r in study.query(
        "SELECT substr(t.text, c.start_pos + 1, c.end_pos - c.start_pos) AS words "
        "FROM codings c JOIN transcripts t ON t.id = c.transcript_id")]


def test_undo_after_a_replace_that_moved_the_words_restores_them_in_their_new_place(study):
    tid, silence, coding = _setup(study)
    edited = P3_TXT.replace("How was the group today?", "How was the group this afternoon, do you think?")
    import_transcript(study, parsed(edited), participant="P3", file_name="p3.txt", replace=True)
    remove_coding(study, coding)
    assert _coded_words(study) == []
    history.undo(study)
    assert _coded_words(study) == ["the silence"]


def test_an_undo_logged_before_the_replace_is_remapped_too(study):
    tid, silence, coding = _setup(study)
    remove_coding(study, coding)  # logged with the old offsets
    history.undo(study)
    history.redo(study)  # the coding is removed again; undo would bring it back
    edited = P3_TXT.replace("How was the group today?", "So: how was the group this afternoon?")
    import_transcript(study, parsed(edited), participant="P3", file_name="p3.txt", replace=True)
    history.undo(study)
    assert _coded_words(study) == ["the silence"]


def test_undo_refuses_when_the_words_it_covered_are_gone(study):
    tid, silence, coding = _setup(study)
    remove_coding(study, coding)
    edited = P3_TXT.replace("Then the silence got easier.", "Then the quiet got easier, I think?")
    result = import_transcript(study, parsed(edited), participant="P3", file_name="p3.txt", replace=True)
    assert result.replaced
    before = study.query("SELECT * FROM codings")
    with pytest.raises(StudyError, match="replaced by an edited text.*nothing was changed"):
        history.undo(study)
    assert study.query("SELECT * FROM codings") == before == []
    assert study.scalar("SELECT state FROM operations ORDER BY id DESC LIMIT 1") == "done"


def test_a_replay_onto_other_words_is_refused_even_without_a_remap(study):
    """The guard itself: if the text under a logged coding changes by any road,
    replaying it refuses."""
    tid, silence, coding = _setup(study)
    remove_coding(study, coding)
    text = study.scalar("SELECT text FROM transcripts WHERE id = ?", (tid,))
    study.conn.execute("UPDATE transcripts SET text = ? WHERE id = ?", ("xx" + text, tid))
    study.conn.commit()
    with pytest.raises(StudyError, match="no longer at that place"):
        history.undo(study)
    assert study.scalar("SELECT count(*) FROM codings") == 0


def test_the_log_keeps_the_words_of_each_coding(study):
    tid, silence, coding = _setup(study)
    forward = json.loads(study.scalar("SELECT forward FROM operations ORDER BY id DESC LIMIT 1"))
    assert forward[0]["covers"] == "the silence"


# -- in the coding screen ---------------------------------------------------------------------

from tests.test_coding_screen import TRANSCRIPT, add_transcript  # noqa: E402


def _replace(study, text):
    from tacompanion.formats.transcript_files import parse_transcript_bytes

    parsed_text = parse_transcript_bytes(text.encode(), "txt", "p1.txt").with_interviewer_labels(["Interviewer"])
    return import_transcript(study, parsed_text, participant="P1", file_name="p1.txt", replace=True)


async def test_in_the_coding_screen_undo_after_a_replace_restores_on_the_same_words(study):
    from tacompanion.tui.app import TacompanionApp

    tid = add_transcript(study)
    code = create_code(study, "Silence")
    start = TRANSCRIPT.index("silence")
    apply_code(study, code, DocRef(transcript_id=tid), Span(start, start + 7), "ana")
    _replace(study, TRANSCRIPT.replace("Tell me about", "Tell me, please, about"))
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.view.move_to(1)
        await pilot.press("x")
        await pilot.pause()
        assert _coded_words(study) == []
        await pilot.press("u")
        await pilot.pause()
        assert "Undid" in str(screen.query_one("#status").render())
    assert _coded_words(study) == ["silence"]


async def test_in_the_coding_screen_undo_refuses_when_the_words_are_gone(study):
    from tacompanion.tui.app import TacompanionApp

    tid = add_transcript(study)
    code = create_code(study, "Silence")
    start = TRANSCRIPT.index("silence")
    coding = apply_code(study, code, DocRef(transcript_id=tid), Span(start, start + 7), "ana")
    remove_coding(study, coding)
    _replace(study, TRANSCRIPT.replace("sat in silence", "sat quietly"))
    app = TacompanionApp(study, coder="ana", start=("transcript", tid))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("u")
        await pilot.pause()
        status = str(screen.query_one("#status").render())
        assert "cannot undo" in status and "replaced" in status
        assert app.screen is screen  # the study stays open
    assert _coded_words(study) == []
