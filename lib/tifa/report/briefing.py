"""The briefing pack: the figures and tables of a run, assembled for people who read no code.

:func:`build_pack` reads an output folder — the figure registry that
:func:`tifa.report.export.save_figure` keeps (``figures/<section>/<name>.json``), the figure files and
``tables/*.csv`` — and assembles, in memory:

``briefing.html``  one self-contained page, assembled from the jinja2 template
                   ``templates/briefing.html.j2`` (images inline as PNG, the font cut to the
                   characters shown, nothing loaded from elsewhere) telling the comparison in
                   notebook order: key findings, the corpus (00), what each group stresses
                   (01), what sets them apart (02), themes (03), recurring slogans (04); each
                   figure with its title and a one-line caption made from the numbers; then
                   an offline explorer (its data as JSON and a small script, inline: pick a
                   word or formulation, see its rate per group and concordance lines; sort the
                   keyness table) and the tables, described and linked.
``briefing.pptx``  a title slide (corpus, groups, years, date), a slide of key findings, then
                   one 16:9 slide per figure: its title, the figure, its caption (notes: the
                   caption and the file name), ready to copy into a deck.
``tables.xlsx``    every result table, one sheet each (a long table as a summary: its first
                   rows per group), with Chinese column headers; a first sheet (说明) says
                   which CSV each sheet holds and maps headers to column names.
``figures/``       the PNG (300 dpi), SVG and PDF of every figure, as in the output folder.
``manifest.csv``   every file of the pack with what it shows.

:func:`tifa.report.export.save_briefing` writes the pack to ``out/briefing/`` atomically. Nothing here
writes files.

Order and captions
------------------
Sections are ordered by name (``00_corpus`` before ``01_keywords`` …), figures within a
section by their ``order`` (if the notebook gave one), else in the order they were saved.
A figure saved before the last pipeline run started its notebook (``run.json``) is a leftover
of an earlier run and is left out. A figure's caption is the one recorded where the figure was
saved (``export.save_figure(fig, ..., caption=captions.top_terms(top))``: the caption is made
from the very table the figure draws); a figure saved without one shows its title instead, and
the pack's figure table says so (``caption_source`` ``"title"``).
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from tifa.report import captions, previews
from tifa.report.export import CSV_ENCODING

#: Title and one-sentence description of each notebook's section, keyed by its number.
SECTIONS = {
    "00": ("语料概况", "纳入比较的报告：来源、年份与篇幅。"),
    "01": ("各组强调什么", "各组用得最多的词和词组，按每万词出现次数比较，篇幅不同的报告也可直接对照。"),
    "02": ("各组的不同之处", "一组相对其他组显著多用的词（对数似然比 G²）、最能代表各组的词（TF-IDF）与各组用词的相似度。"),
    "03": ("主题", "按主题词表给每句话编码后，各组在各个主题上的着墨。"),
    "04": ("反复出现的提法", "各报告中的官方提法：各组共有的、一组独有的，以及引用的文件。"),
    "05": ("简报", "交互探索与简报。"),
    "06": ("共同段落", "两份报告逐字或近乎逐字共有的段落（数字改动、删去一句也能找到），各组之间共有文字的比例，以及许多报告都写的模板句。"),
}

#: Tables whose notebook is known (for the order of the sheets in tables.xlsx).
TABLE_SECTIONS = {
    "documents": "00", "ingest_report": "00", "cleaning": "00", "sections": "00",
    "top_tokens": "00",
    "keywords": "01", "bigrams": "01", "trigrams": "01", "collocations": "01", "kwic": "01",
    "overuse": "01", "shared_terms": "01", "cooccurrence": "01",
    "keyness": "02", "tfidf": "02", "similarity": "02",
    "themes": "03", "keyness_pair": "02",
    "slogans": "04", "slogan_summary": "04",
    "reuse_pairs": "06", "reuse_passages": "06", "reuse_repeated": "06", "reuse_matrix": "06",
}

#: What a known table holds (shown in the 说明 sheet and the manifest).
TABLE_DESCRIPTIONS = {
    "documents": "每份报告一行：来源、标题、机构、地区、年份、日期、篇幅",
    "ingest_report": "读入的每个文件及其状态（ok / skipped / duplicate）和原因",
    "sections": "各报告的章节：层级、标题、所属部分、句数、字数",
    "top_tokens": "各报告的高频词（语料概况）",
    "keywords": "各组每个词的出现次数、每万词次数和排名",
    "bigrams": "各组的二元词组",
    "trigrams": "各组的三元词组",
    "collocations": "节点词的搭配词及其关联强度",
    "kwic": "检索词的上下文（索引行）",
    "overuse": "各组比平均多用的词",
    "shared_terms": "各组都用的词",
    "keyness": "各组相对参照组的关键词：次数、G²、p 值、对数比",
    "tfidf": "各组 TF-IDF 最高的词",
    "similarity": "各组之间用词的余弦相似度",
    "themes": "各组在各主题上的命中次数、每千词次数和占比",
    "slogans": "每个提法在每份报告中的用法与次数",
    "slogan_summary": "每个提法一行：类型、共有或独有、使用的报告和组数、次数、年份",
    "slogan_by_group": "每个提法在每组中的使用次数与每十万字次数",
    "slogan_mentions": "提法的每一次出现及其位置",
    "slogan_noise": "被排除的引号内容及排除规则",
    "slogan_overlap": "各组提法集合的交集",
    "slogan_timeline": "提法的逐年使用次数",
    "slogan_lexicon_terms": "加入分词词典的提法",
    "slogan_noise_candidates": "被降级或排除的候选提法、所依据的规则，以及在 formulations.txt 中推翻它的写法（+ / !）",
    "slogan_changes": "每年（及每组）新出现、延续和不再出现的提法，以及使用各新提法的报告比例",
    "slogan_turnover": "每年（及每组）新出现、延续和不再出现的提法数",
    "cleaning": "从每份报告中删去的网页杂项行（导航、来源、页脚等）及删除规则",
    "cooccurrence": "同一句中出现多于偶然的词对：共现句数、各自句数、期望值、PMI、NPMI、G²、p 值",
    "reuse_pairs": "有共同段落的每对报告：段数、句数、共有字数、各自所占比例",
    "reuse_passages": "每个共同段落：两份报告的原文、各自的字符位置、相似度",
    "reuse_repeated": "在多份报告中重复的句子（含近似写法）及是否为模板句",
    "reuse_matrix": "各组文字中与另一组共有的字数和比例",
    "keyness_pair": "两组直接对比（散点图）的关键词：各词在两组中的次数、每万词次数、G² 与对数比",
    "theme_codebook": "主题词表：每个主题及其检索词",
    "theme_sentences": "每个句子命中的主题及命中词",
    "theme_terms": "各组各主题中命中最多的检索词",
    "theme_sections": "各主题命中次数在报告各部分（开头、工作情况、问题、计划、结尾）的分布",
    "theme_coverage": "各组被主题词表覆盖的句子比例",
    "theme_uncoded_terms": "未命中任何主题的句子中的高频词（词表可能遗漏的话题）",
    "topics": "NMF 数据主题：代表词、权重占比、段落数和最典型的段落",
    "topic_terms": "每个数据主题的代表词及其权重",
    "topic_mix": "各组的数据主题构成（段落主题比例按词数加权）",
    "topic_theme_overlap": "数据主题与词表主题的重合：涉及比例和提升度",
    "topic_themes": "每个数据主题对应的词表主题（按重合度和提升度判定）",
}

#: Readable (Chinese) headers for the columns of the result tables, used in tables.xlsx.
COLUMN_LABELS = {
    "doc_id": "文档编号", "source": "来源文件", "format": "格式", "encoding": "编码",
    "sha256": "SHA-256", "title": "标题", "agency": "机构", "region": "地区", "year": "年份",
    "date": "日期", "label": "标签", "n_chars": "字数", "n_tokens": "词数", "status": "状态",
    "reason": "原因", "notes": "备注", "bytes": "字节数",
    "section_id": "章节序号", "section_level": "章节层级", "section": "章节",
    "section_path": "章节路径", "section_role": "章节部分", "n_sentences": "句数",
    "term": "词语", "group": "组", "count": "次数", "per_10k": "每万词次数", "rank": "排名",
    "total": "该组总词数", "n": "元数", "tokens": "组成词",
    "collocate": "搭配词", "expected": "期望次数", "span_tokens": "窗口词数",
    "collocate_total": "搭配词总次数", "node_count": "节点词次数", "mi": "互信息 MI",
    "t_score": "t 值", "log_dice": "logDice",
    "left": "左语境", "match": "检索词", "right": "右语境", "start": "起始位置",
    "para_id": "段落序号", "sent_id": "句子序号",
    "mean_per_10k": "各组平均每万词次数", "excess": "高出平均", "n_groups": "组数",
    "share": "占比", "min_per_10k": "各组最低每万词次数",
    "target": "目标组", "reference": "参照组", "n_target": "目标组次数",
    "n_reference": "参照组次数", "total_target": "目标组总词数",
    "total_reference": "参照组总词数", "g2": "对数似然比 G²", "p": "p 值",
    "log_ratio": "对数比", "per_10k_target": "目标组每万词次数",
    "per_10k_reference": "参照组每万词次数", "side": "方向",
    "df": "文档频率", "n_units": "单元数", "idf": "IDF", "tfidf": "TF-IDF", "unit": "单元",
    "other": "另一组", "cosine": "余弦相似度", "n_tokens_group": "该组词数",
    "n_tokens_other": "另一组词数",
    "theme": "主题", "hits": "命中次数", "per_1k": "每千词次数", "sentences": "句数",
    "coded_hits": "该组命中总数",
    "slogan": "提法", "variant": "写法", "kind": "类型", "n_docs": "报告数",
    "first_year": "最早年份", "last_year": "最晚年份", "owner": "独有组", "groups": "使用的组",
    "n_variants": "写法数", "variants": "各种写法", "total_docs": "报告总数",
    "total_groups": "组总数", "group_docs": "该组报告数", "group_chars": "该组字数",
    "per_100k_chars": "每十万字次数", "quoted": "带引号", "end": "结束位置",
    "noise": "排除原因", "rule": "规则", "description": "说明", "examples": "示例",
    "combination": "组合", "degree": "组数", "n_slogans": "提法数",
    "year_docs": "该年报告数", "share_docs": "报告占比",
}

#: Most rows Excel holds in one sheet, header included.
EXCEL_MAX_ROWS = 1_048_576

#: Longest text Excel holds in one cell.
EXCEL_MAX_CHARS = 32_767

#: Excel number formats by column name (display only; cells keep full precision).
NUMBER_FORMATS = {"p": "0.00E+00", "share": "0.0%", "share_docs": "0.0%", "uncoded_share": "0.0%",
                  "weight_share": "0.0%"}

#: Tables up to this many rows get number formats (larger ones are written plain, for speed).
FORMAT_MAX_ROWS = 100_000

#: Most rows a sheet of tables.xlsx holds: a longer table is summarised (its first rows per
#: group, or its first rows), so the pack costs about the same for 2 reports or 5,000; the
#: complete table is the CSV in ``tables/`` (the 说明 sheet and the HTML say so).
SHEET_MAX_ROWS = 2_000

#: Rows kept per group when a long table with a ``group`` (or ``target``) column is summarised.
SHEET_ROWS_PER_GROUP = 50

#: Width in pixels of the images inlined in briefing.html (:data:`tifa.report.previews.HTML_IMAGE_PX`).
HTML_IMAGE_PX = previews.HTML_IMAGE_PX

#: Most documents listed in the corpus section of briefing.html (all are in tables.xlsx).
HTML_MAX_DOCUMENTS = 30

#: Columns of :func:`figure_index`.
FIGURE_COLUMNS = ["section", "name", "title", "caption", "caption_source", "order", "png",
                  "svg", "pdf", "width_in", "height_in", "saved", "saved_ns", "empty"]

#: Columns of the manifest (``bytes`` is added when the pack is written).
MANIFEST_COLUMNS = ["file", "kind", "format", "section", "name", "title", "shows"]


@dataclass
class Pack:
    """A briefing pack in memory (see the module notes); write it with
    :func:`tifa.report.export.save_briefing`.

    Attributes
    ----------
    html : str
        briefing.html.
    pptx : bytes
        briefing.pptx.
    xlsx : bytes
        tables.xlsx.
    copies : list of (Path, str)
        Figure files to copy: (file in the output folder, path inside the pack).
    manifest : pandas.DataFrame
        One row per file of the pack (:data:`MANIFEST_COLUMNS`).
    figures : pandas.DataFrame
        The figures shown, in order (:func:`figure_index`, captions filled in).
    tables : pandas.DataFrame
        The tables in tables.xlsx (:func:`table_index`), with their sheet names.
    """

    html: str
    pptx: bytes
    xlsx: bytes
    copies: list
    manifest: pd.DataFrame
    figures: pd.DataFrame
    tables: pd.DataFrame
    notes: list = field(default_factory=list)


# ---------------------------------------------------------------------------- reading the output

def _drawn(figures: pd.DataFrame) -> pd.Series:
    """Which figures the pack shows: a PNG, and a chart drawn (not a "nothing to draw" note)."""
    if not len(figures):
        return pd.Series([], dtype=bool)
    png = figures["png"].map(lambda p: isinstance(p, (str, Path)))
    empty = figures["empty"] if "empty" in figures.columns else pd.Series(None, index=figures.index)
    return png & ~empty.map(_is_note)


def _is_note(value) -> bool:
    """A figure's "nothing to draw" message (a non-empty string; None/NaN are not)."""
    return isinstance(value, str) and bool(value)


def _section_key(section: str) -> str:
    m = re.match(r"(\d+)", str(section))
    return m.group(1).zfill(2) if m else str(section)


def section_title(section: str) -> str:
    """The heading of a section in the briefing: ``"各组强调什么"`` for ``"01_keywords"``.

    Parameters
    ----------
    section : str
        A figure section (a notebook's name).

    Returns
    -------
    str
        The title of :data:`SECTIONS`, else the section name without its number.
    """
    key = _section_key(section)
    if key in SECTIONS:
        return SECTIONS[key][0]
    return re.sub(r"^\d+_?", "", str(section)).replace("_", " ") or str(section)


def _parse_time(value) -> _dt.datetime | None:
    if not value:
        return None
    try:
        t = _dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.astimezone()


def _notebook_starts(out: Path) -> dict[str, _dt.datetime]:
    """Start time of each notebook in the last pipeline run (``run.json``), by stem."""
    path = out / "run.json"
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    starts = {}
    for entry in run.get("notebooks", []) or []:
        t = _parse_time(entry.get("started"))
        if t is not None and entry.get("name"):
            starts[Path(entry["name"]).stem] = t
    return starts


def figure_index(out, *, drop_stale: bool = True) -> pd.DataFrame:
    """The figures of an output folder, in briefing order, from the figure registry.

    Reads every ``figures/<section>/<name>.json`` record written by
    :func:`tifa.report.export.save_figure`; figures saved without a record (a PNG only) are listed
    too, titled by their file name.

    Parameters
    ----------
    out : str or Path
        The output folder.
    drop_stale : bool, default True
        Leave out figures saved before the last pipeline run (``run.json``) started the
        notebook named like their section: leftovers of an earlier run.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FIGURE_COLUMNS`; ``png``, ``svg``, ``pdf`` are paths (``None`` when the
        format was not written); ``caption`` is the one recorded with the figure (``None``
        when there is none) and ``caption_source`` ``"notebook"`` then, else ``None`` (see
        :func:`fill_captions`). Sorted by section, ``order`` (figures without one after), time
        saved, name.
    """
    out = Path(out)
    root = out / "figures"
    rows = []
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir()
                             if p.is_dir() and not p.name.startswith(".")):  # not .jobs
            stems = {p.stem for p in folder.iterdir() if p.suffix in (".png", ".svg", ".pdf", ".json")
                     and not p.name.startswith(".")}
            for stem in sorted(stems):
                record = {}
                rec_path = folder / f"{stem}.json"
                if rec_path.is_file():
                    try:
                        record = json.loads(rec_path.read_text(encoding="utf-8"))
                    except (OSError, ValueError):
                        record = {}
                files = {}
                for fmt in ("png", "svg", "pdf"):
                    path = folder / f"{stem}.{fmt}"
                    files[fmt] = path if path.is_file() else None
                if not any(files.values()):
                    continue
                saved_ns = record.get("saved_ns")
                if saved_ns is None:
                    first = next(p for p in files.values() if p is not None)
                    saved_ns = first.stat().st_mtime_ns
                rows.append({
                    "section": folder.name,
                    "name": stem,
                    "title": record.get("title") or stem,
                    "caption": record.get("caption") or None,
                    "caption_source": "notebook" if record.get("caption") else None,
                    "order": record.get("order"),
                    **files,
                    "width_in": record.get("width_in"),
                    "height_in": record.get("height_in"),
                    "saved": _parse_time(record.get("saved")) or _dt.datetime.fromtimestamp(
                        saved_ns / 1e9).astimezone(),
                    "saved_ns": int(saved_ns),
                    "empty": record.get("empty") or None,
                })
    table = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    if table.empty:
        return table
    if drop_stale:
        starts = _notebook_starts(out)
        stale = table.apply(lambda r: r["section"] in starts and r["saved"] < starts[r["section"]],
                            axis=1)
        table = table[~stale.astype(bool)]
    table = table.assign(_o=pd.to_numeric(table["order"], errors="coerce"))
    table = table.sort_values(["section", "_o", "saved_ns", "name"], na_position="last",
                              kind="stable")
    return table.drop(columns="_o").reset_index(drop=True)


def table_index(out) -> pd.DataFrame:
    """The result tables of an output folder (``tables/*.csv``), in notebook order.

    Parameters
    ----------
    out : str or Path
        The output folder.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, path, section, description``: known tables (:data:`TABLE_SECTIONS`,
        names starting like ``slogan``/``theme``/``topic``) in their notebook's order, the rest
        after them, each group in the order the files were written.
    """
    folder = Path(out) / "tables"
    rows = []
    if folder.is_dir():
        for path in folder.glob("*.csv"):
            if path.name.startswith("."):
                continue
            name = path.stem
            section = TABLE_SECTIONS.get(name)
            if section is None:
                for prefix, sec in (("slogan", "04"), ("theme", "03"), ("topic", "03"),
                                    ("keyness", "02"), ("tfidf", "02"), ("similar", "02")):
                    if name.startswith(prefix):
                        section = sec
                        break
            rows.append({"name": name, "path": path, "section": section or "99",
                         "description": TABLE_DESCRIPTIONS.get(name, ""),
                         "_m": path.stat().st_mtime_ns})
    table = pd.DataFrame(rows, columns=["name", "path", "section", "description", "_m"])
    table = table.sort_values(["section", "_m", "name"], kind="stable")
    return table.drop(columns="_m").reset_index(drop=True)


def summary_table(path, *, max_rows: int = SHEET_MAX_ROWS,
                  per_group: int = SHEET_ROWS_PER_GROUP) -> tuple[pd.DataFrame, int, str]:
    """A table as tables.xlsx holds it: whole when it has at most ``max_rows`` rows, else a
    summary — the first ``per_group`` rows of each group (by ``rank`` when the table has one,
    else in table order; ``group`` or ``target`` is the group column), at most ``max_rows``
    in all, or simply the first ``max_rows`` rows.

    The file is read in chunks, so a table of millions of rows never sits in memory whole.

    Parameters
    ----------
    path : str or Path
        A CSV of ``tables/``.
    max_rows : int, default 5,000
        Most rows kept.
    per_group : int, default 50
        Rows kept per group in a summary.

    Returns
    -------
    (pandas.DataFrame, int, str)
        The rows kept, the number of rows of the CSV, and a note saying what was kept (empty
        when the table is whole).
    """
    kept, total, group = [], 0, None
    try:
        reader = pd.read_csv(path, encoding=CSV_ENCODING, low_memory=False, chunksize=200_000)
        for chunk in reader:
            total += len(chunk)
            if group is None:
                group = next((c for c in ("group", "target") if c in chunk.columns), "")
            kept.append(chunk)
            whole = pd.concat(kept, ignore_index=True)
            if len(whole) > max_rows:
                whole = _summarise(whole, group, max_rows, per_group)
            kept = [whole]
    except pd.errors.EmptyDataError:
        return pd.DataFrame(), 0, ""
    table = kept[0] if kept else pd.DataFrame()
    if total <= max_rows:
        return table, total, ""
    if group:
        note = (f"摘要：每{COLUMN_LABELS.get(group, group)}前 {per_group} 行，"
                f"共 {len(table):,} 行；全表 {total:,} 行见 tables/{Path(path).name}")
    else:
        note = f"摘要：前 {len(table):,} 行；全表 {total:,} 行见 tables/{Path(path).name}"
    return table, total, note


def _summarise(table: pd.DataFrame, group: str, max_rows: int, per_group: int) -> pd.DataFrame:
    if group:
        if "rank" in table.columns:
            table = table.sort_values([group, "rank"], kind="stable")
        table = table.groupby(group, sort=False).head(per_group)
        if "rank" in table.columns:
            table = table.sort_values(["rank", group], kind="stable")
    return table.head(max_rows)


def read_table(path, *, nrows: int | None = None) -> pd.DataFrame:
    """Read a table written by :func:`tifa.report.export.save_table` (UTF-8 with BOM).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    nrows : int, optional
        Read at most this many rows; default all.

    Returns
    -------
    pandas.DataFrame
    """
    try:
        return pd.read_csv(path, encoding=CSV_ENCODING, nrows=nrows, low_memory=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


# ---------------------------------------------------------------------------- captions

def fill_captions(figures: pd.DataFrame) -> pd.DataFrame:
    """Give every figure a caption: the one saved with it, else its title.

    The caption of a figure is made where the figure is saved, from the table it draws
    (``export.save_figure(..., caption=...)``); nothing here guesses one from the figure's name.

    Parameters
    ----------
    figures : pandas.DataFrame
        From :func:`figure_index`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``caption`` filled and ``caption_source`` ``"notebook"`` (saved with the
        figure) or ``"title"`` (saved without a caption: the title stands in).
    """
    out = figures.copy()
    for i, row in out.iterrows():
        if isinstance(row["caption"], str) and row["caption"].strip():
            out.at[i, "caption_source"] = "notebook"
        else:
            out.at[i, "caption"] = row["title"]
            out.at[i, "caption_source"] = "title"
    return out


# ---------------------------------------------------------------------------- html

_CSS = """
:root { --ink:#1b1b1b; --muted:#5a5a5a; --rule:#dddddd; --accent:#1f5fa8; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff;
  font-family:"tifa CJK","Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
  "Hiragino Sans GB","WenQuanYi Micro Hei",sans-serif; font-size:16px; line-height:1.7; }
main { max-width:1024px; margin:0 auto; padding:40px 32px 64px; }
header.cover { border-bottom:3px solid var(--accent); padding-bottom:16px; margin-bottom:24px; }
h1 { font-size:30px; font-weight:600; margin:0 0 8px; letter-spacing:.02em; }
.meta { color:var(--muted); font-size:14px; margin:0; }
nav { background:#f6f7f9; border-radius:6px; padding:12px 20px; margin:0 0 32px; font-size:15px; }
nav ol { margin:4px 0 0; padding-left:1.6em; columns:2; }
nav a { color:var(--accent); text-decoration:none; }
section { margin:0 0 40px; }
h2 { font-size:23px; font-weight:600; margin:0 0 6px; padding-top:8px; border-top:1px solid var(--rule); }
.about { color:var(--muted); margin:0 0 10px; font-size:15px; }
.lead { font-size:17px; margin:0 0 18px; }
figure { margin:0 0 32px; page-break-inside:avoid; break-inside:avoid; }
figure img { display:block; width:100%; height:auto; border:1px solid var(--rule); }
figcaption { margin-top:8px; font-size:15px; }
figcaption .num { color:var(--accent); font-weight:600; margin-right:.5em; }
figcaption .title { font-weight:600; }
figcaption .caption { display:block; color:#333; }
table { border-collapse:collapse; width:100%; font-size:14px; margin:0 0 20px; }
th, td { border-bottom:1px solid var(--rule); padding:5px 8px; text-align:left; vertical-align:top; }
th { background:#f6f7f9; font-weight:600; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.note { color:var(--muted); font-size:13px; }
footer { color:var(--muted); font-size:13px; border-top:1px solid var(--rule); padding-top:12px; }
.findings ul { margin:0 0 8px; padding-left:1.3em; font-size:17px; }
.findings li { margin:0 0 6px; }
h3 { font-size:18px; font-weight:600; margin:18px 0 6px; }
.pick { display:flex; flex-wrap:wrap; gap:10px; align-items:center; margin:8px 0 12px; font-size:15px; }
.pick input, .pick select { font:inherit; padding:4px 8px; border:1px solid #bbb; border-radius:4px; }
.pick input { width:18em; } .pick select { max-width:22em; }
table.rates td.bar { width:40%; } table.rates td.bar div { height:12px; border-radius:2px; }
table.kwic td.left { text-align:right; color:#333; padding-right:0; }
table.kwic td.match { font-weight:600; white-space:nowrap; padding:5px 1px; color:var(--accent); }
table.kwic td.right { padding-left:0; } table.kwic td.grp { color:var(--muted); white-space:nowrap; }
.scroll { max-height:480px; overflow:auto; border:1px solid var(--rule); }
.scroll table { margin:0; } .scroll thead th { position:sticky; top:0; }
th.sortable { cursor:pointer; user-select:none; } th.sortable:hover { color:var(--accent); }
table.appendix td .note { margin-left:.3em; }
@media print { main { max-width:none; padding:0; } nav { display:none; } a { color:inherit; } }
"""

_CN_NUMERALS = "一二三四五六七八九十"


def _cn_index(i: int) -> str:
    if i < 10:
        return _CN_NUMERALS[i]
    if i < 20:
        return "十" + (_CN_NUMERALS[i - 10] if i > 10 else "")
    return str(i + 1)


#: Family name of the CJK font embedded in briefing.html.
HTML_FONT_FAMILY = "tifa CJK"


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the house CJK font, cut to the characters of ``text``.

    The HTML then shows Chinese on a machine without any Chinese font, like the SVG and PDF
    figures. The font (:func:`tifa.draw.style.font_path`) is subset with fontTools to the characters
    used plus ASCII and saved as WOFF: tens of kilobytes instead of megabytes.

    Parameters
    ----------
    text : str
        Every text the page shows.

    Returns
    -------
    str
        The CSS rule; empty if the font cannot be read (the page then falls back to the
        reader's fonts).
    """
    from tifa.draw import style

    chars = {ch for ch in text if not ch.isspace()} | {chr(c) for c in range(0x20, 0x7f)}
    try:
        font = style.font_path()
        st = Path(font).stat()
        key = f"{Path(font).resolve()}|{st.st_size}|{st.st_mtime_ns}|".encode() + \
            "".join(sorted(chars)).encode("utf-8")
    except OSError:
        return ""
    return previews.cached("font", key, lambda: _font_face_css(chars, font))


def _font_face_css(chars: set[str], font_file) -> str:
    from fontTools import subset

    try:
        options = subset.Options()
        options.flavor = "woff"
        options.notdef_outline = True  # the default layout features: all a page needs
        font = subset.load_font(str(font_file), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(chars)))
        subsetter.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, options)
    except Exception:  # noqa: BLE001 - a missing font must not stop the briefing
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family:"{HTML_FONT_FAMILY}"; font-style:normal; font-weight:100 900; '
            f'src:url(data:font/woff;base64,{data}) format("woff"); }}')


def corpus_summary(documents: pd.DataFrame | None, *, by: str | None = None) -> str:
    """The opening sentence of the briefing: how many reports, which groups, years, length.

    Parameters
    ----------
    documents : pandas.DataFrame or None
        The documents table (``tables/documents.csv``).
    by : str, optional
        The grouping column of the comparison; default none.

    Returns
    -------
    str
        E.g. ``本简报比较 2 份报告，逐份比较（聊城市 2022、厦门市 2023）；年份 2022—2023 年；共 6,056 字``
        or ``…，按地区分为 31 组（…）``.
    """
    if documents is None or documents.empty:
        return "输出目录中没有文档表（tables/documents.csv）。"
    n = len(documents)
    text = f"本简报比较 {n:,} 份报告"
    if by and by in documents.columns:
        groups = [str(g) for g in dict.fromkeys(documents[by].dropna().tolist())]
        if len(groups) == n and by in ("label", "doc_id"):
            text += "，逐份比较"
        else:
            text += f"，按{COLUMN_LABELS.get(by, f'“{by}”')}分为 {len(groups):,} 组"
        if 1 < len(groups) <= 6:
            text += "（" + "、".join(groups) + "）"
        elif len(groups) > 6:
            text += "（" + "、".join(groups[:5]) + " 等）"
    if "year" in documents.columns:
        ys = pd.to_numeric(documents["year"], errors="coerce").dropna()
        if len(ys):
            lo, hi = int(ys.min()), int(ys.max())
            text += f"；年份 {lo} 年" if lo == hi else f"；年份 {lo}—{hi} 年"
    if "n_chars" in documents.columns:
        total = pd.to_numeric(documents["n_chars"], errors="coerce").sum()
        if total > 0:
            text += f"；共 {captions.number(total)} 字"
    return text


def _documents_table(documents: pd.DataFrame, max_rows: int) -> str:
    cols = [c for c in ("label", "agency", "region", "year", "date", "n_chars", "n_tokens")
            if c in documents.columns]
    if not cols:
        return ""
    head = "".join(f"<th>{html.escape(COLUMN_LABELS.get(c, c))}</th>" for c in cols)
    body = []
    for _, row in documents.head(max_rows).iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                cells.append("<td></td>")
            elif c in ("n_chars", "n_tokens"):
                cells.append(f'<td class="num">{captions.number(v)}</td>')
            elif c == "year":
                cells.append(f"<td>{int(float(v))}</td>")
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if len(documents) > max_rows:
        note = (f'<p class="note">仅列出前 {max_rows} 份，共 {len(documents):,} 份；'
                "完整列表见 tables.xlsx 的 documents 页。</p>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"


def _template(name: str):
    """A template of ``tifa/report/templates`` (package data), loaded with jinja2."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("tifa.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template(name)


def _script(name: str) -> str:
    from importlib.resources import files

    return files("tifa.report").joinpath("templates", name).read_text(encoding="utf-8")


def explorer_json(data: Mapping) -> str:
    """The explorer's data as compact JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_html(figures: pd.DataFrame, *, documents: pd.DataFrame | None = None,
                tables: pd.DataFrame | None = None, by: str | None = None,
                title: str = "报告比较简报", date: str | None = None,
                image_px: int = HTML_IMAGE_PX, max_documents: int = HTML_MAX_DOCUMENTS,
                leads: Mapping[str, str] | None = None, findings: list[str] | None = None,
                explorer: Mapping | None = None) -> str:
    """briefing.html: one self-contained page, assembled from the jinja2 template
    ``templates/briefing.html.j2``: figures inline, key findings, an offline explorer.

    Parameters
    ----------
    figures : pandas.DataFrame
        Figures in order, with captions (:func:`fill_captions`); their PNG files are inlined.
    documents : pandas.DataFrame, optional
        The documents table, for the corpus section; default none.
    tables : pandas.DataFrame, optional
        :func:`table_index` with ``sheet`` names (and ``rows``, ``note`` when known), listed
        at the end with links; default none.
    by : str, optional
        Grouping column, named in the opening sentence; default none.
    title : str, default "报告比较简报"
        Page title.
    date : str, optional
        Date of the run shown under the title; default today.
    image_px : int, default 1440
        Width of the inlined images in pixels.
    max_documents : int, default 30
        Most documents listed in the corpus section.
    leads : mapping, optional
        ``{section: sentence}`` shown at the top of a section (e.g. from the tables).
    findings : list of str, optional
        The key findings shown under the title (:func:`findings`); default none.
    explorer : mapping, optional
        The explorer's data (:func:`tifa.report.explore.briefing_data`); default no explorer.

    Returns
    -------
    str
        The HTML document. Nothing is loaded from elsewhere: images, the font (cut to the
        characters shown), the explorer's data and its script are inline.
    """
    from tifa.report import explore

    date = date or _dt.date.today().isoformat()
    leads = dict(leads or {})
    order = list(dict.fromkeys(figures["section"].tolist()))
    has_docs = documents is not None and not documents.empty
    if has_docs and not any(_section_key(s) == "00" for s in order):
        order.insert(0, "00_corpus")
    sections, number = [], 0
    for i, section in enumerate(order):
        key = _section_key(section)
        in_section = figures[figures["section"] == section]
        lead = leads.get(section) or leads.get(key)
        if lead in set(in_section["caption"].astype(str)):
            lead = None
        figs, empty = [], []
        for _, fig in in_section.iterrows():
            if _is_note(fig.get("empty")):
                empty.append(f"{fig['title']}：{fig['empty']}")
                continue
            if fig["png"] is None or (not isinstance(fig["png"], (str, Path))):
                continue
            number += 1
            data, w, h = previews.image_data(Path(fig["png"]), image_px)
            caption = fig["caption"] if fig["caption"] != fig["title"] else ""
            figs.append({"id": f"{section}-{fig['name']}", "number": number, "data": data,
                         "width": w, "height": h, "title": str(fig["title"]),
                         "caption": caption,
                         "alt": f"{fig['title']}。{caption}" if caption else str(fig["title"])})
        sections.append({"id": f"s{key}", "heading": f"{_cn_index(i)}、{section_title(section)}",
                         "about": SECTIONS.get(key, (None, ""))[1], "lead": lead,
                         "documents": _documents_table(documents, max_documents)
                         if key == "00" and has_docs else "", "figures": figs,
                         "empty": "；".join(empty)})
    nav = [{"id": s["id"], "title": s["heading"].split("、", 1)[-1]} for s in sections]
    box = None
    if explorer and explorer.get("items"):
        caps = explorer.get("caps", {})
        heading = f"{_cn_index(len(sections))}、互动探索"
        key_total = explorer.get("keyness", {}).get("total", 0)
        shown = len(explorer.get("keyness", {}).get("rows", []))
        box = {"heading": heading, "count": explorer.get("count", ""),
               "json": explorer_json(explorer), "script": _script("explorer.js"),
               "keyness_note": (f"显示 |G²| 最大的 {shown:,} 行（共 {key_total:,} 行，完整见 "
                                "tables/keyness.csv）。" if key_total > shown else ""),
               "caps_note": (f"本页收录出现最多的 {caps.get('terms', 0)} 个词语和 "
                             f"{caps.get('slogans', 0)} 个提法，每个最多 {caps.get('lines', 0)} "
                             f"条索引行、{caps.get('groups', 0)} 个组；其余见 Jupyter 中的探索器"
                             "（05_briefing）和 tables/ 中的完整表。")}
        nav.append({"id": "explore", "title": "互动探索"})
    rows = []
    if tables is not None and len(tables):
        for _, t in tables.iterrows():
            rows.append({"sheet": t["sheet"], "file": f"tables/{t['name']}.csv",
                         "href": f"../tables/{t['name']}.csv",
                         "description": t.get("description") or "",
                         "rows": f"{int(t['rows']):,}" if pd.notna(t.get("rows", None)) else "",
                         "note": t.get("note") or ""})
        nav.append({"id": "tables", "title": "附：数据表"})
    page = _template("briefing.html.j2").render(
        title=title, summary=corpus_summary(documents, by=by), n_figures=number, date=date,
        findings=list(findings or []), nav=nav if sections else [], sections=sections,
        explorer=box, tables=rows, css=_CSS, font_face="",
        tables_note=("每张结果表在 tables.xlsx 中占一页（列名为中文，第一页“说明”对照原列名）；"
                     "行数多的表在 tables.xlsx 中只收摘要（每组前若干行），完整的 CSV 在输出目录的 "
                     "tables/ 中（链接指向它们，简报包与输出目录一起发送时可用）。"))
    shown_text = re.sub(r"data:[^\"')]+", "", page)
    shown_text = html.unescape(re.sub(r"<[^>]+>", "", shown_text.split("</style>", 1)[-1]))
    return page.replace("<style>", f"<style>{font_face_css(shown_text)}\n", 1)


# ---------------------------------------------------------------------------- pptx

#: Slide size in inches (16:9).
SLIDE_INCHES = (13.333, 7.5)

#: Font of the slide texts (PowerPoint substitutes a CJK font where it is missing).
SLIDE_FONT = "Microsoft YaHei"


def _style_run(run, *, size: float, color: str, bold: bool = False) -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor.from_string(color.lstrip("#"))
    run.font.name = SLIDE_FONT
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        latin = rpr.find(qn("a:latin"))
        if latin is not None:
            latin.addnext(ea)
        else:
            rpr.append(ea)
    ea.set("typeface", SLIDE_FONT)


def _text_box(slide, left, top, width, height, text: str, *, size: float, color: str,
              bold: bool = False) -> None:
    from pptx.enum.text import MSO_ANCHOR
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = Inches(0.05)
    para = frame.paragraphs[0]
    run = para.add_run()
    run.text = text
    _style_run(run, size=size, color=color, bold=bold)


def _lines_needed(text: str, width_in: float, size_pt: float) -> int:
    """Lines a text needs in a box ``width_in`` wide at ``size_pt`` (CJK characters 1 em)."""
    ems = _display_width(text) / 2
    per_line = max(1.0, (width_in - 0.15) * 72 / size_pt * 0.97)
    return max(1, math.ceil(ems / per_line))


def _fit_size(text: str, width_in: float, *, sizes: tuple, max_lines: int) -> float:
    """The largest of ``sizes`` at which ``text`` fits in ``max_lines`` lines (else the smallest)."""
    for size in sizes:
        if _lines_needed(text, width_in, size) <= max_lines:
            return size
    return sizes[-1]


def render_pptx(figures: pd.DataFrame, *, title: str = "报告比较简报",
                summary: str | None = None, date: str | None = None,
                findings: list[str] | None = None) -> bytes:
    """briefing.pptx: a title slide, a slide of key findings, then one 16:9 slide per figure
    with its title, the figure and its caption.

    The title slide names the corpus (:func:`corpus_summary`: reports, groups, years) and the
    date; the findings slide lists the sentences the captions compute (:func:`findings`). The
    figure (its PNG, as written: nothing is drawn again) is scaled to fill the space between
    title and caption, its aspect kept, centred. The slide notes hold the caption and the
    figure's file name.

    Parameters
    ----------
    figures : pandas.DataFrame
        Figures in order, with captions (:func:`fill_captions`); rows without a PNG are skipped.
    title : str, default "报告比较简报"
        Title of the presentation (title slide and document properties).
    summary : str, optional
        The corpus in one sentence, on the title slide; default none.
    date : str, optional
        Date of the run, on the title slide; default today.
    findings : list of str, optional
        Key findings; without any there is no findings slide. Default none.

    Returns
    -------
    bytes
        The .pptx file.
    """
    from PIL import Image
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_INCHES[0]), Inches(SLIDE_INCHES[1])
    prs.core_properties.title = title
    prs.core_properties.author = "tifa"
    blank = prs.slide_layouts[6]
    margin = 0.45
    width = SLIDE_INCHES[0] - 2 * margin
    date = date or _dt.date.today().isoformat()
    n_figures = int(_drawn(figures).sum())
    cover = prs.slides.add_slide(blank)
    _text_box(cover, 0.9, 2.2, SLIDE_INCHES[0] - 1.8, 1.2, title,
              size=_fit_size(title, SLIDE_INCHES[0] - 1.8, sizes=(40, 36, 32, 28), max_lines=1),
              color="#1b1b1b")
    if summary:
        _text_box(cover, 0.9, 3.5, SLIDE_INCHES[0] - 1.8, 1.6, summary,
                  size=_fit_size(summary, SLIDE_INCHES[0] - 1.8, sizes=(20, 18, 16, 14),
                                 max_lines=3), color="#333333")
    _text_box(cover, 0.9, 5.4, SLIDE_INCHES[0] - 1.8, 0.5,
              f"{n_figures} 幅图 · {date} 生成 · tifa", size=14, color="#5a5a5a")
    cover.notes_slide.notes_text_frame.text = summary or title
    if findings:
        slide = prs.slides.add_slide(blank)
        _text_box(slide, margin, 0.3, width, 0.8, "要点", size=28, color="#1b1b1b")
        size = _fit_size(max(findings, key=len), width - 0.3, sizes=(20, 18, 16, 15, 14),
                         max_lines=2)
        top = 1.35
        for finding in findings:
            lines = _lines_needed("• " + finding, width - 0.3, size)
            height = lines * size * 1.35 / 72 + 0.12
            _text_box(slide, margin + 0.15, top, width - 0.3, height, "• " + finding, size=size,
                      color="#222222")
            top += height + 0.12
        slide.notes_slide.notes_text_frame.text = "\n".join(findings)
    for _, fig in figures.iterrows():
        if _is_note(fig.get("empty")):
            continue  # a chart with nothing to draw gets no slide (the HTML names it)
        if fig["png"] is None or not isinstance(fig["png"], (str, Path)):
            continue
        slide = prs.slides.add_slide(blank)
        title_size = _fit_size(str(fig["title"]), width, sizes=(24, 22, 20, 18), max_lines=1)
        _text_box(slide, margin, 0.25, width, 0.7, str(fig["title"]), size=title_size,
                  color="#1b1b1b")
        caption = fig["caption"] if fig["caption"] != fig["title"] else ""
        cap_h = 0.0
        if caption:
            cap_size = _fit_size(caption, width, sizes=(16, 15, 14, 13, 12), max_lines=2)
            lines = _lines_needed(caption, width, cap_size)
            cap_h = lines * cap_size * 1.3 / 72 + 0.12
        top, bottom = 1.0, SLIDE_INCHES[1] - 0.3 - cap_h
        with Image.open(fig["png"]) as im:
            px_w, px_h = im.size
        box_h = bottom - top
        scale = min(width / px_w, box_h / px_h)
        pic_w, pic_h = px_w * scale, px_h * scale
        slide.shapes.add_picture(str(fig["png"]), Inches(margin + (width - pic_w) / 2),
                                 Inches(top + (box_h - pic_h) / 2), Inches(pic_w), Inches(pic_h))
        if caption:
            _text_box(slide, margin, bottom + 0.08, width, cap_h, caption, size=cap_size,
                      color="#333333")
        notes = slide.notes_slide.notes_text_frame
        notes.text = (caption + "\n" if caption else "") + f"figures/{fig['section']}/{fig['name']}.png"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------- xlsx

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_names(names: list[str]) -> list[str]:
    """Excel sheet names for table names: at most 31 characters, no ``[]:*?/\\``, unique.

    Parameters
    ----------
    names : list of str

    Returns
    -------
    list of str
        In the same order; a clash gets ``~2``, ``~3`` … at the end.
    """
    used: set[str] = {"说明"}
    out = []
    for name in names:
        base = _SHEET_BAD.sub("_", str(name)).strip("'") or "table"
        candidate = base[:31]
        k = 2
        while candidate.lower() in {u.lower() for u in used}:
            suffix = f"~{k}"
            candidate = base[: 31 - len(suffix)] + suffix
            k += 1
        used.add(candidate)
        out.append(candidate)
    return out


def _cell_value(v):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if v is pd.NA or v is pd.NaT:
        return None
    s = ILLEGAL_CHARACTERS_RE.sub("", str(v))
    return s[:EXCEL_MAX_CHARS]


def render_xlsx(tables: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
                max_rows: int = SHEET_MAX_ROWS, summaries: Mapping | None = None) -> bytes:
    """tables.xlsx: every table one sheet (a summary of a long one), Chinese headers, a first
    sheet 说明 explaining them.

    Each sheet has a bold, frozen header row with an autofilter and column widths fitted to
    the content; decimals show two places, shares as percentages, p-values in scientific
    notation (:data:`NUMBER_FORMATS`; the cells keep full precision). A table longer than
    ``max_rows`` is summarised (:func:`summary_table`: its first rows per group; 说明 says so,
    the CSV has all rows). Text is written as text: a value starting with ``=`` is never a
    formula.

    Parameters
    ----------
    tables : pandas.DataFrame
        :func:`table_index` (``name, path, description``); gets sheet names via
        :func:`sheet_names`.
    labels : mapping, optional
        Column headers ``{column: header}``; default :data:`COLUMN_LABELS`.
    max_rows : int, default 2,000
        Most data rows per sheet (:data:`SHEET_MAX_ROWS`).
    summaries : mapping, optional
        ``{name: summary_table(...)}`` already read (:func:`build_pack` reads each table
        once); default read here.

    Returns
    -------
    bytes
        The .xlsx file.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    labels = dict(COLUMN_LABELS if labels is None else labels)
    wb = Workbook(write_only=True)
    names = sheet_names(tables["name"].tolist()) if len(tables) else []
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF1F5")
    wrap = Alignment(wrap_text=True, vertical="top")

    def header_cells(ws, values):
        cells = []
        for v in values:
            c = WriteOnlyCell(ws, value=v)
            c.font, c.fill = bold, fill
            cells.append(c)
        return cells

    about = wb.create_sheet("说明")
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 28
    about.column_dimensions["C"].width = 46
    about.column_dimensions["D"].width = 10
    about.column_dimensions["E"].width = 80
    about.freeze_panes = "A2"
    about_rows = []
    sheets = []
    for (_, t), sheet in zip(tables.iterrows(), names):
        if summaries is not None and t["name"] in summaries:
            df, total, note = summaries[t["name"]]
        else:
            df, total, note = summary_table(t["path"], max_rows=max_rows)
        headers, seen = [], set()
        for col in df.columns:
            h = labels.get(str(col), str(col))
            if h in seen:  # two columns with one label: keep them apart
                h = f"{h}（{col}）"
            seen.add(h)
            headers.append(h)
        mapping = "；".join(f"{h} = {c}" for h, c in zip(headers, df.columns) if h != str(c))
        about_rows.append([sheet, f"tables/{t['name']}.csv",
                           (t["description"] or "") + (f"。{note}" if note else ""), len(df),
                           mapping])
        sheets.append((sheet, df, headers))
    about.append(header_cells(about, ["工作表", "文件", "内容", "行数", "列名对照（表头 = CSV 列名）"]))
    for row in about_rows:
        cells = [WriteOnlyCell(about, value=_cell_value(v)) for v in row]
        for c in cells:
            c.alignment = wrap
            if isinstance(c.value, str):
                c.data_type = "s"
        about.append(cells)

    for sheet, df, headers in sheets:
        ws = wb.create_sheet(sheet)
        sample = df.head(200)
        for j, (col, h) in enumerate(zip(df.columns, headers), start=1):
            lengths = sample[col].astype(str).map(_display_width) if len(sample) else pd.Series([0])
            width = max(_display_width(h), int(lengths.quantile(0.9)) if len(lengths) else 0)
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A2"
        if len(df.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(df) + 1}"
        ws.append(header_cells(ws, headers))
        formats = [None] * len(df.columns)
        if len(df) <= FORMAT_MAX_ROWS:
            for j, col in enumerate(df.columns):
                if str(col) in NUMBER_FORMATS:
                    formats[j] = NUMBER_FORMATS[str(col)]
                elif pd.api.types.is_float_dtype(df[col]):
                    formats[j] = "#,##0.00"
        for values in df.itertuples(index=False, name=None):
            row = []
            for v, fmt in zip(values, formats):
                v = _cell_value(v)
                if isinstance(v, str):
                    if v.startswith("="):  # text, not a formula (openpyxl reads "=..." as one)
                        c = WriteOnlyCell(ws, value=v)
                        c.data_type = "s"
                        row.append(c)
                    else:
                        row.append(v)
                elif fmt is not None and isinstance(v, (int, float)) and not isinstance(v, bool):
                    c = WriteOnlyCell(ws, value=v)
                    c.number_format = fmt
                    row.append(c)
                else:
                    row.append(v)
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _display_width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(s))


# ---------------------------------------------------------------------------- the pack

#: The sentence at the top of a section, from its main table: ``(section, table, caption
#: function)``; the first rule of a section that gives a sentence wins.
SECTION_LEADS = (("00", "documents", captions.lengths), ("01", "keywords", captions.top_terms),
                 ("02", "keyness", captions.keyness), ("02", "tfidf", captions.tfidf),
                 ("03", "themes", captions.themes), ("04", "slogans", captions.slogans))


def section_leads(tables: Mapping[str, pd.DataFrame], *, by: str | None = None) -> dict[str, str]:
    """One sentence per section from its main table (:data:`SECTION_LEADS`), shown at the top
    of the section.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Result tables by name.
    by : str, optional
        Grouping column (unused by the captions, kept for symmetry with :func:`build_pack`).

    Returns
    -------
    dict
        ``{"00": ..., "01": ..., ...}`` for the sections whose table is there.
    """
    leads: dict[str, str] = {}
    for key, name, func in SECTION_LEADS:
        if key in leads or name not in tables:
            continue
        try:
            text = func(tables[name])
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        if text and text != captions.NOTHING:
            leads[key] = text
    return leads


def findings(leads: Mapping[str, str], *, max_items: int = 6) -> list[str]:
    """The key findings of the pack: the sentence each section's main table gives
    (:func:`section_leads`, computed by :mod:`tifa.report.captions`), in notebook order.

    Parameters
    ----------
    leads : mapping of str to str
        ``{section number: sentence}``.
    max_items : int, default 6
        Most findings.

    Returns
    -------
    list of str
    """
    return [leads[k] for k in sorted(leads) if leads[k]][:max_items]


def explorer_terms(out, *, n_slogans: int = 20, n_terms: int = 30) -> list[str]:
    """Terms to offer in the explorer, from the result tables of an output folder.

    The formulations used by the most groups (``tables/slogan_summary.csv``) first, then the
    most frequent words of the corpus (``tables/keywords.csv``); tables that do not exist are
    skipped, duplicates removed.

    Parameters
    ----------
    out : str or Path
        The output folder.
    n_slogans : int, default 20
        Formulations taken.
    n_terms : int, default 30
        Frequent words taken.
    """
    tables = Path(out) / "tables"
    found: list[str] = []
    if (tables / "slogan_summary.csv").is_file():
        summary = read_table(tables / "slogan_summary.csv")
        shared_first = summary.sort_values(["n_groups", "count"], ascending=False, kind="stable")
        found += shared_first["slogan"].astype(str).head(n_slogans).tolist()
    if (tables / "keywords.csv").is_file():
        keywords = read_table(tables / "keywords.csv")
        found += (keywords.groupby("term")["count"].sum().sort_values(ascending=False)
                  .head(n_terms).index.astype(str).tolist())
    return list(dict.fromkeys(found))


def build_pack(out, *, by: str | None = None, title: str = "报告比较简报",
               date: str | None = None, drop_stale: bool = True,
               image_px: int = HTML_IMAGE_PX, formats: tuple[str, ...] = ("png", "svg", "pdf"),
               exclude_sections: tuple[str, ...] = (),
               exclude_figures: tuple[str, ...] = (), explorer: bool = True) -> Pack:
    """Assemble the briefing pack of an output folder (nothing is written; see
    :func:`tifa.report.export.save_briefing`).

    Parameters
    ----------
    out : str or Path
        The output folder (``figures/``, ``tables/``, ``run.json``).
    by : str, optional
        Grouping column of the comparison, named in the opening sentence; default none.
    title : str, default "报告比较简报"
        Title of the HTML page and the presentation.
    date : str, optional
        Date of the run shown in the pack; default today.
    drop_stale : bool, default True
        Leave out figures left over from earlier runs (:func:`figure_index`).
    image_px : int, default 1440
        Width of the images inlined in the HTML.
    formats : tuple of str, default ("png", "svg", "pdf")
        Figure formats copied into ``figures/`` of the pack.
    exclude_sections : tuple of str, default ()
        Figure sections to leave out (e.g. the briefing notebook's own).
    exclude_figures : tuple of str, default ()
        Single figures to leave out, as ``"section/name"`` (e.g. ``"00_corpus/top_tokens"``,
        the first look that ``01_keywords/top_terms`` repeats).
    explorer : bool, default True
        Put the offline explorer (:func:`tifa.report.explore.briefing_data`) into
        briefing.html; it needs ``by`` and the stage tables in ``out/data``.

    Returns
    -------
    Pack
    """
    from tifa.report import renderer

    out = Path(out)
    # SVG/PDF that a notebook kernel left to its renderer (JupyterLab): wait for them, or
    # draw them here if no renderer is running, so that the pack holds every format
    for failure in renderer.wait(out):
        warnings.warn(f"a figure's SVG/PDF could not be drawn: {failure}", stacklevel=2)
    figures = figure_index(out, drop_stale=drop_stale)
    if exclude_sections:
        figures = figures[~figures["section"].isin(exclude_sections)].reset_index(drop=True)
    if exclude_figures and len(figures):
        keys = figures["section"].astype(str) + "/" + figures["name"].astype(str)
        figures = figures[~keys.isin(exclude_figures)].reset_index(drop=True)
    tindex = table_index(out)
    tindex = tindex.assign(sheet=sheet_names(tindex["name"].tolist()) if len(tindex) else [])
    wanted = {name for _, name, _ in SECTION_LEADS}
    small = {t["name"]: read_table(t["path"]) for _, t in tindex.iterrows() if t["name"] in wanted}
    figures = fill_captions(figures)
    n_shown = int(_drawn(figures).sum())
    documents = small.get("documents")
    date = date or _dt.date.today().isoformat()
    summaries = {t["name"]: summary_table(t["path"]) for _, t in tindex.iterrows()}
    tindex = tindex.assign(rows=[summaries[n][1] for n in tindex["name"]],
                           note=[summaries[n][2] for n in tindex["name"]])
    leads = section_leads(small, by=by)
    points = findings(leads)
    data = None
    if explorer and by:
        from tifa.report import explore

        data = explore.briefing_data(out, by=by)
    page = render_html(figures, documents=documents, tables=tindex, by=by, title=title,
                       date=date, image_px=image_px, leads=leads, findings=points,
                       explorer=data)
    deck = render_pptx(figures, title=title, summary=corpus_summary(documents, by=by), date=date,
                       findings=points)
    book = render_xlsx(tindex, summaries=summaries)

    copies, rows = [], []
    rows.append({"file": "briefing.html", "kind": "html", "format": "html", "section": None,
                 "name": "briefing", "title": title,
                 "shows": f"完整简报：要点、{n_shown} 幅图及说明（按语料、各组强调、差异、主题、提法的顺序，图片内嵌）"
                          + ("、离线互动探索（词语和提法的各组频率与索引行、可排序的关键词表）" if data else "")})
    rows.append({"file": "briefing.pptx", "kind": "pptx", "format": "pptx", "section": None,
                 "name": "briefing", "title": title,
                 "shows": f"封面、要点和 {n_shown} 张图片幻灯片（每张一幅图及其标题和说明）"})
    rows.append({"file": "tables.xlsx", "kind": "xlsx", "format": "xlsx", "section": None,
                 "name": "tables", "title": "结果表",
                 "shows": f"{len(tindex)} 张结果表，每表一页（长表为摘要，完整见 tables/ 中的 CSV）："
                          + "、".join(tindex["name"].tolist())})
    for _, fig in figures.iterrows():
        for fmt in formats:
            src = fig.get(fmt)
            if src is None or not isinstance(src, (str, Path)):
                continue
            rel = f"figures/{fig['section']}/{fig['name']}.{fmt}"
            copies.append((Path(src), rel))
            rows.append({"file": rel, "kind": "figure", "format": fmt, "section": fig["section"],
                         "name": fig["name"], "title": fig["title"], "shows": fig["caption"]})
    rows.append({"file": "manifest.csv", "kind": "manifest", "format": "csv", "section": None,
                 "name": "manifest", "title": "清单", "shows": "简报包中的每个文件及其内容"})
    manifest = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    return Pack(html=page, pptx=deck, xlsx=book, copies=copies, manifest=manifest,
                figures=figures, tables=tindex)
