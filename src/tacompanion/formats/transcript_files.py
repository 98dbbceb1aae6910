"""Reading transcript files: .txt, .md, .docx, .vtt and .srt into core data.

Every refusal is a `TranscriptFileError` whose text is `FILE:LINE: message`
(or `FILE: message` when no line applies), so the CLI and the app can show
it as it is.
"""

from __future__ import annotations

import html
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from tacompanion.core.transcript import (
    Cue,
    ParsedTranscript,
    TranscriptError,
    decode_text,
    markdown_skip,
    merge_cues,
    normalise_newlines,
    segment_text,
    source_hash,
    with_hash,
)
from tacompanion.formats.bounded_xml import XmlRefused, check_xml
from tacompanion.formats.bounded_zip import ArchiveError, BoundedZip, MiB, ZipLimits

EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
    ".vtt": "vtt",
    ".srt": "srt",
}
# A 60-minute interview is ~70 kB of text; a 10-hour one well under 1 MB.
MAX_TEXT_BYTES = 20_000_000
MAX_DOCX_BYTES = 50_000_000


@dataclass
class TranscriptFileError(Exception):
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def transcript_format(path: str | os.PathLike) -> str:
    """The format named by the file's extension, or TranscriptFileError."""
    suffix = Path(path).suffix.lower()
    fmt = EXTENSIONS.get(suffix)
    if fmt is None:
        known = " ".join(sorted({f".{f}" for f in EXTENSIONS.values()}))
        what = f"'{suffix}'" if suffix else "(no extension)"
        raise TranscriptFileError(
            str(path), f"unknown transcript format {what}; tacompanion imports {known}"
        )
    return fmt


def read_transcript_file(path: str | os.PathLike) -> ParsedTranscript:
    """Read and parse one transcript file, or raise TranscriptFileError."""
    name = str(path)
    fmt = transcript_format(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise TranscriptFileError(name, "is a folder, not a transcript file")
        size = p.stat().st_size
        limit = MAX_DOCX_BYTES if fmt == "docx" else MAX_TEXT_BYTES
        if size > limit:
            raise TranscriptFileError(
                name,
                f"{size:,} bytes is far too large for a transcript (at most {limit:,}); "
                "split it or check that it is the right file",
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise TranscriptFileError(name, "no such file") from None
    except PermissionError:
        raise TranscriptFileError(name, "permission denied") from None
    except OSError as exc:
        raise TranscriptFileError(name, f"cannot read ({exc.strerror or exc})") from None
    return parse_transcript_bytes(data, fmt, name)


def parse_transcript_bytes(data: bytes, fmt: str, name: str = "<transcript>") -> ParsedTranscript:
    """Parse a transcript's bytes in a known format; errors name `name`."""
    try:
        if fmt == "docx":
            parsed = parse_docx(data)
        else:
            text = decode_text(data)
            if fmt == "vtt":
                parsed = parse_vtt(text)
            elif fmt == "srt":
                parsed = parse_srt(text)
            elif fmt == "md":
                parsed = segment_text(text, "md", skip_line=markdown_skip)
            else:
                parsed = segment_text(text, "txt")
    except TranscriptError as exc:
        raise TranscriptFileError(name, exc.message, exc.line) from None
    if not parsed.segments:
        raise TranscriptFileError(name, "no transcript text in it (nothing anybody said)")
    return with_hash(parsed, source_hash(data))


# -- docx ----------------------------------------------------------------------------


def parse_docx(data: bytes) -> ParsedTranscript:
    """One paragraph per turn, `Name: text` as in plain text (bold labels too)."""
    if not data.strip():
        raise TranscriptError("the file is empty")
    if not data.startswith(b"PK"):
        raise TranscriptError("not a .docx file (a Word document is a zip archive)")
    check_docx_archive(data)
    try:
        import docx  # python-docx: imported here, it is heavy and rarely needed

        document = docx.Document(io.BytesIO(data))
        # Headings and titles are structure, not speech (as `#` lines in Markdown).
        paragraphs = [
            p.text for p in document.paragraphs
            if not (p.style is not None and (p.style.name or "").startswith(("Heading", "Title")))
        ]
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise many kinds
        raise TranscriptError(
            f"not a valid .docx file (damaged or truncated?): {type(exc).__name__}: {exc}"
        ) from None
    texts = [normalise_newlines(t).strip() for t in paragraphs]
    text = "\n\n".join(t for t in texts if t)
    if not text:
        raise TranscriptError("the document has no text")
    return segment_text(text + "\n", "docx")


# A .docx is a zip of XML parts that python-docx reads whole: before it does,
# every entry is inflated once within these limits (docs/limits.md) and every
# XML part streamed through the checks (no DTD, elements counted), so what
# python-docx then reads is bounded by sizes already checked.
DOCX_LIMITS = ZipLimits(max_entries=1_000, max_entry_bytes=32 * MiB, max_total_bytes=64 * MiB)
MAX_DOCX_XML_ELEMENTS = 300_000
MAX_DOCX_XML_DEPTH = 1_000


def check_docx_archive(data: bytes) -> None:
    """Refuse (TranscriptError) a .docx that is damaged, or too large or too
    deep once inflated, before python-docx reads any of it."""
    try:
        with BoundedZip(io.BytesIO(data), DOCX_LIMITS) as z:
            for info in z.infolist():
                if info.is_dir():
                    continue
                name = info.filename.lower()
                if name.endswith((".xml", ".rels")):
                    check_xml(z.chunks(info), max_elements=MAX_DOCX_XML_ELEMENTS, max_depth=MAX_DOCX_XML_DEPTH)
                else:
                    for _ in z.chunks(info):
                        pass
    except ArchiveError as exc:
        raise TranscriptError(f"not a valid .docx file (damaged, truncated or too large): {exc}") from None
    except XmlRefused as exc:
        raise TranscriptError(f"not a valid .docx file: {info.filename}: {exc}") from None


# -- WebVTT ---------------------------------------------------------------------------

_VTT_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_VTT_TIMING = re.compile(rf"^({_VTT_TIME})[ \t]+-->[ \t]+({_VTT_TIME})(?:[ \t]+.*)?$")
_SRT_TIME = r"\d{1,3}:[0-5]\d:[0-5]\d[,.]\d{1,3}"
_SRT_TIMING = re.compile(rf"^\s*({_SRT_TIME})\s*-->\s*({_SRT_TIME})(?:\s+.*)?$")
# Every pattern here runs in time linear in the line: a 200 kB line of dashes
# once took 40 s in `.*[-=]+>`, and `[^>]*>` without a '>' rescans the rest of
# the text from every '<'.
_CLOCK_FINE = re.compile(r"\d:\d\d[.,:]\d")
_CLOCK = re.compile(r"\d:\d\d")
_SPACED_DASHES = re.compile(r"\s-++\s")  # possessive: a run of dashes is tried once


def _looks_like_timing(line: str) -> bool:
    """A clock followed by an arrow of some kind: a timing line gone wrong
    (what r"\\d:\\d\\d[.,:]\\d.*[-=]+>|\\d:\\d\\d.*\\s-+\\s" matched)."""
    fine = _CLOCK_FINE.search(line)
    if fine is not None and ("->" in line[fine.end():] or "=>" in line[fine.end():]):
        return True
    clock = _CLOCK.search(line)
    return clock is not None and _SPACED_DASHES.search(line, clock.end()) is not None


def _strip_tags(text: str) -> str:
    """`text` without `<b>`, `</i>`, `<font color=..>` tags: what
    re.sub(r"</?[a-zA-Z][^>]*>", "", text) gives, in one pass."""
    out: list[str] = []
    pos = 0
    at = text.find("<")
    while at >= 0:
        name = at + 2 if text.startswith("</", at) else at + 1
        if name < len(text) and text[name].isascii() and text[name].isalpha():
            close = text.find(">", name + 1)
            if close < 0:
                break  # no '>' anywhere after: no tag can end
            out.append(text[pos:at])
            pos = close + 1
            at = text.find("<", pos)
        else:
            at = text.find("<", at + 1)
    out.append(text[pos:])
    return "".join(out)


def _blocks(lines: list[str], first: int = 0) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks as (index of first line, lines)."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = first
    for i in range(first, len(lines)):
        if lines[i].strip():
            if not current:
                start = i
            current.append(lines[i])
        elif current:
            out.append((start, current))
            current = []
    if current:
        out.append((start, current))
    return out


def _ms(value: str) -> int:
    from tacompanion.core.transcript import parse_clock

    return parse_clock(value)


def check_vtt(text: str) -> list[tuple[int, int, int]]:
    """Validate WebVTT structure; return (line, start_ms, end_ms) per cue.

    webvtt-py skips a cue with a broken timing line without a word; this
    check finds it first and names its line.
    """
    lines = text.split("\n")
    header = lines[0].lstrip("\ufeff")
    if not (header == "WEBVTT" or header.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise TranscriptError("not a WebVTT file: the first line must be WEBVTT", 1)
    blocks = _blocks(lines, 1)
    cues = []
    # Header lines directly below WEBVTT (no blank line) belong to the header.
    if blocks and blocks[0][0] == 1:
        blocks = blocks[1:]
    for start, block in blocks:
        head = block[0].strip()
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        if "-->" in block[0]:
            timing_at = 0
        elif len(block) > 1 and "-->" in block[1]:
            timing_at = 1
        else:
            for i, line in enumerate(block[:2]):
                if _looks_like_timing(line):
                    raise TranscriptError(
                        f"broken timing line {line.strip()!r} "
                        "(expected 00:00:00.000 --> 00:00:00.000)",
                        start + i + 1,
                    )
            raise TranscriptError(
                "a cue without a timing line (expected 00:00:00.000 --> 00:00:00.000)", start + 1
            )
        m = _VTT_TIMING.match(block[timing_at].strip())
        if m is None:
            raise TranscriptError(
                f"broken timing line {block[timing_at].strip()!r} "
                "(expected 00:00:00.000 --> 00:00:00.000)",
                start + timing_at + 1,
            )
        begin, end = _ms(m.group(1)), _ms(m.group(2))
        if end < begin:
            raise TranscriptError("the cue ends before it starts", start + timing_at + 1)
        cues.append((start + timing_at + 1, begin, end))
    return cues


def parse_vtt(text: str) -> ParsedTranscript:
    """WebVTT with `<v Name>` voice tags (or `Name:` prefixes) into merged turns."""
    from webvtt import WebVTT
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    checked = check_vtt(text)
    try:
        captions = WebVTT.from_buffer(io.StringIO(text), format="vtt").captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise TranscriptError(f"not a valid WebVTT file: {exc}") from None
    if len(captions) != len(checked):
        raise TranscriptError(
            f"could read only {len(captions)} of its {len(checked)} cues; check the file"
        )
    cues = [
        Cue(start, end, html.unescape(caption.text), caption.voice, line)
        for caption, (line, start, end) in zip(captions, checked, strict=True)
    ]
    if not cues:
        raise TranscriptError("a WebVTT file without any cues")
    return merge_cues(cues, "vtt")


# -- SubRip ----------------------------------------------------------------------------


def parse_srt(text: str) -> ParsedTranscript:
    """SubRip cues, `Name:` on the first cue of a turn, into merged turns."""
    lines = text.split("\n")
    cues = []
    for start, block in _blocks(lines):
        timing_at = 1 if block[0].strip().isdigit() else 0
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            where = start + timing_at + 1
            if timing_at >= len(block):
                raise TranscriptError("a cue number without a timing line", start + 1)
            raise TranscriptError(
                "expected a timing line (00:00:00,000 --> 00:00:00,000)"
                if timing_at
                else "not a SubRip cue: expected a cue number and a timing line",
                where,
            )
        m = _SRT_TIMING.match(block[timing_at])
        if m is None:
            raise TranscriptError(
                f"broken timing line {block[timing_at].strip()!r} "
                "(expected 00:00:00,000 --> 00:00:00,000)",
                start + timing_at + 1,
            )
        begin, end = _ms(m.group(1)), _ms(m.group(2))
        if end < begin:
            raise TranscriptError("the cue ends before it starts", start + timing_at + 1)
        body = "\n".join(block[timing_at + 1 :])
        cues.append(Cue(begin, end, html.unescape(_strip_tags(body)), None, start + 1))
    if not cues:
        raise TranscriptError("a SubRip file without any cues")
    return merge_cues(cues, "srt")
