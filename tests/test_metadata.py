"""Tests for tifa.ingest.metadata: title, agency, region, year and date read from cleaned text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tifa.ingest.clean import clean_text
from tifa.ingest.metadata import (
    extract_metadata, find_closing, is_date_line, is_organ_line, parse_date, region_of,
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
