"""What the thematic map, the review, the matrix and the co-occurrence view show.

Everything here reads, except `recode` (one coding's code replaced, as one
undoable step); the other changes go through `themes.py` and `codes.py`.
Counts and labels come from `analysis.analyse` (the one place prevalence is
computed). Pilot participants and pilot interviews are left out of the
extracts, the matrix and the co-occurrences, as they are of the counts; with
`analysis_scope` = "transcripts", codings on interview notes are left out too.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from tacompanion.core.prevalence import label
from tacompanion.core.tally import Counts
from tacompanion.store.analysis import Analysis, analyse, coder_condition, coding_rows, mark_recount, theme_cells
from tacompanion.store.study import Study, StudyError
from tacompanion.store.themes import ThemeRow, list_themes

# -- the map ----------------------------------------------------------------------


class MapRow(NamedTuple):
    """One line of the thematic map's tree (a tuple: the map makes one per
    code and theme each time it is read, 1,000s on a large study)."""

    kind: str  # "theme", "code" or "unsorted" (the heading of the unsorted codes)
    id: int | None
    name: str
    depth: int
    counts: Counts | None
    theme_id: int | None  # a theme's own id; a code's theme (None when unsorted)
    status: str = ""
    definition: str = ""
    codes: int = 0  # a theme's own codes
    memo: bool = False  # the theme (or code) has a memo


@dataclass(frozen=True)
class ThematicMap:
    analysis: Analysis
    themes: list[ThemeRow]
    paths: dict[int, str]  # theme id -> "Theme / Subtheme"
    rows: list[MapRow]

    def children(self, theme_id: int | None) -> list[ThemeRow]:
        return [t for t in self.themes if t.parent_id == theme_id]


def theme_paths(themes: list[ThemeRow]) -> dict[int, str]:
    """Every theme's path, from a tree-ordered list (parents first)."""
    paths: dict[int, str] = {}
    for t in themes:
        paths[t.id] = t.name if t.parent_id is None else f"{paths[t.parent_id]} / {t.name}"
    return paths


def thematic_map(study: Study, analysis: Analysis | None = None, *,
                 with_children: bool = False) -> ThematicMap:
    """The tree as rows: each theme, its own codes (a code's children indented
    under it), then its subthemes; then the unsorted codes under a heading.
    `with_children`: a code with codes under it counts theirs too."""
    from tacompanion.core.code_tree import tree_order

    analysis = analysis or analyse(study)
    themes = list_themes(study)
    paths = theme_paths(themes)
    codes_of: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    all_codes = study.conn.execute("SELECT id, name, theme_id, parent_code_id FROM codes").fetchall()
    by_theme: dict[int | None, list] = defaultdict(list)
    for cid, name, theme_id, parent in all_codes:
        by_theme[theme_id].append((cid, name, parent))
    names = {c[0]: c[1] for c in all_codes}
    nesting: dict[int, int] = {}  # code id -> depth under other codes of its theme
    for theme_id, members in by_theme.items():
        for cid, depth in tree_order(members):
            codes_of[theme_id].append((cid, names[cid]))
            nesting[cid] = depth
    family: dict[int, Counts] = {}
    if with_children:
        from tacompanion.store.code_tree import counts_with_children

        family = counts_with_children(study)
    children: dict[int | None, list[ThemeRow]] = defaultdict(list)
    for t in themes:
        children[t.parent_id].append(t)
    empty = Counts(0, 0, 0, None)
    rows: list[MapRow] = []
    with_memo = {(r[0], r[1]) for r in study.conn.execute(
        "SELECT 'theme', theme_id FROM memos WHERE theme_id IS NOT NULL "
        "UNION SELECT 'code', code_id FROM memos WHERE code_id IS NOT NULL")}

    def walk(parent: int | None, depth: int) -> None:
        for t in children.get(parent, []):
            own = codes_of.get(t.id, [])
            rows.append(MapRow("theme", t.id, t.name, depth, analysis.themes.get(t.id, empty), t.id,
                               t.status, t.definition, len(own), ("theme", t.id) in with_memo))
            for cid, name in own:
                rows.append(MapRow("code", cid, name, depth + 1 + nesting.get(cid, 0),
                                   family.get(cid) or analysis.codes.get(cid, empty), t.id,
                                   memo=("code", cid) in with_memo))
            walk(t.id, depth + 1)

    walk(None, 0)
    unsorted = codes_of.get(None, [])
    rows.append(MapRow("unsorted", None, "Unsorted codes", 0, None, None, codes=len(unsorted)))
    for cid, name in unsorted:
        rows.append(MapRow("code", cid, name, 1 + nesting.get(cid, 0),
                           family.get(cid) or analysis.codes.get(cid, empty), None,
                           memo=("code", cid) in with_memo))
    return ThematicMap(analysis, themes, paths, rows)


def theme_code_ids(study: Study, theme_id: int) -> list[int]:
    """The codes of a theme and of all its subthemes."""
    return [r[0] for r in study.conn.execute(
        "WITH RECURSIVE d(id) AS (SELECT ? UNION ALL "
        "SELECT t.id FROM themes t JOIN d ON t.parent_id = d.id) "
        "SELECT c.id FROM codes c WHERE c.theme_id IN (SELECT id FROM d)",
        (theme_id,),
    )]


# -- extracts ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExtractCode:
    coding_id: int
    code_id: int
    name: str
    starred: bool = False  # chosen as a quote for the report


@dataclass(frozen=True)
class Extract:
    """A coded span of one document, with every code on exactly that span."""

    participant_id: int
    participant: str
    kind: str  # "transcript" or "notes"
    doc_id: int  # transcript id or note id
    interview_id: int | None  # for notes
    start: int
    end: int
    text: str
    codes: tuple[ExtractCode, ...] = field(default=())

    @property
    def key(self) -> tuple[str, int, int, int]:
        return (self.kind, self.doc_id, self.start, self.end)


def extracts_for(
    study: Study, code_ids: list[int], participant_id: int | None = None,
    meeting: int | None = None,
) -> list[Extract]:
    """The extracts carrying any of `code_ids`, participant by participant
    (pseudonym order), in document order within each, pilots left out. With
    `meeting`, only those overlapping a coding of that code (where the two
    co-occur). Every one read: `review_extracts` reads them as asked for."""
    return list(review_extracts(study, code_ids, participant_id, meeting))


class ExtractPlace(NamedTuple):
    """Where an extract is, without its text or codes."""

    participant_id: int
    participant: str
    kind: str  # "transcript" or "notes"
    doc_id: int
    interview_id: int | None
    start: int
    end: int

    @property
    def key(self) -> tuple[str, int, int, int]:
        return (self.kind, self.doc_id, self.start, self.end)


@dataclass(frozen=True)
class ExtractGroup:
    """One participant's extracts in an ExtractList: indexes first .. first + size - 1."""

    participant_id: int
    participant: str
    first: int
    size: int


class ExtractList(Sequence[Extract]):
    """The extracts of `review_extracts`: where every one is, read at once
    (plain (document, start, end) tuples, from an index), and each one's
    text and codes read when it is first asked for, a few dozen at a time.
    A screen showing 30,000 extracts reads the few it draws."""

    CHUNK = 48  # extracts read together (about a screenful)
    TEXTS = 8  # documents' texts kept (the extracts near each other share them)

    def __init__(self, study: Study, spans: list[tuple[int, int, int]] | None,
                 docs: dict[int, tuple[int, str, int | None]], groups: list[ExtractGroup],
                 group_spans: Callable[[int], list[tuple[int, int, int]]] | None = None) -> None:
        self.study = study
        # (document, start, end): a transcript's id, or minus a note's. None:
        # read a participant's when first needed, with `group_spans`
        # (participant id -> their spans in order), each group's size known
        self._spans = spans
        self._group_spans = group_spans
        self._loaded: dict[int, list[tuple[int, int, int]]] = {}  # group index -> its spans
        self._docs = docs  # document -> (participant id, pseudonym, interview id of a note)
        self.groups = groups  # participant by participant, in order
        self._firsts = [g.first for g in groups]
        self._size = len(spans) if spans is not None else sum(g.size for g in groups)
        self._made: dict[int, Extract] = {}
        self._texts: dict[int, str] = {}
        self._coders = coder_condition(study)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index):  # an Extract, or a list of them for a slice
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._size))]
        index = self._index(index)
        made = self._made.get(index)
        if made is None:
            self._read(index - index % self.CHUNK)
            made = self._made[index]
        return made

    def __iter__(self):
        for i in range(self._size):
            yield self[i]

    def _index(self, index: int) -> int:
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(index)
        return index

    def _span(self, index: int) -> tuple[int, int, int]:
        if self._spans is not None:
            return self._spans[index]
        n = bisect.bisect_right(self._firsts, index) - 1
        return self._group(n)[index - self.groups[n].first]

    def _group(self, n: int) -> list[tuple[int, int, int]]:
        """Group `n`'s spans, read when first needed. Their number is the
        one kept in the file; if it is not (the kept counts would be wrong),
        they are marked to be counted again and StudyError says so."""
        spans = self._loaded.get(n)
        if spans is None:
            group = self.groups[n]
            spans = self._group_spans(group.participant_id)
            if len(spans) != group.size:
                mark_recount(self.study)
                raise StudyError(
                    f"the counts kept in {self.study.path} for {group.participant} were out of date "
                    f"({group.size} extracts kept, {len(spans)} found); they are counted again: "
                    "the review is read again")
            self._loaded[n] = spans
        return spans

    def place(self, index: int) -> ExtractPlace:
        """Where extract `index` is, without reading it."""
        doc, start, end = self._span(self._index(index))
        pid, name, interview = self._docs[doc]
        return ExtractPlace(pid, name, "transcript" if doc > 0 else "notes", abs(doc), interview, start, end)

    def find(self, key: tuple[str, int, int, int]) -> int | None:
        """The index of the extract with this `Extract.key`, if it is here."""
        kind, doc, start, end = key
        span = (doc if kind == "transcript" else -doc, start, end)
        if self._spans is not None:
            try:
                return self._spans.index(span)
            except ValueError:
                return None
        owner = self._docs.get(span[0])
        n = next((n for n, g in enumerate(self.groups) if owner and g.participant_id == owner[0]), None)
        if n is None:
            return None
        spans = self._group(n)
        i = bisect.bisect_left(spans, _doc_order(span), key=_doc_order)
        return self.groups[n].first + i if i < len(spans) and spans[i] == span else None

    def _text(self, doc: int) -> str:
        text = self._texts.get(doc)
        if text is None:
            table = "transcripts" if doc > 0 else "notes"
            text = self.study.scalar(f"SELECT text FROM {table} WHERE id = ?", (abs(doc),)) or ""
            if len(self._texts) >= self.TEXTS:
                del self._texts[next(iter(self._texts))]
            self._texts[doc] = text
        return text

    def _read(self, first: int) -> None:
        chunk = range(first, min(first + self.CHUNK, self._size))
        docs: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i in chunk:
            doc, start, end = self._span(i)
            docs[doc].append((start, end))
        # Every coding on the chunk's spans, document by document, read from
        # the index by document and position (only the stretch they cover).
        found: dict[tuple, dict[int, tuple]] = defaultdict(dict)
        for doc, spans in docs.items():
            column = "transcript_id" if doc > 0 else "note_id"
            wanted = set(spans)
            for start, end, kid, code_id, name, starred in self.study.conn.execute(
                "SELECT k.start_pos, k.end_pos, k.id, k.code_id, c.name, k.starred "
                f"FROM codings k JOIN codes c ON c.id = k.code_id WHERE k.{column} = ? "
                f"AND k.start_pos BETWEEN ? AND ?{self._coders}",
                (abs(doc), min(s for s, _ in spans), max(s for s, _ in spans)),
            ):
                if (start, end) not in wanted:
                    continue
                codes = found[(doc, start, end)]
                # one entry per code: two coders' codings of it on this span
                # are one code of the extract (the first coding stands for
                # them; starred if any is)
                got = codes.get(code_id)
                if got is None or kid < got[1]:
                    codes[code_id] = (name.casefold(), kid, code_id, name, bool(starred) or bool(got and got[4]))
                elif starred:
                    codes[code_id] = (*got[:4], True)
        for i in chunk:
            span = self._span(i)
            doc, start, end = span
            pid, name, interview = self._docs[doc]
            codes = sorted(found[span].values())
            self._made[i] = Extract(
                pid, name, "transcript" if doc > 0 else "notes", abs(doc), interview, start, end,
                self._text(doc)[start:end], tuple(ExtractCode(c[1], c[2], c[3], c[4]) for c in codes))


def _doc_order(span: tuple[int, int, int]) -> tuple[bool, int, int, int]:
    """A participant's spans in order: transcripts, then notes, each by id, then by place."""
    return span[0] < 0, abs(span[0]), span[1], span[2]


def review_extracts(
    study: Study, code_ids: list[int], participant_id: int | None = None,
    meeting: int | None = None, theme_id: int | None = None,
) -> ExtractList:
    """The extracts of `extracts_for`, in its order, read lazily: where they
    all are now, each one's text and codes when first asked for. With
    `theme_id` (whose codes, subthemes' included, `code_ids` are), and
    neither a participant nor a meeting code: how many each participant has
    comes from the cells kept in the file, and where they are is read one
    participant at a time, as they are shown."""
    if not code_ids:
        return ExtractList(study, [], {}, [])
    scope = study.setting("analysis_scope", "all")
    if theme_id is not None and participant_id is None and meeting is None:
        cells = theme_cells(study, [theme_id])
        if cells is not None:
            return _review_by_participant(study, code_ids, scope, {p: n for (_, p), n in cells.items() if n})
    marks = ",".join("?" * len(code_ids))
    coders = coder_condition(study)
    who = " AND p.id = ?" if participant_id is not None else ""
    extra = (participant_id,) if participant_id is not None else ()
    docs: dict[int, tuple[int, str, int | None]] = {tid: (pid, name, None) for tid, pid, name in study.conn.execute(
        "SELECT t.id, p.id, p.pseudonym FROM transcripts t JOIN participants p ON p.id = t.participant_id "
        f"WHERE p.pilot = 0{who}", extra)}
    # The distinct spans of the codes' codings in document order (many: in
    # one pass over the index by document and position; see _coded_spans)
    many = study.scalar(f"SELECT count(*) FROM codings WHERE code_id IN ({marks})", tuple(code_ids)) * 8 \
        > (study.scalar("SELECT max(id) FROM codings") or 0)
    spans, notes = _coded_spans(study, code_ids, scope, participant_id, many)
    docs.update((r[0], (r[3], r[4], r[5])) for r in notes)
    spans += [r[:3] for r in notes]
    if meeting is not None:
        near: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for doc, note, start, end in study.conn.execute(
            "SELECT transcript_id, note_id, start_pos, end_pos FROM codings k WHERE code_id = ?"
            + coders, (meeting,)
        ):
            near[doc if doc is not None else -note].append((start, end))
        spans = [s for s in spans if any(a < s[2] and s[1] < b for a, b in near.get(s[0], ()))]
    # Participant by participant (pseudonym order), transcripts before notes;
    # each document's spans are in order already: only the documents are sorted.
    where: dict[int, tuple[int, int]] = {}  # document -> (first index, past its last)
    keys = [s[0] for s in spans]
    # the transcripts' spans come first, sorted by document: jump over each
    # one's by bisection; then the few notes' spans
    transcripts = next((i + 1 for i in range(len(keys) - 1, -1, -1) if keys[i] > 0), 0)
    i = 0
    while i < len(keys):
        doc = keys[i]
        j = bisect.bisect_right(keys, doc, i, transcripts) if i < transcripts else i + 1
        while j < len(keys) and keys[j] == doc:
            j += 1
        where[doc] = (i, j)
        i = j
    order = sorted((d for d in where if d in docs), key=lambda d: (
        docs[d][1].casefold(), docs[d][0], d < 0, abs(d)))
    out: list[tuple[int, int, int]] = []
    groups: list[ExtractGroup] = []
    for d in order:
        pid, name, _ = docs[d]
        a, b = where[d]
        if not groups or groups[-1].participant_id != pid:
            groups.append(ExtractGroup(pid, name, len(out), 0))
        out.extend(spans[a:b])
        last = groups[-1]
        groups[-1] = ExtractGroup(pid, name, last.first, len(out) - last.first)
    return ExtractList(study, out, docs, groups)


def _coded_spans(study: Study, code_ids: list[int], scope: str, participant_id: int | None = None,
                 many: bool = False) -> tuple[list[tuple[int, int, int]], list[tuple]]:
    """The distinct spans `code_ids` code, in document order: the
    transcripts' (document, start, end), and the notes' (minus the note's id,
    start, end, participant id, pseudonym, interview id) when the scope
    takes notes; pilots and the coders out of analysis left out; only
    `participant_id`'s when given. `many`: read in one pass over the index by
    document and position (`+`; a search by each code reads their rows in
    random order, several times slower), where few (one code's, say) come
    from the index by code."""
    marks = ",".join("?" * len(code_ids))
    coders = coder_condition(study)
    who = " AND p.id = ?" if participant_id is not None else ""
    extra = (participant_id,) if participant_id is not None else ()
    sql = (f"SELECT DISTINCT transcript_id, start_pos, end_pos FROM codings k WHERE "
           f"{'+' if many else ''}k.code_id IN ({marks}) AND transcript_id IS NOT NULL{coders}")
    if participant_id is not None:  # one participant's few transcripts
        sql += " AND transcript_id IN (SELECT id FROM transcripts WHERE participant_id = ?)"
    spans = study.conn.execute(sql + " ORDER BY transcript_id, start_pos, end_pos", (*code_ids, *extra)).fetchall()
    notes: list[tuple] = []
    if scope != "transcripts":
        notes = study.conn.execute(
            # from the (few) notes' codings, not through the index by code
            "SELECT DISTINCT -k.note_id, k.start_pos, k.end_pos, p.id, p.pseudonym, i.id "
            "FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id JOIN codings k ON k.note_id = n.id "
            f"WHERE +k.code_id IN ({marks}) AND p.pilot = 0 AND i.pilot = 0{who}{coders} "
            "ORDER BY k.note_id, k.start_pos, k.end_pos", (*code_ids, *extra)
        ).fetchall()
    return spans, notes


def _review_by_participant(study: Study, code_ids: list[int], scope: str, sizes: dict[int, int]) -> ExtractList:
    """`review_extracts` of a whole theme, from the kept extracts per
    participant (`sizes`): the groups now, each one's spans when needed."""
    docs: dict[int, tuple[int, str, int | None]] = {tid: (pid, name, None) for tid, pid, name in study.conn.execute(
        "SELECT t.id, p.id, p.pseudonym FROM transcripts t JOIN participants p ON p.id = t.participant_id "
        "WHERE p.pilot = 0")}
    if scope != "transcripts":
        docs.update((-nid, (pid, name, iid)) for nid, pid, name, iid in study.conn.execute(
            "SELECT n.id, p.id, p.pseudonym, i.id FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id WHERE p.pilot = 0 AND i.pilot = 0"))
    names = {pid: name for pid, name, _ in docs.values()}
    groups: list[ExtractGroup] = []
    first = 0
    for pid in sorted((p for p in sizes if p in names), key=lambda p: (names[p].casefold(), p)):
        groups.append(ExtractGroup(pid, names[pid], first, sizes[pid]))
        first += sizes[pid]

    def group_spans(pid: int) -> list[tuple[int, int, int]]:
        spans, notes = _coded_spans(study, code_ids, scope, pid)
        return spans + [r[:3] for r in notes]

    return ExtractList(study, None, docs, groups, group_spans)


class SpanCode(NamedTuple):
    """One code on an extract of `extract_spans` (ExtractCode without the name)."""

    coding_id: int
    code_id: int
    starred: bool


class SpanExtract(NamedTuple):
    """An extract as `extract_spans` gives it: Extract's fields in a tuple
    (made by the hundred thousand on a large study; `with_texts` turns the
    few chosen into Extracts)."""

    participant_id: int
    participant: str
    kind: str
    doc_id: int
    interview_id: int | None
    start: int
    end: int
    text: str
    codes: tuple[SpanCode, ...]


def extract_spans(study: Study, code_ids: list[int]) -> list[SpanExtract]:
    """The extracts carrying any of `code_ids`, as `extracts_for` orders and
    filters them, but cheaper: no text yet (see `with_texts`), only these
    codes in `codes`, and tuples rather than Extracts. For the report, which
    quotes a few of thousands."""
    if not code_ids:
        return []
    scope = study.setting("analysis_scope", "all")
    wanted = set(code_ids)
    coders = coder_condition(study)
    # Plain tuples while grouping (thousands of codings); objects at the end.
    # Each group: [head row, [(code id, coding id, starred)]], codes by code id
    # then coding id (the order an index search by code gives).
    groups: dict[tuple, list] = {}
    people = {tid: (pid, who) for tid, pid, who in study.conn.execute(
        "SELECT t.id, p.id, p.pseudonym FROM transcripts t "
        "JOIN participants p ON p.id = t.participant_id WHERE p.pilot = 0")}
    # One pass over the codings table (`+`: no index; a search by each code,
    # or by the partial index, reads the rows in random order, twice as slow).
    for code_id, tid, start, end, kid, starred in study.conn.execute(
        "SELECT code_id, transcript_id, start_pos, end_pos, id, starred FROM codings k "
        f"WHERE +k.transcript_id IS NOT NULL{coders}"
    ):
        if code_id not in wanted or tid not in people:
            continue
        key = ("t", tid, start, end)
        group = groups.get(key)
        if group is None:
            pid, who = people[tid]
            group = groups[key] = [(pid, who, "t", tid, None, start, end), []]
        group[1].append((code_id, kid, starred))
    if scope != "transcripts":
        marks = ",".join("?" * len(code_ids))
        for r in study.conn.execute(
            "SELECT p.id, p.pseudonym, 'n', k.note_id, i.id, k.start_pos, k.end_pos, "
            "  k.code_id, k.id, k.starred "
            "FROM codings k JOIN notes n ON n.id = k.note_id "
            "JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id "
            f"WHERE k.code_id IN ({marks}) AND p.pilot = 0 AND i.pilot = 0{coders}", tuple(code_ids)
        ):
            key = (r[2], r[3], r[5], r[6])
            group = groups.get(key)
            if group is None:
                group = groups[key] = [r[:7], []]
            group[1].append(r[7:])
    for group in groups.values():
        if len(group[1]) > 1:
            # one entry per code, whatever the coders: its first coding,
            # starred when any coder starred it
            group[1].sort()
            first: dict[int, tuple] = {}
            for code_id, kid, starred in group[1]:
                if code_id not in first:
                    first[code_id] = (code_id, kid, starred)
                elif starred:
                    first[code_id] = (code_id, first[code_id][1], 1)
            group[1] = list(first.values())
    order = {name: name.casefold() for name in {g[0][1] for g in groups.values()}}
    keys = sorted(groups, key=lambda k: (order[groups[k][0][1]], groups[k][0][0], k[0] != "t", k[1], k[2], k[3]))
    out = []
    for key in keys:
        h, codes = groups.pop(key)  # freed as it goes: a large study has 150,000
        out.append(SpanExtract(h[0], h[1], "transcript" if h[2] == "t" else "notes", h[3], h[4], h[5], h[6], "",
                               tuple([SpanCode(kid, code_id, bool(starred)) for code_id, kid, starred in codes])))
    return out


def with_texts(study: Study, extracts: list[Extract | SpanExtract]) -> list[Extract]:
    """The extracts as Extracts, with their texts sliced from the stored documents."""
    texts = _texts(study, "transcripts", {e.doc_id for e in extracts if e.kind == "transcript"})
    texts.update(_texts(study, "notes", {e.doc_id for e in extracts if e.kind == "notes"}, key=lambda i: -i))
    return [
        Extract(e.participant_id, e.participant, e.kind, e.doc_id, e.interview_id, e.start, e.end,
                texts.get(e.doc_id if e.kind == "transcript" else -e.doc_id, "")[e.start:e.end],
                tuple(c if isinstance(c, ExtractCode) else ExtractCode(c.coding_id, c.code_id, "", c.starred)
                      for c in e.codes))
        for e in extracts
    ]


def _texts(study: Study, table: str, ids: set[int], key=lambda i: i) -> dict[int, str]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {key(r[0]): r[1] for r in study.conn.execute(
        f"SELECT id, text FROM {table} WHERE id IN ({marks})", tuple(ids))}


def review_codes(study: Study, target: str, target_id: int) -> list[int]:
    """The codes whose extracts a review of a theme (with its subthemes) or a code walks."""
    if target == "theme":
        return theme_code_ids(study, target_id)
    if target == "code":
        return [target_id]
    raise StudyError(f"cannot review a {target!r}")


@dataclass(frozen=True)
class ContextTurn:
    speaker: str
    is_interviewer: bool
    start: int  # offsets in the document's text
    end: int
    text: str


def extract_context(study: Study, extract: Extract) -> list[ContextTurn]:
    """The surrounding turn: the turns the extract lies in, with the turn
    before them (usually the question); for a note, the whole note."""
    if extract.kind == "notes":
        text = study.scalar("SELECT text FROM notes WHERE id = ?", (extract.doc_id,)) or ""
        return [ContextTurn("note", False, 0, len(text), text)]
    inside = study.conn.execute(
        "SELECT position, speaker, is_interviewer, start_pos, end_pos, text FROM segments "
        "WHERE transcript_id = ? AND end_pos > ? AND start_pos < ? ORDER BY position",
        (extract.doc_id, extract.start, extract.end),
    ).fetchall()
    if not inside:
        return []
    before = study.conn.execute(
        "SELECT position, speaker, is_interviewer, start_pos, end_pos, text FROM segments "
        "WHERE transcript_id = ? AND position < ? ORDER BY position DESC LIMIT 1",
        (extract.doc_id, inside[0][0]),
    ).fetchall()
    return [ContextTurn(r[1] or "", bool(r[2]), r[3], r[4], r[5]) for r in before + inside]


def extract_location(study: Study, extract: Extract) -> tuple[str, int, int]:
    """(kind, key, block index) to open the coding screen at the extract."""
    if extract.kind == "transcript":
        starts = [r[0] for r in study.conn.execute(
            "SELECT start_pos FROM segments WHERE transcript_id = ? ORDER BY position",
            (extract.doc_id,),
        )]
        return "transcript", extract.doc_id, max(0, bisect.bisect_right(starts, extract.start) - 1)
    notes = [r[0] for r in study.conn.execute(
        "SELECT id FROM notes WHERE interview_id = ? ORDER BY coalesce(elapsed_ms, 0), created_at, id",
        (extract.interview_id,),
    )]
    index = notes.index(extract.doc_id) if extract.doc_id in notes else 0
    return "notes", extract.interview_id or 0, index


def extract_where(study: Study, extract: Extract) -> str:
    """Where the extract is, in words: 'P3 · t1.txt · turn 12 · 4:05'."""
    from tacompanion.core.document import clock

    if extract.kind == "notes":
        return f"{extract.participant} · interview notes"
    name = study.scalar("SELECT file_name FROM transcripts WHERE id = ?", (extract.doc_id,)) or "?"
    row = study.conn.execute(
        "SELECT position, start_ms FROM segments WHERE transcript_id = ? AND start_pos <= ? "
        "ORDER BY start_pos DESC LIMIT 1",
        (extract.doc_id, extract.start),
    ).fetchone()
    if row is None:
        return f"{extract.participant} · {name}"
    turn = study.scalar(
        "SELECT count(*) FROM segments WHERE transcript_id = ? AND position <= ?", (extract.doc_id, row[0]))
    when = clock(row[1])
    return " · ".join(x for x in (extract.participant, name, f"turn {turn}", when) if x)


def recode(study: Study, coding_id: int, new_code_id: int, coder: str) -> int | None:
    """Replace the code of one coding by another on the same span, as one
    undoable step. Returns the new coding's id (None when the new code was
    already there: then the old coding is just removed)."""
    from tacompanion.store import history
    from tacompanion.store.study import new_uuid, now_iso

    rows = study.query("SELECT * FROM codings WHERE id = ?", (coding_id,))
    if not rows:
        raise StudyError(f"no coding with id {coding_id}")
    old = rows[0]
    if old["code_id"] == new_code_id:
        return coding_id
    names = dict(study.conn.execute(
        "SELECT id, name FROM codes WHERE id IN (?, ?)", (old["code_id"], new_code_id)).fetchall())
    if new_code_id not in names:
        raise StudyError(f"no code with id {new_code_id}")
    column = "transcript_id" if old["transcript_id"] is not None else "note_id"
    exists = study.scalar(
        f"SELECT id FROM codings WHERE code_id = ? AND {column} = ? AND start_pos = ? AND end_pos = ? "
        "AND coder = ?",
        (new_code_id, old[column], old["start_pos"], old["end_pos"], coder),
    )
    label = f"Recode '{names[old['code_id']]}' as '{names[new_code_id]}'"
    with history.record(study, "recode", label, coder=coder) as op:
        new_id = None
        if exists is None:
            new_id = op.insert("codings", {
                "uuid": new_uuid(), "code_id": new_code_id, column: old[column],
                "start_pos": old["start_pos"], "end_pos": old["end_pos"], "coder": coder,
                "created_at": now_iso(), "starred": old["starred"],
            })
        op.delete("codings", coding_id)
    return new_id


# -- participants x themes ------------------------------------------------------------


class Matrix:
    """Rows: participants in analysis; columns: themes; cells: distinct extracts
    of the theme (its subthemes included) in that participant's data.

    The cells are read from those kept in the study file (`rows`, store/
    tallies.py). When they cannot be (a study that cannot be written now), a
    participant's cells are counted when first asked for (`cell`, `row`,
    `load`), from their own codings only: a screen counts the rows it shows,
    whatever the size of the study; what needs every participant is exact
    from the start and cheap: `labels` and `present` (which cells hold
    anything) come from one existence test per participant and theme."""

    def __init__(self, study: Study, participants: list[tuple[int, str]], themes: list[tuple[int, str, int]],
                 total: int, present: set[tuple[int, int]], rule, column_of: dict[int, list[int]],
                 rows: dict[int, dict[int, int]] | None = None) -> None:
        self.study = study
        self.participants = participants
        self.themes = themes  # id, path, depth
        self.total = total  # N
        self.present = present  # (participant id, theme id) of every cell that is not 0
        self.labels: dict[int, tuple[int, str | None]] = {}  # theme id -> (participants, label)
        for tid, _, _ in themes:
            n = sum(1 for pid, _ in participants if (pid, tid) in present)
            self.labels[tid] = (n, label(n, total, rule))
        self._column_of = column_of  # code id -> the columns (themes) it counts in
        self._rows: dict[int, dict[int, int]] = rows or {}  # counted already (the kept cells)

    def cell(self, participant_id: int, theme_id: int) -> int:
        return self.row(participant_id).get(theme_id, 0)

    def row(self, participant_id: int) -> dict[int, int]:
        """One participant's cells: theme id -> extracts (only those not 0)."""
        if participant_id not in self._rows:
            self.load([participant_id])
        return self._rows.get(participant_id, {})

    def loaded(self, participant_id: int) -> bool:
        return participant_id in self._rows

    def load(self, participant_ids) -> None:
        """Count the cells of these participants (those not counted yet)."""
        wanted = [p for p in dict.fromkeys(participant_ids) if p not in self._rows]
        if wanted:
            self._rows.update(_matrix_rows(self.study, wanted, self._column_of))

    @property
    def cells(self) -> dict[tuple[int, int], int]:
        """Every cell that is not 0 (every participant's row counted)."""
        self.load(pid for pid, _ in self.participants)
        return {(pid, tid): n for pid, _ in self.participants for tid, n in self._rows.get(pid, {}).items()}


def _matrix_rows(study: Study, participant_ids: list[int], column_of: dict[int, list[int]]
                 ) -> dict[int, dict[int, int]]:
    """The cells of these participants: each one's codings (transcripts, and
    notes of interviews that are not pilots unless the scope leaves notes
    out), read by document from the index by document and position."""
    scope = study.setting("analysis_scope", "all")
    who = coder_condition(study)
    marks = ",".join("?" * len(participant_ids))
    seen: dict[tuple[int, int], set] = defaultdict(set)
    sql = ("SELECT t.participant_id, k.code_id, k.transcript_id, k.start_pos, k.end_pos "
           f"FROM transcripts t CROSS JOIN codings k ON k.transcript_id = t.id WHERE t.participant_id IN ({marks})"
           + who)
    if scope != "transcripts":
        sql += (" UNION ALL SELECT i.participant_id, k.code_id, -k.note_id, k.start_pos, k.end_pos "
                "FROM interviews i JOIN notes n ON n.interview_id = i.id CROSS JOIN codings k ON k.note_id = n.id "
                f"WHERE i.participant_id IN ({marks}) AND i.pilot = 0" + who)
    params = tuple(participant_ids) * (1 if scope == "transcripts" else 2)
    for pid, code_id, document, start, end in study.conn.execute(sql, params):
        for tid in column_of.get(code_id, ()):
            seen[(pid, tid)].add((document, start, end))
    out: dict[int, dict[int, int]] = {pid: {} for pid in participant_ids}
    for (pid, tid), extracts in seen.items():
        out[pid][tid] = len(extracts)
    return out


def participant_theme_matrix(study: Study, level: str = "main") -> Matrix:
    """The matrix over the main themes (`level` "main") or every theme and
    subtheme ("all"). Its cells are counted as they are asked for."""
    from tacompanion.core.prevalence import rule_from_setting

    scope = study.setting("analysis_scope", "all")
    rule = rule_from_setting(study.setting("prevalence_rule"))
    themes = list_themes(study)
    paths = theme_paths(themes)
    parent = {t.id: t.parent_id for t in themes}
    depth: dict[int, int] = {}
    for t in themes:
        depth[t.id] = 0 if t.parent_id is None else depth[t.parent_id] + 1
    columns = [t for t in themes if level == "all" or t.parent_id is None]
    wanted = {t.id for t in columns}
    column_of: dict[int, list[int]] = {}  # code -> the columns it counts in (its theme and those above)
    codes_of: dict[int, list[int]] = defaultdict(list)  # column -> its codes (subthemes' included)
    for cid, tid in study.conn.execute("SELECT id, theme_id FROM codes"):
        chain = []
        while tid is not None:
            if tid in wanted:
                chain.append(tid)
                codes_of[tid].append(cid)
            tid = parent.get(tid)
        if chain:
            column_of[cid] = chain
    notes = "" if scope == "transcripts" else (
        " UNION SELECT i.participant_id FROM interviews i JOIN notes n ON n.interview_id = i.id"
        " WHERE i.pilot = 0"
    )
    people = [(r[0], r[1]) for r in study.conn.execute(
        "SELECT id, pseudonym FROM participants WHERE pilot = 0 AND id IN "
        f"(SELECT participant_id FROM transcripts{notes}) ORDER BY pseudonym COLLATE NOCASE"
    )]
    matrix_columns = [(t.id, paths[t.id], depth[t.id]) for t in columns]
    # The cells as kept in the study file (store/tallies.py): one read of a
    # few thousand stored rows, whatever the size of the study.
    kept = theme_cells(study, sorted(wanted))
    if kept is not None:
        in_matrix = {pid for pid, _ in people}
        rows: dict[int, dict[int, int]] = {pid: {} for pid in in_matrix}
        for (tid, pid), n in kept.items():
            if pid in in_matrix and n:
                rows[pid][tid] = n
        present = {(pid, tid) for pid, row in rows.items() for tid in row}
        return Matrix(study, people, matrix_columns, len(people), present, rule, column_of, rows)
    # Counted from the codings (a study that cannot be written now). Which
    # cells hold anything: per theme, the participants with at least one
    # coding of it, each test stopping at the first coding found (a few
    # index searches per participant and theme, whatever the study's size).
    who = coder_condition(study)
    present: set[tuple[int, int]] = set()
    for tid, codes in codes_of.items():
        marks = ",".join("?" * len(codes))
        sql = ("SELECT p.id FROM participants p WHERE p.pilot = 0 AND (EXISTS (SELECT 1 FROM transcripts t "
               f"CROSS JOIN codings k ON k.transcript_id = t.id WHERE t.participant_id = p.id "
               f"AND k.code_id IN ({marks}){who})")
        params = tuple(codes)
        if scope != "transcripts":
            sql += (" OR EXISTS (SELECT 1 FROM interviews i JOIN notes n ON n.interview_id = i.id "
                    "CROSS JOIN codings k ON k.note_id = n.id WHERE i.participant_id = p.id AND i.pilot = 0 "
                    f"AND +k.code_id IN ({marks}){who})")
            params += params
        present.update((pid, tid) for (pid,) in study.conn.execute(sql + ")", params))
    return Matrix(study, people, matrix_columns, len(people), present, rule, column_of)


# -- co-occurrence -----------------------------------------------------------------------


@dataclass(frozen=True)
class CoOccurrence:
    code_a: int
    name_a: str
    code_b: int
    name_b: str
    shared: int  # overlapping pairs of extracts (one extract coded with both: 1)
    participants: int  # distinct participants in whose data they meet


def cooccurrences(study: Study, code_id: int | None = None) -> list[CoOccurrence]:
    """Which codes share extracts: two codes meet where a coding of one
    overlaps a coding of the other in the same document. Most shared first.
    With `code_id`, only the pairs that include it (read from that code's
    codings and those overlapping them: not every coding of the study)."""
    scope = study.setting("analysis_scope", "all")
    if code_id is not None:
        return _cooccurrences_of(study, code_id, scope)
    by_doc: dict[int, list] = defaultdict(list)
    rows, owner = coding_rows(study, scope)
    for code, document, start, end in rows:
        by_doc[document].append((start, end, code, owner[document]))
    shared: dict[tuple[int, int], int] = defaultdict(int)
    people: dict[tuple[int, int], set] = defaultdict(set)
    for facts in by_doc.values():
        facts.sort()
        active: list = []  # codings that started earlier and may still overlap
        for start, end, code, participant in facts:
            active = [a for a in active if a[1] > start]
            for a in active:
                if a[2] == code:
                    continue
                pair = (a[2], code) if a[2] < code else (code, a[2])
                if code_id is not None and code_id not in pair:
                    continue
                shared[pair] += 1
                people[pair].add(participant)
            active.append((start, end, code, participant))
    names = dict(study.conn.execute("SELECT id, name FROM codes").fetchall())
    out = [
        CoOccurrence(a, names.get(a, "?"), b, names.get(b, "?"), n, len(people[(a, b)]))
        for (a, b), n in shared.items()
    ]
    out.sort(key=lambda c: (-c.shared, -c.participants, c.name_a.casefold(), c.name_b.casefold()))
    return out


def _cooccurrences_of(study: Study, code_id: int, scope: str) -> list[CoOccurrence]:
    """`cooccurrences` for one code: each of its codings and the codings of
    other codes overlapping it in the same document (an index search by
    document and position for each), pilots left out as in `coding_rows`."""
    k_who, k2_who = coder_condition(study, "k"), coder_condition(study, "k2")
    sql = (
        "SELECT k2.code_id, t.participant_id, count(*) FROM codings k "
        "JOIN transcripts t ON t.id = k.transcript_id JOIN participants p ON p.id = t.participant_id "
        "JOIN codings k2 ON k2.transcript_id = k.transcript_id AND k2.start_pos < k.end_pos "
        "  AND k2.end_pos > k.start_pos AND k2.code_id != k.code_id "
        f"WHERE k.code_id = ? AND p.pilot = 0{k_who}{k2_who} GROUP BY k2.code_id, t.participant_id"
    )
    params: tuple = (code_id,)
    if scope != "transcripts":
        sql += (
            " UNION ALL SELECT k2.code_id, i.participant_id, count(*) FROM codings k "
            "JOIN notes n ON n.id = k.note_id JOIN interviews i ON i.id = n.interview_id "
            "JOIN participants p ON p.id = i.participant_id "
            "JOIN codings k2 ON k2.note_id = k.note_id AND k2.start_pos < k.end_pos "
            "  AND k2.end_pos > k.start_pos AND k2.code_id != k.code_id "
            f"WHERE k.code_id = ? AND p.pilot = 0 AND i.pilot = 0{k_who}{k2_who} "
            "GROUP BY k2.code_id, i.participant_id"
        )
        params += (code_id,)
    shared: dict[int, int] = defaultdict(int)
    people: dict[int, set] = defaultdict(set)
    for other, participant, n in study.conn.execute(sql, params):
        shared[other] += n
        people[other].add(participant)
    names = dict(study.conn.execute("SELECT id, name FROM codes").fetchall())
    out = []
    for other, n in shared.items():
        a, b = (code_id, other) if code_id < other else (other, code_id)
        out.append(CoOccurrence(a, names.get(a, "?"), b, names.get(b, "?"), n, len(people[other])))
    out.sort(key=lambda c: (-c.shared, -c.participants, c.name_a.casefold(), c.name_b.casefold()))
    return out


def change_marker(study: Study) -> tuple[int, int]:
    """Changes whenever the study does (by this connection or another process):
    a screen compares markers to skip redrawing what cannot have changed."""
    version = study.conn.execute("PRAGMA data_version").fetchone()[0]
    return (study.conn.total_changes, version)


def next_undo_targets(study: Study, redo: bool = False) -> list[tuple[str, int]]:
    """The themes, then the codes, that undo (or redo) would change next, as
    ("theme", id) / ("code", id): for the map to put its cursor there after."""
    import json

    from tacompanion.store.history import _mine

    mine, params = _mine(study.coder)
    if redo:
        sql = f"SELECT forward FROM operations WHERE state = 'undone' AND undoable = 1 AND {mine} " \
            "ORDER BY id ASC LIMIT 1"
    else:
        sql = f"SELECT backward FROM operations WHERE state = 'done' AND undoable = 1 AND {mine} " \
            "ORDER BY id DESC LIMIT 1"
    raw = study.scalar(sql, params)
    if raw is None:
        return []
    found: list[tuple[str, int]] = []
    for change in json.loads(raw):
        kind = {"themes": "theme", "codes": "code"}.get(change["table"])
        if kind is not None:
            key = (kind, change["id"] if "id" in change else change["row"]["id"])
            if key not in found:
                found.append(key)
    return sorted(found, key=lambda k: k[0] != "theme")
