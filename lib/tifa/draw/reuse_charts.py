"""Charts of notebook 06_reuse (shared passages): tables in, a figure (or an HTML view) out.

Like every chart module, nothing here computes a statistic: :mod:`tifa.analyze.reuse` has
already found the passages, aligned them and counted the characters; a chart chooses which
rows to show (the first ``n`` pairs, the first ``max_groups`` groups of the matrix) and draws
them, saying in its subtitle when rows were left out.

==========================  ==================================================================
:func:`reuse_matrix`        groups × groups (or documents × documents): the share of each row's
                            text found in the column's documents
:func:`top_pairs`           the pairs sharing the most text, with the share of each document
:func:`repeated_passages`   the sentences found in the most documents, templates marked
:func:`side_by_side`        one pair's passages next to each other, the differences marked
                            (HTML, for the notebook)
==========================  ==================================================================
"""

from __future__ import annotations

import html
from typing import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.patches import Patch

from tifa.draw import style
from tifa.draw.charts import (keep_first, legend_at_bottom, legend_rows_inches, require_columns,
                              start_figure, tick_size, truncate_label, wrap_label)

__all__ = ["reuse_matrix", "top_pairs", "repeated_passages", "side_by_side", "HtmlView",
           "TEMPLATE_COLOR", "REPEATED_COLOR"]

#: Bar colour of template sentences (found in ``template_docs`` documents or more).
TEMPLATE_COLOR = "#7a7a7a"
#: Bar colour of repeated sentences below the template bound.
REPEATED_COLOR = "#1f5fa8"
#: Background of text only in the left / the right document, and of changed text.
_DELETED = "#f8d0d0"
_INSERTED = "#cdebd3"
_CHANGED = "#fbe7a6"


def _percent(v: float) -> str:
    if not np.isfinite(v):
        return ""
    return f"{v:.0%}" if v >= 0.01 or v == 0 else "<1%"


# ---------------------------------------------------------------------------- matrix

def reuse_matrix(matrix: pd.DataFrame, *, value: str = "share", max_groups: int = 20,
                 annotate: bool | None = None, cmap: str = "OrRd",
                 title: str = "各组之间的共同段落", subtitle: str | None = None,
                 source: str | None = None, label_chars: int = 10,
                 figsize: tuple[float, float] | None = None) -> Figure:
    """Heatmap of the reuse matrix: each row's text that is also found in each column's.

    Rows and columns are the same groups, in the order they first appear in the table (the
    matrix of :func:`tifa.analyze.reuse.reuse_matrix` comes sorted by how much each group
    shares, so the first ``max_groups`` are those with the most shared text; the subtitle says
    when some are left out). A cell is blank where the two share nothing; the diagonal holds
    pairs within one group.

    Parameters
    ----------
    matrix : DataFrame
        Columns ``group``, ``other`` and ``value``.
    value : str, default "share"
        Column drawn; ``share`` (0–1) is printed as a percentage.
    max_groups : int, default 20
        Most groups (rows and columns) drawn.
    annotate : bool or None, default None
        Print the values in the cells; None: with at most 15 groups.
    cmap : str, default "OrRd"
        Matplotlib colormap (sequential, from 0).
    title : str, default "各组之间的共同段落"
        Figure title.
    subtitle : str or None, default None
        What was counted (shown under the title).
    source : str or None, default None
        Source line.
    label_chars : int, default 10
        Longest group label in Chinese characters.
    figsize : (float, float) or None, default None
        Inches; None grows with the number of groups.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(matrix, ["group", "other", value], "reuse_matrix")
    order = list(dict.fromkeys(matrix["group"].astype(str).tolist()
                               + matrix["other"].astype(str).tolist()))
    groups, subtitle = keep_first(order, max_groups, subtitle, noun="组",
                                  hint="按共享文字多少取前几组")
    n = len(groups)
    side = min(9.0, max(3.2, 0.42 * n + 1.6))
    fig = start_figure(width=max(8.0, side + 0.13 * label_chars * 2 + 2.0), body_height=side,
                       title=title, subtitle=subtitle, source=source, figsize=figsize,
                       empty="没有发现报告之间的共同段落" if matrix.empty else False)
    if matrix.empty:
        return fig
    table = matrix.assign(group=matrix["group"].astype(str), other=matrix["other"].astype(str))
    grid = (table[table["group"].isin(groups) & table["other"].isin(groups)]
            .pivot_table(index="group", columns="other", values=value, aggfunc="first")
            .reindex(index=groups, columns=groups))
    values = grid.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    ax = fig.add_subplot()
    cm = matplotlib.colormaps[cmap].with_extremes(bad="#f4f4f4")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cm, vmin=0, vmax=vmax, aspect="auto",
                      interpolation="nearest")
    labels = [truncate_label(g, 2 * label_chars) for g in groups]
    ax.set_yticks(np.arange(n), labels=labels)
    ax.set_xticks(np.arange(n), labels=labels, rotation=45 if n > 3 else 0,
                  ha="left" if n > 3 else "center", rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    percent = value == "share"
    if annotate is None:
        annotate = n <= 15
    if annotate:
        for i in range(n):
            for j in range(n):
                v = values[i, j]
                if not np.isfinite(v):
                    continue
                text = _percent(v) if percent else f"{v:,.0f}"
                ax.text(j, i, text, ha="center", va="center", fontsize=9 if n > 10 else 10,
                        color="white" if v > 0.55 * vmax else "#222222")
    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    bar.ax.set_title(wrap_label("行组文字中与列组共有的比例" if percent else value, 8),
                     loc="left", fontsize=10, color=style.MUTED, pad=6)
    bar.outline.set_visible(False)
    if percent:
        digits = 0 if vmax >= 0.1 else 1  # 0–3 % needs a decimal to tell the ticks apart
        bar.ax.yaxis.set_major_formatter(lambda v, _: f"{v:.{digits}%}")
    return fig


# ---------------------------------------------------------------------------- pairs

def top_pairs(pairs: pd.DataFrame, *, n: int = 15, colors: Mapping | None = None,
              title: str = "共享文字最多的报告对", subtitle: str | None = None,
              source: str | None = None, label_chars: int = 14,
              figsize: tuple[float, float] | None = None) -> Figure:
    """The pairs sharing the most text: for each, the share of *each* document that is shared.

    Each pair takes two bars, one per document (its label on the left, the bar coloured by
    its group), with the share printed and the pair's shared passages and characters to the
    right; pairs are drawn in table order (:attr:`tifa.analyze.reuse.Reuse.pairs` comes with
    the most shared characters first).

    Parameters
    ----------
    pairs : DataFrame
        Columns ``label_a, label_b, group_a, group_b, share_a, share_b, shared_passages,
        shared_chars``.
    n : int, default 15
        Pairs drawn (the first rows).
    colors : mapping or None, default None
        ``{group: colour}``; None uses :func:`tifa.draw.style.group_colors`.
    title : str, default "共享文字最多的报告对"
        Figure title.
    subtitle : str or None, default None
        What was counted.
    source : str or None, default None
        Source line.
    label_chars : int, default 14
        Longest document label in Chinese characters.
    figsize : (float, float) or None, default None
        Inches; None grows with the number of pairs.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cols = ["label_a", "label_b", "group_a", "group_b", "share_a", "share_b",
            "shared_passages", "shared_chars"]
    require_columns(pairs, cols, "top_pairs")
    rows, subtitle = keep_first(pairs, n, subtitle, noun="对")
    k = len(rows)
    groups = pd.concat([pairs["group_a"], pairs["group_b"]]).astype(str)
    palette = dict(colors) if colors is not None else style.group_colors(groups)
    present = list(dict.fromkeys(str(g) for g in
                                 pd.concat([rows["group_a"], rows["group_b"]]).tolist()))
    handles = ([Patch(color=palette.get(g, style.PALETTE[0]), label=truncate_label(g, 16))
                for g in present] if 1 < len(present) <= 12 else [])
    width = style.figure_limits()[0]
    # labels take at most a third of the width (the bars and their numbers need the rest)
    units = max(8, min(2 * label_chars, int(width / 3 / (tick_size("y") / 72) * 2)))
    fig = start_figure(width=10.0, body_height=max(2.0, 0.62 * k + 1.0)
                       + (legend_rows_inches(handles) if handles else 0.0),
                       title=title, subtitle=subtitle, source=source, figsize=figsize,
                       empty="没有发现报告之间的共同段落" if rows.empty else False)
    if rows.empty:
        return fig
    ax = fig.add_subplot()
    y, labels, shares, bar_colors = [], [], [], []
    for i, row in enumerate(rows.itertuples(index=False)):
        base = i * 2.6
        for j, side in enumerate(("a", "b")):
            y.append(base + j)
            labels.append(truncate_label(getattr(row, f"label_{side}"), units))
            shares.append(float(getattr(row, f"share_{side}")))
            bar_colors.append(palette.get(str(getattr(row, f"group_{side}")), style.PALETTE[0]))
    y = np.array(y)
    shares = np.nan_to_num(np.array(shares))
    ax.barh(y, shares, color=bar_colors, height=0.8)
    top = float(shares.max()) or 1.0
    digits = 0 if top >= 0.1 else 1
    note = tick_size("y") - 1
    for yi, s in zip(y, shares):
        ax.text(s + top * 0.01, yi, f"{s:.{digits}%}", va="center", ha="left", fontsize=note,
                color=style.MUTED)
    for i, row in enumerate(rows.itertuples(index=False)):
        ax.text(top * 1.45, i * 2.6 + 0.5,
                f"{int(row.shared_passages)} 段\n{int(row.shared_chars):,} 字",
                va="center", ha="right", fontsize=note, color=style.MUTED, linespacing=1.1)
        if i:
            ax.axhline(i * 2.6 - 0.8, color="#dddddd", linewidth=0.8)
    ax.set_yticks(y, labels=labels)
    ax.set_ylim(y.max() + 0.6, -0.6)
    ax.set_xlim(0, top * 1.47)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.{digits}%}")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("该报告文字中共同段落所占比例", color=style.MUTED)
    if handles:
        legend_at_bottom(fig, handles)
    return fig


# ---------------------------------------------------------------------------- repeated

def repeated_passages(repeated: pd.DataFrame, *, n: int = 15,
                      title: str = "重复最多的句子", subtitle: str | None = None,
                      source: str | None = None, label_chars: int = 26,
                      figsize: tuple[float, float] | None = None) -> Figure:
    """The sentences found in the most documents, templates in grey.

    Parameters
    ----------
    repeated : DataFrame
        :attr:`tifa.analyze.reuse.Reuse.repeated`: ``text, n_docs, template`` (rows in table
        order: most documents first).
    n : int, default 15
        Sentences drawn.
    title : str, default "重复最多的句子"
        Figure title.
    subtitle : str or None, default None
        What was counted.
    source : str or None, default None
        Source line.
    label_chars : int, default 26
        Characters of a sentence shown per line (two lines at most, then '…').
    figsize : (float, float) or None, default None
        Inches; None grows with the number of sentences.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(repeated, ["text", "n_docs", "template"], "repeated_passages")
    rows, subtitle = keep_first(repeated, n, subtitle, noun="句")
    k = len(rows)
    fig = start_figure(width=10.0, body_height=max(2.0, 0.5 * k + 1.0), title=title,
                       subtitle=subtitle, source=source, figsize=figsize,
                       empty="没有在多份报告中重复的句子" if rows.empty else False)
    if rows.empty:
        return fig
    ax = fig.add_subplot()
    vals = rows["n_docs"].to_numpy(dtype=float)
    template = rows["template"].astype(bool).to_numpy()
    y = np.arange(k)
    ax.barh(y, vals, color=np.where(template, TEMPLATE_COLOR, REPEATED_COLOR), height=0.72)
    ax.set_yticks(y, labels=[wrap_label(t, 2 * label_chars, max_lines=2) for t in rows["text"]],
                  fontsize=9)
    ax.set_ylim(k - 0.5, -0.5)
    top = float(vals.max()) or 1.0
    for yi, v in zip(y, vals):
        ax.text(v + top * 0.01, yi, f"{int(v)} 篇", va="center", ha="left", fontsize=9,
                color=style.MUTED)
    ax.set_xlim(0, top * 1.12)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("出现该句（或其近似写法）的报告数", color=style.MUTED)
    handles = []
    if template.any():
        handles.append(Patch(color=TEMPLATE_COLOR, label="模板句（不计入报告对）"))
    if (~template).any():
        handles.append(Patch(color=REPEATED_COLOR, label="重复句"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2,
              fontsize=9, frameon=False, handlelength=1.0)
    return fig


# ---------------------------------------------------------------------------- side by side

class HtmlView:
    """HTML that Jupyter shows as such (``_repr_html_``); ``html`` holds the markup."""

    def __init__(self, markup: str):
        self.html = markup

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _mark(text: str, color: str | None, title: str) -> str:
    body = html.escape(text).replace("\n", "<br>")
    if color is None:
        return body
    return (f'<span style="background:{color};border-radius:2px" title="{title}">'
            f'{body}</span>')


def side_by_side(diff: pd.DataFrame, passages: pd.DataFrame, *, max_passages: int = 5,
                 title: str | None = None) -> HtmlView:
    """One pair's shared passages next to each other, with what differs marked.

    Text only in the left document (a dropped sentence, a removed 的) has a red background,
    text only in the right one green, text changed between them (a number) yellow; the rest
    is the same in both.

    Parameters
    ----------
    diff : DataFrame
        :func:`tifa.analyze.reuse.passage_diff` of the passages: ``doc_a, doc_b, passage, op,
        text_a, text_b``.
    passages : DataFrame
        The passages (:data:`tifa.analyze.reuse.PASSAGES` rows), for the labels, offsets and
        similarity shown above each passage.
    max_passages : int, default 5
        Passages shown (the first ones); a line says how many were left out.
    title : str or None, default None
        A heading above the table; None: the two labels.

    Returns
    -------
    HtmlView
        Displayed as HTML in Jupyter; ``.html`` is the markup.
    """
    require_columns(diff, ["doc_a", "doc_b", "passage", "op", "text_a", "text_b"], "side_by_side")
    if passages.empty:
        return HtmlView("<p>没有共同段落。</p>")
    first = passages.iloc[0]
    label_a, label_b = html.escape(str(first["label_a"])), html.escape(str(first["label_b"]))
    heading = html.escape(title) if title else f"{label_a} ↔ {label_b}"
    cell = "vertical-align:top;padding:6px 10px;border-top:1px solid #ddd;line-height:1.7"
    parts = [f"<div style='font-family:sans-serif'><h4 style='margin:4px 0'>{heading}</h4>",
             "<p style='color:#555;margin:2px 0 8px 0'>"
             f"<span style='background:{_DELETED}'>红底</span>：只在左边；"
             f"<span style='background:{_INSERTED}'>绿底</span>：只在右边；"
             f"<span style='background:{_CHANGED}'>黄底</span>：两边不同（如数字）。</p>",
             "<table style='border-collapse:collapse;width:100%;table-layout:fixed'>",
             f"<tr><th style='text-align:left;width:50%'>{label_a}</th>"
             f"<th style='text-align:left;width:50%'>{label_b}</th></tr>"]
    shown = passages.head(max_passages)
    for p in shown.itertuples(index=False):
        segs = diff[(diff["doc_a"].astype(str) == str(p.doc_a))
                    & (diff["doc_b"].astype(str) == str(p.doc_b))
                    & (diff["passage"] == p.passage)]
        left, right = [], []
        for s in segs.itertuples(index=False):
            a, b = str(s.text_a), str(s.text_b)
            if s.op == "equal":
                left.append(_mark(a, None, ""))
                right.append(_mark(b, None, ""))
            elif s.op == "replace":
                left.append(_mark(a, _CHANGED, "两边不同"))
                right.append(_mark(b, _CHANGED, "两边不同"))
            elif s.op == "delete":
                left.append(_mark(a, _DELETED, "只在左边"))
            elif s.op == "insert":
                right.append(_mark(b, _INSERTED, "只在右边"))
        meta = (f"第 {int(p.passage)} 段：{int(p.n_sentences)} 句相同或近似，相似度 "
                f"{float(p.similarity):.0%}；左 {int(p.start_a)}–{int(p.end_a)} 字，"
                f"右 {int(p.start_b)}–{int(p.end_b)} 字")
        parts.append(f"<tr><td colspan='2' style='color:#555;padding:8px 10px 0 10px'>"
                     f"{html.escape(meta)}</td></tr>")
        parts.append(f"<tr><td style='{cell}'>{''.join(left)}</td>"
                     f"<td style='{cell}'>{''.join(right)}</td></tr>")
    parts.append("</table>")
    if len(passages) > len(shown):
        parts.append(f"<p style='color:#555'>另有 {len(passages) - len(shown)} 段未显示。</p>")
    parts.append("</div>")
    return HtmlView("".join(parts))
