"""Topics from the data: NMF on TF-IDF of paragraphs, and how they map onto the codebook.

The codebook (:mod:`tifa.analyze.themes`) says what an analyst expects to find; topics say what the
words of the reports group into without being told. Where a topic matches no theme, the
codebook lacks something (or the topic is report boilerplate).

Method
------
1. **Paragraphs** are built from the tidy tokens table (no second tokenisation): the tokens of
   each ``(doc_id, para_id)``, after :func:`tifa.tokenize.filter_tokens` (stopwords, boilerplate,
   single characters), without heading lines (short, and they would become the "typical
   paragraph" of every topic) and without the closing block (signature, date). Paragraphs
   with fewer than ``min_tokens`` kept tokens are left out.
2. **TF-IDF**: a paragraph × term count matrix, keeping terms found in at least ``min_df``
   paragraphs and at most ``max_df`` of them, weighted by scikit-learn's
   ``TfidfTransformer(sublinear_tf=True)``: ``(1 + ln tf) * (ln((1 + n) / (1 + df)) + 1)``,
   rows L2-normalised.
3. **NMF** (scikit-learn, ``init="nndsvda"``, fixed ``random_state``): ``X ≈ W H`` with ``k``
   topics; ``H`` gives each topic's term weights, ``W`` each paragraph's topic loadings. A
   paragraph's topic proportions θ_p are its row of ``W`` divided by the row sum. Topics are
   numbered by their share of the modelled tokens, ``Σ_p n_p θ_pt`` (T1 the largest).
4. A topic's **typical paragraph** is the one with the largest loading on it.
5. The **topic mix** of a group weights each paragraph's proportions by its kept tokens:
   ``share(t, g) = Σ_p∈g n_p θ_pt / Σ_p∈g n_p``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from tifa.tokenize import filter_tokens
from tifa.analyze.groups import attach_group, group_order
from tifa.analyze.themes import theme_order

#: Upper bound of the default number of topics (see :func:`default_k`).
MAX_DEFAULT_K = 8


@dataclass
class TopicModel:
    """The result of :func:`fit_topics` (all tables; nothing here needs scikit-learn to read).

    Attributes
    ----------
    topics : DataFrame
        One row per topic: ``topic`` (1..k), ``label`` (``T1 · 词1/词2/词3``), ``top_terms``
        (the ``top_n`` terms joined with ``、``), ``weight_share`` (the topic's part of all
        modelled tokens, ``Σ_p n_p θ_pt / Σ_p n_p``), ``n_paragraphs`` (paragraphs whose
        largest proportion is this topic), and the typical paragraph: ``doc_id``, ``para_id``, ``loading``, ``text``.
    terms : DataFrame
        ``topic, label, rank, term, weight``: the ``top_n`` terms of each topic, ``weight`` the
        term's value in ``H`` divided by the topic's largest.
    paragraphs : DataFrame
        ``doc_id, para_id, n_tokens, topic, weight``: each modelled paragraph's proportion of
        each topic (sums to 1 per paragraph), ``n_tokens`` its kept tokens.
    params : dict
        ``k``, ``k_requested``, ``random_state``, ``min_df``, ``max_df``, ``min_tokens``,
        ``n_paragraphs``, ``n_terms``, ``reconstruction_err``.
    """

    topics: pd.DataFrame
    terms: pd.DataFrame
    paragraphs: pd.DataFrame
    params: dict = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Number of topics."""
        return int(self.params.get("k", len(self.topics)))


def default_k(n_paragraphs: int) -> int:
    """A sensible number of topics for a corpus of ``n_paragraphs`` paragraphs.

    ``k = min(8, max(2, n_paragraphs // 7))``: NMF needs several paragraphs per topic to find
    words that go together rather than one paragraph's vocabulary, so a topic is allowed per
    seven modelled paragraphs (two reports give some 25-35 paragraphs long enough to model, so
    about 4 topics); at least 2, since one topic compares nothing; at most 8, about the size of
    a codebook, so topics can be read side by side with the themes and shown in one chart.
    Large corpora can afford more topics: pass ``k``.

    Parameters
    ----------
    n_paragraphs : int
        Paragraphs that will be modelled.

    Returns
    -------
    int
    """
    return int(min(MAX_DEFAULT_K, max(2, int(n_paragraphs) // 7)))


def paragraph_matrix(tokens: pd.DataFrame, units: pd.DataFrame | None = None, *,
                     stop: bool = True, boilerplate: bool = True, min_chars: int = 2,
                     pos: tuple[str, ...] | None = None, headings: bool = False,
                     exclude_roles: tuple[str, ...] = ("closing",), min_tokens: int = 5,
                     min_df: int | float = 2, max_df: int | float = 0.8) -> tuple[sparse.csr_matrix, pd.DataFrame, pd.Index]:
    """The paragraph × term count matrix, built from the tidy tokens.

    Parameters
    ----------
    tokens : DataFrame
        The tokens table (schemas.TOKENS).
    units : DataFrame or None, default None
        The units table, to recognise heading lines and parts of the report; None keeps every
        token.
    stop, boilerplate : bool, default True
        Drop stopwords and report boilerplate (:func:`tifa.tokenize.filter_tokens`).
    min_chars : int, default 2
        Drop shorter tokens.
    pos : tuple of str or None, default None
        Keep only these part-of-speech prefixes; None keeps all.
    headings : bool, default False
        Keep the tokens of heading lines.
    exclude_roles : tuple of str, default ("closing",)
        Leave out these parts of the reports (``units.section_role``); the closing block is
        signature, date and distribution lines.
    min_tokens : int, default 5
        Leave out paragraphs with fewer kept tokens (counted before ``min_df``/``max_df``).
    min_df : int or float, default 2
        Keep terms in at least this many paragraphs (a float: this fraction of paragraphs).
    max_df : int or float, default 0.8
        Keep terms in at most this many paragraphs (a float: this fraction), dropping words
        that are everywhere and so separate nothing.

    Returns
    -------
    counts : scipy.sparse.csr_matrix
        Paragraphs × terms, integer counts.
    paragraphs : DataFrame
        ``doc_id, para_id, n_tokens`` in matrix row order (sorted), ``n_tokens`` the row sum.
    terms : Index
        The terms in column order (sorted).
    """
    kept = filter_tokens(tokens, stop=stop, boilerplate=boilerplate, min_chars=min_chars, pos=pos)
    kept = kept[["doc_id", "para_id", "sent_id", "token"]].assign(
        doc_id=lambda d: d["doc_id"].astype(str), token=lambda d: d["token"].astype(str))
    if units is not None:
        drop = units["section_role"].astype(str).isin(list(exclude_roles)).to_numpy()
        if not headings:
            drop = drop | units["is_heading"].to_numpy(dtype=bool)
        dropped = units.loc[drop, ["doc_id", "sent_id"]]
        dropped = dropped.assign(doc_id=dropped["doc_id"].astype(str), _drop=True)
        kept = kept.merge(dropped, on=["doc_id", "sent_id"], how="left")
        kept = kept[kept["_drop"].isna()]
    sizes = kept.groupby(["doc_id", "para_id"]).size()
    big = sizes[sizes >= min_tokens].index
    kept = kept.set_index(["doc_id", "para_id"]).loc[lambda d: d.index.isin(big)].reset_index()
    par_index = pd.MultiIndex.from_frame(kept[["doc_id", "para_id"]]).unique().sort_values()
    term_index = pd.Index(np.sort(kept["token"].unique()))
    rows = par_index.get_indexer(pd.MultiIndex.from_frame(kept[["doc_id", "para_id"]]))
    cols = term_index.get_indexer(kept["token"])
    counts = sparse.csr_matrix((np.ones(len(kept), dtype=np.int64), (rows, cols)),
                               shape=(len(par_index), len(term_index)))
    counts.sum_duplicates()
    n_par = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    low = min_df if isinstance(min_df, (int, np.integer)) else int(np.ceil(min_df * n_par))
    high = max_df if isinstance(max_df, (int, np.integer)) else int(np.floor(max_df * n_par))
    keep = (df >= low) & (df <= max(high, low))
    counts = counts[:, np.flatnonzero(keep)].tocsr()
    terms = term_index[keep]
    paragraphs = par_index.to_frame(index=False)
    paragraphs["n_tokens"] = np.asarray(counts.sum(axis=1)).ravel().astype("int64")
    nonempty = paragraphs["n_tokens"].to_numpy() > 0
    return counts[nonempty], paragraphs[nonempty].reset_index(drop=True), terms


def fit_topics(tokens: pd.DataFrame, units: pd.DataFrame | None = None, *,
               k: int | None = None, top_n: int = 10, random_state: int = 0,
               max_iter: int = 400, stop: bool = True, boilerplate: bool = True,
               min_chars: int = 2, pos: tuple[str, ...] | None = None,
               exclude_roles: tuple[str, ...] = ("closing",), min_tokens: int = 5,
               min_df: int | float = 2, max_df: int | float = 0.8) -> TopicModel:
    """Discover ``k`` topics in the paragraphs with NMF (see the module notes for the method).

    Parameters
    ----------
    tokens : DataFrame
        The tokens table.
    units : DataFrame or None, default None
        The units table: heading lines are left out and the typical paragraphs get their text.
    k : int or None, default None
        Number of topics; None uses :func:`default_k` of the number of paragraphs. It is lowered
        to the number of paragraphs or terms if those are fewer (``params["k"]`` says).
    top_n : int, default 10
        Terms listed per topic.
    random_state : int, default 0
        Seed of NMF, for identical results on identical input.
    max_iter : int, default 400
        NMF iterations at most.
    stop, boilerplate, min_chars, pos, exclude_roles, min_tokens, min_df, max_df
        Paragraph and vocabulary filters, see :func:`paragraph_matrix` (defaults True, True, 2,
        None, ("closing",), 5, 2, 0.8).

    Returns
    -------
    TopicModel

    Raises
    ------
    ValueError
        When fewer than two paragraphs or terms are left after filtering (too little text to
        find topics); the message gives the counts and which filter to relax.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    counts, paragraphs, terms = paragraph_matrix(
        tokens, units, stop=stop, boilerplate=boilerplate, min_chars=min_chars, pos=pos,
        exclude_roles=exclude_roles, min_tokens=min_tokens, min_df=min_df, max_df=max_df)
    n_par, n_terms = counts.shape
    if n_par < 2 or n_terms < 2:
        raise ValueError(f"too little text for topics: {n_par} paragraphs with at least "
                         f"{min_tokens} kept tokens and {n_terms} terms in at least {min_df} of "
                         f"them; lower min_tokens or min_df")
    k_requested = k
    k = default_k(n_par) if k is None else int(k)
    if k < 1:
        raise ValueError(f"k must be a positive number of topics, got {k}")
    k = min(k, n_par, n_terms)
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts.astype(np.float64))
    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=max_iter)
    with np.errstate(all="ignore"):
        W = model.fit_transform(tfidf)
    H = model.components_

    n_tok = paragraphs["n_tokens"].to_numpy(dtype=float)
    row_sum = W.sum(axis=1, keepdims=True)
    theta = np.divide(W, row_sum, out=np.zeros_like(W), where=row_sum > 0)
    size = n_tok @ theta  # Σ_p n_p θ_pt: the topic's share of the modelled tokens
    order = np.argsort(-size, kind="stable")  # T1 = the largest topic
    W, H, theta, size = W[:, order], H[order], theta[:, order], size[order]
    topic_ids = np.arange(1, k + 1)

    # terms per topic
    term_rows = []
    for t in range(k):
        weights = H[t]
        top = np.argsort(-weights, kind="stable")[:top_n]
        top = top[weights[top] > 0]
        scale = weights[top[0]] if len(top) else 1.0
        for rank, j in enumerate(top, start=1):
            term_rows.append((t + 1, rank, terms[j], float(weights[j] / scale)))
    term_table = pd.DataFrame(term_rows, columns=["topic", "rank", "term", "weight"])
    tops = term_table.groupby("topic")["term"].agg(list).reindex(topic_ids)
    tops = tops.apply(lambda x: x if isinstance(x, list) else [])
    labels = {t: f"T{t} · " + "/".join(words[:3]) for t, words in tops.items()}
    term_table.insert(1, "label", term_table["topic"].map(labels))

    # paragraph proportions
    long = paragraphs.loc[paragraphs.index.repeat(k)].reset_index(drop=True)
    long["topic"] = np.tile(topic_ids, n_par)
    long["weight"] = theta.ravel()
    long = long[np.repeat(row_sum.ravel() > 0, k)].reset_index(drop=True)

    # topic table with typical paragraph
    best = W.argmax(axis=0)
    dominant = np.bincount(theta.argmax(axis=1)[row_sum.ravel() > 0], minlength=k)
    topics = pd.DataFrame({
        "topic": topic_ids,
        "label": [labels[t] for t in topic_ids],
        "top_terms": ["、".join(tops[t]) for t in topic_ids],
        "weight_share": size / size.sum() if size.sum() > 0 else np.zeros(k),
        "n_paragraphs": dominant.astype("int64"),
        "doc_id": paragraphs["doc_id"].to_numpy()[best],
        "para_id": paragraphs["para_id"].to_numpy()[best],
        "loading": W[best, np.arange(k)],
    })
    topics["text"] = pd.array([pd.NA] * k, dtype="string")
    if units is not None:
        wanted = topics[["doc_id", "para_id"]].drop_duplicates()
        u = units.assign(doc_id=units["doc_id"].astype(str)).merge(wanted, on=["doc_id", "para_id"])
        if "is_heading" in u:
            u = u[~u["is_heading"].astype(bool)]
        text = u.groupby(["doc_id", "para_id"], sort=False)["text"].agg("".join)
        topics["text"] = pd.array(text.reindex(pd.MultiIndex.from_frame(
            topics[["doc_id", "para_id"]])).to_numpy(), dtype="string")

    params = {"k": int(k), "k_requested": k_requested, "random_state": random_state,
              "min_df": min_df, "max_df": max_df, "min_tokens": min_tokens,
              "n_paragraphs": int(n_par), "n_terms": int(n_terms),
              "reconstruction_err": float(model.reconstruction_err_)}
    return TopicModel(topics=topics, terms=term_table, paragraphs=long, params=params)


def topic_mix(model: TopicModel, documents: pd.DataFrame, *, by: str = "doc_id") -> pd.DataFrame:
    """The topic mix of each group: which topics its paragraphs are about.

    Parameters
    ----------
    model : TopicModel
        From :func:`fit_topics`.
    documents : DataFrame
        The documents table, for the grouping column.
    by : str, default "doc_id"
        Grouping column of ``documents``.

    Returns
    -------
    DataFrame
        One row per topic and group: ``topic, label, group, weight, n_tokens, n_paragraphs,
        share`` where ``weight = Σ_p n_p θ_pt`` (paragraph proportions weighted by kept tokens),
        ``n_tokens`` the group's modelled tokens, ``n_paragraphs`` its modelled paragraphs and
        ``share = weight / n_tokens`` (sums to 1 over the topics of a group; NA for a group
        with no modelled paragraph).
    """
    p = attach_group(model.paragraphs, documents, by)
    p["w"] = p["weight"] * p["n_tokens"]
    groups = group_order(documents, by)
    topics = model.topics["topic"].tolist()
    grid = pd.MultiIndex.from_product([topics, groups], names=["topic", "group"])
    out = p.groupby(["topic", "group"])["w"].sum().reindex(grid, fill_value=0.0).rename("weight")
    out = out.reset_index()
    per_par = p.drop_duplicates(["doc_id", "para_id"])
    n_tok = per_par.groupby("group")["n_tokens"].sum()
    n_par = per_par.groupby("group").size()
    out["group"] = out["group"].astype(str)
    out["n_tokens"] = out["group"].map(n_tok).fillna(0).astype("int64")
    out["n_paragraphs"] = out["group"].map(n_par).fillna(0).astype("int64")
    out["share"] = (out["weight"] / out["n_tokens"].where(out["n_tokens"] > 0)).astype("Float64")
    out.insert(1, "label", out["topic"].map(model.topics.set_index("topic")["label"]))
    return out[["topic", "label", "group", "weight", "n_tokens", "n_paragraphs", "share"]]


def topic_theme_overlap(model: TopicModel, hits: pd.DataFrame, *,
                        codebook: Any = None) -> pd.DataFrame:
    """How much each topic's paragraphs touch each codebook theme.

    For topic *t* and theme *c*, with θ_pt the proportion of topic *t* in paragraph *p* and
    ``touch(p, c)`` = 1 when a sentence of *p* matches theme *c*:

    * ``overlap = Σ_p θ_pt touch(p, c) / Σ_p θ_pt`` — the topic-weighted share of paragraphs
      that touch the theme (0..1);
    * ``base`` — the share of all modelled paragraphs that touch the theme;
    * ``lift = overlap / base`` — above 1, the theme is more present in this topic's
      paragraphs than in the corpus at large.

    Parameters
    ----------
    model : TopicModel
        From :func:`fit_topics`.
    hits : DataFrame
        From :func:`tifa.analyze.themes.code_sentences` (uses ``doc_id, para_id, theme``).
    codebook : see :func:`tifa.analyze.themes.load_codebook`, default None
        Themes and their order.

    Returns
    -------
    DataFrame
        One row per topic and theme: ``topic, label, theme, overlap, base, lift, weight``
        (``weight`` = Σ_p θ_pt, the topic's paragraph weight).
    """
    themes = theme_order(hits, codebook)
    par = model.paragraphs.drop_duplicates(["doc_id", "para_id"])[["doc_id", "para_id"]]
    par_index = pd.MultiIndex.from_frame(par.assign(doc_id=par["doc_id"].astype(str)))
    h = hits[["doc_id", "para_id", "theme"]].drop_duplicates()
    rows = par_index.get_indexer(pd.MultiIndex.from_frame(
        h[["doc_id", "para_id"]].assign(doc_id=h["doc_id"].astype(str))))
    cols = pd.Index(themes).get_indexer(h["theme"].astype(str))
    ok = (rows >= 0) & (cols >= 0)
    touch = np.zeros((len(par_index), len(themes)))
    touch[rows[ok], cols[ok]] = 1.0
    topics = model.topics["topic"].to_numpy()
    theta = (model.paragraphs.pivot_table(index=["doc_id", "para_id"], columns="topic",
                                          values="weight", aggfunc="sum")
             .reindex(par_index).reindex(columns=topics).fillna(0.0).to_numpy())
    weight = theta.sum(axis=0)
    overlap = np.divide(theta.T @ touch, weight[:, None], out=np.full((len(topics), len(themes)),
                        np.nan), where=weight[:, None] > 0)
    base = touch.mean(axis=0) if len(touch) else np.zeros(len(themes))
    lift = np.divide(overlap, base[None, :], out=np.full_like(overlap, np.nan),
                     where=base[None, :] > 0)
    out = pd.DataFrame({
        "topic": np.repeat(topics, len(themes)),
        "theme": np.tile(np.asarray(themes, dtype=object), len(topics)),
        "overlap": overlap.ravel(),
        "base": np.tile(base, len(topics)),
        "lift": lift.ravel(),
        "weight": np.repeat(weight, len(themes)),
    })
    out.insert(1, "label", out["topic"].map(model.topics.set_index("topic")["label"]))
    out["theme"] = out["theme"].astype(str)
    return out


def topic_correspondence(model: TopicModel, hits: pd.DataFrame, *, codebook: Any = None,
                         min_overlap: float = 0.3, min_lift: float = 1.2) -> pd.DataFrame:
    """Which theme each topic corresponds to, and which topics the codebook lacks.

    A theme *qualifies* for a topic when ``overlap >= min_overlap`` and ``lift >= min_lift``
    (see :func:`topic_theme_overlap`: at least that share of the topic's paragraph weight
    touches the theme, and more than in the corpus at large). The topic matches the qualifying
    theme with the largest overlap; the other qualifying themes are listed in ``also``. A topic
    with no qualifying theme is one the codebook lacks: its paragraphs are about something no
    theme singles out (or about report boilerplate).

    Parameters
    ----------
    model : TopicModel
        From :func:`fit_topics`.
    hits : DataFrame
        From :func:`tifa.analyze.themes.code_sentences`.
    codebook : see :func:`tifa.analyze.themes.load_codebook`, default None
        Themes and their order.
    min_overlap : float, default 0.3
        Least topic-weighted share of paragraphs touching the theme.
    min_lift : float, default 1.2
        Least ``overlap / base``.

    Returns
    -------
    DataFrame
        One row per topic: ``topic, label, top_terms, theme`` (NA when none qualifies),
        ``overlap, lift`` of that theme (of the largest-overlap theme when none qualifies),
        ``also`` (other qualifying themes joined with ``|``, by overlap),
        ``uncoded`` = ``Σ_p θ_pt [p touches no theme] / Σ_p θ_pt`` (the topic-weighted share of
        its paragraphs that no theme touches) and ``verdict``: ``matches`` or
        ``not in codebook``.
    """
    o = topic_theme_overlap(model, hits, codebook=codebook)
    o["ok"] = (o["overlap"] >= min_overlap) & (o["lift"] >= min_lift)
    o = o.sort_values(["topic", "ok", "overlap", "lift"],
                      ascending=[True, False, False, False], kind="stable")
    best = o.drop_duplicates("topic").set_index("topic")
    rest = o[o["ok"]].drop(index=o[o["ok"]].drop_duplicates("topic").index)
    also = rest.groupby("topic")["theme"].agg("|".join)
    out = model.topics[["topic", "label", "top_terms"]].copy()
    out["theme"] = pd.array(out["topic"].map(best["theme"].where(best["ok"])), dtype="string")
    out["overlap"] = out["topic"].map(best["overlap"]).astype(float)
    out["lift"] = out["topic"].map(best["lift"]).astype(float)
    out["also"] = pd.array(out["topic"].map(also), dtype="string").fillna("")
    out["uncoded"] = out["topic"].map(_topic_uncoded(model, hits)).astype(float)
    out["verdict"] = np.where(out["theme"].notna(), "matches", "not in codebook")
    return out


def _topic_uncoded(model: TopicModel, hits: pd.DataFrame) -> pd.Series:
    """Per topic: Σ_p θ_pt [p touches no theme] / Σ_p θ_pt."""
    coded = hits[["doc_id", "para_id"]].drop_duplicates().assign(
        doc_id=lambda d: d["doc_id"].astype(str), _coded=True)
    p = model.paragraphs.assign(doc_id=model.paragraphs["doc_id"].astype(str)).merge(
        coded, on=["doc_id", "para_id"], how="left")
    p["_un"] = p["_coded"].isna().astype(float) * p["weight"]
    g = p.groupby("topic")
    return (g["_un"].sum() / g["weight"].sum()).rename("uncoded")
