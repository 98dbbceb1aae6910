"""`export by-question`: for each question of the guide, what each participant
said: their notes and, where assigned, their transcript turns. Plain Markdown
for a quick write-up or a check of coverage across interviews."""

from __future__ import annotations

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
    from tacompanion.formats.redacted import study_redactor as redactor

    clean = redactor(study) if redact else (lambda text: text)
    if data.guide is None:
        return "# Answers by question\n\nNo interview guide in this study yet.\n"
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
    for section in guide.sections:
        out += ["", f"## {section.title}"]
        for q in section.questions:
            out += ["", f"### Q{q.number}. {q.text}", ""]
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
    # Redacted as a whole, like the report: the guide's title, sections and
    # questions can hold names too, not only the answers.
    return clean("\n".join(line for line in out).rstrip() + "\n")
