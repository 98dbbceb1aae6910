"""Reading transcripts: every format, encoding and refusal, with exact segments."""

from __future__ import annotations

import codecs
import io

import pytest

from tacompanion.core.transcript import (
    ParticipantQuestion,
    TranscriptError,
    choose_participant,
    decode_text,
    parse_label,
    segment_text,
)
from tacompanion.formats.transcript_files import (
    TranscriptFileError,
    parse_transcript_bytes,
    read_transcript_file,
)

LABELS = ["Interviewer", "I", "Int", "Q", "Moderator"]


def turns(parsed):
    """(speaker, text) per segment, after checking every offset."""
    for s in parsed.segments:
        assert parsed.text[s.start_pos : s.end_pos] == s.text
    return [(s.speaker, s.text) for s in parsed.segments]


# -- plain text ------------------------------------------------------------------------


def test_txt_turns_with_multi_paragraph_turns_and_one_line_turns():
    data = (
        b"Interviewer: How did the group go?\n"
        b"P3: It was quiet.\n"
        b"Very quiet at first.\n"
        b"\n"
        b"Then somebody laughed.\n"
        b"\n"
        b"I: And then?\n"
    )
    parsed = parse_transcript_bytes(data, "txt", "a.txt").with_interviewer_labels(LABELS)
    assert turns(parsed) == [
        ("Interviewer", "How did the group go?"),
        ("P3", "It was quiet.\nVery quiet at first.\n\nThen somebody laughed."),
        ("I", "And then?"),
    ]
    assert [s.is_interviewer for s in parsed.segments] == [True, False, True]
    assert [s.position for s in parsed.segments] == [0, 1, 2]
    assert parsed.format == "txt" and len(parsed.source_hash) == 64


def test_unlabelled_text_is_one_segment_per_paragraph():
    parsed = parse_transcript_bytes(
        b"First paragraph,\nwrapped.\n\n\nSecond one.\n\n   Third.  \n", "txt", "u.txt"
    )
    assert turns(parsed) == [(None, "First paragraph,\nwrapped."), (None, "Second one."), (None, "Third.")]


def test_crlf_and_cr_are_normalised_before_offsets():
    data = b"Interviewer: Hello there.\r\n\r\nP1: Hi.\r\nMore.\rEven more."
    parsed = parse_transcript_bytes(data, "txt", "crlf.txt")
    assert "\r" not in parsed.text
    assert turns(parsed) == [("Interviewer", "Hello there."), ("P1", "Hi.\nMore.\nEven more.")]
    assert parsed.segments[1].start_pos == len("Interviewer: Hello there.\n\nP1: ")


def test_utf8_bom_is_dropped_and_offsets_count_code_points():
    data = codecs.BOM_UTF8 + "Q: Hvordan går det?\n\nP2: Bra — takk, é😀 ok.\n".encode()
    parsed = parse_transcript_bytes(data, "txt", "bom.txt")
    assert not parsed.text.startswith("\ufeff")
    assert turns(parsed) == [("Q", "Hvordan går det?"), ("P2", "Bra — takk, é😀 ok.")]
    assert parsed.segments[0].start_pos == 3


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + "Interviewer: Ja?\r\nP4: Nei, ikke ennå.\r\n".encode(codec)
    parsed = parse_transcript_bytes(data, "txt", "u16.txt")
    assert turns(parsed) == [("Interviewer", "Ja?"), ("P4", "Nei, ikke ennå.")]


def test_markdown_bold_labels_headings_and_rules():
    data = (
        b"# Interview P5\n\n*A note about the recording.*\n\n---\n\n<!-- transcriber: check 12:40 -->\n\n"
        b"**Interviewer:** What helps?\n\n"
        b"**P5**: Time, mostly.\n\nAnd the group.\n\n"
        b"## Part two\n\n"
        b"Interviewer: Anything else?\n"
    )
    parsed = parse_transcript_bytes(data, "md", "p5.md")
    assert turns(parsed) == [
        (None, "*A note about the recording.*"),
        ("Interviewer", "What helps?"),
        ("P5", "Time, mostly.\n\nAnd the group."),
        ("Interviewer", "Anything else?"),
    ]


def test_a_time_stamp_before_the_label_gives_the_turn_its_time():
    parsed = segment_text("[00:01:05] Interviewer: So.\n[1:02:03.5] P1: Yes.\n", "txt")
    assert [(s.speaker, s.start_ms) for s in parsed.segments] == [
        ("Interviewer", 65_000),
        ("P1", 3_723_500),
    ]


@pytest.mark.parametrize(
    "line, speaker",
    [
        ("Dr. Anna Berg: hello", "Dr. Anna Berg"),
        ("Speaker 2: hello", "Speaker 2"),
        ("interviewer: ok", "interviewer"),
        ("Every week: fine, nothing special", None),
        ("http://example.org is a link", None),
        ("10:30 we met", None),
        ("A label that is much too long to be anybody's name at all: x", None),
    ],
)
def test_what_counts_as_a_speaker_label(line, speaker):
    label = parse_label(line)
    assert (label.speaker if label else None) == speaker


# -- docx ------------------------------------------------------------------------------------


def _docx_bytes(paragraphs: list[tuple[str | None, str]], heading: str | None = None) -> bytes:
    import docx

    document = docx.Document()
    if heading:
        document.add_heading(heading, 1)
    for label, text in paragraphs:
        p = document.add_paragraph()
        if label:
            p.add_run(f"{label}:").bold = True
            p.add_run(" ")
        p.add_run(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_one_paragraph_per_turn_with_bold_labels():
    data = _docx_bytes(
        [
            ("Interviewer", "Tell me about the last session."),
            ("T7", "It was a Tuesday."),
            (None, "The group was small."),
            (None, ""),
            ("Interviewer", "And?"),
        ],
        heading="Interview T7, 3 March",
    )
    parsed = parse_transcript_bytes(data, "docx", "t7.docx")
    assert turns(parsed) == [
        ("Interviewer", "Tell me about the last session."),
        ("T7", "It was a Tuesday.\n\nThe group was small."),
        ("Interviewer", "And?"),
    ]
    assert parsed.format == "docx"


def test_truncated_docx_is_refused_naming_the_file():
    data = _docx_bytes([("Interviewer", "Hello")])
    with pytest.raises(TranscriptFileError) as err:
        parse_transcript_bytes(data[: len(data) // 2], "docx", "cut.docx")
    assert str(err.value).startswith("cut.docx: not a valid .docx file")


def test_a_text_file_named_docx_is_refused():
    with pytest.raises(TranscriptFileError, match=r"^fake.docx: not a \.docx file"):
        parse_transcript_bytes(b"Interviewer: hi\n", "docx", "fake.docx")


# -- subtitles ---------------------------------------------------------------------------------

VTT = """WEBVTT
Kind: captions

NOTE exported by a meeting tool

1
00:00:01.000 --> 00:00:03.500
<v Interviewer>How was the</v>

2
00:00:03.500 --> 00:00:05.000 align:start
<v Interviewer>last session?</v>

00:00:06.000 --> 00:00:09.250
<v.loud P9>Hard &amp; good.
Both.</v>

00:01:00.000 --> 00:01:02.000
<v P9>Mostly good.</v>

01:00:00.000 --> 01:00:01.000
<v Interviewer>Thanks.</v>
"""


def test_vtt_voices_merge_consecutive_cues_keeping_first_start_and_last_end():
    parsed = parse_transcript_bytes(VTT.encode(), "vtt", "p9.vtt")
    assert turns(parsed) == [
        ("Interviewer", "How was the last session?"),
        ("P9", "Hard & good. Both. Mostly good."),
        ("Interviewer", "Thanks."),
    ]
    assert [(s.start_ms, s.end_ms) for s in parsed.segments] == [
        (1000, 5000),
        (6000, 62000),
        (3_600_000, 3_601_000),
    ]
    assert parsed.text == (
        "Interviewer: How was the last session?\n\nP9: Hard & good. Both. Mostly good.\n\n"
        "Interviewer: Thanks.\n"
    )


def test_vtt_without_voices_uses_name_prefixes_or_one_segment_per_cue():
    plain = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfirst cue\n\n00:00:02.000 --> 00:00:03.000\nsecond cue\n"
    assert turns(parse_transcript_bytes(plain.encode(), "vtt", "w.vtt")) == [
        (None, "first cue"),
        (None, "second cue"),
    ]
    zoom = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAnna: hello\n\n2\n00:00:02.000 --> 00:00:03.000\nagain\n"
    assert turns(parse_transcript_bytes(zoom.encode(), "vtt", "z.vtt")) == [("Anna", "hello again")]


SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,000\r\nInterviewer: What happened\r\n\r\n"
    "2\r\n00:00:02,000 --> 00:00:03,000\r\n<i>next?</i>\r\n\r\n"
    "3\r\n00:00:04,000 --> 00:00:06,000\r\nP2: We sat in silence.\r\nFor a while.\r\n\r\n"
    "4\r\n00:00:06,500 --> 00:00:08,000\r\nThen it passed.\r\n"
)


def test_srt_name_on_the_first_cue_of_a_turn_and_merged_cues():
    parsed = parse_transcript_bytes(SRT.encode(), "srt", "p2.srt")
    assert turns(parsed) == [
        ("Interviewer", "What happened next?"),
        ("P2", "We sat in silence. For a while. Then it passed."),
    ]
    assert [(s.start_ms, s.end_ms) for s in parsed.segments] == [(1000, 3000), (4000, 8000)]


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("00:00:01.000 --> 00:00:02.000\nhi\n", 1, "first line must be WEBVTT"),
        ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nhi\n", 3, "broken timing line"),
        ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nok\n\n2\n00:00:0x.000 --> 00:00:05.000\nno\n", 8,
         "broken timing line"),
        ("WEBVTT\n\njust some text\nwithout timing\n", 3, "without a timing line"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nback\n", 3, "ends before it starts"),
    ],
)
def test_broken_vtt_is_refused_with_its_line(text, line, words):
    with pytest.raises(TranscriptFileError) as err:
        parse_transcript_bytes(text.encode(), "vtt", "bad.vtt")
    assert err.value.line == line
    assert str(err.value).startswith(f"bad.vtt:{line}: ") and words in str(err.value)


def test_broken_srt_is_refused_with_its_line():
    text = "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:02 --> 00:00:03,000\nno\n"
    with pytest.raises(TranscriptFileError) as err:
        parse_transcript_bytes(text.encode(), "srt", "bad.srt")
    assert str(err.value).startswith("bad.srt:6: broken timing line")


# -- refusals common to all ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"  \n\t\r\n  ", "empty"),
        (codecs.BOM_UTF8 + b"\n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Interviewer: hi\n".encode("utf-16-le"), "binary"),
        ("Interviewer: blåbær\n".encode("latin-1"), "not valid UTF-8"),
        (codecs.BOM_UTF32_LE + "hi".encode("utf-32-le"), "UTF-32"),
        (bytes(range(1, 9)) * 200, "binary"),
    ],
)
def test_unreadable_text_is_refused(data, words):
    with pytest.raises(TranscriptFileError) as err:
        parse_transcript_bytes(data, "txt", "x.txt")
    assert str(err.value).startswith("x.txt") and words in str(err.value)


def test_a_bad_byte_is_reported_on_its_line():
    data = b"Interviewer: one\nP1: two\nP1: thr\xe9e\n"
    with pytest.raises(TranscriptFileError) as err:
        parse_transcript_bytes(data, "txt", "latin.txt")
    assert str(err.value).startswith("latin.txt:3: not valid UTF-8") and "save the file as UTF-8" in str(err.value)


def test_unknown_extension_missing_file_and_folder(tmp_path):
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(TranscriptFileError, match=r"t\.pdf: unknown transcript format '\.pdf'"):
        read_transcript_file(pdf)
    with pytest.raises(TranscriptFileError, match="no such file"):
        read_transcript_file(tmp_path / "missing.txt")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(TranscriptFileError, match="is a folder"):
        read_transcript_file(tmp_path / "dir.txt")


def test_a_multi_megabyte_single_line_file_is_read_in_linear_work(tmp_path):
    """Work counted in Python calls for a long line and one four times longer
    (its speed is measured in bench/bench_linear.py, never here)."""
    import cProfile
    import pstats

    def work(words: int) -> int:
        path = tmp_path / f"one-line-{words}.txt"
        path.write_bytes(b"P1: " + b"word " * words)  # no newline
        profile = cProfile.Profile()
        profile.enable()
        read_transcript_file(path)
        profile.disable()
        return pstats.Stats(profile).total_calls

    assert work(400_000) <= 4 * 1.5 * work(100_000)
    path = tmp_path / "one-line.txt"
    path.write_bytes(b"P1: " + b"word " * 1_200_000)  # 6 MB, no newline
    parsed = read_transcript_file(path)
    assert len(parsed.segments) == 1 and parsed.segments[0].words == 1_200_000


def test_decode_text_rejects_blank():
    with pytest.raises(TranscriptError):
        decode_text(b"\n \n")


# -- the participant --------------------------------------------------------------------------------


def test_participant_is_given_else_the_single_other_speaker_else_the_file_stem():
    two = segment_text("Interviewer: a\n\nP3: b\n", "txt").with_interviewer_labels(LABELS)
    assert choose_participant(two, "file", None) == "P3"
    assert choose_participant(two, "file", "P9") == "P9"
    none = segment_text("just text\n", "txt").with_interviewer_labels(LABELS)
    assert choose_participant(none, "interview-04", None) == "interview-04"
    group = segment_text("Interviewer: a\n\nAnna: b\n\nBo: c\n", "txt").with_interviewer_labels(LABELS)
    with pytest.raises(ParticipantQuestion) as err:
        choose_participant(group, "file", None)
    assert err.value.speakers == ["Anna", "Bo"] and "--participant" in str(err.value)
