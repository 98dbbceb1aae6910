"""Transcripts as plain data: decoding, speaker turns and their offsets.

Every importer ends here. A transcript is one LF-normalised text; a segment
is one speaker turn (or, without speakers, one paragraph) given as a
`[start, end)` code-point span into that text. The span covers what was said,
not the `Name:` label, so that codings land on speech and word counts leave
labels out. `text[start:end]` is the segment's text, always.

Conventions for plain text (`.txt`, `.md`, and `.docx` paragraphs):

- a line that starts with a label (`Name: text`, in Markdown also
  `**Name:** text` or `**Name**: text`) starts a new turn; a line of its own
  may carry a leading time stamp (`[00:04:31] Name: text`);
- a blank line ends a paragraph; a paragraph without a label continues the
  previous speaker's turn;
- without any labels, each paragraph is a segment.

No I/O here: bytes in, dataclasses out.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

FORMATS = ("txt", "md", "docx", "vtt", "srt")


class TranscriptError(Exception):
    """A problem with one transcript's content, with the line when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Segment:
    """One speaker turn: `text == transcript_text[start_pos:end_pos]`."""

    position: int  # 0-based order in the transcript
    speaker: str | None
    start_pos: int
    end_pos: int
    text: str
    start_ms: int | None = None
    end_ms: int | None = None
    is_interviewer: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class ParsedTranscript:
    """A transcript ready to store: its text, format and segments."""

    text: str
    format: str
    segments: tuple[Segment, ...]
    source_hash: str

    @property
    def speakers(self) -> list[str]:
        """Distinct speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for s in self.segments:
            if s.speaker is not None:
                seen.setdefault(s.speaker, None)
        return list(seen)

    @property
    def words(self) -> int:
        return sum(s.words for s in self.segments)

    def with_interviewer_labels(self, labels: Iterable[str]) -> ParsedTranscript:
        """The same transcript with `is_interviewer` set from `labels` (any case)."""
        wanted = {label.strip().casefold() for label in labels if label.strip()}
        segments = tuple(
            Segment(
                s.position, s.speaker, s.start_pos, s.end_pos, s.text, s.start_ms, s.end_ms,
                s.speaker is not None and s.speaker.casefold() in wanted,
            )
            for s in self.segments
        )
        return ParsedTranscript(self.text, self.format, segments, self.source_hash)

    def non_interviewer_speakers(self) -> list[str]:
        return [
            name
            for name in self.speakers
            if not any(s.is_interviewer for s in self.segments if s.speaker == name)
        ]


def natural_key(value: str) -> tuple:
    """Sort key that puts P2 before P10."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", value)
        if part
    )


def source_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- decoding --------------------------------------------------------------------

_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM, to LF-normalised text.

    Raises TranscriptError for anything else (with the line of the first bad
    byte for UTF-8), for binary data and for empty or blank files.
    """
    if not data.strip():
        raise TranscriptError("the file is empty (or only blank)")
    if data.startswith(_UTF32_BOMS):
        raise TranscriptError("UTF-32 text is not supported; save the file as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptError(
                "damaged UTF-16 text (an odd number of bytes or a broken character); "
                "save the file as UTF-8"
            ) from None
    else:
        if b"\x00" in data[:65536]:
            raise TranscriptError(
                "a binary file, not a transcript (or text in an encoding without a BOM, "
                "such as UTF-16); save it as UTF-8 text"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise TranscriptError(
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                line,
            ) from None
    text = normalise_newlines(text.lstrip("\ufeff"))
    if looks_binary(text):
        raise TranscriptError("a binary file, not a transcript")
    if not text.strip():
        raise TranscriptError("the file is empty (or only blank)")
    return text


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def looks_binary(text: str) -> bool:
    """Control characters that no transcript has, in more than a trace."""
    sample = text[:65536]
    if "\x00" in sample:
        return True
    return len(_CONTROL.findall(sample)) > max(8, len(sample) // 200)


# -- speaker labels ----------------------------------------------------------------

# A label is a short name: a letter first, then letters, digits, spaces and
# . ' - ( ) #, at most 40 characters; at most four words, each capitalised
# when there are several. A one-word "Note: ..." matches too: a transcript's
# labels are the researcher's convention.
_NAME = r"[^\W\d_][\w.'’()#\- ]{0,39}?"
_TIME = r"(?:[\[(](?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]\s*)?"
_LABEL_RE = re.compile(
    rf"^[ \t]*{_TIME}(?:"
    rf"\*\*(?P<b1>{_NAME})\s*:\s*\*\*"  # **Name:**
    rf"|\*\*(?P<b2>{_NAME})\s*\*\*\s*:"  # **Name**:
    rf"|(?P<plain>{_NAME})[ \t]*:"  # Name:
    rf")(?:[ \t]+|$)"
)
_MAX_LABEL_WORDS = 4


@dataclass(frozen=True)
class Label:
    speaker: str
    body_offset: int  # where the words start, relative to the line
    time_ms: int | None


def parse_label(line: str) -> Label | None:
    """The speaker label at the start of `line`, or None."""
    m = _LABEL_RE.match(line[:200])
    if m is None:
        return None
    name = (m.group("b1") or m.group("b2") or m.group("plain") or "").strip()
    words = name.split()
    if not words or len(words) > _MAX_LABEL_WORDS:
        return None
    # "Dr. Anna Berg:" and "Speaker 2:" are names; "Every week:" is speech.
    if len(words) > 1 and not all(w[0].isupper() or w[0].isdigit() or w[0] in "(#" for w in words):
        return None
    end = m.end()
    # Skip spaces after the label so that the body starts on a word.
    while end < len(line) and line[end] in " \t":
        end += 1
    time = m.group("time")
    return Label(name, end, parse_clock(time) if time else None)


def parse_clock(value: str) -> int:
    """`01:02:03.5`, `02:03` -> milliseconds."""
    value = value.replace(",", ".")
    main, _, frac = value.partition(".")
    parts = [int(p) for p in main.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    ms = int((frac + "000")[:3]) if frac else 0
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms


def format_clock(ms: int | None) -> str:
    """Milliseconds as `hh:mm:ss` (`mm:ss` below an hour); '' when unknown."""
    if ms is None:
        return ""
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


# -- turns from labelled text ----------------------------------------------------------


@dataclass
class _Turn:
    speaker: str | None
    spans: list[tuple[int, int]] = field(default_factory=list)  # content lines
    start_ms: int | None = None


def segment_text(
    text: str,
    fmt: str,
    *,
    skip_line: Callable[[str], bool] | None = None,
) -> ParsedTranscript:
    """Turns of a labelled plain text (see the module docstring).

    `skip_line` marks lines that belong to no turn (Markdown headings, rules),
    which also end a paragraph.
    """
    turns: list[_Turn] = []
    current: _Turn | None = None
    in_paragraph = False
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl == -1 else nl
        line = text[pos:end]
        stripped = line.strip()
        if not stripped or (skip_line is not None and skip_line(stripped)):
            in_paragraph = False
        else:
            label = parse_label(line)
            if label is not None:
                current = _Turn(label.speaker, start_ms=label.time_ms)
                turns.append(current)
                body_start = pos + label.body_offset
                if body_start < end:
                    current.spans.append((body_start, _rstrip_end(text, body_start, end)))
                in_paragraph = True
            else:
                lead = len(line) - len(line.lstrip())
                span = (pos + lead, _rstrip_end(text, pos + lead, end))
                if current is None or (not in_paragraph and current.speaker is None):
                    # Text before any label, or unlabelled text: a paragraph of its own.
                    current = _Turn(None)
                    turns.append(current)
                current.spans.append(span)
                in_paragraph = True
        if nl == -1:
            break
        pos = nl + 1
    segments = []
    for turn in turns:
        if not turn.spans:
            continue  # a label with nothing said: no segment
        start, end = turn.spans[0][0], turn.spans[-1][1]
        segments.append(
            Segment(len(segments), turn.speaker, start, end, text[start:end], turn.start_ms)
        )
    return ParsedTranscript(text, fmt, tuple(segments), "")


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\f\v":
        end -= 1
    return end


def markdown_skip(line: str) -> bool:
    """Markdown lines that are structure, not speech: headings, rules, front
    matter fences, and one-line HTML comments (a transcriber's note to self)."""
    if line.startswith("#"):
        return True
    if line.startswith("<!--") and line.endswith("-->"):
        return True
    return bool(re.fullmatch(r"(?:-{3,}|\*{3,}|_{3,})", line))


# -- turns from subtitle cues -----------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One subtitle cue: its times, its voice (WebVTT `<v Name>`) and text."""

    start_ms: int
    end_ms: int
    text: str
    voice: str | None = None
    line: int = 0


def merge_cues(cues: Sequence[Cue], fmt: str) -> ParsedTranscript:
    """Merge consecutive cues of one speaker into turns and write the text.

    A cue names its speaker by a voice tag or a `Name:` prefix; a cue without
    one continues the previous speaker's turn; with no speaker known yet, it
    is a segment of its own. The text written is one paragraph per turn,
    `Name: words`, so that it reads (and re-imports) as a plain transcript.
    """
    turns: list[tuple[str | None, list[str], int, int]] = []
    for cue in cues:
        words = " ".join(part.strip() for part in cue.text.split("\n") if part.strip())
        if not words:
            continue
        speaker = cue.voice.strip() if cue.voice and cue.voice.strip() else None
        if speaker is None:
            label = parse_label(words)
            if label is not None and label.time_ms is None:
                speaker = label.speaker
                words = words[label.body_offset :].strip()
                if not words:
                    continue
        if speaker is None and turns and turns[-1][0] is not None:
            speaker = turns[-1][0]
        if turns and speaker is not None and turns[-1][0] == speaker:
            name, parts, start_ms, _ = turns[-1]
            parts.append(words)
            turns[-1] = (name, parts, start_ms, cue.end_ms)
        else:
            turns.append((speaker, [words], cue.start_ms, cue.end_ms))
    pieces: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for speaker, parts, start_ms, end_ms in turns:
        prefix = f"{speaker}: " if speaker is not None else ""
        body = " ".join(parts)
        if pieces:
            pieces.append("\n\n")
            pos += 2
        pieces.append(prefix + body)
        start = pos + len(prefix)
        pos = start + len(body)
        segments.append(Segment(len(segments), speaker, start, pos, body, start_ms, end_ms))
    text = "".join(pieces) + "\n" if pieces else ""
    return ParsedTranscript(text, fmt, tuple(segments), "")


# -- the participant ---------------------------------------------------------------------


class ParticipantQuestion(TranscriptError):
    """The participant cannot be told from the file: the caller must ask."""

    def __init__(self, message: str, speakers: list[str]) -> None:
        super().__init__(message)
        self.speakers = speakers


def choose_participant(parsed: ParsedTranscript, file_stem: str, given: str | None) -> str:
    """`given`, else the single non-interviewer speaker, else the file stem.

    Several non-interviewer speakers are ambiguous: ParticipantQuestion.
    """
    if given:
        return given.strip()
    others = parsed.non_interviewer_speakers()
    if len(others) == 1:
        return others[0]
    if not others:
        return file_stem
    listed = ", ".join(repr(s) for s in others[:6])
    raise ParticipantQuestion(
        f"which speaker is the participant? {len(others)} speakers besides the "
        f"interviewer ({listed}); pass --participant ID, and --interviewer LABEL "
        "if one of them is the interviewer",
        others,
    )


def with_hash(parsed: ParsedTranscript, digest: str) -> ParsedTranscript:
    return ParsedTranscript(parsed.text, parsed.format, parsed.segments, digest)

