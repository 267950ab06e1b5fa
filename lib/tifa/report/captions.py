"""One-line Chinese captions made from the numbers of a result table.

A caption says what a figure shows in figures of its own — which group uses which word,
theme or slogan most, and how much — so that a briefing reader gets the point without
decoding the chart, e.g. ``聊城市 2022 最常用的词是“法治”（每万词 141 次），厦门市 2023 是“宣传”（116 次）``.
Each function takes the table a notebook saves (``tables/*.csv``, see DESIGN.md) and returns a
string; it computes nothing new beyond picking the largest values, and never fails on an empty
table (it then says there is nothing to show). Pass the caption to
:func:`tifa.report.export.save_figure` (``caption=``) so the briefing pack shows it under the figure.

With more groups than ``max_groups`` a caption does not list every group: it counts how many
groups share each leading item ("31 组中 18 组最常用的词是“法治”") or names the first groups
and says how many there are.

Numbers are rounded for reading: whole numbers from 10 up, one decimal below 10, two below 1;
thousands get a separator (``3,243``).
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd

#: Said when a table has no rows to describe.
NOTHING = "没有可描述的数据"

#: Joins the clauses of a caption.
SEP = "；"


# ---------------------------------------------------------------------------- helpers

def number(value, *, unit: str = "") -> str:
    """A number as written in a caption.

    Parameters
    ----------
    value : float or int
        The number; missing values give ``"—"``.
    unit : str, default ""
        Written right after the number, e.g. ``"次"``.

    Returns
    -------
    str
        ``141`` for 141.4, ``9.7`` for 9.66, ``0.42`` for 0.4167, ``3,243`` for 3243.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(v):
        return "—"
    a = abs(v)
    if a >= 10 or v == int(v):
        text = f"{round(v):,}"
    elif a >= 1:
        text = f"{v:.1f}"
    else:
        text = f"{v:.2f}"
    return f"{text}{unit}"


def percent(value) -> str:
    """A share (0–1) as a whole percentage, ``"31%"``; below 1 % one decimal."""
    try:
        v = float(value) * 100
    except (TypeError, ValueError):
        return "—"
    if math.isnan(v):
        return "—"
    return f"{v:.0f}%" if abs(v) >= 1 or v == 0 else f"{v:.1f}%"


def quote(term) -> str:
    """A term in Chinese quotation marks, “…” (a title already in 《…》 is left as it is)."""
    term = str(term)
    if term.startswith("《") and term.endswith("》"):
        return term
    return f"“{term}”"


def _rate_phrase(value_col: str, v, *, first: bool) -> str:
    """'每万词 141 次' the first time, '116 次' afterwards."""
    if value_col == "per_10k":
        return f"每万词 {number(v)} 次" if first else f"{number(v)} 次"
    if value_col == "per_1k":
        return f"每千词 {number(v)} 次" if first else f"{number(v)} 次"
    if value_col == "per_100k_chars":
        return f"每十万字 {number(v)} 次" if first else f"{number(v)} 次"
    if value_col == "count":
        return f"{number(v)} 次"
    if value_col == "share":
        return (f"占 {percent(v)}" if first else percent(v))
    return f"{value_col} {number(v)}" if first else number(v)


def _groups_in_order(table: pd.DataFrame, column: str) -> list:
    return list(dict.fromkeys(table[column].dropna().tolist()))


def _best_per_group(table: pd.DataFrame, *, group: str, value: str,
                    tiebreak: Iterable[str] = ()) -> pd.DataFrame:
    """The row with the largest ``value`` in each group (ties: tiebreak columns, table order)."""
    t = table[pd.to_numeric(table[value], errors="coerce").notna()].copy()
    t["_v"] = pd.to_numeric(t[value], errors="coerce")
    t["_o"] = np.arange(len(t))
    keys = ["_v"] + [c for c in tiebreak if c in t.columns]
    t = t.sort_values(keys + ["_o"], ascending=[False] * len(keys) + [True], kind="stable")
    best = t.drop_duplicates(group, keep="first")
    order = {g: i for i, g in enumerate(_groups_in_order(table, group))}
    return best.sort_values(group, key=lambda s: s.map(order), kind="stable")


def _require(table, columns: list[str], what: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"captions.{what} needs a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(f"captions.{what}: column(s) {missing} not in the table; "
                       f"it has {list(table.columns)}")


def _tally(best: pd.DataFrame, item: str, *, noun: str, verb: str, n_groups: int,
           top: int = 2) -> str:
    """'31 组中，18 组最常用的词是“法治”，7 组是“改革”' for many groups."""
    counts = best[item].astype(str).value_counts(sort=False)
    order = {v: i for i, v in enumerate(best[item].astype(str))}
    counts = sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))[:top]
    parts = []
    for i, (term, k) in enumerate(counts):
        parts.append(f"{k} 组{verb}{noun}是{quote(term)}" if i == 0 else f"{k} 组是{quote(term)}")
    return f"{n_groups} 组中，" + "，".join(parts)


def _leaders(table: pd.DataFrame, *, group: str, value: str, item: str, noun: str, verb: str,
             max_groups: int, tiebreak: Iterable[str] = ()) -> tuple[pd.DataFrame, str | None]:
    """Each group's leading row (:func:`_best_per_group`), and the caption that says it all
    instead when the rows cannot be named one by one: :data:`NOTHING` for an empty table, a
    tally (:func:`_tally`) for more than ``max_groups`` groups; else None."""
    if table.empty:
        return table, NOTHING
    best = _best_per_group(table, group=group, value=value, tiebreak=tiebreak)
    if len(best) > max_groups:
        return best, _tally(best, item, noun=noun, verb=verb, n_groups=len(best))
    return best, None


# ---------------------------------------------------------------------------- corpus

def lengths(documents: pd.DataFrame, *, label: str = "label", measure: str = "n_chars") -> str:
    """Caption of a document-length chart: longest and shortest report, total and median.

    Parameters
    ----------
    documents : pandas.DataFrame
        The documents table (``tables/documents.csv``).
    label : str, default "label"
        Column naming each document (falls back to ``doc_id``).
    measure : {"n_chars", "n_tokens"}, default "n_chars"
        Length column; characters are written 字, tokens 词.

    Returns
    -------
    str
        E.g. ``共 2 份报告 6,056 字；最长的是聊城市 2022（3,243 字），最短的是厦门市 2023（2,813 字）``.
    """
    _require(documents, [measure], "lengths")
    unit = "字" if measure == "n_chars" else "词"
    label = label if label in documents.columns else "doc_id"
    vals = pd.to_numeric(documents[measure], errors="coerce")
    ok = documents[vals.notna()].assign(_v=vals[vals.notna()])
    n = len(documents)
    if ok.empty:
        return NOTHING
    total = f"共 {n} 份报告 {number(ok['_v'].sum(), unit=' ' + unit).strip()}"
    if len(ok) == 1:
        return total
    longest = ok.loc[ok["_v"].idxmax()]
    shortest = ok.loc[ok["_v"].idxmin()]
    text = (f"{total}{SEP}最长的是{longest[label]}（{number(longest['_v'], unit=' ' + unit)}），"
            f"最短的是{shortest[label]}（{number(shortest['_v'], unit=' ' + unit)}）")
    if len(ok) > 2:
        text += f"，中位数 {number(ok['_v'].median(), unit=' ' + unit)}"
    return text


# ---------------------------------------------------------------------------- words

def top_terms(freq: pd.DataFrame, *, term: str = "term", group: str = "group",
              value: str = "per_10k", noun: str = "词", max_groups: int = 3) -> str:
    """Caption of a top-terms chart: each group's most used term and its rate.

    Parameters
    ----------
    freq : pandas.DataFrame
        ``tables/keywords.csv`` (or ``top_tokens.csv``, ``bigrams.csv`` …): one row per term
        and group.
    term, group : str, default "term", "group"
        Columns of the term and the group (``group=None`` treats the table as one group).
    value : str, default "per_10k"
        The number compared (``per_10k``, ``count`` …); ties go to the larger ``count``.
    noun : str, default "词"
        What a term is called (``"二元词组"`` for bigrams).
    max_groups : int, default 3
        Groups named one by one; with more, the caption counts groups per leading term.

    Returns
    -------
    str
        E.g. ``聊城市 2022 最常用的词是“法治”（每万词 141 次），厦门市 2023 是“宣传”（116 次）``.
    """
    if group is None or group not in freq.columns:
        _require(freq, [term, value], "top_terms")
        freq = freq.assign(_all="全部")
        group = "_all"
    _require(freq, [term, group, value], "top_terms")
    if freq.empty:
        return NOTHING
    best = _best_per_group(freq, group=group, value=value, tiebreak=("count",))
    if group == "_all":
        row = best.iloc[0]
        return f"最常用的{noun}是{quote(row[term])}（{_rate_phrase(value, row['_v'], first=True)}）"
    n = len(best)
    if n == 1:
        row = best.iloc[0]
        return f"{row[group]} 最常用的{noun}是{quote(row[term])}（{_rate_phrase(value, row['_v'], first=True)}）"
    if best[term].astype(str).nunique() == 1:
        lo, hi = best["_v"].min(), best["_v"].max()
        rng = _rate_phrase(value, lo, first=True) if lo == hi else (
            _rate_phrase(value, lo, first=True).replace(" 次", "") + f"—{number(hi)} 次"
            if value in ("per_10k", "per_1k") else f"{number(lo)}—{number(hi)}")
        return f"{'各' if n <= max_groups else f'全部 {n} '}组最常用的{noun}都是{quote(best[term].iloc[0])}（{rng}）"
    if n > max_groups:
        return _tally(best, term, noun=noun, verb="最常用的", n_groups=n)
    parts = []
    for i, (_, row) in enumerate(best.iterrows()):
        rate = _rate_phrase(value, row["_v"], first=(i == 0))
        if i == 0:
            parts.append(f"{row[group]} 最常用的{noun}是{quote(row[term])}（{rate}）")
        else:
            parts.append(f"{row[group]} 是{quote(row[term])}（{rate}）")
    return "，".join(parts)


def term_lists(freq: pd.DataFrame, *, n: int = 3, term: str = "term", group: str = "group",
               value: str = "per_10k", max_groups: int = 3) -> str:
    """Caption of word clouds: each group's first ``n`` terms.

    Parameters
    ----------
    freq : pandas.DataFrame
        ``tables/keywords.csv``: one row per term and group.
    n : int, default 3
        Terms named per group.
    term, group, value : str, default "term", "group", "per_10k"
        Columns of the term, the group and the number ranked by.
    max_groups : int, default 3
        Groups named; with more, the first ones and the number of groups.

    Returns
    -------
    str
        E.g. ``各组最常用的词：厦门市 2023 宣传、学习、服务；聊城市 2022 法治、外事、宣传``.
    """
    _require(freq, [term, group, value], "term_lists")
    if freq.empty:
        return NOTHING
    t = freq.assign(_v=pd.to_numeric(freq[value], errors="coerce"), _o=np.arange(len(freq)))
    t = t.sort_values(["_v", "_o"], ascending=[False, True], kind="stable")
    groups = _groups_in_order(freq, group)
    parts = []
    for g in groups[:max_groups]:
        terms = t.loc[t[group] == g, term].astype(str).head(n).tolist()
        parts.append(f"{g} {'、'.join(terms)}")
    text = "各组最常用的词：" + SEP.join(parts)
    if len(groups) > max_groups:
        text += f" 等（共 {len(groups):,} 组）"
    return text


def term_gap(freq: pd.DataFrame, *, term: str = "term", group: str = "group",
             value: str = "per_10k", top_n: int = 10) -> str:
    """Caption of a side-by-side top-terms chart: the frequent term whose rate differs most.

    Among the terms in any group's first ``top_n`` (by ``value``), the one with the largest
    gap between the group that uses it most and the one that uses it least (groups that never
    use it count as 0).

    Parameters
    ----------
    freq : pandas.DataFrame
        ``tables/keywords.csv``.
    term, group, value : str, default "term", "group", "per_10k"
        Columns.
    top_n : int, default 10
        Terms per group considered.

    Returns
    -------
    str
        E.g. ``高频词中各组差别最大的是“法治”（聊城市 2022 每万词 141 次，厦门市 2023 48 次）``.
    """
    _require(freq, [term, group, value], "term_gap")
    groups = _groups_in_order(freq, group)
    if freq.empty or len(groups) < 2:
        return top_terms(freq, term=term, group=group, value=value)
    t = freq.assign(_v=pd.to_numeric(freq[value], errors="coerce").fillna(0))
    ranked = t.sort_values("_v", ascending=False, kind="stable").groupby(group, sort=False).head(top_n)
    cand = list(dict.fromkeys(ranked[term].tolist()))
    wide = (t[t[term].isin(cand)].pivot_table(index=term, columns=group, values="_v",
                                              aggfunc="sum", fill_value=0, sort=False)
            .reindex(columns=groups, fill_value=0))
    gap = (wide.max(axis=1) - wide.min(axis=1)).reindex(cand)
    best = gap.idxmax()
    row = wide.loc[best]
    hi, lo = row.idxmax(), row.idxmin()
    return (f"高频词中各组差别最大的是{quote(best)}（{hi} {_rate_phrase(value, row[hi], first=True)}，"
            f"{lo} {_rate_phrase(value, row[lo], first=False)}）")


def overuse(over: pd.DataFrame, *, max_groups: int = 3) -> str:
    """Caption of a comparison cloud: each group's most over-used term (rate above the mean).

    Parameters
    ----------
    over : pandas.DataFrame
        ``tables/overuse.csv`` (``term, group, per_10k, mean_per_10k, excess`` …).
    max_groups : int, default 3
        Groups named one by one.

    Returns
    -------
    str
        E.g. ``比各组平均多用最多的词：厦门市 2023 是“厦门市”（每万词高出 43 次），聊城市 2022 是“法律顾问”（39 次）``.
    """
    _require(over, ["term", "group", "excess"], "overuse")
    best, said = _leaders(over, group="group", value="excess", tiebreak=("count",), item="term",
                          noun="词", verb="多用最多的", max_groups=max_groups)
    if said:
        return said
    parts = []
    for i, (_, row) in enumerate(best.iterrows()):
        amount = f"每万词高出 {number(row['_v'])} 次" if i == 0 else f"{number(row['_v'])} 次"
        parts.append(f"{row['group']} 是{quote(row['term'])}（{amount}）")
    return "比各组平均多用最多的词：" + "，".join(parts)


def shared_terms(shared: pd.DataFrame, *, n: int = 3) -> str:
    """Caption of the shared-words cloud: how many terms every group uses, and the commonest.

    Parameters
    ----------
    shared : pandas.DataFrame
        ``tables/shared_terms.csv`` (``term, n_groups, share, count, min_per_10k`` …), largest
        ``min_per_10k`` first.
    n : int, default 3
        Terms named.

    Returns
    -------
    str
        E.g. ``136 个词各组都用，各组都常用的是“宣传”“学习”“外事”（每万词至少 110 次）``.
    """
    _require(shared, ["term"], "shared_terms")
    if shared.empty:
        return "没有各组都用的词"
    t = shared
    if "min_per_10k" in t.columns:
        t = t.sort_values("min_per_10k", ascending=False, kind="stable")
    names = "".join(quote(x) for x in t["term"].head(n))
    text = f"{len(shared):,} 个词各组都用，各组都常用的是{names}"
    if "min_per_10k" in t.columns:
        text += f"（每万词至少 {number(t['min_per_10k'].iloc[0])} 次）"
    return text


# ---------------------------------------------------------------------------- what sets them apart

def keyness(table: pd.DataFrame, *, p: float = 0.05, max_groups: int = 3) -> str:
    """Caption of a keyness chart: each target's strongest keyword, with rates and G².

    Parameters
    ----------
    table : pandas.DataFrame
        ``tables/keyness.csv``: ``term, target, reference, n_target, n_reference,
        total_target, total_reference, g2, p, log_ratio`` (rates ``per_10k_target`` and
        ``per_10k_reference`` are used when present, else computed from the counts).
    p : float, default 0.05
        Only terms with a p-value below this count as key.
    max_groups : int, default 3
        Targets named one by one.

    Returns
    -------
    str
        E.g. ``与对照相比，聊城市 2022 最突出的词是“法律顾问”（每万词 79 次对 0 次，G² = 14.2），厦门市 2023 是“企业”（77 次对 0 次，G² = 11.0）``.
    """
    _require(table, ["term", "target", "g2"], "keyness")
    t = table[pd.to_numeric(table["g2"], errors="coerce") > 0]
    if "p" in t.columns:
        t = t[pd.to_numeric(t["p"], errors="coerce") < p]
    if t.empty:
        return f"没有在 p < {p:g} 水平上显著多用的词" if len(table) else NOTHING
    best, said = _leaders(t, group="target", value="g2", item="term", noun="词",
                          verb="最突出的", max_groups=max_groups)
    if said:
        return said

    def rates(row) -> tuple[float, float] | None:
        if "per_10k_target" in row and "per_10k_reference" in row:
            return row["per_10k_target"], row["per_10k_reference"]
        cols = ("n_target", "total_target", "n_reference", "total_reference")
        if all(c in row for c in cols) and row["total_target"] and row["total_reference"]:
            return (row["n_target"] / row["total_target"] * 1e4,
                    row["n_reference"] / row["total_reference"] * 1e4)
        return None

    refs = set(best["reference"].astype(str)) if "reference" in best.columns else set()
    lead = ""
    if len(refs) == 1 and len(best) == 1:
        lead = f"与{next(iter(refs))} 相比，"
    parts = []
    for i, (_, row) in enumerate(best.iterrows()):
        r = rates(row)
        detail = f"G² = {row['_v']:.1f}"
        if r is not None:
            a, b = r
            detail = (f"每万词 {number(a)} 次对 {number(b)} 次，{detail}" if i == 0
                      else f"{number(a)} 次对 {number(b)} 次，{detail}")
        if i == 0:
            parts.append(f"{row['target']} 最突出的词是{quote(row['term'])}（{detail}）")
        else:
            parts.append(f"{row['target']} 是{quote(row['term'])}（{detail}）")
    return lead + "，".join(parts)


def tfidf(table: pd.DataFrame, *, max_groups: int = 3) -> str:
    """Caption of a TF-IDF chart: the term with the highest TF-IDF in each group.

    Parameters
    ----------
    table : pandas.DataFrame
        ``tables/tfidf.csv`` (``term, group, tfidf`` …).
    max_groups : int, default 3
        Groups named one by one.

    Returns
    -------
    str
        E.g. ``最能代表各组的词（TF-IDF 最高）：聊城市 2022 是“法律顾问”（0.31），厦门市 2023 是“企业”（0.28）``.
    """
    _require(table, ["term", "group", "tfidf"], "tfidf")
    best, said = _leaders(table, group="group", value="tfidf", tiebreak=("count",), item="term",
                          noun="词", verb="TF-IDF 最高的", max_groups=max_groups)
    if said:
        return said
    parts = [f"{row['group']} 是{quote(row['term'])}（{row['_v']:.2f}）" for _, row in best.iterrows()]
    return "最能代表各组的词（TF-IDF 最高）：" + "，".join(parts)


def similarity(table: pd.DataFrame) -> str:
    """Caption of a similarity heatmap: the most and the least similar pair of groups.

    Parameters
    ----------
    table : pandas.DataFrame
        Pairs (``group, other, cosine``, e.g. ``tables/similarity.csv``) or the square matrix
        of :func:`tifa.analyze.compare.similarity`.

    Returns
    -------
    str
        E.g. ``最相近的是甲市 与乙市（余弦相似度 0.62），差别最大的是甲市 与丙市（0.21）`` (a space
        after each group, as group labels often end in a year).
    """
    if isinstance(table, pd.DataFrame) and {"group", "other", "cosine"} <= set(table.columns):
        pairs = table[["group", "other", "cosine"]]
    else:
        if not isinstance(table, pd.DataFrame) or table.shape[0] != table.shape[1]:
            raise KeyError("captions.similarity needs pairs (group, other, cosine) or a square matrix")
        labels = list(table.index)
        i, j = np.triu_indices(len(labels), k=1)
        vals = table.to_numpy(dtype=float)
        pairs = pd.DataFrame({"group": np.asarray(labels, dtype=object)[i],
                              "other": np.asarray(labels, dtype=object)[j], "cosine": vals[i, j]})
    pairs = pairs[pairs["group"].astype(str) != pairs["other"].astype(str)]
    pairs = pairs.assign(_v=pd.to_numeric(pairs["cosine"], errors="coerce")).dropna(subset=["_v"])
    if pairs.empty:
        return NOTHING
    hi = pairs.loc[pairs["_v"].idxmax()]
    text = f"最相近的是{hi['group']} 与{hi['other']}（余弦相似度 {hi['_v']:.2f}）"
    key = lambda a, b: frozenset((str(a), str(b)))  # noqa: E731
    if pairs.apply(lambda r: key(r["group"], r["other"]), axis=1).nunique() > 1:
        lo = pairs.loc[pairs["_v"].idxmin()]
        text += f"，差别最大的是{lo['group']} 与{lo['other']}（{lo['_v']:.2f}）"
    return text


# ---------------------------------------------------------------------------- themes

def themes(table: pd.DataFrame, *, value: str | None = None, max_groups: int = 3,
           gap: bool = True) -> str:
    """Caption of a theme chart: each group's leading theme, and the theme that differs most.

    Parameters
    ----------
    table : pandas.DataFrame
        ``tables/themes.csv``: ``theme, group, hits, per_1k, share``.
    value : {"share", "per_1k", "hits"} or None, default None
        The number compared; default ``share`` when present, else ``per_1k``, else ``hits``.
    max_groups : int, default 3
        Groups named one by one.
    gap : bool, default True
        Add the theme whose rate (``per_1k``) differs most between groups.

    Returns
    -------
    str
        E.g. ``聊城市 2022 着墨最多的主题是“普法宣传”（占 31%），厦门市 2023 是“涉外服务”（28%）；
        差别最大的是“涉外服务”（每千词 9.1 次对 2.3 次）``.
    """
    _require(table, ["theme", "group"], "themes")
    if value is None:
        value = next((c for c in ("share", "per_1k", "hits") if c in table.columns), None)
        if value is None:
            raise KeyError("captions.themes needs a share, per_1k or hits column")
    _require(table, [value], "themes")
    t = table[pd.to_numeric(table[value], errors="coerce") > 0]
    if t.empty:
        return "没有句子命中主题词表" if len(table) else NOTHING
    best = _best_per_group(t, group="group", value=value, tiebreak=("hits",))
    n = len(best)
    if n == 1:
        row = best.iloc[0]
        return f"{row['group']} 着墨最多的主题是{quote(row['theme'])}（{_rate_phrase(value, row['_v'], first=True)}）"
    if best["theme"].astype(str).nunique() == 1:
        text = f"{'各' if n <= max_groups else f'全部 {n} '}组着墨最多的主题都是{quote(best['theme'].iloc[0])}"
    elif n > max_groups:
        text = _tally(best, "theme", noun="主题", verb="着墨最多的", n_groups=n)
    else:
        parts = []
        for i, (_, row) in enumerate(best.iterrows()):
            rate = _rate_phrase(value, row["_v"], first=(i == 0))
            parts.append(f"{row['group']} 着墨最多的主题是{quote(row['theme'])}（{rate}）" if i == 0
                         else f"{row['group']} 是{quote(row['theme'])}（{rate}）")
        text = "，".join(parts)
    spread_col = "per_1k" if "per_1k" in table.columns else value
    wide = table.assign(_v=pd.to_numeric(table[spread_col], errors="coerce")).dropna(subset=["_v"])
    if gap and wide["group"].nunique() > 1:
        g = wide.groupby("theme", sort=False)["_v"]
        spread = (g.max() - g.min()).sort_values(ascending=False, kind="stable")
        if len(spread) and spread.iloc[0] > 0:
            theme = spread.index[0]
            rows = wide[wide["theme"] == theme]
            top = rows.loc[rows["_v"].idxmax()]
            low = rows.loc[rows["_v"].idxmin()]
            text += (f"{SEP}差别最大的是{quote(theme)}（{top['group']} "
                     f"{_rate_phrase(spread_col, top['_v'], first=True)}，{low['group']} "
                     f"{_rate_phrase(spread_col, low['_v'], first=False)}）")
    return text


#: Chinese names of the parts of a report (``section_role`` of the units table).
ROLE_NAMES = {"front": "开头", "work": "工作情况", "problems": "问题与不足", "plans": "下一步计划",
              "closing": "结尾"}


def theme_sections(table: pd.DataFrame) -> str:
    """Caption of the themes-by-part-of-report chart: where the most coded theme sits.

    Parameters
    ----------
    table : pandas.DataFrame
        ``tables/theme_sections.csv`` (``theme, group, section_role, hits`` …).

    Returns
    -------
    str
        E.g. ``命中最多的主题“理论学习与党的领导”有 62% 出现在“工作情况”部分``.
    """
    _require(table, ["theme", "section_role", "hits"], "theme_sections")
    t = table.assign(_h=pd.to_numeric(table["hits"], errors="coerce").fillna(0))
    if t["_h"].sum() <= 0:
        return "没有句子命中主题词表"
    by_theme = t.groupby("theme", sort=False)["_h"].sum()
    theme = by_theme.idxmax()
    roles = t[t["theme"] == theme].groupby("section_role", sort=False)["_h"].sum()
    role = roles.idxmax()
    share = roles[role] / roles.sum()
    return (f"命中最多的主题{quote(theme)}有 {percent(share)} 出现在"
            f"“{ROLE_NAMES.get(str(role), str(role))}”部分")


def uncoded_terms(table: pd.DataFrame, *, n: int = 3) -> str:
    """Caption of the chart of frequent words in sentences no theme codes.

    Parameters
    ----------
    table : pandas.DataFrame
        ``tables/theme_uncoded_terms.csv`` (``term, count`` …).
    n : int, default 3
        Terms named.

    Returns
    -------
    str
        E.g. ``主题词表未覆盖的句子里最常见的是“法治政府建设”（5 次）、“外事”“服务”``.
    """
    _require(table, ["term", "count"], "uncoded_terms")
    if table.empty:
        return "每句话都至少命中一个主题"
    t = table.assign(_c=pd.to_numeric(table["count"], errors="coerce").fillna(0))
    t = t.groupby("term", sort=False)["_c"].sum().sort_values(ascending=False, kind="stable")
    first = f"{quote(t.index[0])}（{number(t.iloc[0])} 次）"
    rest = "".join(quote(x) for x in t.index[1:n])
    return "主题词表未覆盖的句子里最常见的是" + first + (f"、{rest}" if rest else "")


def topic_mix(mix: pd.DataFrame, *, max_groups: int = 3) -> str:
    """Caption of the topic-mix chart: each group's largest data-driven topic.

    Parameters
    ----------
    mix : pandas.DataFrame
        ``tables/topic_mix.csv`` (``label, group, share`` …).
    max_groups : int, default 3
        Groups named one by one.

    Returns
    -------
    str
        E.g. ``厦门市 2023 以“T1 · 法治政府建设/…”为主（占 40%），聊城市 2022 以“T3 · …”为主（35%）``.
    """
    _require(mix, ["label", "group", "share"], "topic_mix")
    best, said = _leaders(mix, group="group", value="share", item="label", noun="数据主题",
                          verb="最大的", max_groups=max_groups)
    if said:
        return said
    parts = [f"{row['group']} 以{quote(row['label'])}为主（{'占 ' if i == 0 else ''}{percent(row['_v'])}）"
             for i, (_, row) in enumerate(best.iterrows())]
    return "，".join(parts)


def topic_terms(topics: pd.DataFrame) -> str:
    """Caption of the topic-terms chart: how many topics, the largest and its share.

    Parameters
    ----------
    topics : pandas.DataFrame
        ``tables/topics.csv`` (``label, weight_share`` …; the ``topics`` of
        :func:`tifa.analyze.topics.fit_topics`).

    Returns
    -------
    str
        E.g. ``4 个数据主题，最大的是“T1 · 法治/政府/建设”（占词权重的 40%）``.
    """
    _require(topics, ["label", "weight_share"], "topic_terms")
    if topics.empty:
        return NOTHING
    t = topics.assign(_v=pd.to_numeric(topics["weight_share"], errors="coerce").fillna(0))
    top = t.sort_values("_v", ascending=False, kind="stable").iloc[0]
    return f"{len(t)} 个数据主题，最大的是{quote(top['label'])}（占词权重的 {percent(top['_v'])}）"


def topic_themes(correspondence: pd.DataFrame) -> str:
    """Caption of the topics-against-codebook chart: how many topics the codebook covers.

    Parameters
    ----------
    correspondence : pandas.DataFrame
        ``tables/topic_themes.csv`` (``label, theme`` …; from
        :func:`tifa.analyze.topics.topic_correspondence`), ``theme`` missing where no theme
        qualifies.

    Returns
    -------
    str
        E.g. ``4 个数据主题中 3 个对应词表主题；不在词表中的是“T4 · 外事/服务/交流”``.
    """
    _require(correspondence, ["label", "theme"], "topic_themes")
    if correspondence.empty:
        return NOTHING
    missing = correspondence[correspondence["theme"].isna()]
    text = (f"{len(correspondence)} 个数据主题中 {len(correspondence) - len(missing)} 个"
            "对应词表主题")
    if missing.empty:
        return text
    return text + "；不在词表中的是" + "".join(quote(x) for x in missing["label"].head(3))


# ---------------------------------------------------------------------------- slogans

def slogans(table: pd.DataFrame, *, max_groups: int = 3) -> str:
    """Caption of a slogan chart: the most used slogan, who uses it most, and what each group
    uses more than the others.

    Parameters
    ----------
    table : pandas.DataFrame
        ``tables/slogans.csv`` or ``slogan_by_group.csv`` (``slogan, group, count``), or
        ``slogan_summary.csv`` (``slogan, count, status, n_groups`` …, without ``group``).
    max_groups : int, default 3
        Groups named one by one.

    Returns
    -------
    str
        E.g. ``“习近平法治思想”用得最多（共 13 次，厦门市 2023 占 7 次）；聊城市 2022 多用“国家安全教育日”（4 次对 1 次），
        厦门市 2023 多用“两个确立”（2 次对 0 次）``.
    """
    _require(table, ["slogan", "count"], "slogans")
    if table.empty:
        return "没有找到提法"
    if "group" not in table.columns:
        return _slogan_summary(table)
    t = table.assign(_c=pd.to_numeric(table["count"], errors="coerce").fillna(0))
    cited = t["slogan"].astype(str).str.startswith("《").all()
    used, more = ("引用最多", "多引用") if cited else ("用得最多", "多用")
    per = t.groupby(["slogan", "group"], sort=False)["_c"].sum().reset_index()
    totals = per.groupby("slogan", sort=False)["_c"].sum()
    first = {s: i for i, s in enumerate(per["slogan"])}
    ranked = sorted(totals.index, key=lambda s: (-totals[s], first[s]))
    top = ranked[0]
    rows = per[per["slogan"] == top].sort_values("_c", ascending=False, kind="stable")
    groups = _groups_in_order(t, "group")
    text = f"{quote(top)}{used}（共 {number(totals[top])} 次"
    if len(groups) > 1:
        most = rows[rows["_c"] == rows["_c"].iloc[0]]
        if len(most) == 1 and most["_c"].iloc[0] == totals[top]:
            text += f"，全部出自{most['group'].iloc[0]}"
        elif len(most) == 1:
            text += f"，{most['group'].iloc[0]} 占 {number(most['_c'].iloc[0])} 次"
        elif len(most) <= max_groups:
            text += f"，{'、'.join(map(str, most['group']))} 各 {number(most['_c'].iloc[0])} 次"
    text += "）"
    if len(groups) < 2:
        return text
    wide = per.pivot_table(index="slogan", columns="group", values="_c", aggfunc="sum",
                           fill_value=0, sort=False)
    leads = []
    for g in groups[:max_groups]:
        others = wide.drop(columns=[g])
        other_max = others.max(axis=1)
        gap = wide[g] - other_max
        cand = pd.DataFrame({"gap": gap, "count": wide[g], "other": other_max,
                             "_o": [first[s] for s in wide.index]})
        cand = cand[cand["gap"] > 0].sort_values(["gap", "count", "_o"],
                                                 ascending=[False, False, True], kind="stable")
        if len(cand):
            s = cand.index[0]
            leads.append(f"{g} {more}{quote(s)}（{number(cand.loc[s, 'count'])} 次对 "
                         f"{number(cand.loc[s, 'other'])} 次）")
    if leads:
        text += SEP + "，".join(leads)
        if len(groups) > max_groups:
            text += f" 等（共 {len(groups)} 组）"
    return text


def _slogan_summary(summary: pd.DataFrame) -> str:
    s = summary.assign(_c=pd.to_numeric(summary["count"], errors="coerce").fillna(0))
    s = s.sort_values("_c", ascending=False, kind="stable")
    row = s.iloc[0]
    text = f"{quote(row['slogan'])}用得最多（共 {number(row['_c'])} 次"
    if "n_groups" in s.columns:
        text += f"，{int(row['n_groups'])} 组使用"
    text += "）"
    if "status" in s.columns:
        n_shared = int((s["status"] == "shared").sum())
        n_own = int((s["status"] == "own").sum())
        text += f"{SEP}{len(s):,} 个提法中 {n_shared:,} 个各组共有，{n_own:,} 个只见于一组"
    return text


def slogan_overlap(overlap: pd.DataFrame) -> str:
    """Caption of the UpSet chart: slogans all groups share, and the group with most of its own.

    Parameters
    ----------
    overlap : pandas.DataFrame
        ``tables/slogan_overlap.csv`` (``combination, degree, n_slogans`` and one boolean
        column per group).

    Returns
    -------
    str
        E.g. ``5 个提法各组共有；独有提法最多的是厦门市 2023（27 个），聊城市 2022 有 23 个``.
    """
    _require(overlap, ["combination", "degree", "n_slogans"], "slogan_overlap")
    if overlap.empty:
        return "没有找到提法"
    degree = pd.to_numeric(overlap["degree"], errors="coerce")
    n = pd.to_numeric(overlap["n_slogans"], errors="coerce").fillna(0)
    fixed = {"combination", "degree", "n_slogans", "count", "examples"}
    n_groups = sum(1 for c in overlap.columns if c not in fixed) or int(degree.max())
    top_degree = degree.max()
    parts = []
    if top_degree > 1:
        shared = int(n[degree == top_degree].sum())
        who = "各组" if top_degree >= n_groups else f"{int(top_degree)} 组"
        parts.append(f"{shared:,} 个提法为{who}共有")
    own = overlap[degree == 1].assign(_n=n[degree == 1]).sort_values("_n", ascending=False,
                                                                         kind="stable")
    if len(own):
        first = own.iloc[0]
        text = f"独有提法最多的是{first['combination']}（{int(first['_n']):,} 个）"
        if len(own) > 1:
            second = own.iloc[1]
            text += f"，{second['combination']} 有 {int(second['_n']):,} 个"
        parts.append(text)
    return SEP.join(parts) or NOTHING


def slogan_timeline(timeline: pd.DataFrame) -> str:
    """Caption of the watchword tracker: the slogan whose use changed most from year to year.

    Parameters
    ----------
    timeline : pandas.DataFrame
        ``tables/slogan_timeline.csv`` (``slogan, year, count`` …).

    Returns
    -------
    str
        E.g. ``2022—2023 年间变化最大的是“两个确立”（0 次 → 2 次）``; with one year only, the most
        used slogan of that year.
    """
    _require(timeline, ["slogan", "year", "count"], "slogan_timeline")
    t = timeline.assign(_y=pd.to_numeric(timeline["year"], errors="coerce"),
                        _c=pd.to_numeric(timeline["count"], errors="coerce").fillna(0))
    t = t.dropna(subset=["_y"])
    if t.empty:
        return "没有年份信息，无法按年比较"
    years = sorted(t["_y"].unique())
    if len(years) == 1:
        row = t.sort_values("_c", ascending=False, kind="stable").iloc[0]
        return f"仅有 {int(years[0])} 年的报告；用得最多的是{quote(row['slogan'])}（{number(row['_c'])} 次）"
    wide = t.pivot_table(index="slogan", columns="_y", values="_c", aggfunc="sum", fill_value=0,
                         sort=False)
    change = (wide[years[-1]] - wide[years[0]])
    order = {s: i for i, s in enumerate(t["slogan"])}
    s = sorted(change.index, key=lambda k: (-abs(change[k]), order[k]))[0]
    return (f"{int(years[0])}—{int(years[-1])} 年间变化最大的是{quote(s)}"
            f"（{number(wide.loc[s, years[0]])} 次 → {number(wide.loc[s, years[-1]])} 次）")


def slogan_turnover(turnover: pd.DataFrame) -> str:
    """Caption of the turnover chart: the year with the most new formulations, and the last year.

    Parameters
    ----------
    turnover : pandas.DataFrame
        ``tables/slogan_turnover.csv`` (``group, year, n_new, n_continued, n_dropped``,
        ``new_examples`` …); the first group of the table is described.

    Returns
    -------
    str
        E.g. ``全部：2024 年新出现的提法最多（58 个，如“十四五”“中国式现代化”）；2026 年 33 个延续、
        14 个新出现、52 个上一年后不再出现``.
    """
    _require(turnover, ["group", "year", "n_new", "n_continued", "n_dropped"], "slogan_turnover")
    t = turnover[turnover["group"] == turnover["group"].iloc[0]] if len(turnover) else turnover
    if t["year"].nunique() < 2:
        return "只有一个年份的报告，无法比较提法的新旧更替"
    t = t.sort_values("year", kind="stable")
    later = t.iloc[1:]
    top = later.sort_values("n_new", ascending=False, kind="stable").iloc[0]
    text = f"{t['group'].iloc[0]}：{int(top['year'])} 年新出现的提法最多（{number(top['n_new'])} 个"
    examples = str(top.get("new_examples", "") or "")
    if examples and examples != "<NA>":
        text += "，如" + "".join(quote(x) for x in examples.split("、")[:2])
    last = t.iloc[-1]
    return (text + f"）{SEP}{int(last['year'])} 年 {number(last['n_continued'])} 个延续、"
            f"{number(last['n_new'])} 个新出现、{number(last['n_dropped'])} 个上一年后不再出现")


def cited(summary: pd.DataFrame) -> str:
    """Caption of the cited-documents chart: the most cited title and how widely it is cited.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``tables/slogan_summary.csv`` (rows of ``kind == "cited"`` are used when the column is
        there).

    Returns
    -------
    str
        E.g. ``引用最多的是《民法典》（共 4 次，2 组）；共引用 12 种文件``.
    """
    _require(summary, ["slogan", "count"], "cited")
    s = summary[summary["kind"] == "cited"] if "kind" in summary.columns else summary
    if s.empty:
        return "没有引用书名号内的文件"
    s = s.assign(_c=pd.to_numeric(s["count"], errors="coerce").fillna(0))
    s = s.sort_values("_c", ascending=False, kind="stable")
    row = s.iloc[0]
    title = str(row["slogan"])
    if not title.startswith("《"):
        title = f"《{title}》"
    text = f"引用最多的是{title}（共 {number(row['_c'])} 次"
    owner = row.get("owner") if "owner" in s.columns else None
    if isinstance(owner, str) and owner.strip():
        text += f"，仅见于{owner}"
    elif "n_groups" in s.columns:
        text += f"，{int(row['n_groups'])} 组"
    return text + f"）{SEP}共引用 {len(s):,} 种文件"


# ---------------------------------------------------------------------------- shared passages

def reuse_pairs(pairs: pd.DataFrame) -> str:
    """Caption of the top-pairs chart: how many pairs share text, and the pair that shares most.

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``tables/reuse_pairs.csv`` (``label_a, label_b, shared_passages, shared_sentences,
        shared_chars, share_a, share_b``), most shared characters first.

    Returns
    -------
    str
        E.g. ``3 对报告有共同段落；最多的是四川省 2025 与成都市 2025：1 段 6 句 203 字，占前者 11%、
        后者 8%``.
    """
    _require(pairs, ["label_a", "label_b", "shared_passages", "shared_sentences",
                     "shared_chars", "share_a", "share_b"], "reuse_pairs")
    if pairs.empty:
        return "没有发现报告之间的共同段落"
    top = pairs.iloc[0]
    return (f"{len(pairs):,} 对报告有共同段落{SEP}最多的是{top['label_a']} 与{top['label_b']}："
            f"{int(top['shared_passages'])} 段 {int(top['shared_sentences'])} 句 "
            f"{int(top['shared_chars']):,} 字，占前者 {percent(top['share_a'])}、"
            f"后者 {percent(top['share_b'])}")


def reuse_matrix(matrix: pd.DataFrame) -> str:
    """Caption of the reuse matrix: the group whose text is most shared with another group.

    Parameters
    ----------
    matrix : pandas.DataFrame
        ``tables/reuse_matrix.csv`` (``group, other, share, shared_chars``).

    Returns
    -------
    str
        E.g. ``共同段落占比最高的是四川省：其文字的 7% 也见于四川省的报告`` (a pair within one
        group says ``组内其他报告``).
    """
    _require(matrix, ["group", "other", "share", "shared_chars"], "reuse_matrix")
    m = matrix.assign(_v=pd.to_numeric(matrix["share"], errors="coerce")).dropna(subset=["_v"])
    if m.empty:
        return "没有发现报告之间的共同段落"
    top = m.sort_values(["_v", "shared_chars"], ascending=False, kind="stable").iloc[0]
    where = ("组内其他报告" if str(top["group"]) == str(top["other"])
             else f"{top['other']} 的报告")
    text = f"共同段落占比最高的是{top['group']}：其文字的 {percent(top['_v'])} 也见于{where}"
    between = m[m["group"].astype(str) != m["other"].astype(str)]
    if len(between) and str(top["group"]) == str(top["other"]):
        b = between.sort_values(["_v", "shared_chars"], ascending=False, kind="stable").iloc[0]
        text += f"{SEP}组间最高的是{b['group']} → {b['other']}（{percent(b['_v'])}）"
    return text


def reuse_repeated(repeated: pd.DataFrame) -> str:
    """Caption of the repeated-sentences chart: the most repeated sentence and the templates.

    Parameters
    ----------
    repeated : pandas.DataFrame
        ``tables/reuse_repeated.csv`` (``text, n_docs, template, total_docs``), most documents
        first.

    Returns
    -------
    str
        E.g. ``重复最多的是“现在，我代表市人民政府……”（28 份报告中 16 份）；12 句为模板句，不计入报告对``.
    """
    _require(repeated, ["text", "n_docs", "template"], "reuse_repeated")
    if repeated.empty:
        return "没有在多份报告中重复的句子"
    top = repeated.iloc[0]
    text = str(top["text"])
    short = text if len(text) <= 24 else text[:22] + "……"
    total = (f"{int(top['total_docs']):,} 份报告中 " if "total_docs" in repeated.columns
             and pd.notna(top["total_docs"]) else "")
    out = f"重复最多的是{quote(short)}（{total}{int(top['n_docs']):,} 份）"
    n_templates = int(repeated["template"].astype(bool).sum())
    if n_templates:
        out += f"{SEP}{n_templates:,} 句为模板句，不计入报告对"
    return out


# ---------------------------------------------------------------------------- co-occurrence

def cooccurrence(edges: pd.DataFrame, nodes: pd.DataFrame | None = None) -> str:
    """Caption of the co-occurrence network: the strongest pair and the communities.

    Parameters
    ----------
    edges : pandas.DataFrame
        The network's edges (or ``tables/cooccurrence.csv``): ``term_a, term_b, n_ab, g2``,
        strongest first.
    nodes : pandas.DataFrame, optional
        The network's nodes (``term, community``): adds how many terms and communities.

    Returns
    -------
    str
        E.g. ``关联最强的是“公共”与“预算”（39 句同现，G² 375）；40 个词分为 9 个词群``.
    """
    _require(edges, ["term_a", "term_b", "n_ab", "g2"], "cooccurrence")
    if edges.empty:
        return "没有显著的共现词对"
    top = edges.iloc[0]
    text = (f"关联最强的是{quote(top['term_a'])}与{quote(top['term_b'])}"
            f"（{int(top['n_ab']):,} 句同现，G² {number(top['g2'])}）")
    if nodes is not None and len(nodes) and "community" in nodes.columns:
        text += f"{SEP}{len(nodes):,} 个词分为 {nodes['community'].nunique():,} 个词群"
    return text
