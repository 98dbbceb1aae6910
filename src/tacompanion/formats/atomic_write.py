"""Writing an export file so that a reader never sees half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def write_text_atomically(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write `text` to a temporary file beside `path`, flush it to disk, then
    rename it over `path`: the file is either the old one or the whole new one.
    Line ends are written as given (CSV brings its own CRLF)."""
    return write_bytes_atomically(path, text.encode(encoding))


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, flushed to disk, then
    renamed over it (a .qdpx zip, or encoded text)."""
    with atomic_output(path) as handle:
        handle.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file to write an export to piece by piece: a temporary file
    beside `path`, flushed to disk and renamed over it when the block ends
    without an error (removed otherwise), so a reader never sees half of it
    and the export never has to be held whole in memory."""
    if Path(path).is_dir():
        raise IsADirectoryError(f"{path}: is a folder")
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(temp, target.stat().st_mode & 0o777)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
