"""Benchmarks for issue 17: the report as a Word document and the framework
screen, on the default benchmark study (bench/run.py's generator, cached in
bench/.cache/).

    .venv/bin/python bench/bench_framework.py [--runs 7]

A copy of the study is given a written summary in every cell of the
framework matrix by main themes (non-pilot participants x main themes, a
few sentences each), so the screen draws what a finished matrix holds.

Prints medians of --runs runs:
- export-report-docx: `tacompanion export report -o r.docx`, the whole process;
- export-report-md: the same as Markdown, for comparison;
- export-framework-docx: `tacompanion export framework -o f.docx`;
- framework-screen: the framework screen pushed until its first frame is
  drawn (Textual, 80x24 and 120x40).
Goals (issue 17): export report -o r.docx < 1.5 s; the framework screen's
first paint < 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

import run as bench_run  # noqa: E402
from bytecode import ensure_bytecode  # noqa: E402

SENTENCE = ("Describes waiting out the silence rather than filling it; links it to supervision and to "
            "the patient's fear of being a burden. ")


def with_summaries(source: str, target: Path) -> int:
    """Copy the study and write a summary in every participant x main theme cell."""
    from tacompanion.store.study import Study

    shutil.copy(source, target)
    with Study.open(target):  # brings the copy to the current schema
        pass
    conn = sqlite3.connect(target)
    people = [r[0] for r in conn.execute("SELECT id FROM participants WHERE pilot = 0")]
    themes = [r[0] for r in conn.execute("SELECT id FROM themes WHERE parent_id IS NULL")]
    rows = [(str(uuid.uuid4()), p, t, SENTENCE * 3, "2026-12-01T10:00:00.000Z") for p in people for t in themes]
    with conn:
        conn.executemany("INSERT INTO framework_summaries (uuid, participant_id, theme_id, text, created_at) "
                         "VALUES (?, ?, ?, ?, ?)", rows)
    conn.close()
    return len(rows)


def timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(argv)}\n{done.stderr}")
    return elapsed


async def framework_paint(path: Path, size: tuple[int, int]) -> float:
    from tacompanion.store.study import Study
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.writing.framework import FrameworkScreen

    with Study.open(path) as study:
        app = TacompanionApp(study, coder="AB", start=("map", 0))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await bench_run.push_until_painted(app, FrameworkScreen())


def measure(path: Path, runs: int) -> dict[str, list[float]]:
    exe = [sys.executable, "-m", "tacompanion", "--db", str(path)]
    out: dict[str, list[float]] = {k: [] for k in (
        "export-report-docx", "export-report-md", "export-framework-docx", "framework-screen-80x24",
        "framework-screen-120x40")}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            out["export-report-docx"].append(timed([*exe, "export", "report", "-o", f"{tmp}/r.docx"]))
            out["export-report-md"].append(timed([*exe, "export", "report", "-o", f"{tmp}/r.md"]))
            out["export-framework-docx"].append(timed([*exe, "export", "framework", "-o", f"{tmp}/f.docx"]))
            out["framework-screen-80x24"].append(asyncio.run(framework_paint(path, (80, 24))))
            out["framework-screen-120x40"].append(asyncio.run(framework_paint(path, (120, 40))))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    ensure_bytecode()
    info = bench_run.cached_study(dict(bench_run.synth.DEFAULT_SIZES))
    c = info["counts"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "study.db"
        cells = with_summaries(info["path"], path)
        print(f"workload: {c['transcripts']} transcripts ({c['words']:,} words), {c['codes']} codes, "
              f"{c['codings']:,} codings, {cells} framework summaries; {args.runs} runs")
        results = measure(path, args.runs)
    for name, values in results.items():
        print(f"{name:<24} median {statistics.median(values) * 1000:8.1f} ms   "
              f"min {min(values) * 1000:8.1f}   max {max(values) * 1000:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
