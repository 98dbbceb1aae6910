"""Writing an export file so that a reader never sees half of it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tacompanion.store.partial_files import partial_path, remove_stale_partials, sync_folder


def write_text_atomically(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write `text` to a temporary file beside `path`, flush it to disk, then
    rename it over `path`: the file is either the old one or the whole new one.
    Line ends are written as given (CSV brings its own CRLF)."""
    return write_bytes_atomically(path, text.encode(encoding))


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to a hidden `.NAME.partial-PID` beside `path`, flushed to
    disk, then renamed over it (a .qdpx zip, or encoded text). Partial files
    left there by a writer that was killed are removed first."""
    with atomic_output(path) as handle:
        handle.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file to write an export to piece by piece: a hidden
    `.NAME.partial-PID` beside `path`, flushed to disk and renamed over it
    when the block ends without an error (removed otherwise), so a reader
    never sees half of it and the export never has to be held whole in
    memory. Partial files left there by a writer that was killed are removed
    first."""
    if Path(path).is_dir():
        raise IsADirectoryError(f"{path}: is a folder")
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_partials(folder)
    temp = partial_path(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # Exports hold research data: private (0600, as it was made) unless
        # they replace a file whose permissions someone chose.
        with contextlib.suppress(OSError):
            os.chmod(temp, target.stat().st_mode & 0o777)
        os.replace(temp, target)
        sync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
