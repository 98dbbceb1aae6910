"""The demo study: the shipped MBT guide, four synthetic therapist interviews
in four formats (.txt, .md, .vtt, .srt) and live notes for two of them, all
packaged inside tacompanion (`tacompanion/data`)."""

from __future__ import annotations

import json
from importlib import resources

from tacompanion.core.guide_parser import decode_guide, parse_guide
from tacompanion.core.transcript import choose_participant
from tacompanion.formats.transcript_files import parse_transcript_bytes, transcript_format
from tacompanion.store.demo import add_interview_with_notes, ensure_empty
from tacompanion.store.guides import save_guide
from tacompanion.store.journal import add_entry
from tacompanion.store.memos import save_memo
from tacompanion.store.participants import ensure_participant
from tacompanion.store.study import Study
from tacompanion.store.transcripts import import_transcript

DEMO_FILE_NAME = "tacompanion-demo.db"
GUIDE_FILE = "mbt-avpd-therapists.md"
TRANSCRIPTS = ("t1-interview.txt", "t2-interview.md", "t3-interview.vtt", "t4-interview.srt")


def data_file(*parts: str) -> bytes:
    return resources.files("tacompanion").joinpath("data", *parts).read_bytes()


# The journal and the study memo show what they are for (home key j).
DEMO_STUDY_MEMO = (
    "Aim: how therapists experience silence and withdrawal in MBT groups for avoidant "
    "personality disorder. Semi-structured interviews, reflexive thematic analysis "
    "(Braun & Clarke); codes are made bottom-up; pilot interviews stay out of the analysis."
)
DEMO_JOURNAL = [
    ("2026-03-02", "Before the first interview: I expect therapists to describe silence as "
                   "withdrawal. I have run such groups myself; watch for leading probes."),
    ("2026-03-09", "After T2: silence was described as thinking as often as withdrawal. "
                   "My expectation was too narrow; code both, do not decide early."),
]


def create_demo_study(study: Study) -> str:
    """Fill an empty study with the demo; all of it or nothing. Returns a summary."""
    ensure_empty(study)
    labels = study.setting("interviewer_labels", []) or []
    guide_bytes = data_file("guides", GUIDE_FILE)
    guide_text = decode_guide(guide_bytes)
    guide = parse_guide(guide_text)
    plan = json.loads(data_file("demo", "interviews.json"))["interviews"]
    by_transcript = {item["transcript"]: item for item in plan}
    words = 0
    with study.write():
        guide_id = save_guide(study, guide, guide_text, GUIDE_FILE)
        for name in TRANSCRIPTS:
            parsed = parse_transcript_bytes(
                data_file("demo", name), transcript_format(name), name
            ).with_interviewer_labels(labels)
            participant = choose_participant(parsed, name.rsplit(".", 1)[0], None)
            interview_id = None
            item = by_transcript.get(name)
            if item is not None:
                participant_id = ensure_participant(study, participant)
                interview_id = add_interview_with_notes(
                    study, participant_id=participant_id, guide_id=guide_id, guide=guide,
                    started_at=item["started_at"], ended_at=item.get("ended_at"),
                    recording_offset_ms=item.get("recording_offset_ms", 0), notes=item["notes"],
                )
            result = import_transcript(
                study, parsed, participant=participant, file_name=name, interview_id=interview_id
            )
            words += result.words
        for day, text in DEMO_JOURNAL:
            add_entry(study, text, day)
        save_memo(study, None, None, DEMO_STUDY_MEMO)
    return (
        f"the guide '{guide.title}', {len(TRANSCRIPTS)} transcripts ({words:,} words) "
        f"and notes of {len(plan)} interviews"
    )
