from tacompanion.core.fuzzy import rank, score

CODES = ["Silence in the group", "Self-criticism", "Shame", "Sense of safety", "Therapist silence"]


def test_empty_query_keeps_everything_in_order():
    assert [m.text for m in rank("", CODES)] == CODES


def test_exact_beats_prefix_beats_word_start_beats_scattered():
    names = [m.text for m in rank("silence", CODES)]
    assert names == ["Silence in the group", "Therapist silence"]
    assert rank("shame", CODES)[0].text == "Shame"
    assert [m.text for m in rank("ss", ["Sense of safety", "Shame"])][0] == "Sense of safety"
    assert rank("sig", CODES)[0].text == "Silence in the group"  # s..i..g at word starts


def test_case_insensitive_and_non_matches_drop_out():
    assert [m.text for m in rank("SHAME", CODES)] == ["Shame"]
    assert rank("xyz", CODES) == []
    assert score("abc", "cba") is None


def test_positions_mark_the_matched_characters():
    m = rank("ther", ["Therapist silence"])[0]
    assert m.positions == (0, 1, 2, 3)


def test_limit():
    assert len(rank("s", CODES, limit=2)) == 2
