"""Terms that occur in the same sentence more often than chance: the co-occurrence network.

Which words and formulations travel together? For every pair of terms, count the sentences
(or paragraphs) that contain both, and compare with what chance predicts from how many contain
each. The unit is the sentence by default: 依法 and 行政 in one sentence are a pair, wherever
they sit in it (for pairs within a few words of each other, see
:func:`tifa.analyze.frequency.collocations`).

For terms *a* and *b* of a group with N units, of which n_a contain *a*, n_b contain *b* and
n_ab contain both (each unit counted once, however often a term occurs in it):

* ``expected`` = n_a × n_b / N: units with both if the terms were independent;
* ``pmi`` = log2(n_ab / expected) (pointwise mutual information: 1 = twice as often as
  chance; it favours rare pairs, hence ``min_count``);
* ``npmi`` = pmi / −log2(n_ab / N), between −1 and 1 (Bouma 2009): comparable across corpora;
* ``g2``: Dunning's log-likelihood of the 2×2 table of units (with *a* / without *a*) ×
  (with *b* / without *b*), signed (:func:`tifa.analyze.compare.keyness_stats`), and its
  ``p`` (χ², 1 degree of freedom): how sure one can be that the pair is not chance.

Only pairs seen together in at least ``min_count`` units and more often than chance
(``n_ab > expected``) are listed; the terms are the ``max_terms`` found in the most units
(after the stopword, boilerplate and length filters of the tokens), so the table stays small
for 5,000 reports.

:func:`network` turns the table into a graph (networkx) of at most ``max_nodes`` terms: the
strongest significant pairs, with communities (Louvain modularity; a community is a set of
terms more linked among themselves than to the rest) — the nodes and edges the chart
:func:`tifa.draw.network_charts.cooccurrence_network` draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from tifa.analyze.compare import keyness_stats
from tifa.analyze.frequency import document_term_matrix
from tifa.analyze.measures import empty_table, rank_within

__all__ = ["cooccurrence", "network", "Network", "COOCCURRENCE", "NODES", "EDGES", "MEASURES"]

#: Columns of :func:`cooccurrence` (``tables/cooccurrence.csv``).
#:
#: term_a, term_b   the pair (``term_a`` is found in more units)
#: group            the group (``by=``), or 全部 for the pooled corpus
#: n_ab             units (sentences) containing both
#: n_a, n_b         units containing each
#: n_units          units of the group
#: expected         n_a × n_b / n_units
#: pmi, npmi, g2, p the association measures (module docstring)
#: rank             1 = strongest pair of its group by the sort measure
COOCCURRENCE = ["term_a", "term_b", "group", "n_ab", "n_a", "n_b", "n_units", "expected",
                "pmi", "npmi", "g2", "p", "rank"]

#: Measures :func:`cooccurrence` and :func:`network` can rank by.
MEASURES = ("g2", "pmi", "npmi", "n_ab")

#: Columns of :attr:`Network.nodes`.
#:
#: term        the node
#: n_units     units containing it (node size)
#: degree      edges kept at the node
#: strength    sum of the ranking measure over those edges
#: community   1, 2 … by size (1 = largest); terms of one community are linked more among
#:             themselves than to the rest
#: community_size  terms in its community
NODES = ["term", "group", "n_units", "degree", "strength", "community", "community_size"]

#: Columns of :attr:`Network.edges`: the rows of :data:`COOCCURRENCE` kept, plus
#: ``community`` (the community of both ends, 0 when they differ).
EDGES = COOCCURRENCE + ["community"]


@dataclass
class Network:
    """The graph :func:`network` selected: nodes and edges, as tables (and the measure)."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    measure: str = "g2"


def _empty() -> pd.DataFrame:
    return empty_table(COOCCURRENCE, {"term_a": "string", "term_b": "string", "group": "string",
                                      "n_ab": "int64", "n_a": "int64", "n_b": "int64",
                                      "n_units": "int64", "rank": "int64"}, default="float64")


def cooccurrence(tokens: pd.DataFrame, documents: pd.DataFrame | None = None, *,
                 by: str | None = None, unit: str = "sentence", min_count: int = 3,
                 max_terms: int = 300, sort: str = "g2", stop: bool = True,
                 boilerplate: bool = True, min_chars: int = 2,
                 pos: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Pairs of terms found in the same sentence more often than chance, per group.

    Parameters
    ----------
    tokens : DataFrame
        The tidy tokens table (schemas.TOKENS).
    documents : DataFrame or None, default None
        The documents table (needed to group by a metadata column).
    by : str or None, default None
        Grouping column: one network per group; None pools the corpus (group 全部).
    unit : {"sentence", "paragraph", "section", "document"}, default "sentence"
        What "together" means.
    min_count : int, default 3
        Units in which both terms must occur (and units in which a term must occur to be
        considered at all).
    max_terms : int, default 300
        Terms considered per group: those found in the most units (ties by term).
    sort : {"g2", "pmi", "npmi", "n_ab"}, default "g2"
        Ranking within each group, strongest first.
    stop, boilerplate : bool, default True
        Leave out stopwords / report boilerplate (工作, 开展, 加强 …).
    min_chars : int, default 2
        Leave out shorter terms.
    pos : tuple of str or None, default None
        Keep only terms with these part-of-speech prefixes (e.g. ``("n", "v")``).

    Returns
    -------
    DataFrame
        :data:`COOCCURRENCE`, sorted by group then ``sort`` (descending): only pairs with
        ``n_ab >= min_count`` and ``n_ab > expected``.
    """
    if sort not in MEASURES:
        raise ValueError(f"sort must be one of {MEASURES}, got {sort!r}")
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    if tokens.empty:
        return _empty()
    dtm = document_term_matrix(tokens, documents, unit=unit, by=by, stop=stop,
                               boilerplate=boilerplate, min_chars=min_chars, pos=pos)
    present = dtm.matrix.copy()
    present.data = np.ones_like(present.data)
    terms = np.asarray(dtm.terms, dtype=object)
    frames = []
    row_groups = dtm.rows["group"].astype(str).to_numpy()
    for group in pd.unique(row_groups):
        rows = np.flatnonzero(row_groups == group)
        frames.append(_group_pairs(present[rows], terms, str(group), min_count=min_count,
                                   max_terms=max_terms))
    out = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else _empty().drop(columns="rank")
    if out.empty:
        return _empty()
    out = rank_within(out, sort, tiebreak=["term_a", "term_b"])
    for col in ("term_a", "term_b", "group"):
        out[col] = out[col].astype("string")
    return out[COOCCURRENCE]


def _group_pairs(x: sparse.csr_matrix, terms: np.ndarray, group: str, *, min_count: int,
                 max_terms: int) -> pd.DataFrame:
    n_units = x.shape[0]
    df = np.asarray(x.sum(axis=0)).ravel()
    candidates = np.flatnonzero(df >= min_count)
    if len(candidates) < 2:
        return pd.DataFrame()
    # the max_terms terms in the most units; ties by term (terms are sorted, so by column)
    order = candidates[np.lexsort((candidates, -df[candidates]))][:max_terms]
    sub = x[:, order].tocsc()
    co = (sub.T @ sub).tocoo()
    keep = (co.row < co.col) & (co.data >= min_count)
    i, j, n_ab = co.row[keep], co.col[keep], co.data[keep].astype(float)
    n_a, n_b = df[order][i].astype(float), df[order][j].astype(float)
    expected = n_a * n_b / n_units
    above = n_ab > expected
    i, j, n_ab, n_a, n_b, expected = (v[above] for v in (i, j, n_ab, n_a, n_b, expected))
    if len(i) == 0:
        return pd.DataFrame()
    stats = keyness_stats(n_ab, n_b - n_ab, n_a, n_units - n_a)
    pmi = np.log2(n_ab / expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.log2(n_ab / n_units)
        npmi = np.where(h > 0, pmi / np.where(h > 0, h, 1.0), 1.0)
    return pd.DataFrame({
        "term_a": terms[order][i], "term_b": terms[order][j], "group": group,
        "n_ab": n_ab.astype("int64"), "n_a": n_a.astype("int64"), "n_b": n_b.astype("int64"),
        "n_units": np.full(len(i), n_units, dtype="int64"), "expected": expected,
        "pmi": pmi, "npmi": npmi, "g2": stats["g2"], "p": stats["p"],
    })


def network(edges: pd.DataFrame, *, group: str | None = None, max_nodes: int = 40,
            max_edges: int | None = None, measure: str = "g2", p: float = 0.001,
            seed: int = 0) -> Network:
    """The strongest pairs of a co-occurrence table as a graph with communities.

    Pairs are taken strongest first (by ``measure``) among those significant at ``p``; a
    pair's terms join the graph while it has room for them, up to ``max_nodes`` terms. Then
    the strongest ``max_edges`` pairs among the chosen terms are the edges, and communities
    are found by Louvain modularity (networkx, weighted by ``measure``, seeded).

    Parameters
    ----------
    edges : DataFrame
        :func:`cooccurrence` output.
    group : str or None, default None
        The group whose network is built; None: the first group of the table.
    max_nodes : int, default 40
        Most terms in the graph.
    max_edges : int or None, default None
        Most edges; None: 2.5 × ``max_nodes``.
    measure : {"g2", "pmi", "npmi", "n_ab"}, default "g2"
        Strength of a pair: chooses the pairs and weighs the communities.
    p : float, default 0.001
        Only pairs with ``p`` below this are used (G²'s p-value; many pairs are tested).
    seed : int, default 0
        Seed of the community detection (the same table gives the same communities).

    Returns
    -------
    Network
        ``nodes`` (:data:`NODES`, largest community first, then by ``n_units``) and ``edges``
        (:data:`EDGES`, strongest first).
    """
    import networkx as nx

    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    max_edges = int(round(2.5 * max_nodes)) if max_edges is None else int(max_edges)
    empty_nodes = empty_table(NODES, {"term": "string", "group": "string", "n_units": "int64",
                                      "degree": "int64", "strength": "float64",
                                      "community": "int64", "community_size": "int64"})
    if edges.empty:
        return Network(nodes=empty_nodes, edges=edges.assign(community=pd.Series(dtype="int64")),
                       measure=measure)
    group = str(edges["group"].iloc[0]) if group is None else str(group)
    sub = edges[(edges["group"].astype(str) == group) & (edges["p"] < p)]
    sub = sub.sort_values([measure, "term_a", "term_b"], ascending=[False, True, True],
                          kind="stable")
    chosen: dict[str, None] = {}
    for a, b in zip(sub["term_a"].astype(str), sub["term_b"].astype(str)):
        new = [t for t in (a, b) if t not in chosen]
        if len(chosen) + len(new) <= max_nodes:
            chosen.update(dict.fromkeys(new))
        if len(chosen) >= max_nodes:
            break
    kept = sub[sub["term_a"].astype(str).isin(chosen) & sub["term_b"].astype(str).isin(chosen)]
    kept = kept.head(max_edges).reset_index(drop=True)
    if kept.empty:
        return Network(nodes=empty_nodes, edges=kept.assign(community=pd.Series(dtype="int64")),
                       measure=measure)
    graph = nx.Graph()
    for a, b, w in zip(kept["term_a"].astype(str), kept["term_b"].astype(str), kept[measure]):
        graph.add_edge(a, b, weight=float(max(w, 1e-9)))
    freq = pd.concat([pd.Series(kept["n_a"].to_numpy(), index=kept["term_a"].astype(str)),
                      pd.Series(kept["n_b"].to_numpy(), index=kept["term_b"].astype(str))])
    freq = freq[~freq.index.duplicated()]
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    found = sorted(found, key=lambda c: (-len(c), -max(freq[t] for t in c), min(c)))
    community = {t: k for k, members in enumerate(found, start=1) for t in members}
    sizes = {k: len(members) for k, members in enumerate(found, start=1)}
    nodes = pd.DataFrame({"term": list(graph.nodes)})
    nodes["group"] = group
    nodes["n_units"] = nodes["term"].map(freq).astype("int64")
    nodes["degree"] = nodes["term"].map(dict(graph.degree())).astype("int64")
    nodes["strength"] = nodes["term"].map(dict(graph.degree(weight="weight"))).astype(float)
    nodes["community"] = nodes["term"].map(community).astype("int64")
    nodes["community_size"] = nodes["community"].map(sizes).astype("int64")
    nodes = nodes.sort_values(["community", "n_units", "term"], ascending=[True, False, True],
                              kind="stable").reset_index(drop=True)
    for col in ("term", "group"):
        nodes[col] = nodes[col].astype("string")
    ca = kept["term_a"].astype(str).map(community)
    cb = kept["term_b"].astype(str).map(community)
    kept = kept.assign(community=np.where(ca == cb, ca, 0).astype("int64"))
    return Network(nodes=nodes[NODES], edges=kept[EDGES], measure=measure)
