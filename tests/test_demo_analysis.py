"""The demo shows the analysis: codes, codings on transcripts and notes,
themes with subthemes, a memo of each kind; the same every time; and its
numbers agree on every screen and in the report."""

from __future__ import annotations

from tacompanion.formats.demo import DEMO_ANALYSIS, create_demo_study
from tacompanion.formats.report_md import report_markdown
from tacompanion.store.codes import list_codes
from tacompanion.store.memos import TARGETS
from tacompanion.store.thematic import thematic_map


def test_the_demo_holds_an_analysis_begun(study):
    summary = create_demo_study(study)
    assert "8 codes" in summary and "6 themes and subthemes" in summary
    assert study.scalar("SELECT count(*) FROM codes") == len(DEMO_ANALYSIS["codes"]) >= 5
    assert study.scalar("SELECT count(DISTINCT transcript_id) FROM codings") == 4
    assert study.scalar("SELECT count(*) FROM codings WHERE note_id IS NOT NULL") >= 3
    assert study.scalar("SELECT count(*) FROM themes WHERE parent_id IS NULL") == 2
    assert study.scalar("SELECT count(*) FROM themes WHERE parent_id IS NOT NULL") == 4
    for kind in TARGETS:
        assert study.scalar(f"SELECT count(*) FROM memos WHERE {kind}_id IS NOT NULL") == 1, kind
    # u cannot take the demo apart, but its decisions are in the audit trail
    from tacompanion.store import history
    from tacompanion.store.audit import audit_trail

    assert study.scalar("SELECT count(*) FROM operations WHERE undoable = 1") == 0
    assert history.undo(study) is None
    assert {e.decision for e in audit_trail(study)} >= {"create", "apply", "move to a theme", "memo"}
    assert study.scalar("SELECT count(*) FROM segments WHERE question_source = 'manual'") == 7


def test_the_demo_is_the_same_every_time(tmp_path):
    from tacompanion.store.study import Study

    def content(path):
        with Study.open(path) as s:
            create_demo_study(s)
            return (
                s.query("SELECT name, description, theme_id FROM codes ORDER BY id"),
                s.query("SELECT code_id, transcript_id, note_id, start_pos, end_pos, coder FROM codings ORDER BY id"),
                s.query("SELECT name, parent_id, status, definition FROM themes ORDER BY id"),
                s.query("SELECT text FROM memos ORDER BY id"),
            )

    assert content(tmp_path / "a.db") == content(tmp_path / "b.db")


def test_the_demo_counts_agree_between_the_code_panel_and_the_map(study):
    create_demo_study(study)
    rows = {r.id: r for r in thematic_map(study).rows if r.kind == "code"}
    for code in list_codes(study):
        assert (code.codings, code.participants) == (rows[code.id].counts.codings, rows[code.id].counts.participants)


def test_the_report_quotes_a_note_without_its_tags(study):
    from tacompanion.core.document import DocRef
    from tacompanion.core.spans import Span
    from tacompanion.formats.report_md import quotes_markdown
    from tacompanion.store.codes import apply_code, create_code
    from tacompanion.store.themes import create_theme, move_code

    create_demo_study(study)
    note = study.query("SELECT id, text FROM notes WHERE text LIKE '%#countertransference%'")[0]
    code = create_code(study, "protectiveness")
    apply_code(study, code, DocRef(note_id=note["id"]), Span(0, len(note["text"])), "ana")
    theme = create_theme(study, "Tags stay out")
    move_code(study, code, theme)
    quotes = quotes_markdown(study, theme)
    assert "ask other participants about this.\" (T1, interview notes)" in quotes  # the note is quoted…
    assert "#countertransference" not in quotes  # …without the interviewer's tag
    assert "#countertransference" not in report_markdown(study)


def test_the_demo_material_alone_for_a_plain_base(study):
    summary = create_demo_study(study, analysis=False)
    assert "codes" not in summary
    assert study.scalar("SELECT count(*) FROM codes") == study.scalar("SELECT count(*) FROM themes") == 0
    assert study.scalar("SELECT count(*) FROM transcripts") == 4
