"""tifa.runner.pipeline: papermill runs of tiny throwaway notebooks (a kernel start is ~1 s each)."""

import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from tifa.runner import pipeline

PARAMS = "corpus = None\nout = None\ntop_n = 5"


def write_notebook(folder: Path, name: str, *cells: str) -> Path:
    """A notebook with a papermill parameters cell followed by the given code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nb, path)
    return path


RECORD = ("import json, pathlib\n"
          "pathlib.Path(out, '{name}.json').write_text(json.dumps("
          "{{'corpus': corpus, 'out': out, 'top_n': top_n, 'cwd': str(pathlib.Path.cwd())}}))")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    (root / "a.txt").write_text("法治政府建设情况报告", encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "b.txt").write_text("涉外法治", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def good_run(tmp_path_factory, corpus):
    nbs = tmp_path_factory.mktemp("good_nbs")
    write_notebook(nbs, "00_first.ipynb", RECORD.format(name="first"))
    write_notebook(nbs, "01_second.ipynb", RECORD.format(name="second"), "print('二')")
    out = tmp_path_factory.mktemp("good_out")
    record = pipeline.run_pipeline(corpus, out, params={"top_n": 20}, notebooks_dir=nbs,
                                   progress=False)
    return nbs, out, record


def test_discover_notebooks_sorted_and_filtered(tmp_path):
    for name in ("01_b.ipynb", "00_a.ipynb", "README.ipynb", "1_x.ipynb", "00_a.txt"):
        (tmp_path / name).write_text("{}")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "00_a-checkpoint.ipynb").write_text("{}")
    assert [p.name for p in pipeline.discover_notebooks(tmp_path)] == ["00_a.ipynb", "01_b.ipynb"]
    assert pipeline.discover_notebooks(tmp_path / "missing") == []


def test_select_notebooks_by_prefix_stem_or_name():
    nbs = [Path(f"/n/{n}") for n in ("00_corpus.ipynb", "01_keywords.ipynb", "02_tfidf.ipynb")]
    assert pipeline.select_notebooks(nbs, None) == nbs
    assert [p.name for p in pipeline.select_notebooks(nbs, ["02", "00_corpus"])] == \
        ["00_corpus.ipynb", "02_tfidf.ipynb"]
    assert [p.name for p in pipeline.select_notebooks(nbs, ["01_keywords.ipynb"])] == ["01_keywords.ipynb"]
    with pytest.raises(pipeline.UnknownNotebook, match="07.*00_corpus.ipynb, 01_keywords.ipynb, 02_tfidf.ipynb"):
        pipeline.select_notebooks(nbs, ["07"])


def test_run_injects_absolute_paths_and_params(good_run, corpus):
    nbs, out, _ = good_run
    seen = json.loads((out / "first.json").read_text())
    assert seen == {"corpus": str(corpus.resolve()), "out": str(out.resolve()), "top_n": 20,
                    "cwd": str(nbs.resolve())}
    assert json.loads((out / "second.json").read_text())["top_n"] == 20


def test_run_writes_executed_copies(good_run):
    _, out, _ = good_run
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["00_first.ipynb", "01_second.ipynb"]
    executed = nbformat.read(out / "notebooks" / "01_second.ipynb", as_version=4)
    assert any("二" in o.get("text", "") for c in executed.cells if c.cell_type == "code"
               for o in c.get("outputs", []))


def test_run_json_records_status_times_versions_and_hashes(good_run, corpus):
    _, out, record = good_run
    on_disk = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(record))
    assert on_disk["status"] == "ok" and on_disk["seconds"] > 0
    assert on_disk["started"] <= on_disk["finished"]
    assert [(e["name"], e["status"]) for e in on_disk["notebooks"]] == \
        [("00_first.ipynb", "ok"), ("01_second.ipynb", "ok")]
    assert all(e["seconds"] > 0 for e in on_disk["notebooks"])
    assert on_disk["parameters"]["top_n"] == 20
    packages = on_disk["versions"]["packages"]
    assert packages["papermill"] and packages["pandas"] and packages["matplotlib"]
    assert "python" in on_disk["versions"]
    files = {f["path"]: f["sha256"] for f in on_disk["inputs"]["files"]}
    assert files == {
        "a.txt": hashlib.sha256((corpus / "a.txt").read_bytes()).hexdigest(),
        "sub/b.txt": hashlib.sha256((corpus / "sub" / "b.txt").read_bytes()).hexdigest(),
    }


def test_failing_notebook_stops_the_run(tmp_path, corpus):
    nbs = tmp_path / "nbs"
    write_notebook(nbs, "00_broken.ipynb", "x = 1", "y = x / 0\nprint(y)")
    write_notebook(nbs, "01_after.ipynb", RECORD.format(name="after"))
    out = tmp_path / "out"
    with pytest.raises(pipeline.NotebookFailed) as info:
        pipeline.run_pipeline(corpus, out, notebooks_dir=nbs, progress=False)
    err = info.value
    assert err.notebook == "00_broken.ipynb"
    assert err.cell_index == 2  # parameters cell 0, "x = 1" cell 1
    assert err.source_line == "y = x / 0"
    assert err.ename == "ZeroDivisionError"
    message = str(err)
    assert "00_broken.ipynb" in message and "cell 2" in message and "y = x / 0" in message
    assert "ZeroDivisionError" in message and str(out / "notebooks" / "00_broken.ipynb") in message

    executed = nbformat.read(out / "notebooks" / "00_broken.ipynb", as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert errors and errors[0].ename == "ZeroDivisionError" and errors[0].traceback
    assert not (out / "after.json").exists()
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["00_broken.ipynb"]

    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed"
    broken, after = record["notebooks"]
    assert broken["status"] == "failed" and broken["error"]["ename"] == "ZeroDivisionError"
    assert broken["error"]["cell_index"] == 2 and broken["seconds"] > 0
    assert after["status"] == "skipped" and "00_broken" in after["reason"]


def test_only_runs_the_selected_notebooks(tmp_path, corpus):
    nbs = tmp_path / "nbs"
    write_notebook(nbs, "00_first.ipynb", "raise RuntimeError('should not run')")
    write_notebook(nbs, "01_second.ipynb", RECORD.format(name="second"))
    out = tmp_path / "out"
    record = pipeline.run_pipeline(corpus / "a.txt", out, only=["01"], notebooks_dir=nbs,
                                   progress=False)
    assert [(e["name"], e["status"]) for e in record["notebooks"]] == \
        [("00_first.ipynb", "skipped"), ("01_second.ipynb", "ok")]
    assert record["only"] == ["01"]
    assert [f["path"] for f in record["inputs"]["files"]] == ["a.txt"]  # a file corpus is hashed
    assert (out / "second.json").exists() and not (out / "notebooks" / "00_first.ipynb").exists()


def test_unknown_only_lists_notebooks_and_runs_nothing(tmp_path, corpus):
    nbs = tmp_path / "nbs"
    write_notebook(nbs, "00_first.ipynb", "pass")
    with pytest.raises(pipeline.UnknownNotebook, match="00_first.ipynb"):
        pipeline.run_pipeline(corpus, tmp_path / "out", only=["09"], notebooks_dir=nbs,
                              progress=False)
    assert not (tmp_path / "out").exists()


def test_missing_corpus_and_reserved_params_fail_before_running(tmp_path):
    nbs = tmp_path / "nbs"
    write_notebook(nbs, "00_first.ipynb", "pass")
    with pytest.raises(pipeline.CorpusNotFound, match="does not exist"):
        pipeline.run_pipeline(tmp_path / "nope", tmp_path / "out", notebooks_dir=nbs)
    with pytest.raises(ValueError, match="out"):
        pipeline.run_pipeline(tmp_path, tmp_path / "out", params={"out": "x"}, notebooks_dir=nbs)
    assert not (tmp_path / "out").exists()


def test_hash_inputs_of_a_single_file(tmp_path):
    table = tmp_path / "reports.csv"
    table.write_bytes("doc_id,text\n1,法治\n".encode("utf-8"))
    info = pipeline.hash_inputs(table)
    assert info["n_files"] == 1 and info["bytes"] == table.stat().st_size
    assert info["files"][0] == {"path": "reports.csv", "bytes": table.stat().st_size,
                                "sha256": hashlib.sha256(table.read_bytes()).hexdigest()}


# ---------------------------------------------------------------------------- upstream and jobs

def _declare(path: Path, upstream) -> Path:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["tifa"] = {"upstream": upstream}
    nbformat.write(nb, path)
    return path


def test_dependencies_from_metadata(tmp_path):
    _declare(write_notebook(tmp_path, "00_stage.ipynb", "pass"), [])
    _declare(write_notebook(tmp_path, "01_a.ipynb", "pass"), ["00"])
    _declare(write_notebook(tmp_path, "02_b.ipynb", "pass"), ["00_stage"])
    _declare(write_notebook(tmp_path, "05_pack.ipynb", "pass"), "*")
    _declare(write_notebook(tmp_path, "06_late.ipynb", "pass"), ["00_stage.ipynb"])
    write_notebook(tmp_path, "07_undeclared.ipynb", "pass")  # after everything before it
    graph = pipeline.dependencies(pipeline.discover_notebooks(tmp_path))
    assert graph == {
        "00_stage.ipynb": [],
        "01_a.ipynb": ["00_stage.ipynb"],
        "02_b.ipynb": ["00_stage.ipynb"],
        # every other notebook, except the one that depends on it
        "05_pack.ipynb": ["00_stage.ipynb", "01_a.ipynb", "02_b.ipynb", "06_late.ipynb"],
        "06_late.ipynb": ["00_stage.ipynb"],
        "07_undeclared.ipynb": ["00_stage.ipynb", "01_a.ipynb", "02_b.ipynb", "05_pack.ipynb",
                                "06_late.ipynb"],
    }


def test_bad_upstream_declarations_are_refused_before_anything_runs(tmp_path, corpus):
    nbs = tmp_path / "nbs"
    _declare(write_notebook(nbs, "00_a.ipynb", "pass"), ["09"])
    with pytest.raises(pipeline.BadUpstream, match="00_a.ipynb declares upstream '09'"):
        pipeline.run_pipeline(corpus, tmp_path / "out", notebooks_dir=nbs, progress=False)
    assert not (tmp_path / "out").exists()
    _declare(nbs / "00_a.ipynb", ["01"])
    _declare(write_notebook(nbs, "01_b.ipynb", "pass"), ["00"])
    with pytest.raises(pipeline.BadUpstream, match="circle"):
        pipeline.dependencies(pipeline.discover_notebooks(nbs))


WAIT_FOR = ("import pathlib, time\n"
            "flag = pathlib.Path(out, '{flag}')\n"
            "for _ in range(600):\n"
            "    if flag.exists():\n"
            "        break\n"
            "    time.sleep(0.1)\n"
            "else:\n"
            "    raise RuntimeError('{flag} never appeared')")
TOUCH = "import pathlib\npathlib.Path(out, '{flag}').write_text('x')"


def test_independent_notebooks_run_side_by_side_and_a_failure_skips_only_its_dependents(
        tmp_path, corpus):
    nbs = tmp_path / "nbs"
    _declare(write_notebook(nbs, "00_stage.ipynb", RECORD.format(name="stage")), [])
    # 01 waits for a file 02 writes: it can only succeed if both run at the same time
    _declare(write_notebook(nbs, "01_waits.ipynb", WAIT_FOR.format(flag="from_02")), ["00"])
    _declare(write_notebook(nbs, "02_breaks.ipynb", TOUCH.format(flag="from_02"),
                            "raise ValueError('bad table')"), ["00"])
    _declare(write_notebook(nbs, "03_after_02.ipynb", RECORD.format(name="after")), ["02"])
    _declare(write_notebook(nbs, "04_own.ipynb", RECORD.format(name="own")), ["00"])
    _declare(write_notebook(nbs, "05_pack.ipynb", RECORD.format(name="pack")), "*")
    out = tmp_path / "out"
    with pytest.raises(pipeline.NotebookFailed) as info:
        pipeline.run_pipeline(corpus, out, notebooks_dir=nbs, progress=False, jobs=2)
    err = info.value
    assert err.notebook == "02_breaks.ipynb" and err.cell_index == 2 and err.ename == "ValueError"
    assert err.also_failed == []
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed" and record["jobs"] == 2
    assert [(e["name"], e["status"]) for e in record["notebooks"]] == [
        ("00_stage.ipynb", "ok"), ("01_waits.ipynb", "ok"), ("02_breaks.ipynb", "failed"),
        ("03_after_02.ipynb", "skipped"), ("04_own.ipynb", "ok"), ("05_pack.ipynb", "skipped")]
    by_name = {e["name"]: e for e in record["notebooks"]}
    assert by_name["03_after_02.ipynb"]["reason"] == "not run: 02_breaks.ipynb failed"
    assert by_name["05_pack.ipynb"]["reason"] == "not run: 02_breaks.ipynb failed"
    assert by_name["02_breaks.ipynb"]["error"]["source_line"] == "raise ValueError('bad table')"
    assert by_name["01_waits.ipynb"]["upstream"] == ["00_stage.ipynb"]
    assert (out / "own.json").exists() and not (out / "after.json").exists()
    assert not (out / "pack.json").exists()


def test_one_job_runs_in_name_order(tmp_path, corpus):
    nbs = tmp_path / "nbs"
    _declare(write_notebook(nbs, "00_stage.ipynb", "pass"), [])
    _declare(write_notebook(nbs, "01_waits.ipynb", WAIT_FOR.format(flag="from_02")), ["00"])
    _declare(write_notebook(nbs, "02_touch.ipynb", TOUCH.format(flag="from_02")), ["00"])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "from_02").write_text("x")  # else 01 would wait for 02 forever
    record = pipeline.run_pipeline(corpus, tmp_path / "out", notebooks_dir=nbs, progress=False,
                                   jobs=1)
    starts = [e["started"] for e in record["notebooks"]]
    assert record["jobs"] == 1 and starts == sorted(starts)
    with pytest.raises(ValueError, match="jobs"):
        pipeline.run_pipeline(corpus, tmp_path / "out", notebooks_dir=nbs, jobs=0)


def test_the_costliest_ready_notebook_starts_first(tmp_path, corpus):
    """01 and 02 both wait for a file 03 writes: with two kernels that only works if 03, which
    declares the highest cost, starts before 02 (in name order 01 and 02 would hold both)."""
    nbs = tmp_path / "nbs"
    _declare(write_notebook(nbs, "00_stage.ipynb", "pass"), [])
    _declare(write_notebook(nbs, "01_waits.ipynb", WAIT_FOR.format(flag="from_03")), ["00"])
    _declare(write_notebook(nbs, "02_waits.ipynb", WAIT_FOR.format(flag="from_03")), ["00"])
    costly = _declare(write_notebook(nbs, "03_costly.ipynb", TOUCH.format(flag="from_03")), ["00"])
    nb = nbformat.read(costly, as_version=4)
    nb.metadata["tifa"]["cost"] = 30
    nbformat.write(nb, costly)
    assert [pipeline.notebook_cost(p) for p in sorted(nbs.glob("*.ipynb"))] == [0, 0, 0, 30]
    record = pipeline.run_pipeline(corpus, tmp_path / "out", notebooks_dir=nbs, progress=False,
                                   jobs=2)
    assert record["status"] == "ok"
    assert [e["name"] for e in record["notebooks"]] == sorted(p.name for p in nbs.glob("*.ipynb"))


def test_the_run_returns_when_every_figure_format_is_written(tmp_path, corpus):
    nbs = tmp_path / "nbs"
    _declare(write_notebook(nbs, "01_fig.ipynb",
                            "import os\n"
                            "from matplotlib.figure import Figure\n"
                            "from tifa.report import export\n"
                            "assert os.environ[export.FIGURE_JOBS_ENV]\n"
                            "fig = Figure(figsize=(3, 2))\n"
                            "fig.add_subplot().bar([0, 1], [2, 3])\n"
                            "fig.suptitle('依法行政')\n"
                            "export.save_figure(fig, out, '01_fig', 'bars')"), [])
    out = tmp_path / "out"
    record = pipeline.run_pipeline(corpus, out, notebooks_dir=nbs, progress=False)
    folder = out / "figures" / "01_fig"
    assert sorted(p.name for p in folder.iterdir()) == ["bars.json", "bars.pdf", "bars.png",
                                                        "bars.svg"]
    assert (folder / "bars.pdf").read_bytes().startswith(b"%PDF")
    assert not (out / pipeline.FIGURE_JOBS_DIR).exists()
    (entry,) = record["notebooks"]
    assert entry["status"] == "ok" and entry["figure_seconds"] >= 0
