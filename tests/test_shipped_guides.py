"""The guides shipped in guides/ are valid and say what the study needs."""

from __future__ import annotations

from tacompanion.formats.guide_file import read_guide_file

from .conftest import GUIDES


def shipped():
    return sorted(p for p in GUIDES.glob("*.md") if p.name != "README.md")


def test_at_least_three_guides_all_valid():
    guides = shipped()
    assert len(guides) >= 3
    for path in guides:
        _, guide = read_guide_file(path)  # raises on any error
        assert guide.questions and guide.planned_minutes


def test_mbt_guide_asks_the_studys_questions():
    _, guide = read_guide_file(GUIDES / "mbt-avpd-therapists.md")
    questions = [q.text for q in guide.questions]
    for asked in (
        "Please tell me about the last therapy session you had with a patient with AvPD.",
        "Think about two different individual therapies or two groups: what comes to mind?",
        "What is it like to conduct MBT group therapy with patients with AvPD?",
    ):
        assert asked in questions
    probes = " ".join(p.text.lower() for q in guide.questions for p in q.probes)
    for topic in ("silen", "withdraw", "transparen", "group", "feel", "approach"):
        assert topic in probes, topic
    assert 50 <= guide.planned_minutes <= 60
    titles = " ".join(s.title.lower() for s in guide.sections)
    assert "warm" in titles and "clos" in titles
