"""Finding a question by number or a few letters."""

from __future__ import annotations

from tacompanion.core.guide_parser import parse_guide
from tacompanion.core.question_search import example_word, find_questions, jump_placeholder, unambiguous_number

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


def test_an_example_word_finds_its_question_first():
    q = GUIDE.questions
    assert example_word(GUIDE, q[1]) == "silence"  # the longest word that finds it alone
    assert example_word(GUIDE, q[2]) == "therapy"
    assert example_word(GUIDE, q[5]) == "anything"
    terse = parse_guide("# G\n\n## S\n\n1. Why so?\n")
    assert example_word(terse, terse.questions[0]) is None  # no word of five letters or more
    for question in q:
        word = example_word(GUIDE, question)
        assert word is None or find_questions(GUIDE, word)[0] == question


def test_the_go_to_placeholder_comes_from_the_guide_in_use():
    q = GUIDE.questions
    one_section = jump_placeholder(GUIDE, q[0].id)  # no next section: the next question
    assert one_section == "2  or  silence"
    assert jump_placeholder(GUIDE, q[1].id) == "3  or  therapy"
    assert jump_placeholder(GUIDE, q[11].id) == "1  or  background"  # the last: round to the first
    short = parse_guide("# G\n\n## S\n\n1. Why?\n2. How so?\n3. What about holidays?\n")
    assert jump_placeholder(short, short.questions[0].id) == "3  or  holidays"  # Q2 has no word that will do
    bare = parse_guide("# G\n\n## S\n\n1. Why?\n2. How?\n")
    assert jump_placeholder(bare, bare.questions[0].id) == "2  or  a few words"
