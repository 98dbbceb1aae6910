"""Counts for the home screen and `stats`: one query, no writes."""

from __future__ import annotations

from tacompanion.core.overview import StudyOverview
from tacompanion.store.study import Study

_OVERVIEW_SQL = """
SELECT
  (SELECT count(*) FROM participants) AS participants,
  (SELECT count(*) FROM participants WHERE pilot = 1) AS pilot_participants,
  (SELECT count(*) FROM guides) AS guides,
  (SELECT count(*) FROM interviews) AS interviews,
  (SELECT count(*) FROM interviews WHERE ended_at IS NULL) AS open_interviews,
  (SELECT count(*) FROM notes) AS notes,
  (SELECT count(*) FROM transcripts) AS transcripts,
  (SELECT count(*) FROM transcripts WHERE read_at IS NOT NULL) AS transcripts_read,
  (SELECT count(*) FROM transcripts)
    + (SELECT count(DISTINCT interview_id) FROM notes) AS documents,
  (SELECT count(DISTINCT transcript_id) FROM codings WHERE transcript_id IS NOT NULL)
    + (SELECT count(DISTINCT n.interview_id) FROM codings c JOIN notes n ON n.id = c.note_id)
    AS documents_coded,
  (SELECT count(*) FROM codes) AS codes,
  (SELECT count(*) FROM codings) AS codings,
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
