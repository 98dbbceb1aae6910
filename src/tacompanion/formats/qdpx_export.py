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

import io
import json
import os
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from tacompanion.core.attributes import REFI_OF
from tacompanion.core.interview import recording_ms
from tacompanion.core.qdpx import RedactedText, derived_guid, join_notes, redact, redaction_pattern
from tacompanion.store.attributes import attribute_types
from tacompanion.store.qdpx import export_rows
from tacompanion.store.study import Study

NAMESPACE = "urn:QDA-XML:project:1.0"
ORIGIN = "tacompanion"
MAX_INTERNAL_BYTES = 2**31 - 1
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass
class ExportResult:
    data: bytes
    counts: dict[str, int] = field(default_factory=dict)
    not_exported: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. names other tools merge


def _clean(text: str) -> str:
    """Text for XML attributes and elements: without the control characters
    XML 1.0 forbids (Word's U+000B, U+000C); never applied to the .txt files."""
    return _XML_ILLEGAL.sub("", text)


_ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z$")


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


def build_qdpx(study: Study, *, redacted: bool = True, qualify_names: bool = False) -> ExportResult:
    """The .qdpx file's bytes, what went in and what could not. Memos go where
    other tools read them: a participant's memo is its Case's Description, a
    transcript's (or an interview's) its TextSource's, the study memo the
    Project's; journal entries are Notes whose text is a file in sources/
    (as QualCoder reads and writes journals). `qualify_names`: codes and
    themes that share a name get their parent's name added.

    `redacted` (the default, as for every export): the study's redaction list
    is applied to every field a name could hide in: the project name, source
    texts (selections follow), source, code, theme, case, variable, user and
    memo names, descriptions, variable values, memos and the journal."""
    rows = export_rows(study)
    su = rows["study_uuid"]
    rules = redaction_pattern(rows["redactions"] if redacted else [])
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

    for c in rows["codings"]:
        if c["coder"]:
            user(c["coder"])

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

    def code_el(parent: ET.Element, c: dict) -> None:
        if c["id"] in placed:
            return
        placed.add(c["id"])
        attrs = {"guid": c["uuid"], "name": _clean(red(shown_name[("code", c["id"])])), "isCodable": "true"}
        if c["color"] and _COLOR.match(c["color"]):
            attrs["color"] = c["color"]
        el = _sub(parent, "Code", attrs)
        if c["description"].strip():
            _sub(el, "Description", text=red(c["description"]))
        refs(el, "code_id", c["id"])
        for child in codes_in.get((c["theme_id"], c["id"]), []):
            code_el(el, child)

    def theme_el(parent: ET.Element, t: dict) -> None:
        el = _sub(parent, "Code", {"guid": t["uuid"], "name": _clean(red(shown_name[("theme", t["id"])])),
                                   "isCodable": "false"})
        if t["definition"].strip():
            _sub(el, "Description", text=red(t["definition"]))
        refs(el, "theme_id", t["id"])
        for c in codes_in.get((t["id"], None), []):
            code_el(el, c)
        for sub in themes_by_parent.get(t["id"], []):
            theme_el(el, sub)

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

    # the sources: transcripts, then each interview's notes
    files: list[tuple[str, bytes]] = []
    sources: list[tuple[ET.Element, int]] = []  # (TextSource, participant id)
    by_transcript: dict[int, list[dict]] = defaultdict(list)
    by_note: dict[int, list[dict]] = defaultdict(list)
    for c in rows["codings"]:
        (by_transcript[c["transcript_id"]] if c["transcript_id"] is not None else by_note[c["note_id"]]).append(c)
    code_guid = {c["id"]: c["uuid"] for c in rows["codes"]}
    segments_of: dict[int, list[dict]] = defaultdict(list)
    for s in rows["segments"]:
        segments_of[s["transcript_id"]].append(s)
    dropped = 0

    def text_source(guid: str, name: str, raw_text: str, created: str | None,
                    spans: list[tuple[int, int, dict | None, tuple[str, int] | None]],
                    memo_key: tuple[str, int] | None) -> ET.Element:
        """spans: (start, end, coding row or None, memo key or None) over raw_text."""
        nonlocal dropped
        mapped: RedactedText | None = redact(raw_text, rules) if rules else None
        text = mapped.text if mapped else raw_text
        data = text.encode("utf-8")
        if len(data) > MAX_INTERNAL_BYTES:
            raise ValueError(f"{name}: the text is larger than a .qdpx may hold (2 GiB)")
        files.append((f"sources/{guid}.txt", data))
        el = ET.Element("TextSource", {"guid": guid, "name": _clean(red(name)),
                                       "plainTextPath": f"internal://{guid}.txt"})
        if _date(created):
            el.set("creationDateTime", _date(created))
        if memo_key in descriptions:
            _sub(el, "Description", text=descriptions[memo_key])
        groups: dict[tuple[int, int], list] = {}
        for start, end, coding, memo in spans:
            if mapped is not None:
                span = mapped.map_span(start, end)
                if span is None:
                    dropped += 1
                    continue
                start, end = span
            groups.setdefault((start, end), []).append((coding, memo))
        for (start, end), items in sorted(groups.items()):
            # One PlainTextSelection per span and coder: readers (QualCoder)
            # take the coder from the selection, so each coding is credited
            # to the one who made it. Memos on the span go on the first.
            by_coder: dict[str, list[dict]] = {}
            for c, _ in sorted(((c, m) for c, m in items if c is not None), key=lambda cm: cm[0]["id"]):
                by_coder.setdefault(c["coder"] or "", []).append(c)
            memos = [memo for _, memo in items if memo is not None]
            for i, (coder, codings) in enumerate(by_coder.items() or [("", [])]):
                parts = ("selection", guid, str(start), str(end)) + ((coder,) if i else ())
                sel = _sub(el, "PlainTextSelection", {
                    "guid": derived_guid(su, *parts),
                    "name": _clean(_quote(text[start:end])),
                    "startPosition": str(start), "endPosition": str(end),
                })
                if codings:
                    if coder:
                        sel.set("creatingUser", user(coder))
                    if _date(codings[0]["created_at"]):
                        sel.set("creationDateTime", _date(codings[0]["created_at"]))
                for c in codings:
                    ce = _sub(sel, "Coding", {"guid": c["uuid"],
                                              "creatingUser": user(c["coder"]) if c["coder"] else None,
                                              "creationDateTime": _date(c["created_at"])})
                    _sub(ce, "CodeRef", {"targetGUID": code_guid[c["code_id"]]})
                if i == 0:
                    for memo in memos:
                        refs(sel, *memo)
        if memo_key is not None:
            refs(el, *memo_key)
        return el

    for t in rows["transcripts"]:
        spans = [(c["start_pos"], c["end_pos"], c, None) for c in by_transcript.get(t["id"], [])]
        spans += [(s["start_pos"], s["end_pos"], None, ("segment_id", s["id"]))
                  for s in segments_of.get(t["id"], []) if s["start_pos"] < s["end_pos"]]
        el = text_source(t["uuid"], t["file_name"], t["text"], t["imported_at"], spans, ("transcript_id", t["id"]))
        sources.append((el, t["participant_id"]))
        result.counts["transcripts"] = result.counts.get("transcripts", 0) + 1

    notes_by_interview: dict[int, list[dict]] = defaultdict(list)
    for n in rows["notes"]:
        notes_by_interview[n["interview_id"]].append(n)
    pseudonym = {p["id"]: p["pseudonym"] for p in rows["participants"]}
    named: dict[str, int] = defaultdict(int)
    interviews_without_notes = 0
    for i in rows["interviews"]:
        notes = notes_by_interview.get(i["id"], [])
        if not notes:
            interviews_without_notes += 1
            continue
        # Each note's time as the user sees it: its position in the recording.
        offset = i["recording_offset_ms"]
        text, starts = join_notes([(n["kind"], recording_ms(n["elapsed_ms"], offset), n["text"]) for n in notes])
        spans = []
        for n, start in zip(notes, starts, strict=True):
            spans += [(start + c["start_pos"], start + c["end_pos"], c, None) for c in by_note.get(n["id"], [])]
            if n["text"] and any(m["note_id"] == n["id"] for m in rows["memos"]):
                spans.append((start, start + len(n["text"]), None, ("note_id", n["id"])))
        base = f"{pseudonym[i['participant_id']]} {'pilot ' if i['pilot'] else ''}interview notes"
        named[base] += 1
        name = base + (f" ({named[base]})" if named[base] > 1 else "")
        guid = i["uuid"]  # the interview's own uuid: stable, and an import restores it
        el = text_source(guid, name, text, i["started_at"] or i["created_at"], spans, ("interview_id", i["id"]))
        sources.append((el, i["participant_id"]))
        result.counts["interview notes"] = result.counts.get("interview notes", 0) + 1

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
            for el, pid in sources:
                if pid == p["id"]:
                    _sub(case, "SourceRef", {"targetGUID": el.get("guid")})
    if sources:
        sources_el = _sub(root, "Sources")
        for el, _ in sources:
            sources_el.append(el)
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

    out: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _serialise(root, out)
    xml = "".join(out).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(_info("project.qde"), xml)
        for name, data in files + journal_files:
            z.writestr(_info(name), data)
    result.data = buf.getvalue()
    result.counts.update({
        "participants": len(rows["participants"]), "codes": len(rows["codes"]), "themes": len(rows["themes"]),
        "codings": sum(1 for _ in rows["codings"]) - dropped, "memos": len(rows["memos"]),
        "journal entries": len(rows["journal"]),
    })
    starred = sum(c["starred"] for c in rows["codings"])
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


def _serialise(el: ET.Element, out: list[str]) -> None:
    """The tree as XML text (ElementTree's own writer is several times slower
    on 20,000 selections). Line breaks in attributes and CRs in text are
    written as character references, so that a parser gives them back."""
    attrs = "".join(
        f' {k}="{v.translate(_ATTR_ESCAPES) if _ATTR_NEEDS.search(v) else v}"' for k, v in el.attrib.items()
    )
    children = list(el)
    if not children and not el.text:
        out.append(f"<{el.tag}{attrs}/>")
        return
    out.append(f"<{el.tag}{attrs}>")
    if el.text:
        out.append(el.text.translate(_TEXT_ESCAPES) if _TEXT_NEEDS.search(el.text) else el.text)
    for child in children:
        _serialise(child, out)
    out.append(f"</{el.tag}>")


def _info(name: str) -> zipfile.ZipInfo:
    # A fixed time: the same study gives the same bytes.
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # speed over a few per cent of size  # noqa: SLF001
    info.external_attr = 0o600 << 16
    return info


def export_qdpx(study: Study, path: str | os.PathLike, *, redacted: bool = True,
                qualify_names: bool = False) -> ExportResult:
    """Build the project and write it atomically to `path`."""
    from tacompanion.formats.atomic_write import write_bytes_atomically

    result = build_qdpx(study, redacted=redacted, qualify_names=qualify_names)
    write_bytes_atomically(path, result.data)
    return result
