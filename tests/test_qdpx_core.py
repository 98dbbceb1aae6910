"""Pure helpers of REFI-QDA exchange: redaction with positions carried over,
line endings, the interview-notes text, GUIDs."""

from __future__ import annotations

import pytest

from tacompanion.core.qdpx import (
    best_convention,
    canonical_guid,
    derived_guid,
    join_notes,
    normal_guid,
    normalise_with_map,
    position_readings,
    redact,
    split_notes,
)

RULES = [("Tromsø", "[city]"), ("Anna Berg", "[name]"), ("Tromsø kommune", "[council]"), ("um, ", "")]


def test_redact_replaces_longest_first_left_to_right():
    out = redact("Anna Berg moved to Tromsø kommune, um, from Tromsø.", RULES)
    assert out.text == "[name] moved to [council], from [city]."


@pytest.mark.parametrize(
    "old, new",
    [("moved", "moved"), ("Anna Berg", "[name]"), ("Berg moved", "[name] moved"),
     ("from Tromsø.", "from [city]."), ("Tromsø kommune, um, from", "[council], from"),
     ("kommune", "[council]")],
)
def test_redact_carries_each_span_onto_the_replaced_text(old, new):
    text = "Anna Berg moved to Tromsø kommune, um, from Tromsø."
    out = redact(text, RULES)
    start = text.index(old)
    span = out.map_span(start, start + len(old))
    assert span is not None
    assert out.text[span[0]:span[1]] == new


def test_a_span_wholly_inside_a_deleted_run_is_gone_and_one_touching_it_shrinks():
    text = "yes um, no"
    out = redact(text, [("um, ", "")])
    assert out.text == "yes no"
    assert out.map_span(4, 7) is None  # "um," alone
    assert out.text[slice(*out.map_span(4, 10))] == "no"
    assert out.text[slice(*out.map_span(0, 6))] == "yes "


def test_no_rules_no_change():
    out = redact("same 😀", [])
    assert out.text == "same 😀" and out.map_span(5, 6) == (5, 6)


def test_positions_after_a_run_shift_by_its_change_in_length_in_code_points():
    text = "😀 Tromsø 語 e\u0301 end"
    out = redact(text, [("Tromsø", "X")])
    start = text.index("end")
    assert out.text[slice(*out.map_span(start, start + 3))] == "end"
    start = text.index("語")
    assert out.text[slice(*out.map_span(start, start + 4))] == "語 e\u0301"


def test_newline_map_counts_raw_positions_over_crlf():
    raw = "ab\r\ncd\r\nef"
    nl = normalise_with_map(raw)
    assert nl.text == "ab\ncd\nef"
    assert nl.text[nl.from_raw(raw.index("cd")):nl.from_raw(raw.index("cd") + 2)] == "cd"
    assert nl.text[nl.from_raw(raw.index("ef")):] == "ef"


def test_best_convention_tells_crlf_counted_once_from_twice():
    raw = "Line one here.\r\nSecond line here.\r\nThird line is here.\r\n"
    lf = raw.replace("\r\n", "\n")
    word = "Third line"
    twice = [(raw.index(word), raw.index(word) + len(word), word)]
    once = [(lf.index(word), lf.index(word) + len(word), word)]
    assert best_convention(raw, twice) == "raw"
    assert best_convention(raw, once) == "lf"
    assert best_convention(lf, once) == "raw"  # no CRLF: nothing to decide


def test_notes_join_and_split_back():
    notes = [("note", 271_000, "first\n\nwith a blank line"), ("quote", None, '"I felt 😀"'),
             ("follow-up", 3_723_000, "ask about [00:01:00] note")]
    text, starts = join_notes(notes)
    assert text.startswith("[0:04:31] note\nfirst")
    blocks = split_notes(text)
    assert [(b.kind, b.elapsed_ms, b.text) for b in blocks] == notes
    assert [b.start for b in blocks] == starts
    for (_, _, body), start in zip(notes, starts, strict=True):
        assert text[start:start + len(body)] == body


def test_split_notes_refuses_other_texts():
    assert split_notes("Interviewer: hello") is None


def test_guids():
    su = "3f1c2a9e-1111-4222-8333-444455556666"
    assert derived_guid(su, "coder", "ana") == derived_guid(su, "coder", "ana")
    assert derived_guid(su, "coder", "ana") != derived_guid(su, "coder", "bo")
    assert normal_guid("{088B08AC-D5CD-4ADB-8B71-B4F3459C177F}") == "088b08ac-d5cd-4adb-8b71-b4f3459c177f"
    assert normal_guid("line:6") is None
    assert normal_guid(canonical_guid("not-a-guid")) is not None


def test_utf16_positions_are_told_and_converted():
    text = "😀 one 𠀋 two\nthree 👍🏽 four\n"
    word = "four"
    cp = text.index(word)
    units = len(text[:cp].encode("utf-16-le")) // 2
    assert units != cp
    assert best_convention(text, [(units, units + 4, word)]) == "utf16"
    assert best_convention(text, [(cp, cp + 4, word)]) == "raw"
    limit, to_cp = position_readings(text)["utf16"]
    assert limit == len(text.encode("utf-16-le")) // 2
    assert text[to_cp(units):to_cp(units + 4)] == word
    assert "utf16" not in position_readings("no astral here")
