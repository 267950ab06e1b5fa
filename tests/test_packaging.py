"""The install story: pyproject.toml and environment.yml agree; notebooks ship clean; seeds intact."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"


def _name(req: str) -> str:
    return re.split(r"[<>=!~;\[ ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(meta["dependencies"])
    for extra in meta.get("optional-dependencies", {}).values():
        reqs += extra
    return {_name(r): r.replace(" ", "") for r in reqs}


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {_name(r): r.replace(" ", "") for r in pip}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


@pytest.mark.parametrize("fixed", ["jupyterlab", "pandas", "jieba", "scikit-learn", "matplotlib",
                                   "wordcloud", "papermill", "nbval"])
def test_fixed_dependencies_are_declared(fixed):
    assert fixed in _pyproject_requirements()


def test_notebooks_are_committed_without_outputs_and_with_parameters():
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks, "no numbered notebooks"
    for nb in notebooks:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), nb.name
        assert "parameters" in code[0].get("metadata", {}).get("tags", []), nb.name
        source = "".join("".join(c["source"]) for c in cells)
        assert not re.search(r"['\"](/work|/tmp|/home|/root|[A-Za-z]:\\\\)", source), nb.name


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


SEED_SHA256 = {
    "000_5305f72e38caa88f.txt": "1587c6719a5d2d3c5c376ed308a1e90cf666065ea7052091c345cc8ebbcbcabd",
    "002_c9417e647ef2fa0e.txt": "c90536a0f0a0ef53319e8b115418357b8f896158593202713d7ad452d72dfdaa",
}


def test_seeds_are_byte_for_byte_the_given_ones():
    assert {p.name: _sha(p) for p in (ROOT / "seeds").iterdir()} == SEED_SHA256
    if SHARED_SEEDS.is_dir():  # the originals sit beside the repo in the workplace and in CI
        for name, digest in SEED_SHA256.items():
            assert _sha(SHARED_SEEDS / name) == digest
