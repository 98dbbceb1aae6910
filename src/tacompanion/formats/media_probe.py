"""What the study remembers about a recording, read without decoding it.

A recording is never copied or changed: only read. Its size, a content hash
and, where a container header gives it, its duration:

- WAV: the standard library's `wave` (frames / rate);
- FLAC: STREAMINFO (total samples / sample rate);
- OGG (Vorbis, Opus): the last page's granule position (Opus: 48 kHz less the
  pre-skip; Vorbis: the rate in its identification header);
- MP4 / M4A / MOV: the `mvhd` box (duration / timescale);
- MP3: a Xing/Info or VBRI header's frame count, else an estimate from the
  first frame's bit rate (constant bit rate).

Anything else: the duration is unknown, and said so.

The hash is sha256 of the whole file read in 1 MiB chunks; above
`FULL_HASH_LIMIT` bytes it is sha256 of the size plus the first and last MiB
(`sampled`), so that a two-hour video is not read whole at every check. The
method is stored with the hash, so a check repeats the same one.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
FULL_HASH_LIMIT = 256 * CHUNK

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wma", ".aif", ".aiff"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".wmv", ".mpg", ".mpeg"}


@dataclass(frozen=True)
class MediaFacts:
    size: int
    sha256: str
    hash_method: str  # "full" or "sampled"
    duration_ms: int | None
    format: str  # wav, mp3, mp4, ogg, flac, or the suffix
    kind: str  # audio / video


def media_kind(path: str | os.PathLike) -> str:
    return "video" if Path(path).suffix.lower() in VIDEO_SUFFIXES else "audio"


def content_hash(path: str | os.PathLike, method: str | None = None) -> tuple[str, str]:
    """(hex digest, method) of the file, read in chunks."""
    size = os.path.getsize(path)
    method = method or ("full" if size <= FULL_HASH_LIMIT else "sampled")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        if method == "full":
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        else:
            digest.update(str(size).encode())
            digest.update(f.read(CHUNK))
            if size > CHUNK:
                f.seek(max(CHUNK, size - CHUNK))
                digest.update(f.read(CHUNK))
    return digest.hexdigest(), method


def probe(path: str | os.PathLike) -> MediaFacts:
    """Size, hash and duration (None when the header does not give it).
    Raises OSError when the file cannot be read."""
    size = os.path.getsize(path)
    digest, method = content_hash(path)
    fmt, duration = read_duration(path)
    return MediaFacts(size, digest, method, duration, fmt, media_kind(path))


def read_duration(path: str | os.PathLike) -> tuple[str, int | None]:
    """(format, duration in ms or None)."""
    with open(path, "rb") as f:
        head = f.read(64)
        f.seek(0)
        try:
            if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
                return "wav", _wav(path)
            if head[:4] == b"fLaC":
                return "flac", _flac(f)
            if head[:4] == b"OggS":
                return "ogg", _ogg(f)
            if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
                return "mp4", _mp4(f)
            if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
                return "mp3", _mp3(f)
        except (struct.error, ValueError, EOFError, IndexError):
            pass
    return Path(path).suffix.lower().lstrip(".") or "unknown", None


def _wav(path) -> int | None:
    import wave

    try:
        with wave.open(str(path), "rb") as w:
            rate = w.getframerate()
            return round(w.getnframes() * 1000 / rate) if rate else None
    except (wave.Error, EOFError):
        return None


def _flac(f) -> int | None:
    f.seek(4)
    while True:
        header = f.read(4)
        if len(header) < 4:
            return None
        last, kind, length = header[0] & 0x80, header[0] & 0x7F, int.from_bytes(header[1:4], "big")
        if kind == 0:
            info = f.read(length)
            bits = int.from_bytes(info[10:18], "big")
            rate = bits >> 44
            total = bits & ((1 << 36) - 1)
            return round(total * 1000 / rate) if rate and total else None
        if last:
            return None
        f.seek(length, os.SEEK_CUR)


def _ogg(f) -> int | None:
    first = f.read(CHUNK)
    rate, pre_skip = None, 0
    if (i := first.find(b"OpusHead")) >= 0:
        rate = 48000
        pre_skip = struct.unpack_from("<H", first, i + 10)[0]
    elif (i := first.find(b"\x01vorbis")) >= 0:
        rate = struct.unpack_from("<I", first, i + 12)[0]
    elif (i := first.find(b"\x7fFLAC")) >= 0 and (j := first.find(b"fLaC", i)) >= 0:
        rate = int.from_bytes(first[j + 18:j + 21], "big") >> 4
    if not rate:
        return None
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(max(0, size - 65536))
    tail = f.read()
    at = tail.rfind(b"OggS")
    while at >= 0:
        granule = struct.unpack_from("<q", tail, at + 6)[0]
        if granule > 0:
            return round(max(0, granule - pre_skip) * 1000 / rate)
        at = tail.rfind(b"OggS", 0, at)
    return None


def _mp4(f) -> int | None:
    f.seek(0, os.SEEK_END)
    end = f.tell()
    return _mp4_boxes(f, 0, end, depth=0)


def _mp4_boxes(f, start: int, end: int, depth: int) -> int | None:
    at = start
    while at + 8 <= end:
        f.seek(at)
        size, kind = struct.unpack(">I4s", f.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", f.read(8))[0]
            header = 16
        elif size == 0:
            size = end - at
        if size < header:
            return None
        if kind == b"mvhd":
            body = f.read(min(size - header, 32))
            if body[0] == 1:
                timescale, duration = struct.unpack_from(">IQ", body, 20)
            else:
                timescale, duration = struct.unpack_from(">II", body, 12)
            return round(duration * 1000 / timescale) if timescale else None
        if kind == b"moov" and depth == 0:
            return _mp4_boxes(f, at + header, at + size, depth=1)
        at += size
    return None


_MP3_BITRATES = {  # kbit/s by (version 1?, layer 3) index
    True: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    False: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
_MP3_RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}


def _mp3(f) -> int | None:
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(0)
    start = 0
    head = f.read(10)
    if head[:3] == b"ID3":
        tag = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        start = 10 + tag + (10 if head[5] & 0x10 else 0)
    f.seek(start)
    data = f.read(CHUNK)
    i = 0
    while i + 4 <= len(data) and not (data[i] == 0xFF and data[i + 1] & 0xE0 == 0xE0):
        i += 1
    if i + 4 > len(data):
        return None
    b1, b2, b3 = data[i + 1], data[i + 2], data[i + 3]
    version = (b1 >> 3) & 3  # 3 = MPEG1, 2 = MPEG2, 0 = MPEG2.5
    if version == 1 or (b1 >> 1) & 3 != 1:  # reserved, or not layer III
        return None
    rate_index = (b2 >> 2) & 3
    bitrate = _MP3_BITRATES[version == 3][b2 >> 4] * 1000
    if rate_index == 3 or not bitrate:
        return None
    rate = _MP3_RATES[version][rate_index]
    samples = 1152 if version == 3 else 576
    mono = (b3 >> 6) == 3
    side = (17 if mono else 32) if version == 3 else (9 if mono else 17)
    frame = data[i:i + 2048]
    xing = frame[4 + side:4 + side + 4]
    if xing in (b"Xing", b"Info"):
        flags = struct.unpack_from(">I", frame, 4 + side + 4)[0]
        if flags & 1:
            frames = struct.unpack_from(">I", frame, 4 + side + 8)[0]
            return round(frames * samples * 1000 / rate)
    if frame[36:40] == b"VBRI":
        frames = struct.unpack_from(">I", frame, 36 + 14)[0]
        return round(frames * samples * 1000 / rate)
    audio = size - (start + i)
    if size >= 128:
        f.seek(size - 128)
        if f.read(3) == b"TAG":
            audio -= 128
    return round(audio * 8 * 1000 / bitrate)


# (path, size, mtime_ns) -> digest, so that playing the same file again in a
# session does not read it again; a changed mtime or size reads it afresh.
_checked: dict[tuple[str, int, int], str] = {}


def check_unchanged(path: str | os.PathLike, size: int, sha256: str, method: str) -> str | None:
    """None when the file is there with the size and hash stored; else what
    is wrong, in words naming the path."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"{path}: the recording is missing (moved or renamed?); nothing plays"
    except OSError as exc:
        return f"{path}: cannot read the recording ({exc.strerror or exc}); nothing plays"
    if st.st_size != size:
        return (f"{path}: the recording has changed since it was attached (size {st.st_size:,} bytes, "
                f"was {size:,}); nothing plays")
    key = (str(path), st.st_size, st.st_mtime_ns)
    try:
        digest = _checked.get(key) or content_hash(path, method)[0]
    except OSError as exc:
        return f"{path}: cannot read the recording ({exc.strerror or exc}); nothing plays"
    if digest != sha256:
        return f"{path}: the recording has changed since it was attached (its content hash differs); nothing plays"
    _checked[key] = digest
    return None
