"""A worker for the kill -9 torture run (tests/test_torture.py): does the work
a screen does, through the same store functions, and prints `SAVED ...` (flushed)
only after each function has returned, as a screen shows "saved" only then.

    python tests/torture_worker.py coding STUDY SEED
"""

from __future__ import annotations

import random
import sys

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store.codes import apply_code, create_code, remove_coding
from tacompanion.store.study import Study


def coding(path: str, seed: int) -> None:
    rng = random.Random(seed)
    study = Study.open(path, create=False)
    tid = study.scalar("SELECT id FROM transcripts ORDER BY id LIMIT 1")
    text = study.scalar("SELECT text FROM transcripts WHERE id = ?", (tid,))
    codes = [r["id"] for r in study.query("SELECT id FROM codes ORDER BY id")]
    print("READY", flush=True)
    n = 0
    while True:
        n += 1
        if n % 7 == 0:
            name = f"torture {seed}-{n}"
            codes.append(create_code(study, name))
            print(f"SAVED code {name}", flush=True)
            continue
        start = rng.randrange(0, len(text) - 20)
        end = start + rng.randrange(1, 20)
        code = rng.choice(codes)
        coding_id = apply_code(study, code, DocRef(transcript_id=tid), Span(start, end), "torture")
        if coding_id is None:
            continue
        if rng.random() < 0.15:
            remove_coding(study, coding_id)
            print(f"REMOVED coding {code} {start} {end}", flush=True)
        else:
            print(f"SAVED coding {code} {start} {end}", flush=True)


if __name__ == "__main__":
    {"coding": coding}[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
