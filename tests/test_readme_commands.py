"""The README's commands, run on small corpora built from the seeds (tests/test_readme.py checks
that every command of the README is covered here or elsewhere).

Full pipeline runs are slow, so there are two, one per corpus shape, started together at the
first test that needs them (two cores: together they take about the time of one) and shared by
the tests of that shape:

* a folder with a manifest, output inside the corpus — the issue-12 command
  ``tifa run --corpus reports --out reports/out -p manifest meta.csv -p by category``;
* a table whose text column is 正文 (and whose ``content`` column is only a summary, so that
  ``text_column`` matters) — ``tifa run --corpus reports.csv --out out -p text_column 正文 -p by 省份``.

The other commands run one notebook (``--only 00``: ``--corpus .`` beside an old output, and the
second run into ``reports/out`` through ``make run``) or none.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The pipeline runs every notebook of notebooks/.
N_NOTEBOOKS = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
TIFA = Path(sys.executable).with_name("tifa")
MAKE = shutil.which("make")
STAMP = ".venv/.installed-stamp"  # `make -o STAMP`: never reinstall from inside a test
SEED_IDS = ["000_5305f72e38caa88f", "002_c9417e647ef2fa0e"]
CATEGORIES = {SEED_IDS[0]: "地级市", SEED_IDS[1]: "副省级城市"}
PROVINCES = {SEED_IDS[0]: "山东省", SEED_IDS[1]: "福建省"}
ALL = "全部"  # the group of tables computed over the whole corpus
#: Tables that must hold one row set per group (the issue: "every table grouped by category").
PER_GROUP = ("keywords", "top_tokens", "bigrams", "tfidf", "overuse", "themes", "theme_coverage",
             "theme_sections", "theme_terms", "topic_mix", "slogans", "slogan_by_group")

needs_make = pytest.mark.skipif(MAKE is None or not (ROOT / ".venv" / "bin" / "tifa").exists(),
                                reason="make and the project's .venv are needed (make test has both)")


def _seed_texts() -> dict[str, str]:
    return {i: (ROOT / "seeds" / f"{i}.txt").read_text(encoding="utf-8") for i in SEED_IDS}


class Background:
    """A `tifa run` started now and waited for later (its output goes to files)."""

    def __init__(self, args: list[str], cwd: Path):
        self.args, self.cwd = args, cwd
        self.log = cwd / f"tifa-{len(list(cwd.glob('tifa-*.log')))}.log"
        self._fh = open(self.log, "w", encoding="utf-8")
        self.proc = subprocess.Popen([str(TIFA), *args, "--no-progress"], cwd=cwd, stdout=self._fh,
                                     stderr=subprocess.STDOUT, text=True)
        self.returncode: int | None = None

    def wait(self, timeout: float = 1800) -> "Background":
        if self.returncode is None:
            self.returncode = self.proc.wait(timeout=timeout)
            self._fh.close()
        return self

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._fh.close()


def _folder_corpus(base: Path) -> Path:
    shutil.copytree(ROOT / "seeds", base / "reports")
    (base / "meta.csv").write_text("file,category\n" + "".join(
        f"{i}.txt,{c}\n" for i, c in CATEGORIES.items()), encoding="utf-8")
    return base


def _table_corpus(base: Path) -> Path:
    texts = _seed_texts()
    base.mkdir(parents=True)
    pd.DataFrame({
        "id": ["lc", "xm"],
        "省份": [PROVINCES[i] for i in SEED_IDS],
        "content": [texts[i].strip().splitlines()[0] for i in SEED_IDS],  # a summary, not the text
        "正文": [texts[i] for i in SEED_IDS],
    }).to_csv(base / "reports.csv", index=False, encoding="utf-8")
    return base


@pytest.fixture(scope="session")
def pipelines(tmp_path_factory):
    """The two full runs, started together."""
    folder = _folder_corpus(tmp_path_factory.mktemp("readme_folder"))
    table = _table_corpus(tmp_path_factory.mktemp("readme") / "table")
    runs = {
        "manifest": Background(["run", "--corpus", "reports", "--out", "reports/out",
                                "-p", "manifest", "meta.csv", "-p", "by", "category"], folder),
        "table": Background(["run", "--corpus", "reports.csv", "--out", "out",
                             "-p", "text_column", "正文", "-p", "by", "省份"], table),
    }
    yield runs
    for run in runs.values():
        run.stop()


def _snapshot(out: Path) -> SimpleNamespace:
    return SimpleNamespace(
        out=out,
        record=json.loads((out / "run.json").read_text(encoding="utf-8")),
        stage=json.loads((out / "data" / "stage.json").read_text(encoding="utf-8")),
        documents=(out / "tables" / "documents.csv").read_text(encoding="utf-8-sig"),
        report=pd.read_csv(out / "tables" / "ingest_report.csv", encoding="utf-8-sig"),
    )


@pytest.fixture(scope="session")
def manifest_run(pipelines):
    run = pipelines["manifest"].wait()
    assert run.returncode == 0, run.output[-3000:]
    return _snapshot(run.cwd / "reports" / "out")


@pytest.fixture(scope="session")
def table_run(pipelines):
    run = pipelines["table"].wait()
    assert run.returncode == 0, run.output[-3000:]
    return _snapshot(run.cwd / "out")


def tifa(*args, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(TIFA), *map(str, args), "--no-progress"], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def make(*args, timeout: float = 900, **kwargs):
    return subprocess.run([MAKE, "-C", str(ROOT), "-o", STAMP, *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def _groups_of_every_table(out: Path, expected: set[str]) -> None:
    seen: dict[str, set[str]] = {}
    for path in sorted((out / "tables").glob("*.csv")):
        table = pd.read_csv(path, encoding="utf-8-sig")
        for col in ("group", "target", "reference", "other"):
            if col in table.columns:
                values = set(table[col].dropna().astype(str)) - {ALL}
                assert values <= expected, (path.name, col, values)
                seen[path.stem] = seen.get(path.stem, set()) | values
    for name in PER_GROUP:
        assert seen.get(name) == expected, (name, seen.get(name))
    assert seen["keyness"] == expected and seen["similarity"] == expected
    overlap = pd.read_csv(out / "tables" / "slogan_overlap.csv", encoding="utf-8-sig")
    assert expected <= set(overlap.columns)


# ---------------------------------------------------------------------------- quick ones first
# (they run while the two pipelines started by the first test work in the background)

def test_python_blocks_of_the_readme_run(pipelines, tmp_path, monkeypatch):
    """Every ```python block, with the example scheduler address pointing at a LocalCluster."""
    distributed = pytest.importorskip("distributed")
    import logging

    from tifa.ingest.corpus import read_corpus
    from tifa.ingest.units import split_units

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert blocks, "no python block in the README"
    monkeypatch.setenv("TIFA_CACHE", str(tmp_path / "cache"))  # so the cluster gets the work
    documents, _ = read_corpus(ROOT / "seeds")
    units = split_units(documents)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        for block in blocks:
            code = block.replace("tcp://scheduler.example:8786", cluster.scheduler_address)
            namespace = {"units": units, "documents": documents}
            exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
            if "toks" in namespace:
                assert set(namespace["toks"]["doc_id"]) == set(SEED_IDS)
            if "freq" in namespace:
                assert set(namespace["freq"]["group"]) == {"聊城市", "厦门市"}


@needs_make
def test_make_lab_answers_on_localhost(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "readme-test"
    args = (f"--no-browser --port={port} --ServerApp.port_retries=0 --ServerApp.ip=127.0.0.1 "
            f"--IdentityProvider.token={token}" + (" --allow-root" if os.geteuid() == 0 else ""))
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = open(tmp_path / "lab.log", "w", encoding="utf-8")
    proc = subprocess.Popen([MAKE, "-C", str(ROOT), "-o", STAMP, "lab", f"LAB_ARGS={args}"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status, deadline = None, time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/status?token={token}"
                with urllib.request.urlopen(url, timeout=5) as resp:
                    status = json.loads(resp.read())
                break
            except OSError:
                time.sleep(1)
        assert status is not None, (tmp_path / "lab.log").read_text(encoding="utf-8")[-2000:]
        assert "started" in status
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as resp:
            assert resp.status == 200 and "JupyterLab" in resp.read().decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # make and the server it started, nothing else
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


@needs_make
def test_make_run_defaults_are_the_seeds_into_output():
    proc = make("-n", "run")
    assert proc.returncode == 0
    assert ".venv/bin/tifa run --corpus seeds --out output" in proc.stdout


def test_pip_install_dask_extra_is_what_dev_installs():
    """`pip install -e ".[dask]"` needs the network, so it is checked, not run: the extra exists
    and what it names is installed (the dev extra installs it too)."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = meta["optional-dependencies"]["dask"]
    assert extra
    for requirement in extra:
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        assert metadata.version(name)
    assert metadata.version("distributed")


# ---------------------------------------------------------------------------- folder + manifest

def test_manifest_run_groups_every_table_by_category(manifest_run):
    assert [e["status"] for e in manifest_run.record["notebooks"]] == ["ok"] * N_NOTEBOOKS
    _groups_of_every_table(manifest_run.out, set(CATEGORIES.values()))


def test_manifest_run_keeps_the_manifest_columns_in_the_stage(manifest_run):
    stored = pd.read_parquet(manifest_run.out / "data" / "documents.parquet")
    assert stored["doc_id"].tolist() == SEED_IDS
    assert stored["category"].tolist() == [CATEGORIES[i] for i in SEED_IDS]
    meta = str(manifest_run.out.parents[1] / "meta.csv")
    assert manifest_run.stage["options"]["manifest"] == meta
    assert manifest_run.stage["corpus"] == str(manifest_run.out.parent)
    assert manifest_run.record["stage_options"]["manifest"] == meta
    routed = {e["name"]: e["parameters"] for e in manifest_run.record["notebooks"]}
    assert routed["00_corpus.ipynb"]["manifest"] == meta
    for name, params in routed.items():
        assert params["by"] == "category", name
        if name != "00_corpus.ipynb":
            assert "manifest" not in params and "corpus" not in params, name


def test_manifest_run_does_not_read_its_own_output(manifest_run):
    report = manifest_run.report
    skipped = report[report["status"] == "skipped"].set_index("source")["reason"].to_dict()
    assert skipped == {"out/": "the output folder of this run: not read as part of the corpus"}
    assert [f["path"] for f in manifest_run.record["inputs"]["files"]] == [f"{i}.txt" for i in SEED_IDS]


def test_corpus_dot_with_an_old_output_inside_reads_only_the_reports(manifest_run, tmp_path):
    """`tifa run --corpus . --out out --only 00` in a folder that also holds an earlier run's
    output (tables/*.csv and data/*.parquet: readable as tables of documents)."""
    shutil.copytree(ROOT / "seeds", tmp_path / "reports")
    shutil.copytree(manifest_run.out, tmp_path / "old_out")
    proc = tifa("run", "--corpus", ".", "--out", "out", "--only", "00", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    docs = pd.read_csv(tmp_path / "out" / "tables" / "documents.csv", encoding="utf-8-sig")
    assert docs["doc_id"].tolist() == [f"reports/{i}" for i in SEED_IDS]
    report = pd.read_csv(tmp_path / "out" / "tables" / "ingest_report.csv", encoding="utf-8-sig")
    skipped = report[report["status"] == "skipped"].set_index("source")["reason"].to_dict()
    assert skipped == {"old_out/": "tifa output folder (holds run.json): not read as part of the corpus",
                       "out/": "the output folder of this run: not read as part of the corpus"}
    assert set(report["status"]) == {"ok", "skipped"}
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in record["inputs"]["files"]] == [f"reports/{i}.txt" for i in SEED_IDS]


@needs_make
def test_make_run_again_into_the_corpus_reads_the_same_documents(manifest_run):
    """The second run into reports/out (now full of tables and parquet files), through
    `make run CORPUS=… OUT=…` (ARGS: the manifest, by category, --only 00)."""
    folder = manifest_run.out.parents[1]
    corpus, out = folder / "reports", manifest_run.out
    proc = make("run", f"CORPUS={corpus}", f"OUT={out}",
                f"ARGS=-p manifest {folder / 'meta.csv'} -p by category --only 00 --no-progress")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"tifa run --corpus {corpus} --out {out} -p manifest" in proc.stdout  # make's echo
    again = _snapshot(out)
    assert (again.record["corpus"], again.record["out"]) == (str(corpus), str(out))
    assert again.documents == manifest_run.documents
    assert again.stage == manifest_run.stage  # reused: the outputs did not make it stale
    assert [e["status"] for e in again.record["notebooks"]] == ["ok"] + ["skipped"] * (N_NOTEBOOKS - 1)


# ---------------------------------------------------------------------------- table, text column 正文

def test_table_run_groups_every_table_by_province(table_run):
    assert [e["status"] for e in table_run.record["notebooks"]] == ["ok"] * N_NOTEBOOKS
    _groups_of_every_table(table_run.out, set(PROVINCES.values()))


def test_table_run_reads_the_named_text_column_everywhere(table_run):
    stored = pd.read_parquet(table_run.out / "data" / "documents.parquet")
    texts = _seed_texts()
    assert stored["doc_id"].tolist() == ["reports/lc", "reports/xm"]
    assert stored["raw_text"].tolist() == [texts[i] for i in SEED_IDS]  # 正文, not the summary
    assert stored["省份"].tolist() == stored["region"].tolist() == [PROVINCES[i] for i in SEED_IDS]
    assert "content" in stored.columns
    assert table_run.stage["options"]["text_column"] == "正文"
    for entry in table_run.record["notebooks"][1:]:
        assert "text_column" not in entry["parameters"] and entry["parameters"]["by"] == "省份"
