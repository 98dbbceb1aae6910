"""Reading zip archives (.qdpx projects, .docx transcripts) that may be hostile.

A zip says how many entries it holds and how large each one inflates to,
and it may lie. Before anything is inflated: the entry count comes from the
end-of-archive record (zipfile would otherwise build an object for every
entry first), and each entry's declared size and compression ratio are
checked. While inflating: entries are read in chunks and the bytes actually
produced are counted against the same limits, so a lying header costs at
most one chunk. Damaged entries (bad CRC, broken deflate data, encryption,
an unknown compression method) become one `ArchiveError`.

The limits are in docs/limits.md; change them there too.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

MiB = 1024 * 1024
CHUNK = MiB
_KNOWN_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
                  zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}


class ArchiveError(Exception):
    """What is wrong with the archive, without the file's name (the caller
    puts it in front)."""


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int  # entries in the archive
    max_entry_bytes: int  # one entry, inflated
    max_total_bytes: int  # all entries read, inflated
    max_ratio: int = 100  # inflated / compressed, for entries above ratio_floor
    ratio_floor: int = MiB  # a small entry may compress any amount
    max_directory_bytes: int = 4 * MiB  # the central directory itself


def _directory_facts(fp) -> tuple[int, int]:
    """(entry count, central directory size) from the end-of-archive record,
    without reading the directory. Zip64 records are followed."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_len = min(size, 22 + 65535)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise ArchiveError("not a zip archive (no end-of-archive record)")
    _, _, _, _, count, cd_size, _, _ = struct.unpack("<4sHHHHIIH", tail[at:at + 22])
    if count == 0xFFFF or cd_size == 0xFFFFFFFF:
        loc = at - 20
        if loc < 0 or tail[loc:loc + 4] != b"PK\x06\x07":
            raise ArchiveError("a damaged zip64 archive (no zip64 locator)")
        (z64_offset,) = struct.unpack("<Q", tail[loc + 8:loc + 16])
        fp.seek(z64_offset)
        record = fp.read(56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            raise ArchiveError("a damaged zip64 archive (no zip64 end record)")
        count, cd_size = struct.unpack("<QQ", record[32:48])
    return count, cd_size


class BoundedZip:
    """A zip archive read within `limits`. Use as a context manager."""

    def __init__(self, source: str | os.PathLike | IO[bytes], limits: ZipLimits) -> None:
        """`source`: a path, or a binary file object (bytes in memory)."""
        self.limits = limits
        self.read_total = 0
        self._fp = source if hasattr(source, "read") else open(source, "rb")  # noqa: SIM115 - closed by close()
        try:
            count, cd_size = _directory_facts(self._fp)
            if count > limits.max_entries:
                raise ArchiveError(f"{count:,} entries in the archive (at most {limits.max_entries:,})")
            if cd_size > limits.max_directory_bytes:
                raise ArchiveError(f"its table of contents is {cd_size:,} bytes "
                                   f"(at most {limits.max_directory_bytes:,})")
            self._fp.seek(0)
            try:
                self.z = zipfile.ZipFile(self._fp)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error) as exc:
                raise ArchiveError(f"not a readable zip archive ({exc})") from None
            except NotImplementedError as exc:  # "zip file version 24.3": made by a newer zip format
                raise ArchiveError(f"a zip archive this Python cannot read ({exc})") from None
            infos = self.z.infolist()
            if len(infos) > limits.max_entries:
                raise ArchiveError(f"{len(infos):,} entries in the archive (at most {limits.max_entries:,})")
        except BaseException:
            self._fp.close()
            raise

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.z.close()
        self._fp.close()

    def infolist(self) -> list[zipfile.ZipInfo]:
        return self.z.infolist()

    def namelist(self) -> list[str]:
        return self.z.namelist()

    def check_declared(self, info: zipfile.ZipInfo, cap: int | None = None) -> None:
        """Refuse an entry by what its header says, before inflating it."""
        name, cap = info.filename, min(cap or self.limits.max_entry_bytes, self.limits.max_entry_bytes)
        if info.flag_bits & 0x1:
            raise ArchiveError(f"{name} is encrypted (password-protected); it cannot be read")
        if info.compress_type not in _KNOWN_METHODS:
            raise ArchiveError(f"{name} uses an unknown compression method ({info.compress_type})")
        if info.file_size > cap:
            raise ArchiveError(f"{name} inflates to {info.file_size:,} bytes (at most {cap:,})")
        if (info.file_size > self.limits.ratio_floor
                and info.file_size > self.limits.max_ratio * max(info.compress_size, 1)):
            raise ArchiveError(
                f"{name} inflates {info.file_size // max(info.compress_size, 1):,} times "
                f"(at most {self.limits.max_ratio} times for an entry above {self.limits.ratio_floor:,} "
                "bytes): a zip bomb, or not a file made by a QDA tool")
        if self.read_total + info.file_size > self.limits.max_total_bytes:
            raise ArchiveError(f"the archive's entries inflate to more than {self.limits.max_total_bytes:,} "
                               "bytes in all")

    def chunks(self, name_or_info: str | zipfile.ZipInfo, cap: int | None = None) -> Iterator[bytes]:
        """The entry's bytes in chunks, counted against the limits as they come."""
        info = name_or_info if isinstance(name_or_info, zipfile.ZipInfo) else self.z.getinfo(name_or_info)
        self.check_declared(info, cap)
        name, cap = info.filename, min(cap or self.limits.max_entry_bytes, self.limits.max_entry_bytes)
        got = 0
        try:
            with self.z.open(info) as stream:
                while True:
                    chunk = stream.read(CHUNK)
                    if not chunk:
                        break
                    got += len(chunk)
                    self.read_total += len(chunk)
                    if got > cap:
                        raise ArchiveError(f"{name} inflates to more than {cap:,} bytes")
                    if self.read_total > self.limits.max_total_bytes:
                        raise ArchiveError(f"the archive's entries inflate to more than "
                                           f"{self.limits.max_total_bytes:,} bytes in all")
                    yield chunk
        except ArchiveError:
            raise
        except zipfile.BadZipFile as exc:
            raise ArchiveError(f"{name} is damaged ({exc})") from None
        except zlib.error as exc:
            raise ArchiveError(f"{name} is damaged (its compressed data is broken: {exc})") from None
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise ArchiveError(f"{name} cannot be read ({exc})") from None
        except NotImplementedError as exc:
            raise ArchiveError(f"{name} uses a compression method this Python cannot read ({exc})") from None
        except (EOFError, OSError, ValueError, struct.error) as exc:
            raise ArchiveError(f"{name} is damaged or truncated ({type(exc).__name__}: {exc})") from None
        except (ImportError, LookupError) as exc:  # bz2 / lzma missing from this Python
            raise ArchiveError(f"{name} cannot be read ({exc})") from None

    def read(self, name_or_info: str | zipfile.ZipInfo, cap: int | None = None) -> bytes:
        return b"".join(self.chunks(name_or_info, cap))

    def verify_all(self) -> None:
        """Inflate every entry once within the limits (checking sizes and
        CRCs), keeping nothing: for a reader (python-docx) that will read the
        archive itself afterwards, bounded by the sizes checked here."""
        for info in self.infolist():
            if info.is_dir():
                continue
            for _ in self.chunks(info):
                pass
