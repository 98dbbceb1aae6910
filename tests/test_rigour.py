"""Rigour you can show: the audit trail, the saturation curve and its stopping
rule, and offline hints; in the store, on the command line and on screen."""

from __future__ import annotations

import csv
import io
import json
import shutil
import stat
from pathlib import Path

import pytest

from tacompanion.core.saturation import DocumentCodes, StoppingRule, chart_lines, saturation
from tacompanion.core.spans import Span
from tacompanion.store import audit, hints, history
from tacompanion.store.codes import apply_code, create_code, merge_codes, rename_code
from tacompanion.store.documents import load_document
from tacompanion.store.memos import save_memo
from tacompanion.store.participants import ensure_participant
from tacompanion.store.saturation import ordered_documents, study_saturation
from tacompanion.store.study import Study
from tests.test_coding_screen import add_transcript

DATA = Path(__file__).parent / "data"


def participant_turns(study, tid):
    doc = load_document(study, "transcript", tid)
    return [(b.ref, Span(b.start, b.end)) for b in doc.blocks if not b.is_interviewer]


# -- the audit trail -------------------------------------------------------------------


def test_the_audit_trail_lists_a_scripted_run_in_order_with_the_undone_one_marked(study):
    tid = add_transcript(study)
    turns = participant_turns(study, tid)
    silence = create_code(study, "Silence")
    apply_code(study, silence, *turns[0], "kim")
    rename_code(study, silence, "Holding silence")
    waiting = create_code(study, "Waiting")
    merge_codes(study, waiting, silence)
    undone = history.undo(study)
    assert undone is not None and undone.kind == "merge-codes"
    create_code(study, "Naming")  # a new change after the undo: redo is gone, the trail keeps it

    trail = audit.audit_trail(study)
    assert [(e.decision, e.label, e.state) for e in trail] == [
        ("create", "Create code 'Silence'", "done"),
        ("apply", "Apply 'Silence'", "done"),
        ("rename", "Rename 'Silence' to 'Holding silence'", "done"),
        ("create", "Create code 'Waiting'", "done"),
        ("merge", "Merge 'Waiting' into 'Holding silence'", "undone"),
        ("create", "Create code 'Naming'", "done"),
    ]
    assert trail[2].names == ("Silence", "Holding silence")  # the names of that moment
    assert [e.when for e in trail] == sorted(e.when for e in trail)
    assert history.redo(study) is None  # kept for the trail, never replayed
    assert history.undo(study).label == "Create code 'Naming'"
    assert history.undo(study).label == "Create code 'Waiting'"  # the merge is skipped, it stays undone


def test_the_trail_filters_by_code_theme_coder_and_date_and_knows_where_things_are(study):
    tid = add_transcript(study)
    turns = participant_turns(study, tid)
    a, b = create_code(study, "A"), create_code(study, "B")
    apply_code(study, a, *turns[0], "kim")
    apply_code(study, b, *turns[1], "lee")
    by_code = audit.audit_trail(study, code=a)
    assert [e.label for e in by_code] == ["Create code 'A'", "Apply 'A'"]
    assert [e.label for e in audit.audit_trail(study, coder="lee")] == ["Apply 'B'"]
    today = by_code[0].when[:10]
    assert len(audit.audit_trail(study, since=today, until=today)) == 4
    assert audit.audit_trail(study, until="2000-01-01") == []
    place = audit.still_there(study, by_code[1])
    assert place == ("transcript", tid, 1)  # the coded turn (position of the participant's first turn)
    history.undo(study)
    history.undo(study)
    history.undo(study)
    assert audit.still_there(study, by_code[1]) == ("transcript", tid, 1)  # the transcript is still there
    history.undo(study)
    assert audit.still_there(study, audit.audit_trail(study)[0]) is None  # code A is gone


def test_a_memo_written_in_several_saves_is_one_decision_and_undo_leaves_it_alone(study):
    code = create_code(study, "Silence")
    save_memo(study, "code", code, "first thought")
    save_memo(study, "code", code, "first thought, and a second")
    trail = audit.audit_trail(study)
    assert [(e.decision, e.label) for e in trail] == [("create", "Create code 'Silence'"),
                                                      ("memo", "Memo on code 'Silence'")]
    assert code in trail[1].code_ids
    assert history.undo(study).label == "Create code 'Silence'"  # not the memo
    # a memo on a turn goes to that turn
    tid = add_transcript(study)
    turn = study.query("SELECT id, position FROM segments WHERE transcript_id = ? ORDER BY position DESC LIMIT 1",
                       (tid,))[0]
    save_memo(study, "segment", turn["id"], "a turn to come back to")
    assert audit.still_there(study, audit.audit_trail(study)[-1]) == ("transcript", tid, turn["position"])


# -- saturation --------------------------------------------------------------------


def docs(*code_sets):
    return [DocumentCodes(f"P{i}", f"p{i}.txt", None, frozenset(codes)) for i, codes in enumerate(code_sets, 1)]


def test_saturation_counts_new_codes_and_applies_the_stopping_rule():
    data = docs("ab", "bc", "cd", "de", "ef", "e", "ae", "b")
    result = saturation(data, StoppingRule(base=4, run=2, threshold=0.05))
    assert [len(p.new_codes) for p in result.points] == [2, 1, 1, 1, 1, 0, 0, 0]
    assert [p.total_codes for p in result.points] == [2, 3, 4, 5, 6, 6, 6, 6]
    assert result.points[4].new_codes == ("f",)
    assert result.base_codes == 5
    # runs: docs 5-6 bring 1 new (20%), 6-7 bring 0 -> reached at doc 7 (index 6)
    assert [(r.first, r.last, r.new) for r in result.runs] == [(4, 5, 1), (5, 6, 0), (6, 7, 0)]
    assert result.reached and result.reached_at == 6
    assert "document 7" in result.verdict()
    loose = saturation(data, StoppingRule(base=4, run=2, threshold=0.2))
    assert loose.reached_at == 5  # 1/5 = 20% is within a 20% threshold
    assert result.last_share() == 0.0


def test_saturation_is_not_reached_with_too_few_documents_or_only_new_codes():
    assert not saturation(docs("a", "b", "c"), StoppingRule(4, 2, 0.05)).reached
    assert "at least 6" in saturation(docs("a", "b", "c"), StoppingRule(4, 2, 0.05)).verdict()
    growing = saturation(docs("a", "b", "c", "d", "e", "f", "g"), StoppingRule(4, 2, 0.05))
    assert not growing.reached and "Not reached" in growing.verdict()


def test_the_chart_fits_80_columns_and_shows_every_document():
    result = saturation(docs(*["abc", "d", "e", "", "f", ""] * 3), StoppingRule())
    lines = chart_lines(result, 78, 8)
    assert len(lines) == 8 and all(len(line) <= 78 for line in lines)
    assert lines[-1].split()[-1].endswith("18")
    assert "▓" in "".join(lines) and "█" in "".join(lines)


def test_the_study_takes_documents_in_interview_order_and_leaves_pilots_out(study):
    # Imported in the opposite order of the interviews: P3 first, P1 last.
    for who in ("P3", "P2", "P1", "P0"):
        add_transcript(study, who=who, name=f"{who.lower()}.txt")
    ensure_participant(study, "P0", pilot=True)
    with study.write() as db:
        for who, day in (("P1", "2026-01-05"), ("P2", "2026-01-12"), ("P3", "2026-02-01"), ("P0", "2025-12-01")):
            pid = study.scalar("SELECT id FROM participants WHERE pseudonym = ?", (who,))
            db.execute("INSERT INTO interviews (uuid, participant_id, created_at, started_at) "
                       "VALUES (?, ?, ?, ?)", (f"u-{who}", pid, day + "T09:00:00.000Z", day + "T09:00:00.000Z"))
            iid = db.execute("SELECT last_insert_rowid()").fetchone()[0]
            db.execute("UPDATE transcripts SET interview_id = ? WHERE participant_id = ?", (iid, pid))
    codes = {n: create_code(study, n) for n in "ABCD"}
    tids = dict(study.conn.execute(
        "SELECT p.pseudonym, t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id"))
    for who, names in (("P1", "AB"), ("P2", "BC"), ("P3", "C"), ("P0", "D")):
        first = participant_turns(study, tids[who])[0]
        for n in names:
            apply_code(study, codes[n], *first, "kim")
    ordered = ordered_documents(study)
    assert [(d.participant, d.date) for d in ordered] == [
        ("P1", "2026-01-05"), ("P2", "2026-01-12"), ("P3", "2026-02-01")]
    result = study_saturation(study)
    assert [list(p.new_codes) for p in result.points] == [["A", "B"], ["C"], []]
    assert [p.total_codes for p in result.points] == [2, 3, 3]  # D, the pilot's, never counts


# -- hints -------------------------------------------------------------------------

HINT_TEXT = """Interviewer: How was the group?
P1: The silence in the room was heavy, a heavy silence that nobody broke.
Interviewer: And then?
P1: We talked about the weather and the parking at the clinic.
Interviewer: Anything else?
P1: Later the heavy silence came back, the room went quiet and heavy again.
Interviewer: Supervision?
P1: My supervisor asked about my holidays and the new timetable.
"""


def test_hints_rank_a_turn_sharing_the_codes_distinctive_words_above_unrelated_turns(study):
    tid = add_transcript(study, text=HINT_TEXT)
    turns = participant_turns(study, tid)
    code = create_code(study, "Heavy silence")
    apply_code(study, code, *turns[0], "kim")
    found = hints.code_hints(study, code)
    assert "silence" in found.terms and "heavy" in found.terms
    texts = [h.text for h in found.hints]
    assert texts[0].startswith("Later the heavy silence")  # the alike turn first
    assert not any(t.startswith("The silence in the room") for t in texts)  # already coded
    assert not any(t.startswith(("How was", "And then")) for t in texts)  # interviewer turns out
    unrelated = [t for t in texts if "weather" in t or "holidays" in t]
    assert all(texts.index(t) > 0 for t in unrelated)

    best = found.hints[0]
    hints.dismiss_hint(study, code, best)
    assert all(h.item_id != best.item_id for h in hints.code_hints(study, code).hints)
    second = hints.code_hints(study, code).hints
    if second:
        hints.apply_hint(study, code, second[0], "kim")
        assert all(h.item_id != second[0].item_id for h in hints.code_hints(study, code).hints)

    like = hints.similar_items(study, "turn", study.scalar(
        "SELECT id FROM segments WHERE text LIKE 'The silence%'"))
    assert like.hints[0].text.startswith("Later the heavy silence")
    assert all(not h.text.startswith("The silence") for h in like.hints)


# -- the command line --------------------------------------------------------------


@pytest.fixture
def v2_copy(tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(DATA / "study-v2.db", path)
    return path


def test_a_study_of_the_previous_version_gains_the_trail_and_the_rule(v2_copy):
    import sqlite3

    conn = sqlite3.connect(v2_copy)
    before = conn.execute("SELECT count(*) FROM operations").fetchone()[0]
    conn.close()
    with Study.open(v2_copy) as s:
        assert s.scalar("SELECT count(*) FROM operations") == before
        assert s.scalar("SELECT count(*) FROM operations WHERE undoable = 1") == before
        assert s.setting("saturation_rule") == {"base": 4, "run": 2, "threshold": 0.05}
        assert s.scalar("SELECT count(*) FROM hint_dismissals") == 0
        assert len(audit.audit_trail(s)) == before


def test_export_audit_as_csv_markdown_and_word(cli, v2_copy, tmp_path):
    done = cli("--db", str(v2_copy), "export", "audit")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and list(rows[0]) == ["when", "coder", "decision", "what", "names", "state", "kind"]
    assert {r["coder"] for r in rows} == {"kim", "lee"}
    md = tmp_path / "audit.md"
    assert cli("--db", str(v2_copy), "export", "audit", "-o", str(md)).returncode == 0
    assert md.read_text().startswith("# Audit trail") and "| apply |" in md.read_text()
    word = tmp_path / "audit.docx"
    done = cli("--db", str(v2_copy), "export", "audit", "-o", str(word))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(word.stat().st_mode) == 0o600
    from docx import Document

    doc = Document(str(word))
    assert [p.text for p in doc.paragraphs if p.style.name.startswith("Title")] == ["Audit trail"]
    decisions = doc.tables[-1]
    assert [c.text for c in decisions.rows[0].cells] == ["when", "coder", "decision", "what", "state"]
    assert len(decisions.rows) == len(rows) + 1
    assert [c.text for c in decisions.rows[-1].cells] == [rows[-1][k] for k in ("when", "coder", "decision", "what", "state")]
    refused = cli("--db", str(v2_copy), "export", "audit", "--format", "docx")
    assert refused.returncode == 1 and "needs a file" in refused.stderr


def test_export_audit_is_redacted(cli, v2_copy):
    assert cli("--db", str(v2_copy), "redact", "add", "kim", "[coder]").returncode == 0
    out = cli("--db", str(v2_copy), "export", "audit").stdout
    assert "kim" not in out and "[coder]" in out
    assert "kim" in cli("--db", str(v2_copy), "export", "audit", "--no-redact").stdout


def test_stats_json_report_and_settings_carry_saturation(cli, v2_copy):
    stats = json.loads(cli("--db", str(v2_copy), "stats", "--json").stdout)
    sat = stats["saturation"]
    assert set(sat) >= {"documents", "rule", "reached"}
    assert sat["rule"] == {"base": 4, "run": 2, "threshold": 0.05}
    assert set(sat["documents"][0]) >= {"participant", "document", "date", "new_codes", "total_codes"}
    assert isinstance(sat["reached"], bool)
    changed = cli("--db", str(v2_copy), "settings", "saturation_rule", "3", "1", "10%")
    assert changed.returncode == 0, changed.stderr
    assert json.loads(cli("--db", str(v2_copy), "saturation", "--json").stdout)["rule"] == {
        "base": 3, "run": 1, "threshold": 0.1}
    bad = cli("--db", str(v2_copy), "settings", "saturation_rule", "0", "1", "0.1")
    assert bad.returncode == 1 and "base size" in bad.stderr
    report = cli("--db", str(v2_copy), "export", "report", "--saturation", "--audit").stdout
    assert "## Saturation" in report and "## Audit trail" in report
    assert "| apply |" in report
    plain = cli("--db", str(v2_copy), "export", "report").stdout
    assert "## Saturation" not in plain and "## Audit trail" not in plain


def test_hints_on_the_command_line(cli, v2_copy):
    done = cli("--db", str(v2_copy), "hints", "not knowing", "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["code"] == "not knowing" and len(data["hints"]) <= 3 and data["terms"]
    missing = cli("--db", str(v2_copy), "hints", "no such code")
    assert missing.returncode == 1 and "no code" in missing.stderr


# -- on screen -----------------------------------------------------------------------


async def test_home_h_opens_the_trail_filters_it_and_enter_goes_to_the_code(v2_copy):
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.dialogs.picker import FuzzyPicker
    from tacompanion.tui.thematic.review import ReviewScreen
    from tacompanion.tui.writing.audit import AuditScreen

    with Study.open(v2_copy) as s:
        app = TacompanionApp(s, coder="kim")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("h")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AuditScreen)
            total = len(screen.entries)
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, FuzzyPicker)
            await pilot.press(*"wait", "enter")
            await pilot.pause()
            assert app.screen is screen and 0 < len(screen.entries) < total
            assert all(e.label.endswith("'learning to wait'") or "learning to wait" in e.label for e in screen.entries)
            screen.listing.cursor = 0  # "Create code 'learning to wait'"
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            await pilot.press("q")
            await pilot.pause()
            await pilot.press("x")
            await pilot.pause()
            assert len(screen.entries) == total


async def test_the_saturation_screen_draws_the_chart_at_80x24_and_changes_the_rule(v2_copy):
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.dialogs.prompts import PromptScreen
    from tacompanion.tui.writing.saturation import SaturationScreen

    with Study.open(v2_copy) as s:
        app = TacompanionApp(s, coder="kim", start=("map", 0))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("Z")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SaturationScreen)
            chart = str(screen.query_one("#saturation-chart").render())
            assert "│" in chart and "▓" in chart and "new in that document" in chart
            assert all(len(line) <= 80 for line in chart.splitlines())
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)
            await pilot.press("ctrl+u", "2", "enter")
            await pilot.pause()
            assert app.screen is screen
            assert s.setting("saturation_rule")["base"] == 2
            assert screen.result.rule.base == 2


async def test_walking_hints_applies_with_a_and_remembers_a_dismissal(study):
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.coding.hints import HintsScreen
    from tacompanion.tui.thematic.thematic_map import ThemeMapScreen

    tid = add_transcript(study, text=HINT_TEXT)
    turns = participant_turns(study, tid)
    code = create_code(study, "Heavy silence")
    apply_code(study, code, *turns[0], "kim")
    app = TacompanionApp(study, coder="ana", start=("map", 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        map_screen = app.screen
        assert isinstance(map_screen, ThemeMapScreen)
        map_screen.tree.cursor = next(i for i, r in enumerate(map_screen.map.rows) if r.kind == "code")
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HintsScreen)
        first = screen.current()
        assert first.text.startswith("Later the heavy silence")
        before = study.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (code,))
        await pilot.press("a")
        await pilot.pause()
        assert study.scalar("SELECT count(*) FROM codings WHERE code_id = ? AND coder = 'ana'", (code,)) == 1
        assert study.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (code,)) == before + 1
        assert all(h.item_id != first.item_id for h in screen.hints)
        if screen.hints:
            gone = screen.current()
            await pilot.press("x")
            await pilot.pause()
            assert study.scalar("SELECT count(*) FROM hint_dismissals") == 1
            await pilot.press("q")
            await pilot.pause()
            await pilot.press("h")
            await pilot.pause()
            assert all(h.item_id != gone.item_id for h in app.screen.hints)
