"""Metadata read from the cleaned text of one report: title, agency, region, year, date.

Everything here works on the output of :func:`tifa.ingest.clean.clean_text` (one paragraph or heading
per line) and nothing is guessed silently: a field is ``None`` unless a line of the text says it,
and that line is returned as evidence.

Where each field comes from
---------------------------
title
    The first line, after skipping a letterhead (``…文件``), document numbers (``…〔2023〕5号``),
    urgency/secrecy marks, ``附件1`` and bracketed notes, if it looks like a title (at most 80
    characters, no terminal punctuation, not a heading, salutation or date). A title split over
    two lines (``…外事办公室`` + ``关于…的报告``) is joined.
agency
    The signature block at the end: the organ-name line(s) just before the signing date (or on
    the same line as it). Lines from ``抄送``/``印发`` on (the printing block) are ignored, and so is
    any date line ending in ``印发``. Several organ lines before one date (a joint report) are joined
    with ``、``. Without a signature: the organ the title starts with, before ``关于`` or the year
    (``青岛市司法局关于…``, ``聊城市外事办2022年…``); for a speech
    (政府工作报告) the government named in ``我代表…人民政府`` (``我代表省人民政府`` is completed
    with the region, ``山东省人民政府``).
region
    The administrative area at the start of the agency name, else of the organ the title starts
    with (``聊城市外事办2022年…`` -> ``聊城市``), else of the congress in a speech's subtitle
    (``在山东省第十四届人民代表大会…``). Levels recognised:
    省/自治区/特别行政区, 市/自治州/地区/盟, 县/自治县/区/旗/市 (county-level). **Rule:** a
    leading province is dropped when a lower level follows (``山东省聊城市人民政府`` -> ``聊城市``;
    ``广东省深圳市南山区…`` -> ``深圳市南山区``), everything below it is kept (county names are not
    unique without their city). National organs (国务院, ministries) have no region: ``None``.
year
    The year reported on: the first year (1949-2099, Arabic or Chinese numerals) in the title;
    else the first year in a phrase like ``2023年，…``, ``2023年以来``, ``一、2023年主要工作``,
    ``2023年度…`` in the first lines of the text (a year followed by 计划/思路/安排/打算 is a plan,
    not the year reported on); else ``None``. The year is not inferred from the signing date.
date
    The signing date in the signature block: ``2023年2月20日``, ``2023-02-20``, ``2023.2.20``,
    ``2023/2/20`` or Chinese numerals ``二〇二三年二月二十日``; for a speech without signature the
    date in its subtitle (``——2024年1月22日在…会议上``). Impossible dates give ``None``.
"""

from __future__ import annotations

import datetime as _dt
import re

__all__ = [
    "extract_metadata", "parse_date", "region_of", "find_closing", "is_date_line",
    "is_organ_line", "FIELDS",
]

#: The metadata fields, in the order ``missing`` lists them.
FIELDS = ("title", "agency", "region", "year", "date")

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3,
             "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_YEAR = "[〇零○ＯOo一二三四五六七八九]{4}"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"
_DATE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    rf"|(?P<cy>{_CN_YEAR})\s*年\s*(?P<cm>{_CN_SMALL})\s*月\s*(?P<cd>{_CN_SMALL})\s*[日号]"
    r"|(?<!\d)(?P<iy>\d{4})(?P<sep>[-./])(?P<im>\d{1,2})(?P=sep)(?P<id>\d{1,2})(?!\d)"
)
_PRINTED = r"(?:印发|印制|发布|制发)"
_ORGAN_SUFFIX = (
    r"(?:人民政府|政府|办公室|办公厅|委员会|管委会|领导小组|党组|党委|工委|支部|委|局|厅|部|办|院|署"
    r"|中心|处|所|站|队|庭|府|司|公司|集团|学校|大学|协会|联合会|会|室|科|组|馆|社|行)"
)
_ORGAN = re.compile(rf"[\u4e00-\u9fff][\u4e00-\u9fff（）()·]{{1,38}}{_ORGAN_SUFFIX}(?:[（(]盖?章[）)])?")
_DATE_LINE = re.compile(
    rf"(?P<prefix>.*?)(?P<date>{_DATE.pattern})\s*(?P<printed>{_PRINTED})?[。.]?"
)
_CC_LINE = re.compile(
    r"^(?:抄送|抄报|主送|分送|报送|发送|印送|送)[：:]"
    rf"|^.{{0,40}}[\d一二三四五六七八九十]\s*日\s*{_PRINTED}$"
)
_NOTE_LINE = re.compile(r"^[（(][^（()）]{1,40}[）)]$")
_FORMULA_LINE = re.compile(
    r"^(?:(?:特此|专此|谨此)(?:报告|汇报|报送|函告|说明|通知|函复)?|以上(?:报告|汇报).{0,12}"
    r"|妥否，?请.{0,6}|请予审阅|请审阅)[。！.]?$"
)
_ATTACH_LINE = re.compile(r"^(?:附件[：:\d一二三四五六七八九十]|(?:联系人|联系电话|联系方式|电话|传真|邮箱)[：:])")

_PREAMBLE = re.compile(
    r"(?:〔|\[|［|【)\s*\d{4}\s*(?:〕|\]|］|】)\s*\d+\s*号$"  # 聊外办发〔2023〕5号
    r"|^.{2,30}文件$"  # letterhead
    r"|^(?:特急|加急|平急|特提|急件|绝密|机密|秘密|内部|公开)(?:[★☆\s·].*)?$"
    r"|^签发人[：:]"
    r"|^附件\s*\d*[：:]?$"
    r"|^[（(][^（()）]{1,40}[）)]$"
)
_TERMINAL = re.compile(r"[。！？；：!?;:][”’」』）)\]】》〕]*$")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、．.]|[（(][一二三四五六七八九十百]+[）)]"
    r"|第[一二三四五六七八九十百零〇\d]+(?:章|节|部分|篇|编)|\d{1,2}(?:[、．]|\.(?!\d))|[（(]\d{1,2}[）)])"
)
_TITLE_END = re.compile(r"(?:报告|总结|要点|计划|方案|意见|通知|讲话|决定|公报|说明|情况|汇报|规划)$")
_YEAR_TOKEN = re.compile(rf"(?<!\d)(?P<y>19[4-9]\d|20\d\d)(?!\d)|(?P<cy>{_CN_YEAR})年")
_YEAR_PHRASE = re.compile(
    r"(?<!\d)(?P<y>19[4-9]\d|20\d\d)\s*年(?:度)?"
    r"(?!(?:[^，。；]{0,6}(?:计划|思路|安排|打算|目标|展望|要点|部署|任务)))"
    r"(?:[，,是]|以来|上半年|全年|主要|重点|工作|法治|的|度)"
)
_SUBTITLE = re.compile(r"^(?:——|—|－－|--)")
_TITLE_ORGAN = re.compile(r"^(.+?)(?:关于|\d{4}|[〇零○一二三四五六七八九]{4}年)")
_CONGRESS = re.compile(r"在(?P<area>[\u4e00-\u9fff]{2,20}?)第[一二三四五六七八九十百\d]+届人民代表大会")
_ON_BEHALF = re.compile(r"我代表(?P<org>[\u4e00-\u9fff]{0,20}?人民政府)")
_LEVEL_ONLY = re.compile(r"(?:省|自治区|市|自治州|州|地区|盟|县|自治县|区|旗)")

_NAME = "[\u4e00-\u9fff]"
_REGION = re.compile(
    r"(?:中国共产党|中共)?"
    rf"(?P<prov>{_NAME}{{2,3}}省|{_NAME}{{2,8}}?自治区|{_NAME}{{2}}特别行政区)?"
    rf"(?P<pref>{_NAME}{{2,4}}?市|{_NAME}{{2,10}}?自治州|{_NAME}{{2,6}}?地区|{_NAME}{{2,5}}?盟)?"
    rf"(?P<cnty>{_NAME}{{2,10}}?自治县|{_NAME}{{2,8}}?自治旗|{_NAME}{{1,4}}?县|{_NAME}{{2,4}}?区"
    rf"|{_NAME}{{2,6}}?旗|{_NAME}{{2,4}}?市)?"
)
_NATIONAL = re.compile(r"^(?:国务院|中华人民共和国|中央|全国|国家|最高人民)")


def _cn_number(s: str) -> int:
    """Chinese numerals up to 99 (十, 二十, 二十一) or digit by digit (二〇二三)."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    value = 0
    for ch in s:
        value = value * 10 + _CN_DIGIT[ch]
    return value


def _date_from_match(m: re.Match) -> _dt.date | None:
    try:
        if m.group("y"):
            y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        elif m.group("cy"):
            y = _cn_number(m.group("cy"))
            mo, d = _cn_number(m.group("cm")), _cn_number(m.group("cd"))
        else:
            y, mo, d = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
        if not 1949 <= y <= 2099:
            return None
        return _dt.date(y, mo, d)
    except (KeyError, ValueError):
        return None


def parse_date(s: str) -> _dt.date | None:
    """The first date written in ``s``.

    Parameters
    ----------
    s : str
        Text holding a date: ``2023年2月20日``, ``2023 年 2 月 20 日``, ``2023-02-20``,
        ``2023.2.20``, ``2023/2/20`` or ``二〇二三年二月二十日``.

    Returns
    -------
    datetime.date or None
        The date, or None when there is none or it is impossible (``2023年2月30日``).
    """
    m = _DATE.search(s)
    return _date_from_match(m) if m else None


def is_organ_line(line: str) -> bool:
    """Whether ``line`` is just the name of an organ (``聊城市人民政府外事办公室``).

    Parameters
    ----------
    line : str
        One line of cleaned text.

    Returns
    -------
    bool
        True for 2-40 Chinese characters ending in an organ word (政府, 办公室, 委员会, 局, 厅 ...),
        optionally followed by ``（盖章）``.
    """
    return bool(_ORGAN.fullmatch(line))


def is_date_line(line: str) -> bool:
    """Whether ``line`` is a date line of a signature or printing block.

    Parameters
    ----------
    line : str
        One line of cleaned text.

    Returns
    -------
    bool
        True when the line is a date, optionally preceded by an organ name and followed by
        ``印发``/``发布`` (``2023年3月12日印发``, ``聊城市外办2023年2月20日``).
    """
    m = _DATE_LINE.fullmatch(line)
    return bool(m) and (not m.group("prefix") or is_organ_line(m.group("prefix")))


def _is_closing_line(line: str) -> bool:
    return bool(
        is_date_line(line) or is_organ_line(line) or _CC_LINE.search(line)
        or _NOTE_LINE.match(line) or _FORMULA_LINE.match(line) or _ATTACH_LINE.match(line)
    )


def find_closing(lines: list[str], *, max_lines: int = 20) -> int:
    """Index of the first line of the closing block (signature, date, 抄送, 印发 ...).

    Parameters
    ----------
    lines : list of str
        The lines of one cleaned text.
    max_lines : int, default 20
        Look at most this many lines back from the end.

    Returns
    -------
    int
        The index where the trailing run of closing lines starts (closing formulae like
        ``特此报告。``, organ-name lines, date lines, ``抄送：``/``印发`` lines, bracketed notes,
        attachment and contact lines), provided the run holds at least one organ or date line;
        ``len(lines)`` when the text has no such block.
    """
    n = len(lines)
    start = n
    signed = False
    for i in range(n - 1, max(n - 1 - max_lines, -1), -1):
        line = lines[i].strip()
        if not _is_closing_line(line):
            break
        signed = signed or is_date_line(line) or is_organ_line(line)
        start = i
    if not signed or start == 0:
        return n
    return start


def _strip_seal(name: str) -> str:
    return re.sub(r"[（(]盖?章[）)]$", "", name)


def _signature(lines: list[str]) -> tuple[str | None, _dt.date | None, str | None, str | None]:
    """(agency, date, agency evidence, date evidence) from the closing block."""
    block = lines[find_closing(lines):]
    for k, line in enumerate(block):  # the printing block starts at the first 抄送/印发 line
        if _CC_LINE.search(line):
            block = block[:k]
            break
    agency = date = ev_agency = ev_date = None
    for j in range(len(block) - 1, -1, -1):
        m = _DATE_LINE.fullmatch(block[j])
        if not m or m.group("printed"):
            continue
        if m.group("prefix") and not is_organ_line(m.group("prefix")):
            continue
        date = _date_from_match(_DATE.search(m.group("date")))
        ev_date = block[j]
        if m.group("prefix"):
            agency, ev_agency = _strip_seal(m.group("prefix")), block[j]
        else:
            organs = []
            i = j - 1
            while i >= 0 and is_organ_line(block[i]):
                organs.insert(0, _strip_seal(block[i]))
                i -= 1
            if organs:
                agency, ev_agency = "、".join(organs), "\n".join(block[i + 1:j])
        break
    if agency is None:  # an unsigned-date block: the last organ line
        for line in reversed(block):
            if is_organ_line(line):
                agency, ev_agency = _strip_seal(line), line
                break
    return agency, date, ev_agency, ev_date


def _title(lines: list[str]) -> tuple[str | None, int]:
    """(title, index of its last line) from the top of the text."""
    i = 0
    while i < len(lines) and i < 8 and _PREAMBLE.search(lines[i]):
        i += 1
    if i >= len(lines):
        return None, -1

    def titleish(line: str) -> bool:
        return (0 < len(line) <= 80 and not _TERMINAL.search(line) and not _HEADING.match(line)
                and not is_date_line(line) and not line.startswith(("一是", "——")))

    first = lines[i]
    if not titleish(first):
        return None, -1
    if not _TITLE_END.search(first) and i + 1 < len(lines):
        nxt = lines[i + 1]
        if titleish(nxt) and _TITLE_END.search(nxt) and len(first) + len(nxt) <= 80:
            return first + nxt, i + 1
    return first, i


def region_of(name: str) -> str | None:
    """The administrative area at the start of an organ name (or any name).

    Parameters
    ----------
    name : str
        An organ name such as ``聊城市人民政府外事办公室`` or ``山东省聊城市东昌府区教育局``.

    Returns
    -------
    str or None
        The area: province dropped when a lower level follows (``聊城市``, ``聊城市东昌府区``),
        the province itself when nothing follows it (``山东省``); None for national organs
        (国务院, ministries) and names that start with no area (``市外事办``).
    """
    if not name or _NATIONAL.match(name):
        return None
    m = _REGION.match(name)
    if not m:
        return None
    prov, pref, cnty = m.group("prov"), m.group("pref"), m.group("cnty")
    if pref or cnty:
        return (pref or "") + (cnty or "")
    return prov


def _year_in(s: str) -> int | None:
    for m in _YEAR_TOKEN.finditer(s):
        y = int(m.group("y")) if m.group("y") else _cn_number(m.group("cy"))
        if 1949 <= y <= 2099:
            return y
    return None


def extract_metadata(text: str) -> dict:
    """Title, issuing agency, region, year reported on and signing date of one cleaned report.

    Parameters
    ----------
    text : str
        The cleaned text of one report (:func:`tifa.ingest.clean.clean_text`), not modified.

    Returns
    -------
    dict
        ``title`` (str or None), ``agency`` (str or None), ``region`` (str or None), ``year`` (int
        or None), ``date`` (datetime.date or None), ``missing`` (list of the field names that are
        None, in the order title, agency, region, year, date) and ``evidence`` ({field: the line(s)
        the value was read from}, only for fields found). The module docstring says where each
        field comes from.
    """
    lines = [ln.strip() for ln in (text or "").split("\n") if ln.strip()]
    meta: dict = dict.fromkeys(FIELDS)
    evidence: dict[str, str] = {}

    title, title_end = _title(lines)
    if title:
        meta["title"] = title
        evidence["title"] = title

    agency, date, ev_agency, ev_date = _signature(lines)
    if date:
        meta["date"], evidence["date"] = date, ev_date
    if agency:
        meta["agency"], evidence["agency"] = agency, ev_agency
    elif title:  # no signature: the organ the title starts with
        organ = _TITLE_ORGAN.match(title)
        if organ and is_organ_line(organ.group(1)):
            meta["agency"], evidence["agency"] = organ.group(1), title

    head = lines[title_end + 1:title_end + 13]
    # region: agency, title, congress of a speech
    region_sources = [(meta["agency"], evidence.get("agency"))]
    if title:  # the organ the title starts with (before 关于 or the year), if it names one
        organ = _TITLE_ORGAN.match(title)
        if organ and is_organ_line(organ.group(1)) and organ.group(1) != meta["agency"]:
            region_sources.append((organ.group(1), title))
    region_sources += [(m.group("area"), line) for line in head[:4]
                       for m in [_CONGRESS.search(line)] if m]
    for name, ev in region_sources:
        if name:
            region = region_of(name.split("、")[0])
            if region:
                meta["region"], evidence["region"] = region, ev
                break

    # a speech (政府工作报告): agency from 我代表…人民政府, date from the subtitle
    if meta["agency"] is None:
        for line in head:
            m = _ON_BEHALF.search(line)
            if not m:
                continue
            org = m.group("org")
            level = org[: -len("人民政府")]
            if not level:
                break
            if _LEVEL_ONLY.fullmatch(level):
                region = meta["region"]
                if region and region.endswith(level[-1]):
                    meta["agency"], evidence["agency"] = region + "人民政府", line
            elif region_of(org):
                meta["agency"], evidence["agency"] = org, line
                if meta["region"] is None:
                    meta["region"], evidence["region"] = region_of(org), line
            break
    if meta["date"] is None:
        for line in head[:3]:
            if _SUBTITLE.match(line) and _CONGRESS.search(line):
                d = parse_date(line)
                if d:
                    meta["date"], evidence["date"] = d, line
                break

    # year: title first, then a phrase near the top
    if title:
        y = _year_in(title)
        if y:
            meta["year"], evidence["year"] = y, title
    if meta["year"] is None:
        for line in head[:10]:
            if _SUBTITLE.match(line):  # the delivery date of a speech is not the year reported on
                continue
            m = _YEAR_PHRASE.search(line)
            if m:
                meta["year"], evidence["year"] = int(m.group("y")), line
                break

    meta["missing"] = [f for f in FIELDS if meta[f] is None]
    meta["evidence"] = evidence
    return meta
