"""Print a pip constraints file pinning every direct dependency (and the test
extra) to the lowest version pyproject.toml allows: `name>=X` becomes
`name==X`. CI installs with it in a second venv and runs the tests, so that a
floor in pyproject.toml is a version that was tested, not a guess."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def lowest(requirement: str) -> str:
    match = REQUIREMENT.match(requirement)
    if match is None:
        raise SystemExit(f"pyproject.toml: cannot read the requirement {requirement!r}")
    name, spec = match.groups()
    floor = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", spec)
    if floor is None:
        raise SystemExit(f"pyproject.toml: {name} has no lower bound (>=): add one that is tested")
    return f"{name}=={floor.group(1)}"


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    sys.stdout.write("".join(lowest(r) + "\n" for r in requirements))


if __name__ == "__main__":
    main()
