"""Marking by hand where a guide question starts in a transcript (`Q` in the
reading and the coding views): for transcripts without times, or whose
interview was not run in the app, this is how turns get their question for
the answers-by-question view."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from tacompanion.store.by_question import (
    load_choice_guide,
    mark_question_start,
    study_guides,
    transcript_guide,
)
from tacompanion.tui.dialogs.picker import FuzzyPicker, Picked


def mark_question_here(screen: Screen, transcript_id: int, segment_id: int, say: Callable[[str], None]) -> None:
    """Ask which question starts at this turn and store the mark. The
    questions are those of the guide the transcript follows; when it follows
    none yet, ask which guide first. `say` reports the outcome."""
    study = screen.app.study
    choice = transcript_guide(study, transcript_id)
    if choice is not None:
        _pick_question(screen, segment_id, choice.id, say)
        return
    guides = study_guides(study)
    if not guides:
        say("No interview guide in this study to mark questions from.")
        return

    def picked(result: Picked | None) -> None:
        if result is not None and result.item_id is not None:
            _pick_question(screen, segment_id, result.item_id, say)

    screen.app.push_screen(
        FuzzyPicker("Which guide did this interview follow?", [(g.id, g.label) for g in guides]), picked
    )


def _pick_question(screen: Screen, segment_id: int, guide_id: int, say: Callable[[str], None]) -> None:
    guide = load_choice_guide(screen.app.study, guide_id)
    if guide is None or not guide.questions:
        say("That guide has no questions to mark.")
        return
    items = [(q.number, f"Q{q.number}. {q.text}") for q in guide.questions]
    items.append((0, "(no question starts here: remove the mark)"))

    def picked(result: Picked | None) -> None:
        if result is None or result.item_id is None:
            return
        question = None if result.item_id == 0 else guide.questions[result.item_id - 1]
        mark_question_start(screen.app.study, segment_id, question.id if question else None, guide_id)
        say(f"Q{question.number} starts at this turn; later turns follow it up to the next mark."
            if question else "Question mark removed.")

    screen.app.push_screen(FuzzyPicker("Which question starts at this turn?", items), picked)
