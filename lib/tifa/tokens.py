"""Tidy tokens: jieba with the tifa lexicons, one token a row, cached on disk, in parallel.

:func:`tokenize` turns a units table (:data:`tifa.schemas.UNITS`, one sentence a row) into the
tokens table (:data:`tifa.schemas.TOKENS`), cutting each sentence with jieba's part-of-speech
tokenizer (HMM on) and the user dictionary of a :class:`~tifa.lexicon.Lexicon`.

What is kept
    Every token with at least one letter (any CJK ideograph or Latin letter). Punctuation,
    whitespace, digits, percentages and other symbols are dropped, so ``2022``, ``100%``, ``3``,
    ``4·15`` and ``（一）`` leave no rows, while Chinese-numeral words such as ``一``, ``两个``,
    ``十一个`` and ``第一`` are kept (they are words in running text; most are stopwords anyway).
    Stopwords and boilerplate are kept too, flagged in the ``stop`` and ``boilerplate``
    columns, so an analysis can switch those filters (:func:`filter_tokens`) without
    re-tokenizing.

Column types
    ids and ``position`` are ``int64``; ``stop`` and ``boilerplate`` are ``bool``; ``doc_id``,
    ``token`` and ``pos`` use pandas' default string dtype (not categorical, so they compare,
    concatenate and merge like any other string column; ``.astype("category")`` saves memory on
    very large corpora).

jieba
    Each lexicon gets its own ``jieba.Tokenizer`` (the global ``jieba.dt`` is never touched),
    built once per process and reused. The result of jieba's HMM for a stretch of characters
    its dictionary lacks is remembered (it depends on that stretch alone), which saves most of
    jieba's time on text that repeats names and new words; the output is the same.

Cache
    One parquet file per document in ``tifa.paths.cache_dir() / "tokens"`` (or ``cache_dir``),
    named by the sha256 of the document's units (ids and texts), the lexicon fingerprint, the
    jieba version and :data:`TOKENIZER_VERSION`; written atomically (temporary file in the same
    folder, then ``os.replace``). An unreadable entry counts as a miss and is rewritten. A fully
    cached corpus does not even load jieba. This module is the one place in tifa, besides
    exports, that writes files.

Parallelism
    Many uncached documents are cut in a process pool, each worker building its tokenizer once.
    The pool forks when that is safe (a POSIX process with no other Python threads, e.g. a plain
    script or pytest) and otherwise uses ``forkserver`` (``spawn`` where that is missing), which
    is what happens inside a Jupyter kernel. With ``spawn``/``forkserver`` a *script* that calls
    :func:`tokenize` at top level needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import logging
import math
import multiprocessing
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tifa import paths, schemas
from tifa.lexicon import Lexicon, load_lexicon

__all__ = [
    "tokenize", "filter_tokens", "attach_counts", "clear_cache", "default_cache_dir",
    "TOKENIZER_VERSION",
]

#: Bump when the rules of this module change what a cached entry holds (dropping, tagging ...).
TOKENIZER_VERSION = "1"

#: Auto parallelism (``n_jobs=None``) starts a process pool only above this many uncached docs.
PARALLEL_MIN_DOCS = 50

#: Start method of the process pool: None picks (fork when safe, else forkserver/spawn).
START_METHOD: str | None = None

#: Units columns :func:`tokenize` needs.
REQUIRED_UNITS = ["doc_id", "section_id", "para_id", "sent_id", "text"]

_ID_COLUMNS = ["section_id", "para_id", "sent_id"]
# A cache entry holds a document's token rows, all columns but the stop / boilerplate flags.
_CACHE_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("section_id", pa.int64()), ("para_id", pa.int64()),
    ("sent_id", pa.int64()), ("position", pa.int64()), ("token", pa.string()),
    ("pos", pa.string()),
])
_MAX_CHUNK = 25  # documents per task sent to a worker


# --------------------------------------------------------------------------------------------
# public API


def tokenize(
    units: pd.DataFrame,
    *,
    lexicon: Lexicon | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    n_jobs: int | None = None,
    progress: bool | Callable[[int, int], object] | None = None,
) -> pd.DataFrame:
    """Cut every sentence of a units table into tidy tokens.

    Parameters
    ----------
    units : DataFrame
        The units table (:data:`tifa.schemas.UNITS`); ``doc_id``, ``section_id``, ``para_id``,
        ``sent_id`` and ``text`` are required, other columns are ignored. Missing text counts as
        empty. Not modified.
    lexicon : Lexicon or None, default None
        User dictionary, stopwords and boilerplate; None loads the default files
        (:func:`tifa.lexicon.load_lexicon`).
    cache : bool, default True
        Read and write the on-disk token cache. False tokenizes everything and writes nothing.
    cache_dir : str, path-like or None, default None
        Folder of the cache entries; None is ``tifa.paths.cache_dir() / "tokens"``. Created when
        needed. If it cannot be written, tokenization still succeeds (see ``attrs["cache"]``).
    n_jobs : int or None, default None
        Worker processes for the uncached documents. None chooses: a pool of up to one worker
        per available CPU when more than :data:`PARALLEL_MIN_DOCS` documents need cutting, else
        serial. 1 forces serial work; -1 means one worker per available CPU.
    progress : bool, callable or None, default None
        None or False: silent. True: a ``tqdm.auto`` progress bar over documents. A callable is
        called as ``progress(done, total)`` (documents) as work completes.

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
    _check_units(units)
    lexicon = load_lexicon() if lexicon is None else lexicon
    docs = _split_documents(units)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    stats = {"hits": 0, "misses": 0, "written": 0, "write_errors": 0,
             "dir": str(folder) if cache else None}

    tables: list[pa.Table | None] = [None] * len(docs)
    todo: list[int] = []
    keys: list[str] = [""] * len(docs)
    for i, doc in enumerate(docs):
        if cache:
            keys[i] = _cache_key(doc, lexicon)
            tables[i] = _read_entry(folder / f"{keys[i]}.parquet")
        if tables[i] is None:
            todo.append(i)
    stats["hits"] = len(docs) - len(todo)
    stats["misses"] = len(todo)

    with _progress(progress, total=len(docs)) as tick:
        tick(stats["hits"])

        def finish(i: int, cut: tuple[list[int], list[str], list[str]]) -> None:
            table = _doc_table(docs[i], *cut)
            tables[i] = table
            if cache:
                ok = _write_entry(folder, keys[i], table)
                stats["written" if ok else "write_errors"] += 1
            tick(1)

        workers = _workers(n_jobs, len(todo))
        if workers == 1:
            posseg = _posseg(lexicon)
            for i in todo:
                finish(i, _cut_texts(posseg, docs[i]["text"]))
        elif workers > 1:
            _run_pool(lexicon, [docs[i]["text"] for i in todo], workers,
                      lambda j, cut: finish(todo[j], cut))

    out = _assemble(tables, lexicon)
    out.attrs["cache"] = stats
    return out


def filter_tokens(
    tokens: pd.DataFrame,
    *,
    stop: bool = True,
    boilerplate: bool = True,
    min_chars: int = 2,
    pos: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Drop the tokens most analyses do not want.

    Parameters
    ----------
    tokens : DataFrame
        A tokens table (:data:`tifa.schemas.TOKENS`). Not modified.
    stop : bool, default True
        Drop tokens flagged ``stop`` (general Chinese stopwords).
    boilerplate : bool, default True
        Drop tokens flagged ``boilerplate`` (report boilerplate such as 工作, 开展, 加强).
    min_chars : int, default 2
        Drop tokens shorter than this many characters. The default 2 drops single characters
        (中, 市, 法, 新 ...), which in Chinese reports are mostly fragments of names or
        grammatical glue and swamp keyword lists; pass 1 to keep them.
    pos : str, iterable of str or None, default None
        Keep only tokens whose part-of-speech tag starts with one of these prefixes (``"n"``
        keeps n, nz, ns, nt, nr ...; ``["n", "v"]`` nouns and verbs). None keeps every tag.

    Returns
    -------
    DataFrame
        The remaining rows, same columns, a fresh 0..n-1 index; ``position`` keeps each token's
        place in the unfiltered document.
    """
    keep = np.ones(len(tokens), dtype=bool)
    if stop:
        keep &= ~tokens["stop"].to_numpy(dtype=bool)
    if boilerplate:
        keep &= ~tokens["boilerplate"].to_numpy(dtype=bool)
    if min_chars > 1:
        keep &= (tokens["token"].str.len() >= min_chars).to_numpy(dtype=bool)
    if pos is not None:
        prefixes = (pos,) if isinstance(pos, str) else tuple(pos)
        keep &= tokens["pos"].str.startswith(prefixes).to_numpy(dtype=bool)
    return tokens.loc[keep].reset_index(drop=True)


def attach_counts(documents: pd.DataFrame, tokens: pd.DataFrame) -> pd.DataFrame:
    """Fill the documents table's ``n_tokens`` from a tokens table.

    Parameters
    ----------
    documents : DataFrame
        The documents table (:data:`tifa.schemas.DOCUMENTS`), or any table with ``doc_id``.
        Not modified.
    tokens : DataFrame
        The tokens table from :func:`tokenize`. Every row counts, stopwords and boilerplate
        included (pass the unfiltered table for the schema's meaning).

    Returns
    -------
    DataFrame
        A copy of ``documents`` with ``n_tokens`` (Int64) set: the number of token rows of each
        document, 0 for a document without any. The column keeps its place if it exists, else
        it goes right after ``n_chars`` (or last).
    """
    counts = tokens.groupby("doc_id", sort=False).size()
    n = documents["doc_id"].map(counts).fillna(0).astype("Int64")
    out = documents.copy()
    if "n_tokens" in out.columns:
        out["n_tokens"] = n.array
    else:
        at = out.columns.get_loc("n_chars") + 1 if "n_chars" in out.columns else len(out.columns)
        out.insert(at, "n_tokens", n.array)
    return out


def default_cache_dir() -> Path:
    """Folder of the token cache entries: ``tifa.paths.cache_dir() / "tokens"``."""
    return paths.cache_dir() / "tokens"


def clear_cache(*, cache_dir: str | os.PathLike | None = None) -> int:
    """Delete the token cache entries (and leftovers of interrupted writes).

    Parameters
    ----------
    cache_dir : str, path-like or None, default None
        The folder given to :func:`tokenize`; None is :func:`default_cache_dir`. Only files
        this module writes there are removed; other files and the folder itself stay.

    Returns
    -------
    int
        Number of files removed.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        name = path.name
        ours = (name.endswith(".parquet") and len(name) == 64 + 8 and _is_hex(name[:64])) or (
            name.startswith(".") and name.endswith(".tmp") and _is_hex(name[1:65]))
        if ours and path.is_file():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


# --------------------------------------------------------------------------------------------
# units -> per-document work


def _check_units(units: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_UNITS if c not in units.columns]
    if missing:
        raise ValueError(f"units table lacks column(s) {missing}; expected {REQUIRED_UNITS}")
    if units["doc_id"].isna().any():
        raise ValueError("units.doc_id has missing values")
    for col in _ID_COLUMNS:
        if units[col].isna().any():
            raise ValueError(f"units.{col} has missing values")


def _split_documents(units: pd.DataFrame) -> list[dict]:
    """One dict per document (first-appearance order) with its units in reading order."""
    if len(units) == 0:
        return []
    codes, uniques = pd.factorize(units["doc_id"], sort=False)
    try:
        ids = {c: units[c].to_numpy(dtype=np.int64) for c in _ID_COLUMNS}
    except (TypeError, ValueError) as err:
        raise ValueError(f"units ids must be integers: {err}") from None
    order = np.lexsort((ids["sent_id"], codes))  # stable: by document, then sent_id
    texts = units["text"].to_numpy(dtype=object, na_value="")[order].tolist()
    ids = {c: a[order] for c, a in ids.items()}
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    docs = []
    for d, doc_id in enumerate(uniques):
        lo, hi = bounds[d], bounds[d + 1]
        docs.append({
            "doc_id": str(doc_id),
            "text": [t if isinstance(t, str) else str(t) for t in texts[lo:hi]],
            **{c: a[lo:hi] for c, a in ids.items()},
        })
    return docs


def _cache_key(doc: dict, lexicon: Lexicon) -> str:
    import jieba

    h = hashlib.sha256()
    h.update(f"tifa-tokens\x1f{TOKENIZER_VERSION}\x1f{jieba.__version__}\x1f"
             f"{lexicon.fingerprint}\x1f{doc['doc_id']}\x1e".encode("utf-8"))
    rows = zip(doc["section_id"].tolist(), doc["para_id"].tolist(), doc["sent_id"].tolist(),
               doc["text"])
    h.update("".join(f"{s}\x1f{p}\x1f{n}\x1f{t}\x1e" for s, p, n, t in rows).encode("utf-8"))
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# jieba


_TOKENIZERS: dict[str, object] = {}  # lexicon fingerprint -> POSTokenizer, per process
_KEEP: dict[str, bool] = {}  # token -> has a letter (memo; vocabularies are small)


def _posseg(lexicon: Lexicon):
    """A private jieba POSTokenizer with the lexicon's dictionary (built once per process)."""
    tok = _TOKENIZERS.get(lexicon.fingerprint)
    if tok is None:
        import jieba
        import jieba.posseg

        logger = logging.getLogger("jieba")
        level = logger.level
        logger.setLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG
        try:
            base = jieba.Tokenizer()  # own instance: the global jieba.dt is never touched
            base.initialize()
            for word, freq, pos in lexicon.entries:
                base.add_word(word, freq, pos)
            tok = _pos_tokenizer_class()(base)
        finally:
            logger.setLevel(level)
        if len(_TOKENIZERS) >= 4:
            _TOKENIZERS.pop(next(iter(_TOKENIZERS)))
        _TOKENIZERS[lexicon.fingerprint] = tok
    return tok


_POS_CLASS = None
_HMM_MEMO_MAX = 200_000


def _pos_tokenizer_class():
    """jieba's POSTokenizer, remembering the HMM cut of stretches of unknown characters.

    jieba 0.42 spends most of its time in the pure-Python Viterbi over stretches its dictionary
    does not cover (names, new words); the same stretches recur from sentence to sentence and
    report to report. The Viterbi result depends on the stretch alone, so remembering it
    changes nothing in the output. Falls back to the plain class if jieba's internals differ.
    """
    global _POS_CLASS
    if _POS_CLASS is None:
        import jieba.posseg

        base = jieba.posseg.POSTokenizer
        plain_detail = getattr(base, "_POSTokenizer__cut_detail", None)
        if plain_detail is None:
            _POS_CLASS = base
        else:
            class _MemoPOSTokenizer(base):
                def __init__(self, tokenizer):
                    super().__init__(tokenizer)
                    self._hmm_memo = {}

                # overrides jieba's name-mangled ``__cut_detail`` (called by ``__cut_DAG``)
                def _POSTokenizer__cut_detail(self, sentence):
                    memo = self._hmm_memo
                    hit = memo.get(sentence)
                    if hit is None:
                        if len(memo) >= _HMM_MEMO_MAX:
                            memo.clear()
                        hit = memo[sentence] = tuple(plain_detail(self, sentence))
                    return iter(hit)

            _POS_CLASS = _MemoPOSTokenizer
    return _POS_CLASS


def _cut_texts(posseg, texts: list[str]) -> tuple[list[int], list[str], list[str]]:
    """Cut one document's sentences; return (unit index, token, pos) of the kept tokens."""
    units: list[int] = []
    words: list[str] = []
    tags: list[str] = []
    keep_memo = _KEEP
    if len(keep_memo) > 2_000_000:
        keep_memo.clear()
    cut = posseg.cut
    for u, text in enumerate(texts):
        if not text:
            continue
        for pair in cut(text, HMM=True):
            w = pair.word
            keep = keep_memo.get(w)
            if keep is None:
                keep = keep_memo[w] = any(ch.isalpha() for ch in w)
            if keep:
                units.append(u)
                words.append(w)
                tags.append(pair.flag)
    return units, words, tags


# --------------------------------------------------------------------------------------------
# tables


def _doc_table(doc: dict, units: list[int], words: list[str], tags: list[str]) -> pa.Table:
    idx = np.asarray(units, dtype=np.int64)
    n = len(words)
    return pa.Table.from_arrays([
        pa.array([doc["doc_id"]] * n, pa.string()),
        pa.array(doc["section_id"][idx], pa.int64()),
        pa.array(doc["para_id"][idx], pa.int64()),
        pa.array(doc["sent_id"][idx], pa.int64()),
        pa.array(np.arange(n, dtype=np.int64), pa.int64()),
        pa.array(words, pa.string()),
        pa.array(tags, pa.string()),
    ], schema=_CACHE_SCHEMA)


def flag_tokens(tokens: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Set the ``stop`` and ``boilerplate`` flags of a tokens table from ``lexicon``.

    The flags depend only on the word lists, not on segmentation, so an edited stopword or
    boilerplate list takes effect on stored tokens without tokenizing again.

    Parameters
    ----------
    tokens : DataFrame
        A tokens table (needs ``token``); it is not modified.
    lexicon : Lexicon
        The lexicon whose ``stopwords`` and ``boilerplate`` sets are applied.
    """
    out = tokens.copy()
    out["stop"] = out["token"].isin(lexicon.stopwords).to_numpy(dtype=bool)
    out["boilerplate"] = out["token"].isin(lexicon.boilerplate).to_numpy(dtype=bool)
    return out[schemas.TOKENS]


def _assemble(tables: list[pa.Table], lexicon: Lexicon) -> pd.DataFrame:
    table = pa.concat_tables(tables) if tables else _CACHE_SCHEMA.empty_table()
    out = table.to_pandas()
    out["stop"] = False
    out["boilerplate"] = False
    return flag_tokens(out, lexicon)


# --------------------------------------------------------------------------------------------
# cache files


def _read_entry(path: Path) -> pa.Table | None:
    """A cached document table, or None if absent, unreadable or of another shape."""
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        return None
    except Exception:  # corrupt, truncated, not parquet ...: a miss, rewritten later
        return None
    if not table.schema.equals(_CACHE_SCHEMA):
        return None
    return table.replace_schema_metadata(None)


def _write_entry(folder: Path, key: str, table: pa.Table) -> bool:
    """Write one entry atomically; False (and nothing left behind) if that fails."""
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(table, fh)
        os.replace(tmp, folder / f"{key}.parquet")
        return True
    except Exception:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def _is_hex(s: str) -> bool:
    return len(s) == 64 and all(c in "0123456789abcdef" for c in s)


# --------------------------------------------------------------------------------------------
# parallel work


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _workers(n_jobs: int | None, n_todo: int) -> int:
    if n_todo == 0:
        return 0
    if n_jobs is None:
        if n_todo <= PARALLEL_MIN_DOCS:
            return 1
        n = _available_cpus()
    elif n_jobs < 0:
        n = _available_cpus()
    elif n_jobs == 0:
        raise ValueError("n_jobs must be a positive integer, -1 or None")
    else:
        n = n_jobs
    return max(1, min(n, n_todo))


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
    _WORKER_TOKENIZER = _posseg(lexicon)


def _worker_cut(chunk: list[list[str]]) -> list[tuple[list[int], list[str], list[str]]]:
    return [_cut_texts(_WORKER_TOKENIZER, texts) for texts in chunk]


def _run_pool(lexicon: Lexicon, work: list[list[str]], workers: int,
              done: Callable[[int, tuple], None]) -> None:
    """Cut ``work`` (one list of sentences per document) in a pool; call done(j, cut) each."""
    size = max(1, min(_MAX_CHUNK, math.ceil(len(work) / (workers * 4))))
    starts = range(0, len(work), size)
    ctx = _mp_context()
    if ctx.get_start_method() == "fork":
        _posseg(lexicon)  # build once here; forked workers inherit it
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                initializer=_worker_init, initargs=(lexicon,)) as pool:
        futures = {pool.submit(_worker_cut, work[s:s + size]): s for s in starts}
        try:
            for fut in cf.as_completed(futures):
                s = futures[fut]
                for k, cut in enumerate(fut.result()):
                    done(s + k, cut)
        except BaseException:  # an error or an interrupt: do not start the remaining chunks
            pool.shutdown(wait=True, cancel_futures=True)
            raise


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
