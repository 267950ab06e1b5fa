"""Where documents are cut on one machine: in this process, or in a pool of worker processes.

:func:`tifa.tokenize.tokenize` hands each backend the uncached documents with their cache keys
and a ``done(j, (table, written))`` callback; both cut with :func:`tifa.tokenize.core.cut_document`
and write each document's cache entry (:func:`tifa.tokenize.cache.write_entry`) where it was
cut, so in the pool the writes happen in parallel too. The Dask backend is
:mod:`tifa.tokenize.dask`.

The pool
    Many uncached documents are cut in a process pool, each worker building its tokenizer once
    and writing its own cache entries. The pool forks when that is safe (a POSIX process with
    no other Python threads, e.g. a plain script or pytest) and otherwise uses ``forkserver``
    (``spawn`` where that is missing), which is what happens inside a Jupyter kernel. With
    ``spawn``/``forkserver`` a *script* that calls :func:`tifa.tokenize.tokenize` at top level
    needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from tifa.tokenize import cache, core
from tifa.tokenize.lexicon import Lexicon

__all__ = ["PARALLEL_MIN_DOCS", "START_METHOD", "available_cpus", "worker_count", "run_serial",
           "run_pool"]

#: Auto parallelism (``n_jobs=None``) starts a process pool only above this many uncached docs.
PARALLEL_MIN_DOCS = 50

#: Start method of the process pool: None picks (fork when safe, else forkserver/spawn).
START_METHOD: str | None = None

_MAX_CHUNK = 25  # documents per task sent to a worker

#: What a backend reports per document: its token table and whether its cache entry was
#: written (None: no cache).
Result = tuple[pa.Table, "bool | None"]


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(n_jobs: int | None, n_todo: int) -> int:
    """Processes to cut ``n_todo`` documents with, by the rules of ``tokenize(n_jobs=)``.

    0 when there is nothing to do, 1 for serial work.

    Raises
    ------
    ValueError
        ``n_jobs`` is 0.
    """
    if n_todo == 0:
        return 0
    if n_jobs is None:
        if n_todo <= PARALLEL_MIN_DOCS:
            return 1
        n = available_cpus()
    elif n_jobs < 0:
        n = available_cpus()
    elif n_jobs == 0:
        raise ValueError("n_jobs must be a positive integer, -1 or None")
    else:
        n = n_jobs
    return max(1, min(n, n_todo))


def _cut_and_write(posseg, doc: dict, folder: Path | None, key: str) -> Result:
    """Cut one document into its table and, if ``folder`` is given, write its cache entry."""
    table = core.cut_document(posseg, doc)
    return table, (None if folder is None else cache.write_entry(folder, key, table))


def run_serial(lexicon: Lexicon, work: list[tuple[dict, str]], folder: Path | None,
               done: Callable[[int, Result], None]) -> None:
    """Cut ``work`` ((document, cache key) pairs) here; call ``done(j, result)`` for each.

    ``folder`` is the cache folder to write the entries to, None for no cache.
    """
    posseg = core.tokenizer_for(lexicon)
    for j, (doc, key) in enumerate(work):
        done(j, _cut_and_write(posseg, doc, folder, key))


def _mp_context():
    method = START_METHOD
    if method is None:
        methods = multiprocessing.get_all_start_methods()
        if ("fork" in methods and sys.platform != "darwin"
                and threading.active_count() == 1):
            method = "fork"  # no other Python thread can hold a lock the child inherits
        elif "forkserver" in methods:
            method = "forkserver"
        else:
            method = "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        # the fork server imports this module (pandas, jieba ...) once, not every worker;
        # ignored if a fork server is already running
        ctx.set_forkserver_preload([__name__, "jieba.posseg"])
    return ctx


_WORKER_TOKENIZER = None


def _worker_init(lexicon: Lexicon) -> None:
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = core.tokenizer_for(lexicon)


def _worker_run(chunk: list[tuple[dict, str]], folder: Path | None) -> list[Result]:
    """Cut (and cache) a chunk of documents in a worker: the writes happen in parallel too."""
    return [_cut_and_write(_WORKER_TOKENIZER, doc, folder, key) for doc, key in chunk]


def run_pool(lexicon: Lexicon, work: list[tuple[dict, str]], folder: Path | None, workers: int,
             done: Callable[[int, Result], None]) -> None:
    """Cut ``work`` ((document, cache key) pairs) in a pool of ``workers`` processes; call
    ``done(j, result)`` here for each as its chunk comes back. ``folder`` as in
    :func:`run_serial`."""
    size = max(1, min(_MAX_CHUNK, math.ceil(len(work) / (workers * 4))))
    starts = range(0, len(work), size)
    ctx = _mp_context()
    if ctx.get_start_method() == "fork":
        core.tokenizer_for(lexicon)  # build once here; forked workers inherit it (and its memos)
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                initializer=_worker_init, initargs=(lexicon,)) as pool:
        futures = {pool.submit(_worker_run, work[s:s + size], folder): s for s in starts}
        try:
            for fut in cf.as_completed(futures):
                s = futures[fut]
                for k, result in enumerate(fut.result()):
                    done(s + k, result)
        except BaseException:  # an error or an interrupt: do not start the remaining chunks
            pool.shutdown(wait=True, cancel_futures=True)
            raise
