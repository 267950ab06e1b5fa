"""Counts and rates of terms, n-grams and collocations per document or group; document-term
matrices.

A term's rate is given per 10,000 tokens of its group. The denominator (``total``) is every
token the group has after punctuation and bare numbers are dropped — *before* the stopword and
boilerplate filters — so rates do not move when an analyst switches a filter list, and
``per_10k = count / total * 10_000`` can be recomputed from the table.

Everything here works on the tidy tokens table (:data:`tifa.schemas.TOKENS`) with vectorised
pandas/numpy and scipy sparse matrices; nothing loops over tokens in Python, so the same calls
serve two reports and five thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import sparse

from tifa.tokenize import Lexicon, filter_tokens
from tifa.tokenize.dask import map_tokens
from tifa.analyze.groups import MISSING_GROUP, group_of
from tifa.analyze.measures import g2_p_value, largest_groups as _largest, rank_within, rate

#: Group label used when ``by=None`` pools the whole corpus.
ALL_GROUP = "全部"

#: Columns of :func:`term_frequencies` (and of ``tables/keywords.csv``), in order.
KEYWORD_COLUMNS = ["term", "group", "count", "per_10k", "rank", "total"]

#: Units a document-term matrix can have as rows (see :func:`document_term_matrix`).
UNITS = {
    "document": ["doc_id"],
    "section": ["doc_id", "section_id"],
    "paragraph": ["doc_id", "para_id"],
    "sentence": ["doc_id", "sent_id"],
}


# ---------------------------------------------------------------------------- helpers

def _keep_mask(tokens: pd.DataFrame, *, stop: bool, boilerplate: bool, min_chars: int,
               pos: tuple[str, ...] | None) -> np.ndarray:
    """Boolean array: which rows :func:`tifa.tokenize.filter_tokens` keeps (same rules)."""
    cols = [c for c in ("doc_id", "token", "pos", "stop", "boilerplate") if c in tokens.columns]
    probe = tokens[cols].reset_index(drop=True)
    probe["_row"] = np.arange(len(probe))
    kept = filter_tokens(probe, stop=stop, boilerplate=boilerplate, min_chars=min_chars, pos=pos)
    mask = np.zeros(len(probe), dtype=bool)
    mask[kept["_row"].to_numpy()] = True
    return mask


def _groups(tokens: pd.DataFrame, documents: pd.DataFrame | None, by: str | None) -> np.ndarray:
    """Group label of every token row (``by=None``: :data:`ALL_GROUP` for all)."""
    if by is None:
        return np.full(len(tokens), ALL_GROUP, dtype=object)
    if documents is None:
        if by != "doc_id":
            raise ValueError(f"grouping by {by!r} needs the documents table")
        return tokens["doc_id"].astype(str).to_numpy(dtype=object)
    mapping = group_of(documents, by)
    codes, uniques = pd.factorize(tokens["doc_id"].astype(str))
    labels = pd.Series(uniques).map(mapping).fillna(MISSING_GROUP).to_numpy(dtype=object)
    return labels[codes] if len(codes) else np.array([], dtype=object)


def _reading_order(tokens: pd.DataFrame) -> pd.DataFrame:
    """Tokens sorted by document (first appearance) and position, if they are not already."""
    if tokens.empty:
        return tokens.reset_index(drop=True)
    d = pd.factorize(tokens["doc_id"].astype(str))[0]
    p = tokens["position"].to_numpy()
    dd, dp = np.diff(d), np.diff(p)
    if np.any(dd < 0) or np.any((dd == 0) & (dp < 0)):
        tokens = tokens.iloc[np.lexsort((p, d))]
    return tokens.reset_index(drop=True)


def group_totals(tokens: pd.DataFrame, documents: pd.DataFrame | None = None, *,
                 by: str | None = "doc_id") -> pd.Series:
    """Tokens per group: the denominator of every rate in tifa.

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table (punctuation and bare numbers already dropped by the tokenizer).
    documents : DataFrame or None, default None
        The documents table (needed unless ``by`` is ``"doc_id"`` or None).
    by : str or None, default "doc_id"
        Grouping column of ``documents``; None pools the corpus into :data:`ALL_GROUP`.

    Returns
    -------
    Series
        int64 token counts indexed by group label, name ``total``.
    """
    g = _groups(tokens, documents, by)
    return pd.Series(g).value_counts(sort=False).sort_index().astype("int64").rename("total")


def filter_note(*, stop: bool = True, boilerplate: bool = True, min_chars: int = 2,
                pos: tuple[str, ...] | None = None) -> str:
    """A short Chinese phrase saying which token filters were applied, for chart subtitles.

    Parameters
    ----------
    stop : bool, default True
        Stopwords dropped.
    boilerplate : bool, default True
        Report boilerplate dropped.
    min_chars : int, default 2
        Shortest token kept (2 means single characters are dropped).
    pos : tuple of str or None, default None
        Part-of-speech prefixes kept.

    Returns
    -------
    str
        E.g. ``"已去除停用词、单字词和公文套话"``; ``"未过滤（含停用词）"`` when nothing is dropped.
    """
    dropped = []
    if stop:
        dropped.append("停用词")
    if min_chars == 2:
        dropped.append("单字词")
    elif min_chars > 2:
        dropped.append(f"少于 {min_chars} 字的词")
    if boilerplate:
        dropped.append("公文套话")
    note = ("已去除" + "、".join(dropped[:-1]) + ("和" if len(dropped) > 1 else "") + dropped[-1]
            if dropped else "未过滤（含停用词）")
    if pos:
        note += "；仅保留词性 " + "/".join(pos)
    return note


# ---------------------------------------------------------------------------- word counts

def term_frequencies(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
                     stop: bool = True, boilerplate: bool = True, min_chars: int = 2,
                     pos: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Term counts, rates and ranks per group (the table ``tables/keywords.csv``).

    ``per_10k = count / total * 10_000``, where ``total`` is every token of the group before
    the stopword / boilerplate / length / part-of-speech filters (see the module notes).

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table (schemas.TOKENS).
    documents : DataFrame
        The documents table, for the grouping column.
    by : str, default "doc_id"
        Grouping column of ``documents``.
    stop : bool, default True
        Drop general Chinese stopwords.
    boilerplate : bool, default True
        Drop report boilerplate (工作, 开展, 加强 ...), see ``data/boilerplate.txt``.
    min_chars : int, default 2
        Drop tokens shorter than this (single characters are mostly function words or fragments).
    pos : tuple of str or None, default None
        Keep only these part-of-speech prefixes (e.g. ``("n", "v")``); None keeps all.

    Returns
    -------
    DataFrame
        Columns ``term, group, count, per_10k, rank, total`` (:data:`KEYWORD_COLUMNS`); ``rank``
        is 1 for the most frequent term of each group (ties broken by term); rows sorted by
        group then rank. Groups whose tokens are all filtered out have no rows.
    """
    groups = _groups(tokens, documents, by)
    totals = pd.Series(groups).value_counts(sort=False).rename("total")
    keep = _keep_mask(tokens, stop=stop, boilerplate=boilerplate, min_chars=min_chars, pos=pos)
    kept = pd.DataFrame({"group": groups[keep],
                         "term": tokens["token"].astype(str).to_numpy(dtype=object)[keep]})
    counts = kept.groupby(["group", "term"], sort=False).size().rename("count").reset_index()
    counts = counts.join(totals, on="group")
    counts["count"] = counts["count"].astype("int64")
    counts["total"] = counts["total"].astype("int64")
    counts["per_10k"] = rate(counts["count"], counts["total"])
    counts = rank_within(counts, "count")
    for col in ("term", "group"):
        counts[col] = counts[col].astype("string")
    return counts[KEYWORD_COLUMNS]


def top_terms(freq: pd.DataFrame, *, n: int = 20) -> pd.DataFrame:
    """The ``n`` highest-ranked terms of each group of a :func:`term_frequencies` table.

    Parameters
    ----------
    freq : DataFrame
        A table with ``group`` and ``rank`` columns (:func:`term_frequencies`, :func:`ngrams`).
    n : int, default 20
        Terms kept per group.

    Returns
    -------
    DataFrame
        The rows with ``rank <= n``, in the table's order.
    """
    return freq[freq["rank"] <= n].reset_index(drop=True)


def largest_groups(freq: pd.DataFrame, *, n: int = 12) -> list[str]:
    """The ``n`` groups with the most tokens (``total``), for charts that cannot show them all.

    Parameters
    ----------
    freq : DataFrame
        A :func:`term_frequencies` table (``group`` and ``total`` columns).
    n : int, default 12
        Groups returned.

    Returns
    -------
    list of str
        Group labels, largest first (ties by label).
    """
    return _largest(freq.drop_duplicates("group").set_index("group")["total"], n=n)


def compare_top(freq: pd.DataFrame, *, n: int = 10, groups: list[str] | None = None,
                value: str = "per_10k") -> pd.DataFrame:
    """The union of each group's top-``n`` terms, with every group's count for each of them.

    A term in group A's top list that group B never uses gets a row for B with count 0, so a
    chart can put all groups on one shared term axis.

    Parameters
    ----------
    freq : DataFrame
        A :func:`term_frequencies` table.
    n : int, default 10
        Top terms taken from each group.
    groups : list of str or None, default None
        Groups to include (e.g. :func:`largest_groups`); None includes all.
    value : str, default "per_10k"
        Column that orders the terms (by its mean over the groups, largest first).

    Returns
    -------
    DataFrame
        Columns ``term, group, count, per_10k, rank, total, in_top, order``: one row per term and
        group; ``rank`` is the term's rank in that group (missing when the group never uses it),
        ``in_top`` says whether it is among that group's top ``n``, ``order`` is the term's
        position on the shared axis (0 first).
    """
    if groups is not None:
        freq = freq[freq["group"].isin([str(g) for g in groups])]
    terms = pd.unique(freq.loc[freq["rank"] <= n, "term"])
    totals = freq.drop_duplicates("group").set_index("group")["total"]
    grid = pd.MultiIndex.from_product([pd.Index(terms, name="term"), totals.index],
                                      names=["term", "group"]).to_frame(index=False)
    sub = freq[freq["term"].isin(terms)][["term", "group", "count", "per_10k", "rank"]]
    out = grid.merge(sub, on=["term", "group"], how="left")
    out["count"] = out["count"].fillna(0).astype("int64")
    out["per_10k"] = out["per_10k"].fillna(0.0).astype("float64")
    out["rank"] = out["rank"].astype("Int64")
    out["total"] = out["group"].map(totals).astype("int64")
    out["in_top"] = (out["rank"] <= n).fillna(False).astype(bool)
    mean = out.groupby("term", sort=False)[value].mean().sort_values(ascending=False,
                                                                     kind="stable")
    out["order"] = out["term"].map(pd.Series(np.arange(len(mean)), index=mean.index)).astype("int64")
    out = out.sort_values(["order", "group"], kind="stable").reset_index(drop=True)
    for col in ("term", "group"):
        out[col] = out[col].astype("string")
    return out[["term", "group", "count", "per_10k", "rank", "total", "in_top", "order"]]


# ---------------------------------------------------------------------------- n-grams

def ngrams(tokens: pd.DataFrame, documents: pd.DataFrame, *, n: int = 2, by: str = "doc_id",
           stop: bool = True, boilerplate: bool = True, min_chars: int = 1, sep: str = "",
           min_count: int = 1) -> pd.DataFrame:
    """Counts of runs of ``n`` consecutive tokens (bigrams, trigrams ...) per group.

    N-grams are formed from the tokens as they stand in each sentence (all tokens, filters
    not yet applied), never across sentences. Then the filters drop an n-gram when

    * ``stop``: its first or last token is a stopword (的 …, … 的) — textacy's rule;
    * ``boilerplate``: *every* token is boilerplate or a stopword (加强 开展); boilerplate inside a
      phrase (加强 组织 领导) is part of the formulation and is kept;
    * ``min_chars``: its first or last token is shorter than this.

    Rates use the same denominator as :func:`term_frequencies` (the group's tokens), so an
    n-gram's ``per_10k`` is its occurrences per 10,000 tokens.

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table (needs ``doc_id, sent_id, position, token, stop, boilerplate``).
    documents : DataFrame
        The documents table, for the grouping column.
    n : int, default 2
        Tokens per n-gram (2 bigrams, 3 trigrams ...).
    by : str, default "doc_id"
        Grouping column of ``documents``.
    stop : bool, default True
        Drop n-grams that begin or end with a stopword.
    boilerplate : bool, default True
        Drop n-grams made only of boilerplate and stopwords.
    min_chars : int, default 1
        Drop n-grams whose first or last token has fewer characters.
    sep : str, default ""
        Joins the tokens into the ``term`` (``""`` gives 法治政府, searchable with
        :func:`tifa.analyze.kwic.kwic`; ``" "`` shows the cut: 法治 政府).
    min_count : int, default 1
        Keep n-grams seen at least this often in their group.

    Returns
    -------
    DataFrame
        Columns ``term, group, count, per_10k, rank, total, n, tokens`` (``tokens``: the parts
        joined by a space), sorted by group then rank.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    t = _reading_order(tokens)
    groups = _groups(t, documents, by)
    totals = pd.Series(groups).value_counts(sort=False).rename("total")
    m = len(t) - n + 1
    if m <= 0:
        return _empty_freq(extra={"n": "int64", "tokens": "string"})
    words = t["token"].astype(str)
    codes, vocab = pd.factorize(words)
    doc = pd.factorize(t["doc_id"].astype(str))[0]
    sent = t["sent_id"].to_numpy() if "sent_id" in t.columns else np.zeros(len(t), dtype=np.int64)
    is_stop = t["stop"].to_numpy(dtype=bool) if "stop" in t.columns else np.zeros(len(t), bool)
    is_boiler = (t["boilerplate"].to_numpy(dtype=bool) if "boilerplate" in t.columns
                 else np.zeros(len(t), bool))
    short = words.str.len().to_numpy() < min_chars

    valid = np.ones(m, dtype=bool)
    for k in range(1, n):
        valid &= (doc[k:k + m] == doc[:m]) & (sent[k:k + m] == sent[:m])
    if stop:
        valid &= ~is_stop[:m] & ~is_stop[n - 1:n - 1 + m]
    if boilerplate:
        dull = np.ones(m, dtype=bool)
        for k in range(n):
            dull &= (is_boiler | is_stop)[k:k + m]
        valid &= ~dull
    valid &= ~short[:m] & ~short[n - 1:n - 1 + m]
    idx = np.flatnonzero(valid)

    # n-gram ids by repeated factorisation of (previous id, next token code): no strings yet
    gram = codes[idx].astype(np.int64)
    width = np.int64(len(vocab) + 1)
    for k in range(1, n):
        gram = pd.factorize(gram * width + codes[idx + k])[0].astype(np.int64)
    group_codes, group_labels = pd.factorize(pd.Series(groups[idx], dtype=object))
    counted = pd.DataFrame({"g": group_codes, "gram": gram}).value_counts(sort=False)
    counted = counted[counted >= min_count]
    if counted.empty:
        return _empty_freq(extra={"n": "int64", "tokens": "string"})
    keys = counted.index.to_frame(index=False)
    # first occurrence of each n-gram id gives its tokens
    first = pd.Series(np.arange(len(gram))).groupby(gram).first()
    where = idx[first.reindex(keys["gram"]).to_numpy()]
    parts = [pd.Series(vocab[codes[where + k]], dtype="string") for k in range(n)]
    term = parts[0]
    spaced = parts[0]
    for p in parts[1:]:
        term = term + sep + p
        spaced = spaced + " " + p
    out = pd.DataFrame({
        "term": term.to_numpy(),
        "group": np.asarray(group_labels, dtype=object)[keys["g"].to_numpy()],
        "count": counted.to_numpy().astype("int64"),
        "tokens": spaced.to_numpy(),
    })
    if sep != " " and out.duplicated(["group", "term"]).any():
        # different cuts giving the same string (法治+政府 / 法+治政府) are one term
        out = (out.groupby(["group", "term"], sort=False)
               .agg(count=("count", "sum"), tokens=("tokens", "first")).reset_index())
    out["total"] = out["group"].map(totals).astype("int64")
    out["per_10k"] = rate(out["count"], out["total"])
    out["n"] = np.int64(n)
    out = rank_within(out, "count")
    for col in ("term", "group", "tokens"):
        out[col] = out[col].astype("string")
    return out[KEYWORD_COLUMNS + ["n", "tokens"]]


def _empty_freq(extra: dict | None = None) -> pd.DataFrame:
    cols = {"term": "string", "group": "string", "count": "int64", "per_10k": "float64",
            "rank": "int64", "total": "int64"}
    cols.update(extra or {})
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in cols.items()})


# ---------------------------------------------------------------------------- collocations

#: Association measures of :func:`collocations` (column names), for ``sort=``.
MEASURES = ("g2", "mi", "t_score", "log_dice", "count")


def collocations(tokens: pd.DataFrame, term: str | list[str], *,
                 documents: pd.DataFrame | None = None, by: str | None = "doc_id",
                 window: int = 5, within: str = "sentence", sort: str = "g2",
                 min_count: int = 2, stop: bool = True, boilerplate: bool = True,
                 min_chars: int = 2, pos: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Words that occur near a node term more often than chance (window collocations).

    Around every occurrence of the node, the ``window`` tokens to the left and to the right
    (within the same sentence by default) form its span; a token position in two overlapping
    spans is counted once, and node tokens are not part of any span. For each candidate
    collocate *c* in a group:

    ====================  =====================================================================
    ``count`` = O11       occurrences of *c* inside the node's spans
    ``span_tokens`` = W   tokens inside the spans (all words, stopwords included)
    ``collocate_total``   f_c, occurrences of *c* in the group
    ``node_count``        f_n, occurrences of the node in the group
    ``total`` = N         tokens of the group
    ====================  =====================================================================

    The 2×2 table: O11 = count, O12 = W − O11, O21 = f_c − O11,
    O22 = (N − f_n) − W − O21; expected E_ij = row_i × col_j / (N − f_n). Then

    * ``g2`` = 2 Σ O_ij ln(O_ij / E_ij) (Dunning's log-likelihood; cells with O_ij = 0 add 0),
      signed: negative when O11 < E11; ``p`` from χ² with 1 degree of freedom;
    * ``mi`` = log2(O11 / E11) (pointwise mutual information; favours rare pairs);
    * ``t_score`` = (O11 − E11) / √O11 (favours frequent pairs);
    * ``log_dice`` = 14 + log2(2·O11 / (f_n + f_c)) (Rychlý 2008; comparable across corpora).

    Windows count every token (so the distance is real), but collocates that the filters
    (``stop``, ``boilerplate``, ``min_chars``, ``pos``) would drop are left out of the result.

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table.
    term : str or list of str
        The node: a token (or several tokens treated as one node), as segmented by jieba.
    documents : DataFrame or None, default None
        The documents table (needed to group by a metadata column).
    by : str or None, default "doc_id"
        Grouping column; None pools the whole corpus (group :data:`ALL_GROUP`).
    window : int, default 5
        Tokens on each side of the node.
    within : {"sentence", "paragraph", "document"}, default "sentence"
        Spans do not cross this unit.
    sort : str, default "g2"
        Column to sort by within each group (one of :data:`MEASURES`), descending.
    min_count : int, default 2
        Keep collocates seen at least this often near the node.
    stop, boilerplate : bool, default True
        Leave stopwords / boilerplate out of the collocates.
    min_chars : int, default 2
        Leave shorter collocates out.
    pos : tuple of str or None, default None
        Keep only collocates with these part-of-speech prefixes.

    Returns
    -------
    DataFrame
        Columns ``term, collocate, group, count, expected, span_tokens, collocate_total,
        node_count, total, g2, p, mi, t_score, log_dice, rank`` sorted by group then ``sort``.
    """
    if sort not in MEASURES:
        raise ValueError(f"sort must be one of {MEASURES}, got {sort!r}")
    unit_col = {"sentence": "sent_id", "paragraph": "para_id", "document": None}
    if within not in unit_col:
        raise ValueError(f"within must be one of {list(unit_col)}, got {within!r}")
    nodes_terms = [term] if isinstance(term, str) else list(term)
    node_label = term if isinstance(term, str) else "|".join(nodes_terms)
    t = _reading_order(tokens)
    n_tok = len(t)
    if n_tok == 0:
        return _empty_colloc()
    groups = _groups(t, documents, by)
    gcodes, glabels = pd.factorize(pd.Series(groups, dtype=object))
    doc = pd.factorize(t["doc_id"].astype(str))[0].astype(np.int64)
    unit = doc.copy()
    if unit_col[within] is not None:
        unit = pd.factorize(pd.Series(doc) * (int(t[unit_col[within]].max()) + 1)
                            + t[unit_col[within]].to_numpy())[0]
    words = t["token"].astype(str)
    is_node = words.isin(nodes_terms).to_numpy()
    node_idx = np.flatnonzero(is_node)
    if len(node_idx) == 0:
        return _empty_colloc()
    offs = np.r_[np.arange(-window, 0), np.arange(1, window + 1)]
    cand = (node_idx[:, None] + offs[None, :]).ravel()
    src = np.repeat(node_idx, len(offs))
    ok = (cand >= 0) & (cand < n_tok)
    cand, src = cand[ok], src[ok]
    ok = (unit[cand] == unit[src]) & ~is_node[cand]
    span = np.unique(cand[ok])

    codes, vocab = pd.factorize(words)
    # per group: N, f_n, W; per (group, word): f_c and O11
    n_groups = len(glabels)
    N = np.bincount(gcodes, minlength=n_groups).astype(float)
    f_n = np.bincount(gcodes[node_idx], minlength=n_groups).astype(float)
    W = np.bincount(gcodes[span], minlength=n_groups).astype(float)
    o11 = pd.DataFrame({"g": gcodes[span], "w": codes[span]}).value_counts(sort=False)
    o11 = o11[o11 >= min_count]
    if o11.empty:
        return _empty_colloc()
    keys = o11.index.to_frame(index=False)
    fc_all = pd.DataFrame({"g": gcodes, "w": codes}).value_counts(sort=False)
    g = keys["g"].to_numpy()
    w = keys["w"].to_numpy()
    fc = fc_all.reindex(pd.MultiIndex.from_arrays([g, w], names=["g", "w"])).to_numpy(dtype=float)
    O11 = o11.to_numpy(dtype=float)
    Nn = N[g] - f_n[g]
    O12 = W[g] - O11
    O21 = fc - O11
    O22 = Nn - W[g] - O21
    R1, R2 = O11 + O12, O21 + O22
    C1, C2 = O11 + O21, O12 + O22
    E = [R1 * C1 / Nn, R1 * C2 / Nn, R2 * C1 / Nn, R2 * C2 / Nn]
    O = [O11, O12, O21, O22]
    g2 = 2 * sum(_xlogy_ratio(o, e) for o, e in zip(O, E))
    g2 = np.where(O11 < E[0], -g2, g2)
    out = pd.DataFrame({
        "term": node_label,
        "collocate": vocab[w],
        "group": np.asarray(glabels, dtype=object)[g],
        "count": O11.astype("int64"),
        "expected": E[0],
        "span_tokens": W[g].astype("int64"),
        "collocate_total": fc.astype("int64"),
        "node_count": f_n[g].astype("int64"),
        "total": N[g].astype("int64"),
        "g2": g2,
        "p": g2_p_value(g2),
        "mi": np.log2(O11 / E[0]),
        "t_score": (O11 - E[0]) / np.sqrt(O11),
        "log_dice": 14 + np.log2(2 * O11 / (f_n[g] + fc)),
    })
    # filters on the collocate (same rules as the token filters), by vocabulary entry
    first_row = pd.Series(np.arange(n_tok)).groupby(codes).first().to_numpy()
    keep_vocab = _keep_mask(t.iloc[first_row], stop=stop, boilerplate=boilerplate,
                            min_chars=min_chars, pos=None)
    keep = keep_vocab[w]
    if pos is not None:
        pos_ok = pd.DataFrame({"w": codes, "pos": t["pos"].astype(str)})
        pos_ok = pos_ok[pos_ok["pos"].str.startswith(tuple(pos))]["w"].unique()
        keep &= np.isin(w, pos_ok)
    out = out[keep]
    out = rank_within(out, sort, tiebreak="collocate")
    for col in ("term", "collocate", "group"):
        out[col] = out[col].astype("string")
    return out.reset_index(drop=True)


def _xlogy_ratio(o: np.ndarray, e: np.ndarray) -> np.ndarray:
    """o * ln(o / e), with 0 where o == 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(o > 0, o * np.log(np.where(o > 0, o, 1) / np.where(e > 0, e, 1)), 0.0)


def _empty_colloc() -> pd.DataFrame:
    cols = {"term": "string", "collocate": "string", "group": "string", "count": "int64",
            "expected": "float64", "span_tokens": "int64", "collocate_total": "int64",
            "node_count": "int64", "total": "int64", "g2": "float64", "p": "float64",
            "mi": "float64", "t_score": "float64", "log_dice": "float64", "rank": "int64"}
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in cols.items()})


# ---------------------------------------------------------------------------- matrices

@dataclass
class DocumentTermMatrix:
    """A sparse count matrix with its row and column labels.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        int64 counts, one row per unit, one column per term.
    rows : DataFrame
        One row per matrix row: the unit's key columns (``doc_id`` and ``section_id`` /
        ``para_id`` / ``sent_id``; or ``group`` alone when the unit is the group), its
        ``group``, ``n_tokens`` (tokens counted in the matrix, after the filters) and ``total``
        (all its tokens, the rate denominator).
    terms : Index
        The terms, one per column.
    """

    matrix: sparse.csr_matrix
    rows: pd.DataFrame
    terms: pd.Index

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a dense DataFrame — for small matrices only.

        Returns
        -------
        DataFrame
            Terms as columns; rows labelled by the group (``unit="group"``) or by the unit key
            joined with ``/`` (e.g. ``doc_id/para_id``).
        """
        index = self.rows["group"] if "doc_id" not in self.rows else \
            self.rows.drop(columns=["group", "n_tokens", "total"]).astype(str).agg("/".join, axis=1)
        return pd.DataFrame(self.matrix.toarray(), index=index.to_numpy(), columns=self.terms)


def document_term_matrix(tokens: pd.DataFrame, documents: pd.DataFrame | None = None, *,
                         unit: str = "document", by: str | None = "doc_id", stop: bool = True,
                         boilerplate: bool = True, min_chars: int = 2,
                         pos: tuple[str, ...] | None = None, min_count: int = 1,
                         vocabulary: list[str] | pd.Index | None = None) -> DocumentTermMatrix:
    """Count matrix of units × terms from the tidy tokens (no second tokenisation).

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table.
    documents : DataFrame or None, default None
        The documents table, for the ``group`` of each row (needed unless ``by`` is
        ``"doc_id"`` or None).
    unit : {"document", "section", "paragraph", "sentence", "group"}, default "document"
        What a row is. ``"group"`` sums all documents of a group into one row.
    by : str or None, default "doc_id"
        Grouping column of ``documents``; None puts everything in :data:`ALL_GROUP`.
    stop, boilerplate : bool, default True
        Drop stopwords / report boilerplate.
    min_chars : int, default 2
        Drop shorter tokens.
    pos : tuple of str or None, default None
        Keep only these part-of-speech prefixes.
    min_count : int, default 1
        Keep terms with at least this many occurrences in the whole matrix.
    vocabulary : list of str or None, default None
        Fixed columns in this order (terms absent from the tokens get zero columns; tokens
        outside it are dropped); ``min_count`` then does not apply.

    Returns
    -------
    DocumentTermMatrix
        Rows in order of first appearance (documents in table order, then unit id); empty units
        (every token filtered out) are kept as zero rows so that the rows match the units.
    """
    if unit != "group" and unit not in UNITS:
        raise ValueError(f"unit must be one of {list(UNITS) + ['group']}, got {unit!r}")
    groups = _groups(tokens, documents, by)
    if unit == "group":
        keys = pd.DataFrame({"group": groups})
        key_cols = ["group"]
    else:
        key_cols = UNITS[unit]
        missing = [c for c in key_cols if c not in tokens.columns]
        if missing:
            raise KeyError(f"unit={unit!r} needs token columns {missing}")
        keys = tokens[key_cols].reset_index(drop=True).copy()
        keys["doc_id"] = keys["doc_id"].astype(str)
        keys["group"] = groups
    row_codes, row_uniques = _factorize_rows(keys, key_cols)
    n_rows = len(row_uniques)
    total = np.bincount(row_codes, minlength=n_rows)

    keep = _keep_mask(tokens, stop=stop, boilerplate=boilerplate, min_chars=min_chars, pos=pos)
    words = tokens["token"].astype(str).to_numpy(dtype=object)[keep]
    r = row_codes[keep]
    if vocabulary is not None:
        terms = pd.Index([str(v) for v in vocabulary], dtype=object)
        col = terms.get_indexer(words)
        r, col = r[col >= 0], col[col >= 0]
    else:
        col, terms = pd.factorize(pd.Series(words, dtype=object), sort=True)
        terms = pd.Index(terms, dtype=object)
    mat = sparse.csr_matrix((np.ones(len(r), dtype=np.int64), (r, col)),
                            shape=(n_rows, len(terms)))
    mat.sum_duplicates()
    if vocabulary is None and min_count > 1:
        colsum = np.asarray(mat.sum(axis=0)).ravel()
        cols = np.flatnonzero(colsum >= min_count)
        mat, terms = mat[:, cols], terms[cols]
    rows = row_uniques.copy()
    if "group" not in rows.columns:
        rows["group"] = keys.groupby(row_codes)["group"].first().to_numpy()
    rows["n_tokens"] = np.asarray(mat.sum(axis=1)).ravel().astype("int64")
    rows["total"] = total.astype("int64")
    rows["group"] = rows["group"].astype("string")
    terms = pd.Index(terms.astype(str), name="term")
    return DocumentTermMatrix(matrix=mat.tocsr(), rows=rows.reset_index(drop=True), terms=terms)


def _factorize_rows(keys: pd.DataFrame, key_cols: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer row id per token and the table of distinct keys, in order of first appearance."""
    if len(key_cols) == 1:
        codes, uniques = pd.factorize(keys[key_cols[0]].astype(object))
        return codes, pd.DataFrame({key_cols[0]: np.asarray(uniques, dtype=object)})
    a = pd.factorize(keys[key_cols[0]])[0].astype(np.int64)
    b = pd.factorize(keys[key_cols[1]])[0].astype(np.int64)
    codes, uniq = pd.factorize(a * (int(b.max(initial=0)) + 1) + b)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    table = keys.iloc[first][key_cols].reset_index(drop=True)
    return codes, table


# ---------------------------------------------------------------------------- on a Dask cluster

def _chunk_counts(tokens: pd.DataFrame, *, documents: pd.DataFrame, by: str | None,
                  filters: dict) -> tuple[pd.DataFrame, pd.Series]:
    """On a Dask worker: the (term, group, count) rows and the group totals of one chunk."""
    freq = term_frequencies(tokens, documents, by=by, **filters)
    return freq[["term", "group", "count"]], group_totals(tokens, documents, by=by)


def term_frequencies_dask(units: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
                          lexicon: Lexicon | None = None, scheduler: object = "local",
                          n_workers: int | None = None,
                          stop: bool = True, boilerplate: bool = True, min_chars: int = 2,
                          pos: tuple[str, ...] | None = None) -> pd.DataFrame:
    """:func:`term_frequencies` of a corpus tokenized and counted on a Dask cluster.

    The workers cut chunks of documents and run :func:`term_frequencies` and
    :func:`group_totals` on each chunk's tokens (:func:`tifa.tokenize.dask.map_tokens`); only
    those counts come back, never the tokens, so the corpus's token table need not fit
    anywhere. This process sums the counts and totals and computes ``per_10k`` and ``rank``
    again, so the table is exactly ``term_frequencies(tokenize(units, lexicon=lexicon),
    documents, ...)``. The token cache is not used.

    Parameters
    ----------
    units : DataFrame
        The units table (:data:`tifa.schemas.UNITS`).
    documents : DataFrame
        The documents table, for the grouping column (only ``doc_id`` and ``by`` are sent).
    by : str, default "doc_id"
        Grouping column of ``documents``.
    lexicon : Lexicon or None, default None
        None loads the default lexicon.
    scheduler : "local", str or distributed.Client, default "local"
        Where to run (:func:`tifa.tokenize.dask.connect`): a LocalCluster for the call, a
        scheduler address or a Client.
    n_workers : int or None, default None
        Workers of a ``"local"`` cluster (None: one per CPU).
    stop, boilerplate, min_chars, pos
        As in :func:`term_frequencies`.

    Returns
    -------
    DataFrame
        Columns :data:`KEYWORD_COLUMNS`, as :func:`term_frequencies`.
    """
    if by is not None:
        group_of(documents, by)  # a missing column is a clear error here, before any work
    keep = ["doc_id"] + ([by] if by not in (None, "doc_id") else [])
    count = partial(_chunk_counts, documents=documents[keep].copy(), by=by,
                    filters={"stop": stop, "boilerplate": boilerplate, "min_chars": min_chars,
                             "pos": pos})
    parts = map_tokens(units, count, lexicon=lexicon, scheduler=scheduler, n_workers=n_workers)
    if not parts:
        return _empty_freq()
    counts = (pd.concat([c for c, _ in parts]).groupby(["group", "term"], sort=False)["count"]
              .sum().reset_index())
    totals = pd.concat([t for _, t in parts]).groupby(level=0).sum()
    counts["count"] = counts["count"].astype("int64")
    counts["total"] = counts["group"].map(totals).astype("int64")
    counts["per_10k"] = rate(counts["count"], counts["total"])
    counts = rank_within(counts, "count")
    for col in ("term", "group"):
        counts[col] = counts[col].astype("string")
    return counts[KEYWORD_COLUMNS]
