"""tifa.analyze.cooccurrence: sentence co-occurrence counts, PMI and G² by hand, the network."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tifa.analyze import cooccurrence as co
from tifa.analyze.compare import keyness_stats


def _tokens(sentences: list[list[str]], doc_id: str = "d1", start: int = 0) -> pd.DataFrame:
    rows, pos = [], 0
    for s, words in enumerate(sentences, start=start):
        for w in words:
            rows.append({"doc_id": doc_id, "section_id": 0, "para_id": s, "sent_id": s,
                         "position": pos, "token": w, "pos": "n", "stop": False,
                         "boilerplate": False})
            pos += 1
    return pd.DataFrame(rows)


#: 20 sentences: 法治 and 政府 together in 6 (always), 法治 alone in 2, 政府 alone in 2,
#: 营商 and 环境 together in 4, 营商 alone in 1; the rest are filler of distinct words.
SENTENCES = ([["法治", "政府", "建设"]] * 6 + [["法治", "宣传"]] * 2 + [["政府", "采购"]] * 2
             + [["营商", "环境"]] * 4 + [["营商", "改革"]] + [[f"词{i}", f"字{i}"] for i in range(5)])


def test_counts_and_measures_are_those_of_the_two_by_two_table_of_sentences():
    edges = co.cooccurrence(_tokens(SENTENCES), min_count=3)
    pair = edges[["term_a", "term_b"]].apply(frozenset, axis=1)
    row = edges[pair == frozenset(("法治", "政府"))].iloc[0]
    n, n_a, n_b, n_ab = 20, 8, 8, 6
    assert (row["n_units"], row["n_a"], row["n_b"], row["n_ab"]) == (n, n_a, n_b, n_ab)
    assert row["expected"] == pytest.approx(n_a * n_b / n)
    assert row["pmi"] == pytest.approx(math.log2(n_ab * n / (n_a * n_b)))
    assert row["npmi"] == pytest.approx(row["pmi"] / -math.log2(n_ab / n))
    # G² of the 2×2 table (with 法治 / without) × (with 政府 / without), by hand
    obs = np.array([[6, 2], [2, 10]], dtype=float)
    exp = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / obs.sum()
    g2 = 2 * np.sum(obs * np.log(obs / exp))
    assert row["g2"] == pytest.approx(g2)
    assert row["g2"] == pytest.approx(keyness_stats(6, 2, 8, 12)["g2"])
    assert 0 < row["p"] < 0.01
    assert row["group"] == "全部"
    # ranked by G²: the pairs with 建设 (in 6 of the 8 sentences of each) are stronger
    assert edges["rank"].tolist() == [1, 2, 3, 4] and edges["g2"].is_monotonic_decreasing
    assert edges.iloc[0][["term_a", "term_b"]].tolist() in (["政府", "建设"], ["法治", "建设"])


def test_only_pairs_above_chance_and_the_minimum_count_are_kept():
    edges = co.cooccurrence(_tokens(SENTENCES), min_count=3)
    pairs = {frozenset(p) for p in edges[["term_a", "term_b"]].values.tolist()}
    assert frozenset(("营商", "环境")) in pairs
    assert frozenset(("法治", "宣传")) not in pairs  # 2 sentences < min_count
    assert (edges["n_ab"] >= 3).all() and (edges["n_ab"] > edges["expected"]).all()
    assert (edges["n_a"] >= edges["n_b"]).all()  # term_a is the more frequent
    loose = co.cooccurrence(_tokens(SENTENCES), min_count=2)
    assert frozenset(("法治", "宣传")) in {frozenset(p) for p in
                                       loose[["term_a", "term_b"]].values.tolist()}


def test_a_term_repeated_in_a_sentence_counts_once_and_filters_apply():
    toks = _tokens([["法治", "法治", "政府"]] * 3 + [["其他"]] * 3)
    toks.loc[toks["token"] == "政府", "boilerplate"] = True
    assert co.cooccurrence(toks, min_count=3).empty  # 政府 filtered: no pair left
    edges = co.cooccurrence(toks, min_count=3, boilerplate=False)
    assert edges[["n_ab", "n_a", "n_b"]].values.tolist() == [[3, 3, 3]]


def test_by_gives_one_table_per_group():
    toks = pd.concat([_tokens(SENTENCES, "d1"), _tokens(SENTENCES[:10], "d2", start=100)],
                     ignore_index=True)
    documents = pd.DataFrame({"doc_id": ["d1", "d2"], "region": ["甲省", "乙省"]})
    edges = co.cooccurrence(toks, documents, by="region", min_count=3)
    assert set(edges["group"]) == {"甲省", "乙省"}
    sub = edges[edges["group"] == "乙省"]
    assert set(sub["n_units"]) == {10}
    assert sub.groupby("group")["rank"].min().eq(1).all()


def test_max_terms_keeps_the_terms_in_the_most_sentences():
    edges = co.cooccurrence(_tokens(SENTENCES), min_count=3, max_terms=2)
    assert set(edges["term_a"]) | set(edges["term_b"]) <= {"法治", "政府"}


def test_network_keeps_at_most_max_nodes_with_communities():
    # two cliques joined by one weak link
    a = [["甲一", "甲二", "甲三"]] * 8
    b = [["乙一", "乙二", "乙三"]] * 8
    bridge = [["甲一", "乙一"]] * 3
    filler = [[f"词{i}"] for i in range(40)]
    edges = co.cooccurrence(_tokens(a + b + bridge + filler), min_count=3)
    net = co.network(edges, max_nodes=6, p=0.05)
    assert len(net.nodes) == 6 and list(net.nodes.columns) == co.NODES
    communities = net.nodes.set_index("term")["community"]
    assert communities["甲二"] == communities["甲三"] != communities["乙二"]
    assert (net.nodes.groupby("community")["community_size"].first() == 3).all()
    same = net.edges[net.edges["community"] > 0]
    assert len(same) == 6  # the clique edges; the bridge joins two communities
    assert list(net.edges.columns) == co.EDGES
    small = co.network(edges, max_nodes=3, p=0.05)
    assert len(small.nodes) <= 3
    with pytest.raises(ValueError):
        co.network(edges, measure="cosine")


def test_empty_inputs_give_typed_empty_tables():
    empty = co.cooccurrence(_tokens([]).reindex(columns=_tokens([["x"]]).columns))
    assert list(empty.columns) == co.COOCCURRENCE and empty.empty
    net = co.network(empty)
    assert net.nodes.empty and list(net.nodes.columns) == co.NODES
