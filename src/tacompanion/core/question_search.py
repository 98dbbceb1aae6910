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
