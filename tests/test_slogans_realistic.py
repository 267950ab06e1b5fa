"""tifa.analyze.slogans on the realistic fixture corpus (tests/fixtures/realistic): the head of
the slogan list is formulations, not the emphasis words one report put in quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tifa.ingest.corpus import read_corpus
from tifa.ingest.units import split_units
from tifa.analyze import slogans

REALISTIC = Path(__file__).parent / "fixtures" / "realistic"
EXPECTED = json.loads((REALISTIC / "expected.json").read_text(encoding="utf-8"))
SLOGAN_KINDS = ("numbered", "known", "quoted")
#: Keys of expected.json["slogans_quoted"] that name a family by another form.
CANONICAL = {"八五": "八五普法", "九五": "九五普法", "《中华人民共和国行政复议法》": "《行政复议法》"}


@pytest.fixture(scope="module")
def table():
    documents, _ = read_corpus(REALISTIC / "table" / "reports.csv", text_column="正文")
    units = split_units(documents)
    mentions = slogans.extract_slogans(documents, units, keep_noise=True)
    ids = {d["file"]: d["id"] for d in EXPECTED["documents"]}
    doc_of = dict(zip(documents["doc_id"].astype(str).str.rsplit("/", n=1).str[-1], documents["doc_id"].astype(str)))
    return documents, mentions, {f: doc_of[i] for f, i in ids.items() if i in doc_of}


def _kept(m):
    return m[m["noise"].isna()]


@pytest.mark.parametrize("term", sorted(EXPECTED["emphasis_quotes"]))
def test_emphasis_quote_counts_only_where_quoted(table, term):
    documents, m, doc_of = table
    quoting = doc_of[EXPECTED["emphasis_quotes"][term]]
    uses = _kept(m)[_kept(m)["slogan"] == term]
    assert set(uses["doc_id"]) == {quoting} and uses["quoted"].all()
    demoted = m[(m["noise"] == "no_evidence") & (m["variant"] == term)]
    others = {doc_of[f] for f in EXPECTED["emphasis_unquoted_in"][term] if f in doc_of}
    assert len(others) >= 5 and others - {quoting} <= set(demoted["doc_id"])


def test_formulations_quoted_in_two_documents_are_counted_where_unquoted(table):
    documents, m, doc_of = table
    summary = slogans.slogan_summary(m, documents).set_index("slogan")
    for key, files in EXPECTED["slogans_quoted"].items():
        docs = {doc_of[f] for f in files if f in doc_of}
        if len(docs) < 2:
            continue
        row = summary.loc[CANONICAL.get(key, key)]
        assert row["n_docs"] >= len(docs), key
        if not key.startswith("《"):
            assert row["n_docs_quoted"] >= len(docs), key


def test_head_of_the_list_is_formulations(table):
    documents, m, _ = table
    summary = slogans.slogan_summary(m, documents, by="省份")
    head = summary[summary["kind"].isin(SLOGAN_KINDS)].head(30)
    assert not set(head["slogan"]) & set(EXPECTED["emphasis_quotes"])
    assert not any(slogans.is_quantity(s) for s in head["slogan"])
    for slogan in ("枫桥经验", "两个确立", "十四五", "三重一大", "八五普法"):
        assert slogan in set(head["slogan"])
    # quoted formulations of few reports rank by their reach, not below one report's repetitions
    rank = summary.set_index("slogan")["rank"]
    assert rank["两新"] < rank["新高地"] and rank["好房子"] < rank["一体化"]
