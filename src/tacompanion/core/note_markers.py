"""What a typed interview note means: its kind and its tags.

A note starting with `!` is a quote worth finding in the recording; one
starting with `?` is a follow-up to come back to; `#word` anywhere is a tag.
The marker is not part of the stored text (the kind says it); tags stay in
the text where they were typed, so the note reads as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KIND_NOTE = "note"
KIND_QUOTE = "quote"
KIND_FOLLOW_UP = "follow-up"
KINDS = (KIND_NOTE, KIND_QUOTE, KIND_FOLLOW_UP)

MARKERS = {"!": KIND_QUOTE, "?": KIND_FOLLOW_UP}
KIND_MARKS = {KIND_NOTE: "", KIND_QUOTE: "!", KIND_FOLLOW_UP: "?"}

# A tag starts with a letter (so "#3" and "C#" are not tags) and runs over
# letters, digits, '_' and '-'; it must not follow a word character.
_TAG = re.compile(r"(?<![\w#])#([^\W\d_][\w-]*)")


@dataclass(frozen=True)
class ParsedNote:
    kind: str
    text: str
    tags: tuple[str, ...]


def parse_note(raw: str) -> ParsedNote | None:
    """The note typed on the note line, or None when there is nothing to save."""
    text = " ".join(raw.split())  # one line, single spaces: the note line is one line
    if not text:
        return None
    kind = KIND_NOTE
    if text[0] in MARKERS:
        kind = MARKERS[text[0]]
        text = text[1:].strip()
        if not text:
            return None
    return ParsedNote(kind, text, note_tags(text))


def note_tags(text: str) -> tuple[str, ...]:
    """The `#tags` in a text, lower-cased, each once, in order of appearance."""
    seen: dict[str, None] = {}
    for match in _TAG.finditer(text):
        tag = match.group(1).rstrip("-").lower()
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


def tag_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each `#tag` in the text, for highlighting."""
    return [(m.start(), m.start() + 1 + len(m.group(1).rstrip("-"))) for m in _TAG.finditer(text)]


def without_tags(text: str) -> str:
    """The text with its `#tags` taken out (for quoting a note: a tag is the
    interviewer's filing mark, not the participant's words)."""
    out, pos = [], 0
    for start, end in tag_spans(text):
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    joined = " ".join("".join(out).split())
    return re.sub(r"\s+([,.;:!?…])", r"\1", joined)
