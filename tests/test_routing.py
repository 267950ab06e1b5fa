"""How `tifa run` routes parameters: each notebook gets what its parameters cell declares, the
corpus and the stage options go to 00 only, a parameter nobody declares is a usage error, and
without 00 the pipeline prepares the stage itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tifa.runner import pipeline, stages

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TIFA = Path(sys.executable).with_name("tifa")
SEED_IDS = ["000_5305f72e38caa88f", "002_c9417e647ef2fa0e"]

SEEN = ("import json, pathlib\n"
        "pathlib.Path(out, '{name}.json').write_text(json.dumps("
        "{{k: v for k, v in globals().items() if k in {names!r}}}, ensure_ascii=False))")


def write_notebook(folder: Path, name: str, params: str, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell] + [nbformat.v4.new_code_cell(c) for c in cells]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def injected(executed: Path) -> str:
    nb = nbformat.read(executed, as_version=4)
    cells = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    return cells[0].source if cells else ""


# ---------------------------------------------------------------------------- the contract

def test_only_00_declares_the_corpus_and_the_stage_options():
    declared = {nb.name: pipeline.notebook_parameters(nb) for nb in NOTEBOOKS}
    first, *later = NOTEBOOKS
    assert first.name == "00_corpus.ipynb"
    assert {"corpus", "out", *stages.STAGE_OPTIONS} <= set(declared[first.name])
    for nb in later:
        names = set(declared[nb.name])
        assert {"out", "by", "figure_size"} <= names, nb.name
        assert not names & {"corpus", *stages.STAGE_OPTIONS}, nb.name
        source = nb.read_text(encoding="utf-8")
        assert "stages.load(out)" in source and "stages.prepare" not in source, nb.name


# ---------------------------------------------------------------------------- toy notebooks

@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "a.txt").write_text("法治政府建设情况报告", encoding="utf-8")
    nbs = tmp_path_factory.mktemp("nbs")
    write_notebook(nbs, "00_stage.ipynb", "corpus = None\nout = None\ntext_column = None\ntop_n = 5",
                   SEEN.format(name="00", names=("corpus", "out", "text_column", "top_n")))
    write_notebook(nbs, "01_words.ipynb", "out = None\ntop_n = 5\nby = 'label'",
                   SEEN.format(name="01", names=("corpus", "out", "text_column", "top_n", "by")))
    return corpus, nbs


def test_each_notebook_gets_only_what_it_declares(toy, tmp_path):
    corpus, nbs = toy
    out = tmp_path / "out"
    record = pipeline.run_pipeline(corpus, out, params={"text_column": "正文", "top_n": 20, "by": "省份"},
                                   notebooks_dir=nbs, progress=False)
    assert json.loads((out / "00.json").read_text()) == {
        "corpus": str(corpus.resolve()), "out": str(out.resolve()), "text_column": "正文", "top_n": 20}
    assert json.loads((out / "01.json").read_text()) == {"out": str(out.resolve()), "top_n": 20, "by": "省份"}
    assert "corpus" not in injected(out / "notebooks" / "01_words.ipynb")
    first, second = record["notebooks"]
    assert first["parameters"] == {"corpus": str(corpus.resolve()), "out": str(out.resolve()),
                                   "text_column": "正文", "top_n": 20}
    assert second["parameters"] == {"out": str(out.resolve()), "top_n": 20, "by": "省份"}
    assert record["stage_options"]["text_column"] == "正文"
    assert record["stage"]["prepared_by"] == "00_stage.ipynb"


def test_a_parameter_nobody_declares_is_a_usage_error(toy, tmp_path):
    corpus, nbs = toy
    with pytest.raises(pipeline.UnknownParameter, match="'top_m'.*the known parameters are by, "):
        pipeline.run_pipeline(corpus, tmp_path / "out", params={"top_m": 3}, notebooks_dir=nbs)
    with pytest.raises(pipeline.UnknownParameter, match="'by'"):  # declared by 01 only
        pipeline.run_pipeline(corpus, tmp_path / "out", params={"by": "x"}, only=["00"],
                              notebooks_dir=nbs)
    assert not (tmp_path / "out").exists()


def test_cli_typo_exits_2_in_one_sentence(tmp_path):
    """The real notebooks: `-p text_colum 正文` must not be silently ignored."""
    proc = subprocess.run([str(TIFA), "run", "--corpus", str(ROOT / "seeds"), "--out",
                           str(tmp_path / "out"), "-p", "text_colum", "正文"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("tifa: unknown parameter 'text_colum'")
    assert "text_column" in err and "top_n" in err and "manifest" in err
    assert not (tmp_path / "out").exists()


def test_cli_missing_manifest_exits_2(tmp_path):
    proc = subprocess.run([str(TIFA), "run", "--corpus", str(ROOT / "seeds"), "--out",
                           str(tmp_path / "out"), "-p", "manifest", "nope.csv"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2 and "manifest" in proc.stderr and "does not exist" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------------------- without 00

@pytest.fixture(scope="module")
def later_only(tmp_path_factory):
    """The real 00_corpus (never run here) and a notebook after it that loads the stage."""
    nbs = tmp_path_factory.mktemp("stage_nbs")
    shutil.copy(ROOT / "notebooks" / "00_corpus.ipynb", nbs / "00_corpus.ipynb")
    write_notebook(nbs, "03_look.ipynb", "out = None\nby = 'label'",
                   "import json, pathlib\nfrom tifa.runner import stages\nstage = stages.load(out)\n"
                   "pathlib.Path(out, 'looked.json').write_text(json.dumps({"
                   "'ids': stage.documents['doc_id'].tolist(), 'groups': stage.documents[by].tolist(), "
                   "'reused': stage.loaded_from is not None}, ensure_ascii=False))")
    corpus = tmp_path_factory.mktemp("x") / "reports"
    shutil.copytree(ROOT / "seeds", corpus)
    (corpus.parent / "meta.csv").write_text(
        f"file,category\n{SEED_IDS[0]}.txt,地级市\n{SEED_IDS[1]}.txt,副省级城市\n", encoding="utf-8")
    return nbs, corpus


def test_without_00_the_pipeline_prepares_the_stage_of_the_given_corpus(later_only, tmp_path,
                                                                      monkeypatch):
    nbs, corpus = later_only
    monkeypatch.setenv("TIFA_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(corpus.parent)
    out = tmp_path / "out"
    stages.prepare(ROOT / "seeds", out)  # a stage of another corpus is there already
    record = pipeline.run_pipeline(corpus, out, params={"manifest": "meta.csv", "by": "category"},
                                   only=["03"], notebooks_dir=nbs, progress=False)
    assert record["stage"]["prepared_by"] == "tifa run"
    assert record["stage"]["reason"].startswith("built from another corpus")
    assert record["stage_options"]["manifest"] == str(corpus.parent / "meta.csv")
    looked = json.loads((out / "looked.json").read_text(encoding="utf-8"))
    assert looked == {"ids": SEED_IDS, "groups": ["地级市", "副省级城市"], "reused": True}
    assert stages.read_record(out)["corpus"] == str(corpus)
    assert [e["status"] for e in record["notebooks"]] == ["skipped", "ok"]

    again = pipeline.run_pipeline(corpus, out, params={"manifest": "meta.csv", "by": "category"},
                                  only=["03"], notebooks_dir=nbs, progress=False)
    assert again["stage"] == {"prepared_by": None, "reason": "up to date in the output folder",
                              "seconds": None}
    with pytest.raises(pipeline.UnknownParameter, match="top_n"):  # 00's own parameter, 00 not run
        pipeline.run_pipeline(corpus, out, params={"top_n": 3}, only=["03"], notebooks_dir=nbs)


def test_without_00_an_unreadable_corpus_stops_with_one_sentence(later_only, tmp_path):
    nbs, _ = later_only
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    proc = subprocess.run([str(TIFA), "run", "--corpus", str(corpus), "--out", str(out), "--only", "03",
                           "--notebooks", str(nbs), "--no-progress"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("tifa: No readable documents in") and "Traceback" not in proc.stderr
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed" and record["notebooks"][1]["status"] == "skipped"
