"""The shape of tifa.tokenize: layered modules, no import circle, no module using another's
private names, nothing imported from the later stages, the public API at the package."""

from __future__ import annotations

import ast
from pathlib import Path

import tifa.tokenize

PACKAGE = Path(tifa.tokenize.__file__).parent

# each module may import only those listed before it
LAYERS = ["lexicon", "_jieba_fast", "build_cache", "core", "cache", "backends", "dask", "api"]


def _tree(name: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))


def _siblings_imported(tree: ast.Module) -> dict[str, str]:
    """{local name: sibling module} for every module of the package that ``tree`` imports."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "tifa.tokenize":
                out.update({a.asname or a.name: a.name for a in node.names})
            elif node.module.startswith("tifa.tokenize."):
                mod = node.module.rsplit(".", 1)[1]
                out.update({f"{mod}:{a.name}": mod for a in node.names})
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("tifa.tokenize."):
                    out[a.asname or a.name] = a.name.rsplit(".", 1)[1]
    return out


def test_every_module_is_in_a_layer():
    assert sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__") == sorted(LAYERS)


def test_modules_import_only_lower_layers_and_nothing_of_analyze():
    for i, name in enumerate(LAYERS):
        tree = _tree(name)
        imported = set(_siblings_imported(tree).values())
        assert imported <= set(LAYERS[:i]), (name, imported - set(LAYERS[:i]))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = ([node.module] if isinstance(node, ast.ImportFrom)
                        else [a.name for a in node.names])
                assert not any(m and m.startswith(("tifa.analyze", "tifa.runner", "tifa.draw",
                                                   "tifa.report")) for m in mods), name


def test_no_module_uses_another_modules_private_names():
    for name in LAYERS:
        tree = _tree(name)
        siblings = {local for local, mod in _siblings_imported(tree).items() if ":" not in local}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.startswith("tifa.tokenize."):
                assert not [a.name for a in node.names if a.name.startswith("_")], name
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in siblings):
                assert not node.attr.startswith("_"), f"{name}: {node.value.id}.{node.attr}"


def test_public_api_at_the_package():
    for name in ["tokenize", "filter_tokens", "attach_counts", "flag_tokens", "clear_cache",
                 "default_cache_dir", "TOKENIZER_VERSION", "Lexicon", "load_lexicon"]:
        assert name in tifa.tokenize.__all__ and hasattr(tifa.tokenize, name), name
    assert callable(tifa.tokenize.tokenize)  # the function, not a module of that name
