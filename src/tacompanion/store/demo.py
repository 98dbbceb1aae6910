"""Writing the demo study's interviews and notes (the rest goes through the
ordinary import and guide functions)."""

from __future__ import annotations

from datetime import timedelta

from tacompanion.core.guide import Guide
from tacompanion.core.interview import parse_iso
from tacompanion.core.note_markers import KIND_NOTE, ParsedNote, note_tags
from tacompanion.store.interviews import (
    create_interview,
    end_interview,
    make_current,
    set_recording_offset,
    start_clock,
)
from tacompanion.store.notes import add_note
from tacompanion.store.study import Study, StudyError


def ensure_empty(study: Study) -> None:
    """Refuse (StudyError) unless the study holds nothing yet."""
    counts = study.query(
        "SELECT (SELECT count(*) FROM participants) AS participants, "
        "(SELECT count(*) FROM guides) AS guides, "
        "(SELECT count(*) FROM transcripts) AS transcripts, "
        "(SELECT count(*) FROM codes) AS codes"
    )[0]
    if any(counts.values()):
        held = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        raise StudyError(
            f"{study.path}: already holds a study ({held}); the demo needs a new file: "
            "choose another path with --db, or open this one with "
            f"tacompanion --db {study.path}"
        )


def _iso(moment) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add_interview_with_notes(
    study: Study,
    *,
    participant_id: int,
    guide_id: int,
    guide: Guide,
    started_at: str,
    ended_at: str | None,
    recording_offset_ms: int,
    notes: list[dict],
) -> int:
    """An interview replayed as the interview screen would have stored it:
    created and its clock started at `started_at`, each note taken on its
    question (made current first, marked covered by its first note) at its
    time (made current at its `asked_ms` when given), and ended at
    `ended_at`. Returns the interview's id."""
    start = parse_iso(started_at)
    with study.write():
        interview_id = create_interview(study, participant_id, guide_id, guide, pilot=False, at=started_at)
        start_clock(study, interview_id, started_at)
        if recording_offset_ms:
            set_recording_offset(study, interview_id, recording_offset_ms)
        current = guide.questions[0].id if guide.questions else None
        covered: set[str] = set()
        for item in sorted(notes, key=lambda n: n.get("elapsed_ms") or 0):
            question_id, elapsed = item.get("question"), item.get("elapsed_ms")
            at = _iso(start + timedelta(milliseconds=elapsed or 0))
            if question_id is not None and question_id != current:
                # The question became current when it was asked (`asked_ms`,
                # when the demo knows it), usually before the first note on it.
                asked = item.get("asked_ms", elapsed)
                asked_at = _iso(start + timedelta(milliseconds=asked or 0))
                make_current(study, interview_id, question_id, asked, asked_at)
                current = question_id
            tags = tuple(item.get("tags") or note_tags(item["text"]))
            note = ParsedNote(item.get("kind", KIND_NOTE), item["text"], tags)
            add_note(
                study, interview_id, question_id, note, elapsed,
                mark_covered=question_id is not None and question_id not in covered, at=at,
            )
            if question_id is not None:
                covered.add(question_id)
        if ended_at:
            end_interview(study, interview_id, ended_at)
    return interview_id


def add_demo_analysis(study: Study, plan: dict, coder: str) -> dict[str, int]:
    """Codes, codings (found by their words in transcripts and notes), themes
    with subthemes and one memo of each kind, as the demo's `plan` says
    (formats.demo.DEMO_ANALYSIS). Part of the demo's one transaction; the
    undo log is cleared after, so `u` cannot take the demo apart. Returns
    how many of each were made. A phrase that is not found is an error: the
    demo's data and plan are shipped together."""
    from tacompanion.core.document import DocRef
    from tacompanion.core.spans import Span
    from tacompanion.store.codes import apply_code, create_code, describe_code
    from tacompanion.store.memos import save_memo
    from tacompanion.store.themes import create_theme, define_theme, move_code, set_status

    def transcript_place(file_name: str, words: str) -> tuple[DocRef, Span]:
        row = study.query("SELECT id, text FROM transcripts WHERE file_name = ?", (file_name,))
        at = row[0]["text"].find(words) if row else -1
        if at < 0:
            raise StudyError(f"demo: {words!r} is not in {file_name}")
        return DocRef(transcript_id=row[0]["id"]), Span(at, at + len(words))

    def note_place(file_name: str, words: str) -> tuple[DocRef, Span]:
        for note in study.query(
            "SELECT n.id, n.text FROM notes n JOIN transcripts t ON t.interview_id = n.interview_id "
            "WHERE t.file_name = ? ORDER BY n.id", (file_name,),
        ):
            at = note["text"].find(words)
            if at >= 0:
                return DocRef(note_id=note["id"]), Span(at, at + len(words))
        raise StudyError(f"demo: no note of {file_name} holds {words!r}")

    made = {"codes": 0, "codings": 0, "themes": 0, "memos": 0}
    with study.write():
        code_ids: dict[str, int] = {}
        for code in plan["codes"]:
            code_ids[code["name"]] = create_code(study, code["name"])
            describe_code(study, code_ids[code["name"]], code["description"])
            made["codes"] += 1
            for file_name, words in code.get("transcripts", []):
                doc, span = transcript_place(file_name, words)
                made["codings"] += apply_code(study, code_ids[code["name"]], doc, span, coder) is not None
            for file_name, words in code.get("notes", []):
                doc, span = note_place(file_name, words)
                made["codings"] += apply_code(study, code_ids[code["name"]], doc, span, coder) is not None
        theme_ids: dict[str, int] = {}

        def add_theme(item: dict, parent: int | None) -> None:
            theme_id = create_theme(study, item["name"], parent, item.get("definition", ""))
            theme_ids[item["name"]] = theme_id
            made["themes"] += 1
            if item.get("definition"):
                define_theme(study, theme_id, item["definition"])
            if item.get("status"):
                set_status(study, theme_id, item["status"])
            for name in item.get("codes", []):
                move_code(study, code_ids[name], theme_id)
            for sub in item.get("subthemes", []):
                add_theme(sub, theme_id)

        for item in plan["themes"]:
            add_theme(item, None)
        for memo in plan["memos"]:
            kind, text = memo["kind"], memo["text"]
            if kind == "code":
                target_id = code_ids[memo["code"]]
            elif kind == "theme":
                target_id = theme_ids[memo["theme"]]
            elif kind == "transcript":
                target_id = study.scalar("SELECT id FROM transcripts WHERE file_name = ?", (memo["file"],))
            elif kind == "segment":
                doc, span = transcript_place(memo["file"], memo["words"])
                target_id = study.scalar(
                    "SELECT id FROM segments WHERE transcript_id = ? AND start_pos <= ? AND end_pos >= ?",
                    (doc.id, span.start, span.end),
                )
            elif kind == "note":
                target_id = note_place(memo["file"], memo["words"])[0].id
            elif kind == "participant":
                target_id = study.scalar("SELECT id FROM participants WHERE pseudonym = ?", (memo["participant"],))
            elif kind == "interview":
                target_id = study.scalar("SELECT interview_id FROM transcripts WHERE file_name = ?", (memo["file"],))
            else:
                raise StudyError(f"demo: a memo cannot be on {kind!r}")
            if target_id is None:
                raise StudyError(f"demo: nothing to attach the {kind} memo to")
            save_memo(study, kind, target_id, text)
            made["memos"] += 1
        # The demo is where the study starts, not steps to undo; its decisions
        # stay in the audit trail (not undoable), so that screen has something to show.
        study.conn.execute("UPDATE operations SET undoable = 0")
    return made


def mark_demo_questions(study: Study, file_name: str, marks: list[tuple[str, int]], guide: Guide,
                        guide_id: int) -> int:
    """Mark by hand (as Q does) where guide questions start in a transcript
    without times: `marks` are (the words that begin the interviewer's turn,
    the question's number). Returns the marks made."""
    from tacompanion.store.by_question import mark_question_start

    made = 0
    for words, number in marks:
        segment_id = study.scalar(
            "SELECT s.id FROM segments s JOIN transcripts t ON t.id = s.transcript_id "
            "WHERE t.file_name = ? AND s.text LIKE ? || '%' ORDER BY s.position LIMIT 1", (file_name, words),
        )
        if segment_id is None:
            raise StudyError(f"demo: no turn of {file_name} begins {words!r}")
        # The transcript follows its interview's guide already: only the marks are new.
        mark_question_start(study, segment_id, guide.questions[number - 1].id)
        made += 1
    return made
