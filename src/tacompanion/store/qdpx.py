"""The one transaction in which an import writes a whole REFI-QDA project
(what an export reads is in store/qdpx_export.py).

Identity: each row's `uuid` is its GUID in the file, so exporting twice gives
the same GUIDs, and importing a file we wrote gives the rows their old uuids.
A merge (`merge=True`) matches by GUID first, then by content where the GUID is
unknown (see core/merge_match.py: sources by text, participants by name,
themes by path, codes by name within their theme path, coders by name), adds
what is new, skips what is already there, and lists conflicts; all in one
transaction, so merging the same file twice changes nothing the second time.
Codings are kept per coder: one per (document, span, code, coder); exact
duplicates in a file collapse into one and are counted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from tacompanion.core.case_matching import CaseMatch
from tacompanion.core.merge_match import name_key, path_key, text_key
from tacompanion.core.qdpx import QProject, derived_guid, duplicate_guids, split_notes
from tacompanion.core.transcript import markdown_skip, segment_text
from tacompanion.store import tallies
from tacompanion.store.participants import MAX_PSEUDONYM
from tacompanion.store.schema import MEMO_MERGE_SEPARATOR, MEMO_TARGETS
from tacompanion.store.study import Study, StudyError, new_uuid, now_iso
from tacompanion.store.transcript_counts import store_word_counts

# -- import ------------------------------------------------------------------------------------

TRANSCRIPT_FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".docx": "docx",
                      ".vtt": "vtt", ".srt": "srt"}
NOTES_SOURCE_RE = re.compile(r"^(?P<who>.+?) (?P<pilot>pilot )?interview notes(?: \(\d+\))?$")
THEME_STATUS_SET_RE = re.compile(r"^Theme status: (candidate|reviewed|final)$")
JOURNAL_NOTE_RE = re.compile(r"^Reflexive journal (\d{4}-\d{2}-\d{2})(?: \(\d+\))?$")
OUR_MEMO_NAME_RE = re.compile(r"^(Memo on .*|Study memo|Reflexive journal .*)$")
PARTICIPANT_MEMO_RE = re.compile(r"^Memo on participant (.+)$")
# A framework summary travels as a Note named for its case and column, referred
# to by the theme's Code (theme columns) or by the project (guide questions).
FRAMEWORK_NOTE_RE = re.compile(r"^Framework summary: (?P<who>.+?) · (?:question (?P<question>\S+)|(?P<theme>.+))$")
MAX_THEME_DEPTH = 20  # docs/limits.md


@dataclass
class ImportSummary:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # added
    matched: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # merge: already there
    by_content: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # of matched: not by GUID
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # not used (see problems)
    problems: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    duplicates: int = 0  # codings in the file twice (same coder, code and span), collapsed


def is_empty(study: Study) -> bool:
    return not any(
        study.scalar(f"SELECT 1 FROM {table} LIMIT 1")
        for table in ("participants", "transcripts", "codes", "themes", "memos", "journal",
                      "interviews", "guides")
    )


def import_project(study: Study, project: QProject, *, merge: bool = False,
                   interviewer_labels: list[str] | None = None,
                   assign: dict[str, str] | Callable[[str], str | None] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Write `project` into the study in one transaction; refuse a study with
    content unless `merge`. `assign`: source name (or guid) -> pseudonym, the
    researcher's answer for sources no case owns (see `unassigned_sources`),
    or a function asked for each such source by name as it is met.
    Returns counts and what could not be used; `progress(done, total)` is
    told after each source."""
    problem = duplicate_guids(project)
    if problem:
        raise StudyError(f"the project cannot be imported: {problem}")
    total = len(project.sources)

    def sources() -> Iterator:
        for n, source in enumerate(project.sources):
            if progress is not None:
                progress(n, total)
            yield source

    return import_stream(study, project, sources(), lambda: project, merge=merge,
                         interviewer_labels=interviewer_labels, assign=assign, bulk_sources=total)


def import_stream(study: Study, head: QProject, sources: Iterable, finish: Callable[[], QProject], *,
                  merge: bool = False, interviewer_labels: list[str] | None = None,
                  assign: dict[str, str] | Callable[[str], str | None] | None = None,
                  bulk_sources: int | None = None) -> ImportSummary:
    """Write a project into the study in one transaction as it is read:
    `head` holds its codes, cases and variables (its sources may be empty),
    `sources` yields the sources one at a time (each written, then dropped),
    and `finish()`, called once they are all read, returns the project whole
    but for its sources (notes, sets, description, the reader's problems). An
    exception from any of them rolls everything back: the study is left as
    it was. `bulk_sources`: how many sources, when known (else the full-text
    index is rebuilt once more sources were written than the study had)."""
    import sqlite3

    summary = ImportSummary()
    try:
        with study.transaction():  # the connection alone: no sqlite-utils to load
            if not merge and not is_empty(study):
                raise StudyError(
                    f"{study.path}: the study already has content; import a project into a new "
                    "study (--db NEW.db), or pass --merge (the same as tacompanion merge FILE) to add what it lacks"
                )
            had = study.scalar("SELECT count(*) FROM transcripts")
            bulk = not merge or (bulk_sources is not None and bulk_sources > had)
            fts = _BulkFts(study.conn, "segments")
            if bulk:
                fts.start()
            # into an empty study: the codings' indexes are made once at the end
            # (sorting 100,000s of rows beats inserting each into six b-trees)
            with _import_pragmas(study.conn), fts, _BulkIndexes(study.conn, "codings", not merge), \
                    tallies.marked_all_after(study.conn, bulk):
                importer = _Importer(study, head, summary, merge, interviewer_labels)
                if callable(assign):
                    importer.ask = assign
                else:
                    importer.assign = dict(assign or {})
                importer.run(sources, finish, lambda written: written > had and fts.start())
    except sqlite3.IntegrityError as exc:  # a case the matching did not foresee: nothing is written
        raise ImportConflict(f"{study.path}: the project could not be {'merged' if merge else 'imported'} "
                             f"({exc}); nothing was changed") from None
    return summary


class ImportConflict(StudyError):
    """A row the study refused (a UNIQUE constraint): nothing was written.
    A file read as it is written meets this before its GUIDs are checked
    (formats/qdpx_import.stream_import then reads it whole first)."""


@contextlib.contextmanager
def _import_pragmas(conn) -> Iterator[None]:
    """A larger page cache while a project is written: the unique indexes of
    200,000 codings (random uuids) thrash SQLite's default 2 MB cache."""
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA cache_size = -32768")  # 32 MiB
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


class _BulkIndexes:
    """With `on`, the indexes made for `table` (CREATE INDEX, not those of its
    UNIQUE and PRIMARY KEY constraints) are dropped for the block and made
    again at its end, inside the caller's transaction (a failure rolls them
    back with the rest; a unique one that no longer holds fails the import)."""

    def __init__(self, conn, table: str, on: bool) -> None:
        self.conn, self.table, self.on = conn, table, on
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self) -> _BulkIndexes:
        if self.on:
            self.indexes = self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                "ORDER BY name", (self.table,)).fetchall()
            for name, _sql in self.indexes:
                self.conn.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            for _name, sql in self.indexes:
                self.conn.execute(sql)


class _BulkFts:
    """Once started, rows inserted into `table` skip the full-text index's
    per-row insert trigger, and the index is rebuilt once at the end of the
    block from the table (FTS5 'rebuild'): several times faster for a large
    project. All inside the caller's transaction: a failure rolls the trigger
    and the index back with everything else."""

    def __init__(self, conn, table: str) -> None:
        self.conn, self.table = conn, table
        self.trigger: tuple[str, str] | None = None

    def start(self) -> None:
        if self.trigger is not None:
            return
        self.trigger = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name = ?",
            (self.table, f"{self.table}_ai"),
        ).fetchone()
        if self.trigger is not None:
            self.conn.execute(f'DROP TRIGGER "{self.trigger[0]}"')

    def __enter__(self) -> _BulkFts:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if self.trigger is None or exc_type is not None:
            return  # rolled back with the rest
        table = self.table
        self.conn.execute(f"INSERT INTO \"{table}_fts\" (\"{table}_fts\") VALUES ('rebuild')")
        self.conn.execute(self.trigger[1])


def unassigned_sources(study: Study, project: QProject) -> list[str]:
    """The names of the sources that no case points to and that the matching
    rule (core/case_matching.py) gives to no case: the import asks about
    these, before writing anything."""
    from tacompanion.core.case_matching import match_source

    names = {" ".join(r[0].split()).casefold() for r in study.conn.execute("SELECT pseudonym FROM participants")}
    names |= {" ".join(c.name.split()).casefold() for c in project.cases}
    owned = {src for c in project.cases for src in c.sources}
    known = {r[0] for r in study.conn.execute("SELECT uuid FROM transcripts UNION SELECT uuid FROM interviews")}
    out = []
    for source in project.sources:
        if source.guid in owned or source.guid in known:
            continue
        m = NOTES_SOURCE_RE.match(source.name)
        if m and split_notes(source.text) is not None and m.group("who").casefold() in names:
            continue
        if match_source(source.name, [], names).case or match_source("", _speakers(source), names).case:
            continue
        out.append(source.name)
    return out


def _speakers(source) -> list[str | None]:
    """The speaker labels of a source's turns, read as its format says."""
    suffix = re.search(r"\.[A-Za-z0-9]+$", source.name)
    fmt = TRANSCRIPT_FORMATS.get(suffix.group(0).lower(), "txt") if suffix else "txt"
    parsed = segment_text(source.text, fmt, skip_line=markdown_skip if fmt == "md" else None)
    return [seg.speaker for seg in parsed.segments]


def _format_of(name: str) -> str:
    suffix = re.search(r"\.[A-Za-z0-9]+$", name)
    return TRANSCRIPT_FORMATS.get(suffix.group(0).lower(), "txt") if suffix else "txt"


def _uuids(n: int) -> list[str]:
    """`n` random (version 4) UUIDs, as `new_uuid` makes them, in one go."""
    import os

    raw = os.urandom(16 * n)
    out = []
    for i in range(0, 16 * n, 16):
        h = raw[i:i + 16].hex()
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}")
    return out


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _SourceRefs:
    """What memos() needs of a source once it is written: its GUID, the notes
    it refers to, and the few selections that carry notes or a description."""

    __slots__ = ("guid", "note_refs", "selections")

    def __init__(self, source) -> None:
        self.guid, self.note_refs = source.guid, source.note_refs
        self.selections = [sel for sel in source.selections if sel.note_refs or sel.description.strip()]


_PHASES = ("codes", "theme status", "participants", "sources", "memos")


class _Importer:
    def __init__(self, study: Study, project: QProject, summary: ImportSummary, merge: bool,
                 labels: list[str] | None) -> None:
        self.study, self.p, self.s, self.merge = study, project, summary, merge
        self.conn = study.conn
        self.now = now_iso()
        if labels is None:
            labels = list(study.setting("interviewer_labels", []) or [])
        self.labels = {x.strip().casefold() for x in labels if x.strip()}
        # The codings are not read whole (a large study has 100,000s): those
        # of one document are read when a source of the file is that document.
        self.existing = {
            t: dict(self.conn.execute(f"SELECT uuid, id FROM {t}").fetchall())
            for t in ("themes", "codes", "participants", "transcripts", "memos", "journal",
                      "interviews", "notes")
        }
        self.codings_before = self.conn.execute("SELECT coalesce(max(id), 0) FROM codings").fetchone()[0]
        # uuids taken, so that a GUID the file repeats never breaks a UNIQUE constraint
        # (codings' GUIDs are unique in a file that is imported at all: core/qdpx.duplicate_guids)
        self.taken = {t: set(v) for t, v in self.existing.items()}
        self.coders_before = {name_key(r[0]) for r in self.conn.execute("SELECT DISTINCT coder FROM codings")}
        self.file_coders: set[str] = set()
        self.new_themes: set[int] = set()
        self.theme_of: dict[str, int] = {}  # code guid (non-codable) -> theme id
        self.code_of: dict[str, int] = {}  # code guid (codable) -> code id
        self.transcript_of: dict[str, int] = {}  # source guid -> transcript id
        self.notes_of: dict[str, tuple[int, list]] = {}  # source guid -> (interview id, [(note id, block)])
        self.assign: dict[str, str] = {}  # source guid or name -> pseudonym: the researcher's answers
        self.ask: Callable[[str], str | None] | None = None  # or asked, by source name, as it is met
        self.source_refs: list[_SourceRefs] = []
        # What could not be used, kept per step and reported in the steps' order
        # (the sources are read, and their participants found, one at a time).
        self.lines: dict[str, tuple[list[str], list[str]]] = {k: ([], []) for k in _PHASES}
        self.phase = "codes"

    def problem(self, line: str) -> None:
        self.lines[self.phase][0].append(line)

    def conflict(self, line: str) -> None:
        self.lines[self.phase][1].append(line)

    def matched(self, kind: str, by_content: bool = False) -> None:
        self.s.matched[kind] += 1
        if by_content:
            self.s.by_content[kind] += 1

    def fresh(self, table: str, guid: str) -> str:
        """`guid` for a new row, or a new uuid when the study (or this file) has it already."""
        if table == "codings":
            return guid  # unique in the file, and not in the study (matched before this)
        if guid in self.taken[table]:
            guid = new_uuid()
        self.taken[table].add(guid)
        return guid

    def run(self, sources: Iterable, finish: Callable[[], QProject], written: Callable[[int], object]) -> None:
        # What the study holds before anything of the file is written: a merge
        # matches memos and journal entries by content against these (memos
        # on cases and sources are written before memos() runs).
        self.journal_before = {(r[0], r[1]) for r in self.conn.execute("SELECT entry_date, text FROM journal")}
        columns = ("code_id", "theme_id", "transcript_id", "segment_id", "note_id", "participant_id",
                   "interview_id")
        self.memos_before: set[tuple] = set()
        for r in self.conn.execute(f"SELECT {', '.join(columns)}, text FROM memos"):
            column = next((c for c, v in zip(columns, r, strict=False) if v is not None), None)
            self.memos_before.add((column, r[columns.index(column)] if column else None, r[-1]))
        self.phase = "codes"
        self.codes()
        self.phase = "participants"
        self.participants()
        self.begin_sources()
        n = 0
        for source in sources:
            self.phase = "participants"
            pid = self.participant_of(source)
            self.phase = "sources"
            self.source(source, pid)
            self.source_refs.append(_SourceRefs(source))
            n += 1
            written(n)
        self.end_sources()
        self.p = finish()
        self.phase = "theme status"
        self.theme_status()
        self.phase = "memos"
        self.memos()
        self.s.problems = list(self.p.problems)
        for phase in _PHASES:
            self.s.problems += self.lines[phase][0]
            self.s.conflicts += self.lines[phase][1]

    # -- codes and themes ---------------------------------------------------------------------

    def _theme_level(self, theme_id: int) -> int:
        """1 for a top-level theme, 2 for its subtheme, ... (bounded: a cycle
        in a damaged file must not loop)."""
        level, seen = 0, set()
        current: int | None = theme_id
        while current is not None and current not in seen and level <= MAX_THEME_DEPTH:
            seen.add(current)
            level += 1
            current = self.theme_parent.get(current)
        return level

    def codes(self) -> None:
        by_guid = {c.guid: c for c in self.p.codes}
        # the study's themes by path, codes by name (with their theme path)
        theme_rows = self.conn.execute("SELECT id, parent_id, name FROM themes").fetchall()
        theme_parent = {r[0]: r[1] for r in theme_rows}
        theme_name = {r[0]: r[2] for r in theme_rows}

        def study_path(tid: int | None) -> tuple[str, ...]:
            names, seen = [], set()
            while tid is not None and tid not in seen:
                seen.add(tid)
                names.append(theme_name[tid])
                tid = theme_parent.get(tid)
            return path_key(reversed(names))

        theme_by_path = {study_path(t): t for t in theme_name} if self.merge else {}
        theme_path_of: dict[int | None, tuple[str, ...]] = {t: study_path(t) for t in theme_name}
        theme_path_of[None] = ()
        code_by_name = {name_key(r[1]): (r[0], r[1], r[2]) for r in
                        self.conn.execute("SELECT id, name, theme_id FROM codes")} if self.merge else {}
        shown_path = lambda key: " / ".join(key) or "no theme"  # noqa: E731
        # Themes nest at most MAX_THEME_DEPTH deep (the report, the map and the
        # statistics walk the theme tree); deeper categories are placed at that depth.
        self.theme_parent: dict[int, int | None] = dict(theme_parent)
        self.flattened = 0
        names = {r[0].casefold() for r in self.conn.execute("SELECT name FROM codes")}
        slugs = {r[0] for r in self.conn.execute("SELECT slug FROM codes")}
        position = {"theme": defaultdict(int), "code": self.conn.execute(
            "SELECT coalesce(max(position), 0) FROM codes").fetchone()[0]}
        from slugify import slugify

        for c in self.p.codes:
            parent = by_guid.get(c.parent) if c.parent else None
            # the nearest non-codable ancestor is the theme; the nearest codable parent the code parent
            theme_id = None
            a = parent
            visited: set[str] = set()
            while a is not None and a.guid not in visited:  # a cycle of GUIDs must not loop
                visited.add(a.guid)
                if not a.codable:
                    theme_id = self.theme_of.get(a.guid)
                    break
                a = by_guid.get(a.parent) if a.parent else None
            here = theme_path_of.get(theme_id, ())
            if not c.codable:
                if c.guid in self.existing["themes"]:
                    tid = self.existing["themes"][c.guid]
                    self.theme_of[c.guid] = tid
                    self.matched("themes")
                    if name_key(theme_name.get(tid)) != name_key(c.name):
                        self.conflict(f"theme {theme_name.get(tid)!r}: the file names it {c.name!r} "
                                      "(same GUID); the study's name is kept")
                    continue
                path = (*here, name_key(c.name) or "(unnamed)")
                if path in theme_by_path:
                    self.theme_of[c.guid] = theme_by_path[path]
                    self.matched("themes", by_content=True)
                    continue
                wanted = theme_id
                while theme_id is not None and self._theme_level(theme_id) >= MAX_THEME_DEPTH:
                    theme_id = self.theme_parent.get(theme_id)
                if theme_id != wanted:
                    self.flattened += 1
                position["theme"][theme_id] += 1
                cur = self.conn.execute(
                    "INSERT INTO themes (uuid, parent_id, name, definition, status, position, created_at) "
                    "VALUES (?, ?, ?, ?, 'candidate', ?, ?)",
                    (self.fresh("themes", c.guid), theme_id, " ".join(c.name.split()) or "(unnamed)",
                     c.description.strip(), position["theme"][theme_id], self.now),
                )
                self.theme_of[c.guid] = cur.lastrowid
                self.theme_parent[cur.lastrowid] = theme_id
                self.new_themes.add(cur.lastrowid)
                theme_path_of[cur.lastrowid] = path
                theme_name[cur.lastrowid] = " ".join(c.name.split()) or "(unnamed)"
                self.s.counts["themes"] += 1
                continue
            if c.guid in self.existing["codes"]:
                cid = self.existing["codes"][c.guid]
                self.code_of[c.guid] = cid
                self.matched("codes")
                now = self.conn.execute("SELECT name FROM codes WHERE id = ?", (cid,)).fetchone()[0]
                if name_key(now) != name_key(c.name):
                    self.conflict(f"code {now!r}: the file names it {c.name!r} (same GUID); "
                                  "the study's name is kept")
                continue
            same = code_by_name.get(name_key(c.name))
            if same is not None:
                cid, now, tid = same
                self.code_of[c.guid] = cid
                self.matched("codes", by_content=True)
                if theme_path_of.get(tid, ()) != here:
                    self.conflict(f"code {now!r}: under {shown_path(theme_path_of.get(tid, ()))!r} here, "
                                  f"under {shown_path(here)!r} in the file; its codings are merged into "
                                  "the study's code, which stays where it is")
                continue
            name = " ".join(c.name.split())[:200] or "(unnamed code)"
            base, n = name, 1
            while name.casefold() in names:
                n += 1
                name = f"{base} ({n})"
            if name != base:
                self.problem(f"code {base!r}: another code has that name; imported as {name!r}")
            names.add(name.casefold())
            slug_base = slugify(name) or "code"
            slug, n = slug_base, 1
            while slug in slugs:
                n += 1
                slug = f"{slug_base}-{n}"
            slugs.add(slug)
            parent_code = self.code_of.get(parent.guid) if parent is not None and parent.codable else None
            position["code"] += 1
            color = c.color if c.color and re.fullmatch(r"#[0-9A-Fa-f]{6}", c.color) else None
            cur = self.conn.execute(
                "INSERT INTO codes (uuid, name, slug, description, theme_id, parent_code_id, color, "
                "position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.fresh("codes", c.guid), name, slug, c.description.strip(), theme_id, parent_code, color,
                 position["code"], self.now),
            )
            self.code_of[c.guid] = cur.lastrowid
            self.s.counts["codes"] += 1

        if self.flattened:
            self.problem(f"{self.flattened:,} categories nested more than {MAX_THEME_DEPTH} deep: placed at "
                         f"depth {MAX_THEME_DEPTH} (themes nest at most {MAX_THEME_DEPTH} deep; codes any depth)")

    def theme_status(self) -> None:
        for _guid, name, members in self.p.sets:
            m = THEME_STATUS_SET_RE.match(name)
            if m is None:
                self.problem(f"set {name!r} ({len(members)} codes): sets are not imported")
                continue
            for member in members:
                # a merge leaves the status of themes the study had as it is
                if member in self.theme_of and self.theme_of[member] in self.new_themes:
                    self.conn.execute("UPDATE themes SET status = ? WHERE id = ?",
                                      (m.group(1), self.theme_of[member]))

    # -- participants ----------------------------------------------------------------------------

    def participants(self) -> None:
        """The participants of the cases; the sources each case points to are
        theirs (`participant_of` finds the others, one source at a time)."""
        self.taken_names = {r[0].casefold() for r in self.conn.execute("SELECT pseudonym FROM participants")}
        by_name = {r[0].casefold(): r[1] for r in self.conn.execute("SELECT pseudonym, id FROM participants")}
        before = {name_key(r[0]): (r[1], r[0]) for r in
                  self.conn.execute("SELECT pseudonym, id FROM participants")} if self.merge else {}
        self.case_of: dict[str, int] = {}
        self.participant_by_name: dict[str, int] = dict(by_name)
        self.people: dict[str, int] = {}  # source guid -> participant id
        self.attributes_of = self._case_attributes()
        for case in self.p.cases:
            if case.guid in self.existing["participants"]:
                pid = self.existing["participants"][case.guid]
                self.matched("participants")
                now = self.conn.execute("SELECT pseudonym FROM participants WHERE id = ?", (pid,)).fetchone()[0]
                if name_key(now) != name_key(case.name):
                    self.conflict(f"participant {now!r}: the file names the case {case.name!r} (same GUID); "
                                  "the study's pseudonym is kept")
            elif name_key(case.name) in before:
                pid = before[name_key(case.name)][0]
                self.matched("participants", by_content=True)
            else:
                pid = self._new_participant(case.guid, case.name)
            self.case_of[case.guid] = pid
            if case.description.strip():
                self._description(("participant_id", pid), case.description, case.guid, f"case {case.name!r}")
            for src in case.sources:
                self.people.setdefault(src, pid)

    def _new_participant(self, guid: str, name: str) -> int:
        pilot, attributes = self.attributes_of.get(guid, (False, {}))
        pseudonym = " ".join(name.split())[:MAX_PSEUDONYM] or "participant"
        base, n = pseudonym, 1
        while pseudonym.casefold() in self.taken_names:
            n += 1
            suffix = f" ({n})"
            pseudonym = base[: MAX_PSEUDONYM - len(suffix)] + suffix
        if pseudonym != base:
            self.problem(f"case {name!r}: another participant has that pseudonym; imported as {pseudonym!r}")
        self.taken_names.add(pseudonym.casefold())
        cur = self.conn.execute(
            "INSERT INTO participants (uuid, pseudonym, pilot, attributes, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (self.fresh("participants", guid), pseudonym, int(pilot),
             json.dumps(attributes, ensure_ascii=False), self.now),
        )
        self.s.counts["participants"] += 1
        self.participant_by_name[pseudonym.casefold()] = cur.lastrowid
        return cur.lastrowid

    def participant_of(self, source) -> int | None:
        """The participant of a source: its case's; for a source no case
        points to, the participant core/case_matching.py finds (by name, else
        by speaker label), else the researcher's answer (`assign`, `ask`),
        else a new participant named after the file, said so. None for a
        transcript the study has already (a merge)."""
        from tacompanion.core.case_matching import new_participant_name

        if source.guid in self.people:
            return self.people[source.guid]
        if source.guid in self.existing["transcripts"]:
            return None
        out = self.people
        m = NOTES_SOURCE_RE.match(source.name)
        if m and split_notes(source.text) is not None and m.group("who").casefold() in self.participant_by_name:
            out[source.guid] = self.participant_by_name[m.group("who").casefold()]
            return out[source.guid]
        match = self.owner_of(source)
        if match.case is not None:
            out[source.guid] = self.participant_by_name[match.case.casefold()]
            if match.how == "speaker":
                who = self.conn.execute("SELECT pseudonym FROM participants WHERE id = ?",
                                        (out[source.guid],)).fetchone()[0]
                self.problem(f"source {source.name!r}: no case points to it; given to {who} "
                             "(the only case its speaker labels name)")
            return out[source.guid]
        if self.ask is not None:
            answer = self.ask(source.name)
        else:
            answer = self.assign.get(source.guid) or self.assign.get(source.name)
        if answer:
            key = " ".join(answer.split()).casefold()
            if key in self.participant_by_name:
                out[source.guid] = self.participant_by_name[key]
            else:
                out[source.guid] = self._new_participant(derived_guid(source.guid, "participant"), answer)
            return out[source.guid]
        name = m.group("who") if m else new_participant_name(source.name)
        pid = self._new_participant(derived_guid(source.guid, "participant"), name)
        pseudonym = self.conn.execute("SELECT pseudonym FROM participants WHERE id = ?", (pid,)).fetchone()[0]
        out[source.guid] = pid
        self.problem(f"source {source.name!r}: no case points to it, and neither its name nor its speaker "
                     f"labels name one; imported under a new participant {pseudonym!r} named after the file "
                     "(rename it with `participants rename`, or move the transcript with `transcripts move`)")
        return pid

    def owner_of(self, source) -> CaseMatch:
        """The case a source no case points to belongs to, by core/case_matching.py."""
        from tacompanion.core.case_matching import match_source

        names = list(self.participant_by_name)
        got = match_source(source.name, [], names)
        if got.case is not None:
            return got
        return match_source("", _speakers(source), names)

    def _case_attributes(self) -> dict[str, tuple[bool, dict]]:
        """case guid -> (pilot, typed attributes). A Pilot variable is read as
        a boolean or as text (true/false, yes/no, 1/0); every other variable
        takes the type declared in this study, else the file's (a Float whose
        values are all whole numbers is read as an integer: QualCoder writes
        integers as 11.0); the types are declared in the study."""
        from tacompanion.core.attributes import FROM_REFI, AttributeValueError, parse_value, truth

        declared = dict(self.study.setting("attribute_types", {}) or {})
        known = {k.casefold(): k for k in declared}
        values: dict[str, list] = defaultdict(list)
        for case in self.p.cases:
            for k, v in case.values.items():
                if k.casefold() != "pilot":
                    values[k].append(v)
        types: dict[str, str] = {}
        new_types: dict[str, str] = {}
        for k, vs in values.items():
            if k.casefold() in known:
                types[k] = declared[known[k.casefold()]]
                continue
            kind = FROM_REFI.get(str(self.p.variable_types.get(k, "Text")).casefold(), "text")
            present = [v for v in vs if v not in (None, "")]
            ours = self.p.origin.casefold().startswith("tacompanion")  # our Float is a decimal
            if kind == "decimal" and not ours and present and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer()
                    for v in present):
                kind = "integer"
                if any(isinstance(v, float) for v in present):
                    self.problem(f"variable {k!r}: declared Float, every value a whole number; read as integers")
            types[k] = kind
            new_types[k] = kind
        out: dict[str, tuple[bool, dict]] = {}
        for case in self.p.cases:
            pilot, attributes = False, {}
            for k, v in case.values.items():
                if k.casefold() == "pilot":
                    got = truth(v)
                    if got is None and v not in (None, ""):
                        self.problem(f"case {case.name!r}: Pilot {v!r} is not yes or no; not marked as a pilot")
                    pilot = bool(got)
                    continue
                if v is None or v == "":
                    continue
                name = known.get(k.casefold(), k)
                try:
                    attributes[name] = parse_value(types[k], v, name=k)
                except AttributeValueError as exc:
                    self.problem(f"case {case.name!r}: {exc}; that value not imported")
            out[case.guid] = (pilot, attributes)
        if new_types and any(c.guid not in self.existing["participants"] for c in self.p.cases):
            declared.update(new_types)
            self.conn.execute("INSERT INTO settings (key, value) VALUES ('attribute_types', ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (json.dumps(declared),))
        return out

    # -- sources, codings -----------------------------------------------------------------------

    def begin_sources(self) -> None:
        # the study's transcripts by (normalised) text: a source whose GUID is
        # unknown but whose text is there is that transcript (the text itself
        # is read again when one is)
        self.by_text: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.fresh_docs: set[int] = set()  # transcripts just written, no coding on them yet
        if self.merge:
            for tid, name, text in self.conn.execute("SELECT id, file_name, text FROM transcripts"):
                self.by_text.setdefault(text_key(text), tid)
                self.by_name[name_key(name)].append(tid)

    def _text(self, tid: int) -> str:
        return self.conn.execute("SELECT text FROM transcripts WHERE id = ?", (tid,)).fetchone()[0]

    def source(self, source, pid: int | None) -> None:
        """One source written: its transcript (or interview notes) and its codings."""
        if source.guid in self.existing["transcripts"]:
            tid = self.existing["transcripts"][source.guid]
            text = self._text(tid)
            self.transcript_of[source.guid] = tid
            self.matched("transcripts")
            if text_key(text) != text_key(source.text):
                self.conflict(f"source {source.name!r}: the same GUID as a transcript here, with other text; "
                              "its codings are not merged")
                self.s.skipped["codings"] += len(source.whole) + sum(len(x.codings) for x in source.selections)
                return
            self._codings(source, ("transcript", tid, text))
            return
        m = NOTES_SOURCE_RE.match(source.name)
        blocks = split_notes(source.text) if m else None
        if blocks is not None:
            iid = self._interview(source, pid, bool(m.group("pilot")), blocks)
            if iid is not None and source.description.strip():
                self._description(("interview_id", iid), source.description, source.guid,
                                  f"source {source.name!r}")
            if iid is not None:
                self._codings(source, ("notes", iid, source.text))
            return
        if not source.text.strip():
            self.problem(f"source {source.name!r}: no text in it; not imported")
            self.s.skipped["transcripts"] += 1
            return
        digest = text_key(source.text)
        if digest in self.by_text:
            tid = self.by_text[digest]
            self.transcript_of[source.guid] = tid
            self.matched("transcripts", by_content=True)
            self._codings(source, ("transcript", tid, self._text(tid)))
            return
        if self.by_name.get(name_key(source.name)):
            self.conflict(f"source {source.name!r}: a transcript of that name here has other text; "
                          "the file's text is added as another transcript")
        fmt = _format_of(source.name)
        parsed = segment_text(source.text, fmt, skip_line=markdown_skip if fmt == "md" else None)
        cur = self.conn.execute(
            "INSERT INTO transcripts (uuid, participant_id, file_name, format, source_hash, text, "
            "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self.fresh("transcripts", source.guid), pid, source.name, fmt, _hash(source.text), source.text,
             source.created or self.now),
        )
        tid = cur.lastrowid
        self.by_text[digest] = tid
        self.fresh_docs.add(tid)
        uuids = _uuids(len(parsed.segments))
        labels = self.labels
        self.conn.executemany(
            "INSERT INTO segments (uuid, transcript_id, position, speaker, is_interviewer, "
            "start_pos, end_pos, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(uuid, tid, seg.position, seg.speaker,
              int(seg.speaker is not None and seg.speaker.casefold() in labels),
              seg.start_pos, seg.end_pos, seg.text) for uuid, seg in zip(uuids, parsed.segments, strict=True)],
        )
        store_word_counts(self.conn, tid, (
            (seg.speaker is not None and seg.speaker.casefold() in labels, seg.text) for seg in parsed.segments))
        del parsed
        self.s.counts["transcripts"] += 1
        self.transcript_of[source.guid] = tid
        if source.description.strip():
            self._description(("transcript_id", tid), source.description, source.guid, f"source {source.name!r}")
        self._codings(source, ("transcript", tid, source.text))

    def end_sources(self) -> None:
        for key in {name_key(c) for c in self.file_coders}:
            if key in self.coders_before:
                self.matched("coders", by_content=True)
            else:
                self.s.counts["coders"] += 1

    def _interview(self, source, pid: int, pilot: bool, blocks) -> int | None:
        texts = [b.text for b in blocks]
        if source.guid in self.existing["interviews"]:
            # a merge: codings on its notes still count, when the notes are the same
            iid = self.existing["interviews"][source.guid]
            self.matched("interviews")
            rows = self.conn.execute("SELECT id, text FROM notes WHERE interview_id = ? "
                                     "ORDER BY coalesce(elapsed_ms, 0), id", (iid,)).fetchall()
            if [r[1] for r in rows] != texts:
                self.conflict(f"source {source.name!r}: that interview's notes differ in the study; "
                              "codings on them not merged")
                self.s.skipped["codings"] += sum(len(x.codings) for x in source.selections)
                return None
            self.notes_of[source.guid] = (iid, [(r[0], b) for r, b in zip(rows, blocks, strict=True)])
            return iid
        if self.merge:
            # an interview of this participant with exactly these notes is this one
            for (iid,) in self.conn.execute("SELECT id FROM interviews WHERE participant_id = ? ORDER BY id",
                                            (pid,)).fetchall():
                rows = self.conn.execute("SELECT id, text FROM notes WHERE interview_id = ? "
                                         "ORDER BY coalesce(elapsed_ms, 0), id", (iid,)).fetchall()
                if [r[1] for r in rows] == texts:
                    self.matched("interviews", by_content=True)
                    self.notes_of[source.guid] = (iid, [(r[0], b) for r, b in zip(rows, blocks, strict=True)])
                    return iid
        created = source.created or self.now
        cur = self.conn.execute(
            "INSERT INTO interviews (uuid, participant_id, pilot, created_at, started_at) VALUES (?, ?, ?, ?, ?)",
            # the participant's pilot flag is the interview's (store/participants.py);
            # a source named "P3 pilot interview notes" marks the participant too
            (self.fresh("interviews", source.guid), pid, int(pilot or self._pilot(pid, pilot)), created,
             source.created),
        )
        iid = cur.lastrowid
        notes = []
        for b in blocks:
            c = self.conn.execute(
                "INSERT INTO notes (uuid, interview_id, kind, text, elapsed_ms, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (new_uuid(), iid, b.kind, b.text, b.elapsed_ms, created),
            )
            notes.append((c.lastrowid, b))
        self.notes_of[source.guid] = (iid, notes)
        self.s.counts["interviews"] += 1
        self.s.counts["notes"] += len(notes)
        return iid

    def _pilot(self, pid: int, named_pilot: bool) -> bool:
        was, who = self.conn.execute("SELECT pilot, pseudonym FROM participants WHERE id = ?", (pid,)).fetchone()
        if named_pilot and not was:
            self.problem(f"a pilot interview of {who} (its notes are named so): {who} marked as a pilot")
            self.conn.execute("UPDATE participants SET pilot = 1 WHERE id = ?", (pid,))
            self.conn.execute("UPDATE interviews SET pilot = 1 WHERE participant_id = ?", (pid,))
        return bool(self.conn.execute("SELECT pilot FROM participants WHERE id = ?", (pid,)).fetchone()[0])

    def _keys_on(self, source, kind: str, doc_id: int) -> tuple[set, set]:
        """The codings on a document as keys (document, span, code, coder):
        those the study had before the import (a merge matches them by
        content), and those this file added already (a coding met again is a
        duplicate). Read from the study, one document at a time."""
        if kind == "transcript" and doc_id in self.fresh_docs:
            self.fresh_docs.discard(doc_id)  # written by this source: nothing on it yet
            return set(), set()
        if kind == "transcript":
            rows = self.conn.execute("SELECT id, start_pos, end_pos, code_id, coder, transcript_id FROM codings "
                                     "WHERE transcript_id = ?", (doc_id,))
            tag = "t"
        else:
            notes = [note_id for note_id, _b in self.notes_of.get(source.guid, (None, []))[1]]
            rows = self.conn.execute("SELECT id, start_pos, end_pos, code_id, coder, note_id FROM codings "
                                     "WHERE note_id IN (SELECT value FROM json_each(?))", (json.dumps(notes),))
            tag = "n"
        before: set[tuple] = set()
        added: set[tuple] = set()
        for row_id, start, end, code, coder, doc in rows:
            key = ((tag, doc), start, end, code, coder)
            (added if row_id > self.codings_before else before).add(key)
        return (before if self.merge else set()), added

    def _known_codings(self, guids: list[str]) -> set[str]:
        """Of these GUIDs, those the study's codings had before the import."""
        if not self.codings_before:
            return set()
        found: set[str] = set()
        for i in range(0, len(guids), 500):
            part = guids[i:i + 500]
            found.update(r[0] for r in self.conn.execute(
                f"SELECT uuid FROM codings WHERE uuid IN ({', '.join('?' * len(part))}) AND id <= ?",
                (*part, self.codings_before)))
        return found

    def _codings(self, source, target) -> None:
        """A source's codings written (one statement for all of them). The
        loop runs once per coding (100,000s in a large project): what does
        not change from one coding to the next is looked up once."""
        kind, doc_id, text = target
        entries = [(sel, c) for sel in source.selections for c in sel.codings]
        entries += [(None, c) for c in source.whole]
        if not entries:
            return
        coding_keys, seen = self._keys_on(source, kind, doc_id)
        known = self._known_codings([c.guid for _sel, c in entries])
        rows: list[tuple] = []
        where = f"source {source.name!r}"
        size = len(text)
        code_of, file_coders, now = self.code_of, self.file_coders, self.now
        coders: dict[str | None, str] = {}  # a coding's user -> its coder's name
        on_transcript = kind == "transcript"
        document = ("t", doc_id)
        for sel, c in entries:
            start, end = (sel.start, sel.end) if sel is not None else (0, size)
            code_id = code_of.get(c.code_guid)
            if code_id is None:
                if c.code_guid in self.theme_of:
                    self.problem(f"{where}: a coding with a category (non-codable code) at {start}-{end}; not imported")
                else:
                    self.problem(f"{where}: a coding with an unknown code ({c.code_guid}); not imported")
                self.s.skipped["codings"] += 1
                continue
            if not (0 <= start < end <= size):
                self.problem(f"{where}: a selection at {start}-{end} lies outside the text "
                             f"({size} characters); its coding is not imported")
                self.s.skipped["codings"] += 1
                continue
            if c.guid in known:
                self.matched("codings")
                continue
            coder = coders.get(c.user)
            if coder is None:
                coder = coders[c.user] = " ".join((c.user or "").split()) or "imported"
            file_coders.add(coder)
            if on_transcript:
                key = (document, start, end, code_id, coder)
                row = (c.guid, code_id, doc_id, None, start, end, coder, c.created or now)
            else:
                hit = self._note_at(source.guid, start, end)
                if hit is None:
                    self.problem(f"{where}: a coding at {start}-{end} spans more than one note; not imported")
                    self.s.skipped["codings"] += 1
                    continue
                note_id, s, e = hit
                key = (("n", note_id), s, e, code_id, coder)
                row = (c.guid, code_id, None, note_id, s, e, coder, c.created or now)
            if key in coding_keys:
                self.matched("codings", by_content=True)
                continue
            if key in seen:
                self.s.duplicates += 1  # the same coder put the same code on the same span twice
                continue
            seen.add(key)
            rows.append(row)  # a coding's GUID is its uuid: `fresh` keeps it (unique in the file, not in the study)
        if rows:
            self.conn.executemany(
                "INSERT INTO codings (uuid, code_id, transcript_id, note_id, start_pos, end_pos, coder, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self.s.counts["codings"] += len(rows)

    def _note_at(self, source_guid: str, start: int, end: int) -> tuple[int, int, int] | None:
        for note_id, b in self.notes_of.get(source_guid, (None, []))[1]:
            if b.start <= start and end <= b.start + len(b.text):
                return note_id, start - b.start, end - b.start
        return None

    # -- memos and journal ----------------------------------------------------------------------

    def memos(self) -> None:
        target: dict[str, tuple[str, int]] = {}
        for c in self.p.codes:
            for ref in c.note_refs:
                if c.guid in self.code_of:
                    target.setdefault(ref, ("code_id", self.code_of[c.guid]))
                elif c.guid in self.theme_of:
                    target.setdefault(ref, ("theme_id", self.theme_of[c.guid]))
        for source in self.source_refs:
            for ref in source.note_refs:
                if source.guid in self.transcript_of:
                    target.setdefault(ref, ("transcript_id", self.transcript_of[source.guid]))
                elif source.guid in self.notes_of:
                    target.setdefault(ref, ("interview_id", self.notes_of[source.guid][0]))
            for sel in source.selections:
                if not sel.note_refs and not sel.description.strip():
                    continue
                where = self._selection_target(source.guid, sel.start, sel.end)
                for ref in sel.note_refs:
                    if where:
                        target.setdefault(ref, where)
                if sel.description.strip() and where:
                    self._memo(new_uuid_for(sel.guid), where, sel.description.strip(), None)
        rows = []
        for note in self.p.notes:
            if self._framework_summary(note, target.get(note.guid)):
                continue
            m = JOURNAL_NOTE_RE.match(note.name or "")
            # a journal entry: named as we name them, or (as QualCoder writes
            # journals) a note whose text is a file and that nothing refers to
            if (m or note.from_file) and note.guid not in target:
                if note.guid in self.existing["journal"]:
                    self.matched("journal entries")
                    continue
                text = note.text
                if not m and note.name and note.name.strip() != text.strip().split("\n", 1)[0].strip():
                    text = f"{note.name}\n\n{text}" if text.strip() else note.name
                if not text.strip():
                    self.problem(f"journal note {note.name or note.guid!r}: no text in it; not imported")
                    continue
                day = m.group(1) if m else (note.created or self.now)[:10]
                if (day, text) in self.journal_before:
                    self.matched("journal entries", by_content=True)
                    continue
                self.conn.execute(
                    "INSERT INTO journal (uuid, entry_date, text, created_at) VALUES (?, ?, ?, ?)",
                    (self.fresh("journal", note.guid), day, text, note.created or self.now),
                )
                self.journal_before.add((day, text))
                self.s.counts["journal entries"] += 1
                continue
            where = target.get(note.guid)
            if where is None:
                pm = PARTICIPANT_MEMO_RE.match(note.name or "")
                if pm and pm.group(1).casefold() in self.participant_by_name:
                    where = ("participant_id", self.participant_by_name[pm.group(1).casefold()])
            text = note.text
            if note.name and not OUR_MEMO_NAME_RE.match(note.name):
                text = f"{note.name}\n\n{text}" if text.strip() else note.name
            if not text.strip():
                self.problem(f"note {note.guid}: no name and no text; not imported")
                continue
            rows.append((note.guid, where, text, note.created))
        for guid, where, text, created in rows:
            self._memo(guid, where, text, created)
        if self.p.description.strip():
            self._description(None, self.p.description, derived_guid(self.p.name or "project", "description"),
                              "the project")

    def _description(self, where: tuple[str, int] | None, text: str, guid: str, whose: str) -> None:
        """A Description (of a case, a source, the project) as the memo of
        what it describes. On a merge, a thing that has a memo already keeps
        it, with the file's text added below when it differs."""
        text = text.strip()
        column = where[0] if where else None
        cond = f"{column} = ?" if column else " AND ".join(
            f"{c} IS NULL" for c in ("code_id", "theme_id", "transcript_id", "segment_id", "note_id",
                                     "participant_id", "interview_id"))
        row = self.conn.execute(f"SELECT id, text FROM memos WHERE {cond} ORDER BY id LIMIT 1",
                                (where[1],) if where else ()).fetchone()
        if row is None:
            self._memo(derived_guid(guid, "description"), where, text, None)
        elif text in row[1]:
            self.s.skipped["memos"] += 1
        else:
            self.conn.execute("UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
                              (f"{row[1].rstrip()}\n\n{text}", self.now, row[0]))
            self.problem(f"{whose}: its description added below the memo the study had")

    def _framework_summary(self, note, where: tuple[str, int] | None) -> bool:
        """A Note that is a framework summary goes back to its cell: True when
        it was one (imported, or already there)."""
        m = FRAMEWORK_NOTE_RE.match(note.name or "")
        if not m:
            return False
        pid = self.participant_by_name.get(m.group("who").strip().casefold())
        theme_id = where[1] if where and where[0] == "theme_id" else None
        question = m.group("question")
        if pid is None or (theme_id is None and question is None):
            return False  # not ours after all: kept as a memo
        if self.conn.execute("SELECT 1 FROM framework_summaries WHERE uuid = ?", (note.guid,)).fetchone():
            self.matched("framework summaries")  # the same summary (same GUID): already here
            return True
        column, value = ("theme_id", theme_id) if theme_id is not None else ("question_id", question)
        there = self.conn.execute(
            f"SELECT text FROM framework_summaries WHERE participant_id = ? AND {column} = ?", (pid, value)).fetchone()
        if there and there[0].strip() == note.text.strip():
            self.matched("framework summaries", by_content=True)
            return True
        if there:
            self.conflict(f"note {note.name!r}: that cell has another summary; kept as a memo on the participant")
            self._memo(note.guid, ("participant_id", pid), f"{note.name}\n\n{note.text}", note.created)
            return True
        self.conn.execute(
            f"INSERT INTO framework_summaries (uuid, participant_id, {column}, text, created_at) "
            "VALUES (?, ?, ?, ?, ?)", (note.guid, pid, value, note.text, note.created or self.now))
        self.s.counts["framework summaries"] += 1
        return True

    def _memo(self, guid: str, where: tuple[str, int] | None, text: str, created: str | None) -> None:
        """One memo per thing: a note for a thing that has a memo already is
        appended to it (after a separator), never made a second memo; a text
        the memo already holds (the same file merged again) is skipped."""
        if guid in self.existing["memos"]:
            self.matched("memos")
            return
        same = (where[0], where[1], text) if where else (None, None, text)
        if same in self.memos_before:
            self.matched("memos", by_content=True)
            return
        self.memos_before.add(same)
        guid = self.fresh("memos", guid)
        column = where[0] if where else None
        if column:
            found = self.conn.execute(
                f"SELECT id, text FROM memos WHERE {column} = ?", (where[1],)).fetchone()
        else:
            found = self.conn.execute(
                "SELECT id, text FROM memos WHERE " + " AND ".join(f"{t}_id IS NULL" for t in MEMO_TARGETS)
            ).fetchone()
        if found is not None:
            memo_id, old = found
            if text.strip() in old:
                self.matched("memos", by_content=True)
                return
            joined = f"{old}{MEMO_MERGE_SEPARATOR}{text}" if old.strip() else text
            self.conn.execute("UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
                              (joined, self.now, memo_id))
            self.s.counts["memos appended to an existing memo"] += 1
            return
        cols = "uuid, text, created_at" + (f", {column}" if column else "")
        values = (guid, text, created or self.now) + ((where[1],) if where else ())
        self.conn.execute(f"INSERT INTO memos ({cols}) VALUES ({', '.join('?' * len(values))})", values)
        self.existing["memos"][guid] = -1
        self.s.counts["memos"] += 1

    def _selection_target(self, source_guid: str, start: int, end: int) -> tuple[str, int] | None:
        if source_guid in self.transcript_of:
            tid = self.transcript_of[source_guid]
            row = self.conn.execute(
                "SELECT id FROM segments WHERE transcript_id = ? AND start_pos <= ? AND ? < max(end_pos, start_pos + 1) "
                "ORDER BY position LIMIT 1", (tid, start, start)).fetchone()
            return ("segment_id", row[0]) if row else ("transcript_id", tid)
        hit = self._note_at(source_guid, start, end)
        if hit is not None:
            return ("note_id", hit[0])
        if source_guid in self.notes_of:
            return ("interview_id", self.notes_of[source_guid][0])
        return None


def new_uuid_for(selection_guid: str) -> str:
    """The memo made from a selection's description: stable, so a merge of the
    same file again skips it."""
    from tacompanion.core.qdpx import derived_guid

    return derived_guid(selection_guid, "selection-description")
