"""Keyword in context (KWIC): every occurrence of a term, phrase or pattern with its context.

The concordance searches the *cleaned text* — the sentences of the units table, or the ``text``
column of the documents table — not the tokens, so a slogan, a multiword phrase or a pattern
that jieba splits differently in different places is still found. One regular expression is
compiled per call and run once over all the text, so a concordance over thousands of reports
takes about as long as reading them.

Used by every notebook: keywords (01), TF-IDF (02), themes (03) and slogans (04).
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

from tifa.analyze.groups import attach_group
from tifa.analyze.measures import empty_table

#: Columns of a concordance table, in order.
KWIC_COLUMNS = ["doc_id", "group", "section", "left", "match", "right", "start",
                "section_id", "para_id", "sent_id"]

#: Character put between two paragraphs when a context runs across them (shown in ``left`` /
#: ``right``); sentences of the same paragraph are joined directly, as in the text.
PARAGRAPH_MARK = " ¶ "

#: Internal separator between units (never part of a match: matches that would contain it are
#: dropped, so no match runs across two sentences or two documents).
_SEP = "\n"

#: Line breaks inside a text (a document's cleaned text keeps its paragraphs on lines of their
#: own), shown as a paragraph mark in the context columns.
_BREAKS = r"[ \t\u3000]*[\r\n]+[ \t\u3000]*"


def compile_pattern(pattern: str | Iterable[str], *, regex: bool = False,
                    ignore_case: bool = False) -> re.Pattern:
    """Compile the search pattern of :func:`kwic`.

    Parameters
    ----------
    pattern : str or iterable of str
        A term, a phrase or (with ``regex=True``) a regular expression. Several terms are
        searched at once as alternatives, longest first (so 依法行政 wins over 依法).
    regex : bool, default False
        Treat the pattern(s) as regular expressions; otherwise they are matched literally.
    ignore_case : bool, default False
        Case-insensitive matching (only matters for Latin letters).

    Returns
    -------
    re.Pattern
    """
    if isinstance(pattern, re.Pattern):
        return pattern
    terms = [pattern] if isinstance(pattern, str) else [str(p) for p in pattern]
    terms = [t for t in terms if t]
    if not terms:
        raise ValueError("kwic needs a non-empty pattern")
    if not regex:
        terms = [re.escape(t) for t in sorted(set(terms), key=lambda t: (-len(t), t))]
    source = terms[0] if len(terms) == 1 else "|".join(f"(?:{t})" for t in terms)
    return re.compile(source, re.IGNORECASE if ignore_case else 0)


def kwic(units_or_documents: pd.DataFrame, pattern: str | Iterable[str], *, regex: bool = False,
         window: int = 20, documents: pd.DataFrame | None = None, by: str = "doc_id",
         ignore_case: bool = False, max_rows: int | None = None) -> pd.DataFrame:
    """Concordance: every match of ``pattern`` with ``window`` characters of context either side.

    Parameters
    ----------
    units_or_documents : DataFrame
        Either the units table (one sentence a row, :data:`tifa.schemas.UNITS`) — then matches
        carry their section, paragraph and sentence — or the documents table
        (:data:`tifa.schemas.DOCUMENTS`, its cleaned ``text`` column is searched).
    pattern : str or iterable of str
        A term, phrase, or list of them (see :func:`compile_pattern`); a regular expression with
        ``regex=True``.
    regex : bool, default False
        Interpret ``pattern`` as a regular expression.
    window : int, default 20
        Characters of context shown on each side. Context runs across sentence and paragraph
        boundaries within a document (a paragraph break is shown as :data:`PARAGRAPH_MARK`), never
        across documents.
    documents : DataFrame or None, default None
        The documents table, for the ``group`` column. Not needed when the first argument is
        the documents table itself, or when ``by="doc_id"``.
    by : str, default "doc_id"
        Grouping column of the documents table (see :mod:`tifa.analyze.groups`).
    ignore_case : bool, default False
        Case-insensitive matching.
    max_rows : int or None, default None
        Stop after this many matches (in reading order of the table); None returns all.

    Returns
    -------
    DataFrame
        Columns :data:`KWIC_COLUMNS`: ``doc_id, group, section, left, match, right, start`` and
        ``section_id, para_id, sent_id`` (missing for a documents-table search). ``start`` is the
        character offset of the match in the document's cleaned text. A match never spans two
        sentences. Rows are in reading order (table order of the documents, then ``start``).
        Empty patterns raise ``ValueError``; no match gives an empty table with these columns.
    """
    rx = compile_pattern(pattern, regex=regex, ignore_case=ignore_case)
    table = units_or_documents
    is_units = "sent_id" in table.columns
    if "text" not in table.columns or "doc_id" not in table.columns:
        raise KeyError("kwic needs a units or documents table with doc_id and text columns")
    if documents is None:
        if not is_units:
            documents = table
        elif by != "doc_id":
            raise ValueError(f"kwic on the units table needs documents= to group by {by!r}")
    window = max(int(window), 0)
    if is_units and "sent_id" in table.columns and len(table):
        d = pd.factorize(table["doc_id"].astype(str))[0]
        s = pd.to_numeric(table["sent_id"], errors="coerce").fillna(-1).to_numpy()
        if np.any(np.diff(d) < 0) or np.any((np.diff(d) == 0) & (np.diff(s) < 0)):
            table = table.iloc[np.lexsort((s, d))]  # reading order: document, then sentence

    n = len(table)
    texts = table["text"].astype("string").fillna("").to_numpy(dtype=object)
    doc_ids = table["doc_id"].astype(str).to_numpy()
    if n == 0:
        return _empty()
    # One string over all units: units of one paragraph (or a document's text) joined directly
    # would let a match span sentences; a separator between every unit keeps them apart, and the
    # display context re-joins sentences of the same paragraph without it.
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    offsets = np.zeros(n, dtype=np.int64)
    offsets[1:] = np.cumsum(lengths[:-1] + len(_SEP))
    big = _SEP.join(texts)

    starts, ends, matched = [], [], []
    for m in rx.finditer(big):
        if m.end() == m.start():
            continue  # empty matches (e.g. "a*") are not occurrences
        starts.append(m.start())
        ends.append(m.end())
        matched.append(m.group(0))
    if not starts:
        return _empty()
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    row = np.searchsorted(offsets, starts, side="right") - 1
    row_end = np.searchsorted(offsets, ends - 1, side="right") - 1
    inside = (row == row_end) & (starts - offsets[row] < lengths[row]) & (ends - offsets[row] <= lengths[row])
    keep = np.flatnonzero(inside)
    if max_rows is not None:
        keep = keep[: int(max_rows)]
    starts, ends, row = starts[keep], ends[keep], row[keep]
    matched = [matched[i] for i in keep]

    # Display text per document: units joined in order, sentences of a paragraph glued, a
    # paragraph mark between paragraphs. Offsets map from `big` to this display string.
    doc_codes = pd.factorize(pd.Series(doc_ids), sort=False)[0]
    first = np.r_[True, doc_codes[1:] != doc_codes[:-1]]
    if is_units and "para_id" in table.columns:
        para = table["para_id"].to_numpy()
        marked = np.r_[False, para[1:] != para[:-1]] & ~first
    else:
        marked = np.zeros(n, dtype=bool)
    prefix = np.where(marked, len(PARAGRAPH_MARK), 0)
    piece_end = np.cumsum(lengths + prefix)           # end of each piece in one long string
    piece_start = piece_end - lengths - prefix
    seg_id = np.cumsum(first) - 1                     # runs of rows of one document
    run_first = np.flatnonzero(first)
    disp_off = piece_start - piece_start[run_first][seg_id] + prefix
    pieces = [PARAGRAPH_MARK + t if m else t for t, m in zip(texts, marked)]
    bounds = np.r_[run_first, n]
    display = ["".join(pieces[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]

    seg = seg_id[row]
    local = disp_off[row] + (starts - offsets[row])
    local_end = local + (ends - starts)
    left = [display[s][max(0, a - window):a] for s, a in zip(seg, local)]
    right = [display[s][b:b + window] for s, b in zip(seg, local_end)]

    out = pd.DataFrame({
        "doc_id": doc_ids[row],
        "left": pd.Series(left, dtype="string").str.replace(_BREAKS, PARAGRAPH_MARK, regex=True),
        "match": matched,
        "right": pd.Series(right, dtype="string").str.replace(_BREAKS, PARAGRAPH_MARK, regex=True),
    })
    if is_units:
        unit_start = pd.to_numeric(table["start"], errors="coerce").to_numpy(dtype="float64") \
            if "start" in table.columns else np.full(n, np.nan)
        out["start"] = pd.Series(unit_start[row] + (starts - offsets[row])).astype("Int64")
        out["section"] = (table["section"].astype("string").to_numpy()[row]
                          if "section" in table.columns else pd.NA)
        for col in ("section_id", "para_id", "sent_id"):
            out[col] = (pd.array(table[col].to_numpy()[row], dtype="Int64")
                        if col in table.columns else pd.array([pd.NA] * len(out), dtype="Int64"))
    else:
        out["start"] = pd.array(starts - offsets[row], dtype="Int64")
        out["section"] = pd.array([pd.NA] * len(out), dtype="string")
        for col in ("section_id", "para_id", "sent_id"):
            out[col] = pd.array([pd.NA] * len(out), dtype="Int64")
    if documents is None:
        out["group"] = out["doc_id"]
    else:
        out = attach_group(out, documents, by)
    out["section"] = out["section"].astype("string")
    for col in ("doc_id", "group", "left", "match", "right"):
        out[col] = out[col].astype("string")
    return out[KWIC_COLUMNS].reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return empty_table(KWIC_COLUMNS, dict.fromkeys(("start", "section_id", "para_id", "sent_id"),
                                                   "Int64"), default="string")


def kwic_counts(concordance: pd.DataFrame) -> pd.DataFrame:
    """Matches per group and matched form, from a :func:`kwic` table.

    Parameters
    ----------
    concordance : DataFrame
        A :func:`kwic` result.

    Returns
    -------
    DataFrame
        Columns ``group, match, count, n_docs`` (``n_docs``: documents with at least one match),
        sorted by group then descending count.
    """
    if concordance.empty:
        return empty_table(["group", "match", "count", "n_docs"],
                           {"count": "int64", "n_docs": "int64"}, default="string")
    g = concordance.groupby(["group", "match"], sort=True)
    out = pd.DataFrame({"count": g.size(), "n_docs": g["doc_id"].nunique()}).reset_index()
    out = out.sort_values(["group", "count", "match"], ascending=[True, False, True])
    return out.reset_index(drop=True).astype({"count": "int64", "n_docs": "int64"})
