"""The recipes every result table shares: rates, ranks within a group, group sizes, empty tables.

Each is written once here and called by frequency, compare, themes, slogans, the explorer and
the Dask counting, so that "per 10,000 tokens", "rank 1 = top of its group" and "how big is a
group" mean the same thing in every table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tifa.analyze.groups import group_of

#: Rates in tifa are per this many tokens unless a table says otherwise (``per_10k``).
PER_10K = 10_000


def g2_p_value(g2):
    """P(χ²₁ ≥ |G²|): the p-value of a log-likelihood statistic with one degree of freedom.

    The same numbers as ``scipy.stats.chi2.sf(abs(g2), 1)`` (which calls this very function,
    ``scipy.special.chdtrc``), without importing ``scipy.stats`` (several seconds).

    Parameters
    ----------
    g2 : array-like of float
        Signed or unsigned G² values.

    Returns
    -------
    ndarray of float64
    """
    from scipy.special import chdtrc

    return chdtrc(1, np.abs(np.asarray(g2, dtype=float)))


def rate(count, total, *, per: float = PER_10K):
    """``count / total * per``, missing (NaN) where ``total`` is 0 or missing.

    Parameters
    ----------
    count : array-like or Series
        Occurrences.
    total : array-like or Series
        The denominator (tokens of the group, characters of the document ...).
    per : float, default 10_000
        The unit of the rate (10,000 tokens: ``per_10k``; 1,000: ``per_1k``).

    Returns
    -------
    Series or ndarray of float64
        A Series when ``count`` is one (its index kept), else an array.
    """
    c = pd.to_numeric(pd.Series(count) if not isinstance(count, pd.Series) else count,
                      errors="coerce").astype("float64")
    t = pd.to_numeric(pd.Series(total, index=c.index) if not isinstance(total, pd.Series)
                      else total, errors="coerce").astype("float64")
    out = c / t.where(t > 0) * per
    return out if isinstance(count, pd.Series) else out.to_numpy()


def rank_within(table: pd.DataFrame, by: str | Sequence[str], *,
                within: str | Sequence[str] = "group",
                tiebreak: str | Sequence[str] = "term") -> pd.DataFrame:
    """Sort ``table`` within each group by descending ``by`` and number the rows ``rank``.

    Parameters
    ----------
    table : DataFrame
        Any result table. Not modified.
    by : str or sequence of str
        The value column(s), largest first (``"count"``, ``["count", "share"]``).
    within : str or sequence of str, default "group"
        The column(s) that make a group; rows are sorted by them first (ascending).
    tiebreak : str or sequence of str, default "term"
        Columns that break ties (ascending), so the order is deterministic.

    Returns
    -------
    DataFrame
        A sorted copy with a fresh index and an int64 ``rank`` column: 1 for the top row of
        each group.
    """
    within = [within] if isinstance(within, str) else list(within)
    by = [by] if isinstance(by, str) else list(by)
    tiebreak = [tiebreak] if isinstance(tiebreak, str) else list(tiebreak)
    keys = within + by + tiebreak
    ascending = [True] * len(within) + [False] * len(by) + [True] * len(tiebreak)
    out = table.sort_values(keys, ascending=ascending, kind="stable").reset_index(drop=True)
    if within:
        out["rank"] = (out.groupby(within, sort=False).cumcount() + 1).astype("int64")
    else:
        out["rank"] = np.arange(1, len(out) + 1, dtype="int64")
    return out


def group_sizes(documents: pd.DataFrame, by: str = "doc_id") -> pd.DataFrame:
    """How big each group is: documents, tokens and characters.

    Parameters
    ----------
    documents : DataFrame
        The documents table (``doc_id``, the ``by`` column; ``n_tokens`` and ``n_chars`` when
        known — ``n_chars`` falls back to the length of ``text``).
    by : str, default "doc_id"
        Grouping column.

    Returns
    -------
    DataFrame
        Indexed by group label (sorted), columns ``n_docs`` (int64), ``n_tokens`` (Int64,
        missing when the documents table has no token counts) and ``n_chars`` (int64).
    """
    groups = group_of(documents, by).to_numpy()
    if "n_tokens" in documents.columns:
        tokens = pd.to_numeric(documents["n_tokens"], errors="coerce").to_numpy(dtype=float)
    else:
        tokens = np.full(len(documents), np.nan)
    if "n_chars" in documents.columns:
        chars = pd.to_numeric(documents["n_chars"], errors="coerce")
    elif "text" in documents.columns:
        chars = documents["text"].astype("string").str.len()
    else:
        chars = pd.Series(0, index=documents.index)
    d = pd.DataFrame({"group": groups, "n_tokens": tokens,
                      "n_chars": chars.fillna(0).to_numpy(dtype="int64")})
    g = d.groupby("group", sort=True)
    out = pd.DataFrame({"n_docs": g.size().astype("int64"),
                        "n_tokens": g["n_tokens"].sum(min_count=1).round().astype("Int64"),
                        "n_chars": g["n_chars"].sum().astype("int64")})
    out.index = out.index.astype(str)
    out.index.name = "group"
    return out


def largest_groups(sizes: pd.Series, *, n: int = 12) -> list[str]:
    """The ``n`` largest groups, for charts that cannot show them all.

    Parameters
    ----------
    sizes : Series
        A size per group label (tokens, documents ...); missing sizes count as smallest.
    n : int, default 12
        Groups returned.

    Returns
    -------
    list of str
        Group labels, largest first, ties by label.
    """
    s = pd.DataFrame({"group": sizes.index.astype(str),
                      "size": pd.to_numeric(pd.Series(sizes.to_numpy()), errors="coerce")
                      .fillna(-1.0).to_numpy(dtype=float)})
    s = s.drop_duplicates("group").sort_values(["size", "group"], ascending=[False, True],
                                               kind="stable")
    return s["group"].head(n).tolist()


def empty_table(columns: Sequence[str], dtypes: Mapping[str, str] | None = None, *,
                default: str = "object") -> pd.DataFrame:
    """A result table with no rows: its columns, in order, with their dtypes.

    Parameters
    ----------
    columns : sequence of str
        The table's columns.
    dtypes : mapping of str to str, optional
        ``{column: dtype}`` for the columns whose dtype is not ``default``.
    default : str, default "object"
        Dtype of the other columns (``"string"`` for tables of text).

    Returns
    -------
    DataFrame
        Zero rows, a RangeIndex.
    """
    dtypes = dtypes or {}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, default)) for c in columns})
