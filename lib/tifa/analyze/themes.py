"""Codebook coding: how much weight each report or group gives to each area of work.

A *codebook* (``data/themes.yml`` by default, editable, swappable) names themes — areas of work
such as 依法决策与合法性审查 or 普法宣传与法治教育 — each with a one-line definition, literal
terms and, where a word list cannot say it, regular expressions. Coding is a dictionary method:
it counts where the codebook's words occur, not what a report intends or achieves.

How hits are counted
--------------------
Each theme is compiled into **one** alternation regex: its literal terms (escaped, longest first)
followed by its patterns in the order given. The regex runs over the sentence text of the units
table (one pass per theme over all sentences joined, not one pass per term per sentence), so
words that the tokenizer would split (合法性审查 → 合法性 / 审查) still count. Within a theme,
matches do not overlap (the alternation consumes the text it matched); across themes they may:
one sentence can count for several themes, and one word for two themes if both list it.
Matches never cross a sentence boundary.

Scores (:func:`theme_scores`), for theme *t* and group *g*:

* ``hits``      number of matches of *t* in the sentences of *g*'s documents
* ``per_1k``    ``hits / n_tokens * 1000``, where ``n_tokens`` is the group's token count
                (``documents.n_tokens`` summed over the group: every token after punctuation
                and bare numbers are dropped, before stopword/boilerplate filters), so groups
                of different length compare
* ``share``     ``hits / coded_hits``, where ``coded_hits`` is the sum of ``hits`` over all
                themes of *g*: the theme's part of the group's coded attention; it sums to 1
                over the themes of each group that has any hit

Coverage (:func:`coverage`, :func:`uncoded_terms`) shows the sentences no theme touches and their
frequent words, which is where the codebook should grow.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from tifa import paths
from tifa.ingest.units import body
from tifa.tokenize import filter_tokens
from tifa.analyze.groups import attach_group, group_order
from tifa.analyze.measures import group_sizes, largest_groups as _largest, rank_within, rate

#: Default codebook file name inside the data folder (see :func:`tifa.paths.data_file`).
DEFAULT_CODEBOOK = "themes.yml"

#: The codebook shipped for each genre (``documents.genre``), files of the data folder.
GENRE_CODEBOOKS = {
    "政府工作报告": "themes_work_report.yml",
    "法治政府建设情况报告": DEFAULT_CODEBOOK,
    "通知/意见/办法": "themes_policy.yml",
    "其他": "themes_policy.yml",
}

#: Keys allowed at the top level of a codebook file.
TOP_KEYS = ("name", "version", "description", "themes")

#: Keys allowed in a theme.
THEME_KEYS = ("label", "definition", "terms", "patterns")

#: The parts of a report, in reading order (values of ``units.section_role``).
ROLE_ORDER = ("front", "work", "problems", "plans", "closing")

#: Columns of the hits table from :func:`code_sentences`.
HITS = ["doc_id", "section_id", "section_role", "para_id", "sent_id", "theme", "term", "hits"]

#: Columns of the sentence table from :func:`theme_sentences`.
SENTENCES = ["doc_id", "section_id", "section_role", "para_id", "sent_id", "is_heading",
             "n_themes", "themes", "hits", "terms", "text"]

#: Separator of theme labels and terms inside one cell of the sentence table.
JOIN = "|"


class CodebookError(ValueError):
    """A codebook that cannot be used; the message names the theme and the problem."""


@dataclass(frozen=True)
class Theme:
    """One theme of a codebook.

    Attributes
    ----------
    label : str
        Chinese name, unique in the codebook.
    definition : str
        One line saying what the theme covers ("" if the codebook gives none).
    terms : tuple of str
        Literal words and phrases.
    patterns : tuple of str
        Regular expressions (Python ``re`` syntax).
    """

    label: str
    definition: str = ""
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        literal = [re.escape(t) for t in sorted(self.terms, key=lambda t: (-len(t), t))]
        alternatives = literal + [f"(?:{p})" for p in self.patterns]
        try:
            compiled = re.compile("|".join(alternatives))
        except re.error as exc:  # e.g. a backreference that no longer fits once combined
            raise CodebookError(f"theme {self.label!r}: its terms and patterns do not combine "
                                f"into one regular expression: {exc}") from None
        object.__setattr__(self, "regex", compiled)


@dataclass(frozen=True)
class Codebook:
    """A list of themes, in display order.

    Attributes
    ----------
    themes : tuple of Theme
    name : str
        Name given in the file ("" if none).
    source : str
        Where it was read from (a path, or ``"<dict>"``).
    """

    themes: tuple[Theme, ...]
    name: str = ""
    source: str = "<dict>"

    @property
    def labels(self) -> list[str]:
        """Theme labels in codebook order."""
        return [t.label for t in self.themes]

    def __len__(self) -> int:
        return len(self.themes)


# ---------------------------------------------------------------------------- reading

def _where(source: str) -> str:
    return f"codebook {source}"


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"(allowed: {', '.join(allowed)}){hint}"


def _string_list(value: Any, what: str, theme: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise CodebookError(f"{where}: theme {theme!r}: {what} must be a list "
                            f"(one item per line starting with '- ', or [a, b, c]), "
                            f"got {type(value).__name__} {value!r}")
    out: list[str] = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise CodebookError(f"{where}: theme {theme!r}: {what} item {i} ({item!r}) is not "
                                f"text; put it in quotes")
        text = str(item).strip()
        if not text:
            raise CodebookError(f"{where}: theme {theme!r}: {what} item {i} is empty")
        if text not in out:
            out.append(text)
    return out


def _check_pattern(pattern: str, theme: str, where: str) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise CodebookError(f"{where}: theme {theme!r}: pattern {pattern!r} is not a valid "
                            f"regular expression: {exc}") from None
    if compiled.fullmatch("") is not None:
        raise CodebookError(f"{where}: theme {theme!r}: pattern {pattern!r} matches the empty "
                            f"string, so it would count a hit everywhere")


def parse_codebook(data: Any, *, source: str = "<dict>") -> Codebook:
    """Check a codebook given as Python data (the parsed YAML) and build it.

    Parameters
    ----------
    data : dict
        ``{"name": ..., "themes": [{"label": ..., "definition": ..., "terms": [...],
        "patterns": [...]}, ...]}``; ``name``, ``version``, ``description``, ``definition``
        and ``patterns`` are optional; a theme needs ``terms`` or ``patterns``.
    source : str, default "<dict>"
        Where the data came from, used in error messages.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        For an unknown key (at the top or in a theme), a missing or duplicate label, an empty
        theme, a term that is not text, an invalid regular expression or one that matches the
        empty string. The message names the theme and the problem.
    """
    where = _where(source)
    if not isinstance(data, Mapping):
        raise CodebookError(f"{where}: expected a mapping with a 'themes' list at the top level, "
                            f"got {type(data).__name__}")
    for key in data:
        if key not in TOP_KEYS:
            raise CodebookError(f"{where}: unknown key {key!r} at the top level "
                                f"{_suggest(key, TOP_KEYS)}")
    themes_data = data.get("themes")
    if not isinstance(themes_data, list) or not themes_data:
        raise CodebookError(f"{where}: 'themes' must be a non-empty list of themes, "
                            f"got {themes_data!r}")
    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(themes_data, start=1):
        if not isinstance(entry, Mapping):
            raise CodebookError(f"{where}: theme #{number} must be a mapping with keys "
                                f"{', '.join(THEME_KEYS)}, got {entry!r}")
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise CodebookError(f"{where}: theme #{number} has no label (a non-empty text)")
        label = label.strip()
        for key in entry:
            if key not in THEME_KEYS:
                raise CodebookError(f"{where}: theme {label!r}: unknown key {key!r} "
                                    f"{_suggest(key, THEME_KEYS)}")
        if label in seen:
            raise CodebookError(f"{where}: theme {label!r} appears twice "
                                f"(#{seen[label]} and #{number}); labels must be unique")
        seen[label] = number
        definition = entry.get("definition") or ""
        if not isinstance(definition, str):
            raise CodebookError(f"{where}: theme {label!r}: definition must be one line of text")
        terms = _string_list(entry.get("terms"), "terms", label, where)
        patterns = _string_list(entry.get("patterns"), "patterns", label, where)
        if not terms and not patterns:
            raise CodebookError(f"{where}: theme {label!r} is empty: it has no terms and no "
                                f"patterns")
        for pattern in patterns:
            _check_pattern(pattern, label, where)
        themes.append(Theme(label=label, definition=" ".join(definition.split()),
                            terms=tuple(terms), patterns=tuple(patterns)))
    return Codebook(themes=tuple(themes), name=str(data.get("name") or ""), source=source)


def load_codebook(codebook: Any = None) -> Codebook:
    """Read and check a codebook.

    Parameters
    ----------
    codebook : None, str, Path, dict or Codebook, default None
        None reads ``themes.yml`` from the data folder (``data/``, or ``$TIFA_DATA``); a path
        reads that YAML file; a dict is checked as parsed YAML; a :class:`Codebook` is returned
        as it is.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        If the file is missing or not valid YAML, or the content is not a valid codebook (see
        :func:`parse_codebook`).
    """
    if isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, Mapping):
        return parse_codebook(codebook)
    path = Path(codebook) if codebook is not None else paths.data_file(DEFAULT_CODEBOOK)
    if not path.is_file():
        raise CodebookError(f"codebook file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise CodebookError(f"{_where(str(path))}: not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise CodebookError(f"{_where(str(path))}: not UTF-8 text: {exc}") from None
    return parse_codebook(data, source=str(path))


def choose_codebook(documents: pd.DataFrame, codebook: Any = None) -> tuple[Codebook, str]:
    """The codebook for a corpus: the one named, else the one of its dominant genre.

    Parameters
    ----------
    documents : DataFrame
        The documents table; its ``genre`` column decides (a table without one gets
        :data:`DEFAULT_CODEBOOK`).
    codebook : see :func:`load_codebook`, default None
        None chooses by genre (:data:`GENRE_CODEBOOKS`): the genre most documents have (ties:
        the order of :data:`GENRE_CODEBOOKS`). Anything else is loaded as given.

    Returns
    -------
    (Codebook, str)
        The codebook and one sentence saying which it is and why, e.g. ``"themes_work_report.yml
        (政府工作报告主题词表): the codebook for 政府工作报告, the genre of 16 of 34 documents"``.
    """
    if codebook is not None:
        cb = load_codebook(codebook)
        return cb, f"{Path(cb.source).name} ({cb.name or 'no name'}): the codebook named"
    genres = (documents["genre"].astype("string").dropna().astype(str)
              if "genre" in documents.columns else pd.Series([], dtype=str))
    if genres.empty:
        cb = load_codebook(None)
        return cb, (f"{DEFAULT_CODEBOOK} ({cb.name}): the default codebook (the documents "
                    "have no genre)")
    counts = genres.value_counts()
    order = list(GENRE_CODEBOOKS)
    top = max(counts.index, key=lambda g: (counts[g], -order.index(g) if g in order else -99))
    file = GENRE_CODEBOOKS.get(top, GENRE_CODEBOOKS["其他"])
    cb = load_codebook(paths.data_file(file))
    return cb, (f"{file} ({cb.name}): the codebook for {top}, the genre of {counts[top]} of "
                f"{len(genres)} documents")


def codebook_table(codebook: Any = None) -> pd.DataFrame:
    """The codebook as a table, one row per theme, for display and export.

    Parameters
    ----------
    codebook : see :func:`load_codebook`, default None

    Returns
    -------
    DataFrame
        Columns ``theme, definition, n_terms, n_patterns, terms, patterns``; terms and patterns
        joined with ``、`` and `` | ``.
    """
    cb = load_codebook(codebook)
    return pd.DataFrame({
        "theme": cb.labels,
        "definition": [t.definition for t in cb.themes],
        "n_terms": [len(t.terms) for t in cb.themes],
        "n_patterns": [len(t.patterns) for t in cb.themes],
        "terms": ["、".join(t.terms) for t in cb.themes],
        "patterns": [" | ".join(t.patterns) for t in cb.themes],
    })


# ---------------------------------------------------------------------------- coding

def code_sentences(units: pd.DataFrame, codebook: Any = None, *,
                   headings: bool = True) -> pd.DataFrame:
    """Find every codebook match in every sentence of the body.

    Parameters
    ----------
    units : DataFrame
        The units table (schemas.UNITS), one row per sentence. Only body units are coded
        (``part == "body"``: front matter and signature are left out).
    codebook : see :func:`load_codebook`, default None
        The codebook (None: ``data/themes.yml``).
    headings : bool, default True
        Also code heading lines (section titles often name the area of work).

    Returns
    -------
    DataFrame
        The hits table (:data:`HITS`): one row per sentence, theme and matched text, with
        ``hits`` the number of matches. ``term`` is the text as matched (for a pattern, the
        variant found, e.g. 合法性审核). Sentences without any match have no row. Rows are in
        reading order, themes in codebook order within a sentence.
    """
    cb = load_codebook(codebook)
    units = body(units)
    u = units if headings else units[~units["is_heading"].astype(bool)]
    texts = u["text"].astype("string").fillna("").tolist()
    if not texts:
        return _empty_hits()
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    joined = "\n".join(texts)
    rows, theme_idx, terms = [], [], []
    for number, theme in enumerate(cb.themes):
        found = [(m.start(), m.end(), m.group(0)) for m in theme.regex.finditer(joined)
                 if m.end() > m.start()]
        if not found:
            continue
        begin = np.fromiter((f[0] for f in found), dtype=np.int64, count=len(found))
        end = np.fromiter((f[1] for f in found), dtype=np.int64, count=len(found))
        row = np.searchsorted(starts, begin, side="right") - 1
        inside = end <= starts[row] + lengths[row]
        rows.append(row[inside])
        theme_idx.append(np.full(int(inside.sum()), number))
        terms.extend(f[2] for f, ok in zip(found, inside) if ok)
    if not rows:
        return _empty_hits()
    matches = pd.DataFrame({"row": np.concatenate(rows), "theme_no": np.concatenate(theme_idx),
                            "term": pd.array(terms, dtype="string")})
    counted = (matches.groupby(["row", "theme_no", "term"], sort=True).size()
               .rename("hits").reset_index())
    keys = u.iloc[counted["row"].to_numpy()][["doc_id", "section_id", "section_role",
                                              "para_id", "sent_id"]].reset_index(drop=True)
    out = pd.concat([keys, counted[["theme_no", "term", "hits"]]], axis=1)
    out["theme"] = pd.array(np.asarray(cb.labels, dtype=object)[out["theme_no"].to_numpy()],
                            dtype="string")
    out["hits"] = out["hits"].astype("int64")
    return out[HITS].reset_index(drop=True)


def _empty_hits() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": pd.Series(dtype="string"),
                         "section_id": pd.Series(dtype="int64"),
                         "section_role": pd.Series(dtype="string"),
                         "para_id": pd.Series(dtype="int64"),
                         "sent_id": pd.Series(dtype="int64"),
                         "theme": pd.Series(dtype="string"),
                         "term": pd.Series(dtype="string"),
                         "hits": pd.Series(dtype="int64")})


def theme_order(hits: pd.DataFrame, codebook: Any = None) -> list[str]:
    """Theme labels in codebook order, then any theme of ``hits`` the codebook does not list.

    Parameters
    ----------
    hits : DataFrame
        From :func:`code_sentences` (its ``theme`` column).
    codebook : see :func:`load_codebook`, default None

    Returns
    -------
    list of str
    """
    labels = load_codebook(codebook).labels
    extra = sorted(set(hits["theme"].astype(str)) - set(labels))
    return labels + extra


def _join_runs(frame: pd.DataFrame, key: list[str], column: str) -> pd.DataFrame:
    """Join ``column`` with :data:`JOIN` over runs of equal ``key`` (``frame`` sorted by key).

    One vectorised pass to find the runs and one ``str.join`` per run: much faster than a
    groupby with a Python aggregation on hundreds of thousands of groups.
    """
    if frame.empty:
        return pd.DataFrame({**{k: frame[k] for k in key}, column: frame[column]})
    codes = frame.groupby(key, sort=False).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    values = frame[column].astype(str).tolist()
    out = frame.iloc[starts][key].reset_index(drop=True)
    out[column] = [JOIN.join(values[a:b]) for a, b in zip(starts, ends)]
    return out


def theme_sentences(units: pd.DataFrame, hits: pd.DataFrame, *,
                    codebook: Any = None) -> pd.DataFrame:
    """The sentence-level view: which theme(s) each sentence touches.

    Parameters
    ----------
    units : DataFrame
        The units table the hits were coded from (its body units are the sentences).
    hits : DataFrame
        From :func:`code_sentences`.
    codebook : see :func:`load_codebook`, default None
        Only used to list a sentence's themes in codebook order.

    Returns
    -------
    DataFrame
        One row per body sentence of ``units`` (:data:`SENTENCES`): ``n_themes`` distinct themes
        touched (0 for an uncoded sentence), ``themes`` their labels joined with ``|``,
        ``hits`` all matches, ``terms`` the matched texts joined with ``|`` (each once), and
        the sentence ``text``.
    """
    base = body(units)[["doc_id", "section_id", "section_role", "para_id", "sent_id",
                        "is_heading", "text"]].reset_index(drop=True)
    key = ["doc_id", "sent_id"]
    if len(hits):
        order = {t: i for i, t in enumerate(theme_order(hits, codebook))}
        h = hits[key + ["theme", "term", "hits"]].copy()
        h["theme_no"] = h["theme"].astype(str).map(order)
        h = h.sort_values(key + ["theme_no", "term"], kind="stable")
        per_theme = h.drop_duplicates(key + ["theme"])
        themes_of = _join_runs(per_theme, key, "theme")
        agg = pd.DataFrame({
            "n_themes": per_theme.groupby(key, sort=False).size(),
            "hits": h.groupby(key, sort=False)["hits"].sum(),
        }).reset_index()
        agg = agg.merge(themes_of, on=key, how="left").merge(
            _join_runs(h.drop_duplicates(key + ["term"]), key, "term").rename(
                columns={"term": "terms"}), on=key, how="left")
        agg = agg.rename(columns={"theme": "themes"})
        agg["doc_id"] = agg["doc_id"].astype(base["doc_id"].dtype)
        out = base.merge(agg, on=key, how="left")
    else:
        out = base.assign(n_themes=np.nan, themes=pd.NA, hits=np.nan, terms=pd.NA)
    out["n_themes"] = out["n_themes"].fillna(0).astype("int64")
    out["hits"] = out["hits"].fillna(0).astype("int64")
    out["themes"] = out["themes"].astype("string").fillna("")
    out["terms"] = out["terms"].astype("string").fillna("")
    return out[SENTENCES]


def theme_examples(hits: pd.DataFrame, units: pd.DataFrame, *, codebook: Any = None,
                   n: int = 2) -> pd.DataFrame:
    """The sentences with the most hits of each theme, to read what a score stands on.

    Parameters
    ----------
    hits : DataFrame
        From :func:`code_sentences`.
    units : DataFrame
        The units table the hits were coded from (for the sentence text).
    codebook : see :func:`load_codebook`, default None
        Theme order.
    n : int, default 2
        Sentences per theme (ties: reading order).

    Returns
    -------
    DataFrame
        ``theme, doc_id, sent_id, section_role, hits, terms, text``: ``hits`` and ``terms``
        (joined with ``|``) of that theme only, themes in codebook order.
    """
    order = {t: i for i, t in enumerate(theme_order(hits, codebook))}
    key = ["theme", "doc_id", "sent_id"]
    per = (hits.groupby(key, sort=False)
           .agg(section_role=("section_role", "first"), hits=("hits", "sum")).reset_index())
    per["_t"] = per["theme"].astype(str).map(order)
    per = per.sort_values(["_t", "hits", "doc_id", "sent_id"], ascending=[True, False, True, True],
                          kind="stable").groupby("theme", sort=False).head(n)
    chosen = hits.merge(per[key], on=key).sort_values(
        key + ["hits", "term"], ascending=[True, True, True, False, True], kind="stable")
    per = per.merge(_join_runs(chosen, key, "term").rename(columns={"term": "terms"}),
                    on=key, how="left")
    text = units.assign(doc_id=units["doc_id"].astype(str)).set_index(["doc_id", "sent_id"])["text"]
    per["text"] = text.reindex(pd.MultiIndex.from_arrays(
        [per["doc_id"].astype(str), per["sent_id"]])).to_numpy()
    per["hits"] = per["hits"].astype("int64")
    per = per[["theme", "doc_id", "sent_id", "section_role", "hits", "terms", "text"]]
    return per.reset_index(drop=True)


# ---------------------------------------------------------------------------- scores

def theme_scores(hits: pd.DataFrame, documents: pd.DataFrame, *, codebook: Any = None,
                 by: str = "doc_id") -> pd.DataFrame:
    """Hits, hits per 1,000 tokens and share of coded hits, per theme and group.

    Parameters
    ----------
    hits : DataFrame
        From :func:`code_sentences`.
    documents : DataFrame
        The documents table (``doc_id``, ``n_tokens`` and the ``by`` column).
    codebook : see :func:`load_codebook`, default None
        Gives the themes (every theme gets a row, with zero hits if it never matched) and
        their order.
    by : str, default "doc_id"
        Grouping column of ``documents``.

    Returns
    -------
    DataFrame
        One row per theme and group, themes in codebook order, groups in natural order:
        ``theme, group, hits, per_1k, share, sentences, n_tokens, coded_hits`` where
        ``per_1k = hits / n_tokens * 1000`` (``n_tokens``: ``documents.n_tokens`` summed over
        the group; ``per_1k`` is NA when that is unknown or 0), ``share = hits / coded_hits``
        (``coded_hits``: the group's hits over all themes; NA when the group has none) and ``sentences`` the number of
        sentences touching the theme.
    """
    themes = theme_order(hits, codebook)
    groups = group_order(documents, by)
    grid = pd.MultiIndex.from_product([themes, groups], names=["theme", "group"])
    h = attach_group(hits, documents, by)
    counts = h.groupby(["theme", "group"])["hits"].sum()
    sentences = h.drop_duplicates(["theme", "doc_id", "sent_id"]).groupby(["theme", "group"]).size()
    out = pd.DataFrame(index=grid)
    out["hits"] = counts.reindex(grid, fill_value=0).astype("int64")
    out["sentences"] = sentences.reindex(grid, fill_value=0).astype("int64")
    out = out.reset_index()
    out["theme"] = out["theme"].astype(str)
    out["group"] = out["group"].astype(str)
    out["n_tokens"] = out["group"].map(group_sizes(documents, by)["n_tokens"]).astype("Float64")
    out["coded_hits"] = out.groupby("group")["hits"].transform("sum").astype("int64")
    out["per_1k"] = rate(out["hits"], out["n_tokens"], per=1000)
    out["share"] = (out["hits"] / out["coded_hits"].where(out["coded_hits"] > 0)).astype("Float64")
    out["n_tokens"] = out["n_tokens"].astype("Int64")
    return out[["theme", "group", "hits", "per_1k", "share", "sentences", "n_tokens",
                "coded_hits"]]


def _roles(units: pd.DataFrame) -> list[str]:
    present = set(units["section_role"].dropna().astype(str))
    return [r for r in ROLE_ORDER if r in present] + sorted(present - set(ROLE_ORDER))


def theme_by_section(hits: pd.DataFrame, units: pd.DataFrame, documents: pd.DataFrame, *,
                     codebook: Any = None, by: str = "doc_id",
                     tokens: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where in the reports each theme sits: hits per part of the report (``section_role``).

    Parameters
    ----------
    hits : DataFrame
        From :func:`code_sentences`.
    units : DataFrame
        The units table (gives the parts present: front, work, problems, plans, closing).
    documents : DataFrame
        The documents table, for the grouping column.
    codebook : see :func:`load_codebook`, default None
        Themes and their order.
    by : str, default "doc_id"
        Grouping column of ``documents``.
    tokens : DataFrame or None, default None
        The tokens table; when given, ``n_tokens`` (tokens of the group in that part) and
        ``per_1k = hits / n_tokens * 1000`` are added.

    Returns
    -------
    DataFrame
        One row per theme, group and part: ``theme, group, section_role, hits, theme_hits,
        share`` (+ ``n_tokens, per_1k``), where ``theme_hits`` is the theme's hits in the group
        over all parts and ``share = hits / theme_hits`` (sums to 1 over the parts; NA when
        the theme has no hit in the group).
    """
    themes = theme_order(hits, codebook)
    groups = group_order(documents, by)
    roles = _roles(units)
    grid = pd.MultiIndex.from_product([themes, groups, roles],
                                      names=["theme", "group", "section_role"])
    h = attach_group(hits, documents, by)
    h["section_role"] = h["section_role"].astype(str)
    counts = h.groupby(["theme", "group", "section_role"])["hits"].sum()
    out = counts.reindex(grid, fill_value=0).astype("int64").rename("hits").reset_index()
    for col in ("theme", "group", "section_role"):
        out[col] = out[col].astype(str)
    out["theme_hits"] = out.groupby(["theme", "group"])["hits"].transform("sum").astype("int64")
    out["share"] = (out["hits"] / out["theme_hits"].where(out["theme_hits"] > 0)).astype("Float64")
    if tokens is not None:
        role_of = units[["doc_id", "section_id", "section_role"]].drop_duplicates(
            ["doc_id", "section_id"]).astype({"doc_id": str, "section_role": str})
        per_section = (tokens.groupby(["doc_id", "section_id"]).size().rename("n").reset_index()
                       .astype({"doc_id": str}).merge(role_of, on=["doc_id", "section_id"]))
        t = attach_group(per_section, documents, by)
        n = t.groupby(["group", "section_role"])["n"].sum().rename("n_tokens")
        out = out.join(n, on=["group", "section_role"])
        out["n_tokens"] = out["n_tokens"].fillna(0).astype("int64")
        out["per_1k"] = (out["hits"] / out["n_tokens"].where(out["n_tokens"] > 0) * 1000
                         ).astype("Float64")
    return out


def theme_terms(hits: pd.DataFrame, documents: pd.DataFrame, *, codebook: Any = None,
                by: str = "doc_id", n: int = 10) -> pd.DataFrame:
    """The terms that make each theme's score, per group.

    Parameters
    ----------
    hits : DataFrame
        From :func:`code_sentences`.
    documents : DataFrame
        The documents table, for the grouping column.
    codebook : see :func:`load_codebook`, default None
        Theme order.
    by : str, default "doc_id"
        Grouping column of ``documents``.
    n : int, default 10
        Terms kept per theme and group (the most frequent; ties by term).

    Returns
    -------
    DataFrame
        ``theme, group, term, hits, theme_hits, share, rank`` with ``share = hits /
        theme_hits``, the term's part of the theme's hits in that group.
    """
    order = {t: i for i, t in enumerate(theme_order(hits, codebook))}
    h = attach_group(hits, documents, by)
    out = h.groupby(["theme", "group", "term"])["hits"].sum().reset_index()
    out["theme_hits"] = out.groupby(["theme", "group"])["hits"].transform("sum")
    out["share"] = out["hits"] / out["theme_hits"]
    out["_t"] = out["theme"].astype(str).map(order)
    out = rank_within(out, "hits", within=["_t", "group"])
    out = out[out["rank"] <= n]
    for col in ("hits", "theme_hits", "rank"):
        out[col] = out[col].astype("int64")
    out = out[["theme", "group", "term", "hits", "theme_hits", "share", "rank"]]
    return out.reset_index(drop=True)


def largest_groups(scores: pd.DataFrame, *, n: int = 12) -> list[str]:
    """The ``n`` groups with the most tokens, for charts that cannot show them all.

    Parameters
    ----------
    scores : DataFrame
        A :func:`theme_scores` table (``group`` and ``n_tokens`` columns).
    n : int, default 12
        Groups returned.

    Returns
    -------
    list of str
        Group labels, largest first (ties by label; unknown sizes last).
    """
    return _largest(scores.drop_duplicates("group").set_index("group")["n_tokens"], n=n)


# ---------------------------------------------------------------------------- coverage

def _body(sentences: pd.DataFrame, *, headings: bool,
          exclude_roles: tuple[str, ...]) -> pd.DataFrame:
    keep = ~sentences["section_role"].astype(str).isin(list(exclude_roles)).to_numpy()
    if not headings:
        keep = keep & ~sentences["is_heading"].to_numpy(dtype=bool)
    return sentences[keep]


def coverage(sentences: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
             headings: bool = True,
             exclude_roles: tuple[str, ...] = ("closing",)) -> pd.DataFrame:
    """How much of each group's text the codebook reaches.

    Parameters
    ----------
    sentences : DataFrame
        From :func:`theme_sentences`.
    documents : DataFrame
        The documents table, for the grouping column.
    by : str, default "doc_id"
        Grouping column of ``documents``.
    headings : bool, default True
        Count heading lines as sentences.
    exclude_roles : tuple of str, default ("closing",)
        Parts of the reports (``section_role``) not counted: by default the closing block
        (signature, date, distribution lines), which no codebook is meant to reach.

    Returns
    -------
    DataFrame
        One row per group (natural order): ``group, n_sentences, coded, uncoded,
        uncoded_share`` with ``uncoded_share = uncoded / n_sentences``; ``coded`` sentences
        touch at least one theme.
    """
    s = _body(sentences, headings=headings, exclude_roles=exclude_roles)
    s = attach_group(s[["doc_id", "n_themes"]], documents, by)
    s["coded"] = s["n_themes"] > 0
    out = (s.groupby("group").agg(n_sentences=("coded", "size"), coded=("coded", "sum"))
           .reindex(group_order(documents, by), fill_value=0))
    out["uncoded"] = out["n_sentences"] - out["coded"]
    out["uncoded_share"] = (out["uncoded"] / out["n_sentences"].where(out["n_sentences"] > 0)
                            ).astype("Float64")
    out = out.rename_axis("group").reset_index()
    for col in ("n_sentences", "coded", "uncoded"):
        out[col] = out[col].astype("int64")
    out["group"] = out["group"].astype(str)
    return out[["group", "n_sentences", "coded", "uncoded", "uncoded_share"]]


def uncoded_terms(sentences: pd.DataFrame, tokens: pd.DataFrame, documents: pd.DataFrame, *,
                  by: str | None = None, n: int = 20, stop: bool = True,
                  boilerplate: bool = True, min_chars: int = 2, headings: bool = True,
                  exclude_roles: tuple[str, ...] = ("closing",)) -> pd.DataFrame:
    """The most frequent words of the sentences no theme touches: what the codebook misses.

    Parameters
    ----------
    sentences : DataFrame
        From :func:`theme_sentences`.
    tokens : DataFrame
        The tokens table (schemas.TOKENS).
    documents : DataFrame
        The documents table, for the grouping column.
    by : str or None, default None
        Grouping column of ``documents``; None pools the whole corpus (group ``全部``), which
        is what extending a codebook needs; a column gives the words per group.
    n : int, default 20
        Terms kept per group.
    stop, boilerplate : bool, default True
        Drop stopwords and report boilerplate (see :func:`tifa.tokenize.filter_tokens`).
    min_chars : int, default 2
        Drop shorter tokens.
    headings, exclude_roles
        Which sentences count, as in :func:`coverage` (defaults True, ("closing",)).

    Returns
    -------
    DataFrame
        ``term, group, count, total, uncoded_share, rank``: ``count`` occurrences in uncoded
        sentences, ``total`` occurrences in all sentences of the group, ``uncoded_share =
        count / total`` (near 1: a word the codebook never reaches, a candidate term).
        Sorted by group, then count.
    """
    kept = filter_tokens(tokens, stop=stop, boilerplate=boilerplate, min_chars=min_chars)
    kept = kept[["doc_id", "sent_id", "token"]]
    flags = _body(sentences, headings=headings, exclude_roles=exclude_roles)
    flags = flags[["doc_id", "sent_id", "n_themes"]].assign(
        doc_id=lambda d: d["doc_id"].astype(str))
    kept = kept.assign(doc_id=kept["doc_id"].astype(str)).merge(
        flags, on=["doc_id", "sent_id"], how="inner")
    kept["uncoded"] = kept["n_themes"].eq(0)
    if by is None:
        kept["group"] = "全部"
    else:
        kept = attach_group(kept, documents, by)
    out = (kept.groupby(["group", "token"])
           .agg(count=("uncoded", "sum"), total=("uncoded", "size")).reset_index()
           .rename(columns={"token": "term"}))
    out = out[out["count"] > 0]
    out["uncoded_share"] = out["count"] / out["total"]
    out = rank_within(out, ["count", "uncoded_share"])
    out = out[out["rank"] <= n]
    for col in ("count", "total", "rank"):
        out[col] = out[col].astype("int64")
    out["group"] = out["group"].astype(str)
    return out[["term", "group", "count", "total", "uncoded_share", "rank"]].reset_index(drop=True)
