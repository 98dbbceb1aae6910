"""Parse an interview guide written in Markdown (the format in guides/README.markdown).

The format is a public contract. The parser reports every problem it finds,
each with its 1-based line, instead of stopping at the first, so that a
researcher fixes a guide in one pass.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from slugify import slugify

if TYPE_CHECKING:
    from markdown_it.token import Token

from tacompanion.core.guide import (
    Guide,
    GuideError,
    GuideIssue,
    Probe,
    Question,
    Section,
    text_hash,
)

FRONT_MATTER_KEYS = ("version", "duration", "language")
_SLUG_CHARS = 32


def decode_guide(data: bytes) -> str:
    """UTF-8 (with or without BOM) to text with LF line ends.

    Raises GuideError naming the line of the first byte that is not UTF-8.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise GuideError(
            [
                GuideIssue(
                    line,
                    f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                    "save the guide as UTF-8",
                )
            ]
        ) from None
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_guide_bytes(data: bytes) -> Guide:
    return parse_guide(decode_guide(data))


def parse_guide(text: str) -> Guide:
    """Parse guide text (LF line ends) into a Guide, or raise GuideError."""
    return _parse(normalise_newlines(text.removeprefix("\ufeff")))


@lru_cache(maxsize=16)
def _parse(text: str) -> Guide:
    # A Guide is immutable (frozen dataclasses, tuples): starting an interview
    # reads the same guide text three times (check, store, screen), and each
    # parse costs a Markdown pass.
    return _GuideParser(text).parse()


class _GuideParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.issues: list[GuideIssue] = []
        self.meta: dict[str, str | int] = {}
        self.title: str | None = None
        self.opening: list[str] = []
        self.sections: list[dict] = []
        self.question_count = 0

    def error(self, line: int, message: str) -> None:
        self.issues.append(GuideIssue(line, message))

    # -- front matter -------------------------------------------------------

    def front_matter(self) -> str:
        """Read the front matter; return the body with its lines blanked out,
        so that line numbers from the Markdown parser stay true."""
        if not self.lines or self.lines[0].rstrip() != "---":
            return self.text
        end = next(
            (i for i in range(1, len(self.lines)) if self.lines[i].rstrip() == "---"),
            None,
        )
        if end is None:
            self.error(1, "front matter is opened with '---' but never closed")
            return ""
        for index in range(1, end):
            self.front_matter_line(index + 1, self.lines[index])
        return "\n" * (end + 1) + "\n".join(self.lines[end + 1 :])

    def front_matter_line(self, line: int, raw: str) -> None:
        if not raw.strip():
            return
        key, sep, value = raw.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            self.error(line, f"front matter line is not 'key: value': {raw.strip()!r}")
            return
        if key not in FRONT_MATTER_KEYS:
            known = ", ".join(FRONT_MATTER_KEYS)
            self.error(line, f"unknown front matter key {key!r} (known keys: {known})")
            return
        if key in self.meta:
            self.error(line, f"front matter key {key!r} is given twice")
            return
        if not value:
            self.error(line, f"front matter key {key!r} has no value")
            return
        if key == "duration":
            if not value.isdigit() or int(value) <= 0:
                self.error(
                    line, f"duration must be a whole number of minutes above 0, not {value!r}"
                )
                return
            self.meta[key] = int(value)
        else:
            self.meta[key] = value

    # -- body ---------------------------------------------------------------

    def parse(self) -> Guide:
        from markdown_it import MarkdownIt  # imported here: 30 ms that question_ids mostly does without

        body = self.front_matter()
        tree = _tree(MarkdownIt("commonmark").parse(body))
        previous = None
        for node in tree.children:
            self.block(node, previous)
            previous = node
        if self.title is None and not any("title" in i.message for i in self.issues):
            self.error(1, "the guide has no title: add a level-1 heading ('# Title')")
        for section in self.sections:
            if not section["questions"]:
                self.error(
                    section["line"],
                    f"section {section['title']!r} has no questions "
                    "(write each question as a list item)",
                )
        if self.title is not None and not self.sections:
            self.error(1, "the guide has no sections: add a level-2 heading ('## Topic')")
        if self.issues:
            raise GuideError(sorted(self.issues))
        return self.build()

    def block(self, node: _Node, previous: _Node | None) -> None:
        line = _line(node)
        if node.type == "heading":
            self.heading(node, line)
        elif node.type in ("bullet_list", "ordered_list"):
            self.question_list(node, previous)
        elif node.type == "hr":
            return
        elif self.title is None:
            self.error(line, "text before the title: the guide must start with '# Title'")
        elif not self.sections:
            self.opening.append(_block_text(node))
        else:
            self.sections[-1]["notes"].append(_block_text(node))

    def heading(self, node: _Node, line: int) -> None:
        level = int(node.tag[1])
        text = _inline_text(node)
        if level == 1:
            if self.title is not None:
                self.error(line, "a second level-1 heading: a guide has exactly one title")
            elif self.sections:
                self.error(line, "the level-1 title must come before the first section")
            elif not text:
                self.error(line, "the title is empty")
            else:
                self.title = text
            return
        if level > 2:
            self.error(
                line,
                f"level-{level} heading {text!r}: only '#' (title) and '##' (sections) "
                "are allowed; write questions as list items",
            )
            return
        if self.title is None:
            self.error(line, "a section before the title: the guide must start with '# Title'")
        title, minutes = text, None
        planned = planned_time(text)
        if planned:
            title, value, written = planned
            if value.isdigit() and int(value) > 0:
                minutes = int(value)
            else:
                self.error(
                    line, f"planned time must be '[N min]' with a whole N above 0, not {written!r}"
                )
        if not title:
            self.error(line, "the section heading is empty")
            return
        for other in self.sections:
            if other["title"].casefold() == title.casefold():
                self.error(
                    line,
                    f"duplicate section title {title!r} (first at line {other['line']})",
                )
                return
        self.sections.append(
            {"title": title, "minutes": minutes, "line": line, "notes": [], "questions": []}
        )

    def question_list(self, node: _Node, previous: _Node | None) -> None:
        line = _line(node)
        if not self.sections:
            self.error(line, "a list item before the first section: questions go under a '## Section'")
            return
        source = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        if (
            previous is not None
            and previous.type in ("bullet_list", "ordered_list")
            and source[:1] in (" ", "\t")
        ):
            self.error(
                line,
                "this item is indented but not far enough to be a probe of the question "
                "above: indent probes to where the question's text starts",
            )
            return
        for item in node.children:
            question = self.list_item(item, "question")
            if question is not None:
                self.sections[-1]["questions"].append(question)

    def list_item(self, item: _Node, kind: str) -> dict | None:
        line = _line(item)
        texts: list[str] = []
        probes: list[dict] = []
        for child in item.children:
            if child.type == "paragraph":
                texts.append(_inline_text(child))
            elif child.type in ("bullet_list", "ordered_list"):
                if kind == "probe":
                    self.error(
                        _line(child),
                        "list nested too deep: a question may have probes, "
                        "but probes cannot have sub-items",
                    )
                    continue
                for sub in child.children:
                    probe = self.list_item(sub, "probe")
                    if probe is not None:
                        probes.append(probe)
            else:
                self.error(
                    _line(child),
                    f"a {kind} may hold only text"
                    + (" and a nested list of probes" if kind == "question" else ""),
                )
        text = " ".join(t for t in texts if t)
        if not text:
            self.error(line, f"empty {kind}: a list item needs text")
            return None
        return {"text": text, "line": line, "probes": probes}

    # -- build --------------------------------------------------------------

    def build(self) -> Guide:
        sections = []
        number = 0
        for index, raw in enumerate(self.sections):
            section_id = f"s{index + 1}-{_slug(raw['title'])}"
            questions = []
            for position, q in enumerate(raw["questions"], start=1):
                number += 1
                question_id = f"s{index + 1}.q{position}-{_slug(q['text'])}"
                probes = tuple(
                    Probe(
                        id=f"s{index + 1}.q{position}.p{n}-{_slug(p['text'])}",
                        number=n,
                        text=p["text"],
                        line=p["line"],
                    )
                    for n, p in enumerate(q["probes"], start=1)
                )
                questions.append(
                    Question(
                        id=question_id,
                        number=number,
                        section_index=index,
                        position=position,
                        text=q["text"],
                        line=q["line"],
                        probes=probes,
                    )
                )
            sections.append(
                Section(
                    id=section_id,
                    index=index,
                    title=raw["title"],
                    minutes=raw["minutes"],
                    line=raw["line"],
                    notes=tuple(raw["notes"]),
                    questions=tuple(questions),
                )
            )
        return Guide(
            title=self.title or "",
            sections=tuple(sections),
            opening=tuple(self.opening),
            version=self.meta.get("version"),  # type: ignore[arg-type]
            duration=self.meta.get("duration"),  # type: ignore[arg-type]
            language=self.meta.get("language"),  # type: ignore[arg-type]
            source_hash=text_hash(self.text),
        )


def question_ids(text: str) -> tuple[str, ...]:
    """The ids of a guide's questions, in order: `[q.id for q in
    parse_guide(text).questions]`, or GuideError where parse_guide raises it.

    For what `stats` needs of a stored guide. A guide written in the plain
    form of the format (the shipped and generated guides are) is read line by
    line, without Markdown's parser and its import; anything else in it, and
    anything the full parser would find wrong, goes to parse_guide."""
    text = normalise_newlines(text.removeprefix("\ufeff"))
    outline = _plain_outline(text)
    if outline is None:
        return tuple(q.id for q in parse_guide(text).questions)
    return tuple(
        f"s{index}.q{position}-{_slug(question)}"
        for index, questions in enumerate(outline, start=1)
        for position, question in enumerate(questions, start=1)
    )


# The plain form, where CommonMark can read each line only one way: '# '
# and '## ' headings of plain text (a section's may end in ' [N min]');
# paragraphs whose every line starts with a letter; blockquotes ('>' lines,
# no link reference definition in them) followed by a blank line; questions
# as '1. ' (or '- ') items at the left edge with plain text, all of one kind
# in a list, continued on lines indented to the text, each with probes as
# '- ' items indented to the text, their
# own lines continued the same way. Plain text starts with a letter and holds
# only letters, digits, spaces and punctuation that no inline rule reads
# (nothing of emphasis, code, links, entities, escapes or HTML). No tabs, no
# trailing spaces, no line indented otherwise, no other block; a blank line
# after each paragraph and blockquote. The rest goes to the full parser.
_PLAIN = re.compile(r"(?:[^\W_]|[ .,;:?!'\"()\-\u2013\u2014/%+=@$\u2018\u2019\u201c\u201d\u2026\u00ab\u00bb\u00bf\u00a1])*")
_PLANNED = re.compile(r" \[\d{1,6} min\]$")
_ITEM = re.compile(r"(?:\d{1,9}\.|-) ")


def _plain_text(line: str, start: int) -> bool:
    """Whether line[start:] is plain text (see above)."""
    return (start < len(line) and line[start].isalpha() and not line[-1].isspace()
            and _PLAIN.fullmatch(line, start) is not None)


def _plain_outline(text: str) -> list[list[str]] | None:
    """Each section's questions' texts, read as the plain form; None when the
    text is not all in that form, or the full parser would find a problem."""
    reader = _GuideParser(text)
    body = reader.front_matter()
    if reader.issues:
        return None
    lines = body.split("\n")
    title = False
    sections: list[list[str]] = []
    section_titles: set[str] = set()
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line:
            i += 1
        elif line.startswith("# "):
            if title or sections or not _plain_text(line, 2):
                return None
            title = True
            i += 1
        elif line.startswith("## "):
            planned = _PLANNED.search(line)
            if not title or not _plain_text(line[: planned.start()] if planned else line, 3):
                return None
            name = " ".join(line[3 : planned.start() if planned else len(line)].split())
            if planned and int(planned.group()[2:-5]) == 0:  # '[0 min]' is refused
                return None
            if name.casefold() in section_titles:
                return None
            section_titles.add(name.casefold())
            sections.append([])
            i += 1
        elif line[0].isalpha():  # a paragraph: until a blank line
            if not title:
                return None
            while i < n and lines[i]:
                if not lines[i][0].isalpha():
                    return None
                i += 1
        elif line[0] == ">":  # a blockquote (a note): until a blank line
            if not title:
                return None
            while i < n and lines[i]:
                if lines[i][0] != ">" or "]:" in lines[i]:
                    return None
                i += 1
        elif _ITEM.match(line) is not None and sections:
            i = _plain_question_list(lines, i, sections[-1])
            if i < 0:
                return None
        else:
            return None
    if not title or not sections or not all(sections):
        return None
    return sections


def _plain_question_list(lines: list[str], i: int, questions: list[str]) -> int:
    """Read the list of questions starting at line i into `questions`; the
    line after it, or -1 when it is not in the plain form."""
    n = len(lines)
    kind = lines[i][0] == "-"
    while i < n:
        item = _ITEM.match(lines[i])
        if item is None:
            return i  # after a blank line (below): the list has ended
        if (lines[i][0] == "-") != kind:
            return -1  # another kind of list
        indent = item.end()
        if not _plain_text(lines[i], indent):
            return -1
        parts = [lines[i][indent:]]
        probe = " " * indent + "- "
        in_probe = False
        i += 1
        while i < n and lines[i] and _ITEM.match(lines[i]) is None:
            line = lines[i]
            if line.startswith(probe):
                if not _plain_text(line, indent + 2):
                    return -1
                in_probe = True
            elif in_probe:  # the probe's text goes on, indented to it
                if not line.startswith(" " * (indent + 2)) or not _plain_text(line, indent + 2):
                    return -1
            else:  # the question's text goes on, indented to it
                if not line.startswith(" " * indent) or not _plain_text(line, indent):
                    return -1
                parts.append(line[indent:])
            i += 1
        questions.append(" ".join(" ".join(parts).split()))
        if i < n and not lines[i]:
            while i < n and not lines[i]:
                i += 1
            if i < n and lines[i][0] == " ":
                return -1  # indented after a blank line: more of the item, or code
    return i


def planned_time(heading: str) -> tuple[str, str, str] | None:
    """A section heading's planned time, `## Topic [10 min]`: (the title
    before it, what stands before 'min', the bracket as written), or None.

    What the regular expression r"\\s*\\[\\s*([^\\]]*?)\\s*min\\s*\\]\\s*$" (case
    ignored) would find, in one pass: that expression, searched, tried every
    '[' to the end of the heading, which took 66 s for 60,000 of them."""
    end = len(heading.rstrip())
    if end == 0 or heading[end - 1] != "]":
        return None
    close = end - 1
    # the bracket cannot hold ']', so it opens after the previous ']', at the first '['
    open_ = heading.find("[", heading.rfind("]", 0, close) + 1, close)
    if open_ < 0:
        return None
    inside = heading[open_ + 1 : close].rstrip()
    if not inside[-3:].lower() == "min" or len(inside) < 3:
        return None
    return heading[:open_].strip(), inside[:-3].strip(), heading[open_:end].strip()


class _Node:
    """A block of the Markdown syntax tree: what markdown-it's SyntaxTreeNode
    gives, built in one pass without recursion (SyntaxTreeNode recurses once
    per level of inline nesting: 1 KB of nested `**` exhausted the stack)."""

    __slots__ = ("type", "tag", "map", "content", "children", "token")

    def __init__(self, token: Token | None) -> None:
        self.token = token
        self.type = "root" if token is None else token.type.removesuffix("_open")
        self.tag = token.tag if token is not None else ""
        self.map = token.map if token is not None else None
        self.content = token.content if token is not None else ""
        self.children: list[_Node] = []


def _tree(tokens: list[Token]) -> _Node:
    root = _Node(None)
    stack = [root]
    for token in tokens:
        if token.nesting == 1:
            node = _Node(token)
            stack[-1].children.append(node)
            stack.append(node)
        elif token.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].children.append(_Node(token))
    return root


def _line(node: _Node) -> int:
    return (node.map[0] + 1) if node.map else 1


def _slug(text: str) -> str:
    return slugify(text, max_length=_SLUG_CHARS, word_boundary=True) or "item"


def _inline_text(node: _Node) -> str:
    """Plain text of a block's inline content, with line wraps joined. The
    inline tokens are a flat list (nesting is marked by open and close
    tokens), walked with an explicit stack: images carry their alt text as
    children of their own."""
    parts: list[str] = []
    stack: list[Token] = []
    for child in reversed(node.children):
        if child.token is not None:
            stack.append(child.token)
    while stack:
        token = stack.pop()
        if token.type in ("text", "code_inline", "html_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        if token.children:
            stack.extend(reversed(token.children))
    return " ".join("".join(parts).split())


def _block_text(node: _Node) -> str:
    """Text of a paragraph, blockquote, code or HTML block, paragraphs kept
    apart. Recursion here is bounded: markdown-it nests blocks at most
    `maxNesting` (20) deep."""
    if node.type == "paragraph" or node.type == "heading":
        return _inline_text(node)
    if node.type in ("fence", "code_block", "html_block"):
        return node.content.strip()
    return "\n\n".join(t for t in (_block_text(c) for c in node.children) if t)
