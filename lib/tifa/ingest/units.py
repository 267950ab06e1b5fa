"""Sections, paragraphs and sentences of cleaned reports (the UNITS table, schemas.UNITS).

:func:`split_units` reads the cleaned text (one paragraph or heading per line, see
:func:`tifa.ingest.clean.clean_text`) of every document and returns one row per sentence, carrying the
paragraph and the section it belongs to. :func:`paragraphs` and :func:`sections` put the
sentences back together.

Headings
--------
A line is a heading when it starts with a numbering of Chinese official documents; its
``section_level`` (fixed by the numbering, as schemas.UNITS says):

* 1: ``一、`` (also ``一.`` ``一．``), ``第一章``, ``第一部分``, ``第一篇``, ``第一编``;
* 2: ``（一）`` ``(一)``, ``第一节``;
* 3: ``1.`` ``1、`` ``1．`` ``（1）`` ``(1)``.

Nesting follows the usual order of Chinese official documents, 第一篇/编 > 第一章/部分 > 第一节 >
一、 > （一） > 1. > （1）, so in a document with ``第一部分`` and ``一、`` headings (both level 1)
the ``一、`` sections sit inside the ``第一部分`` on the section path, and the ``第一部分`` heading is
the top-level one that gives the role. Enumerations inside paragraphs (``一是…``, ``二是…``,
``第一，…``) are not headings, nor are unnumbered short lines (Markdown ``#`` markers are gone
after cleaning). When a heading line runs on into body text (``（二）突出重点工作，严格落实决策部署。
坚决贯彻…``), its first sentence is the heading and the rest is the first paragraph of that section.

Sections and roles
------------------
Section 0 is the front matter (title, salutation, introduction) before the first heading; every
heading opens a new section (``section_id`` 1, 2 ...). A closing block at the end (signature,
date, ``专此报告。``, ``抄送``/``印发`` lines; see :func:`tifa.ingest.metadata.find_closing`) is a last section
of level 0 with no heading. ``section_role`` is read from the heading of the enclosing top-level
section (the outermost heading on the section path):

* ``problems``: 存在（的）问题, 问题和/与/及…, 不足, 差距, 短板, 弱项, 薄弱, 困难;
* ``plans``: 下一步, 下步, 计划, 打算, 思路, 工作安排/部署, 努力方向, 展望, 今后, 明年, or a heading
  naming a year later than the year reported on (``二、2024年重点工作`` in a 2023 report; the year
  is the documents table's ``year`` column when it has one, else the earliest year named in the
  title or headings);
* ``front`` before the first heading, ``closing`` for the closing block, ``work`` otherwise.

When a top-level heading names both (``三、存在的问题和下一步打算``), a sub-heading naming only one
decides for its own section; otherwise the keyword that comes first wins.

Parts
-----
``part`` says whether a sentence is ``front_matter`` (the title, the delivery and speaker lines
of a 政府工作报告, a 公文's letterhead and 发文字号, the salutation or addressee line), ``body`` or
``signature`` (the 落款 and closing block), by :func:`tifa.ingest.metadata.line_parts`. Front
matter and signature are kept in the table (a concordance may show them) but only the body is
tokenized and counted (:func:`body`).

Sentences
---------
Sentences end at ``。！？；!?;`` or an ellipsis (``…``/``……``); the punctuation stays with the sentence,
and so do closing quotes and brackets right after it (``。”`` ``。）``). ``start`` is the offset of the
sentence in the document's cleaned text: ``text[start:start + len(sentence)] == sentence``.
"""

from __future__ import annotations

import re

import pandas as pd

from tifa.schemas import UNITS
from tifa.ingest.metadata import find_closing, line_parts

__all__ = ["split_units", "sections", "paragraphs", "heading_level", "section_role",
           "split_sentences", "body", "body_texts", "SECTIONS", "PARAGRAPHS", "BODY"]

#: The part of a document the analyses count (``units.part``).
BODY = "body"

#: Columns of :func:`sections`.
SECTIONS = ["doc_id", "section_id", "section_level", "section", "section_path", "section_role",
            "n_sentences", "n_chars", "text"]
#: Columns of :func:`paragraphs`.
PARAGRAPHS = ["doc_id", "section_id", "para_id", "section_role", "text"]

_CN = "一二三四五六七八九十百"
# (pattern, section_level as schemas.UNITS fixes it, nesting rank: smaller ranks enclose larger)
_HEADINGS = [
    (re.compile(rf"^第[{_CN}零〇两\d]+(?:篇|编)"), 1, 0),
    (re.compile(rf"^第[{_CN}零〇两\d]+(?:章|部分)"), 1, 1),
    (re.compile(rf"^第[{_CN}零〇两\d]+节"), 2, 2),
    (re.compile(rf"^[{_CN}]+[、．.]"), 1, 3),
    (re.compile(rf"^[（(][{_CN}]+[）)]"), 2, 4),
    (re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))"), 3, 5),
    (re.compile(r"^[（(]\d{1,2}[）)]"), 3, 6),
]
_ANY_HEADING = re.compile("|".join(f"(?:{p.pattern})" for p, _, _ in _HEADINGS))
_NUMBERING = re.compile(
    rf"^(?:第[{_CN}零〇两\d]+(?:章|部分|篇|编|节)|[{_CN}]+[、．.]|[（(][{_CN}\d]+[）)]"
    r"|\d{1,2}(?:[、．]|\.(?!\d)))\s*"
)
_CLOSE = "”’」』）)\\]】》〕〉\"'"
_SENTENCE = re.compile(
    rf"[^。！？；!?;…]+(?:(?:[。！？；!?;]|…+)+[{_CLOSE}]*)?|(?:[。！？；!?;]|…+)+[{_CLOSE}]*"
)
_LABEL_END = re.compile(r"[。；;：:，,、\s]+$")

_PROBLEMS = re.compile(
    r"(?:存在|面临|突出|主要)的?(?:主要|突出)?问题|问题(?:与|和|及|、)|^.{0,4}问题|不足|差距|短板|弱项|薄弱|困难"
)
_PLANS = re.compile(r"下一步|下步|计划(?!执行|完成)|打算|思路|工作安排|工作部署|努力方向|展望|今后|明年|来年")
_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")


def heading_level(line: str) -> int:
    """The heading level of a line by its numbering, 0 when it is not a heading.

    Parameters
    ----------
    line : str
        One line of cleaned text.

    Returns
    -------
    int
        1 for ``一、``/``第一章``/``第一部分``, 2 for ``（一）``/``第一节``, 3 for ``1.``/``1、``/``（1）``,
        0 otherwise (``一是``, ``第一，``, ordinary text).
    """
    return _heading(line)[0]


def _heading(line: str) -> tuple[int, int]:
    """(section_level, nesting rank) of a line; (0, 0) when it is not a heading."""
    if not _ANY_HEADING.match(line):
        return 0, 0
    for pattern, level, rank in _HEADINGS:
        if pattern.match(line):
            return level, rank
    return 0, 0  # pragma: no cover


def split_sentences(line: str) -> list[tuple[int, str]]:
    """Sentences of one line with their offsets in it.

    Parameters
    ----------
    line : str
        One paragraph.

    Returns
    -------
    list of (int, str)
        ``(offset, sentence)`` pairs; sentences are stripped, never empty, and keep their final
        punctuation and any closing quotes/brackets after it.
    """
    out = []
    for m in _SENTENCE.finditer(line):
        s = m.group()
        stripped = s.strip()
        if stripped:
            out.append((m.start() + len(s) - len(s.lstrip()), stripped))
    return out


def _role_of(heading: str, base_year: int | None) -> tuple[str, int]:
    """(role, position of the deciding keyword); role 'work' has position -1."""
    text = _NUMBERING.sub("", heading)
    p = _PROBLEMS.search(text)
    q = _PLANS.search(text)
    q_pos = q.start() if q else None
    if base_year is not None:
        for m in _YEAR.finditer(text):
            if int(m.group()) > base_year:
                q_pos = m.start() if q_pos is None else min(q_pos, m.start())
                break
    if p and q_pos is not None:
        return ("problems" if p.start() < q_pos else "plans"), -2  # both named: ambiguous
    if p:
        return "problems", p.start()
    if q_pos is not None:
        return "plans", q_pos
    return "work", -1


def section_role(heading: str, *, year: int | None = None) -> str:
    """The role a top-level heading gives its section.

    Parameters
    ----------
    heading : str
        The heading text (numbering included or not).
    year : int or None, default None
        The year reported on; a heading naming a later year is a plan. None: years are ignored.

    Returns
    -------
    str
        ``problems``, ``plans`` or ``work`` (see the module docstring).
    """
    return _role_of(heading, year)[0]


def _base_year(doc_year, lines: list[str]) -> int | None:
    try:
        if doc_year is not None and not pd.isna(doc_year):
            return int(doc_year)
    except (TypeError, ValueError):
        pass
    years = []
    for i, line in enumerate(lines):
        if i == 0 or heading_level(line):
            years += [int(y) for y in _YEAR.findall(line.split("。", 1)[0])]
    return min(years) if years else None


def _empty_units() -> pd.DataFrame:
    return _frame({c: [] for c in UNITS})


def _frame(cols: dict) -> pd.DataFrame:
    df = pd.DataFrame({
        "doc_id": pd.Series(cols["doc_id"], dtype="str"),
        "section_id": pd.Series(cols["section_id"], dtype="int64"),
        "section_level": pd.Series(cols["section_level"], dtype="int64"),
        "section": pd.Series(cols["section"], dtype="str"),
        "section_path": pd.Series(cols["section_path"], dtype="str"),
        "section_role": pd.Series(cols["section_role"], dtype="str"),
        "part": pd.Series(cols["part"], dtype="str"),
        "para_id": pd.Series(cols["para_id"], dtype="int64"),
        "sent_id": pd.Series(cols["sent_id"], dtype="int64"),
        "is_heading": pd.Series(cols["is_heading"], dtype="bool"),
        "text": pd.Series(cols["text"], dtype="str"),
        "start": pd.Series(cols["start"], dtype="int64"),
    })
    return df[UNITS]


def split_units(documents: pd.DataFrame) -> pd.DataFrame:
    """Split the cleaned text of every document into sections, paragraphs and sentences.

    Parameters
    ----------
    documents : DataFrame
        Needs columns ``doc_id`` and ``text`` (the cleaned text, one paragraph or heading per
        line); an optional ``year`` column (the year reported on) helps tell next year's plans
        from this year's work. Not modified. Missing texts give no rows.

    Returns
    -------
    DataFrame
        The units table, columns exactly as schemas.UNITS: ``doc_id``, ``section_id``,
        ``section_level``, ``section``, ``section_path``, ``section_role``, ``part``, ``para_id``,
        ``sent_id``, ``is_heading``, ``text``, ``start``; one row per sentence in reading order;
        ints int64,
        ``is_heading`` bool, ``section``/``section_path`` NA for the front matter and the closing
        block. See the module docstring for the rules.
    """
    missing = {"doc_id", "text"} - set(documents.columns)
    if missing:
        raise KeyError(f"split_units needs columns {sorted(missing)} in the documents table")
    cols: dict[str, list] = {c: [] for c in UNITS}
    years = documents["year"].tolist() if "year" in documents.columns else [None] * len(documents)
    for doc_id, text, year in zip(documents["doc_id"].tolist(), documents["text"].tolist(), years):
        if not isinstance(text, str) or not text.strip():
            continue
        _split_one(str(doc_id), text, year, cols)
    if not cols["doc_id"]:
        return _empty_units()
    return _frame(cols)


def _split_one(doc_id: str, text: str, year, cols: dict[str, list]) -> None:
    # lines with their offsets (blank lines skipped, surrounding spaces ignored)
    lines: list[str] = []
    offsets: list[int] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lines.append(stripped)
            offsets.append(pos + len(raw) - len(raw.lstrip()))
        pos += len(raw) + 1
    closing = find_closing(lines)
    base_year = _base_year(year, lines[:closing])
    parts = line_parts(lines)

    c_doc, c_sec, c_lvl = cols["doc_id"], cols["section_id"], cols["section_level"]
    c_name, c_path, c_role = cols["section"], cols["section_path"], cols["section_role"]
    c_para, c_sent, c_head = cols["para_id"], cols["sent_id"], cols["is_heading"]
    c_text, c_start, c_part = cols["text"], cols["start"], cols["part"]
    part = "body"

    section_id, level, name, path, role = 0, 0, None, None, "front"
    stack: list[tuple[int, str, str, int]] = []  # (rank, label, role, keyword position)
    para_id = -1
    sent_id = 0

    def emit(sentences, base, heading):
        nonlocal sent_id
        for off, s in sentences:
            c_doc.append(doc_id)
            c_sec.append(section_id)
            c_lvl.append(level)
            c_name.append(name)
            c_path.append(path)
            c_role.append(role)
            c_part.append(part)
            c_para.append(para_id)
            c_sent.append(sent_id)
            c_head.append(heading)
            c_text.append(s)
            c_start.append(base + off)
            sent_id += 1

    for i, (line, base) in enumerate(zip(lines, offsets)):
        sentences = split_sentences(line)
        if not sentences:
            continue
        part = parts[i]
        if i == closing:
            section_id += 1
            level, name, path, role = 0, None, None, "closing"
            stack = []
        lvl, rank = _heading(line) if i < closing else (0, 0)
        if lvl:
            label = _LABEL_END.sub("", sentences[0][1]) or sentences[0][1]
            while stack and stack[-1][0] >= rank:
                stack.pop()
            r, kpos = _role_of(label, base_year)
            stack.append((rank, label, r, kpos))
            section_id += 1
            level, name = lvl, label
            path = " > ".join(entry[1] for entry in stack)
            role = stack[0][2]
            if stack[0][3] == -2:  # the top heading names problems and plans: a sub-heading decides
                for entry in stack[1:]:
                    if entry[2] != "work" and entry[3] != -2:
                        role = entry[2]
            para_id += 1
            emit(sentences[:1], base, True)
            if len(sentences) > 1:
                para_id += 1
                emit(sentences[1:], base, False)
        else:
            para_id += 1
            emit(sentences, base, False)


def body(units: pd.DataFrame) -> pd.DataFrame:
    """The body units: what tokens, frequencies, themes, topics and slogans count.

    Parameters
    ----------
    units : DataFrame
        The units table (schemas.UNITS). Not modified. A table without a ``part`` column (from
        an older tifa), or a row whose part is missing, is body.

    Returns
    -------
    DataFrame
        The rows whose ``part`` is ``body``, index kept.
    """
    if "part" not in units.columns:
        return units
    return units[_is_body(units)]


def _is_body(units: pd.DataFrame):
    part = units["part"]
    return (part.isna() | part.astype(str).eq(BODY)).to_numpy()


def body_texts(documents: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """The documents' cleaned texts with front matter and signature blanked out.

    Every character of a non-body sentence becomes a space, so every offset (``units.start``,
    a slogan's ``start``) still points at the same place of ``documents.text``.

    Parameters
    ----------
    documents : DataFrame
        ``doc_id`` and ``text``. Not modified.
    units : DataFrame
        The units table of those documents (with ``part``, ``start`` and ``text``).

    Returns
    -------
    Series
        One text per document, aligned with ``documents``.
    """
    texts = documents["text"].astype("string").fillna("").tolist()
    if "part" not in units.columns or units.empty:
        return pd.Series(texts, index=documents.index, dtype="string")
    other = units[~_is_body(units)]
    spans: dict[str, list[tuple[int, int]]] = {}
    for doc_id, start, text in zip(other["doc_id"].astype(str), other["start"], other["text"]):
        spans.setdefault(doc_id, []).append((int(start), int(start) + len(str(text))))
    out = []
    for doc_id, text in zip(documents["doc_id"].astype(str), texts):
        if doc_id in spans:
            chars = list(text)
            for a, b in spans[doc_id]:
                chars[a:b] = " " * (b - a)
            text = "".join(chars)
        out.append(text)
    return pd.Series(out, index=documents.index, dtype="string")


def paragraphs(units: pd.DataFrame) -> pd.DataFrame:
    """Paragraphs put back together from the units table.

    Parameters
    ----------
    units : DataFrame
        The units table (schemas.UNITS), or a subset of its rows. Not modified.

    Returns
    -------
    DataFrame
        Columns ``doc_id, section_id, para_id, section_role, text``: one row per paragraph (a
        heading is a paragraph of its own), in the order of first appearance; ``text`` is the
        paragraph's sentences joined without separator.
    """
    if units.empty:
        return pd.DataFrame({
            "doc_id": pd.Series([], dtype="str"), "section_id": pd.Series([], dtype="int64"),
            "para_id": pd.Series([], dtype="int64"), "section_role": pd.Series([], dtype="str"),
            "text": pd.Series([], dtype="str"),
        })[PARAGRAPHS]
    keys = ["doc_id", "section_id", "para_id"]
    grouped = units.groupby(keys, sort=False, dropna=False)
    out = grouped.agg(section_role=("section_role", "first")).reset_index()
    out["text"] = pd.Series(_join_groups(grouped.ngroup(), units["text"], len(out), ""),
                            dtype="str", index=out.index)
    out["section_id"] = out["section_id"].astype("int64")
    out["para_id"] = out["para_id"].astype("int64")
    return out[PARAGRAPHS]


def _join_groups(codes: pd.Series, texts: pd.Series, n: int, sep: str) -> list[str]:
    """Join ``texts`` by group code (0..n-1), keeping their order within each group."""
    parts: list[list[str]] = [[] for _ in range(n)]
    for code, text in zip(codes.tolist(), texts.tolist()):
        parts[code].append(text if isinstance(text, str) else "")
    return [sep.join(p) for p in parts]


def sections(units: pd.DataFrame) -> pd.DataFrame:
    """Sections put back together from the units table.

    Parameters
    ----------
    units : DataFrame
        The units table (schemas.UNITS), or a subset of its rows. Not modified.

    Returns
    -------
    DataFrame
        Columns ``doc_id, section_id, section_level, section, section_path, section_role,
        n_sentences, n_chars, text``: one row per section, in the order of first appearance.
        ``n_sentences`` counts its sentences (heading included), ``n_chars`` their characters,
        ``text`` is its paragraphs (heading first) joined by ``"\\n"``.
    """
    paras = paragraphs(units)
    if paras.empty:
        return pd.DataFrame({
            "doc_id": pd.Series([], dtype="str"), "section_id": pd.Series([], dtype="int64"),
            "section_level": pd.Series([], dtype="int64"), "section": pd.Series([], dtype="str"),
            "section_path": pd.Series([], dtype="str"), "section_role": pd.Series([], dtype="str"),
            "n_sentences": pd.Series([], dtype="int64"), "n_chars": pd.Series([], dtype="int64"),
            "text": pd.Series([], dtype="str"),
        })[SECTIONS]
    keys = ["doc_id", "section_id"]
    counted = units.assign(_n=units["text"].str.len().fillna(0))
    out = (counted.groupby(keys, sort=False, dropna=False)
           .agg(section_level=("section_level", "first"), section=("section", "first"),
                section_path=("section_path", "first"), section_role=("section_role", "first"),
                n_sentences=("text", "size"), n_chars=("_n", "sum"))
           .reset_index())
    # paragraphs come in the units' order, so their sections are met in the same order as above
    codes = paras.groupby(keys, sort=False, dropna=False).ngroup()
    out["text"] = _join_groups(codes, paras["text"], len(out), "\n")
    for c in ("section_id", "section_level", "n_sentences", "n_chars"):
        out[c] = out[c].astype("int64")
    for c in ("section", "section_path", "section_role", "text"):
        out[c] = out[c].astype("str")
    return out[SECTIONS]
