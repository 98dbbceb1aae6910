"""Importing into a study: atomicity, re-import, --replace, search, stats and
the CLI commands, run as a user would."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tacompanion.core.search import SearchQueryError, fts_query
from tacompanion.formats.transcript_files import parse_transcript_bytes
from tacompanion.formats.transcript_import import apply_import, plan_import
from tacompanion.store.stats import study_stats
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso
from tacompanion.store.transcripts import (
    import_transcript,
    list_transcripts,
    load_segments,
    save_transcript_memo,
    search_segments,
    set_read,
    transcript_memo,
)

P3_TXT = (
    "Interviewer: How was the group today?\n\n"
    "P3: Quiet. Nobody wanted to start.\n\n"
    "Then the silence got easier.\n\n"
    "Interviewer: What did you notice in yourself?\n\n"
    "P3: That I wanted to fill the silence for them.\n"
)


def counts(db_path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("participants", "transcripts", "segments", "segments_fts")
        }
    finally:
        conn.close()


def parsed(text: str, fmt: str = "txt", name: str = "p3.txt"):
    return parse_transcript_bytes(text.encode(), fmt, name).with_interviewer_labels(["Interviewer"])


def add_coding(study: Study, transcript_id: int, start: int, end: int, code: str = "silence") -> None:
    with study.write() as db:
        code_id = study.scalar("SELECT id FROM codes WHERE name = ?", (code,))
        if code_id is None:
            code_id = db["codes"].insert(
                {"uuid": new_uuid(), "name": code, "slug": code, "created_at": now_iso()}
            ).last_pk
        db["codings"].insert(
            {
                "uuid": new_uuid(), "code_id": code_id, "transcript_id": transcript_id,
                "start_pos": start, "end_pos": end, "coder": "test", "created_at": now_iso(),
            }
        )


# -- store -----------------------------------------------------------------------------------


def test_import_stores_text_segments_and_index(study):
    result = import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    assert (result.participant, result.segments) == ("P3", 4)
    text = study.scalar("SELECT text FROM transcripts WHERE id = ?", (result.transcript_id,))
    assert text == P3_TXT
    rows = study.query(
        "SELECT position, speaker, is_interviewer, start_pos, end_pos, text FROM segments ORDER BY position"
    )
    assert [(r["speaker"], r["is_interviewer"], r["text"]) for r in rows] == [
        ("Interviewer", 1, "How was the group today?"),
        ("P3", 0, "Quiet. Nobody wanted to start.\n\nThen the silence got easier."),
        ("Interviewer", 1, "What did you notice in yourself?"),
        ("P3", 0, "That I wanted to fill the silence for them."),
    ]
    for r in rows:
        assert text[r["start_pos"] : r["end_pos"]] == r["text"]
    assert study.scalar("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'silence'") == 2


def test_import_is_atomic_when_a_segment_cannot_be_written(study, db_path, monkeypatch):
    import tacompanion.store.transcripts as store

    before = counts(db_path)

    def broken(conn, transcript_id, segments, carried):
        conn.execute(
            "INSERT INTO segments (uuid, transcript_id, position, start_pos, end_pos, text) "
            "VALUES ('x', ?, 0, 0, 1, 'x')", (transcript_id,)
        )
        raise sqlite3.IntegrityError("disk trouble half-way")

    monkeypatch.setattr(store, "_insert_segments", broken)
    with pytest.raises(sqlite3.IntegrityError):
        import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    assert counts(db_path) == before  # not even the new participant


def test_reimport_of_the_same_file_is_refused(study, db_path):
    import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    before = counts(db_path)
    with pytest.raises(StudyError, match=r"p3.txt: already imported for P3"):
        import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    assert counts(db_path) == before


def test_a_changed_file_needs_replace(study, db_path):
    import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    before = counts(db_path)
    changed = parsed(P3_TXT.replace("today", "this week"))
    with pytest.raises(StudyError, match="pass --replace"):
        import_transcript(study, changed, participant="P3", file_name="p3.txt")
    assert counts(db_path) == before


def test_replace_keeps_codings_on_unchanged_text_at_their_new_place(study):
    first = import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    tid = first.transcript_id
    start = P3_TXT.index("fill the silence")
    add_coding(study, tid, start, start + len("fill the silence"))
    set_read(study, tid, True)
    corrected = P3_TXT.replace("How was the group today?", "How was the group this afternoon, then?")
    result = import_transcript(
        study, parsed(corrected), participant="P3", file_name="p3.txt", replace=True
    )
    assert result.replaced and result.codings_kept == 1 and result.transcript_id == tid
    row = study.query("SELECT start_pos, end_pos FROM codings")[0]
    text = study.scalar("SELECT text FROM transcripts WHERE id = ?", (tid,))
    assert text == corrected
    assert text[row["start_pos"] : row["end_pos"]] == "fill the silence"
    assert row["start_pos"] != start  # it moved with its text
    assert study.scalar("SELECT read_at FROM transcripts") is not None
    assert study.scalar("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'afternoon'") == 1
    assert study.scalar("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'today'") == 0


def test_replace_refuses_when_a_coded_passage_changed(study, db_path):
    first = import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    start = P3_TXT.index("Nobody wanted")
    add_coding(study, first.transcript_id, start, start + len("Nobody wanted to start"))
    before = counts(db_path)
    coding_before = study.query("SELECT start_pos, end_pos FROM codings")
    changed = parsed(P3_TXT.replace("Nobody wanted to start", "No one wanted to begin"))
    with pytest.raises(StudyError, match=r"cannot replace.*1 coding\(s\) cover text that changed"):
        import_transcript(study, changed, participant="P3", file_name="p3.txt", replace=True)
    assert counts(db_path) == before
    assert study.query("SELECT start_pos, end_pos FROM codings") == coding_before
    assert study.scalar("SELECT text FROM transcripts") == P3_TXT


def test_lists_sort_participants_naturally(study):
    for name in ("P10", "P2", "p1"):
        import_transcript(study, parsed(P3_TXT.replace("P3", name)), participant=name, file_name=f"{name}.txt")
    assert [t.participant for t in list_transcripts(study)] == ["p1", "P2", "P10"]
    stats = study_stats(study)
    assert [p["id"] for p in stats["participants"]] == ["p1", "P2", "P10"]
    assert [t["participant"] for t in stats["transcripts"]] == ["p1", "P2", "P10"]


def test_read_mark_and_memo(study):
    tid = import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt").transcript_id
    assert list_transcripts(study)[0].read_at is None
    set_read(study, tid, True)
    assert list_transcripts(study)[0].read_at is not None
    set_read(study, tid, False)
    assert list_transcripts(study)[0].read_at is None
    assert transcript_memo(study, tid) == ""
    save_transcript_memo(study, tid, "Silence as shared work.")
    save_transcript_memo(study, tid, "Silence as shared work, twice.")
    assert transcript_memo(study, tid) == "Silence as shared work, twice."
    assert study.scalar("SELECT count(*) FROM memos") == 1
    save_transcript_memo(study, tid, "  ")
    assert study.scalar("SELECT count(*) FROM memos") == 0


# -- search --------------------------------------------------------------------------------------


def test_search_finds_words_phrases_and_prefixes_in_reading_order(study):
    import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    other = "Interviewer: And you?\n\nP1: Silence scares me in groups.\n"
    import_transcript(study, parsed(other, name="p1.txt"), participant="P1", file_name="p1.txt")
    result = search_segments(study, "silence")
    hits = result.hits
    assert result.total == 3
    assert [(h.participant, h.position) for h in hits] == [("P1", 1), ("P3", 1), ("P3", 3)]
    assert "\x02silence\x03" in hits[1].snippet.lower()
    assert search_segments(study, '"fill the silence"').total == 1
    assert search_segments(study, "sil*").total == 3
    assert search_segments(study, "groups OR yourself").total == 2
    assert search_segments(study, "silence nobody").total == 1
    result = search_segments(study, "silence", limit=1)
    assert (len(result.hits), result.total, result.transcripts) == (1, 3, 2)


@pytest.mark.parametrize("typed", ['"unbalanced', "AND OR NOT (", "col:umn", "-x"])
def test_search_never_turns_punctuation_into_syntax_errors(study, typed):
    import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    search_segments(study, typed)


def test_empty_search_is_refused():
    with pytest.raises(SearchQueryError):
        fts_query('  "" ** ')


# -- stats -----------------------------------------------------------------------------------------


def test_stats_counts_words_without_labels_and_coded_segments(study):
    tid = import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt").transcript_id
    add_coding(study, tid, P3_TXT.index("Quiet"), P3_TXT.index("Quiet") + 5)
    stats = study_stats(study)
    assert stats["participants"] == [
        {"id": "P3", "pilot": False, "interviews": 0, "notes": 0, "transcripts": 1}
    ]
    assert stats["transcripts"] == [
        {
            "participant": "P3", "name": "p3.txt", "format": "txt", "segments": 4,
            "participant_segments": 2, "interviewer_segments": 2, "words": 30,
            "participant_words": 19, "coded_segments": 1,
        }
    ]


# -- planning a batch --------------------------------------------------------------------------------


def test_a_batch_with_one_bad_file_writes_nothing(study, db_path, tmp_path):
    good = tmp_path / "p1.txt"
    good.write_text("Interviewer: hi\n\nP1: hello\n")
    bad = tmp_path / "p2.vtt"
    bad.write_text("no header\n")
    before = counts(db_path)
    plan = plan_import(study, [str(good), str(bad)])
    assert not plan.ok and len(plan.items) == 1
    assert plan.errors == [f"{bad}:1: not a WebVTT file: the first line must be WEBVTT"]
    assert counts(db_path) == before


def test_folders_and_globs_expand_to_transcripts(study, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in (1, 2):
        (folder / f"p{n}.txt").write_text(f"Interviewer: hi\n\nP{n}: hello {n}\n")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    (folder / "~$p1.docx").write_bytes(b"lock file")
    plan = plan_import(study, [str(folder)])
    assert plan.ok and [i.participant for i in plan.items] == ["P1", "P2"]
    results = apply_import(study, plan)
    assert [r.participant for r in results] == ["P1", "P2"]
    assert len(plan_import(study, [str(folder / "*.txt")]).errors) == 2  # both already in


def test_an_extra_interviewer_label_resolves_the_participant(study, tmp_path):
    f = tmp_path / "zoom.txt"
    f.write_text("Speaker 1: How was it?\n\nSpeaker 2: Fine.\n")
    plan = plan_import(study, [str(f)])
    assert plan.questions == {str(f): ["Speaker 1", "Speaker 2"]}
    plan = plan_import(study, [str(f)], interviewer=["Speaker 1"])
    assert plan.ok and plan.items[0].participant == "Speaker 2"


def test_the_studys_interviewer_labels_decide_who_is_the_interviewer(study, tmp_path):
    study.set_setting("interviewer_labels", ["Forsker"])
    f = tmp_path / "norsk.txt"
    f.write_text("Forsker: Hvordan var gruppen?\n\nP4: Stille.\n")
    plan = plan_import(study, [str(f)])
    assert plan.ok and plan.items[0].participant == "P4"
    assert [s.is_interviewer for s in plan.items[0].parsed.segments] == [True, False]


def test_the_packaged_demo_guide_is_the_shipped_guide():
    from pathlib import Path

    from tacompanion.formats.demo import GUIDE_FILE, data_file

    shipped = Path(__file__).resolve().parent.parent / "guides" / GUIDE_FILE
    assert data_file("guides", GUIDE_FILE) == shipped.read_bytes()


# -- the CLI, as a user runs it -----------------------------------------------------------------------


def test_cli_import_search_and_stats(cli, tmp_path, db_path):
    f = tmp_path / "interview-p3.txt"
    f.write_text(P3_TXT)
    run = cli("import", str(f), "--db", str(db_path))
    assert run.returncode == 0, run.stderr
    assert run.stdout == "imported interview-p3.txt for P3: 4 turns, 30 words\n"
    run = cli("--db", str(db_path), "search", "fill", "silence")
    assert run.returncode == 0
    assert run.stdout.splitlines() == [
        "P3  interview-p3.txt  turn 4  P3",
        "    That I wanted to «fill» the «silence» for them.",
        "1 hit in 1 transcript",
    ]
    run = cli("stats", "--json", "--db", str(db_path))
    data = json.loads(run.stdout)
    assert set(data) >= {"participants", "transcripts"}
    assert set(data["transcripts"][0]) == {
        "participant", "name", "format", "segments", "participant_segments",
        "interviewer_segments", "words", "participant_words", "coded_segments",
    }
    assert set(data["participants"][0]) == {"id", "pilot", "interviews", "notes", "transcripts"}
    human = cli("stats", "--db", str(db_path)).stdout
    assert "interview-p3.txt" in human and "Transcripts: 1" in human


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "empty.txt: the file is empty"),
        ("blank.md", b"   \n\n  ", "blank.md: the file is empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "photo.txt: a binary file"),
        ("latin.txt", b"P1: ok\nP1: caf\xe9\n", "latin.txt:2: not valid UTF-8"),
        ("nohead.vtt", b"00:00:01.000 --> 00:00:02.000\nhi\n", "nohead.vtt:1: not a WebVTT file"),
        ("timing.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:0:02\nhi\n", "timing.vtt:3: broken timing line"),
        ("cut.docx", b"PK\x03\x04\x14\x00\x06\x00broken", "cut.docx: not a valid .docx file"),
        ("report.pdf", b"%PDF-1.7", "report.pdf: unknown transcript format '.pdf'"),
    ],
)
def test_cli_refusals_name_the_file_exit_1_and_write_nothing(cli, tmp_path, db_path, name, data, message):
    Study.open(db_path).close()
    before = counts(db_path)
    f = tmp_path / name
    f.write_bytes(data)
    run = cli("import", str(f), "--db", str(db_path))
    assert run.returncode == 1
    assert f"tacompanion: error: {tmp_path / message}" in run.stderr
    assert "Traceback" not in run.stderr
    assert counts(db_path) == before


def test_cli_reimport_refused_and_replace(cli, tmp_path, db_path):
    f = tmp_path / "p3.txt"
    f.write_text(P3_TXT)
    assert cli("import", str(f), "--db", str(db_path)).returncode == 0
    again = cli("import", str(f), "--db", str(db_path))
    assert again.returncode == 1 and "already imported for P3" in again.stderr
    f.write_text(P3_TXT + "\nInterviewer: Thank you.\n")
    changed = cli("import", str(f), "--db", str(db_path))
    assert changed.returncode == 1 and "pass --replace" in changed.stderr
    replaced = cli("import", str(f), "--replace", "--db", str(db_path))
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.startswith("replaced p3.txt for P3: 5 turns")
    assert counts(db_path)["transcripts"] == 1


def test_cli_ambiguous_participant_asks(cli, tmp_path, db_path):
    f = tmp_path / "group.txt"
    f.write_text("Interviewer: hi\n\nAnna: hello\n\nBo: hey\n")
    run = cli("import", str(f), "--db", str(db_path))
    assert run.returncode == 1
    assert "which speaker is the participant?" in run.stderr and "--participant" in run.stderr
    run = cli("import", str(f), "--participant", "G1", "--pilot", "--db", str(db_path))
    assert run.returncode == 0
    with Study.open(db_path) as s:
        assert s.query("SELECT pseudonym, pilot FROM participants") == [{"pseudonym": "G1", "pilot": 1}]
        segments = load_segments(s, 1)
        assert [x.speaker for x in segments] == ["Interviewer", "Anna", "Bo"]


def test_cli_demo_creates_the_study_and_refuses_a_full_one(cli, tmp_path):
    path = tmp_path / "demo.db"
    run = cli("demo", "--db", str(path), "--no-open")
    assert run.returncode == 0, run.stderr
    with Study.open(path) as s:
        assert s.scalar("SELECT count(*) FROM transcripts") == 4
        assert s.scalar("SELECT group_concat(DISTINCT format) FROM transcripts") == "txt,md,vtt,srt"
        assert s.scalar("SELECT count(*) FROM guides") == 1
        assert s.scalar("SELECT count(*) FROM notes") > 0
        assert s.scalar("SELECT count(*) FROM transcripts WHERE interview_id IS NOT NULL") == 2
        assert s.scalar("SELECT count(*) FROM segments WHERE start_ms IS NOT NULL") > 0
    again = cli("demo", "--db", str(path), "--no-open")
    assert again.returncode == 1 and "already holds a study" in again.stderr
    # The default path is a file of its own in the current folder, never the real study.
    default = cli("demo", "--no-open", cwd=tmp_path)
    assert default.returncode == 0 and (tmp_path / "tacompanion-demo.db").exists()


def test_the_demo_interviews_are_stored_as_the_interview_screen_stores_them(study):
    # A note marks its question covered, so the demo's interviews show the
    # coverage their notes imply (stats said "covered 0/14" with 4 notes).
    from tacompanion.core.guide_parser import decode_guide, parse_guide
    from tacompanion.core.interview import parse_iso
    from tacompanion.formats.demo import GUIDE_FILE, create_demo_study, data_file
    from tacompanion.store.stats import interview_stats

    create_demo_study(study)
    plan = json.loads(data_file("demo", "interviews.json"))["interviews"]
    guide_ids = {q.id for q in parse_guide(decode_guide(data_file("guides", GUIDE_FILE))).questions}
    stats = {i["participant"]: i for i in interview_stats(study)}
    for item in plan:
        asked = {n["question"] for n in item["notes"]}
        assert asked <= guide_ids  # every note is on a question of the guide
        row = stats[item["participant"]]
        assert (row["notes"], row["questions_covered"], row["questions_total"]) == (
            len(item["notes"]), len(asked), len(guide_ids))
        assert row["started"] == item["started_at"]
        interview = study.query(
            "SELECT i.id, i.created_at, i.ended_at, i.recording_offset_ms FROM interviews i "
            "JOIN participants p ON p.id = i.participant_id WHERE p.pseudonym = ?", (item["participant"],))[0]
        assert (interview["created_at"], interview["ended_at"], interview["recording_offset_ms"]) == (
            item["started_at"], item["ended_at"], item["recording_offset_ms"])
        events = study.query(
            "SELECT question_id, event, elapsed_ms FROM question_events WHERE interview_id = ? ORDER BY id",
            (interview["id"],))
        covered = [e["question_id"] for e in events if e["event"] == "covered"]
        assert sorted(covered) == sorted(asked)  # once each, by its first note
        for note in study.query("SELECT question_id, elapsed_ms, created_at FROM notes WHERE interview_id = ?",
                                (interview["id"],)):
            # taken on the question current at its moment, at its moment
            current = [e["question_id"] for e in events if e["event"] == "current"
                       and (e["elapsed_ms"] or 0) <= note["elapsed_ms"]]
            assert current[-1] == note["question_id"]
            since = parse_iso(note["created_at"]) - parse_iso(item["started_at"])
            assert since.total_seconds() * 1000 == note["elapsed_ms"]


def test_commands_without_a_screen_do_not_import_textual():
    import subprocess
    import sys

    code = (
        "import sys; import tacompanion.cli, tacompanion.formats.transcript_import, "
        "tacompanion.formats.demo, tacompanion.store.stats; "
        "sys.exit(1 if 'textual' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_replace_carries_segment_memos_and_question_links_to_unchanged_turns(study):
    tid = import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt").transcript_id
    last = study.query("SELECT id, uuid FROM segments WHERE position = 3")[0]
    with study.write() as db:
        db["segments"].update(last["id"], {"question_id": "s2.q2", "question_source": "time"})
        db["memos"].insert(
            {"uuid": new_uuid(), "segment_id": last["id"], "text": "wanting to rescue", "created_at": now_iso()}
        )
    corrected = P3_TXT.replace("How was the group today?", "How was the group, today?")
    import_transcript(study, parsed(corrected), participant="P3", file_name="p3.txt", replace=True)
    moved = study.query("SELECT id, uuid, question_id, question_source FROM segments WHERE position = 3")[0]
    assert (moved["uuid"], moved["question_id"], moved["question_source"]) == (last["uuid"], "s2.q2", "time")
    assert study.scalar("SELECT segment_id FROM memos") == moved["id"]
    assert study.scalar("SELECT count(*) FROM segments WHERE transcript_id = ?", (tid,)) == 4


def test_replace_refuses_when_a_turn_with_a_memo_changed(study, db_path):
    import_transcript(study, parsed(P3_TXT), participant="P3", file_name="p3.txt")
    first = study.scalar("SELECT id FROM segments WHERE position = 0")
    with study.write() as db:
        db["memos"].insert({"uuid": new_uuid(), "segment_id": first, "text": "m", "created_at": now_iso()})
    changed = parsed(P3_TXT.replace("How was the group today?", "How did the group go?"))
    with pytest.raises(StudyError, match=r"1 memo\(s\) on turns that changed"):
        import_transcript(study, changed, participant="P3", file_name="p3.txt", replace=True)
    assert study.scalar("SELECT segment_id FROM memos") == first


def test_cli_demo_refuses_a_file_that_is_not_a_study_and_leaves_it(cli, tmp_path):
    foreign = tmp_path / "notes.db"
    foreign.write_bytes(b"not a database at all, but precious")
    run = cli("demo", "--db", str(foreign), "--no-open")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert foreign.read_bytes() == b"not a database at all, but precious"


def test_cli_imports_a_multi_megabyte_single_line_file(cli, tmp_path, db_path):
    # Its speed is measured in bench/bench_linear.py; the work is shown linear
    # in test_transcript_formats.py.
    big = tmp_path / "one-line.txt"
    big.write_bytes(b"P1: " + b"word " * 1_200_000)  # 6 MB on one line
    run = cli("import", str(big), "--db", str(db_path))
    assert run.returncode == 0, run.stderr
    assert run.stdout == "imported one-line.txt for P1: 1 turn, 1,200,000 words\n"
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * 21_000_000)
    before = db_path.read_bytes()
    run = cli("import", str(huge), "--db", str(db_path))
    assert run.returncode == 1 and f"{huge}: 21,000,000 bytes is far too large for a transcript" in run.stderr
    assert db_path.read_bytes() == before
