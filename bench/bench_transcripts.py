"""Benchmarks for transcripts: import, first paint of the reading view, search.

Self-contained: generates its own synthetic transcripts in a temporary
folder. Run from the repository root:

    .venv/bin/python bench/bench_transcripts.py [--runs 5] [--files 50] [--words 10000]

Prints the median of several runs for each measurement:
- import of FILES transcripts of ~WORDS words each (30% .md, 20% .vtt, the
  rest .txt), as `tacompanion import` does it (read, parse, check, store with
  one transaction per file): the median per file and the batch total;
- opening a 12,000-word transcript in the reading view (headless, 80x24)
  until its first line is painted;
- full-text search (FTS5) over the whole study (FILES x WORDS words).
Targets from issue 4: the batch in a few seconds, opening under 150 ms,
search under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bytecode import ensure_bytecode  # bench/ is the script's folder, on sys.path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

VOCAB_COMMON = (
    "the a and to of I it that you was in is like we so but just they with what "
    "group patient patients session silence feel felt think thought really maybe "
    "because when then there would could know mean something quite very about "
    "therapy therapist mentalizing avoidance shame afraid safe quiet talk together "
    "supervision individual week first time people other others room always never"
).split()


def make_words(rng: random.Random, n: int) -> list[str]:
    rare = [f"{a}{b}" for a in ("mentali", "reflec", "avoid", "conne", "trus", "hesit")
            for b in ("zation", "tive", "ance", "ction", "ting", "ful", "ed", "s")]
    out = []
    for _ in range(n):
        out.append(rng.choice(rare) if rng.random() < 0.03 else rng.choice(VOCAB_COMMON))
    return out


def make_turns(rng: random.Random, words: int) -> list[tuple[str, str]]:
    turns, total, i = [], 0, 0
    while total < words:
        interviewer = i % 2 == 0
        n = rng.randint(8, 25) if interviewer else rng.randint(20, 110)
        text = " ".join(make_words(rng, n)).capitalize() + "."
        turns.append(("Interviewer" if interviewer else "P", text))
        total += n
        i += 1
    return turns


def write_transcript(folder: Path, index: int, fmt: str, words: int, rng: random.Random) -> Path:
    who = f"P{index:02d}"
    turns = [(who if s == "P" else s, t) for s, t in make_turns(rng, words)]
    path = folder / f"interview-{who}.{fmt}"
    if fmt == "vtt":
        lines, t = ["WEBVTT", ""], 0
        for speaker, text in turns:
            words_ = text.split()
            for j in range(0, len(words_), 12):  # ~12 words per cue, merged on import
                chunk = " ".join(words_[j : j + 12])
                lines += [f"{_clock(t)} --> {_clock(t + 4000)}", f"<v {speaker}>{chunk}</v>", ""]
                t += 4000
        path.write_text("\n".join(lines), encoding="utf-8")
    elif fmt == "md":
        path.write_text("\n\n".join(f"**{s}:** {t}" for s, t in turns) + "\n", encoding="utf-8")
    else:
        path.write_text("\n\n".join(f"{s}: {t}" for s, t in turns) + "\n", encoding="utf-8")
    return path


def _clock(ms: int) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def make_batch(folder: Path, files: int, words: int) -> list[Path]:
    rng = random.Random(4)
    paths = []
    for i in range(files):
        fmt = "md" if i % 10 < 3 else "vtt" if i % 10 < 5 else "txt"
        paths.append(write_transcript(folder, i + 1, fmt, words, rng))
    return paths


def bench_import(paths: list[Path], runs: int, tmp: Path) -> tuple[dict[str, float], float, Path]:
    """(median per file, overall and by format; median batch total; the last study).

    A file's time is its share of both passes: reading, parsing and checking
    it (plan), then storing it in its own transaction (apply).
    """
    from tacompanion.formats.transcript_import import apply_import, plan_import
    from tacompanion.store.study import Study

    per_file: dict[str, list[float]] = {"all": []}
    totals: list[float] = []
    last_db = tmp / "import-0.db"
    for run in range(runs):
        db = tmp / f"import-{run}.db"
        plan_stamps: list[float] = []
        apply_stamps: list[float] = []
        with Study.open(db) as study:
            started = time.perf_counter()
            plan = plan_import(
                study, [str(p) for p in paths],
                progress=lambda done, total, path, out=plan_stamps: out.append(time.perf_counter()),
            )
            assert plan.ok, plan.errors[:3]
            apply_import(
                study, plan,
                progress=lambda done, total, path, out=apply_stamps: out.append(time.perf_counter()),
            )
            totals.append(time.perf_counter() - started)
        # Each pass reports before every file and once at the end.
        for i, path in enumerate(paths):
            seconds = plan_stamps[i + 1] - plan_stamps[i] + apply_stamps[i + 1] - apply_stamps[i]
            per_file["all"].append(seconds)
            per_file.setdefault(path.suffix, []).append(seconds)
        last_db = db
    medians = {fmt: statistics.median(times) for fmt, times in per_file.items()}
    return medians, statistics.median(totals), last_db


def bench_open(tmp: Path, runs: int) -> float:
    from tacompanion.formats.transcript_files import read_transcript_file
    from tacompanion.store.study import Study
    from tacompanion.store.transcripts import import_transcript
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.familiarise.transcript_view import TranscriptView

    folder = tmp / "open"
    folder.mkdir()
    path = write_transcript(folder, 1, "txt", 12_000, random.Random(12))
    db = tmp / "open.db"
    with Study.open(db) as study:
        parsed = read_transcript_file(path).with_interviewer_labels(["Interviewer"])
        tid = import_transcript(study, parsed, participant="P01", file_name=path.name).transcript_id

    first_paint: list[float] = []
    original = TranscriptView.render_line

    def timed_render_line(self, y):
        strip = original(self, y)
        if self._bench_painted is None:
            self._bench_painted = time.perf_counter()
        return strip

    TranscriptView.render_line = timed_render_line
    TranscriptView._bench_painted = None

    async def one() -> float:
        with Study.open(db) as study:
            app = TacompanionApp(study)
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                started = time.perf_counter()
                app.open_transcript(tid)
                view = None
                while view is None or view._bench_painted is None:
                    await asyncio.sleep(0.001)
                    try:
                        view = app.screen.query_one(TranscriptView)
                    except Exception:  # noqa: BLE001 - not mounted yet
                        view = None
                return view._bench_painted - started

    try:
        for _ in range(runs):
            first_paint.append(asyncio.run(one()))
    finally:
        TranscriptView.render_line = original
    return statistics.median(first_paint)


def bench_search(db: Path, runs: int) -> dict[str, float]:
    from tacompanion.store.study import Study
    from tacompanion.store.transcripts import search_segments

    out = {}
    with Study.open(db) as study:
        words = study.scalar("SELECT sum(length(text) - length(replace(text, ' ', '')) + 1) FROM segments")
        out["_words"] = words
        for query in ("silence", "mentalization", '"the group"', "avoid*", "shame afraid"):
            times = []
            hits = 0
            for _ in range(runs):
                started = time.perf_counter()
                hits = search_segments(study, query, limit=200).total
                times.append(time.perf_counter() - started)
            out[f"{query} ({hits:,} hits)"] = statistics.median(times)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--words", type=int, default=10_000)
    args = parser.parse_args()
    print(ensure_bytecode())
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        batch = tmp / "batch"
        batch.mkdir()
        paths = make_batch(batch, args.files, args.words)
        size = sum(p.stat().st_size for p in paths)
        print(f"workload: {args.files} transcripts x ~{args.words:,} words ({size / 1e6:.1f} MB), "
              f"median of {args.runs} runs")
        per_file, total, db = bench_import(paths, args.runs, tmp)
        by_format = ", ".join(f"{fmt} {sec * 1000:.0f} ms" for fmt, sec in per_file.items() if fmt != "all")
        print(f"import: {per_file['all'] * 1000:.0f} ms per file ({by_format}), {total:.2f} s for the batch")
        opened = bench_open(tmp, args.runs)
        print(f"reading view, 12,000-word transcript, first paint at 80x24: {opened * 1000:.0f} ms")
        results = bench_search(db, max(args.runs, 20))
        print(f"search over {results.pop('_words'):,} words (FTS5, first 200 hits with snippets):")
        for query, seconds in results.items():
            print(f"  {query}: {seconds * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
