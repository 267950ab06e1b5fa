"""The Dask backend (tifa.tokenize.dask) and the counting on it
(tifa.analyze.frequency.term_frequencies_dask): on a LocalCluster they give exactly what the local
path gives."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from tifa import paths
from tifa.ingest.corpus import read_corpus  # noqa: E402
from tifa.ingest.units import split_units  # noqa: E402
from tifa.tokenize import load_lexicon, tokenize  # noqa: E402
from tifa.tokenize.dask import connect  # noqa: E402
from tifa.analyze import frequency


@pytest.fixture(scope="module")
def corpus():
    """A few dozen short documents recombined from the seeds' sentences, with a region column
    (one document without one)."""
    seeds, _ = read_corpus(paths.default_corpus())
    sentences = split_units(seeds)
    pool = sentences.loc[~sentences["is_heading"], "text"].tolist()
    rng = np.random.default_rng(7)
    regions = ["甲市", "乙市", "丙市"]
    docs = []
    for d in range(30):
        picks = [pool[k] for k in rng.choice(len(pool), 4)]
        docs.append({"doc_id": f"d{d:02d}", "text": "\n".join(picks),
                     "region": None if d == 0 else regions[d % 3]})
    documents = pd.DataFrame(docs)
    units = split_units(documents.assign(year=pd.array([None] * len(docs), dtype="Int64")))
    return documents, units


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(extra_terms=["云帆护航行动"])


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_tokenize_on_dask_equals_local(corpus, lexicon, client, tmp_path):
    _, units = corpus
    local = tokenize(units, lexicon=lexicon, cache=False, n_jobs=1)
    remote = tokenize(units, lexicon=lexicon, cache_dir=tmp_path, scheduler=client)
    pd.testing.assert_frame_equal(local, remote)
    assert remote.attrs["cache"]["misses"] == 30 and remote.attrs["cache"]["written"] == 30
    # the entries written from Dask results serve the local path
    again = tokenize(units, lexicon=lexicon, cache_dir=tmp_path, n_jobs=1)
    assert again.attrs["cache"]["hits"] == 30
    pd.testing.assert_frame_equal(local, again)
    # only the uncached documents go to the cluster
    edited = units.copy()
    edited.loc[edited["doc_id"] == "d05", "text"] += "新增一句依法行政。"
    partial = tokenize(edited, lexicon=lexicon, cache_dir=tmp_path, scheduler=client)
    assert partial.attrs["cache"]["misses"] == 1
    pd.testing.assert_frame_equal(partial, tokenize(edited, lexicon=lexicon, cache=False))


def test_scheduler_address(corpus, lexicon, client):
    _, units = corpus
    small = units[units["doc_id"].isin(["d01", "d02", "d03"])]
    by_address = tokenize(small, lexicon=lexicon, cache=False,
                          scheduler=client.scheduler.address)
    pd.testing.assert_frame_equal(by_address, tokenize(small, lexicon=lexicon, cache=False))


@pytest.mark.parametrize("by", ["region", "doc_id"])
def test_term_counts_equal_term_frequencies(corpus, lexicon, client, by):
    documents, units = corpus
    expected = frequency.term_frequencies(tokenize(units, lexicon=lexicon, cache=False),
                                          documents, by=by)
    got = frequency.term_frequencies_dask(units, documents, by=by, lexicon=lexicon,
                                          scheduler=client)
    pd.testing.assert_frame_equal(expected, got)
    if by == "region":
        assert "（未注明）" in set(got["group"])  # the document without a region


def test_term_counts_options(corpus, lexicon, client):
    documents, units = corpus
    toks = tokenize(units, lexicon=lexicon, cache=False)
    opts = {"stop": False, "boilerplate": False, "min_chars": 1, "pos": ("n", "v")}
    expected = frequency.term_frequencies(toks, documents, by="region", **opts)
    got = frequency.term_frequencies_dask(units, documents, by="region", lexicon=lexicon,
                                          scheduler=client, **opts)
    pd.testing.assert_frame_equal(expected, got)


def test_local_cluster_started_for_the_call(corpus, lexicon):
    _, units = corpus
    small = units[units["doc_id"].isin(["d07", "d08"])]
    got = tokenize(small, lexicon=lexicon, cache=False, scheduler="local", n_jobs=1)
    pd.testing.assert_frame_equal(got, tokenize(small, lexicon=lexicon, cache=False))


def test_bad_scheduler_is_a_clear_error(corpus, lexicon):
    _, units = corpus
    with pytest.raises(TypeError, match="scheduler must be"):
        tokenize(units.head(3), lexicon=lexicon, cache=False, scheduler=42)
    with pytest.raises(TypeError, match="scheduler must be"):
        with connect(""):
            pass
