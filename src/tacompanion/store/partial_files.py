"""The hidden `.NAME.partial-PID` files that backups and exports are written
to before they are renamed into place, and their clean-up.

A writer killed half-way (kill -9, a power cut) cannot remove its own partial
file; the next writer into the same folder removes the partial files whose
process is gone. A partial file of a process that still runs is left alone.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

# A partial file, or what SQLite left beside one (a writer killed between
# removing its partial file and its journal leaves the journal alone).
PARTIAL_RE = re.compile(r"^\.(?P<name>.+)\.partial-(?P<pid>\d+)(?P<companion>-journal|-wal|-shm)?$")


def partial_path(dest: Path) -> Path:
    """The partial file of this process for `dest`."""
    return dest.with_name(f".{dest.name}.partial-{os.getpid()}")


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the partial files in `folder` whose process is gone; returns them."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = PARTIAL_RE.match(entry.name)
        if not m or not entry.is_file() or _alive(int(m.group("pid"))):
            continue
        remove_partial(entry.with_name(entry.name.removesuffix(m.group("companion") or "")))
        removed.append(entry)
    return removed


def remove_partial(path: Path) -> None:
    """The partial file and what SQLite may have put beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a power cut after it keeps it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: leave its file alone
    except (OverflowError, ValueError):
        return False
    return True
