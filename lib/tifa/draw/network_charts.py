"""The co-occurrence network of notebook 01_keywords: node and edge tables in, a Figure out.

:func:`cooccurrence_network` draws the graph that :func:`tifa.analyze.cooccurrence.network`
selected: it computes no association and finds no community (both are columns of the tables);
it only lays the graph out (networkx's spring layout, seeded, so the same tables give the same
picture) and keeps the labels apart (adjustText).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from tifa.draw import style
from tifa.draw.charts import (LABEL_ROUNDS, adjust_labels, legend_at_bottom, require_columns, start_figure,
                              truncate_label)

__all__ = ["cooccurrence_network", "BETWEEN_COLOR"]

#: Colour of an edge whose ends lie in different communities.
BETWEEN_COLOR = "#bbbbbb"


def _scaled(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``values`` mapped linearly onto [lo, hi] (all ``hi`` when they are equal)."""
    v = np.asarray(values, dtype=float)
    span = float(v.max() - v.min()) if v.size else 0.0
    if span <= 0:
        return np.full(v.shape, hi)
    return lo + (v - v.min()) / span * (hi - lo)


def _layout(graph, *, seed: int, aspect: float = 1.7) -> dict:
    """Positions of the nodes: each connected part laid out on its own (Kamada-Kawai, spring
    for large parts), scaled by the square root of its size, and the parts packed in rows, the
    largest first, so that no part is pushed to the edge and none is a dot in a corner."""
    import networkx as nx

    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    placed = []
    for part in parts:
        nodes = sorted(part)
        if len(nodes) == 1:
            local = {nodes[0]: np.zeros(2)}
        elif len(nodes) == 2:
            local = {nodes[0]: np.array([-1.0, 0.0]), nodes[1]: np.array([1.0, 0.0])}
        elif len(nodes) <= 60:
            local = nx.kamada_kawai_layout(graph.subgraph(nodes))
        else:
            local = nx.spring_layout(graph.subgraph(nodes), seed=seed, weight="weight")
        xy = np.array([local[t] for t in nodes], dtype=float)
        xy -= xy.mean(axis=0)
        extent = float(np.abs(xy).max()) or 1.0
        xy = xy / extent * len(nodes) ** 0.65 * 0.45
        placed.append((nodes, xy))
    total = sum((np.ptp(xy[:, 0]) + 1.2) * (np.ptp(xy[:, 1]) + 1.2) for _, xy in placed)
    row_width = max(np.sqrt(total * aspect), max(np.ptp(xy[:, 0]) + 1.2 for _, xy in placed))
    pos, x, y, row_height = {}, 0.0, 0.0, 0.0
    for nodes, xy in placed:
        w, h = np.ptp(xy[:, 0]) + 1.2, np.ptp(xy[:, 1]) + 1.2
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y - row_height, 0.0
        shift = np.array([x - xy[:, 0].min() + 0.6, y - xy[:, 1].max() - 0.6])
        for t, p in zip(nodes, xy + shift):
            pos[t] = p
        x += w
        row_height = max(row_height, h)
    return pos


def cooccurrence_network(nodes: pd.DataFrame, edges: pd.DataFrame, *, measure: str = "g2",
                         title: str = "共现网络", subtitle: str | None = None,
                         source: str | None = None, label_chars: int = 8,
                         max_legend: int = 6, seed: int = 0,
                         figsize: tuple[float, float] | None = None) -> Figure:
    """Terms as nodes (size: units containing the term; colour: community), pairs as edges.

    Edges are drawn wider the stronger the pair (``measure``) and in the colour of their
    community, grey when they join two communities. Every node is labelled; labels are moved
    apart with adjustText so they do not overlap one another or the nodes. A legend names the
    largest communities by their most frequent terms.

    Parameters
    ----------
    nodes : DataFrame
        :attr:`tifa.analyze.cooccurrence.Network.nodes`: ``term, n_units, community``.
    edges : DataFrame
        :attr:`tifa.analyze.cooccurrence.Network.edges`: ``term_a, term_b, community`` and
        ``measure``.
    measure : str, default "g2"
        Edge column that sets the edge width (and pulls the layout).
    title : str, default "共现网络"
        Figure title.
    subtitle : str or None, default None
        What was counted (unit, measure, thresholds).
    source : str or None, default None
        Source line.
    label_chars : int, default 8
        Longest node label in Chinese characters.
    max_legend : int, default 6
        Communities named in the legend (the largest).
    seed : int, default 0
        Seed of the layout.
    figsize : (float, float) or None, default None
        Inches; None: 10 × 7.5.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import networkx as nx

    require_columns(nodes, ["term", "n_units", "community"], "cooccurrence_network")
    require_columns(edges, ["term_a", "term_b", "community", measure], "cooccurrence_network")
    empty = nodes.empty or edges.empty
    fig = start_figure(width=10.0, body_height=6.6 if style.current_size() == "slide" else 8.0,
                       title=title, subtitle=subtitle,
                       source=source, figsize=figsize,
                       empty="没有显著的共现词对" if empty else False)
    if empty:
        return fig
    terms = nodes["term"].astype(str).tolist()
    graph = nx.Graph()
    graph.add_nodes_from(terms)
    strength = _scaled(edges[measure].to_numpy(dtype=float), 0.3, 1.0)
    for a, b, w in zip(edges["term_a"].astype(str), edges["term_b"].astype(str), strength):
        graph.add_edge(a, b, weight=float(w))
    pos = _layout(graph, seed=seed)
    communities = sorted(pd.unique(nodes["community"].astype(int)))
    palette = style.group_colors(communities)  # community 1 (the largest) gets the first colour
    community = dict(zip(terms, nodes["community"].astype(int)))

    ax = fig.add_subplot()
    ax.set_axis_off()
    for (a, b, c, w) in zip(edges["term_a"].astype(str), edges["term_b"].astype(str),
                            edges["community"].astype(int), strength):
        (xa, ya), (xb, yb) = pos[a], pos[b]
        ax.plot([xa, xb], [ya, yb], color=palette.get(c, BETWEEN_COLOR) if c else BETWEEN_COLOR,
                linewidth=0.6 + 3.0 * w, alpha=0.55 if c else 0.7, zorder=1,
                solid_capstyle="round")
    xy = np.array([pos[t] for t in terms])
    sizes = _scaled(np.sqrt(nodes["n_units"].to_numpy(dtype=float)), 60.0, 900.0)
    colors = [palette[community[t]] for t in terms]
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colors, edgecolors="white", linewidths=1.0,
               zorder=2)
    pad = 0.5
    ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)

    # the legend: the largest communities by their most frequent terms
    handles = []
    for c in communities[:max_legend]:
        members = nodes[nodes["community"].astype(int) == c].sort_values(
            "n_units", ascending=False, kind="stable")["term"].astype(str).head(3).tolist()
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=8,
                              markerfacecolor=palette[c], markeredgecolor="white",
                              label=f"词群 {len(handles) + 1}："
                              + "、".join(truncate_label(m, 12) for m in members)))
    if handles:
        # across the foot: a legend at the side would take a third of an A4 figure's width
        if len(communities) > len(handles):
            handles[-1].set_label(handles[-1].get_label()
                                  + f"（共 {len(communities)} 个词群，图例列出最大的 {len(handles)} 个）")
        legend_at_bottom(fig, handles)

    fig.draw_without_rendering()  # fix the layout before the labels move
    fig.set_layout_engine("none")
    texts = [ax.text(x, y, truncate_label(t, 2 * label_chars), fontsize=10, color="#222222",
                     ha="center", va="center", zorder=4)
             for (x, y), t in zip(xy, terms)]

    adjust_labels(texts, x=xy[:, 0], y=xy[:, 1], ax=ax, expand=(1.15, 1.35),
                  force_text=(0.3, 0.5), force_static=(0.3, 0.5), ensure_inside_axes=True,
                  time_lim=None, iter_lim=LABEL_ROUNDS, arrowprops=dict(arrowstyle="-", color="#999999", linewidth=0.5))
    return fig
