"""Interview mode benchmarks (standalone; prints medians of several runs).

1. Command to interactive interview screen: the real CLI in a pseudo-terminal
   at 80x24, from spawning `python -m tacompanion ... interview GUIDE` to the
   first paint of the interview screen, for the shipped MBT guide and for a
   generated 60-question guide.
2. Committing a note with 5,000 notes already in the study: the store call
   alone (`add_note`: insert, covered event, commit), and the whole screen
   path from Enter to the note in the list (headless app).

Usage: .venv/bin/python bench/bench_interview.py [--runs N]
Needs pexpect (in the test extras).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bytecode import ensure_bytecode  # bench/ is the script's folder, on sys.path

REPO = Path(__file__).resolve().parent.parent
MBT = REPO / "guides" / "mbt-avpd-therapists.md"
sys.path.insert(0, str(REPO / "src"))


def sixty_question_guide() -> str:
    parts = ["---\nduration: 90\n---\n# A long guide: sixty questions\n", "Opening words for the benchmark.\n"]
    for s in range(1, 7):
        parts.append(f"## Section {s} [15 min]\n")
        parts.append(f"> Note: interviewer notes for section {s}.\n")
        for q in range(1, 11):
            parts.append(f"{q}. Question {q} of section {s}: how do you experience topic {s}.{q}?")
            for p in range(1, 4):
                parts.append(" " * len(f"{q}. ") + f"- Probe {p} about topic {s}.{q}?")
        parts.append("")
    return "\n".join(parts) + "\n"


def time_to_screen(guide: Path, runs: int, workdir: Path) -> list[float]:
    import pexpect

    times = []
    env = dict(os.environ, TERM="xterm-256color")
    for i in range(runs):
        db = workdir / f"startup-{guide.stem}-{i}.db"
        start = time.perf_counter()
        child = pexpect.spawn(
            sys.executable,
            ["-m", "tacompanion", "--db", str(db), "interview", str(guide), "--participant", f"B{i}"],
            cwd=str(REPO), env=env, dimensions=(24, 80), timeout=60, encoding="utf-8",
            codec_errors="replace",
        )
        child.expect("clock not started")  # the interview screen's status line: painted
        times.append(time.perf_counter() - start)
        child.send("\x11")  # ^q, then y: quit (the interview stays open)
        child.expect("Quit now")
        child.send("y")
        child.expect(pexpect.EOF)
        child.close()
    return times


def study_with_notes(path: Path, count: int):
    from tacompanion.core.note_markers import parse_note
    from tacompanion.formats.guide_file import read_guide_file
    from tacompanion.store import interviews as store
    from tacompanion.store.notes import add_note
    from tacompanion.store.study import Study

    study = Study.open(path)
    source, guide = read_guide_file(MBT)
    per_interview = 100
    interview_id = None
    for n in range(count):
        if n % per_interview == 0:
            pid, gid = store.prepare_interview(study, source, guide, str(MBT), f"P{n // per_interview}", pilot=False)
            interview_id = store.create_interview(study, pid, gid, guide, pilot=False)
            store.start_clock(study, interview_id)
        q = guide.questions[n % len(guide.questions)]
        add_note(study, interview_id, q.id, parse_note(f"note {n} about #topic{n % 7}"), n * 1000)
    return study, guide, interview_id


def time_store_commit(study, guide, interview_id: int, runs: int) -> list[float]:
    from tacompanion.core.note_markers import parse_note
    from tacompanion.store.notes import add_note

    times = []
    q = guide.questions[0]
    for i in range(runs):
        note = parse_note(f"!a quote {i} #bench")
        start = time.perf_counter()
        add_note(study, interview_id, q.id, note, 5_000_000 + i, mark_covered=True)
        times.append(time.perf_counter() - start)
    return times


def time_screen_commit(study, participant_id: int, guide_id: int, runs: int) -> list[float]:
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.interview.interview import InterviewScreen
    from tacompanion.tui.interview.interview_start import InterviewRequest

    times: list[float] = []

    async def drive() -> None:
        app = TacompanionApp(study, InterviewRequest(participant_id, guide_id, False, True))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, InterviewScreen)
            line = screen.query_one("#note-line")
            note_list = screen.query_one("#notes")
            for i in range(runs):
                line.value = f"screen note {i} #bench"
                before = note_list.option_count
                start = time.perf_counter()
                screen.action_save_note()  # what Enter runs: parse, commit, show
                assert note_list.option_count == before + 1
                times.append(time.perf_counter() - start)
                await pilot.pause()

    asyncio.run(drive())
    return times


def report(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(f"{label:<58} median {statistics.median(ms):8.2f} ms   (min {ms[0]:.2f}, max {ms[-1]:.2f}, n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="start-up runs per guide (default 7)")
    parser.add_argument("--notes", type=int, default=5000, help="notes already in the study (default 5000)")
    args = parser.parse_args()
    print(ensure_bytecode())
    os.environ.setdefault("TACOMPANION_BUSY_TIMEOUT_MS", "2000")

    with tempfile.TemporaryDirectory(prefix="tac-bench-") as tmp:
        work = Path(tmp)
        os.environ["HOME"] = str(work)  # keep the user's home out of it
        long_guide = work / "sixty-questions.md"
        long_guide.write_text(sixty_question_guide(), encoding="utf-8")

        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        report("command -> interview screen, MBT guide (14 q, 43 probes)", time_to_screen(MBT, args.runs, work))
        report("command -> interview screen, generated 60-question guide", time_to_screen(long_guide, args.runs, work))

        start = time.perf_counter()
        study, guide, interview_id = study_with_notes(work / "notes.db", args.notes)
        print(f"(set-up: {args.notes} notes in {args.notes // 100} interviews, {time.perf_counter() - start:.1f} s)")
        report(f"add_note commit, {args.notes} notes in the study", time_store_commit(study, guide, interview_id, 200))
        row = study.query("SELECT participant_id, guide_id FROM interviews WHERE id = ?", (interview_id,))[0]
        report(
            f"Enter -> note committed and listed, {args.notes}+ notes",
            time_screen_commit(study, row["participant_id"], row["guide_id"], 100),
        )
        study.close()


if __name__ == "__main__":
    main()
