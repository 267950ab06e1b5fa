"""Tests for tifa.ingest.clean: hard-wrap mending, spaces, width normalisation, Markdown."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tifa.ingest.clean import clean_text, display_width

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def hard_wrap(paragraphs: list[str], width: int, *, blank: bool = True, pages: dict | None = None,
              indent: str = "") -> str:
    """Typeset paragraphs like text extracted from a PDF: lines of at most ``width`` columns.

    ``pages`` maps an output line number to a page-number line inserted before it.
    """
    lines = []
    for p in paragraphs:
        line = ""
        for ch in indent + p:
            if display_width(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    out = []
    for i, line in enumerate(lines):
        if pages and i in pages:
            out += ["", pages[i], ""] if blank else [pages[i]]
        out.append(line)
        if blank:
            out.append("")
    return "\n".join(out) + "\n"


def check_shape(text: str) -> None:
    assert text == text.strip()
    for line in text.split("\n"):
        assert line, "blank line in cleaned text"
        assert line == line.strip()


# ---------------------------------------------------------------- seeds
def test_seed_000_pdf_wrapping_mended():
    text = clean_text(seed("000"), fmt="txt")
    check_shape(text)
    assert "“走出去”" in text
    assert "《公务员法》" in text
    assert "“谁执法，谁普法”" in text
    assert "\n3\n" not in text and "《公3务员法》" not in text
    lines = text.split("\n")
    assert lines[0] == "市外事办2022年法治政府建设情况报告"
    for line in ["现就有关情况报告如下：", "一、推进法治建设工作开展情况",
                 "（一）加强组织领导，带头宣传贯彻习近平法治思想。", "二、存在问题及整改措施",
                 "三、下步工作计划", "四、特色亮点", "聊城市人民政府外事办公室", "2023年2月20日"]:
        assert line in lines
    assert lines[-2:] == ["聊城市人民政府外事办公室", "2023年2月20日"]
    # the heading wrapped over two printed lines is one line, running on into its body
    assert any(l.startswith("（二）突出围绕重点工作，严格落实法治政府建设决策部署。坚决贯彻")
               for l in lines)
    # the body paragraph after a heading is not glued to the heading
    assert any(l.startswith("深入贯彻领会习近平法治思想") for l in lines)
    assert "2022 年" not in text and "依法治市委员会2022年工作要点" in text
    assert "“4·15国家安全教育日”" in text
    assert "参与率100%" in text


def test_seed_002_markdown_and_broken_line():
    text = clean_text(seed("002"), fmt="txt")
    check_shape(text)
    lines = text.split("\n")
    assert "研究部署推进市外办法治政府建设工作" in text
    assert "培训超市等干部学习教育平台" in text
    assert "“领保护航”主题航班形式加强预防性领保宣传" in text
    assert "#" not in text and "---" not in text
    assert lines[0] == "厦门市人民政府外事办公室关于2023年法治政府建设工作情况的报告"
    assert lines[1] == "市委、市政府："
    assert "一、2023年主要工作" in lines and "二、2024年工作思路" in lines
    assert "（一）加强组织领导，深入学习贯彻习近平法治思想" in lines
    assert lines[-7:] == ["专此报告。", "厦门市人民政府外事办公室", "2024年3月12日", "(此件主动公开)",
                          "抄送：市委依法治市办。", "厦门市人民政府外事办公室", "2023年3月12日印发"]
    assert "APEC商务旅行卡" in text


@pytest.mark.parametrize("prefix", ["000", "002"])
def test_cleaning_is_idempotent_on_seeds(prefix):
    once = clean_text(seed(prefix))
    assert clean_text(once) == once


# ---------------------------------------------------------------- synthetic hard-wrapped reports
REPORT = [
    "政府工作报告",
    "各位代表：",
    "现在，我代表县人民政府，向大会报告工作，请予审议，并请县政协委员提出意见。",
    "一、2023年工作回顾",
    "过去一年，我们坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，"
    "扎实推进“六稳”“六保”工作，全县地区生产总值增长6.5%，一般公共预算收入完成12.3亿元，"
    "城乡居民人均可支配收入分别增长5.1%和7.2%。",
    "（一）坚持项目为王，经济运行稳中向好。全年实施重点项目86个，完成投资152亿元，"
    "新签约亿元以上项目31个，“双招双引”成效明显。",
    "二、2024年工作安排",
    "今年是全面贯彻落实党的二十大精神的关键之年，我们将坚持稳中求进工作总基调，"
    "统筹发展和安全，奋力谱写中国式现代化县域新篇章。",
]


@pytest.mark.parametrize("width", [34, 46, 60])
def test_hard_wrapped_report_rebuilt(width):
    raw = hard_wrap(REPORT, width, pages={5: "- 2 -", 9: "第 3 页 共 10 页"})
    assert clean_text(raw, fmt="pdf").split("\n") == REPORT


def test_hard_wrapped_without_blank_lines_and_page_numbers():
    raw = hard_wrap(REPORT, 42, blank=False, pages={4: "— 7 —", 8: "第7页", 11: "12"})
    assert clean_text(raw, fmt="pdf").split("\n") == REPORT


def test_indented_paragraphs_join_across_sentence_end_at_margin():
    paras = ["一、主要做法",
             "我们坚持依法行政。" + "全面推进政务公开，建立健全权力清单制度，严格规范执法行为。",
             "我们强化监督。" + "主动接受人大监督和政协民主监督，办理建议提案一百二十件。"]
    # 22 columns put the end of the first sentence exactly at the margin
    raw = hard_wrap(paras, 22, indent="\u3000\u3000")
    assert raw.split("\n")[2] == "\u3000\u3000我们坚持依法行政。"
    assert clean_text(raw, fmt="pdf").split("\n") == paras


def test_heading_and_signature_lines_stay():
    raw = ("关于2023年度工作情况的报告\n"
           "本年度我局认真贯彻落实上级各项决策部署，扎实推进各项重点工作任务落地\n"
           "见效，现报告如下。\n"
           "一、主要工作\n"
           "全年共办理行政许可事项一千二百件，按时办结率百分之百，群众满意度持续\n"
           "二、存在的问题\n"
           "某某县市场监督管理局\n"
           "2024年1月5日\n")
    lines = clean_text(raw).split("\n")
    assert lines == [
        "关于2023年度工作情况的报告",
        "本年度我局认真贯彻落实上级各项决策部署，扎实推进各项重点工作任务落地见效，现报告如下。",
        "一、主要工作",
        "全年共办理行政许可事项一千二百件，按时办结率百分之百，群众满意度持续",
        "二、存在的问题",
        "某某县市场监督管理局",
        "2024年1月5日",
    ]


def test_long_title_and_subtitle_not_joined_in_paragraph_per_line_text():
    raw = ("某某市人民政府办公室关于2023年度法治政府建设工作情况的报告\n"
           "——2024年1月12日在某某市第十七届人民代表大会第三次会议上\n"
           "市长 张三\n"
           "各位代表：\n"
           "一、主要工作\n")
    assert clean_text(raw).split("\n") == [
        "某某市人民政府办公室关于2023年度法治政府建设工作情况的报告",
        "——2024年1月12日在某某市第十七届人民代表大会第三次会议上",
        "市长张三", "各位代表：", "一、主要工作"]


def test_numbered_heading_not_glued_to_body_in_paragraph_per_line_text():
    raw = "（一）加强组织领导，深入学习贯彻习近平法治思想\n市外办主要领导认真履行推进法治建设第一责任人职责。\n"
    assert clean_text(raw).split("\n") == [
        "（一）加强组织领导，深入学习贯彻习近平法治思想", "市外办主要领导认真履行推进法治建设第一责任人职责。"]


def test_line_starting_with_closing_punctuation_is_joined():
    assert clean_text("推进《法治政府建设实施纲要\n》落实。") == "推进《法治政府建设实施纲要》落实。"
    assert clean_text("短行\n，接着写。") == "短行，接着写。"


# ---------------------------------------------------------------- page numbers and rules
@pytest.mark.parametrize("page", ["3", "- 3 -", "— 3 —", "－3－", "第3页", "第 3 页 共 10 页",
                                  "共10页 第3页", "3/10", "Page 3 of 10"])
def test_page_number_lines_dropped(page):
    assert clean_text(f"第一段。\n{page}\n第二段。") == "第一段。\n第二段。"


@pytest.mark.parametrize("rule", ["---", "***", "___", "———", "＿＿＿＿", "= = ="])
def test_rules_dropped(rule):
    assert clean_text(f"第一段。\n{rule}\n第二段。") == "第一段。\n第二段。"


# ---------------------------------------------------------------- characters and spaces
def test_spaces_between_cjk_and_digits_or_latin_removed():
    assert clean_text("2022 年") == "2022年"
    assert clean_text("市外事办 2022 年法治 政府建设") == "市外事办2022年法治政府建设"
    assert clean_text("开展 APEC 商务旅行卡 政策解读，增长 6.5 %") == "开展APEC商务旅行卡政策解读，增长6.5 %"
    assert clean_text("“惠企服务 共促发展” 交流活动") == "“惠企服务共促发展”交流活动"


def test_spaces_between_latin_words_kept_and_collapsed():
    assert clean_text("the Belt  and   Road Initiative 倡议") == "the Belt and Road Initiative倡议"
    assert clean_text("GDP 123 456") == "GDP 123 456"


def test_full_width_letters_digits_and_ideographic_space():
    assert clean_text("ＡＰＥＣ商务卡２０２３年ａｂ") == "APEC商务卡2023年ab"
    assert clean_text("Ｗｏｒｌｄ\u3000Ｂａｎｋ") == "World Bank"
    assert clean_text("\u3000\u3000第一段。") == "第一段。"


def test_chinese_punctuation_kept():
    punct = "，。、；：？！“”‘’（）《》【】…—"
    assert clean_text("甲" + punct + "乙") == "甲" + punct + "乙"
    assert clean_text("学习《宪法》、“两个确立”……（第四卷）——全文") == "学习《宪法》、“两个确立”……（第四卷）——全文"


def test_invisible_and_control_characters_removed():
    raw = "\ufeff法治\u200b政府\u200d建设\x07情况\u00ad报告\r\n\r\n第二\u2060行。\r"
    assert clean_text(raw) == "法治政府建设情况报告\n第二行。"
    assert clean_text("第一段。\r第二段。\f第三段。") == "第一段。\n第二段。\n第三段。"


def test_empty_and_whitespace_only():
    assert clean_text("") == ""
    assert clean_text(" \n\n\u3000\n\ufeff") == ""


def test_non_string_rejected():
    with pytest.raises(TypeError):
        clean_text(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- Markdown
def test_markdown_syntax_removed():
    raw = ("# 某某局2023年工作总结\n\n"
           "## 一、**主要**工作\n\n"
           "我们 *扎实* 推进[政务公开](http://example.gov.cn/a_b)，"
           "见![图片说明](img.png)和`代码`。  \n"
           "> 引用的一段话。\n\n"
           "- 列表第一项；\n"
           "* 列表第二项。\n\n"
           "---\n\n"
           "某某局  \n"
           "2024年1月2日\n")
    assert clean_text(raw, fmt="md").split("\n") == [
        "某某局2023年工作总结",
        "一、主要工作",
        "我们扎实推进政务公开，见图片说明和代码。",
        "引用的一段话。",
        "列表第一项；",
        "列表第二项。",
        "某某局",
        "2024年1月2日",
    ]


def test_markdown_heading_never_joined_even_when_long():
    raw = "## " + "长" * 30 + "\n\n正文" + "很" * 30 + "\n"
    assert clean_text(raw, fmt="md").split("\n") == ["长" * 30, "正文" + "很" * 30]


def test_markdown_detected_in_txt_but_not_in_pdf():
    assert clean_text("## 一、主要工作\n**重点**工作。", fmt="txt") == "一、主要工作\n重点工作。"
    assert clean_text("**重点**工作。", fmt="txt") == "**重点**工作。"  # no heading: not Markdown
    assert clean_text("## 一、主要工作", fmt="pdf") == "##一、主要工作"


def test_markdown_setext_heading_and_br():
    raw = "主要工作\n----\n第一句话<br>第二句话。"
    assert clean_text(raw, fmt="md").split("\n") == ["主要工作", "第一句话", "第二句话。"]


def test_format_aliases_and_unknown_format():
    assert clean_text("## 标题", fmt="markdown") == "标题"
    assert clean_text("正文。", fmt="wps") == "正文。"


# ---------------------------------------------------------------- helpers and speed
def test_display_width():
    assert display_width("abc") == 3
    assert display_width("中文") == 4
    assert display_width("“中”，2") == 9


def test_fast_enough_on_many_documents():
    docs = [seed("000"), seed("002")] * 100  # about 1.8 million characters
    t0 = time.perf_counter()
    for doc in docs:
        clean_text(doc)
    assert time.perf_counter() - t0 < 20
