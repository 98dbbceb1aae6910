"""Which participant a source belongs to when no case in the file says so.

QualCoder (and others) write no Case -> source links, so a project coming
back from them has every source unowned. The rule, case-insensitive:

1. the source's name, its name without the extension, or the name's first
   word (`t1-interview.txt` -> `t1`, `P3 interview notes` -> `P3`) equals a
   case's name;
2. else, a speaker label in its text names exactly one case;
3. else it is unassigned: the import reports it and asks.

No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_WORD_BREAK = re.compile(r"[\s\-_.,;:()\[\]]+")


@dataclass(frozen=True)
class CaseMatch:
    case: str | None  # the case's name as given, None when unassigned
    how: str  # "name", "first word", "speaker", or "" when unassigned


def name_keys(source_name: str) -> list[str]:
    """What a source's name may be called by: the name, the name without its
    extension, its first word; folded for comparison."""
    name = " ".join(source_name.split())
    stem = _EXTENSION.sub("", name) or name
    first = _WORD_BREAK.split(stem.strip())[0] if stem.strip() else ""
    keys = []
    for key in (name, stem, first):
        folded = key.casefold()
        if folded and folded not in keys:
            keys.append(folded)
    return keys


def match_source(source_name: str, speakers: Iterable[str | None], case_names: Iterable[str]) -> CaseMatch:
    """The case a source belongs to by the rule above."""
    cases: dict[str, str] = {}
    for name in case_names:
        cases.setdefault(" ".join(name.split()).casefold(), name)
    keys = name_keys(source_name)
    for i, key in enumerate(keys):
        if key in cases:
            return CaseMatch(cases[key], "first word" if i == len(keys) - 1 and i > 0 else "name")
    named = {cases[s] for s in (" ".join((x or "").split()).casefold() for x in speakers) if s in cases}
    if len(named) == 1:
        return CaseMatch(named.pop(), "speaker")
    return CaseMatch(None, "")


def new_participant_name(source_name: str) -> str:
    """The pseudonym proposed for a source that matches no case: its name
    without the extension (the researcher is told, and can rename it)."""
    name = " ".join(source_name.split())
    return _EXTENSION.sub("", name) or name or "participant"
