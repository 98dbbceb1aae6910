"""Parsing XML from files that may be hostile (a .qdpx's project.qde, the
parts of a .docx).

No DTD at all: a document that declares a DOCTYPE (and so could declare
entities, internal or external) is refused before any entity is read; no
QDA tool or word processor writes one. Elements are counted and their depth
measured while the bytes stream in, so a file with millions of elements is
refused after reading the first part past the limit, not after building a
tree of all of it. A streaming expat pass does the checking (C speed but for
one small callback per element); ElementTree builds the tree from the same
chunks.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET
from xml.parsers import expat


class XmlRefused(Exception):
    """Why the XML is refused, without the file's name (the caller adds it)."""


class _Checker:
    def __init__(self, max_elements: int, max_depth: int) -> None:
        self.max_elements, self.max_depth = max_elements, max_depth
        self.elements = 0
        self.depth = 0
        p = expat.ParserCreate()
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._entity
        p.ExternalEntityRefHandler = self._external
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        self.parser = p

    def _doctype(self, *args) -> None:
        raise XmlRefused("it declares a DOCTYPE (which may define entities); refused for safety")

    def _entity(self, *args) -> None:
        raise XmlRefused("it declares entities; refused for safety")

    def _external(self, *args) -> int:
        raise XmlRefused("it refers to an external entity; refused for safety")

    def _start(self, name, attrs) -> None:
        self.elements += 1
        self.depth += 1
        if self.elements > self.max_elements:
            raise XmlRefused(f"more than {self.max_elements:,} XML elements")
        if self.depth > self.max_depth:
            raise XmlRefused(f"XML elements nested more than {self.max_depth:,} deep")

    def _end(self, name) -> None:
        self.depth -= 1

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            raise XmlRefused(
                f"not well-formed XML (line {exc.lineno}, column {exc.offset + 1}: "
                f"{expat.ErrorString(exc.code)})") from None


def check_xml(chunks: Iterable[bytes], *, max_elements: int, max_depth: int) -> int:
    """Stream `chunks` through the checks only (no tree); the element count."""
    checker = _Checker(max_elements, max_depth)
    for chunk in chunks:
        checker.feed(chunk)
    checker.feed(b"", True)
    return checker.elements


def parse_xml(chunks: Iterable[bytes], *, max_elements: int, max_depth: int) -> ET.Element:
    """The root of the document in `chunks`, or XmlRefused."""
    checker = _Checker(max_elements, max_depth)
    builder = ET.XMLParser()
    try:
        for chunk in chunks:
            checker.feed(chunk)
            builder.feed(chunk)
        checker.feed(b"", True)
        return builder.close()
    except ET.ParseError as exc:  # the checker passed it: a rare disagreement
        raise XmlRefused(f"not well-formed XML ({exc})") from None
