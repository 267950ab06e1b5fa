"""Tidy tokens: jieba with the tifa lexicons, one token a row, cached on disk, in parallel.

:func:`tokenize` turns a units table (:data:`tifa.schemas.UNITS`, one sentence a row) into the
tokens table (:data:`tifa.schemas.TOKENS`), cutting each sentence with jieba's part-of-speech
tokenizer (HMM on) and the user dictionary of a :class:`~tifa.tokenize.lexicon.Lexicon`.

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
    built once per process and reused. jieba cuts a sentence block by block (runs of
    ideographs, letters and digits, and what lies between them), each block on its own, so:

    * the cut of each distinct block is remembered (reports repeat their formulations clause
      for clause; on the benchmark corpus four blocks in five are repeats);
    * a block is cut by :class:`_FastDAG`, jieba's own three steps (candidate words, best
      route, tagging) fused into one pass with the same arithmetic and tie-breaking;
    * the HMM's result for a stretch of characters the dictionary lacks is remembered, and the
      part-of-speech Viterbi itself (:func:`_pos_viterbi`) scores only the transitions that
      exist instead of every pair of states.

    Each of these gives exactly jieba's output (checked on every block of the 5,000-report
    benchmark corpus; tests/test_tokens_fast.py compares them on the seeds and on random text);
    together they make cutting several times faster than ``jieba.posseg`` and faster than
    plain ``jieba.lcut`` (benchmarks/results.md).

Cache
    One parquet file per document in ``tifa.paths.cache_dir() / "tokens"`` (or ``cache_dir``),
    named by the sha256 of the document's units (ids and texts), the lexicon fingerprint, the
    jieba version and :data:`TOKENIZER_VERSION`. A call on at least :data:`PACK_MIN_DOCS`
    documents also writes a *pack*, ``pack-<sha256 of the documents' keys>.parquet``, holding
    all of their rows, so the next call on the same corpus reads one file instead of
    thousands; the :data:`PACK_KEEP` most recently used packs are kept. Every file is written
    atomically: a temporary file in the same folder (locked with ``flock`` while written),
    renamed into place. An unreadable entry or pack counts as a miss and is rewritten;
    temporary files of writers that died (killed mid-write) are removed by the next call that
    writes. A fully cached corpus does not even load jieba. This module is the one place in
    tifa, besides exports, that writes files.

Parallelism
    Many uncached documents are cut in a process pool, each worker building its tokenizer once
    and writing its own cache entries. The pool forks when that is safe (a POSIX process with
    no other Python threads, e.g. a plain script or pytest) and otherwise uses ``forkserver``
    (``spawn`` where that is missing), which is what happens inside a Jupyter kernel. With
    ``spawn``/``forkserver`` a *script* that calls :func:`tokenize` at top level needs the usual
    ``if __name__ == "__main__":`` guard. ``scheduler=`` sends the work to a Dask cluster
    instead (:mod:`tifa.tokenize.dask`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import logging
import math
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

from tifa import paths, schemas
from tifa.tokenize.lexicon import Lexicon, load_lexicon

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
    ("doc_id", pa.large_string()), ("section_id", pa.int64()), ("para_id", pa.int64()),
    ("sent_id", pa.int64()), ("position", pa.int64()), ("token", pa.large_string()),
    ("pos", pa.large_string()),
])
_MAX_CHUNK = 25  # documents per task sent to a worker

#: A call with at least this many documents also keeps the whole corpus's tokens in one
#: "pack" file (see the module notes), so that the next call reads one file, not thousands.
PACK_MIN_DOCS = 200
#: Packs kept in the cache folder (the most recently used); older ones are deleted.
PACK_KEEP = 4


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
    scheduler: object | None = None,
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
        (:func:`tifa.tokenize.lexicon.load_lexicon`).
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
    _check_units(units)
    lexicon = load_lexicon() if lexicon is None else lexicon
    docs = _split_documents(units)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    stats = {"hits": 0, "misses": 0, "written": 0, "write_errors": 0,
             "dir": str(folder) if cache else None}

    tables: list[pa.Table | None] = [None] * len(docs)
    keys: list[str] = [_cache_key(doc, lexicon) for doc in docs] if cache else [""] * len(docs)
    packed = _read_pack(folder, keys) if cache and len(docs) >= PACK_MIN_DOCS else None
    if packed is not None:  # the whole corpus in one read
        stats["hits"] = len(docs)
        with _progress(progress, total=len(docs)) as tick:
            tick(len(docs))
        out = _assemble([packed], lexicon)
        out.attrs["cache"] = stats
        return out
    todo: list[int] = []
    for i in range(len(docs)):
        if cache:
            tables[i] = _read_entry(folder / f"{keys[i]}.parquet")
        if tables[i] is None:
            todo.append(i)
    stats["hits"] = len(docs) - len(todo)
    stats["misses"] = len(todo)
    if cache and todo:
        _remove_stale_temps(folder)

    with _progress(progress, total=len(docs)) as tick:
        tick(stats["hits"])

        def finish(i: int, result: tuple[pa.Table, bool | None]) -> None:
            tables[i], written = result
            if written is not None:
                stats["written" if written else "write_errors"] += 1
            tick(1)

        target = folder if cache else None
        workers = _workers(n_jobs, len(todo))
        if scheduler is not None and todo:
            from tifa.tokenize.dask import run_tokenize

            def arrived(j: int, table: pa.Table) -> None:
                i = todo[j]
                finish(i, (table, _write_entry(folder, keys[i], table) if cache else None))

            run_tokenize(lexicon, [docs[i] for i in todo], scheduler=scheduler,
                         n_workers=n_jobs if n_jobs and n_jobs > 0 else None, done=arrived)
        elif workers == 1:
            posseg = _posseg(lexicon)
            for i in todo:
                finish(i, _tokenize_doc(posseg, docs[i], target, keys[i]))
        elif workers > 1:
            _run_pool(lexicon, [(docs[i], keys[i]) for i in todo], target, workers,
                      lambda j, result: finish(todo[j], result))

    if cache and len(docs) >= PACK_MIN_DOCS:
        _write_pack(folder, keys, tables)
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
    """Delete the token cache entries and packs (and leftovers of interrupted writes).

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
        if _is_ours(path.name) and path.is_file():
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


_JIEBA_VERSION: str | None = None


def _jieba_version() -> str:
    """jieba's version, from the package metadata (importing jieba takes half a second)."""
    global _JIEBA_VERSION
    if _JIEBA_VERSION is None:
        try:
            from importlib.metadata import version

            _JIEBA_VERSION = version("jieba")
        except Exception:  # not installed as a distribution: ask the module
            import jieba

            _JIEBA_VERSION = jieba.__version__
    return _JIEBA_VERSION


def _cache_key(doc: dict, lexicon: Lexicon) -> str:
    h = hashlib.sha256()
    h.update(f"tifa-tokens\x1f{TOKENIZER_VERSION}\x1f{_jieba_version()}\x1f"
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
_MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's floor for unseen emissions


def _pos_viterbi(obs: str, states: dict, start_p: dict, trans_p: dict, emit_p: dict,
                 incoming: dict) -> list:
    """jieba.posseg.viterbi.viterbi, with the same result and less work per character.

    jieba scores, for every state ``y`` a character may take, every state ``y0`` of the
    previous character, adding ``-inf`` when ``y0`` cannot go to ``y``; such a candidate never
    wins (there is always a finite one), so only the states with a transition into ``y``
    (``incoming[y]``) are scored here. Sums are formed in jieba's order
    (``V[y0] + trans + emit``) and ties go to the larger ``y0``, as jieba's ``max`` over
    ``(prob, y0)`` tuples does. Returns the state route (jieba's ``pos_list``).
    """
    all_states = trans_p.keys()
    first = obs[0]
    v = {y: start_p[y] + emit_p[y].get(first, _MIN_FLOAT) for y in states.get(first, all_states)}
    paths = [dict.fromkeys(v, "")]
    for t in range(1, len(obs)):
        prev_states = [x for x in paths[t - 1] if trans_p[x]]
        expect: set = set()
        for x in prev_states:
            expect.update(trans_p[x])
        obs_states = set(states.get(obs[t], all_states)) & expect
        if not obs_states:
            obs_states = expect if expect else all_states
        ch = obs[t]
        nv: dict = {}
        mem: dict = {}
        for y in obs_states:
            into = incoming.get(y, {})
            e = emit_p[y].get(ch, _MIN_FLOAT)
            best = best_s = None
            for y0 in prev_states:
                tp = into.get(y0)
                if tp is None:
                    continue
                p = v[y0] + tp + e
                if best is None or p > best or (p == best and y0 > best_s):
                    best, best_s = p, y0
            if best is None:  # jieba: every candidate -inf, the largest state wins
                best_s = max(prev_states)
                best = v[best_s] + float("-inf") + e
            nv[y] = best
            mem[y] = best_s
        v = nv
        paths.append(mem)
    _, state = max((v[y], y) for y in paths[-1])
    route = [None] * len(obs)
    for i in range(len(obs) - 1, -1, -1):
        route[i] = state
        state = paths[i][state]
    return route


def _pos_tokenizer_class():
    """jieba's POSTokenizer, remembering the HMM cut of stretches of unknown characters.

    jieba 0.42 spends most of its time in the pure-Python Viterbi over stretches its dictionary
    does not cover (names, new words); the same stretches recur from sentence to sentence and
    report to report. The Viterbi result depends on the stretch alone, so remembering it
    changes nothing in the output; and the Viterbi itself is :func:`_pos_viterbi`, which gives
    jieba's result with less work. Falls back to the plain class if jieba's internals differ.
    """
    global _POS_CLASS
    if _POS_CLASS is None:
        import jieba.posseg

        base = jieba.posseg.POSTokenizer
        plain_detail = getattr(base, "_POSTokenizer__cut_detail", None)
        model = [getattr(jieba.posseg, name, None)
                 for name in ("char_state_tab_P", "start_P", "trans_P", "emit_P")]
        if plain_detail is None:
            _POS_CLASS = base
        else:
            pair = jieba.posseg.pair
            fast_hmm = (all(isinstance(m, dict) for m in model)
                        and hasattr(base, "_POSTokenizer__cut"))
            incoming: dict = {}
            if fast_hmm:
                for y0, nexts in model[2].items():
                    for y, prob in nexts.items():
                        incoming.setdefault(y, {})[y0] = prob

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

                if fast_hmm:
                    # overrides jieba's ``__cut`` (the HMM over a run of ideographs, called by
                    # ``__cut_detail``): the same code around :func:`_pos_viterbi`
                    def _POSTokenizer__cut(self, sentence):
                        pos_list = _pos_viterbi(sentence, *model, incoming)
                        begin, nexti = 0, 0
                        for i, char in enumerate(sentence):
                            pos = pos_list[i][0]
                            if pos == "B":
                                begin = i
                            elif pos == "E":
                                yield pair(sentence[begin:i + 1], pos_list[i][1])
                                nexti = i + 1
                            elif pos == "S":
                                yield pair(char, pos_list[i][1])
                                nexti = i + 1
                        if nexti < len(sentence):
                            yield pair(sentence[nexti:], pos_list[nexti][1])

            _POS_CLASS = _MemoPOSTokenizer
    return _POS_CLASS


_BLOCK_MEMO_MAX = 300_000


def _han_split():
    """jieba.posseg's own splitter of a sentence into blocks it cuts independently, or None."""
    import jieba.posseg

    pattern = getattr(jieba.posseg, "re_han_internal", None)
    return pattern if pattern is not None and hasattr(pattern, "split") else None


_MISSING = object()


class _FastDAG:
    """jieba.posseg's ``__cut_DAG`` (HMM on) for one tokenizer, with less Python per character.

    jieba builds a dict of candidate word ends (``Tokenizer.get_DAG``), then the best route
    through it (``Tokenizer.calc``: maximum of ``(log(freq or 1) - log(total) + route[x + 1],
    x)``), then walks the route, tagging words from its tag table and handing runs of single
    characters that are no word to the HMM (``__cut_detail``). This does the same three steps in
    one pass from the right, with the same floating-point operations in the same order and the
    same tie-breaking (the larger end wins), and remembers ``log(freq or 1) - log(total)`` per
    word, so its output is identical. It is used only when the tokenizer has the attributes it
    reads; otherwise blocks are cut by jieba itself.
    """

    __slots__ = ("freq", "tags", "detail", "logp", "alone", "total")

    def __init__(self, posseg):
        freq = posseg.tokenizer.FREQ
        self.freq = freq
        self.total = posseg.tokenizer.total
        logtotal = math.log(self.total)
        self.tags = posseg.word_tag_tab
        self.detail = posseg._POSTokenizer__cut_detail  # the memoised HMM of _MemoPOSTokenizer
        # every dictionary entry (words and their prefixes, which jieba stores with frequency 0)
        # -> calc's log(freq) - log(total) for a word, None for a mere prefix
        log = math.log
        self.logp = {w: (log(f) - logtotal if f else None) for w, f in freq.items()}
        self.alone = log(1) - logtotal  # a character that is no word: log(freq or 1) = log(1)

    @classmethod
    def of(cls, posseg):
        """The fast path of ``posseg`` (built once and kept on it), or None if not applicable."""
        fast = getattr(posseg, "_tifa_fast", None)
        if (fast is not None and fast.total == posseg.tokenizer.total
                and len(fast.logp) == len(posseg.tokenizer.FREQ)):
            return fast
        try:
            fast = cls(posseg)
            posseg._tifa_fast = fast
        except (AttributeError, TypeError, ValueError):
            return None
        return fast

    def cut(self, sentence: str) -> list[tuple[str, str]]:
        """(word, tag) pairs of one block of CJK/alphanumeric characters."""
        logp, alone, missing = self.logp, self.alone, _MISSING
        n = len(sentence)
        route_p: list[float] = [0.0] * (n + 1)
        route_x: list[int] = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            best_p = None
            best_x = k
            i = k
            lp = logp.get(sentence[k], missing)
            while lp is not missing:  # the fragment is a word or a prefix of one
                if lp is not None:  # a word: calc's candidate end i; ties go to the larger i
                    p = lp + route_p[i + 1]
                    if best_p is None or p >= best_p:
                        best_p, best_x = p, i
                i += 1
                if i >= n:
                    break
                lp = logp.get(sentence[k:i + 1], missing)
            if best_p is None:  # no word starts here: the character alone
                best_p = alone + route_p[k + 1]
            route_p[k] = best_p
            route_x[k] = best_x

        tags = self.tags
        out: list[tuple[str, str]] = []
        x = 0
        buf = ""
        while x < n:
            y = route_x[x] + 1
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                word = sentence[x:y]
                out.append((word, tags.get(word, "x")))
            x = y
        if buf:
            self._flush(buf, out)
        return out

    def _flush(self, buf: str, out: list) -> None:
        tags = self.tags
        if len(buf) == 1:
            out.append((buf, tags.get(buf, "x")))
        elif not self.freq.get(buf):
            out.extend((p.word, p.flag) for p in self.detail(buf))
        else:
            out.extend((ch, tags.get(ch, "x")) for ch in buf)


def _cut_block(posseg, block: str, fast: _FastDAG | None = None,
               han=None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The kept (token, pos) of one block, as two tuples."""
    words: list[str] = []
    tags: list[str] = []
    keep_memo = _KEEP
    if fast is not None and han is not None and han.match(block):
        pairs = fast.cut(block)
    else:
        pairs = ((p.word, p.flag) for p in posseg.cut(block, HMM=True))
    for w, flag in pairs:
        keep = keep_memo.get(w)
        if keep is None:
            if len(keep_memo) > 2_000_000:
                keep_memo.clear()
            keep = keep_memo[w] = any(ch.isalpha() for ch in w)
        if keep:
            words.append(w)
            tags.append(flag)
    return tuple(words), tuple(tags)


def _cut_texts(posseg, texts: list[str]) -> tuple[list[int], list[str], list[str]]:
    """Cut one document's sentences; return (unit index, token, pos) of the kept tokens.

    jieba splits a sentence into blocks (runs of CJK ideographs, Latin letters and digits, and
    what lies between them) and cuts each block on its own, so the cut of a block depends on
    the block alone. Reports repeat their formulations clause for clause, so each distinct
    block is cut once per process and remembered (the output is the same as cutting every
    sentence afresh).
    """
    units: list[int] = []
    words: list[str] = []
    tags: list[str] = []
    han = _han_split()
    split = han.split if han is not None else None
    if hasattr(posseg, "makesure_userdict_loaded"):
        posseg.makesure_userdict_loaded()  # what jieba does before every cut
    fast = _FastDAG.of(posseg) if han is not None else None
    memo = getattr(posseg, "_tifa_blocks", None)  # {block: (words, tags)}, kept on the tokenizer
    if memo is None:
        memo = {}
        try:
            posseg._tifa_blocks = memo
        except AttributeError:  # a tokenizer that takes no attributes: memo for this call only
            pass
    if len(memo) > _BLOCK_MEMO_MAX:
        memo.clear()
    for u, text in enumerate(texts):
        if not text:
            continue
        for block in (split(text) if split is not None else (text,)):
            if not block:
                continue
            hit = memo.get(block)
            if hit is None:
                hit = memo[block] = _cut_block(posseg, block, fast, han)
            ws = hit[0]
            if ws:
                units.extend([u] * len(ws))
                words.extend(ws)
                tags.extend(hit[1])
    return units, words, tags


# --------------------------------------------------------------------------------------------
# tables


def _doc_table(doc: dict, units: list[int], words: list[str], tags: list[str]) -> pa.Table:
    idx = np.asarray(units, dtype=np.int64)
    n = len(words)
    return pa.Table.from_arrays([
        pa.array([doc["doc_id"]] * n, pa.large_string()),
        pa.array(doc["section_id"][idx], pa.int64()),
        pa.array(doc["para_id"][idx], pa.int64()),
        pa.array(doc["sent_id"][idx], pa.int64()),
        pa.array(np.arange(n, dtype=np.int64), pa.int64()),
        pa.array(words, pa.large_string()),
        pa.array(tags, pa.large_string()),
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
    # large_string columns become pandas strings without a cast; unconsolidated int columns
    # without a copy
    out = table.to_pandas(split_blocks=True)
    # what flag_tokens does, without copying a frame nobody else holds
    out["stop"] = out["token"].isin(lexicon.stopwords).to_numpy(dtype=bool)
    out["boilerplate"] = out["token"].isin(lexicon.boilerplate).to_numpy(dtype=bool)
    return out[schemas.TOKENS]


# --------------------------------------------------------------------------------------------
# cache files


def _read_parquet(path: Path) -> pa.Table | None:
    """A cache file's table, or None if absent, unreadable or of another shape.

    The file is read in one go and parsed in memory: several times quicker than pyarrow's
    dataset reader for an entry, and no slower for a pack.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        table = pq.ParquetFile(pa.BufferReader(data)).read()
    except FileNotFoundError:
        return None
    except Exception:  # corrupt, truncated, not parquet ...: a miss, rewritten later
        return None
    if not table.schema.remove_metadata().equals(_CACHE_SCHEMA):
        return None
    return table


def _read_entry(path: Path) -> pa.Table | None:
    """A cached document table, or None if absent, unreadable or of another shape."""
    table = _read_parquet(path)
    return None if table is None else table.replace_schema_metadata(None)


def _write_atomic(folder: Path, name: str, table: pa.Table, *, tmp_prefix: str,
                  **options) -> bool:
    """Write ``table`` to ``folder/name`` atomically; False (and nothing left behind) on failure.

    The temporary file (``.<tmp_prefix>.<pid>.<random>.tmp`` in the same folder) is locked
    (``flock``) while it is written and renamed before it is closed, so a temporary file that
    is not locked belongs to a writer that died (see :func:`_remove_stale_temps`).
    """
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{tmp_prefix}.{os.getpid()}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            pq.write_table(table, fh, **options)
            fh.flush()
            os.replace(tmp, folder / name)
        return True
    except Exception:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def _write_entry(folder: Path, key: str, table: pa.Table) -> bool:
    """Write one document's entry atomically; False (and nothing left behind) if that fails."""
    return _write_atomic(folder, f"{key}.parquet", table, tmp_prefix=key)


def _pack_digest(keys: list[str]) -> str:
    h = hashlib.sha256(f"tifa-tokens-pack\x1f{len(keys)}\x1e".encode())
    h.update("\n".join(keys).encode("ascii"))
    return h.hexdigest()


def _read_pack(folder: Path, keys: list[str]) -> pa.Table | None:
    """The pack holding exactly these documents (in this order), or None."""
    path = folder / f"pack-{_pack_digest(keys)}.parquet"
    table = _read_parquet(path)
    if table is None:
        return None
    meta = table.schema.metadata or {}
    try:
        counts = json.loads(meta[b"tifa.rows"])
    except (KeyError, ValueError):
        return None
    if len(counts) != len(keys) or sum(counts) != table.num_rows:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by _prune_packs
    return table.replace_schema_metadata(None)


def _write_pack(folder: Path, keys: list[str], tables: list[pa.Table | None]) -> bool:
    """Keep the corpus's tokens in one pack file; prune the packs beyond :data:`PACK_KEEP`."""
    if any(t is None for t in tables):
        return False
    table = pa.concat_tables(tables) if tables else _CACHE_SCHEMA.empty_table()
    rows = json.dumps([t.num_rows for t in tables]).encode()
    table = table.replace_schema_metadata({b"tifa.rows": rows})
    digest = _pack_digest(keys)
    options = {"compression": "zstd"} if pa.Codec.is_available("zstd") else {}
    ok = _write_atomic(folder, f"pack-{digest}.parquet", table, tmp_prefix=f"pack-{digest}",
                       row_group_size=max(1, table.num_rows), **options)
    if ok:
        _prune_packs(folder)
    return ok


def _prune_packs(folder: Path) -> None:
    try:
        packs = [(p.stat().st_mtime, p) for p in folder.glob("pack-*.parquet")
                 if _is_ours(p.name)]
    except OSError:
        return
    packs.sort(reverse=True)
    for _, path in packs[PACK_KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()


def _is_ours(name: str) -> bool:
    """A file this module writes: an entry, a pack, or the temporary file of either."""
    if name.endswith(".parquet"):
        stem = name[:-8]
        return _is_hex(stem) or (stem.startswith("pack-") and _is_hex(stem[5:]))
    if name.startswith(".") and name.endswith(".tmp"):
        return _is_hex(name[1:65]) or (name.startswith(".pack-") and _is_hex(name[6:70]))
    return False


#: Without ``flock`` (Windows), a temporary file is taken for a dead writer's after this long.
STALE_TEMP_SECONDS = 24 * 3600


def _remove_stale_temps(folder: Path) -> int:
    """Delete temporary files left by writers that died (killed mid-write); return how many.

    A live writer holds a lock on its temporary file, so a file whose lock can be taken is a
    leftover. Without ``flock``, files older than :data:`STALE_TEMP_SECONDS` count as leftovers.
    """
    removed = 0
    try:
        names = [e.name for e in os.scandir(folder) if e.name.startswith(".") and e.name.endswith(".tmp")]
    except OSError:
        return 0
    for name in names:
        if not _is_ours(name):
            continue
        path = folder / name
        try:
            if fcntl is None:
                if time.time() - path.stat().st_mtime < STALE_TEMP_SECONDS:
                    continue
                path.unlink()
            else:
                with open(path, "rb") as fh:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # being written right now
                    path.unlink()
            removed += 1
        except OSError:
            continue
    return removed


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


def _tokenize_doc(posseg, doc: dict, folder: Path | None, key: str) -> tuple[pa.Table, bool | None]:
    """Cut one document into its cache table and, if ``folder`` is given, write the entry.

    Returns the table and whether the entry was written (None: no cache).
    """
    table = _doc_table(doc, *_cut_texts(posseg, doc["text"]))
    return table, (None if folder is None else _write_entry(folder, key, table))


def _worker_init(lexicon: Lexicon) -> None:
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = _posseg(lexicon)


def _worker_run(chunk: list[tuple[dict, str]], folder: Path | None) -> list[tuple[pa.Table, bool | None]]:
    """Cut (and cache) a chunk of documents in a worker: the writes happen in parallel too."""
    return [_tokenize_doc(_WORKER_TOKENIZER, doc, folder, key) for doc, key in chunk]


def _run_pool(lexicon: Lexicon, work: list[tuple[dict, str]], folder: Path | None, workers: int,
              done: Callable[[int, tuple], None]) -> None:
    """Tokenize ``work`` ((document, cache key) pairs) in a pool; call done(j, result) for each."""
    size = max(1, min(_MAX_CHUNK, math.ceil(len(work) / (workers * 4))))
    starts = range(0, len(work), size)
    ctx = _mp_context()
    if ctx.get_start_method() == "fork":
        tok = _posseg(lexicon)  # build once here; forked workers inherit it (and its memos)
        if hasattr(tok, "makesure_userdict_loaded"):
            tok.makesure_userdict_loaded()
        if _han_split() is not None:
            _FastDAG.of(tok)
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
