"""`tacompanion settings`: show and change the study's settings."""

from __future__ import annotations

import json

from tacompanion.store.study import Study


def test_settings_lists_and_changes_interviewer_labels_used_by_import(cli, db_path, tmp_path):
    Study.open(db_path).close()
    listing = cli("--db", str(db_path), "settings")
    assert listing.returncode == 0
    assert 'interviewer_labels = ["Interviewer", "I", "Int", "Q", "Moderator"]' in listing.stdout
    assert "study_uuid" in listing.stdout and "(read-only here)" in listing.stdout

    done = cli("--db", str(db_path), "settings", "interviewer_labels", "Researcher", "R")
    assert done.returncode == 0 and done.stdout.strip() == 'interviewer_labels = ["Researcher", "R"]'
    transcript = tmp_path / "p7.txt"
    transcript.write_text("Researcher: How was it?\n\nP7: Quiet.\n", encoding="utf-8")
    imported = cli("--db", str(db_path), "import", str(transcript))
    assert imported.returncode == 0, imported.stderr
    stats = json.loads(cli("--db", str(db_path), "stats", "--json").stdout)
    (t,) = stats["transcripts"]
    assert (t["participant"], t["interviewer_segments"], t["participant_segments"]) == ("P7", 1, 1)


def test_settings_default_coder_and_scope(cli, db_path):
    Study.open(db_path).close()
    assert cli("--db", str(db_path), "settings", "default_coder", "Ana", "K.").returncode == 0
    assert cli("--db", str(db_path), "settings", "analysis_scope", "transcripts").returncode == 0
    with Study.open(db_path) as study:
        assert study.setting("default_coder") == "Ana K."
        assert study.setting("analysis_scope") == "transcripts"
        from tacompanion.store.codes import resolve_coder

        assert resolve_coder(study) == "Ana K."


def test_settings_refuses_what_it_cannot_change(cli, db_path):
    Study.open(db_path).close()
    for words, message in (
        (["study_uuid", "x"], "not changed here"),
        (["analysis_scope", "none"], "one of all, transcripts"),
        (["colour", "blue"], "no setting 'colour'"),
        (["interviewer_labels"], "give the new value"),
    ):
        done = cli("--db", str(db_path), "settings", *words)
        assert done.returncode == 1 and message in done.stderr, (words, done.stderr)
        assert "Traceback" not in done.stderr
    with Study.open(db_path) as study:
        assert study.setting("analysis_scope") == "all"
