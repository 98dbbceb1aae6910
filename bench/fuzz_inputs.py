"""Fuzz the commands that read files from outside, as a user would run them.

    python bench/fuzz_inputs.py --inputs 3000            # about 15 minutes on 2 busy cores
    python bench/fuzz_inputs.py --inputs 200 --seed 7 --keep /tmp/fuzz-finds

Each input is a mutation of a real file (the shipped guides, small
transcripts in every format, the REFI-QDA samples in tests/data, and the
hand-made hostile files of tests/hostile_files.py), given to
`tacompanion guide check FILE` or `tacompanion import [--merge] FILE` in a
child process of its own, against a copy of a study with content. Counted:

- tracebacks: a Python traceback on stderr;
- hangs: no answer within --timeout seconds (the child is killed);
- internal errors: "internal error" on stderr (a bug, not bad input);
- unnamed: a refusal whose message does not name the file;
- studies changed: a refused import after which the study file differs.

All five must be 0. Inputs that break a rule are kept (--keep) to replay.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import hashlib
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import hostile_files as H  # noqa: E402

TOKENS = [b"[", b"]", b"**", b"*", b"#", b"## ", b"- ", b"    - ", b"-->", b" --> ", b"00:00:01.000", b"<v P1>",
          b"<b>", b"<", b">", b"&amp;", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\n\n", b":", b"P1: ",
          b"[5 min]", b"---\n", b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"&a;", b"<Code guid=\"", b"isCodable=\"false\"",
          b"</Code>", b"<Code name=\"x\" isCodable=\"true\">", b"startPosition=\"", b"-1", b"99999999999",
          b"\xf0\x9f\x98\x80", b"\\", b"`", b"```", b">"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not out:
            out.extend(rng.choice(TOKENS))
            continue
        at = rng.randrange(len(out))
        kind = rng.choice(["flip", "delete", "token", "token", "cut", "repeat", "splice-run"])
        if kind == "flip":
            out[at] = rng.randrange(256)
        elif kind == "delete":
            del out[at:at + rng.randint(1, 64)]
        elif kind == "token":
            out[at:at] = rng.choice(TOKENS) * rng.choice([1, 1, 2, 10, 1000])
        elif kind == "cut":
            del out[at:]
        elif kind == "repeat":
            piece = bytes(out[at:at + rng.randint(1, 200)])
            out[at:at] = piece * rng.randint(2, 200)
        else:  # a long run of one character: the inputs that find backtracking
            out[at:at] = bytes([rng.choice(b"-[*<:= ")]) * rng.choice([1_000, 20_000, 200_000])
    return bytes(out)


def mutate_qdpx(data: bytes, rng: random.Random) -> bytes:
    """Half the time the zip bytes, half the time the XML inside (zipped again)."""
    if rng.random() < 0.4:
        return mutate(data, rng)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            entries = {n: z.read(n) for n in z.namelist()}
    except Exception:  # noqa: BLE001 - a seed that is itself damaged: mutate its bytes
        return mutate(data, rng)
    names = list(entries)
    target = "project.qde" if "project.qde" in entries and rng.random() < 0.8 else rng.choice(names)
    xml = entries[target]
    if target == "project.qde" and rng.random() < 0.3:
        xml = _structural(xml, rng)
    entries[target] = mutate(xml, rng) if rng.random() < 0.7 else xml
    return H.zip_bytes(entries)


def _structural(xml: bytes, rng: random.Random) -> bytes:
    """Mutations that keep the XML well-formed: a repeated GUID, a code copied
    inside itself, a selection moved out of its text."""
    text = xml.decode("utf-8", errors="replace")
    guids = re.findall(r'guid="([^"]+)"', text)
    choice = rng.choice(["dup-guid", "nest", "positions", "cycle"])
    if choice == "dup-guid" and len(guids) > 1:
        a, b = rng.sample(guids, 2)
        text = text.replace(f'guid="{b}"', f'guid="{a}"', 1)
    elif choice in ("nest", "cycle"):
        m = re.search(r"<Code [^>]*/>", text)
        if m:
            inner = m.group(0)
            if choice == "cycle":  # the child repeats its parent's GUID (the same element inside itself)
                nested = inner[:-2] + ">" + inner + "</Code>"
            else:
                nested = inner
                for _ in range(rng.choice([10, 500, 3000])):
                    nested = inner[:-2] + ">" + nested + "</Code>"
            text = text.replace(m.group(0), nested, 1)
    elif choice == "positions":
        text = re.sub(r'startPosition="\d+"', lambda _: f'startPosition="{rng.choice([-5, 10**9, 3])}"', text,
                      count=rng.randint(1, 5))
    return text.encode("utf-8")


def seeds() -> dict[str, list[tuple[str, bytes]]]:
    guides = [(p.name, p.read_bytes()) for p in sorted((REPO / "guides").glob("*.md")) if p.name != "README.md"]
    transcripts = [
        ("t.txt", b"Interviewer: How did it start?\n\nP1: Slowly, with long silences.\n"),
        ("t.md", b"# Interview\n\n**Interviewer:** How did it start?\n\n**P1:** Slowly.\n"),
        ("t.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did it start?\n\n"
                  b"00:00:04.500 --> 00:00:09.000\n<v P1>Slowly, with long silences.\n"),
        ("t.srt", b"1\n00:00:01,000 --> 00:00:04,000\nInterviewer: How did it start?\n\n"
                  b"2\n00:00:04,500 --> 00:00:09,000\nP1: Slowly, <i>with</i> silences.\n"),
        ("t.docx", _docx()),
    ]
    projects = [(p.name, p.read_bytes()) for p in sorted(H.REFI.glob("*.qdpx"))]
    projects += [("deep.qdpx", H.nested_codes(50)), ("loop.qdpx", H.child_repeats_parent_guid()),
                 ("zlib.qdpx", H.damaged_entry("zlib"))]
    return {"guide": guides, "transcript": transcripts, "qdpx": projects}


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Interview", 1)
    d.add_paragraph("Interviewer: How did it start?")
    d.add_paragraph("P1: Slowly, with long silences.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_one(n: int, kind: str, name: str, data: bytes, work: Path, study: Path, timeout: float) -> dict:
    folder = work / f"{n:05d}"
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    if kind == "guide":
        argv = ["guide", "check", str(path)]
        db = None
    else:
        db = folder / "study.db"
        shutil.copy(study, db)
        argv = ["--db", str(db), "import"]
        argv += ["--merge", str(path)] if kind == "qdpx" else ["--participant", "P9", str(path)]
    before = digest(db) if db else None
    result = {"n": n, "kind": kind, "name": name, "argv": argv, "path": str(path)}
    try:
        r = subprocess.run([sys.executable, "-m", "tacompanion", *argv], capture_output=True, text=True,
                           timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        result["hang"] = True
        return result
    said = r.stdout + r.stderr
    result.update(rc=r.returncode, said=said[-600:])
    result["traceback"] = "Traceback (most recent call last)" in said
    result["internal"] = "internal error" in said
    if r.returncode != 0:
        result["unnamed"] = str(path) not in said
        if db is not None:
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            result["changed"] = digest(db) != before
    if not any(result.get(k) for k in ("traceback", "internal", "unnamed", "changed")):
        shutil.rmtree(folder, ignore_errors=True)  # kept otherwise, for --keep
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds before an input counts as a hang")
    ap.add_argument("--keep", type=Path, help="a folder to copy the inputs that break a rule into")
    ap.add_argument("--budget", type=float, default=0,
                    help="stop starting new inputs after this many seconds (0: no limit); those tried are counted")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    pools = seeds()
    kinds = ["guide", "transcript", "qdpx", "qdpx"]
    with tempfile.TemporaryDirectory(prefix="tac-fuzz-") as tmp:
        work = Path(tmp)
        study = work / "filled.db"
        from tacompanion.formats.qdpx_import import import_qdpx
        from tacompanion.store.study import Study

        with Study.open(study) as s:
            import_qdpx(s, H.REFI / "qc-demo.qdpx")
        jobs = []
        for n in range(args.inputs):
            kind = kinds[n % len(kinds)]
            name, base = rng.choice(pools[kind])
            data = mutate_qdpx(base, rng) if kind == "qdpx" else mutate(base, rng)
            jobs.append((n, kind, name, data))
        counts: collections.Counter = collections.Counter()
        by_kind: collections.Counter = collections.Counter()
        bad: list[dict] = []
        started = time.monotonic()

        def run_within_budget(*job):
            if args.budget and time.monotonic() - started > args.budget:
                return None  # not tried
            return run_one(*job, work, study, args.timeout)

        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_within_budget, *job) for job in jobs]
            done = 0
            for future in concurrent.futures.as_completed(futures):
                r = future.result()
                if r is None:
                    continue
                done += 1
                counts["inputs tried"] += 1
                by_kind[r["kind"]] += 1
                counts["accepted (exit 0)"] += r.get("rc") == 0
                counts["refused (exit 1)"] += r.get("rc") == 1
                for key, label in (("traceback", "tracebacks"), ("hang", "hangs"), ("internal", "internal errors"),
                                   ("unnamed", "messages not naming the file"),
                                   ("changed", "studies changed by a refused import")):
                    if r.get(key):
                        counts[label] += 1
                        bad.append(r)
                if done % 250 == 0:
                    bad_so_far = sum(counts[k] for k in ("tracebacks", "hangs", "internal errors",
                                                         "messages not naming the file",
                                                         "studies changed by a refused import"))
                    print(f"  {done} inputs, {bad_so_far} broke a rule...", file=sys.stderr, flush=True)
        if args.keep and bad:
            args.keep.mkdir(parents=True, exist_ok=True)
            for r in bad:
                src = Path(r["path"])
                if src.exists():
                    shutil.copy(src, args.keep / f"{r['n']:05d}-{r['name']}")
    order = ["inputs tried", "accepted (exit 0)", "refused (exit 1)", "tracebacks", "hangs", "internal errors",
             "messages not naming the file", "studies changed by a refused import"]
    for key in order:
        print(f"{key:<40} {counts[key]:>6}")
    print("by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())))
    for r in bad[:20]:
        print(f"\n#{r['n']} {r['kind']} {r['name']}: rc={r.get('rc')} hang={r.get('hang', False)}\n"
              f"  {r.get('said', '').strip()[-300:]}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
