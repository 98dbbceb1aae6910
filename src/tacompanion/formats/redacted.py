"""The study's redaction list, ready for an export's long texts."""

from __future__ import annotations

from tacompanion.core.redaction_pieces import PiecewiseRedactor
from tacompanion.store.study import Study


def study_redactor(study: Study) -> PiecewiseRedactor:
    """The study's list as store.redactions.redactor gives it (the same
    results), redacting a long text a line at a time (core/redaction_pieces.py):
    a report, the answers by question, a transcript in a .qdpx."""
    from tacompanion.store.redactions import list_redactions

    return PiecewiseRedactor((r.find, r.replacement) for r in list_redactions(study))
