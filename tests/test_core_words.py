"""core.words: the small wording helpers screens share."""

from tacompanion.core.words import clip, plural


def test_plural():
    assert [plural(n, "extract") for n in (0, 1, 2)] == ["0 extracts", "1 extract", "2 extracts"]


def test_clip_keeps_what_fits_and_marks_a_cut():
    assert clip("Silence", 7) == "Silence"
    assert clip("Silence", 6) == "Silen…"
    assert len(clip("Being with silence", 10)) == 10
