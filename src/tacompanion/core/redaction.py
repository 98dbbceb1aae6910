"""Redaction: real names and places replaced in exported text.

The list is the study's (`redactions` table); it is applied to what leaves the
tool (report, quotes, CSV, the clipboard), never to the stored transcripts,
whose offsets must not move. The rules, chosen so that a name is caught
wherever it is written but a word is never cut in half:

- case-insensitive: "tromsø" and "TROMSØ" are caught with "Tromsø";
- whole words: a find that begins (ends) with a letter or digit only matches
  where no letter or digit comes before (after) it, so "Ann" leaves "Anne"
  and "annual" alone; a find that begins or ends with punctuation is matched
  as written there;
- longest find first, in one pass: with "Oslo" and "Oslo University", the
  longer one wins where both could match, and a replacement is never redacted
  again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable


def compile_redactions(pairs: Iterable[tuple[str, str]]) -> Callable[[str], str]:
    """A function that applies the (find, replacement) pairs to a text."""
    table: dict[str, str] = {}
    for find, replacement in sorted(pairs, key=lambda p: (-len(p[0]), p[0])):
        key = find.casefold()
        if find and key not in table:
            table[key] = replacement
    if not table:
        return lambda text: text
    finds = sorted(table, key=lambda f: (-len(f), f))
    replacements = [table[f] for f in finds]
    parts = []
    for find in finds:
        head = r"(?<!\w)" if find[0].isalnum() or find[0] == "_" else ""
        tail = r"(?!\w)" if find[-1].isalnum() or find[-1] == "_" else ""
        parts.append(f"({head}{re.escape(find)}{tail})")  # one group per find: m.lastindex says which
    pattern = re.compile("|".join(parts), re.IGNORECASE)

    def redact(text: str) -> str:
        if not text:
            return text
        return pattern.sub(lambda m: replacements[m.lastindex - 1], text)

    return redact
