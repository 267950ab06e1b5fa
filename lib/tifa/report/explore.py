"""A small explorer for notebooks: pick a term or slogan and a grouping, see its rate per group
and its concordance lines.

In JupyterLab (a frontend that draws widgets) :func:`explorer` returns an ipywidgets panel —
a combobox for the term (type anything, or pick one of the suggestions), a dropdown for the
grouping column and a slider for the context width — whose two tables update as you change
them. Run headless (papermill, nbconvert, the tifa pipeline) it returns the same two tables
for one term as static HTML, so the executed notebook shows a result instead of a dead widget.

Counting searches the cleaned sentences (the units table), as the concordance of
:mod:`tifa.analyze.kwic` does, so multiword slogans count whatever jieba made of them. Rates are per
10,000 tokens of the group (``documents.n_tokens``), comparable with ``tables/keywords.csv``.
Counts per document are cached per term, so changing the grouping is instant; with thousands of
reports a new term takes one pass over the text.
"""

from __future__ import annotations

import html
import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from tifa.analyze import kwic as _kwic
from tifa.analyze.groups import group_of
from tifa.analyze.measures import group_sizes, rate
from tifa.draw import style

#: Columns of :func:`term_rates`.
RATE_COLUMNS = ["group", "count", "per_10k", "docs_with", "n_docs", "n_tokens"]

#: Documents columns never offered as a grouping (text, hashes, positions).
NOT_GROUPINGS = {"raw_text", "text", "sha256", "source", "encoding", "format", "n_chars",
                 "n_tokens", "date", "title"}


def frontend_available() -> bool:
    """Whether the code runs in a kernel with a live frontend that can show widgets.

    False outside IPython, without ipywidgets, and when the cell was sent without stdin
    support — which is how papermill, nbconvert and nbclient execute notebooks (JupyterLab,
    Notebook and VS Code send cells with stdin allowed).

    Returns
    -------
    bool
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None) if shell is not None else None
    if kernel is None:
        return False
    if not getattr(kernel, "_allow_stdin", False):
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def grouping_columns(documents: pd.DataFrame, *, max_groups: int | None = None) -> list[str]:
    """Documents columns an analyst can group by: ``label``, ``doc_id``, metadata columns.

    Parameters
    ----------
    documents : pandas.DataFrame
        The documents table.
    max_groups : int, optional
        Leave out columns with more distinct values than this (``doc_id`` and ``label`` are
        always kept); default no limit.

    Returns
    -------
    list of str
        ``label`` and ``doc_id`` first when present, then the other columns in table order
        that have at least one value.
    """
    cols = [c for c in ("label", "doc_id") if c in documents.columns]
    for c in documents.columns:
        if c in cols or c in NOT_GROUPINGS or documents[c].isna().all():
            continue
        if max_groups is not None and documents[c].nunique(dropna=True) > max_groups:
            continue
        cols.append(c)
    return cols


def _pattern(term: str, regex: bool) -> re.Pattern:
    return _kwic.compile_pattern(term, regex=regex)


def document_counts(units: pd.DataFrame, term: str, *, regex: bool = False) -> pd.Series:
    """Matches of a term in each document's sentences.

    Parameters
    ----------
    units : pandas.DataFrame
        The units table (``doc_id``, ``text``) or the documents table.
    term : str
        A term or phrase (a regular expression with ``regex=True``).
    regex : bool, default False
        Treat ``term`` as a regular expression.

    Returns
    -------
    pandas.Series
        Matches per ``doc_id`` (documents without a match are left out).
    """
    rx = _pattern(term, regex)
    counts = units["text"].astype("string").fillna("").str.count(rx)
    per_doc = counts.groupby(units["doc_id"].astype(str).to_numpy()).sum()
    return per_doc[per_doc > 0].astype("int64")


def rates_from_counts(per_doc: pd.Series, documents: pd.DataFrame, *,
                      by: str = "label") -> pd.DataFrame:
    """Rates per group from matches per document (see :func:`term_rates`)."""
    groups = group_of(documents, by)
    doc_ids = documents["doc_id"].astype(str).to_numpy()
    d = pd.DataFrame({"group": groups.to_numpy(),
                      "count": per_doc.reindex(doc_ids).fillna(0).to_numpy(dtype="int64")})
    d["docs_with"] = (d["count"] > 0).astype("int64")
    g = d.groupby("group", sort=False)
    out = pd.DataFrame({"count": g["count"].sum(), "docs_with": g["docs_with"].sum()})
    sizes = group_sizes(documents, by)
    out = out.join(sizes[["n_docs", "n_tokens"]])
    out["per_10k"] = rate(out["count"], out["n_tokens"])
    out = out.reset_index()
    out = out.sort_values(["per_10k", "count", "group"], ascending=[False, False, True],
                          na_position="last", kind="stable")
    return out[RATE_COLUMNS].reset_index(drop=True)


def term_rates(units: pd.DataFrame, documents: pd.DataFrame, term: str, *, by: str = "label",
               regex: bool = False) -> pd.DataFrame:
    """How often a term or slogan occurs in each group, per 10,000 tokens.

    Parameters
    ----------
    units : pandas.DataFrame
        The units table (or the documents table: its ``text`` is searched).
    documents : pandas.DataFrame
        The documents table (``doc_id``, ``n_tokens`` and the ``by`` column).
    term : str
        A term, phrase or slogan (a regular expression with ``regex=True``).
    by : str, default "label"
        Grouping column of ``documents``.
    regex : bool, default False
        Treat ``term`` as a regular expression.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RATE_COLUMNS`: ``group, count`` (matches), ``per_10k`` (matches per
        10,000 tokens of the group; NA when its token count is unknown), ``docs_with``
        (documents with at least one match), ``n_docs``, ``n_tokens``. Every group has a row,
        highest rate first.
    """
    return rates_from_counts(document_counts(units, term, regex=regex), documents, by=by)


# ---------------------------------------------------------------------------- html

def rates_html(rates: pd.DataFrame, *, term: str, by: str, max_rows: int = 30,
               colors: dict | None = None) -> str:
    """The rate table as HTML with a bar per group in the group's house colour.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`term_rates`.
    term : str
        The term (for the heading).
    by : str
        The grouping column (for the heading).
    max_rows : int, default 30
        Most groups listed (highest rates).
    colors : dict, optional
        ``{group: colour}``; default :func:`tifa.draw.style.group_colors` of the groups.

    Returns
    -------
    str
    """
    colors = colors or style.group_colors(rates["group"])
    shown = rates.head(max_rows)
    top = float(np.nanmax(shown["per_10k"].to_numpy(dtype=float))) if len(shown) and \
        shown["per_10k"].notna().any() else 0.0
    rows = []
    for _, r in shown.iterrows():
        rate = r["per_10k"]
        width = 0 if pd.isna(rate) or top <= 0 else 100 * float(rate) / top
        rate_text = "" if pd.isna(rate) else f"{rate:.1f}"
        rows.append(
            "<tr>"
            f"<td>{html.escape(str(r['group']))}</td>"
            f'<td style="min-width:180px"><div style="background:{colors.get(r["group"], style.PALETTE[0])};'
            f'height:12px;width:{width:.1f}%"></div></td>'
            f'<td style="text-align:right">{rate_text}</td>'
            f'<td style="text-align:right">{int(r["count"]):,}</td>'
            f'<td style="text-align:right">{int(r["docs_with"]):,} / {int(r["n_docs"]):,}</td>'
            "</tr>")
    total = int(rates["count"].sum())
    note = (f"<p style='color:#666'>仅列出每万词次数最高的 {max_rows} 组（共 {len(rates):,} 组）</p>"
            if len(rates) > max_rows else "")
    return (f"<h4 style='margin:6px 0'>“{html.escape(term)}”在各组（{html.escape(by)}）中的频率："
            f"共 {total:,} 次</h4>"
            "<table><thead><tr><th style='text-align:left'>组</th><th></th>"
            "<th>每万词次数</th><th>次数</th><th>含该词的报告</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{note}")


def concordance_html(lines: pd.DataFrame, *, term: str, total: int | None = None) -> str:
    """Concordance lines as HTML: left context right-aligned, the match in bold.

    Parameters
    ----------
    lines : pandas.DataFrame
        From :func:`tifa.analyze.kwic.kwic` (``group, left, match, right``; ``section`` if present).
    term : str
        The term (for the heading).
    total : int, optional
        All matches, when ``lines`` shows only the first ones.

    Returns
    -------
    str
    """
    if lines.empty:
        return f"<p>没有找到“{html.escape(term)}”。</p>"
    rows = []
    for _, r in lines.iterrows():
        rows.append(
            "<tr>"
            f"<td style='color:#666;white-space:nowrap'>{html.escape(str(r['group']))}</td>"
            f"<td style='text-align:right'>{html.escape(str(r['left']))}</td>"
            f"<td style='text-align:center;white-space:nowrap'><b>{html.escape(str(r['match']))}</b></td>"
            f"<td style='text-align:left'>{html.escape(str(r['right']))}</td>"
            "</tr>")
    shown = len(lines)
    head = f"索引行（{shown:,} 行" + (f"，共 {total:,} 处" if total and total > shown else "") + "）"
    return (f"<h4 style='margin:10px 0 6px'>{head}</h4>"
            "<table><thead><tr><th>组</th><th style='text-align:right'>左语境</th><th>检索词</th>"
            f"<th style='text-align:left'>右语境</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


class StaticView:
    """What the explorer shows when no widget frontend is attached: the two tables as HTML."""

    def __init__(self, html_text: str, rates: pd.DataFrame, lines: pd.DataFrame):
        self.html = html_text
        self.rates = rates
        self.lines = lines

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.rates.to_string(index=False)


class Explorer:
    """The state behind the explorer: tables and a per-term cache of document counts.

    Parameters
    ----------
    units : pandas.DataFrame
        The units table (cleaned sentences).
    documents : pandas.DataFrame
        The documents table.
    regex : bool, default False
        Treat terms as regular expressions.
    """

    def __init__(self, units: pd.DataFrame, documents: pd.DataFrame, *, regex: bool = False):
        self.units = units
        self.documents = documents
        self.regex = regex
        self._counts: dict[str, pd.Series] = {}

    def counts(self, term: str) -> pd.Series:
        """Matches per document (cached)."""
        if term not in self._counts:
            if len(self._counts) > 64:
                self._counts.clear()
            self._counts[term] = document_counts(self.units, term, regex=self.regex)
        return self._counts[term]

    def rates(self, term: str, by: str) -> pd.DataFrame:
        """:func:`term_rates` of a term for a grouping."""
        return rates_from_counts(self.counts(term), self.documents, by=by)

    def lines(self, term: str, by: str, *, window: int = 20, max_lines: int = 30) -> pd.DataFrame:
        """The first ``max_lines`` concordance lines of a term, grouped by ``by``."""
        return _kwic.kwic(self.units, term, regex=self.regex, window=window,
                          documents=self.documents, by=by, max_rows=max_lines)

    def view_html(self, term: str, by: str, *, window: int = 20, max_lines: int = 30,
                  max_groups: int = 30) -> tuple[str, pd.DataFrame, pd.DataFrame]:
        """Both tables as HTML for one term and grouping, with the tables themselves."""
        term = (term or "").strip()
        if not term:
            return "<p>请输入一个词语或提法。</p>", pd.DataFrame(columns=RATE_COLUMNS), pd.DataFrame()
        try:
            rates = self.rates(term, by)
            lines = self.lines(term, by, window=window, max_lines=max_lines)
        except re.error as exc:
            return (f"<p>无法解析的正则表达式：{html.escape(str(exc))}</p>",
                    pd.DataFrame(columns=RATE_COLUMNS), pd.DataFrame())
        colors = style.group_colors(group_of(self.documents, by))
        body = (rates_html(rates, term=term, by=by, max_rows=max_groups, colors=colors)
                + concordance_html(lines, term=term, total=int(rates["count"].sum())))
        return body, rates, lines


def explorer(units: pd.DataFrame, documents: pd.DataFrame, *, terms: Sequence[str] | None = None,
             term: str | None = None, by: str = "label", by_options: Iterable[str] | None = None,
             window: int = 20, max_lines: int = 30, max_groups: int = 30, regex: bool = False,
             interactive: bool | None = None):
    """Pick a term or slogan and a grouping column; see its rate per group and its concordance.

    Parameters
    ----------
    units : pandas.DataFrame
        The units table (cleaned sentences, :data:`tifa.schemas.UNITS`).
    documents : pandas.DataFrame
        The documents table.
    terms : sequence of str, optional
        Suggestions offered in the term box (e.g. top keywords and slogans); any other term
        can be typed. Default none.
    term : str, optional
        The term shown first; default the first suggestion.
    by : str, default "label"
        The grouping shown first.
    by_options : iterable of str, optional
        Groupings offered; default :func:`grouping_columns` of ``documents``.
    window : int, default 20
        Characters of context on each side of a concordance line.
    max_lines : int, default 30
        Concordance lines shown.
    max_groups : int, default 30
        Groups listed in the rate table (highest rates).
    regex : bool, default False
        Treat terms as regular expressions.
    interactive : bool or None, default None
        ``True``: widgets; ``False``: a static view; ``None``: widgets only when a frontend can
        show them (:func:`frontend_available`), so papermill runs get the static view.

    Returns
    -------
    ipywidgets.VBox or StaticView
        Display it (make it a cell's last expression).
    """
    terms = [str(t) for t in dict.fromkeys(terms or []) if str(t).strip()]
    term = term if term is not None else (terms[0] if terms else "")
    options = list(dict.fromkeys(by_options)) if by_options is not None else grouping_columns(documents)
    if by not in options:
        options = [by] + options
    state = Explorer(units, documents, regex=regex)
    if interactive is None:
        interactive = frontend_available()
    if not interactive:
        body, rates, lines = state.view_html(term, by, window=window, max_lines=max_lines,
                                             max_groups=max_groups)
        return StaticView(body, rates, lines)

    import ipywidgets as widgets

    term_box = widgets.Combobox(value=term, options=terms, description="词语/提法",
                                placeholder="输入或选择", ensure_option=False,
                                continuous_update=False, layout=widgets.Layout(width="360px"))
    by_box = widgets.Dropdown(options=options, value=by, description="分组",
                              layout=widgets.Layout(width="260px"))
    window_box = widgets.IntSlider(value=window, min=5, max=80, step=5, description="语境字数",
                                   continuous_update=False)
    result = widgets.HTML()

    def update(*_):
        result.value, _rates, _lines = state.view_html(
            term_box.value, by_box.value, window=window_box.value, max_lines=max_lines,
            max_groups=max_groups)

    for box in (term_box, by_box, window_box):
        box.observe(update, names="value")
    update()
    panel = widgets.VBox([widgets.HBox([term_box, by_box, window_box]), result])
    panel.explorer = state  # for inspection from code
    return panel
