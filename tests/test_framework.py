"""The framework matrix: summaries per participant and theme or guide
question (pilots apart), written as typed in one undoable step per sitting,
set and listed from the CLI, exported as CSV, Markdown and Word."""

from __future__ import annotations

import csv
import io
import json
import shutil
import stat
from pathlib import Path

import docx
import pytest

from tacompanion.store import history
from tacompanion.store.framework import (
    cell_backing,
    find_column,
    find_participant,
    framework,
    save_summary,
    set_summary,
    summary,
)
from tacompanion.store.study import Study, StudyError

V2 = Path(__file__).parent / "data" / "study-v2.db"


@pytest.fixture
def v2(tmp_path) -> Path:
    path = tmp_path / "study.db"
    shutil.copy(V2, path)
    return path


def test_rows_columns_backing_and_pilots_apart(v2):
    with Study.open(v2) as study:
        with study.write() as db:
            db.execute("UPDATE participants SET pilot = 1 WHERE pseudonym = 'T4'")
            db.execute("UPDATE participants SET attributes = '{\"role\": \"nurse\"}' WHERE pseudonym IN ('T2', 'T3')")
        fw = framework(study, "themes")
        assert [c.title for c in fw.columns] == ["Being with silence", "Working alliance"]
        assert [r.pseudonym for r in fw.counted] == ["T1", "T2", "T3"]
        assert [r.pseudonym for r in fw.pilots] == ["T4"] and fw.rows[-1].pilot
        silence = fw.columns[0]
        t1 = find_participant(study, "T1")
        n = fw.cell(t1, silence.key).backing
        assert n > 0 and len(cell_backing(study, t1, silence)) == n
        t4 = find_participant(study, "T4")
        assert cell_backing(study, t4, silence)  # a pilot's row shows its own extracts
        assert study.scalar("SELECT pilot FROM participants WHERE id = ?", (t4,)) == 1
        sub = framework(study, "subthemes")
        assert [c.title for c in sub.columns] == ["Being with silence / Waiting", "Working alliance"]
        grouped = framework(study, "themes", group_by="role")
        assert [(r.pseudonym, r.group) for r in grouped.counted] == [("T2", "nurse"), ("T3", "nurse"), ("T1", "")]
        questions = framework(study, "questions")
        assert questions.columns[0].title.startswith("Q1. ")
        q3 = next(c for c in questions.columns if c.title.startswith("Q3."))
        t3 = find_participant(study, "T3")
        assert questions.cell(t3, q3.key).backing == 4  # two notes, two transcript turns
        assert {b.label.split()[0] for b in cell_backing(study, t3, q3)} == {"note", "t3-interview.vtt"}


def test_typing_saves_as_it_goes_and_one_sitting_is_one_undo_step(v2):
    with Study.open(v2) as study:
        pid = find_participant(study, "T1")
        column = find_column(study, "Being with silence")
        for text in ("H", "Ho", "Holds silence"):
            save_summary(study, pid, column, text, session="s1")
            assert summary(study, pid, column) == text  # committed as typed
        assert study.scalar("SELECT count(*) FROM operations WHERE kind = 'framework-summary'") == 1
        save_summary(study, pid, column, "Holds silence; waits.", session="s2")
        assert study.scalar("SELECT count(*) FROM operations WHERE kind = 'framework-summary'") == 2
        history.undo(study)
        assert summary(study, pid, column) == "Holds silence"
        history.undo(study)
        assert summary(study, pid, column) == ""
        history.redo(study)
        assert summary(study, pid, column) == "Holds silence"


def test_summaries_follow_merged_themes_and_survive_a_dissolved_one(v2):
    from tacompanion.store.themes import dissolve_theme, merge_themes

    with Study.open(v2) as study:
        t1 = find_participant(study, "T1")
        silence, alliance = find_column(study, "Being with silence"), find_column(study, "Working alliance")
        set_summary(study, t1, silence, "Waits.")
        set_summary(study, t1, alliance, "Trusts.")
        merge_themes(study, alliance.theme_id, silence.theme_id)
        assert summary(study, t1, silence) == "Waits.\n\nTrusts."
        history.undo(study)
        assert summary(study, t1, alliance) == "Trusts." and summary(study, t1, silence) == "Waits."
        dissolve_theme(study, alliance.theme_id)
        assert study.scalar("SELECT text FROM memos WHERE participant_id = ?", (t1,)) == \
            "(framework summary of dissolved theme 'Working alliance')\nTrusts."
        history.undo(study)
        assert summary(study, t1, alliance) == "Trusts."


def test_unknown_participant_or_column_is_one_clear_error(v2):
    with Study.open(v2) as study:
        with pytest.raises(StudyError, match="no participant 'P9'"):
            find_participant(study, "P9")
        with pytest.raises(StudyError, match="no column 'Nope'.*Being with silence"):
            find_column(study, "Nope")


def test_cli_set_list_and_export_in_three_formats(cli, v2, tmp_path):
    db = ("--db", str(v2))
    with Study.open(v2) as study:
        with study.write() as d:
            d.execute("UPDATE participants SET pilot = 1 WHERE pseudonym = 'T4'")
    for who, col, text in [("T1", "Being with silence", "Learnt to wait, T1 says."),
                           ("T2", "Working alliance", "Fears | rejection"),
                           ("T4", "Working alliance", "Pilot's view")]:
        done = cli("framework", "set", who, col, text, *db)
        assert done.returncode == 0, done.stderr
    done = cli("framework", "set", "T1", "Nope", "x", *db)
    assert done.returncode == 1 and "no column 'Nope'" in done.stderr and "Traceback" not in done.stderr
    listed = json.loads(cli("framework", "list", "--json", *db).stdout)
    assert [(r["participant"], r["column"], r["pilot"]) for r in listed] == [
        ("T1", "Being with silence", False), ("T2", "Working alliance", False), ("T4", "Working alliance", True)]
    assert cli("redact", "add", "T1", "[P-one]", *db).returncode == 0

    out = cli("export", "framework", *db)
    rows = list(csv.DictReader(io.StringIO(out.stdout, newline="")))
    assert [r["participant"] for r in rows] == ["[P-one]", "T2", "T3"]  # pilot left out, redacted
    assert rows[0]["Being with silence"] == "Learnt to wait, [P-one] says."
    assert rows[1]["Working alliance"] == "Fears | rejection"
    with_pilots = cli("export", "framework", "--pilots", *db).stdout
    assert "T4,yes,,Pilot's view" in with_pilots

    md = tmp_path / "f.md"
    assert cli("export", "framework", "-o", str(md), *db).returncode == 0
    text = md.read_text()
    assert "| Participant | Being with silence | Working alliance |" in text
    assert "| T2 | - | Fears \\| rejection |" in text
    assert "Pilot participants are left out." in text and "T4" not in text

    word = tmp_path / "f.docx"
    done = cli("export", "framework", "-o", str(word), *db)
    assert done.returncode == 0 and "wrote 3 participants" in done.stderr
    assert stat.S_IMODE(word.stat().st_mode) == 0o600
    document = docx.Document(str(word))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Participant", "Being with silence", "Working alliance"]
    assert [c.text for c in table.rows[2].cells] == ["T2", "-", "Fears | rejection"]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["The matrix", "By column", "Being with silence", "Working alliance"]

    questions = cli("export", "framework", "--by", "questions", *db).stdout
    assert questions.splitlines()[0].startswith("participant,Q1. Could you tell me")
    bad = cli("export", "framework", "--group-by", "role", *db)
    assert bad.returncode == 1 and "no participant attribute 'role'" in bad.stderr


def test_summaries_travel_in_qdpx_and_come_back(v2, tmp_path, cli):
    import zipfile

    with Study.open(v2) as study:
        set_summary(study, find_participant(study, "T1"), find_column(study, "Being with silence / Waiting"),
                    "Waits; T1 learnt it late.")
        set_summary(study, find_participant(study, "T3"), find_column(study, _first_question(study)),
                    "Apologies first.")
    out = tmp_path / "s.qdpx"
    done = cli("export", "qdpx", "-o", str(out), "--db", str(v2))
    assert done.returncode == 0 and "2 framework summaries" in done.stderr
    xml = zipfile.ZipFile(out).read("project.qde").decode()
    assert 'name="Framework summary: T1 · Being with silence / Waiting"' in xml
    copy = tmp_path / "copy.db"
    done = cli("import", str(out), "--db", str(copy))
    assert done.returncode == 0 and "2 framework summaries" in done.stdout, done.stdout + done.stderr
    with Study.open(copy) as study:
        listed = {(r["participant"], r["column"]): r["summary"] for r in _all(study)}
    assert listed == {("T1", "Being with silence / Waiting"): "Waits; T1 learnt it late.",
                      ("T3", _first_question_id(v2)): "Apologies first."}
    again = cli("import", str(out), "--merge", "--db", str(copy))
    line = next(x for x in again.stdout.splitlines() if x.strip().startswith("framework summaries"))
    assert line.split()[2:6] == ["0", "added", "2", "matched"], again.stdout


def _first_question(study) -> str:
    from tacompanion.store.framework import columns

    return columns(study, "questions")[0].question_id


def _first_question_id(path) -> str:
    with Study.open(path) as study:
        return _first_question(study)


def _all(study):
    from tacompanion.store.framework import all_summaries

    return all_summaries(study)


def test_the_backing_counts_only_the_coders_in_the_analysis(v2):
    from tacompanion.store.analysis import set_analysis_coders

    with Study.open(v2) as study:
        t1, silence = find_participant(study, "T1"), find_column(study, "Being with silence")
        everyone = framework(study).cell(t1, silence.key).backing
        coders = [r[0] for r in study.conn.execute("SELECT DISTINCT coder FROM codings ORDER BY coder")]
        assert len(coders) == 2
        counts = []
        for coder in coders:
            set_analysis_coders(study, [coder])
            counts.append(framework(study).cell(t1, silence.key).backing)
            assert len(cell_backing(study, t1, silence)) == counts[-1]
        assert sum(counts) >= everyone > 0 and min(counts) < everyone
