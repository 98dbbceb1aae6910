"""PiecewiseRedactor redacts a text line by line with exactly the result of
core.redaction.Redactor on the whole text: the same spans, the same text."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tacompanion.core.redaction import Redactor
from tacompanion.core.redaction_pieces import PiecewiseRedactor

SAME = settings(max_examples=400, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# words that finds are made of, with letters beyond ASCII, a combining mark
# (decomposed ø), ß, a genitive, punctuation and every kind of white space
WORDS = ["Anna", "anna", "Berg", "BERG", "Tromsø", "Tromso\u0338", "TROMSØ", "Straße", "STRASSE", "Ann's",
         "Ann’s", "Anns", "café", "Dr.", "P3", "p3", "x", "ø", "é", "\u0301", "naïve", "-", "'s", "[city]"]
SPACES = [" ", "\n", "\n\n", "  ", "\t", "\u00a0", " \n", "\n ", "\r\n", "\u2028"]


@st.composite
def texts_and_finds(draw):
    parts = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)), max_size=60))
    text = "".join(w + s for w, s in parts)
    if draw(st.booleans()):
        text = text.rstrip()
    finds = draw(st.lists(st.one_of(
        st.sampled_from(WORDS[:20]),
        st.builds(lambda a, s, b: a + s + b, st.sampled_from(WORDS[:16]), st.sampled_from([" ", "  ", "\n"]),
                  st.sampled_from(WORDS[:16])),
        st.builds(lambda a, b, c: f"{a} {b} {c}", st.sampled_from(WORDS[:6]), st.sampled_from(WORDS[:6]),
                  st.sampled_from(WORDS[:6])),
    ), max_size=4))
    replacements = draw(st.lists(st.sampled_from(["[x]", "", "Anna", "é", "[city]"]), min_size=len(finds),
                                 max_size=len(finds)))
    return text, list(zip(finds, replacements, strict=True))


@SAME
@given(texts_and_finds())
@example(("Anna\n\nBerg met anna\nberg in Tromsø.\nAnna Berg's café", [("Anna Berg", "[name]")]))
@example(("é\nAnna\nBerg\né", [("Anna Berg", "[name]"), ("é", "E")]))
@example(("Ann's\nTromso\u0338s\nnaïve Anns", [("Ann", "[n]"), ("Tromsø", "[c]")]))
@example(("Straße\né STRASSE\nstrasse é", [("STRASSE", "[s]"), ("Straße", "[t]")]))
@example(("é\nx", [(" x", "[lead]")]))  # a find that begins or ends with white space: never cut
@example(("x\n\u00a0é", [("x ", "[trail]")]))
def test_pieces_give_what_the_whole_text_gives(case):
    text, pairs = case
    whole, pieces = Redactor(pairs), PiecewiseRedactor(pairs)
    assert pieces.spans(text) == whole.spans(text)
    assert pieces(text) == whole(text)


def test_lines_beyond_ascii_go_alone_unless_a_cut_could_split_a_match():
    text = "one Anna\ntwo é\nthree\nfour\nAnna\nBerg é\nfive\n"
    single = PiecewiseRedactor([("Anna", "[n]")])
    assert [text[a:b] for a, b in single.pieces(text)] == ["one Anna\n", "two é\n", "three\nfour\nAnna\n",
                                                           "Berg é\n", "five\n"]
    double = PiecewiseRedactor([("Anna Berg", "[n]")])
    # a line ending with "Anna" is not cut from the next: "Anna\nBerg" is a match
    assert [text[a:b] for a, b in double.pieces(text)] == ["one Anna\ntwo é\n", "three\nfour\nAnna\nBerg é\n",
                                                           "five\n"]
    assert double(text) == Redactor([("Anna Berg", "[n]")])(text) == text.replace("Anna\nBerg", "[n]")


@SAME
@given(texts_and_finds(), st.lists(st.integers(0, 400), max_size=12), st.sampled_from([1, 7, 40, 1 << 16]))
@example(("Anna\n\nBerg é\nAnna\nBerg", [("Anna Berg", "[n]")]), [5, 6], 1)
@example(("x\nAnna\n\n\n\nBerg é", [("Anna Berg", "[n]")]), [7, 8, 9], 1)  # a run of lines split apart
def test_a_text_given_in_pieces_is_redacted_as_a_whole(case, splits, size):
    """stream(): the text comes in pieces (cut anywhere) and goes out in
    parts (cut where safe); joined, it is the whole text redacted."""
    text, pairs = case
    cuts = sorted({min(s, len(text)) for s in splits})
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    redactor = PiecewiseRedactor(pairs)
    assert "".join(redactor.stream(iter(pieces), size=size)) == Redactor(pairs)(text)
