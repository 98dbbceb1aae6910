"""Parsing XML from files that may be hostile (a .qdpx's project.qde, the
parts of a .docx).

No DTD at all: a document that declares a DOCTYPE (and so could declare
entities, internal or external) is refused before any entity is read; no
QDA tool or word processor writes one. Elements and attributes are counted
and the depth measured while the bytes stream in, so a file with millions of
elements is refused after reading the first part past the limit, not after
building a tree of all of it. A streaming expat pass does the checking (C speed but for
one small callback per element); ElementTree builds the tree from the same
chunks. `TreeParser` does both in that one pass: its callbacks check and hand
each element to ElementTree's TreeBuilder (for a large .qdpx, where a second
pass over 100 MB of XML cost seconds).
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET
from xml.parsers import expat

MAX_MARKUP_BYTES = 1024 * 1024  # one tag, comment or instruction
_SLICE = 64 * 1024


class XmlRefused(Exception):
    """Why the XML is refused, without the file's name (the caller adds it)."""


class _Checker:
    def __init__(self, max_elements: int, max_depth: int, namespace_separator: str | None = None) -> None:
        self.max_elements, self.max_depth = max_elements, max_depth
        # attributes cost memory as elements do: at most five per element on average
        self.max_attributes = 5 * max_elements
        self.attributes = 0
        self.elements = 0
        self.depth = 0
        self.fed = 0
        self.last_event = 0
        p = expat.ParserCreate(namespace_separator=namespace_separator)
        p.buffer_text = True
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._entity
        p.ExternalEntityRefHandler = self._external
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._event
        p.CommentHandler = self._event
        p.ProcessingInstructionHandler = self._event
        p.StartCdataSectionHandler = self._event
        p.EndCdataSectionHandler = self._event
        self.parser = p

    def _event(self, *args) -> None:
        self.last_event = max(self.parser.CurrentByteIndex, self.last_event)

    def _doctype(self, *args) -> None:
        raise XmlRefused("it declares a DOCTYPE (which may define entities); refused for safety")

    def _entity(self, *args) -> None:
        raise XmlRefused("it declares entities; refused for safety")

    def _external(self, *args) -> int:
        raise XmlRefused("it refers to an external entity; refused for safety")

    def _start(self, name, attrs) -> None:
        # the events come in document order: the last one's byte is the latest
        # (one callback per element, so this is written out, not a call of _event)
        self.last_event = self.parser.CurrentByteIndex
        self.elements += 1
        self.depth += 1
        self.attributes += len(attrs)
        if self.elements > self.max_elements:
            raise XmlRefused(f"more than {self.max_elements:,} XML elements")
        if self.attributes > self.max_attributes:
            raise XmlRefused(f"more than {self.max_attributes:,} XML attributes")
        if self.depth > self.max_depth:
            raise XmlRefused(f"XML elements nested more than {self.max_depth:,} deep")

    def _end(self, name) -> None:
        self.last_event = self.parser.CurrentByteIndex
        self.depth -= 1

    def feed(self, chunk: bytes, final: bool = False) -> None:
        """Parse `chunk` in slices; between slices, refuse markup that has gone
        on too long. Expat holds an unfinished tag as bytes, and makes Python
        objects of its attributes only when the tag ends: a single tag of
        millions of attributes would cost gigabytes at that moment."""
        try:
            for at in range(0, len(chunk), _SLICE):
                piece = chunk[at : at + _SLICE]
                self.parser.Parse(piece, False)
                self.fed += len(piece)
                if self.fed - self.last_event > MAX_MARKUP_BYTES:
                    raise XmlRefused(f"a single XML tag or comment longer than {MAX_MARKUP_BYTES:,} bytes "
                                     f"(at byte {self.last_event:,})")
            if final:
                self.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise XmlRefused(
                f"not well-formed XML (line {exc.lineno}, column {exc.offset + 1}: "
                f"{expat.ErrorString(exc.code)})") from None
        except LookupError as exc:  # <?xml encoding="..."?> that Python does not know
            raise XmlRefused(f"it declares an encoding that cannot be read ({exc})") from None


XmlChecker = _Checker  # feed(chunk), then feed(b"", True): for a caller that parses as it streams


class TreeParser(_Checker):
    """Every check of `_Checker` (the same refusals, with the same messages)
    and the ElementTree elements, in one expat pass: each callback checks,
    then hands the element to ElementTree's TreeBuilder. feed(chunk), then
    feed(b"", True); `close()` gives the root.

    Tags are named as ElementTree names them ('{namespace}local'); a prefixed
    attribute's name is 'namespace}local' (nothing reads those). Namespace
    declarations count as attributes, as they do for the checker. With
    `watch_depth`, `events` collects ("start" | "end", element, depth) for
    the elements at most that deep, in document order, for the caller to
    take between chunks (an element is complete at its "end")."""

    def __init__(self, max_elements: int, max_depth: int, *, watch_depth: int = 0) -> None:
        super().__init__(max_elements, max_depth, namespace_separator="}")
        self.builder = ET.TreeBuilder()
        self.watch_depth = watch_depth
        self.events: list[tuple[str, ET.Element, int]] = []
        self._tags: dict[str, str] = {}
        p = self.parser
        p.StartElementHandler = self._start_element
        p.EndElementHandler = self._end_element
        p.CharacterDataHandler = self._data
        p.StartNamespaceDeclHandler = self._namespace

    def _namespace(self, prefix, uri) -> None:
        self.attributes += 1  # an xmlns attribute: counted before its element's check

    def _start_element(self, name: str, attrs: dict[str, str]) -> None:
        self._start(name, attrs)  # the checker's own checks, then the element
        tag = self._tags.get(name)
        if tag is None:
            tag = self._tags[name] = "{" + name if "}" in name else name
        element = self.builder.start(tag, attrs)
        if self.depth <= self.watch_depth:
            self.events.append(("start", element, self.depth))

    def _end_element(self, name: str) -> None:
        element = self.builder.end(self._tags[name])
        if self.depth <= self.watch_depth:
            self.events.append(("end", element, self.depth))
        self._end(name)

    def _data(self, text: str) -> None:
        self.last_event = max(self.parser.CurrentByteIndex, self.last_event)
        self.builder.data(text)

    def close(self) -> ET.Element:
        """The root, once the document was fed whole (feed(b"", True))."""
        return self.builder.close()


def check_xml(chunks: Iterable[bytes], *, max_elements: int, max_depth: int) -> int:
    """Stream `chunks` through the checks only (no tree); the element count."""
    checker = _Checker(max_elements, max_depth)
    for chunk in chunks:
        checker.feed(chunk)
    checker.feed(b"", True)
    return checker.elements


def parse_xml(chunks: Iterable[bytes], *, max_elements: int, max_depth: int) -> ET.Element:
    """The root of the document in `chunks`, or XmlRefused."""
    parser = TreeParser(max_elements, max_depth)
    for chunk in chunks:
        parser.feed(chunk)
    parser.feed(b"", True)
    return parser.close()
