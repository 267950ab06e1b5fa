"""tifa.analyze.reuse: shared passages with planted copies, boilerplate that must not pair, the
realistic fixture's three planted copies, templates, the matrix, diffs and the part column."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tifa.analyze import reuse
from tifa.ingest.units import split_units

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "realistic"

# ---------------------------------------------------------------------------- planted copies

#: Six consecutive sentences of a province's report; the city copies five of them.
SOURCE_RUN = [
    "深入实施提振消费专项行动，落实好以旧换新、服务消费等支持政策，全年社会消费品零售总额增长5.5%。",
    "持续推动大规模设备更新，实施技术改造项目1.2万个以上，工业技改投资增长10%。",
    "扩大有效投资，滚动实施省市县重点项目1.5万个，年度完成投资2.3万亿元以上。",
    "积极争取超长期特别国债和地方政府专项债券，加快推进“两重”建设，谋划储备一批打基础、利长远的重大项目。",
    "深化民间投资项目推介，推动民间投资占全部投资的比重稳定在50%以上。",
    "加力推进城市更新，新开工改造城镇老旧小区2000个，建设筹集保障性住房3万套。",
]
#: The copy: numbers changed, 了 inserted, 的 removed and inserted, the third sentence dropped.
TARGET_RUN = [
    "深入实施提振消费专项行动，落实好以旧换新、服务消费等支持政策，全年社会消费品零售总额增长6%。",
    "持续推动了大规模设备更新，实施技术改造项目1500个以上，工业技改投资增长12%。",
    "积极争取超长期特别国债和地方政府专项债券，加快推进“两重”建设，谋划储备一批打基础、利长远重大项目。",
    "深化民间投资项目推介，推动民间投资占全部投资的比重稳定在55%以上。",
    "加力推进城市更新，新开工改造城镇老旧小区300个，建设筹集的保障性住房8000套。",
]

OPENING = ("各位代表：\n"
           "现在，我代表{level}人民政府，向大会报告政府工作，请予审议，并请{short}政协委员和其他列席人员提出意见。\n")
CLOSING = ("各位代表！\n"
           "新征程已经开启，新使命催人奋进。让我们更加紧密地团结在以习近平同志为核心的党中央周围，"
           "在{party}的坚强领导下，奋力谱写中国式现代化{place}新篇章！\n")


def _report(title: str, place: str, level: str, party: str, body: list[str]) -> str:
    short = level[0]
    text = f"{title}\n" + OPENING.format(level=level, short=short)
    text += "一、2024年工作回顾\n" + "".join(body[:1]) + "\n"
    text += "二、2025年总体要求和主要目标\n2025年是“十四五”规划收官之年。做好今年政府工作，要坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党的二十大和二十届二中、三中全会精神。\n"
    for i, para in enumerate(body[1:], start=1):
        text += f"（{'一二三四五六七八九'[i - 1]}）重点工作\n{para}\n"
    return text + CLOSING.format(party=party, place=place)


PROVINCE = _report(
    "2025年甲省政府工作报告", "甲省", "省", "省委",
    ["过去一年，全省地区生产总值增长5.4%，粮食产量再创新高，居民收入稳步增长。",
     "着力稳定农业生产，新建高标准农田300万亩，粮食播种面积稳定在1.6亿亩以上。"
     "推动乡村全面振兴，培育农业产业化龙头企业120家，农村居民人均可支配收入增长6.5%。",
     "".join(SOURCE_RUN),
     "加快建设教育强省，新建改扩建中小学校120所，新增学位8万个，推进职业教育产教融合。"])

CITY = _report(
    "2025年乙市政府工作报告", "乙市", "市", "市委",
    ["过去一年，全市地区生产总值增长6.1%，城市能级持续提升，民生福祉不断增进。",
     "打造科技创新策源地，新建省级以上创新平台35家，高新技术企业突破4000家。"
     "深化校地合作，引进高端研发机构12家，技术合同成交额增长20%。",
     "".join(TARGET_RUN),
     "实施文旅融合发展行动，建成历史文化街区6个，全年接待游客增长15%以上。"])

#: A report of the same genre and year that shares only the formulas with PROVINCE.
OTHER_PROVINCE = _report(
    "2025年丙省政府工作报告", "丙省", "省", "省委",
    ["过去一年，全省经济运行稳中有进，外贸进出口总额增长8.2%，城镇新增就业110万人。",
     "大力发展海洋经济，建设现代化港口群，港口货物吞吐量突破20亿吨，海洋生产总值增长7%。",
     "推进生态文明建设，完成造林绿化面积150万亩，地表水国考断面优良水质比例达到95%。",
     "健全多层次社会保障体系，城乡居民基础养老金月最低标准提高20元，建设养老服务综合体80个。"])


def _corpus(**texts: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    documents = pd.DataFrame({"doc_id": list(texts), "text": list(texts.values()),
                              "label": [k.upper() for k in texts],
                              "region": [k.rstrip("0123456789") for k in texts]})
    return documents, split_units(documents)


def test_a_copy_with_numbers_changed_and_a_sentence_dropped_is_found_with_its_span():
    documents, units = _corpus(province=PROVINCE, city=CITY)
    found = reuse.find_reuse(units, documents)
    assert list(found.pairs[["doc_a", "doc_b"]].itertuples(index=False, name=None)) == \
        [("city", "province")]
    assert len(found.passages) == 1
    p = found.passages.iloc[0]
    assert p["n_sentences"] == 5  # the five copied sentences
    assert p["sentences_a"] == 5 and p["sentences_b"] == 6  # the province's span keeps the dropped one
    texts = documents.set_index("doc_id")["text"]
    # the offsets are those of the cleaned text; the spans run from the first copied sentence
    # to the last
    assert texts["city"][p["start_a"]:p["end_a"]] == p["text_a"] == "".join(TARGET_RUN)
    assert texts["province"][p["start_b"]:p["end_b"]] == p["text_b"] == "".join(SOURCE_RUN)
    assert p["chars_a"] == len("".join(TARGET_RUN)) and p["chars_b"] == len("".join(SOURCE_RUN))
    assert 0.8 < p["similarity"] < 1.0
    pair = found.pairs.iloc[0]
    assert pair["share_a"] == pytest.approx(p["chars_a"] / len(CITY))
    assert pair["share_b"] == pytest.approx(p["chars_b"] / len(PROVINCE))
    assert pair["shared_chars"] == p["shared_chars"] and pair["shared_passages"] == 1


def test_unrelated_reports_of_the_genre_are_not_paired_on_their_formulas():
    documents, units = _corpus(province=PROVINCE, other=OTHER_PROVINCE)
    # the two share the opening formula, the target-year sentences and the closing lines
    keys = units.groupby("doc_id")["text"].apply(lambda s: set(s.map(reuse.normalize)))
    assert len(keys["province"] & keys["other"]) >= 4
    found = reuse.find_reuse(units, documents)
    assert found.pairs.empty and found.passages.empty
    # and with the copy in the corpus, only the copy pairs
    documents, units = _corpus(province=PROVINCE, other=OTHER_PROVINCE, city=CITY)
    found = reuse.find_reuse(units, documents, by="region")
    assert found.pairs[["doc_a", "doc_b"]].values.tolist() == [["city", "province"]]
    assert found.pairs[["group_a", "group_b"]].values.tolist() == [["city", "province"]]


def test_normalize_folds_numbers_particles_and_punctuation():
    assert reuse.normalize("全年社会消费品零售总额增长5.5%。") == reuse.normalize("全年社会消费品零售总额增长6％")
    assert reuse.normalize("持续推动了大规模设备更新") == reuse.normalize("持续推动大规模设备更新")
    assert reuse.normalize("利长远的重大项目，") == "利长远重大项目"
    assert reuse.normalize("１２个") == "0个"


def test_verbatim_paragraph_under_another_heading_and_inserted_particles():
    para = ("严格落实行政执法“三项制度”，全面推行行政执法公示、执法全过程记录、重大执法决定法制审核制度。"
            "依托省行政执法监督平台，实现执法信息网上录入、执法流程网上流转、执法活动网上监督。"
            "全年组织开展案卷评查2次，评查行政处罚案卷136卷，对发现的问题逐一建立台账、限期整改。")
    a = ("甲局2023年法治政府建设情况报告\n一、主要工作\n（三）严格规范公正文明执法。\n" + para
         + "\n二、存在的问题\n执法人员专业能力有待提升，基层执法力量相对薄弱。\n甲局\n2024年1月20日\n")
    b = ("乙局2023年法治政府建设情况报告\n一、主要工作\n（二）推进严格规范公正文明执法\n"
         + para.replace("发现的问题", "发现了的问题") + "\n二、下一步打算\n持续深化法治宣传教育，"
         "推动普法责任制落实落地。\n乙局\n2024年1月25日\n")
    documents, units = _corpus(a=a, b=b)
    found = reuse.find_reuse(units, documents)
    assert len(found.passages) == 1
    p = found.passages.iloc[0]
    assert p["n_sentences"] == 3 and p["text_a"] == para
    assert p["similarity"] > 0.99


def test_templates_are_reported_once_and_never_pair():
    boiler = ("认真落实法律顾问制度，结合法治讲堂和“三重一大”事项研究，邀请法律顾问定期开展法治教育。"
              "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央决策部署和省委工作要求。")
    own = ["完成老旧供水管网改造，城区供水保障能力明显增强。", "建成智慧停车平台，新增公共停车泊位一千余个。",
           "开展校园周边交通秩序整治，学生上下学更加安全有序。", "推进农村公路提档升级，通达条件持续改善。",
           "健全食品抽检制度，抽检合格率保持在较高水平。", "深化医保支付方式改革，群众看病负担有所减轻。",
           "完善应急物资储备体系，防汛抢险能力进一步增强。"]
    texts = {f"d{i}": f"第{i}局2023年法治政府建设情况报告\n一、主要工作\n{boiler}{own[i - 1]}\n"
             for i in range(1, 8)}
    documents, units = _corpus(**texts)
    found = reuse.find_reuse(units, documents, template_docs=5)
    assert found.pairs.empty  # seven reports share two sentences: templates, not 21 pairs
    templates = found.repeated[found.repeated["template"]]
    assert len(templates) == 2 and set(templates["n_docs"]) == {7}
    assert found.params["templates"] == 2 and found.params["template_docs"] == 5
    # with a higher bound they are ordinary shared sentences, and every pair shares both
    found = reuse.find_reuse(units, documents, template_docs=8)
    assert len(found.pairs) == 21 and not found.repeated["template"].any()


def test_default_template_bound_grows_with_the_square_root_of_the_corpus():
    assert [reuse.default_template_docs(n) for n in (2, 34, 500, 5000)] == [5, 6, 23, 71]


def test_only_body_sentences_count_when_units_have_a_part_column():
    documents, units = _corpus(province=PROVINCE, city=CITY)
    copied = units["text"].isin(TARGET_RUN + SOURCE_RUN)
    units = units.assign(part=["signature" if c else "body" for c in copied])
    assert reuse.find_reuse(units, documents).pairs.empty
    assert len(reuse.find_reuse(units, documents, body_only=False).pairs) == 1


def test_the_matrix_is_the_share_of_each_groups_text_shared_with_each_other_group():
    documents, units = _corpus(province=PROVINCE, other=OTHER_PROVINCE, city=CITY)
    found = reuse.find_reuse(units, documents, by="region")
    matrix = reuse.reuse_matrix(found.passages, documents, by="region").set_index(["group", "other"])
    assert set(matrix.index) == {("city", "province"), ("province", "city")}
    p = found.passages.iloc[0]
    assert matrix.loc[("city", "province"), "shared_chars"] == p["chars_a"]
    assert matrix.loc[("city", "province"), "share"] == pytest.approx(p["chars_a"] / len(CITY))
    assert matrix.loc[("province", "city"), "n_chars"] == len(PROVINCE)
    assert reuse.reuse_matrix(found.passages.iloc[0:0], documents).empty


def test_passage_diff_marks_changed_numbers_whole_and_the_dropped_sentence():
    documents, units = _corpus(province=PROVINCE, city=CITY)
    found = reuse.find_reuse(units, documents)
    shown = reuse.pair_passages(found, "province", "city")
    assert len(shown) == 1
    diff = reuse.passage_diff(shown)
    assert "".join(diff["text_a"]) == shown["text_a"].iloc[0]
    assert "".join(diff["text_b"]) == shown["text_b"].iloc[0]
    changed = diff[diff["op"] == "replace"][["text_a", "text_b"]].values.tolist()
    assert ["6%", "5.5%"] in changed and ["1500", "1.2万"] in changed  # numbers whole
    assert ["300", "2000"] in changed and ["8000", "3万"] in changed
    # city is doc_a: the province's third sentence is only on the right, 了 only on the left
    assert diff[diff["op"] == "insert"]["text_b"].tolist() == [SOURCE_RUN[2], "的"]
    assert diff[diff["op"] == "delete"]["text_a"].tolist() == ["了", "的"]


def test_empty_inputs_give_typed_empty_tables():
    documents, units = _corpus(a="标题\n")
    found = reuse.find_reuse(units, documents)
    assert list(found.pairs.columns) == reuse.PAIRS and found.pairs.empty
    assert list(found.passages.columns) == reuse.PASSAGES
    assert list(found.repeated.columns) == reuse.REPEATED
    assert list(reuse.passage_diff(found.passages).columns) == reuse.DIFF


# ---------------------------------------------------------------------------- realistic fixture

@pytest.fixture(scope="module")
def realistic():
    from tifa.ingest.corpus import read_corpus

    documents, _ = read_corpus(FIXTURE / "table" / "reports.csv", text_column="正文")
    units = split_units(documents)
    expected = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))
    ids = {Path(d["file"]).with_suffix("").as_posix(): d["id"] for d in expected["documents"]}
    by_id = dict(zip(documents["doc_id"].str.rsplit("/", n=1).str[-1], documents["doc_id"]))
    doc_of_file = {f: by_id[i] for f, i in ids.items() if i in by_id}
    return documents, units, expected, doc_of_file, reuse.find_reuse(units, documents, by="省份")


def test_the_three_planted_copies_of_the_fixture_are_the_top_pairs_with_their_sentences(realistic):
    documents, units, expected, doc_of_file, found = realistic
    texts = documents.set_index("doc_id")["text"]
    planted = set()
    for case in expected["reuse"]:
        src = doc_of_file[Path(case["source_file"]).with_suffix("").as_posix()]
        tgt = doc_of_file[Path(case["target_file"]).with_suffix("").as_posix()]
        planted.add(frozenset((src, tgt)))
        shown = reuse.pair_passages(found, src, tgt)
        assert len(shown) == 1, case["kind"]
        p = shown.iloc[0]
        side = {p["doc_a"]: "a", p["doc_b"]: "b"}
        src_text, tgt_text = p[f"text_{side[src]}"], p[f"text_{side[tgt]}"]
        assert texts[src][p[f"start_{side[src]}"]:p[f"end_{side[src]}"]] == src_text
        assert p["n_sentences"] == len(case["alignment"])
        assert p[f"sentences_{side[src]}"] == len(case["source_sentences"])
        assert src_text.startswith(case["source_sentences"][0])
        assert src_text.endswith(case["source_sentences"][-1])
        assert tgt_text.startswith(case["target_sentences"][0])
        assert tgt_text.endswith(case["target_sentences"][-1])
        if case["dropped_sentence"]:
            assert case["dropped_sentence"] in src_text and case["dropped_sentence"] not in tgt_text
    top = {frozenset(pair) for pair in found.pairs[["doc_a", "doc_b"]].head(3).values.tolist()}
    assert top == planted
    # any other pair shares far less than the planted ones
    rest = found.pairs[[frozenset(x) not in planted for x in
                        found.pairs[["doc_a", "doc_b"]].values.tolist()]]
    assert (rest["shared_chars"] < 100).all()


def test_the_fixtures_formula_sentences_pair_no_reports(realistic):
    documents, units, expected, doc_of_file, found = realistic
    formulas = {reuse.normalize(s) for s in expected["shared_formula_sentences"]}
    for p in found.passages.itertuples():
        for text in (p.text_a, p.text_b):
            sentences = [s for s in units["text"] if s in text]
            assert not any(reuse.normalize(s) in formulas for s in sentences
                           if len(reuse.normalize(s)) > 15 and text.startswith(s)), p
    # the most repeated sentences are the genre's formulas and targets, reported as templates
    top = found.repeated.iloc[0]
    assert top["template"] and top["n_docs"] >= 10
    assert top["text"].startswith("现在，我代表")
