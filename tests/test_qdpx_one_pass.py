"""The .qdpx is read in one XML pass (issue 16): `bounded_xml.TreeParser`
checks as the separate checker did and builds the elements in the same
callbacks. It refuses every hostile construct the checker refuses, with the
checker's message; it builds what ElementTree builds; and the importer's
written-out loops and fast paths give what the general code gives."""

from __future__ import annotations

import gc
import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from tacompanion.core.qdpx import _has_astral, normalise_with_map, position_readings
from tacompanion.formats import bounded_xml, qdpx_import
from tacompanion.formats.bounded_xml import TreeParser, XmlRefused, check_xml, parse_xml
from tacompanion.formats.qdpx_import import QdpxError, import_qdpx, read_qdpx, stream_import
from tacompanion.store.study import Study
from tests import hostile_files as H
from tests.test_qdpx_stream import _guid, project_bytes, whole_and_streamed


def _qde(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("project.qde")


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)] or [b""]


def _refusal(parse, data: bytes, size: int, **limits) -> str:
    with pytest.raises(XmlRefused) as refused:
        parse(_chunks(data, size), **limits)
    return str(refused.value)


LIMITS = {"max_elements": 50, "max_depth": 20}  # so at most 250 attributes

HOSTILE = {
    "billion laughs": _qde(H.billion_laughs()),
    "external entity": _qde(H.external_entity()),
    "a bare DOCTYPE": b'<?xml version="1.0"?><!DOCTYPE Project><Project/>',
    "a DOCTYPE after a comment": b"<!-- hi --><!DOCTYPE Project SYSTEM 'x.dtd'><Project/>",
    "too many elements": b"<r>" + b"<c/>" * 60 + b"</r>",
    "too many attributes": b"<r>" + b'<c a="1" b="2" c="3" d="4" e="5" f="6"/>' * 45 + b"</r>",
    "namespace declarations count as attributes": (  # 251 with the two xmlns, 249 without
        b'<r xmlns="u" xmlns:p="v" a="1" b="2" c="3" d="4">' + b'<c a="1" b="2" c="3" d="4" e="5"/>' * 49
        + b"</r>"),
    "nested too deep": b"<a>" * 25 + b"</a>" * 25,
    "a tag longer than a mebibyte": b'<r><c ' + b'a="x" ' * 250_000 + b"/></r>",
    "a comment longer than a mebibyte": b"<r><!-- " + b"x" * 1_200_000 + b" --></r>",
    "a mismatched tag": b"<Project>\n  <Users>\n</Project>",
    "cut off in a tag": b'<Project name="x"><Users><User guid="1" na',
    "cut off between elements": b'<Project name="x"><Users>',
    "an undefined entity": b"<r>&nope;</r>",
    "an unknown encoding": b'<?xml version="1.0" encoding="uIf-8"?><r/>',
    "nothing at all": b"",
    "text after the root": b"<r/>trailing",
    "two roots": b"<r/><r/>",
    "a NUL byte": b"<r>\x00</r>",
}


@pytest.mark.parametrize("size", [1 << 20, 4096, 7])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_one_pass_parser_refuses_what_the_checker_refuses_with_its_message(name, size):
    data = HOSTILE[name]
    if size == 7 and len(data) > 100_000:
        size = 65_537  # the long ones in pieces that do not line up with the parser's slices
    expected = _refusal(check_xml, data, size, **LIMITS)
    assert _refusal(parse_xml, data, size, **LIMITS) == expected


def test_the_refusals_say_what_they_said_before():
    """The messages themselves (a refusal names the file and, for XML that
    is not well-formed, the line and column: the caller adds the file)."""
    said = {name: _refusal(parse_xml, data, 1 << 20, **LIMITS) for name, data in HOSTILE.items()}
    assert said["billion laughs"] == "it declares a DOCTYPE (which may define entities); refused for safety"
    assert said["external entity"] == said["billion laughs"] == said["a bare DOCTYPE"]
    assert said["too many elements"] == "more than 50 XML elements"
    assert said["too many attributes"] == said["namespace declarations count as attributes"] == \
        "more than 250 XML attributes"
    assert said["nested too deep"] == "XML elements nested more than 20 deep"
    assert said["a tag longer than a mebibyte"].startswith(
        "a single XML tag or comment longer than 1,048,576 bytes (at byte 0)")  # where <r> starts
    assert said["a mismatched tag"] == "not well-formed XML (line 3, column 3: mismatched tag)"
    assert said["cut off in a tag"].startswith("not well-formed XML (line 1, column ")
    assert said["an unknown encoding"].startswith("it declares an encoding that cannot be read")


def test_a_long_tag_is_refused_before_it_ends():
    """The parser refuses after reading about a mebibyte past the tag's start,
    never holding the whole tag: what it was fed when it refused is counted."""
    fed = []

    def chunks():
        yield b"<r><c "
        for _ in range(10_000):  # 60 MB if it were all read
            fed.append(1)
            yield b'a="x" ' * 1000
    with pytest.raises(XmlRefused, match="longer than 1,048,576 bytes"):
        parse_xml(chunks(), max_elements=10, max_depth=10)
    assert len(fed) < 200


def _shape(el: ET.Element) -> tuple:
    return (el.tag, sorted(el.attrib.items()), el.text, el.tail, [_shape(c) for c in el])


WELL_FORMED = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    "<!-- a comment before the root -->\n"
    '<Project xmlns="urn:QDA-XML:project:1.0" xmlns:x="urn:other" name="Tromsø &amp; Bergen" origin="t">\n'
    "  <?pi some instruction?>\n"
    '  <Users><User guid="{ABCDEF01-2345-6789-ABCD-EF0123456789}" name="Anna"/></Users>\n'
    "  <x:Extra>kept as ElementTree keeps it</x:Extra>\n"
    "  <Description>Text with &lt;markup&gt;, &#233;, a <![CDATA[<cdata> & section]]> and 😀 静か"
    "<!-- inside --> and after</Description>tail text\n"
    '  <Sources><TextSource guid="1" name="a"><PlainTextContent>line one\r\nline two\n'
    "</PlainTextContent></TextSource></Sources>\n"
    "</Project>\n"
).encode()


@pytest.mark.parametrize("size", [1 << 20, 3, 1])
def test_the_one_pass_parser_builds_what_elementtree_builds(size):
    got = parse_xml(_chunks(WELL_FORMED, size), max_elements=100, max_depth=10)
    assert _shape(got) == _shape(ET.fromstring(WELL_FORMED))


def test_a_prefixed_attribute_is_named_without_the_brace():
    got = parse_xml([b'<r xmlns:p="urn:p" p:a="1" b="2"><p:c/></r>'], max_elements=10, max_depth=10)
    assert got.attrib == {"urn:p}a": "1", "b": "2"} and got[0].tag == "{urn:p}c"


def test_watched_elements_come_in_document_order_down_to_the_depth_asked():
    parser = TreeParser(100, 10, watch_depth=2)
    parser.feed(b"<a><b><c/></b><d>text</d></a>")
    parser.feed(b"", True)
    assert [(event, el.tag, depth) for event, el, depth in parser.events] == [
        ("start", "a", 1), ("start", "b", 2), ("end", "b", 2), ("start", "d", 2), ("end", "d", 2), ("end", "a", 1)]
    assert parser.close().tag == "a" and parser.elements == 4


def _write(tmp_path, name: str, xml: str):
    path = tmp_path / name
    path.write_bytes(H.zip_bytes({"project.qde": xml}))
    return path


def test_an_unbound_prefix_is_refused_naming_the_file_the_line_and_the_column(tmp_path, study):
    """A prefix no xmlns declares: ElementTree refused it after the checker
    had passed the file; the one pass refuses it as any malformed XML."""
    path = _write(tmp_path, "prefix.qdpx", H.project_xml(H.code("c")).replace("</Project>", "\n <q:Extra/></Project>"))
    with pytest.raises(QdpxError) as refused:
        read_qdpx(path)
    assert str(refused.value) == (f"{path}: project.qde: not well-formed XML (line 2, column 2: unbound prefix); "
                                  "nothing was imported")
    with pytest.raises(QdpxError) as again:
        import_qdpx(study, path)
    assert str(again.value) == str(refused.value)
    assert study.scalar("SELECT count(*) FROM codes") == 0


@pytest.mark.parametrize("make,expected", [
    (H.billion_laughs, "project.qde: it declares a DOCTYPE"),
    (H.external_entity, "project.qde: it declares a DOCTYPE"),
    (lambda: H.zip_bytes({"project.qde": H.project_xml(H.code("c"))[:-30]}), "project.qde: not well-formed XML (line 1"),
])
def test_hostile_files_through_the_cli_get_one_message_and_leave_nothing(tmp_path, cli, make, expected):
    path = tmp_path / "hostile.qdpx"
    path.write_bytes(make())
    r = cli("--db", str(tmp_path / "s.db"), "import", str(path))
    assert r.returncode == 1 and r.stderr.startswith(f"tacompanion: error: {path}: {expected}")
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "s.db").exists()


# -- the written-out loops give what the general code gives ------------------------------------


def _odd_guids_project() -> bytes:
    """Selections and codings with GUIDs in braces and upper case (ATLAS.ti),
    with ids that are not GUIDs (the general code derives one), and without
    any; one coding without a code reference; one selection without positions."""
    text = "P1: one two three four five six seven eight nine ten.\n"
    sels = [
        ('guid="{ABCDEF01-2345-6789-ABCD-EF0123456789}"', 'guid="{ABCDEF01-2345-6789-ABCD-EF01234567AA}"',
         'guid="ABCDEF01-2345-6789-ABCD-EF01234567AB"'),
        ('guid="sel-7"', 'guid="coding 7"', 'guid=" coding 8 "'),
        ("", "", ""),
        ("", "", ""),  # alike: made unique with an ordinal
    ]
    body = []
    for n, (sel, first, second) in enumerate(sels):
        body.append(f'<PlainTextSelection {sel} startPosition="4" endPosition="{8 + n}" '
                    'creatingUser="00000000-0000-4000-8000-000000000009">'
                    f'<Coding {first}><CodeRef targetGUID="00000000-0000-4000-8000-000000000001"/></Coding>'
                    f'<Coding {second}><CodeRef targetGUID="00000000-0000-4000-8000-000000000002"/></Coding>'
                    "</PlainTextSelection>")
    body.append('<PlainTextSelection guid="00000000-0000-4000-8000-0000000000f1" startPosition="9" endPosition="12">'
                '<Coding guid="00000000-0000-4000-8000-0000000000f2"/></PlainTextSelection>')
    body.append('<PlainTextSelection guid="00000000-0000-4000-8000-0000000000f3" name="no positions"/>')
    source = (f'<Sources><TextSource guid="00000000-0000-4000-8000-00000000000a" name="s.txt">'
              f'<PlainTextContent>{text}</PlainTextContent>{"".join(body)}</TextSource></Sources>')
    codes = (H.code("one", "00000000-0000-4000-8000-000000000001")
             + H.code("two", "00000000-0000-4000-8000-000000000002"))
    users = '<Users><User guid="00000000-0000-4000-8000-000000000009" name="kim"/></Users>'
    xml = H.project_xml(codes, source).replace("<CodeBook>", users + "<CodeBook>")
    return H.zip_bytes({"project.qde": xml})


def test_odd_and_missing_guids_come_out_as_the_whole_read_gives_them(tmp_path, monkeypatch):
    path = tmp_path / "odd.qdpx"
    path.write_bytes(_odd_guids_project())
    (whole, expected), (streamed, got), coders = whole_and_streamed(path, tmp_path, monkeypatch)
    assert got == expected and streamed.problems == whole.problems and streamed.counts == whole.counts
    uuids = [r[1] for r in got["codings"]]
    assert uuids[0] == "abcdef01-2345-6789-abcd-ef01234567aa" and len(set(uuids)) == len(uuids) == 8
    assert "a coding without a code reference; not imported" in streamed.problems
    assert "source 's.txt': a selection without positions; not imported" in streamed.problems
    assert coders == {"kim"}


def test_a_repeated_selection_guid_is_refused_as_the_whole_read_refuses_it(tmp_path):
    # the last source's last selection repeats the first source's first selection's GUID
    qde = _qde(project_bytes(sources=3, codings=2)).replace(_guid(2, 2001).encode(), _guid(2, 0).encode())
    path = tmp_path / "dup.qdpx"
    path.write_bytes(H.zip_bytes({"project.qde": qde}))
    with pytest.raises(QdpxError) as whole:
        read_qdpx(path)
    with Study.open(tmp_path / "s.db") as s, pytest.raises(QdpxError) as streamed:
        import_qdpx(s, path)
    assert str(streamed.value) == str(whole.value) and "two selections share the GUID" in str(whole.value)


def test_no_crs_and_no_astral_characters_take_the_short_way_with_the_same_answer():
    for text in ("plain", "Tromsø, 静か", "a 😀 b", "", "line\r\nnext\rlast"):
        assert _has_astral(text) == any(ord(ch) > 0xFFFF for ch in text)
        nl = normalise_with_map(text)
        assert nl.text == text.replace("\r\n", "\n").replace("\r", "\n")
        assert list(nl.removed) == [i for i in range(len(text)) if text.startswith("\r\n", i)]
        assert ("utf16" in position_readings(text)) == _has_astral(text)
    assert not _has_astral("\ud800 a lone surrogate")  # counted as one unit, as before


# -- the cycle collector -----------------------------------------------------------------------


def test_the_collector_runs_less_often_only_while_a_project_is_imported(tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(project_bytes(sources=3, codings=2))
    before = gc.get_threshold()
    during = []
    with Study.open(tmp_path / "s.db") as s:
        stream_import(s, path, progress=lambda done, size: during.append(gc.get_threshold()))
    assert during and all(t[0] >= 50_000 and t[1:] == before[1:] for t in during)
    assert gc.get_threshold() == before
    # refused half-way: put back too
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(H.billion_laughs())
    with Study.open(tmp_path / "t.db") as s, pytest.raises(QdpxError):
        stream_import(s, bad)
    assert gc.get_threshold() == before


def test_a_collector_turned_off_stays_off(tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_bytes(project_bytes(sources=2, codings=2))
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        during = []
        with Study.open(tmp_path / "s.db") as s:
            stream_import(s, path, progress=lambda done, size: during.append(gc.get_threshold()[0]))
        assert during and set(during) == {0} and gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_the_importer_uses_the_one_pass_parser_not_a_second_checker(tmp_path, monkeypatch):
    """No second pass over the XML: the checker alone is never made."""
    made = []
    real = bounded_xml._Checker.__init__
    monkeypatch.setattr(bounded_xml._Checker, "__init__",
                        lambda self, *a, **k: made.append(type(self).__name__) or real(self, *a, **k))
    path = tmp_path / "p.qdpx"
    path.write_bytes(project_bytes(sources=2, codings=2))
    with Study.open(tmp_path / "s.db") as s:
        qdpx_import.import_qdpx(s, path)
    assert made == ["TreeParser"]
