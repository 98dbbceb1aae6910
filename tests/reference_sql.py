"""Reference queries the tests compare the fast code with: plain SQL, slow
on a large study and plainly right."""

# The export's query as it was written before issue 16 (one SQL statement;
# slow on a large study, plainly right): the reference for `export codings`.
REFERENCE_CODINGS_SQL = """
WITH RECURSIVE path(id, name, depth) AS (
    SELECT id, name, 0 FROM themes WHERE parent_id IS NULL
    UNION ALL
    SELECT t.id, path.name || ' / ' || t.name, depth + 1
    FROM themes t JOIN path ON t.parent_id = path.id
)
SELECT 'transcript' AS kind, p.pseudonym AS participant, p.pilot AS pilot,
       t.file_name AS document, s.position + 1 AS segment, s.speaker AS speaker,
       k.start_pos, k.end_pos, c.name AS code, path.name AS theme, k.coder,
       k.created_at, substr(t.text, k.start_pos + 1, k.end_pos - k.start_pos) AS text
FROM codings k
JOIN transcripts t ON t.id = k.transcript_id
JOIN participants p ON p.id = t.participant_id
JOIN codes c ON c.id = k.code_id
LEFT JOIN path ON path.id = c.theme_id
LEFT JOIN segments s ON s.transcript_id = t.id
     AND s.start_pos <= k.start_pos AND k.start_pos < max(s.end_pos, s.start_pos + 1)
UNION ALL
SELECT 'notes', p.pseudonym, max(p.pilot, i.pilot),
       'notes ' || coalesce(i.started_at, i.created_at),
       (SELECT count(*) FROM notes m WHERE m.interview_id = n.interview_id
         AND (coalesce(m.elapsed_ms, 0), m.id) <= (coalesce(n.elapsed_ms, 0), n.id)),
       '', k.start_pos, k.end_pos, c.name, path.name, k.coder, k.created_at,
       substr(n.text, k.start_pos + 1, k.end_pos - k.start_pos)
FROM codings k
JOIN notes n ON n.id = k.note_id
JOIN interviews i ON i.id = n.interview_id
JOIN participants p ON p.id = i.participant_id
JOIN codes c ON c.id = k.code_id
LEFT JOIN path ON path.id = c.theme_id
ORDER BY 2 COLLATE NOCASE, 4, 5, 7, 8, 9 COLLATE NOCASE
"""

# The home screen's codings counts as they were written before issue 16 (the
# codings table joined and scanned three times): the reference for
# `store.overview.load_overview`.
_CODINGS_JOINED = (
    "codings k LEFT JOIN transcripts t ON t.id = k.transcript_id LEFT JOIN notes n ON n.id = k.note_id "
    "LEFT JOIN interviews i ON i.id = n.interview_id "
    "LEFT JOIN participants p ON p.id = coalesce(t.participant_id, i.participant_id)"
)
_COUNTED = "(p.pilot = 0 AND coalesce(i.pilot, 0) = 0)"
REFERENCE_OVERVIEW_CODINGS_SQL = f"""
SELECT
  (SELECT count(DISTINCT k.transcript_id) FROM {_CODINGS_JOINED} WHERE k.transcript_id IS NOT NULL AND {_COUNTED})
    + (SELECT count(DISTINCT n.interview_id) FROM {_CODINGS_JOINED} WHERE k.note_id IS NOT NULL AND {_COUNTED})
    AS documents_coded,
  (SELECT count(*) FROM {_CODINGS_JOINED} WHERE {_COUNTED}) AS codings,
  (SELECT count(*) FROM {_CODINGS_JOINED} WHERE NOT {_COUNTED}) AS pilot_codings
"""
