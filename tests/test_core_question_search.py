"""Finding a question by number or a few letters."""

from __future__ import annotations

from tacompanion.core.guide_parser import parse_guide
from tacompanion.core.question_search import find_questions, unambiguous_number

TEXT = "# G\n\n## S [5 min]\n\n" + "\n".join(
    f"{n}. {text}" for n, text in enumerate(
        [
            "Tell me about your background?",
            "How did silence show up in the session?",
            "What is group therapy like?",
            "How do you make your mind visible?",
            "What helps patients change?",
            "Anything else?",
            "How was this interview for you?",
            "Eighth question?",
            "Ninth question?",
            "Tenth question?",
            "Eleventh question?",
            "Twelfth question?",
        ],
        start=1,
    )
) + "\n    - Is there anything about supervision?\n"
GUIDE = parse_guide(TEXT)


def numbers(found):
    return [q.number for q in found]


def test_no_query_lists_every_question_in_order():
    assert numbers(find_questions(GUIDE, " ")) == list(range(1, 13))


def test_a_number_finds_that_question_first():
    assert numbers(find_questions(GUIDE, "7")) == [7]
    assert numbers(find_questions(GUIDE, "q1")) == [1, 10, 11, 12]


def test_an_unambiguous_number_settles_at_once():
    assert unambiguous_number(GUIDE, "7").number == 7
    assert unambiguous_number(GUIDE, "1") is None  # may become 10, 11, 12
    assert unambiguous_number(GUIDE, "12").number == 12
    assert unambiguous_number(GUIDE, "99") is None
    assert unambiguous_number(GUIDE, "group") is None


def test_words_match_the_start_of_words_best():
    assert numbers(find_questions(GUIDE, "group"))[0] == 3
    assert numbers(find_questions(GUIDE, "sil sess")) == [2]


def test_typos_in_letter_order_still_match():
    assert numbers(find_questions(GUIDE, "silnc")) == [2]
    assert numbers(find_questions(GUIDE, "GRUP"))[0] == 3


def test_accents_and_case_do_not_matter():
    assert numbers(find_questions(GUIDE, "Thérapy")) == [3]


def test_hyphens_do_not_matter():
    guide = parse_guide("# G\n\n## S\n\n1. Working with a co-therapist?\n2. Other?\n")
    assert numbers(find_questions(guide, "cotherap")) == [1]


def test_a_probe_word_finds_its_question():
    assert numbers(find_questions(GUIDE, "supervision")) == [12]


def test_nothing_found():
    assert find_questions(GUIDE, "zebra") == []
