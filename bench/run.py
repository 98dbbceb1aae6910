"""The benchmark runner: medians of several runs for each measured operation.

    python bench/run.py                 # every operation, 7 runs each
    python bench/run.py --runs 15 --only home-interactive
    python bench/run.py --json > bench/results/today.json
    python bench/run.py --list

Each operation is one function registered with `@operation(...)`: it does one
run and returns its metrics ({name: seconds}, the first one being the
headline). The runner does `--warmup` unmeasured runs first (default 1), then
`--runs` measured ones, and prints the median, min and max of each metric,
plus what the operation worked on. To add an operation, write such a function
below; `Context` gives it the default-size study (generated once and cached in
bench/.cache/), the 60-question guide, a scratch folder and the command to run
tacompanion with.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import platform
import re
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402
from bytecode import ensure_bytecode  # noqa: E402

from tacompanion import __version__ as TACOMPANION_VERSION  # noqa: E402
from tacompanion.store import schema  # noqa: E402
from tacompanion.store.study import Study  # noqa: E402

CACHE = BENCH / ".cache"
TERMINAL_SIZE = (120, 40)  # columns, rows
HELP_MARKER = "Keys: "  # the help screen's first line (tui/dialogs/help.py); its end is below the fold


class BenchError(Exception):
    """One run went wrong (bad exit status, unexpected output, a timeout)."""


# -- the registry -----------------------------------------------------------------------


@dataclass
class Operation:
    name: str
    run: Callable[[Context], dict[str, float]]
    workload: Callable[[Context], str]
    group: str = "tacompanion"  # or "baseline": context for reading the others


OPERATIONS: dict[str, Operation] = {}


def operation(name: str, workload: str | Callable[[Context], str], *, group: str = "tacompanion"):
    """Register `fn(ctx) -> {metric: seconds}` as one run of operation `name`."""

    def register(fn: Callable[[Context], dict[str, float]]):
        describe = workload if callable(workload) else (lambda ctx, text=workload: text)
        OPERATIONS[name] = Operation(name, fn, describe, group)
        return fn

    return register


# -- what operations work with ----------------------------------------------------------------


@dataclass
class Context:
    sizes: dict[str, int]
    work: Path  # scratch folder, removed at the end
    regenerate: bool = False
    _study: dict[str, Any] | None = field(default=None, repr=False)
    _guide: Path | None = field(default=None, repr=False)
    _counter: int = 0

    @property
    def python(self) -> str:
        return sys.executable

    @property
    def cli(self) -> list[str]:
        """How to run tacompanion: the console script next to this Python, if any."""
        script = Path(sys.executable).parent / "tacompanion"
        if script.exists():
            return [str(script)]
        return [sys.executable, "-m", "tacompanion"]

    @property
    def cli_label(self) -> str:
        cli = self.cli
        return "console script " + cli[0] if len(cli) == 1 else "python -m tacompanion"

    def fresh_path(self, stem: str, suffix: str = ".db") -> Path:
        self._counter += 1
        return self.work / f"{stem}-{self._counter}{suffix}"

    def guide60(self) -> Path:
        if self._guide is None:
            self._guide = synth.write_guide(self.work / "guide-60.md", questions=60)
        return self._guide

    def study(self) -> dict[str, Any]:
        """The benchmark study (default sizes unless the command line changed them):
        {path, sizes, counts, seconds, bytes, cached, made_on}."""
        if self._study is None:
            self._study = cached_study(self.sizes, regenerate=self.regenerate)
        return self._study


def generator_hash() -> str:
    """The generator's source and the schema version: a change remakes every study."""
    h = hashlib.sha256(Path(synth.__file__).read_bytes())
    h.update(f"schema {schema.latest_version()} synth {synth.SYNTH_VERSION}".encode())
    return h.hexdigest()[:16]


def cache_key(sizes: dict[str, int]) -> str:
    """Sizes and seed plus generator_hash()."""
    full = {**synth.DEFAULT_SIZES, **sizes}
    h = hashlib.sha256(json.dumps(full, sort_keys=True).encode())
    h.update(generator_hash().encode())
    return h.hexdigest()[:16]


def prune_cache(generator: str) -> None:
    """Drop cached studies made by another version of the generator or schema."""
    for meta in CACHE.glob("study-*.json"):
        with contextlib.suppress(OSError, ValueError):
            if json.loads(meta.read_text(encoding="utf-8")).get("generator") != generator:
                meta.with_suffix(".db").unlink(missing_ok=True)
                meta.unlink()


def cached_study(sizes: dict[str, int], *, regenerate: bool = False) -> dict[str, Any]:
    CACHE.mkdir(exist_ok=True)
    key = cache_key(sizes)
    db, meta = CACHE / f"study-{key}.db", CACHE / f"study-{key}.json"
    if regenerate or not (db.exists() and meta.exists()):
        tmp = CACHE / f"study-{key}.tmp.db"
        for p in (db, meta, tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            p.unlink(missing_ok=True)
        prune_cache(generator_hash())
        print(f"bench: generating the study ({key}) ...", file=sys.stderr, flush=True)
        info = synth.make_study(tmp, **sizes)
        problems = synth.verify(tmp)
        if problems:
            raise BenchError(f"the generated study is unsound: {'; '.join(problems)}")
        os.replace(tmp, db)  # closed, so no -wal / -shm beside it
        info.update(
            path=str(db),
            made_on=datetime.now().isoformat(timespec="seconds"),
            generator=generator_hash(),
        )
        meta.write_text(json.dumps(info, indent=2), encoding="utf-8")
        info["cached"] = False
        return info
    info = json.loads(meta.read_text(encoding="utf-8"))
    info.update(path=str(db), cached=True)
    return info


def study_workload(ctx: Context) -> str:
    info = ctx.study()
    c, s = info["counts"], info["sizes"]
    kind = "default sizes" if s == {**synth.DEFAULT_SIZES} else "custom sizes"
    return (
        f"the benchmark study ({kind}): {c['transcripts']} transcripts ({c['words']:,} words, "
        f"{c['segments']:,} segments), {c['participants']} participants (1 pilot), "
        f"{c['codes']} codes, {c['themes']} themes ({s['themes']} top-level), "
        f"{c['codings']:,} codings, {c['interviews']} interviews, {c['notes']} notes; "
        f"{info['bytes'] / 1e6:.1f} MB, seed {s['seed']}"
    )


# -- subprocess helpers ---------------------------------------------------------------------------


def timed_run(argv: list[str], *, expect: str | None = None, env: dict | None = None) -> float:
    """Wall time of a command run to completion, output captured; checks it worked."""
    return measured_run(argv, expect=expect, env=env)[0]


def measured_run(argv: list[str], *, expect: str | None = None, env: dict | None = None,
                 timeout: float = 300) -> tuple[float, float]:
    """(wall seconds, peak resident memory in MB) of a command run to
    completion, output captured (to files, so a large output costs the
    runner nothing); checks it worked. The peak is GNU time's %M (the
    command's maximum resident set): the runner's own rusage of a child would
    start from the runner's size, which a forked child inherits as its peak."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        peak_file = Path(tmp) / "peak"
        wrapped = [TIME, "-f", "%M", "-o", str(peak_file), *argv] if TIME else argv
        with open(Path(tmp) / "out", "w+b") as out, open(Path(tmp) / "err", "w+b") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(wrapped, stdout=out, stderr=err, env=env)
            # A blocking wait, with a timer to kill a command that hangs:
            # Popen.wait(timeout) polls with sleeps of up to 50 ms, which
            # rounded every figure up to the next step of the poll.
            killer = threading.Timer(timeout, proc.kill)
            killer.start()
            try:
                proc.wait()
            finally:
                killer.cancel()
            elapsed = time.perf_counter() - t0
            if elapsed >= timeout and proc.returncode is not None and proc.returncode < 0:
                raise BenchError(f"{' '.join(argv)}: no exit within {timeout:.0f} s")
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode("utf-8", "replace")
            stderr = err.read().decode("utf-8", "replace")
        peak = float("nan")
        if TIME and peak_file.exists():
            lines = peak_file.read_text().split()
            peak = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else peak
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv)}: exit {proc.returncode}: {stderr.strip()[-500:]}")
    if expect is not None and expect not in stdout:
        raise BenchError(f"{' '.join(argv)}: output lacks {expect!r}: {stdout.strip()[-300:]}")
    return elapsed, peak


TIME = shutil.which("time", path="/usr/bin:/bin")  # GNU time, for peak memory (None: not measured)


_THOUSANDS = re.compile(r"(?<=\d)[,\u202f\u00a0](?=\d{3}(?!\d))")
_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def terminal_env(extra: dict | None = None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEXTUAL") and k not in ("LINES", "COLUMNS", "TACOMPANION_DB")
    }
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    env.update(extra or {})
    return env


class PtyProcess:
    """A program in a pseudo-terminal of TERMINAL_SIZE, watched from outside.

    Times are seconds since just before the process was started. What the
    program draws is read as it arrives; `wait_for` finds text in it with the
    escape sequences taken out (Textual draws each line's text in runs, so a
    phrase within one widget's line comes through whole).
    """

    def __init__(self, argv: list[str], env: dict | None = None) -> None:
        cols, rows = TERMINAL_SIZE
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.buf = bytearray()
        self.eof = False
        self.last_read_at = 0.0  # seconds since start when the last output arrived
        self.t0 = time.perf_counter()
        try:
            self.proc = subprocess.Popen(
                argv, stdin=slave, stdout=slave, stderr=slave,
                env=terminal_env(env), start_new_session=True, close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)

    def now(self) -> float:
        return time.perf_counter() - self.t0

    def _read(self, timeout: float) -> bool:
        if self.eof:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # EIO: every copy of the slave side is closed
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.last_read_at = self.now()
        self.buf += chunk
        return True

    def text(self, since: int = 0) -> str:
        """What was drawn, escape sequences out and thousands separators
        dropped ("200,000" reads "200000"), so a marker names a number either way."""
        plain = _ANSI.sub(b"", bytes(self.buf[since:])).decode("utf-8", "replace")
        return _THOUSANDS.sub("", plain)

    def peak_memory_mb(self) -> float:
        """The program's peak resident memory so far (VmHWM), in MB."""
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise BenchError("no VmHWM in /proc status")

    def wait_for(self, *markers: str, since: int = 0, timeout: float = 20.0) -> float:
        """Seconds since start when every marker had been drawn (after byte `since`)."""
        deadline = time.perf_counter() + timeout
        while True:
            if all(m in self.text(since) for m in markers):
                return self.last_read_at
            left = deadline - time.perf_counter()
            if left <= 0 or (self.eof and not self._read(0)):
                raise BenchError(
                    f"{' / '.join(markers)!r} not drawn within {timeout:.0f} s; last screen text: "
                    f"{self.text()[-400:]!r}"
                )
            self._read(left)

    def send(self, data: bytes) -> int:
        """Type data; return the output position from which to look for its effect."""
        mark = len(self.buf)
        os.write(self.master, data)
        return mark

    def finish(self, timeout: float = 10.0) -> float:
        """Seconds since start when the program had exited (it must exit by itself)."""
        deadline = time.perf_counter() + timeout
        while not self.eof and time.perf_counter() < deadline:
            self._read(max(0.0, deadline - time.perf_counter()))
        try:
            self.proc.wait(max(0.1, deadline - time.perf_counter()))
        except subprocess.TimeoutExpired:
            self.kill()
            raise BenchError(f"did not exit within {timeout:.0f} s") from None
        ended = self.now()
        os.close(self.master)
        if self.proc.returncode != 0:
            raise BenchError(f"exit {self.proc.returncode}: {self.text()[-400:]!r}")
        return ended

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only what we started
            self.proc.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)


@contextlib.contextmanager
def pty_process(argv: list[str], env: dict | None = None):
    p = PtyProcess(argv, env)
    try:
        yield p
    finally:
        if p.proc.poll() is None:
            p.kill()


# -- the operations ------------------------------------------------------------------------------


@operation("help", lambda ctx: f"`tacompanion --help` run as {ctx.cli_label}, output captured")
def op_help(ctx: Context) -> dict[str, float]:
    return {"wall": timed_run([*ctx.cli, "--help"], expect="usage: tacompanion")}


@operation(
    "guide-check-60",
    lambda ctx: f"`tacompanion guide check` on a 60-question guide "
    f"({ctx.guide60().stat().st_size:,} bytes, 10 sections, written by synth.write_guide)",
)
def op_guide_check(ctx: Context) -> dict[str, float]:
    return {
        "wall": timed_run([*ctx.cli, "guide", "check", str(ctx.guide60())], expect="60 questions")
    }


_CREATE_SNIPPET = "import sys; from tacompanion.store.study import Study; Study.open(sys.argv[1]).close()"


@operation(
    "create-study",
    f"a new study file (schema v{schema.latest_version()}, FTS indexes, settings) on a fresh path each run: "
    "`Study.open(path)` in this process (modules already imported; close not counted), "
    f"and a whole `python -c \"{_CREATE_SNIPPET}\"` subprocess",
)
def op_create_study(ctx: Context) -> dict[str, float]:
    path = ctx.fresh_path("created")
    t0 = time.perf_counter()
    study = Study.open(path)
    in_process = time.perf_counter() - t0
    study.close()
    path2 = ctx.fresh_path("created")
    wall = timed_run([ctx.python, "-c", _CREATE_SNIPPET, str(path2)])
    for p in (path, path2):
        conn = sqlite3.connect(p)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.close()
        if version != schema.latest_version():
            raise BenchError(f"{p}: schema version {version} after creation")
    return {"in-process": in_process, "subprocess": wall}


@operation(
    "home-interactive",
    lambda ctx: f"`tacompanion --db STUDY` ({ctx.cli_label}) in a {TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]} "
    "pty, watched from outside: first-paint = start until the home screen with the study's "
    "counts has been drawn; help-shown = start until '?' typed at first paint has drawn the "
    "help screen; quit = ctrl+q until exit. On " + study_workload(ctx),
)
def op_home_interactive(ctx: Context) -> dict[str, float]:
    info = ctx.study()
    # The counted codings (pilots are shown apart: "17676 codings +2324 pilot");
    # "(17676" also matches "(17,676" (see PtyProcess.text).
    with Study.open(info["path"], create=False) as study:
        from tacompanion.store.overview import load_overview

        counted = load_overview(study).codings
    codings = f"({counted}"
    with pty_process([*ctx.cli, "--db", info["path"]]) as app:
        first_paint = app.wait_for("Study at a glance", codings, "Back up the study", timeout=90)
        mark = app.send(b"?")
        help_shown = app.wait_for(HELP_MARKER, since=mark)
        memory = app.peak_memory_mb()
        app.send(b"\x11")  # ctrl+q
        quit_at = app.now()
        ended = app.finish()
    return {"first-paint": first_paint, "help-shown": help_shown, "quit": ended - quit_at, "peak-MB": memory}


@operation(
    "home-breakdown",
    lambda ctx: "bench/home_probe.py in the same pty: the app's start-up steps, each as time "
    "since the parent started the process (wall clocks of parent and child compared): "
    "interpreter = the script's first line runs; cli = tacompanion.cli imported; tui = "
    "tacompanion.tui.app (Textual) imported; study = Study.open done; ready = Textual's Ready "
    "(handled after the first frame); home = first refresh with the home screen current. On the benchmark study",
)
def op_home_breakdown(ctx: Context) -> dict[str, float]:
    info = ctx.study()
    out = ctx.fresh_path("stamps", ".json")
    t0 = time.time()
    with pty_process(
        [ctx.python, str(BENCH / "home_probe.py"), info["path"]],
        env={"BENCH_T0": repr(t0), "BENCH_OUT": str(out)},
    ) as probe:
        probe.finish()
    data = json.loads(out.read_text(encoding="utf-8"))
    stamps = data["stamps"]
    if data["screen_at_ready"] != ["HomeScreen"]:
        print(f"bench: note: screen at Ready was {data['screen_at_ready']}", file=sys.stderr)
    names = [
        ("interpreter", "interpreter"), ("cli", "cli-imported"), ("tui", "tui-imported"),
        ("study", "study-opened"), ("ready", "ready"), ("home", "home"),
    ]
    return {label: stamps[key] - t0 for label, key in names}


def _largest_transcript(path: str) -> tuple[int, str, int]:
    """(id, file name, words) of the study's longest transcript."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT t.id, t.file_name, (SELECT group_concat(s.text, ' ') FROM segments s "
            "WHERE s.transcript_id = t.id) FROM transcripts t"
        ).fetchall()
    finally:
        conn.close()
    best = max(rows, key=lambda r: len((r[2] or "").split()))
    return best[0], best[1], len((best[2] or "").split())


@operation(
    "coding-open",
    lambda ctx: "`tacompanion --db STUDY code FILE` in a "
    f"{TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]} pty on the study's longest transcript "
    f"({_largest_transcript(ctx.study()['path'])[2]:,} words), watched from outside: first-paint = "
    "start until the coding screen's status line is drawn. On " + study_workload(ctx),
)
def op_coding_open(ctx: Context) -> dict[str, float]:
    info = ctx.study()
    _, name, _ = _largest_transcript(info["path"])
    with pty_process([*ctx.cli, "--db", info["path"], "code", name, "--coder", "bench"]) as app:
        first_paint = app.wait_for("c code · 1-9 recent", timeout=90)
        memory = app.peak_memory_mb()
        app.send(b"\x11")
        app.finish()
    return {"first-paint": first_paint, "peak-MB": memory}


async def push_until_painted(app, screen) -> float:
    """Seconds from pushing `screen` until its first frame is drawn and
    nothing is left to draw: a callback queued with call_after_refresh runs
    when the screen is idle with no layout, repaint or dirty widget pending
    (textual.screen.Screen._on_idle), that is, once the first paint is done
    and the screen waits for keys."""
    import asyncio

    painted = asyncio.Event()
    t0 = time.perf_counter()
    app.push_screen(screen)
    screen.call_after_refresh(painted.set)
    await painted.wait()
    return time.perf_counter() - t0


def _coding_actions(path: str, transcript_id: int) -> dict[str, float]:
    """One run in this process: the coding screen at 120x40 on a copy of the
    study; each action timed from the call to the view's visible lines drawn."""
    import asyncio

    from tacompanion.store.codes import list_codes
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.coding.coding import CodingScreen
    from tacompanion.tui.dialogs.picker import FuzzyPicker

    out: dict[str, float] = {}

    async def main() -> None:
        study = Study.open(path)
        app = TacompanionApp(study, coder="bench")
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            await pilot.pause()
            out["first-paint"] = await push_until_painted(app, CodingScreen("transcript", transcript_id, "bench"))
            app.pop_screen()
            await pilot.pause()
            t0 = time.perf_counter()
            await app.push_screen(CodingScreen("transcript", transcript_id, "bench"))
            await pilot.pause()
            out["open"] = time.perf_counter() - t0
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            view = screen.view

            def paint() -> None:
                for y in range(view.size.height):
                    view.render_line(y)

            listing = screen.query_one("#code-list")

            def paint_list() -> None:
                # The panel's rows on screen drawn: since issue 16 a row's counts
                # are read when it is first drawn, so the drawing is part of it.
                for y in range(listing.size.height):
                    listing.render_line(y)

            code_id = list_codes(study)[len(list_codes(study)) // 2].id
            view.move_to(1)
            await pilot.pause()
            t0 = time.perf_counter()
            screen.action_move(1)
            paint()
            out["move"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            screen.apply_code(code_id)
            paint()
            out["apply"] = time.perf_counter() - t0
            await pilot.pause()
            t0 = time.perf_counter()
            screen.refresh_codes(code_id)
            paint_list()
            out["code-counts-after-apply"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            screen.refresh_codes()
            paint_list()
            out["code-list-rebuild"] = time.perf_counter() - t0
            if hasattr(screen, "update_codes"):  # issue 16's one-row update (absent before it)
                t0 = time.perf_counter()
                screen.update_codes((code_id,))
                paint_list()
                out["code-panel-after-change"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            screen.action_undo()
            paint()
            out["undo"] = time.perf_counter() - t0
            await pilot.pause()
            items = [(c.id, c.name) for c in list_codes(study)]
            picker = FuzzyPicker("bench", items, allow_create=True)
            app.push_screen(picker)
            await pilot.pause()
            times = []
            for query in ("t", "th", "the", "ther", "thera"):
                t0 = time.perf_counter()
                picker.refilter(query)
                times.append(time.perf_counter() - t0)
            out["filter-keystroke"] = statistics.median(times)
        study.close()

    asyncio.run(main())
    return out


@operation(
    "coding-actions",
    lambda ctx: "the coding screen in this process (Textual run_test, "
    f"{TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]}) on a copy of the study, longest transcript: "
    "first-paint = the screen pushed until its first frame is drawn and it waits for keys "
    "(push_until_painted); open = the same until Pilot.pause finds the process idle (adds "
    "Textual's idle polling); move = j, apply = a code applied to the turn (commit + operation log + the visible lines "
    "redrawn), undo = u (same), code-counts-after-apply = the recent strip and the applied "
    "code's counts in the code panel, done after the frame; code-list-rebuild = the whole code "
    "panel rebuilt (with a filter typed); code-panel-after-change = the one changed row recounted and put "
    "in place, with the recent strip (after undo, rename, merge, delete), filter-keystroke = the picker re-ranking "
    f"{ctx.study()['counts']['codes']} codes "
    "for one more typed letter (median over 5 letters). On " + study_workload(ctx),
)
def op_coding_actions(ctx: Context) -> dict[str, float]:
    info = ctx.study()
    copy = ctx.fresh_path("coding")
    shutil.copy(info["path"], copy)
    transcript_id, _, _ = _largest_transcript(str(copy))
    return _coding_actions(str(copy), transcript_id)


def _themes_run(path: str) -> dict[str, float]:
    """One run in this process (Textual run_test): the thematic map, the
    participants x themes matrix and the review of the theme with the most
    extracts. Two kinds of figure: the work of each view (compute its data
    and draw what is on screen, cold), and the whole screen pushed until
    Textual is idle, next to a baseline screen (help) pushed the same way."""
    import asyncio

    from tacompanion.core.document import DocRef
    from tacompanion.core.spans import Span
    from tacompanion.store.codes import apply_code, remove_coding
    from tacompanion.store.thematic import thematic_map
    from tacompanion.tui.app import TacompanionApp
    from tacompanion.tui.dialogs.help import HelpScreen
    from tacompanion.tui.thematic.matrix import MatrixScreen
    from tacompanion.tui.thematic.review import ReviewScreen
    from tacompanion.tui.thematic.thematic_map import ThemeMapScreen

    out: dict[str, float] = {}

    def draw(view) -> None:
        for y in range(view.size.height):
            view.render_line(y)

    async def main() -> None:
        study = Study.open(path)
        app = TacompanionApp(study, coder="bench")
        async with app.run_test(size=TERMINAL_SIZE) as pilot:
            await pilot.pause()
            out["baseline-first-paint"] = await push_until_painted(app, HelpScreen("bench", [("q", "quit")], []))
            app.pop_screen()
            await pilot.pause()
            t0 = time.perf_counter()
            await app.push_screen(HelpScreen("bench", [("q", "quit")], []))
            await pilot.pause()
            out["baseline-screen-open"] = time.perf_counter() - t0
            app.pop_screen()
            await pilot.pause()
            out["map-first-paint"] = await push_until_painted(app, ThemeMapScreen())
            app.pop_screen()
            await pilot.pause()
            out["matrix-first-paint"] = await push_until_painted(app, MatrixScreen())
            app.pop_screen()
            await pilot.pause()

            t0 = time.perf_counter()
            await app.push_screen(ThemeMapScreen())
            await pilot.pause()
            out["map-screen-open"] = time.perf_counter() - t0
            screen = app.screen
            t0 = time.perf_counter()
            screen.reload()
            draw(screen.tree)
            out["map"] = time.perf_counter() - t0
            # after a coding change: the code with the most codings applied
            # to an extract that another code codes (as in the coding
            # screen), then the map again; then the coding removed again
            top = study.scalar("SELECT code_id FROM codings GROUP BY code_id ORDER BY count(*) DESC LIMIT 1")
            doc, start, end = study.conn.execute(
                "SELECT transcript_id, start_pos, end_pos FROM codings k WHERE transcript_id IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM codings o WHERE o.transcript_id = k.transcript_id "
                "AND o.start_pos = k.start_pos AND o.end_pos = k.end_pos AND o.code_id = ?) LIMIT 1",
                (top,)).fetchone()
            coding = apply_code(study, top, DocRef(transcript_id=doc), Span(start, end), "bench")
            t0 = time.perf_counter()
            screen.reload()
            draw(screen.tree)
            out["map-after-change"] = time.perf_counter() - t0
            remove_coding(study, coding)
            screen.reload()
            screen.action_visual()
            await pilot.pause()
            t0 = time.perf_counter()
            screen.draw_visual()
            draw(screen.query_one("#map-visual"))
            out["boxes"] = time.perf_counter() - t0

            t0 = time.perf_counter()
            await app.push_screen(MatrixScreen())
            await pilot.pause()
            out["matrix-screen-open"] = time.perf_counter() - t0
            matrix = app.screen
            t0 = time.perf_counter()
            matrix.fill()
            table = matrix.query_one("#matrix")
            for y in range(table.size.height):
                table.render_line(y)
            out["matrix"] = time.perf_counter() - t0
            app.pop_screen()
            await pilot.pause()

            biggest = max((r for r in thematic_map(study).rows if r.kind == "theme"),
                          key=lambda r: r.counts.extracts)
            out["review-first-paint"] = await push_until_painted(app, ReviewScreen("theme", biggest.id))
            app.pop_screen()
            await pilot.pause()
            t0 = time.perf_counter()
            await app.push_screen(ReviewScreen("theme", biggest.id))
            await pilot.pause()
            out["review-screen-open"] = time.perf_counter() - t0
            review = app.screen
            assert len(review.extracts) == biggest.counts.extracts, (len(review.extracts), biggest.counts)
            t0 = time.perf_counter()
            review.reload()
            draw(review.view)
            out["review"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            review.view.action_page(1)
            draw(review.view)
            out["review-page-down"] = time.perf_counter() - t0
        study.close()

    asyncio.run(main())
    return out


def _themes_workload(ctx: Context) -> str:
    path = ctx.study()["path"]
    conn = sqlite3.connect(path)
    try:
        biggest = conn.execute(
            "WITH RECURSIVE up(code_id, theme_id) AS (SELECT id, theme_id FROM codes WHERE theme_id IS NOT NULL "
            "UNION ALL SELECT up.code_id, t.parent_id FROM up JOIN themes t ON t.id = up.theme_id "
            "WHERE t.parent_id IS NOT NULL) "
            "SELECT count(DISTINCT k.transcript_id || ':' || k.start_pos || ':' || k.end_pos) AS n "
            "FROM up JOIN codings k ON k.code_id = up.code_id "
            "JOIN transcripts t ON t.id = k.transcript_id JOIN participants p ON p.id = t.participant_id "
            "WHERE p.pilot = 0 GROUP BY up.theme_id ORDER BY n DESC LIMIT 1"
        ).fetchone()[0]
    finally:
        conn.close()
    return (
        f"in this process (Textual run_test, {TERMINAL_SIZE[0]}x{TERMINAL_SIZE[1]}). The views' work, "
        "cold: map = counts and labels for every code and theme read from the counts kept in the "
        "file (analysis_tallies, current) and the tree's visible rows drawn; map-after-change = the same "
        "after the code with the most codings was applied to an extract another code codes "
        "(codes.apply_code; the counts adjusted from that one change); boxes = the boxes view laid out "
        "and drawn; matrix = participants x main themes (the cells kept in the file) read, its "
        f"table filled and drawn; review = the {biggest:,} extracts of the theme "
        "with the most read, grouped, and the visible rows and the detail drawn; review-page-down = "
        "one page down drawn. Whole screens pushed until their first frame is drawn and they "
        "wait for keys (push_until_painted): baseline-/map-/matrix-/review-first-paint. "
        "Whole screens pushed until Textual is idle (Pilot.pause): "
        "map-/matrix-/review-screen-open, and baseline-screen-open = the help screen, Textual's "
        "own floor for a screen here. On " + study_workload(ctx)
    )


@operation("themes", _themes_workload)
def op_themes(ctx: Context) -> dict[str, float]:
    # a coding is applied and removed: not in the cached study. One copy for
    # every run (the warm-up run stores the counts kept in it, as the first
    # look at a freshly generated study would)
    copy = ctx.work / "themes-study.db"
    if not copy.exists():
        shutil.copy(ctx.study()["path"], copy)
    return _themes_run(str(copy))


def _qdpx_file(ctx: Context) -> Path:
    """The benchmark study exported once (for the import runs)."""
    path = ctx.work / "bench-study.qdpx"
    if not path.exists():
        timed_run([*ctx.cli, "--db", ctx.study()["path"], "export", "qdpx", "-o", str(path)])
    return path


@operation(
    "qdpx-export",
    lambda ctx: f"`tacompanion export qdpx -o FILE` as a subprocess (process start included): "
    f"the whole study as a REFI-QDA zip, on {study_workload(ctx)}",
)
def op_qdpx_export(ctx: Context) -> dict[str, float]:
    out = ctx.fresh_path("export", ".qdpx")
    wall, memory = measured_run([*ctx.cli, "--db", ctx.study()["path"], "export", "qdpx", "-o", str(out)])
    if not zipfile.is_zipfile(out):
        raise BenchError(f"{out}: not a zip after export qdpx")
    out.unlink()
    return {"wall": wall, "peak-MB": memory}


def _export_workload(what: str):
    def describe(ctx: Context) -> str:
        return (f"`tacompanion --db STUDY export {what} -o FILE` run as {ctx.cli_label}, process "
                "start to exit (redaction list of 3 entries applied). On " + study_workload(ctx))

    return describe


def _export_run(ctx: Context, kind: str, expect: str) -> dict[str, float]:
    info = ctx.study()
    study = Path(info["path"])
    copy = ctx.work / f"export-{study.name}"
    if not copy.exists():  # a copy with a redaction list; the cached study stays as made
        shutil.copy(study, copy)
        for find, replacement in (("Tromsø", "[city]"), ("Bergen", "[city]"), ("Anna Berg", "[name]")):
            timed_run([*ctx.cli, "--db", str(copy), "redact", "add", find, replacement])
    out = ctx.fresh_path(f"export-{kind}", ".md" if kind == "report" else ".csv")
    wall, memory = measured_run([*ctx.cli, "--db", str(copy), "export", kind, "-o", str(out)])
    with open(out, encoding="utf-8") as f:
        if expect not in f.read(200):
            raise BenchError(f"export {kind}: {out} does not start as expected")
    out.unlink()
    return {"wall": wall, "peak-MB": memory}


@functools.lru_cache(maxsize=8)
def _large_flag(path: Path) -> list[str]:
    """["--large"] when the .qdpx is beyond the import's default limits
    (formats/qdpx_import.py, docs/limits.md: the 10x study's export is),
    else []: the import refuses such a file without the flag."""
    from tacompanion.formats import qdpx_import as q

    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        qde = next(i for i in infos if i.filename.lower().endswith(".qde"))
        elements = 0
        if qde.file_size <= q.MAX_QDE_BYTES:
            data = z.read(qde)
            elements = data.count(b"<") - data.count(b"</") - data.count(b"<?") - data.count(b"<!")
    over = (qde.file_size > q.MAX_QDE_BYTES or elements > q.MAX_XML_ELEMENTS
            or sum(i.file_size for i in infos) > q.QDPX_LIMITS.max_total_bytes
            or any(i.file_size > q.MAX_SOURCE_BYTES for i in infos if i is not qde))
    return ["--large"] if over else []


@operation(
    "qdpx-import",
    lambda ctx: f"`tacompanion import FILE.qdpx{' --large' if _large_flag(_qdpx_file(ctx)) else ''}` "
    f"into a new study as a subprocess (process start "
    f"and study creation included), the file being the export of {study_workload(ctx)} "
    f"({_qdpx_file(ctx).stat().st_size / 1e6:.1f} MB; --large is passed when the file is beyond the "
    "default limits of docs/limits.md, as the 10x study's is)",
)
def op_qdpx_import(ctx: Context) -> dict[str, float]:
    source = _qdpx_file(ctx)
    db = ctx.fresh_path("imported")
    wall, memory = measured_run([*ctx.cli, "--db", str(db), "import", str(source), *_large_flag(source)],
                                expect="codings")
    conn = sqlite3.connect(db)
    try:
        codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    finally:
        conn.close()
    expected = ctx.study()["counts"]["codings"]
    if codings != expected:
        raise BenchError(f"qdpx import: {codings} codings, expected {expected}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return {"wall": wall, "peak-MB": memory}


NOTES_PER_RUN = 40


@operation(
    "note-commit",
    lambda ctx: f"one interview note saved (store.notes.add_note: one transaction, committed) in a "
    f"fresh study in WAL mode, median of {NOTES_PER_RUN} notes, with PRAGMA synchronous=FULL "
    "(what the app uses) and =NORMAL (the previous setting); the study on the same disk as the repo",
)
def op_note_commit(ctx: Context) -> dict[str, float]:
    from tacompanion.core.note_markers import parse_note
    from tacompanion.store.notes import add_note
    from tacompanion.store.participants import ensure_participant

    out: dict[str, float] = {}
    for mode in ("FULL", "NORMAL"):
        path = ctx.fresh_path(f"notes-{mode.lower()}")
        study = Study.open(path)
        try:
            pid = ensure_participant(study, "P1")
            with study.write() as db:
                table = db["interviews"]
                table.insert({"uuid": "bench", "participant_id": pid, "pilot": 0,
                              "created_at": "2026-01-01T00:00:00.000Z", "recording_offset_ms": 0})
                interview_id = table.last_pk
            study.conn.execute(f"PRAGMA synchronous = {mode}")
            times = []
            for n in range(NOTES_PER_RUN):
                note = parse_note(f"note {n}: she paused before answering, then spoke of the waiting room")
                t0 = time.perf_counter()
                add_note(study, interview_id, None, note, n * 1000)
                times.append(time.perf_counter() - t0)
            out[mode.lower()] = statistics.median(times)
        finally:
            study.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    # What the disk itself charges for making 4 KiB durable: the floor under "full".
    raw = ctx.fresh_path("fsync", ".bin")
    fd = os.open(raw, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        times = []
        for _ in range(NOTES_PER_RUN):
            os.write(fd, b"x" * 4096)
            t0 = time.perf_counter()
            os.fsync(fd)
            times.append(time.perf_counter() - t0)
        out["fsync-4k"] = statistics.median(times)
    finally:
        os.close(fd)
        raw.unlink(missing_ok=True)
    return out


# -- teams (issue 12): two coders of 20,000 codings each ------------------------------------------


def _two_coders(ctx: Context) -> dict[str, Path]:
    """From the benchmark study, made once per run of the runner:
    kim.db: every coding credited to kim (20,000);
    lee.db: the same study, its codings replaced by lee's 20,000, which
        agree with kim's on about 70 % (same span and code), move a boundary
        by a few words on 20 % and use another code on 10 %;
    lee.qdpx: lee.db exported; both.db: kim's and lee's codings together."""
    paths = {k: ctx.work / f"teams-{k}" for k in ("kim.db", "lee.db", "lee.qdpx", "both.db")}
    if paths["both.db"].exists():
        return paths
    import random

    shutil.copy(ctx.study()["path"], paths["kim.db"])
    conn = sqlite3.connect(paths["kim.db"])
    conn.execute("UPDATE codings SET coder = 'kim'")
    conn.commit()
    rows = conn.execute("SELECT code_id, transcript_id, note_id, start_pos, end_pos, created_at "
                        "FROM codings ORDER BY id").fetchall()
    codes = [r[0] for r in conn.execute("SELECT id FROM codes ORDER BY id")]
    length = dict(conn.execute("SELECT id, length(text) FROM transcripts").fetchall())
    conn.close()
    rng = random.Random(12)
    lee, seen = [], set()
    for code, tid, nid, start, end, created in rows:
        roll = rng.random()
        if roll < 0.2 and tid is not None:
            start = min(length[tid] - 1, max(0, start + rng.randint(-40, 40)))
            end = min(length[tid], max(start + 1, end + rng.randint(-40, 40)))
        elif roll < 0.3:
            code = rng.choice(codes)
        key = (code, tid, nid, start, end)
        while key in seen:  # keep (document, span, code, coder) unique
            code = rng.choice(codes)
            key = (code, tid, nid, start, end)
        seen.add(key)
        lee.append((str(uuid.UUID(int=rng.getrandbits(128))), code, tid, nid, start, end, "lee", created))
    shutil.copy(paths["kim.db"], paths["lee.db"])
    shutil.copy(paths["kim.db"], paths["both.db"])
    for target, clear in ((paths["lee.db"], True), (paths["both.db"], False)):
        conn = sqlite3.connect(target)
        if clear:
            conn.execute("DELETE FROM codings")
        conn.executemany("INSERT INTO codings (uuid, code_id, transcript_id, note_id, start_pos, end_pos, "
                         "coder, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", lee)
        conn.commit()
        conn.close()
    timed_run([*ctx.cli, "--db", str(paths["lee.db"]), "export", "qdpx", "-o", str(paths["lee.qdpx"])])
    return paths


@operation(
    "agreement",
    lambda ctx: "`tacompanion agreement kim lee --json` as a subprocess (process start included): "
    f"characters as units, every code, on the benchmark study with two coders of "
    f"{ctx.study()['counts']['codings']:,} codings each "
    "(lee's agree with kim's on ~70 %, move a boundary on ~20 %, use another code on ~10 %); "
    + study_workload(ctx),
)
def op_agreement(ctx: Context) -> dict[str, float]:
    both = _two_coders(ctx)["both.db"]
    wall, memory = measured_run([*ctx.cli, "--db", str(both), "agreement", "kim", "lee", "--json"],
                                expect='"overall"')
    return {"wall": wall, "peak-MB": memory}


@operation(
    "merge-qdpx",
    lambda ctx: "`tacompanion merge lee.qdpx` as a subprocess (process start included): lee's copy of the "
    f"benchmark study exported ({ctx.study()['counts']['codings']:,} codings by lee) merged into a fresh copy "
    f"of kim's (as many by kim); every source, participant and code matched, lee's codings added; "
    + study_workload(ctx),
)
def op_merge_qdpx(ctx: Context) -> dict[str, float]:
    paths = _two_coders(ctx)
    target = ctx.fresh_path("merge-into")
    shutil.copy(paths["kim.db"], target)
    wall, memory = measured_run([*ctx.cli, "--db", str(target), "merge", str(paths["lee.qdpx"]),
                                 *_large_flag(paths["lee.qdpx"])], expect="codings")
    conn = sqlite3.connect(target)
    try:
        got = conn.execute("SELECT count(*) FROM codings WHERE coder = 'lee'").fetchone()[0]
    finally:
        conn.close()
    expected = ctx.study()["counts"]["codings"]
    if got != expected:
        raise BenchError(f"merge: {got} codings by lee arrived, expected {expected:,}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return {"wall": wall, "peak-MB": memory}


@operation("export-report", _export_workload("report"))
def op_export_report(ctx: Context) -> dict[str, float]:
    return _export_run(ctx, "report", "# Thematic analysis report")


@operation("export-codebook", _export_workload("codebook"))
def op_export_codebook(ctx: Context) -> dict[str, float]:
    return _export_run(ctx, "codebook", "theme,code,description")


@operation("export-codings", _export_workload("codings"))
def op_export_codings(ctx: Context) -> dict[str, float]:
    return _export_run(ctx, "codings", "participant,transcript,segment")


@operation(
    "stats-json",
    lambda ctx: f"`tacompanion --db STUDY stats --json` run as {ctx.cli_label}, output captured, "
    "process start to exit. On " + study_workload(ctx),
)
def op_stats_json(ctx: Context) -> dict[str, float]:
    wall, memory = measured_run([*ctx.cli, "--db", ctx.study()["path"], "stats", "--json"], expect='"prevalence"')
    return {"wall": wall, "peak-MB": memory}


@operation("python-bare", "`python -c pass`: the interpreter's own start", group="baseline")
def op_python_bare(ctx: Context) -> dict[str, float]:
    return {"wall": timed_run([ctx.python, "-c", "pass"])}


@operation("import-textual", "`python -c 'import textual.app'`", group="baseline")
def op_import_textual(ctx: Context) -> dict[str, float]:
    return {"wall": timed_run([ctx.python, "-c", "import textual.app"])}


_HELLO = """\
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("bench hello 4242")
Hello().run()
"""


@operation(
    "textual-hello",
    "a minimal Textual app (one Static) measured like home-interactive: "
    "first-paint = start until its text is drawn; quit = ctrl+q until exit",
    group="baseline",
)
def op_textual_hello(ctx: Context) -> dict[str, float]:
    with pty_process([ctx.python, "-c", _HELLO]) as app:
        first_paint = app.wait_for("bench hello 4242")
        app.send(b"\x11")  # ctrl+q
        quit_at = app.now()
        ended = app.finish()
    return {"first-paint": first_paint, "quit": ended - quit_at}


# -- running and reporting -------------------------------------------------------------------------


def measure(op: Operation, ctx: Context, runs: int, warmup: int) -> dict[str, Any]:
    values: dict[str, list[float]] = {}
    for i in range(warmup + runs):
        metrics = op.run(ctx)
        if i < warmup:
            continue
        for name, seconds in metrics.items():
            values.setdefault(name, []).append(seconds)
    return {
        "name": op.name,
        "group": op.group,
        "workload": op.workload(ctx),
        "metrics": {
            name: {
                "median": statistics.median(v),
                "min": min(v),
                "max": max(v),
                "values": [round(x, 6) for x in v],
            }
            for name, v in values.items()
        },
    }


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "tacompanion": TACOMPANION_VERSION,
        "textual": version("textual"),
        "sqlite": sqlite3.sqlite_version,
    }


def table(report: dict[str, Any]) -> str:
    rows = [("operation", "metric", "median ms", "min ms", "max ms")]
    for result in report["results"]:
        for i, (name, m) in enumerate(result["metrics"].items()):
            # seconds shown as ms; "peak-MB" metrics (peak resident memory) as MB
            scale, unit = (1, " MB") if name.endswith("-MB") else (1000, "")
            rows.append(
                (
                    result["name"] if i == 0 else "",
                    name,
                    f"{m['median'] * scale:.1f}{unit}",
                    f"{m['min'] * scale:.1f}{unit}",
                    f"{m['max'] * scale:.1f}{unit}",
                )
            )
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    lines = []
    for n, r in enumerate(rows):
        lines.append(
            "  ".join(
                r[c].ljust(widths[c]) if c < 2 else r[c].rjust(widths[c]) for c in range(5)
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    m = report["machine"]
    head = [
        f"tacompanion {m['tacompanion']} benchmarks, {report['date']}: "
        f"{report['runs']} runs each after {report['warmup']} warm-up, medians",
        f"Python {m['python']}, Textual {m['textual']}, SQLite {m['sqlite']}, "
        f"{m['cpus']} CPUs, {m['platform']}",
    ]
    if report.get("bytecode"):
        head.append(f"bytecode: {report['bytecode']}")
    study = report.get("study")
    if study:
        state = "cached" if study["cached"] else "generated now"
        head.append(
            f"benchmark study: {study['bytes'] / 1e6:.1f} MB, generated in {study['seconds']:.2f} s "
            f"({state}; made {study.get('made_on', '?')})"
        )
    work = ["", "Workloads:"] + [f"  {r['name']}: {r['workload']}" for r in report["results"]]
    failed = [f"  FAILED {name}: {why}" for name, why in report["failures"].items()]
    return "\n".join(head + [""] + lines + work + ([""] + failed if failed else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run the tacompanion benchmarks and print medians (see bench/README.md)."
    )
    parser.add_argument("--runs", type=int, default=7, metavar="N", help="measured runs (default 7)")
    parser.add_argument("--warmup", type=int, default=1, metavar="N", help="unmeasured runs first (default 1)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only NAME (repeatable, or comma-separated)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--list", action="store_true", help="list the operations and exit")
    parser.add_argument("--regenerate", action="store_true", help="remake the cached default study (timed)")
    synth.add_size_arguments(parser)
    args = parser.parse_args(argv)
    if args.list:
        for op in OPERATIONS.values():
            print(f"{op.name:<18} {op.group}")
        return 0
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    names = list(OPERATIONS)
    if args.only:
        names = [n.strip() for chunk in args.only for n in chunk.split(",") if n.strip()]
        unknown = [n for n in names if n not in OPERATIONS]
        if unknown:
            parser.error(f"unknown operation {', '.join(unknown)}; known: {', '.join(OPERATIONS)}")

    compiled = ensure_bytecode()
    work = Path(tempfile.mkdtemp(prefix="tacompanion-bench-"))
    ctx = Context(sizes=synth.sizes_from_args(args), work=work, regenerate=args.regenerate)
    report: dict[str, Any] = {
        "date": datetime.now().date().isoformat(),
        "runs": args.runs,
        "warmup": args.warmup,
        "cli": ctx.cli_label,
        "machine": machine(),
        "bytecode": compiled,
        "results": [],
        "failures": {},
    }
    started = time.perf_counter()
    try:
        for name in names:
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            try:
                report["results"].append(measure(OPERATIONS[name], ctx, args.runs, args.warmup))
            except (BenchError, OSError, subprocess.SubprocessError) as exc:
                report["failures"][name] = str(exc)
                print(f"bench: {name} FAILED: {exc}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if ctx._study is not None:
        report["study"] = ctx._study
    report["seconds_total"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(table(report))
        print(f"\n(total {report['seconds_total']} s)")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
