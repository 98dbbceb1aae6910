"""Search queries as a researcher types them, made safe for SQLite FTS5.

`avoid silence` finds turns with both words; `"group therapy"` a phrase;
`mentali*` a prefix; `OR` between words finds either. Everything else is
quoted, so punctuation never becomes FTS5 syntax (or an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


class SearchQueryError(ValueError):
    pass


@dataclass(frozen=True)
class SearchHit:
    transcript_id: int
    participant: str
    file_name: str
    segment_id: int
    position: int  # the turn, 0-based
    speaker: str | None
    start_ms: int | None
    start_pos: int  # of the segment in the transcript text
    snippet: str  # with the matched words between MARK_START and MARK_END


@dataclass(frozen=True)
class NoteHit:
    """An interview note that matches: whose, which interview, when in it."""

    note_id: int
    interview_id: int
    participant: str
    interview: str  # "interview notes 2026-11-26 09:15", as the coding screen names it
    kind: str  # note / quote / follow-up
    recording_ms: int | None  # the note's time in the recording
    snippet: str  # with the matched words between MARK_START and MARK_END


MARK_START = "\x02"
MARK_END = "\x03"


def fts_query(text: str) -> str:
    """An FTS5 MATCH expression for what the researcher typed."""
    parts: list[str] = []
    for m in _TOKEN.finditer(text):
        phrase, word = m.group(1), m.group(2)
        if phrase is not None:
            words = _WORD.findall(phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
            continue
        if word == "OR" and parts and parts[-1] != "OR":
            parts.append("OR")
            continue
        prefix = word.endswith("*")
        for i, w in enumerate(_WORD.findall(word)):
            last = i == len(_WORD.findall(word)) - 1
            parts.append(f'"{w}"' + ("*" if prefix and last else ""))
    while parts and parts[-1] == "OR":
        parts.pop()
    if not parts:
        raise SearchQueryError("nothing to search for: type a word or two")
    return " ".join(parts)


def highlight_terms(text: str) -> list[str]:
    """The words of a query, lower-cased, for marking hits in a text
    (a trailing `*` kept as a prefix marker)."""
    out = []
    for m in _TOKEN.finditer(text):
        chunk = m.group(1) if m.group(1) is not None else m.group(2)
        if chunk == "OR":
            continue
        words = _WORD.findall(chunk)
        for i, w in enumerate(words):
            star = chunk.endswith("*") and i == len(words) - 1
            out.append(w.casefold() + ("*" if star else ""))
    return out


def term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """A regex matching any of the terms as whole words (or prefixes)."""
    if not terms:
        return None
    alts = []
    for t in sorted(set(terms), key=len, reverse=True):
        if t.endswith("*"):
            alts.append(re.escape(t[:-1]) + r"\w*")
        else:
            alts.append(re.escape(t))
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.IGNORECASE)
