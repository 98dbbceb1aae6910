"""The app never touches the network: the main commands run under an audit
hook (PEP 578) that stops the program at the first socket of any family but
AF_UNIX, the first connection or bind to anything else, and the first name
lookup. The hook is installed before tacompanion is imported, by a small
wrapper run as `python -c`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile_files import REFI

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "guides" / "mbt-avpd-therapists.md"

# Exits with status 97 and says why at the first network event.
GUARD = r'''
import os, socket, sys

def _stop(what):
    sys.stderr.write("NETWORK: " + what + "\n")
    sys.stderr.flush()
    os._exit(97)

def _hook(event, args):
    if not event.startswith(("socket.", "http.", "urllib.", "ftplib.", "smtplib.", "telnetlib.")):
        return
    if event == "socket.__new__":
        family = args[1]
        if family not in (-1, socket.AF_UNIX):
            _stop(f"{event} family={family!r}")
    elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
        sock = args[0]
        if getattr(sock, "family", None) != socket.AF_UNIX:
            _stop(f"{event} {args[1:]!r}")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
                   "socket.gethostbyname_ex", "socket.getnameinfo"):
        _stop(f"{event} {args!r}")
    elif not event.startswith("socket."):
        _stop(event)

sys.addaudithook(_hook)
'''

RUN_CLI = GUARD + r'''
from tacompanion.cli import main
raise SystemExit(main(sys.argv[1:]))
'''

RUN_APP = GUARD + r'''
import asyncio
from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp

async def drive():
    with Study.open(sys.argv[1], create=False) as study:
        app = TacompanionApp(study)
        async with app.run_test(size=(80, 24)) as pilot:
            for key in ("down", "down", "enter", "escape", "question_mark", "escape"):
                await pilot.press(key)
                await pilot.pause()
    print("app ok")

asyncio.run(drive())
'''


def guarded(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=180,
                          cwd=cwd)


def test_the_guard_itself_stops_an_inet_socket(tmp_path):
    r = guarded(GUARD + "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)\n", cwd=tmp_path)
    assert r.returncode == 97 and "NETWORK: socket.__new__ family=" in r.stderr
    r = guarded(GUARD + "import socket\nsocket.getaddrinfo('localhost', 80)\n", cwd=tmp_path)
    assert r.returncode == 97 and "socket.getaddrinfo" in r.stderr
    r = guarded(GUARD + "import socket\na, b = socket.socketpair()\na.close(); b.close()\nprint('unix ok')\n",
                cwd=tmp_path)
    assert r.returncode == 0 and "unix ok" in r.stdout


def test_the_main_commands_open_no_network_socket(tmp_path):
    db = str(tmp_path / "demo.db")
    transcript = tmp_path / "P7.txt"
    transcript.write_text("Interviewer: How did it start?\n\nP7: Slowly, with long silences.\n", "utf-8")
    commands = [
        ["guide", "check", str(GUIDE)],
        ["guide", "show", str(GUIDE)],
        ["demo", "--db", db, "--no-open"],
        ["--db", db, "stats"],
        ["--db", db, "stats", "--json"],
        ["--db", db, "import", "--participant", "P7", str(transcript)],
        ["--db", db, "search", "silence"],
        ["--db", db, "redact", "add", "Tromsø", "[city]"],
        ["--db", db, "redact", "list"],
        ["--db", db, "journal", "add", "A note to self"],
        ["--db", db, "journal", "list"],
        ["--db", db, "settings"],
        ["--db", db, "export", "codings", "-o", str(tmp_path / "codings.csv")],
        ["--db", db, "export", "notes", "-o", str(tmp_path / "notes.csv")],
        ["--db", db, "export", "report", "-o", str(tmp_path / "report.md")],
        ["--db", db, "export", "codebook", "-o", str(tmp_path / "codebook.csv")],
        ["--db", db, "export", "by-question", "-o", str(tmp_path / "by-question.md")],
        ["--db", db, "export", "qdpx", "-o", str(tmp_path / "study.qdpx")],
        ["--db", str(tmp_path / "from-qdpx.db"), "import", str(REFI / "qc-demo.qdpx")],
        ["--db", db, "backup", str(tmp_path / "backup.db")],
        ["--db", db, "check"],
    ]
    for argv in commands:
        r = guarded(RUN_CLI, *argv, cwd=tmp_path)
        assert "NETWORK:" not in r.stderr, (argv, r.stderr)
        assert r.returncode == 0, (argv, r.stderr)


def test_the_app_opens_no_network_socket(tmp_path):
    pytest.importorskip("textual")
    db = tmp_path / "demo.db"
    r = guarded(RUN_CLI, "demo", "--db", str(db), "--no-open", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = guarded(RUN_APP, str(db), cwd=tmp_path)
    assert "NETWORK:" not in r.stderr, r.stderr
    assert r.returncode == 0 and "app ok" in r.stdout, r.stderr
