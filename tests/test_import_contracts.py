"""The contracts that keep the house, read from the source (no import runs).

- Layers, one way: core <- store <- formats <- tui, cli. core imports no
  sqlite3, sqlite_utils or textual; store and formats no textual.
- The moments of the interface (home, interview, familiarise, coding,
  thematic, writing) are independent: none imports another. They share
  tui.dialogs (modal dialogs), tui.widgets and the base screen tui.study_view.
- Screens do not import screens: no module imports, from another module, a
  class of a full (non-modal) screen. They ask the app to navigate
  (`app.open_review(...)`); tui.app is the router and may import them all.
- widgets/ import no moment package and never the store (messages up,
  method calls down: the screen queries).
- No folder of the interface holds more than 15 modules.
- No import cycle, counting the imports made inside functions: a lazy import
  is there for start-up time, never to hold a cycle apart.

Imports under `if TYPE_CHECKING:` are for annotations only and run never;
they count for the layers and the moments, not for screens or cycles.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import tacompanion

SRC = Path(tacompanion.__file__).parent.parent
MOMENTS = ("home", "interview", "familiarise", "coding", "thematic", "writing")
SCREEN_BASES = {"Screen", "StudyViewScreen"}  # full screens; ModalScreen is a dialog


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (a submodule when `from package import module`)
    names: tuple[str, ...]  # the names taken from it (`from target import a, b`)
    type_checking: bool
    in_function: bool
    line: int


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in (SRC / "tacompanion").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imports(name: str) -> list[Import]:
    path, is_package = MODULES[name]
    package = name if is_package else name.rsplit(".", 1)[0]
    found: list[Import] = []

    class Visitor(ast.NodeVisitor):
        type_checking = False
        depth = 0

        def visit_If(self, node: ast.If) -> None:
            test = node.test
            if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            ):
                before, self.type_checking = self.type_checking, True
                for child in node.body:
                    self.visit(child)
                self.type_checking = before
                for child in node.orelse:
                    self.visit(child)
            else:
                self.generic_visit(node)

        def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
            self.depth += 1
            self.generic_visit(node)
            self.depth -= 1

        visit_AsyncFunctionDef = visit_FunctionDef

        def add(self, target: str, names: tuple[str, ...], line: int) -> None:
            found.append(Import(name, target, names, self.type_checking, self.depth > 0, line))

        def visit_Import(self, node: ast.Import) -> None:
            for alias in node.names:
                self.add(alias.name, (), node.lineno)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            plain = []
            for alias in node.names:
                if f"{module}.{alias.name}" in MODULES:
                    self.add(f"{module}.{alias.name}", (), node.lineno)
                else:
                    plain.append(alias.name)
            if plain:
                self.add(module, tuple(plain), node.lineno)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


IMPORTS = {name: _imports(name) for name in MODULES}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _layer_breaches(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{i.source}:{i.line} imports {i.target}"
        for name, imports in IMPORTS.items()
        if _within(name, f"tacompanion.{layer}")
        for i in imports
        if any(_within(i.target, f) for f in forbidden)
    ]


def test_the_source_is_found():
    assert "tacompanion.tui.app" in MODULES and "tacompanion.core.guide" in MODULES
    assert any(i.in_function for imports in IMPORTS.values() for i in imports)


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("core", ("tacompanion.store", "tacompanion.formats", "tacompanion.tui", "tacompanion.cli",
                  "sqlite3", "sqlite_utils", "textual")),
        ("store", ("tacompanion.formats", "tacompanion.tui", "tacompanion.cli", "textual")),
        ("formats", ("tacompanion.tui", "tacompanion.cli", "textual")),
        ("tui", ("tacompanion.cli",)),
    ],
)
def test_layers_import_one_way(layer, forbidden):
    assert _layer_breaches(layer, forbidden) == []


def test_the_moments_of_the_interface_do_not_import_one_another():
    breaches = []
    for moment in MOMENTS:
        others = tuple(f"tacompanion.tui.{m}" for m in MOMENTS if m != moment)
        breaches += _layer_breaches(f"tui.{moment}", others)
    assert breaches == []


def test_widgets_import_no_moment_and_no_store():
    forbidden = (*(f"tacompanion.tui.{m}" for m in MOMENTS), "tacompanion.store")
    assert _layer_breaches("tui.widgets", forbidden) == []


def _full_screens() -> dict[str, set[str]]:
    """Module -> the names of the full (non-modal) screens it defines."""
    screens: dict[str, set[str]] = {}
    for name, (path, _) in MODULES.items():
        if not _within(name, "tacompanion.tui"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                if bases & SCREEN_BASES:
                    screens.setdefault(name, set()).add(node.name)
    return screens


def test_the_full_screens_are_found():
    screens = _full_screens()
    assert "CodingScreen" in screens["tacompanion.tui.coding.coding"]
    assert "ReviewScreen" in screens["tacompanion.tui.thematic.review"]
    assert "tacompanion.tui.dialogs.prompts" not in screens


def test_screens_never_import_another_screen():
    """Only the router (tui.app) and the cli (which starts the app) import them;
    tui.study_view is the base class the views derive from."""
    screens = _full_screens()
    allowed = {"tacompanion.tui.app"}
    breaches = []
    for name, imports in IMPORTS.items():
        if name in allowed or _within(name, "tacompanion.cli"):
            continue
        for i in imports:
            if i.type_checking or i.target == name or i.target == "tacompanion.tui.study_view":
                continue
            taken = set(i.names) & screens.get(i.target, set())
            if i.target in screens and (taken or not i.names):
                breaches.append(f"{name}:{i.line} imports {i.target} ({', '.join(sorted(taken)) or 'module'})")
    assert breaches == []


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph = {
        name: sorted({i.target for i in imports if not i.type_checking and i.target in MODULES and i.target != name})
        for name, imports in IMPORTS.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return components


def test_no_import_cycle_even_through_imports_inside_functions():
    assert _cycles() == []


def test_no_folder_of_the_interface_holds_more_than_15_modules():
    tui = SRC / "tacompanion" / "tui"
    crowded = {
        str(folder.relative_to(SRC)): count
        for folder in [tui, *(p for p in tui.iterdir() if p.is_dir())]
        if (count := len([m for m in folder.glob("*.py") if m.name != "__init__.py"])) > 15
    }
    assert crowded == {}
