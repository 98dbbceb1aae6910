"""Word and sentence selection over code points, with hard scripts."""

from __future__ import annotations

import pytest

from tacompanion.core.spans import (
    Span,
    extend_forward,
    move_start_backward,
    move_start_forward,
    sentences,
    shrink_backward,
    words,
)


def texts(source, spans):
    return [s.text(source) for s in spans]


def test_words_keep_punctuation_and_split_on_space():
    t = "Well, I just  sat there."
    assert texts(t, words(t)) == ["Well,", "I", "just", "sat", "there."]


def test_words_inside_a_span_only():
    t = "P1: We sat. Then"
    assert texts(t, words(t, Span(4, 11))) == ["We", "sat."]


def test_combining_accents_and_emoji_stay_whole():
    t = "cafe\u0301 \U0001F469\u200d\U0001F4BB ok\U0001F44D\U0001F3FD"
    assert texts(t, words(t)) == ["cafe\u0301", "\U0001F469\u200d\U0001F4BB", "ok\U0001F44D\U0001F3FD"]


def test_cjk_ideographs_are_words_of_their_own():
    t = "我很安静 ok"
    assert texts(t, words(t)) == ["我", "很", "安", "静", "ok"]


def test_sentences():
    t = "I was quiet. Was it fear? Maybe… I don't know!\u201d It took 3.5 weeks"
    assert texts(t, sentences(t)) == [
        "I was quiet.",
        "Was it fear?",
        "Maybe…",
        "I don't know!\u201d",
        "It took 3.5 weeks",
    ]


def test_cjk_sentences_end_at_full_stops():
    t = "我很安静。她没有说话。"
    assert texts(t, sentences(t)) == ["我很安静。", "她没有说话。"]


def test_extend_and_shrink_selection_by_word():
    t = "We sat in silence for a while."
    units = words(t)
    sel = units[1]  # "sat"
    sel = extend_forward(sel, units)
    sel = extend_forward(sel, units)
    assert sel.text(t) == "sat in silence"
    assert shrink_backward(sel, units).text(t) == "sat in"
    assert move_start_forward(sel, units).text(t) == "in silence"
    assert move_start_backward(sel, units).text(t) == "We sat in silence"
    last = Span(units[-1].start, units[-1].end)
    assert extend_forward(last, units) == last
    assert shrink_backward(units[0], units) == units[0]
    assert move_start_forward(units[0], units) == units[1]  # one word walks along
    assert move_start_forward(units[-1], units) == units[-1]


def test_span_rules():
    with pytest.raises(ValueError):
        Span(5, 3)
    assert Span(0, 4).overlaps(Span(3, 6)) and not Span(0, 3).overlaps(Span(3, 6))
    assert Span(0, 9).contains(Span(2, 4))


def test_count_touched_segments():
    from tacompanion.core.spans import count_touched

    segments = [(0, 10), (10, 20), (20, 30), (30, 40)]
    assert count_touched(segments, []) == 0
    assert count_touched(segments, [(5, 6)]) == 1
    assert count_touched(segments, [(9, 11)]) == 2  # one mark across a boundary
    assert count_touched(segments, [(10, 10 + 1), (12, 25), (39, 40)]) == 3
    assert count_touched(segments, [(40, 50)]) == 0  # touching the end is not overlapping


def test_hint_labels_are_short_distinct_and_none_starts_another():
    from tacompanion.core.spans import hint_labels

    assert hint_labels(3) == ["a", "s", "d"]
    for n in (1, 26, 27, 30, 60, 300, 676, 700):
        labels = hint_labels(n)
        assert len(labels) == len(set(labels)) == n
        assert not any(a != b and b.startswith(a) for a in labels for b in labels)
        assert max(map(len, labels)) == (1 if n <= 26 else 2 if n <= 676 else 3)
    assert sum(len(label) == 1 for label in hint_labels(30)) == 25  # most stay one letter


def test_sentence_steps_and_extending_to_a_word():
    from tacompanion.core.spans import Span, covering, extend_to, find_all, next_unit, previous_unit, sentences, unit_at

    text = "One two. Three four five. Six."
    s = sentences(text)
    assert next_unit(None, s) == s[0] and previous_unit(None, s) == s[-1]
    assert next_unit(s[0], s) == s[1] and previous_unit(s[1], s) == s[0]
    assert next_unit(s[-1], s) is None
    assert unit_at(s, text.index("four")) == 1
    assert covering(Span(text.index("two"), text.index("four")), s) == Span(0, s[1].end)
    five = Span(text.index("five"), text.index("five") + 4)
    assert extend_to(Span(0, 3), five) == Span(0, five.end)
    assert extend_to(Span(five.start, five.end), Span(0, 3)) == Span(0, five.end)
    assert find_all("Silence, silence.", "SILENCE") == [Span(0, 7), Span(9, 16)]
