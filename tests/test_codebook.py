"""The codebook: criteria and an example on codes and themes (undoable, the
example following its coding), the export's new columns, `codebook import`
for deductive coding, the report's appendix, and the schema upgrade."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from tacompanion.store import history, schema
from tacompanion.store.codebook import criteria, example, set_criteria, set_example
from tacompanion.store.study import Study, StudyError

V2 = Path(__file__).parent / "data" / "study-v2.db"


@pytest.fixture
def v2(tmp_path) -> Path:
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    return path


def test_upgrade_from_v2_keeps_rows_and_adds_the_criteria_and_the_framework(v2):
    with Study.open(v2) as study:
        assert study.schema_version == schema.latest_version()
        assert study.scalar("SELECT count(*) FROM codes") == 5
        assert study.scalar("SELECT count(*) FROM codings") > 30
        row = study.query("SELECT include_criteria, exclude_criteria, example_coding FROM codes LIMIT 1")[0]
        assert row == {"include_criteria": "", "exclude_criteria": "", "example_coding": None}
        assert "include_criteria" in {r[1] for r in study.conn.execute("PRAGMA table_info(themes)")}
        assert study.scalar("SELECT count(*) FROM framework_summaries") == 0


def test_criteria_are_one_undoable_step_and_the_example_follows_its_coding(v2):
    with Study.open(v2) as study:
        code = study.scalar("SELECT id FROM codes WHERE name = 'not knowing'")
        set_criteria(study, "code", code, definition="Therapist not knowing the answer",
                     include="Says they do not know", exclude="Patient not knowing")
        c = criteria(study, "code", code)
        assert (c.definition, c.include, c.exclude) == (
            "Therapist not knowing the answer", "Says they do not know", "Patient not knowing")
        history.undo(study)
        assert criteria(study, "code", code).include == ""
        history.redo(study)
        coding = study.query("SELECT id, transcript_id, start_pos, end_pos FROM codings WHERE code_id = ? "
                             "AND transcript_id IS NOT NULL ORDER BY id LIMIT 1", (code,))[0]
        other = study.scalar("SELECT id FROM codings WHERE code_id != ? LIMIT 1", (code,))
        with pytest.raises(StudyError, match="not coded with"):
            set_example(study, "code", code, other)
        set_example(study, "code", code, coding["id"])
        text = study.scalar("SELECT text FROM transcripts WHERE id = ?", (coding["transcript_id"],))
        assert example(study, "code", code).text == text[coding["start_pos"]:coding["end_pos"]]
        # the coding's span changes: the example follows it
        with study.write() as db:
            db["codings"].update(coding["id"], {"end_pos": coding["end_pos"] - 3})
        assert example(study, "code", code).text == text[coding["start_pos"]:coding["end_pos"] - 3]
        # the coding is removed: no example; its removal undone: the example is back
        from tacompanion.store.codes import remove_coding

        remove_coding(study, coding["id"])
        assert example(study, "code", code) is None
        history.undo(study)
        assert example(study, "code", code) is not None
        # a theme's example is a coding of one of its codes
        theme = study.scalar("SELECT id FROM themes WHERE name = 'Being with silence'")
        own = study.scalar("SELECT k.id FROM codings k JOIN codes c ON c.id = k.code_id "
                           "JOIN themes t ON t.id = c.theme_id WHERE t.parent_id = ? LIMIT 1", (theme,))
        set_example(study, "theme", theme, own)  # a subtheme's code counts
        assert example(study, "theme", theme).participant.startswith("T")


def test_export_codebook_has_the_criteria_and_the_example(cli, v2):
    with Study.open(v2) as study:
        code = study.scalar("SELECT id FROM codes WHERE name = 'not knowing'")
        set_criteria(study, "code", code, include="Says they do not know", exclude="Patient's not knowing")
        set_example(study, "code", code, study.scalar(
            "SELECT k.id FROM codings k JOIN transcripts t ON t.id = k.transcript_id "
            "JOIN participants p ON p.id = t.participant_id WHERE k.code_id = ? AND p.pseudonym = 'T2' "
            "LIMIT 1", (code,)))
    done = cli("export", "codebook", "--db", str(v2))
    assert done.returncode == 0, done.stderr
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(done.stdout, newline=""))}
    assert list(rows["not knowing"])[-3:] == ["include", "exclude", "example"]
    assert rows["not knowing"]["include"] == "Says they do not know"
    assert rows["not knowing"]["example"].startswith('"') and rows["not knowing"]["example"].endswith("(T2)")
    assert rows["fear of rejection"]["example"] == ""
    md = cli("export", "report", "--codebook", "--db", str(v2))
    assert "## Appendix. Codebook" in md.stdout
    assert "**Include.** Says they do not know" in md.stdout
    assert "> \"" in md.stdout.split("## Appendix. Codebook")[1]


CODEBOOK = """code,theme,description,include,exclude,example
Waiting for the patient,Being with silence / Waiting,Letting a pause stand,Says they waited,,"""\
""""I just waited"
Reassurance,Responding / Reassurance,Reassuring the patient,,Reassuring colleagues,
not knowing,,Therapist not knowing,Says they do not know,,
,Orphan theme,no code here,,,
NOT KNOWING,,duplicate,,,
"""


def test_codebook_import_creates_the_tree_updates_and_reports_bad_rows(cli, v2, tmp_path):
    path = tmp_path / "codebook.csv"
    path.write_text(CODEBOOK, encoding="utf-8")
    done = cli("codebook", "import", str(path), "--db", str(v2))
    assert done.returncode == 0, done.stderr
    assert f"{path}: line 5: no code name (left out)" in done.stderr
    assert f"{path}: line 6: 'NOT KNOWING' again (line 4 is used) (left out)" in done.stderr
    assert "codes 2 created, 1 updated; 2 themes created" in done.stderr
    with Study.open(v2) as study:
        assert study.scalar("SELECT count(*) FROM codes WHERE name = 'not knowing' COLLATE NOCASE") == 1
        row = study.query("SELECT c.description, c.include_criteria, t.name AS theme, p.name AS parent "
                          "FROM codes c JOIN themes t ON t.id = c.theme_id JOIN themes p ON p.id = t.parent_id "
                          "WHERE c.name = 'Waiting for the patient'")[0]
        assert row == {"description": "Letting a pause stand", "include_criteria": "Says they waited",
                       "theme": "Waiting", "parent": "Being with silence"}  # the existing subtheme
        assert study.scalar("SELECT count(*) FROM themes WHERE name = 'Waiting'") == 1
        assert study.scalar("SELECT t.name FROM codes c JOIN themes t ON t.id = c.theme_id "
                            "WHERE c.name = 'Reassurance'") == "Reassurance"
        assert study.scalar("SELECT include_criteria FROM codes WHERE name = 'not knowing'") == \
            "Says they do not know"
        memo = study.scalar("SELECT m.text FROM memos m JOIN codes c ON c.id = m.code_id "
                            "WHERE c.name = 'Waiting for the patient'")
        assert memo == 'Example (from the codebook): I just waited'
        # one undoable step: undo takes the whole import back
        op = history.undo(study)
        assert op.kind == "import-codebook"
        assert study.scalar("SELECT count(*) FROM codes WHERE name = 'Reassurance'") == 0
        assert study.scalar("SELECT include_criteria FROM codes WHERE name = 'not knowing'") == ""
    # importing twice never duplicates
    cli("codebook", "import", str(path), "--db", str(v2))
    again = cli("codebook", "import", str(path), "--db", str(v2))
    assert "codes 0 created, 0 updated, 3 unchanged" in again.stderr
    with Study.open(v2) as study:
        assert study.scalar("SELECT count(*) FROM codes") == 7


def test_codebook_import_refuses_an_unusable_file_in_one_message(cli, v2, tmp_path):
    before = V2.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("label,definition\nx,y\n", encoding="utf-8")
    done = cli("codebook", "import", str(bad), "--db", str(v2))
    assert done.returncode == 1
    assert done.stderr.strip() == f"tacompanion: error: {bad}: line 1: no 'code' column (found: label, definition)"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code\nsj\xe6lden\n".encode("latin-1"))
    done = cli("codebook", "import", str(latin), "--db", str(v2))
    assert done.returncode == 1 and "not UTF-8" in done.stderr and "Traceback" not in done.stderr
    with Study.open(v2) as study:
        assert study.scalar("SELECT count(*) FROM codes") == 5
    assert V2.read_bytes() == before  # the fixture itself is never touched


def test_a_15_code_codebook_starts_deductive_coding(cli, v2, tmp_path):
    lines = ["theme,code,description,include,exclude"]
    for i in range(1, 16):
        lines.append(f"Deductive / Group {(i - 1) // 5 + 1},Code {i:02d},Meaning {i},When {i},Not when {i}")
    path = tmp_path / "cb.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = cli("codebook", "import", str(path), "--db", str(v2))
    assert done.returncode == 0 and "codes 15 created, 0 updated; 4 themes created" in done.stderr
    exported = cli("export", "codebook", "--db", str(v2))
    rows = [r for r in csv.DictReader(io.StringIO(exported.stdout, newline="")) if r["code"].startswith("Code ")]
    assert len(rows) == 15 and rows[0]["theme"] == "Deductive / Group 1" and rows[14]["exclude"] == "Not when 15"


# -- in the app ------------------------------------------------------------------------------


async def _wait(pilot, condition, tries: int = 200):
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


async def test_review_shows_the_entry_beside_the_extract_and_edits_it(v2):
    from textual.widgets import TextArea

    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.dialogs.codebook_entry import CodebookEntryScreen
    from tacompanion.tui.thematic.review import ReviewScreen

    with Study.open(v2) as study:
        code = study.scalar("SELECT id FROM codes WHERE name = 'fear of rejection'")
        app = TacompanionApp(study, coder="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.open_review("code", code)
            await _wait(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.extracts)
            review = app.screen
            detail = str(review.query_one("#review-detail").render())
            assert "Codebook · fear of rejection" in detail and "Include: not written yet" in detail
            first = review.current()
            await pilot.press("X")  # this extract becomes the example
            await _wait(pilot, lambda: example(study, "code", code) is not None)
            assert example(study, "code", code).text == first.text
            assert "(this extract)" in str(review.query_one("#review-detail").render())
            await pilot.press("E")
            await _wait(pilot, lambda: isinstance(app.screen, CodebookEntryScreen))
            dialog = app.screen
            assert "None chosen yet" not in str(dialog.query_one("#codebook-example").render())
            dialog.query_one("#codebook-include", TextArea).text = "Expects to be turned away"
            await pilot.press("escape")
            await _wait(pilot, lambda: app.screen is review)
            assert criteria(study, "code", code).include == "Expects to be turned away"
            assert "Include: Expects to be turned away" in str(review.query_one("#review-detail").render())
            await pilot.press("u")
            await _wait(pilot, lambda: criteria(study, "code", code).include == "")


async def test_map_and_code_panel_open_the_entry(v2):
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.dialogs.codebook_entry import CodebookEntryScreen
    from tacompanion.tui.thematic.thematic_map import ThemeMapScreen

    with Study.open(v2) as study:
        app = TacompanionApp(study, coder="ana", start=("map", 0))
        async with app.run_test(size=(80, 24)) as pilot:
            await _wait(pilot, lambda: isinstance(app.screen, ThemeMapScreen))
            await pilot.press("E")  # the first row: the theme 'Being with silence'
            await _wait(pilot, lambda: isinstance(app.screen, CodebookEntryScreen))
            assert app.screen.kind == "theme" and app.screen.entry.name == "Being with silence"
            await pilot.press("escape")
            await _wait(pilot, lambda: isinstance(app.screen, ThemeMapScreen))
            assert study.scalar("SELECT count(*) FROM operations WHERE kind LIKE 'codebook-%'") == 0
        transcript = study.scalar("SELECT id FROM transcripts ORDER BY id LIMIT 1")
        app = TacompanionApp(study, coder="ana", start=("transcript", transcript))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("tab")
            await pilot.pause()
            await pilot.press("E")
            await _wait(pilot, lambda: isinstance(app.screen, CodebookEntryScreen))
            assert app.screen.kind == "code"


def test_qdpx_export_says_the_criteria_stay_behind(v2, cli, tmp_path):
    with Study.open(v2) as study:
        set_criteria(study, "code", study.scalar("SELECT id FROM codes LIMIT 1"), include="When said")
    done = cli("export", "qdpx", "-o", str(tmp_path / "s.qdpx"), "--db", str(v2))
    assert done.returncode == 0
    assert "not exported: the codebook's inclusion / exclusion criteria and examples of 1 code(s)" in done.stderr
