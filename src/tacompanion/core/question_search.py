"""Finding a question fast in the room: by its number or by a few letters of
its text, typed sloppily.

Scoring per query word, best first: the start of a word in the question (3),
anywhere in the question (2), the letters in order within one word of the
question (1, so "silnc" finds "silence"); a word found only in a probe
counts 1. Hyphens and spaces inside the question do not matter ("cotherap"
finds "co-therapist"). Every query word must be found somewhere.
"""

from __future__ import annotations

import unicodedata

from tacompanion.core.guide import Guide, Question
from tacompanion.core.interview import neighbour_question, neighbour_section_question


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in _fold(text)).split()


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(c in it for c in needle)


def _word_score(word: str, text: str, words: list[str]) -> int:
    if any(w.startswith(word) for w in words):
        return 3
    if word in text or word in "".join(words):  # "cotherap" finds "co-therapist"
        return 2
    if len(word) >= 3 and any(w[:1] == word[:1] and _is_subsequence(word, w) for w in words):
        return 1
    return 0


def question_number(query: str) -> int | None:
    """`7`, `q7` or `Q7` as a question number; None for anything else."""
    text = query.strip().lower().removeprefix("q")
    return int(text) if text.isdigit() else None


def find_questions(guide: Guide, query: str) -> list[Question]:
    """Questions matching `query`, best first (all, in order, for no query)."""
    questions = list(guide.questions)
    if not query.strip():
        return questions
    number = question_number(query)
    if number is not None:
        digits = str(number)
        exact = [q for q in questions if q.number == number]
        starting = [q for q in questions if q.number != number and str(q.number).startswith(digits)]
        return exact + starting
    query_words = _words(query)
    if not query_words:
        return questions
    scored: list[tuple[int, int, Question]] = []
    for q in questions:
        text = _fold(q.text)
        words = _words(q.text)
        probe_text = _fold(" ".join(p.text for p in q.probes))
        probe_words = _words(probe_text)
        total = 0
        for word in query_words:
            score = _word_score(word, text, words)
            if not score and _word_score(word, probe_text, probe_words) >= 2:
                score = 1
            if not score:
                break
            total += score
        else:
            scored.append((-total, q.number, q))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [q for _, _, q in scored]


def unambiguous_number(guide: Guide, query: str) -> Question | None:
    """The question a typed number can only mean: it exists and no other
    question's number starts with it (with 14 questions, "7" is settled at
    once while "1" may still become 12)."""
    number = question_number(query)
    if number is None:
        return None
    matches = find_questions(guide, query)
    if len(matches) == 1 and matches[0].number == number:
        return matches[0]
    return None


# Common words make poor examples of what to type to find a question.
_PLAIN_WORDS = frozenset(
    "about after again asked before being could describe during example first happened "
    "little other please their there these thing things think those through under which "
    "while would your yours".split()
)


def example_word(guide: Guide, question: Question) -> str | None:
    """A word of `question` that finds it first, for the go-to box's
    placeholder: an example drawn from the guide in use. The longest word
    that finds it alone, else the longest that finds it first; None when no
    word of five letters or more will do."""
    alone: list[str] = []
    first: list[str] = []
    for word in _words(question.text):
        if len(word) < 5 or not word.isalpha() or word in _PLAIN_WORDS:
            continue
        found = find_questions(guide, word)
        if found and found[0].id == question.id:
            (alone if len(found) == 1 else first).append(word)
    candidates = alone or first
    return max(candidates, key=len) if candidates else None


def jump_placeholder(guide: Guide, current_id: str) -> str:
    """The go-to box's placeholder: an example of what to type, taken from
    the guide in use. A question further on (from the next section's first,
    else the next one, round to the start), by its number and by one of its
    words (`6  or  therapies`)."""
    questions = list(guide.questions)
    ids = [q.id for q in questions]
    start = (
        neighbour_section_question(guide, current_id, 1)
        or neighbour_question(guide, current_id, 1)
        or (questions[0] if questions else None)
    )
    if start is None:
        return "a number, or a few words"
    at = ids.index(start.id)
    for question in questions[at:] + questions[:at]:
        if question.id == current_id:
            continue
        word = example_word(guide, question)
        if word:
            return f"{question.number}  or  {word}"
    return f"{start.number}  or  a few words"
