"""Grouping: every comparative function takes ``by=``, a column of the documents table.

Two documents, 31 provinces or five years are the same code path: a table keyed by ``doc_id``
gets a ``group`` column looked up from ``documents[by]``.
"""

from __future__ import annotations

import pandas as pd

#: Label used for documents whose grouping value is missing (e.g. a year the text does not give).
MISSING_GROUP = "（未注明）"


def group_of(documents: pd.DataFrame, by: str = "doc_id") -> pd.Series:
    """Map ``doc_id`` to its group label.

    Parameters
    ----------
    documents : DataFrame
        The documents table (needs ``doc_id`` and the ``by`` column).
    by : str, default "doc_id"
        The grouping column. Missing values become :data:`MISSING_GROUP`; numbers such as years
        become their text (``2022``, not ``2022.0``).

    Returns
    -------
    Series
        Indexed by ``doc_id``, string group labels.
    """
    if by not in documents.columns:
        cols = ", ".join(c for c in documents.columns if c not in ("raw_text", "text"))
        raise KeyError(f"cannot group by {by!r}: the documents table has no such column "
                       f"(columns: {cols})")
    values = documents[by]
    if pd.api.types.is_datetime64_any_dtype(values):
        labels = values.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_float_dtype(values) and values.dropna().mod(1).eq(0).all():
        labels = values.astype("Int64").astype("string")
    else:
        labels = values.astype("string")
    labels = labels.fillna(MISSING_GROUP).astype(str)
    return pd.Series(labels.to_numpy(), index=documents["doc_id"].astype(str).to_numpy(), name="group")


def attach_group(table: pd.DataFrame, documents: pd.DataFrame, by: str = "doc_id",
                 *, name: str = "group") -> pd.DataFrame:
    """Return a copy of ``table`` (keyed by ``doc_id``) with a column ``name`` holding its group.

    Parameters
    ----------
    table : DataFrame
        Any table with a ``doc_id`` column (tokens, units, slogans ...).
    documents : DataFrame
        The documents table.
    by : str, default "doc_id"
        The grouping column of ``documents``.
    name : str, default "group"
        Name of the added column.
    """
    groups = group_of(documents, by)
    out = table.copy()
    out[name] = out["doc_id"].astype(str).map(groups).fillna(MISSING_GROUP).astype(str)
    return out


def group_order(documents: pd.DataFrame, by: str = "doc_id") -> list[str]:
    """Groups in a natural order: sorted by value (years ascending, names by code point)."""
    groups = group_of(documents, by)
    return sorted(pd.unique(groups), key=lambda g: (g == MISSING_GROUP, g))
