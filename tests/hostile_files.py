"""Hand-made hostile files for the hardening tests and the fuzz script
(bench/fuzz_inputs.py): zip bombs, lying and damaged zip entries, XML with
entities, code trees with cycles or thousands deep."""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
import zlib
from pathlib import Path

# Runs the CLI (`python -c MEMORY_WRAPPER ARGS...`) and prints `MAXRSS <MB>` on
# stderr at the end: the peak of the program's own memory (VmHWM; ru_maxrss
# would also count the parent's memory at the fork, which Linux carries over exec).
MEMORY_WRAPPER = """
import resource, sys
from tacompanion.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
try:
    hwm = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])
except (OSError, StopIteration):
    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print('MAXRSS', hwm // 1024, file=sys.stderr)
raise SystemExit(rc)
"""

DATA = Path(__file__).resolve().parent / "data"
REFI = DATA / "refi-qda"
NS = "urn:QDA-XML:project:1.0"


def zip_bytes(entries: dict[str, bytes | str], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in entries.items():
            z.writestr(name, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


def project_xml(codes: str = "", sources: str = "", extra: str = "") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="hostile">'
            f"<CodeBook><Codes>{codes}</Codes></CodeBook>{sources}{extra}</Project>")


def code(name: str, guid: str | None = None, children: str = "") -> str:
    return f'<Code guid="{guid or uuid.uuid4()}" name="{name}" isCodable="true">{children}</Code>'


def text_source(name: str, path: str, guid: str | None = None) -> str:
    return f'<Sources><TextSource guid="{guid or uuid.uuid4()}" name="{name}" plainTextPath="internal://{path}"/></Sources>'


def child_repeats_parent_guid() -> bytes:
    """ATLAS.ti's target project with one child code given its parent's GUID
    (the file that made `import` loop forever holding the write lock)."""
    with zipfile.ZipFile(REFI / "atlasti-23-target.qdpx") as z:
        xml = z.read("project.qde").decode("utf-8")
    parent = "A182CD3A-D83C-4D8C-BC80-26D9103EC6D6"
    start = xml.index("<Code ", xml.index(parent) + 1)  # the first child of that code
    g0 = xml.index('guid="', start) + 6
    xml = xml[:g0] + parent + xml[xml.index('"', g0):]
    return zip_bytes({"project.qde": xml})


def nested_codes(depth: int) -> bytes:
    inner = ""
    for n in reversed(range(depth)):
        inner = code(f"level {n}", children=inner)
    return zip_bytes({"project.qde": project_xml(inner)})


def many_codes(count: int) -> bytes:
    codes = "".join(f'<Code guid="{uuid.UUID(int=n + 1)}" name="c{n}" isCodable="true"/>' for n in range(count))
    return zip_bytes({"project.qde": project_xml(codes)})


def duplicate_code_guids() -> bytes:
    g = str(uuid.uuid4())
    return zip_bytes({"project.qde": project_xml(code("first", g) + code("second", g))})


def billion_laughs() -> bytes:
    lol = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
           + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
           + f']><Project xmlns="{NS}" name="&i;"/>')
    return zip_bytes({"project.qde": lol})


def external_entity() -> bytes:
    xml = (f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           f'<Project xmlns="{NS}" name="&x;"/>')
    return zip_bytes({"project.qde": xml})


def _deflated_zeros(size: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1 << 20)
    out = [z.compress(block) for _ in range(size >> 20)]
    out.append(z.flush())
    return b"".join(out)


def raw_zip(entries: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip written by hand: (name, stored data, method, crc, declared size,
    flags) per entry, so that headers can lie."""
    out = io.BytesIO()
    central = []
    for name, data, method, crc, size, flags in entries:
        offset = out.tell()
        n = name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(data), size,
                              len(n), 0) + n + data)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc,
                                   len(data), size, len(n), 0, 0, 0, 0, 0, offset) + n)
    cd_at = out.tell()
    cd = b"".join(central)
    out.write(cd)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), len(cd), cd_at, 0))
    return out.getvalue()


def source_bomb(inflated: int = 1 << 30, declared: int | None = None) -> bytes:
    """A project whose one source inflates to `inflated` bytes of zeros
    (1 GiB from about 1 MB), its header declaring `declared` (default: the
    truth)."""
    qde = project_xml(code("c"), text_source("bomb.txt", "bomb.txt")).encode()
    bomb = _deflated_zeros(inflated)
    crc = zlib.crc32(bytes(0))  # wrong on purpose when it is not read to the end
    return raw_zip([
        ("project.qde", qde, 0, zlib.crc32(qde), len(qde), 0),
        ("sources/bomb.txt", bomb, 8, crc, inflated if declared is None else declared, 0),
    ])


def qde_bomb(inflated: int = 1 << 30) -> bytes:
    """project.qde itself inflating to `inflated` bytes (zeros after a valid start)."""
    data = _deflated_zeros(inflated)
    return raw_zip([("project.qde", data, 8, 0, inflated, 0)])


def damaged_entry(kind: str) -> bytes:
    """A project whose source entry is damaged in one way: 'zlib' (broken
    deflate data), 'crc', 'encrypted', 'method' (unknown compression)."""
    qde = project_xml(code("c"), text_source("a.txt", "a.txt")).encode()
    text = b"P1: hello there\n" * 50
    good = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = good.compress(text) + good.flush()
    crc = zlib.crc32(text)
    entry = {
        "zlib": ("sources/a.txt", b"\xff\xff\xff\xff" + packed[4:], 8, crc, len(text), 0),
        "crc": ("sources/a.txt", packed, 8, crc ^ 0xFFFF, len(text), 0),
        "encrypted": ("sources/a.txt", packed, 8, crc, len(text), 1),
        "method": ("sources/a.txt", packed, 77, crc, len(text), 0),
    }[kind]
    return raw_zip([("project.qde", qde, 0, zlib.crc32(qde), len(qde), 0), entry])


def newer_zip_version() -> bytes:
    """A project whose table of contents says an entry needs zip version 24.3
    (found by the fuzz run: zipfile raises NotImplementedError on opening it)."""
    data = bytearray(damaged_entry("crc"))
    at = data.rfind(b"PK\x01\x02")  # the last entry in the table of contents
    data[at + 6:at + 8] = struct.pack("<H", 243)  # version needed to extract
    return bytes(data)


def too_many_entries(count: int = 20_000) -> bytes:
    entries = {"project.qde": project_xml(code("c"))}
    entries.update({f"sources/{n}.txt": b"" for n in range(count)})
    return zip_bytes(entries, method=zipfile.ZIP_STORED)


def docx_bomb(inflated: int = 1 << 30) -> bytes:
    """A .docx whose word/document.xml inflates to `inflated` bytes."""
    return raw_zip([
        ("[Content_Types].xml", b"<Types/>", 0, zlib.crc32(b"<Types/>"), 8, 0),
        ("word/document.xml", _deflated_zeros(inflated), 8, 0, inflated, 0),
    ])


def docx_with_doctype() -> bytes:
    xml = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "x">]><w:document xmlns:w="w">&a;</w:document>'
    return zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": xml})


HOSTILE_QDPX = {
    "child-repeats-parent-guid": child_repeats_parent_guid,
    "duplicate-code-guids": duplicate_code_guids,
    "billion-laughs": billion_laughs,
    "external-entity": external_entity,
    "source-bomb-1GiB": source_bomb,
    "source-bomb-lying-header": lambda: source_bomb(64 << 20, declared=1000),
    "qde-bomb-1GiB": qde_bomb,
    "zlib-error": lambda: damaged_entry("zlib"),
    "bad-crc": lambda: damaged_entry("crc"),
    "encrypted-entry": lambda: damaged_entry("encrypted"),
    "unknown-method": lambda: damaged_entry("method"),
    "20000-entries": too_many_entries,
    "300000-codes": lambda: many_codes(300_000),
}
