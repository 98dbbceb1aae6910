"""Parse an interview guide written in Markdown (the format in guides/README.markdown).

The format is a public contract. The parser reports every problem it finds,
each with its 1-based line, instead of stopping at the first, so that a
researcher fixes a guide in one pass.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from slugify import slugify

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
_MINUTES = re.compile(r"\s*\[\s*([^\]]*?)\s*min\s*\]\s*$", re.IGNORECASE)
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
        body = self.front_matter()
        tree = SyntaxTreeNode(MarkdownIt("commonmark").parse(body))
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

    def block(self, node: SyntaxTreeNode, previous: SyntaxTreeNode | None) -> None:
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

    def heading(self, node: SyntaxTreeNode, line: int) -> None:
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
        match = _MINUTES.search(text)
        if match:
            title = text[: match.start()].strip()
            value = match.group(1)
            if value.isdigit() and int(value) > 0:
                minutes = int(value)
            else:
                self.error(
                    line, f"planned time must be '[N min]' with a whole N above 0, not {match.group(0).strip()!r}"
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

    def question_list(self, node: SyntaxTreeNode, previous: SyntaxTreeNode | None) -> None:
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

    def list_item(self, item: SyntaxTreeNode, kind: str) -> dict | None:
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


def _line(node: SyntaxTreeNode) -> int:
    return (node.map[0] + 1) if node.map else 1


def _slug(text: str) -> str:
    return slugify(text, max_length=_SLUG_CHARS, word_boundary=True) or "item"


def _inline_text(node: SyntaxTreeNode) -> str:
    """Plain text of a block's inline content, with line wraps joined."""
    parts: list[str] = []

    def walk(n: SyntaxTreeNode) -> None:
        if n.type in ("text", "code_inline", "html_inline"):
            parts.append(n.content)
        elif n.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        for child in n.children:
            walk(child)

    for child in node.children:
        walk(child)
    return " ".join("".join(parts).split())


def _block_text(node: SyntaxTreeNode) -> str:
    """Text of a paragraph, blockquote, code or HTML block, paragraphs kept apart."""
    if node.type == "paragraph" or node.type == "heading":
        return _inline_text(node)
    if node.type in ("fence", "code_block", "html_block"):
        return node.content.strip()
    return "\n\n".join(t for t in (_block_text(c) for c in node.children) if t)
