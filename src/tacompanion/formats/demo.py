"""The demo study: the shipped MBT guide, four synthetic therapist interviews
in four formats (.txt, .md, .vtt, .srt) and live notes for two of them, all
packaged inside tacompanion (`tacompanion/data`)."""

from __future__ import annotations

import json
from importlib import resources

from tacompanion.core.guide_parser import decode_guide, parse_guide
from tacompanion.core.transcript import choose_participant
from tacompanion.formats.transcript_files import parse_transcript_bytes, transcript_format
from tacompanion.store.demo import add_demo_analysis, add_interview_with_notes, ensure_empty, mark_demo_questions
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


# The analysis begun (so that the map, review, matrix, report and memos have
# something to show): codes found by their words, two themes with subthemes,
# one memo of each kind. Deterministic: the same study every time.
DEMO_CODER = "demo"
DEMO_ANALYSIS = {
    "codes": [
        {"name": "silence as thinking", "description": "A quiet in which the work goes on.",
         "transcripts": [("t1-interview.txt", "There is a silence where people are thinking, and you can "
                          "almost feel the work going on.")]},
        {"name": "silence as hiding", "description": "A quiet in which people have gone somewhere else.",
         "transcripts": [("t1-interview.txt", "And there is a silence that is more like hiding, where "
                          "everybody has gone somewhere else."),
                         ("t3-interview.vtt", "After she said that, she withdrew. She went somewhere else.")],
         "notes": [("t1-interview.txt", "Two kinds of silence: thinking vs hiding")]},
        {"name": "naming the silence aloud", "description": "The therapist says what they notice in the room.",
         "transcripts": [("t1-interview.txt", "So I tried to say out loud what I was noticing."),
                         ("t2-interview.md", "We decided to name it gently, once per session, without pushing."),
                         ("t3-interview.vtt", "Now I try to stop and say what I see.")]},
        {"name": "not-knowing stance", "description": "Thinking aloud before being sure; owning mistakes.",
         "transcripts": [("t2-interview.md", "I try to say what I'm thinking before I'm sure of it."),
                         ("t3-interview.vtt", "Being honest about my own mistakes.")],
         "notes": [("t3-interview.vtt", "Therapist's own mistakes as a model: being wrong is survivable.")]},
        {"name": "therapist too careful", "description": "Protectiveness that keeps the therapy polite.",
         "transcripts": [("t1-interview.txt", "I can catch myself being too careful, not challenging them, "
                          "because I don't want them to feel exposed."),
                         ("t3-interview.vtt", "Maybe I was too careful with them."),
                         ("t4-interview.srt", "It felt kind, but it was a kind of collusion.")],
         "notes": [("t1-interview.txt", "Protectiveness that makes therapy 'too polite'")]},
        {"name": "the urge to rescue", "description": "Wanting to reassure or save the quiet patient.",
         "transcripts": [("t2-interview.md", "You want to rescue the quiet ones."),
                         ("t3-interview.vtt", "And I felt this urge to say, it's fine, don't worry about it.")]},
        {"name": "absence as a gift", "description": "The patient's belief that others are better off without them.",
         "transcripts": [("t3-interview.vtt", "The conviction that their absence is a gift to others.")],
         "notes": [("t3-interview.vtt", "their absence is a gift to others")]},
        {"name": "slow work", "description": "Change takes longer than services allow.",
         "transcripts": [("t1-interview.txt", "Only that it's slow work."),
                         ("t4-interview.srt", "They don't cause trouble, so they wait longest.")]},
    ],
    "themes": [
        {"name": "Reading the silence", "status": "reviewed",
         "definition": "Therapists tell silences apart, and say aloud what they notice rather than fill them.",
         "codes": ["naming the silence aloud"],
         "subthemes": [
             {"name": "Silence as work", "codes": ["silence as thinking"]},
             {"name": "Silence as hiding", "codes": ["silence as hiding", "absence as a gift"]},
         ]},
        {"name": "The therapist's own mind",
         "subthemes": [
             {"name": "Making the mind visible", "codes": ["not-knowing stance"]},
             {"name": "Holding back and rescuing", "codes": ["therapist too careful", "the urge to rescue"]},
         ]},
    ],
    "memos": [
        {"kind": "code", "code": "therapist too careful",
         "text": "T1 and T3 both name it; T4 calls it collusion. Is it the therapist's avoidance mirroring the patient's?"},
        {"kind": "theme", "theme": "Reading the silence",
         "text": "Central organising concept: the silence is read, not filled. Check against T4, who says little about it."},
        {"kind": "transcript", "file": "t1-interview.txt",
         "text": "Rich on kinds of silence; the party image is a strong quote."},
        {"kind": "segment", "file": "t3-interview.vtt", "words": "After she said that, she withdrew.",
         "text": "Withdrawal right after a disclosure: compare with T1's 'hiding' silence."},
        {"kind": "note", "file": "t1-interview.txt", "words": "Protectiveness that makes therapy",
         "text": "Asked T2-T4 about this; all three recognised it."},
        {"kind": "participant", "participant": "T4",
         "text": "The only therapist to describe a patient who left; much reflection on it."},
        {"kind": "interview", "file": "t3-interview.vtt",
         "text": "Video call; T3 was reflective and unhurried. Recording started a little after the interview."},
    ],
    # Where the guide's questions start in T1, which has no times (as Q marks them).
    "question_marks": {
        "t1-interview.txt": [
            ("Could you tell me a little about your professional", 1),
            ("And how did you come to work with MBT", 2),
            ("Please tell me about the last group session", 3),
            ("How do you tell different kinds of silence", 4),
            ("What feelings do patients", 10),
            ("In your experience, what helps", 11),
            ("Is there anything we have not talked about", 13),
        ],
    },
}


def create_demo_study(study: Study, *, analysis: bool = True) -> str:
    """Fill an empty study with the demo; all of it or nothing. Returns a summary.
    With analysis=False, the material only (guide, transcripts, notes, journal,
    the study memo): a plain base, as the merge tests start from."""
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
        if not analysis:
            return (
                f"the guide '{guide.title}', {len(TRANSCRIPTS)} transcripts ({words:,} words) "
                f"and notes of {len(plan)} interviews"
            )
        for file_name, marks in DEMO_ANALYSIS["question_marks"].items():
            mark_demo_questions(study, file_name, marks, guide, guide_id)
        made = add_demo_analysis(study, DEMO_ANALYSIS, DEMO_CODER)
    return (
        f"the guide '{guide.title}', {len(TRANSCRIPTS)} transcripts ({words:,} words), "
        f"notes of {len(plan)} interviews, {made['codes']} codes ({made['codings']} codings), "
        f"{made['themes']} themes and subthemes, and {made['memos'] + 1} memos"
    )
