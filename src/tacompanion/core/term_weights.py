"""Which words make a set of extracts distinctive: TF-IDF over the study's own
words, for hints ("what else may this code fit?") and "turns like this one".

Pure: tokens are cut as SQLite FTS5's default tokenizer (unicode61) cuts them,
lower-cased and without diacritics, so that the terms chosen here can be
looked up in the study's full-text indexes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

_WORD = re.compile(r"\w+")

# Words too common in interview talk to tell extracts apart, whatever their
# document frequency in one small study.
STOPWORDS = frozenset("""
a about after again all also am an and any are as at be because been before being but by can could
did do does doing don done down during each even few for from further get got had has have having he
her here hers him his how i if in into is it its itself just know like me more most my no nor not now
of off on once only or other our out over own really right same she should so some such than that the
their them then there these they thing things think this those through to too um uh under until up
very was we well were what when where which while who whom why will with would yeah yes you your
""".split())


def fold(word: str) -> str:
    """A word as FTS5's unicode61 tokenizer stores it: lower case, no diacritics."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def candidate_terms(texts: Iterable[str], min_length: int = 3) -> Counter[str]:
    """Term frequencies over the texts, stopwords and short words left out."""
    counts: Counter[str] = Counter()
    for text in texts:
        # Words with digits (times, question numbers, ids) say nothing of content.
        counts.update(t for t in tokens(text)
                      if len(t) >= min_length and t not in STOPWORDS and not any(c.isdigit() for c in t))
    return counts


def distinctive_terms(
    frequencies: Mapping[str, int],
    document_frequency: Mapping[str, int],
    documents: int,
    limit: int = 12,
) -> list[tuple[str, float]]:
    """The `limit` terms with the highest TF-IDF: frequent in the extracts,
    rare in the study. A term in nearly every turn weighs almost nothing."""
    scored = []
    for term, tf in frequencies.items():
        df = document_frequency.get(term, 0)
        idf = math.log((documents + 1) / (df + 1)) + 1
        scored.append((term, (1 + math.log(tf)) * idf))
    scored.sort(key=lambda x: (-x[1], x[0]))
    return scored[:limit]


def match_query(terms: Iterable[str]) -> str:
    """An FTS5 query matching any of the terms, each quoted (safe for any word)."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
