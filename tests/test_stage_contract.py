"""The stage contract: declared once (stages.prepare, by 00_corpus or tifa run), recorded in
out/data/stage.json, loaded by out alone (stages.load), rebuilt with the recorded options when
stale, under a lock."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from tifa import paths
from tifa.runner import stages

ROOT = Path(__file__).resolve().parents[1]
SEED_IDS = ["000_5305f72e38caa88f", "002_c9417e647ef2fa0e"]


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    # one token cache for the module: the seeds are tokenized once, not in every test
    monkeypatch.setenv("TIFA_CACHE", str(tmp_path_factory.getbasetemp() / "stage_contract_cache"))


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "reports"
    shutil.copytree(ROOT / "seeds", folder)
    return folder


def _table(tmp_path) -> Path:
    """A table whose text is in 正文 and whose `content` column holds only a summary: left to
    itself, text detection would take `content` (it ranks first), so text_column matters."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    frame = pd.DataFrame({
        "id": ["a", "b"],
        "省份": ["山东省", "福建省"],
        "content": [t.strip().splitlines()[0] for t in texts],
        "正文": texts,
    })
    path = tmp_path / "reports.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def test_prepare_records_the_corpus_and_every_option(corpus, tmp_path, monkeypatch):
    (tmp_path / "meta.csv").write_text(f"file,category\n{SEED_IDS[0]}.txt,甲\n{SEED_IDS[1]}.txt,乙\n",
                                       encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    stage = stages.prepare(corpus, out, manifest="meta.csv", extra_terms=["云帆护航行动"], n_jobs=1)
    record = json.loads((out / "data" / "stage.json").read_text(encoding="utf-8"))
    assert record["complete"] is True
    assert record["corpus"] == str(corpus.resolve())
    assert record["options"] == {
        "text_column": None, "manifest": str(tmp_path / "meta.csv"), "max_bytes": 20_000_000,
        "chrome_min_docs": 2, "column_fields": None,
        "extra_terms": ["云帆护航行动"], "slogan_terms": True, "cache": True, "n_jobs": 1,
        "scheduler": None}
    assert set(record["inputs"]) == {"corpus_fingerprint", "lexicon", "formulations", "chrome"}
    assert "一企一专班" in record["found_terms"]
    assert record["built"]["documents"] == 2 and record["built"]["tokens"] == len(stage.tokens)
    assert stage.corpus == record["corpus"] and stage.options == record["options"]
    assert stage.documents["category"].tolist() == ["甲", "乙"]


def test_load_reads_the_stage_by_out_alone(corpus, tmp_path):
    out = tmp_path / "out"
    built = stages.prepare(corpus, out, extra_terms=["云帆护航行动"])
    loaded = stages.load(out)
    assert loaded.loaded_from == out / "data" and loaded.info["reused"]
    assert loaded.tokens.equals(built.tokens)
    assert loaded.documents.drop(columns=["date"]).equals(built.documents.drop(columns=["date"]))
    assert "云帆护航行动" in loaded.lexicon.extra_terms and "一企一专班" in loaded.lexicon.extra_terms
    assert stages.check(out) is None and stages.check(out, corpus, extra_terms=["云帆护航行动"]) is None


def test_load_without_a_stage_builds_the_default_corpus(tmp_path):
    out = tmp_path / "out"
    stage = stages.load(out)
    assert stage.loaded_from is None and stage.info["rebuilt"].startswith("no stage yet")
    assert stage.documents["doc_id"].tolist() == SEED_IDS
    record = stages.read_record(out)
    assert record["corpus"] == str(paths.default_corpus().resolve())
    assert record["options"] == {**stages.STAGE_OPTIONS, "extra_terms": []}
    assert stages.load(out).loaded_from == out / "data"  # the next notebook reads it


def test_a_stale_stage_is_rebuilt_once_with_the_recorded_options(tmp_path):
    table = _table(tmp_path)
    out = tmp_path / "out"
    first = stages.prepare(table, out, text_column="正文")
    assert first.documents["raw_text"].str.len().min() > 1000  # the full text, not the summary
    frame = pd.read_csv(table)
    extra = {"id": "c", "省份": "浙江省", "content": "摘要",
             "正文": "某市人民政府关于2024年法治政府建设情况的报告\n一、主要工作\n推进依法行政，建设法治政府。\n"}
    pd.concat([frame, pd.DataFrame([extra])]).to_csv(table, index=False, encoding="utf-8")
    assert stages.check(out) == "the corpus files changed"
    again = stages.load(out)
    assert again.info["rebuilt"] == "the corpus files changed" and again.loaded_from is None
    assert again.documents["doc_id"].tolist() == ["reports/a", "reports/b", "reports/c"]
    assert again.documents["raw_text"].tolist()[:2] == first.documents["raw_text"].tolist()
    assert again.documents["省份"].tolist() == ["山东省", "福建省", "浙江省"]
    assert stages.read_record(out)["options"]["text_column"] == "正文"
    assert stages.load(out).loaded_from == out / "data"


def test_check_says_why_a_stage_does_not_fit(corpus, tmp_path):
    out = tmp_path / "out"
    assert stages.check(out) == "no stage yet" and stages.check(out, corpus) == "no stage yet"
    stages.prepare(corpus, out)
    assert stages.check(out, corpus) is None
    assert stages.check(out, corpus, n_jobs=1, cache=False) is None  # how, not what: still fits
    assert stages.check(out, corpus, text_column="正文") == "built with other options (text_column)"
    assert stages.check(out, corpus, slogan_terms=False, max_bytes=5) == \
        "built with other options (max_bytes, slogan_terms)"
    assert stages.check(out, ROOT / "seeds").startswith("built from another corpus")
    with pytest.raises(TypeError, match="text_colum"):
        stages.check(out, corpus, text_colum="正文")


def test_an_interrupted_build_is_rebuilt_with_its_recorded_options(tmp_path):
    table = _table(tmp_path)
    out = tmp_path / "out"
    stages.prepare(table, out, text_column="正文")
    record = stages.read_record(out)
    record["complete"] = False  # as a build killed half-way leaves it
    (out / "data" / "stage.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    stage = stages.load(out)
    assert stage.info["rebuilt"] == "the last build was interrupted"
    assert stage.documents["raw_text"].str.len().min() > 1000
    assert stages.read_record(out)["complete"] is True


def test_a_complete_stage_whose_corpus_is_gone_is_used_with_a_warning(corpus, tmp_path):
    out = tmp_path / "out"
    stages.prepare(corpus, out)
    shutil.rmtree(corpus)
    with pytest.warns(UserWarning, match="no longer exists"):
        stage = stages.load(out)
    assert stage.documents["doc_id"].tolist() == SEED_IDS


def test_concurrent_loads_rebuild_once_and_never_read_half_a_stage(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    stages.prepare(corpus, out)
    (corpus / "new.txt").write_text("市人民政府关于2024年法治政府建设情况的报告\n一、主要工作\n推进依法行政。\n",
                                    encoding="utf-8")
    real_build, builds = stages._build, []

    def slow_build(*args, **kwargs):
        builds.append(threading.get_ident())
        time.sleep(1.0)  # long enough for every other loader to arrive while the build runs
        return real_build(*args, **kwargs)

    monkeypatch.setattr(stages, "_build", slow_build)
    results, errors = [], []

    def run():
        try:
            results.append(stages.load(out))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and len(results) == 4
    assert len(builds) == 1
    for stage in results:
        assert stage.documents["doc_id"].tolist() == ["000_5305f72e38caa88f", "002_c9417e647ef2fa0e", "new"]
        assert stage.tokens["doc_id"].nunique() == 3


def test_a_reader_waits_for_the_builder(corpus, tmp_path):
    out = tmp_path / "out"
    stages.prepare(corpus, out)
    done = []
    with stages._locked(out / "data", exclusive=True):  # a build in progress
        reader = threading.Thread(target=lambda: done.append(stages.load(out)))
        reader.start()
        reader.join(timeout=1.0)
        assert reader.is_alive() and not done  # blocked, not reading
    reader.join(timeout=60)
    assert done and done[0].loaded_from == out / "data"


def test_stage_options_are_normalised_and_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    opts = stages.stage_options(manifest="m.csv", extra_terms="两个确立", max_bytes="1000")
    assert opts["manifest"] == str(tmp_path / "m.csv") and opts["extra_terms"] == ["两个确立"]
    assert opts["max_bytes"] == 1000 and list(opts) == list(stages.STAGE_OPTIONS)
    with pytest.raises(TypeError, match="stage options are text_column, manifest"):
        stages.stage_options(corpus="x")


def test_a_stage_of_an_older_tifa_is_rebuilt_with_its_own_options(tmp_path):
    """stage.json as tifa wrote it before the contract (version 1): corpus and options kept."""
    table = _table(tmp_path)
    out = tmp_path / "out"
    stages.prepare(table, out, text_column="正文")
    (out / "data" / "stage.json").write_text(json.dumps({
        "stage_version": "1", "corpus": str(table.resolve()), "corpus_fingerprint": "x",
        "options": {"text_column": "正文", "manifest": None, "max_bytes": 20_000_000,
                    "slogan_terms": True, "formulations": "y"},
        "lexicon": "z", "slogan_terms": []}, ensure_ascii=False), encoding="utf-8")
    stage = stages.load(out)
    assert stage.info["rebuilt"] == "built by another version of tifa"
    assert stage.documents["raw_text"].str.len().min() > 1000  # 正文 again, not `content`
    assert stages.read_record(out)["stage_version"] == stages.STAGE_VERSION
