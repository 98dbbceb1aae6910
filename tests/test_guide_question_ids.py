"""question_ids reads a guide in its plain form without Markdown's parser
(issue 16: `stats` only needs the questions' ids); it must give exactly the
ids parse_guide gives, or the same GuideError, whatever the text."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from tacompanion.core.guide import GuideError
from tacompanion.core.guide_parser import _plain_outline, parse_guide, question_ids

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402


def full_ids(text: str) -> tuple[str, ...] | None:
    try:
        return tuple(q.id for q in parse_guide(text).questions)
    except GuideError:
        return None


def fast_ids(text: str) -> tuple[str, ...] | None:
    try:
        return question_ids(text)
    except GuideError:
        return None


SHIPPED = sorted((REPO / "guides").glob("*.md")) + sorted((REPO / "src" / "tacompanion" / "data" / "guides").glob("*.md"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_shipped_guides_are_read_in_their_plain_form(path):
    text = path.read_text(encoding="utf-8")
    assert _plain_outline(text) is not None  # the fast way is taken
    assert question_ids(text) == full_ids(text) and len(question_ids(text)) > 5


def test_generated_guides_are_read_in_their_plain_form(tmp_path):
    for questions in (1, 7, 60, 120):
        path = tmp_path / f"g{questions}.md"
        synth.write_guide(path, questions=questions)
        text = path.read_text(encoding="utf-8")
        assert _plain_outline(text) is not None
        assert question_ids(text) == full_ids(text) and len(question_ids(text)) == questions


HEAD = ["---", "version: 1", "duration: 40", "language: en", "colour: red", "duration: x", "---", "", ""]
LINES = [
    "", "", "", "# A title", "# Another title", "#  Spaced title", "#No space", "## Warm-up", "## Warm-up [10 min]",
    "## warm-up", "## Close [0 min]", "## Close [ten min]", "## Odd [5 min] tail", "## Ends ##", "### Deeper",
    "## With *stress*", "## Link [5 min](x)", "Some opening words.", "More words, on a line", "Words  ",
    "> Note: a note.", "> [5 min]: /url", ">", "> - a list in a note", "---", "***", "===", "    code", "\tTabbed",
    "1. How was it?", "2. What happened then, and why?", "10. A tenth question", "1) Another kind",
    "1.  Two spaces", "1. *Stressed* question", "1. A `code` question", "1. A [link](x) question",
    "1. An &amp; entity", "1. Snake_case question", "1. A <b>bold</b> question", "1. Ends with a backslash\\",
    "1. Trailing space ", "1. 2. Nested at once", "1.", "- A bullet question", "- Another bullet question",
    "* A star question", "   - A probe?", "   - Another probe", "  - A short probe", "    - A deep probe",
    "   more of the question", "     more of the probe", "   1. An ordered probe", "   - ", "   -  Spaced probe",
    "  more text", "   > quoted", "Lazy text after", "   - A probe with *stress*", "   continued `code`",
    "1. Caf\u00e9 na\u00efve question \u2014 fine?", "1. Question\u00a0with a no-break space", "   ",
    "   - [x]: /url", "1. Question (with brackets) and 'quotes'?", "1. Mid a*b*c word", "1. Code a`b`c word",
]


def random_guide(rng: random.Random) -> str:
    lines: list[str] = []
    if rng.random() < 0.3:
        lines += [rng.choice(HEAD) if 0 < k < 3 and rng.random() < 0.2 else h
                  for k, h in enumerate(["---", "version: 1", "duration: 40", "---"])]
    if rng.random() < 0.97:
        lines.append("# A guide")
    for s in range(rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 3, 3])):
        name = rng.choice("AB") if rng.random() < 0.1 else str(s)  # now and then a duplicate
        lines += ["", f"## Section {name}" + rng.choice(["", " [5 min]"]), ""]
        for q in range(rng.choice([0, 1, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4])):
            lines.append(f"{q + 1}. Question number {q} of {s}?")
            for _ in range(rng.randint(0, 2)):
                lines.append("   - A probe")
            if rng.random() < 0.3:
                lines.append("")
        if rng.random() < 0.5:
            lines += ["", "> Note: a note", ""]
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):  # noise: any line, anywhere
        lines.insert(rng.randint(0, len(lines)), rng.choice(LINES))
    return "\n".join(lines) + rng.choice(["", "\n"])


EDGES = [
    # a link reference defined in a note makes '[5 min]' a link: the full
    # parser then reads both sections as 'A 5 min', a duplicate
    "# T\n\n> [5 min]: /url\n\n## A [5 min]\n\n1. Q\n\n## A 5 min\n\n1. Q2\n",
    "# T\n\n## A [5 min]\n\n1. Q\n\n## A 5 min\n\n1. Q2\n",
    "# T\n\n## A\n\n1. Q\n\n   more of it\n2. R\n",
    "# T\n\n## A\n\n1. Q\n   - P\n\n   - P2\n",
    "# T\n\n## A\n\n1. Mid a*b*c word\n2. Mid a_b_c word\n",
    "# T\n\n## A\n\n1. Q\n- R\n",
    "# T\n\n## A\n\n- Q\n  - P\n- R\n\n1. S\n",
    "# T\nText right after the title\n\n## A\n1. Q\n2. R\n   continued\n   - P\n     continued\n",
    "# T\n\n## A\n\nA paragraph\n2. Not a list\n",
    "# T\n\n## A\n\n1. Q\n\n> note\n\n2. R\n",
    "---\nversion: 2\n---\n# T\n\n## A [1 min]\n\n1. Q\n",
]


@pytest.mark.parametrize("text", EDGES)
def test_edge_cases_give_the_full_parsers_ids(text):
    assert fast_ids(text) == full_ids(text)


def test_on_any_text_the_ids_are_those_of_the_full_parser():
    rng = random.Random(16)
    fast = invalid = slow = 0
    for _ in range(4000):
        text = random_guide(rng)
        expected = full_ids(text)
        assert fast_ids(text) == expected, text
        if _plain_outline(text) is not None:
            fast += 1
            assert expected is not None, text
        invalid += expected is None
        slow += expected is not None and _plain_outline(text) is None
    assert fast > 800 and invalid > 600 and slow > 300  # each way, and the errors, were exercised


def test_stats_does_not_import_markdown_it_for_a_plain_guide(tmp_path):
    """The point of question_ids: the guide's 30 ms import is left out."""
    path = tmp_path / "g.md"
    synth.write_guide(path, questions=12)
    code = ("import sys; from tacompanion.core.guide_parser import question_ids; "
            f"ids = question_ids(open({str(path)!r}, encoding='utf-8').read()); "
            "print(len(ids), 'markdown_it' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["12", "False"]
