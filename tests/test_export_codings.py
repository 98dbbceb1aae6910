"""export codings: one CSV row per coding, extracts sliced exactly."""

from __future__ import annotations

import csv
import io

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.formats.codings_csv import CODING_COLUMNS
from tacompanion.store.codes import apply_code, create_code
from tacompanion.store.study import Study, new_uuid
from tacompanion.store.themes import create_theme, move_code

from .test_coding_screen import TRANSCRIPT, add_transcript


def make_study(path):
    with Study.open(path) as study:
        tid = add_transcript(study)
        add_transcript(study, who="P0", name="pilot.txt")
        study.conn.execute("UPDATE participants SET pilot = 1 WHERE pseudonym = 'P0'")
        study.conn.commit()
        theme = create_theme(study, "Being with silence")
        sub = create_theme(study, "Waiting", parent_id=theme)
        silence = create_code(study, "Silence")
        move_code(study, silence, sub)
        calm = create_code(study, "Calm")
        ref = DocRef(transcript_id=tid)
        start = TRANSCRIPT.index("We sat")
        apply_code(study, silence, ref, Span(start, start + len("We sat in silence")), "ana")
        tricky = "Café\u0301 talk, \U0001F642 and 我很安静"
        s2 = TRANSCRIPT.index(tricky)
        apply_code(study, calm, ref, Span(s2, s2 + len(tricky)), "kim")
        with study.write() as db:
            i = db["interviews"]
            i.insert({"uuid": new_uuid(), "participant_id": 1, "created_at": "2026-03-02T09:00:00.000Z",
                      "started_at": "2026-03-02T09:01:00.000Z"})
            n = db["notes"]
            n.insert({"uuid": new_uuid(), "interview_id": i.last_pk, "text": "long pause before answering",
                      "created_at": "now", "elapsed_ms": 5000})
        apply_code(study, silence, DocRef(note_id=n.last_pk), Span(0, 10), "ana")


def test_export_codings_csv(cli, db_path, tmp_path):
    make_study(db_path)
    done = cli("--db", str(db_path), "export", "codings")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert tuple(rows[0].keys()) == CODING_COLUMNS
    got = [(r["participant"], r["transcript"], r["segment"], r["speaker"], r["code"], r["theme"],
            r["coder"], r["text"], r["pilot"], r["source"]) for r in rows]
    assert got == [
        ("P1", "", "1", "", "Silence", "Being with silence / Waiting",
         "ana", "long pause", "no", "notes 2026-03-02T09:01:00.000Z"),
        ("P1", "p1.txt", "2", "P1", "Silence", "Being with silence / Waiting", "ana",
         "We sat in silence", "no", "p1.txt"),
        ("P1", "p1.txt", "5", "P1", "Calm", "", "kim", "Café\u0301 talk, \U0001F642 and 我很安静", "no",
         "p1.txt"),
    ]
    for r in rows[1:]:
        assert TRANSCRIPT[int(r["start"]):int(r["end"])] == r["text"]


def test_export_codings_to_a_file_is_atomic_and_counted(cli, db_path, tmp_path):
    make_study(db_path)
    out = tmp_path / "codings.csv"
    done = cli("--db", str(db_path), "export", "codings", "-o", str(out))
    assert done.returncode == 0 and "wrote 3 codings" in done.stderr
    assert out.read_text(encoding="utf-8").startswith("participant,transcript,segment")
    bad = cli("--db", str(db_path), "export", "codings", "-o", str(tmp_path / "no" / "x.csv"))
    assert bad.returncode == 1 and "cannot write" in bad.stderr and "Traceback" not in bad.stderr
    assert not list(tmp_path.glob("**/.x.csv*"))
