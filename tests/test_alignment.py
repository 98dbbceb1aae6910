from tacompanion.core.alignment import align_by_time, effective_questions, question_at

CHANGES = [(0, "q1"), (60_000, "q2"), (180_000, "q3"), (120_000, "q4")]  # q4 jumped to early


def test_question_current_at_a_moment():
    ordered = sorted(CHANGES)
    assert question_at(ordered, 59_999, "q1") == "q1"
    assert question_at(ordered, 60_000, "q1") == "q2"
    assert question_at(ordered, 150_000, "q1") == "q4"
    assert question_at([], 5, "q1") == "q1"


def test_turns_are_placed_on_the_clock_with_the_recording_offset():
    # The recorder ran 40 s before the clock: recording 100 s = clock 60 s.
    starts = [None, 10_000, 99_999, 100_000, 230_000]
    assert align_by_time(starts, CHANGES, 40_000, "q1") == [None, "q1", "q1", "q2", "q3"]


def test_hand_marks_override_times_until_the_next_mark():
    timed = ["q1", "q1", "q2", "q2", "q3"]
    marks = [None, "q5", None, "q2", None]
    assert effective_questions(timed, marks) == ["q1", "q5", "q5", "q2", "q2"]
    assert effective_questions([None, None], [None, None]) == [None, None]
