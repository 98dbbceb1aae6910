"""A deterministic synthetic study, written straight through the store.

    python bench/synth.py OUT.db [--transcripts N] [--words N] [--codes N]
        [--themes N] [--codings N] [--participants N] [--interviews N]
        [--seed S] [--force] [--verify]

The same sizes and seed always give the same rows (ids, uuids, times and
texts), except what the schema migration itself makes (none of it random once
`study_uuid` is overwritten here). Nothing here reads the clock or `uuid4`.

What a study holds (defaults in DEFAULT_SIZES):

- participants P1..Pn; P1 is a pilot.
- one guide (the 60-question guide of `write_guide`), stored whole.
- a few interviews on that guide, each with pauses, question events and
  notes (kinds note / quote / follow-up, tags, elapsed ms, question ids).
- transcripts shared round-robin among the participants; each is a run of
  speaker turns alternating `Interviewer` / the participant's pseudonym, laid
  out as `Speaker: utterance` lines with a blank line between turns. Each turn
  is one segment (position 0, 1, 2, ... within its transcript) whose
  `[start_pos, end_pos)` covers the utterance only (not the `Speaker: ` label)
  and whose `text` is exactly `transcripts.text[start_pos:end_pos]`. Some words
  are not ASCII (café, naïve, em dashes), so offsets in code points and in
  bytes differ, as they will in real transcripts. Interviewer turns that ask a
  main question use the guide's wording and carry its question id, and the
  answer that follows carries it too.
- themes: `themes` top-level themes, most with 0-3 subthemes; statuses
  candidate / reviewed / final, definitions on the reviewed and final ones.
- codes, every one with a theme_id (a top-level theme or a subtheme), unique
  names and slugs (python-slugify).
- codings on transcripts only: each lies inside one segment, is non-empty and
  word-aligned; about a quarter re-use an existing extract with another code
  (many codes per extract); never the same (transcript, start, end, code)
  twice. The last tenth of the transcripts stays uncoded, so the "generate
  codes" phase is in progress.
- a few memos and journal entries; most transcripts are marked read.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import math
import os
import random
import re
import sqlite3
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slugify import slugify

from tacompanion.core.guide_parser import parse_guide
from tacompanion.store.study import Study
from tacompanion.store.transcript_counts import store_missing_word_counts

# Bump when the generator's output changes, so cached studies are remade.
SYNTH_VERSION = 2

DEFAULT_SIZES: dict[str, int] = {
    "transcripts": 50,
    "words": 10_000,  # per transcript, about
    "codes": 300,
    "themes": 12,  # top-level; subthemes come on top
    "codings": 20_000,
    "participants": 10,  # P1 is a pilot
    "interviews": 3,  # with notes, question events and a pause
    "memos": 40,
    "journal": 12,
    "seed": 1,
}

GUIDE_QUESTIONS = 60
BASE_TIME = datetime(2026, 2, 2, 9, 0, 0, tzinfo=UTC)
CODERS = ("AB", "CD")

# -- vocabulary ------------------------------------------------------------------
# Ranked roughly by frequency: earlier words are drawn (Zipf-like) more often.

_FUNCTION_WORDS = """
the I and to a that of it you was in we is they but so like just it's
with for on think what not have this be there when had them he she
about my all do at if were me as really because or know then would
can one they're don't some more out very our how been their who an from
get up time people which also going feel where i'm things could think
there's those felt sort kind by maybe much other then something into
""".split()

_CONTENT_WORDS = """
group patient patients session therapy therapist feeling feelings silence
quiet withdrawn avoid avoidant anxious anxiety shame safe safety trust
relationship others together alone contact moment moments week weeks
years work working talk talking said say saying asked ask question
understand understanding mind minds mentalizing reflect reflecting thoughts
emotions emotional reaction reactions body tense tension warm warmth
curious curiosity open openness transparent transparency structure
structured frame rules start started end ended beginning difficult hard
easy better worse different same change changed changing slowly quickly
often sometimes never always usually again first last next small big
little lot long short new old important helpful useful careful honest
real really noticed notice notices seemed seem looked look watching
waiting wait pause paused stopped stop try tried trying help helped
supervision supervisor colleague colleagues team training approach
approaches method methods schema cognitive dynamic psychodynamic
individual sessions groups room chair circle table eyes voice tone
listen listening heard hear sense sensing guess guessing wonder wondering
afraid fear fears risk risky criticism critical judged judge rejected
rejection belong belonging accepted acceptance connected connection
distance close closer closeness engage engaged engagement participate
participation share shared sharing story stories example examples
experience experiences remember remembered memory particular specific
general whole part parts piece pieces step steps process progress
treatment plan goal goals hope hoped hopeful worry worried worrying
tired energy focus attention present presence level levels space
clinic unit ward home family friends partner job school life daily
morning evening afternoon today yesterday tomorrow month months year
answer answers response respond responded reply silence silences
""".split()

_NON_ASCII = ["café", "naïve", "rôle", "façade", "déjà", "vu", "—", "über", "Zoë", "São"]

_VOCABULARY: list[str] = []
for _w in _FUNCTION_WORDS + _CONTENT_WORDS:
    if _w not in _VOCABULARY:
        _VOCABULARY.append(_w)
_VOCABULARY += _NON_ASCII
_CUM_WEIGHTS: list[float] = []
_total = 0.0
for _rank, _w in enumerate(_VOCABULARY):
    _total += (0.15 if _w in _NON_ASCII else 1.0) / (_rank + 3) ** 0.9
    _CUM_WEIGHTS.append(_total)

_OPENERS = ["well", "so", "I mean", "yeah", "you know", "hmm", "right", "okay"]
_FOLLOW_UPS = [
    "Could you say a little more about that?",
    "What was that like for you?",
    "What happened next?",
    "How did you notice that?",
    "Can you give me an example?",
    "What went on in you at that moment?",
    "Mm, and then?",
    "How did the others respond?",
]
_TOPICS = [
    "Warm-up", "Background", "The last session", "Silence and withdrawal",
    "Transparency", "The group structure", "Your own reactions", "Other approaches",
    "Individual and group", "Supervision", "Change over time", "The team",
    "Endings", "Looking ahead", "Closing", "Training", "The first meeting",
    "Risk and safety", "Family and network", "Measures and outcomes",
]
_THEME_STEMS = [
    "Holding", "Navigating", "Making room for", "Staying with", "Working through",
    "Balancing", "Slowing down", "Opening up", "Protecting", "Sharing", "Finding",
    "Letting go of", "Tolerating", "Reading", "Building",
]


def words(rng: random.Random, n: int) -> list[str]:
    return rng.choices(_VOCABULARY, cum_weights=_CUM_WEIGHTS, k=n)


def sentence(rng: random.Random, n: int, *, end: str = ".", opener: bool = False) -> str:
    ws = words(rng, max(1, n))
    if opener and rng.random() < 0.3:
        ws[0:0] = [rng.choice(_OPENERS) + ","]
    for i in range(2, len(ws) - 2):
        if rng.random() < 0.06 and not ws[i].endswith(","):
            ws[i] += ","
    text = " ".join(ws)
    return text[0].upper() + text[1:] + end


def utterance(rng: random.Random, n_words: int, *, question: bool = False) -> str:
    """About n_words words as sentences of 4-22 words."""
    out, left = [], n_words
    while left > 0:
        n = min(left, rng.randint(4, 22))
        left -= n
        if question and left <= 0:
            end = "?"
        else:
            end = rng.choices([".", "?", "..."], weights=[90, 4, 6])[0]
        out.append(sentence(rng, n, end=end, opener=not out))
    return " ".join(out)


# -- deterministic ids and times ---------------------------------------------------


def det_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Clock:
    """A deterministic clock that only moves forward."""

    def __init__(self, rng: random.Random, start: datetime = BASE_TIME) -> None:
        self.rng = rng
        self.at = start

    def tick(self, lo_s: float = 1, hi_s: float = 120) -> str:
        self.at += timedelta(milliseconds=int(self.rng.uniform(lo_s, hi_s) * 1000))
        return iso(self.at)


# -- the guide -------------------------------------------------------------------------


def guide_text(questions: int = GUIDE_QUESTIONS, *, seed: int = 60) -> str:
    """A valid guide with exactly `questions` main questions, about 6 a section."""
    if questions < 1:
        raise ValueError("a guide needs at least one question")
    rng = random.Random(seed)
    n_sections = max(1, math.ceil(questions / 6))
    titles = [_TOPICS[i] if i < len(_TOPICS) else f"Topic {i + 1}" for i in range(n_sections)]
    per = [questions // n_sections + (1 if i < questions % n_sections else 0) for i in range(n_sections)]
    lines = [
        "---",
        "version: bench-1",
        f"duration: {sum(5 + p for p in per)}",
        "language: en",
        "---",
        f"# A synthetic {questions}-question interview guide for benchmarks",
        "",
        "Thank you for taking part. This interview is recorded with your consent; "
        "you may pause or stop at any time, and skip any question.",
        "",
        "There are no right or wrong answers: we are interested in your own experience.",
        "",
    ]
    number = 0
    for title, count in zip(titles, per):
        lines += [f"## {title} [{5 + count} min]", ""]
        lines += [f"> Note: {sentence(rng, rng.randint(8, 16))}", ""]
        for position in range(1, count + 1):
            number += 1
            text = question_wording(rng, number)
            if rng.random() < 0.2:  # a question that wraps over two lines
                head, _, tail = text.partition(" about ")
                if tail:
                    text = f"{head}\n   about {tail}"
            lines.append(f"{position}. {text}")
            for _ in range(rng.choice([0, 1, 2, 2, 3])):
                lines.append(f"   - {rng.choice(_FOLLOW_UPS)}")
        lines.append("")
        if rng.random() < 0.3:
            lines += [sentence(rng, rng.randint(10, 20)), ""]
    return "\n".join(lines)


def question_wording(rng: random.Random, number: int) -> str:
    topic = " ".join(words(rng, rng.randint(2, 4)))
    template = rng.choice(
        [
            "Could you tell me about {t}?",
            "What is it like when {t}?",
            "How do you think about {t}?",
            "Please tell me about the last time {t}.",
            "What comes to mind when you think about {t}?",
            "How has {t} changed over the years?",
        ]
    )
    return f"{template.format(t=topic)} (Q{number})"


def write_guide(path: str | os.PathLike, questions: int = GUIDE_QUESTIONS) -> Path:
    """Write a valid `questions`-question guide (see guides/*.md) to path."""
    path = Path(path)
    text = guide_text(questions)
    parse_guide(text)  # raises GuideError if this generator ever goes wrong
    path.write_text(text, encoding="utf-8")
    return path


# -- the study ---------------------------------------------------------------------------


def coded_transcript_study(path: str | os.PathLike, text: str, code: str = "Turn") -> None:
    """A study of one transcript (`text`, plain text turns) by P1 with one
    coding of `code` on every turn, written straight through SQL: the big
    inputs of the linear-time tests and of bench_hardening.py."""
    from tacompanion.core.transcript import segment_text
    from tacompanion.store.study import new_uuid, now_iso

    parsed = segment_text(text, "txt")
    now = now_iso()
    with Study.open(path) as study, study.write():
        c = study.conn
        pid = c.execute("INSERT INTO participants (uuid, pseudonym, created_at) VALUES (?, 'P1', ?)",
                        (new_uuid(), now)).lastrowid
        tid = c.execute("INSERT INTO transcripts (uuid, participant_id, file_name, format, source_hash, text, "
                        "imported_at) VALUES (?, ?, 'long.txt', 'txt', 'h', ?, ?)",
                        (new_uuid(), pid, text, now)).lastrowid
        c.executemany("INSERT INTO segments (uuid, transcript_id, position, speaker, start_pos, end_pos, text) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      [(new_uuid(), tid, s.position, s.speaker, s.start_pos, s.end_pos, s.text)
                       for s in parsed.segments])
        code_id = c.execute("INSERT INTO codes (uuid, name, slug, position, created_at) VALUES (?, ?, ?, 1, ?)",
                            (new_uuid(), code, slugify(code), now)).lastrowid
        c.executemany("INSERT INTO codings (uuid, code_id, transcript_id, start_pos, end_pos, coder, created_at) "
                      "VALUES (?, ?, ?, ?, ?, 'ana', ?)",
                      [(new_uuid(), code_id, tid, s.start_pos, s.end_pos, now) for s in parsed.segments])


def make_study(path: str | os.PathLike, *, force: bool = False, **sizes: int) -> dict[str, Any]:
    """Create a synthetic study at path; return what was made and how long it took.

    Unknown size names are an error; missing ones take DEFAULT_SIZES.
    """
    unknown = set(sizes) - set(DEFAULT_SIZES)
    if unknown:
        raise TypeError(f"unknown sizes: {', '.join(sorted(unknown))}")
    s = {**DEFAULT_SIZES, **{k: v for k, v in sizes.items() if v is not None}}
    if s["participants"] < 2:
        raise ValueError("need at least 2 participants (P1 is a pilot)")
    if s["codes"] > 0 and s["themes"] < 1:
        raise ValueError("codes need at least one theme")
    path = Path(path)
    if path.exists() or Path(f"{path}-wal").exists():
        if not force:
            raise FileExistsError(f"{path}: exists (use --force to replace it)")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    t0 = time.perf_counter()
    rows = _Generator(s).rows()
    t_rows = time.perf_counter()
    study = Study.open(path, create=True)
    try:
        with study.write() as db:
            db["settings"].upsert_all(rows.pop("settings"), pk="key")
            for table, records in rows.items():
                if records:
                    db[table].insert_all(records, batch_size=500)
            store_missing_word_counts(study.conn)  # what the store's writers keep with the turns
    finally:
        study.close()  # the last close checkpoints the WAL into the file
    t_end = time.perf_counter()
    return {
        "path": str(path),
        "sizes": s,
        "counts": _counts(path),
        "seconds": round(t_end - t0, 3),
        "seconds_generate": round(t_rows - t0, 3),
        "seconds_write": round(t_end - t_rows, 3),
        "bytes": path.stat().st_size,
    }


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            "participants", "guides", "interviews", "interview_pauses", "question_events",
            "notes", "transcripts", "segments", "themes", "codes", "codings", "memos", "journal",
        ]
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        counts["words"] = sum(
            len(text.split()) for (text,) in conn.execute("SELECT text FROM segments")
        )
        return counts
    finally:
        conn.close()


class _Generator:
    """Builds every row in memory (ids assigned here), in insertion order."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.s = sizes
        self.rng = random.Random(sizes["seed"])
        # Separate streams so that changing one size leaves the rest alike.
        self.id_rng = random.Random(f"{sizes['seed']}-ids")
        self.clock = Clock(random.Random(f"{sizes['seed']}-clock"))
        self.guide_source = guide_text(GUIDE_QUESTIONS)
        self.guide = parse_guide(self.guide_source)

    def uuid(self) -> str:
        return det_uuid(self.id_rng)

    def rows(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {"settings": self.settings()}
        out["participants"] = self.participants()
        out["guides"] = self.guides()
        out["interviews"], out["interview_pauses"], out["question_events"], out["notes"] = (
            self.interviews(out["participants"])
        )
        out["transcripts"], out["segments"] = self.transcripts(
            out["participants"], out["interviews"]
        )
        out["themes"] = self.themes()
        out["codes"] = self.codes(out["themes"])
        out["codings"] = self.codings(out["transcripts"], out["segments"], out["codes"])
        out["memos"] = self.memos(out)
        out["journal"] = self.journal()
        return out

    def settings(self) -> list[dict]:
        return [
            {"key": "study_uuid", "value": json.dumps(self.uuid())},
            {"key": "default_coder", "value": json.dumps(CODERS[0])},
        ]

    def participants(self) -> list[dict]:
        rows = []
        for n in range(1, self.s["participants"] + 1):
            rows.append(
                {
                    "id": n,
                    "uuid": self.uuid(),
                    "pseudonym": f"P{n}",
                    "pilot": int(n == 1),
                    "attributes": json.dumps(
                        {
                            "role": self.rng.choice(["psychologist", "psychiatrist", "nurse", "social worker"]),
                            "years": self.rng.randint(1, 30),
                        }
                    ),
                    "created_at": self.clock.tick(),
                }
            )
        return rows

    def guides(self) -> list[dict]:
        g = self.guide
        return [
            {
                "id": 1,
                "uuid": self.uuid(),
                "title": g.title,
                "version": g.version,
                "language": g.language,
                "duration_min": g.duration,
                "file_name": f"bench-guide-{GUIDE_QUESTIONS}.md",
                "source_text": self.guide_source,
                "source_hash": g.source_hash,
                "created_at": self.clock.tick(),
            }
        ]

    def interviews(self, participants: list[dict]):
        interviews, pauses, events, notes = [], [], [], []
        questions = self.guide.questions
        for n in range(1, min(self.s["interviews"], len(participants)) + 1):
            participant = participants[n - 1]
            start = self.clock.at + timedelta(days=n)
            duration_ms = self.rng.randint(45, 75) * 60_000
            interviews.append(
                {
                    "id": n,
                    "uuid": self.uuid(),
                    "participant_id": participant["id"],
                    "guide_id": 1,
                    "pilot": participant["pilot"],
                    "created_at": iso(start - timedelta(minutes=5)),
                    "started_at": iso(start),
                    "ended_at": iso(start + timedelta(milliseconds=duration_ms)),
                    "recording_offset_ms": self.rng.randint(0, 20_000),
                    "current_question_id": None,
                }
            )
            pause_at = start + timedelta(minutes=20)
            pauses.append(
                {
                    "interview_id": n,
                    "paused_at": iso(pause_at),
                    "resumed_at": iso(pause_at + timedelta(seconds=self.rng.randint(20, 300))),
                }
            )
            elapsed = 0
            step = duration_ms // len(questions)
            for q in questions:
                skipped = self.rng.random() < 0.08
                for event in ("current", "skipped" if skipped else "covered"):
                    elapsed += self.rng.randint(step // 4, step // 2)
                    events.append(
                        {
                            "uuid": self.uuid(),
                            "interview_id": n,
                            "question_id": q.id,
                            "probe_id": None,
                            "event": event,
                            "elapsed_ms": elapsed,
                            "at": iso(start + timedelta(milliseconds=elapsed)),
                        }
                    )
                if not skipped and self.rng.random() < 0.4:
                    q_elapsed = elapsed - self.rng.randint(0, step // 4)
                    notes.append(
                        {
                            "id": len(notes) + 1,
                            "uuid": self.uuid(),
                            "interview_id": n,
                            "question_id": q.id,
                            "kind": self.rng.choices(["note", "quote", "follow-up"], [70, 20, 10])[0],
                            "text": utterance(self.rng, self.rng.randint(3, 30)),
                            "tags": json.dumps(self.rng.sample(["silence", "shame", "group", "body", "trust"],
                                                               self.rng.randint(0, 2))),
                            "elapsed_ms": q_elapsed,
                            "created_at": iso(start + timedelta(milliseconds=q_elapsed)),
                            "updated_at": None,
                        }
                    )
        return interviews, pauses, events, notes

    def transcripts(self, participants: list[dict], interviews: list[dict]):
        transcripts, segments = [], []
        by_participant_interview = {i["participant_id"]: i["id"] for i in interviews}
        seen_counts: dict[int, int] = {}
        questions = self.guide.questions
        for t in range(1, self.s["transcripts"] + 1):
            participant = participants[(t - 1) % len(participants)]
            pid = participant["id"]
            seen_counts[pid] = seen_counts.get(pid, 0) + 1
            interview_id = by_participant_interview.pop(pid, None)
            speaker = participant["pseudonym"]
            parts: list[str] = []
            pos = 0
            position = 0
            total_words = 0
            ms = self.rng.randint(0, 5000)
            q_index = -1
            question_id = None
            # Walk the guide evenly: about 130 words per turn pair.
            pairs_per_question = max(1.0, self.s["words"] / 130 / len(questions))
            next_question_pair = 0.0
            while total_words < self.s["words"]:
                for is_interviewer in (True, False):
                    if is_interviewer:
                        if q_index + 1 < len(questions) and position // 2 >= next_question_pair:
                            q_index += 1
                            next_question_pair += pairs_per_question
                            question_id = questions[q_index].id
                            text = questions[q_index].text
                        else:
                            text = (
                                self.rng.choice(_FOLLOW_UPS)
                                if self.rng.random() < 0.5
                                else utterance(self.rng, self.rng.randint(5, 40), question=True)
                            )
                        who = "Interviewer"
                    else:
                        n = int(min(600, max(3, self.rng.lognormvariate(4.5, 0.7))))
                        text = utterance(self.rng, n)
                        who = speaker
                    label = f"{who}: "
                    if parts:
                        parts.append("\n\n")
                        pos += 2
                    parts.append(label)
                    pos += len(label)
                    start = pos
                    parts.append(text)
                    pos += len(text)
                    n_words = len(text.split())
                    total_words += n_words
                    start_ms = ms
                    ms += n_words * self.rng.randint(330, 450)
                    segments.append(
                        {
                            "uuid": self.uuid(),
                            "transcript_id": t,
                            "position": position,
                            "speaker": who,
                            "is_interviewer": int(is_interviewer),
                            "start_pos": start,
                            "end_pos": pos,
                            "start_ms": start_ms,
                            "end_ms": ms,
                            "text": text,
                            "question_id": question_id,
                            "question_source": None
                            if question_id is None
                            else ("time" if interview_id else "manual"),
                        }
                    )
                    ms += self.rng.randint(300, 1500)
                    position += 1
            text = "".join(parts) + "\n"
            imported = self.clock.tick(60, 3600)
            read = self.rng.random() < 0.7
            transcripts.append(
                {
                    "id": t,
                    "uuid": self.uuid(),
                    "participant_id": pid,
                    "interview_id": interview_id,
                    "file_name": f"{speaker}_interview_{seen_counts[pid]:02d}.txt",
                    "format": "txt",
                    "source_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    "text": text,
                    "imported_at": imported,
                    "read_at": self.clock.tick(600, 7200) if read else None,
                }
            )
        return transcripts, segments

    def themes(self) -> list[dict]:
        rows: list[dict] = []
        names: set[str] = set()

        def name() -> str:
            while True:
                n = f"{self.rng.choice(_THEME_STEMS)} {' '.join(words(self.rng, self.rng.randint(1, 3)))}"
                if n.casefold() not in names:
                    names.add(n.casefold())
                    return n

        def theme(parent: int | None, position: int) -> dict:
            status = self.rng.choices(["candidate", "reviewed", "final"], [5, 3, 2])[0]
            row = {
                "id": len(rows) + 1,
                "uuid": self.uuid(),
                "parent_id": parent,
                "name": name(),
                "definition": "" if status == "candidate" else sentence(self.rng, self.rng.randint(12, 30)),
                "status": status,
                "position": position,
                "created_at": self.clock.tick(),
            }
            rows.append(row)
            return row

        for i in range(self.s["themes"]):
            top = theme(None, i)
            for j in range(self.rng.choice([0, 1, 1, 2, 2, 3])):
                theme(top["id"], j)
        return rows

    def codes(self, themes: list[dict]) -> list[dict]:
        rows, names, slugs = [], set(), set()
        positions: dict[int, int] = {}
        for c in range(1, self.s["codes"] + 1):
            while True:
                name = " ".join(words(self.rng, self.rng.randint(2, 5)))
                slug = slugify(name)
                if name.casefold() not in names and slug and slug not in slugs:
                    break
            names.add(name.casefold())
            slugs.add(slug)
            theme_id = self.rng.choice(themes)["id"]
            positions[theme_id] = positions.get(theme_id, -1) + 1
            rows.append(
                {
                    "id": c,
                    "uuid": self.uuid(),
                    "name": name,
                    "slug": slug,
                    "description": sentence(self.rng, self.rng.randint(6, 20)) if self.rng.random() < 0.6 else "",
                    "theme_id": theme_id,
                    "parent_code_id": None,
                    "color": None,
                    "position": positions[theme_id],
                    "created_at": self.clock.tick(),
                }
            )
        return rows

    def codings(self, transcripts: list[dict], segments: list[dict], codes: list[dict]) -> list[dict]:
        n_codings = self.s["codings"]
        if not codes or not n_codings:
            return []
        coded = transcripts[: max(1, math.ceil(len(transcripts) * 0.9))]
        coded_ids = {t["id"] for t in coded}
        answers = [s for s in segments if s["transcript_id"] in coded_ids and not s["is_interviewer"] and s["text"]]
        questions = [s for s in segments if s["transcript_id"] in coded_ids and s["is_interviewer"] and s["text"]]
        if not answers:
            raise ValueError("codings need transcripts with participant turns to lie in")
        code_order = codes[:]
        self.rng.shuffle(code_order)
        code_cum: list[float] = []
        total = 0.0
        for rank in range(len(code_order)):
            total += 1 / (rank + 1) ** 0.8
            code_cum.append(total)
        word_starts: dict[str, list[tuple[int, int]]] = {}

        def spans(seg: dict) -> list[tuple[int, int]]:
            key = seg["uuid"]
            if key not in word_starts:
                word_starts[key] = [(m.start(), m.end()) for m in re.finditer(r"\S+", seg["text"])]
            return word_starts[key]

        rows: list[dict] = []
        taken: set[tuple[int, int, int, int]] = set()
        extracts: list[tuple[int, int, int]] = []
        attempts = 0
        while len(rows) < n_codings:
            attempts += 1
            if attempts > n_codings * 50:
                raise RuntimeError(
                    f"cannot place {n_codings} distinct codings in this much text; "
                    "ask for fewer codings or more words"
                )
            code = code_order[bisect.bisect_left(code_cum, self.rng.random() * total)]
            if extracts and self.rng.random() < 0.25:
                tid, start, end = self.rng.choice(extracts)
            else:
                pool = answers if (not questions or self.rng.random() < 0.92) else questions
                seg = self.rng.choice(pool)
                ws = spans(seg)
                first = self.rng.randrange(len(ws))
                length = int(min(len(ws) - first, max(1, self.rng.lognormvariate(2.5, 0.7))))
                start = seg["start_pos"] + ws[first][0]
                end = seg["start_pos"] + ws[first + length - 1][1]
                tid = seg["transcript_id"]
            key = (tid, start, end, code["id"])
            if key in taken:
                continue
            taken.add(key)
            extracts.append((tid, start, end))
            rows.append(
                {
                    "uuid": self.uuid(),
                    "code_id": code["id"],
                    "transcript_id": tid,
                    "note_id": None,
                    "start_pos": start,
                    "end_pos": end,
                    "coder": CODERS[0] if self.rng.random() < 0.85 else CODERS[1],
                    "created_at": self.clock.tick(1, 40),
                    "starred": int(self.rng.random() < 0.04),
                }
            )
        return rows

    def memos(self, out: dict[str, list[dict]]) -> list[dict]:
        rows = []
        targets = [("code_id", out["codes"]), ("theme_id", out["themes"]),
                   ("transcript_id", out["transcripts"]), ("participant_id", out["participants"])]
        taken: set[tuple[str, int]] = set()
        for i in range(self.s["memos"]):
            row = {
                "uuid": self.uuid(),
                "code_id": None,
                "theme_id": None,
                "transcript_id": None,
                "segment_id": None,
                "note_id": None,
                "participant_id": None,
                "interview_id": None,
                "text": utterance(self.rng, self.rng.randint(10, 120)),
                "created_at": self.clock.tick(),
                "updated_at": None,
            }
            if i:  # the first memo is on the study itself; one memo per thing at most
                column, pool = self.rng.choice(targets)
                if pool:
                    row[column] = self.rng.choice(pool)["id"]
                    if (column, row[column]) in taken:
                        continue
                    taken.add((column, row[column]))
            rows.append(row)
        return rows

    def journal(self) -> list[dict]:
        rows = []
        day = BASE_TIME
        for _ in range(self.s["journal"]):
            day += timedelta(days=self.rng.randint(1, 6))
            rows.append(
                {
                    "uuid": self.uuid(),
                    "entry_date": day.date().isoformat(),
                    "text": utterance(self.rng, self.rng.randint(40, 250)),
                    "created_at": iso(day + timedelta(hours=17)),
                    "updated_at": None,
                }
            )
        return rows


# -- verification ----------------------------------------------------------------------------


def verify(path: str | os.PathLike) -> list[str]:
    """Problems with a generated study (an empty list when it is sound)."""
    problems: list[str] = []
    conn = sqlite3.connect(path)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        conn.execute("PRAGMA foreign_keys = ON")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"{len(fk)} foreign key violations, e.g. {fk[0]}")
        texts = dict(conn.execute("SELECT id, text FROM transcripts"))
        bad = 0
        for tid, start, end, text in conn.execute(
            "SELECT transcript_id, start_pos, end_pos, text FROM segments"
        ):
            if texts[tid][start:end] != text:
                bad += 1
        if bad:
            problems.append(f"{bad} segments whose text is not the transcript slice")
        outside = conn.execute(
            "SELECT count(*) FROM codings c WHERE c.transcript_id IS NOT NULL AND NOT EXISTS ("
            " SELECT 1 FROM segments s WHERE s.transcript_id = c.transcript_id"
            " AND s.start_pos <= c.start_pos AND c.end_pos <= s.end_pos)"
        ).fetchone()[0]
        if outside:
            problems.append(f"{outside} codings not inside one segment")
        empty = conn.execute("SELECT count(*) FROM codings WHERE end_pos <= start_pos").fetchone()[0]
        if empty:
            problems.append(f"{empty} empty codings")
        unthemed = conn.execute("SELECT count(*) FROM codes WHERE theme_id IS NULL").fetchone()[0]
        if unthemed:
            problems.append(f"{unthemed} codes without a theme")
        fts = conn.execute("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'silence'").fetchone()[0]
        if not fts and conn.execute("SELECT count(*) FROM segments").fetchone()[0] > 100:
            problems.append("the segments' full-text index finds nothing")
    finally:
        conn.close()
    return problems


def dump_digest(path: str | os.PathLike) -> str:
    """A hash of the study's logical content, to check determinism."""
    conn = sqlite3.connect(path)
    try:
        h = hashlib.sha256()
        for line in conn.iterdump():
            h.update(line.encode("utf-8"))
        return h.hexdigest()
    finally:
        conn.close()


# -- command line -------------------------------------------------------------------------------


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", type=int, default=None, metavar="N",
                        help="a study N times the default (see scaled_sizes); sizes named too win")
    for name, default in DEFAULT_SIZES.items():
        parser.add_argument(
            f"--{name}",
            type=int,
            default=None,
            metavar="N" if name != "seed" else "S",
            help=f"default {default}",
        )


def scaled_sizes(scale: int) -> dict[str, int]:
    """The study `scale` times the default: transcripts, codings and
    participants times `scale`, codes 100 per unit of scale (at least 300):
    --scale 10 is issue 16's larger study (500 transcripts, 5M words, 100
    participants, 1,000 codes, 200,000 codings)."""
    if scale == 1:
        return {}
    d = DEFAULT_SIZES
    return {"transcripts": d["transcripts"] * scale, "codings": d["codings"] * scale,
            "participants": d["participants"] * scale, "codes": max(d["codes"], 100 * scale)}


def sizes_from_args(args: argparse.Namespace) -> dict[str, int]:
    """--scale first, then any size named on the command line."""
    sizes = scaled_sizes(getattr(args, "scale", None) or 1)
    sizes.update({k: v for k in DEFAULT_SIZES if (v := getattr(args, k)) is not None})
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a deterministic synthetic tacompanion study (see the module docstring)."
    )
    parser.add_argument("out", metavar="OUT.db")
    add_size_arguments(parser)
    parser.add_argument("--force", action="store_true", help="replace OUT.db if it exists")
    parser.add_argument("--verify", action="store_true", help="check the result's invariants")
    parser.add_argument("--guide", metavar="PATH", help="also write the 60-question guide to PATH")
    args = parser.parse_args(argv)
    try:
        info = make_study(args.out, force=args.force, **sizes_from_args(args))
    except (FileExistsError, ValueError, RuntimeError) as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 1
    c = info["counts"]
    print(
        f"{info['path']}: {c['transcripts']} transcripts ({c['words']:,} words, "
        f"{c['segments']:,} segments), {c['participants']} participants, "
        f"{c['themes']} themes, {c['codes']} codes, {c['codings']:,} codings, "
        f"{c['interviews']} interviews ({c['notes']} notes), {c['memos']} memos, "
        f"{c['journal']} journal entries; {info['bytes'] / 1e6:.1f} MB "
        f"in {info['seconds']:.2f} s (rows {info['seconds_generate']:.2f} s, "
        f"writing {info['seconds_write']:.2f} s)"
    )
    status = 0
    if args.verify:
        problems = verify(args.out)
        for p in problems:
            print(f"synth: verify: {p}", file=sys.stderr)
        print("verify: ok" if not problems else "verify: FAILED")
        status = 1 if problems else 0
    if args.guide:
        print(f"guide: {write_guide(args.guide)}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
