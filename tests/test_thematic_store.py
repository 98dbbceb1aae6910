"""The map, review extracts, matrix and co-occurrences on hand-made studies
whose answers are worked out by hand; and the `stats --json` shape."""

from __future__ import annotations

import json

import pytest

from tacompanion.core.prevalence import PrevalenceRow, RuleError
from tacompanion.core.spans import Span
from tacompanion.store.analysis import analyse, prevalence_rule, set_prevalence_rule
from tacompanion.store.codes import apply_code, create_code
from tacompanion.store.thematic import (
    cooccurrences,
    extract_context,
    extract_location,
    extracts_for,
    participant_theme_matrix,
    review_codes,
    thematic_map,
)
from tacompanion.store.themes import create_theme, move_code
from tests.test_analysis import interview_note, transcript
from tests.test_coding_screen import add_transcript


@pytest.fixture
def six(study):
    """N = 6 plus a pilot: theme 'Being with silence' (Silence, Quiet) with
    subtheme 'Unease' (Boredom). Silence on P1-P4 and on the pilot; Quiet on
    P1's very extract that Silence codes; Boredom on P5, elsewhere."""
    docs = {f"P{i}": transcript(study, f"P{i}") for i in range(1, 7)}
    pilot = transcript(study, "P0", pilot=True)
    theme = create_theme(study, "Being with silence")
    sub = create_theme(study, "Unease", parent_id=theme)
    silence, quiet, boredom = (create_code(study, n) for n in ("Silence", "Quiet", "Boredom"))
    loose = create_code(study, "Loose end")
    move_code(study, silence, theme)
    move_code(study, quiet, theme)
    move_code(study, boredom, sub)
    for who in ("P1", "P2", "P3", "P4"):
        apply_code(study, silence, docs[who], Span(3, 20), "me")
    apply_code(study, quiet, docs["P1"], Span(3, 20), "me")
    apply_code(study, boredom, docs["P5"], Span(25, 44), "me")
    apply_code(study, loose, docs["P5"], Span(30, 40), "me")  # overlaps Boredom
    apply_code(study, silence, pilot, Span(3, 20), "me")
    return {"theme": theme, "sub": sub, "silence": silence, "quiet": quiet, "boredom": boredom,
            "loose": loose, "docs": docs}


def test_map_rows_are_the_tree_with_counts_and_labels(study, six):
    tmap = thematic_map(study)
    shown = [(r.kind, r.name, r.depth) for r in tmap.rows]
    assert shown == [
        ("theme", "Being with silence", 0),
        ("code", "Quiet", 1),
        ("code", "Silence", 1),
        ("theme", "Unease", 1),
        ("code", "Boredom", 2),
        ("unsorted", "Unsorted codes", 0),
        ("code", "Loose end", 1),
    ]
    theme = tmap.rows[0].counts
    # 6 codings (4 + 1 + 1), 5 extracts (P1's carries two codes), 5 of 6 participants
    assert (theme.codings, theme.extracts, theme.participants, theme.label) == (6, 5, 5, "most")
    assert tmap.rows[2].counts.label == "most"  # Silence: 4 of 6
    assert tmap.rows[4].counts.label == "one or two"
    assert tmap.paths[six["sub"]] == "Being with silence / Unease"


def test_review_extracts_grouped_by_participant_without_pilots(study, six):
    extracts = extracts_for(study, review_codes(study, "theme", six["theme"]))
    assert [e.participant for e in extracts] == ["P1", "P2", "P3", "P4", "P5"]
    first = extracts[0]
    assert first.text == "We sat in silence"
    assert [c.name for c in first.codes] == ["Quiet", "Silence"]
    assert [c.name for c in extracts[-1].codes] == ["Boredom"]
    only_p2 = extracts_for(study, [six["silence"]], participant_id=extracts[1].participant_id)
    assert [e.participant for e in only_p2] == ["P2"]
    assert review_codes(study, "theme", six["sub"]) == [six["boredom"]]


def test_matrix_main_themes_and_every_subtheme(study, six):
    m = participant_theme_matrix(study)
    assert [name for _, name in m.participants] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert [path for _, path, _ in m.themes] == ["Being with silence"]
    pid = {name: i for i, name in m.participants}
    row = [m.cell(pid[p], six["theme"]) for p in ("P1", "P2", "P3", "P4", "P5", "P6")]
    assert row == [1, 1, 1, 1, 1, 0]  # P1's one extract with two codes counts once
    assert m.labels[six["theme"]] == (5, "most")
    full = participant_theme_matrix(study, level="all")
    assert [path for _, path, _ in full.themes] == ["Being with silence", "Being with silence / Unease"]
    assert [full.cell(pid[p], six["sub"]) for p in ("P1", "P5")] == [0, 1]
    assert full.labels[six["sub"]] == (1, "one or two")


def test_cooccurrence_counts_overlapping_codings(study, six):
    pairs = {(c.name_a, c.name_b): (c.shared, c.participants) for c in cooccurrences(study)}
    # Silence+Quiet share P1's extract; Boredom+Loose end overlap in P5; the
    # pilot's Silence meets nothing; Silence and Boredom never overlap.
    assert pairs == {("Silence", "Quiet"): (1, 1), ("Boredom", "Loose end"): (1, 1)}
    only = cooccurrences(study, code_id=six["loose"])
    assert [(c.name_a, c.name_b) for c in only] == [("Boredom", "Loose end")]


def test_ten_participants_and_notes_in_the_matrix(study):
    docs = [transcript(study, f"P{i:02d}") for i in range(1, 10)]
    note = interview_note(study, "P10", text="quiet again and again")
    theme = create_theme(study, "Quiet")
    code = create_code(study, "Silence")
    move_code(study, code, theme)
    for d in docs[:5]:
        apply_code(study, code, d, Span(3, 9), "me")
    apply_code(study, code, note, Span(0, 5), "me")
    m = participant_theme_matrix(study)
    assert m.total == 10
    assert m.labels[theme] == (6, "most")  # 6 of 10: more than half
    study.set_setting("analysis_scope", "transcripts")
    m = participant_theme_matrix(study)
    assert m.total == 9 and m.labels[theme] == (5, "most")  # half of 9 is 4: 5 is most


def test_a_changed_prevalence_rule_changes_every_label(study, six):
    assert prevalence_rule(study)[0] == PrevalenceRow("all", "N", "N")
    set_prevalence_rule(study, [PrevalenceRow("nearly all", "N-1", "N"),
                                PrevalenceRow("several", "2", "N-2"),
                                PrevalenceRow("a single", "1", "1")])
    a = analyse(study)
    assert a.themes[six["theme"]].label == "nearly all"  # 5 of 6
    assert a.codes[six["silence"]].label == "several"  # 4 of 6
    assert a.codes[six["boredom"]].label == "a single"
    with pytest.raises(RuleError):
        set_prevalence_rule(study, [PrevalenceRow("bad", "third", "N")])
    with pytest.raises(RuleError):
        set_prevalence_rule(study, [])
    assert analyse(study).codes[six["boredom"]].label == "a single"  # unchanged


def test_context_is_the_question_and_the_turn_and_location_is_the_turn(study):
    tid = add_transcript(study)
    text = study.scalar("SELECT text FROM transcripts WHERE id = ?", (tid,))
    code = create_code(study, "Waiting")
    from tacompanion.core.document import DocRef

    start = text.index("I waited")
    apply_code(study, code, DocRef(transcript_id=tid), Span(start, start + 8), "me")
    (extract,) = extracts_for(study, [code])
    turns = extract_context(study, extract)
    assert [t.text for t in turns] == ["What did you do?", "I waited. I named my own uncertainty."]
    assert turns[0].is_interviewer and not turns[1].is_interviewer
    assert extract_location(study, extract) == ("transcript", tid, 3)


def test_stats_json_has_codes_and_themes(db_path, cli):
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        docs = [transcript(study, f"P{i}") for i in range(1, 5)]
        theme = create_theme(study, "Being with silence")
        sub = create_theme(study, "Unease", parent_id=theme)
        a, b = create_code(study, "Silence"), create_code(study, "Boredom")
        create_code(study, "Loose end")
        move_code(study, a, theme)
        move_code(study, b, sub)
        for d in docs:
            apply_code(study, a, d, Span(3, 20), "me")
        apply_code(study, b, docs[0], Span(3, 20), "me")
    result = cli("--db", str(db_path), "stats", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["codes"] == [
        {"name": "Boredom", "theme": "Being with silence / Unease", "codings": 1, "extracts": 1,
         "participants": 1, "label": "one or two"},
        {"name": "Loose end", "theme": None, "codings": 0, "extracts": 0, "participants": 0,
         "label": None},
        {"name": "Silence", "theme": "Being with silence", "codings": 4, "extracts": 4,
         "participants": 4, "label": "all"},
    ]
    assert data["themes"] == [
        {"name": "Being with silence", "parent": None, "status": "candidate", "codes": ["Silence"],
         "codings": 5, "extracts": 4, "participants": 4, "label": "all"},
        {"name": "Unease", "parent": "Being with silence", "status": "candidate", "codes": ["Boredom"],
         "codings": 1, "extracts": 1, "participants": 1, "label": "one or two"},
    ]
    assert data["prevalence"]["participants"] == 4
    assert {"participants", "transcripts"} <= set(data)
    human = cli("--db", str(db_path), "stats")
    assert "Being with silence [candidate]" in human.stdout
    assert "    Unease [candidate]" in human.stdout
    assert "Prevalence rule: all = 4; most = 3; one or two = 1-2" in human.stdout



def test_review_command_finds_the_theme_or_says_clearly_it_does_not_exist(db_path, cli):
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        parent = create_theme(study, "Being with silence")
        create_theme(study, "Unease", parent_id=parent)
        create_theme(study, "Unease", parent_id=create_theme(study, "Other"))
    missing = cli("--db", str(db_path), "review", "Nothing like it")
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        "tacompanion: error: no theme 'Nothing like it' (main themes: Being with silence, Other)")
    ambiguous = cli("--db", str(db_path), "review", "Unease")
    assert ambiguous.returncode == 1 and "give its path" in ambiguous.stderr
    assert cli("review", "--help").returncode == 0


def test_analysis_modules_do_not_import_textual(cli):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import tacompanion.store.thematic, tacompanion.store.stats, tacompanion.core.map_drawing\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_stats_rule_prints_the_rule_for_this_n(db_path, cli):
    from tacompanion.store.study import Study

    with Study.open(db_path) as study:
        for i in range(1, 7):
            transcript(study, f"P{i}")
        transcript(study, "P0", pilot=True)
    done = cli("--db", str(db_path), "stats", "--rule")
    assert done.returncode == 0, done.stderr
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    assert lines[0].startswith("Prevalence rule (N = 6 participants in analysis")
    assert lines[3:7] == ["all N N 6", "most half+1 N-1 4 to 5", "some 3 half 3", "one or two 1 2 1 to 2"]
    assert lines[7].startswith("Coders: the counts use every coder's codings")


def test_a_note_extract_opens_the_interviews_notes_at_that_note(study):
    first = interview_note(study, "P1", text="first note")
    code = create_code(study, "Quiet")
    apply_code(study, code, first, Span(0, 5), "me")
    (extract,) = extracts_for(study, [code])
    assert (extract.kind, extract.text, extract.participant) == ("notes", "first", "P1")
    kind, key, index = extract_location(study, extract)
    assert (kind, index) == ("notes", 0) and key == extract.interview_id
    assert [t.text for t in extract_context(study, extract)] == ["first note"]
    study.set_setting("analysis_scope", "transcripts")
    assert extracts_for(study, [code]) == []


def test_extracts_where_two_codes_meet(study, six):
    assert [e.participant for e in extracts_for(study, [six["silence"]], meeting=six["quiet"])] == ["P1"]
    assert [e.text for e in extracts_for(study, [six["boredom"]], meeting=six["loose"])] == [
        " it felt safe to me"]
    assert extracts_for(study, [six["silence"]], meeting=six["boredom"]) == []
