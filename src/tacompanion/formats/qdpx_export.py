"""`tacompanion export qdpx`: the study as a REFI-QDA project (.qdpx).

A zip of `project.qde` (QDA-XML, namespace urn:QDA-XML:project:1.0) and a
flat, lower-case `sources/` of UTF-8 `.txt` files (no BOM) named by GUID.
Each transcript's `.txt` is exactly `transcripts.text`, so positions (code
points, end exclusive) are the study's own offsets. Each interview's notes
become one more source, "P3 interview notes", joined as core.qdpx.join_notes
says. GUIDs are the rows' uuids (uuid5 from the study's uuid for things
without a row), so exporting twice gives the same GUIDs.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree as ET

from tacompanion.core.attributes import REFI_OF
from tacompanion.core.qdpx_export import (
    RedactedText,
    derived_guid,
    guid_from_sha1_hex,
    join_notes,
    namespace_hash,
    redacted_from_spans,
)
from tacompanion.core.recording_time import recording_ms
from tacompanion.core.redaction_pieces import PiecewiseRedactor
from tacompanion.store.attributes import attribute_types
from tacompanion.store.qdpx_export import (
    export_rows,
    export_text,
    export_text_utf8,
    has_media,
    transcript_codings,
)
from tacompanion.store.study import Study

NAMESPACE = "urn:QDA-XML:project:1.0"
ORIGIN = "tacompanion"
MAX_INTERNAL_BYTES = 2**31 - 1
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class ExportResult:
    """What an export wrote (`data`: the file's bytes when made in memory),
    and what it could not. (A plain class: the dataclasses module would add
    ~7 ms to every export's start.)"""

    def __init__(self, data: bytes, counts: dict[str, int] | None = None, not_exported: list[str] | None = None,
                 warnings: list[str] | None = None, media_files: list[tuple[str, str]] | None = None) -> None:
        self.data = data
        self.counts = {} if counts is None else counts
        self.not_exported = [] if not_exported is None else not_exported
        self.warnings = [] if warnings is None else warnings  # e.g. names other tools merge
        self.media_files = [] if media_files is None else media_files  # (archive name, file) to stream in

    def __repr__(self) -> str:
        return (f"ExportResult(data=<{len(self.data)} bytes>, counts={self.counts!r}, "
                f"not_exported={self.not_exported!r}, warnings={self.warnings!r}, media_files={self.media_files!r})")


def _clean(text: str) -> str:
    """Text for XML attributes and elements: without the control characters
    XML 1.0 forbids (Word's U+000B, U+000C); never applied to the .txt files.
    (A printable text holds none of them: that test is much quicker.)"""
    return text if text.isprintable() else _XML_ILLEGAL.sub("", text)


_ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z$")
_iso_z = _ISO_Z.match


def _date(value: str | None) -> str | None:
    """An xsd:dateTime in UTC with Z, or None when the stored value is not a time."""
    if not value:
        return None
    if _ISO_Z.match(value):  # how the study stores times: already right
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    ms = f".{parsed.microsecond // 1000:03d}" if parsed.microsecond else ""
    return parsed.strftime("%Y-%m-%dT%H:%M:%S") + ms + "Z"


def _sub(parent: ET.Element, tag: str, attrs: dict | None = None, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: v for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        el.text = _clean(text)
    return el


def _quote(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def _variable_type(values: list) -> str:
    if all(isinstance(v, bool) for v in values):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "Float"
    return "Text"


def _value_element(parent: ET.Element, kind: str, value) -> None:
    if value is None:
        return
    if kind == "Boolean":
        _sub(parent, "BooleanValue", text="true" if value else "false")
    elif kind == "Integer":
        _sub(parent, "IntegerValue", text=str(value))
    elif kind == "Float":
        _sub(parent, "FloatValue", text=format(value, "f") if isinstance(value, float) else str(value))
    elif kind == "Date":
        _sub(parent, "DateValue", text=str(value)[:10])
    else:
        _sub(parent, "TextValue", text=value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def build_qdpx(study: Study, *, redacted: bool = True, qualify_names: bool = False,
               media: str | None = None) -> ExportResult:
    """The .qdpx file's bytes, what went in and what could not (see write_qdpx)."""
    buf = io.BytesIO()
    result = write_qdpx(study, buf, redacted=redacted, qualify_names=qualify_names, media=media)
    result.data = buf.getvalue()
    return result


def write_qdpx(study: Study, out: BinaryIO, *, redacted: bool = True, qualify_names: bool = False,
               progress: Callable[[int, int], None] | None = None, media: str | None = None) -> ExportResult:
    """Write the .qdpx zip to `out` (a seekable binary file) as it is made:
    the sources' selections are read, written and forgotten one source at a
    time, so memory does not grow with the codings. Returns what went in and
    what could not; `progress(done, total)` is told after each source.

    Memos go where other tools read them: a participant's memo is its Case's
    Description, a transcript's (or an interview's) its TextSource's, the
    study memo the Project's; journal entries are Notes whose text is a file
    in sources/ (as QualCoder reads and writes journals). `qualify_names`:
    codes and themes that share a name get their parent's name added.

    `redacted` (the default, as for every export): the study's redaction list
    is applied to every field a name could hide in: the project name, source
    texts (selections follow), source, code, theme, case, variable, user and
    memo names, descriptions, variable values, memos and the journal.
    `media`: "embed" or "link" writes attached recordings (formats/qdpx_media.py)."""
    rows = export_rows(study)
    su = rows["study_uuid"]
    # the same rules as everywhere (core/redaction.py), a line at a time on long texts
    rules = PiecewiseRedactor(rows["redactions"] if redacted else [])
    result = ExportResult(b"")

    def red(text: str) -> str:
        return rules(text) if rules else text

    root = ET.Element("Project", {"xmlns": NAMESPACE, "name": _clean(red(Path(study.path).stem)) or "study",
                                  "origin": ORIGIN})
    users: dict[str, str] = {}  # coder name -> guid

    def user(name: str) -> str:
        if name not in users:
            users[name] = derived_guid(su, "coder", name)
        return users[name]

    for name in rows["coders"]:
        user(name)

    # notes (memos, journal) first: others refer to them
    note_refs: dict[tuple[str, int], list[str]] = defaultdict(list)  # (column, id) -> note guids
    project_refs: list[str] = []
    notes_el: list[ET.Element] = []
    names = {
        "code_id": {c["id"]: c["name"] for c in rows["codes"]},
        "theme_id": {t["id"]: t["name"] for t in rows["themes"]},
        "transcript_id": {t["id"]: t["file_name"] for t in rows["transcripts"]},
        "participant_id": {p["id"]: p["pseudonym"] for p in rows["participants"]},
    }
    what = {"code_id": "code", "theme_id": "theme", "transcript_id": "transcript", "segment_id": "a turn",
            "note_id": "an interview note", "participant_id": "participant", "interview_id": "an interview"}
    descriptions: dict[tuple[str, int] | None, str] = {}  # (column, id), None = the study -> memo text
    for m in rows["memos"]:
        column = next((k for k in what if m[k] is not None), None)
        if column in (None, "participant_id", "transcript_id", "interview_id"):
            key = (column, m[column]) if column else None
            if key not in descriptions:  # the first memo of each is its Description
                descriptions[key] = red(m["text"])
                continue
        if column is None:
            name, key = "Study memo", None
        else:
            label = names.get(column, {}).get(m[column])
            name = f"Memo on {what[column]}" + (f" {label}" if label else "")
            key = (column, m[column])
        el = ET.Element("Note", {"guid": m["uuid"], "name": _clean(red(name))})
        if _date(m["created_at"]):
            el.set("creationDateTime", _date(m["created_at"]))
        _sub(el, "PlainTextContent", text=red(m["text"]))
        notes_el.append(el)
        if key is None or column == "participant_id":
            project_refs.append(m["uuid"])
        else:
            note_refs[key].append(m["uuid"])
    # framework summaries: a Note named for its case and column, referred to by
    # the theme's Code, or (a guide question: no code) by the project
    theme_path: dict[int, str] = {}
    for t in rows["themes"]:  # parents come first
        parent = theme_path.get(t["parent_id"])
        theme_path[t["id"]] = f"{parent} / {t['name']}" if parent else t["name"]
    for f in rows.get("framework", []):
        who = names["participant_id"].get(f["participant_id"], "?")
        column = theme_path.get(f["theme_id"], "?") if f["theme_id"] is not None else f"question {f['question_id']}"
        el = ET.Element("Note", {"guid": f["uuid"], "name": _clean(red(f"Framework summary: {who} · {column}"))})
        if _date(f["created_at"]):
            el.set("creationDateTime", _date(f["created_at"]))
        _sub(el, "PlainTextContent", text=red(f["text"]))
        notes_el.append(el)
        if f["theme_id"] is not None:
            note_refs[("theme_id", f["theme_id"])].append(f["uuid"])
        else:
            project_refs.append(f["uuid"])
    if rows.get("framework"):
        result.counts["framework summaries"] = len(rows["framework"])
    seen_dates: dict[str, int] = defaultdict(int)
    journal_files: list[tuple[str, bytes]] = []
    for j in rows["journal"]:
        seen_dates[j["entry_date"]] += 1
        n = seen_dates[j["entry_date"]]
        el = ET.Element("Note", {"guid": j["uuid"],
                                 "name": f"Reflexive journal {j['entry_date']}" + (f" ({n})" if n > 1 else ""),
                                 "plainTextPath": f"internal://{j['uuid']}.txt"})
        if _date(j["created_at"]):
            el.set("creationDateTime", _date(j["created_at"]))
        journal_files.append((f"sources/{j['uuid']}.txt", red(j["text"]).encode("utf-8")))
        notes_el.append(el)

    def refs(parent: ET.Element, column: str, row_id: int) -> None:
        for guid in note_refs.get((column, row_id), []):
            _sub(parent, "NoteRef", {"targetGUID": guid})

    if users:
        users_el = _sub(root, "Users")
        for name, guid in sorted(users.items(), key=lambda kv: kv[0].casefold()):
            _sub(users_el, "User", {"guid": guid, "name": _clean(red(name))})

    # the codebook: themes as non-codable codes, codes inside them
    shown_name = _code_names(rows, result, qualify_names)
    themes_by_parent: dict[int | None, list[dict]] = defaultdict(list)
    for t in rows["themes"]:
        themes_by_parent[t["parent_id"]].append(t)
    codes_by_id = {c["id"]: c for c in rows["codes"]}
    codes_in: dict[tuple[int | None, int | None], list[dict]] = defaultdict(list)  # (theme, parent code)
    for c in rows["codes"]:
        parent = codes_by_id.get(c["parent_code_id"])
        nest = parent is not None and parent["theme_id"] == c["theme_id"] and parent["id"] != c["id"]
        codes_in[(c["theme_id"], c["parent_code_id"] if nest else None)].append(c)
    placed: set[int] = set()

    # Both trees are walked without recursion: an imported project may nest
    # codes thousands deep.
    def code_el(parent: ET.Element, top: dict) -> None:
        stack = [(parent, top)]
        while stack:
            parent_el, c = stack.pop()
            if c["id"] in placed:
                continue
            placed.add(c["id"])
            attrs = {"guid": c["uuid"], "name": _clean(red(shown_name[("code", c["id"])])), "isCodable": "true"}
            if c["color"] and _COLOR.match(c["color"]):
                attrs["color"] = c["color"]
            el = _sub(parent_el, "Code", attrs)
            if c["description"].strip():
                _sub(el, "Description", text=red(c["description"]))
            refs(el, "code_id", c["id"])
            stack.extend((el, child) for child in reversed(codes_in.get((c["theme_id"], c["id"]), [])))

    def theme_el(parent: ET.Element, top: dict) -> None:
        stack = [(parent, top)]
        seen: set[int] = set()
        while stack:
            parent_el, t = stack.pop()
            if t["id"] in seen:
                continue
            seen.add(t["id"])
            el = _sub(parent_el, "Code", {"guid": t["uuid"], "name": _clean(red(shown_name[("theme", t["id"])])),
                                          "isCodable": "false"})
            if t["definition"].strip():
                _sub(el, "Description", text=red(t["definition"]))
            refs(el, "theme_id", t["id"])
            for c in codes_in.get((t["id"], None), []):
                code_el(el, c)
            stack.extend((el, sub) for sub in reversed(themes_by_parent.get(t["id"], [])))

    if rows["codes"] or rows["themes"]:
        codes_root = _sub(_sub(root, "CodeBook"), "Codes")
        for t in themes_by_parent.get(None, []):
            theme_el(codes_root, t)
        for c in codes_in.get((None, None), []):
            code_el(codes_root, c)
        for c in rows["codes"]:  # a code whose parent chain loops: still exported, at top level
            code_el(codes_root, c)

    # variables from participant attributes (and the pilot flag)
    attributes = {p["id"]: json.loads(p["attributes"] or "{}") for p in rows["participants"]}
    var_values: dict[str, list] = defaultdict(list)
    for attrs in attributes.values():
        if isinstance(attrs, dict):
            for k, v in attrs.items():
                if v is not None:
                    var_values[k].append(v)
    declared = {k.casefold(): REFI_OF.get(v, "Text") for k, v in attribute_types(study).items()}
    var_types = {k: declared.get(k.casefold()) or _variable_type(v) for k, v in var_values.items()}
    if any(p["pilot"] for p in rows["participants"]) and "pilot" not in {k.casefold() for k in var_types}:
        var_types["Pilot"] = "Boolean"
        for p in rows["participants"]:
            attributes[p["id"]] = {**(attributes[p["id"]] if isinstance(attributes[p["id"]], dict) else {}),
                                   "Pilot": bool(p["pilot"])}
    var_guid = {k: derived_guid(su, "variable", k) for k in var_types}
    if var_types:
        vars_el = _sub(root, "Variables")
        for k in sorted(var_types, key=str.casefold):
            _sub(vars_el, "Variable", {"guid": var_guid[k], "name": _clean(red(k)), "typeOfVariable": var_types[k]})

    # the sources: transcripts, then each interview's notes; what each holds
    # is read when it is written (write_source), after the head of the file
    by_note: dict[int, list[dict]] = defaultdict(list)
    for c in rows["note_codings"]:
        by_note[c["note_id"]].append(c)
    # A coding in a span: (id, uuid, code id, coder, created_at); derived GUIDs
    # (users, selections) and stored times (_date) need no escaping in XML.
    code_guid = {c["id"]: _esc(c["uuid"]) for c in rows["codes"]}  # escaped for attributes
    segments_of: dict[int, list[dict]] = defaultdict(list)
    for s in rows["segments"]:
        segments_of[s["transcript_id"]].append(s)
    memo_notes = {m["note_id"] for m in rows["memos"] if m["note_id"] is not None}
    dropped = 0

    found: dict[tuple[str, int], list[tuple[int, int, str]]] = {}  # what redaction replaces in each source
    user_attrs: dict[str, str] = {}

    def user_attr(name: str) -> str:
        """' creatingUser="GUID"' for a coder (a derived GUID: nothing to escape)."""
        got = user_attrs.get(name)
        if got is None:
            got = user_attrs[name] = f' creatingUser="{user(name)}"'
        return got

    def when_attr(created_at: str | None) -> str:
        """' creationDateTime="..."' for a stored time, or nothing (see _date)."""
        if created_at and _iso_z(created_at) is not None:  # as the study stores times: nothing to escape
            return f' creationDateTime="{created_at}"'
        when = _date(created_at)
        return f' creationDateTime="{when}"' if when else ""

    def text_source(guid: str, name: str, raw_text: str, created: str | None, codings: list[tuple],
                    memo_spans: list[tuple[int, int, tuple[str, int]]], in_order: bool,
                    memo_key: tuple[str, int] | None, parts: list[bytes], source: tuple[str, int]) -> str:
        """One TextSource as XML (UTF-8) appended to `parts`; codings: (start,
        end, id, uuid, code id, coder, created_at) over raw_text, by start and
        end when `in_order`; memo_spans: (start, end, memo key). Returns the
        text as exported (redacted when asked); what was replaced is kept
        in `found` under `source` for the source's .txt."""
        nonlocal dropped
        mapped: RedactedText | None = None
        if rules:
            found[source] = rules.spans(raw_text)
            mapped = redacted_from_spans(raw_text, found[source])
        text = mapped.text if mapped else raw_text
        if len(text) * 4 > MAX_INTERNAL_BYTES and len(text.encode("utf-8")) > MAX_INTERNAL_BYTES:
            raise ValueError(f"{name}: the text is larger than a .qdpx may hold (2 GiB)")
        head = _attrs((("guid", guid), ("name", _clean(red(name))),
                       ("plainTextPath", f"internal://{guid}.txt"), ("creationDateTime", _date(created))))
        # Each piece encoded as it is made: most are ASCII, which encodes as a
        # copy, where one joined text would be wider than a byte per character
        # as soon as a piece holds an ellipsis.
        inner: list[bytes] = []
        if memo_key in descriptions:
            inner.append(_text_element("Description", descriptions[memo_key]).encode())
        # a text where redaction found nothing keeps every position (and the quicker grouping)
        groups, lost = _span_groups(codings, memo_spans, mapped if mapped and mapped.replacements else None, in_order)
        dropped += lost
        # the selection GUIDs: derived_guid(su, "selection", source, start, end[, coder]),
        # with the part of the hash that every selection of this source shares taken once
        prefix = namespace_hash(su).copy()
        prefix.update(f"selection\x1f{guid}\x1f".encode())
        hash_from = prefix.copy
        for start, end, codings, memos in groups:
            tail = f' name="{_selection_name(text, start, end)}" startPosition="{start}" endPosition="{end}"'
            if not memos and len(codings) == 1:
                # the common case (one coding on its span) at once: the same
                # text as the general case below makes
                _start, _end, _id, uuid, code_id, coder, created = codings[0]
                h = hash_from()
                h.update(f"{start}\x1f{end}".encode())
                by = (user_attrs.get(coder) or user_attr(coder)) if coder else ""
                when = when_attr(created)
                inner.append(f'<PlainTextSelection guid="{guid_from_sha1_hex(h.hexdigest())}"{tail}{by}{when}>'
                             f'<Coding guid="{_esc(uuid)}"{by}{when}><CodeRef targetGUID="{code_guid[code_id]}"/>'
                             "</Coding></PlainTextSelection>".encode())
                continue
            # One PlainTextSelection per span and coder: readers (QualCoder)
            # take the coder from the selection, so each coding is credited
            # to the one who made it. Memos on the span go on the first.
            # Codings by id.
            if len(codings) > 1:
                codings.sort(key=_coding_id)
                by_coder: dict[str, list[tuple]] = {}
                for c in codings:
                    by_coder.setdefault(c[5] or "", []).append(c)
                selections = list(by_coder.items())
            else:
                selections = [(codings[0][5] or "", codings)] if codings else [("", [])]
            place = f"{start}\x1f{end}"
            for i, (coder, mine) in enumerate(selections):
                h = hash_from()
                h.update((place + "\x1f" + coder if i else place).encode())
                sel = f' guid="{guid_from_sha1_hex(h.hexdigest())}"' + tail
                body = []
                for n, (_s, _e, _id, uuid, code_id, by, created) in enumerate(mine):
                    when = when_attr(created)
                    if n == 0:
                        sel += (user_attr(coder) if coder else "") + when
                    body.append(f'<Coding guid="{_esc(uuid)}"{user_attr(by) if by else ""}{when}>'
                                f'<CodeRef targetGUID="{code_guid[code_id]}"/></Coding>')
                if i == 0:
                    for memo in memos:
                        body.extend(_note_refs(memo))
                inner.append((f"<PlainTextSelection{sel}>{''.join(body)}</PlainTextSelection>" if body
                              else f"<PlainTextSelection{sel}/>").encode())
        if memo_key is not None:
            inner.extend(ref.encode() for ref in _note_refs(memo_key))
        if inner:  # the pieces as they are: joined once, when written
            parts.append(f"<TextSource{head}>".encode())
            parts.extend(inner)
            parts.append(b"</TextSource>")
        else:
            parts.append(f"<TextSource{head}/>".encode())
        return text

    def _note_refs(key: tuple[str, int]) -> list[str]:
        return ["<NoteRef" + _attrs((("targetGUID", guid),)) + "/>" for guid in note_refs.get(key, [])]

    notes_by_interview: dict[int, list[dict]] = defaultdict(list)
    for n in rows["notes"]:
        notes_by_interview[n["interview_id"]].append(n)
    pseudonym = {p["id"]: p["pseudonym"] for p in rows["participants"]}
    named: dict[str, int] = defaultdict(int)
    interviews_without_notes = 0
    # (kind, row, guid, name) of every source, in the file's order; and each participant's sources
    plan: list[tuple[str, dict, str, str]] = []
    sources_of: dict[int, list[str]] = defaultdict(list)
    for t in rows["transcripts"]:
        plan.append(("transcript", t, t["uuid"], t["file_name"]))
        sources_of[t["participant_id"]].append(t["uuid"])
    for i in rows["interviews"]:
        if not notes_by_interview.get(i["id"]):
            interviews_without_notes += 1
            continue
        base = f"{pseudonym[i['participant_id']]} {'pilot ' if i['pilot'] else ''}interview notes"
        named[base] += 1
        name = base + (f" ({named[base]})" if named[base] > 1 else "")
        # the interview's own uuid: stable, and an import restores it
        plan.append(("notes", i, i["uuid"], name))
        sources_of[i["participant_id"]].append(i["uuid"])

    def notes_text(i: dict) -> tuple[list[dict], str, list[int]]:
        notes = notes_by_interview[i["id"]]
        # Each note's time as the user sees it: its position in the recording.
        offset = i["recording_offset_ms"]
        text, starts = join_notes([(n["kind"], recording_ms(n["elapsed_ms"], offset), n["text"]) for n in notes])
        return notes, text, starts

    def write_source(kind: str, row: dict, guid: str, name: str, parts: list[bytes]) -> str:
        if kind == "transcript":
            memo_spans = [(s["start_pos"], s["end_pos"], ("segment_id", s["id"]))
                          for s in segments_of.get(row["id"], []) if s["start_pos"] < s["end_pos"]]
            return text_source(guid, name, export_text(study, row["id"]), row["imported_at"],
                               transcript_codings(study, row["id"]), memo_spans, True,
                               ("transcript_id", row["id"]), parts, (kind, row["id"]))
        notes, text, starts = notes_text(row)
        codings: list[tuple] = []
        memo_spans = []
        for n, start in zip(notes, starts, strict=True):
            codings += [(start + c["start_pos"], start + c["end_pos"], c["id"], c["uuid"], c["code_id"], c["coder"],
                         c["created_at"]) for c in by_note.get(n["id"], [])]
            if n["text"] and n["id"] in memo_notes:
                memo_spans.append((start, start + len(n["text"]), ("note_id", n["id"])))
        return text_source(guid, name, text, row["started_at"] or row["created_at"], codings, memo_spans, False,
                           ("interview_id", row["id"]), parts, (kind, row["id"]))

    def exported_text(kind: str, row: dict) -> bytes:
        """A source's .txt in UTF-8, as write_source exported it (read again:
        texts are not kept; nor is redaction looked for again). A transcript
        that nothing was replaced in comes as the study holds it, already UTF-8."""
        replaced = found.pop((kind, row["id"])) if rules else []
        if kind == "transcript" and not replaced and (utf8 := export_text_utf8(study, row["id"])) is not None:
            return utf8
        raw = export_text(study, row["id"]) if kind == "transcript" else notes_text(row)[1]
        return (redacted_from_spans(raw, replaced).text if replaced else raw).encode("utf-8")

    # formats/qdpx_media (and the playback machinery it brings) only for a study with recordings
    media_els: list[ET.Element] = []
    if media:
        from tacompanion.formats import qdpx_media

        for el, pid in qdpx_media.media_sources(study, su, media, rules, result):
            media_els.append(el)
            sources_of[pid].append(el.get("guid"))
    elif has_media(study):
        from tacompanion.formats import qdpx_media

        if (left := qdpx_media.left_out_line(study)) is not None:
            result.not_exported.append(left)
    if rows["participants"]:
        cases_el = _sub(root, "Cases")
        for p in rows["participants"]:
            case = _sub(cases_el, "Case", {"guid": p["uuid"], "name": _clean(red(p["pseudonym"]))})
            if ("participant_id", p["id"]) in descriptions:
                _sub(case, "Description", text=descriptions[("participant_id", p["id"])])
            attrs = attributes[p["id"]] if isinstance(attributes[p["id"]], dict) else {}
            for k in sorted(attrs, key=str.casefold):
                if attrs[k] is None or k not in var_types:
                    continue
                vv = _sub(case, "VariableValue")
                _sub(vv, "VariableRef", {"targetGUID": var_guid[k]})
                value = attrs[k]
                if var_types[k] not in ("Boolean", "Integer", "Float"):
                    value = red(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
                _value_element(vv, var_types[k], value)
            for guid in sources_of.get(p["id"], []):
                _sub(case, "SourceRef", {"targetGUID": guid})
    sources_el = _sub(root, "Sources") if plan or media_els else None
    if notes_el:
        n_el = _sub(root, "Notes")
        for el in notes_el:
            n_el.append(el)
    status_sets = [(s, [t for t in rows["themes"] if t["status"] == s]) for s in ("reviewed", "final")]
    status_sets = [(s, ts) for s, ts in status_sets if ts]
    if status_sets:
        sets_el = _sub(root, "Sets")
        for status, ts in status_sets:
            set_el = _sub(sets_el, "Set", {"guid": derived_guid(su, "theme-status", status),
                                           "name": f"Theme status: {status}"})
            for t in ts:
                _sub(set_el, "MemberCode", {"targetGUID": t["uuid"]})
    if None in descriptions:
        _sub(root, "Description", text=descriptions[None])
    for guid in project_refs:
        _sub(root, "NoteRef", {"targetGUID": guid})

    def sources() -> Iterator[list[bytes]]:  # the XML of one source at a time, in UTF-8 pieces
        for n, (kind, row, guid, name) in enumerate(plan, start=1):
            parts: list[bytes] = []
            write_source(kind, row, guid, name, parts)
            result.counts["interview notes" if kind == "notes" else "transcripts"] = (
                result.counts.get("interview notes" if kind == "notes" else "transcripts", 0) + 1)
            yield parts
            if progress is not None:
                progress(n, len(plan))
        for el in media_els:  # the recordings, after the texts
            text: list[str] = []
            _serialise(el, text)
            yield ["".join(text).encode("utf-8")]

    # The zip is written (compressed) on a thread of its own while the XML is
    # made here: zlib lets go of the GIL, so on two cores the two overlap.
    archive = _BackgroundZip(out)
    try:
        archive.open_entry(_info("project.qde"))
        chunks = _Chunks(archive.write)
        chunks.append('<?xml version="1.0" encoding="utf-8"?>\n')
        _serialise(root, chunks, {id(sources_el): sources} if sources_el is not None else {})
        chunks.flush()
        archive.close_entry()
        for kind, row, guid, _name in plan:
            archive.writestr(_info(f"sources/{guid}.txt"), exported_text(kind, row))
        for name, data in journal_files:
            archive.writestr(_info(name), data)
        if result.media_files:
            from tacompanion.formats.qdpx_media import stream_media

            files = list(result.media_files)
            archive.call(lambda z: stream_media(z, files))
        archive.finish()
    finally:
        archive.stop()
    total, starred = rows["coding_totals"]
    result.counts.update({
        "participants": len(rows["participants"]), "codes": len(rows["codes"]), "themes": len(rows["themes"]),
        "codings": total - dropped, "memos": len(rows["memos"]),
        "journal entries": len(rows["journal"]),
    })
    if starred:
        result.not_exported.append(f"{starred} starred quote mark(s): REFI-QDA has no place for them")
    criteria = study.scalar(
        "SELECT (SELECT count(*) FROM codes WHERE include_criteria != '' OR exclude_criteria != '' "
        "OR example_coding IS NOT NULL) + (SELECT count(*) FROM themes WHERE include_criteria != '' "
        "OR exclude_criteria != '' OR example_coding IS NOT NULL)")
    if criteria:
        result.not_exported.append(
            f"the codebook's inclusion / exclusion criteria and examples of {criteria} code(s) and theme(s): "
            "REFI-QDA has a description only (export codebook keeps them)")
    if dropped:
        result.not_exported.append(f"{dropped} coding(s) wholly inside redacted text that is replaced by nothing")
    if interviews_without_notes:
        result.not_exported.append(f"{interviews_without_notes} interview(s) without notes (nothing to export)")
    result.not_exported.append("interview timings, question coverage, guides and turn times stay in the study")
    return result


def _coding_id(coding: tuple) -> int:
    return coding[2]


def _span_groups(codings: list[tuple], memo_spans: list[tuple[int, int, tuple[str, int]]],
                 mapped: RedactedText | None, in_order: bool) -> tuple[list[tuple[int, int, list, list]], int]:
    """Each span of a source once, by start and end, over the text as
    exported: (start, end, [its codings], [its memo keys]); and how many
    spans were left out, wholly inside redacted text replaced by nothing."""
    if mapped is None and in_order:
        # the codings come by span: each group is a run of them (no dict, no sort)
        groups: list[tuple[int, int, list, list]] = []
        last_start = last_end = None
        for c in codings:
            if c[0] != last_start or c[1] != last_end:
                last_start, last_end = c[0], c[1]
                groups.append((last_start, last_end, [c], []))
            else:
                groups[-1][2].append(c)
        if memo_spans:
            at = {(g[0], g[1]): g for g in groups}
            for start, end, key in memo_spans:
                group = at.get((start, end))
                if group is None:
                    group = at[(start, end)] = (start, end, [], [])
                    groups.append(group)
                group[3].append(key)
            groups.sort(key=_span_of)
        return groups, 0
    lost = 0
    by_span: dict[tuple[int, int], tuple[int, int, list, list]] = {}
    for items, where in ((codings, 2), (memo_spans, 3)):
        for item in items:
            span = (item[0], item[1]) if mapped is None else mapped.map_span(item[0], item[1])
            if span is None:
                lost += 1
                continue
            group = by_span.get(span)
            if group is None:
                group = by_span[span] = (span[0], span[1], [], [])
            group[where].append(item if where == 2 else item[2])
    return sorted(by_span.values(), key=_span_of), lost


def _span_of(group: tuple) -> tuple[int, int]:
    return group[0], group[1]


def _selection_name(text: str, start: int, end: int) -> str:
    """A selection's name, escaped for an attribute: `_esc(_clean(_quote(text[start:end])))`,
    quicker on what most spans are, printable text whose only spaces are single
    ones inside it (nothing to flatten or clean)."""
    piece = text[start:end]
    if piece.isprintable() and "  " not in piece and piece[:1] != " " and piece[-1:] != " ":
        # Every whitespace character but the space is unprintable, so this is
        # already " ".join(piece.split()); cut as _quote cuts (the ellipsis is
        # printable); no line break or tab left to escape.
        if len(piece) > 60:
            piece = piece[:59] + "\u2026"
        if "&" in piece or "<" in piece or ">" in piece or '"' in piece:
            return piece.translate(_ATTR_ESCAPES)
        return piece
    return _esc(_clean(_quote(piece)))


def _code_names(rows: dict, result: ExportResult, qualify: bool) -> dict[tuple[str, int], str]:
    """The name each code and theme is written with: its own, or, where two
    share a name (some tools, QualCoder among them, merge such codes into
    one) and `qualify` asks, 'Name (Parent)'. Warns about each clash."""
    themes = {t["id"]: t for t in rows["themes"]}
    codes = {c["id"]: c for c in rows["codes"]}

    def parent_name(kind: str, row: dict) -> str:
        if kind == "theme":
            return themes[row["parent_id"]]["name"] if row["parent_id"] in themes else ""
        parent = codes.get(row["parent_code_id"])
        if parent is not None and parent["theme_id"] == row["theme_id"] and parent["id"] != row["id"]:
            return parent["name"]
        return themes[row["theme_id"]]["name"] if row["theme_id"] in themes else ""

    items = [("theme", t) for t in rows["themes"]] + [("code", c) for c in rows["codes"]]
    by_name: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for kind, row in items:
        by_name[" ".join(row["name"].split()).casefold()].append((kind, row))
    out = {(kind, row["id"]): row["name"] for kind, row in items}
    for group in by_name.values():
        if len(group) < 2:
            continue
        where = ", ".join(f"{kind} under {parent_name(kind, row) or 'the top'}" for kind, row in group)
        if qualify:
            for kind, row in group:
                parent = parent_name(kind, row)
                out[(kind, row["id"])] = f"{row['name']} ({parent})" if parent else row["name"]
            result.warnings.append(f"{len(group)} codes/themes named {group[0][1]['name']!r} ({where}): "
                                   "written with their parent's name added")
        else:
            result.warnings.append(f"{len(group)} codes/themes share the name {group[0][1]['name']!r} ({where}); "
                                   "some tools (QualCoder) merge them into one: --qualify-names adds the parent's name")
    return out


_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
_ATTR_NEEDS = re.compile(r'[&<>"\n\r\t]')
_TEXT_NEEDS = re.compile(r"[&<>\r]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class _Chunks(list):
    """XML text on its way into the zip: pieces gathered, then encoded and
    written (the head of the file, then one source at a time)."""

    def __init__(self, write: Callable[[bytes], object]) -> None:
        super().__init__()
        self.write = write

    def flush(self) -> None:
        if self:
            self.write("".join(self).encode("utf-8"))
            self.clear()

    def write_encoded(self, pieces: list[bytes]) -> None:
        """After what is gathered, pieces already encoded (a source's XML)."""
        self.flush()
        self.write(b"".join(pieces))


class _BackgroundZip:
    """A zip written by a thread of its own, in the order asked: an entry
    opened, written in pieces and closed, whole entries, or any call on the
    ZipFile. `finish()` closes the archive and says whether it failed;
    `stop()` (always, in a finally) ends the thread either way. A few pieces
    wait in a queue at most, so memory does not grow."""

    _END = ("end",)

    def __init__(self, out: BinaryIO) -> None:
        import queue
        import threading

        self._queue: queue.Queue = queue.Queue(maxsize=8)
        self._full = queue.Full
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, args=(out,), name="qdpx-zip", daemon=True)
        self._thread.start()

    def _run(self, out: BinaryIO) -> None:
        z = entry = None
        try:
            z = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
            while (op := self._queue.get()) is not self._END:
                kind = op[0]
                if kind == "write":
                    entry.write(op[1])
                elif kind == "open":
                    entry = z.open(op[1], "w")
                elif kind == "close":
                    entry.close()
                    entry = None
                elif kind == "writestr":
                    z.writestr(op[1], op[2])
                elif kind == "call":
                    op[1](z)
                else:  # "abort": the maker failed; the file is thrown away
                    raise _Aborted
            z.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the maker, who raises it
            self._error = exc
            for half_done in (entry, z):  # closed quietly: the file is thrown away
                if half_done is not None:
                    with contextlib.suppress(BaseException):
                        half_done.close()
            while self._queue.get() is not self._END:  # let the maker go on to its end
                pass

    def _put(self, op: tuple) -> None:
        while True:
            if self._error is not None:
                raise self._error
            try:
                self._queue.put(op, timeout=0.05)
                return
            except self._full:
                continue

    def open_entry(self, info: zipfile.ZipInfo) -> None:
        self._put(("open", info))

    def write(self, data: bytes) -> None:
        self._put(("write", data))

    def close_entry(self) -> None:
        self._put(("close",))

    def writestr(self, info: zipfile.ZipInfo, data: bytes) -> None:
        self._put(("writestr", info, data))

    def call(self, fn: Callable[[zipfile.ZipFile], None]) -> None:
        self._put(("call", fn))

    def finish(self) -> None:
        """The archive complete; its failure (a full disk) raised here."""
        self._put(self._END)
        self._stopped = True
        self._thread.join()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            if self._error is None:
                self._queue.put(("abort",))
            self._queue.put(self._END)
        self._thread.join()


class _Aborted(Exception):
    pass


def _text_element(tag: str, text: str) -> str:
    """`<tag>text</tag>` as `_sub` and `_serialise` write an element with text only."""
    text = _clean(text)
    if not text:
        return f"<{tag}/>"
    return f"<{tag}>{text.translate(_TEXT_ESCAPES) if _TEXT_NEEDS.search(text) else text}</{tag}>"


def _esc(value: str) -> str:
    """An attribute value escaped for XML (`in` tests: quicker than a search
    on the short values of a selection)."""
    if ("&" in value or "<" in value or ">" in value or '"' in value or "\n" in value or "\r" in value
            or "\t" in value):
        return value.translate(_ATTR_ESCAPES)
    return value


def _attrs(pairs) -> str:
    """Attributes as XML text, those whose value is None left out (as `_sub` does)."""
    return "".join(
        f' {k}="{v.translate(_ATTR_ESCAPES) if _ATTR_NEEDS.search(v) else v}"' for k, v in pairs if v is not None
    )


def _serialise(el: ET.Element, out: list[str] | _Chunks,
               lazy: dict[int, Callable[[], Iterator[list[bytes]]]] | None = None) -> None:
    """The tree as XML text (ElementTree's own writer is several times slower
    on 20,000 selections). Line breaks in attributes and CRs in text are
    written as character references, so that a parser gives them back. An
    element named in `lazy` gets its children's text from that generator
    instead (the sources, written as they are read: a list of UTF-8 pieces
    each), written into `out` (then _Chunks) as it comes.
    Without recursion: codes may nest thousands deep."""
    stack: list[tuple[ET.Element, bool]] = [(el, False)]  # (element, its end tag is due)
    while stack:
        el, closing = stack.pop()
        if closing:
            more = (lazy or {}).get(id(el))
            if more is not None:
                for pieces in more():  # a whole source each
                    out.write_encoded(pieces)
            out.append(f"</{el.tag}>")
            continue
        attrs = _attrs(el.attrib.items())
        children = list(el)
        more = (lazy or {}).get(id(el))
        if not children and not el.text and more is None:
            out.append(f"<{el.tag}{attrs}/>")
            continue
        out.append(f"<{el.tag}{attrs}>")
        if el.text:
            out.append(el.text.translate(_TEXT_ESCAPES) if _TEXT_NEEDS.search(el.text) else el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(children))


def _info(name: str) -> zipfile.ZipInfo:
    # A fixed time: the same study gives the same bytes.
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # speed over a few per cent of size  # noqa: SLF001
    info.external_attr = 0o600 << 16
    return info


def export_qdpx(study: Study, path: str | os.PathLike, *, redacted: bool = True,
                qualify_names: bool = False,
                progress: Callable[[int, int], None] | None = None, media: str | None = None) -> ExportResult:
    """Write the project atomically to `path`, streamed (see write_qdpx);
    with `media` "embed", each recording streamed into the archive after it."""
    from tacompanion.formats.atomic_write import atomic_output

    with atomic_output(path) as handle:
        return write_qdpx(study, handle, redacted=redacted, qualify_names=qualify_names, progress=progress,
                          media=media)
