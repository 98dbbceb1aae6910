"""Hostile files and big inputs: how long each takes and how much memory it
holds, through the real command line (a child process per run, its peak
memory read from getrusage inside it).

    python bench/bench_hardening.py            # every case, 3 runs each
    python bench/bench_hardening.py --runs 5 --only vtt

The tests prove the bounds by counting work (tests/test_linear_time.py) and
assert the memory cap (tests/test_qdpx_hostile.py); this script gives the
seconds, which tests never assert.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import hostile_files as H  # noqa: E402


def run_cli(*args: str) -> tuple[float, int, int, str]:
    """(seconds, peak MB, exit status, last line of stderr)."""
    started = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", H.MEMORY_WRAPPER, *args], capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    lines = r.stderr.splitlines()
    rss = next((int(x.split()[1]) for x in lines if x.startswith("MAXRSS")), -1)
    said = next((x for x in lines if not x.startswith("MAXRSS")), r.stdout.strip().splitlines()[-1:] or [""])
    return seconds, rss, r.returncode, (said if isinstance(said, str) else said[0])[:150]


def cases(tmp: Path) -> dict[str, list[str]]:
    """name -> CLI arguments (files written into tmp)."""
    out: dict[str, list[str]] = {}
    db = tmp / "study.db"
    for name, make in H.HOSTILE_QDPX.items():
        path = tmp / f"{name}.qdpx"
        path.write_bytes(make())
        out[f"qdpx {name}"] = ["--db", str(tmp / f"{name}.db"), "import", str(path)]
    three_million = tmp / "3M-codes.qdpx"
    three_million.write_bytes(H.many_codes(3_000_000))
    out["qdpx 3,000,000 codes"] = ["--db", str(tmp / "3m.db"), "import", str(three_million)]
    deep = tmp / "deep.qdpx"
    deep.write_bytes(H.nested_codes(3000))
    out["qdpx 3,000 nested codes (imported)"] = ["--db", str(tmp / "deep.db"), "import", str(deep)]
    docx = tmp / "bomb.docx"
    docx.write_bytes(H.docx_bomb(1 << 30))
    out["docx document.xml 1 GiB"] = ["--db", str(db), "import", "--participant", "P1", str(docx)]
    vtt = tmp / "dashes.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 " + "-" * 200_000 + "\n")
    out["vtt 200 kB line of dashes"] = ["--db", str(db), "import", "--participant", "P1", str(vtt)]
    guide = tmp / "brackets.md"
    guide.write_text("# T\n\n## " + "[" * 60_000 + "\n\n- A question?\n")
    out["guide 60,000 '[' in a heading"] = ["guide", "check", str(guide)]
    stars = tmp / "stars.md"
    stars.write_text("# T\n\n## S\n\n- " + "**" * 256 + "x" + "**" * 256 + "\n")
    out["guide 1 KB of nested '**'"] = ["guide", "check", str(stars)]
    line = tmp / "one-line.txt"
    line.write_bytes(b"P1: " + b"word " * 1_200_000)
    out["txt 6 MB on one line"] = ["--db", str(tmp / "line.db"), "import", str(line)]
    for mb in (1, 15):
        big = tmp / f"export-{mb}.db"
        _coded_study(big, mb)
        out[f"export codings, {mb} MB transcript coded on every turn"] = ["--db", str(big), "export", "codings",
                                                                           "-o", str(tmp / f"codings-{mb}.csv")]
    return out


def _coded_study(path: Path, megabytes: int) -> None:
    from synth import coded_transcript_study

    turn = "P1: this is one turn of a long interview, said slowly and with care\n\n"
    coded_transcript_study(path, turn * (megabytes * 1_000_000 // len(turn)), code="T")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="cases whose name contains this")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tac-hardening-") as tmp:
        table = cases(Path(tmp))
        print(f"{'case':<52} {'median s':>8} {'max MB':>7} {'exit':>4}  message")
        for name, argv in table.items():
            if args.only not in name:
                continue
            runs = []
            for _ in range(args.runs):
                if "import" in argv:  # each import into a fresh study
                    for suffix in ("", "-wal", "-shm"):
                        Path(argv[1] + suffix).unlink(missing_ok=True)
                runs.append(run_cli(*argv))
            seconds = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            print(f"{name:<52} {seconds:8.2f} {rss:7d} {runs[-1][2]:4d}  {runs[-1][3]}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
