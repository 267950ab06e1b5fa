"""The output folder is never part of a corpus: not for reading (ingest.corpus), not for the
stage fingerprint (runner.stages), not for run.json's input hashes (runner.pipeline)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tifa.ingest.corpus import folder_skip_reason, read_corpus
from tifa.runner import pipeline, stages

ROOT = Path(__file__).resolve().parents[1]
SEED_IDS = ["000_5305f72e38caa88f", "002_c9417e647ef2fa0e"]
OWN = "the output folder of this run: not read as part of the corpus"
RUN_JSON = "tifa output folder (holds run.json): not read as part of the corpus"
STAGE_JSON = "tifa output folder (holds data/stage.json): not read as part of the corpus"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TIFA_CACHE", str(tmp_path_factory.getbasetemp() / "output_folder_cache"))


def _fake_output(folder: Path, *, run_json: bool = True, stage_json: bool = True) -> Path:
    """What a tifa run leaves: run.json, tables/*.csv, data/*.parquet (all of them readable as
    tables of documents, which is how units became "documents" before)."""
    (folder / "tables").mkdir(parents=True)
    (folder / "data").mkdir()
    if run_json:
        (folder / "run.json").write_text(json.dumps({"tifa_version": "0.1.0", "status": "ok"}),
                                         encoding="utf-8")
    if stage_json:
        (folder / "data" / "stage.json").write_text(json.dumps({"stage_version": "2"}),
                                                    encoding="utf-8")
    text = (ROOT / "seeds" / f"{SEED_IDS[0]}.txt").read_text(encoding="utf-8")
    units = pd.DataFrame({"doc_id": ["x"] * 3, "text": [text[i * 300:(i + 1) * 300] for i in range(3)]})
    units.to_parquet(folder / "data" / "units.parquet")
    pd.DataFrame({"doc_id": ["d"], "text": [text]}).to_csv(folder / "tables" / "documents.csv", index=False)
    return folder


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "reports"
    shutil.copytree(ROOT / "seeds", folder)
    return folder


def _skipped(report: pd.DataFrame) -> dict[str, str]:
    rows = report[report["status"] == "skipped"]
    return dict(zip(rows["source"], rows["reason"]))


def test_tifa_output_folders_are_skipped_with_a_reason(corpus):
    _fake_output(corpus / "out")
    _fake_output(corpus / "old" / "2023", run_json=False)
    docs, report = read_corpus(corpus)
    assert docs["doc_id"].tolist() == SEED_IDS
    assert _skipped(report) == {"old/2023/": STAGE_JSON, "out/": RUN_JSON}
    assert set(report["status"]) == {"ok", "skipped"}  # nothing reported as a duplicate


def test_the_runs_own_output_folder_is_skipped_before_it_holds_anything_of_tifa(corpus):
    (corpus / "results").mkdir()
    (corpus / "results" / "notes.txt").write_text("法治政府建设" * 50, encoding="utf-8")
    docs, report = read_corpus(corpus, exclude=[corpus / "results"])
    assert docs["doc_id"].tolist() == SEED_IDS
    assert _skipped(report) == {"results/": OWN}
    assert folder_skip_reason(corpus / "results", exclude=[corpus / "results"]) == OWN


def test_a_folder_with_someone_elses_run_json_is_read(corpus):
    (corpus / "other").mkdir()
    (corpus / "other" / "run.json").write_text('{"steps": 3}', encoding="utf-8")
    (corpus / "other" / "r.txt").write_text("某市人民政府关于2024年法治政府建设情况的报告\n推进依法行政。",
                                            encoding="utf-8")
    docs, _ = read_corpus(corpus)
    assert "other/r" in docs["doc_id"].tolist()
    assert folder_skip_reason(corpus / "other") is None


def test_fingerprint_and_input_hashes_ignore_output_folders(corpus):
    before = stages.corpus_fingerprint(corpus, exclude=[corpus / "out"])
    hashes = pipeline.hash_inputs(corpus, exclude=[corpus / "out"])
    (corpus / "out" / "tables").mkdir(parents=True)
    (corpus / "out" / "tables" / "keywords.csv").write_text("term\n法治\n", encoding="utf-8")
    _fake_output(corpus / "previous")
    assert stages.corpus_fingerprint(corpus, exclude=[corpus / "out"]) == before
    assert pipeline.hash_inputs(corpus, exclude=[corpus / "out"]) == hashes
    assert [f["path"] for f in hashes["files"]] == [f"{i}.txt" for i in SEED_IDS]
    (corpus / "new.txt").write_text("推进依法行政。", encoding="utf-8")
    assert stages.corpus_fingerprint(corpus, exclude=[corpus / "out"]) != before


def test_corpus_dot_with_the_output_inside_reads_the_same_documents_twice(tmp_path, monkeypatch):
    """`tifa run --corpus . --out out` run twice, and a copy of an old output beside it."""
    shutil.copytree(ROOT / "seeds", tmp_path / "reports")
    monkeypatch.chdir(tmp_path)
    first = stages.prepare(".", "out")
    shutil.copytree(tmp_path / "out", tmp_path / "old_output")  # a previous run, kept by hand
    (tmp_path / "old_output" / "run.json").write_text('{"tifa_version": "0.1.0"}', encoding="utf-8")
    again = stages.prepare(".", "out")
    assert again.loaded_from is not None  # the outputs written inside did not make it stale
    rebuilt = stages.prepare(".", "out", reuse=False)
    for stage in (first, again, rebuilt):
        assert stage.documents["doc_id"].tolist() == [f"reports/{i}" for i in SEED_IDS]
    assert _skipped(rebuilt.report) == {"old_output/": RUN_JSON,
                                        "out/": OWN}
