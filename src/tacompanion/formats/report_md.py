"""The report (Markdown), the quotes of one theme (Markdown) and the codebook
(CSV): the study's results in the forms a paper's draft needs.

Everything that leaves here goes through the study's redaction list (unless
the caller asks for the raw text): the whole report text, each CSV cell.
Counts, labels and N come from `analysis.analyse` via the thematic map, so
they are the numbers the map and `stats` show; pilots are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tacompanion.core.note_markers import without_tags
from tacompanion.core.prevalence import describe, rule_text
from tacompanion.core.quote_picking import QuotePicker
from tacompanion.core.quotes import one_line, quote_text, words_estimated
from tacompanion.core.tally import Counts
from tacompanion.formats.audit_export import saturation_lines, summary_lines
from tacompanion.formats.notes_csv import rows_to_csv
from tacompanion.formats.redacted import study_redactor as redactor
from tacompanion.store.analysis import coders_text
from tacompanion.store.audit import audit_trail
from tacompanion.store.report import data_numbers, extracts_in_order, journal_entries, quote_texts
from tacompanion.store.saturation import study_saturation
from tacompanion.store.study import Study
from tacompanion.store.thematic import Extract, ThematicMap, thematic_map
from tacompanion.store.themes import ThemeRow

CODEBOOK_COLUMNS = ("theme", "code", "description", "codings", "participants", "label",
                    "include", "exclude", "example")
EMPTY = Counts(0, 0, 0, None)


def _no_redaction(text: str) -> str:
    return text


@dataclass
class _Material:
    """The map, each theme's own codes, and every themed extract."""

    tmap: ThematicMap
    own: dict[int, list[tuple[int, str, Counts]]]  # theme id -> (code id, name, counts)
    unsorted: list[tuple[int, str, Counts]]
    quotes: dict[int, tuple[list[Extract], bool]]  # theme id -> (its quotes, starred?)
    number: dict[int, str]  # theme id -> "1.", "1.2"

    @property
    def total(self) -> int:
        return self.tmap.analysis.total

    def counts(self, theme_id: int) -> Counts:
        return self.tmap.analysis.themes.get(theme_id, EMPTY)

    def children(self, theme_id: int | None) -> list[ThemeRow]:
        return self.tmap.children(theme_id)

    def prevalence(self, theme_id: int) -> str:
        c = self.counts(theme_id)
        return describe(c.participants, self.total, self.tmap.analysis.rule)


def _material(study: Study, only: int | None = None) -> _Material:
    tmap = thematic_map(study)
    own: dict[int, list] = {t.id: [] for t in tmap.themes}
    unsorted = []
    for row in tmap.rows:
        if row.kind == "code":
            item = (row.id, row.name, row.counts)
            (own[row.theme_id] if row.theme_id is not None else unsorted).append(item)
    wanted = set(own) if only is None else _subtree(tmap, only)
    code_ids = sorted(cid for t in wanted for cid, _, _ in own[t])
    number: dict[int, str] = {}

    def walk(parent: int | None, prefix: str) -> None:
        for i, t in enumerate(tmap.children(parent), start=1):
            number[t.id] = f"{prefix}{i}" if prefix else f"{i}."
            walk(t.id, f"{prefix}{i}.")

    walk(None, "")
    # Every theme's quotes chosen as the extracts go by, document by
    # document (a large study has 150,000: none is kept that cannot be
    # chosen); then only the chosen ones' texts are read.
    pickers = {t: QuotePicker([cid for cid, _, _ in own[t]], words=words_estimated) for t in wanted}
    theme_of = {cid: t for t in wanted for cid, _, _ in own[t]}
    for e in extracts_in_order(study, code_ids):
        for t in {theme_of[c.code_id] for c in e.codes}:
            pickers[t].add(e)
    picked = {t: picker.chosen() for t, picker in pickers.items()}
    texts = iter(quote_texts(study, [e for chosen, _ in picked.values() for e in chosen]))
    quotes = {t: ([next(texts) for _ in chosen], starred) for t, (chosen, starred) in picked.items()}
    return _Material(tmap, own, unsorted, quotes, number)


def _subtree(tmap: ThematicMap, theme_id: int) -> set[int]:
    out = {theme_id}
    for t in tmap.themes:  # parents come before children
        if t.parent_id in out:
            out.add(t.id)
    return out


# -- pieces ---------------------------------------------------------------------------


def _cell(text: str) -> str:
    return one_line(text).replace("|", "\\|")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _quote_block(e: Extract) -> list[str]:
    # A note's #tags are the interviewer's filing marks, not words to quote.
    text = e.text if e.kind == "transcript" else without_tags(e.text)
    return [f"> {quote_text(text, e.participant, e.kind)}", ""]


def _theme_section(m: _Material, t: ThemeRow, depth: int, *, numbered: bool = True,
                   top: int = 3) -> list[str]:
    level = "#" * min(6, top + depth)
    title = f"{m.number[t.id]} {t.name}" if numbered else m.tmap.paths.get(t.id, t.name)
    c = m.counts(t.id)
    out = [f"{level} {title}", ""]
    if t.definition.strip():
        out += [f"**Definition.** {t.definition.strip()}", ""]
    else:
        out += ["**Definition.** _Not written yet (the thematic map's e key writes it)._", ""]
    out += [
        f"**Prevalence.** {m.prevalence(t.id)}; "
        f"{_plural(c.extracts, 'extract')}, {_plural(c.codings, 'coding')}"
        f"{' (its subthemes included)' if m.children(t.id) else ''}. Status: {t.status}.",
        "",
    ]
    own = m.own.get(t.id, [])
    if own:
        names = "; ".join(
            f"{name} ({cc.participants} of {m.total})" for _, name, cc in own
        )
        out += [f"**Codes** (participants of N): {names}.", ""]
        quotes, starred = m.quotes.get(t.id, ([], False))
        if quotes:
            why = ("Starred quotes" if starred else
                   "Representative extracts (none starred yet; different participants first)")
            out += [f"_{why}:_", ""]
            for e in quotes:
                out += _quote_block(e)
        else:
            out += ["_No extracts yet._", ""]
    elif not m.children(t.id):
        out += ["_No codes in this theme yet._", ""]
    for child in m.children(t.id):
        out += _theme_section(m, child, depth + 1, numbered=numbered, top=top)
    return out


def _table_one(m: _Material) -> list[str]:
    mains = m.children(None)
    if not mains:
        return ["_No themes yet: sort codes into themes on the thematic map (Ctrl+T)._", ""]
    out = ["| Theme | Subthemes | Prevalence |", "| --- | --- | --- |"]
    for t in mains:
        subs = []

        def walk(parent: int, prefix: str, subs: list[str] = subs) -> None:
            for s in m.children(parent):
                c = m.counts(s.id)
                subs.append(f"{m.number[s.id]} {prefix}{s.name} ({c.label or 'none'}, "
                            f"{c.participants} of {m.total})")
                walk(s.id, f"{prefix}{s.name} / ")

        walk(t.id, "")
        out.append(f"| {m.number[t.id]} {_cell(t.name)} | {_cell('; '.join(subs)) or '-'} "
                   f"| {_cell(m.prevalence(t.id))} |")
    return out + [""]


def _map_lines(m: _Material) -> list[str]:
    def short(t: ThemeRow) -> str:
        c = m.counts(t.id)
        return f"{t.name} ({c.label or 'none'}, {c.participants} of {m.total})"

    def quoted(text: str) -> str:
        return one_line(text).replace('"', "#quot;")

    mermaid = ["```mermaid", "mindmap", '  root(("Thematic map"))']
    tree = ["```text"]

    def walk(parent: int | None, depth: int) -> None:
        for t in m.children(parent):
            # th_N, not a bare name: the report is redacted whole, and a listed pseudonym
            # such as T1 must not rename a node id
            mermaid.append(f"{'  ' * (depth + 2)}th_{t.id}[\"{quoted(short(t))}\"]")
            tree.append(f"{'  ' * depth}{m.number[t.id]} {one_line(short(t))}")
            walk(t.id, depth + 1)

    walk(None, 0)
    if len(tree) == 1:
        return ["_No themes yet._", ""]
    return mermaid + ["```", ""] + ["As a text tree:", ""] + tree + ["```", ""]


def _data_lines(study: Study, m: _Material) -> list[str]:
    d = data_numbers(study)
    a = m.tmap.analysis
    pilots = ""
    if d.pilot_participants:
        pilots = (f"; {_plural(len(d.pilot_participants), 'pilot participant')} "
                  f"({', '.join(d.pilot_participants)}) excluded")
    excluded = lambda n, what: f" ({_plural(n, 'pilot ' + what)} excluded)" if n else ""  # noqa: E731
    scope = ("transcripts and interview notes" if a.scope != "transcripts"
             else "transcripts only (interview notes are left out)")
    return [
        f"- Participants: {d.participants:,}{pilots}. N = {m.total:,} participants with data "
        f"in the analysis: prevalence counts are out of {m.total:,}.",
        f"- Interviews: {d.interviews:,}{excluded(d.pilot_interviews, 'interview')}"
        f"{f', {d.notes_interviews:,} with interview notes' if d.notes_interviews else ''}.",
        f"- Transcripts: {d.transcripts:,}{excluded(d.pilot_transcripts, 'transcript')}.",
        f"- Analysis scope: {scope}.",
        f"- Coders: the counts and extracts use {coders_text(a.coders)}; a participant counts once "
        "however many coders coded them.",
        f"- Prevalence rule: {rule_text(a.rule, m.total) if m.total else rule_text(a.rule)} "
        f"(in general: {rule_text(a.rule)}; N = participants in the analysis, "
        "half = N/2 rounded down). A label says how many participants a theme rests on, "
        "not how important it is.",
        "",
    ]


# -- the exports ------------------------------------------------------------------------


def report_markdown(
    study: Study, *, journal: bool = False, redact: bool = True, now: datetime | None = None,
    saturation: bool = False, audit: bool = False, codebook: bool = False,
) -> str:
    """The whole report as Markdown; `saturation` adds the saturation table and
    verdict, `audit` a summary of the audit trail, at the end."""
    m = _material(study)
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d")
    n_redactions = study.scalar("SELECT count(*) FROM redactions")
    if redact and n_redactions:
        entries = _plural(n_redactions, "entry", "entries")
        note = f" Names and places on the study's redaction list ({entries}) are replaced."
    elif n_redactions:
        note = " **Not redacted**: names and places appear as in the transcripts."
    else:
        note = ""
    out = [
        "# Thematic analysis report",
        "",
        f"_Exported from tacompanion on {when} from {study.path.name}. Quotes are attributed by "
        f"pseudonym; \"interview notes\" marks what the interviewer wrote down, not a verbatim "
        f"quote.{note}_",
        "",
        "## Data and analysis",
        "",
        *_data_lines(study, m),
        "## Table 1. Themes and subthemes",
        "",
        *_table_one(m),
        "## Themes",
        "",
    ]
    mains = m.children(None)
    for t in mains:
        out += _theme_section(m, t, 0)
    if not mains:
        out += ["_No themes yet._", ""]
    if m.unsorted:
        codings = sum(c.codings for _, _, c in m.unsorted)
        out += [f"_Not in any theme yet: {_plural(len(m.unsorted), 'code')} "
                f"({_plural(codings, 'coding')}); they are in the codebook, not in this report._", ""]
    out += ["## Thematic map", "", *_map_lines(m)]
    if journal:
        out += ["## Reflexive journal", ""]
        entries = journal_entries(study)
        for entry in entries:
            out += [f"### {entry.date}", "", entry.text.strip(), ""]
        if not entries:
            out += ["_The journal has no entries._", ""]
    if saturation:
        out += saturation_lines(study_saturation(study))
    if audit:
        out += summary_lines(audit_trail(study))
    if codebook:
        out += ["## Appendix. Codebook", "", *_codebook_lines(study, m.tmap, top=3)]
    text = "\n".join(out).rstrip("\n") + "\n"
    return (redactor(study) if redact else _no_redaction)(text)


def quotes_markdown(study: Study, theme_id: int, *, redact: bool = True) -> str:
    """One theme (with its subthemes): definition, prevalence and its quotes."""
    m = _material(study, only=theme_id)
    t = next(x for x in m.tmap.themes if x.id == theme_id)
    head = [f"# Quotes: {m.tmap.paths[theme_id]}", "",
            f"_N = {m.total} participants in the analysis (pilots excluded). Quotes are "
            "attributed by pseudonym; \"interview notes\" marks what the interviewer wrote down._", ""]
    section = _theme_section(m, t, 0, numbered=False, top=2)
    text = "\n".join(head + section).rstrip("\n") + "\n"
    return (redactor(study) if redact else _no_redaction)(text)


def _code_texts(study: Study) -> dict[int, tuple[str, str, str]]:
    """code id -> (definition, include, exclude)."""
    return {r[0]: (r[1], r[2], r[3]) for r in study.conn.execute(
        "SELECT id, description, include_criteria, exclude_criteria FROM codes")}


def _example_text(e) -> str:
    return quote_text(e.text, e.participant, e.kind) if e is not None else ""


def codebook_rows(study: Study, *, redact: bool = True) -> list[dict[str, str]]:
    """One row per code, in the map's order (themes in order, then unsorted)."""
    from tacompanion.store.codebook import examples

    tmap = thematic_map(study)
    texts = _code_texts(study)
    chosen = examples(study, "code")
    clean: Callable[[str], str] = redactor(study) if redact else _no_redaction
    rows = []
    for row in tmap.rows:
        if row.kind != "code":
            continue
        c = row.counts
        definition, include, exclude = texts.get(row.id, ("", "", ""))
        rows.append({
            "theme": clean(tmap.paths.get(row.theme_id, "") if row.theme_id else ""),
            "code": clean(row.name),
            "description": clean(definition),
            "codings": str(c.codings),
            "participants": str(c.participants),
            "label": c.label or "",
            "include": clean(include),
            "exclude": clean(exclude),
            "example": clean(_example_text(chosen.get(row.id))),
        })
    return rows


def _criteria_lines(definition: str, include: str, exclude: str, example) -> list[str]:
    out = []
    for title, text in (("Definition", definition), ("Include", include), ("Exclude", exclude)):
        if text.strip():
            out += [f"**{title}.** {one_line(text)}", ""]
    if example is not None:
        out += ["**Example.**", "", f"> {_example_text(example)}", ""]
    return out or ["_No definition yet._", ""]


def _codebook_lines(study: Study, tmap: ThematicMap, *, top: int) -> list[str]:
    """Each theme with its criteria, then each of its codes with theirs."""
    from tacompanion.store.codebook import examples

    code_texts = _code_texts(study)
    theme_texts = {r[0]: (r[1], r[2], r[3]) for r in study.conn.execute(
        "SELECT id, definition, include_criteria, exclude_criteria FROM themes")}
    code_examples, theme_examples = examples(study, "code"), examples(study, "theme")
    out: list[str] = []
    for row in tmap.rows:
        level = "#" * min(6, top + row.depth)
        if row.kind == "theme":
            c = row.counts or EMPTY
            out += [f"{level} Theme: {tmap.paths[row.id]}", "",
                    f"_{c.label or 'none'}: {c.participants} of {tmap.analysis.total} participants; "
                    f"{_plural(c.codings, 'coding')}._", ""]
            out += _criteria_lines(*theme_texts.get(row.id, ("", "", "")), theme_examples.get(row.id))
        elif row.kind == "unsorted":
            if row.codes:
                out += [f"{level} {row.name}", ""]
        else:
            c = row.counts or EMPTY
            out += [f"{level} {row.name}", "",
                    f"_{c.label or 'none'}: {c.participants} of {tmap.analysis.total} participants; "
                    f"{_plural(c.codings, 'coding')}._", ""]
            out += _criteria_lines(*code_texts.get(row.id, ("", "", "")), code_examples.get(row.id))
    if not any(r.kind == "code" for r in tmap.rows):
        out += ["_No codes yet._", ""]
    return out


def codebook_markdown(study: Study, *, redact: bool = True) -> str:
    """The codebook as a document: each theme and code with its definition,
    inclusion and exclusion criteria and example, in the map's order."""
    tmap = thematic_map(study)
    head = ["# Codebook", "",
            f"_{_plural(sum(1 for r in tmap.rows if r.kind == 'code'), 'code')} in "
            f"{_plural(len(tmap.themes), 'theme')}; N = {tmap.analysis.total} participants in the "
            "analysis (pilots excluded). Examples are attributed by pseudonym._", ""]
    text = "\n".join(head + _codebook_lines(study, tmap, top=2)).rstrip("\n") + "\n"
    return (redactor(study) if redact else _no_redaction)(text)


def codebook_csv(study: Study, *, redact: bool = True) -> str:
    return rows_to_csv(codebook_rows(study, redact=redact), CODEBOOK_COLUMNS)
