"""The study file's schema, and the migrations that bring any older file up to it.

A study is one SQLite file. `PRAGMA application_id` marks it as a tacompanion
study and `PRAGMA user_version` holds its schema version. Every entity has an
integer `id` (for joins) and a `uuid` (stable identity across exports and
merges). Times are ISO 8601 UTC text (`2026-11-26T09:15:02.120Z`); elapsed
times in an interview are whole milliseconds since the interviewer started the
clock. Character offsets are `[start_pos, end_pos)` in code points (Python
string indices) into `transcripts.text`, or into `notes.text` for codings on
notes.

Tables (query them with any SQLite tool):

settings          key -> JSON value: study_uuid, default_coder, interviewer_labels,
                  prevalence_rule, analysis_scope, attribute_types (participant
                  attribute -> text / integer / decimal / boolean / date),
                  analysis_coders (empty: every coder's codings count), consensus_coder.
participants      a pseudonym such as P3 (never a real name), pilot flag,
                  free attributes as a JSON object.
guides            every guide version used: title, version, language,
                  duration_min, the full source_text and its source_hash.
interviews        participant, guide, pilot flag, started_at (the clock start),
                  ended_at, recording_offset_ms (how long the recorder ran before
                  the clock started), current_question_id.
interview_pauses  paused_at / resumed_at per pause: elapsed time excludes them.
question_events   per interview: question made current, covered, uncovered,
                  skipped; probe ticked / unticked; with elapsed_ms.
notes             interview notes: text, kind (note / quote / follow-up), tags
                  (JSON array), elapsed_ms, created_at, question_id.
transcripts       participant, file_name, format, source_hash, the text (LF,
                  no BOM) that offsets refer to, read_at (familiarisation),
                  interview_id (the interview it records, when linked) and
                  guide_id (v2: the guide its questions were marked from by
                  hand; NULL = the guide of its interview).
segments          speaker turns: position, speaker, is_interviewer, start_pos,
                  end_pos, start_ms, end_ms, text (= transcript text sliced),
                  question_id and question_source (time / manual).
themes            tree via parent_id; name, definition, status
                  (candidate / reviewed / final), position; include_criteria,
                  exclude_criteria, example_coding (as codes).
codes             name, slug, description (its definition), theme_id (its place
                  in the theme tree, NULL = unsorted), parent_code_id (a code under
                  a code), include_criteria, exclude_criteria, example_coding (the
                  uuid of the coding that is its example extract).
codings           code on [start_pos, end_pos) of a transcript or of a note;
                  coder, created_at, starred (a quote chosen for the report).
                  Unique on (document, span, code, coder): each coder's own
                  codings are kept side by side. Indexed by code, document and coder
                  (codings_code_doc) for the counts per code.
memos             text on one of code, theme, transcript, segment, note,
                  participant, interview - or, with all of them NULL, the study.
journal           the dated reflexive journal.
operations        the undo/redo log and the audit trail: kind, label, coder,
                  forward and backward changes as JSON, state (done / undone),
                  undoable (0: kept for the audit trail only); survives
                  restarts. Undo is per coder (see store/history.py).
hint_dismissals   hints (a turn or note for a code) the researcher dismissed.
redactions        find -> replacement, applied to exported text only.
media             recordings attached to a participant, and to one of its
                  interviews or transcripts: path (relative to the study file
                  when beside it or below), size, sha256 and hash_method
                  (full / sampled), duration_ms (NULL: unknown), format, kind
                  (audio / video). The file itself is never copied or changed.
resolutions       a disagreement between two coders on a code, resolved: the
                  stretch [start_pos, end_pos) of a transcript or note, coder_a,
                  coder_b, decision (a / b / both / drop) and the consensus
                  coder whose codings carry the result.
framework_summaries  the framework matrix: one participant's written summary for
                  one theme (theme_id) or one guide question (question_id).
segments_fts, notes_fts   full-text indexes (FTS5) kept in sync by triggers.
transcript_words  words and participant_words per transcript (its turns' text
                  split on white space), written with the turns; triggers on
                  segments delete a transcript's row when its turns change, and
                  readers count afresh where a row is missing (store/transcript_counts.py).
analysis_tallies, analysis_tally_dirty, analysis_tally_basis   derived counts per code,
                  theme and code family, and what changed since (marked by triggers);
                  see `_migrate_analysis_tallies` and store/tallies.py.
analysis_tally_changes, analysis_cells   the coding changes not yet counted, one row
                  each (written by triggers), and distinct extracts per theme and
                  participant; see `_migrate_tally_changes`.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable

APPLICATION_ID = 0x54414331  # "TAC1"

DEFAULT_INTERVIEWER_LABELS = ["Interviewer", "I", "Int", "Q", "Moderator"]

# The prevalence rule (see core/prevalence.py): label, minimum, maximum.
DEFAULT_PREVALENCE_RULE = [
    {"label": "all", "min": "N", "max": "N"},
    {"label": "most", "min": "half+1", "max": "N-1"},
    {"label": "some", "min": "3", "max": "half"},
    {"label": "one or two", "min": "1", "max": "2"},
]

_V1 = """
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
);

CREATE TABLE participants (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    pseudonym  TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(pseudonym)) > 0),
    pilot      INTEGER NOT NULL DEFAULT 0 CHECK (pilot IN (0, 1)),
    attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    created_at TEXT NOT NULL
);

CREATE TABLE guides (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    version      TEXT,
    language     TEXT,
    duration_min INTEGER CHECK (duration_min IS NULL OR duration_min > 0),
    file_name    TEXT,
    source_text  TEXT NOT NULL,
    source_hash  TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL
);

CREATE TABLE interviews (
    id                  INTEGER PRIMARY KEY,
    uuid                TEXT NOT NULL UNIQUE,
    participant_id      INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    guide_id            INTEGER REFERENCES guides(id) ON DELETE RESTRICT,
    pilot               INTEGER NOT NULL DEFAULT 0 CHECK (pilot IN (0, 1)),
    created_at          TEXT NOT NULL,
    started_at          TEXT,
    ended_at            TEXT,
    recording_offset_ms INTEGER NOT NULL DEFAULT 0,
    current_question_id TEXT
);
CREATE INDEX interviews_participant ON interviews(participant_id);

CREATE TABLE interview_pauses (
    id           INTEGER PRIMARY KEY,
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    paused_at    TEXT NOT NULL,
    resumed_at   TEXT
);
CREATE INDEX interview_pauses_interview ON interview_pauses(interview_id);

CREATE TABLE question_events (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    question_id  TEXT NOT NULL,
    probe_id     TEXT,
    event        TEXT NOT NULL CHECK (event IN
                 ('current', 'covered', 'uncovered', 'skipped', 'probe-ticked', 'probe-unticked')),
    elapsed_ms   INTEGER,
    at           TEXT NOT NULL
);
CREATE INDEX question_events_interview ON question_events(interview_id);

CREATE TABLE notes (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    question_id  TEXT,
    kind         TEXT NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'quote', 'follow-up')),
    text         TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    elapsed_ms   INTEGER,
    created_at   TEXT NOT NULL,
    updated_at   TEXT
);
CREATE INDEX notes_interview ON notes(interview_id);

CREATE TABLE transcripts (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    interview_id   INTEGER REFERENCES interviews(id) ON DELETE SET NULL,
    file_name      TEXT NOT NULL,
    format         TEXT NOT NULL,
    source_hash    TEXT NOT NULL,
    text           TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    read_at        TEXT,
    UNIQUE (participant_id, source_hash)
);
CREATE INDEX transcripts_participant ON transcripts(participant_id);

CREATE TABLE segments (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    transcript_id   INTEGER NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    speaker         TEXT,
    is_interviewer  INTEGER NOT NULL DEFAULT 0 CHECK (is_interviewer IN (0, 1)),
    start_pos       INTEGER NOT NULL,
    end_pos         INTEGER NOT NULL,
    start_ms        INTEGER,
    end_ms          INTEGER,
    text            TEXT NOT NULL,
    question_id     TEXT,
    question_source TEXT CHECK (question_source IS NULL OR question_source IN ('time', 'manual')),
    CHECK (0 <= start_pos AND start_pos <= end_pos),
    UNIQUE (transcript_id, position)
);

CREATE TABLE themes (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    parent_id  INTEGER REFERENCES themes(id) ON DELETE RESTRICT,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    definition TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'candidate' CHECK (status IN ('candidate', 'reviewed', 'final')),
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX themes_parent ON themes(parent_id);

CREATE TABLE codes (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    slug           TEXT NOT NULL UNIQUE,
    description    TEXT NOT NULL DEFAULT '',
    theme_id       INTEGER REFERENCES themes(id) ON DELETE SET NULL,
    parent_code_id INTEGER REFERENCES codes(id) ON DELETE SET NULL,
    color          TEXT,
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);
CREATE INDEX codes_theme ON codes(theme_id);

CREATE TABLE codings (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    code_id       INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    transcript_id INTEGER REFERENCES transcripts(id) ON DELETE CASCADE,
    note_id       INTEGER REFERENCES notes(id) ON DELETE CASCADE,
    start_pos     INTEGER NOT NULL,
    end_pos       INTEGER NOT NULL,
    coder         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    starred       INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
    CHECK ((transcript_id IS NULL) <> (note_id IS NULL)),
    CHECK (0 <= start_pos AND start_pos < end_pos)
);
CREATE INDEX codings_code ON codings(code_id);
CREATE UNIQUE INDEX codings_once_on_transcript
    ON codings(transcript_id, start_pos, end_pos, code_id) WHERE transcript_id IS NOT NULL;
CREATE UNIQUE INDEX codings_once_on_note
    ON codings(note_id, start_pos, end_pos, code_id) WHERE note_id IS NOT NULL;

CREATE TABLE memos (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    code_id        INTEGER REFERENCES codes(id) ON DELETE CASCADE,
    theme_id       INTEGER REFERENCES themes(id) ON DELETE CASCADE,
    transcript_id  INTEGER REFERENCES transcripts(id) ON DELETE CASCADE,
    segment_id     INTEGER REFERENCES segments(id) ON DELETE CASCADE,
    note_id        INTEGER REFERENCES notes(id) ON DELETE CASCADE,
    participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
    interview_id   INTEGER REFERENCES interviews(id) ON DELETE CASCADE,
    text           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT,
    CHECK ((code_id IS NOT NULL) + (theme_id IS NOT NULL) + (transcript_id IS NOT NULL)
           + (segment_id IS NOT NULL) + (note_id IS NOT NULL)
           + (participant_id IS NOT NULL) + (interview_id IS NOT NULL) <= 1)
);

CREATE TABLE journal (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    entry_date TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT
);

CREATE TABLE operations (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    label      TEXT NOT NULL,
    forward    TEXT NOT NULL CHECK (json_valid(forward)),
    backward   TEXT NOT NULL CHECK (json_valid(backward)),
    state      TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone')),
    coder      TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE redactions (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    find        TEXT NOT NULL UNIQUE CHECK (length(find) > 0),
    replacement TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
"""


# The full-text indexes of version 1, frozen as the SQL that sqlite-utils'
# `enable_fts(["text"], fts_version="FTS5", create_triggers=True)` generated
# when version 1 shipped: a step must build the same schema forever, whatever
# a later sqlite-utils would write. External-content FTS5 tables over the
# texts, kept in sync by triggers.
_V1_FTS = """
CREATE VIRTUAL TABLE "{table}_fts" USING FTS5 (
    "text",
    content="{table}"
);
INSERT INTO "{table}_fts" (rowid, "text")
    SELECT rowid, "text" FROM "{table}";
CREATE TRIGGER "{table}_ai" AFTER INSERT ON "{table}" BEGIN
  INSERT INTO "{table}_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
CREATE TRIGGER "{table}_ad" AFTER DELETE ON "{table}" BEGIN
  INSERT INTO "{table}_fts" ("{table}_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
END;
CREATE TRIGGER "{table}_au" AFTER UPDATE ON "{table}" BEGIN
  INSERT INTO "{table}_fts" ("{table}_fts", rowid, "text") VALUES('delete', old.rowid, old."text");
  INSERT INTO "{table}_fts" (rowid, "text") VALUES (new.rowid, new."text");
END;
"""


def _migrate_to_v1(conn: sqlite3.Connection) -> None:
    for statement in _statements(_V1):
        conn.execute(statement)
    for table in ("segments", "notes"):
        for statement in _statements(_V1_FTS.format(table=table)):
            conn.execute(statement)
    defaults = {
        "study_uuid": str(uuid.uuid4()),
        "default_coder": "",
        "interviewer_labels": DEFAULT_INTERVIEWER_LABELS,
        "prevalence_rule": DEFAULT_PREVALENCE_RULE,
        "analysis_scope": "all",
    }
    conn.executemany(
        "INSERT INTO settings (key, value) VALUES (?, ?)",
        [(k, json.dumps(v)) for k, v in defaults.items()],
    )


def _statements(script: str) -> list[str]:
    """Split a DDL script into statements (executescript would commit)."""
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        candidate = "\n".join(buf)
        if line.rstrip().endswith(";") and sqlite3.complete_statement(candidate):
            out.append(candidate.strip())
            buf = []
    if "".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out


# MIGRATIONS[i] turns a file of version i into version i + 1. Each runs in one
# transaction together with the version bump, so a failed step leaves the file
# exactly as it was. Steps run with foreign keys OFF (switched outside the
# transaction, so a table rebuild cannot cascade), and `PRAGMA
# foreign_key_check` must pass before the step commits. A step is frozen SQL:
# it never calls a library that could write different SQL tomorrow. It may
# return one line for the user (what it merged or changed); the runner keeps
# it. Never edit a shipped step: append a new one, add a fixture of the
# previous version under tests/data/, and test the upgrade from it.
def _migrate_to_v2(conn: sqlite3.Connection) -> None:
    """transcripts.guide_id: which guide a transcript's questions belong to.

    Question ids are slugs of the question text, so two guides can share one;
    answers by question must know the guide. A transcript follows the guide of
    its interview; guide_id is set when questions are marked on it by hand
    (and wins). Version 1 read hand marks against the guide of the study's
    latest interview (else the latest guide), so transcripts that have marks
    and no interview to take a guide from keep that one.
    """
    conn.execute(
        "ALTER TABLE transcripts ADD COLUMN guide_id INTEGER REFERENCES guides(id) ON DELETE RESTRICT"
    )
    conn.execute(
        "UPDATE transcripts SET guide_id = coalesce("
        " (SELECT i.guide_id FROM interviews i JOIN guides g ON g.id = i.guide_id"
        "  ORDER BY i.created_at DESC, i.id DESC LIMIT 1),"
        " (SELECT id FROM guides ORDER BY created_at DESC, id DESC LIMIT 1)) "
        "WHERE interview_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.participant_id = transcripts.participant_id) "
        "AND EXISTS (SELECT 1 FROM segments s WHERE s.transcript_id = transcripts.id "
        "            AND s.question_source = 'manual')"
    )


def _migrate_codings_code_doc_index(conn: sqlite3.Connection) -> None:
    """An index of codings by code, document and coder: what the code panel,
    the codebook and `list_codes` count (codings, the coder's own, and
    participants per code) is then read from the index alone, in code order,
    instead of from every coding's row in random order (four times faster on
    200,000 codings). Only adds an index, so its place among the steps does
    not matter."""
    conn.execute("CREATE INDEX IF NOT EXISTS codings_code_doc ON codings(code_id, transcript_id, note_id, coder)")


def _migrate_audit_and_hints(conn: sqlite3.Connection) -> None:
    """The audit trail and the hints (issue: rigour you can show).

    operations.undoable: 1 for a change that undo and redo may replay; 0 for
    an entry kept only for the audit trail: a change undone and then left
    behind by a newer one (until now such entries were deleted), or a record
    of a decision that is not undone by `u` (a memo written). The audit trail
    reads every entry; undo and redo read undoable ones only.
    hint_dismissals: a hint (a turn or a note for a code) that the researcher
    dismissed, so it is not offered again.
    settings.saturation_rule: Guest et al. (2020)'s stopping rule.
    """
    conn.execute(
        "ALTER TABLE operations ADD COLUMN undoable INTEGER NOT NULL DEFAULT 1 CHECK (undoable IN (0, 1))"
    )
    conn.execute("CREATE INDEX operations_state ON operations(state, undoable)")
    conn.execute(
        "CREATE TABLE hint_dismissals ("
        " id INTEGER PRIMARY KEY,"
        " code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,"
        " segment_id INTEGER REFERENCES segments(id) ON DELETE CASCADE,"
        " note_id INTEGER REFERENCES notes(id) ON DELETE CASCADE,"
        " created_at TEXT NOT NULL,"
        " CHECK ((segment_id IS NULL) <> (note_id IS NULL)))"
    )
    conn.execute(
        "CREATE UNIQUE INDEX hint_dismissals_once ON hint_dismissals(code_id, coalesce(segment_id, -note_id))"
    )
    conn.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('saturation_rule', ?)",
        (json.dumps(DEFAULT_SATURATION_RULE),),
    )


# Guest, Namey & Chen (2020): a base of 4 interviews, runs of 2, and new
# information of at most 5% of the base's codes.
DEFAULT_SATURATION_RULE = {"base": 4, "run": 2, "threshold": 0.05}


def _migrate_coder_in_codings(conn: sqlite3.Connection) -> None:
    """A coding belongs to its coder: unique on (document, span, code, coder).

    Two coders may put the same code on the same span (intercoder agreement
    compares them); one coder still cannot code the same span twice. Only the
    two unique indexes change; every row is kept. Adds the settings
    `analysis_coders` (empty: every coder counts) and `consensus_coder`, and
    the table `resolutions` (how disagreements between two coders were
    resolved; the consensus codings themselves are codings of the consensus
    coder).
    """
    conn.execute("DROP INDEX IF EXISTS codings_once_on_transcript")
    conn.execute("DROP INDEX IF EXISTS codings_once_on_note")
    conn.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS codings_once_per_coder_on_transcript "
        "ON codings(transcript_id, start_pos, end_pos, code_id, coder) WHERE transcript_id IS NOT NULL"
    )
    conn.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS codings_once_per_coder_on_note "
        "ON codings(note_id, start_pos, end_pos, code_id, coder) WHERE note_id IS NOT NULL"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS codings_coder ON codings(coder)")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS resolutions ("
        " id INTEGER PRIMARY KEY,"
        " uuid TEXT NOT NULL UNIQUE,"
        " code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,"
        " transcript_id INTEGER REFERENCES transcripts(id) ON DELETE CASCADE,"
        " note_id INTEGER REFERENCES notes(id) ON DELETE CASCADE,"
        " start_pos INTEGER NOT NULL,"
        " end_pos INTEGER NOT NULL,"
        " coder_a TEXT NOT NULL,"
        " coder_b TEXT NOT NULL,"
        " decision TEXT NOT NULL CHECK (decision IN ('a', 'b', 'both', 'drop')),"
        " consensus TEXT NOT NULL,"
        " created_at TEXT NOT NULL,"
        " CHECK ((transcript_id IS NULL) <> (note_id IS NULL)))"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS resolutions_code ON resolutions(code_id)")
    conn.execute("CREATE INDEX IF NOT EXISTS operations_coder ON operations(coder, state)")
    conn.executemany(
        "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
        [("analysis_coders", "[]"), ("consensus_coder", json.dumps("consensus"))],
    )


def _migrate_codebook_and_framework(conn: sqlite3.Connection) -> None:
    """The codebook's criteria on codes and themes, and the framework matrix.

    codes / themes get include_criteria, exclude_criteria and example_coding
    (the uuid of one of their own codings: the example extract follows that
    coding's span, and comes back with it when its removal is undone). A
    code's definition is its description; a theme's its definition.
    framework_summaries holds the written summary of one participant for one
    column of the framework matrix: a theme (or subtheme) or a guide question.
    """
    for table in ("codes", "themes"):
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        for column in ("include_criteria", "exclude_criteria"):
            if column not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        if "example_coding" not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN example_coding TEXT")
    conn.execute(
        """CREATE TABLE IF NOT EXISTS framework_summaries (
            id             INTEGER PRIMARY KEY,
            uuid           TEXT NOT NULL UNIQUE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            theme_id       INTEGER REFERENCES themes(id) ON DELETE CASCADE,
            question_id    TEXT,
            text           TEXT NOT NULL,
            created_at     TEXT NOT NULL,
            updated_at     TEXT,
            CHECK ((theme_id IS NULL) <> (question_id IS NULL))
        )"""
    )
    conn.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS framework_summaries_theme_cell "
        "ON framework_summaries(participant_id, theme_id) WHERE theme_id IS NOT NULL"
    )
    conn.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS framework_summaries_question_cell "
        "ON framework_summaries(participant_id, question_id) WHERE question_id IS NOT NULL"
    )


def _migrate_media(conn: sqlite3.Connection) -> None:
    """media: the recordings of interviews (issue 18), referenced, never copied.

    A recording belongs to a participant and, when known, to one interview
    (its notes' times are elapsed + the interview's recording offset) or one
    transcript (its turn times are positions in it).
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS media ("
        " id INTEGER PRIMARY KEY,"
        " uuid TEXT NOT NULL UNIQUE,"
        " participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,"
        " interview_id INTEGER REFERENCES interviews(id) ON DELETE SET NULL,"
        " transcript_id INTEGER REFERENCES transcripts(id) ON DELETE SET NULL,"
        " path TEXT NOT NULL,"
        " size INTEGER NOT NULL,"
        " sha256 TEXT NOT NULL,"
        " hash_method TEXT NOT NULL DEFAULT 'full' CHECK (hash_method IN ('full', 'sampled')),"
        " duration_ms INTEGER,"
        " format TEXT NOT NULL DEFAULT '',"
        " kind TEXT NOT NULL DEFAULT 'audio' CHECK (kind IN ('audio', 'video')),"
        " added_at TEXT NOT NULL)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS media_participant ON media(participant_id)")


MEMO_TARGETS = ("code", "theme", "transcript", "segment", "note", "participant", "interview")

# Between the texts of memos merged into one.
MEMO_MERGE_SEPARATOR = "\n\n---\n\n"


def _migrate_one_memo_per_thing(conn: sqlite3.Connection) -> str | None:
    """One memo per thing, enforced by unique indexes.

    Earlier versions could hold two memos on one thing (a .qdpx import added
    one beside the memo already there), and screens disagreed on which one
    they showed. Duplicates are merged into the oldest memo: the texts are
    joined oldest first with a separator (an identical text is kept once,
    an empty one adds nothing), the newest change time is kept, and the
    others are deleted. Then a unique index per target, and one for the
    study memo (every target NULL), makes a second memo impossible.
    """
    merged_groups = merged_rows = 0
    for target in (*MEMO_TARGETS, None):
        if target is None:
            where = " AND ".join(f"{t}_id IS NULL" for t in MEMO_TARGETS)
            groups = [(None,)] if conn.execute(
                f"SELECT count(*) FROM memos WHERE {where}").fetchone()[0] > 1 else []
            key_sql, params_of = where, lambda g: ()
        else:
            column = f"{target}_id"
            groups = conn.execute(
                f"SELECT {column} FROM memos WHERE {column} IS NOT NULL "
                f"GROUP BY {column} HAVING count(*) > 1"
            ).fetchall()
            key_sql, params_of = f"{column} = ?", lambda g: (g[0],)
        for group in groups:
            rows = conn.execute(
                f"SELECT id, text, created_at, coalesce(updated_at, created_at) FROM memos "
                f"WHERE {key_sql} ORDER BY created_at, id",
                params_of(group),
            ).fetchall()
            texts: list[str] = []
            for _, text, _, _ in rows:
                if text.strip() and text not in texts:
                    texts.append(text)
            keep = rows[0][0]
            latest = max(r[3] for r in rows)
            conn.execute(
                "UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
                (MEMO_MERGE_SEPARATOR.join(texts), latest, keep),
            )
            conn.executemany("DELETE FROM memos WHERE id = ?", [(r[0],) for r in rows[1:]])
            merged_groups += 1
            merged_rows += len(rows)
    for target in MEMO_TARGETS:
        conn.execute(
            f"CREATE UNIQUE INDEX memos_one_per_{target} ON memos({target}_id) "
            f"WHERE {target}_id IS NOT NULL"
        )
    study_only = " AND ".join(f"{t}_id IS NULL" for t in MEMO_TARGETS)
    conn.execute(f"CREATE UNIQUE INDEX memos_one_for_study ON memos((0)) WHERE {study_only}")
    if not merged_groups:
        return None
    return (f"memos: {merged_rows} memos on {merged_groups} thing(s) were merged into one memo each "
            "(texts joined oldest first, nothing dropped)")


def _migrate_word_counts(conn: sqlite3.Connection) -> None:
    """transcript_words: the words of each transcript's turns (and of its
    participant's turns), counted once here and then by whatever writes
    turns, so that `stats` and the home screen do not split every turn of
    the study each time (issue 16). A row can go missing, never stay wrong:
    triggers delete a transcript's row when one of its turns is inserted,
    deleted, or changes text, speaker role or transcript, whoever writes; a
    reader counts a transcript without a row itself. Only adds a table and
    triggers, so its place among the steps does not matter."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS transcript_words ("
        " transcript_id INTEGER PRIMARY KEY REFERENCES transcripts(id) ON DELETE CASCADE,"
        " words INTEGER NOT NULL,"
        " participant_words INTEGER NOT NULL)"
    )
    conn.execute(
        "CREATE TRIGGER IF NOT EXISTS segments_words_ai AFTER INSERT ON segments BEGIN"
        " DELETE FROM transcript_words WHERE transcript_id = new.transcript_id; END"
    )
    conn.execute(
        "CREATE TRIGGER IF NOT EXISTS segments_words_ad AFTER DELETE ON segments BEGIN"
        " DELETE FROM transcript_words WHERE transcript_id = old.transcript_id; END"
    )
    conn.execute(
        "CREATE TRIGGER IF NOT EXISTS segments_words_au AFTER UPDATE OF text, is_interviewer, transcript_id"
        " ON segments BEGIN"
        " DELETE FROM transcript_words WHERE transcript_id IN (old.transcript_id, new.transcript_id); END"
    )
    counts: dict[int, list[int]] = {}
    for tid, is_interviewer, text in conn.execute("SELECT transcript_id, is_interviewer, text FROM segments"):
        n = len(text.split())
        c = counts.setdefault(tid, [0, 0])
        c[0] += n
        if not is_interviewer:
            c[1] += n
    conn.executemany(
        "INSERT OR REPLACE INTO transcript_words (transcript_id, words, participant_words) "
        "SELECT id, ?, ? FROM transcripts WHERE id = ?",
        [(c[0], c[1], tid) for tid, c in counts.items()],
    )
    conn.execute(
        "INSERT OR IGNORE INTO transcript_words (transcript_id, words, participant_words) "
        "SELECT id, 0, 0 FROM transcripts"
    )


# The summary tables of the analysis and the triggers that mark what they
# depend on as dirty, frozen: a later step that rebuilds one of the tables the
# triggers sit on (dropping a table drops its triggers) runs
# `_tally_trigger_statements()` again after it. `store/tallies.py`
# checks that every trigger is there and counts from the codings when one is not.
_ANALYSIS_TALLY_TABLES = """
CREATE TABLE IF NOT EXISTS analysis_tallies (
    kind         TEXT NOT NULL CHECK (kind IN ('code', 'theme', 'family')),
    id           INTEGER NOT NULL,
    codings      INTEGER NOT NULL,
    extracts     INTEGER NOT NULL,
    participants INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS analysis_tally_dirty (
    kind TEXT NOT NULL CHECK (kind IN ('code', 'theme', 'all')),
    id   INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS analysis_tally_basis (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    basis TEXT NOT NULL
);
"""

# Marks are added with an upsert (ON CONFLICT DO NOTHING), not INSERT OR
# IGNORE: inside a foreign key's ON DELETE SET NULL action SQLite applies the
# outer statement's conflict handling (ABORT) to a trigger's OR IGNORE.
_ANALYSIS_TALLY_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS analysis_tally_coding_added
AFTER INSERT ON codings BEGIN
  INSERT INTO analysis_tally_dirty (kind, id) VALUES ('code', new.code_id)
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_coding_removed
AFTER DELETE ON codings BEGIN
  INSERT INTO analysis_tally_dirty (kind, id) VALUES ('code', old.code_id)
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_coding_changed
AFTER UPDATE OF code_id, transcript_id, note_id, start_pos, end_pos, coder ON codings BEGIN
  INSERT INTO analysis_tally_dirty (kind, id) VALUES ('code', old.code_id), ('code', new.code_id)
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_code_added
AFTER INSERT ON codes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id) VALUES ('code', new.id)
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_code_removed
AFTER DELETE ON codes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT 'code' AS k, old.id AS i
                      UNION SELECT 'code', old.parent_code_id
                      UNION SELECT 'theme', old.theme_id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_code_moved
AFTER UPDATE OF theme_id, parent_code_id ON codes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT 'code' AS k, new.id AS i
                      UNION SELECT 'code', old.parent_code_id
                      UNION SELECT 'theme', old.theme_id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_theme_added
AFTER INSERT ON themes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id) VALUES ('theme', new.id)
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_theme_removed
AFTER DELETE ON themes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT 'theme' AS k, old.id AS i UNION SELECT 'theme', old.parent_id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_theme_moved
AFTER UPDATE OF parent_id ON themes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT 'theme' AS k, new.id AS i UNION SELECT 'theme', old.parent_id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_participant_changed
AFTER UPDATE OF pilot ON participants BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT 'code' AS k, code_id AS i FROM codings
    WHERE transcript_id IN (SELECT id FROM transcripts WHERE participant_id = new.id)
    UNION SELECT 'code', code_id FROM codings
    WHERE note_id IN (SELECT n.id FROM notes n JOIN interviews v ON v.id = n.interview_id
                      WHERE v.participant_id = new.id)) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_interview_changed
AFTER UPDATE OF pilot, participant_id ON interviews BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT DISTINCT 'code' AS k, code_id AS i FROM codings
    WHERE note_id IN (SELECT id FROM notes WHERE interview_id = new.id)) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_transcript_changed
AFTER UPDATE OF participant_id ON transcripts BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT DISTINCT 'code' AS k, code_id AS i FROM codings WHERE transcript_id = new.id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_note_changed
AFTER UPDATE OF interview_id ON notes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT DISTINCT 'code' AS k, code_id AS i FROM codings WHERE note_id = new.id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
"""


def _trigger_names(script: str) -> tuple[str, ...]:
    return tuple(line.split()[5] for line in script.splitlines() if line.startswith("CREATE TRIGGER"))


# Step `_migrate_tally_changes` (issue 16): a coding added, removed or changed
# is written down as it is (code, document, span, coder, +1 or -1) rather
# than marking its whole code, so that the counts after one change are
# adjusted by looking at that one span (store/tallies.py), not recounted from
# every coding of the code's themes. A change to what is counted (a pilot
# flag, a transcript, note or interview moved) marks, besides the codes coded
# there now, the codes of the changes not yet counted in those documents: a
# coding removed before its participant became a pilot was counted when
# stored, and must be taken out by a recount, not skipped as a pilot's.
# A transcript or note deleted marks the codes coded in it, and those of the
# changes not yet counted there, before it goes (its id may be used again).
# `analysis_cells`: distinct extracts per theme (its subthemes' included) and
# participant, the participants x themes matrix and the review's headings.
_ANALYSIS_TALLY_CHANGE_TABLES = """
CREATE TABLE IF NOT EXISTS analysis_tally_changes (
    seq           INTEGER PRIMARY KEY,
    code_id       INTEGER NOT NULL,
    transcript_id INTEGER,
    note_id       INTEGER,
    start_pos     INTEGER NOT NULL,
    end_pos       INTEGER NOT NULL,
    coder         TEXT,
    sign          INTEGER NOT NULL CHECK (sign IN (-1, 1))
);
CREATE TABLE IF NOT EXISTS analysis_cells (
    theme_id       INTEGER NOT NULL,
    participant_id INTEGER NOT NULL,
    extracts       INTEGER NOT NULL,
    PRIMARY KEY (theme_id, participant_id)
) WITHOUT ROWID;
"""

_ANALYSIS_TALLY_CHANGE_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS analysis_tally_coding_added
AFTER INSERT ON codings BEGIN
  INSERT INTO analysis_tally_changes (code_id, transcript_id, note_id, start_pos, end_pos, coder, sign)
    VALUES (new.code_id, new.transcript_id, new.note_id, new.start_pos, new.end_pos, new.coder, 1);
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_coding_removed
AFTER DELETE ON codings BEGIN
  INSERT INTO analysis_tally_changes (code_id, transcript_id, note_id, start_pos, end_pos, coder, sign)
    VALUES (old.code_id, old.transcript_id, old.note_id, old.start_pos, old.end_pos, old.coder, -1);
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_coding_changed
AFTER UPDATE OF code_id, transcript_id, note_id, start_pos, end_pos, coder ON codings BEGIN
  INSERT INTO analysis_tally_changes (code_id, transcript_id, note_id, start_pos, end_pos, coder, sign)
    VALUES (old.code_id, old.transcript_id, old.note_id, old.start_pos, old.end_pos, old.coder, -1),
           (new.code_id, new.transcript_id, new.note_id, new.start_pos, new.end_pos, new.coder, 1);
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_participant_changed
AFTER UPDATE OF pilot ON participants BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT 'code' AS k, code_id AS i FROM codings
    WHERE transcript_id IN (SELECT id FROM transcripts WHERE participant_id = new.id)
    UNION SELECT 'code', code_id FROM codings
    WHERE note_id IN (SELECT n.id FROM notes n JOIN interviews v ON v.id = n.interview_id
                      WHERE v.participant_id = new.id)
    UNION SELECT 'code', code_id FROM analysis_tally_changes
    WHERE transcript_id IN (SELECT id FROM transcripts WHERE participant_id = new.id)
       OR note_id IN (SELECT n.id FROM notes n JOIN interviews v ON v.id = n.interview_id
                      WHERE v.participant_id = new.id)) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_interview_changed
AFTER UPDATE OF pilot, participant_id ON interviews BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT DISTINCT 'code' AS k, code_id AS i FROM codings
    WHERE note_id IN (SELECT id FROM notes WHERE interview_id = new.id)
    UNION SELECT 'code', code_id FROM analysis_tally_changes
    WHERE note_id IN (SELECT id FROM notes WHERE interview_id = new.id)) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_transcript_changed
AFTER UPDATE OF participant_id ON transcripts BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT DISTINCT 'code' AS k, code_id AS i FROM codings WHERE transcript_id = new.id
    UNION SELECT 'code', code_id FROM analysis_tally_changes WHERE transcript_id = new.id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_note_changed
AFTER UPDATE OF interview_id ON notes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT DISTINCT 'code' AS k, code_id AS i FROM codings WHERE note_id = new.id
    UNION SELECT 'code', code_id FROM analysis_tally_changes WHERE note_id = new.id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_transcript_removed
BEFORE DELETE ON transcripts BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT DISTINCT 'code' AS k, code_id AS i FROM codings WHERE transcript_id = old.id
    UNION SELECT 'code', code_id FROM analysis_tally_changes WHERE transcript_id = old.id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS analysis_tally_note_removed
BEFORE DELETE ON notes BEGIN
  INSERT INTO analysis_tally_dirty (kind, id)
    SELECT k, i FROM (SELECT DISTINCT 'code' AS k, code_id AS i FROM codings WHERE note_id = old.id
    UNION SELECT 'code', code_id FROM analysis_tally_changes WHERE note_id = old.id) WHERE i IS NOT NULL
    ON CONFLICT DO NOTHING;
END;
"""

def _tally_trigger_statements() -> list[str]:
    """Every trigger that keeps the tallies honest, as they are now (IF NOT
    EXISTS: the changed ones first, so the first version of those is
    skipped): what a step that rebuilds a table they sit on runs again."""
    return _statements(_ANALYSIS_TALLY_CHANGE_TRIGGERS) + _statements(_ANALYSIS_TALLY_TRIGGERS)


# every trigger that keeps the tallies honest, as they are now
ANALYSIS_TALLY_TRIGGERS = tuple(dict.fromkeys(
    _trigger_names(_ANALYSIS_TALLY_TRIGGERS) + _trigger_names(_ANALYSIS_TALLY_CHANGE_TRIGGERS)))


def _migrate_analysis_tallies(conn: sqlite3.Connection) -> None:
    """Counts per code, theme and code family kept in the file (issue 16).

    analysis_tallies: codings, distinct extracts and distinct participants of
    a code, of a theme with its subthemes' codes, and of a code with the codes
    under it (kind 'family'); pilots left out, under the analysis scope and
    coders named in analysis_tally_basis. A missing row means zero.
    analysis_tally_dirty: what changed since (a code, a theme, or 'all'),
    marked by triggers in the same transaction as the change; the counts are
    recomputed from the codings for what is marked, the next time they are
    read (store/tallies.py). Derived data: emptying analysis_tally_basis makes
    the next read recompute everything. The step marks everything dirty, so
    an upgraded file computes its tallies on first use; only creates tables
    and triggers, so its place among the steps does not matter.
    """
    for statement in _statements(_ANALYSIS_TALLY_TABLES) + _statements(_ANALYSIS_TALLY_TRIGGERS):
        conn.execute(statement)
    conn.execute("INSERT OR IGNORE INTO analysis_tally_dirty (kind, id) VALUES ('all', 0)")


def _migrate_tally_changes(conn: sqlite3.Connection) -> None:
    """The coding changes written down one by one (analysis_tally_changes)
    and the extracts per theme and participant (analysis_cells), see
    `_ANALYSIS_TALLY_CHANGE_TABLES`: the seven triggers they concern are
    made again from `_ANALYSIS_TALLY_CHANGE_TRIGGERS`, and everything is
    marked to be counted on first use. Only tables and triggers, all derived
    data: its place among the steps does not matter (it runs after
    `_migrate_analysis_tallies`, which makes the tables it marks)."""
    for statement in _statements(_ANALYSIS_TALLY_TABLES) + _statements(_ANALYSIS_TALLY_CHANGE_TABLES):
        conn.execute(statement)
    for name in _trigger_names(_ANALYSIS_TALLY_CHANGE_TRIGGERS):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in _tally_trigger_statements():
        conn.execute(statement)
    conn.execute("INSERT OR IGNORE INTO analysis_tally_dirty (kind, id) VALUES ('all', 0)")


MIGRATIONS: list[Callable[[sqlite3.Connection], str | None]] = [
    _migrate_to_v1, _migrate_to_v2, _migrate_audit_and_hints, _migrate_coder_in_codings,
    _migrate_codebook_and_framework, _migrate_one_memo_per_thing, _migrate_codings_code_doc_index,
    _migrate_media, _migrate_analysis_tallies, _migrate_word_counts,
    _migrate_tally_changes,
]


def latest_version() -> int:
    return len(MIGRATIONS)
