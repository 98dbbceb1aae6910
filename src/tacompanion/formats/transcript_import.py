"""Importing transcript files into a study: plan every file, then write.

Planning reads and parses every file, decides each one's participant and
checks for re-imports, all without writing; any problem refuses the whole
batch, so a typo in one of fifty files never leaves half a batch behind.
Writing then stores each file in a transaction of its own.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tacompanion.core.transcript import (
    ParsedTranscript,
    ParticipantQuestion,
    TranscriptError,
    choose_participant,
)
from tacompanion.formats.transcript_files import (
    EXTENSIONS,
    TranscriptFileError,
    read_transcript_file,
)
from tacompanion.store.study import Study, StudyError
from tacompanion.store.transcripts import ImportResult, check_import, import_transcript


@dataclass(frozen=True)
class PlannedImport:
    path: str  # as given: messages name the file this way
    parsed: ParsedTranscript
    participant: str
    replaces: int | None  # the transcript a --replace will replace

    @property
    def file_name(self) -> str:
        return Path(self.path).name


@dataclass
class ImportPlan:
    items: list[PlannedImport]
    errors: list[str]  # one printable line per refused file
    questions: dict[str, list[str]]  # path -> speakers, where the participant is unclear

    @property
    def ok(self) -> bool:
        return not self.errors


def expand_paths(args: Iterable[str]) -> list[str]:
    """Files named, globs expanded, and folders opened to their transcripts."""
    out: list[str] = []
    for arg in args:
        arg = os.path.expanduser(arg)
        matches = sorted(glob.glob(arg)) if glob.has_magic(arg) else [arg]
        if not matches:
            out.append(arg)  # reported later as "no such file"
        for m in matches:
            if os.path.isdir(m):
                found = sorted(
                    str(p) for p in Path(m).iterdir()
                    if p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith((".", "~$"))
                )
                if not found:
                    out.append(m)  # reported as a folder without transcripts
                out.extend(found)
            else:
                out.append(m)
    seen: dict[str, None] = {}
    for p in out:
        seen.setdefault(p, None)
    return list(seen)


def plan_import(
    study: Study,
    paths: Iterable[str],
    *,
    participant: str | None = None,
    interviewer: Iterable[str] = (),
    replace: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportPlan:
    labels = list(study.setting("interviewer_labels", []) or []) + list(interviewer)
    files = expand_paths(paths)
    items: list[PlannedImport] = []
    errors: list[str] = []
    questions: dict[str, list[str]] = {}
    taken: dict[tuple[str, str], str] = {}
    names: dict[tuple[str, str], str] = {}
    for n, path in enumerate(files):
        if progress:
            progress(n, len(files), path)
        if os.path.isdir(path):
            errors.append(f"{path}: a folder without any transcript files (.txt .md .docx .vtt .srt)")
            continue
        try:
            parsed = read_transcript_file(path).with_interviewer_labels(labels)
            who = choose_participant(parsed, Path(path).stem, participant)
            replaces = check_import(
                study, parsed, participant=who, file_name=Path(path).name, shown=path,
                replace=replace,
            )
        except TranscriptFileError as exc:
            errors.append(str(exc))
            continue
        except ParticipantQuestion as exc:
            errors.append(f"{path}: {exc.message}")
            questions[path] = exc.speakers
            continue
        except TranscriptError as exc:
            errors.append(f"{path}: {exc.message}")
            continue
        except StudyError as exc:
            message = str(exc)
            errors.append(message if message.startswith(path) else f"{path}: {message}")
            continue
        key = (who.casefold(), parsed.source_hash)
        if key in taken:
            errors.append(f"{path}: the same file as {taken[key]} (both for {who})")
            continue
        same_name = (who.casefold(), Path(path).name)
        if same_name in names:
            errors.append(f"{path}: another file named {Path(path).name} for {who} in this batch ({names[same_name]})")
            continue
        taken[key] = path
        names[same_name] = path
        items.append(PlannedImport(path, parsed, who, replaces))
    if progress:
        progress(len(files), len(files), "")
    if not files:
        errors.append("no files to import")
    return ImportPlan(items, errors, questions)


def apply_import(
    study: Study,
    plan: ImportPlan,
    *,
    pilot: bool = False,
    replace: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[ImportResult]:
    """Write a checked plan, each file in a transaction of its own."""
    results = []
    for n, item in enumerate(plan.items):
        if progress:
            progress(n, len(plan.items), item.path)
        results.append(
            import_transcript(
                study, item.parsed, participant=item.participant, file_name=item.file_name,
                pilot=pilot, replace=replace, shown=item.path,
            )
        )
    if progress:
        progress(len(plan.items), len(plan.items), "")
    return results
