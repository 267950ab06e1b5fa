"""Tests for tifa.ingest.units: headings, sections, roles, paragraphs, sentences."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tifa.ingest.clean import clean_text
from tifa.schemas import UNITS
from tifa.ingest.units import (
    PARAGRAPHS, SECTIONS, heading_level, paragraphs, section_role, sections, split_sentences,
    split_units,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_docs() -> pd.DataFrame:
    rows = []
    for path in sorted(SEEDS.glob("*.txt")):
        rows.append({"doc_id": path.stem[:3], "text": clean_text(path.read_text(encoding="utf-8"))})
    return pd.DataFrame(rows)


def docs_of(*texts: str, **extra) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts),
                         **extra})


@pytest.fixture(scope="module")
def seed_units():
    docs = seed_docs()
    return docs, split_units(docs)


def top_sections(units: pd.DataFrame, doc_id: str) -> list[tuple[str, str]]:
    s = sections(units)
    s = s[(s["doc_id"] == doc_id) & (s["section_level"] == 1)]
    return list(zip(s["section"], s["section_role"]))


# ---------------------------------------------------------------- contract
def test_columns_and_dtypes(seed_units):
    _, u = seed_units
    assert list(u.columns) == UNITS
    for c in ("section_id", "section_level", "para_id", "sent_id", "start"):
        assert u[c].dtype == "int64", c
    assert u["is_heading"].dtype == bool
    for c in ("doc_id", "section", "section_path", "section_role", "text"):
        assert pd.api.types.is_string_dtype(u[c]), c


def test_empty_input_keeps_the_contract():
    u = split_units(pd.DataFrame({"doc_id": pd.Series([], dtype="str"),
                                  "text": pd.Series([], dtype="str")}))
    assert list(u.columns) == UNITS and len(u) == 0
    assert u["sent_id"].dtype == "int64" and u["is_heading"].dtype == bool
    assert list(sections(u).columns) == SECTIONS and list(paragraphs(u).columns) == PARAGRAPHS


def test_missing_text_gives_no_rows_and_missing_column_raises():
    u = split_units(docs_of("正文。", None, ""))
    assert set(u["doc_id"]) == {"d0"}
    with pytest.raises(KeyError):
        split_units(pd.DataFrame({"doc_id": ["a"]}))


def test_documents_not_modified(seed_units):
    docs = seed_docs()
    before = docs.copy()
    split_units(docs)
    pd.testing.assert_frame_equal(docs, before)


def test_sentences_never_empty_and_offsets_point_at_them(seed_units):
    docs, u = seed_units
    texts = dict(zip(docs["doc_id"], docs["text"]))
    assert (u["text"].str.strip().str.len() > 0).all()
    for doc_id, start, sent in zip(u["doc_id"], u["start"], u["text"]):
        assert texts[doc_id][start:start + len(sent)] == sent
    # nothing of the text is lost: the sentences cover every non-space character
    for doc_id, text in texts.items():
        joined = "".join(u.loc[u["doc_id"] == doc_id, "text"])
        assert joined == "".join(text.split())


def test_ids_are_ordered(seed_units):
    _, u = seed_units
    for _, g in u.groupby("doc_id"):
        assert g["sent_id"].tolist() == list(range(len(g)))
        assert g["para_id"].is_monotonic_increasing and g["para_id"].iloc[0] == 0
        assert g["section_id"].is_monotonic_increasing and g["section_id"].iloc[0] == 0
        assert g["start"].is_monotonic_increasing


# ---------------------------------------------------------------- seeds
def test_seed_000_sections(seed_units):
    _, u = seed_units
    assert top_sections(u, "000") == [
        ("一、推进法治建设工作开展情况", "work"),
        ("二、存在问题及整改措施", "problems"),
        ("三、下步工作计划", "plans"),
        ("四、特色亮点", "work"),
    ]
    d = u[u["doc_id"] == "000"]
    front = d[d["section_id"] == 0]
    assert (front["section_role"] == "front").all() and front["section"].isna().all()
    assert (front["section_level"] == 0).all() and not front["is_heading"].any()
    assert front["text"].iloc[0] == "市外事办2022年法治政府建设情况报告"
    closing = d[d["section_role"] == "closing"]
    assert closing["text"].tolist() == ["聊城市人民政府外事办公室", "2023年2月20日"]
    assert closing["section"].isna().all()
    # the sub-sections of 三、 are plans, with their path
    sub = d[d["section"] == "（一）强化干部队伍建设，提高依法行政的意识"]
    assert (sub["section_role"] == "plans").all() and (sub["section_level"] == 2).all()
    assert sub["section_path"].iloc[0] == "三、下步工作计划 > （一）强化干部队伍建设，提高依法行政的意识"


def test_seed_000_heading_running_on_into_body(seed_units):
    _, u = seed_units
    d = u[u["doc_id"] == "000"]
    head = d[d["text"] == "（二）突出围绕重点工作，严格落实法治政府建设决策部署。"]
    assert len(head) == 1 and bool(head["is_heading"].iloc[0])
    nxt = d[d["sent_id"] == head["sent_id"].iloc[0] + 1].iloc[0]
    assert nxt["text"].startswith("坚决贯彻落实《中共聊城市委全面依法治市委员会2022年工作要点》")
    assert not nxt["is_heading"]
    assert nxt["section_id"] == head["section_id"].iloc[0]
    assert nxt["para_id"] == head["para_id"].iloc[0] + 1
    assert nxt["section"] == "（二）突出围绕重点工作，严格落实法治政府建设决策部署"


def test_seed_000_enumerations_are_not_headings(seed_units):
    _, u = seed_units
    d = u[u["doc_id"] == "000"]
    yishi = d[d["text"].str.startswith(("一是", "二是", "三是"))]
    assert len(yishi) >= 5 and not yishi["is_heading"].any()
    assert d["is_heading"].sum() == 11


def test_seed_002_sections(seed_units):
    _, u = seed_units
    assert top_sections(u, "002") == [("一、2023年主要工作", "work"), ("二、2024年工作思路", "plans")]
    d = u[u["doc_id"] == "002"]
    level2 = sections(u).query("doc_id == '002' and section_level == 2")
    assert len(level2) == 7
    assert d.loc[d["section_role"] == "closing", "text"].tolist()[:3] == [
        "专此报告。", "厦门市人民政府外事办公室", "2024年3月12日"]
    assert d.loc[d["section_id"] == 0, "text"].iloc[1] == "市委、市政府："


# ---------------------------------------------------------------- headings
@pytest.mark.parametrize("line, level", [
    ("一、主要工作", 1), ("十二、其他", 1), ("第一章 总则", 1), ("第二部分 工作安排", 1),
    ("（一）加强组织领导", 2), ("(三)强化监督", 2), ("第一节 概况", 2),
    ("1.加强学习", 3), ("2、完善制度", 3), ("（1）健全机制", 3), ("(12)其他", 3),
    ("一是加强学习。", 0), ("第一，加强学习。", 0), ("1.5万人参加培训。", 0), ("2023年，我办。", 0),
    ("第一条 为了规范", 0), ("正文。", 0),
])
def test_heading_level(line, level):
    assert heading_level(line) == level


def test_sections_nest_and_paths():
    text = "\n".join(["标题", "第一部分 工作回顾", "一、经济发展", "（一）工业", "1.制造业", "正文一。",
                      "（二）农业", "正文二。", "二、社会事业", "正文三。"])
    u = split_units(docs_of(text))
    body = u[~u["is_heading"]].set_index("text")
    assert body.loc["正文一。", "section_path"] == "第一部分 工作回顾 > 一、经济发展 > （一）工业 > 1.制造业"
    assert body.loc["正文一。", "section_level"] == 3
    assert body.loc["正文二。", "section_path"] == "第一部分 工作回顾 > 一、经济发展 > （二）农业"
    assert body.loc["正文三。", "section_path"] == "第一部分 工作回顾 > 二、社会事业"
    # levels are those of schemas.UNITS, whatever the nesting
    assert body.loc["正文三。", "section_level"] == 1


def test_part_headings_give_the_role():
    text = "\n".join(["政府工作报告", "第一部分 2023年工作回顾", "一、经济发展", "正文一。",
                      "第二部分 2024年工作安排", "一、稳增长", "正文二。"])
    roles = dict(zip(*split_units(docs_of(text))[["text", "section_role"]].T.values))
    assert roles["正文一。"] == "work" and roles["正文二。"] == "plans"


# ---------------------------------------------------------------- roles
def test_role_keywords():
    assert section_role("二、存在的问题和不足") == "problems"
    assert section_role("三、工作中的短板弱项") == "problems"
    assert section_role("四、下一步工作打算") == "plans"
    assert section_role("三、2024年工作思路") == "plans"
    assert section_role("一、2023年主要工作") == "work"
    assert section_role("二、2024年重点任务", year=2023) == "plans"
    assert section_role("二、2024年重点任务") == "work"


def test_next_year_heading_is_plans_with_year_column_or_from_headings():
    text = "\n".join(["政府工作报告", "一、2023年工作回顾", "经济回升向好。", "二、2024年重点任务",
                      "稳中求进。"])
    u = split_units(docs_of(text))
    roles = dict(zip(u["text"], u["section_role"]))
    assert roles["经济回升向好。"] == "work" and roles["稳中求进。"] == "plans"
    # with the documents table's year, a 2024 report sees 2024 as its own year
    u = split_units(docs_of(text, year=pd.array([2024], dtype="Int64")))
    roles = dict(zip(u["text"], u["section_role"]))
    assert roles["稳中求进。"] == "work"


def test_mixed_top_heading_resolved_by_sub_headings():
    text = "\n".join(["报告", "一、主要工作", "做了很多。", "二、存在的问题和下一步打算", "总的看。",
                      "（一）存在的问题", "问题一。", "（二）下一步打算", "打算一。"])
    roles = dict(zip(*split_units(docs_of(text))[["text", "section_role"]].T.values))
    assert roles["总的看。"] == "problems"
    assert roles["问题一。"] == "problems"
    assert roles["打算一。"] == "plans"


def test_document_without_headings_is_front_then_closing():
    u = split_units(docs_of("标题\n正文第一句。第二句！\n某某局\n2024年1月1日"))
    assert u["section_role"].tolist() == ["front", "front", "front", "closing", "closing"]
    assert u["section_id"].tolist() == [0, 0, 0, 1, 1]


# ---------------------------------------------------------------- sentences
def test_sentence_splitting_keeps_punctuation_and_closing_quotes():
    assert [s for _, s in split_sentences("他说：“好。”然后走了。最后？是的！")] == [
        "他说：“好。”", "然后走了。", "最后？", "是的！"]
    assert [s for _, s in split_sentences("加强学习；完善制度……没有句号")] == [
        "加强学习；", "完善制度……", "没有句号"]
    assert [s for _, s in split_sentences("（此件公开。）下一句。")] == ["（此件公开。）", "下一句。"]
    assert split_sentences("甲。 乙。") == [(0, "甲。"), (3, "乙。")]
    assert split_sentences("   ") == []


# ---------------------------------------------------------------- aggregations
def test_sections_and_paragraphs_aggregate(seed_units):
    docs, u = seed_units
    s = sections(u)
    p = paragraphs(u)
    assert list(s.columns) == SECTIONS and list(p.columns) == PARAGRAPHS
    assert s["n_sentences"].sum() == len(u)
    assert s["n_chars"].sum() == u["text"].str.len().sum()
    assert s["n_sentences"].dtype == "int64" and s["n_chars"].dtype == "int64"
    # each section's text starts with its heading; paragraphs rebuild the cleaned text's lines
    heads = s[s["section_level"] > 0]
    assert all(t.startswith(h) for t, h in zip(heads["text"], heads["section"]))
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        rebuilt = "".join(p.loc[p["doc_id"] == doc_id, "text"])
        assert rebuilt == text.replace("\n", "").replace(" ", "")
    assert len(p) == u.groupby(["doc_id", "para_id"]).ngroups
    seed0 = s[s["doc_id"] == "000"]
    assert seed0["section_id"].tolist() == list(range(len(seed0)))
