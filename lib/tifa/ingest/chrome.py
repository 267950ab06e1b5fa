"""Page chrome: the lines a web page prints around a report, found so that they leave the text.

Text copied or scraped from a portal carries the page around the report: toolbar words
(下载 / 打印 / 分享：), font-size widgets (【字号：加大 还原 减小】), breadcrumbs (您的位置：首页 > …),
source and time lines (来源：XX日报, 发布时间：…), photo credits (…记者 XX 摄), related links,
footers (主办单位…, ICP备…). They are found line by line, on the cleaned lines of
:func:`tifa.ingest.clean.clean_lines` (before wrapped lines are joined), by four rules, in this
order; the first that applies names the line's rule:

1. **Known patterns** (:func:`known_chrome`): the regular expressions of ``data/chrome.txt``,
   each with a name and a comment (the file says how to add one). A ``block`` pattern (相关链接)
   also takes the short link lines under it. A pattern is trusted: a line it finds goes.
2. **Outside the article** of an HTML page: lines from ``nav``, ``aside`` and page-level
   ``header``/``footer`` elements, and from everything outside the element that holds the
   article (:func:`tifa.ingest.readers.read_html_page`; rules ``html_nav`` …, ``html_outside``).
3. **Page edges** (:func:`edge_chrome`): on a page that has chrome above the report's title, the
   other lines above the title (``page_top``: the portal's name, a menu); on a page that has
   chrome after the report's end, the lines after that chrome (``page_bottom``).
4. **Repeated lines** (:func:`repeated_chrome`): a line found verbatim at the top or bottom
   edge of at least ``min_docs`` documents of the corpus (``repeated``): the same portal's
   header and footer around each of its pages.

The guard
---------
Rules 2-4 never take a *protected* line (:func:`is_protected`): a sentence (ending in
``。！？；``), a numbered heading (``一、`` ``（一）`` ``第一条`` ``1.``), a line ending in ``：``
(各位代表：, an addressee), a title (ending in 报告, 通知, 意见, 办法 …), a delivery line
(``——2026年1月27日在…会议上``), a 发文字号 or letterhead line, or, at the bottom, a signature or
closing line (organ, date, 抄送, 印发, （此件公开发布）). So 各位代表： and 一、2025年工作回顾, which
recur across reports, stay, and so does a 落款 ``厦门市人民政府`` that is also the portal's header.

The *edges* of a document are the lines before its first anchor (a title, sentence, heading,
salutation, delivery line, 发文字号 or letterhead) and after its last anchor (a sentence, heading
or closing line).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from tifa import paths
from tifa.ingest.metadata import (is_closing_line, is_delivery_line, is_heading_line,
                                  is_preamble_line, is_title_line)

__all__ = ["ChromeRule", "load_rules", "known_chrome", "edge_chrome", "repeated_chrome",
           "is_protected", "edges", "CHROME_FILE", "MIN_DOCS", "BLOCK_LINE_CHARS"]

#: The chrome patterns file in the data folder (see :func:`tifa.paths.data_file`).
CHROME_FILE = "chrome.txt"
#: Default number of documents a line must top or tail to count as the corpus's chrome.
MIN_DOCS = 2
#: Longest link line a ``block`` rule takes after its heading.
BLOCK_LINE_CHARS = 60
#: Scopes a rule may have.
SCOPES = ("line", "block")

_SENTENCE_END = re.compile(r"[。！？；!?;…][”’」』）)\]】》〕\"']*$")
_LEAD_IN = re.compile(r"[：:]$")


@dataclass(frozen=True)
class ChromeRule:
    """One pattern of ``data/chrome.txt``.

    Attributes
    ----------
    name : str
        What ``tables/cleaning.csv`` calls the rule.
    scope : str
        ``line`` or ``block``.
    pattern : str
        The regular expression as written.
    comment : str
        The comment lines above it in the file.
    """

    name: str
    scope: str
    pattern: str
    comment: str = ""
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern))


_RULES_CACHE: dict[tuple[str, int, int], tuple[ChromeRule, ...]] = {}


def load_rules(path: str | os.PathLike | None = None) -> tuple[ChromeRule, ...]:
    """Read the chrome patterns.

    Parameters
    ----------
    path : path or None, default None
        A patterns file; None reads ``chrome.txt`` from the data folder (``data/``, or
        ``$TIFA_DATA``).

    Returns
    -------
    tuple of ChromeRule
        In file order.

    Raises
    ------
    ValueError
        For a line that is not ``name scope regex``, an unknown scope or an invalid regular
        expression; the message names the file and the line.
    """
    p = Path(path) if path is not None else paths.data_file(CHROME_FILE)
    st = p.stat()
    key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    if key in _RULES_CACHE:
        return _RULES_CACHE[key]
    rules: list[ChromeRule] = []
    comment: list[str] = []
    for n, line in enumerate(p.read_text(encoding="utf-8-sig").splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            comment = []
            continue
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
            continue
        parts = stripped.split(None, 2)
        if len(parts) != 3 or parts[1] not in SCOPES:
            raise ValueError(f"{p} line {n}: expected 'name scope regex' with scope "
                             f"{' or '.join(SCOPES)}, got {stripped!r}")
        try:
            rules.append(ChromeRule(parts[0], parts[1], parts[2], " ".join(comment)))
        except re.error as exc:
            raise ValueError(f"{p} line {n}: {parts[2]!r} is not a valid regular "
                             f"expression: {exc}") from None
    _RULES_CACHE[key] = result = tuple(rules)
    return result


def is_protected(line: str, *, bottom: bool = False) -> bool:
    """Whether the structural and cross-document rules must leave ``line`` in the text.

    Parameters
    ----------
    line : str
        One cleaned line.
    bottom : bool, default False
        The line is at the bottom of a document: signature and closing lines (organ, date,
        抄送, 印发, （此件公开发布）) are protected too.

    Returns
    -------
    bool
        True for a sentence, a numbered heading, a line ending in ``：``, a title, a delivery
        line, a 发文字号 or letterhead line (and, with ``bottom``, a closing line).
    """
    line = line.strip()
    if not line:
        return False
    if (_SENTENCE_END.search(line) or is_heading_line(line) or _LEAD_IN.search(line)
            or is_title_line(line) or is_delivery_line(line) or is_preamble_line(line)):
        return True
    return bottom and is_closing_line(line)


def edges(lines: Sequence[str], skip: Iterable[int] = ()) -> tuple[int, int]:
    """The edges of a document: ``(first, last)`` anchors.

    Parameters
    ----------
    lines : sequence of str
        The cleaned lines of one document.
    skip : iterable of int, default ()
        Indices of lines already known to be chrome: never anchors (``分享：`` ends in ``：``).

    Returns
    -------
    (int, int)
        ``first`` the index of the first anchor (title, sentence, heading, salutation,
        delivery line, 发文字号, letterhead), ``len(lines)`` when there is none; ``last`` the
        index of the last anchor (sentence, heading, closing line), -1 when there is none.
        Lines before ``first`` are the top edge, lines after ``last`` the bottom edge.
    """
    n = len(lines)
    skip = set(skip)
    first = next((i for i, ln in enumerate(lines) if i not in skip and is_protected(ln)), n)
    last = next((i for i in range(n - 1, -1, -1)
                 if i not in skip and is_protected(lines[i], bottom=True)), -1)
    return first, last


def known_chrome(lines: Sequence[str], rules: Iterable[ChromeRule] | None = None) -> dict[int, str]:
    """The lines that the known patterns find.

    Parameters
    ----------
    lines : sequence of str
        The cleaned lines of one document (:func:`tifa.ingest.clean.clean_lines` texts).
    rules : iterable of ChromeRule or None, default None
        None reads ``data/chrome.txt`` (:func:`load_rules`).

    Returns
    -------
    dict
        ``{line index: rule name}``; a ``block`` rule's link lines carry its name.
    """
    rules = tuple(load_rules() if rules is None else rules)
    marked: dict[int, str] = {}
    block: str | None = None
    for i, line in enumerate(lines):
        rule = next((r for r in rules if r.regex.search(line)), None)
        if rule is not None:
            marked[i] = rule.name
            block = rule.name if rule.scope == "block" else None
            continue
        if block is not None and len(line) <= BLOCK_LINE_CHARS and not (
                _SENTENCE_END.search(line) or is_heading_line(line) or is_closing_line(line)):
            marked[i] = block
            continue
        block = None
    return marked


def edge_chrome(lines: Sequence[str], marked: dict[int, str]) -> dict[int, str]:
    """Lines at a page's edges that go with the chrome found there (rules 3 of the module notes).

    Parameters
    ----------
    lines : sequence of str
        The cleaned lines of one document.
    marked : dict
        Chrome already found (``{index: rule}``), e.g. by :func:`known_chrome`. Not modified.

    Returns
    -------
    dict
        The further lines, ``{index: "page_top" | "page_bottom"}``: above the first anchor when
        a line there is chrome, every unprotected line above it; after the last anchor, every
        unprotected line from the first chrome line there on.
    """
    first, last = edges(lines, marked)
    out: dict[int, str] = {}
    if any(i in marked for i in range(first)):
        for i in range(first):
            if i not in marked and not is_protected(lines[i]):
                out[i] = "page_top"
    tail = [i for i in range(last + 1, len(lines)) if i in marked]
    if tail:
        for i in range(tail[0] + 1, len(lines)):
            if i not in marked and not is_protected(lines[i], bottom=True):
                out[i] = "page_bottom"
    return out


def repeated_chrome(documents: Sequence[Sequence[str]], *, min_docs: int = MIN_DOCS,
                    marked: Sequence[dict[int, str]] | None = None) -> list[dict[int, str]]:
    """Lines repeated verbatim at the top or bottom edge of several documents.

    Parameters
    ----------
    documents : sequence of sequence of str
        The cleaned lines of every document of the corpus.
    min_docs : int, default 2
        A line is chrome when it sits at an edge of at least this many documents (counted once
        per document). 0 or 1 switches the rule off (one document cannot repeat itself).
    marked : sequence of dict or None, default None
        Chrome already found per document (``{index: rule}``); such lines are not marked again.

    Returns
    -------
    list of dict
        Per document, ``{index: "repeated"}`` for the unprotected edge lines (top edge: not
        :func:`is_protected`; bottom edge: not protected with ``bottom=True``) whose text is at
        an edge of ``min_docs`` documents or more.
    """
    marked = list(marked) if marked is not None else [{} for _ in documents]
    if min_docs is None or min_docs < 2:
        return [{} for _ in documents]
    at_edges: list[list[tuple[int, bool]]] = []
    counts: Counter = Counter()
    for lines, done in zip(documents, marked):
        first, last = edges(lines, done)
        here = [(i, False) for i in range(min(first, len(lines)))]
        here += [(i, True) for i in range(max(last + 1, first), len(lines))]
        at_edges.append(here)
        counts.update({lines[i].strip() for i, _ in here})
    out: list[dict[int, str]] = []
    for lines, here, done in zip(documents, at_edges, marked):
        found = {}
        for i, bottom in here:
            text = lines[i].strip()
            if (i not in done and counts[text] >= min_docs
                    and not is_protected(text, bottom=bottom)):
                found[i] = "repeated"
        out.append(found)
    return out
