"""Cutting one document: jieba with the tifa lexicons, the per-document token table, the tokens
DataFrame with its stop / boilerplate flags, and the helpers that work on it.

Every backend (:mod:`tifa.tokenize.backends`, :mod:`tifa.tokenize.dask`) cuts documents with
:func:`tokenizer_for` and :func:`cut_document`; :func:`tifa.tokenize.tokenize` checks and
splits the units (:func:`split_documents`) and assembles the tables
(:func:`tokens_frame`). This module reads and writes no files.

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
    built once per process and reused, with jieba's part-of-speech tokenizer (HMM on) and the
    lexicon's user dictionary. jieba cuts a sentence block by block (runs of ideographs,
    letters and digits, and what lies between them), each block on its own, so the cut of each
    distinct block is remembered (reports repeat their formulations clause for clause; on the
    benchmark corpus four blocks in five are repeats) and a block is cut by the fast path of
    :mod:`tifa.tokenize._jieba_fast`, which gives exactly jieba's output.

    The fast path reads jieba's internals and serves only the jieba versions it is tested
    against (:data:`~tifa.tokenize._jieba_fast.TESTED_JIEBA`). With any other jieba,
    :func:`use_fast_path` issues one :class:`JiebaFallbackWarning` per process, naming the
    installed version, and sentences are cut whole by ``jieba.posseg`` itself: the same
    tokens, several times slower.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from tifa import schemas
from tifa.tokenize import _jieba_fast, build_cache
from tifa.tokenize.lexicon import Lexicon

__all__ = [
    "TOKENIZER_VERSION", "REQUIRED_UNITS", "TABLE_SCHEMA", "JiebaFallbackWarning",
    "split_documents", "jieba_version", "use_fast_path", "tokenizer_for",
    "cut_texts", "cut_document", "split_glued", "tokens_frame", "flag_tokens", "filter_tokens",
    "attach_counts", "GLUE_FUNCTION_WORDS", "GLUE_ADMINISTRATIVE",
]

#: Bump when the rules of this package change what a cached entry holds (dropping, tagging ...).
#: 2: function words glued to an administrative character are split (:func:`split_glued`).
TOKENIZER_VERSION = "2"

#: Function words (particles, prepositions, conjunctions) that jieba's HMM glues to the next
#: character when neither forms a dictionary word with its neighbours.
GLUE_FUNCTION_WORDS = frozenset("了的着过对经在和与及向从由给为于将把被")
#: Administrative-level and organ characters such a function word gets glued to
#: (实现了市外事办 -> 实现/了市/外事办; 对区、市、县 -> 对区/市/县; 全部经局党组会议 -> 经局).
GLUE_ADMINISTRATIVE = frozenset("市区县省州镇乡村局委厅")

#: Units columns :func:`tifa.tokenize.tokenize` needs.
REQUIRED_UNITS = ["doc_id", "section_id", "para_id", "sent_id", "text"]

_ID_COLUMNS = ["section_id", "para_id", "sent_id"]

#: One document's token rows as :func:`cut_document` gives them and the cache keeps them: all
#: columns of the tokens table but the stop / boilerplate flags.
TABLE_SCHEMA = pa.schema([
    ("doc_id", pa.large_string()), ("section_id", pa.int64()), ("para_id", pa.int64()),
    ("sent_id", pa.int64()), ("position", pa.int64()), ("token", pa.large_string()),
    ("pos", pa.large_string()),
])


# --------------------------------------------------------------------------------------------
# units -> documents


def _check_units(units: pd.DataFrame) -> None:
    """Raise ValueError unless ``units`` has the :data:`REQUIRED_UNITS` and no missing ids."""
    missing = [c for c in REQUIRED_UNITS if c not in units.columns]
    if missing:
        raise ValueError(f"units table lacks column(s) {missing}; expected {REQUIRED_UNITS}")
    if units["doc_id"].isna().any():
        raise ValueError("units.doc_id has missing values")
    for col in _ID_COLUMNS:
        if units[col].isna().any():
            raise ValueError(f"units.{col} has missing values")


def split_documents(units: pd.DataFrame) -> list[dict]:
    """One dict per document (first-appearance order) with its units in reading order.

    Each holds ``doc_id`` (str), ``text`` (list of str, missing text as ``""``) and the int64
    arrays ``section_id``, ``para_id`` and ``sent_id``: what :func:`cut_document` cuts and
    the cache key is computed from.

    Raises
    ------
    ValueError
        ``units`` lacks one of :data:`REQUIRED_UNITS`, or has missing / non-integer ids.
    """
    _check_units(units)
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


# --------------------------------------------------------------------------------------------
# jieba


_JIEBA_VERSION: str | None = None


def jieba_version() -> str:
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


class JiebaFallbackWarning(RuntimeWarning):
    """The installed jieba is not one the fast path serves: jieba.posseg cuts instead."""


@functools.cache
def use_fast_path() -> bool:
    """Whether blocks are cut by the fast path; decided, and warned about, once per process.

    False, after a :class:`JiebaFallbackWarning` naming the installed jieba version, when the
    installed jieba is not one of :data:`~tifa.tokenize._jieba_fast.TESTED_JIEBA` or lacks the
    internals the fast path reads; sentences are then cut by ``jieba.posseg`` itself (the same
    tokens, slower). ``use_fast_path.cache_clear()`` makes the next call decide again.
    """
    problem = _jieba_fast.fast_path_problem(jieba_version())
    if problem is None:
        return True
    warnings.warn(f"{problem}; tokenizing with jieba.posseg instead (the same tokens, several "
                  "times slower). Install a tested jieba to get the fast path back.",
                  JiebaFallbackWarning, stacklevel=2)
    return False


_TOKENIZERS: dict[tuple[str, bool], object] = {}  # (lexicon fingerprint, fast) -> POSTokenizer
_KEEP: dict[str, bool] = {}  # token -> has a letter (memo; vocabularies are small)
_BLOCK_MEMO_MAX = 300_000


def tokenizer_for(lexicon: Lexicon, *, fast: bool | None = None):
    """A private jieba POSTokenizer with the lexicon's dictionary, built once per process.

    Parameters
    ----------
    lexicon : Lexicon
        Its user dictionary (``entries``) is added to a fresh ``jieba.Tokenizer``.
    fast : bool or None, default None
        The fast path's tokenizer class (True) or ``jieba.posseg.POSTokenizer`` itself (False);
        None: :func:`use_fast_path`. Either gives the same tokens.

    Returns
    -------
    jieba.posseg.POSTokenizer
        Ready to cut (dictionary loaded), for :func:`cut_texts` and :func:`cut_document`.
        The fast path's tokenizer is loaded from the build cache
        (:mod:`tifa.tokenize.build_cache`) when an earlier process built it, else built and
        stored there.
    """
    fast = use_fast_path() if fast is None else fast
    key = (lexicon.fingerprint, fast)
    tok = _TOKENIZERS.get(key)
    build_key = (build_cache.build_key(lexicon, jieba_version=jieba_version(),
                                       tokenizer_version=TOKENIZER_VERSION)
                 if fast and tok is None else None)
    if tok is None and build_key is not None:
        tok = build_cache.load_tokenizer(build_key)
    if tok is None:
        import jieba

        posseg = _jieba_fast.posseg_module()
        logger = logging.getLogger("jieba")
        level = logger.level
        logger.setLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG
        try:
            base = jieba.Tokenizer()  # own instance: the global jieba.dt is never touched
            base.initialize()
            for word, freq, pos in lexicon.entries:
                base.add_word(word, freq, pos)
            cls = _jieba_fast.pos_tokenizer_class() if fast else posseg.POSTokenizer
            tok = cls(base)
            tok.makesure_userdict_loaded()
        finally:
            logger.setLevel(level)
        if fast:
            _jieba_fast.FastDAG.of(tok)  # built once here (forked workers inherit it)
            build_cache.save_tokenizer(build_key, tok)
    if key not in _TOKENIZERS:
        if len(_TOKENIZERS) >= 4:
            _TOKENIZERS.pop(next(iter(_TOKENIZERS)))
        _TOKENIZERS[key] = tok
    return tok


def split_glued(posseg, pairs):
    """jieba's (word, tag) pairs with glued function words split off.

    jieba's HMM joins two characters that its dictionary does not join into one word; a
    function word (:data:`GLUE_FUNCTION_WORDS`) before an administrative character
    (:data:`GLUE_ADMINISTRATIVE`) then comes out as one token (了市, 对区, 经局) that is no word
    at all and reaches keyword lists. Such a two-character token, when it is not a dictionary
    word (地区, 各市 are), is given back as its two characters, tagged as jieba tags single
    characters. Every other pair is unchanged.

    Parameters
    ----------
    posseg : jieba.posseg.POSTokenizer
        The tokenizer that cut the pairs (its dictionary and single-character tags).
    pairs : iterable of (str, str)
        ``(word, tag)`` as cut.

    Returns
    -------
    list of (str, str)
    """
    freq = posseg.tokenizer.FREQ
    out = []
    for w, flag in pairs:
        if (len(w) == 2 and w[0] in GLUE_FUNCTION_WORDS and w[1] in GLUE_ADMINISTRATIVE
                and not freq.get(w)):
            tags = posseg.word_tag_tab
            out.append((w[0], tags.get(w[0], "x")))
            out.append((w[1], tags.get(w[1], "x")))
        else:
            out.append((w, flag))
    return out


def _cut_block(posseg, block: str, fast=None, han=None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The kept (token, pos) of one block, as two tuples."""
    words: list[str] = []
    tags: list[str] = []
    keep_memo = _KEEP
    if fast is not None and han is not None and han.match(block):
        pairs = fast.cut(block)
    else:
        pairs = ((p.word, p.flag) for p in posseg.cut(block, HMM=True))
    for w, flag in split_glued(posseg, pairs):
        keep = keep_memo.get(w)
        if keep is None:
            if len(keep_memo) > 2_000_000:
                keep_memo.clear()
            keep = keep_memo[w] = any(ch.isalpha() for ch in w)
        if keep:
            words.append(w)
            tags.append(flag)
    return tuple(words), tuple(tags)


def cut_texts(posseg, texts: list[str]) -> tuple[list[int], list[str], list[str]]:
    """Cut one document's sentences; return (unit index, token, pos) of the kept tokens.

    jieba splits a sentence into blocks (runs of CJK ideographs, Latin letters and digits, and
    what lies between them) and cuts each block on its own, so the cut of a block depends on
    the block alone. Reports repeat their formulations clause for clause, so each distinct
    block is cut once per process and remembered (the output is the same as cutting every
    sentence afresh). Without the fast path (:func:`use_fast_path`) sentences are cut, and
    remembered, whole.

    Parameters
    ----------
    posseg : jieba.posseg.POSTokenizer
        From :func:`tokenizer_for`.
    texts : list of str
        The document's sentences in reading order.
    """
    units: list[int] = []
    words: list[str] = []
    tags: list[str] = []
    on = use_fast_path()
    han = _jieba_fast.han_split() if on else None
    split = han.split if han is not None else None
    if hasattr(posseg, "makesure_userdict_loaded"):
        posseg.makesure_userdict_loaded()  # what jieba does before every cut
    fast = _jieba_fast.FastDAG.of(posseg) if on else None
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


def cut_document(posseg, doc: dict) -> pa.Table:
    """One document (from :func:`split_documents`) cut into its token table (:data:`TABLE_SCHEMA`).

    ``position`` counts the document's kept tokens from 0.
    """
    units, words, tags = cut_texts(posseg, doc["text"])
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
    ], schema=TABLE_SCHEMA)


def _set_flags(frame: pd.DataFrame, lexicon: Lexicon) -> pd.DataFrame:
    """Set ``stop`` and ``boilerplate`` on ``frame`` in place; return its tokens columns."""
    frame["stop"] = frame["token"].isin(lexicon.stopwords).to_numpy(dtype=bool)
    frame["boilerplate"] = frame["token"].isin(lexicon.boilerplate).to_numpy(dtype=bool)
    return frame[schemas.TOKENS]


def tokens_frame(tables: list[pa.Table], lexicon: Lexicon) -> pd.DataFrame:
    """The tokens table (:data:`tifa.schemas.TOKENS`) of document tables, in their order.

    Parameters
    ----------
    tables : list of pyarrow.Table
        Document tables of :data:`TABLE_SCHEMA` (:func:`cut_document`, the cache).
    lexicon : Lexicon
        Sets the ``stop`` and ``boilerplate`` flags.
    """
    table = pa.concat_tables(tables) if tables else TABLE_SCHEMA.empty_table()
    # large_string columns become pandas strings without a cast; unconsolidated int columns
    # without a copy; flagged without copying a frame nobody else holds
    return _set_flags(table.to_pandas(split_blocks=True), lexicon)


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
    return _set_flags(tokens.copy(), lexicon)


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
        The tokens table from :func:`tifa.tokenize.tokenize`. Every row counts, stopwords and
        boilerplate included (pass the unfiltered table for the schema's meaning).

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
