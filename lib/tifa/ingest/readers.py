"""Readers: one function per file format, bytes on disk -> decoded text (or a table).

Every text reader returns ``(text, encoding)``: the decoded text exactly as found (no
cleaning; :mod:`tifa.ingest.clean` does that later) and the name of the text encoding that was
detected, or the container format for binary formats (``"docx"``, ``"pdf"``). Table readers
return ``(DataFrame, encoding)``. A file that cannot be read raises :class:`ReadError`
whose ``reason`` is a sentence a person understands ("file is empty", "looks like a binary
file, not text", ...); :func:`tifa.ingest.corpus.read_corpus` turns it into a row of the ingest
report.

Files are only ever opened for reading: each reader reads the bytes once and hands them to
the parsing library in memory, so nothing (no cache, no lock file) is written next to them.

Text encodings are detected by :func:`decode_bytes`:

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides;
2. NUL bytes mean UTF-16 without BOM when they sit on one side of the 2-byte code units
   and the result reads as text; otherwise the file is binary;
3. strict UTF-8;
4. BOM-less UTF-16 without NUL bytes (pure CJK text): accepted only when the result reads as
   Chinese (mostly common ideographs, some Chinese punctuation);
5. a high share of control bytes means binary;
6. strict GB18030 (the superset of GB2312 and GBK, so GBK files are always read as
   ``gb18030``) when the result looks like simplified Chinese: nearly all non-ASCII
   characters are GB2312 ideographs or CJK punctuation;
7. charset-normalizer arbitrates what remains (Big5, Windows-1252, ...);
8. GB18030 again if it decoded strictly (e.g. traditional characters in a GBK file);
9. line by line, each line UTF-8 else GB18030, when every line decodes, both occur and the
   GB18030 lines look like simplified Chinese: a file pasted together from exports in both
   encodings (a CSV with some rows saved as GBK); the encoding is ``utf-8+gb18030``;
10. otherwise "cannot decode".
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd

__all__ = [
    "ReadError",
    "TEXT_FORMATS",
    "TABLE_FORMATS",
    "decode_bytes",
    "read_text",
    "read_docx",
    "read_pdf",
    "read_html",
    "read_html_page",
    "read_document",
    "read_csv",
    "read_xlsx",
    "read_parquet",
    "read_table",
]

#: File extensions read as one document per file, mapped to their reader's format name.
TEXT_FORMATS = {"txt": "txt", "md": "md", "docx": "docx", "pdf": "pdf", "html": "html", "htm": "html"}
#: File extensions read as tables of documents (one document per row).
TABLE_FORMATS = {"csv": "csv", "xlsx": "xlsx", "parquet": "parquet"}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAMPLE_BYTES = 65536
_SAMPLE_CHARS = 20000


class ReadError(Exception):
    """A file could not be read; ``reason`` says why, in words a person understands.

    Parameters
    ----------
    reason : str
        The explanation, e.g. ``"file is empty"``.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- bytes -> text

_BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE BOM
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# control characters that do not occur in text (tab, newlines, vertical tab, form feed and
# ESC are allowed), plus C1 controls and the replacement character
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]")
_CONTROL_BYTES = bytes(list(range(0x00, 0x09)) + list(range(0x0E, 0x1B)) + list(range(0x1C, 0x20)) + [0x7F])

_HAN_RANGES = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x3134F),
)
# punctuation and symbols common in Chinese documents (CJK punctuation, full-width forms,
# general punctuation, middle dot, multiplication sign, circled/roman numerals, shapes, stars)
_CJK_PUNCT_RANGES = (
    (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2010, 0x203B), (0x00B7, 0x00B7), (0x00D7, 0x00D7),
    (0x00F7, 0x00F7), (0x2160, 0x217F), (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x2605, 0x2606),
    (0x00A0, 0x00A0),
)


def _in_ranges(cp: int, ranges) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _is_han(ch: str) -> bool:
    return _in_ranges(ord(ch), _HAN_RANGES)


def _bad_share(text: str) -> float:
    """Share of characters that never occur in text (controls, U+FFFD), on a sample."""
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return 0.0
    return len(_BAD_CHARS.findall(sample)) / len(sample)


def _plausible(text: str) -> bool:
    """True when the decoded text has (almost) no characters that never occur in text."""
    sample = text[:_SAMPLE_CHARS]
    if _bad_share(sample) > 0.01:
        return False
    # private-use, unassigned and surrogate code points betray a wrong decoding
    odd = sum(1 for ch in sample if ord(ch) > 0x7F and unicodedata.category(ch) in ("Co", "Cn", "Cs"))
    return odd <= max(2, 0.01 * len(sample))


_GB2312_CACHE: dict[str, bool] = {}


def _in_gb2312(ch: str) -> bool:
    hit = _GB2312_CACHE.get(ch)
    if hit is None:
        try:
            ch.encode("gb2312")
            hit = True
        except UnicodeEncodeError:
            hit = False
        _GB2312_CACHE[ch] = hit
    return hit


# GB2312 rows that real Chinese reports hardly use, but Big5 or Latin bytes decoded as GB18030
# land in: kana, Greek, Cyrillic, box drawing, bopomofo, accented Latin (pinyin), private use
_UNLIKELY_IN_GB_TEXT = ((0x3040, 0x30FF), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x2500, 0x257F),
                        (0x3100, 0x312F), (0x00C0, 0x024F), (0xE000, 0xF8FF))


def _looks_simplified_chinese(text: str) -> bool:
    """True when nearly all non-ASCII characters are GB2312 characters in everyday use
    (ideographs, punctuation, symbols) or GB18030's 4-byte ideographs (𠮷).

    Big5 or Latin text forced through GB18030 decodes into kana, Greek, box drawing and rare
    GBK-only ideographs; genuine GB-encoded Chinese does not.
    """
    sample = [ch for ch in text[:_SAMPLE_CHARS] if ord(ch) > 0x7F]
    if not sample:
        return True
    good = 0
    for ch in sample:
        cp = ord(ch)
        if _in_ranges(cp, _CJK_PUNCT_RANGES) or (cp > 0xFFFF and _is_han(ch)):
            good += 1
        elif _in_gb2312(ch) and not _in_ranges(cp, _UNLIKELY_IN_GB_TEXT):
            good += 1
    return good >= 0.9 * len(sample)


_ZH_PUNCT = set("，。、；：？！“”（）《》")


def _reads_as_chinese(text: str) -> bool:
    """Mostly common ideographs (U+4E00-9FFF) and some Chinese punctuation.

    Used for BOM-less UTF-16 without NUL bytes: ASCII text read as UTF-16 also turns into
    ideographs ("Bush hid the facts"), but never into Chinese punctuation.
    """
    sample = [ch for ch in text[:_SAMPLE_CHARS] if not ch.isspace()]
    if not sample:
        return False
    han = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    punct = sum(1 for ch in sample if ch in _ZH_PUNCT)
    return han >= 0.5 * len(sample) and punct >= 0.01 * len(sample)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf16_by_nul_pattern(data: bytes) -> tuple[str, str] | None:
    """BOM-less UTF-16: NUL bytes mostly on the high-byte side of the code units, and the
    decoded text reads as text."""
    sample = data[: _SAMPLE_BYTES - (_SAMPLE_BYTES % 2)]
    if len(data) % 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if even + odd == 0:
        return None
    # ASCII 'A' is 41 00 in LE; CJK code units like U+4E00 (00 4E) put some NULs on the other side
    if odd >= 2 * even:
        encoding = "utf-16-le"
    elif even >= 2 * odd:
        encoding = "utf-16-be"
    else:
        return None
    text = _strict(data, encoding)
    if text is None or not _plausible(text):
        return None
    return text, encoding


def _canonical(encoding: str) -> str:
    """Python's canonical codec name (``big5``, ``cp1252`` ...), with ``_`` as ``-``."""
    try:
        return codecs.lookup(encoding).name.replace("_", "-")
    except LookupError:
        return encoding


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file, detecting the encoding.

    See the module docstring for the order of the checks. A byte-order mark is removed from
    the text. Line endings and everything else are left exactly as found.

    Parameters
    ----------
    data : bytes
        The file's content.

    Returns
    -------
    (str, str)
        The text and the encoding's name: ``utf-8``, ``utf-8-sig``, ``utf-16-le``,
        ``utf-16-be``, ``utf-32-le``, ``utf-32-be``, ``gb18030``, the codec charset-normalizer
        settled on (``big5``, ``cp1252`` ...), or ``utf-8+gb18030`` for a file whose lines are
        in either.

    Raises
    ------
    ReadError
        "file is empty", "looks like a binary file, not text", or "cannot decode: not UTF-8,
        GB18030 or UTF-16".
    """
    if not data:
        raise ReadError("file is empty")

    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], encoding.replace("-sig", ""))
            if text is None:
                raise ReadError(f"cannot decode: the file starts with a {encoding.upper().replace('-SIG', '')} "
                                "byte-order mark but is not valid in that encoding")
            return text, encoding

    if b"\x00" in data:
        found = _utf16_by_nul_pattern(data)
        if found is None:
            raise ReadError("looks like a binary file, not text")
        return found

    text = _strict(data, "utf-8")
    if text is not None:
        if _bad_share(text) > 0.05:
            raise ReadError("looks like a binary file, not text")
        return text, "utf-8"

    if len(data) % 2 == 0:
        for encoding in ("utf-16-le", "utf-16-be"):
            text = _strict(data, encoding)
            if text is not None and _plausible(text) and _reads_as_chinese(text):
                return text, encoding

    sample = data[:_SAMPLE_BYTES]
    if len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > 0.05 * len(sample):
        raise ReadError("looks like a binary file, not text")

    gb_text = _strict(data, "gb18030")
    if gb_text is not None and _plausible(gb_text) and _looks_simplified_chinese(gb_text):
        return gb_text, "gb18030"

    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # the arbiter failing is no reason to give up
        best = None
    if best is not None and best.encoding:
        encoding = _canonical(best.encoding)
        text = _strict(data, encoding)
        if text is None:
            text = str(best)
        if text.startswith("\ufeff"):
            text = text[1:]
        if _plausible(text):
            return text, encoding

    if gb_text is not None and _plausible(gb_text):
        return gb_text, "gb18030"
    mixed = _decode_lines(data)
    if mixed is not None:
        return mixed, "utf-8+gb18030"
    raise ReadError("cannot decode: not UTF-8, GB18030 or UTF-16")


def _decode_lines(data: bytes) -> str | None:
    """A file whose lines are UTF-8 or GB18030, some of each; None if it is not one.

    The byte ``\\n`` never occurs inside a GB18030 or UTF-8 multi-byte character, so splitting
    on it is safe in both.
    """
    parts: list[str] = []
    gb_lines: list[str] = []
    utf8 = False
    for line in data.split(b"\n"):
        text = _strict(line, "utf-8")
        if text is not None:
            utf8 = utf8 or not line.isascii()
        else:
            text = _strict(line, "gb18030")
            if text is None:
                return None
            gb_lines.append(text)
        parts.append(text)
    if not utf8 or not gb_lines:
        return None
    text = "\n".join(parts)
    if not _plausible(text) or not _looks_simplified_chinese("\n".join(gb_lines)):
        return None
    return text


# --------------------------------------------------------------------------- file readers

def _read_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, opened read-only; an unreadable file becomes a ReadError."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise ReadError("file not found") from None
    except IsADirectoryError:
        raise ReadError("is a folder, not a file") from None
    except PermissionError:
        raise ReadError("cannot open: permission denied") from None
    except OSError as exc:
        raise ReadError(f"cannot open: {exc.strerror or exc}") from None


def _read_content(path: str | os.PathLike, *, office: tuple[str, str] | None = None) -> bytes:
    """The bytes of a binary document: a ReadError when it is empty, and for an Office Open
    XML file (``office=(kind, legacy extension)``) when it is not one (:func:`_zip_reason`)."""
    data = _read_bytes(path)
    if not data:
        raise ReadError("file is empty")
    reason = _zip_reason(data, *office) if office else None
    if reason:
        raise ReadError(reason)
    return data


@contextlib.contextmanager
def _invalid(what: str):
    """Turn whatever the parsing library raises into ``ReadError("not a valid <what> (...)")``."""
    try:
        yield
    except Exception as exc:  # parsing libraries raise assorted errors on broken files
        raise ReadError(f"not a valid {what} ({_short(exc)})") from None


def _by_extension(path: str | os.PathLike, readers: dict, kind: str):
    """Call the reader of ``readers`` that the file's extension (case-insensitive) names."""
    ext = Path(path).suffix.lower().lstrip(".")
    reader = readers.get(ext)
    if reader is None:
        raise ReadError(f"not a supported {kind} type (.{ext})" if ext else
                        f"not a supported {kind} type (no file extension)")
    return reader(path)


def read_text(path: str | os.PathLike) -> tuple[str, str]:
    """Read a plain-text file (``.txt``, ``.md``), detecting its encoding.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (str, str)
        The decoded text (byte-order mark removed, nothing else changed) and its encoding
        (see :func:`decode_bytes`).

    Raises
    ------
    ReadError
        When the file is empty, binary or undecodable.
    """
    return decode_bytes(_read_bytes(path))


def _zip_reason(data: bytes, kind: str, legacy: str) -> str | None:
    """A reason why ``data`` is not an Office Open XML file, or None if it is a zip."""
    if data.startswith(_OLE_MAGIC):
        return (f"not a valid .{kind} file (it is an OLE2 file: a legacy {legacy} or a "
                f"password-protected document; save it as .{kind} without a password)")
    if not data.startswith(b"PK"):
        return f"not a valid .{kind} file (not a zip archive)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            bad = zf.testzip()
            names = set(zf.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError):
        return f"not a valid .{kind} file (zip archive is corrupt)"
    if bad is not None:
        return f"not a valid .{kind} file (zip archive is corrupt: {bad})"
    if "[Content_Types].xml" not in names:
        return f"not a valid .{kind} file (a zip archive, but not an Office document)"
    return None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_P, _W_T, _W_TAB, _W_BR, _W_CR, _W_NBH = (_W + t for t in ("p", "t", "tab", "br", "cr", "noBreakHyphen"))


def _paragraph_text(p) -> str:
    """Text of one w:p: its runs' text, tabs and breaks, not that of nested paragraphs
    (text boxes), not deleted text (w:delText) and not field codes (w:instrText)."""
    parts = []
    for el in p.iter(_W_T, _W_TAB, _W_BR, _W_CR, _W_NBH):
        anc = el.getparent()
        while anc is not None and anc.tag != _W_P:
            anc = anc.getparent()
        if anc is not p:
            continue
        if el.tag == _W_T:
            parts.append(el.text or "")
        elif el.tag == _W_TAB:
            parts.append("\t")
        elif el.tag == _W_NBH:
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def read_docx(path: str | os.PathLike) -> tuple[str, str]:
    """Read a Word ``.docx`` file: every paragraph of the body on its own line.

    Paragraphs are taken in document order wherever they sit: body paragraphs (headings keep
    their own lines), table cells (row by row, each cell paragraph on its own line), content
    controls and text boxes. Tracked insertions are kept, tracked deletions and field codes
    are not. Headers, footers, footnotes and comments are left out. Empty paragraphs stay as
    empty lines.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (str, str)
        The text (paragraphs joined by ``"\\n"``) and ``"docx"``.

    Raises
    ------
    ReadError
        When the file is empty, not a zip archive, a corrupt archive, a legacy ``.doc`` or
        encrypted document, or not a Word document.
    """
    data = _read_content(path, office=("docx", ".doc"))
    with _invalid(".docx file"):
        import docx

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        lines = [_paragraph_text(p) for p in body.iter(_W_P)]
    return "\n".join(lines), "docx"


def read_pdf(path: str | os.PathLike) -> tuple[str, str]:
    """Read a PDF's text layer with pdfplumber, page by page.

    Lines wrapped by the layout stay wrapped here; :func:`tifa.ingest.clean.clean_text` mends them.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (str, str)
        The text of all pages joined by ``"\\n"`` and ``"pdf"``.

    Raises
    ------
    ReadError
        When the file is empty, not a PDF, corrupt, password-protected, or has no text
        layer at all ("no text layer (scanned PDF?) — OCR it first").
    """
    data = _read_content(path)
    if b"%PDF-" not in data[:1024]:
        raise ReadError("not a valid PDF file (no %PDF header)")
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:
        chain = [exc, *[a for a in exc.args if isinstance(a, BaseException)], exc.__cause__ or exc.__context__]
        message = " ".join(f"{type(e).__name__} {e}" for e in chain if e is not None).lower()
        if "password" in message or "encrypt" in message:
            raise ReadError("PDF is encrypted (password-protected); decrypt it first") from None
        raise ReadError(f"not a valid PDF file ({_short(exc)})") from None
    if not pages:
        raise ReadError("PDF has no pages")
    if not any(page.strip() for page in pages):
        raise ReadError("no text layer (scanned PDF?) — OCR it first")
    return "\n".join(pages), "pdf"


_META_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB_ALIASES = {"gb2312", "gbk", "gb-2312", "gb_2312", "x-gbk", "cp936", "ms936", "gb2312-80", "euc-cn", "hz-gb-2312"}

_HTML_DROP = ("script", "style", "noscript", "template", "head", "svg", "iframe", "canvas",
              "object", "embed")
_HTML_BLOCKS = (
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "footer", "header", "menu", "nav",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "hgroup", "hr", "html", "legend", "li", "main", "ol", "option", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
)
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


def _decode_html(data: bytes) -> tuple[str, str]:
    """Encoding of an HTML page: BOM, else the declared charset if it decodes, else detection."""
    if not data:
        raise ReadError("file is empty")
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return decode_bytes(data)
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared = match.group(1).decode("ascii", "replace").lower()
        encoding = "gb18030" if declared in _GB_ALIASES else _canonical(declared)
        text = _strict(data, encoding)
        if text is not None and b"\x00" not in data and _plausible(text):
            return text, encoding
    return decode_bytes(data)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and not ("\uac00" <= ch <= "\ud7a3")


def _collapse_space(match: re.Match) -> str:
    """HTML white-space collapsing; a line break between two wide (CJK) characters vanishes,
    as the CSS segment-break rules say, so source wrapping does not put spaces into Chinese."""
    run, s, start, end = match.group(0), match.string, match.start(), match.end()
    if ("\n" in run or "\r" in run) and 0 < start and end < len(s) and _wide(s[start - 1]) and _wide(s[end]):
        return ""
    return " "


#: Page-level elements whose text is page chrome (rule ``html_<tag>``) unless inside the article.
_HTML_CHROME_TAGS = ("nav", "aside", "header", "footer")
_MARK = re.compile("\x01(\\w+)\x02")
#: An element holds the article when its paragraphs (``p``, headings, ``div`` with text and no
#: block children) carry at least this share of the page's text.
_ARTICLE_SHARE = 0.5


def _own_text(tag) -> int:
    return len("".join(tag.find_all(string=True, recursive=False)).strip())


def _article(soup):
    """The element holding the article: ``<article>``/``<main>`` if one holds most of the text,
    else the element whose child paragraphs hold the most text (readability's scoring)."""
    total = len(soup.get_text(strip=True)) or 1
    for name in ("article", "main"):
        cands = [t for t in soup.find_all(name) if len(t.get_text(strip=True)) >= _ARTICLE_SHARE * total]
        if cands:
            return cands[-1]
    scores: dict = {}
    for p in soup.find_all(("p", "h1", "h2", "h3", "pre", "blockquote")):
        n = len(p.get_text(strip=True))
        parent = p.parent
        if parent is not None and n:
            scores[id(parent)] = (scores.get(id(parent), (0, parent))[0] + n, parent)
    if not scores:
        return None
    best_n, best = max(scores.values(), key=lambda v: v[0])
    return best if best_n >= 0.3 * total and best.name not in ("body", "html", "[document]") else None


def _visible_strings(tag) -> list:
    from bs4.element import PreformattedString  # comments, doctype, CDATA …

    return [s for s in tag.find_all(string=True) if not isinstance(s, PreformattedString)]


def _mark_strings(tag, rule: str) -> None:
    for s in _visible_strings(tag):
        if s.strip():
            s.replace_with("\x01" + rule + "\x02" + str(s))


def read_html_page(path: str | os.PathLike) -> tuple[str, str, dict[int, str]]:
    """Read an HTML page's visible text, one block per line, and say which lines are page chrome.

    The text is what :func:`read_html` returns. A line is chrome when its text comes from a
    ``nav``, ``aside`` or page-level ``header``/``footer`` element (rule ``html_nav``,
    ``html_aside`` …), or from outside the element holding the article (``html_outside``): the
    ``<article>`` or ``<main>`` element when one holds most of the page's text, else the element
    whose child paragraphs hold the most text (as readability scores a page). A heading outside
    the article that repeats the page's ``<title>`` (its start) is the title and no chrome.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (str, str, dict)
        The text, its encoding (as :func:`read_html`) and ``{line number (1-based): rule}`` for
        the chrome lines.

    Raises
    ------
    ReadError
        As :func:`read_html`.
    """
    text, encoding = _decode_html(_read_bytes(path))
    with _invalid("HTML page"):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(text.replace("\x00", "").replace("\x01", "").replace("\x02", ""),
                             "lxml")
        page_title = soup.title.get_text(strip=True) if soup.title else ""
        for tag in soup.find_all(_HTML_DROP):
            tag.decompose()
        article = _article(soup)
        for tag in soup.find_all(_HTML_CHROME_TAGS):
            if tag.find_parent(("article", "main")) is None and (
                    article is None or article not in tag.parents and tag is not article):
                _mark_strings(tag, "html_" + tag.name)
        if article is not None:
            inside = {id(s) for s in _visible_strings(article)}
            for s in _visible_strings(soup):
                if id(s) in inside or not s.strip() or str(s).startswith("\x01"):
                    continue
                parent = s.parent
                if (parent is not None and parent.name in ("h1", "h2", "h3") and page_title
                        and page_title.startswith(s.strip()[:12])):
                    continue
                s.replace_with("\x01html_outside\x02" + str(s))
        lines = _html_lines(soup)
    marks: dict[int, str] = {}
    out = []
    for n, line in enumerate(lines, start=1):
        m = _MARK.search(line)
        if m:
            plain = _MARK.sub("", line).strip()
            marked = "".join(seg for seg in re.findall("\x01\\w+\x02([^\x01]*)", line)).strip()
            if len(marked) * 2 >= len(plain):
                marks[n] = m.group(1)
            line = plain
        out.append(line)
    return "\n".join(out), encoding, marks


def _html_lines(soup) -> list[str]:
    """The visible lines of a parsed page (blocks and ``<br>`` end lines; space collapsed)."""
    for pre in soup.find_all("pre"):
        for s in pre.find_all(string=True):
            s.replace_with(s.replace("\r\n", "\n").replace("\n", "\x00"))
    for br in soup.find_all("br"):
        br.replace_with("\x00")
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\x00")
        tag.insert_after("\x00")
    flat = _HTML_SPACE.sub(_collapse_space, soup.get_text())
    lines = (line.strip() for line in flat.split("\x00"))
    return [line for line in lines if line and _MARK.sub("", line).strip()]


def read_html(path: str | os.PathLike) -> tuple[str, str]:
    """Read an HTML page's visible text, one block element per line.

    Scripts, styles and ``<head>`` are dropped; navigation, headers and footers are kept (they
    are page chrome, which :func:`read_html_page` marks and the corpus reader takes out of the
    cleaned text). Block elements (paragraphs, headings, list items, table cells, ``<div>`` ...)
    and ``<br>`` end lines; other white space collapses as a browser shows it. Lines are stripped
    and empty lines dropped.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (str, str)
        The text and its encoding (byte-order mark, else the page's declared charset if the
        page decodes with it, else detected as by :func:`decode_bytes`; GBK/GB2312 are read
        as ``gb18030``).

    Raises
    ------
    ReadError
        When the file is empty, binary or undecodable, or not parseable as HTML.
    """
    text, encoding, _ = read_html_page(path)
    return text, encoding


_DOCUMENT_READERS = {"txt": read_text, "md": read_text, "docx": read_docx, "pdf": read_pdf,
                     "html": read_html, "htm": read_html}


def read_document(path: str | os.PathLike) -> tuple[str, str]:
    """Read one document file with the reader its extension names (see :data:`TEXT_FORMATS`).

    Parameters
    ----------
    path : str or path-like
        The file; its extension (case-insensitive) picks the reader.

    Returns
    -------
    (str, str)
        The text and the encoding (or container format).

    Raises
    ------
    ReadError
        When the extension has no reader, or the reader fails.
    """
    return _by_extension(path, _DOCUMENT_READERS, "document")


# --------------------------------------------------------------------------- tables

_DELIMITERS = (",", "\t", ";", "|")


def _sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV: the candidate occurring most often in the header line."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _tidy_columns(df: pd.DataFrame) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    return df


def read_csv(path: str | os.PathLike) -> tuple[pd.DataFrame, str]:
    """Read a CSV table: encoding detected as for text, delimiter sniffed from the header.

    The delimiter is whichever of ``,`` tab ``;`` ``|`` occurs most often in the first line
    (``,`` if none does). Every cell is read as a string (so ``007`` stays ``007``); empty
    cells are missing; column names are stripped of surrounding spaces.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (DataFrame, str)
        The table and the text encoding.

    Raises
    ------
    ReadError
        When the file is empty, binary, undecodable or not a well-formed CSV.
    """
    text, encoding = decode_bytes(_read_bytes(path))
    with _invalid("CSV table"):
        df = pd.read_csv(io.StringIO(text), sep=_sniff_delimiter(text), dtype=str,
                         keep_default_na=False, na_values=[""])
    return _tidy_columns(df), encoding


def read_xlsx(path: str | os.PathLike) -> tuple[pd.DataFrame, str]:
    """Read the first sheet of an Excel ``.xlsx`` workbook (openpyxl); the first row is the header.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (DataFrame, str)
        The table (cells keep Excel's types) and ``"xlsx"``.

    Raises
    ------
    ReadError
        When the file is empty, not a zip archive, corrupt, a legacy ``.xls`` or encrypted
        workbook, or not a workbook.
    """
    data = _read_content(path, office=("xlsx", ".xls"))
    with _invalid(".xlsx file"):
        df = pd.read_excel(io.BytesIO(data), sheet_name=0, engine="openpyxl")
    return _tidy_columns(df), "xlsx"


def read_parquet(path: str | os.PathLike) -> tuple[pd.DataFrame, str]:
    """Read a Parquet table (pyarrow).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    (DataFrame, str)
        The table and ``"parquet"``.

    Raises
    ------
    ReadError
        When the file is empty or not a valid Parquet file.
    """
    data = _read_content(path)
    with _invalid("Parquet file"):
        df = pd.read_parquet(io.BytesIO(data))
    return _tidy_columns(df), "parquet"


_TABLE_READERS = {"csv": read_csv, "xlsx": read_xlsx, "parquet": read_parquet}


def read_table(path: str | os.PathLike) -> tuple[pd.DataFrame, str]:
    """Read a table file with the reader its extension names (see :data:`TABLE_FORMATS`).

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.xlsx`` or ``.parquet`` file (extension case-insensitive).

    Returns
    -------
    (DataFrame, str)
        The table and its encoding (or container format).

    Raises
    ------
    ReadError
        When the extension is not a table format, or the reader fails.
    """
    return _by_extension(path, _TABLE_READERS, "table")


def _short(exc: BaseException, limit: int = 160) -> str:
    """A one-line description of an exception for a reason text (wrapped exceptions unwrapped)."""
    while exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
    message = " ".join(str(exc).split()) or type(exc).__name__
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return message
