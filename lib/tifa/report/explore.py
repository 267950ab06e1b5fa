"""A small explorer for notebooks: pick a term or slogan and a grouping, see its rate per group
and its concordance lines.

In JupyterLab (a frontend that draws widgets) :func:`explorer` returns an ipywidgets panel —
a combobox for the term (type anything, or pick one of the suggestions), a dropdown for the
grouping column and a slider for the context width — whose two tables update as you change
them. Run headless (papermill, nbconvert, the tifa pipeline) it returns the same two tables
for one term as static HTML, so the executed notebook shows a result instead of a dead widget.

Counting
--------
By default a term is counted as **tokens** (``count="tokens"``), as every result table counts
(``tables/keywords.csv``: 法治 is counted where jieba made 法治 a word of its own, not inside
法治政府建设): a term matches a token, or a run of consecutive tokens of one sentence that
spell it (a phrase). The concordance then shows those matches only. ``count="substrings"``
counts every occurrence in the cleaned sentences instead, inside longer words too, as the
concordance of :mod:`tifa.analyze.kwic` finds them (regular expressions always count this way).
The output says which (:data:`COUNT_MODES`). Rates are per 10,000 tokens of the group
(``documents.n_tokens``). Counts per document are cached per term, so changing the grouping is
instant; with thousands of reports a new term takes one pass over the tokens (or the text).
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

#: How the explorer counts, and the sentence that says so in its output.
COUNT_MODES = {
    "tokens": "按分词计数：只计独立成词（或连续几个词拼成）的出现，与 keywords.csv 等结果表一致",
    "substrings": "按字符串计数：含在更长的词中的出现也计入（如“法治政府建设”中的“法治”）",
}

#: Columns of :func:`token_matches`.
MATCH_COLUMNS = ["doc_id", "sent_id", "position", "n_tokens"]

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


def _check_count(count: str, regex: bool, tokens) -> str:
    if count not in COUNT_MODES:
        raise ValueError(f"count must be one of {sorted(COUNT_MODES)}, got {count!r}")
    if regex:
        return "substrings"  # a pattern has no token boundaries
    if count == "tokens" and tokens is None:
        raise ValueError("count='tokens' needs the tokens table (tokens=stage.tokens); "
                         "count='substrings' searches the text instead")
    return count


def token_matches(tokens: pd.DataFrame, term: str) -> pd.DataFrame:
    """Where a term occurs as tokens: a token equal to it, or consecutive tokens of one
    sentence that spell it (so a phrase jieba cut in two is found too).

    Parameters
    ----------
    tokens : pandas.DataFrame
        The tokens table (:data:`tifa.schemas.TOKENS`), in reading order.
    term : str
        The term or phrase (whitespace is ignored).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MATCH_COLUMNS`: one row per match, ``position`` of its first token,
        ``n_tokens`` of them.
    """
    term = "".join(str(term).split())
    empty = pd.DataFrame({c: pd.Series(dtype="object" if c == "doc_id" else "int64")
                          for c in MATCH_COLUMNS})
    if not term or tokens.empty:
        return empty
    tok = tokens["token"].astype(str)
    values = pd.Series(tok.unique())
    starts = set(values[values.map(term.startswith)])
    first = np.flatnonzero(tok.isin(starts).to_numpy())
    if not len(first):
        return empty
    words = tok.to_numpy(dtype=object)
    doc = tokens["doc_id"].astype(str).to_numpy()
    sent = pd.to_numeric(tokens["sent_id"], errors="coerce").fillna(-1).to_numpy()
    pos = pd.to_numeric(tokens["position"], errors="coerce").fillna(-1).to_numpy()
    text = np.array(list(words[first]), dtype=object)
    end = first.copy()
    done = text == term
    live = ~done & np.array([term.startswith(t) for t in text], dtype=bool)
    for _ in range(len(term)):
        idx = np.flatnonzero(live)
        if not len(idx):
            break
        nxt = end[idx] + 1
        ok = nxt < len(words)
        idx, nxt = idx[ok], nxt[ok]
        same = ((doc[nxt] == doc[end[idx]]) & (sent[nxt] == sent[end[idx]])
                & (pos[nxt] == pos[end[idx]] + 1))
        live[:] = False
        idx, nxt = idx[same], nxt[same]
        grown = np.array([a + b for a, b in zip(text[idx], words[nxt])], dtype=object)
        text[idx] = grown
        end[idx] = nxt
        hit = grown == term
        done[idx[hit]] = True
        live[idx[~hit & np.array([term.startswith(g) for g in grown], dtype=bool)]] = True
    rows = first[done]
    return pd.DataFrame({"doc_id": doc[rows], "sent_id": sent[rows].astype("int64"),
                         "position": pos[rows].astype("int64"),
                         "n_tokens": (end[done] - rows + 1).astype("int64")})


def document_counts(units: pd.DataFrame, term: str, *, regex: bool = False,
                    tokens: pd.DataFrame | None = None, count: str = "tokens") -> pd.Series:
    """Matches of a term in each document, counted as tokens or as substrings.

    Parameters
    ----------
    units : pandas.DataFrame
        The units table (``doc_id``, ``text``) or the documents table (searched for
        substrings).
    term : str
        A term or phrase (a regular expression with ``regex=True``).
    regex : bool, default False
        Treat ``term`` as a regular expression (counted as substrings).
    tokens : pandas.DataFrame, optional
        The tokens table; needed with ``count="tokens"``.
    count : {"tokens", "substrings"}, default "tokens"
        How to count (:data:`COUNT_MODES`, module notes).

    Returns
    -------
    pandas.Series
        Matches per ``doc_id`` (documents without a match are left out).
    """
    if _check_count(count, regex, tokens) == "tokens":
        matches = token_matches(tokens, term)
        per_doc = matches.groupby("doc_id").size()
        return per_doc[per_doc > 0].astype("int64")
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
               regex: bool = False, tokens: pd.DataFrame | None = None,
               count: str = "tokens") -> pd.DataFrame:
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
        Treat ``term`` as a regular expression (counted as substrings).
    tokens : pandas.DataFrame, optional
        The tokens table; needed with ``count="tokens"``.
    count : {"tokens", "substrings"}, default "tokens"
        Count whole tokens (as the result tables do) or every occurrence in the text.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RATE_COLUMNS`: ``group, count`` (matches), ``per_10k`` (matches per
        10,000 tokens of the group; NA when its token count is unknown), ``docs_with``
        (documents with at least one match), ``n_docs``, ``n_tokens``. Every group has a row,
        highest rate first.
    """
    return rates_from_counts(document_counts(units, term, regex=regex, tokens=tokens, count=count),
                             documents, by=by)


def token_spans(units: pd.DataFrame, tokens: pd.DataFrame, keys) -> dict:
    """Character spans (in the document's cleaned text) of the tokens of some sentences.

    Each token is looked up in its sentence after the one before it, so the spans are those
    jieba cut (punctuation and bare numbers, which have no token, are skipped over).

    Parameters
    ----------
    units : pandas.DataFrame
        The units table (``doc_id, sent_id, start, text``).
    tokens : pandas.DataFrame
        The tokens table.
    keys : iterable of (doc_id, sent_id)
        The sentences.

    Returns
    -------
    dict
        ``{(doc_id, sent_id): (set of token starts, set of token ends)}``.
    """
    keys = {(str(d), int(s)) for d, s in keys}
    if not keys:
        return {}
    wanted = pd.MultiIndex.from_tuples(sorted(keys))
    docs = sorted({d for d, _ in keys})

    def select(table: pd.DataFrame) -> pd.DataFrame:
        # the documents first (one vectorised pass), then their sentences
        table = table[table["doc_id"].astype(str).isin(docs).to_numpy()]
        index = pd.MultiIndex.from_arrays([table["doc_id"].astype(str).to_numpy(),
                                           pd.to_numeric(table["sent_id"]).astype(int).to_numpy()])
        return table[index.isin(wanted)]

    sel_u = select(units)
    sel_t = select(tokens).sort_values(["doc_id", "position"], kind="stable")
    words = {k: g["token"].astype(str).tolist()
             for k, g in sel_t.groupby([sel_t["doc_id"].astype(str),
                                        pd.to_numeric(sel_t["sent_id"]).astype(int)])}
    spans = {}
    for _, row in sel_u.iterrows():
        key = (str(row["doc_id"]), int(row["sent_id"]))
        text, base, cursor = str(row["text"]), int(row["start"]), 0
        starts, ends = set(), set()
        for word in words.get(key, []):
            i = text.find(word, cursor)
            if i < 0:
                continue
            starts.add(base + i)
            ends.add(base + i + len(word))
            cursor = i + len(word)
        spans[key] = (starts, ends)
    return spans


def token_aligned(lines: pd.DataFrame, units: pd.DataFrame, tokens: pd.DataFrame) -> pd.Series:
    """Which concordance lines (:func:`tifa.analyze.kwic.kwic` on the units table) match whole
    tokens: the match starts where a token starts and ends where a token ends."""
    if lines.empty:
        return pd.Series([], dtype=bool, index=lines.index)
    keys = list(zip(lines["doc_id"].astype(str), pd.to_numeric(lines["sent_id"]).astype(int)))
    spans = token_spans(units, tokens, keys)
    ok = []
    for key, start, match in zip(keys, lines["start"], lines["match"]):
        starts, ends = spans.get(key, (set(), set()))
        ok.append(int(start) in starts and int(start) + len(str(match)) in ends)
    return pd.Series(ok, index=lines.index, dtype=bool)


# ---------------------------------------------------------------------------- html

def rates_html(rates: pd.DataFrame, *, term: str, by: str, max_rows: int = 30,
               colors: dict | None = None, count: str | None = None) -> str:
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
    count : {"tokens", "substrings"}, optional
        How the matches were counted, said under the heading (:data:`COUNT_MODES`); default
        nothing said.

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
            + (f"<p style='color:#666;margin:0 0 6px'>{html.escape(COUNT_MODES[count])}</p>"
               if count else "")
            + "<table><thead><tr><th style='text-align:left'>组</th><th></th>"
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
        Treat terms as regular expressions (counted as substrings).
    tokens : pandas.DataFrame, optional
        The tokens table; needed with ``count="tokens"``.
    count : {"tokens", "substrings"}, default "tokens"
        How terms are counted (module notes).
    """

    def __init__(self, units: pd.DataFrame, documents: pd.DataFrame, *, regex: bool = False,
                 tokens: pd.DataFrame | None = None, count: str = "tokens"):
        self.units = units
        self.documents = documents
        self.regex = regex
        self.tokens = tokens
        self.count = _check_count(count, regex, tokens)
        self._counts: dict[str, pd.Series] = {}

    def counts(self, term: str) -> pd.Series:
        """Matches per document (cached)."""
        if term not in self._counts:
            if len(self._counts) > 64:
                self._counts.clear()
            self._counts[term] = document_counts(self.units, term, regex=self.regex,
                                                 tokens=self.tokens, count=self.count)
        return self._counts[term]

    def rates(self, term: str, by: str) -> pd.DataFrame:
        """:func:`term_rates` of a term for a grouping."""
        return rates_from_counts(self.counts(term), self.documents, by=by)

    def lines(self, term: str, by: str, *, window: int = 20, max_lines: int = 30) -> pd.DataFrame:
        """The first ``max_lines`` concordance lines of a term, grouped by ``by`` (counted as
        tokens: the lines whose match is whole tokens)."""
        if self.count == "substrings":
            return _kwic.kwic(self.units, term, regex=self.regex, window=window,
                              documents=self.documents, by=by, max_rows=max_lines)
        # the first matches in reading order, as many more as it takes to find max_lines that
        # are whole tokens (the same lines as aligning every match, without doing so)
        n = max(4 * max_lines, 1)
        while True:
            lines = _kwic.kwic(self.units, term, window=window, documents=self.documents, by=by,
                               max_rows=n)
            aligned = lines[token_aligned(lines, self.units, self.tokens)]
            if len(aligned) >= max_lines or len(lines) < n:
                return aligned.head(max_lines).reset_index(drop=True)
            n *= 8

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
        body = (rates_html(rates, term=term, by=by, max_rows=max_groups, colors=colors,
                           count=self.count)
                + concordance_html(lines, term=term, total=int(rates["count"].sum())))
        return body, rates, lines


def explorer(units: pd.DataFrame, documents: pd.DataFrame, *, terms: Sequence[str] | None = None,
             term: str | None = None, by: str = "label", by_options: Iterable[str] | None = None,
             window: int = 20, max_lines: int = 30, max_groups: int = 30, regex: bool = False,
             tokens: pd.DataFrame | None = None, count: str = "tokens",
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
        Treat terms as regular expressions (counted as substrings).
    tokens : pandas.DataFrame, optional
        The tokens table (``stage.tokens``); needed with ``count="tokens"``.
    count : {"tokens", "substrings"}, default "tokens"
        Count whole tokens, as every result table does, or every occurrence in the text
        (inside longer words too); the output says which.
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
    state = Explorer(units, documents, regex=regex, tokens=tokens, count=count)
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


# ---------------------------------------------------------------------------- the briefing's explorer

#: Caps of the explorer inside briefing.html (:func:`briefing_data`): what keeps the page a few
#: megabytes at 5,000 reports. The page says them.
BRIEFING_CAPS = {"terms": 300, "slogans": 300, "lines": 8, "groups": 60, "keyness": 400,
                 "window": 18}


def _read(path, **kwargs) -> pd.DataFrame | None:
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        return None
    if path.suffix == ".parquet":
        return pd.read_parquet(path, **kwargs)
    try:
        return pd.read_csv(path, encoding="utf-8-sig", low_memory=False, **kwargs)
    except pd.errors.EmptyDataError:
        return None


def _position_spans(units: pd.DataFrame, tokens: pd.DataFrame) -> dict:
    """``{(doc_id, position): (start, end)}``: each token's characters in its document's
    cleaned text, found in its sentence after the token before it."""
    words: dict = {}
    for (doc, sent), g in tokens.sort_values(["doc_id", "position"], kind="stable").groupby(
            [tokens["doc_id"].astype(str), pd.to_numeric(tokens["sent_id"]).astype(int)]):
        words[(doc, sent)] = list(zip(g["position"].astype(int), g["token"].astype(str)))
    spans = {}
    for doc, sent, start, text in zip(units["doc_id"].astype(str),
                                      pd.to_numeric(units["sent_id"]).astype(int),
                                      units["start"].astype(int), units["text"].astype(str)):
        cursor = 0
        for position, word in words.get((doc, sent), []):
            i = text.find(word, cursor)
            if i < 0:
                continue
            spans[(doc, position)] = (start + i, start + i + len(word))
            cursor = i + len(word)
    return spans


def _spread(table: pd.DataFrame, key: str, group: str, n: int) -> pd.DataFrame:
    """At most ``n`` rows per ``key``, taking each group's first row before any group's second."""
    t = table.assign(_k=table.groupby([key, group], sort=False).cumcount())
    t = t.sort_values([key, "_k"], kind="stable")
    return t.groupby(key, sort=False).head(n).drop(columns="_k")


def briefing_data(out, *, by: str = "label", caps: dict | None = None) -> dict | None:
    """The data of the explorer inside briefing.html, from an output folder.

    Everything comes from the tables the notebooks wrote, so the page agrees with them: the
    rate of a word per group is ``tables/keywords.csv`` (tokens, per 10,000), that of a
    formulation ``tables/slogan_by_group.csv`` (per 100,000 characters); concordance lines are
    cut from the cleaned sentences around the very tokens (``data/tokens.parquet``) or slogan
    mentions (``tables/slogan_mentions.csv``) counted. Only the most frequent words and
    formulations are carried, each with a few lines from as many groups as possible, and the
    strongest keyness rows (:data:`BRIEFING_CAPS`).

    Parameters
    ----------
    out : str or Path
        The output folder.
    by : str, default "label"
        The grouping of the run (the documents column the tables were grouped by).
    caps : dict, optional
        Overrides of :data:`BRIEFING_CAPS` (``terms``, ``slogans``, ``lines``, ``groups``,
        ``keyness``, ``window``).

    Returns
    -------
    dict or None
        JSON-ready: ``groups``, ``colors``, ``items`` (one per word or formulation: ``t``,
        ``kind``, ``unit``, ``total``, ``n_groups``, ``rows`` [[group index, count, rate]],
        ``lines`` [[group index, left, match, right]]), ``keyness`` (``columns``, ``rows``),
        ``caps`` and ``count``; None when the folder has no documents table.
    """
    from pathlib import Path

    caps = {**BRIEFING_CAPS, **(caps or {})}
    out = Path(out)
    documents = _read(out / "data" / "documents.parquet")
    if documents is None:
        documents = _read(out / "tables" / "documents.csv")
    if documents is None or by not in documents.columns:
        return None
    group = group_of(documents, by)
    order = sorted(pd.unique(group), key=lambda g: g)
    index = {g: i for i, g in enumerate(order)}
    colors = style.group_colors(order)
    window = int(caps["window"])
    items: list[dict] = []

    keywords = _read(out / "tables" / "keywords.csv", usecols=["term", "group", "count", "per_10k"])
    if keywords is not None and len(keywords):
        keywords["group"] = keywords["group"].astype(str)
        totals = keywords.groupby("term")["count"].sum().sort_values(ascending=False, kind="stable")
        terms = [str(t) for t in totals.head(int(caps["terms"])).index]
        lines = _term_lines(out, group, index, terms, caps["lines"], window)
        rows = keywords[keywords["term"].astype(str).isin(terms)]
        by_term = {t: s for t, s in rows.groupby(rows["term"].astype(str))}
        for term in terms:
            sub = by_term.get(term)
            if sub is None:
                continue
            items.append(_item(term, "词语", "每万词", sub, "per_10k", index, caps, lines.get(term, [])))

    by_group = _read(out / "tables" / "slogan_by_group.csv")
    if by_group is not None and len(by_group) and {"slogan", "group", "count"} <= set(by_group):
        if "kind" in by_group:
            by_group = by_group[by_group["kind"] != "cited"]
        by_group["group"] = by_group["group"].astype(str)
        totals = by_group.groupby("slogan")["count"].sum().sort_values(ascending=False, kind="stable")
        slogans = [str(s) for s in totals.head(int(caps["slogans"])).index]
        lines = _slogan_lines(out, documents, group, index, slogans, caps["lines"], window)
        by_slogan = {s: t for s, t in by_group.groupby(by_group["slogan"].astype(str))}
        for slogan in slogans:
            rate = "per_100k_chars" if "per_100k_chars" in by_slogan[slogan] else "count"
            items.append(_item(slogan, "提法", "每十万字", by_slogan[slogan], rate, index, caps,
                               lines.get(slogan, [])))

    keyness = _read(out / "tables" / "keyness.csv")
    key_rows, key_cols = [], ["term", "target", "reference", "n_target", "n_reference", "g2", "p",
                              "log_ratio"]
    if keyness is not None and len(keyness) and set(key_cols) <= set(keyness.columns):
        strongest = keyness.assign(_a=keyness["g2"].abs()).sort_values("_a", ascending=False,
                                                                      kind="stable")
        for row in strongest.head(int(caps["keyness"]))[key_cols].itertuples(index=False):
            key_rows.append([str(row.term), str(row.target), str(row.reference),
                             int(row.n_target), int(row.n_reference), round(float(row.g2), 2),
                             float(f"{float(row.p):.3g}"), round(float(row.log_ratio), 2)])
    return {"by": by, "groups": order, "colors": [colors[g] for g in order], "items": items,
            "keyness": {"columns": key_cols, "rows": key_rows,
                        "total": int(len(keyness)) if keyness is not None else 0},
            "caps": caps, "count": COUNT_MODES["tokens"]}


def _item(term: str, kind: str, unit: str, sub: pd.DataFrame, rate_col: str, index: dict,
          caps: dict, lines: list) -> dict:
    sub = sub[pd.to_numeric(sub["count"], errors="coerce") > 0]
    sub = sub.sort_values([rate_col, "count"], ascending=False, kind="stable")
    rows = [[index.get(str(g), -1), int(c), round(float(r), 2)]
            for g, c, r in zip(sub["group"], sub["count"], sub[rate_col])
            if str(g) in index][: int(caps["groups"])]
    return {"t": term, "kind": kind, "unit": unit, "total": int(sub["count"].sum()),
            "n_groups": int(sub["group"].nunique()), "rows": rows, "lines": lines}


def _term_lines(out, group, index, terms, n, window) -> dict:
    """A few concordance lines per word, around the tokens counted in keywords.csv."""
    import pyarrow.parquet as pq

    path = out / "data" / "tokens.parquet"
    if not terms or not path.is_file():
        return {}
    toks = pq.read_table(path, columns=["doc_id", "sent_id", "position", "token"],
                         filters=[("token", "in", list(terms))]).to_pandas()
    if toks.empty:
        return {}
    toks["doc_id"] = toks["doc_id"].astype(str)
    toks["group"] = toks["doc_id"].map(group)
    picked = _spread(toks, "token", "group", int(n))
    keys = set(zip(picked["doc_id"], pd.to_numeric(picked["sent_id"]).astype(int)))
    docs = sorted({d for d, _ in keys})
    units = pq.read_table(out / "data" / "units.parquet",
                          columns=["doc_id", "sent_id", "start", "text"],
                          filters=[("doc_id", "in", docs)]).to_pandas()
    units = units[[(str(d), int(s)) in keys for d, s in zip(units["doc_id"], units["sent_id"])]]
    sent_tokens = pq.read_table(path, columns=["doc_id", "sent_id", "position", "token"],
                                filters=[("doc_id", "in", docs)]).to_pandas()
    sent_tokens = sent_tokens[[(str(d), int(s)) in keys for d, s in
                               zip(sent_tokens["doc_id"], sent_tokens["sent_id"])]]
    spans = _position_spans(units, sent_tokens)
    text = {(str(d), int(s)): (int(a), str(t)) for d, s, a, t in
            zip(units["doc_id"], units["sent_id"], units["start"], units["text"])}
    lines: dict = {}
    for row in picked.itertuples(index=False):
        key = (row.doc_id, int(row.sent_id))
        span = spans.get((row.doc_id, int(row.position)))
        if span is None or key not in text:
            continue
        base, sentence = text[key]
        a, b = span[0] - base, span[1] - base
        lines.setdefault(str(row.token), []).append(
            [index.get(row.group, -1), sentence[max(0, a - window):a], sentence[a:b],
             sentence[b:b + window]])
    return lines


def _slogan_lines(out, documents, group, index, slogans, n, window) -> dict:
    """A few concordance lines per formulation, around the mentions of slogan_mentions.csv."""
    mentions = _read(out / "tables" / "slogan_mentions.csv",
                     usecols=lambda c: c in {"doc_id", "slogan", "start", "end"})
    if mentions is None or mentions.empty or not slogans:
        return {}
    mentions = mentions[mentions["slogan"].astype(str).isin(set(slogans))].copy()
    mentions["doc_id"] = mentions["doc_id"].astype(str)
    mentions["group"] = mentions["doc_id"].map(group)
    picked = _spread(mentions, "slogan", "group", int(n))
    texts = {}
    if "text" in documents.columns:
        texts = dict(zip(documents["doc_id"].astype(str), documents["text"].astype(str)))
    lines: dict = {}
    for row in picked.itertuples(index=False):
        text = texts.get(row.doc_id)
        if text is None:
            continue
        a, b = int(row.start), int(row.end)
        left = text[max(0, a - window):a].replace("\n", " ¶ ")
        right = text[b:b + window].replace("\n", " ¶ ")
        lines.setdefault(str(row.slogan), []).append(
            [index.get(row.group, -1), left, text[a:b], right])
    return lines
