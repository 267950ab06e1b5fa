"""tifa.analyze.measures: the shared recipes (rates, ranks within a group, group sizes)."""

import numpy as np
import pytest
import pandas as pd

from tifa.analyze.measures import group_sizes, largest_groups, rank_within, rate


def test_rate_per_10k_and_missing_denominators():
    out = rate(pd.Series([3, 5, 1]), pd.Series([10_000, 0, np.nan]))
    assert out.iloc[0] == pytest.approx(3.0)
    assert np.isnan(out.iloc[1]) and np.isnan(out.iloc[2])
    assert rate([2], [1000], per=1000)[0] == 2.0


def test_rank_within_sorts_each_group_and_breaks_ties_by_term():
    t = pd.DataFrame({"group": ["b", "a", "a", "a", "b"], "term": ["x", "z", "y", "w", "y"],
                      "count": [1, 5, 5, 7, 3]})
    out = rank_within(t, "count")
    assert out[["group", "term", "rank"]].values.tolist() == [
        ["a", "w", 1], ["a", "y", 2], ["a", "z", 3], ["b", "y", 1], ["b", "x", 2]]
    assert out["rank"].dtype == "int64"
    assert t["term"].tolist() == ["x", "z", "y", "w", "y"]  # input untouched


def test_group_sizes_and_largest_groups():
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "region": ["甲", "乙", "甲"],
                         "n_tokens": [100, 300, 50], "n_chars": [180, 500, 90]})
    sizes = group_sizes(docs, "region")
    assert sizes.loc["甲"].tolist() == [2, 150, 270]
    assert sizes.loc["乙"].tolist() == [1, 300, 500]
    assert largest_groups(sizes["n_tokens"], n=1) == ["乙"]
    unknown = group_sizes(docs.drop(columns="n_tokens"), "region")
    assert unknown["n_tokens"].isna().all()
    assert largest_groups(pd.Series([np.nan, 2.0], index=["b", "a"])) == ["a", "b"]
