"""`tacompanion merge PATH`: bring a co-coder's copy of the study, or a
REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, QualCoder..., into this study.

A study file is read through the same REFI-QDA model as a .qdpx (its export,
streamed to a private temporary file), so both are merged by one operation,
one source at a time: GUID first, then content (store/qdpx.py,
core/merge_match.py). The other study file is read from a private temporary
copy, so it is never changed (not even upgraded).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from tacompanion.core.qdpx import QProject

# The report lives beside the import's (qdpx_import.summary_lines uses it too):
# one module that both import, instead of two that import each other.
from tacompanion.formats.merge_report import NOT_MERGED_FROM_A_STUDY, merge_lines  # noqa: F401
from tacompanion.store.qdpx import ImportSummary
from tacompanion.store.study import Study, StudyError


class MergeError(Exception):
    """The other file cannot be read; the message names it."""


def merge_into(study: Study, path: str | os.PathLike, *, large: bool = False,
               progress: Callable[[int, int], None] | None = None) -> tuple[ImportSummary, str, QProject]:
    """Merge `path` (a .qdpx, or another study file) into `study` as it is
    read, in one transaction (formats/qdpx_import.stream_import): (report
    data, file kind, the project without its sources). Another study is
    first exported to a private temporary .qdpx, streamed (never the whole
    of it in memory), then read back within the larger limits."""
    from tacompanion.formats.qdpx_import import QdpxError, stream_import

    shown = str(path)
    p = Path(path)
    if not p.exists():
        raise MergeError(f"{shown}: no such file")
    if p.is_dir():
        raise MergeError(f"{shown}: is a folder; merge a study file or a .qdpx project")
    if p.resolve() == Path(study.path).resolve():
        raise MergeError(f"{shown}: that is this study itself; merge another copy")
    try:
        if zipfile.is_zipfile(p):
            summary, project = stream_import(study, p, shown=shown, merge=True, large=large, progress=progress)
            return summary, "qdpx", project
        with open(p, "rb") as f:
            head = f.read(16)
    except QdpxError as exc:
        raise MergeError(str(exc)) from None
    except OSError as exc:
        raise MergeError(f"{shown}: cannot read it ({exc.strerror or exc})") from None
    if head != b"SQLite format 3\x00":
        raise MergeError(f"{shown}: neither a tacompanion study nor a REFI-QDA project (.qdpx)")
    with tempfile.TemporaryDirectory(prefix="tacompanion-merge-") as tmp:
        exported = _export_study(p, shown, Path(tmp))
        try:
            # Our own export of a study file: its size is the study's, not a hostile file's.
            summary, project = stream_import(study, exported, shown=shown, merge=True, large=True,
                                             progress=progress)
        except QdpxError as exc:  # pragma: no cover - our own export always reads back
            raise MergeError(str(exc)) from None
    return summary, "study", project


def _export_study(path: Path, shown: str, tmp: Path) -> Path:
    """Another study exported to a file in `tmp`, from a private copy of it
    (so that it is never changed, not even upgraded)."""
    from tacompanion.formats.qdpx_export import export_qdpx

    copy = tmp / "other.db"
    try:
        shutil.copyfile(path, copy)
        for suffix in ("-wal",):  # a study still open elsewhere keeps recent writes there
            if Path(f"{path}{suffix}").exists():
                shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
    except OSError as exc:
        raise MergeError(f"{shown}: cannot read it ({exc.strerror or exc})") from None
    out = tmp / "other.qdpx"
    try:
        with Study.open(copy, create=False) as other:
            export_qdpx(other, out)
    except StudyError as exc:
        raise MergeError(str(exc).replace(str(copy), shown)) from None
    return out


def merge_file(study: Study, path: str | os.PathLike) -> tuple[ImportSummary, str]:
    """Merge `path` into `study` in one transaction; (report data, file kind)."""
    summary, kind, project = merge_into(study, path)
    from tacompanion.formats.qdpx_media import media_not_merged

    summary.problems.extend(media_not_merged(project))
    return summary, kind
