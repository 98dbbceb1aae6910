"""`export by-question`: for each question of the guide, what each participant
said: their notes and, where assigned, their transcript turns. Plain Markdown
for a quick write-up or a check of coverage across interviews."""

from __future__ import annotations

from collections.abc import Iterator

from tacompanion.store.by_question import ByQuestion, answers_by_question
from tacompanion.store.study import Study


def _quote(text: str) -> str:
    return " ".join(text.split())


def by_question_markdown(study: Study, *, redact: bool = True, guide_id: int | None = None) -> str:
    """The Markdown for one guide (`guide_id`, else the study's default
    guide: see store.by_question); answers pass through the study's redaction
    list unless `redact` is False (the stored notes and transcripts never change).
    Everything is redacted: the guide's title, sections and questions too."""
    return by_question_document(answers_by_question(study, guide_id), study, redact=redact)


def by_question_document(data: ByQuestion, study: Study, *, redact: bool = True) -> str:
    return "".join(by_question_parts(data, study, redact=redact))


def by_question_parts(data: ByQuestion, study: Study, *, redact: bool = True) -> Iterator[str]:
    """by_question_document's text in parts, a question at a time (the
    answers of a large study run to tens of megabytes). Redacted as a whole,
    like the report: the guide's title, sections and questions can hold
    names too, not only the answers (core/redaction_pieces.py: the same
    text as redacting it in one piece)."""
    if data.guide is None:
        return iter(["# Answers by question\n\nNo interview guide in this study yet.\n"])
    if not redact:
        return _trimmed(_markdown(data))
    from tacompanion.formats.redacted import study_redactor

    return study_redactor(study).stream(_trimmed(_markdown(data)))


def _trimmed(parts: Iterator[str]) -> Iterator[str]:
    """The parts of a text, without white space at its end, ending in one
    line break (as text.rstrip() + "\n")."""
    held = ""
    for part in parts:
        body = part.rstrip()
        if body:
            yield held + body
            held = part[len(body):]
        else:
            held += part
    yield "\n"


def _markdown(data: ByQuestion) -> Iterator[str]:
    """The lines, joined by line breaks, a question at a time."""
    guide = data.guide
    out = [f"# Answers by question: {guide.title}", ""]
    answered = sum(1 for q in guide.questions if any(data.count(q.id, p) for p in data.participants))
    others = len(data.guides) - 1
    scope = (
        f" Only interviews and transcripts that followed this guide are included (the study has "
        f"{others} other guide{'' if others == 1 else 's'})." if others else ""
    )
    version = f"Guide version {guide.version}. " if guide.version else ""
    out.append(
        f"{version}{len(data.participants)} participant{'' if len(data.participants) == 1 else 's'} "
        f"(pilots left out); {answered} of "
        f"{len(guide.questions)} questions have answers. Notes are the interviewer's notes; "
        f"turns are transcript turns assigned to the question by time or by hand.{scope}"
    )
    yield "\n".join(out)
    for section in guide.sections:
        yield f"\n\n## {section.title}"
        for q in section.questions:
            out = ["", f"### Q{q.number}. {q.text}", ""]
            any_answer = False
            for p in data.participants:
                answers = data.cells.get((q.id, p), [])
                if not answers:
                    continue
                any_answer = True
                out.append(f"**{p}**")
                out.append("")
                for a in answers:
                    source = a.label
                    out.append(f"- {_quote(a.text)} _({source})_")
                out.append("")
            if not any_answer:
                out += ["_No answers yet._", ""]
            missing = [p for p in data.participants if not data.count(q.id, p)]
            if missing and any_answer:
                out += [f"_Nothing yet from: {', '.join(missing)}._", ""]
            yield "\n" + "\n".join(out)
