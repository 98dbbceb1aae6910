"""`tacompanion import FILE.qdpx`: a REFI-QDA project into the study.

Liberal in what it takes: the one `.qde` at the zip's root whatever its
name, `sources/` or `Sources/` (names matched case-insensitively), tags by
local name whatever their namespace, BOMs stripped, CRLF files whose
positions count a line break as one or as two (decided per source by
checking the selections against the text). The text is stored LF-only and
positions are carried over. Whatever cannot be used is reported, never
dropped silently. Nothing is written unless the whole file was read.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import threading
from array import array
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from tacompanion.core.qdpx import (
    GUID_RE,
    QCase,
    QCode,
    QCoding,
    QNote,
    QProject,
    QSelection,
    QSource,
    best_convention,
    canonical_guid,
    duplicate_guids,
    normal_guid,
    normalise_with_map,
    position_readings,
)
from tacompanion.formats.bounded_xml import TreeParser, XmlRefused
from tacompanion.formats.bounded_zip import ArchiveError, BoundedZip, MiB, ZipLimits
from tacompanion.store.qdpx import ImportSummary, import_project
from tacompanion.store.study import Study

# Limits for a file that may be hostile (docs/limits.md). A real project of
# 60 interviews and 20,000 codings is well inside each of them.
QDPX_LIMITS = ZipLimits(
    max_entries=10_000,
    max_entry_bytes=32 * MiB,  # project.qde, or one source's text
    max_total_bytes=48 * MiB,  # everything read from the archive
)
MAX_QDE_BYTES = 32 * MiB
MAX_SOURCE_BYTES = 8 * MiB
MAX_XML_ELEMENTS = 200_000
MAX_XML_DEPTH = 10_000

# `--large`: for a real project beyond the limits above (the benchmark study
# ten times larger, 200,000 codings, is 110 MB with 563,000 XML elements).
# Bombs are still refused by the compression ratio, and a hostile file still
# fails in seconds, but within these limits it may take about 2 GB of memory
# before it is refused: the researcher asks for this with the flag.
LARGE_QDPX_LIMITS = ZipLimits(max_entries=100_000, max_entry_bytes=512 * MiB, max_total_bytes=1024 * MiB)
LARGE_QDE_BYTES = 512 * MiB
LARGE_SOURCE_BYTES = 64 * MiB
LARGE_XML_ELEMENTS = 5_000_000
LARGE_HINT = "; if it is a real project this large, import it with --large (docs/limits.md)"


def _over(exc: Exception, hint: str) -> str:
    """The --large hint, for a refusal that is about size."""
    return hint if any(w in str(exc) for w in ("more than", "at most")) else ""


def _limits(large: bool) -> tuple[ZipLimits, int, int, int]:
    """(zip limits, project.qde bytes, one source's bytes, XML elements), read
    when a file is read (tests narrow the module's limits)."""
    if large:
        return LARGE_QDPX_LIMITS, LARGE_QDE_BYTES, LARGE_SOURCE_BYTES, LARGE_XML_ELEMENTS
    return QDPX_LIMITS, MAX_QDE_BYTES, MAX_SOURCE_BYTES, MAX_XML_ELEMENTS


_GUID_MATCH = GUID_RE.match


class QdpxError(Exception):
    """A file that cannot be imported at all; the message names the file."""


@lru_cache(maxsize=512)
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text_of(el: ET.Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


_ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _date(value: str | None) -> str | None:
    """An xsd:dateTime as the study stores times (UTC, milliseconds, Z)."""
    if not value:
        return None
    if _ISO_MS_Z.match(value):
        return value
    from datetime import UTC, datetime

    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # naive times are UTC
    return parsed.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Zip:
    def __init__(self, path: str, z: BoundedZip, source_limit: int = MAX_SOURCE_BYTES) -> None:
        self.path, self.z = path, z
        self.source_limit = source_limit
        self.names = {n.replace("\\", "/").lower(): n for n in z.namelist()}

    def source_bytes(self, ref: str) -> bytes | None:
        """A file named by `internal://NAME`, a bare NAME or `sources/NAME`,
        read within the limits (ArchiveError beyond them)."""
        name = re.sub(r"^internal://", "", ref.strip(), flags=re.I).lstrip("/").replace("\\", "/")
        for candidate in (f"sources/{name}", name):
            real = self.names.get(candidate.lower())
            if real is not None:
                return self.z.read(real, self.source_limit)
        return None


class NeedsWholeRead(Exception):
    """The file cannot be written as it is read: a part that the sources need
    (the code book, the variables, the cases) comes after them, or two items
    may share a GUID. It is then read whole first, as `read_qdpx` does, which
    gives the same result (or the same refusal)."""


class ProjectStream:
    """A .qdpx read one source at a time, for `import_qdpx`:

        with ProjectStream(path) as stream:
            head = stream.head()          # codes, cases, variables: all before <Sources>
            for source in stream.sources():
                ...                       # each QSource once, then forgotten
            project = stream.finish()     # notes, sets, description, problems, media

    Every check of `read_qdpx` applies as the bytes stream in (the archive's
    limits, no DTD, the XML's element limits); a refusal raises QdpxError
    naming the file, at whatever point it is met. GUIDs are checked unique
    at the end, from a 64-bit hash of each (eight bytes each): any repeat, or a
    file whose parts are out of the usual order, raises NeedsWholeRead."""

    def __init__(self, path: str | os.PathLike | io.BytesIO, shown: str | None = None,
                 progress: Callable[[int, int], None] | None = None, *, large: bool = False,
                 stream: bool = True) -> None:
        self.shown = shown or str(path)
        self.progress = progress
        zip_limits, self.qde_bytes, source_bytes, self.elements = _limits(large)
        self.hint = "" if large else LARGE_HINT
        self.z = _open_zip(path, self.shown, zip_limits)
        try:
            qdes = [n for n in self.z.namelist() if "/" not in n.strip("/") and n.lower().endswith(".qde")]
            if len(qdes) != 1:
                raise QdpxError(
                    f"{self.shown}: no project.qde at the root of the zip; not a REFI-QDA project"
                    if not qdes else f"{self.shown}: {len(qdes)} .qde files at the root ({', '.join(qdes[:5])}); "
                    "expected one"
                )
        except BaseException:
            self.z.close()
            raise
        self.qde = qdes[0]
        self.reader = _Reader(_Zip(self.shown, self.z, source_bytes), stream=stream)
        self._events = self._read()
        self._head: QProject | None = None
        self.project: QProject | None = None

    def __enter__(self) -> ProjectStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._events.close()
        self.z.close()

    def head(self) -> QProject:
        """The project's codes, cases and variables (no sources yet)."""
        if self._head is None:
            for kind, _got in self._events:
                if kind == "head":
                    break
            assert self._head is not None
        return self._head

    def sources(self) -> Iterator[QSource]:
        self.head()
        for kind, got in self._events:
            if kind == "source":
                yield got
            elif kind == "end":
                return

    def finish(self) -> QProject:
        """The rest of the project, once every source was read; checked."""
        for _ in self.sources():
            pass
        assert self.project is not None
        return self.project

    def _read(self) -> Iterator[tuple[str, Any]]:
        """The parse, as events: ("head", None) once the parts before the
        sources are read, ("source", QSource) for each, ("end", None)."""
        reader, shown = self.reader, self.shown
        try:
            for got in _parse_streaming(self.z, self.qde, shown, reader, self.progress,
                                        qde_bytes=self.qde_bytes, elements=self.elements):
                if isinstance(got, ET.Element):
                    root = got
                    if _local(root.tag) != "Project":
                        raise QdpxError(f"{shown}: {self.qde} has no <Project> root (found <{_local(root.tag)}>)")
                    if self._head is None and reader.stream:
                        self._head = reader.head(root)
                        yield "head", None
                    continue
                if reader.out_of_order and reader.stream:
                    raise NeedsWholeRead(f"{shown}: the project's code book, variables or cases come after its "
                                         "sources")
                for source in got:
                    yield "source", source
            if self._head is None:
                self._head = reader.head(root)
                yield "head", None
            if reader.out_of_order and reader.stream:
                raise NeedsWholeRead(f"{shown}: the project's code book, variables or cases come after its sources")
            project = reader.project(root)
            del root
        except ArchiveError as exc:
            raise QdpxError(f"{shown}: {exc}; nothing was imported{_over(exc, self.hint)}") from None
        except XmlRefused as exc:
            raise QdpxError(f"{shown}: project.qde: {exc}; nothing was imported"
                            f"{_over(exc, self.hint)}") from None
        if reader.stream and reader.guids_may_repeat():
            raise NeedsWholeRead(f"{shown}: two items may share a GUID")
        self.project = project
        yield "end", None


def _open_zip(path, shown: str, zip_limits: ZipLimits) -> BoundedZip:
    try:
        if not hasattr(path, "read") and os.path.isdir(path):
            raise QdpxError(f"{shown}: is a folder, not a .qdpx project")
        return BoundedZip(path, zip_limits)
    except FileNotFoundError:
        raise QdpxError(f"{shown}: no such file") from None
    except PermissionError:
        raise QdpxError(f"{shown}: permission denied") from None
    except ArchiveError as exc:
        raise QdpxError(f"{shown}: not a REFI-QDA project that can be read (.qdpx is a zip file; {exc})") from None
    except OSError as exc:
        raise QdpxError(f"{shown}: cannot read ({exc.strerror or exc})") from None


def read_qdpx(path: str | os.PathLike | io.BytesIO, shown: str | None = None,
              progress: Callable[[int, int], None] | None = None, *, large: bool = False) -> QProject:
    """Read a .qdpx (a path, or its bytes in memory) into a QProject, or raise
    QdpxError naming the file; `progress(bytes read, bytes)` is told as
    project.qde is read.

    Everything is read and checked here, before the study is touched: the
    archive within QDPX_LIMITS, the XML without a DTD and within its element
    limits, the code tree walked without recursion, and GUIDs checked unique.
    (`import_qdpx` writes a project as it is read instead: ProjectStream.)"""
    shown = shown or str(path)
    with ProjectStream(path, shown, progress, large=large, stream=False) as stream:
        project = stream.finish()
    problem = duplicate_guids(project)
    if problem:
        raise QdpxError(f"{shown}: {problem}; the project is inconsistent, nothing was imported")
    return project


def _parse_streaming(z: BoundedZip, name: str, shown: str, reader: _Reader,
                     progress: Callable[[int, int], None] | None = None, *,
                     qde_bytes: int = MAX_QDE_BYTES, elements: int = MAX_XML_ELEMENTS) -> Iterator:
    """The .qde read from the zip a megabyte at a time within the limits, in
    one pass that checks (formats/bounded_xml.py: no DTD, element, attribute,
    depth and tag-length limits) and builds the elements, with each source
    (by far the largest part: every selection and coding) turned into a
    QSource by `reader` as soon as it has been read and then dropped from the
    tree, so that a large project is never in memory whole. Yields the root
    element when <Sources> starts (the parts before it are read), the
    QSources read from each chunk (a list), and the root at the end."""
    parser = TreeParser(elements, MAX_XML_DEPTH, watch_depth=3)
    stack: list[ET.Element] = []  # the open elements, down to a source
    roots: list[ET.Element] = []
    head_at: list[ET.Element] = []  # the root, once <Sources> starts

    def handle() -> None:
        events, parser.events = parser.events, []
        for event, el, depth in events:
            if event == "start":
                if depth == 1:
                    roots.append(el)
                elif depth == 2 and not head_at and _local(el.tag) == "Sources":
                    head_at.append(stack[0])
                stack.append(el)
                continue
            stack.pop()
            if depth == 2:
                kind = _local(el.tag)
                if kind == "Users":
                    reader.users_of(el)  # the sources name their coders
                elif head_at and kind in ("CodeBook", "Variables", "Cases"):
                    reader.out_of_order = True
            elif depth == 3 and _local(stack[1].tag) == "Sources" and _local(stack[0].tag) == "Project":
                reader.source(el)
                stack[1].remove(el)

    def ready() -> Iterator:
        if head_at and head_at[0] is not None:
            yield head_at[0]
            head_at[0] = None  # type: ignore[call-overload]
        if reader.sources and reader.stream:
            got, reader.sources = reader.sources, []
            yield got

    done, size = 0, z.z.getinfo(name).file_size
    for chunk in z.chunks(name, qde_bytes):
        parser.feed(chunk)
        handle()
        done += len(chunk)
        if progress is not None:
            progress(done, size)
        yield from ready()
    parser.feed(b"", True)
    handle()
    if not roots:
        raise QdpxError(f"{shown}: {name} is not well-formed XML (no element)")
    yield from ready()
    yield roots[0]


class _Reader:
    def __init__(self, archive: _Zip, *, stream: bool = False) -> None:
        self.zip = archive
        # stream: sources are handed on as read (see ProjectStream); their
        # GUIDs are kept as 64-bit hashes (`_hashes`), the GUIDs made for items
        # without one whole (to keep those unique)
        self.stream = stream
        self.out_of_order = False
        self.prefixes: dict[str, array] = {}  # kind -> the hashes of its GUIDs
        self._last_date: tuple[str | None, str | None] = (None, None)
        self.refs: dict[str | None, str] = {}
        self._head: tuple | None = None
        self.problems: list[str] = []
        self.users: dict[str, str] = {}
        self.skipped_kinds: dict[str, int] = {}
        self.guids_seen: dict[str, set[str]] = {}
        self.sources: list[QSource] = []
        self.source_problems: list[str] = []
        self.media: list = []  # recordings: attached after the import (formats/qdpx_media.py)

    def _guid(self, kind: str, value: str | None, parts: list[str] | tuple = ()) -> str:
        """The item's GUID: its own when GUID-shaped (duplicates among those
        are refused later, by `duplicate_guids`), else one derived from what
        identifies it, made unique with an ordinal when two items without a
        GUID look alike (two codings of one code, two codes named 'Other')."""
        m = _GUID_MATCH(value) if value else None  # the usual case, without normal_guid's strip
        guid = m.group(1).lower() if m else normal_guid(value)
        if guid is None:
            seen = self.guids_seen.setdefault(kind, set())
            guid = canonical_guid(value, parts)
            n = 1
            while guid in seen:
                n += 1
                guid = canonical_guid(value, [*parts, f"#{n}"])
            seen.add(guid)
        elif not self.stream:
            self.guids_seen.setdefault(kind, set()).add(guid)
        if self.stream:
            self._hashes(kind).append(hash(guid))
        return guid

    def _hashes(self, kind: str) -> array:
        """The 64-bit hashes of the GUIDs of this kind met so far (stream
        mode): the same GUID always has the same hash, so a repeat is
        always seen; two GUIDs that differ share one about once in 10^19
        pairs, and then the project is only read whole (NeedsWholeRead)."""
        hashes = self.prefixes.get(kind)
        if hashes is None:
            hashes = self.prefixes[kind] = array("q")
        return hashes

    def _date_of(self, value: str | None) -> str | None:
        """`_date`, remembering the last answer: a coding usually carries
        its selection's time."""
        if value == self._last_date[0]:
            return self._last_date[1]
        got = _date(value)
        self._last_date = (value, got)
        return got

    def _ref(self, value: str | None) -> str:
        """canonical_guid of a reference (to a code, a user): a few distinct
        values, met 100,000s of times."""
        got = self.refs.get(value)
        if got is None:
            got = self.refs[value] = canonical_guid(value)
        return got

    def guids_may_repeat(self) -> bool:
        """Whether two items of one kind may share a GUID (two share the
        hash kept): then `duplicate_guids` decides, on the project read whole."""
        return any(len(set(p)) != len(p) for p in self.prefixes.values())

    def skip(self, kind: str) -> None:
        self.skipped_kinds[kind] = self.skipped_kinds.get(kind, 0) + 1

    def users_of(self, users: ET.Element) -> None:
        for u in _children(users, "User"):
            guid = canonical_guid(u.get("guid"))
            self.users[guid] = (u.get("name") or u.get("id") or "").strip() or "imported"

    def source(self, s: ET.Element) -> None:
        """One child of <Sources>, read while the file is parsed: a QSource
        kept, or what could not be used kept for the project's problems (in
        the place the sources take among them)."""
        problems, self.problems = self.problems, self.source_problems
        try:
            self._source(s)
        finally:
            self.problems = problems

    def head(self, root: ET.Element) -> QProject:
        """The project as far as its sources: users, codes, variables and cases."""
        if self._head is None:
            self._head = self._read_head(root)
        codes, variable_types, cases = self._head
        return QProject(name=root.get("name") or "", origin=root.get("origin") or "", codes=codes, cases=cases,
                        sources=[], notes=[], project_note_refs=[], sets=[], variable_types=variable_types,
                        problems=[])

    def _read_head(self, root: ET.Element) -> tuple:
        for users in _children(root, "Users"):
            self.users_of(users)
        codes: list[QCode] = []
        for book in _children(root, "CodeBook"):
            for codes_el in _children(book, "Codes"):
                self._codes(_children(codes_el, "Code"), codes)
        variable_types: dict[str, str] = {}
        var_names: dict[str, str] = {}
        for vars_el in _children(root, "Variables"):
            for v in _children(vars_el, "Variable"):
                guid = canonical_guid(v.get("guid"))
                name = (v.get("name") or "").strip() or guid
                var_names[guid] = name
                variable_types[name] = v.get("typeOfVariable") or "Text"
        cases: list[QCase] = []
        for cases_el in _children(root, "Cases"):
            for n, c in enumerate(_children(cases_el, "Case"), start=1):
                values = {}
                for vv in _children(c, "VariableValue"):
                    name, value = self._value(vv, var_names)
                    if name is not None:
                        values[name] = value
                sources = [canonical_guid(r.get("targetGUID")) for r in _children(c, "SourceRef")]
                if _children(c, "CodeRef"):
                    self.problems.append(f"case {c.get('name') or n}: {len(_children(c, 'CodeRef'))} code "
                                         "reference(s) on the case itself not imported")
                if _children(c, "SelectionRef"):
                    self.problems.append(f"case {c.get('name') or n}: {len(_children(c, 'SelectionRef'))} "
                                         "selection reference(s) not imported (a participant owns whole sources)")
                cases.append(QCase(self._guid("case", c.get("guid"), []), (c.get("name") or f"Case {n}").strip(),
                                   values, sources, _text_of(_child(c, "Description"))))
        return codes, variable_types, cases

    def project(self, root: ET.Element) -> QProject:
        """The whole project (in stream mode, without the sources handed on)."""
        head = self.head(root)
        codes, variable_types, cases = head.codes, head.variable_types, head.cases
        for sources_el in _children(root, "Sources"):
            for s in list(sources_el):  # what a streaming parse left (nothing, when it read them)
                self.source(s)
        self.problems.extend(self.source_problems)
        sources = self.sources
        notes: list[QNote] = []
        for notes_el in _children(root, "Notes"):
            for n in _children(notes_el, "Note"):
                text = self._note_text(n)
                notes.append(QNote(self._guid("note", n.get("guid"), []), (n.get("name") or "").strip(), text,
                                   _date(n.get("creationDateTime") or n.get("modifiedDateTime")),
                                   _child(n, "PlainTextContent") is None and bool(n.get("plainTextPath"))))
        sets = []
        for sets_el in _children(root, "Sets"):
            for st in _children(sets_el, "Set"):
                members = [canonical_guid(m.get("targetGUID")) for m in _children(st, "MemberCode")]
                sets.append((canonical_guid(st.get("guid")), (st.get("name") or "").strip(), members))
                others = len(_children(st, "MemberSource")) + len(_children(st, "MemberNote"))
                if others:
                    self.problems.append(f"set {st.get('name')!r}: {others} source/note member(s) not imported")
        links = [x for el in _children(root, "Links") for x in _children(el, "Link")]
        if links:
            self.problems.append(f"{len(links)} link(s) between items: not imported")
        graphs = [x for el in _children(root, "Graphs") for x in _children(el, "Graph")]
        if graphs:
            self.problems.append(f"{len(graphs)} graph(s): not imported")
        description = _text_of(_child(root, "Description")).strip()
        project_refs = [canonical_guid(r.get("targetGUID")) for r in _children(root, "NoteRef")]
        return QProject(
            name=root.get("name") or "", origin=root.get("origin") or "", codes=codes, cases=cases,
            sources=sources, notes=notes, project_note_refs=project_refs, sets=sets,
            variable_types=variable_types, problems=self.problems, description=description,
            media=self.media,
        )

    def _codes(self, top: list[ET.Element], out: list[QCode]) -> None:
        """The code tree, depth first in document order, without recursion
        (a file may nest codes thousands deep)."""
        stack: list[tuple[ET.Element, str | None]] = [(el, None) for el in reversed(top)]
        while stack:
            el, parent = stack.pop()
            guid = self._guid("code", el.get("guid"), [el.get("name") or ""])
            codable = (el.get("isCodable") or "true").strip().lower() not in ("false", "0")
            out.append(QCode(guid, (el.get("name") or "").strip() or "(unnamed)", codable, parent,
                             _text_of(_child(el, "Description")), el.get("color"),
                             [canonical_guid(r.get("targetGUID")) for r in _children(el, "NoteRef")]))
            stack.extend((child, guid) for child in reversed(_children(el, "Code")))

    def _source(self, s: ET.Element) -> None:
        kind = _local(s.tag)
        sources = self.sources
        if kind == "TextSource":
            got = self._text_source(s)
            if got is not None:
                sources.append(got)
        elif kind in ("PDFSource",):
            rep = _child(s, "Representation")
            name = s.get("name") or "a PDF"
            if rep is not None:
                rep.set("name", rep.get("name") or name)
                got = self._text_source(rep, fallback_name=name)
                if got is not None:
                    sources.append(got)
                    self.problems.append(f"PDF source {name!r}: imported as its text; the PDF itself is not")
                    return
            self.problems.append(f"PDF source {name!r}: not imported (no text representation)")
        elif kind in ("AudioSource", "VideoSource"):
            from tacompanion.formats.qdpx_media import read_media_source

            self.media.append(read_media_source(s, _local, canonical_guid))
        elif kind == "PictureSource":
            self.problems.append(f"picture source {s.get('name') or s.get('guid')!r}: not imported "
                                 "(tacompanion holds text only)")

    def _code(self, el: ET.Element, parent: str | None, out: list[QCode]) -> None:
        guid = canonical_guid(el.get("guid"), [el.get("name") or ""])
        codable = (el.get("isCodable") or "true").strip().lower() not in ("false", "0")
        out.append(QCode(guid, (el.get("name") or "").strip() or "(unnamed)", codable, parent,
                         _text_of(_child(el, "Description")), el.get("color"),
                         [canonical_guid(r.get("targetGUID")) for r in _children(el, "NoteRef")]))
        for child in _children(el, "Code"):
            self._code(child, guid, out)

    def _value(self, vv: ET.Element, var_names: dict[str, str]):
        ref = _child(vv, "VariableRef")
        if ref is None:
            return None, None
        guid = canonical_guid(ref.get("targetGUID"))
        name = var_names.get(guid)
        if name is None:
            return None, None
        for el in vv:
            kind, text = _local(el.tag), (el.text or "").strip()
            if kind == "BooleanValue":
                return name, text.lower() in ("true", "1")
            if kind == "IntegerValue":
                return name, _int(text) if _int(text) is not None else text
            if kind == "FloatValue":
                try:
                    return name, float(text)
                except ValueError:
                    return name, text
            if kind in ("TextValue", "DateValue", "DateTimeValue"):
                return name, el.text or ""
        return None, None

    def _note_text(self, n: ET.Element) -> str:
        content = _child(n, "PlainTextContent")
        if content is not None:
            return _text_of(content)
        path = n.get("plainTextPath")
        if path:
            data = self.zip.source_bytes(path)
            if data is not None:
                return data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
            self.problems.append(f"note {n.get('name') or n.get('guid')!r}: its text file {path} is not in the "
                                 "project; imported without text")
        return ""

    def _text_source(self, s: ET.Element, fallback_name: str | None = None) -> QSource | None:
        guid = self._guid("source", s.get("guid"), [s.get("name") or "", s.get("plainTextPath") or ""])
        path = s.get("plainTextPath") or ""
        name = (s.get("name") or "").strip() or fallback_name or Path(re.sub(r"^\w+://", "", path)).name or guid
        # the source's children by kind, in one pass (a source has 100s of selections)
        kids: dict[str, list[ET.Element]] = {}
        for child in s:
            kind = _local(child.tag)
            got = kids.get(kind)
            if got is None:
                kids[kind] = [child]
            else:
                got.append(child)
        content = kids.get("PlainTextContent", [None])[0]
        raw: str | None = None
        if content is not None:
            raw = _text_of(content)
        elif path:
            data = self.zip.source_bytes(path)
            if data is None:
                self.problems.append(f"source {name!r}: its text file {path} is not in the project; not imported")
                return None
            try:
                raw = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.problems.append(f"source {name!r}: {path} is not UTF-8 text; not imported")
                return None
            raw = raw.lstrip("\ufeff")
        if raw is None or not raw.strip():
            rich = s.get("richTextPath") or ""
            rich_name = Path(re.sub(r"^\w+://", "", rich)).name
            also = f" (its text is only in {rich_name})" if rich else ""
            self.problems.append(f"source {name!r}: its plain text is empty{also}; not imported")
            return None
        sel_els = kids.get("PlainTextSelection", [])
        triples = [(_int(e.get("startPosition")), _int(e.get("endPosition")), e.get("name")) for e in sel_els]
        readings = position_readings(raw)
        # one reading only (the usual case): best_convention would say "raw" at once
        convention = "raw" if len(readings) == 1 else best_convention(
            raw, [(a, b, c) for a, b, c in triples if a is not None and b is not None])
        limit, pos = readings[convention]
        newlines = normalise_with_map(raw)
        text = newlines.text
        same = convention == "raw" and not newlines.removed  # positions need no carrying over

        # The loop below runs once per selection and per coding (100,000s in a
        # large project): `_guid`, `_ref`, `_date` and `_coding` are written out
        # for their usual case, and called as they are for any other.
        selections = []
        problems, users, refs, stream = self.problems, self.users, self.refs, self.stream
        match, date_of = _GUID_MATCH, self._date_of
        sel_hashes, coding_hashes = self._hashes("selection"), self._hashes("coding")
        for e, (start, end, sel_name) in zip(sel_els, triples, strict=True):
            value = e.get("guid")
            m = match(value) if stream and value else None
            if m is not None:
                sguid = m.group(1).lower()
                sel_hashes.append(hash(sguid))
            else:
                sguid = self._guid("selection", value, [guid, str(start), str(end)])
            if start is None or end is None:
                problems.append(f"source {name!r}: a selection without positions; not imported")
                continue
            if start > end:
                start, end = end, start
            if not (0 <= start < end <= limit):
                problems.append(f"source {name!r}: selection {sel_name or sguid!r} at {start}-{end} lies "
                                f"outside the text ({len(text)} characters); not imported")
                continue
            get = e.get
            creator = get("creatingUser")
            if creator:
                ref = refs.get(creator)
                sel_user = users.get(ref if ref is not None else self._ref(creator))
            else:
                sel_user = None
            sel_date = date_of(get("creationDateTime") or get("modifiedDateTime"))
            codings: list[QCoding] = []
            description: ET.Element | None = None
            note_refs: list[str] = []
            for child in e:  # one pass over the selection's children
                kind = _local(child.tag)
                if kind == "Coding":
                    # self._coding(child, sel_user, sel_date), written out
                    target = None
                    for grandchild in child:
                        if _local(grandchild.tag) == "CodeRef":
                            target = grandchild.get("targetGUID")
                            break
                    if not target:
                        problems.append("a coding without a code reference; not imported")
                        continue
                    get = child.get
                    value = get("guid")
                    m = match(value) if stream and value else None
                    if m is not None:
                        cguid = m.group(1).lower()
                        coding_hashes.append(hash(cguid))
                    else:
                        cguid = self._guid("coding", value, (target,))
                    code = refs.get(target)
                    if code is None:
                        code = self._ref(target)
                    creator = get("creatingUser")
                    if creator:
                        ref = refs.get(creator)
                        who = users.get(ref if ref is not None else self._ref(creator))
                    else:
                        who = None
                    codings.append(QCoding(cguid, code, who or sel_user,
                                           date_of(get("creationDateTime") or get("modifiedDateTime")) or sel_date))
                elif kind == "NoteRef":
                    note_refs.append(canonical_guid(child.get("targetGUID")))
                elif kind == "Description" and description is None:
                    description = child
            selections.append(QSelection(sguid, start if same else pos(start), end if same else pos(end),
                                         sel_name or "", _text_of(description), codings, note_refs))
        if convention != "raw":
            how = {"lf": "counting a CRLF line break as one (as ATLAS.ti writes)",
                   "utf16": "counted in UTF-16 units (as Qt and browsers count)"}[convention]
            self.problems.append(f"source {name!r}: positions {how}; read that way and converted")
        whole = [c for c in (self._coding(c, None, None) for c in kids.get("Coding", [])) if c]
        if kids.get("VariableValue"):
            self.problems.append(f"source {name!r}: {len(kids['VariableValue'])} source attribute(s) not imported")
        return QSource(guid, name, text, selections, whole,
                       [canonical_guid(r.get("targetGUID")) for r in kids.get("NoteRef", [])],
                       _date(s.get("creationDateTime") or s.get("modifiedDateTime")),
                       _text_of(kids.get("Description", [None])[0]))

    def _coding(self, c: ET.Element, user: str | None, date: str | None) -> QCoding | None:
        ref = None
        for child in c:
            if _local(child.tag) == "CodeRef":
                ref = child
                break
        target = ref.get("targetGUID") if ref is not None else None
        if not target:
            self.problems.append("a coding without a code reference; not imported")
            return None
        get = c.get
        creator = get("creatingUser")
        who = self.users.get(self._ref(creator)) if creator else None
        return QCoding(self._guid("coding", get("guid"), (target,)), self._ref(target), who or user,
                       _date(get("creationDateTime") or get("modifiedDateTime")) or date)


def import_qdpx(study: Study, path: str | os.PathLike, *, merge: bool = False, large: bool = False) -> ImportSummary:
    """Read the file and write it in one transaction, one source at a time
    (see `stream_import`); then attach its recordings."""
    from tacompanion.formats.qdpx_media import attach_imported_media

    summary, project = stream_import(study, path, merge=merge, large=large)
    _done, problems = attach_imported_media(study, project, path)
    summary.problems.extend(problems)
    return summary


def stream_import(study: Study, path: str | os.PathLike | io.BytesIO, *, shown: str | None = None,
                  merge: bool = False, large: bool = False,
                  assign: dict[str, str] | Callable[[str], str | None] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  check: Callable[[], None] | None = None) -> tuple[ImportSummary, QProject]:
    """Write the project in `path` into the study as it is read, in one
    transaction: each source is written, then forgotten, so memory does not
    grow with the project. A file refused at any point (QdpxError, naming
    it), a failure, or `check()` raising (called once everything is read,
    before the commit) leaves the study as it was. A file whose parts come
    in an unusual order, or whose GUIDs may repeat, is read whole first
    instead (NeedsWholeRead), with the same result. `progress(bytes read,
    bytes)` as project.qde is read; `assign` as for store.qdpx.import_project.
    Returns the summary and the project (without its sources)."""
    with _fewer_collections():
        return _stream_import(study, path, shown=shown, merge=merge, large=large, assign=assign,
                              progress=progress, check=check)


def _stream_import(study: Study, path: str | os.PathLike | io.BytesIO, *, shown: str | None, merge: bool,
                   large: bool, assign: dict[str, str] | Callable[[str], str | None] | None,
                   progress: Callable[[int, int], None] | None,
                   check: Callable[[], None] | None) -> tuple[ImportSummary, QProject]:
    from tacompanion.store.qdpx import ImportConflict, import_stream

    shown = shown or str(path)
    try:
        with ProjectStream(path, shown, progress, large=large) as stream:
            head = stream.head()

            def finish() -> QProject:
                project = stream.finish()
                if check is not None:
                    check()
                return project

            summary = import_stream(study, head, stream.sources(), finish, merge=merge, assign=assign)
            project = stream.project
            assert project is not None
        return summary, project
    except (NeedsWholeRead, ImportConflict):  # the whole read says why, or writes it as before
        if hasattr(path, "seek"):
            path.seek(0)
    project = read_qdpx(path, shown, progress, large=large)
    with study.write():
        summary = import_project(study, project, merge=merge, assign=assign)
        if check is not None:
            check()
    project.sources = []
    return summary, project


_collector_lock = threading.Lock()
_collector_users = 0
_collector_threshold: tuple[int, int, int] | None = None


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector less often while a project is imported. It
    runs after every 700 objects made and not yet freed, and a source's
    elements, selections and codings live until it is written: on a project
    of 200,000 codings it ran 2,400 times, 20 of them through every object of
    the process (about 0.5 s). The import makes no reference cycles of its
    own; collections still happen, after 50,000 objects instead of 700. The
    threshold is put back when the last import running (in any thread) ends."""
    global _collector_users, _collector_threshold
    with _collector_lock:
        if _collector_users == 0:
            _collector_threshold = gc.get_threshold()
            first, *rest = _collector_threshold
            if first:  # 0: the collector is off; leave it so
                gc.set_threshold(max(first, 50_000), *rest)
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0 and _collector_threshold is not None:
                gc.set_threshold(*_collector_threshold)
                _collector_threshold = None


def summary_lines(summary: ImportSummary, path: str, *, merge: bool = False) -> list[str]:
    """The import report (with `merge`, the merge report: per kind added,
    matched, skipped, then the conflicts)."""
    if merge:
        from tacompanion.formats.merge_report import merge_lines

        return merge_lines(summary, path)
    order = ("participants", "transcripts", "interviews", "notes", "themes", "codes", "codings", "memos",
             "memos appended to an existing memo", "journal entries", "framework summaries")
    got = [f"{summary.counts[k]:,} {k}" for k in order if summary.counts.get(k)]
    lines = [f"imported {path}: " + (", ".join(got) if got else "nothing new")]
    if summary.duplicates:
        lines.append(f"{summary.duplicates:,} duplicate coding(s) (same coder, code and span) collapsed")
    if any(summary.matched.values()):
        lines.append("the same text or name more than once in the file, kept once: "
                     + ", ".join(f"{v:,} {k}" for k, v in summary.matched.items() if v))
    if summary.conflicts:
        summary.problems.extend(summary.conflicts)
    if summary.problems:
        lines.append(f"not imported or changed ({len(summary.problems)}):")
        shown = summary.problems[:40]
        lines.extend(f"  - {p}" for p in shown)
        if len(summary.problems) > len(shown):
            lines.append(f"  ... and {len(summary.problems) - len(shown)} more")
    return lines
