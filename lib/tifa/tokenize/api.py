""":func:`tokenize`: units in, tidy tokens out, from the cache where it can and a backend where not.

The orchestrator of the package: it checks and splits the units (:mod:`tifa.tokenize.core`),
reads what the cache holds (:mod:`tifa.tokenize.cache`), sends the rest to a backend (this
process or a pool, :mod:`tifa.tokenize.backends`; a Dask cluster, :mod:`tifa.tokenize.dask`),
writes the pack and assembles the tokens table. A fully cached corpus does not even load jieba.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from tifa.tokenize import backends, core
from tifa.tokenize import cache as store  # "cache" is tokenize's switch
from tifa.tokenize import dask as on_dask
from tifa.tokenize.lexicon import Lexicon, load_lexicon

__all__ = ["tokenize"]


def tokenize(
    units: pd.DataFrame,
    *,
    lexicon: Lexicon | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    n_jobs: int | None = None,
    progress: bool | Callable[[int, int], object] | None = None,
    scheduler: object | None = None,
) -> pd.DataFrame:
    """Cut every sentence of a units table into tidy tokens.

    Each sentence is cut with jieba's part-of-speech tokenizer (HMM on) and the user dictionary
    of the lexicon; what is kept and how is in :mod:`tifa.tokenize.core`, the cache in
    :mod:`tifa.tokenize.cache`.

    Parameters
    ----------
    units : DataFrame
        The units table (:data:`tifa.schemas.UNITS`); ``doc_id``, ``section_id``, ``para_id``,
        ``sent_id`` and ``text`` are required, other columns are ignored. Missing text counts as
        empty. Not modified.
    lexicon : Lexicon or None, default None
        User dictionary, stopwords and boilerplate; None loads the default files
        (:func:`tifa.tokenize.lexicon.load_lexicon`).
    cache : bool, default True
        Read and write the on-disk token cache. False tokenizes everything and writes nothing.
    cache_dir : str, path-like or None, default None
        Folder of the cache entries; None is ``tifa.paths.cache_dir() / "tokens"``. Created when
        needed. If it cannot be written, tokenization still succeeds (see ``attrs["cache"]``).
    n_jobs : int or None, default None
        Worker processes for the uncached documents. None chooses: a pool of up to one worker
        per available CPU when more than :data:`~tifa.tokenize.backends.PARALLEL_MIN_DOCS`
        documents need cutting, else serial. 1 forces serial work; -1 means one worker per
        available CPU.
    progress : bool, callable or None, default None
        None or False: silent. True: a ``tqdm.auto`` progress bar over documents. A callable is
        called as ``progress(done, total)`` (documents) as work completes.
    scheduler : "local", str, distributed.Client or None, default None
        None cuts the uncached documents here (in this process or tifa's own pool, see
        ``n_jobs``). Anything else cuts them on Dask (:mod:`tifa.tokenize.dask`, needs the
        ``dask`` extra): ``"local"`` starts a ``LocalCluster`` for the call (``n_jobs``
        workers, default one per CPU), an address (``"tcp://host:8786"``) uses that cluster's
        scheduler, a ``distributed.Client`` its cluster. The result is the same either way;
        cache entries are written by this process.

    Returns
    -------
    DataFrame
        The tokens table, columns exactly :data:`tifa.schemas.TOKENS`: documents in the order in
        which their ``doc_id`` first appears in ``units``, each in reading order (``sent_id``,
        then token order); ``position`` counts the kept tokens of each document from 0.
        ``attrs["cache"]`` holds ``{"hits", "misses", "written", "write_errors", "dir"}`` for this
        call (``dir`` is None when ``cache=False``).

    Raises
    ------
    ValueError
        ``units`` lacks a required column, or has missing / non-integer ids.
    """
    lexicon = load_lexicon() if lexicon is None else lexicon
    docs = core.split_documents(units)
    folder = Path(cache_dir) if cache_dir is not None else store.default_cache_dir()
    stats = {"hits": 0, "misses": 0, "written": 0, "write_errors": 0,
             "dir": str(folder) if cache else None}

    tables: list[pa.Table | None] = [None] * len(docs)
    keys = [store.cache_key(doc, lexicon) for doc in docs] if cache else [""] * len(docs)
    pack = cache and len(docs) >= store.PACK_MIN_DOCS
    packed = store.read_pack(folder, keys) if pack else None
    if packed is not None:  # the whole corpus in one read
        stats["hits"] = len(docs)
        with _progress(progress, total=len(docs)) as tick:
            tick(len(docs))
        out = core.tokens_frame([packed], lexicon)
        out.attrs["cache"] = stats
        return out
    todo: list[int] = []
    for i in range(len(docs)):
        if cache:
            tables[i] = store.read_entry(folder, keys[i])
        if tables[i] is None:
            todo.append(i)
    stats["hits"] = len(docs) - len(todo)
    stats["misses"] = len(todo)
    if cache and todo:
        store.remove_stale_temps(folder)

    with _progress(progress, total=len(docs)) as tick:
        tick(stats["hits"])

        def finish(i: int, result: backends.Result) -> None:
            tables[i], written = result
            if written is not None:
                stats["written" if written else "write_errors"] += 1
            tick(1)

        target = folder if cache else None
        work = [(docs[i], keys[i]) for i in todo]
        workers = backends.worker_count(n_jobs, len(todo))
        if scheduler is not None and todo:
            def arrived(j: int, table: pa.Table) -> None:
                i = todo[j]
                finish(i, (table, store.write_entry(folder, keys[i], table) if cache else None))

            on_dask.run_tokenize(lexicon, [doc for doc, _ in work], scheduler=scheduler,
                                 n_workers=n_jobs if n_jobs and n_jobs > 0 else None,
                                 done=arrived)
        elif workers == 1:
            backends.run_serial(lexicon, work, target, lambda j, result: finish(todo[j], result))
        elif workers > 1:
            backends.run_pool(lexicon, work, target, workers,
                              lambda j, result: finish(todo[j], result))

    if pack:
        store.write_pack(folder, keys, tables)
    out = core.tokens_frame(tables, lexicon)
    out.attrs["cache"] = stats
    return out


@contextlib.contextmanager
def _progress(progress, *, total: int):
    if progress is None or progress is False:
        yield lambda n: None
    elif progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc="tokenize", unit="doc")
        try:
            yield bar.update
        finally:
            bar.close()
    elif callable(progress):
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            if n:
                done += n
                progress(done, total)

        yield tick
    else:
        raise TypeError("progress must be None, a bool or a callable(done, total)")
