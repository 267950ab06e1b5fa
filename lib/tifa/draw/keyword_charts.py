"""Charts of notebooks 01_keywords and 02_tfidf: tables in, a matplotlib Figure out.

Like :mod:`tifa.draw.charts` (whose frame, fonts and helpers these charts share), nothing here
computes a statistic: the tables from :mod:`tifa.analyze.frequency` and :mod:`tifa.analyze.compare` already hold
the counts, rates and scores; a chart only chooses which rows to show (top ``n``, the first
``max_panels`` groups) and draws them. Every figure has a title, an optional subtitle (say what
was counted and which filters were applied) and an optional source line; group colours come from
:func:`tifa.draw.style.group_colors` unless a mapping is passed.

=========================  ==================================================================
:func:`compare_top_bars`   the top terms of every group on one shared term axis
:func:`wordcloud_grid`     one word cloud per group, in the group's colour
:func:`comparison_cloud`   each term in the colour of the group that over-uses it
:func:`shared_cloud`       the terms all groups share
:func:`keyness_bars`       diverging keyness bars, target against reference
:func:`similarity_heatmap` cosine similarities, with a dendrogram when clustered
:func:`rate_scatter`       rate in A against rate in B, log axes, distinctive terms labelled
=========================  ==================================================================
"""

from __future__ import annotations

import math
from typing import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from tifa.draw import style
from tifa.draw.charts import (LABEL_ROUNDS, adjust_labels, cloud_layout, fit_column_labels, format_number, join_notes,
                              legend_columns, require_columns, shorten_group, start_figure,
                              truncate_label)
from tifa.schemas import REST

#: Colour of a reference that pools several groups, and of terms that are not distinctive.
NEUTRAL = "#9a9a9a"

#: Colour of the shared-terms cloud.
SHARED_COLOR = "#4f6d7a"

__all__ = ["compare_top_bars", "wordcloud_grid", "comparison_cloud", "shared_cloud",
           "keyness_bars", "similarity_heatmap", "rate_scatter", "NEUTRAL", "SHARED_COLOR"]


def _palette(groups, colors: Mapping | None) -> dict:
    return dict(colors) if colors is not None else style.group_colors(groups)


def _freeze_layout(fig: Figure) -> None:
    """Run the constrained layout once, then keep it: later additions (moved labels) stay put."""
    fig.draw_without_rendering()
    fig.set_layout_engine("none")


# ---------------------------------------------------------------------------- top terms

def compare_top_bars(table: pd.DataFrame, *, value: str = "per_10k", max_terms: int = 30,
                     colors: Mapping | None = None, title: str = "各组高频词对照",
                     subtitle: str | None = None, source: str | None = None,
                     value_label: str | None = "每万词出现次数", label_chars: int = 10,
                     figsize: tuple[float, float] | None = None) -> Figure:
    """Top terms of all groups on one shared term axis: how much each group uses each of them.

    Up to four groups get grouped horizontal bars; more groups get a dot plot (one dot per
    group on each term's line, a grey line from the lowest to the highest rate), which stays
    readable with a dozen groups. A term a group never uses is drawn at 0.

    Parameters
    ----------
    table : DataFrame
        :func:`tifa.analyze.frequency.compare_top` output: ``term, group, order`` and ``value``.
    value : str, default "per_10k"
        Column drawn.
    max_terms : int, default 30
        Terms drawn (the first by ``order``).
    colors : mapping or None, default None
        ``{group: colour}``; None uses :func:`tifa.draw.style.group_colors`.
    title : str, default "各组高频词对照"
        Figure title.
    subtitle : str or None, default None
        What was counted and which filters (shown under the title).
    source : str or None, default None
        Source line at the bottom.
    value_label : str or None, default "每万词出现次数"
        Value axis label (None: the column name).
    label_chars : int, default 10
        Longest term label in Chinese characters (longer ones end in '…').
    figsize : (float, float) or None, default None
        Inches; None sizes by the number of terms and groups.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(table, ["term", "group", "order", value], "compare_top_bars")
    terms = (table[["term", "order"]].drop_duplicates("term").sort_values("order", kind="stable")
             ["term"].head(max_terms).tolist())
    groups = list(dict.fromkeys(table["group"].tolist()))
    n_t, n_g = len(terms), len(groups)
    if table["term"].nunique() > max_terms:
        subtitle = join_notes(subtitle, f"显示前 {max_terms} 个词（共 {table['term'].nunique()} 个）")
    dots = n_g > 4
    row_h = 0.34 if dots else max(0.34, 0.2 * n_g + 0.1)
    fig = start_figure(width=10.0, body_height=max(3.0, row_h * n_t + 1.4), title=title,
                       subtitle=subtitle, source=source, figsize=figsize, empty=not terms)
    if not terms:
        return fig
    palette = _palette(groups, colors)
    ax = fig.add_subplot()
    grid = (table[table["term"].isin(terms)]
            .pivot_table(index="term", columns="group", values=value, aggfunc="first")
            .reindex(index=terms, columns=groups).fillna(0.0))
    y = np.arange(n_t)
    if dots:
        lo, hi = grid.min(axis=1).to_numpy(), grid.max(axis=1).to_numpy()
        ax.hlines(y, lo, hi, color="#cccccc", linewidth=1.2, zorder=1)
        for g in groups:
            ax.scatter(grid[g].to_numpy(), y, s=34, color=palette.get(g, NEUTRAL), zorder=2,
                       label=shorten_group(g, 24), edgecolors="white", linewidths=0.5)
    else:
        h = 0.8 / n_g
        for i, g in enumerate(groups):
            ax.barh(y - 0.4 + h * (i + 0.5), grid[g].to_numpy(), height=h * 0.92,
                    color=palette.get(g, NEUTRAL), label=shorten_group(g, 24))
    ax.set_yticks(y, labels=[truncate_label(t, 2 * label_chars) for t in terms])
    ax.set_ylim(n_t - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, float(np.nanmax(grid.to_numpy())) * 1.05 or 1.0)
    ax.set_xlabel(value_label or value, color=style.MUTED)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=10, frameon=False,
              ncols=legend_columns([shorten_group(g, 24) for g in groups], fontsize=10),
              handlelength=1.2, columnspacing=1.2)
    return fig


# ---------------------------------------------------------------------------- clouds

def _cloud_image(freqs: dict[str, float], *, color_func, width: int, height: int,
                 max_words: int, random_state: int):
    return cloud_layout(freqs, color_func=color_func, width=width, height=height,
                        max_words=max_words, random_state=random_state).to_array()


def _frequencies(table: pd.DataFrame, term: str, value: str) -> dict[str, float]:
    vals = pd.to_numeric(table[value], errors="coerce")
    ok = vals.notna() & (vals > 0) & table[term].notna()
    sub = pd.DataFrame({"t": table.loc[ok, term].astype(str), "v": vals[ok].astype(float)})
    sub = sub.drop_duplicates("t")
    return dict(zip(sub["t"], sub["v"]))


def wordcloud_grid(freq: pd.DataFrame, *, value: str = "per_10k", n_words: int = 80,
                   groups: list[str] | None = None, max_panels: int = 6,
                   colors: Mapping | None = None, ncols: int | None = None,
                   title: str = "各组词云", subtitle: str | None = None,
                   source: str | None = None, random_state: int = 0,
                   figsize: tuple[float, float] | None = None) -> Figure:
    """One word cloud per group, each in its group's colour, sizes proportional to ``value``.

    Sizes are comparable within a panel only (each cloud scales to its own largest term);
    compare groups with :func:`compare_top_bars` or :func:`comparison_cloud`.

    Parameters
    ----------
    freq : DataFrame
        A :func:`tifa.analyze.frequency.term_frequencies` table (``term, group, rank`` and ``value``).
    value : str, default "per_10k"
        Column that sizes the words.
    n_words : int, default 80
        Words per cloud (the top ranks).
    groups : list of str or None, default None
        Groups to draw; None: every group in table order, at most ``max_panels``.
    max_panels : int, default 6
        Most clouds drawn (the subtitle says when groups are left out).
    colors : mapping or None, default None
        ``{group: colour}``; None uses :func:`tifa.draw.style.group_colors`.
    ncols : int or None, default None
        Clouds per row; None: 1 for one group, else 2 (3 from five groups).
    title : str, default "各组词云"
        Figure title.
    subtitle : str or None, default None
        What was counted and which filters.
    source : str or None, default None
        Source line.
    random_state : int, default 0
        Layout seed (same input, same picture).
    figsize : (float, float) or None, default None
        Inches; None: 12 wide, panels of aspect 16:10.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(freq, ["term", "group", value], "wordcloud_grid")
    all_groups = list(dict.fromkeys(freq["group"].tolist()))
    shown = [g for g in (groups if groups is not None else all_groups) if g in set(all_groups)]
    if len(shown) > max_panels:
        subtitle = join_notes(subtitle, f"仅显示 {max_panels} 组（共 {len(shown)} 组）")
        shown = shown[:max_panels]
    n = max(len(shown), 1)
    if ncols is None:
        ncols = 1 if n == 1 else 3 if n >= 5 else 2
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    width = 12.0
    fig = start_figure(width=width, body_height=nrows * ((width / ncols) * 10 / 16 + 0.45),
                       title=title, subtitle=subtitle, source=source, figsize=figsize,
                       empty=not shown)
    if not shown:
        return fig
    palette = _palette(all_groups, colors)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    px_w = int(1600 / ncols)
    fig_w = style.figure_limits()[0]
    title_size = 13 if fig_w >= 9 else 9.5
    title_units = max(8, int((fig_w / ncols - 0.3) * 72 / (title_size / 2)))
    for ax, g in zip(axes, shown):
        sub = freq[freq["group"] == g]
        if "rank" in sub.columns:
            sub = sub.sort_values("rank", kind="stable")
        data = _frequencies(sub.head(n_words), "term", value)
        ax.set_axis_off()
        ax.set_title(shorten_group(g, title_units), fontsize=title_size,
                     color=palette.get(g, "#222222"), loc="left")
        if not data:
            ax.text(0.5, 0.5, "没有可显示的词", ha="center", va="center", color=style.MUTED,
                    transform=ax.transAxes)
            continue
        color = palette.get(g, NEUTRAL)
        img = _cloud_image(data, color_func=lambda *a, _c=color, **k: _c, width=px_w,
                           height=int(px_w * 10 / 16), max_words=n_words,
                           random_state=random_state)
        ax.imshow(img, interpolation="bilinear")
    for ax in axes[len(shown):]:
        ax.set_visible(False)
    return fig


def comparison_cloud(over: pd.DataFrame, *, value: str = "excess", max_words: int = 200,
                     colors: Mapping | None = None, title: str = "比较词云",
                     subtitle: str | None = None, source: str | None = None,
                     width: int = 1600, height: int = 1000, random_state: int = 0,
                     figsize: tuple[float, float] | None = None) -> Figure:
    """Comparison cloud: every term in the colour of the group that over-uses it, sized by how much.

    Parameters
    ----------
    over : DataFrame
        :func:`tifa.analyze.compare.overuse` output (``term, group`` and ``value``; one row per term).
    value : str, default "excess"
        Column that sizes the words (the over-using group's rate minus the mean rate).
    max_words : int, default 200
        Most words placed (largest first).
    colors : mapping or None, default None
        ``{group: colour}``; None uses :func:`tifa.draw.style.group_colors`.
    title : str, default "比较词云"
        Figure title.
    subtitle : str or None, default None
        What was counted and which filters.
    source : str or None, default None
        Source line.
    width, height : int, default 1600, 1000
        Size of the cloud image in pixels.
    random_state : int, default 0
        Layout seed.
    figsize : (float, float) or None, default None
        Inches; None: 11 wide with the image's aspect, plus the legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(over, ["term", "group", value], "comparison_cloud")
    groups = list(dict.fromkeys(over["group"].tolist()))
    data = _frequencies(over.sort_values(value, ascending=False, kind="stable").head(max_words),
                        "term", value)
    fig = start_figure(width=11.0, body_height=11.0 * height / width * 0.82 + 0.5, title=title,
                       subtitle=subtitle, source=source, figsize=figsize, empty=not data)
    if not data:
        return fig
    palette = _palette(groups, colors)
    owner = dict(zip(over["term"].astype(str), over["group"]))

    def color_func(word, *args, **kwargs):
        return palette.get(owner.get(word), NEUTRAL)

    img = _cloud_image(data, color_func=color_func, width=width, height=height,
                       max_words=max_words, random_state=random_state)
    ax = fig.add_subplot()
    ax.imshow(img, interpolation="bilinear")
    ax.set_axis_off()
    shown = [g for g in groups if any(owner.get(t) == g for t in data)]
    handles = [Patch(color=palette.get(g, NEUTRAL), label=shorten_group(g, 24)) for g in shown]
    # below the image, inside the layout (a figure legend would collide with the source line)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01),
              ncols=legend_columns([h.get_label() for h in handles], fontsize=11),
              fontsize=11, frameon=False)
    return fig


def shared_cloud(shared: pd.DataFrame, *, value: str = "min_per_10k", max_words: int = 150,
                 color: str = SHARED_COLOR, title: str = "共有词词云",
                 subtitle: str | None = None, source: str | None = None,
                 width: int = 1600, height: int = 900, random_state: int = 0,
                 figsize: tuple[float, float] | None = None) -> Figure:
    """Word cloud of the terms all (or most) groups share, sized by the rate they all reach.

    Parameters
    ----------
    shared : DataFrame
        :func:`tifa.analyze.compare.shared_terms` output (``term`` and ``value``).
    value : str, default "min_per_10k"
        Column that sizes the words (the lowest rate among the groups using the term).
    max_words : int, default 150
        Most words placed.
    color : str, default SHARED_COLOR
        One colour for all words (they belong to no single group).
    title : str, default "共有词词云"
        Figure title.
    subtitle : str or None, default None
        What was counted and which filters.
    source : str or None, default None
        Source line.
    width, height : int, default 1600, 900
        Size of the cloud image in pixels.
    random_state : int, default 0
        Layout seed.
    figsize : (float, float) or None, default None
        Inches; None: 10 wide with the image's aspect.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(shared, ["term", value], "shared_cloud")
    data = _frequencies(shared.sort_values(value, ascending=False, kind="stable")
                        .head(max_words), "term", value)
    fig = start_figure(width=10.0, body_height=10.0 * height / width, title=title,
                       subtitle=subtitle, source=source, figsize=figsize,
                       empty=False if data else "没有各组共有的词")
    if not data:
        return fig
    img = _cloud_image(data, color_func=lambda *a, **k: color, width=width, height=height,
                       max_words=max_words, random_state=random_state)
    ax = fig.add_subplot()
    ax.imshow(img, interpolation="bilinear")
    ax.set_axis_off()
    return fig


# ---------------------------------------------------------------------------- keyness

def keyness_bars(key: pd.DataFrame, *, target: str | None = None, n: int = 20,
                 value: str = "g2", p: float = 0.05, colors: Mapping | None = None,
                 title: str | None = None, subtitle: str | None = None,
                 source: str | None = None, label_chars: int = 10,
                 figsize: tuple[float, float] | None = None) -> Figure:
    """Diverging keyness bars (as quanteda's ``textplot_keyness``): target against reference.

    The ``n`` terms with the largest positive ``value`` (over-used in the target) are drawn to
    the right in the target's colour, the ``n`` most negative (over-used in the reference) to
    the left in the reference's colour; each term is written next to the zero line on the
    free side of its bar. Bars of terms with ``p >= p`` are pale (not significant).

    Parameters
    ----------
    key : DataFrame
        :func:`tifa.analyze.compare.keyness` output.
    target : str or None, default None
        Which target to draw; None takes the first in the table.
    n : int, default 20
        Terms per side.
    value : {"g2", "log_ratio"}, default "g2"
        Bar length: signed G² or Log Ratio (rows are chosen by this column too).
    p : float, default 0.05
        Significance level for the pale / full colour distinction.
    colors : mapping or None, default None
        ``{group: colour}``; None uses :func:`tifa.draw.style.group_colors` of target and
        reference. A pooled reference (several groups) is grey.
    title : str or None, default None
        Figure title; None: "关键词：<target> 对比 <reference>".
    subtitle : str or None, default None
        What was counted and which filters.
    source : str or None, default None
        Source line.
    label_chars : int, default 10
        Longest term label in Chinese characters.
    figsize : (float, float) or None, default None
        Inches; None grows with ``n``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(key, ["term", "target", "reference", value, "p"], "keyness_bars")
    if key.empty:
        return _empty_pair_figure(title or "关键词", subtitle, source)
    target, reference, sub = _pair(key, target)
    pos = sub[sub[value] > 0].sort_values(value, ascending=False, kind="stable").head(n)
    neg = sub[sub[value] < 0].sort_values(value, ascending=True, kind="stable").head(n)
    rows = pd.concat([pos, neg.iloc[::-1]], ignore_index=True)
    if title is None:
        title = f"关键词：{truncate_label(target, 24)} 对比 {truncate_label(reference, 24)}"
    n_rows = len(rows)
    fig = start_figure(width=10.0, body_height=max(3.0, 0.27 * n_rows + 1.6), title=title,
                       subtitle=subtitle, source=source, figsize=figsize, empty=rows.empty)
    if rows.empty:
        return fig
    c_t, c_r = _pair_colors(target, reference, colors)
    ax = fig.add_subplot()
    vals = rows[value].to_numpy(dtype=float)
    sig = rows["p"].to_numpy(dtype=float) < p
    y = np.arange(n_rows)
    base = np.where(vals > 0, c_t, c_r)
    ax.barh(y, vals, color=base, height=0.75, alpha=1.0, zorder=2)
    faded = ~sig
    if faded.any():  # redraw non-significant bars pale
        ax.barh(y[faded], vals[faded], color="white", alpha=0.6, height=0.75, zorder=3)
    # each side as long as its longest bar, and at least a third of the other side: the terms
    # written beside the zero line need that room
    right = float(np.nanmax(vals, initial=0.0)) * 1.05
    left = float(-np.nanmin(vals, initial=0.0)) * 1.05
    lim = max(right, left) or 1.0
    ax.set_xlim(-max(left, lim / 3), max(right, lim / 3))
    pad = lim * 0.015
    for yi, v, term in zip(y, vals, rows["term"]):
        label = truncate_label(term, 2 * label_chars)
        if v > 0:
            ax.text(-pad, yi, label, ha="right", va="center", fontsize=10, color="#222222",
                    zorder=4)
        else:
            ax.text(pad, yi, label, ha="left", va="center", fontsize=10, color="#222222",
                    zorder=4)
    ax.axvline(0, color="#666666", linewidth=0.8, zorder=3)
    ax.set_yticks([])
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    xlabel = {"g2": "G²（正值：目标组多用；负值：参照组多用）",
              "log_ratio": "Log Ratio = log₂(目标组频率 / 参照组频率)"}.get(value, value)
    ax.set_xlabel(xlabel, color=style.MUTED)
    handles = [Patch(color=c_t, label=f"目标组：{truncate_label(target, 24)}"),
               Patch(color=c_r, label=f"参照组：{truncate_label(reference, 24)}")]
    if faded.any():
        handles.append(Patch(facecolor="#dddddd", label=f"浅色：p ≥ {p:g}（不显著）"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncols=len(handles), fontsize=10, frameon=False)
    return fig


def _empty_pair_figure(title: str, subtitle: str | None, source: str | None) -> Figure:
    """What a target-against-reference chart shows for an empty keyness table."""
    return start_figure(width=10.0, body_height=0.0, figsize=(10.0, 4.0), title=title,
                        subtitle=subtitle, source=source, empty=True)


def _pair(key: pd.DataFrame, target: str | None) -> tuple[str, str, pd.DataFrame]:
    """The target (default: the first in the table), its reference and its rows of ``key``."""
    target = str(key["target"].iloc[0]) if target is None else str(target)
    sub = key[key["target"].astype(str) == target]
    if sub.empty:
        raise KeyError(f"no keyness rows for target {target!r}")
    return target, str(sub["reference"].iloc[0]), sub


def _pair_colors(target: str, reference: str, colors: Mapping | None) -> tuple[str, str]:
    """Colours of target and reference: their group colours; a pooled reference (:data:`REST`)
    or one that would look like the target is :data:`NEUTRAL`."""
    palette = dict(colors) if colors is not None else style.group_colors(
        [g for g in (target, reference) if g != REST])
    c_t = palette.get(target, style.PALETTE[0])
    c_r = palette.get(reference, NEUTRAL)
    return c_t, (NEUTRAL if c_r == c_t else c_r)


# ---------------------------------------------------------------------------- similarity

def similarity_heatmap(sim: pd.DataFrame, *, clusters: dict | None = None,
                       annotate: bool | None = None, max_labels: int = 40,
                       cmap: str = "YlGnBu", title: str = "文本相似度（余弦）",
                       subtitle: str | None = None, source: str | None = None,
                       label_chars: int = 12,
                       figsize: tuple[float, float] | None = None) -> Figure:
    """Heatmap of a square similarity table, ordered by a clustering with its dendrogram.

    The diagonal (each group with itself, always 1) is left blank so the colour scale spans
    the off-diagonal values (from the lowest to the highest pair; with only two groups, or all
    pairs equal, the scale runs from 0 to 1).

    Parameters
    ----------
    sim : DataFrame
        :func:`tifa.analyze.compare.similarity` output (square, groups as index and columns).
    clusters : dict or None, default None
        :func:`tifa.analyze.compare.cluster_order` output; when it has a linkage, rows and columns follow
        its leaf order and the dendrogram is drawn on the left. None keeps the table order.
    annotate : bool or None, default None
        Write the values in the cells; None: when there are at most 12 groups.
    max_labels : int, default 40
        With more groups, no tick labels are written (they could not be read).
    cmap : str, default "YlGnBu"
        Matplotlib colormap.
    title : str, default "文本相似度（余弦）"
        Figure title.
    subtitle : str or None, default None
        What was compared (weights, filters).
    source : str or None, default None
        Source line.
    label_chars : int, default 12
        Longest group label in Chinese characters.
    figsize : (float, float) or None, default None
        Inches; None grows with the number of groups.

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = [str(x) for x in sim.index]
    n = len(labels)
    z = clusters.get("linkage") if clusters else None
    order = list(clusters["order"]) if clusters and clusters.get("order") else labels
    if n > max_labels:
        subtitle = join_notes(subtitle, f"{n} 组，标签从略")
    elif n > MAX_COLUMN_LABELS:  # the matrix is symmetric: the rows name the columns too
        subtitle = join_notes(subtitle, "各列与各行顺序相同")
    if annotate is None:
        annotate = n <= 12
    side = min(11.0, max(5.0, 0.45 * n + 3.0)) if n <= max_labels else 10.0
    width = side + (2.2 if z is not None else 0) + 1.2
    fig = start_figure(width=max(width, 8.0), body_height=side, header_width=width, title=title,
                       subtitle=subtitle, source=source, figsize=figsize, empty=n == 0)
    if n == 0:
        return fig
    mat = sim.loc[order, order].to_numpy(dtype=float).copy()
    np.fill_diagonal(mat, np.nan)
    off = mat[~np.isnan(mat)]
    if n >= 3 and off.size and float(off.max() - off.min()) > 1e-9:
        vmin, vmax = float(off.min()), float(off.max())  # contrast among the pairs shown
    else:
        vmin, vmax = 0.0, 1.0  # one pair (or all equal): the full scale says more
    if z is not None:
        gs = fig.add_gridspec(1, 3, width_ratios=[1.6, 6, 0.25])
        ax_d = fig.add_subplot(gs[0, 0])
        ax = fig.add_subplot(gs[0, 1])
        cax = fig.add_subplot(gs[0, 2])
        from scipy.cluster.hierarchy import dendrogram

        dendrogram(z, orientation="left", ax=ax_d, no_labels=True, color_threshold=0,
                   above_threshold_color="#555555")
        ax_d.set_ylim(0, 10 * n)
        ax_d.set_axis_off()
    else:
        gs = fig.add_gridspec(1, 2, width_ratios=[6, 0.25])
        ax = fig.add_subplot(gs[0, 0])
        cax = fig.add_subplot(gs[0, 1])
    cm = matplotlib.colormaps[cmap].with_extremes(bad="#f2f2f2")
    # row i of `order` at the bottom (y = i), matching the dendrogram's leaf positions
    im = ax.imshow(mat, origin="lower", cmap=cm, vmin=vmin, vmax=vmax, aspect="auto",
                   extent=(0, n, 0, n), interpolation="nearest")
    ax.grid(False)
    ticks = np.arange(n) + 0.5
    if n <= max_labels:
        ax.set_yticks(ticks, labels=[shorten_group(g, 2 * label_chars) for g in order])
        if n <= MAX_COLUMN_LABELS:  # upright, wrapped to the width of a column
            ax.set_xticks(ticks)
        else:
            ax.set_xticks([])
        if z is not None:
            ax.yaxis.tick_right()
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate:
        mid = (vmin + vmax) / 2
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                v = mat[i, j]
                ax.text(j + 0.5, i + 0.5, f"{v:.2f}", ha="center", va="center", fontsize=10,
                        color="white" if v > mid else "#222222")
    cb = fig.colorbar(im, cax=cax)
    cb.set_label("余弦相似度", color=style.MUTED)
    cb.outline.set_visible(False)
    if n <= MAX_COLUMN_LABELS:
        fit_column_labels(fig, ax, [shorten_group(g, 4 * label_chars) for g in order])
    return fig


#: Most groups whose names a similarity heatmap writes under its columns (more: the rows,
#: in the same order, name them).
MAX_COLUMN_LABELS = 8


# ---------------------------------------------------------------------------- scatter

def rate_scatter(key: pd.DataFrame, *, target: str | None = None, n_labels: int = 20,
                 n_shared: int = 6, p: float = 0.05, colors: Mapping | None = None,
                 title: str | None = None, subtitle: str | None = None,
                 source: str | None = None, label_chars: int = 8,
                 figsize: tuple[float, float] | None = None) -> Figure:
    """Rate of each term in A (x) against its rate in B (y), both per 10,000 tokens, log axes.

    Terms used alike sit on the diagonal (dashed lines: twice / half as frequent). Points are
    coloured by the group that over-uses them significantly (``p < p``), grey otherwise. The
    ``n_labels`` terms with the largest |G²| are labelled (half per side when both have enough),
    plus the ``n_shared`` most frequent terms near the diagonal (|Log Ratio| < 0.5). Terms at
    the same point share one label ("A、B 等 n 词"); labels are moved apart with adjustText, and
    a label that still overlaps a more important one is dropped, so labels never overlap. A term that one group never uses has
    rate 0, which a log axis cannot show: it is drawn on the grey band at the axis edge.

    Parameters
    ----------
    key : DataFrame
        :func:`tifa.analyze.compare.keyness` output for a target and one reference group (``target=A,
        reference=B``), with ``per_10k_target`` and ``per_10k_reference``.
    target : str or None, default None
        The target (A) to draw; None takes the first in the table.
    n_labels : int, default 20
        Distinctive terms labelled.
    n_shared : int, default 6
        Shared (near-diagonal) terms labelled.
    p : float, default 0.05
        Significance level for colouring.
    colors : mapping or None, default None
        ``{group: colour}``; None uses :func:`tifa.draw.style.group_colors`.
    title : str or None, default None
        Figure title; None: "<A> 与 <B> 用词频率对照".
    subtitle : str or None, default None
        What was counted and which filters.
    source : str or None, default None
        Source line.
    label_chars : int, default 8
        Longest label in Chinese characters.
    figsize : (float, float) or None, default None
        Inches; None: 10 × 9.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cols = ["term", "target", "reference", "g2", "p", "log_ratio", "per_10k_target",
            "per_10k_reference", "n_target", "n_reference"]
    require_columns(key, cols, "rate_scatter")
    if key.empty:
        return _empty_pair_figure(title or "用词频率对照", subtitle, source)
    target, reference, sub = _pair(key, target)
    sub = sub.reset_index(drop=True)
    if title is None:
        title = f"{truncate_label(target, 20)} 与 {truncate_label(reference, 20)} 用词频率对照"
    fig = start_figure(width=10.0, body_height=8.0, title=title, subtitle=subtitle,
                       source=source, figsize=figsize)
    c_a, c_b = _pair_colors(target, reference, colors)

    x = sub["per_10k_target"].to_numpy(dtype=float)
    y = sub["per_10k_reference"].to_numpy(dtype=float)
    positive = np.r_[x[x > 0], y[y > 0]]
    lo = float(positive.min()) if positive.size else 1.0
    hi = float(positive.max()) if positive.size else 10.0
    floor = lo / 2.2  # where zero rates are drawn
    xs, ys = np.where(x > 0, x, floor), np.where(y > 0, y, floor)
    sig = sub["p"].to_numpy(dtype=float) < p
    g2 = sub["g2"].to_numpy(dtype=float)
    colour = np.where(sig & (g2 > 0), c_a, np.where(sig & (g2 < 0), c_b, "#c4c4c4"))

    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_yscale("log")
    edge_lo, edge_hi = floor / 1.35, hi * 1.6
    ax.set_xlim(edge_lo, edge_hi)
    ax.set_ylim(edge_lo, edge_hi)
    ax.set_aspect("equal", adjustable="box")
    band = floor * 1.2
    ax.axvspan(edge_lo, band, color="#f0f0f0", zorder=0, linewidth=0)
    ax.axhspan(edge_lo, band, color="#f0f0f0", zorder=0, linewidth=0)
    line = np.array([band, edge_hi])
    ax.plot(line, line, color="#777777", linewidth=1.0, zorder=1)
    for f in (2.0, 0.5):
        ax.plot(line, line * f, color="#aaaaaa", linewidth=0.8, linestyle="--", zorder=1)
    order = np.argsort(~sig, kind="stable")[::-1]  # significant points drawn last (on top)
    ax.scatter(xs[order], ys[order], s=22, c=colour[order], alpha=0.8, edgecolors="white",
               linewidths=0.4, zorder=2)
    ticks = [t for t in _log_ticks(lo, hi)]
    ax.set_xticks([floor] + ticks, labels=["0"] + [f"{t:g}" for t in ticks])
    ax.set_yticks([floor] + ticks, labels=["0"] + [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel(f"{shorten_group(target, 20)}：每万词出现次数（对数轴）", color=style.MUTED)
    ax.set_ylabel(f"{shorten_group(reference, 20)}：每万词（对数轴）", color=style.MUTED)

    # which points get a label: the most distinctive on each side, and frequent shared terms
    strength = np.abs(g2)
    pos_idx = [i for i in np.argsort(-strength, kind="stable") if g2[i] > 0]
    neg_idx = [i for i in np.argsort(-strength, kind="stable") if g2[i] < 0]
    half = n_labels // 2
    take_pos = pos_idx[:max(half, n_labels - len(neg_idx[:half]))]
    take_neg = neg_idx[:n_labels - len(take_pos)]
    chosen = list(dict.fromkeys(take_pos + take_neg))
    near = np.abs(sub["log_ratio"].to_numpy(dtype=float)) < 0.5
    both = (x > 0) & (y > 0)
    freq_order = np.argsort(-(x + y), kind="stable")
    shared = [i for i in freq_order if near[i] and both[i] and i not in chosen][:n_shared]
    chosen += shared

    handles = [Patch(color=c_a, label=f"{truncate_label(target, 20)} 显著多用"),
               Patch(color=c_b, label=f"{truncate_label(reference, 20)} 显著多用"),
               Patch(color="#c4c4c4", label=f"差异不显著（p ≥ {p:g}）")]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3,
              fontsize=10, frameon=False, handlelength=1.2)  # above the plot: covers no point
    if not chosen:
        return fig
    # one label per distinct point: terms with the same counts coincide in a short corpus
    spots: dict[tuple[float, float], list[int]] = {}
    for i in chosen:
        spots.setdefault((float(xs[i]), float(ys[i])), []).append(i)
    labels = []
    for (px, py), members in spots.items():
        names = [truncate_label(sub["term"].iloc[i], 2 * label_chars) for i in members]
        text = "、".join(names[:2]) + (f" 等 {len(names)} 词" if len(names) > 2 else "")
        labels.append((px, py, text))
    _freeze_layout(fig)
    texts = [ax.text(px, py, text, fontsize=10, color="#222222", zorder=5)
             for px, py, text in labels]
    for t in texts:
        t.set_in_layout(False)
    _, arrows = adjust_labels(texts, x=xs, y=ys, ax=ax, expand=(1.25, 1.6), force_text=(0.4, 0.6),
                            force_static=(0.2, 0.4), ensure_inside_axes=True, iter_lim=LABEL_ROUNDS,
                            arrowprops=dict(arrowstyle="-", color="#888888", linewidth=0.6))
    _drop_overlapping(fig, texts, list(arrows or []))
    return fig


def _drop_overlapping(fig: Figure, texts: list, arrows: list) -> None:
    """Remove any label that still overlaps a label of higher priority (earlier in the list),
    with its leader line, so that no two labels ever overlap."""
    renderer = fig._get_renderer()
    leader = {}
    for arrow in arrows:  # adjustText ties each leader line to its text (patchA)
        patch = getattr(arrow, "arrow_patch", arrow)
        leader[id(getattr(patch, "patchA", None))] = arrow
    kept = []
    for t in texts:
        box = t.get_window_extent(renderer).expanded(1.02, 1.05)
        if any(box.overlaps(other) for other in kept):
            t.remove()
            if id(t) in leader:
                leader[id(t)].remove()
        else:
            kept.append(box)


def _log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks between lo and hi."""
    out = []
    for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** e
            if lo * 0.999 <= v <= hi * 1.6:
                out.append(v)
    return out
