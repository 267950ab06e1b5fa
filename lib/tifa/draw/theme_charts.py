"""Figures of the thematic comparison: tables in (from :mod:`tifa.analyze.themes` and
:mod:`tifa.analyze.topics`), a matplotlib Figure out.

Like :mod:`tifa.draw.charts`, these functions compute no statistics: they select rows (the first
``max_groups`` groups in table order), reshape (a long table to a grid) and draw. Every figure
has a title, an optional subtitle (say what was counted) and source line, the house style of
:mod:`tifa.draw.style`, group colours from :func:`tifa.draw.style.group_colors` and a constrained layout.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from tifa.draw import style
from tifa.draw.charts import (bar_top_terms, fit_column_labels, format_number, keep_first,
                              label_inches, legend_at_bottom, number_formatter,
                              require_columns, shorten_group,
                              start_figure, tick_size, truncate_label, wrap_label)

#: Chinese names of the parts of a report (``section_role``).
ROLE_LABELS = {"front": "开头", "work": "工作情况", "problems": "问题与不足",
               "plans": "下步计划", "closing": "结尾"}

#: Colours of the parts of a report (fixed, so every chart reads the same).
ROLE_COLORS = {"front": "#b9b9b9", "work": "#4f6d7a", "problems": "#d1495b",
               "plans": "#2a9d8f", "closing": "#e2e2e2"}

#: Axis/colour-bar labels of the value columns drawn here.
VALUE_LABELS = {
    "per_1k": "每千词命中次数",
    "hits": "命中次数",
    "share": "占比",
    "overlap": "涉及比例",
    "lift": "提升度（相对全语料）",
    "weight": "相对权重",
}

#: Value columns that are shares (0..1), printed as percentages.
PERCENT_VALUES = ("share", "overlap", "uncoded_share")

#: Colours of topics (not groups: a topic is a category of paragraphs, so it gets its own set).
#: ColorBrewer Set2 then Dark2: distinct from the house group palette.
TOPIC_PALETTE = ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f",
                 "#e5c494", "#b3b3b3", "#1b9e77", "#d95f02", "#7570b3", "#e7298a")


def _label(value: str, value_label: str | None) -> str:
    return value_label if value_label is not None else VALUE_LABELS.get(value, value)


def _first_order(values: pd.Series) -> list:
    return list(dict.fromkeys(values.tolist()))


def _grid(table: pd.DataFrame, *, index: str, columns: str, value: str, rows: list,
          cols: list) -> pd.DataFrame:
    """``value`` laid out as ``rows`` × ``cols`` (the first value of a cell; NaN where none)."""
    return (table[table[index].isin(rows) & table[columns].isin(cols)]
            .pivot_table(index=index, columns=columns, values=value, aggfunc="first",
                         dropna=False)
            .reindex(index=rows, columns=cols))


def _ink(color) -> str:
    """Black or white text, whichever reads better on ``color``."""
    r, g, b = to_rgb(color)
    return "#111111" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def topic_colors(topics: Sequence) -> dict:
    """A fixed colour per topic, in the order given (topics 1..k in a run).

    Parameters
    ----------
    topics : sequence
        Topic keys (numbers or labels) in their order.

    Returns
    -------
    dict
        ``{topic: "#rrggbb"}``: :data:`TOPIC_PALETTE` in order, or evenly spaced colours of
        the ``viridis`` colormap for more topics than it has.
    """
    keys = list(dict.fromkeys(topics))
    if len(keys) <= len(TOPIC_PALETTE):
        return dict(zip(keys, TOPIC_PALETTE))
    import matplotlib

    cmap = matplotlib.colormaps["viridis"]
    return {k: to_hex(cmap(i / max(1, len(keys) - 1))) for i, k in enumerate(keys)}


# ---------------------------------------------------------------------------- heatmaps

def _heatmap(table: pd.DataFrame, *, row: str, col: str, value: str, title: str,
             subtitle: str | None, source: str | None, value_label: str | None,
             annotate: bool | None, cmap: str, max_rows: int, max_cols: int,
             row_chars: int, col_chars: int, figsize, what: str,
             percent: bool | None = None, row_noun: str = "行", col_noun: str = "列") -> Figure:
    require_columns(table, [row, col, value], what)
    rows, subtitle = keep_first(_first_order(table[row]), max_rows, subtitle, noun=row_noun)
    cols, subtitle = keep_first(_first_order(table[col]), max_cols, subtitle, noun=col_noun)
    values = _grid(table, index=row, columns=col, value=value, rows=rows,
                   cols=cols).to_numpy(dtype=float)
    col_labels = [wrap_label(c, col_chars, max_lines=3) for c in cols]
    n_lines = max((lbl.count("\n") + 1 for lbl in col_labels), default=1)
    empty = table.empty or not rows or not cols
    fig = start_figure(width=min(16.0, max(7.5, 2.6 + 0.11 * row_chars + 0.8 * len(cols) + 1.4)),
                       body_height=0.5 * len(rows) + 0.25 * n_lines + 1.0, min_height=3.5,
                       title=title, subtitle=subtitle, source=source, figsize=figsize,
                       empty=empty)
    if empty:
        return fig
    ax = fig.add_subplot()
    finite = values[np.isfinite(values)]
    vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
    ax.set_xticks(np.arange(len(cols)))
    ax.xaxis.tick_top()
    ax.set_yticks(np.arange(len(rows)), labels=[shorten_group(r, 2 * row_chars) for r in rows])
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate is None:
        annotate = values.size <= 400
    if percent is None:
        percent = value in PERCENT_VALUES
    if percent:
        bar_fmt = lambda v, _: f"{v:.0%}"  # noqa: E731
    if annotate:
        cm = image.get_cmap()
        fmt = number_formatter(values)
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if not np.isfinite(v):
                    continue
                ax.text(j, i, f"{v:.0%}" if percent else fmt(v), ha="center",
                        va="center", fontsize=10,
                        color=_ink(cm(v / vmax if vmax else 0.0)))
    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    # a horizontal title over the colour bar: rotated Chinese would read sideways
    bar.ax.set_title(wrap_label(_label(value, value_label), 8), loc="left", fontsize=10,
                     color=style.MUTED, pad=6)
    bar.outline.set_visible(False)
    if percent:
        bar.ax.yaxis.set_major_formatter(bar_fmt)
    # upright labels over the columns, wrapped to the width each column has
    fit_column_labels(fig, ax, [_plain_label(c) for c in cols], max_lines=3)
    return fig


def _plain_label(value) -> str:
    return truncate_label(value, 60)


def theme_heatmap(scores: pd.DataFrame, *, value: str = "per_1k", theme: str = "theme",
                  group: str = "group", title: str = "各报告的主题权重",
                  subtitle: str | None = None, source: str | None = None,
                  value_label: str | None = None, annotate: bool | None = None,
                  cmap: str = "Blues", max_groups: int = 30, orientation: str = "auto",
                  label_chars: int = 12, figsize: tuple[float, float] | None = None) -> Figure:
    """Theme × group heatmap with the values printed in the cells.

    Themes and groups are drawn in the order they first appear in the table (sort it first).
    With more than ``max_groups`` groups only the first ``max_groups`` are drawn and the
    subtitle says so.

    Parameters
    ----------
    scores : DataFrame
        One row per theme and group, e.g. from :func:`tifa.analyze.themes.theme_scores`.
    value : str, default "per_1k"
        Column drawn (``per_1k``, ``share``, ``hits`` ...).
    theme, group : str, default "theme", "group"
        Columns naming the theme and the group.
    title : str, default "各报告的主题权重"
        Figure title.
    subtitle, source : str, optional
        Line under the title (what was counted) and source line. Default none.
    value_label : str, optional
        Colour-bar label; default a Chinese name of ``value`` (:data:`VALUE_LABELS`).
    annotate : bool or None, default None
        Print values in the cells; None prints them when there are at most 400 cells.
    cmap : str, default "Blues"
        Matplotlib colormap (sequential: values start at 0).
    max_groups : int, default 30
        Most groups drawn.
    orientation : {"auto", "themes-rows", "groups-rows"}, default "auto"
        Themes as rows and groups as columns, or the reverse; "auto" puts groups in rows when
        there are more than 8 of them (long lists read better downwards).
    label_chars : int, default 12
        Longest row label in Chinese characters before '…'.
    figsize : (float, float), optional
        Default grows with the grid.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(scores, [theme, group, value], "theme_heatmap")
    if orientation not in ("auto", "themes-rows", "groups-rows"):
        raise ValueError(f"orientation must be 'auto', 'themes-rows' or 'groups-rows', "
                         f"got {orientation!r}")
    n_groups = scores[group].nunique()
    groups_rows = orientation == "groups-rows" or (orientation == "auto" and n_groups > 8)
    if groups_rows:
        return _heatmap(scores, row=group, col=theme, value=value, title=title,
                        subtitle=subtitle, source=source, value_label=value_label,
                        annotate=annotate, cmap=cmap, max_rows=max_groups, max_cols=60,
                        row_chars=label_chars, col_chars=10, figsize=figsize,
                        what="theme_heatmap", row_noun="组", col_noun="个主题")
    return _heatmap(scores, row=theme, col=group, value=value, title=title, subtitle=subtitle,
                    source=source, value_label=value_label, annotate=annotate, cmap=cmap,
                    max_rows=60, max_cols=max_groups, row_chars=label_chars, col_chars=12,
                    figsize=figsize, what="theme_heatmap", row_noun="个主题", col_noun="组")


def topic_theme_heatmap(overlap: pd.DataFrame, *, value: str = "overlap", topic: str = "label",
                        theme: str = "theme", title: str = "数据主题与词表类目的对应",
                        subtitle: str | None = None, source: str | None = None,
                        value_label: str | None = None, annotate: bool | None = None,
                        cmap: str = "Purples", label_chars: int = 22,
                        figsize: tuple[float, float] | None = None) -> Figure:
    """Topic × theme heatmap, e.g. of :func:`tifa.analyze.topics.topic_theme_overlap`.

    Parameters
    ----------
    overlap : DataFrame
        One row per topic and theme.
    value : str, default "overlap"
        Column drawn (``overlap`` or ``lift``).
    topic, theme : str, default "label", "theme"
        Columns naming the topic (rows) and the theme (columns).
    title : str, default "数据主题与词表类目的对应"
        Figure title.
    subtitle, source : str, optional
        Line under the title and source line. Default none.
    value_label : str, optional
        Colour-bar label; default from :data:`VALUE_LABELS`.
    annotate : bool or None, default None
        Print values; None when at most 400 cells.
    cmap : str, default "Purples"
        Sequential colormap.
    label_chars : int, default 22
        Longest topic label in Chinese characters before '…'.
    figsize : (float, float), optional
        Default grows with the grid.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _heatmap(overlap, row=topic, col=theme, value=value, title=title, subtitle=subtitle,
                    source=source, value_label=value_label, annotate=annotate, cmap=cmap,
                    max_rows=40, max_cols=40, row_chars=label_chars, col_chars=10,
                    figsize=figsize, what="topic_theme_heatmap")


# ---------------------------------------------------------------------------- profiles

def theme_profiles(scores: pd.DataFrame, *, value: str = "per_1k", theme: str = "theme",
                   group: str = "group", title: str = "主题侧重对比",
                   subtitle: str | None = None, source: str | None = None,
                   colors: Mapping | None = None, max_groups: int = 6,
                   value_label: str | None = None, show_values: bool | None = None,
                   label_chars: int = 12, figsize: tuple[float, float] | None = None) -> Figure:
    """Grouped horizontal bars: each theme's value for each group, side by side.

    Themes top to bottom and groups within a theme in table order. With more than
    ``max_groups`` groups only the first ``max_groups`` are drawn (the subtitle says so): for
    many groups use :func:`theme_heatmap`.

    Parameters
    ----------
    scores : DataFrame
        One row per theme and group, e.g. from :func:`tifa.analyze.themes.theme_scores`.
    value : str, default "per_1k"
        Column drawn.
    theme, group : str, default "theme", "group"
        Columns naming the theme and the group.
    title : str, default "主题侧重对比"
        Figure title.
    subtitle, source : str, optional
        Line under the title and source line. Default none.
    colors : mapping, optional
        ``{group: colour}``; default :func:`tifa.draw.style.group_colors` of the table's groups.
    max_groups : int, default 6
        Most groups drawn.
    value_label : str, optional
        Value axis label; default from :data:`VALUE_LABELS`.
    show_values : bool or None, default None
        Numbers at the bar ends; None shows them for at most 3 groups.
    label_chars : int, default 12
        Longest theme label in Chinese characters before '…'.
    figsize : (float, float), optional
        Default grows with themes × groups.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(scores, [theme, group, value], "theme_profiles")
    themes = _first_order(scores[theme])
    groups, subtitle = keep_first(_first_order(scores[group]), max_groups, subtitle,
                                  hint="组多时请看热力图")
    grid = _grid(scores, index=theme, columns=group, value=value, rows=themes, cols=groups)
    palette = dict(colors) if colors is not None else style.group_colors(scores[group])
    if show_values is None:
        show_values = len(groups) <= 3
    n_g = max(1, len(groups))
    fig = start_figure(width=10.0, body_height=len(themes) * (0.17 * n_g + 0.3) + 1.2,
                       min_height=3.5, title=title, subtitle=subtitle, source=source,
                       figsize=figsize, empty=scores.empty)
    if scores.empty:
        return fig
    ax = fig.add_subplot()
    band = 0.8 / n_g
    y = np.arange(len(themes))
    fmt = number_formatter(grid.to_numpy(dtype=float))  # one number format for the chart
    for i, g in enumerate(groups):
        vals = grid[g].to_numpy(dtype=float)
        pos = y - 0.4 + band * (i + 0.5)
        bars = ax.barh(pos, np.nan_to_num(vals), height=band * 0.92,
                       color=palette.get(g, style.PALETTE[i % len(style.PALETTE)]),
                       label=truncate_label(g, 24))
        if show_values:
            ax.bar_label(bars, labels=[fmt(v) for v in vals], padding=2, fontsize=9,
                         color=style.MUTED)
    ax.set_yticks(y, labels=[truncate_label(t, 2 * label_chars) for t in themes])
    ax.set_ylim(len(themes) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(_label(value, value_label), color=style.MUTED)
    finite = grid.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size and finite.max() > 0:
        ax.set_xlim(0, float(finite.max()) * (1.14 if show_values else 1.03))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return fig


# ---------------------------------------------------------------------------- stacked bars

def _stacked(ax, labels: list, parts: list, grid: pd.DataFrame, colors: Mapping,
             *, label_min: float, totals: Sequence | None, label_chars: int) -> None:
    """100 % stacked horizontal bars: one bar per label, one segment per part."""
    y = np.arange(len(labels))
    left = np.zeros(len(labels))
    for part in parts:
        vals = (np.nan_to_num(grid[part].to_numpy(dtype=float)) if part in grid
                else np.zeros(len(labels)))
        color = colors[part]
        ax.barh(y, vals, left=left, height=0.7, color=color, edgecolor="white", linewidth=0.6)
        for yi, (l, v) in enumerate(zip(left, vals)):
            if v >= label_min:
                ax.text(l + v / 2, yi, f"{v:.0%}", ha="center", va="center", fontsize=9,
                        color=_ink(color))
        left = left + vals
    ax.set_yticks(y, labels=[truncate_label(lbl, 2 * label_chars) for lbl in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    if totals is not None:
        for yi, (tot, l) in enumerate(zip(totals, left)):
            text = "无命中" if not tot else f"n={format_number(tot)}"
            ax.text(1.01, yi, text, ha="left", va="center", fontsize=9, color=style.MUTED,
                    transform=ax.get_yaxis_transform(), clip_on=False)


def theme_sections(sections: pd.DataFrame, *, value: str = "share", theme: str = "theme",
                   group: str = "group", part: str = "section_role",
                   total: str | None = "theme_hits",
                   title: str = "主题在报告各部分的分布", subtitle: str | None = None,
                   source: str | None = None, parts: Sequence[str] | None = None,
                   max_groups: int = 6, ncols: int | None = None, label_min: float = 0.1,
                   label_chars: int = 10, figsize: tuple[float, float] | None = None) -> Figure:
    """Where in each report each theme sits: 100 % stacked bars by part of the report.

    One panel per group (table order; at most ``max_groups``); in each, one bar per theme
    whose segments are the parts of the report (work done, problems, plans ...) in
    :data:`ROLE_COLORS`. ``n=`` at the bar end gives the count the shares are taken of.

    Parameters
    ----------
    sections : DataFrame
        One row per theme, group and part, e.g. from :func:`tifa.analyze.themes.theme_by_section`.
    value : str, default "share"
        Column with each part's share of the theme (0..1, summing to 1 per bar).
    theme, group, part : str, default "theme", "group", "section_role"
        Columns naming the theme, the group and the part of the report.
    total : str or None, default "theme_hits"
        Column with the count each bar divides (printed as ``n=``); None prints nothing.
    title : str, default "主题在报告各部分的分布"
        Figure title.
    subtitle, source : str, optional
        Line under the title and source line. Default none.
    parts : sequence of str, optional
        Parts to draw, in this order; default the parts of the table in report order
        (front, work, problems, plans, closing, then others).
    max_groups : int, default 6
        Most panels drawn.
    ncols : int, optional
        Panels per row; default 1 for one group, else 2 (3 for more than 4 groups).
    label_min : float, default 0.1
        Segments at least this share get their percentage printed.
    label_chars : int, default 10
        Longest theme label in Chinese characters before '…'.
    figsize : (float, float), optional
        Default grows with panels and themes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(sections, [theme, group, part, value] + ([total] if total else []), "theme_sections")
    themes = _first_order(sections[theme])
    groups = _first_order(sections[group])
    if parts is None:
        present = _first_order(sections[part].astype(str))
        parts = ([r for r in ROLE_LABELS if r in present]
                 + [r for r in present if r not in ROLE_LABELS])
    parts = list(parts)
    groups, subtitle = keep_first(groups, max_groups, subtitle)
    extra = [p for p in parts if p not in ROLE_COLORS]
    colors = dict(ROLE_COLORS)
    colors.update(zip(extra, TOPIC_PALETTE))
    n = max(1, len(groups))
    if ncols is None:
        ncols = 1 if n == 1 else 2 if n <= 4 or style.figure_limits()[0] < 9 else 3
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = start_figure(width=min(18.0, 2.0 + 5.2 * ncols),
                       body_height=nrows * (0.36 * len(themes) + 0.9) + 0.6, title=title,
                       subtitle=subtitle, source=source, figsize=figsize, empty=sections.empty)
    if sections.empty:
        return fig
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel()
    fig_w = style.figure_limits()[0]
    title_size = 13 if fig_w >= 9 else 9.5
    labels_w = label_inches([truncate_label(t, 2 * label_chars) for t in themes], tick_size("y"))
    title_units = max(8, int(((fig_w - labels_w) / ncols - 1.0) * 72 / (title_size / 2)))
    for ax, g in zip(axes, groups):
        sub = sections[sections[group] == g]
        grid = (sub.assign(**{part: sub[part].astype(str)})
                .pivot_table(index=theme, columns=part, values=value, aggfunc="first", dropna=False)
                .reindex(index=themes))
        totals = None
        if total:
            totals = sub.drop_duplicates(theme).set_index(theme)[total].reindex(themes).tolist()
        _stacked(ax, themes, parts, grid, colors, label_min=max(label_min, 0.06 * ncols),
                 totals=totals, label_chars=label_chars)
        ax.set_title(shorten_group(g, title_units), fontsize=title_size, color="#222222", pad=8)
    for ax in axes[len(groups):]:
        ax.set_visible(False)
    handles = [Patch(color=colors[p], label=ROLE_LABELS.get(p, p)) for p in parts]
    legend_at_bottom(fig, handles)
    return fig


def topic_mix(mix: pd.DataFrame, *, value: str = "share", topic: str = "label",
              group: str = "group", title: str = "各组的数据主题构成",
              subtitle: str | None = None, source: str | None = None,
              colors: Mapping | None = None, max_groups: int = 30, label_min: float = 0.08,
              label_chars: int = 12, legend_chars: int = 28,
              figsize: tuple[float, float] | None = None) -> Figure:
    """Topic mix per group: one 100 % stacked bar per group, one segment per topic.

    Groups top to bottom and topics left to right in table order; with more than
    ``max_groups`` groups only the first are drawn (the subtitle says so).

    Parameters
    ----------
    mix : DataFrame
        One row per topic and group, e.g. from :func:`tifa.analyze.topics.topic_mix`.
    value : str, default "share"
        Column with the topic's share of the group (0..1).
    topic, group : str, default "label", "group"
        Columns naming the topic (legend) and the group (bars).
    title : str, default "各组的数据主题构成"
        Figure title.
    subtitle, source : str, optional
        Line under the title and source line. Default none.
    colors : mapping, optional
        ``{topic: colour}``; default :func:`topic_colors` of the topics in table order.
    max_groups : int, default 30
        Most bars drawn.
    label_min : float, default 0.08
        Segments at least this share get their percentage printed.
    label_chars : int, default 12
        Longest group label in Chinese characters before '…'.
    legend_chars : int, default 28
        Longest topic label in the legend, in Chinese characters, before '…'.
    figsize : (float, float), optional
        Default grows with the number of groups.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(mix, [topic, group, value], "topic_mix")
    topics = _first_order(mix[topic])
    groups, subtitle = keep_first(_first_order(mix[group]), max_groups, subtitle)
    palette = dict(colors) if colors is not None else topic_colors(topics)
    legend_rows = math.ceil(len(topics) / 2)
    fig = start_figure(width=11.0, body_height=0.45 * len(groups) + 1.0 + 0.3 * legend_rows,
                       min_height=3.2, title=title, subtitle=subtitle, source=source,
                       figsize=figsize, empty=mix.empty)
    if mix.empty:
        return fig
    ax = fig.add_subplot()
    grid = _grid(mix, index=group, columns=topic, value=value, rows=groups, cols=topics)
    _stacked(ax, groups, topics, grid, palette, label_min=label_min, totals=None,
             label_chars=label_chars)
    handles = [Patch(color=palette[t], label=truncate_label(t, 2 * legend_chars)) for t in topics]
    legend_at_bottom(fig, handles, ncols=min(2, len(handles)))
    return fig


def topic_terms(terms: pd.DataFrame, *, top_n: int = 8, topic: str = "label",
                term: str = "term", value: str = "weight", title: str = "数据主题的代表词",
                subtitle: str | None = None, source: str | None = None,
                colors: Mapping | None = None, max_panels: int = 12) -> Figure:
    """Each topic's top terms, small multiples of horizontal bars (one panel per topic).

    Parameters
    ----------
    terms : DataFrame
        One row per topic and term, e.g. ``TopicModel.terms``.
    top_n : int, default 8
        Terms per panel.
    topic, term, value : str, default "label", "term", "weight"
        Columns naming the topic (panel), the term and its weight.
    title : str, default "数据主题的代表词"
        Figure title.
    subtitle, source : str, optional
        Line under the title and source line. Default none.
    colors : mapping, optional
        ``{topic: colour}``; default :func:`topic_colors` in table order.
    max_panels : int, default 12
        Most topics drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(terms, [topic, term, value], "topic_terms")
    palette = dict(colors) if colors is not None else topic_colors(_first_order(terms[topic]))
    return bar_top_terms(terms, term=term, value=value, group=topic, top_n=top_n, title=title,
                         subtitle=subtitle, source=source, colors=palette, max_panels=max_panels,
                         value_label=_label(value, None), show_values=False, label_chars=8)
