"""Metadata read from the cleaned text of one document: genre, title, agency, region, year,
date, and per genre the speaker, the 发文字号 and the web page's source and time.

Everything here works on the output of :func:`tifa.ingest.clean.clean_text` (one paragraph or
heading per line) and nothing is guessed silently: a field is ``None`` unless a line of the text
(or, for the web fields, a line of page chrome) says it, and that line is returned as evidence.

Genres (:func:`genre_of`)
-------------------------
Decided from the title first, then the structure, in this order:

* ``政府工作报告``: the title contains 政府工作报告, or the lines under the title hold a delivery
  line (``——…在…人民代表大会…会议上``);
* ``法治政府建设情况报告``: the title contains 法治政府建设 (or 法治政府) and ends in 报告;
* ``通知/意见/办法``: the title ends in a 公文 kind (通知, 意见, 办法, 决定, 规定, 细则, 方案, 批复,
  通报, 通告, 公告, 函, 决议, 条例, 纲要, 规划, 要点), or the document carries a 发文字号;
* ``其他``: anything else (a title-less text too).

Where each field comes from
---------------------------
title
    The first line, after skipping a letterhead (``…文件``), document numbers (``…〔2023〕5号``),
    urgency/secrecy marks, ``附件1`` and bracketed notes, if it looks like a title (at most 80
    characters, no terminal punctuation, not a heading, salutation or date). A title split over
    two lines (``…外事办公室`` + ``关于…的报告``) is joined.
region
    A place named at the start of, in this order: the agency (the 落款), the organ the title
    starts with, the title after its year (``2026年山东省政府工作报告``, ``济南市2026年…``), the
    place of a delivery line (``在湖北第十四届人民代表大会…``), the speaker line (``山东省省长…``).
    Names are matched against China's administrative divisions (:mod:`tifa.ingest.divisions`),
    so 湖北 is 湖北省 and 省长 is no place. **Rule:** the region is the prefecture-level city
    when the name names one (a district government or a department goes with its city:
    ``青岛市市南区人民政府`` -> ``青岛市``), else the county (``沛县``), else the province. A name the
    division list does not know is read by its suffixes (省/自治区, 市/自治州/地区/盟,
    县/区/旗). National organs (国务院, ministries) have no region.
agency
    政府工作报告: the government of the place the report names, ``山东省人民政府`` (the text says
    only ``我代表省人民政府``). Otherwise the 落款: the organ-name line(s) just before the signing
    date (or on the same line as it); lines from ``抄送``/``印发`` on (the printing block) are
    ignored, and so is a date line ending in ``印发``; several organ lines before one date are
    joined with ``、``. A 印发 notice whose attached 办法 follows its 落款 is signed by that inner
    落款. Without a 落款: the organ the title starts with, before ``关于`` or the year.
year
    政府工作报告: the year in the title, else the year of delivery (the report of 2026 is
    delivered in 2026 and reviews 2025). 通知/意见/办法: the year of the 发文字号, else of the title,
    else of the 落款. Others: the year reported on, the first year in the title, else in a phrase
    like ``2023年，…``, ``2023年以来``, ``一、2023年主要工作`` near the top (a year followed by
    计划/思路/安排 is a plan). Chinese numerals (``二〇二三年``) are read by cn2an.
date
    政府工作报告: the date of delivery in the delivery line, in any of its forms (``——2026年1月27日
    在…会议上``, ``――``, no dash, in brackets ``（…）``, broken over two lines, ``二〇二六年一月
    二十七日``). Otherwise the signing date of the 落款 (``2023年2月20日``, ``2023-02-20``,
    ``二〇二三年二月二十日``), never the 印发 date nor the date a web page was published.
speaker
    政府工作报告: the name on the speaker line under the delivery line (``山东省省长 周乃翔``,
    ``省长 王伟中``, ``代市长 …``), without the title.
doc_number
    The 发文字号 as printed (``鲁政发〔2024〕12号``) on a line of the front matter
    (:func:`parse_doc_number` splits it into agency abbreviation, year and number); else from a
    ``文号：`` line of the page chrome.
source_outlet, published
    From the page chrome's web metadata lines: ``来源：``/``信息来源：`` (else ``发布机构：``) gives
    the outlet; ``发布时间：``/``发布日期：`` (else the first date and time on a source line) gives
    ``published``, ISO with the precision the page shows (``2026-02-09T09:45:30``,
    ``2024-03-11T15:02``, ``2025-01-23``). They never give ``date``.

Parts of a document (:func:`line_parts`)
----------------------------------------
Each line is ``front_matter`` (letterhead, 发文字号, title, delivery and speaker lines, the
salutation or addressee line ending in ``：`` right after them), ``signature`` (the closing block
of :func:`find_closing`, and the inner 落款 of a 印发 notice) or ``body`` (the rest).
"""

from __future__ import annotations

import datetime as _dt
import re

from tifa.ingest.divisions import match_place

__all__ = [
    "extract_metadata", "parse_date", "region_of", "find_closing", "is_date_line",
    "is_organ_line", "is_closing_line", "is_preamble_line", "is_heading_line", "is_title_line",
    "is_delivery_line", "genre_of", "line_parts",
    "parse_doc_number", "parse_published", "web_metadata", "FIELDS", "EXTRA_FIELDS", "GENRES", "PARTS",
]

#: The metadata fields every document is checked for, in the order ``missing`` lists them.
FIELDS = ("title", "agency", "region", "year", "date")
#: The fields read for some genres or pages only (``missing`` lists ``speaker`` for a
#: 政府工作报告 and ``doc_number`` for a 通知/意见/办法 when they are not found).
EXTRA_FIELDS = ("genre", "speaker", "doc_number", "source_outlet", "published")
#: The genres, in the order of the rules of :func:`genre_of`.
GENRES = ("政府工作报告", "法治政府建设情况报告", "通知/意见/办法", "其他")
#: The parts of a document (values of :func:`line_parts` and of ``units.part``).
PARTS = ("front_matter", "body", "signature")

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
    r"|第[一二三四五六七八九十百零〇两\d]+(?:章|节|部分|篇|编|条)|\d{1,2}(?:[、．]|\.(?!\d))|[（(]\d{1,2}[）)])"
)
_TITLE_END = re.compile(r"(?:报告|总结|要点|计划|方案|意见|通知|讲话|决定|公报|说明|情况|汇报|规划"
                        r"|办法|规定|细则|批复|通报|通告|公告|决议|条例|纲要|函|指引|意见稿)"
                        r"(?:[（(][^（）()]{1,12}[）)])?$")
_YEAR_TOKEN = re.compile(rf"(?<!\d)(?P<y>19[4-9]\d|20\d\d)(?!\d)|(?P<cy>{_CN_YEAR})年")
_YEAR_PHRASE = re.compile(
    r"(?<!\d)(?P<y>19[4-9]\d|20\d\d)\s*年(?:度)?"
    r"(?!(?:[^，。；]{0,6}(?:计划|思路|安排|打算|目标|展望|要点|部署|任务)))"
    r"(?:[，,是]|以来|上半年|全年|主要|重点|工作|法治|的|度)"
)
_SUBTITLE = re.compile(r"^(?:——|—|――|―|－－|--)")
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


_CN_ZERO = str.maketrans({"○": "〇", "Ｏ": "〇", "O": "〇", "o": "〇", "零": "〇"})


def _cn_number(s: str) -> int:
    """A number written in Chinese numerals: 十, 二十一 or digit by digit (二〇二三), by cn2an."""
    import cn2an  # imported when a Chinese numeral is met: about 0.7 s

    s = s.translate(_CN_ZERO)
    if "十" not in s and "百" not in s:  # a year written digit by digit
        return int("".join(str(cn2an.cn2an(ch, "normal")) if ch != "〇" else "0" for ch in s))
    return int(cn2an.cn2an(s, "normal"))


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
    except (KeyError, ValueError, TypeError):
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


def is_closing_line(line: str) -> bool:
    """Whether ``line`` belongs to a closing block: signature, date, 抄送/印发, note, formula.

    Parameters
    ----------
    line : str
        One line of cleaned text.

    Returns
    -------
    bool
        True for an organ-name line, a date line, a ``抄送：``/``…印发`` line, a bracketed note
        (``（此件公开发布）``), a closing formula (``特此报告。``) or an attachment/contact line.
    """
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
        if not is_closing_line(line):
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


_DOC_NO = re.compile(
    r"(?P<abbr>[\u4e00-\u9fff]{1,12}?)\s*[〔\[［【(（]\s*(?P<year>\d{4})\s*[〕\]］】)）]\s*"
    r"(?P<no>\d{1,5})\s*号"
)
_DELIVERY = re.compile(
    r"^(?:——|—|――|―|－－|--)?\s*[（(]?\s*(?P<date>(?:\d{4}|" + _CN_YEAR + r")\s*年.{1,10}?[日号])?"
    r"\s*在(?P<area>[\u4e00-\u9fff]{2,20}?)第[一二三四五六七八九十百\d]+届人民代表大会"
)
_DELIVERY_END = re.compile(r"(?:会议|大会)上[）)]?$")
_SPEAKER = re.compile(
    r"^(?P<place>[\u4e00-\u9fff]{0,16}?)(?:代理|代)?(?P<role>省长|市长|区长|县长|州长|盟长|旗长|主席)"
    r"\s*(?P<name>[\u4e00-\u9fff][\u4e00-\u9fff·]{1,7})$"
)
_KINDS = re.compile(r"(?:通知|意见|办法|决定|规定|细则|方案|批复|通报|通告|公告|函|决议|条例|纲要|规划"
                    r"|要点)$")
_YEAR_LEAD = re.compile(rf"^(?:(?:19|20)\d\d|{_CN_YEAR})\s*年度?")
_GOV_TITLE = re.compile(r"(?:人民)?政府工作报告$")
_WEB_SOURCE = re.compile(r"(?:信息来源|稿件来源|文章来源|新闻来源|来源)[：:]\s*(?P<v>.+?)"
                         r"(?=\s*(?:发布时间|发布日期|发稿时间|更新时间|发布机构|浏览|阅读|点击|作者|编辑"
                         r"|字号|字体|\d{4}[-/.年])|\s*$)")
_WEB_ORGAN = re.compile(r"发布机构[：:]\s*(?P<v>.+?)(?=\s*(?:成文日期|发布日期|发布时间|文号|索引号)|\s*$)")
_WEB_TIME = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_WEB_PUBLISHED = re.compile(r"(?:发布时间|发布日期|发稿时间|发文日期|时间)[：:]\s*")
_WEB_DOC_NO = re.compile(r"(?:文号|发文字号)[：:]\s*(?P<v>[^\s：:]+?号)")


def is_preamble_line(line: str) -> bool:
    """Whether ``line`` is part of a 公文's head: letterhead, 发文字号, urgency mark, 签发人 …

    Parameters
    ----------
    line : str
        One line of cleaned text.

    Returns
    -------
    bool
        True for ``…文件`` (letterhead), a line ending in a 发文字号 (``鲁政发〔2024〕12号``),
        urgency or secrecy marks, ``签发人：``, ``附件1`` and bracketed notes.
    """
    return bool(_PREAMBLE.search(line.strip()))


def is_heading_line(line: str) -> bool:
    """Whether ``line`` starts with the numbering of a heading (一、 （一） 第一章 第一条 1. （1）).

    Parameters
    ----------
    line : str
        One line of cleaned text.

    Returns
    -------
    bool
    """
    return bool(_HEADING.match(line.strip()))


def is_title_line(line: str) -> bool:
    """Whether ``line`` ends like the title of a report or 公文 (…报告, …通知, …办法（试行）).

    Parameters
    ----------
    line : str
        One line of cleaned text.

    Returns
    -------
    bool
    """
    return bool(_TITLE_END.search(line.strip()))


def is_delivery_line(line: str) -> bool:
    """Whether ``line`` is (the start of) a delivery or subtitle line: ``——…``, ``（…会议上）``.

    Parameters
    ----------
    line : str
        One line of cleaned text.

    Returns
    -------
    bool
    """
    line = line.strip()
    return bool(_SUBTITLE.match(line) or _DELIVERY.search(line)
                or re.match(r"^[（(].{0,40}(?:会议|大会)上[）)]$", line))


def parse_doc_number(text: str) -> tuple[str, int, int] | None:
    """A 发文字号 split into its parts.

    Parameters
    ----------
    text : str
        Text holding a 发文字号, e.g. ``鲁政发〔2024〕12号``.

    Returns
    -------
    (str, int, int) or None
        ``(agency abbreviation, year, number)``: ``("鲁政发", 2024, 12)``; None without one.
    """
    m = _DOC_NO.search(text or "")
    if not m:
        return None
    return m.group("abbr"), int(m.group("year")), int(m.group("no"))


def region_of(name: str) -> str | None:
    """The region an organ name (or any name) starts with.

    Parameters
    ----------
    name : str
        An organ name such as ``聊城市人民政府外事办公室`` or ``山东省聊城市东昌府区教育局``.

    Returns
    -------
    str or None
        The region by the rule of the module notes: the city when one is named (``聊城市`` for
        both examples), else the county, else the province; ``湖北`` is ``湖北省``. Names the
        division list does not know are read by their suffixes. None for national organs
        (国务院, ministries) and names that start with no area (``市外事办``, ``省长``).
    """
    if not name or _NATIONAL.match(name):
        return None
    name = re.sub(r"^(?:中国共产党|中共)", "", name)
    place = match_place(name)
    if place is not None:
        return place.region
    m = _REGION.match(name)
    if not m:
        return None
    prov, pref, cnty = m.group("prov"), m.group("pref"), m.group("cnty")
    return pref or cnty or prov


def _place_full(name: str | None) -> str | None:
    """The most specific place named at the start of ``name`` (``青岛市市南区``), for agencies."""
    if not name:
        return None
    place = match_place(name)
    if place is not None:
        return place.full
    m = _REGION.match(name)
    if not m or not any(m.groups()):
        return None
    return (m.group("pref") or m.group("prov") or "") + (m.group("cnty") or "")


def _year_in(s: str) -> int | None:
    for m in _YEAR_TOKEN.finditer(s):
        y = int(m.group("y")) if m.group("y") else _cn_number(m.group("cy"))
        if 1949 <= y <= 2099:
            return y
    return None


# ---------------------------------------------------------------------------- front matter

def _delivery(lines: list[str], i: int) -> tuple[str, int] | None:
    """The delivery line starting at ``i`` (joined when broken over two lines) and its last index."""
    if i >= len(lines):
        return None
    line = lines[i]
    if _DELIVERY.search(line):
        if not _DELIVERY_END.search(line) and i + 1 < len(lines) and len(lines[i + 1]) <= 20 \
                and _DELIVERY_END.search(lines[i + 1]):
            return line + lines[i + 1], i + 1
        return line, i
    # broken before the congress: ——2026年1月13日在江苏省第十四届人民代表大会 | 第四次会议上
    if i + 1 < len(lines) and _DELIVERY.search(line + lines[i + 1]) \
            and _DELIVERY_END.search(lines[i + 1]) and len(line) <= 60:
        return line + lines[i + 1], i + 1
    return None


def _speaker(line: str) -> tuple[str, str | None] | None:
    """(name, place or None) of a speaker line (``山东省省长周乃翔``, ``省长王伟中``)."""
    m = _SPEAKER.match(line.replace(" ", ""))
    if not m:
        return None
    place = m.group("place")
    if place:
        where = match_place(place)
        if where is None or where.end != len(place):
            return None
    return m.group("name"), place or None


def _front(lines: list[str]) -> dict:
    """What the top of a text holds: indices and values of its front-matter lines."""
    n = len(lines)
    front: set[int] = set()
    info: dict = {"title": None, "delivery": None, "speaker": None, "doc_number": None,
                  "title_end": -1}
    i = 0
    while i < n and i < 8 and _PREAMBLE.search(lines[i]):
        front.add(i)
        if info["doc_number"] is None and _DOC_NO.search(lines[i]):
            info["doc_number"] = lines[i]
        i += 1
    title, end = _title(lines)
    if title is not None:
        info["title"], info["title_end"] = title, end
        front.update(range(i, end + 1))
        i = end + 1
    limit = i + 8
    while i < n and i < limit:
        line = lines[i]
        got = _delivery(lines, i)
        if got is not None and info["delivery"] is None:
            info["delivery"] = got[0]
            front.update(range(i, got[1] + 1))
            i = got[1] + 1
            continue
        sp = _speaker(line)
        if sp is not None and info["speaker"] is None:
            info["speaker"] = (sp[0], sp[1], line)
            front.add(i)
            i += 1
            continue
        if _PREAMBLE.search(line) and not _TERMINAL.search(line):
            if info["doc_number"] is None and _DOC_NO.search(line):
                info["doc_number"] = line
            front.add(i)
            i += 1
            continue
        if line.endswith(("：", ":")) and len(line) <= 160 and not _HEADING.match(line) \
                and not re.search(r"[。！？!?；;]", line):
            front.add(i)  # the salutation (各位代表：) or the addressee ends the front matter
        break
    info["lines"] = front
    return info


def _inner_signature(lines: list[str]) -> tuple[int, int] | None:
    """An organ + date 落款 inside the text, followed by the attached document's title."""
    for j in range(1, len(lines) - 1):
        if not is_date_line(lines[j]) or _DATE_LINE.fullmatch(lines[j]).group("printed"):
            continue
        i = j
        while i - 1 >= 0 and is_organ_line(lines[i - 1]):
            i -= 1
        if i == j and not _DATE_LINE.fullmatch(lines[j]).group("prefix"):
            continue
        k = j + 1
        while k < len(lines) and (_NOTE_LINE.match(lines[k]) or _CC_LINE.search(lines[k])):
            k += 1
        if k < len(lines) and _TITLE_END.search(lines[k]) and not _TERMINAL.search(lines[k]) \
                and len(lines[k]) <= 60:
            return i, k
    return None


def line_parts(lines: list[str]) -> list[str]:
    """The part of a document each line belongs to.

    Parameters
    ----------
    lines : list of str
        The lines of one cleaned text (blank lines left out).

    Returns
    -------
    list of str
        One of :data:`PARTS` per line: ``front_matter`` (letterhead, 发文字号, title, delivery and
        speaker lines, the salutation or addressee ending the head), ``signature`` (the closing
        block, see :func:`find_closing`, and the inner 落款 of a 印发 notice) or ``body``.
    """
    lines = [ln.strip() for ln in lines]
    parts = ["body"] * len(lines)
    for i in _front(lines)["lines"]:
        parts[i] = "front_matter"
    closing = find_closing(lines)
    for i in range(closing, len(lines)):
        parts[i] = "signature"
    inner = _inner_signature(lines[:closing])
    if inner is not None:
        for i in range(*inner):
            if parts[i] == "body":
                parts[i] = "signature"
    return parts


def genre_of(title: str | None, lines: list[str] | None = None, *,
             doc_number: str | None = None) -> str:
    """The genre of a document, by its title and structure (rules: module notes).

    Parameters
    ----------
    title : str or None
        Its title.
    lines : list of str or None, default None
        Its cleaned lines (for the delivery line of a 政府工作报告 with a bare title).
    doc_number : str or None, default None
        Its 发文字号, if it has one.

    Returns
    -------
    str
        One of :data:`GENRES`.
    """
    t = (title or "").strip()
    if "政府工作报告" in t:
        return GENRES[0]
    head = (lines or [])[:12]
    if any(_DELIVERY.search(a + b) for a, b in zip(head, head[1:] + [""])):
        return GENRES[0]
    if "法治政府" in t and t.endswith(("报告", "汇报")):
        return GENRES[1]
    if _KINDS.search(t) or doc_number:
        return GENRES[2]
    return GENRES[3]


# ---------------------------------------------------------------------------- web metadata

def _iso(m: re.Match) -> str | None:
    try:
        _dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    out = f"{int(m.group('y')):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"
    if m.group("H"):
        out += f"T{int(m.group('H')):02d}:{m.group('M')}"
        if m.group("S"):
            out += f":{m.group('S')}"
    return out


def parse_published(text: str) -> str | None:
    """A publication time as ISO text, with the precision it is written with.

    Parameters
    ----------
    text : str
        ``2026-02-09 09:45:30``, ``2024-03-11 15:02``, ``2025年1月23日`` …

    Returns
    -------
    str or None
        ``2026-02-09T09:45:30``, ``2024-03-11T15:02``, ``2025-01-23``; None without a date.
    """
    m = _WEB_TIME.search(str(text or ""))
    return _iso(m) if m else None


def web_metadata(chrome: list[str]) -> dict:
    """Source outlet, publication time and 文号 of a web page, from its chrome lines.

    Parameters
    ----------
    chrome : list of str
        The lines removed as page chrome (:mod:`tifa.ingest.chrome`), in page order.

    Returns
    -------
    dict
        ``source_outlet`` (str or None), ``published`` (ISO str or None, with the page's
        precision), ``doc_number`` (str or None) and ``evidence`` ({field: line}).
    """
    out: dict = {"source_outlet": None, "published": None, "doc_number": None, "evidence": {}}
    ev = out["evidence"]
    for line in chrome:
        m = _WEB_SOURCE.search(line)
        if m and out["source_outlet"] is None and m.group("v").strip():
            out["source_outlet"], ev["source_outlet"] = m.group("v").strip(), line
        m = _WEB_PUBLISHED.search(line)
        if m and out["published"] is None and not line[:m.start()].endswith("成文"):
            t = _WEB_TIME.match(line, m.end())
            if t and _iso(t):
                out["published"], ev["published"] = _iso(t), line
        m = _WEB_DOC_NO.search(line)
        if m and out["doc_number"] is None:
            out["doc_number"], ev["doc_number"] = m.group("v"), line
    if out["source_outlet"] is None:
        for line in chrome:
            m = _WEB_ORGAN.search(line)
            if m:
                out["source_outlet"], ev["source_outlet"] = m.group("v").strip(), line
                break
    if out["published"] is None:  # a date and time on a source line: 来源：长江日报 2025-01-14 07:30
        for line in chrome:
            if "来源" in line or re.match(r"^\d{4}[-/.]\d", line):
                t = _WEB_TIME.search(line)
                if t and _iso(t) and "成文" not in line[:t.start()]:
                    out["published"], ev["published"] = _iso(t), line
                    break
    return out


# ---------------------------------------------------------------------------- the entry point

def _gov_place(info: dict, title: str | None) -> tuple[str | None, str | None, str | None]:
    """(region, full place, evidence) of a 政府工作报告: title, delivery line, speaker line."""
    sources = []
    if title:
        sources.append((_YEAR_LEAD.sub("", title), title))
    if info["delivery"]:
        m = _DELIVERY.search(info["delivery"])
        sources.append((m.group("area"), info["delivery"]))
    if info["speaker"] and info["speaker"][1]:
        sources.append((info["speaker"][1], info["speaker"][2]))
    for name, ev in sources:
        if _GOV_TITLE.fullmatch(name or ""):
            continue
        region = region_of(name)
        if region:
            return region, _place_full(name), ev
    return None, None, None


def extract_metadata(text: str, *, chrome: list[str] | None = None) -> dict:
    """Genre, title, agency, region, year, date and the genre's own fields of one document.

    Parameters
    ----------
    text : str
        The cleaned text of one document (:func:`tifa.ingest.clean.clean_text`), not modified.
    chrome : list of str or None, default None
        The page-chrome lines removed from it (web metadata: ``来源：``, ``发布时间：`` …), for
        ``source_outlet``, ``published`` and a ``文号：`` line.

    Returns
    -------
    dict
        ``genre`` (str, one of :data:`GENRES`), ``title``, ``agency``, ``region`` (str or None),
        ``year`` (int or None), ``date`` (datetime.date or None), ``speaker``, ``doc_number``,
        ``source_outlet``, ``published`` (str or None), ``missing`` (the fields of
        :data:`FIELDS` that are None, in that order, then ``speaker`` for a 政府工作报告 and
        ``doc_number`` for a 通知/意见/办法 without one) and ``evidence`` ({field: the line(s)
        the value was read from}, only for fields found). The module notes say where each field
        comes from.
    """
    lines = [ln.strip() for ln in (text or "").split("\n") if ln.strip()]
    meta: dict = dict.fromkeys(FIELDS + EXTRA_FIELDS)
    evidence: dict[str, str] = {}
    info = _front(lines)
    title = info["title"]
    if title:
        meta["title"], evidence["title"] = title, title
    web = web_metadata(list(chrome or ()))
    for f in ("source_outlet", "published"):
        if web[f] is not None:
            meta[f], evidence[f] = web[f], web["evidence"][f]
    if info["doc_number"]:
        m = _DOC_NO.search(info["doc_number"])
        meta["doc_number"], evidence["doc_number"] = m.group(0).replace(" ", ""), info["doc_number"]
    elif web["doc_number"]:
        meta["doc_number"], evidence["doc_number"] = web["doc_number"], web["evidence"]["doc_number"]
    genre = genre_of(title, lines, doc_number=meta["doc_number"])
    meta["genre"] = genre
    if info["speaker"] and genre == GENRES[0]:
        meta["speaker"], evidence["speaker"] = info["speaker"][0], info["speaker"][2]

    if genre == GENRES[0]:
        _government_report(lines, info, meta, evidence)
    else:
        _signed_document(lines, info, meta, evidence)

    missing = [f for f in FIELDS if meta[f] is None]
    if genre == GENRES[0] and meta["speaker"] is None:
        missing.append("speaker")
    if genre == GENRES[2] and meta["doc_number"] is None:
        missing.append("doc_number")
    meta["missing"] = missing
    meta["evidence"] = evidence
    return meta


def _government_report(lines: list[str], info: dict, meta: dict, evidence: dict) -> None:
    title = meta["title"]
    region, full, ev = _gov_place(info, title)
    head = lines[info["title_end"] + 1:info["title_end"] + 13]
    if region:
        meta["region"], evidence["region"] = region, ev
    on_behalf = next(((m, line) for line in head for m in [_ON_BEHALF.search(line)] if m), None)
    if full:
        meta["agency"] = full + "人民政府"
        evidence["agency"] = on_behalf[1] if on_behalf else ev
    elif on_behalf and region_of(on_behalf[0].group("org")):
        org = on_behalf[0].group("org")
        meta["agency"], evidence["agency"] = org, on_behalf[1]
        meta["region"], evidence["region"] = region_of(org), on_behalf[1]
    if info["delivery"]:
        d = parse_date(info["delivery"])
        if d:
            meta["date"], evidence["date"] = d, info["delivery"]
    if title and _year_in(title):
        meta["year"], evidence["year"] = _year_in(title), title
    elif meta["date"] is not None:
        meta["year"], evidence["year"] = meta["date"].year, evidence["date"]


def _signed_document(lines: list[str], info: dict, meta: dict, evidence: dict) -> None:
    title = meta["title"]
    closing = find_closing(lines)
    signed = any(is_date_line(ln) for ln in lines[closing:])
    inner = None if signed else _inner_signature(lines[:closing])
    agency, date, ev_agency, ev_date = _signature(lines[:inner[1]] if inner else lines)
    if date:
        meta["date"], evidence["date"] = date, ev_date
    if agency:
        meta["agency"], evidence["agency"] = agency, ev_agency
    elif title:  # no signature: the organ the title starts with
        organ = _TITLE_ORGAN.match(title)
        if organ and is_organ_line(organ.group(1)):
            meta["agency"], evidence["agency"] = organ.group(1), title

    region_sources = [(meta["agency"], evidence.get("agency"))]
    if title:
        organ = _TITLE_ORGAN.match(title)
        if organ and is_organ_line(organ.group(1)) and organ.group(1) != meta["agency"]:
            region_sources.append((organ.group(1), title))
    for name, ev in region_sources:
        if name:
            region = region_of(name.split("、")[0])
            if region:
                meta["region"], evidence["region"] = region, ev
                break
    if meta["region"] is None and title:  # a place the title names after its year
        place = match_place(_YEAR_LEAD.sub("", title))
        if place is not None:
            meta["region"], evidence["region"] = place.region, title

    if meta["genre"] == GENRES[2] and meta["doc_number"]:
        parsed = parse_doc_number(meta["doc_number"])
        if parsed:
            meta["year"], evidence["year"] = parsed[1], evidence["doc_number"]
    if meta["year"] is None and title:
        y = _year_in(title)
        if y:
            meta["year"], evidence["year"] = y, title
    if meta["year"] is None and meta["genre"] != GENRES[2]:
        head = lines[info["title_end"] + 1:info["title_end"] + 13]
        for line in head[:10]:
            if _SUBTITLE.match(line):
                continue
            m = _YEAR_PHRASE.search(line)
            if m:
                meta["year"], evidence["year"] = int(m.group("y")), line
                break
    if meta["year"] is None and meta["genre"] == GENRES[2] and meta["date"] is not None:
        meta["year"], evidence["year"] = meta["date"].year, evidence["date"]
