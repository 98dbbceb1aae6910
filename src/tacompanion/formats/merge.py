"""`tacompanion merge PATH`: bring a co-coder's copy of the study, or a
REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, QualCoder..., into this study.

A study file is read through the same REFI-QDA model as a .qdpx (its export,
built in memory), so both are merged by one operation: GUID first, then
content (store/qdpx.py, core/merge_match.py). The other study file is read
from a private temporary copy, so it is never changed (not even upgraded).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from tacompanion.core.qdpx import QProject

# The report lives beside the import's (qdpx_import.summary_lines uses it too):
# one module that both import, instead of two that import each other.
from tacompanion.formats.merge_report import NOT_MERGED_FROM_A_STUDY, merge_lines  # noqa: F401
from tacompanion.store.qdpx import ImportSummary, import_project
from tacompanion.store.study import Study, StudyError


class MergeError(Exception):
    """The other file cannot be read; the message names it."""


def read_for_merge(path: str | os.PathLike, study: Study | None = None, *, large: bool = False) -> tuple[QProject, str]:
    """The project in `path` and what kind of file it was ("qdpx" or "study");
    `large`: a .qdpx beyond the usual limits (formats/qdpx_import.py)."""
    from tacompanion.formats.qdpx_import import QdpxError, read_qdpx

    shown = str(path)
    p = Path(path)
    if not p.exists():
        raise MergeError(f"{shown}: no such file")
    if p.is_dir():
        raise MergeError(f"{shown}: is a folder; merge a study file or a .qdpx project")
    if study is not None and p.resolve() == Path(study.path).resolve():
        raise MergeError(f"{shown}: that is this study itself; merge another copy")
    try:
        if zipfile.is_zipfile(p):
            return read_qdpx(p, large=large), "qdpx"
        with open(p, "rb") as f:
            head = f.read(16)
    except QdpxError as exc:
        raise MergeError(str(exc)) from None
    except OSError as exc:
        raise MergeError(f"{shown}: cannot read it ({exc.strerror or exc})") from None
    if head != b"SQLite format 3\x00":
        raise MergeError(f"{shown}: neither a tacompanion study nor a REFI-QDA project (.qdpx)")
    return _read_study(p, shown), "study"


def _read_study(path: Path, shown: str) -> QProject:
    from tacompanion.formats.qdpx_export import build_qdpx
    from tacompanion.formats.qdpx_import import QdpxError, read_qdpx

    with tempfile.TemporaryDirectory(prefix="tacompanion-merge-") as tmp:
        copy = Path(tmp) / "other.db"
        try:
            shutil.copyfile(path, copy)
            for suffix in ("-wal",):  # a study still open elsewhere keeps recent writes there
                if Path(f"{path}{suffix}").exists():
                    shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
        except OSError as exc:
            raise MergeError(f"{shown}: cannot read it ({exc.strerror or exc})") from None
        try:
            with Study.open(copy, create=False) as other:
                data = build_qdpx(other).data
        except StudyError as exc:
            raise MergeError(str(exc).replace(str(copy), shown)) from None
    try:
        # Our own export of a study file: its size is the study's, not a hostile file's.
        return read_qdpx(io.BytesIO(data), shown, large=True)
    except QdpxError as exc:  # pragma: no cover - our own export always reads back
        raise MergeError(str(exc)) from None


def merge_file(study: Study, path: str | os.PathLike) -> tuple[ImportSummary, str]:
    """Merge `path` into `study` in one transaction; (report data, file kind)."""
    project, kind = read_for_merge(path, study)
    summary = import_project(study, project, merge=True)
    from tacompanion.formats.qdpx_media import media_not_merged

    summary.problems.extend(media_not_merged(project))
    return summary, kind
