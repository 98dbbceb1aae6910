"""Counts for the home screen and `stats`: one query, no writes."""

from __future__ import annotations

from tacompanion.core.overview import StudyOverview
from tacompanion.store.analysis import COUNTED
from tacompanion.store.study import Study

# Pilots are shown and marked but never counted (store.analysis.COUNTED):
# participants, transcripts, what is read and coded, codings count without
# them, and the pilots are counted apart.
_TRANSCRIPTS = (
    "transcripts t JOIN participants p ON p.id = t.participant_id LEFT JOIN interviews i ON 0"
)
_NOTES = "notes n JOIN interviews i ON i.id = n.interview_id JOIN participants p ON p.id = i.participant_id"
# Codings are counted per document first (each GROUP BY walks the partial
# unique index of its kind of document, never the codings' rows), then the few
# documents are joined to their participants: the home screen's cost follows
# the number of documents, not of codings (issue 16: 200,000 codings counted in
# ~15 ms instead of three joined scans of the table, ~360 ms).
_CODED_DOCUMENTS = f"""
  SELECT 't' AS kind, t.id AS doc, k.n AS n, {COUNTED} AS counted
  FROM (SELECT transcript_id AS id, count(*) AS n FROM codings
        WHERE transcript_id IS NOT NULL GROUP BY transcript_id) k
  JOIN transcripts t ON t.id = k.id JOIN participants p ON p.id = t.participant_id
  LEFT JOIN interviews i ON 0
  UNION ALL
  SELECT 'n', n.interview_id, k.n, {COUNTED}
  FROM (SELECT note_id AS id, count(*) AS n FROM codings
        WHERE note_id IS NOT NULL GROUP BY note_id) k
  JOIN notes n ON n.id = k.id JOIN interviews i ON i.id = n.interview_id
  JOIN participants p ON p.id = i.participant_id
"""

_OVERVIEW_SQL = f"""
WITH coded AS ({_CODED_DOCUMENTS})
SELECT
  (SELECT count(*) FROM participants WHERE pilot = 0) AS participants,
  (SELECT count(*) FROM participants WHERE pilot = 1) AS pilot_participants,
  (SELECT count(*) FROM guides) AS guides,
  (SELECT count(*) FROM interviews) AS interviews,
  (SELECT count(*) FROM interviews WHERE ended_at IS NULL) AS open_interviews,
  (SELECT count(*) FROM notes) AS notes,
  (SELECT count(*) FROM {_TRANSCRIPTS} WHERE {COUNTED}) AS transcripts,
  (SELECT count(*) FROM {_TRANSCRIPTS} WHERE NOT {COUNTED}) AS pilot_transcripts,
  (SELECT count(*) FROM {_TRANSCRIPTS} WHERE {COUNTED} AND t.read_at IS NOT NULL) AS transcripts_read,
  (SELECT count(*) FROM {_TRANSCRIPTS} WHERE {COUNTED})
    + (SELECT count(DISTINCT n.interview_id) FROM {_NOTES} WHERE {COUNTED}) AS documents,
  (SELECT count(DISTINCT doc) FROM coded WHERE kind = 't' AND counted)
    + (SELECT count(DISTINCT doc) FROM coded WHERE kind = 'n' AND counted) AS documents_coded,
  (SELECT count(*) FROM codes) AS codes,
  (SELECT coalesce(sum(n), 0) FROM coded WHERE counted) AS codings,
  (SELECT coalesce(sum(n), 0) FROM coded WHERE NOT counted) AS pilot_codings,
  (SELECT count(*) FROM codes WHERE theme_id IS NOT NULL) AS codes_in_themes,
  (SELECT count(*) FROM themes) AS themes,
  (SELECT count(*) FROM themes WHERE status IN ('reviewed', 'final')) AS themes_reviewed,
  (SELECT count(*) FROM themes WHERE status = 'final' AND trim(definition) <> '')
    AS themes_defined,
  (SELECT count(*) FROM memos) AS memos,
  (SELECT count(*) FROM journal) AS journal_entries
"""


def load_overview(study: Study) -> StudyOverview:
    row = study.query(_OVERVIEW_SQL)[0]
    return StudyOverview(**row)
