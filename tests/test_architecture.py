"""The layout of lib/tifa shows the flow: imports only point down it.

ingest -> tokenize -> analyze -> draw -> report -> runner, with ``paths`` and ``schemas`` (the
base) under all of them. Every module of the package is read with :mod:`ast` (nothing is
imported); imports inside functions (lazy imports) count like the others.

- a stage imports only the base and the stages before it that it needs (:data:`ALLOWED`);
  ``draw`` never imports ``analyze``: charts draw tables and compute no statistics;
- no module reaches for another module's private names (``from x import _y``, ``x._y``);
- no import cycles.

"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "lib" / "tifa"

#: The layer of a module is its subpackage; ``tifa``, ``tifa.paths`` and ``tifa.schemas`` are
#: the base. What each layer may import (besides itself).
ALLOWED = {
    "base": set(),
    "ingest": {"base"},
    "tokenize": {"base", "ingest"},
    "analyze": {"base", "ingest", "tokenize"},
    "draw": {"base"},
    "report": {"base", "analyze", "draw"},
    "runner": {"base", "ingest", "tokenize", "analyze", "draw", "report"},
}


def _module_name(path: Path) -> str:
    parts = ["tifa", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or module in ("tifa.paths", "tifa.schemas"):
        return "base"
    assert parts[1] in ALLOWED, f"{module}: a module outside the known layers {sorted(ALLOWED)}"
    return parts[1]


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``from ... import`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if not MODULES[module].name == "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str) -> list[tuple[str, str | None, int]]:
    """What ``module`` imports of tifa: ``(imported module, name or None, line)``.

    ``from tifa.analyze import kwic`` imports the module ``tifa.analyze.kwic``;
    ``from tifa.analyze.kwic import kwic`` the name ``kwic`` of that module.
    """
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names
                      if a.name == "tifa" or a.name.startswith("tifa.")]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            if source != "tifa" and not source.startswith("tifa."):
                continue
            for a in node.names:
                sub = f"{source}.{a.name}"
                found.append((sub, None, node.lineno) if sub in MODULES
                             else (source, a.name, node.lineno))
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(module: str) -> list[str]:
    """Private names of other tifa modules that ``module`` imports or uses."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    bad, bound = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("tifa.") and a.asname:
                    bound[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            if source != "tifa" and not source.startswith("tifa."):
                continue
            for a in node.names:
                if f"{source}.{a.name}" in MODULES:
                    bound[a.asname or a.name] = f"{source}.{a.name}"
                elif _private(a.name) and source != module:
                    bad.append(f"line {node.lineno}: from {source} import {a.name}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in bound and bound[node.value.id] != module
                and _private(node.attr)):
            bad.append(f"line {node.lineno}: {bound[node.value.id]}.{node.attr}")
    return sorted(set(bad))


def _cases(test: str):
    return sorted(MODULES)


def test_every_module_has_a_layer():
    assert {layer(m) for m in MODULES} == set(ALLOWED)


@pytest.mark.parametrize("module", _cases("layers"))
def test_imports_point_down_the_flow(module):
    own = layer(module)
    wrong = sorted({f"line {line}: {target}" for target, _, line in imports(module)
                    if _upward(module, target) or own == "base"})  # the base imports no tifa
    assert not wrong, (f"{module} ({own}) may import only {sorted(ALLOWED[own] | {own})}: "
                       + "; ".join(wrong))


@pytest.mark.parametrize("module", _cases("private"))
def test_no_private_names_of_other_modules(module):
    found = private_uses(module)
    assert not found, f"{module} uses private names of other modules: " + "; ".join(found)


def _upward(module: str, target: str) -> bool:
    return layer(target) != layer(module) and layer(target) not in ALLOWED[layer(module)]


def _cycles() -> list[list[str]]:
    """Import cycles (strongly connected components of the import graph)."""
    graph = {m: sorted({t for t, _, _ in imports(m) if t in MODULES and t != m})
             for m in MODULES}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    assert _cycles() == []


def test_the_checks_see_what_they_look_for():
    """The readers above find lazy imports, resolve ``from pkg import module`` and catch
    private names (on modules whose imports are known)."""
    assert ("tifa.draw.style", None) in {(t, n) for t, n, _ in imports("tifa.report.export")}
    assert ("tifa.analyze.kwic", None) in {(t, n) for t, n, _ in imports("tifa.report.explore")}
    assert ("tifa.schemas", "REST") in {(t, n) for t, n, _ in imports("tifa.draw.keyword_charts")}
    assert layer("tifa.paths") == layer("tifa") == "base" and layer("tifa.draw.charts") == "draw"
