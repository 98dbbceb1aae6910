"""The report, the quotes of a theme and the codebook on a hand-made study
whose answers are worked out by hand; each export's format through the CLI."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.quotes import choose_quotes, quote_text
from tacompanion.core.spans import Span
from tacompanion.formats.report_md import CODEBOOK_COLUMNS, codebook_rows, quotes_markdown, report_markdown
from tacompanion.store.codes import apply_code, create_code, describe_code, set_starred
from tacompanion.store.history import undo
from tacompanion.store.study import Study, new_uuid
from tacompanion.store.themes import create_theme, define_theme, move_code

from .test_analysis import interview_note
from .test_coding_screen import add_transcript

SAYS = {
    "P1": "I felt the shame in the room before anyone spoke about it.",
    "P2": "She kept apologising, and I wanted to rescue her from that feeling.",
    "P3": "Shame is the thing we work with most, quietly and slowly, in Tromsø.",
    "P4": "It took me months to see how ashamed he was of being seen at all.",
    "P5": "The group went silent whenever someone was praised for something.",
    "P6": "Mostly we talked about practical things, work and the weekend.",
    "P0": "A pilot answer that must never appear in the report.",
}


def code_turn(study, tid, who, code_id, *, words=None):
    """Code the participant's turn (or its first `words` words); returns the coding id."""
    text = study.scalar("SELECT text FROM transcripts WHERE id = ?", (tid,))
    said = SAYS[who] if words is None else " ".join(SAYS[who].split()[:words])
    start = text.index(said)
    return apply_code(study, code_id, DocRef(transcript_id=tid), Span(start, start + len(said)), "ana")


def build(study) -> dict:
    tids = {}
    for who, said in SAYS.items():
        tids[who] = add_transcript(study, f"Interviewer: How was it?\n\n{who}: {said}\n", who, f"{who.lower()}.txt")
    study.conn.execute("UPDATE participants SET pilot = 1 WHERE pseudonym = 'P0'")
    study.conn.commit()
    shame_theme = create_theme(study, "Holding shame")
    define_theme(study, shame_theme, "How therapists notice the patient's shame and stay with it.")
    naming = create_theme(study, "Naming avoidance", parent_id=shame_theme)
    doubt_theme = create_theme(study, "Own doubt")
    shame, avoid, doubt, loose = (create_code(study, n) for n in ("Shame", "Avoidance", "Doubt", "Loose end"))
    describe_code(study, shame, "The patient's shame, as the therapist sees it")
    move_code(study, shame, shame_theme)
    move_code(study, avoid, naming)
    move_code(study, doubt, doubt_theme)
    starred = None
    for who in ("P1", "P2", "P3", "P4", "P5", "P0"):
        k = code_turn(study, tids[who], who, shame)
        if who == "P3":
            starred = k
    code_turn(study, tids["P1"], "P1", avoid, words=4)
    code_turn(study, tids["P2"], "P2", avoid)
    code_turn(study, tids["P3"], "P3", doubt)
    note = interview_note(study, "P4", "He looked away when I asked about Tromsø.")
    apply_code(study, doubt, note, Span(0, 14), "ana")
    code_turn(study, tids["P6"], "P6", loose)
    set_starred(study, [starred], True)
    with study.write() as db:
        db["journal"].insert({"uuid": new_uuid(), "entry_date": "2026-03-02",
                              "text": "I caught myself rescuing P2, as she did.", "created_at": "now"})
    return {"shame_theme": shame_theme, "naming": naming, "doubt_theme": doubt_theme, "starred": starred}


@pytest.fixture
def built(study):
    return build(study)


def section(report: str, heading: str) -> str:
    """The text from a heading line to the next heading."""
    lines = report.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start:end])


def test_report_data_rule_and_table_one(study, built):
    report = report_markdown(study, redact=False)
    assert report.startswith("# Thematic analysis report\n")
    assert ("- Participants: 6; 1 pilot participant (P0) excluded. N = 6 participants with data "
            "in the analysis: prevalence counts are out of 6.") in report
    assert "- Interviews: 1, 1 with interview notes." in report
    assert "- Transcripts: 6 (1 pilot transcript excluded)." in report
    assert "- Analysis scope: transcripts and interview notes." in report
    assert "- Prevalence rule: all = 6; most = 4-5; some = 3; one or two = 1-2 (in general: " in report
    table = section(report, "## Table 1. Themes and subthemes").splitlines()
    assert table[2:6] == [
        "| Theme | Subthemes | Prevalence |",
        "| --- | --- | --- |",
        "| 1. Holding shame | 1.1 Naming avoidance (one or two, 2 of 6) | most participants (5 of 6) |",
        "| 2. Own doubt | - | one or two participants (2 of 6) |",
    ]
    assert SAYS["P0"] not in report  # pilots never quoted


def test_report_theme_sections_with_quotes(study, built):
    report = report_markdown(study, redact=False)
    shame = section(report, "### 1. Holding shame")
    assert "**Definition.** How therapists notice the patient's shame and stay with it." in shame
    assert ("**Prevalence.** most participants (5 of 6); 6 extracts, 7 codings (its subthemes "
            "included). Status: candidate.") in shame
    assert "**Codes** (participants of N): Shame (5 of 6)." in shame
    # the starred quote only, none of the other four participants' extracts
    assert "_Starred quotes:_" in shame
    assert [line for line in shame.splitlines() if line.startswith(">")] == [f'> "{SAYS["P3"]}" (P3)']
    naming = section(report, "#### 1.1 Naming avoidance")
    assert "_Not written yet" in naming
    assert "**Prevalence.** one or two participants (2 of 6); 2 extracts, 2 codings. Status: candidate." in naming
    assert "_Representative extracts (none starred yet; different participants first):_" in naming
    assert [line for line in naming.splitlines() if line.startswith(">")] == [
        f'> "{SAYS["P2"]}" (P2)',  # the readable length first: P1's is 4 words
        '> "I felt the shame" (P1)',
    ]
    doubt = section(report, "### 2. Own doubt")
    assert [line for line in doubt.splitlines() if line.startswith(">")] == [
        f'> "{SAYS["P3"]}" (P3)',
        '> "He looked away" (P4, interview notes)',
    ]
    assert "_Not in any theme yet: 1 code (1 coding); they are in the codebook, not in this report._" in report


def test_report_map_as_mermaid_and_text_tree(study, built):
    report = report_markdown(study, redact=False)
    t = built
    assert (
        "```mermaid\nmindmap\n  root((\"Thematic map\"))\n"
        f"    th_{t['shame_theme']}[\"Holding shame (most, 5 of 6)\"]\n"
        f"      th_{t['naming']}[\"Naming avoidance (one or two, 2 of 6)\"]\n"
        f"    th_{t['doubt_theme']}[\"Own doubt (one or two, 2 of 6)\"]\n```"
    ) in report
    assert (
        "```text\n1. Holding shame (most, 5 of 6)\n  1.1 Naming avoidance (one or two, 2 of 6)\n"
        "2. Own doubt (one or two, 2 of 6)\n```"
    ) in report


def test_journal_only_when_asked(study, built):
    assert "Reflexive journal" not in report_markdown(study)
    report = report_markdown(study, journal=True)
    assert report.endswith("## Reflexive journal\n\n### 2026-03-02\n\nI caught myself rescuing P2, as she did.\n")


def test_unstarring_brings_back_representative_quotes(study, built):
    undo(study)  # the star
    shame = section(report_markdown(study), "### 1. Holding shame")
    quotes = [line for line in shame.splitlines() if line.startswith(">")]
    assert len(quotes) == 3 and "_Representative extracts" in shame
    assert [q.rsplit(" ", 1)[1] for q in quotes] == ["(P1)", "(P2)", "(P3)"]  # three participants


def test_an_empty_study_reports_that_there_is_nothing_yet(study):
    report = report_markdown(study)
    assert "_No themes yet: sort codes into themes on the thematic map (Ctrl+T)._" in report
    assert "- Participants: 0. N = 0" in report


def test_choose_quotes_different_participants_first():
    def ex(who, words, kind="transcript", starred=False):
        return SimpleNamespace(participant=who, kind=kind, text=" ".join(["w"] * words),
                               codes=(SimpleNamespace(code_id=1, starred=starred),))

    a1, a2, b1, c1 = ex("P1", 20), ex("P1", 30), ex("P2", 10, "notes"), ex("P10", 200)
    chosen, starred = choose_quotes([a1, a2, b1, c1], {1}, limit=3)
    # P1's best reads well; P10's is long but from a transcript; P2's is from notes
    assert not starred and chosen == [a1, c1, b1]
    chosen, _ = choose_quotes([a1, a2, b1], {1}, limit=4)
    assert chosen == [a1, b1, a2]
    s = ex("P2", 5, starred=True)
    assert choose_quotes([a1, s], {1}) == ([s], True)
    assert choose_quotes([a1, s], {2}) == ([], False)  # other codes' extracts are not quoted
    assert quote_text("We sat\n in  silence", "P3") == '"We sat in silence" (P3)'
    assert quote_text("long pause", "P3", "notes") == '"long pause" (P3, interview notes)'
    assert quote_text('She said "stay", \u201cplease\u201d.', "P1") == '"She said \'stay\', \u2018please\u2019." (P1)'


def test_quotes_of_one_theme(study, built):
    text = quotes_markdown(study, built["shame_theme"], redact=False)
    lines = text.splitlines()
    assert lines[0] == "# Quotes: Holding shame"
    assert "## Holding shame" in lines and "### Holding shame / Naming avoidance" in lines
    assert f'> "{SAYS["P3"]}" (P3)' in lines
    assert "Own doubt" not in text


def test_codebook_rows(study, built):
    rows = codebook_rows(study, redact=False)
    # the first six columns as they always were; the codebook's criteria after them
    assert CODEBOOK_COLUMNS[6:] == ("include", "exclude", "example")
    assert all(r["include"] == r["exclude"] == r["example"] == "" for r in rows)
    assert [tuple(r[c] for c in CODEBOOK_COLUMNS[:6]) for r in rows] == [
        ("Holding shame", "Shame", "The patient's shame, as the therapist sees it", "5", "5", "most"),
        ("Holding shame / Naming avoidance", "Avoidance", "", "2", "2", "one or two"),
        ("Own doubt", "Doubt", "", "2", "2", "one or two"),
        ("", "Loose end", "", "1", "1", "one or two"),
    ]


# -- through the CLI --------------------------------------------------------------------


@pytest.fixture
def study_file(db_path):
    with Study.open(db_path) as s:
        build(s)
    return db_path


def test_cli_export_report_to_stdout_and_file(cli, study_file, tmp_path):
    done = cli("--db", str(study_file), "export", "report")
    assert done.returncode == 0, done.stderr
    assert "| 1. Holding shame |" in done.stdout and "```mermaid" in done.stdout
    out = tmp_path / "report.md"
    out.write_text("old")
    done = cli("--db", str(study_file), "export", "report", "--journal", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == f"wrote the report to {out}\n"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Thematic analysis report\n") and "## Reflexive journal" in text
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp") or ".partial-" in p.name] == []


def test_cli_export_codebook_is_rfc4180_csv(cli, study_file, tmp_path):
    out = tmp_path / "codebook.csv"
    done = cli("--db", str(study_file), "export", "codebook", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote 4 codes to" in done.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"theme,code,description,codings,participants,label,include,exclude,example\r\n")
    assert b'"The patient\'s shame, as the therapist sees it"' in raw  # a comma: quoted
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == CODEBOOK_COLUMNS and len(rows) == 4


def test_cli_export_quotes_and_an_unknown_theme(cli, study_file):
    done = cli("--db", str(study_file), "export", "quotes", "--theme", "naming avoidance")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Quotes: Holding shame / Naming avoidance\n")
    done = cli("--db", str(study_file), "export", "quotes", "--theme", "Nope")
    assert done.returncode == 1
    assert done.stderr == ("tacompanion: error: no theme 'Nope' (main themes: 'Holding shame', "
                           "'Own doubt')\n")
    done = cli("--db", str(study_file), "export", "quotes")
    assert done.returncode == 2 and "--theme" in done.stderr
