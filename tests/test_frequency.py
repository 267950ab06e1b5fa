"""Tests of tifa.analyze.frequency: counts, per-10k rates, ranks, n-grams, collocations, matrices."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tifa.schemas import TOKENS
from tifa.analyze import frequency as F

STOP = {"的", "和", "了"}
BOILER = {"工作", "加强"}


# ---------------------------------------------------------------------------- fixtures
# (also imported by test_compare.py and test_charts_keywords.py)

def make_tokens(docs: dict[str, list[list[str]]], *, paras: dict[str, list[int]] | None = None,
                pos: dict[str, str] | None = None) -> pd.DataFrame:
    """A tokens table from ``{doc_id: [[token, ...] per sentence]}``; one paragraph per
    sentence unless ``paras`` gives each sentence's para_id."""
    rows = []
    for doc_id, sentences in docs.items():
        position = 0
        for s, words in enumerate(sentences):
            para = paras[doc_id][s] if paras else s
            for w in words:
                rows.append({"doc_id": doc_id, "section_id": 0, "para_id": para, "sent_id": s,
                             "position": position, "token": w, "pos": (pos or {}).get(w, "n"),
                             "stop": w in STOP, "boilerplate": w in BOILER})
                position += 1
    t = pd.DataFrame(rows, columns=TOKENS)
    return t.astype({"doc_id": "string", "token": "string", "pos": "string",
                     "section_id": "int64", "para_id": "int64", "sent_id": "int64",
                     "position": "int64", "stop": bool, "boilerplate": bool})


def make_documents(ids: list[str], **columns) -> pd.DataFrame:
    d = pd.DataFrame({"doc_id": pd.array(ids, dtype="string")})
    for name, values in columns.items():
        d[name] = values
    d["text"] = ""
    return d


@pytest.fixture
def corpus():
    tokens = make_tokens({
        "a": [["法治", "政府", "的", "建设"], ["法治", "政府", "工作", "加强"]],
        "b": [["依法", "行政", "法治", "政府"], ["服务", "企业", "和", "群众"]],
        "c": [["服务", "企业"], ["法治"]],
    })
    docs = make_documents(["a", "b", "c"], region=["甲市", "乙市", "甲市"],
                          year=pd.array([2022, 2023, pd.NA], dtype="Int64"))
    return tokens, docs


# ---------------------------------------------------------------------------- term_frequencies

def test_counts_rates_and_ranks(corpus):
    tokens, docs = corpus
    f = F.term_frequencies(tokens, docs)
    assert list(f.columns[:5]) == ["term", "group", "count", "per_10k", "rank"]
    a = f[f["group"] == "a"].set_index("term")
    # doc a: 8 tokens in total (stopwords and boilerplate included in the denominator)
    assert a.loc["法治", "count"] == 2 and a.loc["法治", "total"] == 8
    assert a.loc["法治", "per_10k"] == pytest.approx(2 / 8 * 10_000)
    assert "的" not in a.index and "工作" not in a.index  # stop / boilerplate filtered
    # 政府 and 法治 both 2: the tie is broken by the term (code point order: 政 < 法)
    assert a.loc["政府", "rank"] == 1 and a.loc["法治", "rank"] == 2 and a.loc["建设", "rank"] == 3
    assert set(a["rank"]) == {1, 2, 3}


def test_boilerplate_switch_keeps_denominator(corpus):
    tokens, docs = corpus
    on = F.term_frequencies(tokens, docs, boilerplate=True)
    off = F.term_frequencies(tokens, docs, boilerplate=False)
    assert "工作" in set(off["term"]) and "工作" not in set(on["term"])
    both = on.merge(off, on=["term", "group"], suffixes=("_on", "_off"))
    np.testing.assert_allclose(both["per_10k_on"], both["per_10k_off"])


def test_by_metadata_column_pools_documents(corpus):
    tokens, docs = corpus
    f = F.term_frequencies(tokens, docs, by="region")
    jia = f[f["group"] == "甲市"].set_index("term")
    assert jia.loc["法治", "count"] == 3            # 2 in a + 1 in c
    assert jia.loc["法治", "total"] == 8 + 3        # a and c together
    assert jia.loc["服务", "count"] == 1
    # years: missing year gets the MISSING_GROUP label, numbers print without ".0"
    fy = F.term_frequencies(tokens, docs, by="year")
    assert {"2022", "2023"} <= set(fy["group"]) and any("未注明" in g for g in fy["group"])


def test_top_terms_and_compare_top(corpus):
    tokens, docs = corpus
    f = F.term_frequencies(tokens, docs)
    top = F.top_terms(f, n=1)
    assert top.groupby("group").size().max() == 1
    ct = F.compare_top(f, n=1)
    # each term of the union appears once per group, zero-filled
    assert len(ct) == ct["term"].nunique() * ct["group"].nunique()
    assert set(ct["term"]) == {"政府", "企业"}  # a's top term, and b's and c's
    zero = ct[(ct["term"] == "政府") & (ct["group"] == "c")]
    assert zero["count"].iloc[0] == 0 and zero["per_10k"].iloc[0] == 0
    assert not zero["in_top"].iloc[0]
    assert F.largest_groups(f, n=1) == ["a"]


# ---------------------------------------------------------------------------- n-grams

def test_bigrams_within_sentences_and_filters(corpus):
    tokens, docs = corpus
    bi = F.ngrams(tokens, docs, n=2)
    a = bi[bi["group"] == "a"].set_index("term")
    assert a.loc["法治政府", "count"] == 2
    assert a.loc["法治政府", "tokens"] == "法治 政府"
    assert a.loc["法治政府", "per_10k"] == pytest.approx(2 / 8 * 10_000)
    # never across a sentence boundary: 建设|法治 are neighbours in position only
    assert "建设法治" not in a.index
    # stopword at an edge drops the n-gram; all-boilerplate drops it
    assert "政府的" not in a.index and "工作加强" not in a.index
    # boilerplate inside a phrase is kept
    assert "政府工作" in a.index
    tri = F.ngrams(tokens, docs, n=3, by="region", sep=" ")
    assert "法治 政府 工作" in set(tri["term"])
    assert (tri["n"] == 3).all()


# ---------------------------------------------------------------------------- collocations

def test_collocation_counts_and_measures():
    tokens = make_tokens({"a": [["x", "node", "y", "z"], ["y", "q", "r", "s"],
                                ["x", "node", "w", "t"]]})
    docs = make_documents(["a"])
    col = F.collocations(tokens, "node", documents=docs, by=None, window=1, min_count=1,
                         min_chars=1)
    x = col.set_index("collocate").loc["x"]
    # 12 tokens, node twice; spans (window 1, same sentence): {x, y} and {x, w}: W = 4
    assert x["count"] == 2 and x["span_tokens"] == 4 and x["node_count"] == 2
    assert x["collocate_total"] == 2 and x["total"] == 12
    # 2x2 over the 10 non-node tokens: O11=2, O12=2, O21=0, O22=6; E11 = 4*2/10
    e11 = 4 * 2 / 10
    assert x["expected"] == pytest.approx(e11)
    assert x["mi"] == pytest.approx(math.log2(2 / e11))
    cells = [(2, 4 * 2 / 10), (2, 4 * 8 / 10), (0, 6 * 2 / 10), (6, 6 * 8 / 10)]
    g2 = 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)
    assert x["g2"] == pytest.approx(g2)
    assert x["log_dice"] == pytest.approx(14 + math.log2(2 * 2 / (2 + 2)))
    # z is two positions away: outside a window of 1
    assert "z" not in set(col["collocate"])


# ---------------------------------------------------------------------------- matrices

def test_document_term_matrix_units_and_groups(corpus):
    tokens, docs = corpus
    dtm = F.document_term_matrix(tokens, docs, unit="paragraph", by="region")
    assert dtm.matrix.shape == (len(dtm.rows), len(dtm.terms))
    assert len(dtm.rows) == 6  # 2 paragraphs in each of 3 documents
    assert int(dtm.matrix.sum()) == int(dtm.rows["n_tokens"].sum())
    j = list(dtm.terms).index("法治")
    first = dtm.rows.index[(dtm.rows["doc_id"] == "a") & (dtm.rows["para_id"] == 0)][0]
    assert dtm.matrix[first, j] == 1
    assert set(dtm.rows["group"]) == {"甲市", "乙市"}
    g = F.document_term_matrix(tokens, docs, unit="group", by="region")
    assert list(g.rows["group"]) == ["甲市", "乙市"]
    assert g.matrix[0, list(g.terms).index("法治")] == 3
    assert list(g.rows["total"]) == [11, 8]
    fixed = F.document_term_matrix(tokens, docs, unit="document", vocabulary=["法治", "未见"])
    assert fixed.matrix.toarray().tolist() == [[2, 0], [1, 0], [1, 0]]


def test_filter_note_says_what_was_dropped():
    assert F.filter_note() == "已去除停用词、单字词和公文套话"
    assert F.filter_note(boilerplate=False) == "已去除停用词和单字词"
    assert F.filter_note(stop=False, boilerplate=False, min_chars=1) == "未过滤（含停用词）"
    assert F.filter_note(pos=("n",)).endswith("仅保留词性 n")
