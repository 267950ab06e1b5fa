"""Official formulations (提法) and cited documents: extract, normalise, recur.

Which formulations a report uses, which recur across reports, and which are one city's or one
year's own. :func:`extract_slogans` finds every use in the documents' cleaned ``text``; the other
functions turn those uses into the tables of ``04_slogans`` (recurrence per document and group,
shared and own slogans, a slogan x group matrix, a timeline by year, the overlap of the groups'
slogan sets). :func:`lexicon_terms` hands the canonical slogans to the tokenizer, so that every
notebook counts 两个确立 or 一企一专班 as one token.

Kinds of formulation
--------------------
``cited``     a title in 《…》: a law, regulation, plan or book (《民法典》, 《重大行政决策程序暂行条例》).
``numbered``  a numbered formulation, quoted or not: a five-year-plan number (十四五, 八五普法),
              a parallel of numbered parts (三会一课, 一规划两纲要, 一岗双责, 一园一策, 三去一降一补),
              a count of points (两个确立, 十一个坚持), or a quoted phrase that starts with a numeral
              (“双报到”, “百展千企拓市场”).
``known``     an entry of the editable list ``data/formulations.txt`` (习近平法治思想, 党的二十大精神,
              高效办成一件事 …), matched with or without quotes.
``quoted``    any other text in “…” 「…」 『…』 ‘…’ or "…" that survives the noise rules
              (“云帆护航行动”, “谁执法，谁普法”, “深学争优、敢为争先、实干争效”).

Every use of a family carries the family's kind, the strongest evidence seen anywhere in the
corpus (numbered > known > quoted; cited titles form families of their own). Whether this very
use stood in quotes is the ``quoted`` column.

Finding uses (one pass of compiled regular expressions per document)
--------------------------------------------------------------------
1. Four compiled patterns run over each document: quotes, titles, numbered shapes (with the
   numeral idioms of :data:`NUMERAL_IDIOMS` as an alternative that swallows 举一反三, 千方百计 …),
   and one trie-shaped alternation of the known formulations.
2. A quote whose text is (part of) a numbered or known formulation is that formulation, used in
   quotes (“两个确立”, “八五”普法); a numbered or known formulation *inside* a longer quote
   (一岗双责 in “一把手负总责、班子成员一岗双责、科室齐抓共管”) is a use of its own, as is one
   inside a title (八五普法 in 《厦门市“八五”普法规划中期评估工作方案》).
3. The surviving formulations are normalised into families (:data:`NORMALISATION_RULES`).
4. Echo pass: one more compiled alternation of every form of every family runs over each
   document, so a slogan quoted in one report is also counted where a report writes it without
   quotes (bare 国家安全教育日 next to “4·15国家安全教育日”). Cited titles are only counted in 《》.
5. Evidence (:data:`EVIDENCE_RULES`): quoting is evidence for that use only. The unquoted uses
   found by the echo pass are counted only for a family with evidence that it is a formulation
   and not an ordinary word; the others are demoted with the rule ``no_evidence`` (“一体化”
   quoted once for emphasis is counted there, not at the 200 plain uses of 一体化 elsewhere).

Noise (:func:`noise_reason`, rules in :data:`NOISE_RULES`) is dropped with a stated rule;
``keep_noise=True`` keeps the rejected candidates with the rule's name, to check the rules.
An analyst overrules a rule in ``data/formulations.txt``: ``!word`` is never a formulation,
``+word`` always is (no rule drops or demotes it).

Positions are character offsets into the cleaned ``text`` (``text[start:end]`` is the use as
written); each use is mapped to its sentence and section through the units table.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from tifa import paths
from tifa.ingest.units import body_texts
from tifa.analyze.frequency import ALL_GROUP
from tifa.analyze.groups import MISSING_GROUP, attach_group, group_of, group_order
from tifa.analyze.measures import empty_table, group_sizes, rate

__all__ = [
    "KINDS", "MENTIONS", "SLOGANS", "SUMMARY", "BY_GROUP", "TIMELINE", "OVERLAP", "TOP",
    "NOISE", "NOISE_CANDIDATES", "RANKING", "CHANGES", "TURNOVER", "CHANGE_KINDS", "ALL_DOCUMENTS",
    "NOISE_RULES", "EVIDENCE_RULES", "NORMALISATION_RULES", "NUMERAL_IDIOMS", "FORMULATIONS_FILE",
    "Formulations", "load_formulations", "noise_reason", "is_numbered", "is_quantity",
    "is_ordinary", "normalise", "family_key", "extract_slogans", "slogan_counts",
    "slogan_summary", "slogans_by_group", "top_slogans", "slogan_matrix", "slogan_timeline",
    "slogan_overlap", "slogan_changes", "slogan_turnover", "variants_of", "kwic_pattern",
    "noise_report", "noise_candidates",
    "lexicon_terms",
]

# ============================================================================ contracts

#: Kinds of formulation, strongest evidence first (a family takes the first kind it shows).
KINDS = ("cited", "numbered", "known", "quoted")

#: Columns of :func:`extract_slogans` (one row per use).
#:
#: doc_id, kind, variant (as written: whitespace and quote marks removed), slogan (the family's
#: canonical form; cited titles in 《》), quoted (bool: this use stood in quotes), start, end
#: (offsets of the use in the document's cleaned text), section_id, sent_id, section,
#: section_role (from the units table), noise (name of the rule that rejected the candidate;
#: NA for kept uses; only filled with ``keep_noise=True``).
MENTIONS = ["doc_id", "kind", "variant", "slogan", "quoted", "start", "end",
            "section_id", "sent_id", "section", "section_role", "noise"]

#: Columns of :func:`slogan_counts` (``tables/slogans.csv``).
SLOGANS = ["slogan", "variant", "kind", "doc_id", "group", "count"]

#: Columns of :func:`slogan_summary` (``tables/slogan_summary.csv``).
SUMMARY = ["slogan", "kind", "status", "n_docs", "n_groups", "count", "first_year", "last_year",
           "owner", "groups", "n_variants", "variants", "total_docs", "total_groups",
           "n_docs_quoted", "rank"]

#: Columns of :func:`slogans_by_group`.
BY_GROUP = ["slogan", "kind", "status", "group", "count", "n_docs", "group_docs", "group_chars",
            "per_100k_chars"]

#: Columns of :func:`slogan_timeline`.
TIMELINE = ["slogan", "year", "count", "n_docs", "year_docs", "share_docs"]

#: Columns of :func:`slogan_changes` (``tables/slogan_changes.csv``).
CHANGES = ["group", "year", "previous_year", "slogan", "kind", "change", "n_docs", "counts_year",
           "year_docs", "share_docs", "first_year", "last_year"]

#: Columns of :func:`slogan_turnover` (``tables/slogan_turnover.csv``).
TURNOVER = ["group", "year", "previous_year", "year_docs", "n_used", "n_first", "n_new",
            "n_continued", "n_dropped", "new_examples", "dropped_examples"]

#: The changes of :func:`slogan_changes`, in table order.
CHANGE_KINDS = {
    "first": "used in the group's first year with documents (nothing to compare with)",
    "new": "first seen this year: not used in any earlier year of the group",
    "continued": "used this year and in an earlier year (carried on)",
    "dropped": "last seen the year before: used in the previous year, never from this year on",
}

#: The group of :func:`slogan_changes` and :func:`slogan_turnover` with ``by=None`` (the label
#: every whole-corpus table uses).
ALL_DOCUMENTS = ALL_GROUP

#: Fixed columns of :func:`slogan_overlap` (one boolean column per group follows them).
OVERLAP = ["combination", "degree", "n_slogans", "count", "examples"]

#: Columns of :func:`top_slogans`.
TOP = ["slogan", "kind", "status", "group", "count", "total", "n_groups", "rank", "n_docs",
       "n_docs_quoted"]

#: The ranking of slogans that the summary, the charts and the briefing use, most first:
#: documents using it, then uses, then documents quoting it (descending), then the slogan.
#: Reach first, so a formulation many reports share (枫桥经验 in 20 reports) is not pushed
#: below one report's many repetitions.
RANKING = ("n_docs", "count", "n_docs_quoted", "slogan")

#: Columns of :func:`noise_report` (``tables/slogan_noise.csv``).
NOISE = ["rule", "description", "n", "n_docs", "examples"]

#: Columns of :func:`noise_candidates` (``tables/slogan_noise_candidates.csv``).
NOISE_CANDIDATES = ["rule", "candidate", "n", "n_docs", "overrule"]

#: Name of the editable list of known formulations in the data folder.
FORMULATIONS_FILE = "formulations.txt"

#: The noise rules, in the order they are tried; :func:`noise_reason` returns the first that
#: applies. Each is tested on its own in tests/test_slogans.py.
NOISE_RULES = {
    "excluded": "listed after '!' in data/formulations.txt (an analyst's 'never a formulation')",
    "idiom": "a chengyu built on numerals (举一反三, 千方百计, 一心一意 …), see NUMERAL_IDIOMS",
    "single_char": "a single character (“好”, “A”)",
    "number": "only digits, dates, units or Latin letters (“2023”, “100%”, “4·15”, “APEC”)",
    "quantity": "a numeral with a unit of time or quantity, a duration or a count and not a "
                "slogan (五年, 三年来, 两年内, 五个方面, 三项, 十倍 …), quoted or not; see "
                "is_quantity. Plan numbers (十四五, 八五普法) and counts of points (两个确立) are "
                "not quantities",
    "sentence": "a whole sentence in quotes: sentence punctuation (。！？；：…), more than "
                "40 characters, or a clause of more than 16 characters",
    "ordinary_word": "emphasis quotes of an ordinary word: two characters or fewer and not a "
                     "numbered formulation (“法治”, “创新”)",
    "media": "a newspaper, magazine, programme or column title, not a document: 《…》 followed by "
             "栏目/专栏/频道/节目/版面…, or a title ending in 日报/晚报/杂志/周刊…",
    "no_evidence": "an unquoted use of a candidate whose only evidence is quotes, and too little "
                   "of it (EVIDENCE_RULES): counted where it stands in quotes, not where it is "
                   "written without (一体化, 高标准, 示范区 quoted once for emphasis)",
}

#: When the unquoted uses of a quoted candidate count (step 5 of the module notes): any one of
#: these is evidence that it is a formulation and not an ordinary word. Without any, only its
#: quoted uses count and the others get the noise rule ``no_evidence``.
EVIDENCE_RULES = {
    "listed": "listed in data/formulations.txt, as a known formulation or a '+' entry",
    "numbered_shape": "a numbered formulation by its shape alone: a plan number, a parallel of "
                      "numbered parts, a count of points (十四五, 一园一策, 两个确立)",
    "quoted_docs": "put in quotes in at least min_quoted_docs documents (default 2) that are at "
                   "least min_quoted_share (default 10%) of the documents using it",
    "rare_word": "not an ordinary word of general Chinese: at least rare_min_chars characters "
                 "(default 4), not led by a numeral, and not in jieba's general dictionary "
                 "(国家安全教育日, 云帆护航行动; but 一体化, 示范区 are in it, and words of three "
                 "characters or fewer are too often ordinary: 新高地)",
}

#: The normalisation rules, in the order they apply. Variants that end with the same family key
#: are one family; its canonical form is its most frequent form (ties: the longer, then the
#: first in code-point order) among the forms whose key is the family key itself.
NORMALISATION_RULES = {
    "whitespace": "spaces and line breaks inside a formulation are removed "
                  "(“4·15 国家安全教育日” -> 4·15国家安全教育日)",
    "quote_marks": "quote marks inside a numbered formulation are removed (“八五”普法 -> 八五普法)",
    "date_prefix": "a leading date or year naming the day or edition is dropped from quoted and "
                   "known forms (4·15国家安全教育日 -> 国家安全教育日, 2023福建省…宣传月 -> 福建省…宣传月)",
    "country_prefix": "cited titles drop a leading 中华人民共和国 (《中华人民共和国民法典》 = 《民法典》)",
    "plan_suffix": "a five-year-plan number keeps no 规划/时期/期间 after it (“十四五规划” -> 十四五; "
                   "八五普法 keeps 普法: it names the legal-education plan, not the 8th plan)",
    "punctuation": "the family key ignores punctuation inside (谁执法，谁普法 = 谁执法谁普法)",
    "modifier_prefix": "a form that is another family's key (4+ characters) preceded by one or "
                       "two non-numeral characters joins that family "
                       "(全民国家安全教育日 -> 国家安全教育日, 深化放管服改革 -> 放管服改革)",
}

#: Chengyu built on numerals: never numbered formulations (they share the shape of 一园一策).
#: General Chinese idioms from standard idiom dictionaries, not from any report.
NUMERAL_IDIOMS = (
    "举一反三", "独一无二", "接二连三", "说一不二", "数一数二", "略知一二", "一五一十",
    "一心一意", "一模一样", "一举一动", "一言一行", "一草一木", "一点一滴", "一朝一夕",
    "一生一世", "一丝一毫", "一板一眼", "一针一线", "一砖一瓦", "一唱一和", "一张一弛",
    "一问一答", "一来一往", "一来一回", "一前一后", "一上一下", "一心一德", "一字一句",
    "一招一式", "一分一秒", "一年一度", "一清二楚", "一干二净", "一穷二白", "一石二鸟",
    "一举两得", "一箭双雕", "一刀两断", "一本万利", "一呼百应", "一了百了", "一日千里",
    "一落千丈", "一掷千金", "一诺千金", "一泻千里", "万众一心", "万无一失", "九牛一毛",
    "九死一生", "十拿九稳", "十全十美", "三心二意", "三言两语", "三长两短", "三番五次",
    "三番两次", "三令五申", "三五成群", "三头六臂", "三教九流", "三山五岳", "四面八方",
    "四平八稳", "四通八达", "四分五裂", "五湖四海", "五花八门", "五颜六色", "五光十色",
    "六神无主", "七上八下", "七嘴八舌", "七手八脚", "七拼八凑", "七零八落", "乱七八糟",
    "横七竖八", "丢三落四", "颠三倒四", "朝三暮四", "低三下四", "不三不四", "千方百计",
    "千家万户", "千军万马", "千辛万苦", "千变万化", "千差万别", "千丝万缕", "千山万水",
    "千秋万代", "千锤百炼", "千头万绪", "千言万语", "千姿百态", "万紫千红", "万水千山",
    "百战百胜", "百发百中", "百依百顺", "百折不挠", "一以贯之", "一分为二", "一马当先",
    "一心为公", "一鼓作气", "一目了然", "一如既往", "一视同仁", "一帆风顺", "一劳永逸",
)

# ============================================================================ patterns

_HAN = "\u4e00-\u9fff\u3400-\u4dbf"
_NUMERALS = "一二三四五六七八九十两双百千万"
_IS_HAN = re.compile(f"[{_HAN}]")


def _class_without(excluded: str) -> str:
    """A character class of the CJK unified ideographs minus ``excluded``."""
    points = sorted({ord(c) for c in excluded})
    ranges, lo = [], 0x4E00
    for p in points:
        if lo <= p - 1:
            ranges.append((lo, p - 1))
        lo = p + 1
    ranges.append((lo, 0x9FFF))
    body = "".join(f"\\u{a:04x}-\\u{b:04x}" if a < b else f"\\u{a:04x}" for a, b in ranges)
    return f"[{body}\u3400-\u4dbf]"


_H = _class_without(_NUMERALS)     # a Han character that is not a numeral
#: Characters that cannot open a part of a parallel formulation (measure words, function words):
#: they make 一年两次, 一是…, 一至三年 look parallel.
_MEASURE = "个次年天日月批步项件位倍份号届期轮场回些是至到或和与及等成分以点把"
_PART = f"(?![{_MEASURE}]){_H}"
_N = f"[{_NUMERALS}]"
_NOT_AFTER_NUMERAL = f"(?<![{_NUMERALS}零〇\\d第每几数])"
_HAN_END = f"(?![{_HAN}])"

#: Five-year-plan numbers: 十四五, 十五五, 八五普法, “八五”普法 (a single-digit number only when quoted
#: or followed by 普法, else 三五年 would count).
_PLAN = (f"{_NOT_AFTER_NUMERAL}(?P<plan>(?P<pq>[“\"「])?(?P<pn>十[一二三四五六七八九]|[一二三四五六七八九])五"
         f"(?(pq)[”\"」]|)(?P<pufa>普法)?)"
         f"(?![零〇一二三四五六七八九十百千万亿个年月日号条项岁次元人家名座所%\\d])")
#: Parallels of numbered parts, equal part lengths: 一规划两纲要 (2+2), 三会一课 / 一岗双责 /
#: 三去一降一补 (1+1[+1]); 一企一专班 (1+2) only when the formulation ends there.
_PARALLEL = (f"{_NOT_AFTER_NUMERAL}(?P<parallel>"
             f"{_N}{_PART}{_H}{_N}{_PART}{_H}(?:{_N}{_PART}{_H})?(?=[^{_HAN}]|[的和与及等]|$)"
             f"|{_N}{_PART}{_N}{_PART}{_H}{_HAN_END}"
             f"|{_N}{_PART}{_N}{_PART}(?:{_N}{_PART})?)")
#: Counts of points: 两个确立, 十一个坚持, 四个意识 (not 一个: far too common; head of 2 characters,
#: or up to 4 when the formulation ends there).
_COUNTED = (f"{_NOT_AFTER_NUMERAL}(?P<counted>(?:两|[三四五六七八九]|十[一二三四五六七八九]?)个"
            f"(?P<head>[{_HAN}]{{2,4}}{_HAN_END}|[{_HAN}]{{2}}))")

#: Heads of a count that make it a quantity, not a formulation (三个方面, 两个月, 五个县区 …).
_GENERIC_HEADS = (
    "月", "年", "小时", "星期", "季度", "工作日", "百分点", "以上", "以下", "左右", "多", "方面",
    "层面", "层次", "阶段", "环节", "领域", "部门", "单位", "地区", "区域", "国家", "城市", "省",
    "县", "区", "市", "乡", "镇", "村", "街道", "社区", "项目", "批次", "重点", "问题", "小组",
    "人", "名", "家", "亿", "万", "的", "是", "点", "类", "种", "级", "次", "轮", "批", "产业",
    "企业", "园区", "平台", "基地", "中心", "单元", "方向", "维度", "板块", "片区", "窗口",
    "案件", "会议", "文件", "字", "号", "岗位", "班子", "党支部", "支部", "部分", "步骤",
)

#: Heads after 个 that make a count a quantity even in quotes (三个月, 五个方面); narrower than
#: :data:`_GENERIC_HEADS`, which rejects running-text counts (五个中心 in quotes names something).
_QUANTITY_HEADS = ("工作日", "百分点", "小时", "星期", "季度", "方面", "层面", "阶段", "环节",
                   "批次", "部分", "步骤", "以上", "以下", "左右", "月", "多")
#: Units that make a numeral a duration or a count (rule ``quantity``), longest first.
_QUANTITY_UNITS = ("小时", "分钟", "季度", "工作日", "百分点",
                   "方面", "年", "月", "周", "天", "日", "倍", "项", "家", "次", "批", "件", "条",
                   "名", "位", "所", "座", "类", "种", "轮", "届", "成", "户", "人", "场", "期")
#: What may follow the unit of a quantity: a position in time, an approximation.
_QUANTITY_AFTER = ("以来", "以上", "以下", "以内", "之内", "左右", "期间", "时间", "多", "余", "来",
                   "内", "间", "后", "前", "中", "里", "半", "整")
_QUANTITY = re.compile(
    "^(?:[两二三四五六七八九十百千万]|一(?=[十百千万]))[一二三四五六七八九十百千万两零〇]*[多余]?"
    "(?:" + "|".join(_QUANTITY_UNITS + tuple("个" + h for h in _QUANTITY_HEADS)) + ")"
    "(?:" + "|".join(_QUANTITY_AFTER) + ")?$")

#: One pattern per quote style, so that a quote nested in another style (“学习‘两个确立’”) is
#: found too; each captures the text between the marks (at most 80 characters, one line).
_QUOTE_STYLES = tuple(re.compile(f"{a}(?P<q>[^{a}{b}\n]{{1,80}}){b}")
                      for a, b in (("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"),
                                   ('"', '"')))
_TITLES = re.compile("《(?P<t>[^《》\n]{1,80})》")

_SPACE = re.compile(r"\s+")
_QUOTE_MARKS = re.compile("[“”‘’「」『』\"']")
_PUNCT = re.compile(r"[\s，,、。．.·•‧・：:；;！!？?“”‘’「」『』\"'（）()\[\]【】〈〉<>—\-–~～/／|｜_…]+")
_SENTENCE_PUNCT = re.compile("[。！？；!?;…：:]")
_CLAUSE_SPLIT = re.compile(r"[，,、·•‧・\s/／]+")
_DATE_PREFIX = re.compile(
    r"^(?:\d{1,2}\s*[·.．•‧・]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日|[12]\d{3}\s*(?:年度|年)?)\s*"
    f"(?=[{_HAN}])")
_NOT_NUMBER = re.compile(f"[{_HAN}]")
_DATE_UNITS = re.compile("[年月日号时分秒个次元万亿余多第]")
_MEDIA_AFTER = re.compile("^(?:栏目|专栏|频道|节目|版面|版块|板块|专版|专刊|专题片|栏|公众号|客户端|网站|杂志)")
_MEDIA_TITLE = re.compile("(?:日报|晚报|时报|晨报|周报|商报|杂志|周刊|月刊|画报|电视台|广播电台|频道|栏目)$")
_NUMBER_START = re.compile(f"^(?:[两双三四五六七八九十百千万]|一(?![是些般起切直定旦致样种点次年批步体流线同方下共道]))")
_COUNTRY_PREFIX = re.compile("^中华人民共和国(?=.)")
_PLAN_SUFFIX = re.compile("^(?P<n>(?:十[一二三四五六七八九]|[一二三四五六七八九])五(?:普法)?)(?:规划|时期|期间)$")

_SENTENCE_MAX_CHARS = 40
_CLAUSE_MAX_CHARS = 16
_NUMBERED_QUOTE_MAX = 10


# ============================================================================ formulations list

@dataclass(frozen=True)
class Formulations:
    """The editable list of known formulations, parsed.

    Parameters
    ----------
    known : tuple of str, default ()
        Formulations matched even without quotes, in file order.
    excluded : frozenset of str, default frozenset()
        Strings that are never formulations (rule ``excluded``; ``!`` lines).
    source : str or None, default None
        Where they were read from (a path), for the record.
    keep : frozenset of str, default frozenset()
        Strings that are always formulations where they are found (``+`` lines): no noise
        rule drops or demotes them, and their unquoted uses count once any report quotes them.
        ``excluded`` wins over ``keep``.
    """

    known: tuple[str, ...] = ()
    excluded: frozenset[str] = frozenset()
    source: str | None = None
    keep: frozenset[str] = frozenset()


def load_formulations(path: str | os.PathLike | None = None, *,
                      known: Iterable[str] | None = None,
                      excluded: Iterable[str] = (), keep: Iterable[str] = ()) -> Formulations:
    """Read the list of known formulations (``data/formulations.txt``).

    File format: one formulation a line; ``#`` starts a comment line; blank lines are ignored;
    a line starting with ``!`` names a string that is never a formulation; a line starting with
    ``+`` one that always is where it is found (it overrules the noise and evidence rules, but
    unlike a plain line it is not searched for where no report quotes it or has its shape).
    Whitespace inside an entry is removed.

    Parameters
    ----------
    path : path or None, default None
        The file; None reads :data:`FORMULATIONS_FILE` from the data folder
        (:func:`tifa.paths.data_file`). A missing default file gives an empty list.
    known : iterable of str or None, default None
        Use these formulations instead of reading a file.
    excluded : iterable of str, default ()
        More never-formulations, added to those of the file.
    keep : iterable of str, default ()
        More always-formulations (``+`` entries), added to those of the file.

    Returns
    -------
    Formulations
    """
    drop = {_SPACE.sub("", e) for e in excluded if e}
    plus = {_SPACE.sub("", e) for e in keep if e}
    if known is not None:
        entries = [_SPACE.sub("", k) for k in known]
        return Formulations(known=tuple(dict.fromkeys(e for e in entries if e)),
                            excluded=frozenset(drop - {""}), source=None,
                            keep=frozenset(plus - {""}))
    file = Path(path) if path is not None else paths.data_file(FORMULATIONS_FILE)
    if not file.is_file():
        if path is not None:
            raise FileNotFoundError(f"no formulations list at {file}")
        return Formulations(excluded=frozenset(drop), keep=frozenset(plus))
    listed = []
    for line in file.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word = _SPACE.sub("", line[1:] if line[0] in "!+" else line)
        if not word:
            continue
        {"!": drop.add, "+": plus.add}.get(line[0], listed.append)(word)
    return Formulations(known=tuple(dict.fromkeys(listed)), excluded=frozenset(drop),
                        source=str(file), keep=frozenset(plus))


# ============================================================================ rules

def is_numbered(text: str) -> bool:
    """Whether a (quoted) text has the shape of a numbered formulation.

    True for a five-year-plan number, a parallel of numbered parts or a count of points that is
    the whole text, and for a short text (at most 10 characters, no clause punctuation) starting
    with a numeral (双报到, 百展千企拓市场), but not with 一 of 一是/一些/一般/一起/一次 ….

    Parameters
    ----------
    text : str
        The text, without its quote marks.

    Returns
    -------
    bool
    """
    text = _SPACE.sub("", str(text))
    if not text or text in NUMERAL_IDIOMS or is_quantity(text):
        return False
    if _numbered_shape(text):
        return True
    return (len(text) <= _NUMBERED_QUOTE_MAX and not _CLAUSE_SPLIT.search(text)
            and bool(_NUMBER_START.match(text)))


@lru_cache(maxsize=65536)
def _numbered_shape(text: str) -> bool:
    """Whether the whole text is a plan number, a parallel of numbered parts or a count of points."""
    m = _numbered_rx().fullmatch(text)
    return m is not None and m.lastgroup != "idiom" and _accept_numbered(m) is not None


def is_quantity(text: str) -> bool:
    """Whether a text is a numeral with a unit of time or quantity: a duration or a count.

    五年, 三年来, 两年内, 十年, 三个月, 五个方面, 三项, 十倍, 五家, 二十多天 are quantities (rule
    ``quantity``); 十四五, 八五普法 (plan numbers), 两个确立 (a count of points), 三年行动 (a
    quantity that names something: it is kept where quoted) and 一年 (一 alone: see
    :func:`is_numbered`) are not.

    Parameters
    ----------
    text : str
        The candidate, without quote marks.

    Returns
    -------
    bool
    """
    return bool(_QUANTITY.match(_SPACE.sub("", str(text))))


def noise_reason(text: str, *, kind: str = "quoted", after: str = "",
                 excluded: Iterable[str] = (), keep: Iterable[str] = ()) -> str | None:
    """The noise rule that rejects a candidate, or None when it is kept.

    The rules (:data:`NOISE_RULES`) are tried in order. Quoted candidates go through all of
    them but ``media``; cited titles through ``excluded``, ``single_char``, ``number`` and
    ``media``; numbered candidates through ``excluded`` and ``quantity``; known candidates only
    through ``excluded``. A ``keep`` entry passes every rule but ``excluded``. (``no_evidence``
    is decided over the whole corpus, by :func:`extract_slogans`.)

    Parameters
    ----------
    text : str
        The candidate without its quote or title marks.
    kind : {"quoted", "cited", "numbered", "known"}, default "quoted"
        What found it.
    after : str, default ""
        The text right after the closing mark (for the ``media`` rule: 《在线访谈》栏目).
    excluded : iterable of str, default ()
        Never-formulations (the ``!`` lines of data/formulations.txt).
    keep : iterable of str, default ()
        Always-formulations (the ``+`` lines and the known formulations of data/formulations.txt).

    Returns
    -------
    str or None
        A key of :data:`NOISE_RULES`, or None.
    """
    bare = _SPACE.sub("", str(text))
    if bare in excluded:
        return "excluded"
    if kind == "known" or bare in keep:
        return None
    if kind == "numbered":
        return "quantity" if is_quantity(bare) else None
    if kind == "quoted" and bare in NUMERAL_IDIOMS:
        return "idiom"
    if len(bare) <= 1:
        return "single_char"
    if not _NOT_NUMBER.search(_DATE_UNITS.sub("", bare)):
        return "number"
    if kind == "quoted" and is_quantity(bare):
        return "quantity"
    if kind == "cited":
        if _MEDIA_AFTER.match(after or "") or _MEDIA_TITLE.search(bare):
            return "media"
        return None
    if (_SENTENCE_PUNCT.search(bare) or len(bare) > _SENTENCE_MAX_CHARS
            or any(len(c) > _CLAUSE_MAX_CHARS for c in _CLAUSE_SPLIT.split(bare))):
        return "sentence"
    if len(_IS_HAN.findall(bare)) <= 2 and len(bare) <= 2 and not is_numbered(bare):
        return "ordinary_word"
    return None


def normalise(variant: str, *, kind: str = "quoted") -> str:
    """The form of a variant: whitespace, quote marks, a date prefix or 中华人民共和国 removed.

    Applies the rules ``whitespace``, ``quote_marks`` and ``plan_suffix`` (numbered),
    ``date_prefix`` (quoted, known, numbered) and ``country_prefix`` (cited) of
    :data:`NORMALISATION_RULES`.

    Parameters
    ----------
    variant : str
        The text as found (without the enclosing quote or title marks).
    kind : {"quoted", "cited", "numbered", "known"}, default "quoted"

    Returns
    -------
    str
    """
    form = _SPACE.sub("", str(variant))
    if kind == "cited":
        return _COUNTRY_PREFIX.sub("", form)
    if kind == "numbered":
        form = _QUOTE_MARKS.sub("", form)
        form = _PLAN_SUFFIX.sub(r"\g<n>", form)
    stripped = _DATE_PREFIX.sub("", form)
    return stripped if len(stripped) >= 2 else form


def family_key(form: str) -> str:
    """The key under which forms are one family: punctuation and whitespace removed.

    Parameters
    ----------
    form : str
        A form from :func:`normalise`.

    Returns
    -------
    str
        ``谁执法，谁普法`` -> ``谁执法谁普法``; a form of punctuation only keeps itself.
    """
    key = _PUNCT.sub("", str(form))
    return key or str(form)


# ============================================================================ compiled patterns

@lru_cache(maxsize=4)
def _numbered_rx() -> re.Pattern:
    idioms = _trie_pattern(NUMERAL_IDIOMS)
    # fail fast: every alternative starts with a numeral, a quote mark or an idiom's first character
    first = "".join(sorted(set(_NUMERALS) | set("“\"「") | {w[0] for w in NUMERAL_IDIOMS}))
    return re.compile(f"(?=[{re.escape(first)}])"
                      f"(?:(?P<idiom>{idioms})|{_PLAN}|{_PARALLEL}|{_COUNTED})")


def _trie_pattern(words: Iterable[str]) -> str | None:
    """A regex source matching any of ``words``, longest first, shaped as a trie (fast)."""
    trie: dict = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True
    if not trie:
        return None

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


@lru_cache(maxsize=8)
def _literal_rx(words: tuple[str, ...]) -> re.Pattern | None:
    source = _trie_pattern(words)
    return re.compile(source) if source else None


def _accept_numbered(m: re.Match) -> tuple[str, str] | None:
    """(variant, form) of a numbered match, or None when its parts say it is not one."""
    text = m.group(0)
    if m.group("plan") is not None:
        single = not m.group("pn").startswith("十")
        if single and not (m.group("pq") or m.group("pufa")):
            return None
        form = m.group("pn") + "五" + (m.group("pufa") or "")
        return text, form
    if m.group("parallel") is not None:
        parts = re.findall(f"{_N}([^{_NUMERALS}]+)", text)
        if len(set(parts)) < len(parts):  # 一步一步, 一个一个: reduplication, not a formulation
            return None
        return text, text
    if m.group("counted") is not None:
        head = m.group("head")
        if head.startswith(_GENERIC_HEADS):
            return None
        return text, text
    return None


# ============================================================================ extraction

def _doc_candidates(doc_id: str, text: str, known_rx: re.Pattern | None,
                    excluded: frozenset[str], keep: frozenset[str],
                    keep_noise: bool, memo: dict) -> tuple[list, list]:
    """Candidates of one document: (kept uses, rejected candidates).

    A row: [doc_id, kind, variant, form, quoted, start, end, noise]. ``keep``: the ``+`` and
    known entries (no noise rule rejects them). ``memo``: the verdicts on quoted texts of this
    extraction, shared by its documents.
    """
    kept: list[list] = []
    noise: list[list] = []
    strong: list[list] = []          # numbered + known
    for m in _numbered_rx().finditer(text):
        if m.lastgroup == "idiom":
            if keep_noise:
                noise.append([doc_id, "numbered", m.group(0), m.group(0), False,
                              m.start(), m.end(), "idiom"])
            continue
        accepted = _accept_numbered(m)
        if accepted is None:
            if keep_noise and m.group("counted") is not None:   # 三个方面, 两个月: a count
                noise.append([doc_id, "numbered", m.group(0), m.group(0), False,
                              m.start(), m.end(), "quantity"])
            continue
        variant, form = accepted
        variant = _SPACE.sub("", _QUOTE_MARKS.sub("", variant))
        quoted = bool(m.group("plan") is not None and m.group("pq"))
        if variant in excluded or form in excluded:
            if keep_noise:
                noise.append([doc_id, "numbered", variant, form, quoted, m.start(), m.end(),
                              "excluded"])
            continue
        strong.append([doc_id, "numbered", variant, form, quoted, m.start(), m.end(), None])
    if known_rx is not None:
        for m in known_rx.finditer(text):
            v = m.group(0)
            if v in excluded:
                continue
            strong.append([doc_id, "known", v, normalise(v, kind="known"), False,
                           m.start(), m.end(), None])
    # one use per span: drop a numbered/known use contained in a longer one (numbered first
    # on equal spans)
    strong.sort(key=lambda r: (r[5], -(r[6] - r[5]), KINDS.index(r[1])))
    kept_strong: list[list] = []
    reach = -1
    for row in strong:
        if row[6] <= reach and kept_strong and row[5] >= kept_strong[-1][5]:
            continue
        kept_strong.append(row)
        reach = max(reach, row[6])
    s_starts = [r[5] for r in kept_strong]

    quotes = [m for rx in _QUOTE_STYLES for m in rx.finditer(text)]
    for m in sorted(quotes, key=lambda q: q.start()):
        content = m.group("q")
        cs, ce = m.start("q"), m.end("q")
        # a quote that is (part of) a numbered or known formulation is that formulation, quoted
        i = bisect_right(s_starts, cs) - 1
        swallowed = False
        for j in range(i, max(i - 3, -1), -1):
            s = kept_strong[j]
            if s[5] <= cs and s[6] >= ce:
                s[4] = True
                swallowed = True
                break
        if swallowed:
            continue
        verdict = memo.get(content)
        if verdict is None:     # reports repeat their quotes: each distinct one is judged once
            variant = _SPACE.sub("", content)
            reason = noise_reason(content, kind="quoted", excluded=excluded, keep=keep)
            kind = None if reason else ("numbered" if is_numbered(variant) else "quoted")
            verdict = memo[content] = (variant, reason, kind,
                                       normalise(variant, kind=kind) if kind else None)
        variant, reason, kind, form = verdict
        if reason is not None:
            if keep_noise:
                noise.append([doc_id, "quoted", variant, variant, True, cs, ce, reason])
            continue
        if kind == "numbered":
            # a numbered quote is one formulation: numbered shapes inside it are its parts
            # (百展千企 in “百展千企拓市场”), not uses of their own
            for s in kept_strong[bisect_left(s_starts, cs):bisect_left(s_starts, ce)]:
                if s[1] == "numbered" and s[6] <= ce:
                    s[7] = "part"
        kept.append([doc_id, kind, variant, form, True, cs, ce, None])

    for m in _TITLES.finditer(text):
        content = m.group("t")
        cs, ce = m.start("t"), m.end("t")
        after = text[m.end(): m.end() + 4]
        reason = noise_reason(content, kind="cited", after=after, excluded=excluded, keep=keep)
        variant = _SPACE.sub("", content)
        if reason is not None:
            if keep_noise:
                noise.append([doc_id, "cited", variant, variant, False, cs, ce, reason])
            continue
        kept.append([doc_id, "cited", variant, normalise(variant, kind="cited"), False,
                     cs, ce, None])
    kept_strong = [s for s in kept_strong if s[7] is None]
    return kept_strong + kept, noise


def _empty_mentions() -> pd.DataFrame:
    return empty_table(MENTIONS, {"quoted": "bool", "start": "int64", "end": "int64",
                                  "section_id": "Int64", "sent_id": "Int64"}, default="string")


def _space(kind: str) -> str:
    """Family space of a kind: cited titles form families of their own."""
    return "cited" if kind == "cited" else "slogan"


def _families(forms: Counter) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """Family of every (space, form) and the canonical form of every family.

    ``forms`` counts uses per (space, form). A family id is ``"<space>\\0<key>"``. Applies the
    rules ``punctuation`` and ``modifier_prefix`` of :data:`NORMALISATION_RULES`.
    """
    key_of = {sf: family_key(sf[1]) for sf in forms}
    slogan_keys = {k for (sp, _), k in key_of.items() if sp == "slogan"}
    numeral = re.compile(f"[{_NUMERALS}\\d]")
    target: dict[tuple[str, str], str] = {}
    for sp, key in set((sp, k) for (sp, _), k in key_of.items()):
        fam = key
        if sp == "slogan":
            for cut in (1, 2):                       # rule modifier_prefix
                prefix, core = key[:cut], key[cut:]
                if len(core) >= 4 and core in slogan_keys and not numeral.search(prefix):
                    fam = core
                    break
        target[(sp, key)] = f"{sp}\0{fam}"
    form_family = {sf: target[(sf[0], k)] for sf, k in key_of.items()}
    # canonical: the most used form whose key is the family key; ties: longer, code-point order
    best: dict[str, tuple] = {}
    for sf, n in forms.items():
        fam = form_family[sf]
        if fam.split("\0", 1)[1] != key_of[sf]:
            continue
        rank = (-n, -len(sf[1]), sf[1])
        if fam not in best or rank < best[fam]:
            best[fam] = rank
    canonical = {fam: r[2] for fam, r in best.items()}
    for fam in set(form_family.values()) - set(canonical):  # reached only through a modifier
        canonical[fam] = fam.split("\0", 1)[1]
    return form_family, canonical


def extract_slogans(documents: pd.DataFrame, units: pd.DataFrame | None = None, *,
                    formulations: Formulations | None = None, echo: bool = True,
                    keep_noise: bool = False, min_quoted_docs: int = 2,
                    min_quoted_share: float = 0.1, rare_min_chars: int = 4) -> pd.DataFrame:
    """Every use of an official formulation or cited document in the documents' cleaned text.

    Parameters
    ----------
    documents : DataFrame
        The documents table (``doc_id`` and the cleaned ``text``).
    units : DataFrame or None, default None
        The units table (schemas.UNITS): each use gets the ``section_id``, ``sent_id``,
        ``section`` and ``section_role`` of the sentence it starts in. None leaves them missing.
    formulations : Formulations or None, default None
        Known formulations, never- and always-formulations; None reads
        ``data/formulations.txt`` (:func:`load_formulations`).
    echo : bool, default True
        Also count unquoted uses of the formulations found anywhere in the corpus, where there
        is evidence (steps 4 and 5 of the module notes, :data:`EVIDENCE_RULES`). Off: only what
        quotes, titles, numbers and the known list show.
    keep_noise : bool, default False
        Keep rejected candidates too, with the rule that rejected them in ``noise`` (and
        ``slogan`` missing); for checking the noise rules.
    min_quoted_docs : int, default 2
        Evidence ``quoted_docs``: a candidate put in quotes in at least this many documents is
        counted where it is written without quotes too (if those documents are at least
        ``min_quoted_share`` of the documents using it). 1 counts every quoted candidate
        everywhere, as tifa did before the evidence rules.
    min_quoted_share : float, default 0.1
        The share of the documents using a candidate (quoted or not) that must quote it for
        ``quoted_docs``: an emphasis word quoted by 3 reports and written plain by 3,000 is an
        ordinary word.
    rare_min_chars : int, default 4
        Evidence ``rare_word``: the shortest candidate that counts as not ordinary when jieba's
        general dictionary does not list it (:func:`is_ordinary`).

    Returns
    -------
    DataFrame
        Columns :data:`MENTIONS`, one row per use, in document order then by ``start``.
    """
    if "text" not in documents.columns or "doc_id" not in documents.columns:
        raise KeyError("extract_slogans needs the documents table (doc_id and text columns)")
    if formulations is None:
        formulations = load_formulations()
    excluded = formulations.excluded
    keep = (formulations.keep | frozenset(formulations.known)) - excluded
    known_rx = _literal_rx(tuple(sorted(set(formulations.known) - excluded)))
    doc_ids = documents["doc_id"].astype(str).tolist()
    texts = (documents["text"] if units is None else body_texts(documents, units)).astype("string").fillna("").tolist()

    rows: list[list] = []
    noise: list[list] = []
    memo: dict = {}
    for doc_id, text in zip(doc_ids, texts):
        k, n = _doc_candidates(doc_id, text, known_rx, excluded, keep, keep_noise, memo)
        rows.extend(k)
        noise.extend(n)
    if not rows and not noise:
        return _empty_mentions()

    if echo and rows:
        extra = _echo(rows, doc_ids, texts, excluded, keep)
        if extra:
            forms = Counter((_space(r[1]), r[3]) for r in rows + extra)
            form_family, _ = _families(forms)
            weak = _without_evidence(rows, extra, form_family, keep=keep,
                                     min_quoted_docs=min_quoted_docs,
                                     min_quoted_share=min_quoted_share,
                                     rare_min_chars=rare_min_chars)
            for r in extra:
                if form_family[(_space(r[1]), r[3])] in weak:
                    if keep_noise:
                        r[7] = "no_evidence"
                        noise.append(r)
                else:
                    rows.append(r)
    forms = Counter((_space(r[1]), r[3]) for r in rows)
    form_family, canonical = _families(forms)
    # every use of a family carries the family's strongest kind
    families = [form_family[(_space(r[1]), r[3])] for r in rows]
    strongest: dict[str, int] = {}
    for fam, r in zip(families, rows):
        k = KINDS.index(r[1])
        if k < strongest.get(fam, 99):
            strongest[fam] = k
    for fam, r in zip(families, rows):
        r[1] = KINDS[strongest[fam]]
        r[3] = ("《" + canonical[fam] + "》") if r[1] == "cited" else canonical[fam]
    for r in noise:
        r[3] = None
    rows.extend(noise)

    order = {d: i for i, d in enumerate(doc_ids)}
    rows.sort(key=lambda r: (order[r[0]], r[5], r[6]))
    cols = list(zip(*rows))
    found = pd.DataFrame({
        "doc_id": pd.array(cols[0], dtype="string"),
        "kind": pd.array(cols[1], dtype="string"),
        "variant": pd.array(cols[2], dtype="string"),
        "slogan": pd.array(cols[3], dtype="string"),
        "quoted": np.asarray(cols[4], dtype=bool),
        "start": np.asarray(cols[5], dtype="int64"),
        "end": np.asarray(cols[6], dtype="int64"),
        "noise": pd.array(cols[7], dtype="string"),
    })
    found = _locate(found, units)
    return found[MENTIONS]


def _echo(rows: list[list], doc_ids: list[str], texts: list[str],
          excluded: frozenset[str], keep: frozenset[str]) -> list[list]:
    """Unquoted uses of every non-cited form found anywhere (module notes, step 4).

    (Every form is searched, the known ones too: a match that overlaps a use already found is
    passed over, but where the scan resumes after it decides what it finds next.)
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    forms = set()
    for r in rows:
        if r[1] != "cited":
            spans.setdefault(r[0], []).append((r[5], r[6]))
            forms.add(r[3])
    forms |= {family_key(f) for f in forms}
    numeral_only = re.compile(f"^[{_NUMERALS}零〇]+$")
    terms = tuple(sorted(f for f in forms
                         if len(f) >= 2 and not numeral_only.match(f) and f not in excluded
                         and (len(f) >= 3 or is_numbered(f) or f in keep)))
    rx = _literal_rx(terms)
    if rx is None:
        return []
    extra: list[list] = []
    for doc_id, text in zip(doc_ids, texts):
        found = sorted(spans.get(doc_id, ()))
        starts = [a for a, _ in found]
        reach = list(accumulate((b for _, b in found), max))
        for m in rx.finditer(text):
            a, b = m.start(), m.end()
            i = bisect_right(starts, a) - 1
            if i >= 0 and reach[i] > a:
                continue                      # overlaps a use already found
            if i + 1 < len(starts) and starts[i + 1] < b:
                continue
            v = m.group(0)
            extra.append([doc_id, "quoted", v, v, False, a, b, None])
    return extra


def _without_evidence(rows: list[list], extra: list[list], form_family: dict, *,
                      keep: frozenset[str], min_quoted_docs: int, min_quoted_share: float,
                      rare_min_chars: int) -> set[str]:
    """The families whose unquoted (echo) uses lack evidence (:data:`EVIDENCE_RULES`)."""
    quoted_docs: dict[str, set] = {}
    using_docs: dict[str, set] = {}
    evident: set[str] = set()
    for r in rows:
        fam = form_family[(_space(r[1]), r[3])]
        using_docs.setdefault(fam, set()).add(r[0])
        if r[4]:
            quoted_docs.setdefault(fam, set()).add(r[0])
        if (r[1] == "known" or r[2] in keep or r[3] in keep      # listed
                or (r[1] == "numbered" and _numbered_shape(r[3]))):  # numbered_shape
            evident.add(fam)
    for r in extra:
        using_docs.setdefault(form_family[(_space(r[1]), r[3])], set()).add(r[0])
    candidates = {f for f in using_docs if f not in evident}
    keys = {f: f.split("\0", 1)[1] for f in candidates}
    ordinary = _dictionary_words(k for k in keys.values() if len(k) >= rare_min_chars)
    weak = set()
    for fam in candidates:
        n_quoted = len(quoted_docs.get(fam, ()))
        if n_quoted >= min_quoted_docs and n_quoted >= min_quoted_share * len(using_docs[fam]):
            continue                                              # quoted_docs
        if not is_ordinary(keys[fam], min_chars=rare_min_chars, dictionary=ordinary):
            continue                                              # rare_word
        weak.add(fam)
    return weak


@lru_cache(maxsize=1)
def _general_dictionary() -> dict[str, int]:
    """jieba's general dictionary as shipped with jieba: ``{word: frequency}`` (2+ characters).

    Read once per process (half a second, some 40 MB); jieba's own tokenizers are not touched.
    """
    import jieba

    with jieba.Tokenizer().get_dict_file() as f:
        text = f.read().decode("utf-8")
    return {w: int(n) for w, n in re.findall(r"^(\S{2,}) (\d+)", text, re.M)}


def _dictionary_words(words: Iterable[str]) -> dict[str, int]:
    """jieba's general-dictionary frequency of each of ``words`` that it lists."""
    dictionary = _general_dictionary()
    return {w: dictionary[w] for w in words if dictionary.get(w)}


def is_ordinary(word: str, *, min_chars: int = 4, min_freq: int = 1,
                dictionary: dict[str, int] | None = None) -> bool:
    """Whether a word is an ordinary word of general Chinese (no evidence of a formulation).

    A word is ordinary when it is shorter than ``min_chars`` characters (jieba's dictionary
    lacks most three-character compounds of ordinary words, such as 新高地, so its silence
    says little about them), when it starts with a numeral (三年行动: a quantity that names
    something only where it is quoted), or when jieba's general dictionary lists it with a
    frequency of at least ``min_freq`` (一体化, 示范区, 滴水穿石). Punctuation is ignored.

    Parameters
    ----------
    word : str
        The candidate (a family key or a form).
    min_chars : int, default 4
        Shorter words are ordinary.
    min_freq : int, default 1
        The dictionary frequency from which a listed word is ordinary.
    dictionary : dict or None, default None
        ``{word: frequency}`` of jieba's general dictionary for the words in question (only
        those it lists); None looks the word up.

    Returns
    -------
    bool
    """
    key = family_key(_SPACE.sub("", str(word)))
    if len(key) < min_chars or _NUMBER_START.match(key):
        return True
    freq = dictionary if dictionary is not None else _dictionary_words([key])
    return freq.get(key, 0) >= min_freq


def _locate(found: pd.DataFrame, units: pd.DataFrame | None) -> pd.DataFrame:
    """Add section_id, sent_id, section, section_role from the sentence each use starts in."""
    if units is None or units.empty or found.empty:
        out = found.copy()
        out["section_id"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["sent_id"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["section"] = pd.array([pd.NA] * len(out), dtype="string")
        out["section_role"] = pd.array([pd.NA] * len(out), dtype="string")
        return out
    cols = ["section_id", "sent_id", "section", "section_role"]
    u = pd.DataFrame({"doc_id": units["doc_id"].astype(str).to_numpy(),
                      "_ustart": pd.to_numeric(units["start"]).astype("int64").to_numpy()})
    for c in cols:
        u[c] = units[c].to_numpy() if c in units.columns else pd.NA
    u = u.sort_values("_ustart", kind="stable")
    f = pd.DataFrame({"doc_id": found["doc_id"].astype(str).to_numpy(),
                      "start": found["start"].to_numpy(), "_row": np.arange(len(found))})
    f = f.sort_values("start", kind="stable")
    merged = pd.merge_asof(f, u, left_on="start", right_on="_ustart", by="doc_id",
                           direction="backward").sort_values("_row")
    out = found.copy()
    out["section_id"] = pd.array(merged["section_id"].to_numpy(), dtype="Int64")
    out["sent_id"] = pd.array(merged["sent_id"].to_numpy(), dtype="Int64")
    out["section"] = pd.array(merged["section"].to_numpy(), dtype="string")
    out["section_role"] = pd.array(merged["section_role"].to_numpy(), dtype="string")
    return out


# ============================================================================ recurrence

def _kept(mentions: pd.DataFrame) -> pd.DataFrame:
    if "noise" in mentions.columns:
        mentions = mentions[mentions["noise"].isna()]
    return mentions[mentions["slogan"].notna()]


def slogan_counts(mentions: pd.DataFrame, documents: pd.DataFrame, *,
                  by: str = "doc_id") -> pd.DataFrame:
    """Uses per slogan, variant and document (``tables/slogans.csv``).

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans` (rejected candidates are ignored).
    documents : DataFrame
        The documents table, for the group.
    by : str, default "doc_id"
        Grouping column of ``documents``.

    Returns
    -------
    DataFrame
        Columns :data:`SLOGANS`; sorted by slogan total (descending), slogan, document order.
    """
    m = _kept(mentions)
    if m.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else "string")
                             for c in SLOGANS})
    g = m.groupby(["slogan", "variant", "kind", "doc_id"], sort=False).size().rename("count")
    t = attach_group(g.reset_index(), documents, by)
    t["_total"] = t.groupby("slogan")["count"].transform("sum")
    order = {d: i for i, d in enumerate(documents["doc_id"].astype(str))}
    t["_o"] = t["doc_id"].astype(str).map(order)
    t = t.sort_values(["_total", "slogan", "_o", "count", "variant"],
                      ascending=[False, True, True, False, True])
    t = t[SLOGANS].reset_index(drop=True)
    t["count"] = t["count"].astype("int64")
    for c in ("slogan", "variant", "kind", "doc_id", "group"):
        t[c] = t[c].astype("string")
    return t


def slogan_summary(mentions: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
                   max_listed: int = 10) -> pd.DataFrame:
    """One row per slogan: kind, reach, uses, years, and whether it is shared or a group's own.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans`.
    documents : DataFrame
        The documents table (its ``year`` column gives first/last year seen, if present).
    by : str, default "doc_id"
        Grouping column of ``documents``.
    max_listed : int, default 10
        Most groups and variants spelled out in the ``groups`` and ``variants`` columns (the
        counts ``n_groups`` and ``n_variants`` are always complete).

    Returns
    -------
    DataFrame
        Columns :data:`SUMMARY`. ``status`` is ``shared`` (every group uses it), ``own`` (only one
        group of several) or ``some``; ``owner`` is that one group for ``own`` slogans.
        ``count`` is the total number of uses; ``total_docs``/``total_groups`` the corpus sizes
        the shares refer to; ``n_docs_quoted`` the documents where at least one use stands in
        quotes. Sorted by the ranking the charts and the briefing use (:data:`RANKING`:
        documents using it, then uses, then documents quoting it, then slogan); ``rank`` is
        the place in it (1 first).
    """
    m = _kept(mentions)
    groups = group_of(documents, by)
    order = group_order(documents, by)
    total_groups = len(order)
    total_docs = len(documents)
    if m.empty:
        return empty_table(SUMMARY)
    m = attach_group(m, documents, by)
    years = (pd.to_numeric(documents["year"], errors="coerce")
             if "year" in documents.columns else pd.Series(np.nan, index=documents.index))
    year_of = pd.Series(years.to_numpy(), index=documents["doc_id"].astype(str).to_numpy())
    m["_year"] = m["doc_id"].astype(str).map(year_of)
    g = m.groupby("slogan", sort=False)
    rank = {g_: i for i, g_ in enumerate(order)}
    out = pd.DataFrame({
        "kind": g["kind"].first(),
        "n_docs": g["doc_id"].nunique(),
        "n_groups": g["group"].nunique(),
        "count": g.size(),
        "first_year": g["_year"].min(),
        "last_year": g["_year"].max(),
        "n_variants": g["variant"].nunique(),
    })
    pairs = m[["slogan", "group"]].drop_duplicates()
    pairs = pairs.assign(_r=pairs["group"].map(rank).fillna(1e9))
    pairs = pairs.sort_values(["slogan", "_r", "group"], kind="stable")
    group_lists = pd.Series(_runs(pairs["slogan"], pairs["group"]))
    out["groups"] = group_lists.map(lambda gs: _listed(gs, max_listed))
    out["owner"] = group_lists.map(lambda gs: gs[0] if len(gs) == 1 else pd.NA)
    var_counts = m.groupby(["slogan", "variant"]).size().rename("n").reset_index()
    var_counts = var_counts.sort_values(["slogan", "n", "variant"], ascending=[True, False, True])
    out["variants"] = pd.Series({s: _listed(v, max_listed, sep=" / ") for s, v in
                                 _runs(var_counts["slogan"], var_counts["variant"]).items()})
    status = np.where(out["n_groups"].eq(total_groups), "shared",
                      np.where(out["n_groups"].eq(1), "own", "some"))
    out["status"] = status
    out.loc[out["status"].ne("own"), "owner"] = pd.NA
    out["total_docs"] = total_docs
    out["total_groups"] = total_groups
    out["n_docs_quoted"] = m[m["quoted"].to_numpy(dtype=bool)].groupby("slogan")["doc_id"].nunique()
    out["n_docs_quoted"] = out["n_docs_quoted"].fillna(0)
    out = out.reset_index().rename(columns={"index": "slogan"})
    out = _by_rank(out)
    out["rank"] = np.arange(1, len(out) + 1)
    out = out[SUMMARY].reset_index(drop=True)
    for c in ("n_docs", "n_groups", "count", "n_variants", "total_docs", "total_groups",
              "n_docs_quoted", "rank"):
        out[c] = out[c].astype("int64")
    for c in ("first_year", "last_year"):
        out[c] = out[c].round().astype("Int64")
    for c in ("slogan", "kind", "status", "owner", "groups", "variants"):
        out[c] = out[c].astype("string")
    del groups
    return out


def _runs(keys: pd.Series, values: pd.Series) -> dict:
    """``{key: [values ...]}`` of a table sorted so that equal keys are adjacent (one pass)."""
    k = keys.astype(object).to_numpy()
    v = values.astype(object).to_numpy().tolist()
    if not len(k):
        return {}
    cuts = np.flatnonzero(k[1:] != k[:-1]) + 1
    starts, ends = np.r_[0, cuts], np.r_[cuts, len(k)]
    return {k[a]: v[a:b] for a, b in zip(starts.tolist(), ends.tolist())}


def _listed(items: list, n: int, sep: str = "、") -> str:
    items = [str(i) for i in items]
    return sep.join(items[:n]) + (f"{sep}…（共 {len(items)}）" if len(items) > n else "")


def slogans_by_group(mentions: pd.DataFrame, documents: pd.DataFrame, *,
                     by: str = "doc_id", summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Uses of each slogan in each group, with the group's size for rates.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans`.
    documents : DataFrame
        The documents table (``n_chars`` gives the group's length; else the text length).
    by : str, default "doc_id"
        Grouping column of ``documents``.
    summary : DataFrame or None, default None
        A ready :func:`slogan_summary` of the same mentions, documents and ``by`` (skips
        computing it again).

    Returns
    -------
    DataFrame
        Columns :data:`BY_GROUP`, one row per (slogan, group) with at least one use:
        ``count`` uses, ``n_docs`` documents of the group using it, ``group_docs`` and
        ``group_chars`` the group's documents and characters, ``per_100k_chars`` =
        count / group_chars * 100,000. Sorted by slogan total, slogan, group order.
    """
    m = _kept(mentions)
    if m.empty:
        return empty_table(BY_GROUP)
    if summary is None:
        summary = slogan_summary(mentions, documents, by=by)
    m = attach_group(m, documents, by)
    g = m.groupby(["slogan", "group"], sort=False)
    t = pd.DataFrame({"count": g.size(), "n_docs": g["doc_id"].nunique()}).reset_index()
    sizes = group_sizes(documents, by).rename(columns={"n_docs": "group_docs",
                                                       "n_chars": "group_chars"})
    t = t.join(sizes[["group_docs", "group_chars"]], on="group")
    t["per_100k_chars"] = rate(t["count"], t["group_chars"], per=100_000)
    t = t.merge(summary[["slogan", "kind", "status", "count"]].rename(columns={"count": "_total"}),
                on="slogan", how="left")
    rank = {g_: i for i, g_ in enumerate(group_order(documents, by))}
    t["_g"] = t["group"].map(rank)
    t = t.sort_values(["_total", "slogan", "_g"], ascending=[False, True, True])
    t = t[BY_GROUP].reset_index(drop=True)
    for c in ("count", "n_docs", "group_docs"):
        t[c] = t[c].astype("int64")
    t["group_chars"] = t["group_chars"].astype("int64")
    for c in ("slogan", "kind", "status", "group"):
        t[c] = t[c].astype("string")
    return t


def _by_rank(summary: pd.DataFrame) -> pd.DataFrame:
    """The rows in the order of :data:`RANKING`."""
    cols = [c for c in RANKING if c in summary.columns]
    return summary.sort_values(cols, ascending=[c == "slogan" for c in cols], kind="stable")


def _ranked(summary: pd.DataFrame, top_n: int, kinds: Iterable[str] | None,
            min_docs: int = 1) -> pd.DataFrame:
    s = summary
    if kinds is not None:
        s = s[s["kind"].isin(list(kinds))]
    s = s[s["n_docs"] >= min_docs]
    return _by_rank(s).head(top_n)


def top_slogans(by_group: pd.DataFrame, summary: pd.DataFrame, *, top_n: int = 20,
                max_groups: int = 8, kinds: Iterable[str] | None = None,
                min_docs: int = 1) -> pd.DataFrame:
    """The most used slogans, one row per (slogan, group) segment, for a stacked bar chart.

    Parameters
    ----------
    by_group : DataFrame
        From :func:`slogans_by_group`.
    summary : DataFrame
        From :func:`slogan_summary`.
    top_n : int, default 20
        Slogans kept, in the order of :data:`RANKING` (documents using it, then uses, then
        documents quoting it).
    max_groups : int, default 8
        Groups shown as segments of their own (those with the most uses among the kept
        slogans); the uses of all other groups are one segment ``其他``.
    kinds : iterable of str or None, default None
        Keep only these kinds (e.g. ``("numbered", "known", "quoted")``); None keeps all.
    min_docs : int, default 1
        Keep only slogans used in at least this many documents.

    Returns
    -------
    DataFrame
        Columns :data:`TOP`; ``count`` is the segment's uses, ``total``, ``n_docs`` and
        ``n_docs_quoted`` the slogan's uses, documents using it and documents quoting it in
        all groups, ``rank`` 1 for the first. Rows in rank order, segments in group order
        (``其他`` last).
    """
    chosen = _ranked(summary, top_n, kinds, min_docs)
    if chosen.empty:
        return empty_table(TOP)
    rank = {s: i + 1 for i, s in enumerate(chosen["slogan"])}
    t = by_group[by_group["slogan"].isin(rank)].copy()
    weight = t.groupby("group")["count"].sum().sort_values(ascending=False, kind="stable")
    shown = list(weight.index[:max_groups])
    other = "其他"
    t["group"] = t["group"].where(t["group"].isin(shown), other)
    t = t.groupby(["slogan", "group"], sort=False)["count"].sum().reset_index()
    t = t.merge(chosen[["slogan", "kind", "status", "count", "n_groups", "n_docs", "n_docs_quoted"]]
                .rename(columns={"count": "total"}), on="slogan")
    t["rank"] = t["slogan"].map(rank)
    order = {g: i for i, g in enumerate(sorted(shown, key=lambda g: (g == MISSING_GROUP, g)))}
    order[other] = len(order)
    t["_g"] = t["group"].map(order)
    t = t.sort_values(["rank", "_g"]).drop(columns="_g")
    t = t[TOP].reset_index(drop=True)
    for c in ("count", "total", "n_groups", "rank", "n_docs", "n_docs_quoted"):
        t[c] = t[c].astype("int64")
    for c in ("slogan", "kind", "status", "group"):
        t[c] = t[c].astype("string")
    return t


_STATUS_ORDER = {"shared": 0, "some": 1, "own": 2}
_FLIP = str.maketrans("01", "10")


def slogan_matrix(by_group: pd.DataFrame, summary: pd.DataFrame, *, value: str = "count",
                  top_n: int = 30, max_groups: int = 20, kinds: Iterable[str] | None = None,
                  min_docs: int = 1) -> pd.DataFrame:
    """Slogan x group matrix, rows ordered so that shared slogans cluster.

    Rows: the ``top_n`` most used slogans, ordered shared first, then those of several groups,
    then each group's own (grouped by owner), each block by the pattern of groups using them and
    then by uses. Columns: groups in natural order (at most ``max_groups``, those with most
    uses among the rows); a row left empty by the cut is dropped.

    Parameters
    ----------
    by_group : DataFrame
        From :func:`slogans_by_group`.
    summary : DataFrame
        From :func:`slogan_summary`.
    value : {"count", "per_100k_chars", "n_docs"}, default "count"
        The number in each cell.
    top_n : int, default 30
        Rows kept.
    max_groups : int, default 20
        Columns kept.
    kinds : iterable of str or None, default None
        Keep only these kinds; None keeps all.
    min_docs : int, default 1
        Keep only slogans used in at least this many documents.

    Returns
    -------
    DataFrame
        Index ``slogan`` (ordered), one column per group (ordered), cells ``value`` (0 where a
        group does not use the slogan). ``attrs["status"]`` maps slogan -> status and
        ``attrs["n_groups_total"]`` gives the number of groups before ``max_groups``.
    """
    chosen = _ranked(summary, top_n, kinds, min_docs)
    if chosen.empty:
        return pd.DataFrame(index=pd.Index([], name="slogan", dtype="string"))
    t = by_group[by_group["slogan"].isin(set(chosen["slogan"]))]
    weight = t.groupby("group")["count"].sum().sort_values(ascending=False, kind="stable")
    cols = sorted(weight.index[:max_groups], key=lambda g: (g == MISSING_GROUP, g))
    wide = t.pivot_table(index="slogan", columns="group", values=value, aggfunc="sum",
                         fill_value=0)
    wide = wide.reindex(columns=cols, fill_value=0)
    wide = wide[wide.gt(0).any(axis=1)]   # rows used only by groups beyond max_groups
    meta = chosen.set_index("slogan")
    present = wide.gt(0)
    pattern = present.apply(lambda r: "".join("1" if v else "0" for v in r), axis=1)
    keyframe = pd.DataFrame({
        "status": meta.loc[wide.index, "status"].map(_STATUS_ORDER).to_numpy(),
        "ngroups": -present.sum(axis=1).to_numpy(),
        "pattern": pattern.to_numpy(),
        "count": -meta.loc[wide.index, "count"].to_numpy(),
        "name": wide.index.to_numpy(),
    }, index=wide.index.rename(None))
    # shared first; within a block, the groups' patterns (descending: first groups first)
    keyframe["pattern"] = keyframe["pattern"].map(lambda p: p.translate(_FLIP))
    keyframe = keyframe.sort_values(["status", "ngroups", "pattern", "count", "name"])
    wide = wide.loc[keyframe["name"].to_numpy()]
    wide.index.name = "slogan"
    wide.columns.name = "group"
    wide.attrs["status"] = meta.loc[wide.index, "status"].astype(str).to_dict()
    wide.attrs["n_groups_total"] = int(by_group["group"].nunique())
    wide.attrs["value"] = value
    return wide


def slogan_timeline(mentions: pd.DataFrame, documents: pd.DataFrame, *, top_n: int = 12,
                    slogans: Iterable[str] | None = None,
                    kinds: Iterable[str] | None = ("numbered", "known", "quoted")) -> pd.DataFrame:
    """Use of slogans by year (the year reported on), for a watchword tracker.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans`.
    documents : DataFrame
        The documents table; its ``year`` column is required (documents without a year are
        left out).
    top_n : int, default 12
        Slogans kept when ``slogans`` is None: those used in the most years, then the most
        documents, then the most uses.
    slogans : iterable of str or None, default None
        Track exactly these slogans (canonical forms) instead.
    kinds : iterable of str or None, default ("numbered", "known", "quoted")
        Kinds considered when choosing the top slogans (cited titles are left out by default);
        None keeps all.

    Returns
    -------
    DataFrame
        Columns :data:`TIMELINE`, one row per (slogan, year) for every year with documents
        (zeros included): ``count`` uses, ``n_docs`` documents of that year using it,
        ``year_docs`` documents of that year, ``share_docs`` = n_docs / year_docs. Sorted by the
        slogans' order of choice, then year. Empty when no document has a year.
    """
    empty = empty_table(TIMELINE)
    if "year" not in documents.columns:
        return empty
    years = pd.to_numeric(documents["year"], errors="coerce")
    dated = documents.assign(_year=years)[years.notna()]
    if dated.empty:
        return empty
    year_of = pd.Series(dated["_year"].astype("int64").to_numpy(),
                        index=dated["doc_id"].astype(str).to_numpy())
    m = _kept(mentions)
    m = m.assign(year=m["doc_id"].astype(str).map(year_of)).dropna(subset=["year"])
    if m.empty:
        return empty
    m["year"] = m["year"].astype("int64")
    if slogans is None:
        cand = m if kinds is None else m[m["kind"].isin(list(kinds))]
        g = cand.groupby("slogan")
        rank = pd.DataFrame({"years": g["year"].nunique(), "docs": g["doc_id"].nunique(),
                             "uses": g.size()}).reset_index()
        rank = rank.sort_values(["years", "docs", "uses", "slogan"],
                                ascending=[False, False, False, True])
        chosen = rank["slogan"].head(top_n).tolist()
    else:
        chosen = [s for s in dict.fromkeys(slogans)]
    all_years = sorted(year_of.unique().tolist())
    year_docs = year_of.value_counts().reindex(all_years).astype("int64")
    sub = m[m["slogan"].isin(chosen)]
    g = sub.groupby(["slogan", "year"])
    counts = pd.DataFrame({"count": g.size(), "n_docs": g["doc_id"].nunique()})
    grid = pd.MultiIndex.from_product([chosen, all_years], names=["slogan", "year"])
    t = counts.reindex(grid, fill_value=0).reset_index()
    t["year_docs"] = t["year"].map(year_docs).astype("int64")
    t["share_docs"] = t["n_docs"] / t["year_docs"]
    t["count"] = t["count"].astype("int64")
    t["n_docs"] = t["n_docs"].astype("int64")
    t["year"] = t["year"].astype("int64")
    t["slogan"] = t["slogan"].astype("string")
    return t[TIMELINE]


def _group_years(dated: pd.DataFrame) -> pd.DataFrame:
    """group, year, year_docs, previous_year (of that group) of the dated documents."""
    years = dated.groupby(["group", "year"]).size().rename("year_docs").reset_index()
    years = years.sort_values(["group", "year"], kind="stable")
    years["previous_year"] = years.groupby("group")["year"].shift(1).astype("Int64")
    return years


def _dated(documents: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """doc_id, group, year of the documents that have a year."""
    years = (pd.to_numeric(documents["year"], errors="coerce") if "year" in documents.columns
             else pd.Series(np.nan, index=documents.index))
    groups = (group_of(documents, by).to_numpy() if by is not None
              else np.full(len(documents), ALL_DOCUMENTS, dtype=object))
    t = pd.DataFrame({"doc_id": documents["doc_id"].astype(str).to_numpy(), "group": groups,
                      "year": years.to_numpy()})
    t = t[t["year"].notna()].copy()
    t["year"] = t["year"].round().astype("int64")
    return t


def slogan_changes(mentions: pd.DataFrame, documents: pd.DataFrame, *, by: str | None = None,
                   kinds: Iterable[str] | None = ("numbered", "known", "quoted")) -> pd.DataFrame:
    """New, continued and dropped formulations per year (and per group and year).

    For each year with documents, compared with the previous year with documents of the same
    group: the formulations first seen that year (``new``), those used that year and in an
    earlier year (``continued``), and those last seen the year before (``dropped``: used in the
    previous year and never again); in a group's first year every formulation is ``first``
    (:data:`CHANGE_KINDS`). Years are the ``year`` column of the documents (the year reported
    on); documents without one are left out.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans`.
    documents : DataFrame
        The documents table (``year`` and the ``by`` column).
    by : str or None, default None
        Grouping column of ``documents``: years are compared within each group. None compares
        the whole corpus (one group, :data:`ALL_DOCUMENTS`).
    kinds : iterable of str or None, default ("numbered", "known", "quoted")
        Kinds considered (cited titles are left out by default); None keeps all.

    Returns
    -------
    DataFrame
        Columns :data:`CHANGES`, one row per (group, year, slogan, change). ``n_docs`` counts
        the documents using the slogan in ``counts_year`` (the year itself; for ``dropped`` the
        previous year, where it was last seen), ``year_docs`` the documents of that group and
        year, ``share_docs`` = n_docs / year_docs; ``first_year`` and ``last_year`` are the
        group's. Sorted by group, year, change (as in :data:`CHANGE_KINDS`), share (descending),
        slogan. Empty when no document has a year.
    """
    dtypes = {"year": "int64", "previous_year": "Int64", "n_docs": "int64",
              "counts_year": "int64", "year_docs": "int64", "share_docs": "float64",
              "first_year": "int64", "last_year": "int64"}
    empty = empty_table(CHANGES, dtypes, default="string")
    dated = _dated(documents, by)
    m = _kept(mentions)
    if kinds is not None:
        m = m[m["kind"].isin(list(kinds))]
    if dated.empty or m.empty:
        return empty
    years = _group_years(dated)
    use = m[["doc_id", "slogan", "kind"]].merge(dated, on="doc_id")
    if use.empty:
        return empty
    kind_of = use.drop_duplicates("slogan").set_index("slogan")["kind"]
    pres = (use.groupby(["group", "year", "slogan"], sort=False)["doc_id"].nunique()
            .rename("n_docs").reset_index())
    span = pres.groupby(["group", "slogan"])["year"].agg(first_year="min", last_year="max")
    pres = pres.join(span, on=["group", "slogan"])
    used = pres.merge(years, on=["group", "year"])
    used["counts_year"] = used["year"]
    used["change"] = np.where(used["previous_year"].isna(), "first",
                              np.where(used["first_year"].eq(used["year"]), "new", "continued"))
    # dropped: last seen in a year that has a next year in its group
    nxt = years.dropna(subset=["previous_year"])[["group", "year", "previous_year"]]
    last = pres[pres["year"].eq(pres["last_year"])].rename(columns={"year": "counts_year"})
    last = last.merge(years[["group", "year", "year_docs"]].rename(columns={"year": "counts_year"}),
                      on=["group", "counts_year"])
    dropped = last.merge(nxt.assign(previous_year=nxt["previous_year"].astype("int64")),
                         left_on=["group", "counts_year"], right_on=["group", "previous_year"])
    dropped["change"] = "dropped"
    t = pd.concat([used, dropped], ignore_index=True)
    t["kind"] = t["slogan"].map(kind_of)
    t["share_docs"] = t["n_docs"] / t["year_docs"]
    order = {g: i for i, g in enumerate(sorted(pd.unique(years["group"]),
                                                key=lambda g: (g == MISSING_GROUP, g)))}
    t["_g"] = t["group"].map(order)
    t["_c"] = t["change"].map({c: i for i, c in enumerate(CHANGE_KINDS)})
    t = t.sort_values(["_g", "year", "_c", "share_docs", "slogan"],
                      ascending=[True, True, True, False, True], kind="stable")
    t = t[CHANGES].reset_index(drop=True)
    for c, dt in dtypes.items():
        t[c] = t[c].astype(dt)
    for c in ("group", "slogan", "kind", "change"):
        t[c] = t[c].astype("string")
    return t


def slogan_turnover(mentions: pd.DataFrame, documents: pd.DataFrame, *, by: str | None = None,
                    kinds: Iterable[str] | None = ("numbered", "known", "quoted"),
                    changes: pd.DataFrame | None = None, n_examples: int = 3) -> pd.DataFrame:
    """The turnover of formulations: how many are new, continued and dropped each year.

    Parameters
    ----------
    mentions, documents : DataFrame
        As for :func:`slogan_changes`.
    by : str or None, default None
        As for :func:`slogan_changes` (None: the whole corpus, group :data:`ALL_DOCUMENTS`).
    kinds : iterable of str or None, default ("numbered", "known", "quoted")
        As for :func:`slogan_changes`.
    changes : DataFrame or None, default None
        A ready :func:`slogan_changes` result for the same arguments (skips computing it).
    n_examples : int, default 3
        Newcomers and dropped formulations named per year (those of the most documents).

    Returns
    -------
    DataFrame
        Columns :data:`TURNOVER`, one row per group and year with documents (zeros included):
        ``year_docs`` documents of the group that year, ``n_used`` formulations used that year
        (= ``n_first`` + ``n_new`` + ``n_continued``), ``n_dropped`` those last seen the
        previous year, ``new_examples`` / ``dropped_examples`` the first of them. Sorted by
        group, year.
    """
    if changes is None:
        changes = slogan_changes(mentions, documents, by=by, kinds=kinds)
    years = _group_years(_dated(documents, by))
    counts = (changes.groupby(["group", "year", "change"]).size().unstack("change")
              .reindex(columns=list(CHANGE_KINDS), fill_value=0))
    counts.columns = [f"n_{c}" for c in counts.columns]
    t = years.join(counts, on=["group", "year"])
    for c in ("n_first", "n_new", "n_continued", "n_dropped"):
        t[c] = t[c].fillna(0).astype("int64")
    t["n_used"] = t["n_first"] + t["n_new"] + t["n_continued"]
    for change, col in (("new", "new_examples"), ("dropped", "dropped_examples")):
        sub = changes[changes["change"] == change]   # already sorted by share, descending
        sub = sub.groupby(["group", "year"]).head(n_examples)
        names = sub.assign(slogan=sub["slogan"].astype(object)).groupby(
            ["group", "year"])["slogan"].agg("、".join)
        t = t.join(names.rename(col), on=["group", "year"])
        t[col] = t[col].fillna("").astype("string")
    order = {g: i for i, g in enumerate(sorted(pd.unique(years["group"]),
                                                key=lambda g: (g == MISSING_GROUP, g)))}
    t = t.sort_values(["group", "year"], key=lambda c: c.map(order) if c.name == "group" else c,
                      kind="stable")
    t = t[TURNOVER].reset_index(drop=True)
    t["group"] = t["group"].astype("string")
    t["year"] = t["year"].astype("int64")
    t["year_docs"] = t["year_docs"].astype("int64")
    return t


def slogan_overlap(mentions: pd.DataFrame, documents: pd.DataFrame, *, by: str = "doc_id",
                   max_groups: int = 6, kinds: Iterable[str] | None = None,
                   n_examples: int = 3) -> pd.DataFrame:
    """How the groups' slogan sets overlap: one row per exact combination of groups.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans`.
    documents : DataFrame
        The documents table.
    by : str, default "doc_id"
        Grouping column of ``documents``.
    max_groups : int, default 6
        Groups compared: with more, the ``max_groups`` groups using the most distinct slogans
        (``attrs["n_groups_total"]`` says how many there were); slogans used by none of them are
        left out.
    kinds : iterable of str or None, default None
        Keep only these kinds; None keeps all.
    n_examples : int, default 3
        Slogans named per combination (the most used).

    Returns
    -------
    DataFrame
        Columns :data:`OVERLAP` then one boolean column per compared group (group order):
        ``combination`` (the groups joined by " ∩ "), ``degree`` (number of groups),
        ``n_slogans`` (slogans used by exactly these groups among those compared), ``count``
        (their uses), ``examples``. Sorted by n_slogans (descending), then degree.
    """
    m = _kept(mentions)
    if kinds is not None:
        m = m[m["kind"].isin(list(kinds))]
    if m.empty:
        return empty_table(OVERLAP)
    m = attach_group(m, documents, by)
    per_group = m.groupby("group")["slogan"].nunique().sort_values(ascending=False, kind="stable")
    order = group_order(documents, by)
    compared = [g for g in order if g in set(per_group.index[:max_groups])]
    m = m[m["group"].isin(compared)]
    uses = m.groupby("slogan").size()
    pairs = m[["slogan", "group"]].drop_duplicates()
    pairs = pairs.assign(_p=pairs["group"].map({g: i for i, g in enumerate(compared)}))
    pairs = pairs.sort_values(["slogan", "_p"], kind="stable")
    runs = _runs(pairs["slogan"], pairs["group"])
    member = pd.Series([tuple(runs[s]) for s in uses.index], index=uses.index, dtype=object)
    t = pd.DataFrame({"groups": member, "uses": uses}).reset_index()
    t = t.sort_values(["uses", "slogan"], ascending=[False, True])
    agg = t.groupby("groups", sort=False).agg(
        n_slogans=("slogan", "size"), count=("uses", "sum"),
        examples=("slogan", lambda s: "、".join(list(s)[:n_examples])))
    agg = agg.reset_index()
    agg["combination"] = agg["groups"].map(lambda gs: " ∩ ".join(gs))
    agg["degree"] = agg["groups"].map(len)
    for g in compared:
        agg[g] = agg["groups"].map(lambda gs, g=g: g in gs)
    agg = agg.sort_values(["n_slogans", "degree"], ascending=[False, False]).drop(columns="groups")
    agg = agg[OVERLAP + compared].reset_index(drop=True)
    for c in ("degree", "n_slogans", "count"):
        agg[c] = agg[c].astype("int64")
    agg.attrs["groups"] = compared
    agg.attrs["n_groups_total"] = len(order)
    return agg


def variants_of(mentions: pd.DataFrame, slogan: str) -> list[str]:
    """The variants (as written, whitespace removed) of one slogan, longest first.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans`.
    slogan : str
        A canonical slogan (as in the ``slogan`` column).

    Returns
    -------
    list of str
        Empty when the slogan was not found.
    """
    m = _kept(mentions)
    v = m.loc[m["slogan"] == slogan, "variant"].dropna().astype(str).unique().tolist()
    return sorted(v, key=lambda s: (-len(s), s))


def kwic_pattern(mentions: pd.DataFrame, slogan: str) -> str | None:
    """A regular expression matching every variant of a slogan, for :func:`tifa.analyze.kwic.kwic`.

    Spaces and line breaks are allowed between the characters (the variants are stored without
    them), so the concordance finds “4·15 国家安全教育日” as well as 4·15国家安全教育日. Use it
    with ``regex=True``.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans`.
    slogan : str
        A canonical slogan.

    Returns
    -------
    str or None
        None when the slogan was not found.
    """
    variants = variants_of(mentions, slogan)
    if slogan.startswith("《") and slogan.endswith("》"):
        variants = [f"《{v}》" for v in variants]
    if not variants:
        return None
    return "|".join(r"\s*".join(re.escape(ch) for ch in v) for v in variants)


def noise_report(mentions: pd.DataFrame, *, n_examples: int = 5) -> pd.DataFrame:
    """What the noise rules rejected: one row per rule, from ``extract_slogans(keep_noise=True)``.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans` with ``keep_noise=True``.
    n_examples : int, default 5
        Rejected texts shown per rule (the most frequent first).

    Returns
    -------
    DataFrame
        Columns :data:`NOISE` for every rule of :data:`NOISE_RULES` (``n`` = 0 when it
        rejected nothing), in rule order; ``examples`` are the candidates of
        :func:`noise_candidates` with the most rejected uses.
    """
    if "noise" in mentions.columns:
        rejected = mentions[mentions["noise"].notna()]
    else:
        rejected = mentions.iloc[:0]
    per = noise_candidates(mentions)
    n = rejected.groupby("noise").size()
    n_docs = rejected.groupby("noise")["doc_id"].nunique()
    examples = per.groupby("rule", sort=False)["candidate"].agg(
        lambda c: "、".join(c.head(n_examples)))
    rules = list(NOISE_RULES)
    out = pd.DataFrame({
        "rule": rules, "description": [NOISE_RULES[r] for r in rules],
        "n": n.reindex(rules, fill_value=0).to_numpy(dtype="int64"),
        "n_docs": n_docs.reindex(rules, fill_value=0).to_numpy(dtype="int64"),
        "examples": examples.reindex(rules, fill_value="").to_numpy(dtype=object),
    })
    return out[NOISE]


def noise_candidates(mentions: pd.DataFrame) -> pd.DataFrame:
    """Every candidate the noise rules rejected or demoted, with the line that overrules it.

    Parameters
    ----------
    mentions : DataFrame
        From :func:`extract_slogans` with ``keep_noise=True``.

    Returns
    -------
    DataFrame
        Columns :data:`NOISE_CANDIDATES`, one row per (rule, candidate as written): ``n``
        rejected uses, ``n_docs`` documents, ``overrule`` the line of data/formulations.txt that
        makes it a formulation (``+候选``; for ``excluded`` the ``!`` line to delete). Rules in
        :data:`NOISE_RULES` order, then most rejected uses first.
    """
    if "noise" in mentions.columns:
        rejected = mentions[mentions["noise"].notna()]
    else:
        rejected = mentions.iloc[:0]
    if rejected.empty:
        return empty_table(NOISE_CANDIDATES, {"n": "int64", "n_docs": "int64"})
    g = rejected.groupby(["noise", "variant"], sort=False)
    out = pd.DataFrame({"n": g.size(), "n_docs": g["doc_id"].nunique()}).reset_index()
    out = out.rename(columns={"noise": "rule", "variant": "candidate"})
    out["_r"] = out["rule"].map({r: i for i, r in enumerate(NOISE_RULES)})
    out = out.sort_values(["_r", "n", "n_docs", "candidate"],
                          ascending=[True, False, False, True], kind="stable")
    cand = out["candidate"].astype(str)
    out["overrule"] = np.where(out["rule"].eq("excluded"), "delete !" + cand, "+" + cand)
    out = out[NOISE_CANDIDATES].reset_index(drop=True)
    for c in ("n", "n_docs"):
        out[c] = out[c].astype("int64")
    for c in ("rule", "candidate", "overrule"):
        out[c] = out[c].astype("string")
    return out


# ============================================================================ tokenizer feedback

_JIEBA_WHOLE = re.compile(f"^[{_HAN}]+$")


def _most_used_whole(m: pd.DataFrame) -> dict[str, str]:
    """Per slogan, the normalised form of its most used variant that is Chinese characters only.

    Counted in one pass; a tie for the most uses among such variants is broken as
    ``Series.value_counts`` orders them, the way this was first written.
    """
    if m.empty:
        return {}
    vc = m.groupby(["slogan", "variant"], sort=False).size().rename("n").reset_index()
    forms = {v: normalise(v) for v in pd.unique(vc["variant"].astype(str))}
    vc["form"] = vc["variant"].astype(str).map(forms)
    vc = vc[vc["form"].map(lambda f: bool(_JIEBA_WHOLE.match(f)))]
    vc = vc[vc["n"].eq(vc.groupby("slogan")["n"].transform("max"))]
    ties = vc["slogan"].duplicated(keep=False)
    out = dict(zip(vc.loc[~ties, "slogan"].astype(str), vc.loc[~ties, "form"]))
    for slogan in pd.unique(vc.loc[ties, "slogan"]):
        variants = m.loc[m["slogan"] == slogan, "variant"].astype(str).value_counts().index
        out[str(slogan)] = next(normalise(v) for v in variants if _JIEBA_WHOLE.match(normalise(v)))
    return out


def lexicon_terms(documents: pd.DataFrame, *, min_docs: int = 1, min_chars: int = 3,
                  max_chars: int = 16, formulations: Formulations | None = None,
                  mentions: pd.DataFrame | None = None) -> tuple[str, ...]:
    """Canonical slogans worth adding to the tokenizer's user dictionary.

    Every family found by :func:`extract_slogans` (cited titles without their 《》) whose
    canonical form — or, when that has punctuation, its family key — is Chinese characters only
    (jieba splits its input at anything else, so such a term could never come out whole) and
    ``min_chars``–``max_chars`` characters long. Two-character formulations are left to jieba
    (they are ordinary words to it). A term containing another term is left out, so that the
    shorter one is still counted inside it (习近平法治思想 in 习近平法治思想学习纲要).

    Parameters
    ----------
    documents : DataFrame
        The documents table (``doc_id``, cleaned ``text``).
    min_docs : int, default 1
        Keep only slogans used in at least this many documents.
    min_chars : int, default 3
        Shortest term.
    max_chars : int, default 16
        Longest term (习近平新时代中国特色社会主义思想 is 16; longer titles would swallow the words
        analysts count inside them).
    formulations : Formulations or None, default None
        Passed to :func:`extract_slogans`.
    mentions : DataFrame or None, default None
        A ready :func:`extract_slogans` result for these documents (skips the extraction).

    Returns
    -------
    tuple of str
        Sorted, unique.
    """
    if mentions is None:
        mentions = extract_slogans(documents, formulations=formulations)
    m = _kept(mentions)
    if m.empty:
        return ()
    n_docs = m.groupby("slogan")["doc_id"].nunique()
    n_docs = n_docs[n_docs >= min_docs]
    bare = {str(s): (str(s)[1:-1] if str(s).startswith("《") and str(s).endswith("》") else str(s))
            for s in n_docs.index}
    # variants by use, only for the slogans with punctuation inside (a few of them)
    marked = {s for s, t in bare.items() if not _JIEBA_WHOLE.match(t)}
    written = _most_used_whole(m[m["slogan"].isin(marked)])
    terms = set()
    for slogan, term in bare.items():
        if slogan in marked:
            # punctuation inside: the most used variant written without it, if any
            term = written.get(slogan, "")
        if _JIEBA_WHOLE.match(term) and min_chars <= len(term) <= max_chars:
            terms.add(term)
    # a term containing another one is left out, so the shorter is still counted inside it
    # (习近平法治思想 in 习近平法治思想学习纲要, 放管服 in 放管服改革)
    def contains_other(t: str) -> bool:
        return any(t[i:j] in terms for i in range(len(t))
                   for j in range(i + min_chars, len(t) + 1) if (i, j) != (0, len(t)))

    kept = {t for t in terms if not contains_other(t)}
    return tuple(sorted(kept))
