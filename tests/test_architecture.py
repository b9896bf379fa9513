"""The package keeps the shape DESIGN.md describes: imports point down the pipeline,
no import cycles, no private name crosses a package boundary, modules stay readable."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "edgecase"

# Position along the pipeline. A module may import its own stage or an earlier one,
# never a later one. Base modules (errors, _validate, _random, schema, parallel, ...)
# sit at 0.
STAGE_ORDER = {
    "fraud": 1,
    "market": 1,
    "train": 2,
    "quality": 3,
    "stress": 4,
    "plot": 5,
    "report": 5,
    "strategies": 5,
    "demo": 6,
    "cli": 7,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _resolve(node: ast.ImportFrom, importer: str, modules: dict[str, Path]) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not _is_package(importer, modules):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def _imports(name: str, modules: dict[str, Path]) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import in the module,
    lazy imports inside functions included."""
    tree = ast.parse(modules[name].read_text())
    found: list[tuple[str, str | None]] = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, name, modules)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub, None) if sub in modules else (target, alias.name))
    return [(m, n) for m, n in found if m == "edgecase" or m.startswith("edgecase.")]


def _stage(name: str) -> int:
    parts = name.split(".")
    return STAGE_ORDER.get(parts[1], 0) if len(parts) > 1 else 0


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name in modules:
        graph[name] = {m for m, _ in _imports(name, modules) if m in modules and m != name}
    return graph


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle among modules, ignoring the edges into a package's own ``__init__``
    from its submodules (those only run after the package is imported)."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if node.startswith(nxt + "."):
                continue
            if colour.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in colour and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        colour[node] = 2
        return None

    for start in sorted(graph):
        if start not in colour and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycle():
    assert _find_cycle(_graph()) is None


def test_cycle_finder_finds_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_point_down_the_pipeline():
    graph = _graph()
    bad = [
        f"{src} -> {dst}"
        for src, targets in graph.items()
        for dst in targets
        if _stage(dst) > _stage(src)
        and src.split(".")[:2] != dst.split(".")[:2]
        # the package root re-exports the public surface
        and src != "edgecase"
    ]
    assert not bad, bad


def test_parallel_imports_no_stage():
    stages = {f"edgecase.{s}" for s in STAGE_ORDER}
    imported = _graph()["edgecase.parallel"]
    assert not {m for m in imported if ".".join(m.split(".")[:2]) in stages}


def _package_of(name: str, modules: dict[str, Path]) -> str:
    return name if _is_package(name, modules) else name.rsplit(".", 1)[0]


def test_no_private_name_crosses_a_package_boundary():
    modules = _modules()
    bad = []
    for name in modules:
        pkg = _package_of(name, modules)
        for target, imported in _imports(name, modules):
            if target not in modules:
                continue
            target_pkg = _package_of(target, modules)
            inside = pkg == target_pkg or pkg.startswith(target_pkg + ".")
            private_module = any(p.startswith("_") for p in target.split(".")[1:])
            private_name = imported is not None and imported.startswith("_")
            # base modules (edgecase._validate, ...) are the shared toolbox of every stage
            shared_base = target.count(".") == 1 and target_pkg == "edgecase"
            if not inside and (private_name or (private_module and not shared_base)):
                bad.append(f"{name} imports {target}:{imported}")
    assert not bad, bad


@pytest.mark.parametrize("path", sorted(ROOT.rglob("*.py")), ids=lambda p: p.name)
def test_modules_stay_under_700_lines(path):
    assert len(path.read_text().splitlines()) <= 700


def test_import_fraud_does_not_import_matplotlib():
    code = "import sys, edgecase.fraud; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT.parent).returncode == 0
