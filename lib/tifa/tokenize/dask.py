"""Tokenization on a Dask cluster (``dask.distributed``), for corpora that outgrow one machine.

The optional backend of :func:`tifa.tokenize.tokenize` (its ``scheduler=`` parameter,
:func:`run_tokenize`), and :func:`map_tokens`, which runs a function on the token tables of
chunks of documents where they are cut, so that only its results travel
(:func:`tifa.analyze.frequency.term_frequencies_dask` counts terms with it). The work is cut
into chunks of documents; every Dask worker builds its jieba tokenizer once (per lexicon) and
cuts the chunks it is given with :func:`tifa.tokenize.core.cut_document`, exactly as the local
path does, so the results are identical to those on one machine.

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

import pandas as pd
import pyarrow as pa

from tifa.tokenize import backends, core
from tifa.tokenize.lexicon import Lexicon, load_lexicon

__all__ = ["connect", "run_tokenize", "map_tokens", "CHUNK_DOCS"]

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
        workers = n_workers if n_workers and n_workers > 0 else backends.available_cpus()
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
    posseg = core.tokenizer_for(lexicon)
    return [core.cut_document(posseg, doc) for doc in docs]


def _map_chunk(docs: list[dict], lexicon: Lexicon, func: Callable[[pd.DataFrame], Any]) -> Any:
    """On a worker: ``func`` of the tokens table of a chunk of documents."""
    return func(core.tokens_frame(_cut_chunk(docs, lexicon), lexicon))


def _run_chunks(docs: list[dict], task: Callable, *args: Any, lexicon: Lexicon, scheduler: Any,
                n_workers: int | None, on_result: Callable[[int, Any], None]) -> None:
    """Run ``task(chunk, lexicon, *args)`` on the cluster for each chunk of ``docs``; hand each
    result to ``on_result(start, result)`` (``start``: the chunk's first index in ``docs``) as
    it arrives. The lexicon and ``args`` go to every worker once."""
    if not docs:
        return
    with connect(scheduler, n_workers=n_workers) as client:
        shared = client.scatter([lexicon, *args], broadcast=True)
        futures = {client.submit(task, [docs[j] for j in part], *shared, pure=False): part.start
                   for part in _chunks(len(docs))}
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

    Used by :func:`tifa.tokenize.tokenize` when it is given ``scheduler=``.

    Parameters
    ----------
    lexicon : Lexicon
        The lexicon (sent to every worker once).
    docs : list of dict
        Documents as :func:`tifa.tokenize.core.split_documents` gives them.
    scheduler : "local", str or distributed.Client
        See :func:`connect`.
    n_workers : int or None, default None
        Workers of a ``"local"`` cluster.
    done : callable
        Called in this process with the document's index in ``docs`` and its token table
        (:data:`tifa.tokenize.core.TABLE_SCHEMA`).
    """
    def on_result(start: int, tables: list[pa.Table]) -> None:
        for k, table in enumerate(tables):
            done(start + k, table)

    _run_chunks(docs, _cut_chunk, lexicon=lexicon, scheduler=scheduler, n_workers=n_workers,
                on_result=on_result)


def map_tokens(units: pd.DataFrame, func: Callable[[pd.DataFrame], Any], *,
               lexicon: Lexicon | None = None, scheduler: Any = "local",
               n_workers: int | None = None) -> list[Any]:
    """``func`` of the tokens of each chunk of documents, run on the Dask workers that cut them.

    The workers cut chunks of :data:`CHUNK_DOCS` documents, build each chunk's tokens table
    (:data:`tifa.schemas.TOKENS`, exactly the rows :func:`tifa.tokenize.tokenize` gives those
    documents) and send back only ``func(tokens)``, never the tokens, so the corpus's token
    table need not fit anywhere. The token cache is not used.

    Parameters
    ----------
    units : DataFrame
        The units table (:data:`tifa.schemas.UNITS`).
    func : callable
        Called on a worker with one chunk's tokens table; its result must pickle, and so must
        ``func`` (it is sent to every worker once). A chunk's documents are whole and in the
        order of ``units``; which documents share a chunk is not part of the contract, so
        ``func`` should give results that can be combined (counts, totals ...).
    lexicon : Lexicon or None, default None
        None loads the default lexicon.
    scheduler : "local", str or distributed.Client, default "local"
        Where to run (see :func:`connect`).
    n_workers : int or None, default None
        Workers of a ``"local"`` cluster (None: one per CPU).

    Returns
    -------
    list
        ``func``'s results, one per chunk, in the order of the chunks; empty for a units table
        without documents.

    Raises
    ------
    ValueError
        From :func:`tifa.tokenize.core.split_documents`: ``units`` is not a units table.
    """
    lexicon = load_lexicon() if lexicon is None else lexicon
    docs = core.split_documents(units)
    results: dict[int, Any] = {}
    _run_chunks(docs, _map_chunk, func, lexicon=lexicon, scheduler=scheduler,
                n_workers=n_workers, on_result=results.__setitem__)
    return [results[start] for start in sorted(results)]
