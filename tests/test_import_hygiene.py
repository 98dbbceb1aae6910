"""The layers stay apart, and headless code never imports Textual.

Every module of a layer is found by walking the package, so a new module is
checked without editing this file: `core` imports neither SQLite nor
Textual nor the layers above it; `store`, `formats` and `cli` never import
Textual (so `--help`, `guide check`, `stats` and the exports start fast).
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tacompanion

PACKAGE = Path(tacompanion.__file__).parent


def modules(layer: str) -> list[str]:
    return sorted(
        f"tacompanion.{layer}.{m.name}"
        for m in pkgutil.iter_modules([str(PACKAGE / layer)])
    )


def imported_after(names: list[str]) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


@pytest.mark.parametrize("layer", ["store", "formats"])
def test_headless_layers_do_not_import_textual(layer):
    names = modules(layer)
    assert names
    loaded = imported_after(names)
    assert "textual" not in loaded, f"a module of {layer} imports Textual"


def test_cli_does_not_import_textual():
    assert "textual" not in imported_after(["tacompanion.cli"])


def test_core_is_pure():
    names = modules("core")
    loaded = imported_after(names)
    forbidden = {"textual", "sqlite3", "sqlite_utils", "tacompanion.store", "tacompanion.formats",
                 "tacompanion.tui"}
    assert not forbidden & loaded, forbidden & loaded
