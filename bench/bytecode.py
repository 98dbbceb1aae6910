"""Compile tacompanion to bytecode before measuring (every bench script)."""

from __future__ import annotations

from pathlib import Path


def ensure_bytecode() -> str:
    """Compile tacompanion's modules to bytecode before measuring.

    Python keeps compiled modules in __pycache__ from the first run on, so a
    user starts from bytecode. Here PYTHONDONTWRITEBYTECODE is set and the
    package is installed editable (from src/), so without this every start
    would compile all of tacompanion's sources again: about 0.45 s on this
    machine, which is no part of what a user waits for. (`pip install .`
    compiles at install time; the README's first command does that.)
    """
    import compileall

    import tacompanion

    package = Path(tacompanion.__file__).parent
    fresh = compileall.compile_dir(str(package), quiet=1, force=False)
    return f"tacompanion's modules compiled in {package} ({'ok' if fresh else 'some failed'})"
