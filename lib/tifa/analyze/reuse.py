"""Shared passages (text reuse): which reports share text verbatim or nearly.

A city's report that lifts whole passages from its province's, one department's report that
repeats another's paragraph, the template sentences every report of a genre writes: this
module finds passages that two documents share — word for word, or with a sentence dropped,
numbers changed, 的/了 inserted — and says where they are in each document. It works from the
units table (one row per sentence, with its character offset in the cleaned text), so no
pairwise comparison of whole documents is ever made.

How it works
------------
1. **Sentences.** Body sentences only: headings, the closing block (signature, date, 抄送) and,
   when the units table has a ``part`` column (front matter / body / signature), every sentence
   whose ``part`` is not ``"body"`` are left out, and so are sentences shorter than
   ``min_sentence_chars`` once normalised (各位代表！).
2. **Normalised key** (:func:`normalize`): NFKC width folding, every number written ``0``,
   的 and 了 removed, punctuation and spaces removed. Sentences that differ only in numbers,
   particles or punctuation share a key.
3. **Families of near-identical sentences.** Each distinct key gets a MinHash signature
   (datasketch) over its character 3-grams and goes into a MinHash LSH index. Starting from the
   key found in the most documents, each key not yet placed gathers the keys the index returns
   whose estimated Jaccard similarity with it reaches ``threshold``; they leave the index and
   form its family. Cost: one index query per family, so 5,000 reports (half a million
   sentences) never mean 12.5 million document comparisons.
4. **Templates.** A family found in ``template_docs`` documents or more (default: at least 5,
   and at least √(number of documents)) is a template — an opening formula, a slogan sentence,
   a passage every department copied from one circular. Templates are reported once, in the
   ``repeated`` table, and are never evidence that two documents share a passage. The bound
   also keeps the work linear: a family below it pairs fewer than n/2 documents. In a corpus
   of two or three reports nothing is frequent, so a family with a sentence matching the
   genre's formula list (``data/reuse_formulas.txt``: 现在，我代表…人民政府向大会报告工作, the
   sentence naming the year, the closing call 让我们…) is a template too.
5. **Candidate pairs.** Two documents that share sentences of at least ``min_sentences``
   (non-template) families.
6. **Passages.** In each candidate pair the shared sentences are chained in reading order: the
   next one must follow within ``max_gap + 1`` body sentences in *both* documents, so a dropped
   or inserted sentence does not break a passage. A chain of at least ``min_sentences`` shared
   sentences is a passage; a sentence belongs to one passage of a pair at most (the longest).
7. **Exact alignment.** A passage's span in each document runs from the start of its first
   shared sentence to the end of its last (``start``/``end``: offsets in the cleaned text,
   ``text[start:end]``), so a sentence dropped from the copy is inside the source's span. The
   two spans are aligned character by character (difflib's ``SequenceMatcher``):
   ``shared_chars`` counts the characters they have in common, in order; ``similarity`` =
   2 × shared_chars / (chars_a + chars_b). Passages under ``min_similarity`` or with fewer than
   ``min_chars`` shared characters are dropped.

Nothing here can tell who copied whom: two reports share a passage, and the ``share_a`` /
``share_b`` columns say how much of each that passage is. A short report that shares a third of
its text with a long one is the likelier borrower, but both may have copied a third document
that is not in the corpus.

Tables: :data:`PAIRS` (one row per pair of documents with shared text), :data:`PASSAGES` (one
row per shared passage), :data:`REPEATED` (sentence families found in ``min_repeat_docs``
documents or more, templates flagged), :data:`MATRIX` (:func:`reuse_matrix`: how much of each
group's text is shared with each other group) and :data:`DIFF` (:func:`passage_diff`: the
differences inside passages, for side-by-side display).
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from tifa import paths
from tifa.analyze.groups import group_of
from tifa.analyze.measures import empty_table
from tifa.ingest.units import split_sentences

__all__ = ["normalize", "load_formulas", "FORMULAS_FILE", "find_reuse", "reuse_matrix", "passage_diff", "pair_passages",
           "default_template_docs", "Reuse", "PAIRS", "PASSAGES", "REPEATED", "MATRIX", "DIFF"]

#: Columns of :attr:`Reuse.pairs`: one row per pair of documents sharing at least one passage.
#:
#: doc_a, doc_b          the two documents (``doc_a`` sorts first; no direction is implied)
#: label_a, label_b      their labels (documents ``label``, else ``doc_id``)
#: group_a, group_b      their groups (``by=``)
#: shared_passages       passages the two share
#: shared_sentences      sentences of those passages found in both
#: shared_chars          characters the aligned passages have in common
#: chars_a, chars_b      characters of the passages' spans in each document
#: n_chars_a, n_chars_b  characters of each document (cleaned text)
#: share_a, share_b      chars_a / n_chars_a, chars_b / n_chars_b: how much of each is shared
#: similarity            2 × shared_chars / (chars_a + chars_b) over all its passages
PAIRS = ["doc_a", "doc_b", "label_a", "label_b", "group_a", "group_b", "shared_passages",
         "shared_sentences", "shared_chars", "chars_a", "chars_b", "n_chars_a", "n_chars_b",
         "share_a", "share_b", "similarity"]

#: Columns of :attr:`Reuse.passages`: one row per shared passage.
#:
#: doc_a … group_b       as in :data:`PAIRS`
#: passage               1, 2 … within the pair, in the reading order of ``doc_a``
#: n_sentences           sentences found in both (the chain's length)
#: sentences_a, sentences_b   sentences of each span (a dropped sentence counts on its side)
#: start_a, end_a, start_b, end_b   character offsets of the spans in the cleaned texts
#: chars_a, chars_b      characters of each span
#: shared_chars          characters the two spans have in common, in order (exact alignment)
#: similarity            2 × shared_chars / (chars_a + chars_b)
#: text_a, text_b        the two spans
PASSAGES = ["doc_a", "doc_b", "label_a", "label_b", "group_a", "group_b", "passage",
            "n_sentences", "sentences_a", "sentences_b", "start_a", "end_a", "start_b",
            "end_b", "chars_a", "chars_b", "shared_chars", "similarity", "text_a", "text_b"]

#: Columns of :attr:`Reuse.repeated`: sentence families found in many documents.
#:
#: family     id of the family of near-identical sentences
#: text       its most frequent wording
#: n_docs, n_groups   documents and groups using it
#: n_uses     sentences of the family (a document may repeat one)
#: n_variants distinct wordings
#: chars      characters of ``text``
#: template   n_docs >= template_docs, or a formula: reported here once, never as a pair's
#:            shared passage
#: formula    one of its sentences matches a pattern of the formula list
#:            (``data/reuse_formulas.txt``, :func:`load_formulas`)
#: total_docs documents of the corpus
#: examples   labels of up to five documents using it, joined by "、"
REPEATED = ["family", "text", "n_docs", "n_groups", "n_uses", "n_variants", "chars",
            "template", "formula", "total_docs", "examples"]

#: Columns of :func:`reuse_matrix`: how much of each group's text it shares with each group.
#:
#: group, other   the group whose text is measured, and the group it shares it with
#: pairs          document pairs (one document in each) with shared passages
#: shared_chars   characters of ``group``'s documents inside passages shared with ``other``
#:                (a stretch shared with several documents of ``other`` counts once)
#: n_docs, n_chars  documents and characters of ``group``
#: share          shared_chars / n_chars
MATRIX = ["group", "other", "pairs", "shared_chars", "n_docs", "n_chars", "share"]

#: Columns of :func:`passage_diff`: one row per stretch of a passage, equal or changed.
#:
#: doc_a, doc_b, passage   which passage (as in :data:`PASSAGES`)
#: segment   0, 1 … in reading order
#: op        equal | replace | delete (only in text_a) | insert (only in text_b)
#: text_a, text_b   the stretch on each side ("" where it is missing)
DIFF = ["doc_a", "doc_b", "passage", "segment", "op", "text_a", "text_b"]

#: The genre's formula sentences (``data/reuse_formulas.txt``), read by :func:`load_formulas`.
FORMULAS_FILE = "reuse_formulas.txt"

_NUMBER = re.compile(r"\d+(?:[.．]\d+)?")
#: A sentence ends in sentence punctuation (closing quotes and brackets may follow); title,
#: delivery, speaker, signature and page-chrome lines end in none.
_SENTENCE_END = re.compile(r"[。！？；!?;…][”’」』）)\]】》〕〉\"']*$")
_PARTICLES = re.compile("[的了]")
_NON_WORD = re.compile(r"[\W_]+")
_SHINGLE = 3
#: Pieces of a passage for :func:`passage_diff`: a number with its decimals and %, or one
#: character.
_PIECE = re.compile(r"\d+(?:[.．]\d+)?[%％]?|.", re.S)

_INT = "int64"
_EMPTY_PAIRS = {c: _INT for c in ("shared_passages", "shared_sentences", "shared_chars",
                                  "chars_a", "chars_b", "n_chars_a", "n_chars_b")}
_EMPTY_PAIRS.update(share_a="float64", share_b="float64", similarity="float64")
_EMPTY_PASSAGES = {c: _INT for c in ("passage", "n_sentences", "sentences_a", "sentences_b",
                                     "start_a", "end_a", "start_b", "end_b", "chars_a",
                                     "chars_b", "shared_chars")}
_EMPTY_PASSAGES.update(similarity="float64")


@dataclass
class Reuse:
    """What :func:`find_reuse` found.

    Attributes
    ----------
    pairs : DataFrame
        :data:`PAIRS`, most shared characters first.
    passages : DataFrame
        :data:`PASSAGES`, by pair (in the order of ``pairs``) and passage.
    repeated : DataFrame
        :data:`REPEATED`, most documents first.
    params : dict
        The options used, with ``template_docs`` resolved and the counts behind the result:
        ``documents``, ``sentences`` (body sentences compared), ``keys`` (distinct normalised
        sentences), ``families``, ``templates``, ``candidate_pairs``.
    """

    pairs: pd.DataFrame
    passages: pd.DataFrame
    repeated: pd.DataFrame
    params: dict = field(default_factory=dict)


def normalize(text: str) -> str:
    """The key a sentence is compared by: what is left when numbers, 的/了 and punctuation go.

    Parameters
    ----------
    text : str
        A sentence.

    Returns
    -------
    str
        NFKC-folded (full-width digits and letters become ASCII), every number (``5.5``,
        ``2000``, ``１２``) replaced by ``0``, the particles 的 and 了 removed, then everything
        that is not a letter, digit or CJK character (punctuation, symbols such as %, spaces)
        removed. ``"增长5.5%。"`` and ``"增长6%"`` both give ``"增长0"``.
    """
    t = unicodedata.normalize("NFKC", str(text))
    t = _NUMBER.sub("0", t)
    t = _PARTICLES.sub("", t)
    return _NON_WORD.sub("", t)


def load_formulas(path=None) -> tuple[str, ...]:
    """The patterns of the genre's formula sentences (``data/reuse_formulas.txt``).

    Parameters
    ----------
    path : str, Path or None, default None
        The file: one regular expression a line, searched in a sentence's key
        (:func:`normalize`); ``#`` lines and blank lines are comments. None reads
        :data:`FORMULAS_FILE` from the data folder (:func:`tifa.paths.data_file`); a missing
        default file gives no patterns.

    Returns
    -------
    tuple of str
        The patterns, in file order.

    Raises
    ------
    ValueError
        When a line is not a valid regular expression (the message names the line).
    """
    file = Path(path) if path is not None else paths.data_file(FORMULAS_FILE)
    if not file.is_file():
        if path is not None:
            raise FileNotFoundError(f"no formula list at {file}")
        return ()
    patterns = []
    for number, line in enumerate(file.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            re.compile(line)
        except re.error as err:
            raise ValueError(f"{file}, line {number}: {line!r} is not a valid regular "
                             f"expression ({err})") from None
        patterns.append(line)
    return tuple(patterns)


def default_template_docs(n_docs: int) -> int:
    """The default ``template_docs`` of :func:`find_reuse`: ``max(5, ceil(√n_docs))``.

    Parameters
    ----------
    n_docs : int
        Documents in the corpus.

    Returns
    -------
    int
        6 for 34 documents, 23 for 500, 71 for 5,000.
    """
    return max(5, math.ceil(math.sqrt(max(0, int(n_docs)))))


# ---------------------------------------------------------------------------- sentences

def _body_sentences(units: pd.DataFrame, *, body_only: bool,
                    min_sentence_chars: int) -> pd.DataFrame:
    """The sentences compared: body text, long enough; with their key and end offset."""
    missing = {"doc_id", "sent_id", "text", "start"} - set(units.columns)
    if missing:
        raise KeyError(f"find_reuse needs the units table's columns {sorted(missing)}")
    keep = pd.Series(True, index=units.index)
    if "is_heading" in units.columns:
        keep &= ~units["is_heading"].astype(bool)
    if "section_role" in units.columns:
        keep &= units["section_role"].astype(str) != "closing"
    if body_only and "part" in units.columns:
        keep &= units["part"].astype(str) == "body"
    u = units.loc[keep, ["doc_id", "sent_id", "text", "start"]].copy()
    u["doc_id"] = u["doc_id"].astype(str)
    u["text"] = u["text"].astype(str)
    u["key"] = pd.Series([normalize(t) for t in u["text"].tolist()], index=u.index, dtype=object)
    u = u[(u["key"].str.len() >= min_sentence_chars)
          & u["text"].str.strip().str.contains(_SENTENCE_END, regex=True)]
    u = u.sort_values(["doc_id", "sent_id"], kind="stable").reset_index(drop=True)
    u["end"] = u["start"].astype("int64") + u["text"].str.len().astype("int64")
    # position among the compared sentences of the document: gaps are counted in these
    u["k"] = u.groupby("doc_id", sort=False).cumcount().astype("int64")
    return u


def _shingles(key: str) -> list[bytes]:
    """The character 3-grams of a key, as bytes (UTF-32: four bytes a character)."""
    raw = key.encode("utf-32-le")
    width = 4 * _SHINGLE
    if len(raw) <= width:
        return [raw]
    return [raw[i:i + width] for i in range(0, len(raw) - width + 4, 4)]


def _families(keys: list[str], key_docs: np.ndarray, *, threshold: float, num_perm: int,
              seed: int) -> np.ndarray:
    """Family id of every distinct key (MinHash signatures, LSH bands, leaders by documents).

    The signatures are datasketch's MinHash over the keys' character 3-grams; the bands and
    rows are those datasketch's :class:`~datasketch.MinHashLSH` chooses for ``threshold``.
    The index is built here in one vectorised pass (keys that share a band's values share its
    bucket) instead of one ``insert``/``query``/``remove`` call per key, which costs about
    half a millisecond each in Python: four minutes for half a million sentences.
    """
    from datasketch import MinHash, MinHashLSH

    n = len(keys)
    family = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return family
    # one MinHash object, reset for every key (MinHash.copy() per key costs more than the
    # hashing); CRC-32 of the 3-grams instead of SHA-1: as good for MinHash, much faster
    mh = MinHash(num_perm=num_perm, seed=seed, hashfunc=zlib.crc32)
    blank = mh.hashvalues
    signatures = np.empty((n, len(blank)), dtype=blank.dtype)
    for i, key in enumerate(keys):
        mh.hashvalues = blank
        mh.update_batch(_shingles(key))
        signatures[i] = mh.hashvalues
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    bands, rows = lsh.b, lsh.r
    # bucket of every (key, band): equal band values, equal bucket; ids unique across bands
    bucket = np.empty((n, bands), dtype=np.int64)
    offset = 0
    for t in range(bands):
        part = np.ascontiguousarray(signatures[:, t * rows:(t + 1) * rows])
        _, inverse = np.unique(part.view(np.dtype((np.void, part.dtype.itemsize * rows))),
                               return_inverse=True)
        inverse = inverse.ravel()
        bucket[:, t] = inverse + offset
        offset += int(inverse.max()) + 1
    flat = bucket.ravel()
    size = np.bincount(flat, minlength=offset)
    members = np.argsort(flat, kind="stable") // bands  # keys, bucket by bucket
    starts = np.concatenate([[0], np.cumsum(size)])
    lonely = size[bucket].max(axis=1) == 1  # shares no bucket: a family of its own
    order = np.lexsort((np.arange(n), -key_docs))  # most documents first, then first seen
    next_id = 0
    for i in order.tolist():
        if family[i] >= 0:
            continue
        if lonely[i]:
            family[i] = next_id
            next_id += 1
            continue
        found = np.unique(np.concatenate([members[starts[b]:starts[b + 1]] for b in bucket[i]]))
        found = found[family[found] < 0]
        found = found[(signatures[found] == signatures[i]).mean(axis=1) >= threshold]
        family[np.union1d(found, [i])] = next_id
        next_id += 1
    return family


# ---------------------------------------------------------------------------- passages

def _chains(ka: np.ndarray, kb: np.ndarray, *, max_gap: int, min_sentences: int
            ) -> list[list[int]]:
    """Chains of matches (indices into ka/kb, sorted by ka then kb) in reading order of both."""
    step = max_gap + 1
    runs: list[list[int]] = []
    for m in range(len(ka)):
        a, b = ka[m], kb[m]
        best, best_gap = None, None
        for r, run in enumerate(runs):
            la, lb = ka[run[-1]], kb[run[-1]]
            da, db = a - la, b - lb
            if 1 <= da <= step and 1 <= db <= step and (best_gap is None or da + db < best_gap):
                best, best_gap = r, da + db
        if best is None:
            runs.append([m])
        else:
            runs[best].append(m)
    runs = [r for r in runs if len(r) >= min_sentences]
    runs.sort(key=lambda r: (-len(r), ka[r[0]]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    kept = []
    for run in runs:  # a sentence belongs to one passage at most: the longest wins
        sa, sb = {int(ka[m]) for m in run}, {int(kb[m]) for m in run}
        if sa & used_a or sb & used_b:
            continue
        used_a |= sa
        used_b |= sb
        kept.append(run)
    kept.sort(key=lambda r: ka[r[0]])
    return kept


def _at_least(matches: pd.DataFrame, n: int) -> pd.DataFrame:
    """The matches of the document pairs that have at least ``n`` of them."""
    size = matches.groupby(["doc_a", "doc_b"])["k_a"].transform("size")
    return matches[size >= n]


def _key_similarity(a: np.ndarray, b: np.ndarray, keys) -> np.ndarray:
    """difflib's ratio of the keys ``keys[a[i]]`` and ``keys[b[i]]`` (1 for the same key),
    computed once per distinct pair of keys."""
    out = np.ones(len(a), dtype=float)
    differ = np.flatnonzero(a != b)
    if len(differ) == 0:
        return out
    pairs = pd.DataFrame({"a": a[differ], "b": b[differ]})
    distinct = pairs.drop_duplicates()
    ratio = [difflib.SequenceMatcher(None, keys[i], keys[j], autojunk=False).ratio()
             for i, j in zip(distinct["a"].tolist(), distinct["b"].tolist())]
    lookup = pd.Series(ratio, index=pd.MultiIndex.from_frame(distinct), dtype=float)
    out[differ] = lookup.reindex(pd.MultiIndex.from_frame(pairs)).to_numpy()
    return out


def _align(text_a: str, text_b: str) -> int:
    """Characters two texts have in common, in order (difflib, no junk heuristic)."""
    matcher = difflib.SequenceMatcher(None, text_a, text_b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def find_reuse(units: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
               min_sentences: int = 2, min_chars: int = 40, min_similarity: float = 0.6,
               max_gap: int = 1, min_sentence_chars: int = 10,
               min_sentence_similarity: float = 0.8, template_docs: int | None = None,
               formulas: Iterable[str] | None = None, min_repeat_docs: int = 3, threshold: float = 0.5, num_perm: int = 64,
               body_only: bool = True, seed: int = 1) -> Reuse:
    """Passages that documents share verbatim or nearly, found at scale and aligned exactly.

    See the module docstring for the method.

    Parameters
    ----------
    units : DataFrame
        The units table (schemas.UNITS): ``doc_id``, ``sent_id``, ``text``, ``start``; uses
        ``is_heading``, ``section_role`` and ``part`` when present. Not modified.
    documents : DataFrame
        The documents table: ``doc_id``, ``text`` (the cleaned text the offsets refer to), the
        ``by`` column; ``label`` and ``n_chars`` when present.
    by : str, default "doc_id"
        The documents column whose values are the groups (``group_a``, ``group_b``).
    min_sentences : int, default 2
        Shared sentences a passage needs. With 1, a single shared sentence is a passage, and
        two reports of a genre that share one formula sentence become a pair.
    min_chars : int, default 40
        Characters a passage's aligned spans must have in common.
    min_similarity : float, default 0.6
        Lowest similarity (2 × shared / total characters of the two spans) of a passage.
    max_gap : int, default 1
        Body sentences that may be skipped between two shared sentences, in either document,
        without ending the passage (a dropped or an inserted sentence).
    min_sentence_chars : int, default 10
        Shortest sentence compared, in characters of its normalised key.
    min_sentence_similarity : float, default 0.8
        Two sentences of one family count as shared only when their normalised keys are this
        similar (difflib's ratio: 2 × characters in common / characters of both).
    template_docs : int or None, default None
        A family of near-identical sentences found in this many documents or more is a
        template; None: :func:`default_template_docs` (``max(5, ceil(√n_docs))``).
    formulas : iterable of str or None, default None
        Regular expressions of the genre's formula sentences, searched in a sentence's key
        (:func:`normalize`); a family with a matching sentence is a template whatever its
        frequency, so that two reports of one genre are not paired on their opening formula
        and closing call. None: :func:`load_formulas` (``data/reuse_formulas.txt``); ``()``:
        none.
    min_repeat_docs : int, default 3
        Families found in at least this many documents are listed in ``repeated``.
    threshold : float, default 0.5
        Estimated Jaccard similarity of the character 3-grams of two normalised sentences
        that puts them in one family (and the LSH index's threshold).
    num_perm : int, default 64
        Permutations of the MinHash signatures (more: more exact, slower, more memory).
    body_only : bool, default True
        With a ``part`` column in ``units``, compare only sentences whose part is ``"body"``.
    seed : int, default 1
        Seed of the MinHash permutations (the same input gives the same families).

    Returns
    -------
    Reuse
        ``pairs``, ``passages``, ``repeated`` and ``params``.
    """
    if min_sentences < 1:
        raise ValueError(f"min_sentences must be at least 1, got {min_sentences}")
    if max_gap < 0:
        raise ValueError(f"max_gap must be 0 or more, got {max_gap}")
    docs = documents.assign(doc_id=documents["doc_id"].astype(str)).drop_duplicates("doc_id")
    groups = group_of(docs, by)
    labels = pd.Series(docs["doc_id"].to_numpy(), index=docs["doc_id"].to_numpy())
    if "label" in docs.columns:
        labels = docs.set_index("doc_id")["label"].astype("string").fillna(labels).astype(str)
    texts = docs.set_index("doc_id")["text"]
    n_chars = (pd.to_numeric(docs.set_index("doc_id")["n_chars"], errors="coerce")
               if "n_chars" in docs.columns else texts.astype("string").str.len())
    n_chars = n_chars.fillna(texts.astype("string").str.len()).fillna(0).astype("int64")
    n_docs = len(docs)
    template_docs = default_template_docs(n_docs) if template_docs is None else int(template_docs)

    sent = _body_sentences(units[units["doc_id"].astype(str).isin(docs["doc_id"])],
                           body_only=body_only, min_sentence_chars=min_sentence_chars)
    params = dict(by=by, min_sentences=min_sentences, min_chars=min_chars,
                  min_similarity=min_similarity, max_gap=max_gap,
                  min_sentence_chars=min_sentence_chars,
                  min_sentence_similarity=min_sentence_similarity, template_docs=template_docs,
                  min_repeat_docs=min_repeat_docs, threshold=threshold, num_perm=num_perm,
                  body_only=body_only, seed=seed, documents=n_docs, sentences=len(sent))

    key_codes, key_values = pd.factorize(sent["key"])
    doc_codes, doc_values = pd.factorize(sent["doc_id"])
    key_docs = (pd.DataFrame({"key": key_codes, "doc": doc_codes}).drop_duplicates()
                .groupby("key").size().reindex(range(len(key_values)), fill_value=0).to_numpy())
    family_of_key = _families(list(key_values), key_docs, threshold=threshold,
                              num_perm=num_perm, seed=seed)
    sent["family"] = family_of_key[key_codes] if len(sent) else np.array([], dtype=np.int64)
    sent["doc"] = doc_codes
    fam_docs = sent.drop_duplicates(["family", "doc"]).groupby("family").size()
    patterns = tuple(load_formulas() if formulas is None else formulas)
    formula_fams = pd.Index(np.unique(family_of_key[_matches(list(key_values), patterns)]))
    is_template = (fam_docs >= template_docs) | fam_docs.index.isin(formula_fams)
    params.update(keys=len(key_values), families=int(len(fam_docs)),
                  templates=int(is_template.sum()), formulas=len(patterns),
                  formula_families=int(len(formula_fams)))

    repeated = _repeated(sent, fam_docs, groups, labels, template_docs=template_docs,
                         formula_families=formula_fams, min_repeat_docs=min_repeat_docs,
                         total_docs=n_docs)

    # occurrences of the non-template families found in two documents or more
    shared_fams = fam_docs.index[(fam_docs >= 2) & ~is_template]
    sent["kc"] = key_codes
    occ = sent.loc[sent["family"].isin(shared_fams), ["family", "doc", "k", "kc"]]
    m = occ.merge(occ, on="family", suffixes=("_a", "_b"))
    m = _at_least(m[m["doc_a"] < m["doc_b"]], min_sentences)
    params["candidate_pairs"] = int(m[["doc_a", "doc_b"]].drop_duplicates().shape[0])
    # every match checked on its own: the two keys must be this similar (a family is looser)
    m = m[_key_similarity(m["kc_a"].to_numpy(), m["kc_b"].to_numpy(), key_values)
          >= min_sentence_similarity]
    m = _at_least(m, min_sentences).sort_values(["doc_a", "doc_b", "k_a", "k_b"], kind="stable")

    by_doc = {d: g for d, g in sent.groupby("doc", sort=False)}
    rows = []
    for (da, db), g in m.groupby(["doc_a", "doc_b"], sort=False):
        ka, kb = g["k_a"].to_numpy(), g["k_b"].to_numpy()
        for run in _chains(ka, kb, max_gap=max_gap, min_sentences=min_sentences):
            sa, sb = by_doc[da], by_doc[db]
            first_a, last_a = sa.iloc[ka[run[0]]], sa.iloc[ka[run[-1]]]
            first_b, last_b = sb.iloc[kb[run[0]]], sb.iloc[kb[run[-1]]]
            doc_a, doc_b = doc_values[da], doc_values[db]
            start_a, end_a = int(first_a["start"]), int(last_a["end"])
            start_b, end_b = int(first_b["start"]), int(last_b["end"])
            text_a = str(texts.get(doc_a, ""))[start_a:end_a]
            text_b = str(texts.get(doc_b, ""))[start_b:end_b]
            shared = _align(text_a, text_b)
            similarity = 2 * shared / max(1, len(text_a) + len(text_b))
            if shared < min_chars or similarity < min_similarity:
                continue
            rows.append((doc_a, doc_b, len(run),
                         int(last_a["sent_id"]) - int(first_a["sent_id"]) + 1,
                         int(last_b["sent_id"]) - int(first_b["sent_id"]) + 1,
                         start_a, end_a, start_b, end_b, len(text_a), len(text_b), shared,
                         similarity, text_a, text_b))
    passages = _passages_table(rows, groups, labels)
    pairs = _pairs_table(passages, n_chars)
    if len(pairs):  # passages in the order of the pairs
        order = {p: i for i, p in enumerate(zip(pairs["doc_a"], pairs["doc_b"]))}
        rank = [order[p] for p in zip(passages["doc_a"], passages["doc_b"])]
        passages = (passages.assign(_o=rank).sort_values(["_o", "passage"], kind="stable")
                    .drop(columns="_o").reset_index(drop=True))
    return Reuse(pairs=pairs, passages=passages, repeated=repeated, params=params)


def _passages_table(rows: list[tuple], groups: pd.Series, labels: pd.Series) -> pd.DataFrame:
    cols = ["doc_a", "doc_b", "n_sentences", "sentences_a", "sentences_b", "start_a", "end_a",
            "start_b", "end_b", "chars_a", "chars_b", "shared_chars", "similarity", "text_a",
            "text_b"]
    if not rows:
        return empty_table(PASSAGES, _EMPTY_PASSAGES, default="string")
    p = pd.DataFrame(rows, columns=cols)
    p["passage"] = (p.groupby(["doc_a", "doc_b"], sort=False).cumcount() + 1).astype(_INT)
    for side in ("a", "b"):
        p[f"label_{side}"] = p[f"doc_{side}"].map(labels)
        p[f"group_{side}"] = p[f"doc_{side}"].map(groups)
    for c in ("doc_a", "doc_b", "label_a", "label_b", "group_a", "group_b", "text_a", "text_b"):
        p[c] = p[c].astype("string")
    for c, dtype in _EMPTY_PASSAGES.items():
        p[c] = p[c].astype(dtype)
    return p[PASSAGES]


def _pairs_table(passages: pd.DataFrame, n_chars: pd.Series) -> pd.DataFrame:
    if passages.empty:
        return empty_table(PAIRS, _EMPTY_PAIRS, default="string")
    keys = ["doc_a", "doc_b", "label_a", "label_b", "group_a", "group_b"]
    p = (passages.groupby(keys, sort=False, dropna=False)
         .agg(shared_passages=("passage", "size"), shared_sentences=("n_sentences", "sum"),
              shared_chars=("shared_chars", "sum"), chars_a=("chars_a", "sum"),
              chars_b=("chars_b", "sum"))
         .reset_index())
    p["n_chars_a"] = p["doc_a"].astype(str).map(n_chars).fillna(0).astype(_INT)
    p["n_chars_b"] = p["doc_b"].astype(str).map(n_chars).fillna(0).astype(_INT)
    p["share_a"] = (p["chars_a"] / p["n_chars_a"].where(p["n_chars_a"] > 0)).clip(upper=1.0)
    p["share_b"] = (p["chars_b"] / p["n_chars_b"].where(p["n_chars_b"] > 0)).clip(upper=1.0)
    p["similarity"] = 2 * p["shared_chars"] / (p["chars_a"] + p["chars_b"]).where(
        (p["chars_a"] + p["chars_b"]) > 0)
    p = p.sort_values(["shared_chars", "doc_a", "doc_b"], ascending=[False, True, True],
                      kind="stable").reset_index(drop=True)
    for c, dtype in _EMPTY_PAIRS.items():
        p[c] = p[c].astype(dtype)
    return p[PAIRS]


def _matches(keys: list[str], patterns: tuple[str, ...]) -> np.ndarray:
    """Which keys one of the formula patterns is found in."""
    if not patterns or not keys:
        return np.zeros(len(keys), dtype=bool)
    combined = re.compile("|".join(f"(?:{p})" for p in patterns))
    return np.fromiter((combined.search(k) is not None for k in keys), dtype=bool,
                       count=len(keys))


def _repeated(sent: pd.DataFrame, fam_docs: pd.Series, groups: pd.Series, labels: pd.Series, *,
              template_docs: int, formula_families: pd.Index, min_repeat_docs: int,
              total_docs: int) -> pd.DataFrame:
    fams = fam_docs.index[fam_docs >= min_repeat_docs]
    if len(fams) == 0:
        return empty_table(REPEATED, {"family": _INT, "n_docs": _INT, "n_groups": _INT,
                                      "n_uses": _INT, "n_variants": _INT, "chars": _INT,
                                      "template": "bool", "formula": "bool",
                                      "total_docs": _INT},
                           default="string")
    s = sent.loc[sent["family"].isin(fams), ["family", "doc_id", "text"]].copy()
    s["group"] = s["doc_id"].map(groups)
    wording = (s.groupby(["family", "text"], sort=False).size().rename("n").reset_index()
               .sort_values(["family", "n", "text"], ascending=[True, False, True],
                            kind="stable")
               .drop_duplicates("family").set_index("family")["text"])
    g = s.groupby("family", sort=True)
    out = pd.DataFrame({
        "n_docs": g["doc_id"].nunique(), "n_groups": g["group"].nunique(),
        "n_uses": g.size(), "n_variants": g["text"].nunique(),
    })
    out["text"] = wording.reindex(out.index)
    out["chars"] = out["text"].str.len()
    out["formula"] = out.index.isin(formula_families)
    out["template"] = (out["n_docs"] >= template_docs) | out["formula"]
    out["total_docs"] = total_docs
    first = s.drop_duplicates(["family", "doc_id"]).groupby("family", sort=False).head(5)
    first_docs = (first["doc_id"].map(labels).fillna(first["doc_id"]).astype(str)
                  .groupby(first["family"]).agg("、".join))
    out["examples"] = first_docs.reindex(out.index)
    out = out.reset_index().rename(columns={"index": "family"})
    out = out.sort_values(["n_docs", "n_uses", "family"], ascending=[False, False, True],
                          kind="stable").reset_index(drop=True)
    for c in ("family", "n_docs", "n_groups", "n_uses", "n_variants", "chars", "total_docs"):
        out[c] = out[c].astype(_INT)
    out["template"] = out["template"].astype(bool)
    out["formula"] = out["formula"].astype(bool)
    for c in ("text", "examples"):
        out[c] = out[c].astype("string")
    return out[REPEATED]


# ---------------------------------------------------------------------------- views

def reuse_matrix(passages: pd.DataFrame, documents: pd.DataFrame, *,
                 by: str = "doc_id") -> pd.DataFrame:
    """How much of each group's text it shares with each group (which groups borrow from which).

    Parameters
    ----------
    passages : DataFrame
        :attr:`Reuse.passages` (``doc_a``, ``doc_b``, ``start_a``, ``end_a``, ``start_b``,
        ``end_b``).
    documents : DataFrame
        The documents table (``doc_id``, the ``by`` column; ``n_chars`` or ``text``).
    by : str, default "doc_id"
        The grouping column; need not be the one :func:`find_reuse` was called with.

    Returns
    -------
    DataFrame
        :data:`MATRIX`: one row per (group, other) with shared text — ``share`` is the part
        of ``group``'s characters that lie in passages shared with documents of ``other``
        (the row reads "x % of this group's text is also in that group's"). Not symmetric: a
        short report copying a long one has a large share, the long one a small one. Pairs
        within a group give ``other == group``. Sorted by the groups' total shared
        characters (most first), then by share.
    """
    from tifa.analyze.measures import group_sizes

    if passages.empty:
        return empty_table(MATRIX, {"pairs": _INT, "shared_chars": _INT, "n_docs": _INT,
                                    "n_chars": _INT, "share": "float64"}, default="string")
    groups = group_of(documents, by)
    sides = pd.concat([
        pd.DataFrame({"doc": passages["doc_a"].astype(str), "other_doc": passages["doc_b"].astype(str),
                      "start": passages["start_a"], "end": passages["end_a"]}),
        pd.DataFrame({"doc": passages["doc_b"].astype(str), "other_doc": passages["doc_a"].astype(str),
                      "start": passages["start_b"], "end": passages["end_b"]}),
    ], ignore_index=True)
    sides["group"] = sides["doc"].map(groups).astype(str)
    sides["other"] = sides["other_doc"].map(groups).astype(str)
    covered = []
    for (doc, other), g in sides.groupby(["doc", "other"], sort=False):
        total, cur_s, cur_e = 0, None, None
        for s, e in sorted(zip(g["start"].tolist(), g["end"].tolist())):
            if cur_e is None or s > cur_e:
                if cur_e is not None:
                    total += cur_e - cur_s
                cur_s, cur_e = s, e
            else:
                cur_e = max(cur_e, e)
        total += cur_e - cur_s
        covered.append((doc, g["group"].iloc[0], other, total,
                        g["other_doc"].nunique()))
    c = pd.DataFrame(covered, columns=["doc", "group", "other", "shared_chars", "pairs"])
    out = c.groupby(["group", "other"], sort=False).agg(
        shared_chars=("shared_chars", "sum"), pairs=("pairs", "sum")).reset_index()
    sizes = group_sizes(documents, by)
    out["n_docs"] = out["group"].map(sizes["n_docs"]).fillna(0).astype(_INT)
    out["n_chars"] = out["group"].map(sizes["n_chars"]).fillna(0).astype(_INT)
    out["share"] = out["shared_chars"] / out["n_chars"].where(out["n_chars"] > 0)
    total = out.groupby("group")["shared_chars"].transform("sum")
    out = (out.assign(_t=total).sort_values(["_t", "group", "share", "other"],
                                            ascending=[False, True, False, True], kind="stable")
           .drop(columns="_t").reset_index(drop=True))
    for col in ("pairs", "shared_chars"):
        out[col] = out[col].astype(_INT)
    for col in ("group", "other"):
        out[col] = out[col].astype("string")
    return out[MATRIX]


def pair_passages(reuse: Reuse | pd.DataFrame, doc_a: str | None = None,
                  doc_b: str | None = None) -> pd.DataFrame:
    """The passages of one pair of documents (default: the pair sharing the most).

    Parameters
    ----------
    reuse : Reuse or DataFrame
        :func:`find_reuse` output, or its ``passages`` table.
    doc_a, doc_b : str or None, default None
        The two documents, in either order; None: the first pair of the table.

    Returns
    -------
    DataFrame
        Rows of :data:`PASSAGES`; empty when the pair shares nothing.
    """
    passages = reuse.passages if isinstance(reuse, Reuse) else reuse
    if passages.empty:
        return passages
    if doc_a is None or doc_b is None:
        doc_a, doc_b = str(passages["doc_a"].iloc[0]), str(passages["doc_b"].iloc[0])
    a, b = sorted([str(doc_a), str(doc_b)])
    sel = (passages["doc_a"].astype(str) == a) & (passages["doc_b"].astype(str) == b)
    return passages[sel].reset_index(drop=True)


def _sentence_pieces(text: str) -> list[str]:
    """The text cut at the start of each sentence; the pieces join back to the text."""
    starts = [off for off, _ in split_sentences(text)]
    cuts = sorted(set([0] + starts[1:])) + [len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def _pair_sentences(sa: list[str], sb: list[str], *, floor: float = 0.5) -> list[tuple]:
    """Sentences of two passages aligned in order (most total similarity; pairs below
    ``floor`` never match): ``(i, j)`` with None on the side a sentence is missing from."""
    ka, kb = [normalize(x) for x in sa], [normalize(x) for x in sb]
    sim = np.zeros((len(sa), len(sb)))
    for i, a in enumerate(ka):
        for j, b in enumerate(kb):
            r = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a and b else 0.0
            sim[i, j] = r if r >= floor else -np.inf
    best = np.zeros((len(sa) + 1, len(sb) + 1))
    for i in range(len(sa) - 1, -1, -1):
        for j in range(len(sb) - 1, -1, -1):
            best[i, j] = max(best[i + 1, j], best[i, j + 1], sim[i, j] + best[i + 1, j + 1])
    out, i, j = [], 0, 0
    while i < len(sa) or j < len(sb):
        if i < len(sa) and j < len(sb) and np.isfinite(sim[i, j]) and \
                best[i, j] == sim[i, j] + best[i + 1, j + 1]:
            out.append((i, j))
            i, j = i + 1, j + 1
        elif i < len(sa) and (j == len(sb) or best[i, j] == best[i + 1, j]):
            out.append((i, None))
            i += 1
        else:
            out.append((None, j))
            j += 1
    return out


def _diff_texts(text_a: str, text_b: str) -> list[tuple[str, str, str]]:
    """``(op, a, b)`` stretches: sentences aligned first, then each pair piece by piece."""
    sa, sb = _sentence_pieces(text_a), _sentence_pieces(text_b)
    out: list[tuple[str, str, str]] = []
    for i, j in _pair_sentences(sa, sb):
        if j is None:
            out.append(("delete", sa[i], ""))
        elif i is None:
            out.append(("insert", "", sb[j]))
        else:
            a, b = _PIECE.findall(sa[i]), _PIECE.findall(sb[j])
            for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, a, b,
                                                              autojunk=False).get_opcodes():
                out.append((op, "".join(a[a0:a1]), "".join(b[b0:b1])))
    merged: list[tuple[str, str, str]] = []  # neighbours of one kind become one stretch
    for op, a, b in out:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + a, merged[-1][2] + b)
        else:
            merged.append((op, a, b))
    return merged


def passage_diff(passages: pd.DataFrame) -> pd.DataFrame:
    """The differences inside shared passages, stretch by stretch, for side-by-side display.

    Parameters
    ----------
    passages : DataFrame
        Rows of :data:`PASSAGES` (e.g. :func:`pair_passages`).

    Returns
    -------
    DataFrame
        :data:`DIFF`: for each passage, its stretches in reading order — ``equal`` in both,
        ``replace`` (a number changed), ``delete`` (only in ``text_a``: a dropped sentence, a
        removed 的) or ``insert`` (only in ``text_b``). The sentences of the two sides are
        aligned first (in order, by the similarity of their keys), so a dropped sentence is
        one ``delete``; then each pair of aligned sentences is compared piece by piece
        (difflib), a number (``1.8``, ``55%``) being one piece, so a changed number is
        replaced whole, not digit by digit. The stretches of each side join back to its text.
    """
    rows = []
    for p in passages.itertuples(index=False):
        segments = _diff_texts(str(p.text_a), str(p.text_b))
        rows += [(str(p.doc_a), str(p.doc_b), int(p.passage), i, op, a, b)
                 for i, (op, a, b) in enumerate(segments)]
    if not rows:
        return empty_table(DIFF, {"passage": _INT, "segment": _INT}, default="string")
    out = pd.DataFrame(rows, columns=DIFF)
    for c in ("doc_a", "doc_b", "op", "text_a", "text_b"):
        out[c] = out[c].astype("string")
    return out
