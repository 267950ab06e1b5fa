"""Tests of tifa.analyze.compare: G² and Log Ratio by hand, keyness tables, TF-IDF against
scikit-learn, cosine similarity, clustering, over-used and shared terms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from tifa.analyze import compare as C
from tifa.analyze import frequency as F
from test_frequency import make_documents, make_tokens


def _chi2_sf_1df(x: float) -> float:
    """P(chi2 with 1 df >= x) = erfc(sqrt(x / 2)), independent of scipy."""
    return math.erfc(math.sqrt(x / 2))


# ---------------------------------------------------------------------------- by hand

def test_g2_and_log_ratio_by_hand():
    # a=4 of N_t=10, b=2 of N_r=20; N=30; E = 2, 4, 8, 16 (see keyness_stats)
    s = C.keyness_stats([4], [2], [10], [20])
    by_hand = 2 * (4 * math.log(4 / 2) + 2 * math.log(2 / 4) + 6 * math.log(6 / 8)
                   + 18 * math.log(18 / 16))
    assert by_hand == pytest.approx(3.560593, abs=1e-6)
    assert s["g2"][0] == pytest.approx(by_hand)
    assert s["p"][0] == pytest.approx(_chi2_sf_1df(by_hand))
    assert s["log_ratio"][0] == pytest.approx(2.0)  # (4/10) / (2/20) = 4


def test_zero_count_sign_and_half_correction():
    # a=0 of 10, b=3 of 10: under-used in the target -> negative G2
    s = C.keyness_stats(0, 3, 10, 10)
    by_hand = 2 * (3 * math.log(3 / 1.5) + 10 * math.log(10 / 8.5) + 7 * math.log(7 / 8.5))
    assert float(s["g2"]) == pytest.approx(-by_hand)
    assert float(s["log_ratio"]) == pytest.approx(math.log2((0.5 / 10) / (3 / 10)))
    same = C.keyness_stats(5, 5, 100, 100)
    assert float(same["g2"]) == pytest.approx(0.0) and float(same["p"]) == pytest.approx(1.0)


# ---------------------------------------------------------------------------- keyness tables

@pytest.fixture
def two_docs():
    # target: 法治 x4 among 10 tokens; reference: 法治 x2 among 20 tokens
    t_words = ["法治"] * 4 + ["服务"] * 6
    r_words = ["法治"] * 2 + ["企业"] * 12 + ["服务"] * 6
    tokens = make_tokens({"t": [t_words[:5], t_words[5:]], "r": [r_words[:10], r_words[10:]]})
    docs = make_documents(["t", "r"], label=["目标", "参照"])
    return tokens, docs


def test_keyness_table_carries_counts(two_docs):
    tokens, docs = two_docs
    k = C.keyness(tokens, docs, by="label", target="目标", reference="参照", min_count=1)
    assert list(k.columns[:10]) == ["term", "target", "reference", "n_target", "n_reference",
                                    "total_target", "total_reference", "g2", "p", "log_ratio"]
    row = k.set_index("term").loc["法治"]
    assert (row["n_target"], row["n_reference"]) == (4, 2)
    assert (row["total_target"], row["total_reference"]) == (10, 20)
    assert row["g2"] == pytest.approx(3.560593, abs=1e-6)
    assert row["log_ratio"] == pytest.approx(2.0)
    assert row["per_10k_target"] == pytest.approx(4000.0)
    # recomputable from the table's own columns
    again = C.keyness_stats(k["n_target"], k["n_reference"], k["total_target"],
                            k["total_reference"])
    np.testing.assert_allclose(again["g2"], k["g2"])
    企业 = k.set_index("term").loc["企业"]
    assert 企业["g2"] < 0 and 企业["n_target"] == 0
    assert list(k["g2"]) == sorted(k["g2"], reverse=True)


def test_min_count_and_one_vs_rest(two_docs):
    tokens, docs = two_docs
    k = C.keyness(tokens, docs, by="label", min_count=7)
    assert set(k["term"]) == {"企业", "服务"}        # 法治 has 6 in all
    assert set(k["target"]) == {"目标", "参照"}
    # with two groups "the rest" is the other group, and the blocks mirror each other
    a = k[k["target"] == "目标"].set_index("term")["g2"]
    b = k[k["target"] == "参照"].set_index("term")["g2"]
    np.testing.assert_allclose(a.sort_index(), -b.sort_index())


def test_keyness_by_metadata_pools_groups():
    tokens = make_tokens({"a": [["法治"] * 3 + ["服务"]], "b": [["法治", "服务"]],
                          "c": [["服务"] * 4]})
    docs = make_documents(["a", "b", "c"], region=["甲", "甲", "乙"])
    k = C.keyness(tokens, docs, by="region", target="甲", min_count=1)
    row = k.set_index("term").loc["法治"]
    assert (row["n_target"], row["total_target"]) == (4, 6)
    assert (row["n_reference"], row["total_reference"]) == (0, 4)
    assert row["reference"] == "乙"
    three = C.keyness(tokens, docs, by="doc_id", target="a", min_count=1)
    assert (three["reference"] == C.REST).all()
    assert three.set_index("term").loc["法治", "n_reference"] == 1


def test_top_keeps_both_sides():
    words = {f"d{i}": [[f"词{j}{i}" for j in range(5)] * (i + 1) + ["共同"] * 3] for i in range(4)}
    tokens = make_tokens(words)
    docs = make_documents(list(words))
    k = C.keyness(tokens, docs, min_count=1, top=2)
    per = k.groupby("target").apply(lambda d: ((d["g2"] > 0).sum(), (d["g2"] < 0).sum()),
                                    include_groups=False)
    assert all(p <= 2 and n <= 2 for p, n in per)
    sel = C.key_terms(k, n=1, p=1.0)
    assert sel.groupby(["target", "side"]).size().max() == 1


# ---------------------------------------------------------------------------- TF-IDF

def test_tfidf_equals_scikit_learn_on_the_same_counts():
    docs_words = {
        "a": [["法治", "政府", "建设"], ["法治", "服务", "企业"], ["依法", "行政"]],
        "b": [["服务", "企业", "服务"], ["法治", "政府"], ["群众", "服务"]],
    }
    tokens = make_tokens(docs_words)
    docs = make_documents(["a", "b"])
    got = C.tfidf(tokens, docs, unit="paragraph", min_count=1)
    paragraphs = [s for sents in docs_words.values() for s in sents]
    vec = TfidfVectorizer(analyzer=lambda x: x)  # tokens already cut: no second tokenisation
    vec.fit(paragraphs)
    groups = [sum(sents, []) for sents in docs_words.values()]
    want = vec.transform(groups).toarray()
    vocab = vec.vocabulary_
    for (g, row) in zip(docs_words, want):
        sub = got[got["group"] == g].set_index("term")
        for term, j in vocab.items():
            value = sub["tfidf"].get(term, 0.0)
            assert value == pytest.approx(row[j]), (g, term)
    assert (got["n_units"] == 6).all()
    assert got.set_index(["group", "term"]).loc[("b", "服务"), "count"] == 3
    assert got.set_index(["group", "term"]).loc[("a", "法治"), "df"] == 3
    np.testing.assert_allclose(got.drop_duplicates("term").set_index("term")["idf"]
                               .reindex(list(vocab)).to_numpy(),
                               vec.idf_[[vocab[t] for t in vocab]])


# ---------------------------------------------------------------------------- similarity

def test_cosine_similarity_by_hand_and_clustering():
    tokens = make_tokens({
        "a1": [["法治", "法治", "政府"]], "a2": [["法治", "政府", "政府"]],
        "b1": [["服务", "企业", "企业"]], "b2": [["服务", "服务", "企业"]],
    })
    docs = make_documents(["a1", "a2", "b1", "b2"])
    sim = C.similarity(tokens, docs, weight="count", min_count=1)
    assert sim.loc["a1", "a2"] == pytest.approx((2 * 1 + 1 * 2) / 5)
    assert sim.loc["a1", "b1"] == pytest.approx(0.0)
    assert np.allclose(np.diag(sim.to_numpy()), 1.0)
    assert sim.attrs["n_tokens"]["a1"] == 3
    cl = C.cluster_order(sim)
    order = cl["order"]
    assert abs(order.index("a1") - order.index("a2")) == 1
    assert abs(order.index("b1") - order.index("b2")) == 1
    assert cl["linkage"].shape == (3, 4)
    pairs = C.similarity_pairs(sim)
    assert len(pairs) == 6
    top = C.similarity_pairs(sim, top=1)
    assert dict(zip(top["group"], top["other"]))["a1"] == "a2"


# ---------------------------------------------------------------------------- clouds

def test_overuse_and_shared_terms():
    tokens = make_tokens({"a": [["法治"] * 6 + ["服务"] * 2 + ["宣传"] * 2],
                          "b": [["服务"] * 6 + ["宣传"] * 4]})
    docs = make_documents(["a", "b"])
    f = F.term_frequencies(tokens, docs)
    over = C.overuse(f).set_index("term")
    assert over.loc["法治", "group"] == "a" and over.loc["服务", "group"] == "b"
    # 法治: 6000 per 10k in a, 0 in b: mean 3000, excess 3000
    assert over.loc["法治", "excess"] == pytest.approx(3000.0)
    assert over.loc["宣传", "group"] == "b"
    shared = C.shared_terms(f).set_index("term")
    assert set(shared.index) == {"服务", "宣传"}
    assert shared.loc["宣传", "min_per_10k"] == pytest.approx(2000.0)
    assert shared.loc["宣传", "count"] == 6
    with pytest.raises(ValueError):
        C.overuse(f[f["group"] == "a"])
