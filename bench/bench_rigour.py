"""Benchmarks for rigour: the audit trail export, the saturation figures and
the hints, on the benchmark study (bench/run.py's generator, cached in
bench/.cache/) and, with --scale 10, on a study ten times larger.

    .venv/bin/python bench/bench_rigour.py [--runs 7] [--scale 10]

The generated study has its codings but no operation log (the generator
writes rows directly), so a copy is given the log a researcher would have
made: one "create code" per code and one "apply" per coding, with the rows
they changed, plus a rename and a memo per ten codes.

Prints medians of --runs runs:
- export-audit: `tacompanion export audit -o FILE.csv`, the whole process;
- export-audit-docx: the same as a Word document;
- saturation: `study_saturation(study)` in this process (what the screen computes);
- saturation-screen: the saturation screen pushed until its first frame is drawn (Textual, 120x40);
- hints-largest: `code_hints` for the code with the most codings;
- hints-typical: the median over 15 codes drawn at random.
Goals (issue 19): audit export < 1 s; saturation < 100 ms; hints < 200 ms
(< 400 ms on the study ten times larger).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

import run as bench_run  # noqa: E402
from bytecode import ensure_bytecode  # noqa: E402

SCALED = {"transcripts": 500, "codings": 200_000, "participants": 100, "codes": 1000}


def with_operation_log(source: str, target: Path) -> int:
    """Copy the study and give it an operation log; returns the entries made."""
    import sqlite3

    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode = WAL")
    rows = []
    n = 0
    for cid, name, uuid, created in conn.execute("SELECT id, name, uuid, created_at FROM codes ORDER BY id"):
        row = {"id": cid, "name": name, "uuid": uuid}
        rows.append(("create-code", f"Create code '{name}'", json.dumps([{"op": "insert", "table": "codes", "row": row}]),
                     json.dumps([{"op": "delete", "table": "codes", "id": cid}]), "AB", created))
        if cid % 10 == 0:
            rows.append(("rename-code", f"Rename '{name}' to '{name} (2)'",
                         json.dumps([{"op": "update", "table": "codes", "id": cid, "values": {"name": f"{name} (2)"}}]),
                         json.dumps([{"op": "update", "table": "codes", "id": cid, "values": {"name": name}}]),
                         "AB", created))
    names = dict(conn.execute("SELECT id, name FROM codes"))
    for kid, code_id, tid, nid, start, end, coder, created in conn.execute(
            "SELECT id, code_id, transcript_id, note_id, start_pos, end_pos, coder, created_at FROM codings ORDER BY id"):
        row = {"id": kid, "code_id": code_id, "transcript_id": tid, "note_id": nid, "start_pos": start,
               "end_pos": end, "coder": coder}
        rows.append(("apply-code", f"Apply '{names[code_id]}'", json.dumps([{"op": "insert", "table": "codings", "row": row}]),
                     json.dumps([{"op": "delete", "table": "codings", "id": kid}]), coder, created))
    rows.sort(key=lambda r: r[5])
    with conn:
        conn.executemany(
            "INSERT INTO operations (uuid, kind, label, forward, backward, state, coder, created_at) "
            "VALUES (lower(hex(randomblob(16))), ?, ?, ?, ?, 'done', ?, ?)", rows)
        n = len(rows)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return n


def timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(argv)}\n{done.stderr}")
    return elapsed


async def saturation_screen_paint(path: Path) -> float:
    from tacompanion.store.study import Study
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.writing.saturation import SaturationScreen

    with Study.open(path) as study:
        app = TacompanionApp(study, coder="AB", start=("map", 0))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            return await bench_run.push_until_painted(app, SaturationScreen())


def measure(path: Path, runs: int, rng: random.Random) -> dict[str, list[float]]:
    from tacompanion.store.hints import code_hints
    from tacompanion.store.saturation import study_saturation
    from tacompanion.store.study import Study

    exe = [sys.executable, "-m", "tacompanion", "--db", str(path)]
    out: dict[str, list[float]] = {k: [] for k in (
        "export-audit", "export-audit-docx", "saturation", "saturation-screen", "hints-largest", "hints-typical")}
    with tempfile.TemporaryDirectory() as tmp, Study.open(path) as study:
        largest = study.scalar("SELECT code_id FROM codings GROUP BY code_id ORDER BY count(*) DESC LIMIT 1")
        ids = [r[0] for r in study.conn.execute("SELECT id FROM codes")]
        sample = rng.sample(ids, min(15, len(ids)))
        for _ in range(runs):
            out["export-audit"].append(timed([*exe, "export", "audit", "-o", f"{tmp}/a.csv"]))
            out["export-audit-docx"].append(timed([*exe, "export", "audit", "-o", f"{tmp}/a.docx"]))
            t0 = time.perf_counter()
            study_saturation(study)
            out["saturation"].append(time.perf_counter() - t0)
            out["saturation-screen"].append(asyncio.run(saturation_screen_paint(path)))
            t0 = time.perf_counter()
            code_hints(study, largest)
            out["hints-largest"].append(time.perf_counter() - t0)
            each = []
            for cid in sample:
                t0 = time.perf_counter()
                code_hints(study, cid)
                each.append(time.perf_counter() - t0)
            out["hints-typical"].append(statistics.median(each))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", type=int, choices=(1, 10), default=1)
    parser.add_argument("--study", metavar="PATH", help="a study made by bench/run.py's generator (instead of the cache)")
    args = parser.parse_args()
    ensure_bytecode()
    if args.study:
        meta = Path(args.study).with_suffix(".json")
        info = {"path": args.study, "counts": json.loads(meta.read_text())["counts"]}
    else:
        sizes = {**bench_run.synth.DEFAULT_SIZES, **(SCALED if args.scale == 10 else {})}
        info = bench_run.cached_study(sizes)
    c = info["counts"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "study.db"
        entries = with_operation_log(info["path"], path)
        print(f"workload: {c['transcripts']} transcripts ({c['words']:,} words, {c['segments']:,} segments), "
              f"{c['codes']} codes, {c['codings']:,} codings, {entries:,} logged decisions; {args.runs} runs")
        results = measure(path, args.runs, random.Random(7))
    for name, values in results.items():
        print(f"{name:<20} median {statistics.median(values) * 1000:8.1f} ms   "
              f"min {min(values) * 1000:8.1f}   max {max(values) * 1000:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
