"""Tokenization and counting on a Dask cluster (``dask.distributed``), for corpora that outgrow
one machine.

The optional backend of :func:`tifa.tokenize.tokens.tokenize` (its ``scheduler=`` parameter) and of
:func:`term_counts`. The work is cut into chunks of documents; every Dask worker builds its jieba
tokenizer once (per lexicon) and cuts the chunks it is given exactly as the local path does, so
the results are identical to those of :func:`tifa.tokenize.tokens.tokenize` and
:func:`tifa.analyze.frequency.term_frequencies` on one machine.

``scheduler`` may be:

* ``"local"``: a :class:`distributed.LocalCluster` on this machine, started for the call and
  closed after it (``n_workers`` processes, default one per CPU, one thread each: jieba is pure
  Python, so threads would only queue on the GIL);
* an address such as ``"tcp://10.0.0.5:8786"``: a running cluster's scheduler (workers need
  tifa, jieba and the same lexicon version installed);
* a :class:`distributed.Client`: its cluster (left open).

Token cache entries are written by the calling process, not by the workers (which may be on
other machines), into the same cache as the local path; documents already cached are never
sent to the cluster.

Needs the ``dask`` extra: ``pip install "tifa[dask]"`` (``dask[distributed]``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tifa.tokenize import tokens as _tokens
from tifa.tokenize.lexicon import Lexicon, load_lexicon

__all__ = ["connect", "run_tokenize", "term_counts", "CHUNK_DOCS"]

#: Documents per task sent to a worker (small enough to balance, large enough to be worth a
#: round trip to the scheduler).
CHUNK_DOCS = 25


def _require_distributed():
    try:
        import distributed
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "scheduler= needs dask.distributed, which is not installed: "
            'pip install "tifa[dask]" (or: pip install "dask[distributed]")') from None
    return distributed


@contextlib.contextmanager
def connect(scheduler: Any, *, n_workers: int | None = None) -> Iterator[Any]:
    """A :class:`distributed.Client` for ``scheduler``, closed afterwards if opened here.

    Parameters
    ----------
    scheduler : "local", str or distributed.Client
        ``"local"`` starts a LocalCluster (closed on exit); another string is a scheduler
        address; a Client is used as it is (and left open).
    n_workers : int or None, default None
        Workers of a ``"local"`` cluster; None: one per available CPU. Ignored otherwise.

    Yields
    ------
    distributed.Client
    """
    distributed = _require_distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler:
        raise TypeError("scheduler must be 'local', a scheduler address such as "
                        f"'tcp://host:8786', or a distributed.Client; got {scheduler!r}")
    if scheduler == "local":
        workers = n_workers if n_workers and n_workers > 0 else _tokens._available_cpus()
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", silence_logs=logging.ERROR)
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    with distributed.Client(scheduler) as client:
        yield client


def _chunks(n: int, size: int = CHUNK_DOCS) -> list[range]:
    return [range(s, min(n, s + size)) for s in range(0, n, size)]


def _cut_chunk(docs: list[dict], lexicon: Lexicon) -> list[pa.Table]:
    """On a worker: cut a chunk of documents (the tokenizer is built once per process)."""
    posseg = _tokens._posseg(lexicon)
    return [_tokens._doc_table(doc, *_tokens._cut_texts(posseg, doc["text"])) for doc in docs]


def _gather(client, futures: dict, on_result: Callable[[Any, Any], None]) -> None:
    """Hand each finished future's result to ``on_result(tag, result)``; cancel all on error."""
    distributed = _require_distributed()
    try:
        for future, result in distributed.as_completed(list(futures), with_results=True):
            on_result(futures[future], result)
    except BaseException:
        client.cancel(list(futures))
        raise


def run_tokenize(lexicon: Lexicon, docs: list[dict], *, scheduler: Any,
                 n_workers: int | None = None,
                 done: Callable[[int, pa.Table], None]) -> None:
    """Cut documents on a Dask cluster; call ``done(j, table)`` for each as it arrives.

    Used by :func:`tifa.tokenize.tokens.tokenize` when it is given ``scheduler=``.

    Parameters
    ----------
    lexicon : Lexicon
        The lexicon (sent to every worker once).
    docs : list of dict
        Documents as :func:`tifa.tokenize.tokens.tokenize` splits them (id, ids and sentences).
    scheduler : "local", str or distributed.Client
        See :func:`connect`.
    n_workers : int or None, default None
        Workers of a ``"local"`` cluster.
    done : callable
        Called in this process with the document's index in ``docs`` and its token table
        (the cache's columns).
    """
    if not docs:
        return
    with connect(scheduler, n_workers=n_workers) as client:
        [lex] = client.scatter([lexicon], broadcast=True)
        futures = {}
        for part in _chunks(len(docs)):
            fut = client.submit(_cut_chunk, [docs[j] for j in part], lex, pure=False)
            futures[fut] = part.start

        def on_result(start: int, tables: list[pa.Table]) -> None:
            for k, table in enumerate(tables):
                done(start + k, table)

        _gather(client, futures, on_result)


# --------------------------------------------------------------------------------------------
# counting


def _count_chunk(docs: list[dict], groups: list[str], lexicon: Lexicon,
                 filters: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """On a worker: cut a chunk and count its terms per group; returns (counts, totals)."""
    tables = _cut_chunk(docs, lexicon)
    toks = _tokens._assemble(tables, lexicon)
    sizes = [t.num_rows for t in tables]
    group = np.repeat(np.asarray(groups, dtype=object), sizes)
    totals = pd.Series(group).value_counts(sort=False)
    keep = np.zeros(len(toks), dtype=bool)
    probe = toks[["token", "pos", "stop", "boilerplate"]].copy()
    probe["_row"] = np.arange(len(toks))
    kept = _tokens.filter_tokens(probe, **filters)
    keep[kept["_row"].to_numpy()] = True
    terms = toks["token"].astype(str).to_numpy(dtype=object)[keep]
    counts = (pd.DataFrame({"group": group[keep], "term": terms})
              .groupby(["group", "term"], sort=False).size().rename("count").reset_index())
    return counts, totals.rename_axis("group").rename("total").reset_index()


def term_counts(units: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
                lexicon: Lexicon | None = None, scheduler: Any = "local",
                n_workers: int | None = None, stop: bool = True, boilerplate: bool = True,
                min_chars: int = 2, pos: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Term counts and rates per group, tokenized and counted on a Dask cluster.

    Workers cut their documents and send back only counts (term, group, count) and token
    totals per group, never the tokens, so the corpus's token table need not fit anywhere.
    The result is the table :func:`tifa.analyze.frequency.term_frequencies` gives for
    ``tokenize(units, lexicon=lexicon)`` with the same options. The token cache is not used.

    Parameters
    ----------
    units : DataFrame
        The units table (:data:`tifa.schemas.UNITS`).
    documents : DataFrame
        The documents table, for the grouping column.
    by : str, default "doc_id"
        Grouping column of ``documents``.
    lexicon : Lexicon or None, default None
        None loads the default lexicon.
    scheduler : "local", str or distributed.Client, default "local"
        Where to run (see :func:`connect`).
    n_workers : int or None, default None
        Workers of a ``"local"`` cluster (None: one per CPU).
    stop, boilerplate : bool, default True
        Drop stopwords / report boilerplate.
    min_chars : int, default 2
        Drop tokens shorter than this.
    pos : tuple of str or None, default None
        Keep only these part-of-speech prefixes.

    Returns
    -------
    DataFrame
        Columns ``term, group, count, per_10k, rank, total``
        (:data:`tifa.analyze.frequency.KEYWORD_COLUMNS`), sorted by group then rank.
    """
    from tifa.analyze.frequency import KEYWORD_COLUMNS
    from tifa.analyze.groups import MISSING_GROUP, group_of

    _tokens._check_units(units)
    lexicon = load_lexicon() if lexicon is None else lexicon
    docs = _tokens._split_documents(units)
    mapping = group_of(documents, by)
    groups = [str(g) for g in pd.Series([d["doc_id"] for d in docs]).map(mapping)
              .fillna(MISSING_GROUP)]
    filters = {"stop": stop, "boilerplate": boilerplate, "min_chars": min_chars, "pos": pos}
    parts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    if docs:
        with connect(scheduler, n_workers=n_workers) as client:
            [lex] = client.scatter([lexicon], broadcast=True)
            futures = {client.submit(_count_chunk, [docs[j] for j in part],
                                     [groups[j] for j in part], lex, filters, pure=False): part.start
                       for part in _chunks(len(docs))}
            _gather(client, futures, lambda _, result: parts.append(result))
    counts = [c for c, _ in parts if len(c)]
    if not counts:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in ("term", "group") else
                                          ("float64" if c == "per_10k" else "int64"))
                             for c in KEYWORD_COLUMNS})
    totals = pd.concat([t for _, t in parts]).groupby("group", sort=False)["total"].sum()
    table = (pd.concat(counts).groupby(["group", "term"], sort=False)["count"].sum()
             .reset_index())
    table = table.join(totals, on="group")
    table["count"] = table["count"].astype("int64")
    table["total"] = table["total"].astype("int64")
    table["per_10k"] = table["count"] / table["total"] * 10_000
    table = table.sort_values(["group", "count", "term"], ascending=[True, False, True],
                              kind="stable")
    table["rank"] = table.groupby("group", sort=False).cumcount() + 1
    table = table.reset_index(drop=True)
    for col in ("term", "group"):
        table[col] = table[col].astype("string")
    return table[KEYWORD_COLUMNS]
