"""corpus -> units -> tokens in one call, reused from the output folder when up to date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tifa import schemas
from tifa.runner import stages

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("TIFA_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "corpus"
    shutil.copytree(ROOT / "seeds", folder)
    return folder


def test_prepare_builds_every_stage(corpus, tmp_path):
    stage = stages.prepare(corpus, tmp_path / "out")
    assert list(stage.documents.columns[: len(schemas.DOCUMENTS)]) == schemas.DOCUMENTS
    assert list(stage.units.columns) == schemas.UNITS
    assert list(stage.tokens.columns) == schemas.TOKENS
    assert stage.documents["n_tokens"].notna().all()
    assert stage.documents["n_tokens"].tolist() == stage.tokens.groupby("doc_id").size().tolist()
    for name in ("documents", "ingest_report", "units", "tokens"):
        assert (tmp_path / "out" / "data" / f"{name}.parquet").is_file()
    assert stage.loaded_from is None


def test_extracted_slogans_are_single_tokens(corpus, tmp_path):
    tokens = stages.prepare(corpus, None).tokens
    words = set(tokens["token"])
    for slogan in ("两个确立", "两个维护", "一企一专班", "一园一策", "三会一课"):
        assert slogan in words, slogan
    plain = stages.prepare(corpus, None, slogan_terms=False).tokens
    assert "一企一专班" not in set(plain["token"])


def test_second_prepare_reuses_the_stage_tables(corpus, tmp_path):
    first = stages.prepare(corpus, tmp_path / "out")
    again = stages.prepare(corpus, tmp_path / "out")
    assert again.loaded_from == tmp_path / "out" / "data"
    assert again.tokens.equals(first.tokens)
    assert again.documents.drop(columns=["date"]).equals(first.documents.drop(columns=["date"]))
    assert "一企一专班" in again.lexicon.extra_terms


def test_a_changed_corpus_is_read_again(corpus, tmp_path):
    stages.prepare(corpus, tmp_path / "out")
    (corpus / "new.txt").write_text("市人民政府关于2024年法治政府建设情况的报告\n一、主要工作\n推进依法行政。\n",
                                    encoding="utf-8")
    again = stages.prepare(corpus, tmp_path / "out")
    assert again.loaded_from is None
    assert len(again.documents) == 3


def test_edited_word_lists_apply_without_rebuilding(corpus, tmp_path, monkeypatch):
    stages.prepare(corpus, tmp_path / "out")
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with open(data / "boilerplate.txt", "a", encoding="utf-8") as fh:
        fh.write("\n外事\n")
    monkeypatch.setenv("TIFA_DATA", str(data))
    again = stages.prepare(corpus, tmp_path / "out")
    assert again.loaded_from is not None
    assert again.tokens.loc[again.tokens["token"] == "外事", "boilerplate"].all()
