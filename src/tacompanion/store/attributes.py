"""Participant attributes (profession, years in practice, site): typed values
in `participants.attributes` (JSON), their types in the study setting
`attribute_types` (name -> text / integer / decimal / boolean / date).

Why a setting and not a table: an attribute is a name and a type, a handful
per study; the values already live with the participant, where the exports
and the .qdpx import read them. See core/attributes.py for the types.
"""

from __future__ import annotations

import json

from tacompanion.core.attributes import (
    AttributeValueError,
    check_name,
    check_type,
    guess_type,
    parse_value,
    type_of_values,
)
from tacompanion.store.participants import find_participant
from tacompanion.store.study import Study, StudyError

SETTING = "attribute_types"


def attribute_types(study: Study) -> dict[str, str]:
    """Every attribute of the study with its type: the declared ones, and any
    found on participants without a declaration (typed by their values)."""
    declared = study.setting(SETTING, {}) or {}
    types = {k: v for k, v in declared.items() if isinstance(v, str)}
    found: dict[str, list] = {}
    for (raw,) in study.conn.execute("SELECT attributes FROM participants"):
        attrs = json.loads(raw or "{}")
        if isinstance(attrs, dict):
            for k, v in attrs.items():
                found.setdefault(k, []).append(v)
    for k, values in found.items():
        if _declared_name(types, k) is None:
            types[k] = type_of_values(values)
    return dict(sorted(types.items(), key=lambda kv: kv[0].casefold()))


def _declared_name(types: dict[str, str], name: str) -> str | None:
    """The name under which `name` is known, whatever its case."""
    for k in types:
        if k.casefold() == name.casefold():
            return k
    return None


def declare_types(study: Study, types: dict[str, str]) -> None:
    """Declare (or change) the types of attributes; others stay as they are."""
    declared = dict(study.setting(SETTING, {}) or {})
    for name, kind in types.items():
        known = _declared_name(declared, name) or name
        declared[known] = check_type(kind)
    study.set_setting(SETTING, declared)


def set_attribute(study: Study, pseudonym: str, name: str, value: str, *, kind: str | None = None) -> dict:
    """Set a participant's attribute from what the researcher typed. The value
    is read as the attribute's type (declared, or given as `kind`, or for a
    new attribute the type its spelling suggests); changing the type of an
    attribute others already have is refused when their values do not fit.
    Undoable. Returns {"pseudonym", "name", "type", "value"}."""
    from tacompanion.store.history import record

    current = wanted = None
    try:
        name = check_name(name)
        types = attribute_types(study)
        known = _declared_name(types, name)
        name = known or name
        current = types.get(name)
        wanted = check_type(kind) if kind else (current or guess_type(value))
        parsed = parse_value(wanted, value, name=name)
    except AttributeValueError as exc:
        declared = f" ({name} holds {wanted} values; give it another type to change that)" if current and not kind else ""
        raise StudyError(f"{exc}{declared}") from None
    row = find_participant(study, pseudonym)
    changes = []
    if current is not None and wanted != current:
        # a new type for everyone: each other value must read as it
        for r in study.query("SELECT id, pseudonym, attributes FROM participants WHERE id != ?", (row["id"],)):
            attrs = json.loads(r["attributes"] or "{}")
            if isinstance(attrs, dict) and attrs.get(name) is not None:
                try:
                    converted = parse_value(wanted, attrs[name], name=f"{name} of {r['pseudonym']}")
                except AttributeValueError as exc:
                    raise StudyError(f"{exc}; {name} stays {current}") from None
                changes.append((r["id"], {**attrs, name: converted}))
    attrs = json.loads(row["attributes"] or "{}")
    attrs = attrs if isinstance(attrs, dict) else {}
    attrs[name] = parsed
    changes.append((row["id"], attrs))
    with record(study, "participant-attribute", f"Set {name} of {row['pseudonym']}") as op:
        for pid, values in changes:
            op.update("participants", pid, {"attributes": json.dumps(values, ensure_ascii=False)})
        declared = dict(study.setting(SETTING, {}) or {})
        declared[_declared_name(declared, name) or name] = wanted
        op.db["settings"].upsert({"key": SETTING, "value": json.dumps(declared)}, pk="key")
    return {"pseudonym": row["pseudonym"], "name": name, "type": wanted, "value": parsed}


def unset_attribute(study: Study, pseudonym: str, name: str) -> dict:
    """Remove one attribute from one participant (its type stays declared for
    the others). Undoable."""
    from tacompanion.store.history import record

    row = find_participant(study, pseudonym)
    attrs = json.loads(row["attributes"] or "{}")
    attrs = attrs if isinstance(attrs, dict) else {}
    key = _declared_name(attrs, name)
    if key is None:
        have = ", ".join(sorted(attrs, key=str.casefold)) or "none"
        raise StudyError(f"{row['pseudonym']} has no attribute {name!r} (attributes: {have})")
    old = attrs.pop(key)
    with record(study, "participant-attribute", f"Unset {key} of {row['pseudonym']}") as op:
        op.update("participants", row["id"], {"attributes": json.dumps(attrs, ensure_ascii=False)})
    return {"pseudonym": row["pseudonym"], "name": key, "value": old}


def attribute_values(study: Study, name: str) -> dict[int, object]:
    """participant id -> value of attribute `name` (missing ones left out)."""
    out = {}
    for pid, raw in study.conn.execute("SELECT id, attributes FROM participants"):
        attrs = json.loads(raw or "{}")
        if isinstance(attrs, dict):
            key = _declared_name(attrs, name)
            if key is not None and attrs[key] is not None:
                out[pid] = attrs[key]
    return out


def matrix_groups(study: Study, matrix, name: str) -> list:
    """The rows of a participants x themes matrix (store.thematic.Matrix)
    grouped by attribute `name`, with counts and labels per group
    (core/matrix_groups.py)."""
    from tacompanion.core.matrix_groups import group_rows
    from tacompanion.core.prevalence import rule_from_setting

    rule = rule_from_setting(study.setting("prevalence_rule"))
    return group_rows(matrix.participants, [t[0] for t in matrix.themes], matrix.cells,
                      attribute_values(study, name), rule)
