"""Tests for tifa.ingest.readers: decoding and one reader per file format.

Fixtures are built here at run time (python-docx, matplotlib's PdfPages, hand-written PDF
bytes, strings encoded to bytes); no binary fixture is committed.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tifa.ingest import readers
from tifa.ingest.readers import ReadError, decode_bytes

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

SAMPLE = (
    "某市2022年法治政府建设情况报告\n"
    "一、主要工作\n"
    "（一）加强组织领导。全年召开会议 12 次，印发文件《实施方案》。\n"
    "二、存在的问题\n"
    "2023年，我们将继续推进依法行政，提升治理能力。\n"
)
# 𠮷 (U+20BB7) is outside GBK: only GB18030 (4-byte) can encode it; 〇 and 叁 ride along
GB18030_ONLY = SAMPLE + "〇 𠮷 叁\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _noise(seed: int, low: int, high: int, n: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(low, high) for _ in range(n))


def _reason(func, *args) -> str:
    with pytest.raises(ReadError) as info:
        func(*args)
    return info.value.reason


# --------------------------------------------------------------------------- decoding

@pytest.mark.parametrize(
    "data, encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("utf-8-sig"), "utf-8-sig"),
        (b"\xff\xfe" + SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # no BOM: NUL pattern
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (SAMPLE.encode("gb2312"), "gb18030"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "gbk", "gb2312"],
)
def test_decode_bytes_same_text_every_encoding(data, encoding):
    text, found = decode_bytes(data)
    assert text == SAMPLE
    assert found == encoding


def test_gb18030_char_outside_gbk():
    with pytest.raises(UnicodeEncodeError):
        GB18030_ONLY.encode("gbk")  # the fixture really needs GB18030
    text, encoding = decode_bytes(GB18030_ONLY.encode("gb18030"))
    assert text == GB18030_ONLY
    assert encoding == "gb18030"


def test_gbk_with_many_symbols():
    symbols = "温度±5℃，增长≤3‰，→ 完成√ 第①项 2023年。\n" * 20
    assert decode_bytes(symbols.encode("gbk")) == (symbols, "gb18030")


def test_utf16_without_nul_bytes_pure_cjk():
    pure = "法治政府建设情况报告，加强依法行政。推进严格规范公正文明执法；" * 5
    data = pure.encode("utf-16-le")
    assert b"\x00" not in data
    assert decode_bytes(data) == (pure, "utf-16-le")


def test_ascii_text_is_not_taken_for_utf16():
    # "Bush hid the facts": even-length ASCII decodes to ideographs as UTF-16; a cp1252
    # character keeps it from being UTF-8
    text = "Bush hid the facts and the café " * 8
    data = text.encode("cp1252")
    assert len(data) % 2 == 0
    decoded, encoding = decode_bytes(data)
    assert not encoding.startswith("utf-16")
    assert decoded.startswith("Bush hid the facts")


def test_seed_as_gbk_and_utf16_decodes_to_seed():
    seed = (SEEDS / "000_5305f72e38caa88f.txt").read_bytes().decode("utf-8")
    for enc, name in (("gb18030", "gb18030"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")):
        assert decode_bytes(seed.encode(enc)) == (seed, name)


def test_traditional_chinese_big5_and_gbk():
    trad = "中華民國政府工作報告，推動法治建設，加強依法行政。\n" * 10
    text, encoding = decode_bytes(trad.encode("big5"))
    assert text == trad and encoding == "big5"
    text, encoding = decode_bytes(trad.encode("gbk"))  # GBK holds traditional characters too
    assert text == trad and encoding == "gb18030"


def test_line_endings_and_bom_kept_or_removed():
    text, encoding = decode_bytes("甲\r\n乙\r\n".encode("utf-8-sig"))
    assert text == "甲\r\n乙\r\n"  # decoded, not cleaned; the BOM is gone
    assert encoding == "utf-8-sig"


def test_empty_bytes():
    assert _reason(decode_bytes, b"") == "file is empty"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        _noise(3, 1, 256, 400),  # no NUL, many controls
        SAMPLE.encode("utf-8") + b"\x00" + SAMPLE.encode("utf-8"),  # text with a stray NUL
    ],
    ids=["png", "noise-without-nul", "nul-in-text"],
)
def test_binary_rejected(data):
    assert _reason(decode_bytes, data) == "looks like a binary file, not text"


def test_undecodable_bytes():
    noise = _noise(1, 0x80, 0x100, 300)
    assert _reason(decode_bytes, noise) == "cannot decode: not UTF-8, GB18030 or UTF-16"


def test_bom_with_invalid_body():
    reason = _reason(decode_bytes, b"\xef\xbb\xbf" + "中文".encode("gbk"))
    assert reason.startswith("cannot decode") and "UTF-8" in reason


def test_read_text_reads_file_without_touching_it(tmp_path):
    path = _write(tmp_path, "a.txt", SAMPLE.encode("gbk"))
    before = path.stat().st_mtime_ns
    assert readers.read_text(path) == (SAMPLE, "gb18030")
    assert path.read_bytes() == SAMPLE.encode("gbk")
    assert path.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_read_text_missing_file(tmp_path):
    assert _reason(readers.read_text, tmp_path / "nope.txt") == "file not found"


# --------------------------------------------------------------------------- docx

def _docx(tmp_path: Path) -> Path:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_heading("某市2022年法治政府建设情况报告", level=1)
    doc.add_paragraph("第一段正文。")
    doc.add_heading("一、主要工作", level=2)
    table = doc.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "甲", (0, 1): "乙", (1, 0): "丙", (1, 1): "丁"}.items():
        table.cell(r, c).text = value
    para = doc.add_paragraph("最后")
    para.add_run("一段。")
    path = tmp_path / "report.docx"
    doc.save(path)
    return path


def test_read_docx_paragraphs_headings_and_cells_in_order(tmp_path):
    text, encoding = readers.read_docx(_docx(tmp_path))
    assert encoding == "docx"
    lines = [line for line in text.split("\n") if line]
    assert lines == ["某市2022年法治政府建设情况报告", "第一段正文。", "一、主要工作",
                     "甲", "乙", "丙", "丁", "最后一段。"]


def test_read_docx_bad_inputs(tmp_path):
    good = _docx(tmp_path).read_bytes()
    truncated = _write(tmp_path, "t.docx", good[: len(good) // 2])
    assert _reason(readers.read_docx, truncated) == "not a valid .docx file (zip archive is corrupt)"
    text = _write(tmp_path, "x.docx", "其实是文本".encode("utf-8"))
    assert _reason(readers.read_docx, text) == "not a valid .docx file (not a zip archive)"
    legacy = _write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "legacy .doc" in _reason(readers.read_docx, legacy)
    other = tmp_path / "z.docx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert "not an Office document" in _reason(readers.read_docx, other)
    assert _reason(readers.read_docx, _write(tmp_path, "e.docx", b"")) == "file is empty"


# --------------------------------------------------------------------------- pdf

def _minimal_pdf(text: str | None, *, encrypt: bool = False) -> bytes:
    """A one-page PDF written by hand: Helvetica text, or no text at all."""
    content = b"" if text is None else b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if encrypt:  # a standard security handler whose user password is not empty
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <"
                       + b"22" * 32 + b"> /P -4 >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if encrypt:
        trailer += b" /Encrypt 6 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">]"
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _cjk_font():
    mplfonts = pytest.importorskip("mplfonts")
    path = Path(mplfonts.__file__).parent / "fonts" / "SimHei.ttf"
    if not path.exists():
        pytest.skip("no CJK font to build a PDF with")
    return path


def test_read_pdf_pages_in_order_with_chinese(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=_cjk_font())
    path = tmp_path / "report.pdf"
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for line in ("第一页：法治政府建设 2022", "第二页：存在的问题"):
            fig = plt.figure(figsize=(4, 3))
            fig.text(0.1, 0.5, line, fontproperties=font)
            pdf.savefig(fig)
            plt.close(fig)
    text, encoding = readers.read_pdf(path)
    assert encoding == "pdf"
    assert text.split("\n") == ["第一页：法治政府建设 2022", "第二页：存在的问题"]


def test_read_pdf_hand_written(tmp_path):
    path = _write(tmp_path, "a.pdf", _minimal_pdf("Hello report 2022"))
    assert readers.read_pdf(path) == ("Hello report 2022", "pdf")


def test_read_pdf_bad_inputs(tmp_path):
    scanned = _write(tmp_path, "scan.pdf", _minimal_pdf(None))
    assert _reason(readers.read_pdf, scanned) == "no text layer (scanned PDF?) — OCR it first"
    good = _minimal_pdf("Hello report 2022")
    truncated = _write(tmp_path, "t.pdf", good[:200])
    assert _reason(readers.read_pdf, truncated).startswith("not a valid PDF file")
    assert _reason(readers.read_pdf, _write(tmp_path, "x.pdf", b"hello")) == \
        "not a valid PDF file (no %PDF header)"
    locked = _write(tmp_path, "locked.pdf", _minimal_pdf("Secret", encrypt=True))
    assert _reason(readers.read_pdf, locked) == "PDF is encrypted (password-protected); decrypt it first"
    assert _reason(readers.read_pdf, _write(tmp_path, "e.pdf", b"")) == "file is empty"


# --------------------------------------------------------------------------- html

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>网站标题_政府网</title><style>p {{ color: red }}</style></head>
<body><header>首页 | 信息公开</header><nav>菜单</nav>
<article><header><h1>某市2022年法治政府
建设情况报告</h1></header>
<p>第一段，
内容继续。Hello
world</p>
<div>第二<span>段</span><br>换行之后</div><script>var x = "脚本";</script>
<table><tr><td>甲</td><td>乙</td></tr></table><!-- 注释 -->
<ul><li>一项</li><li>二项</li></ul></article>
<footer>版权所有</footer></body></html>"""

PAGE_LINES = ["首页 | 信息公开", "菜单", "某市2022年法治政府建设情况报告", "第一段，内容继续。Hello world",
              "第二段", "换行之后", "甲", "乙", "一项", "二项", "版权所有"]


def test_read_html_page_marks_chrome_outside_the_article(tmp_path):
    path = _write(tmp_path, "a.html", PAGE.format().encode("gbk"))
    text, encoding, marks = readers.read_html_page(path)
    assert text.split("\n") == PAGE_LINES  # the chrome stays in the text read (raw_text) ...
    assert marks == {1: "html_header", 2: "html_nav", 11: "html_footer"}  # ... and is marked


def test_read_html_page_finds_the_article_without_article_element(tmp_path):
    page = ("<html><head><title>某市2023年政府工作报告_某市人民政府</title></head><body>"
            "<div class='top'><a>首页</a><a>政务公开</a></div>"
            "<div class='pos'>当前位置：首页 > 政务公开</div>"
            "<h1>某市2023年政府工作报告</h1>"
            "<div id='zoom'><p>各位代表：</p><p>" + "过去一年，全市经济稳中有进。" * 20 + "</p>"
            "<p>" + "今年要扎实推进高质量发展。" * 20 + "</p></div>"
            "<div class='links'><p>相关链接</p><p>某市两会开幕</p></div></body></html>")
    path = _write(tmp_path, "b.html", page.encode("utf-8"))
    text, _, marks = readers.read_html_page(path)
    lines = text.split("\n")
    assert [lines[i - 1] for i in sorted(marks)] == ["首页政务公开", "当前位置：首页 > 政务公开",
                                                    "相关链接", "某市两会开幕"]
    assert set(marks.values()) == {"html_outside"}
    assert "某市2023年政府工作报告" in lines  # the title heading repeats the page title: kept


def test_read_html_declared_charset_and_blocks(tmp_path):
    path = _write(tmp_path, "a.html", PAGE.format().encode("gbk"))
    text, encoding = readers.read_html(path)
    assert encoding == "gb18030"
    assert text.split("\n") == PAGE_LINES


def test_read_html_wrong_declaration_falls_back_to_detection(tmp_path):
    page = PAGE.format().replace("charset=gb2312", "charset=utf-8")
    path = _write(tmp_path, "a.htm", page.encode("gbk"))
    text, encoding = readers.read_html(path)
    assert encoding == "gb18030"
    assert text.split("\n") == PAGE_LINES


def test_read_html_utf16_bom(tmp_path):
    page = PAGE.format().replace("charset=gb2312", "charset=utf-16")
    path = _write(tmp_path, "a.html", b"\xff\xfe" + page.encode("utf-16-le"))
    assert readers.read_html(path) == ("\n".join(PAGE_LINES), "utf-16-le")


# --------------------------------------------------------------------------- tables

def test_read_csv_delimiters_and_encodings(tmp_path):
    rows = "doc_id{d}title{d}text\n007{d}甲{d}第一篇，正文\n008{d}乙{d}\"第二篇\n两行\"\n"
    for name, sep, enc, expected in (("a.csv", ",", "utf-8", "utf-8"), ("b.csv", ";", "gbk", "gb18030"),
                                     ("c.csv", "\t", "utf-8-sig", "utf-8-sig")):
        path = _write(tmp_path, name, rows.format(d=sep).encode(enc))
        table, encoding = readers.read_csv(path)
        assert encoding == expected
        assert list(table.columns) == ["doc_id", "title", "text"]
        assert table["doc_id"].tolist() == ["007", "008"]  # strings, leading zeros kept
        assert table["text"].tolist() == ["第一篇，正文", "第二篇\n两行"]


def test_read_csv_bad(tmp_path):
    assert _reason(readers.read_csv, _write(tmp_path, "e.csv", b"")) == "file is empty"
    binary = _write(tmp_path, "b.csv", bytes(range(256)) * 4)
    assert _reason(readers.read_csv, binary) == "looks like a binary file, not text"


def test_read_xlsx_and_parquet(tmp_path):
    frame = pd.DataFrame({"标题": ["甲", "乙"], "正文": ["第一篇正文", "第二篇正文"], "year": [2022, 2023]})
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    for name, fmt in (("t.xlsx", "xlsx"), ("t.parquet", "parquet")):
        table, encoding = readers.read_table(tmp_path / name)
        assert encoding == fmt
        assert list(table.columns) == ["标题", "正文", "year"]
        assert table["正文"].tolist() == ["第一篇正文", "第二篇正文"]
        assert [int(v) for v in table["year"]] == [2022, 2023]


def test_read_xlsx_and_parquet_bad(tmp_path):
    xls = _write(tmp_path, "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "legacy .xls" in _reason(readers.read_xlsx, xls)
    assert _reason(readers.read_xlsx, _write(tmp_path, "x.xlsx", b"not a workbook")) == \
        "not a valid .xlsx file (not a zip archive)"
    assert _reason(readers.read_parquet, _write(tmp_path, "x.parquet", b"PAR1 nonsense")).startswith(
        "not a valid Parquet file")


def test_dispatch_by_extension(tmp_path):
    path = _write(tmp_path, "A.TXT", SAMPLE.encode("utf-8"))
    assert readers.read_document(path) == (SAMPLE, "utf-8")
    assert _reason(readers.read_document, _write(tmp_path, "a.jpg", b"x")) == \
        "not a supported document type (.jpg)"
    assert _reason(readers.read_table, _write(tmp_path, "a.txt", b"x")) == "not a supported table type (.txt)"
