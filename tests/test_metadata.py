"""Tests for tifa.ingest.metadata: title, agency, region, year and date read from cleaned text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tifa.ingest.clean import clean_text
from tifa.ingest.metadata import (
    extract_metadata, find_closing, genre_of, is_date_line, is_organ_line, line_parts,
    parse_date, parse_doc_number, region_of, web_metadata,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_meta(prefix: str) -> dict:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return extract_metadata(clean_text(path.read_text(encoding="utf-8")))


def meta_of(*lines: str) -> dict:
    return extract_metadata("\n".join(lines))


BODY = ["一、主要工作", "全年办理行政复议案件一百余件，按时办结率百分之百。", "二、下一步工作计划",
        "持续深化法治政府建设。"]


# ---------------------------------------------------------------- seeds
def fields_of(m: dict, expected: dict) -> dict:
    """The fields of ``m`` that ``expected`` names (``evidence`` as far as it names it)."""
    got = {k: m[k] for k in expected if k != "evidence"}
    if "evidence" in expected:
        got["evidence"] = {k: m["evidence"][k] for k in expected["evidence"]}
    return got


@pytest.mark.parametrize("prefix, expected", [
    pytest.param("000", {
        "title": "市外事办2022年法治政府建设情况报告", "agency": "聊城市人民政府外事办公室",
        "region": "聊城市", "year": 2022, "date": dt.date(2023, 2, 20), "missing": [],
        "evidence": {"date": "2023年2月20日", "agency": "聊城市人民政府外事办公室"},
    }, id="seed_000"),
    # the signature's date, not 2023-03-12 of the printing line
    pytest.param("002", {
        "title": "厦门市人民政府外事办公室关于2023年法治政府建设工作情况的报告",
        "agency": "厦门市人民政府外事办公室", "region": "厦门市", "year": 2023,
        "date": dt.date(2024, 3, 12), "missing": [], "evidence": {"date": "2024年3月12日"},
    }, id="seed_002_signature_not_printing_line"),
])
def test_seeds(prefix, expected):
    assert fields_of(seed_meta(prefix), expected) == expected


def test_keys_and_types():
    m = seed_meta("000")
    assert set(m) == {"genre", "title", "agency", "region", "year", "date", "speaker",
                      "doc_number", "source_outlet", "published", "missing", "evidence"}
    assert m["genre"] == "法治政府建设情况报告"
    assert isinstance(m["year"], int) and isinstance(m["date"], dt.date)
    assert set(m["evidence"]) == {"title", "agency", "region", "year", "date"}


# ---------------------------------------------------------------- synthetic reports
def test_chinese_numeral_date_and_county_agency():
    m = meta_of("长兴县司法局2023年度法治政府建设工作报告", *BODY, "长兴县司法局", "二〇二四年一月二十日")
    assert m["agency"] == "长兴县司法局"
    assert m["region"] == "长兴县"
    assert m["year"] == 2023
    assert m["date"] == dt.date(2024, 1, 20)


@pytest.mark.parametrize("date_line, expected", [
    ("2023-02-20", dt.date(2023, 2, 20)), ("2023.2.20", dt.date(2023, 2, 20)),
    ("2023/12/01", dt.date(2023, 12, 1)), ("二零二三年十二月三十一日", dt.date(2023, 12, 31)),
    ("2023年2月30日", None),
])
def test_date_formats(date_line, expected):
    m = meta_of("某某市商务局2023年工作总结", *BODY, "某某市商务局", date_line)
    assert m["date"] == expected
    assert ("date" in m["missing"]) is (expected is None)


def test_no_signature_means_missing_not_guessed():
    m = meta_of("2023年法治政府建设情况报告", *BODY)
    assert m["title"] == "2023年法治政府建设情况报告"
    assert m["year"] == 2023
    assert m["agency"] is None and m["region"] is None and m["date"] is None
    assert m["missing"] == ["agency", "region", "date"]
    assert set(m["evidence"]) == {"title", "year"}


def test_agency_from_title_when_no_signature():
    m = meta_of("青岛市司法局关于2022年法治政府建设情况的报告", *BODY)
    assert m["agency"] == "青岛市司法局"
    assert m["region"] == "青岛市"
    assert m["date"] is None and m["missing"] == ["date"]


@pytest.mark.parametrize("lines, expected", [
    pytest.param(("政府工作报告", "——2024年1月22日在山东省第十四届人民代表大会第二次会议上",
                  "山东省省长周乃翔", "各位代表：",
                  "现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员和其他列席人员提出意见。",
                  "一、2023年工作回顾", "过去一年，全省经济运行持续回升向好。",
                  "二、2024年工作总体要求和重点任务", "做好今年政府工作，要坚持稳中求进工作总基调。"),
                 {"title": "政府工作报告", "region": "山东省", "agency": "山东省人民政府",
                  "year": 2024, "date": dt.date(2024, 1, 22), "speaker": "周乃翔",
                  "genre": "政府工作报告", "missing": []},
                 id="provincial"),
    pytest.param(("政府工作报告", "——2024年1月10日在沛县第十八届人民代表大会第四次会议上",
                  "县长张三", "各位代表：", "现在，我代表县人民政府，向大会报告工作，请予审议。",
                  "2023年，面对复杂严峻的外部环境，全县上下团结奋斗。"),
                 {"region": "沛县", "agency": "沛县人民政府", "year": 2024,
                  "date": dt.date(2024, 1, 10), "speaker": "张三"},
                 id="county"),
])
def test_government_work_report(lines, expected):
    m = meta_of(*lines)
    assert fields_of(m, expected) == expected
    assert m["evidence"]["agency"].startswith(lines[4][:11])  # 现在，我代表省（县）人民政府


def test_year_not_taken_from_next_years_plan():
    m = meta_of("法治政府建设情况报告", "2024年工作思路如下：", "一、2024年工作计划", "加强学习。")
    assert m["year"] is None and "year" in m["missing"]


def test_year_from_first_heading_and_chinese_numeral_title():
    assert meta_of("法治政府建设情况报告", "一、2023年主要工作", "加强学习。")["year"] == 2023
    assert meta_of("二〇二二年度法治政府建设情况报告", "正文。")["year"] == 2022


def test_printing_block_without_cc_line_and_joint_signature():
    m = meta_of("关于2023年度安全生产工作的报告", *BODY,
                "某某市应急管理局", "某某市消防救援支队", "2024年2月1日",
                "某某市应急管理局办公室", "2024年2月3日印发")
    assert m["agency"] == "某某市应急管理局、某某市消防救援支队"
    assert m["region"] == "某某市"
    assert m["date"] == dt.date(2024, 2, 1)


def test_organ_and_date_on_one_line():
    m = meta_of("某某区教育局2023年工作总结", *BODY, "广州市某某区教育局2024年1月5日")
    assert m["agency"] == "广州市某某区教育局"
    assert m["region"] == "广州市"  # a district's documents go with their city
    assert m["date"] == dt.date(2024, 1, 5)


def test_two_line_title_and_preamble_skipped():
    m = meta_of("某某市人民政府文件", "某政发〔2024〕3号", "某某市人民政府",
                "关于2023年法治政府建设情况的报告", "省人民政府：", *BODY)
    assert m["title"] == "某某市人民政府关于2023年法治政府建设情况的报告"
    assert m["agency"] == "某某市人民政府"
    assert m["year"] == 2023


def test_national_organ_has_no_region():
    m = meta_of("司法部2023年法治政府建设年度报告", *BODY, "司法部", "2024年3月1日")
    assert m["agency"] == "司法部"
    assert m["region"] is None and m["missing"] == ["region"]


def test_no_title_when_text_starts_with_body():
    m = meta_of("市委、市政府：", "2023年，我办坚持依法行政。", *BODY)
    assert m["title"] is None
    assert m["year"] == 2023


def test_empty_text():
    m = extract_metadata("")
    assert m["missing"] == ["title", "agency", "region", "year", "date"]
    assert m["evidence"] == {}


# ---------------------------------------------------------------- helpers
@pytest.mark.parametrize("name, region", [
    ("聊城市人民政府外事办公室", "聊城市"),
    ("山东省聊城市人民政府", "聊城市"),
    ("山东省聊城市东昌府区人民政府", "聊城市"),  # a district goes with its city
    ("山东省人民政府", "山东省"),
    ("广西壮族自治区人民政府", "广西壮族自治区"),
    ("内蒙古自治区呼和浩特市人民政府", "呼和浩特市"),
    ("延边朝鲜族自治州人民政府", "延边朝鲜族自治州"),
    ("大兴安岭地区行政公署", "大兴安岭地区"),
    ("锡林郭勒盟行政公署", "锡林郭勒盟"),
    ("科尔沁左翼中旗人民政府", "科尔沁左翼中旗"),
    ("北京市朝阳区人民政府", "北京市"),
    ("湖北", "湖北省"), ("广东", "广东省"), ("省长", None), ("市长张三", None),
    ("青岛市市南区人民政府", "青岛市"), ("某某县人民政府", "某某县"),
    ("沛县人民政府", "沛县"),
    ("中共聊城市委全面依法治市委员会办公室", "聊城市"),
    ("杭州市城市管理局", "杭州市"),
    ("厦门市市场监督管理局", "厦门市"),
    ("国务院办公厅", None),
    ("中华人民共和国外交部", None),
    ("教育部", None),
    ("市外事办", None),
    ("", None),
])
def test_region_of(name, region):
    assert region_of(name) == region


def test_parse_date():
    assert parse_date("二〇二三年二月二十日") == dt.date(2023, 2, 20)
    assert parse_date("于 2023 年 2 月 20 日印发") == dt.date(2023, 2, 20)
    assert parse_date("2023年13月1日") is None
    assert parse_date("没有日期") is None


def test_line_predicates_and_closing():
    assert is_organ_line("聊城市人民政府外事办公室")
    assert not is_organ_line("深入贯彻领会习近平法治思想。")
    assert is_date_line("2023年2月20日") and is_date_line("2023年3月12日印发")
    assert not is_date_line("2023年2月20日，我办召开会议。")
    lines = ["标题", "正文一。", "正文二。", "专此报告。", "某某局", "2024年1月1日", "抄送：某某办。"]
    assert find_closing(lines) == 3
    assert find_closing(["标题", "正文。"]) == 2


def test_region_from_organ_in_title_only():
    m = meta_of("聊城市外事办2022年法治政府建设情况报告", *BODY)
    assert m["region"] == "聊城市" and m["agency"] == "聊城市外事办"
    assert meta_of("推进法治市建设工作总结", *BODY)["region"] is None


# ---------------------------------------------------------------- 政府工作报告: every variant
GOV_BODY = ["各位代表：", "现在，我代表省人民政府，向大会报告政府工作，请予审议。",
            "一、2025年工作回顾", "过去一年，全省经济运行稳中有进。"]


@pytest.mark.parametrize("head, expected", [
    pytest.param(["2026年山东省政府工作报告", "——2026年1月27日在山东省第十四届人民代表大会第四次会议上",
                  "山东省省长周乃翔"],
                 {"region": "山东省", "agency": "山东省人民政府", "date": dt.date(2026, 1, 27),
                  "year": 2026, "speaker": "周乃翔"}, id="year-province-title"),
    pytest.param(["济南市2026年政府工作报告", "——2026年1月20日在济南市第十八届人民代表大会第五次会议上",
                  "市长于海田"],
                 {"region": "济南市", "agency": "济南市人民政府", "date": dt.date(2026, 1, 20),
                  "year": 2026, "speaker": "于海田"}, id="city-year-title-bare-speaker"),
    pytest.param(["2024年广东省人民政府工作报告", "——2024年1月23日在广东省第十四届人民代表大会第二次会议上",
                  "省长王伟中"],
                 {"region": "广东省", "agency": "广东省人民政府", "speaker": "王伟中"},
                 id="renmin-zhengfu-title"),
    pytest.param(["政府工作报告", "（2025年1月20日在四川省第十四届人民代表大会第三次会议上）", "四川省省长施小琳"],
                 {"region": "四川省", "date": dt.date(2025, 1, 20), "year": 2025,
                  "speaker": "施小琳"}, id="bare-title-bracketed"),
    pytest.param(["政府工作报告", "——2026年1月13日在江苏省第十四届人民代表大会", "第四次会议上",
                  "江苏省省长许昆林"],
                 {"region": "江苏省", "date": dt.date(2026, 1, 13), "speaker": "许昆林"},
                 id="delivery-line-broken"),
    pytest.param(["浙江省2025年政府工作报告", "――2025年1月14日在浙江省第十四届人民代表大会第三次会议上",
                  "浙江省省长 王浩"],
                 {"region": "浙江省", "date": dt.date(2025, 1, 14), "speaker": "王浩"},
                 id="horizontal-bar-dash"),
    pytest.param(["2023年福建省人民政府工作报告", "2023年1月12日在福建省第十四届人民代表大会第一次会议上",
                  "福建省省长赵龙"],
                 {"date": dt.date(2023, 1, 12), "speaker": "赵龙"}, id="no-dash"),
    pytest.param(["2025年河南省政府工作报告", "——二〇二五年一月十五日在河南省第十四届人民代表大会第三次会议上",
                  "河南省省长王凯"],
                 {"date": dt.date(2025, 1, 15), "speaker": "王凯"}, id="chinese-numeral-date"),
    pytest.param(["政府工作报告", "——2024年1月23日在湖北第十四届人民代表大会第二次会议上", "省长王忠林"],
                 {"region": "湖北省", "agency": "湖北省人民政府", "year": 2024},
                 id="place-without-sheng"),
])
def test_government_work_report_variants(head, expected):
    m = meta_of(*head, *GOV_BODY)
    assert m["genre"] == "政府工作报告"
    assert fields_of(m, expected) == expected
    assert m["published"] is None and m["source_outlet"] is None


def test_speaker_title_alone_is_no_place():
    m = meta_of("政府工作报告", "——2024年1月10日在某某县第十八届人民代表大会第四次会议上", "县长张三", *GOV_BODY)
    assert m["speaker"] == "张三"
    assert region_of("省长") is None and region_of("县长张三") is None


# ---------------------------------------------------------------- 公文 and web metadata
def test_official_document_number_and_signature():
    m = meta_of("山东省人民政府文件", "鲁政发〔2024〕12号", "山东省人民政府关于加快发展新质生产力的意见",
                "各市人民政府，各县（市、区）人民政府，省政府各部门：", "为加快发展新质生产力，提出如下意见。",
                "一、总体要求", "坚持创新驱动。", "山东省人民政府", "2024年5月6日", "（此件公开发布）")
    assert m["genre"] == "通知/意见/办法"
    assert (m["doc_number"], m["agency"], m["region"], m["year"], m["date"]) == (
        "鲁政发〔2024〕12号", "山东省人民政府", "山东省", 2024, dt.date(2024, 5, 6))
    assert parse_doc_number(m["doc_number"]) == ("鲁政发", 2024, 12)


def test_notice_signed_before_the_measures_it_issues():
    m = meta_of("厦门市人民政府关于印发厦门市行政执法公示办法的通知", "厦府〔2024〕56号",
                "各区人民政府，市直各委、办、局：", "现将《厦门市行政执法公示办法》印发给你们，请认真贯彻执行。",
                "厦门市人民政府", "2024年9月3日", "（此件主动公开）", "厦门市行政执法公示办法",
                "第一条　为了规范行政执法公示工作，制定本办法。", "第二条　本办法自2024年10月1日起施行。")
    assert (m["agency"], m["date"]) == ("厦门市人民政府", dt.date(2024, 9, 3))
    lines = ["厦门市人民政府关于印发厦门市行政执法公示办法的通知", "厦府〔2024〕56号",
             "各区人民政府：", "现将办法印发给你们。", "厦门市人民政府", "2024年9月3日",
             "厦门市行政执法公示办法", "第一条 为了规范公示。"]
    assert line_parts(lines) == ["front_matter"] * 3 + ["body"] + ["signature"] * 2 + ["body"] * 2


def test_web_metadata_from_chrome_lines_never_the_date():
    chrome = ["当前位置：首页 > 政务公开", "信息来源：大众日报发布时间：2026-02-09 09:45:30", "打印"]
    m = extract_metadata("\n".join(["2026年山东省政府工作报告",
                                    "——2026年1月27日在山东省第十四届人民代表大会第四次会议上",
                                    "山东省省长周乃翔", *GOV_BODY]), chrome=chrome)
    assert (m["source_outlet"], m["published"]) == ("大众日报", "2026-02-09T09:45:30")
    assert m["date"] == dt.date(2026, 1, 27)
    got = web_metadata(["2025-01-15 17:20:41来源：成都日报阅读量：1234"])
    assert (got["source_outlet"], got["published"]) == ("成都日报", "2025-01-15T17:20:41")
    got = web_metadata(["来源：长江日报2025-01-14 07:30"])
    assert (got["source_outlet"], got["published"]) == ("长江日报", "2025-01-14T07:30")
    got = web_metadata(["发布机构：广东省人民政府办公厅成文日期：2025-01-24", "文号：粤府办〔2025〕3号发布日期：2025-01-27"])
    assert (got["source_outlet"], got["published"], got["doc_number"]) == (
        "广东省人民政府办公厅", "2025-01-27", "粤府办〔2025〕3号")


@pytest.mark.parametrize("title, lines, genre", [
    ("2026年山东省政府工作报告", [], "政府工作报告"),
    ("报告", ["报告", "——2026年1月27日在山东省第十四届人民代表大会第四次会议上"], "政府工作报告"),
    ("济南市司法局2023年法治政府建设情况报告", [], "法治政府建设情况报告"),
    ("潍坊市自然资源和规划局2023年度法治政府建设工作报告", [], "法治政府建设情况报告"),
    ("湖北省人民政府办公厅关于做好2024年十件民生实事工作的通知", [], "通知/意见/办法"),
    ("浙江省人民政府关于取消和调整一批行政许可事项的决定", [], "通知/意见/办法"),
    ("某某局2023年工作总结", [], "其他"),
    (None, [], "其他"),
])
def test_genre_rules(title, lines, genre):
    assert genre_of(title, lines) == genre
