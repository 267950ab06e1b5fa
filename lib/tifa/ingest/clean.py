"""Clean the decoded text of one report: one paragraph (or heading) per line.

Text extracted from a PDF is hard-wrapped (every printed line is a line of text, often with
blank lines between them and page numbers in the middle of a sentence); text from Word or a web
page usually has one paragraph per line but may carry Markdown syntax, odd spaces and invisible
characters. :func:`clean_text` turns all of them into the same shape:

* one paragraph, heading, title, salutation or signature line per line, separated by a single
  ``"\\n"``, stripped, no blank lines;
* wrapped fragments mended without a space (Chinese has none between words);
* page-number lines (``3``, ``- 3 -``, ``— 3 —``, ``第3页``, ``第 3 页 共 10 页``) and separator
  rules (``---``, ``＿＿＿``) dropped;
* spaces next to a CJK character or CJK punctuation removed (``2022 年`` -> ``2022年``); runs of
  spaces between Latin words or digits reduced to one;
* full-width letters and digits (``Ａ``-``Ｚ``, ``ａ``-``ｚ``, ``０``-``９``) and the ideographic
  space made ASCII; Chinese punctuation (，。、；：？！“”‘’（）《》【】…—) is kept as it is;
* zero-width characters, BOM, soft hyphens and control characters removed, line ends normalised;
* Markdown syntax (``#`` heading markers, emphasis, links, images, rules, list bullets, block
  quotes, trailing two-space line breaks, HTML tags) removed, headings kept as lines of their own.

How wrapped lines are recognised
--------------------------------
A line is joined to the next one when

1. the next line starts with punctuation no Chinese line may start with (``，。、；：）》”`` ...), or
2. the line ends with punctuation that cannot end a paragraph (``，、（《“`` ...), or
3. the line does not end with terminal punctuation (``。！？；：…`` or ``!?;:``, possibly followed
   by closing quotes or brackets) **and** it is "full": its display width (CJK characters count
   two columns) reaches the document's wrap width. A document is taken to be hard-wrapped when at
   least 40 % of its lines lie within 15 % of the 80th percentile of line widths; the wrap width is
   then that percentile and a line is full when it is at least 85 % of it. Otherwise (one
   paragraph per line) a line is full when it is at least 40 columns wide.

and never when the line is a Markdown heading or ends with a Markdown hard break, when the next
line is a heading (``一、``, ``（一）``, ``第一章``, ``1.``, ``（1）``, ``#``) or a bare date, when the line
is a subtitle or delivery line (``——2023年1月12日在…会议上``, ``――…``, ``2023年1月12日在…人民代表大会
…会议上``) or a bracketed note, when it is the document's first line and ends like a title
(``…报告``, ``…总结``, ``…意见``, ``…办法`` ...; in a document that is not hard-wrapped, any of its
first six lines: a 公文 title under its letterhead), or, in a document that is not hard-wrapped,
when it is a numbered heading. Short unterminated lines (titles, headings, salutations,
signatures, dates) therefore stay lines of their own.

In a hard-wrapped document that marks paragraph starts by indentation (two spaces or an
ideographic space on 10-70 % of its lines), an indented line always starts a new paragraph, and a
full line ending with terminal punctuation is continued by a following line that is not indented.
Without indentation a full line that happens to end a sentence exactly at the margin cannot be
told from a paragraph end and is kept as one.
"""

from __future__ import annotations

import re

from tifa.ingest.chrome import known_chrome

__all__ = ["clean_text", "clean_lines", "join_lines", "Line", "display_width"]

#: Formats ``clean_text`` knows; anything else is treated like ``txt``.
FORMATS = ("txt", "md", "docx", "pdf", "html", "csv", "xlsx", "parquet")
_ALIASES = {"markdown": "md", "htm": "html", "text": "txt", "xls": "xlsx", "doc": "docx"}
#: Formats whose extracted text is never Markdown (no detection there).
_NO_MARKDOWN = {"docx", "pdf", "html"}

#: Minimum display width (columns) of a "full" unterminated line in a document that is not
#: hard-wrapped (one paragraph per line, long lines).
SOFT_WRAP_MIN_WIDTH = 40

# ---------------------------------------------------------------- character normalisation
_TRANSLATE: dict[int, int | str | None] = {}
for _c in range(0xFF10, 0xFF1A):  # ０-９
    _TRANSLATE[_c] = _c - 0xFF10 + ord("0")
for _c in range(0xFF21, 0xFF3B):  # Ａ-Ｚ
    _TRANSLATE[_c] = _c - 0xFF21 + ord("A")
for _c in range(0xFF41, 0xFF5B):  # ａ-ｚ
    _TRANSLATE[_c] = _c - 0xFF41 + ord("a")
# spaces of every width -> ASCII space; tab too
for _c in (0x09, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B)):
    _TRANSLATE[_c] = " "
# invisible characters: zero-width, BOM, soft hyphen, direction marks, variation selectors
for _c in (0xFEFF, 0x00AD, 0x180E, 0x034F, *range(0x200B, 0x2010), *range(0x2060, 0x2070),
           *range(0x202A, 0x202F), *range(0xFE00, 0xFE10)):
    _TRANSLATE[_c] = None
# control characters (line breaks are handled before translation)
for _c in (*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0)):
    _TRANSLATE[_c] = None

_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_NEEDS_TRANSLATE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\xa0\xad\t\u034f\u1680\u180e\u2000-\u200f\u202a-\u202f"
    "\u205f-\u206f\u3000\ufe00-\ufe0f\ufeff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
)

# CJK ideographs, kana, hangul, CJK and full-width punctuation, and the punctuation Chinese
# text shares with Western typography (quotes, dashes, ellipsis, middle dot).
_CJK = (
    "\u2e80-\u303f\u3040-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\u2014-\u2027\u00b7\U00020000-\U0003134f"
)
_SPACES = re.compile(r" {2,}")
_SPACE_NEAR_CJK = re.compile(f"(?<=[{_CJK}]) +| +(?=[{_CJK}])")

# display width: characters occupying two columns (East Asian wide/full-width, plus the
# ambiguous punctuation that Chinese typesetting prints full width)
_NARROW = re.compile(
    "[^\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u00b7\U00020000-\U0003fffd]"
)

# ---------------------------------------------------------------- line classes
_PAGE_NUMBER = re.compile(
    r"(?:[-－—–―‐~～·•]\s*)*\d{1,3}(?:\s*[-－—–―‐~～·•])*"  # 3, - 3 -, — 3 —
    r"|[-－—–―‐~～·•]\s*\d{4}\s*[-－—–―‐~～·•]"  # - 1000 -
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页, 第 3 页 共 10 页
    r"|共\s*\d{1,4}\s*页\s*[,，/]?\s*第\s*\d{1,4}\s*页"  # 共10页 第3页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/10
    r"|(?i:page|p\.)\s*\d{1,4}(?:\s*(?i:of|/)\s*\d{1,4})?",  # Page 3 of 10
)
_RULE = re.compile(r"([-*_=—─━＿－~～·.。])(?:\s*\1){2,}")  # ---, ***, ___, ===, ———, ······
_TERMINAL = re.compile(r"(?:[。！？；：!?;:]|…|(?<![0-9])\.)[”’」』）)\]】》〕〉\"']*$")
_CONTINUES = re.compile(r"[，、,（(《“‘【〔〈「『—\-]$")
_NO_START = re.compile(r"^[，。、；：？！）》”’」』】〕〉,.;:?!)\]%％]")
_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、．.]"  # 一、
    r"|[（(][一二三四五六七八九十百]+[）)]"  # （一）
    r"|第[一二三四五六七八九十百零〇两\d]+(?:章|节|部分|篇|编)"  # 第一章, 第一部分
    r"|\d{1,2}(?:[、．]|\.(?!\d))"  # 1.  1、
    r"|[（(]\d{1,2}[）)])"  # （1）
)
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE_ONLY = re.compile(
    rf"(?:\d{{4}}|[〇零○Ｏ一二三四五六七八九]{{4}})年{_NUM}月{_NUM}日"
    r"|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
)
_SUBTITLE = re.compile(r"^(?:——|—|――|―|－－|--)|^[（(【〔][^（(）)]*[）)】〕]$"
                       r"|在.{2,24}人民代表大会.{0,12}(?:会议|大会)上$")
_TITLE_END = re.compile(r"(?:报告|总结|要点|计划|方案|意见|通知|讲话|决定|公报|说明|情况|汇报|规划"
                        r"|办法|规定|细则|批复|通报|通告|公告|决议|条例|纲要)$")
#: A line ending like a title among a document's first lines is never continued.
_TITLE_LINES = 6

# ---------------------------------------------------------------- Markdown
_MD_DETECT = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M)
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_MD_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_MD_BR = re.compile(r"<br\s*/?>", re.I)
_MD_REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_PREFIX = re.compile(r"^\s*(?:>\s*)+|^\s*[-*+][ \t]+")  # block quote, list bullet
_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # <http://...>
    (re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"), ""),  # HTML tags
    (re.compile(r"`+([^`]*)`+"), r"\1"),  # inline code
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # **strong**
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *em*
    (re.compile(r"(?<![A-Za-z0-9_])_(?=\S)(.+?)(?<=\S)_(?![A-Za-z0-9_])"), r"\1"),  # _em_
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # ~~strike~~
]
_MD_INLINE_ANY = re.compile(r"[\[<`*_~\\]")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def display_width(line: str) -> int:
    """Display width of ``line`` in columns: CJK characters and full-width punctuation count two.

    Parameters
    ----------
    line : str
        One line of text.

    Returns
    -------
    int
        Two columns for every wide character, one for every other.
    """
    return 2 * len(line) - len(_NARROW.findall(line))


def _normalise_chars(text: str) -> str:
    text = _NEWLINES.sub("\n", text)
    if _NEEDS_TRANSLATE.search(text):
        text = text.translate(_TRANSLATE)
    return text


def _inline(line: str) -> str:
    """Spaces: collapse runs, drop those next to CJK, strip."""
    if " " in line:
        line = _SPACES.sub(" ", line)
        line = _SPACE_NEAR_CJK.sub("", line).strip()
    return line


def _markdown_line(line: str) -> tuple[str, bool]:
    """Remove inline Markdown from one line; return the text and whether it ends in a hard break."""
    hard = bool(_MD_HARD_BREAK.search(line))
    line = _MD_PREFIX.sub("", line)
    if not _MD_INLINE_ANY.search(line):
        return line, hard
    for pattern, repl in _MD_INLINE:
        if pattern.search(line):
            line = pattern.sub(repl, line)
    line = _MD_ESCAPE.sub(r"\1", line)
    if hard and line.endswith("\\"):
        line = line[:-1]
    return line, hard


# flags of a Line:
_HEADING = 1  # explicit (Markdown) heading: never joined
_HARD = 2  # ends with an explicit line break: never joined to the next line
_INDENT = 4  # starts with an indentation (two spaces, an ideographic space, a tab)


class Line(list):
    """One cleaned, non-empty line of a document, before wrapped lines are joined.

    A list ``[text, width, flags, line_no, source]`` (the cleaner indexes it): ``text`` the
    normalised line (what chrome patterns are matched against), ``width`` its display width
    with its indentation, ``flags`` the heading / hard-break / indentation bits, ``line_no``
    the 1-based number of the line in the decoded text (``raw_text``) it came from, ``source``
    that raw line, stripped.
    """

    __slots__ = ()

    @property
    def text(self) -> str:
        """The normalised line."""
        return self[0]

    @property
    def line_no(self) -> int:
        """1-based line number in the decoded text."""
        return self[3]

    @property
    def source(self) -> str:
        """The line as it was in the decoded text (stripped)."""
        return self[4]


def _lines(text: str, markdown: bool) -> list[Line]:
    """Split into cleaned, non-empty lines with flags (page numbers and rules dropped)."""
    out: list[Line] = []
    prev_nonblank = False
    if markdown and "<" in text:
        text = _MD_BR.sub("  \n", text)
    for line_no, raw in enumerate(text.split("\n"), start=1):
        source = raw
        flags = 0
        if markdown:
            if _MD_SETEXT.match(raw) and out and raw.strip()[0] in "=-" and prev_nonblank:
                out[-1][2] |= _HEADING  # setext heading underline: previous line is a heading
                prev_nonblank = False
                continue
            m = _MD_HEADING.match(raw)
            if m:
                raw = m.group(1)
                flags |= _HEADING
            elif _MD_REFDEF.match(raw) or _MD_TABLE_RULE.match(raw) and "|" in raw:
                prev_nonblank = False
                continue
            raw, hard = _markdown_line(raw)
            if hard:
                flags |= _HARD
            if "|" in raw and raw.strip().startswith("|"):
                raw = raw.replace("|", " ")
        lead = 0
        if raw[:2] == "  ":
            flags |= _INDENT
            lead = min(2 * (len(raw) - len(raw.lstrip(" "))), 8)
        line = _inline(raw.strip(" "))
        prev_nonblank = bool(line)
        if not line:
            continue
        if _PAGE_NUMBER.fullmatch(line) or _RULE.fullmatch(line):
            prev_nonblank = False
            continue
        out.append(Line([line, lead, flags, line_no, source.strip()]))
    return out


def _wrap_width(widths: list[int]) -> int | None:
    """The wrap width of a hard-wrapped document, or None when lines are not hard-wrapped."""
    ws = sorted(w for w in widths if w >= 8)
    if len(ws) < 6:
        return None
    target = ws[int(0.8 * (len(ws) - 1))]
    lo, hi = 0.85 * target, 1.15 * target
    in_band = sum(1 for w in ws if lo <= w <= hi)
    return target if in_band >= 0.4 * len(ws) else None


def _joins(cur: list, nxt: list, full_width: float, *, first: bool, hard: bool,
           indent: bool, head: bool = False) -> bool:
    """Whether line ``cur`` is a wrapped fragment to be continued by ``nxt``.

    ``hard``: the document is hard-wrapped; ``indent``: it marks paragraph starts by indentation.
    """
    if cur[2] & (_HEADING | _HARD) or nxt[2] & _HEADING:
        return False
    a, b = cur[0], nxt[0]
    if _NO_START.match(b):
        return True
    if indent and nxt[2] & _INDENT:
        return False
    if _HEADING_START.match(b) or _DATE_ONLY.fullmatch(b):
        return False
    if _TERMINAL.search(a):
        # a full line ending a sentence continues when paragraphs are marked by indentation
        return indent and cur[1] >= full_width
    if _SUBTITLE.search(a) or ((first or head) and _TITLE_END.search(a)):
        return False
    if not hard and _HEADING_START.match(a):
        return False  # one paragraph per line: a numbered heading is complete
    if _CONTINUES.search(a):
        return True
    return cur[1] >= full_width


def clean_lines(raw: str, *, fmt: str = "txt") -> list[Line]:
    """The cleaned lines of one document, before wrapped lines are joined.

    Characters are normalised, Markdown syntax removed (see :func:`clean_text` for when),
    page numbers and separator rules dropped, blank lines skipped. This is the step where page
    chrome is found (:mod:`tifa.ingest.chrome`): its rules look at whole lines as the copy
    shows them, before a wrapped-line join could glue a toolbar word to the title.

    Parameters
    ----------
    raw : str
        The decoded text, exactly as read (not modified).
    fmt : str, default "txt"
        Where the text came from, as for :func:`clean_text`.

    Returns
    -------
    list of Line
        One :class:`Line` per kept line, in order, each knowing its line number in ``raw``.
    """
    if not isinstance(raw, str):
        raise TypeError(f"clean_lines expects str, got {type(raw).__name__}")
    fmt = _ALIASES.get(str(fmt).lower(), str(fmt).lower())
    text = _normalise_chars(raw)
    markdown = fmt == "md" or (fmt not in _NO_MARKDOWN and bool(_MD_DETECT.search(text)))
    return _lines(text, markdown)


def join_lines(lines: list[Line]) -> str:
    """Join the wrapped fragments among cleaned lines: one paragraph (or heading) per line.

    Parameters
    ----------
    lines : list of Line
        From :func:`clean_lines`, possibly with some lines left out (page chrome). Not modified.

    Returns
    -------
    str
        The cleaned text, as :func:`clean_text` returns it (module docstring: the rules).
    """
    if not lines:
        return ""
    lines = [Line([rec[0], rec[1], rec[2], rec[3], rec[4]]) for rec in lines]
    for rec in lines:  # width on the page: indentation (about two columns a space) included
        rec[1] += display_width(rec[0])
    wrap = _wrap_width([rec[1] for rec in lines])
    full_width = 0.85 * wrap if wrap is not None else SOFT_WRAP_MIN_WIDTH
    indent = False
    if wrap is not None:
        n_indented = sum(1 for rec in lines[1:] if rec[2] & _INDENT)
        indent = n_indented >= 2 and 0.1 <= n_indented / max(len(lines) - 1, 1) <= 0.7

    # in a hard-wrapped text a line may end in 意见 at the margin: only the first line counts
    hard_title = wrap is not None
    paragraphs: list[str] = []
    buf = [lines[0][0]]
    for i in range(len(lines) - 1):
        if _joins(lines[i], lines[i + 1], full_width, first=i == 0, hard=wrap is not None,
                  indent=indent, head=i < _TITLE_LINES and not hard_title):
            buf.append(lines[i + 1][0])
        else:
            paragraphs.append(_join(buf))
            buf = [lines[i + 1][0]]
    paragraphs.append(_join(buf))
    return "\n".join(paragraphs)


def clean_text(raw: str, *, fmt: str = "txt", chrome: bool = False) -> str:
    """Clean the decoded text of one document into one paragraph (or heading) per line.

    Parameters
    ----------
    raw : str
        The decoded text, exactly as read (not modified).
    fmt : str, default "txt"
        Where the text came from: ``txt``, ``md``, ``docx``, ``pdf``, ``html``, ``csv``, ``xlsx``
        or ``parquet`` (``markdown``, ``htm``, ``text`` are accepted as aliases; anything else is
        treated like ``txt``). ``md`` switches Markdown handling on; for ``txt`` and table formats
        it is switched on when a line starts with a Markdown heading marker (``## ``); for
        ``docx``, ``pdf`` and ``html`` never.
    chrome : bool, default False
        Also drop the lines that the known page-chrome patterns of ``data/chrome.txt`` match
        (:func:`tifa.ingest.chrome.known_chrome`). The corpus reader does more: it also drops
        the lines repeated at the edges of many documents and says what it removed
        (:func:`tifa.ingest.corpus.read_corpus`).

    Returns
    -------
    str
        The cleaned text: paragraphs, headings, the title, the salutation and the signature lines
        each on one stripped line, joined by ``"\\n"``, no blank lines; ``""`` for an empty input.
        See the module docstring for the rules.

    Examples
    --------
    >>> clean_text("２０２２ 年工作\\n\\n- 3 -\\n\\n总结。")
    '2022年工作总结。'
    """
    if not isinstance(raw, str):
        raise TypeError(f"clean_text expects str, got {type(raw).__name__}")
    lines = clean_lines(raw, fmt=fmt)
    if chrome:
        marked = known_chrome([rec.text for rec in lines])
        lines = [rec for i, rec in enumerate(lines) if i not in marked]
    return join_lines(lines)


def _join(parts: list[str]) -> str:
    """Join wrapped fragments: no space, except between two Latin letters/digits."""
    if len(parts) == 1:
        return parts[0]
    out = parts[0]
    for p in parts[1:]:
        if out[-1:].isascii() and out[-1:].isalnum() and p[:1].isascii() and p[:1].isalnum():
            out += " " + p
        else:
            out += p
    return out
