"""Figures of recurring slogans (提法): tables from :mod:`tifa.analyze.slogans` in, a Figure out.

Like :mod:`tifa.draw.charts`, these functions compute no statistics: the tables already hold the
counts (:func:`tifa.analyze.slogans.top_slogans`, :func:`~tifa.analyze.slogans.slogan_matrix`,
:func:`~tifa.analyze.slogans.slogan_timeline`, :func:`~tifa.analyze.slogans.slogan_overlap`,
:func:`~tifa.analyze.slogans.slogan_turnover`); a chart only lays them out. They share the frame of :mod:`tifa.draw.charts` (title, subtitle saying what was counted,
source line, constrained layout, CJK font of :mod:`tifa.draw.style`) and its label helpers.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from tifa.draw import style
from tifa.draw.charts import (format_number, join_notes, label_inches, legend_columns,
                              require_columns, shorten_group, start_figure, tick_size,
                              truncate_label)

__all__ = ["slogan_bars", "slogan_heatmap", "slogan_timeline", "slogan_upset", "slogan_turnover",
           "STATUS_LABELS", "OTHER_COLOR", "CHANGE_LABELS", "CHANGE_COLORS"]

#: Block headings of the statuses of :func:`tifa.analyze.slogans.slogan_summary`.
STATUS_LABELS = {
    "shared": "共有：每个组都使用",
    "some": "部分组使用",
    "own": "独有：仅一个组使用",
}

#: Colour of the lumped segment ``其他`` (groups beyond ``max_groups``).
OTHER_COLOR = "#bdbdbd"

_STATUS_ORDER = ("shared", "some", "own")

#: Legend labels of the changes of :func:`tifa.analyze.slogans.slogan_changes`, as stacked.
CHANGE_LABELS = {
    "first": "首年已有",
    "continued": "延续（以前年份用过）",
    "new": "新出现（首次使用）",
    "dropped": "不再出现（上一年后未再使用）",
}

#: Colours of the changes: carried-on formulations quiet, newcomers and dropped ones loud.
CHANGE_COLORS = {"first": "#bdbdbd", "continued": "#4f6d7a", "new": "#2a9d8f",
                 "dropped": "#d1495b"}


def _palette(groups, colors: Mapping | None) -> dict:
    named = [g for g in groups if g != "其他"]
    palette = dict(colors) if colors is not None else style.group_colors(named)
    palette.setdefault("其他", OTHER_COLOR)
    return palette


def slogan_bars(top: pd.DataFrame, *, title: str = "反复出现的提法",
                subtitle: str | None = None, source: str | None = None,
                colors: Mapping | None = None, label_chars: int = 14,
                show_values: bool = True, figsize: tuple[float, float] | None = None) -> Figure:
    """Top slogans as horizontal bars, one segment per group, in blocks by shared/own.

    Blocks follow :data:`STATUS_LABELS` (shared by every group, used by some, a single group's
    own); within a block the bars keep the table's rank order, largest at the top. Segment
    colours are the groups' (``其他`` grey).

    Parameters
    ----------
    top : pandas.DataFrame
        From :func:`tifa.analyze.slogans.top_slogans`: columns ``slogan, status, group, count, total,
        rank``.
    title : str, default "反复出现的提法"
        Figure title.
    subtitle : str, optional
        What was counted. Default none.
    source : str, optional
        Source line at the bottom. Default none.
    colors : mapping, optional
        ``{group: colour}``; default :func:`tifa.draw.style.group_colors` of the table's groups.
    label_chars : int, default 14
        Longest slogan label in Chinese characters; longer ones end in '…'.
    show_values : bool, default True
        Write each slogan's total at the end of its bar, and, when the table has ``n_docs`` and
        ``n_docs_quoted``, the reports using it and the reports quoting it (``13 · 5份/引号2``).
    figsize : (float, float), optional
        Default: 10 inches wide, height growing with the number of slogans.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(top, ["slogan", "status", "group", "count", "total", "rank"], "slogan_bars")
    extra = [c for c in ("n_docs", "n_docs_quoted") if c in top.columns]
    slogans = (top.drop_duplicates("slogan").sort_values("rank", kind="stable")
               [["slogan", "status", "total", *extra]])
    blocks = [(s, slogans[slogans["status"] == s]) for s in _STATUS_ORDER]
    blocks = [(s, b) for s, b in blocks if len(b)]
    n_rows = len(slogans)
    n_groups = top["group"].nunique()
    legend_rows = 0 if n_groups <= 3 else math.ceil(n_groups / 4)
    fig = start_figure(width=10.0, body_height=0.34 * n_rows + 0.55 * len(blocks) + 0.9
                       + 0.25 * legend_rows,
                       title=title, subtitle=subtitle, source=source, figsize=figsize,
                       empty=top.empty)
    if top.empty:
        return fig
    present = set(top["group"])
    palette = _palette(list(dict.fromkeys(top["group"])), colors)
    # segments and legend in the palette's order (the same in every chart), 其他 last
    groups = [g for g in palette if g in present and g != "其他"]
    groups += [g for g in dict.fromkeys(top["group"]) if g not in groups and g != "其他"]
    groups += ["其他"] if "其他" in present else []
    axes = fig.subplots(len(blocks), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": [len(b) + 0.6 for _, b in blocks]})[:, 0]
    xmax = float(slogans["total"].max()) or 1.0
    seg = top.set_index(["slogan", "group"])["count"]
    for ax, (status, block) in zip(axes, blocks):
        names = block["slogan"].tolist()
        y = np.arange(len(names))
        left = np.zeros(len(names))
        for g in groups:
            vals = np.array([float(seg.get((s, g), 0)) for s in names])
            on = vals > 0
            if not on.any():
                continue
            ax.barh(y[on], vals[on], left=left[on], color=palette.get(g, OTHER_COLOR), height=0.7,
                    edgecolor="white", linewidth=0.6, label=str(g))
            left += vals
        ax.set_yticks(y, labels=[truncate_label(s, 2 * label_chars) for s in names])
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        ax.set_title(STATUS_LABELS.get(status, status), fontsize=12, color="#333333", loc="left")
        if show_values:
            for yi, row in zip(y, block.itertuples()):
                text = format_number(row.total)
                if len(extra) == 2:
                    text += f" · {format_number(row.n_docs)}份/引号{format_number(row.n_docs_quoted)}"
                ax.text(row.total + xmax * 0.01, yi, text, va="center", ha="left",
                        fontsize=9, color=style.MUTED)
        ax.set_xlim(0, xmax * ((1.3 if len(extra) == 2 else 1.1) if show_values else 1.02))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel("使用次数（各组分段）", color=style.MUTED)
    handles = [Patch(color=palette.get(g, OTHER_COLOR), label=shorten_group(g, 24)) for g in groups]
    bars_width = style.figure_limits()[0] - label_inches(
        [truncate_label(s, 2 * label_chars) for s in slogans["slogan"]], tick_size("y")) - 0.6
    ncols = legend_columns([h.get_label() for h in handles], fontsize=tick_size("y") - 1,
                           max_cols=4, width=bars_width)
    if len(handles) <= ncols and len(handles) <= 3:
        # a short legend on the line of the first block heading, right-aligned
        axes[0].legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0),
                       ncols=ncols, frameon=False, fontsize=10, borderaxespad=0.2,
                       handlelength=1.2, columnspacing=1.0)
    else:  # a longer one above the first heading, as wide as the bars
        from matplotlib.transforms import offset_copy

        above = offset_copy(axes[0].transAxes, fig=fig, y=20, units="points")
        axes[0].legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0),
                       bbox_transform=above, ncols=ncols, frameon=False,
                       borderaxespad=0.0, handlelength=1.2, columnspacing=1.0)
    return fig


def _sequential(color: str) -> LinearSegmentedColormap:
    return LinearSegmentedColormap.from_list("tifa_seq", ["#ffffff", color])


def slogan_heatmap(matrix: pd.DataFrame, *, title: str = "提法 × 组",
                   subtitle: str | None = None, source: str | None = None,
                   value_label: str = "使用次数", annotate: bool = True, label_chars: int = 14,
                   color: str = "#1f5fa8", figsize: tuple[float, float] | None = None) -> Figure:
    """Slogan x group heatmap, rows in the table's order, blocks of shared/own separated.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`tifa.analyze.slogans.slogan_matrix`: index slogans, one column per group;
        ``attrs["status"]`` (slogan -> status) draws separators between the blocks, and
        ``attrs["n_groups_total"]`` adds a note to the subtitle when groups were left out.
    title : str, default "提法 × 组"
        Figure title.
    subtitle : str, optional
        What was counted. Default none.
    source : str, optional
        Source line. Default none.
    value_label : str, default "使用次数"
        Colour bar label.
    annotate : bool, default True
        Write the value in each non-empty cell (only when there are at most 40 columns).
    label_chars : int, default 14
        Longest slogan label in Chinese characters.
    color : str, default "#1f5fa8"
        Colour of the highest value (white is zero).
    figsize : (float, float), optional
        Default grows with rows and columns.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n_rows, n_cols = matrix.shape
    total = int(matrix.attrs.get("n_groups_total") or n_cols)
    # columns closer than about two lines of their (45°) labels make the labels touch
    row_labels = [truncate_label(r, 2 * label_chars) for r in matrix.index]
    room = style.figure_limits()[0] - label_inches(row_labels, tick_size("y")) - 1.4
    fit = max(2, int(room // (1.95 * min(10.0, tick_size("x")) / 72)))
    if n_cols > fit:
        attrs = dict(matrix.attrs)
        matrix = matrix.iloc[:, :fit]
        matrix.attrs.update(attrs)
        n_cols = fit
    if total > n_cols:
        subtitle = join_notes(subtitle, f"仅显示使用最多的 {n_cols} 组（共 {total} 组）")
    empty = n_rows == 0 or n_cols == 0
    fig = start_figure(width=min(16.0, max(7.5, 3.2 + 0.75 * n_cols + 0.18 * label_chars)),
                       body_height=0.3 * n_rows + 1.8, title=title, subtitle=subtitle,
                       source=source, figsize=figsize, empty=empty)
    if empty:
        return fig
    values = matrix.to_numpy(dtype=float)
    ax = fig.add_subplot()
    vmax = float(np.nanmax(values)) or 1.0
    im = ax.imshow(values, aspect="auto", cmap=_sequential(color), vmin=0, vmax=vmax,
                   interpolation="nearest")
    ax.set_yticks(np.arange(n_rows), labels=[truncate_label(s, 2 * label_chars) for s in matrix.index])
    rotate = n_cols > 6 or max(len(str(c)) for c in matrix.columns) > 8
    ax.xaxis.tick_top()
    ax.set_xticks(np.arange(n_cols), labels=[shorten_group(c, 20) for c in matrix.columns])
    if rotate:  # labels above the columns, rising to the right from their column's centre
        ax.tick_params(axis="x", labelrotation=45, labelsize=min(10.0, tick_size("x")))
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("left")
            label.set_verticalalignment("bottom")
            label.set_rotation_mode("anchor")
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="#eeeeee", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    if annotate and n_cols <= 40:
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                if v > 0:
                    ax.text(j, i, format_number(v), ha="center", va="center", fontsize=9,
                            color="white" if v > 0.6 * vmax else "#222222")
    status = matrix.attrs.get("status") or {}
    if status:
        labels = [status.get(s) for s in matrix.index]
        for i in range(1, n_rows):
            if labels[i] != labels[i - 1]:
                ax.axhline(i - 0.5, color="#333333", linewidth=1.4)
        starts = [i for i in range(n_rows) if i == 0 or labels[i] != labels[i - 1]]
        for i in starts:
            ax.annotate(STATUS_LABELS.get(labels[i], labels[i] or "").split("：")[0],
                        xy=(1.0, i - 0.5), xycoords=("axes fraction", "data"),
                        xytext=(4, -2), textcoords="offset points", ha="left", va="top",
                        fontsize=10, color=style.MUTED)
    cbar = fig.colorbar(im, ax=ax, shrink=min(1.0, 6 / max(n_rows, 1) + 0.3), pad=0.08,
                        location="right")
    cbar.set_label(value_label, color=style.MUTED)
    cbar.locator = MaxNLocator(integer=True)
    cbar.update_ticks()
    return fig


def slogan_timeline(timeline: pd.DataFrame, *, value: str = "count",
                    title: str = "提法的年度走势", subtitle: str | None = None,
                    source: str | None = None, ncols: int = 4, label_chars: int = 12,
                    color: str = "#1f5fa8", value_label: str | None = None,
                    figsize: tuple[float, float] | None = None) -> Figure:
    """Slogan use by year as small multiples (a watchword tracker).

    With fewer than two years in the table the figure says so in words instead of drawing
    empty axes.

    Parameters
    ----------
    timeline : pandas.DataFrame
        From :func:`tifa.analyze.slogans.slogan_timeline`: ``slogan, year`` and the ``value`` column.
    value : {"count", "share_docs", "n_docs"}, default "count"
        The number drawn per year.
    title : str, default "提法的年度走势"
        Figure title.
    subtitle : str, optional
        What was counted. Default none.
    source : str, optional
        Source line. Default none.
    ncols : int, default 4
        Panels per row.
    label_chars : int, default 12
        Longest panel title in Chinese characters.
    color : str, default "#1f5fa8"
        Line colour.
    value_label : str, optional
        Y-axis label of the first panel of each row; default a Chinese name of ``value``.
    figsize : (float, float), optional
        Default grows with the number of panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(timeline, ["slogan", "year", value], "slogan_timeline")
    years = sorted(pd.unique(timeline["year"].dropna()))
    slogans = list(dict.fromkeys(timeline["slogan"]))
    label = value_label or {"count": "使用次数", "share_docs": "使用该提法的报告占比",
                            "n_docs": "使用该提法的报告数"}.get(value, value)
    if len(years) < 2 or not slogans:
        if not years:
            msg = "语料中的报告没有年份信息，无法绘制年度走势。"
        elif len(years) == 1:
            msg = (f"语料只涵盖一个年份（{int(years[0])} 年），无法绘制年度走势；"
                   "加入其他年份的报告后再看此图。")
        else:
            msg = "没有可追踪的提法。"
        return start_figure(width=10.0, body_height=2.4, title=title, subtitle=subtitle,
                            source=source, figsize=figsize, empty=msg)
    n = len(slogans)
    fig_w = style.figure_limits()[0]
    ncols = max(1, min(ncols, n, int(fig_w // 1.9)))  # a panel needs about 1.9 in
    nrows = math.ceil(n / ncols)
    fig = start_figure(width=min(16.0, 3.0 * ncols + 0.8), body_height=2.1 * nrows + 0.6,
                       title=title, subtitle=subtitle, source=source, figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    share = value == "share_docs"
    # a year label is four digits (two ems of the 9-point ticks) plus as much again between
    year_bins = max(2, int((fig_w / ncols - 0.5) * 72 // (9 * 2 * 1.6)))
    for i, (ax, s) in enumerate(zip(axes, slogans)):
        sub = timeline[timeline["slogan"] == s].sort_values("year")
        x = sub["year"].to_numpy(dtype=float)
        y = sub[value].to_numpy(dtype=float) * (100 if share else 1)
        ax.plot(x, y, color=color, marker="o", markersize=4, linewidth=1.8, clip_on=False,
                zorder=3)
        ax.fill_between(x, 0, y, color=color, alpha=0.12, linewidth=0)
        ax.set_title(truncate_label(s, 2 * label_chars), fontsize=11.5, color="#222222")
        top = float(np.nanmax(y)) if len(y) else 0.0
        ax.set_ylim(0, (top or 1.0) * 1.2)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=not share))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=min(6, len(years), year_bins),
                                               integer=True))
        ax.margins(x=0.06)
        ax.tick_params(labelsize=9)
        if i % ncols == 0:
            ax.set_ylabel(label + ("（%）" if share else ""), fontsize=9.5, color=style.MUTED)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig


def slogan_upset(overlap: pd.DataFrame, *, title: str = "各组提法的交集",
                 subtitle: str | None = None, source: str | None = None,
                 colors: Mapping | None = None, max_bars: int = 20, label_chars: int = 12,
                 figsize: tuple[float, float] | None = None) -> Figure:
    """UpSet plot of the groups' slogan sets: one bar per exact combination of groups.

    Bars (top) give the number of slogans used by exactly that combination of groups; the dot
    matrix (bottom) shows which groups form it. Works for two groups (A only, B only, both) as
    for many; the first ``max_bars`` combinations of the table are drawn.

    Parameters
    ----------
    overlap : pandas.DataFrame
        From :func:`tifa.analyze.slogans.slogan_overlap`: ``combination, degree, n_slogans`` and one
        boolean column per group (``attrs["groups"]`` names them in order; otherwise every
        boolean column is taken for a group).
    title : str, default "各组提法的交集"
        Figure title.
    subtitle : str, optional
        What was counted. Default none.
    source : str, optional
        Source line. Default none.
    colors : mapping, optional
        ``{group: colour}`` for the group dots; default :func:`tifa.draw.style.group_colors`.
    max_bars : int, default 20
        Most combinations drawn.
    label_chars : int, default 12
        Longest group label in Chinese characters.
    figsize : (float, float), optional
        Default grows with combinations and groups.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(overlap, ["combination", "degree", "n_slogans"], "slogan_upset")
    groups = list(overlap.attrs.get("groups") or
                  [c for c in overlap.columns if overlap[c].dtype == bool])
    rows = overlap.head(max_bars)
    n_bars, n_groups = len(rows), len(groups)
    if len(overlap) > max_bars:
        subtitle = join_notes(subtitle, f"仅显示前 {max_bars} 种组合（共 {len(overlap)} 种）")
    empty = rows.empty or not groups
    fig = start_figure(width=min(16.0, max(7.5, 2.4 + 0.2 * label_chars + 0.62 * n_bars)),
                       body_height=3.2 + 0.42 * n_groups, title=title, subtitle=subtitle,
                       source=source, figsize=figsize, empty=empty)
    if empty:
        return fig
    palette = dict(colors) if colors is not None else style.group_colors(groups)
    bar_ax, dot_ax = fig.subplots(2, 1, sharex=True,
                                  gridspec_kw={"height_ratios": [3.0, 0.42 * n_groups + 0.3]})
    x = np.arange(n_bars)
    vals = rows["n_slogans"].to_numpy(dtype=float)
    bars = bar_ax.bar(x, vals, color="#4f6d7a", width=0.6)
    bar_ax.bar_label(bars, labels=[format_number(v) for v in vals], padding=2, fontsize=10,
                     color="#333333")
    bar_ax.set_ylabel("提法数", color=style.MUTED)
    bar_ax.set_ylim(0, float(vals.max()) * 1.18 or 1.0)
    bar_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bar_ax.grid(axis="x", visible=False)
    bar_ax.tick_params(axis="x", length=0, labelbottom=False)

    member = rows[groups].to_numpy(dtype=bool)
    for j in range(n_bars):
        ys = [i for i in range(n_groups) if member[j, i]]
        dot_ax.scatter([j] * n_groups, range(n_groups), s=70, color="#e0e0e0", zorder=2)
        if ys:
            dot_ax.plot([j, j], [min(ys), max(ys)], color="#333333", linewidth=2, zorder=3)
            dot_ax.scatter([j] * len(ys), ys, s=70, zorder=4,
                           color=[palette.get(groups[i], "#333333") for i in ys])
    dot_ax.set_yticks(range(n_groups), labels=[truncate_label(g, 2 * label_chars) for g in groups])
    for tick, g in zip(dot_ax.get_yticklabels(), groups):
        tick.set_color(palette.get(g, "#333333"))
    dot_ax.set_ylim(n_groups - 0.5, -0.5)
    dot_ax.set_xlim(-0.6, n_bars - 0.4)
    dot_ax.tick_params(length=0)
    dot_ax.set_xticks([])
    dot_ax.grid(False)
    for spine in dot_ax.spines.values():
        spine.set_visible(False)
    return fig


def slogan_turnover(turnover: pd.DataFrame, *, title: str = "提法的新旧更替",
                    subtitle: str | None = None, source: str | None = None,
                    max_groups: int = 6, ncols: int = 3, show_values: bool = True,
                    label_chars: int = 12, figsize: tuple[float, float] | None = None) -> Figure:
    """New, continued and dropped formulations per year, one panel per group.

    Above the zero line each year's formulations stack as carried on from earlier years and
    new that year (the group's first year: all as "first"); below it, the formulations last
    seen the year before. With fewer than two years in every group the figure says so instead.

    Parameters
    ----------
    turnover : pandas.DataFrame
        From :func:`tifa.analyze.slogans.slogan_turnover`: ``group, year, n_first, n_new,
        n_continued, n_dropped`` (groups drawn in the table's order).
    title : str, default "提法的新旧更替"
        Figure title.
    subtitle : str, optional
        What was counted. Default none.
    source : str, optional
        Source line. Default none.
    max_groups : int, default 6
        Panels drawn (the table's first groups that span two years or more); the subtitle says
        how many were left out.
    ncols : int, default 3
        Panels per row.
    show_values : bool, default True
        Write each segment's number in it (segments too small for a number stay blank).
    label_chars : int, default 12
        Longest panel title in Chinese characters.
    figsize : (float, float), optional
        Default grows with the number of panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cols = ["group", "year", "n_first", "n_new", "n_continued", "n_dropped"]
    require_columns(turnover, cols, "slogan_turnover")
    spans = turnover.groupby("group", sort=False)["year"].nunique()
    groups = [g for g in dict.fromkeys(turnover["group"]) if spans.get(g, 0) >= 2]
    if not groups:
        years = sorted(pd.unique(turnover["year"].dropna()))
        if not years:
            msg = "语料中的报告没有年份信息，无法比较各年的提法。"
        else:
            msg = (f"语料{'只涵盖一个年份（' + str(int(years[0])) + ' 年）' if len(years) == 1 else '中每组只涵盖一个年份'}，"
                   "无法比较提法的新旧更替；加入其他年份的报告后再看此图。")
        return start_figure(width=10.0, body_height=2.4, title=title, subtitle=subtitle,
                            source=source, figsize=figsize, empty=msg)
    if len(groups) > max_groups:
        subtitle = join_notes(subtitle, f"仅显示前 {max_groups} 组（共 {len(groups)} 组跨年份）")
        groups = groups[:max_groups]
    n = len(groups)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    n_years = int(turnover[turnover["group"].isin(groups)].groupby("group")["year"].nunique().max())
    width = min(16.0, max(7.5, ncols * (1.2 + 0.75 * n_years)))
    fig = start_figure(width=width, body_height=2.9 * nrows + 1.0, title=title,
                       subtitle=subtitle, source=source, figsize=figsize)
    # a thin first row holds the legend, clear of the title above and the source line below
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[0.16] + [1.0] * nrows)
    key_ax = fig.add_subplot(grid[0, :])
    key_ax.axis("off")
    axes = [fig.add_subplot(grid[1 + i // ncols, i % ncols]) for i in range(nrows * ncols)]
    for ax in axes[1:]:
        ax.sharey(axes[0])
    t = turnover[turnover["group"].isin(groups)]
    top = float((t["n_first"] + t["n_continued"] + t["n_new"]).max()) or 1.0
    bottom = float(t["n_dropped"].max())
    for ax, g in zip(axes, groups):
        sub = t[t["group"] == g].sort_values("year")
        x = np.arange(len(sub))
        base = np.zeros(len(sub))
        for change in ("first", "continued", "new"):
            vals = sub[f"n_{change}"].to_numpy(dtype=float)
            ax.bar(x, vals, bottom=base, width=0.66, color=CHANGE_COLORS[change],
                   edgecolor="white", linewidth=0.6, label=CHANGE_LABELS[change])
            if show_values:
                _segment_values(ax, x, base, vals, top + bottom, color="white")
            base += vals
        drop = sub["n_dropped"].to_numpy(dtype=float)
        ax.bar(x, -drop, width=0.66, color=CHANGE_COLORS["dropped"], edgecolor="white",
               linewidth=0.6, label=CHANGE_LABELS["dropped"])
        if show_values:
            _segment_values(ax, x, -drop, drop, top + bottom, color="white")
        ax.axhline(0, color="#333333", linewidth=0.9)
        ax.set_xticks(x, labels=[str(int(y)) for y in sub["year"]])
        ax.tick_params(axis="x", length=0)
        ax.grid(axis="x", visible=False)
        ax.set_title(truncate_label(g, 2 * label_chars), fontsize=11.5, color="#222222")
        ax.set_ylim(-bottom * 1.12 if bottom else -0.5, top * 1.08)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(lambda v, _pos: format_number(abs(v)))
    for i in range(0, n, ncols):
        axes[i].set_ylabel("提法数", fontsize=9.5, color=style.MUTED)
    for i, ax in enumerate(axes):
        if i % ncols:
            ax.tick_params(axis="y", labelleft=False)
    for ax in axes[n:]:
        ax.set_visible(False)
    present = [c for c in ("first", "continued", "new", "dropped")
               if c == "dropped" or t[f"n_{c}"].sum() > 0]
    handles = [Patch(color=CHANGE_COLORS[c], label=CHANGE_LABELS[c]) for c in present]
    key_ax.legend(handles=handles, loc="center left", bbox_to_anchor=(0.0, 0.5),
                  ncols=len(handles), frameon=False, fontsize=10, handlelength=1.2,
                  columnspacing=1.2, borderaxespad=0.0)
    return fig


def _segment_values(ax, x, base, vals, span: float, *, color: str) -> None:
    """Write each bar segment's value in its middle when the segment is tall enough."""
    for xi, b, v in zip(x, base, vals):
        if v > 0 and v >= 0.07 * span:
            ax.text(xi, b + v / 2, format_number(v), ha="center", va="center", fontsize=9,
                    color=color)
