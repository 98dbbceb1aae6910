"""Pure helpers for REFI-QDA project exchange (.qdpx): stable GUIDs, text
positions under redaction and line-ending changes, and the interview-notes
text that carries a whole interview's notes as one source.

Positions are `[start, end)` in code points, as everywhere in tacompanion.
No I/O here.
"""

from __future__ import annotations

import re
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

# The export's pieces (GUIDs, redacted text, the notes text) live in core/qdpx_export.py,
# without this module's dataclasses; the import derives GUIDs the same way.
from tacompanion.core.qdpx_export import (  # noqa: F401 - re-exported
    NOTES_KINDS,
    NOTES_SEPARATOR,
    RedactedText,
    Replacement,
    derived_guid,
    join_notes,
    namespace_hash,
    redact,
    redacted_from_spans,
    redaction_pattern,
)

# -- GUIDs ------------------------------------------------------------------------------

GUID_RE = re.compile(r"^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$")


@lru_cache(maxsize=16384)  # an import asks again for every user and code a coding names
def normal_guid(value: str | None) -> str | None:
    """A GUID as we compare and store it: lower case, braces stripped; None
    when it is not GUID-shaped (RFC version bits are not required)."""
    if not value:
        return None
    m = GUID_RE.match(value.strip())
    return m.group(1).lower() if m else None


def canonical_guid(value: str | None, fallback_parts: Sequence[str] = ()) -> str:
    """A valid lower-case GUID for `value`: itself when GUID-shaped, else a
    uuid5 of it (files from some tools carry other ids)."""
    got = normal_guid(value)
    if got:
        return got
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "tacompanion-import:" + "\x1f".join([value or "", *fallback_parts])))


# -- line endings -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewlineMap:
    """A text with CRLF (and lone CR) turned to LF, and the positions of the
    removed CRs so that positions counted in the raw text can be carried over."""

    text: str
    removed: tuple[int, ...]  # raw positions of each CR dropped (the CR of a CRLF)

    def from_raw(self, pos: int) -> int:
        """A position counted over the raw text (a CRLF = two positions)."""
        return pos - bisect_right(self.removed, pos - 1)


def normalise_with_map(raw: str) -> NewlineMap:
    if "\r" not in raw:  # the usual case, found at memchr's speed
        return NewlineMap(raw, ())
    removed = tuple(m.start() for m in re.finditer(r"\r\n", raw))
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return NewlineMap(text, removed)


def _has_astral(text: str) -> bool:
    """Whether `text` has a character beyond the BMP: then, and only then, its
    UTF-16 form is longer than two bytes a character (10 times faster than
    searching for one on a text without any)."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def position_readings(raw: str) -> dict[str, tuple[int, Callable[[int], int]]]:
    """The ways a tool may have counted positions in `raw`, each as (the
    largest valid position, a function to a code point in the LF text):
    'raw' code points over the file as it is (a CRLF is two), 'lf' code
    points with a CRLF as one (ATLAS.ti), and, when the text has characters
    beyond the BMP, 'utf16' code units over the LF text (Qt and browsers)."""
    nl = normalise_with_map(raw)
    readings: dict[str, tuple[int, Callable[[int], int]]] = {"raw": (len(raw), nl.from_raw)}
    if nl.removed:
        readings["lf"] = (len(nl.text), lambda p: p)
    # the UTF-16 unit where each character beyond the BMP starts
    starts = [m.start() + n for n, m in enumerate(_ASTRAL.finditer(nl.text))] if _has_astral(nl.text) else []
    if starts:
        readings["utf16"] = (len(nl.text) + len(starts), lambda u: u - bisect_left(starts, u))
    return readings


def best_convention(raw: str, selections: Sequence[tuple[int, int, str | None]]) -> str:
    """Which of `position_readings` a file's selections use: the reading
    that puts more selections inside the text, more quoted names (ATLAS.ti
    puts the quote in the name) on their text, and more starts at line
    starts. `selections`: (start, end, name). Ties go to 'raw'."""
    readings = position_readings(raw)
    if len(readings) == 1:
        return "raw"
    lf_text = normalise_with_map(raw).text
    scores = dict.fromkeys(readings, 0)
    for start, end, name in selections:
        quote = _quote_of(name)
        for conv, (limit, to_lf) in readings.items():
            if not (0 <= start < end <= limit):
                scores[conv] -= 3
                continue
            a, b = to_lf(start), to_lf(end)
            if quote and _same_quote(lf_text[a:b], quote):
                scores[conv] += 2
            if 0 < a <= len(lf_text) and lf_text[a - 1] == "\n":
                scores[conv] += 1
    best = max(scores.values())
    return next(conv for conv in readings if scores[conv] == best)


def _quote_of(name: str | None) -> str | None:
    if not name:
        return None
    value = name.strip().rstrip("…").rstrip(".").strip()
    if len(value) < 4 or re.fullmatch(r"line:\d+", value):
        return None
    return value


def _same_quote(got: str, quote: str) -> bool:
    """The selected text is the quote, or starts with it (names are often
    truncated); whitespace runs compare equal."""
    a = " ".join(got.split())
    b = " ".join(quote.split())
    return bool(b) and a.startswith(b)


# -- an interview's notes as one text ---------------------------------------------------

_HEADER_RE = re.compile(r"\[(\d+:\d{2}:\d{2}|--:--:--)\] (note|quote|follow-up)\n")


@dataclass(frozen=True)
class NoteBlock:
    kind: str
    elapsed_ms: int | None
    text: str
    start: int = 0  # where `text` starts in the joined text


def split_notes(text: str) -> list[NoteBlock] | None:
    """The notes of a text made by `join_notes`, or None when it is not one."""
    if not _HEADER_RE.match(text):
        return None
    heads = [m for m in _HEADER_RE.finditer(text)
             if m.start() == 0 or text[max(0, m.start() - 2) : m.start()] == NOTES_SEPARATOR]
    blocks = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() - len(NOTES_SEPARATOR) if i + 1 < len(heads) else len(text)
        clock = m.group(1)
        if clock == "--:--:--":
            ms = None
        else:
            h, mnt, s = (int(x) for x in clock.split(":"))
            ms = ((h * 60 + mnt) * 60 + s) * 1000
        blocks.append(NoteBlock(m.group(2), ms, text[m.end() : end], m.end()))
    return blocks


# -- a project read from a file, before it is stored --------------------------------------
# The importer fills these from the XML; the store writes them. GUIDs are
# normalised (lower case, no braces) by the importer.


@dataclass(slots=True)  # one per coding: a large project holds 200,000
class QCoding:
    guid: str
    code_guid: str
    user: str | None  # the coder's name
    created: str | None


@dataclass(slots=True)
class QSelection:
    guid: str
    start: int  # in the LF-normalised text
    end: int
    name: str = ""
    description: str = ""
    codings: list[QCoding] = None  # type: ignore[assignment]
    note_refs: list[str] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.codings = self.codings or []
        self.note_refs = self.note_refs or []


@dataclass(slots=True)  # a project may hold 100,000s of them
class QSource:
    guid: str
    name: str
    text: str  # LF, no BOM
    selections: list[QSelection]
    whole: list[QCoding]  # codings of the whole source
    note_refs: list[str]
    created: str | None = None
    description: str = ""


@dataclass(slots=True)  # a project may hold 100,000s of them
class QCode:
    guid: str
    name: str
    codable: bool
    parent: str | None
    description: str = ""
    color: str | None = None
    note_refs: list[str] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.note_refs = self.note_refs or []


@dataclass(slots=True)  # a project may hold 100,000s of them
class QCase:
    guid: str
    name: str
    values: dict  # variable name -> value (str, bool, int, float)
    sources: list[str]
    description: str = ""


@dataclass(slots=True)  # a project may hold 100,000s of them
class QNote:
    guid: str
    name: str
    text: str
    created: str | None = None
    from_file: bool = False  # its text is a file (plainTextPath), as QualCoder writes journals


@dataclass
class QMedia:
    """An AudioSource / VideoSource: the recording's path as written
    (internal://, absolute:///, relative:///), the TextSource whose text its
    Transcript carries, and the SyncPoints (position, timeStamp ms)."""

    guid: str
    kind: str  # audio / video
    name: str
    path: str
    transcript_source: str | None
    sync_points: list[tuple[int, int]]
    extra_transcripts: int = 0


@dataclass
class QProject:
    name: str
    origin: str
    codes: list[QCode]  # parents before children
    cases: list[QCase]
    sources: list[QSource]
    notes: list[QNote]
    project_note_refs: list[str]
    sets: list[tuple[str, str, list[str]]]  # (guid, name, member code guids)
    variable_types: dict  # variable name -> typeOfVariable
    problems: list[str]  # what the reader could not use, one line each
    description: str = ""  # the project's Description: the study memo
    media: list[QMedia] = field(default_factory=list)  # recordings (AudioSource / VideoSource)


def duplicate_guids(project: QProject) -> str | None:
    """The first GUID that two items of one kind share, described for the
    researcher (kind, GUID, the items' names), or None. Such a project is
    inconsistent: a reference to that GUID could mean either item."""
    def first_repeat(kind: str, items) -> str | None:
        seen: dict[str, str] = {}
        for guid, label in items:
            if guid in seen:
                return (f"two {kind} share the GUID {guid} ({seen[guid]!r} and {label!r})"
                        if seen[guid] != label or not label else f"two {kind} share the GUID {guid} ({label!r})")
            seen[guid] = label
        return None

    selections = [(sel, src) for src in project.sources for sel in src.selections]
    codings = [(c.guid, f"a coding in {src.name}") for sel, src in selections for c in sel.codings]
    codings += [(c.guid, f"a coding of the whole of {src.name}") for src in project.sources for c in src.whole]
    checks = (
        ("codes", ((c.guid, c.name) for c in project.codes)),
        ("sources", ((s.guid, s.name) for s in project.sources)),
        ("cases", ((c.guid, c.name) for c in project.cases)),
        ("notes", ((n.guid, n.name) for n in project.notes)),
        ("selections", ((sel.guid, f"{sel.name or 'a selection'} in {src.name}") for sel, src in selections)),
        ("codings", iter(codings)),
    )
    for kind, items in checks:
        found = first_repeat(kind, items)
        if found:
            return found
    return None
