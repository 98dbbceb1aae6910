"""Note markers: ! quote, ? follow-up, #tags."""

from __future__ import annotations

import pytest

from tacompanion.core.note_markers import note_tags, parse_note, tag_spans


def test_a_plain_note():
    note = parse_note("  talks about   supervision  ")
    assert (note.kind, note.text, note.tags) == ("note", "talks about supervision", ())


def test_bang_makes_a_quote_and_the_marker_is_dropped():
    note = parse_note("! I felt like a wall #silence")
    assert (note.kind, note.text, note.tags) == ("quote", "I felt like a wall #silence", ("silence",))


def test_question_mark_makes_a_follow_up():
    note = parse_note("?ask about the co-therapist")
    assert (note.kind, note.text) == ("follow-up", "ask about the co-therapist")


def test_a_marker_later_in_the_note_is_just_text():
    assert parse_note("why? she said!").kind == "note"


@pytest.mark.parametrize("raw", ["", "   ", "!", "? ", "\n"])
def test_nothing_to_save(raw):
    assert parse_note(raw) is None


def test_tags_are_words_after_hash_lowercased_once_in_order():
    assert note_tags("#Shame then #group-work and #shame again, #ok_2.") == ("shame", "group-work", "ok_2")


@pytest.mark.parametrize("text", ["question #3", "C# code", "issue#12", "##", "# heading"])
def test_not_tags(text):
    assert note_tags(text) == ()


def test_unicode_tags():
    assert note_tags("#skam og #mentalisering") == ("skam", "mentalisering")


def test_tag_spans_cover_the_hash_and_word():
    text = "a #tag-here- b"
    (start, end), = tag_spans(text)
    assert text[start:end] == "#tag-here"
