"""The audit trail: every analytic decision in time order, read from the
operation log (table `operations`), which keeps undone decisions for this.

Each entry says when, who (the coder), what kind of decision, the label
written at the time (so names are the names of that moment) and the names
involved, and whether it was later undone. The codes and themes an entry
touched are kept as ids, to filter by them and to jump to them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from tacompanion.store.codes import resolve_coder
from tacompanion.store.study import Study

# The kind of decision for each logged operation kind; kinds this table does
# not know (added by later features) are named by their own kind.
DECISIONS = {
    "create-code": "create", "create-theme": "create", "create-subtheme": "create",
    "create-and-apply": "create and apply",
    "apply-code": "apply", "recode": "apply", "remove-coding": "remove",
    "rename-code": "rename", "rename-theme": "rename",
    "merge-codes": "merge", "merge-themes": "merge",
    "split-theme": "split", "split-code": "split",
    "delete-code": "delete", "dissolve-theme": "delete",
    "move-code": "move to a theme", "move-theme": "move to a theme", "reorder-theme": "reorder",
    "theme-status": "status change",
    "describe-code": "definition", "define-theme": "definition", "define-code": "definition",
    "memo": "memo",
    "star-quote": "quote chosen", "unstar-quote": "quote chosen",
}


def decision_of(kind: str) -> str:
    if kind in DECISIONS:
        return DECISIONS[kind]
    for word, decision in (("merge-study", "merge of a study"), ("merge", "merge of a study"),
                           ("resolve", "agreement resolution"), ("agreement", "agreement resolution"),
                           ("participant", "participant change"), ("pilot", "participant change"),
                           ("transcript", "document change"), ("document", "document change"),
                           ("framework", "framework summary"), ("codebook", "definition")):
        if word in kind:
            return decision
    return kind


@dataclass
class AuditEntry:
    id: int
    when: str  # ISO 8601 UTC
    coder: str
    decision: str
    kind: str
    label: str
    names: tuple[str, ...]
    state: str  # "done", "undone"
    # The logged row changes, both directions, as JSON: read only when an
    # entry is filtered by code or theme, or opened (an undone insert names
    # its row in `forward`, a delete in `backward`).
    forward: str = field(default="[]", repr=False)
    backward: str = field(default="[]", repr=False)

    @cached_property
    def _touched(self) -> tuple[frozenset[int], frozenset[int], tuple[tuple[str, int, int], ...]]:
        codes, themes, places = _touched(json.loads(self.forward) + json.loads(self.backward))
        return frozenset(codes), frozenset(themes), tuple(places)

    @property
    def code_ids(self) -> frozenset[int]:
        return self._touched[0]

    @property
    def theme_ids(self) -> frozenset[int]:
        return self._touched[1]

    @property
    def places(self) -> tuple[tuple[str, int, int], ...]:
        """(kind, document key, position) of the codings it touched."""
        return self._touched[2]


def audit_trail(
    study: Study,
    *,
    code: int | None = None,
    theme: int | None = None,
    coder: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[AuditEntry]:
    """Every logged decision, oldest first, filtered by a code or theme it
    touched, a coder, or a date range (YYYY-MM-DD, both ends included)."""
    entries = []
    for entry in audit_entries(study, coder=coder, since=since, until=until):
        if code is not None and code not in entry.code_ids:
            continue
        if theme is not None and theme not in entry.theme_ids:
            continue
        entries.append(entry)
    return entries


def audit_entries(study: Study, *, coder: str | None = None, since: str | None = None,
                  until: str | None = None, changes: bool = True) -> Iterator[AuditEntry]:
    """audit_trail's entries (without the code and theme filters) one at a
    time, for an export of 200,000; `changes=False` leaves out the logged
    row changes (forward, backward: then code_ids and the like are empty),
    which the exports do not write."""
    # Changes logged before every operation carried its coder are credited to
    # the study's coder (its default coder, else the login name).
    default_coder = resolve_coder(study)
    where, params = [], []
    if coder:
        where.append("coalesce(coder, '') = ?")
        params.append(coder)
    if since:
        where.append("created_at >= ?")
        params.append(since)
    if until:
        where.append("substr(created_at, 1, 10) <= ?")
        params.append(until[:10])
    payload = "forward, backward" if changes else "'[]', '[]'"
    sql = f"SELECT id, kind, label, {payload}, state, coder, created_at FROM operations"
    if where:
        sql += " WHERE " + " AND ".join(where)
    for rid, kind, label, forward, backward, state, who, at in study.conn.execute(sql + " ORDER BY id", params):
        yield AuditEntry(rid, at, who or default_coder, decision_of(kind), kind, label, _names(label), state,
                         forward, backward)


def _touched(changes: list[dict]) -> tuple[set[int], set[int], list[tuple[str, int, int]]]:
    code_ids: set[int] = set()
    theme_ids: set[int] = set()
    places: list[tuple[str, int, int]] = []
    for change in changes:
        table = change.get("table")
        row = change.get("row") or {}
        values = change.get("values") or {}
        rid = change.get("id", row.get("id"))
        if table == "codes" and rid is not None:
            code_ids.add(rid)
            for v in (row.get("theme_id"), values.get("theme_id")):
                if v is not None:
                    theme_ids.add(v)
        elif table == "themes" and rid is not None:
            theme_ids.add(rid)
        elif table == "codings":
            for v in (row.get("code_id"), values.get("code_id")):
                if v is not None:
                    code_ids.add(v)
            if row.get("transcript_id") is not None:
                places.append(("transcript", row["transcript_id"], row.get("start_pos", 0)))
            elif row.get("note_id") is not None:
                places.append(("note", row["note_id"], row.get("start_pos", 0)))
        elif table == "memos":
            if row.get("code_id") is not None:
                code_ids.add(row["code_id"])
            if row.get("theme_id") is not None:
                theme_ids.add(row["theme_id"])
            # a memo on a text: its place (a turn's is resolved by still_there)
            if row.get("transcript_id") is not None:
                places.append(("transcript", row["transcript_id"], 0))
            elif row.get("segment_id") is not None:
                places.append(("segment", row["segment_id"], 0))
            elif row.get("note_id") is not None:
                places.append(("note", row["note_id"], 0))
    return code_ids, theme_ids, places


def _names(label: str) -> tuple[str, ...]:
    """The names quoted in a label ('Rename 'a' to 'b'' -> ('a', 'b'))."""
    names, i = [], 0
    while True:
        start = label.find("'", i)
        if start < 0:
            break
        end = label.find("'", start + 1)
        while end >= 0 and end + 1 < len(label) and label[end + 1].isalpha():
            end = label.find("'", end + 1)  # an apostrophe inside a name (don't)
        if end < 0:
            break
        names.append(label[start + 1:end])
        i = end + 1
    return tuple(names)


@dataclass(frozen=True)
class AuditSummary:
    decisions: dict[str, int]  # kind of decision -> count, most first
    undone: int
    first: str | None
    last: str | None
    coders: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.decisions.values())


def audit_summary(entries: Iterable[AuditEntry]) -> AuditSummary:
    """The summary of the entries (in time order), read once: a list or the
    entries as audit_entries gives them."""
    counts: Counter[str] = Counter()
    undone = 0
    first = last = None
    coders: set[str] = set()
    for n, e in enumerate(entries):
        counts[e.decision] += 1
        undone += e.state == "undone"
        if n == 0:
            first = e.when
        last = e.when
        if e.coder:
            coders.add(e.coder)
    return AuditSummary(
        dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        undone,
        first,
        last,
        tuple(sorted(coders, key=str.casefold)),
    )


def still_there(study: Study, entry: AuditEntry) -> tuple[str, int, int] | None:
    """Where Enter on an entry goes, if that thing still exists: ("code", id, 0),
    ("theme", id, 0), or a coded place ("transcript" | "notes", key, position)."""
    for kind, doc, position in entry.places:
        if kind == "segment":
            found = study.query("SELECT transcript_id, start_pos FROM segments WHERE id = ?", (doc,))
            if not found:
                continue
            kind, doc, position = "transcript", found[0]["transcript_id"], found[0]["start_pos"]
        if kind == "transcript" and study.scalar("SELECT 1 FROM transcripts WHERE id = ?", (doc,)):
            turn = study.scalar(
                "SELECT position FROM segments WHERE transcript_id = ? AND start_pos <= ? "
                "ORDER BY start_pos DESC LIMIT 1", (doc, position))
            return ("transcript", doc, turn or 0)
        if kind == "note":
            interview = study.scalar("SELECT interview_id FROM notes WHERE id = ?", (doc,))
            if interview is not None:
                index = study.scalar(
                    "SELECT count(*) FROM notes WHERE interview_id = ? AND id < ?", (interview, doc))
                return ("notes", interview, index or 0)
    for code_id in sorted(entry.code_ids):
        if study.scalar("SELECT 1 FROM codes WHERE id = ?", (code_id,)):
            return ("code", code_id, 0)
    for theme_id in sorted(entry.theme_ids):
        if study.scalar("SELECT 1 FROM themes WHERE id = ?", (theme_id,)):
            return ("theme", theme_id, 0)
    return None
