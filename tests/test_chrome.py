"""tifa.ingest.chrome: page chrome out of the text, by pattern, page edge and repetition; the guard."""

from __future__ import annotations

import pytest

from tifa import paths
from tifa.ingest import chrome
from tifa.ingest.clean import clean_lines
from tifa.ingest.corpus import read_corpus

REPORT = ["2026年某某省政府工作报告", "——2026年1月27日在某某省第十四届人民代表大会第四次会议上",
          "某某省省长　张三", "各位代表：", "现在，我代表省人民政府，向大会报告政府工作，请予审议。",
          "一、2025年工作回顾", "过去一年，全省经济运行稳中有进，地区生产总值增长5.5%。",
          "二、2026年重点工作", "今年要扎实推进高质量发展。", "各位代表！让我们团结奋斗！"]


def lines_of(text: str) -> list[str]:
    return [rec.text for rec in clean_lines(text)]


def test_every_rule_has_a_name_scope_and_comment():
    rules = chrome.load_rules()
    assert {r.name for r in rules} >= {"toolbar", "font_size", "breadcrumb", "web_meta", "photo",
                                        "editor", "related", "footer", "mobile", "portal"}
    assert all(r.comment and r.scope in chrome.SCOPES for r in rules)
    assert (paths.data_file(chrome.CHROME_FILE)).is_file()


@pytest.mark.parametrize("line, rule", [
    ("下载", "toolbar"), ("打印", "toolbar"), ("全屏", "toolbar"), ("收藏", "toolbar"),
    ("分享：", "toolbar"), ("【打印本页】　【关闭窗口】", "toolbar"), ("打印本页　关闭窗口", "toolbar"),
    ("【字号：加大 还原 减小】", "font_size"), ("【字体：大 中 小】", "font_size"),
    ("【大】【中】【小】　【打印】　【关闭】", "font_size"),
    ("您的位置：首页 > 要闻 > 正文", "breadcrumb"), ("当前位置：首页 > 政务公开", "breadcrumb"),
    ("首页 > 政务公开 > 政府工作报告", "breadcrumb"),
    ("来源：某某日报", "web_meta"), ("发布时间：2026-02-09 09:45:30", "web_meta"), ("阅读量：1234", "web_meta"),
    ("2025-01-15 17:20:41　来源：成都日报　阅读量：1234", "web_meta"),
    ("索引号：006939748/2025-00031　分类：综合政务", "info_table"),
    ("图为1月27日，会议开幕。", "photo"), ("某某日报记者 李四 摄", "photo"),
    ("责任编辑：王五", "editor"), ("主办单位：某某省人民政府办公厅", "footer"),
    ("鲁ICP备05003223号", "footer"), ("某某市人民政府办公厅主办　某某市大数据局承办", "footer"),
    ("扫一扫在手机打开当前页", "mobile"), ("某某省人民政府门户网站", "portal"),
])
def test_known_patterns(line, rule):
    assert chrome.known_chrome(lines_of(line)) == {0: rule}


def test_a_page_copy_loses_its_chrome_and_keeps_every_line_of_the_report():
    page = ["某某省人民政府门户网站", "首页", "政务公开", "您的位置：首页 > 政务公开 > 政府工作报告",
            "信息来源：某某日报　发布时间：2026-02-09 09:45:30", "【字号：加大 还原 减小】", "打印",
            *REPORT[:7], "图为1月27日，大会开幕。某某日报记者 李四 摄", *REPORT[7:],
            "相关链接", "政府工作报告解读：2026年这样干", "图解：2026年政府工作报告",
            "主办单位：某某省人民政府办公厅", "扫一扫在手机打开当前页"]
    lines = lines_of("\n".join(page))
    marked = chrome.known_chrome(lines)
    marked.update(chrome.edge_chrome(lines, marked))
    kept = [ln for i, ln in enumerate(lines) if i not in marked]
    assert kept == lines_of("\n".join(REPORT))
    assert marked[1] == marked[2] == "page_top"  # the menu above the title, on a page with chrome
    assert marked[lines.index("图解：2026年政府工作报告")] == "related"


def test_the_guard_never_takes_a_sentence_heading_title_salutation_or_signature():
    for line in ("各位代表：", "一、2025年工作回顾", "（一）着力稳定经济增长", "过去一年，经济稳中有进。",
                 "政府工作报告", "——2026年1月27日在某某省第十四届人民代表大会第四次会议上", "鲁政发〔2024〕12号",
                 "某某市人民政府文件", "第一条　为了规范行政执法公示工作，制定本办法。"):
        assert chrome.is_protected(line), line
    assert chrome.is_protected("某某市人民政府", bottom=True) and chrome.is_protected("2024年9月3日", bottom=True)
    assert not chrome.is_protected("某某市人民政府")  # at the top it may be the portal's header


def test_lines_repeated_at_the_edges_of_several_documents():
    header = ["某某市人民政府", "网站导航"]
    docs = [lines_of("\n".join(header + REPORT + ["某某市大数据局维护"])) for _ in range(3)]
    found = chrome.repeated_chrome(docs, min_docs=3)
    for lines, marks in zip(docs, found):
        assert {lines[i] for i in marks} == {"某某市人民政府", "网站导航", "某某市大数据局维护"}
        # 各位代表：, 一、2025年工作回顾 and the title recur in every report and stay
    assert chrome.repeated_chrome(docs, min_docs=4) == [{}, {}, {}]
    assert chrome.repeated_chrome(docs, min_docs=1) == [{}, {}, {}]  # off


def test_a_signature_equal_to_the_portal_header_stays(tmp_path):
    notice = ["厦门市人民政府", "当前位置：首页 > 政务公开", "厦门市人民政府关于印发某某办法的通知", "厦府〔2024〕56号",
              "各区人民政府：", "现将《某某办法》印发给你们，请认真贯彻执行。", "厦门市人民政府", "2024年9月3日",
              "某某办法", "第一条　为了规范工作，制定本办法。", "第二条　本办法自2024年10月1日起施行。"]
    other = ["厦门市人民政府", "当前位置：首页 > 政务公开", *REPORT]
    (tmp_path / "a.txt").write_text("\n".join(notice), encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(other), encoding="utf-8")
    ingest = read_corpus(tmp_path)
    docs, cleaning = ingest.documents.set_index("doc_id"), ingest.cleaning
    assert docs.loc["a", "text"].split("\n")[4:6] == ["厦门市人民政府", "2024年9月3日"]
    assert not docs.loc["a", "text"].startswith("厦门市人民政府\n")
    assert cleaning[cleaning.doc_id == "a"][["line_no", "line"]].values.tolist() == [
        [1, "厦门市人民政府"], [2, "当前位置：首页 > 政务公开"]]
    assert docs.loc["a", "agency"] == "厦门市人民政府" and str(docs.loc["a", "date"].date()) == "2024-09-03"


def test_chrome_min_docs_and_the_report(tmp_path):
    for name, more in (("a", "甲。"), ("b", "乙。")):  # two reports, one portal line above each
        text = "\n".join(["某某网·政务频道", *REPORT[:-1], REPORT[-1] + more])
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    docs, report = read_corpus(tmp_path, chrome_min_docs=2)
    assert not docs["text"].str.contains("某某网").any()
    assert report["notes"].str.contains("removed 1 chrome line (repeated 1)", regex=False).all()
    docs, report = read_corpus(tmp_path, chrome_min_docs=3)
    assert docs["text"].str.startswith("某某网·政务频道").all()
