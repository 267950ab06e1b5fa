"""What sets documents or groups apart: keyness, TF-IDF, similarity, over-used and shared terms.

All functions take the tidy tokens (no second tokenisation) and ``by=``, a column of the
documents table; the same call compares two reports, 31 provinces or five years. Result tables
carry the counts they were computed from, so every number can be recomputed by hand.

Rates and keyness use as each group's size (``total``) all of its tokens — stopwords included,
punctuation and bare numbers excluded — as :mod:`tifa.analyze.frequency` does; the stopword and
boilerplate filters only decide which terms are *reported*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from tifa.analyze.frequency import ALL_GROUP, DocumentTermMatrix, document_term_matrix
from tifa.analyze.measures import g2_p_value, rank_within, rate
# Label of the reference when a group is compared with all other groups pooled (and there is
# more than one other group); defined with the table contracts, which the charts read too.
from tifa.schemas import REST

#: Columns of :func:`keyness` (and of ``tables/keyness.csv``), in order.
KEYNESS_COLUMNS = ["term", "target", "reference", "n_target", "n_reference", "total_target",
                   "total_reference", "g2", "p", "log_ratio", "per_10k_target",
                   "per_10k_reference"]

#: Largest number of matrix cells computed at once (memory guard for thousands of groups).
_CHUNK_CELLS = 2_000_000


# ---------------------------------------------------------------------------- statistics

def keyness_stats(n_target, n_reference, total_target, total_reference) -> dict[str, np.ndarray]:
    """Dunning's log-likelihood G², its p-value and Hardie's Log Ratio, vectorised.

    For a term seen ``a = n_target`` times in a target corpus of ``N_t = total_target`` tokens
    and ``b = n_reference`` times in a reference corpus of ``N_r = total_reference`` tokens, the
    2×2 contingency table is

    ============  =========  =============
    .             target     reference
    term          a          b
    other tokens  c = N_t−a  d = N_r−b
    ============  =========  =============

    with expected values E_a = N_t(a+b)/N, E_b = N_r(a+b)/N, E_c = N_t(c+d)/N,
    E_d = N_r(c+d)/N, N = N_t + N_r. Then

    * G² = 2 Σ O ln(O/E) over the four cells (a cell with O = 0 adds 0) — the full 2×2
      statistic of Dunning (1993). (The Lancaster "log-likelihood wizard" keeps only the two
      cells a and b, which gives slightly different values.) G² is reported **signed**:
      negative when the term is relatively more frequent in the reference, a/N_t < b/N_r
      (as quanteda's ``textstat_keyness`` does); |G²| is the statistic.
    * p = P(χ²₁ ≥ |G²|), χ² with one degree of freedom, no continuity correction. 3.84 ↔
      p = 0.05, 6.63 ↔ 0.01, 10.83 ↔ 0.001, 15.13 ↔ 0.0001. With thousands of terms tested,
      read p against a much stricter threshold (e.g. Bonferroni: 0.05 / number of terms).
    * Log Ratio = log2((a/N_t) / (b/N_r)) (Hardie 2014), the effect size: +1 means twice as
      frequent in the target, −1 half as frequent. A zero count (a or b) is replaced by 0.5
      in this formula only, so terms absent from one side get a finite value.

    Parameters
    ----------
    n_target, n_reference, total_target, total_reference : array-like of numbers
        Broadcastable counts ``a``, ``b``, ``N_t``, ``N_r``.

    Returns
    -------
    dict
        ``{"g2": ..., "p": ..., "log_ratio": ...}`` float arrays.
    """
    g2, log_ratio = _g2_log_ratio(n_target, n_reference, total_target, total_reference)
    return {"g2": g2, "p": g2_p_value(g2), "log_ratio": log_ratio}


def _g2_log_ratio(n_target, n_reference, total_target, total_reference):
    """Signed G² and Log Ratio (see :func:`keyness_stats`), without the p-value."""
    a = np.asarray(n_target, dtype=float)
    b = np.asarray(n_reference, dtype=float)
    nt = np.asarray(total_target, dtype=float)
    nr = np.asarray(total_reference, dtype=float)
    c, d = nt - a, nr - b
    n = nt + nr
    ea, eb = nt * (a + b) / n, nr * (a + b) / n
    ec, ed = nt * (c + d) / n, nr * (c + d) / n
    g2 = 2 * (_olog(a, ea) + _olog(b, eb) + _olog(c, ec) + _olog(d, ed))
    g2 = np.maximum(g2, 0.0)  # rounding can give -1e-15
    with np.errstate(divide="ignore", invalid="ignore"):
        under = a / nt < b / nr
    signed = np.where(under, -g2, g2)
    a_adj = np.where(a == 0, 0.5, a)
    b_adj = np.where(b == 0, 0.5, b)
    log_ratio = np.log2((a_adj / nt) / (b_adj / nr))
    return signed, log_ratio


def _olog(o: np.ndarray, e: np.ndarray) -> np.ndarray:
    """O ln(O/E), 0 where O == 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_o = np.where(o > 0, o, 1.0)
        safe_e = np.where(e > 0, e, 1.0)
        return np.where(o > 0, o * np.log(safe_o / safe_e), 0.0)


# ---------------------------------------------------------------------------- keyness

def keyness(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
            target: str | None = None, reference: str | list[str] | None = None,
            min_count: int = 5, stop: bool = True, boilerplate: bool = True,
            min_chars: int = 2, pos: tuple[str, ...] | None = None,
            top: int | None = None) -> pd.DataFrame:
    """Keyness of terms in a target group against a reference (formulas: :func:`keyness_stats`).

    * ``target=None``: every group against all the other groups pooled (one block per group);
    * ``target="A"``: A against all the others; ``target="A", reference="B"``: A against B
      (``reference`` may also be a list of groups, pooled).

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table.
    documents : DataFrame
        The documents table (for ``by``).
    by : str, default "doc_id"
        Grouping column of ``documents``.
    target : str or None, default None
        The target group; None takes each group in turn.
    reference : str, list of str or None, default None
        The reference group(s); None means all groups other than the target.
    min_count : int, default 5
        Minimum-frequency filter: keep a term when ``n_target + n_reference >= min_count``
        (G² is unreliable for very rare terms).
    stop, boilerplate : bool, default True
        Leave stopwords / report boilerplate out of the terms tested (they still count in the
        totals).
    min_chars : int, default 2
        Leave shorter terms out.
    pos : tuple of str or None, default None
        Only terms with these part-of-speech prefixes.
    top : int or None, default None
        Keep, per target, only the ``top`` terms with the largest positive G² and the ``top``
        with the most negative (what a chart shows; saves memory with thousands of groups).
        None keeps every term.

    Returns
    -------
    DataFrame
        Columns :data:`KEYNESS_COLUMNS`: ``term, target, reference, n_target, n_reference,
        total_target, total_reference, g2, p, log_ratio`` and the rates ``per_10k_target``,
        ``per_10k_reference``. ``g2`` is signed (negative: under-used in the target). Sorted by
        target then descending ``g2``. The ``reference`` is the other group's label, or
        :data:`REST` when several groups are pooled.
    """
    dtm = document_term_matrix(tokens, documents, unit="group", by=by, stop=stop,
                               boilerplate=boilerplate, min_chars=min_chars, pos=pos)
    return keyness_from_matrix(dtm, target=target, reference=reference, min_count=min_count,
                               top=top)


def keyness_from_matrix(dtm: DocumentTermMatrix, *, target: str | None = None,
                        reference: str | list[str] | None = None, min_count: int = 5,
                        top: int | None = None) -> pd.DataFrame:
    """:func:`keyness` on a group × term :class:`~tifa.analyze.frequency.DocumentTermMatrix`.

    Use it to test other units than words (n-grams, slogans, theme codes) once they are in a
    group × item count matrix.

    Parameters
    ----------
    dtm : DocumentTermMatrix
        One row per group (``document_term_matrix(..., unit="group")``), the group sizes in
        ``dtm.rows["total"]`` (the denominators N_t, N_r).
    target : str or None, default None
        The target group; None takes each group in turn.
    reference : str, list of str or None, default None
        The reference group(s); None means all groups other than the target.
    min_count : int, default 5
        Keep a term when ``n_target + n_reference >= min_count``.
    top : int or None, default None
        Keep only the ``top`` strongest terms on each side per target; None keeps all.

    Returns
    -------
    DataFrame
        As :func:`keyness`.
    """
    groups = dtm.rows["group"].astype(str).tolist()
    index = {g: i for i, g in enumerate(groups)}
    counts = dtm.matrix.tocsr()
    totals = dtm.rows["total"].to_numpy(dtype=float)
    terms = np.asarray(dtm.terms, dtype=object)

    def _rows(names) -> list[int]:
        names = [names] if isinstance(names, str) else list(names)
        unknown = [str(n) for n in names if str(n) not in index]
        if unknown:
            raise KeyError(f"unknown group(s) {unknown}; groups are {groups[:20]}")
        return [index[str(n)] for n in names]

    if target is None:
        targets = list(range(len(groups)))
    else:
        targets = _rows(target)
    if reference is not None:
        ref_rows = _rows(reference)
        pairs = [(t, [r for r in ref_rows if r != t]) for t in targets]
    else:
        pairs = [(t, None) for t in targets]
    if len(groups) < 2 or not pairs:
        return _empty_keyness()

    colsum = np.asarray(counts.sum(axis=0)).ravel()
    grand = totals.sum()
    blocks = []
    if reference is None:
        # one against the rest: the reference is everything else, n_r = column sum - n_t
        keep_cols = np.flatnonzero(colsum >= min_count)
        if len(keep_cols) == 0:
            return _empty_keyness()
        sub = counts[:, keep_cols]
        step = max(1, _CHUNK_CELLS // max(len(keep_cols), 1))
        t_rows = np.asarray([t for t, _ in pairs])
        for lo in range(0, len(t_rows), step):
            rows = t_rows[lo:lo + step]
            a = sub[rows].toarray().astype(float)
            b = colsum[keep_cols][None, :] - a
            nt = totals[rows][:, None]
            nr = grand - nt
            ref_labels = [groups[1 - r] if len(groups) == 2 else REST for r in rows]
            blocks.append(_block(a, b, nt, nr, rows, ref_labels, keep_cols, groups, terms,
                                 top, min_count=0))
    else:
        for t, refs in pairs:
            if not refs:
                continue
            a = counts[t].toarray().astype(float)
            b = np.asarray(counts[refs].sum(axis=0)).astype(float).reshape(1, -1)
            nt = totals[[t]][:, None]
            nr = np.array([[totals[refs].sum()]])
            ref_label = groups[refs[0]] if len(refs) == 1 else REST
            blocks.append(_block(a, b, nt, nr, np.array([t]), [ref_label],
                                 np.arange(len(terms)), groups, terms, top, min_count=min_count))
    blocks = [b for b in blocks if len(b)]
    if not blocks:
        return _empty_keyness()
    out = pd.concat(blocks, ignore_index=True)
    order = pd.Series(np.arange(len(groups)), index=groups)
    out = out.assign(_o=out["target"].map(order)).sort_values(
        ["_o", "g2", "term"], ascending=[True, False, True], kind="stable").drop(columns="_o")
    for col in ("term", "target", "reference"):
        out[col] = out[col].astype("string")
    return out[KEYNESS_COLUMNS].reset_index(drop=True)


def _block(a, b, nt, nr, rows, ref_labels, cols, groups, terms, top, *, min_count) -> pd.DataFrame:
    """Keyness rows for a block of targets (dense ``a``, ``b``: targets × terms)."""
    keep = (a + b) >= max(min_count, 1)
    g2_all, lr_all = _g2_log_ratio(a, b, np.broadcast_to(nt, a.shape), np.broadcast_to(nr, a.shape))
    if top is not None:
        g2 = np.where(keep, g2_all, 0.0)
        keep &= (_top_mask(g2, top) & (g2 > 0)) | (_top_mask(-g2, top) & (g2 < 0))
    r, c = np.nonzero(keep)
    nt_full = np.broadcast_to(nt, a.shape)
    nr_full = np.broadcast_to(nr, a.shape)
    return pd.DataFrame({
        "term": terms[cols[c]],
        "target": np.asarray(groups, dtype=object)[rows[r]],
        "reference": np.asarray(ref_labels, dtype=object)[r],
        "n_target": a[r, c].astype("int64"),
        "n_reference": b[r, c].astype("int64"),
        "total_target": nt_full[r, c].astype("int64"),
        "total_reference": nr_full[r, c].astype("int64"),
        "g2": g2_all[r, c],
        "p": g2_p_value(g2_all[r, c]),  # only for the rows kept: it is costly
        "log_ratio": lr_all[r, c],
        "per_10k_target": rate(a[r, c], nt_full[r, c]),
        "per_10k_reference": rate(b[r, c], nr_full[r, c]),
    })


def _top_mask(x: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` largest entries of each row (ties at the edge: any of them)."""
    mask = np.zeros(x.shape, dtype=bool)
    k = min(int(k), x.shape[1])
    if k <= 0:
        return mask
    idx = np.argpartition(-x, k - 1, axis=1)[:, :k]
    np.put_along_axis(mask, idx, True, axis=1)
    return mask


def _empty_keyness() -> pd.DataFrame:
    dtypes = {"term": "string", "target": "string", "reference": "string", "n_target": "int64",
              "n_reference": "int64", "total_target": "int64", "total_reference": "int64",
              "g2": "float64", "p": "float64", "log_ratio": "float64",
              "per_10k_target": "float64", "per_10k_reference": "float64"}
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in dtypes.items()})


def key_terms(key: pd.DataFrame, *, n: int = 20, p: float = 0.05,
              min_log_ratio: float = 0.0) -> pd.DataFrame:
    """The ``n`` strongest positive and ``n`` strongest negative keywords of each target.

    A convenience for charts and briefings: filters a :func:`keyness` table, computes nothing.

    Parameters
    ----------
    key : DataFrame
        A :func:`keyness` table.
    n : int, default 20
        Terms per side and target.
    p : float, default 0.05
        Keep terms with a p-value below this (1.0 keeps all).
    min_log_ratio : float, default 0.0
        Keep terms with ``|log_ratio|`` at least this (1.0: at least twice as frequent).

    Returns
    -------
    DataFrame
        The selected rows with an extra column ``side`` ("target" or "reference"), ordered by
        target, side, then strength.
    """
    ok = (key["p"] < p) & (key["log_ratio"].abs() >= min_log_ratio) & (key["g2"] != 0)
    sel = key[ok].copy()
    sel["side"] = np.where(sel["g2"] > 0, "target", "reference")
    sel["_s"] = sel["g2"].abs()
    sel = sel.sort_values(["target", "side", "_s", "term"], ascending=[True, False, False, True],
                          kind="stable")
    sel = sel.groupby(["target", "side"], sort=False).head(n)
    return sel.drop(columns="_s").reset_index(drop=True)


# ---------------------------------------------------------------------------- TF-IDF

#: Columns of :func:`tfidf` (and of ``tables/tfidf.csv``), in order.
TFIDF_COLUMNS = ["term", "group", "count", "df", "n_units", "idf", "tfidf", "rank", "unit"]


def tfidf(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
          unit: str = "paragraph", stop: bool = True, boilerplate: bool = True,
          min_chars: int = 2, pos: tuple[str, ...] | None = None, min_count: int = 2,
          sublinear_tf: bool = False, smooth_idf: bool = True, norm: str | None = "l2",
          top: int | None = None) -> pd.DataFrame:
    """Distinctive terms per group by TF-IDF, with the IDF learnt over smaller units.

    With a handful of documents, IDF computed over the documents is nearly meaningless (with
    two, a term is in one or in both). So IDF is learnt over ``unit`` — paragraphs by default —
    and applied to each group's summed counts, using scikit-learn's
    :class:`~sklearn.feature_extraction.text.TfidfTransformer` on the tidy tokens' counts:

    * idf(t) = ln((1 + n) / (1 + df(t))) + 1 with ``smooth_idf`` (else ln(n / df(t)) + 1),
      n = number of units, df(t) = units containing t;
    * tf(t, g) = count of t in group g (1 + ln(count) with ``sublinear_tf``);
    * tfidf(t, g) = tf · idf, then the group's vector is scaled to unit length (``norm="l2"``).

    A high score means a term a group uses often that is concentrated in few units of the
    corpus. With ``unit="group"`` the units are the groups themselves (classic TF-IDF across
    groups; meaningful with dozens of groups).

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table.
    documents : DataFrame
        The documents table.
    by : str, default "doc_id"
        Grouping column of ``documents``.
    unit : {"paragraph", "section", "sentence", "document", "group"}, default "paragraph"
        Units over which document frequency and IDF are computed.
    stop, boilerplate : bool, default True
        Drop stopwords / boilerplate before counting.
    min_chars : int, default 2
        Drop shorter tokens.
    pos : tuple of str or None, default None
        Keep only these part-of-speech prefixes.
    min_count : int, default 2
        Keep terms seen at least this often in the corpus (hapaxes get the largest IDF of all
        and would crowd the lists).
    sublinear_tf : bool, default False
        Use 1 + ln(tf).
    smooth_idf : bool, default True
        Smoothed IDF (scikit-learn's default).
    norm : {"l2", "l1"} or None, default "l2"
        Normalisation of each group's vector.
    top : int or None, default None
        Keep the ``top`` highest-scoring terms per group; None keeps all with a count.

    Returns
    -------
    DataFrame
        Columns :data:`TFIDF_COLUMNS`: ``term, group, count, df, n_units, idf, tfidf, rank,
        unit``; one row per (group, term) with count > 0, sorted by group then rank.
    """
    weights = tfidf_matrix(tokens, documents, by=by, unit=unit, stop=stop,
                           boilerplate=boilerplate, min_chars=min_chars, pos=pos,
                           min_count=min_count, sublinear_tf=sublinear_tf,
                           smooth_idf=smooth_idf, norm=norm)
    counts, scores, info = weights["counts"], weights["tfidf"], weights["terms"]
    coo = counts.matrix.tocoo()
    score = np.asarray(scores[coo.row, coo.col]).ravel()
    out = pd.DataFrame({
        "term": np.asarray(counts.terms, dtype=object)[coo.col],
        "group": counts.rows["group"].astype(str).to_numpy(dtype=object)[coo.row],
        "count": coo.data.astype("int64"),
        "df": info["df"].to_numpy()[coo.col],
        "n_units": np.int64(weights["n_units"]),
        "idf": info["idf"].to_numpy()[coo.col],
        "tfidf": score,
        "unit": unit,
    })
    out = rank_within(out, "tfidf")
    if top is not None:
        out = out[out["rank"] <= top]
    for col in ("term", "group", "unit"):
        out[col] = out[col].astype("string")
    return out[TFIDF_COLUMNS].reset_index(drop=True)


def tfidf_matrix(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
                 unit: str = "paragraph", stop: bool = True, boilerplate: bool = True,
                 min_chars: int = 2, pos: tuple[str, ...] | None = None, min_count: int = 2,
                 sublinear_tf: bool = False, smooth_idf: bool = True,
                 norm: str | None = "l2") -> dict:
    """The matrices behind :func:`tfidf` (same parameters).

    Returns
    -------
    dict
        ``counts``: group × term :class:`~tifa.analyze.frequency.DocumentTermMatrix`;
        ``tfidf``: the group × term TF-IDF matrix (scipy sparse, rows as ``counts``);
        ``terms``: DataFrame of ``term, df, idf``; ``n_units``: number of units.
    """
    from sklearn.feature_extraction.text import TfidfTransformer

    common = dict(stop=stop, boilerplate=boilerplate, min_chars=min_chars, pos=pos)
    group_dtm = document_term_matrix(tokens, documents, unit="group", by=by,
                                     min_count=min_count, **common)
    if unit == "group":
        unit_matrix = group_dtm.matrix
    else:
        unit_dtm = document_term_matrix(tokens, documents, unit=unit, by=by,
                                        vocabulary=group_dtm.terms, **common)
        unit_matrix = unit_dtm.matrix
        keep_rows = np.asarray(unit_matrix.sum(axis=1)).ravel() > 0
        unit_matrix = unit_matrix[keep_rows]  # units left empty by the filters do not count
    transformer = TfidfTransformer(norm=norm, use_idf=True, smooth_idf=smooth_idf,
                                   sublinear_tf=sublinear_tf)
    transformer.fit(unit_matrix)
    scores = transformer.transform(group_dtm.matrix.astype(float))
    df = np.asarray((unit_matrix > 0).sum(axis=0)).ravel().astype("int64")
    terms = pd.DataFrame({"term": group_dtm.terms, "df": df, "idf": transformer.idf_})
    return {"counts": group_dtm, "tfidf": sparse.csr_matrix(scores), "terms": terms,
            "n_units": int(unit_matrix.shape[0])}


# ---------------------------------------------------------------------------- similarity

def similarity(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
               weight: str = "tfidf", unit: str = "paragraph", stop: bool = True,
               boilerplate: bool = True, min_chars: int = 2,
               pos: tuple[str, ...] | None = None, min_count: int = 2) -> pd.DataFrame:
    """Cosine similarity between groups' term vectors.

    cos(g, h) = Σ_t x_gt x_ht / (‖x_g‖ ‖x_h‖): 1 for the same word mix, 0 for no shared term.
    Cosine ignores length, so counts and rates give the same result.

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table.
    documents : DataFrame
        The documents table.
    by : str, default "doc_id"
        Grouping column of ``documents``.
    weight : {"tfidf", "count"}, default "tfidf"
        Term weights: TF-IDF as in :func:`tfidf` (shared boilerplate-like words count less) or
        raw counts.
    unit : str, default "paragraph"
        IDF units when ``weight="tfidf"`` (see :func:`tfidf`).
    stop, boilerplate : bool, default True
        Drop stopwords / boilerplate before counting.
    min_chars : int, default 2
        Drop shorter tokens.
    pos : tuple of str or None, default None
        Keep only these part-of-speech prefixes.
    min_count : int, default 2
        Keep terms seen at least this often in the corpus.

    Returns
    -------
    DataFrame
        Square, symmetric, groups as index and columns (in order of first appearance), values
        in [0, 1]; ``.attrs["n_tokens"]`` holds the tokens counted per group and
        ``.attrs["weight"]`` the weighting.
    """
    from sklearn.metrics.pairwise import cosine_similarity

    if weight not in ("tfidf", "count"):
        raise ValueError(f"weight must be 'tfidf' or 'count', got {weight!r}")
    m = tfidf_matrix(tokens, documents, by=by, unit=unit, stop=stop, boilerplate=boilerplate,
                     min_chars=min_chars, pos=pos, min_count=min_count)
    counts = m["counts"]
    x = m["tfidf"] if weight == "tfidf" else counts.matrix.astype(float)
    sim = cosine_similarity(x, dense_output=True)
    np.fill_diagonal(sim, np.where(np.asarray(x.sum(axis=1)).ravel() > 0, 1.0, 0.0))
    labels = counts.rows["group"].astype(str).tolist()
    out = pd.DataFrame(np.clip(sim, 0.0, 1.0), index=pd.Index(labels, name="group"),
                       columns=pd.Index(labels, name="other"))
    out.attrs["n_tokens"] = dict(zip(labels, counts.rows["n_tokens"].astype(int).tolist()))
    out.attrs["weight"] = weight
    return out


def similarity_pairs(sim: pd.DataFrame, *, top: int | None = None) -> pd.DataFrame:
    """A similarity matrix as a long table of pairs (for CSV export and briefings).

    Parameters
    ----------
    sim : DataFrame
        A :func:`similarity` result.
    top : int or None, default None
        Keep, per group, only its ``top`` most similar other groups; None keeps every pair
        once (a < b in matrix order).

    Returns
    -------
    DataFrame
        Columns ``group, other, cosine, n_tokens_group, n_tokens_other``, sorted by group then
        descending cosine.
    """
    labels = list(sim.index)
    vals = sim.to_numpy(dtype=float)
    n = len(labels)
    if top is None:
        i, j = np.triu_indices(n, k=1)
    else:
        k = max(0, min(int(top), n - 1))
        others = vals.copy()
        np.fill_diagonal(others, -np.inf)
        j = np.argpartition(-others, k - 1, axis=1)[:, :k].ravel() if k else np.array([], int)
        i = np.repeat(np.arange(n), k)
    out = pd.DataFrame({"group": np.asarray(labels, dtype=object)[i],
                        "other": np.asarray(labels, dtype=object)[j], "cosine": vals[i, j]})
    ntok = sim.attrs.get("n_tokens", {})
    out["n_tokens_group"] = out["group"].map(ntok).astype("Int64")
    out["n_tokens_other"] = out["other"].map(ntok).astype("Int64")
    out = out.sort_values(["group", "cosine", "other"], ascending=[True, False, True],
                          kind="stable")
    for col in ("group", "other"):
        out[col] = out[col].astype("string")
    return out.reset_index(drop=True)


def cluster_order(sim: pd.DataFrame, *, method: str = "average") -> dict:
    """Hierarchical clustering of groups by cosine distance (1 − similarity).

    Parameters
    ----------
    sim : DataFrame
        A square :func:`similarity` result.
    method : str, default "average"
        Linkage method of :func:`scipy.cluster.hierarchy.linkage` (``"average"``, ``"complete"``,
        ``"single"``; not ``"ward"``, which assumes Euclidean distances).

    Returns
    -------
    dict
        ``linkage``: the (n−1) × 4 linkage matrix; ``order``: group labels in dendrogram leaf
        order (use it to reorder the heatmap); ``method``.
    """
    from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering
    from scipy.spatial.distance import squareform

    labels = list(sim.index)
    if len(labels) < 3:
        return {"linkage": None, "order": labels, "method": method}
    dist = 1.0 - sim.to_numpy(dtype=float)
    dist = np.clip((dist + dist.T) / 2, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    condensed = squareform(dist, checks=False)
    z = linkage(condensed, method=method)
    if len(labels) <= 500:
        z = optimal_leaf_ordering(z, condensed)
    order = [labels[i] for i in leaves_list(z)]
    return {"linkage": z, "order": order, "method": method}


# ---------------------------------------------------------------------------- clouds

def overuse(freq: pd.DataFrame, *, n: int = 40, groups: list[str] | None = None) -> pd.DataFrame:
    """Which group over-uses each term, and by how much (the comparison cloud's table).

    As in R's ``comparison.cloud``: with r_tg the rate (per 10,000 tokens) of term t in group
    g and r̄_t its mean over the G groups (groups that never use it count as 0), the term
    belongs to the group with the largest r_tg − r̄_t, and that excess is its size.

    Parameters
    ----------
    freq : DataFrame
        A :func:`tifa.analyze.frequency.term_frequencies` table.
    n : int, default 40
        Terms kept per group (largest excess first).
    groups : list of str or None, default None
        Groups to compare; None takes all (at least two are needed).

    Returns
    -------
    DataFrame
        Columns ``term, group, count, per_10k, mean_per_10k, excess, n_groups, rank``: the
        over-using group, its count and rate, the mean rate, the excess, how many groups use
        the term; sorted by group then rank.
    """
    if groups is not None:
        freq = freq[freq["group"].isin([str(g) for g in groups])]
    n_groups_total = freq["group"].nunique()
    if n_groups_total < 2:
        raise ValueError("a comparison needs at least two groups")
    f = freq[["term", "group", "count", "per_10k"]]
    g = f.groupby("term", sort=False)["per_10k"]
    mean = g.sum() / n_groups_total
    used = f.groupby("term", sort=False).size()
    best = f.loc[g.idxmax()].set_index("term")
    out = best.assign(mean_per_10k=mean.reindex(best.index),
                      n_groups=used.reindex(best.index).astype("int64")).reset_index()
    out["excess"] = out["per_10k"] - out["mean_per_10k"]
    out = out[out["excess"] > 0]
    out = rank_within(out, "excess")
    out = out[out["rank"] <= n]
    for col in ("term", "group"):
        out[col] = out[col].astype("string")
    out["count"] = out["count"].astype("int64")
    return out[["term", "group", "count", "per_10k", "mean_per_10k", "excess", "n_groups",
                "rank"]].reset_index(drop=True)


def shared_terms(freq: pd.DataFrame, *, min_share: float = 1.0, n: int = 100,
                 groups: list[str] | None = None) -> pd.DataFrame:
    """Terms that (nearly) every group uses, sized by the rate all of them reach.

    Parameters
    ----------
    freq : DataFrame
        A :func:`tifa.analyze.frequency.term_frequencies` table.
    min_share : float, default 1.0
        Keep terms used by at least this share of the groups (1.0: all of them; with hundreds
        of groups 0.9 is more telling).
    n : int, default 100
        Terms kept (largest ``min_per_10k`` first).
    groups : list of str or None, default None
        Groups to compare; None takes all.

    Returns
    -------
    DataFrame
        Columns ``term, n_groups, share, count, min_per_10k, mean_per_10k``: groups using the
        term, their share, the total count, the lowest rate among the groups using it and the
        mean rate over all groups (0 for groups not using it); sorted by ``min_per_10k``.
    """
    if groups is not None:
        freq = freq[freq["group"].isin([str(g) for g in groups])]
    n_groups_total = max(freq["group"].nunique(), 1)
    g = freq.groupby("term", sort=False)
    out = pd.DataFrame({"n_groups": g.size().astype("int64"),
                        "count": g["count"].sum().astype("int64"),
                        "min_per_10k": g["per_10k"].min(),
                        "mean_per_10k": g["per_10k"].sum() / n_groups_total})
    out["share"] = out["n_groups"] / n_groups_total
    out = out[out["share"] >= min_share - 1e-12].reset_index()
    out = out.sort_values(["min_per_10k", "term"], ascending=[False, True], kind="stable").head(n)
    out["term"] = out["term"].astype("string")
    return out[["term", "n_groups", "share", "count", "min_per_10k", "mean_per_10k"]] \
        .reset_index(drop=True)


__all__ = ["ALL_GROUP", "REST", "KEYNESS_COLUMNS", "TFIDF_COLUMNS", "keyness_stats", "keyness",
           "keyness_from_matrix", "key_terms", "tfidf", "tfidf_matrix", "similarity",
           "similarity_pairs", "cluster_order", "overuse", "shared_terms"]
