"""The `tifa` command, run as a subprocess from the virtualenv."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import tifa
from tifa.runner import cli


def _tifa_exe() -> str:
    exe = Path(sys.executable).parent / "tifa"
    if exe.exists():
        return str(exe)
    found = shutil.which("tifa")
    if not found:
        pytest.fail("the `tifa` command is not installed next to this Python (pip install -e .)")
    return found


def run_tifa(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([_tifa_exe(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def write_notebook(folder: Path, name: str, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("corpus = None\nout = None\ntop_n = 5\nby = 'doc_id'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)


@pytest.fixture()
def project(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "r.txt").write_text("法治政府", encoding="utf-8")
    nbs = tmp_path / "nbs"
    write_notebook(nbs, "00_ok.ipynb",
                   "import json, pathlib\n"
                   "pathlib.Path(out, 'seen.json').write_text(json.dumps({'top_n': top_n, 'by': by}))")
    write_notebook(nbs, "01_broken.ipynb", "import missing_module_xyz")
    return corpus, nbs


@pytest.mark.parametrize("text, value", [
    ("20", 20), ("0.5", 0.5), ("true", True), ("region", "region"), ("[甲, 乙]", ["甲", "乙"]),
    ("2023-01-01", "2023-01-01"), ("null", None), ("", ""), ("a: b: c", "a: b: c"),
])
def test_parse_value_reads_yaml_scalars(text, value):
    assert cli.parse_value(text) == value


def test_version():
    result = run_tifa("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"tifa {tifa.__version__}"


def test_notebooks_lists_the_pipeline(project):
    _, nbs = project
    result = run_tifa("notebooks", "--notebooks", nbs)
    assert result.returncode == 0
    assert result.stdout.split() == ["00_ok.ipynb", "01_broken.ipynb"]


def test_failing_notebook_exits_1_with_one_clear_message(project, tmp_path):
    corpus, nbs = project
    out = tmp_path / "out"
    result = run_tifa("run", "--corpus", corpus, "--out", out, "--notebooks", nbs, "--no-progress")
    assert result.returncode == 1
    err = result.stderr
    assert "01_broken.ipynb" in err and "cell 1" in err and "import missing_module_xyz" in err
    assert "ModuleNotFoundError" in err and str(out.resolve() / "notebooks" / "01_broken.ipynb") in err
    assert "Traceback" not in err
    assert (out / "notebooks" / "01_broken.ipynb").exists()
    statuses = [e["status"] for e in json.loads((out / "run.json").read_text(encoding="utf-8"))["notebooks"]]
    assert statuses == ["ok", "failed"]


def test_only_and_params_from_the_command_line(project, tmp_path):
    corpus, nbs = project
    result = run_tifa("run", "--corpus", corpus, "--out", "out", "--notebooks", nbs,
                      "--only", "00", "-p", "top_n", "20", "-p", "by", "region", "--no-progress",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"  # relative --out is taken from the working directory
    assert json.loads((out / "seen.json").read_text()) == {"top_n": 20, "by": "region"}
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in record["notebooks"]] == ["ok", "skipped"]
    assert "00_ok.ipynb ok" in result.stderr  # concise log line without progress bars


def test_missing_corpus_exits_2_in_one_sentence(tmp_path, project):
    _, nbs = project
    result = run_tifa("run", "--corpus", tmp_path / "nope", "--out", tmp_path / "out",
                      "--notebooks", nbs)
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_unknown_only_exits_2_listing_notebooks(project, tmp_path):
    corpus, nbs = project
    result = run_tifa("run", "--corpus", corpus, "--out", tmp_path / "out", "--notebooks", nbs,
                      "--only", "07")
    assert result.returncode == 2
    assert "00_ok.ipynb, 01_broken.ipynb" in result.stderr and "Traceback" not in result.stderr


def test_bad_jobs_and_bad_upstream_exit_2_in_one_sentence(project, tmp_path):
    corpus, nbs = project
    result = run_tifa("run", "--corpus", corpus, "--out", tmp_path / "out", "--notebooks", nbs,
                      "--jobs", "0")
    assert result.returncode == 2 and "jobs must be at least 1" in result.stderr
    nb = nbformat.read(nbs / "01_broken.ipynb", as_version=4)
    nb.metadata["tifa"] = {"upstream": ["09_nothing"]}
    nbformat.write(nb, nbs / "01_broken.ipynb")
    result = run_tifa("run", "--corpus", corpus, "--out", tmp_path / "out", "--notebooks", nbs)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "01_broken.ipynb declares upstream '09_nothing'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_unreadable_corpus_stops_with_one_sentence_and_an_ingest_report(tmp_path):
    """The real 00_corpus notebook on a folder holding only an empty and a binary file."""
    corpus = tmp_path / "reports"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(bytes(range(256)) * 8)
    out = tmp_path / "out"
    proc = run_tifa("run", "--corpus", corpus, "--out", out, "--only", "00", "--no-progress")
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("tifa: No readable documents in")
    assert "Traceback" not in proc.stderr and "EmptyCorpusError" not in proc.stderr
    report = (out / "tables" / "ingest_report.csv").read_text(encoding="utf-8-sig")
    assert "empty.txt" in report and "image.txt" in report
    assert sorted(p.name for p in corpus.iterdir()) == ["empty.txt", "image.txt"]
