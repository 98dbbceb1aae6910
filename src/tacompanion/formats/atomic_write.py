"""Writing an export file so that a reader never sees half of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text_atomically(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write `text` to a temporary file beside `path`, flush it to disk, then
    rename it over `path`: the file is either the old one or the whole new one.
    Line ends are written as given (CSV brings its own CRLF)."""
    return write_bytes_atomically(path, text.encode(encoding))


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, flushed to disk, then
    renamed over it (a .qdpx zip, or encoded text)."""
    if Path(path).is_dir():
        raise IsADirectoryError(f"{path}: is a folder")
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # Exports hold research data: private (0600, as mkstemp made it) unless
        # they replace a file whose permissions someone chose.
        with contextlib.suppress(OSError):
            os.chmod(temp, target.stat().st_mode & 0o777)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return target
