"""tifa.analyze.slogans: extraction, noise rules, normalisation, recurrence tables, tokenizer feedback."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tifa import paths
from tifa.ingest.corpus import read_corpus
from tifa.ingest.units import split_units
from tifa.analyze import kwic, slogans

# ----------------------------------------------------------------------------- fixtures

#: A synthetic 政府工作报告 excerpt: nothing of it comes from the seeds.
GWR = """某省2024年政府工作报告
一、2023年工作回顾
过去一年，我们坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，深刻领悟“两个确立”的决定性意义，增强“四个意识”、坚定“四个自信”、做到“两个维护”。“十四五”规划主要目标任务顺利推进，全省经济总量突破1万亿元，增长5.2%。深化“放管服”改革，推动高效办成一件事，“一网通办”事项达到1500项。我们坚持“法治”理念，办事“好”不好由群众评判，“2023”年全年新增市场主体30万户，“APEC”会议顺利举办。正如总书记所说“人民对美好生活的向往，就是我们的奋斗目标。”我们用三个月时间走访企业，新建五个产业园。举一反三，千方百计稳就业。推行一企一策、一园一策，实行三去一降一补。
二、2024年工作安排
科学谋划“十五五”发展，认真贯彻《政府工作报告》部署，落实《中华人民共和国民法典》和《民法典》，在《人民日报》发表文章，开设《政风行风热线》栏目。一是加快发展新质生产力。二是扩大内需，进一步优化营商环境，一批重大项目开工，一年来成效明显，十四五时期目标全面完成。"""


def _docs(texts: dict[str, str], **meta) -> pd.DataFrame:
    d = pd.DataFrame({"doc_id": list(texts), "text": list(texts.values())})
    for k, v in meta.items():
        d[k] = v
    return d


@pytest.fixture(scope="module")
def seeds():
    documents, _ = read_corpus(paths.default_corpus())
    units = split_units(documents)
    mentions = slogans.extract_slogans(documents, units, keep_noise=True)
    return documents, units, mentions


@pytest.fixture(scope="module")
def gwr():
    docs = _docs({"gwr": GWR}, year=2024, label="某省 2024")
    return docs, slogans.extract_slogans(docs, split_units(docs), keep_noise=True)


def _kept(m):
    return m[m["noise"].isna()]


# ----------------------------------------------------------------------------- the seeds

SEED_SLOGANS = ["两个确立", "两个维护", "三重一大", "三会一课", "一企一专班", "一园一策",
                "国家安全教育日", "《民法典》", "《公务员法》"]


@pytest.mark.parametrize("slogan", SEED_SLOGANS)
def test_seed_slogans_are_found(seeds, slogan):
    _, _, m = seeds
    assert slogan in set(_kept(m)["slogan"])


#: Every slogan of ``tables/slogans.csv`` of ``tifa run`` on seeds/ at main-wave2 (40253be),
#: recorded before the evidence and quantity rules: none of them may be lost.
SEEDS_RECORDED = (
    "《中共厦门市委全面依法治市委员会2023年工作要点》",
    "《中共聊城市委全面依法治市委员会2022年工作要点》", "《习近平法治思想培训班》",
    "《习近平法治思想学习纲要》", "《习近平谈治国理政（第四卷）》", "《公务员法》",
    "《关于开展“依法而治·循法而行”建设“六个新聊城”行动方案》",
    "《厦门市“八五”普法规划中期评估工作方案》", "《厦门市企业人员申办APEC商务旅行卡实施细则》",
    "《厦门市法治政府建设实施方案（2021-2025年）》", "《国家安全法》", "《宪法》",
    "《市外事办2022年集中学法用法学习计划》", "《民典法》", "《民法典》",
    "《法治政府建设与责任督察工作规定》", "《重大行政决策程序暂行条例》", "《领事保护与协助条例》",
    "一企一专班", "一园一策", "一岗双责", "一把手负总责、班子成员一岗双责、科室齐抓共管",
    "一规划两纲要", "三会一课", "三重一大", "两个大局", "两个确立", "两个维护", "中国普法",
    "主题教育", "习近平外交思想", "习近平新时代中国特色社会主义思想", "习近平法治思想",
    "云帆护航示范企业", "云帆护航行动", "互动党课·法治专题", "会前学法", "依法而治·循法而行",
    "党的二十大精神", "全市领导干部法治专题培训班", "八五普法", "六个新聊城", "关键少数",
    "出国第一课", "出境安全游", "十一个坚持", "厦门市2023年政务公开排查得分", "双公示", "双报到",
    "双招双引", "国家安全教育日", "外事为民", "外事法治课堂·周周讲", "外事联百企",
    "学思想、强党性、重实践、建新功", "宪法宣传周", "惠企服务共促发展", "我为群众办实事",
    "晒、比、问", "海外领事保护与应急处置", "深学争优、敢为争先、实干争效", "白名单",
    "百展千企拓市场", "线上办", "组合拳", "联动五洲益企远航", "谁审查、谁签字", "谁执法，谁普法",
    "走出去", "送法进企业、进社区、进家庭", "领保护航", "马上办", "高质量发展",
)


def test_seeds_keep_every_slogan_recorded_before_the_evidence_rules(seeds):
    documents, _, m = seeds
    counts = slogans.slogan_counts(m, documents, by="label")
    assert len(SEEDS_RECORDED) == 73
    assert set(SEEDS_RECORDED) <= set(counts["slogan"])


def test_national_security_day_is_one_family_in_both_reports(seeds):
    documents, _, m = seeds
    fam = _kept(m)[_kept(m)["slogan"] == "国家安全教育日"]
    assert fam["doc_id"].nunique() == 2 == len(documents)
    variants = set(fam["variant"])
    assert {"4·15国家安全教育日", "4·15全民国家安全教育日", "国家安全教育日"} <= variants
    assert fam["quoted"].any() and (~fam["quoted"]).any()   # with and without quotes
    summary = slogans.slogan_summary(m, documents)
    row = summary.set_index("slogan").loc["国家安全教育日"]
    assert row["status"] == "shared" and row["n_docs"] == 2


def test_gongwuyuanfa_needs_the_mended_page_break(seeds):
    documents, _, _ = seeds
    raw = documents.assign(text=documents["raw_text"])
    assert "《公务员法》" not in "".join(documents["raw_text"])   # broken by a page number
    before = slogans.extract_slogans(raw)
    after = slogans.extract_slogans(documents)
    assert "《公务员法》" not in set(before["slogan"])
    assert "《公务员法》" in set(after["slogan"])


def test_seed_kinds_and_quotes(seeds):
    _, _, m = seeds
    k = _kept(m)
    kinds = k.groupby("slogan")["kind"].first()
    assert kinds["两个确立"] == "numbered"
    assert kinds["一企一专班"] == "numbered"
    assert kinds["习近平法治思想"] == "known"
    assert kinds["《民法典》"] == "cited"
    assert kinds["云帆护航行动"] == "quoted"
    assert k.loc[k["slogan"] == "两个确立", "quoted"].all()
    assert set(k["kind"]) <= set(slogans.KINDS)
    # 一岗双责 inside the long quote is a use of its own, unquoted
    yg = k[k["slogan"] == "一岗双责"]
    assert len(yg) == 1 and not yg["quoted"].iloc[0]


def test_enumerations_and_idioms_are_not_slogans(seeds, gwr):
    for m in (seeds[2], gwr[1]):
        variants = set(_kept(m)["variant"])
        for word in ("一是", "二是", "一年来", "一批", "一步", "进一步", "举一反三", "千方百计",
                     "三级", "第一", "一把手"):
            assert word not in variants
        assert not any(re.match("[一二三]是", v) for v in variants)
    rejected = gwr[1][gwr[1]["noise"].eq("idiom")]
    assert {"举一反三", "千方百计"} <= set(rejected["variant"])


def test_positions_and_sections_point_at_the_text(seeds):
    documents, units, m = seeds
    texts = dict(zip(documents["doc_id"], documents["text"]))
    k = _kept(m)
    for row in k.itertuples():
        written = re.sub(r"\s+", "", texts[row.doc_id][row.start:row.end])
        if row.kind == "numbered":          # “八五”普法: the quote marks are inside the span
            written = re.sub("[“”\"「」]", "", written)
        assert written == row.variant
    sent = units.set_index(["doc_id", "sent_id"])
    for row in k.head(40).itertuples():
        u = sent.loc[(row.doc_id, row.sent_id)]
        assert u["start"] <= row.start < u["start"] + len(u["text"])
        assert u["section_id"] == row.section_id
    assert list(m.columns) == slogans.MENTIONS


# ----------------------------------------------------------------------------- generality

GWR_EXPECTED = ["两个确立", "四个意识", "四个自信", "两个维护", "十四五", "十五五", "放管服",
                "高效办成一件事", "一网通办", "《政府工作报告》", "《民法典》", "新质生产力",
                "一企一策", "一园一策", "三去一降一补"]


@pytest.mark.parametrize("slogan", GWR_EXPECTED)
def test_government_work_report_slogans(gwr, slogan):
    assert slogan in set(_kept(gwr[1])["slogan"])


def test_government_work_report_noise(gwr):
    m = gwr[1]
    reasons = dict(zip(m["variant"], m["noise"]))
    assert reasons["法治"] == "ordinary_word"
    assert reasons["好"] == "single_char"
    assert reasons["2023"] == "number"
    assert reasons["APEC"] == "number"
    assert reasons["人民对美好生活的向往，就是我们的奋斗目标。"] == "sentence"
    assert reasons["人民日报"] == "media"
    assert reasons["政风行风热线"] == "media"
    kept = set(_kept(m)["slogan"])
    for noise in ("法治", "好", "2023", "《人民日报》", "《政风行风热线》", "三个月", "五个产业",
                  "五个产业园"):
        assert noise not in kept


def test_law_with_and_without_country_prefix_is_one_document(gwr):
    k = _kept(gwr[1])
    law = k[k["slogan"] == "《民法典》"]
    assert set(law["variant"]) == {"中华人民共和国民法典", "民法典"}


def test_plan_numbers_quoted_and_bare(gwr):
    k = _kept(gwr[1])
    plan = k[k["slogan"] == "十四五"]
    assert len(plan) == 2 and set(plan["quoted"]) == {True, False}
    assert set(plan["kind"]) == {"numbered"}
    docs = _docs({"x": "编制“十四五规划”，完成十四五规划目标，迈向“十五五”。"})
    k = _kept(slogans.extract_slogans(docs))
    assert list(k["slogan"]) == ["十四五", "十四五", "十五五"]


# ----------------------------------------------------------------------------- noise rules

#: Quoted texts each noise rule rejects.
QUOTED_NOISE = {
    "single_char": ["好", "A"],
    "number": ["2023", "100%", "4·15", "2023年", "APEC"],
    "sentence": ["我们要把各项工作做好。", "要求：全面落实", "我们坚持把人民群众的小事当作自己的大事来办好",
                 "一二三四五六七八九十" * 4 + "一"],
    "ordinary_word": ["法治", "创新"],
    "idiom": ["一心一意"],
    "quantity": ["五年", "三年", "十年", "两年", "两年内", "五年来", "五个方面", "三个月", "十倍",
                 "三项", "五家", "二十多天"],
}
#: Cited titles that are media, with the text right after them.
CITED_MEDIA = {"在线访谈": "栏目、", "人民日报": "", "学习时报": "发表"}


@pytest.mark.parametrize("text, kind, after, rule", [
    *[(text, "quoted", "", rule) for rule, texts in QUOTED_NOISE.items() for text in texts],
    *[(text, "cited", after, "media") for text, after in CITED_MEDIA.items()],
])
def test_noise_rules_reject(text, kind, after, rule):
    assert slogans.noise_reason(text, kind=kind, after=after) == rule


@pytest.mark.parametrize("text, kind", [
    ("双碳", "quoted"), ("三农", "quoted"), ("放管服", "quoted"), ("谁执法，谁普法", "quoted"),
    ("深学争优、敢为争先、实干争效", "quoted"), ("十四五", "quoted"), ("八五", "quoted"),
    ("民法典", "cited"), ("宪法", "cited"), ("重大行政决策程序暂行条例", "cited"),
    ("两个确立", "numbered"), ("十四五", "numbered"), ("十五五", "quoted"), ("两个确立", "quoted"),
    ("三重一大", "quoted"), ("八五普法", "numbered"), ("三年行动", "quoted"), ("五个中心", "quoted"),
    ("一件事", "quoted"),
])
def test_noise_rules_keep(text, kind):
    assert slogans.noise_reason(text, kind=kind) is None


@pytest.mark.parametrize("text, rule", [("五年", "quantity"), ("法治", "ordinary_word"),
                                        ("2023", "number"), ("一心一意", "idiom")])
def test_plus_entries_overrule_every_rule_but_excluded(text, rule):
    assert slogans.noise_reason(text) == rule
    assert slogans.noise_reason(text, keep={text}) is None
    assert slogans.noise_reason(text, keep={text}, excluded={text}) == "excluded"


def test_quantities_are_not_numbered_formulations():
    for text in ("五年", "三年来", "五个方面", "两个月", "三项"):
        assert slogans.is_quantity(text) and not slogans.is_numbered(text)
    for text in ("十四五", "十五五", "两个确立", "三重一大", "八五普法", "一老一小", "千项万亿"):
        assert not slogans.is_quantity(text) and slogans.is_numbered(text)
    docs = _docs({"a": "过去“五年”，我们推进“十四五”规划，落实“五个方面”要求。",
                  "b": "五年来，十四五规划实施顺利，五个方面工作扎实。"})
    m = slogans.extract_slogans(docs, formulations=slogans.load_formulations(known=[]),
                                keep_noise=True)
    assert set(_kept(m)["slogan"]) == {"十四五"}
    assert set(_kept(m)["doc_id"]) == {"a", "b"}
    quantity = m[m["noise"] == "quantity"]
    assert {"五年", "五个方面"} <= set(quantity["variant"])


# ----------------------------------------------------------------------------- evidence rule

#: One report quotes 一体化 once for emphasis; three write it plain. Two reports quote 好房子, a
#: third writes it plain; one quotes 云帆护航行动 (a rare word), another writes it plain.
EVIDENCE_DOCS = {
    "a": "推动“一体化”发展，区域一体化加快。建设“好房子”。开展“云帆护航行动”。",
    "b": "都市圈一体化深入推进。让群众住上“好房子”。",
    "c": "城乡一体化水平提高，好房子建设试点启动，参与云帆护航行动。",
    "d": "推进一体化政务服务。",
}


def test_a_word_quoted_once_is_not_counted_unquoted_elsewhere():
    docs = _docs(EVIDENCE_DOCS)
    m = slogans.extract_slogans(docs, formulations=slogans.load_formulations(known=[]),
                                keep_noise=True)
    k = _kept(m)
    yt = k[k["slogan"] == "一体化"]
    assert list(yt["doc_id"]) == ["a"] and yt["quoted"].all()      # only the quoted use
    demoted = m[(m["noise"] == "no_evidence") & (m["variant"] == "一体化")]
    assert set(demoted["doc_id"]) == {"a", "b", "c", "d"} and not demoted["quoted"].any()
    # a formulation quoted in two documents is counted where it is written without quotes
    hf = k[k["slogan"] == "好房子"]
    assert set(hf["doc_id"]) == {"a", "b", "c"}
    assert list(hf.loc[hf["doc_id"] == "c", "quoted"]) == [False]
    # a rare word (not in jieba's dictionary, 4+ characters) is evidence enough
    assert set(k.loc[k["slogan"] == "云帆护航行动", "doc_id"]) == {"a", "c"}


def test_evidence_parameters():
    docs = _docs(EVIDENCE_DOCS)
    f = slogans.load_formulations(known=[])
    every = _kept(slogans.extract_slogans(docs, formulations=f, min_quoted_docs=1))
    assert set(every.loc[every["slogan"] == "一体化", "doc_id"]) == {"a", "b", "c", "d"}
    strict = _kept(slogans.extract_slogans(docs, formulations=f, min_quoted_docs=3))
    assert set(strict.loc[strict["slogan"] == "好房子", "doc_id"]) == {"a", "b"}
    longer = _kept(slogans.extract_slogans(docs, formulations=f, rare_min_chars=7))
    assert set(longer.loc[longer["slogan"] == "云帆护航行动", "doc_id"]) == {"a"}


def test_quoted_in_two_documents_but_written_plain_in_thirty_is_ordinary():
    texts = {"q1": "打出“组合拳”。", "q2": "形成政策“组合拳”。"}
    texts.update({f"p{i}": f"打好政策组合拳第{i}轮。" for i in range(30)})
    f = slogans.load_formulations(known=[])
    k = _kept(slogans.extract_slogans(_docs(texts), formulations=f))
    assert set(k.loc[k["slogan"] == "组合拳", "doc_id"]) == {"q1", "q2"}      # 2 of 32 < 10 %
    k = _kept(slogans.extract_slogans(_docs(texts), formulations=f, min_quoted_share=0.0))
    assert k.loc[k["slogan"] == "组合拳", "doc_id"].nunique() == 32


def test_plus_entries_and_the_known_list_are_evidence():
    docs = _docs(EVIDENCE_DOCS)
    plus = slogans.load_formulations(known=[], keep=["一体化"])
    k = _kept(slogans.extract_slogans(docs, formulations=plus))
    assert set(k.loc[k["slogan"] == "一体化", "doc_id"]) == {"a", "b", "c", "d"}
    assert set(k.loc[k["slogan"] == "一体化", "kind"]) == {"quoted"}
    known = slogans.load_formulations(known=["一体化"])
    k = _kept(slogans.extract_slogans(docs, formulations=known))
    assert set(k.loc[k["slogan"] == "一体化", "kind"]) == {"known"}
    assert k.loc[k["slogan"] == "一体化", "doc_id"].nunique() == 4
    # a two-character '+' entry: its quoted use is kept and its plain uses count
    two = _docs({"a": "重拳出击，亮出“铁拳”。", "b": "执法铁拳频出。"})
    assert _kept(slogans.extract_slogans(two, formulations=slogans.load_formulations(known=[]))).empty
    k = _kept(slogans.extract_slogans(two, formulations=slogans.load_formulations(known=[],
                                                                                 keep=["铁拳"])))
    assert set(k["doc_id"]) == {"a", "b"}


@pytest.mark.parametrize("word, ordinary", [
    ("一体化", True), ("示范区", True), ("新高地", True), ("滴水穿石", True), ("三年行动计划", True),
    ("国家安全教育日", False), ("云帆护航行动", False), ("枫桥经验", False), ("谁执法，谁普法", False),
])
def test_is_ordinary(word, ordinary):
    assert slogans.is_ordinary(word) is ordinary


def test_noise_candidates_name_the_overruling_line():
    docs = _docs(EVIDENCE_DOCS | {"e": "过去“五年”，坚持“法治”，不搞“一刀切”。"})
    f = slogans.load_formulations(known=[], excluded=["一刀切"])
    m = slogans.extract_slogans(docs, formulations=f, keep_noise=True)
    c = slogans.noise_candidates(m)
    assert list(c.columns) == slogans.NOISE_CANDIDATES
    rows = c.set_index("candidate")
    assert rows.loc["一体化", "rule"] == "no_evidence" and rows.loc["一体化", "n"] == 4
    assert rows.loc["一体化", "n_docs"] == 4 and rows.loc["一体化", "overrule"] == "+一体化"
    assert rows.loc["五年", "rule"] == "quantity" and rows.loc["法治", "rule"] == "ordinary_word"
    assert rows.loc["一刀切", "overrule"] == "delete !一刀切"
    order = [list(slogans.NOISE_RULES).index(r) for r in c["rule"]]
    assert order == sorted(order)
    report = slogans.noise_report(m).set_index("rule")
    assert report.loc["no_evidence", "n"] == 4 and report.loc["quantity", "examples"] == "五年"
    assert slogans.noise_candidates(_kept(m)).empty


def test_excluded_list_applies_to_every_kind():
    assert slogans.noise_reason("白名单", excluded={"白名单"}) == "excluded"
    docs = _docs({"a": "建立“白名单”制度，推行一企一策，学习习近平法治思想。"})
    f = slogans.load_formulations(known=["习近平法治思想"], excluded=["白名单", "一企一策", "习近平法治思想"])
    m = slogans.extract_slogans(docs, formulations=f, keep_noise=True)
    assert set(_kept(m)["slogan"]) == set()
    assert set(m["noise"].dropna()) == {"excluded"}


def test_every_rule_is_described_and_reported(gwr):
    report = slogans.noise_report(gwr[1])
    assert list(report["rule"]) == list(slogans.NOISE_RULES)
    assert report.set_index("rule").loc["idiom", "n"] == 2
    assert report.set_index("rule").loc["media", "n"] == 2


# ----------------------------------------------------------------------------- normalisation

@pytest.mark.parametrize("variant, kind, form", [
    ("4·15 国家安全教育日", "quoted", "国家安全教育日"),            # whitespace + date_prefix
    ("4·15全民国家安全教育日", "quoted", "全民国家安全教育日"),      # date_prefix
    ("12·4国家宪法日", "quoted", "国家宪法日"),
    ("5月12日防灾减灾日", "quoted", "防灾减灾日"),
    ("2023福建省领事保护宣传月", "quoted", "福建省领事保护宣传月"),
    ("惠企服务 共促发展", "quoted", "惠企服务共促发展"),           # whitespace
    ("谁执法，\n谁普法", "quoted", "谁执法，谁普法"),
    ("“八五”普法", "numbered", "八五普法"),                       # quote_marks
    ("十四五规划", "numbered", "十四五"),                         # plan_suffix
    ("八五普法规划", "numbered", "八五普法"),
    ("中华人民共和国民法典", "cited", "民法典"),                   # country_prefix
    ("中华人民共和国", "cited", "中华人民共和国"),
    ("4·15", "quoted", "4·15"),                                   # nothing left: unchanged
])
def test_normalise(variant, kind, form):
    assert slogans.normalise(variant, kind=kind) == form


def test_family_key_ignores_punctuation():
    assert slogans.family_key("谁执法，谁普法") == slogans.family_key("谁执法谁普法") == "谁执法谁普法"
    assert slogans.family_key("外事法治课堂·周周讲") == "外事法治课堂周周讲"
    assert slogans.family_key("、") == "、"


def test_punctuation_and_quotes_make_one_family_without_the_known_list():
    docs = _docs({"a": "树立“谁执法，谁普法”理念，开展“云帆护航行动”。",
                  "b": "落实谁执法谁普法责任制，参与云帆护航行动。"})
    m = slogans.extract_slogans(docs, formulations=slogans.load_formulations(known=[]))
    k = _kept(m)
    fam = k[k["slogan"] == "谁执法，谁普法"]
    assert set(fam["doc_id"]) == {"a", "b"} and set(fam["variant"]) == {"谁执法，谁普法", "谁执法谁普法"}
    yf = k[k["slogan"] == "云帆护航行动"]
    assert list(yf["quoted"]) == [True, False] and set(yf["kind"]) == {"quoted"}


def test_modifier_prefix_joins_a_family_found_elsewhere():
    docs = _docs({"a": "深化“放管服改革”。", "b": "持续深化放管服改革，推进“深化放管服改革”。"})
    m = slogans.extract_slogans(docs, formulations=slogans.load_formulations(known=[]))
    assert set(_kept(m)["slogan"]) == {"放管服改革"}
    # without the core anywhere, the modified form stays a family of its own
    m2 = slogans.extract_slogans(_docs({"b": "推进“深化放管服改革”。"}),
                                 formulations=slogans.load_formulations(known=[]))
    assert set(_kept(m2)["slogan"]) == {"深化放管服改革"}


def test_echo_off_counts_only_quoted_uses():
    docs = _docs({"a": "开展“云帆护航行动”。", "b": "参与云帆护航行动。"})
    f = slogans.load_formulations(known=[])
    assert set(_kept(slogans.extract_slogans(docs, formulations=f, echo=False))["doc_id"]) == {"a"}
    assert set(_kept(slogans.extract_slogans(docs, formulations=f))["doc_id"]) == {"a", "b"}


@pytest.mark.parametrize("text, expected", [
    ("坚决做到两个维护，", "两个维护"), ("落实一岗双责要求", "一岗双责"), ("三去一降一补", "三去一降一补"),
    ("中央“一规划两纲要”", "一规划两纲要"), ("推动八五普法", "八五普法"), ("制定十五五规划", "十五五"),
    ("践行两学一做。", "两学一做"),
])
def test_numbered_shapes(text, expected):
    m = slogans.extract_slogans(_docs({"x": text}), formulations=slogans.load_formulations(known=[]))
    assert expected in set(_kept(m)["slogan"])


@pytest.mark.parametrize("text", [
    "一年两次", "一是加强学习", "三个方面的工作", "用两个月时间", "一步一步推进", "在三五年内",
    "一九八五年", "一个中心", "二十五个项目", "增长一倍", "一心一意谋发展", "万众一心",
])
def test_numbered_shapes_reject(text):
    m = slogans.extract_slogans(_docs({"x": text}), formulations=slogans.load_formulations(known=[]))
    assert _kept(m).empty, _kept(m)["variant"].tolist()


def test_is_numbered():
    assert slogans.is_numbered("双报到") and slogans.is_numbered("十一个坚持")
    assert slogans.is_numbered("一企一专班") and slogans.is_numbered("十四五")
    assert not slogans.is_numbered("一是") and not slogans.is_numbered("法治")
    assert not slogans.is_numbered("一心一意")


# ----------------------------------------------------------------------------- formulations file

def test_formulations_file_parses(tmp_path):
    f = slogans.load_formulations()
    assert "习近平法治思想" in f.known and "高效办成一件事" in f.known
    assert not any(k.startswith(("#", "!")) for k in f.known)
    text = (paths.data_file(slogans.FORMULATIONS_FILE)).read_text(encoding="utf-8")
    assert text.startswith("#") and "Where the entries come from" in text
    custom = tmp_path / "f.txt"
    custom.write_text("# c\n甲乙丙丁\n!一心一意\n\n  戊 己 庚  \n+一体化\n+\n", encoding="utf-8")
    g = slogans.load_formulations(custom)
    assert g.known == ("甲乙丙丁", "戊己庚") and g.excluded == frozenset({"一心一意"})
    assert g.keep == frozenset({"一体化"})
    with pytest.raises(FileNotFoundError):
        slogans.load_formulations(tmp_path / "missing.txt")


def test_known_formulations_do_not_contain_seed_campaigns():
    # the known list is national; local campaigns must come from the rules (no seed tuning)
    known = set(slogans.load_formulations().known)
    for local in ("云帆护航行动", "国家安全教育日", "一企一专班", "一园一策", "三重一大", "会前学法"):
        assert local not in known


# ----------------------------------------------------------------------------- recurrence tables

@pytest.fixture(scope="module")
def two_cities():
    docs = _docs({
        "a1": "坚定拥护“两个确立”，推行“一园一策”，开展“云帆护航行动”。落实“三重一大”。",
        "a2": "做到“两个维护”，落实“三重一大”。落实“三重一大”。",
        "b1": "坚定拥护“两个确立”，落实“三重一大”，实施“一企一专班”。",
    }, region=["甲市", "甲市", "乙市"], year=[2022, 2023, 2023])
    docs["n_chars"] = docs["text"].str.len()
    return docs, slogans.extract_slogans(docs, formulations=slogans.load_formulations(known=[]))


def test_slogan_counts(two_cities):
    docs, m = two_cities
    c = slogans.slogan_counts(m, docs, by="region")
    assert list(c.columns) == slogans.SLOGANS
    assert c["count"].sum() == len(_kept(m))
    row = c[(c["slogan"] == "三重一大") & (c["doc_id"] == "a2")]
    assert row["count"].item() == 2 and row["group"].item() == "甲市"
    assert c["slogan"].iloc[0] == "三重一大"       # most used first


def test_slogan_summary(two_cities):
    docs, m = two_cities
    s = slogans.slogan_summary(m, docs, by="region").set_index("slogan")
    assert list(slogans.slogan_summary(m, docs, by="region").columns) == slogans.SUMMARY
    assert s.loc["三重一大", "status"] == "shared" and s.loc["三重一大", "count"] == 4
    assert s.loc["三重一大", "n_docs"] == 3 and s.loc["三重一大", "n_groups"] == 2
    assert s.loc["两个确立", "status"] == "shared"
    assert s.loc["云帆护航行动", "status"] == "own" and s.loc["云帆护航行动", "owner"] == "甲市"
    assert s.loc["一企一专班", "owner"] == "乙市"
    assert s.loc["三重一大", "first_year"] == 2022 and s.loc["三重一大", "last_year"] == 2023
    assert s.loc["两个维护", "first_year"] == 2023
    assert (s["total_docs"] == 3).all() and (s["total_groups"] == 2).all()
    by_doc = slogans.slogan_summary(m, docs).set_index("slogan")
    assert by_doc.loc["两个确立", "status"] == "some"       # 2 of 3 documents


def test_summary_ranks_by_documents_then_uses(two_cities):
    docs, m = two_cities
    s = slogans.slogan_summary(m, docs, by="region")
    assert list(s["rank"]) == list(range(1, len(s) + 1))
    keys = list(zip(-s["n_docs"], -s["count"], -s["n_docs_quoted"], s["slogan"]))
    assert keys == sorted(keys)
    row = s.set_index("slogan").loc["三重一大"]
    assert row["rank"] == 1 and row["n_docs_quoted"] == 3
    # two reports using it once each rank above one report using it three times
    texts = {"a": "落实“甲乙丙丁”。落实“甲乙丙丁”。落实“甲乙丙丁”。", "b": "推进“戊己庚辛”。",
             "c": "推进“戊己庚辛”。"}
    d = _docs(texts)
    s = slogans.slogan_summary(slogans.extract_slogans(d), d)
    assert list(s["slogan"]) == ["戊己庚辛", "甲乙丙丁"]
    assert list(s["n_docs_quoted"]) == [2, 1]


def test_slogans_by_group_rates(two_cities):
    docs, m = two_cities
    g = slogans.slogans_by_group(m, docs, by="region")
    assert list(g.columns) == slogans.BY_GROUP
    row = g[(g["slogan"] == "三重一大") & (g["group"] == "甲市")].iloc[0]
    chars = docs.loc[docs["region"] == "甲市", "n_chars"].sum()
    assert row["count"] == 3 and row["n_docs"] == 2 and row["group_docs"] == 2
    assert row["group_chars"] == chars
    assert row["per_100k_chars"] == pytest.approx(3 / chars * 100_000)


def test_top_slogans_lumps_groups_beyond_max(two_cities):
    docs, m = two_cities
    s = slogans.slogan_summary(m, docs)
    g = slogans.slogans_by_group(m, docs)
    top = slogans.top_slogans(g, s, top_n=2, max_groups=1)
    assert list(top.columns) == slogans.TOP
    assert top["slogan"].nunique() == 2 and set(top["rank"]) == {1, 2}
    assert set(top["group"]) <= {"a2", "a1", "b1", "其他"} and "其他" in set(top["group"])
    assert top.groupby("slogan")["count"].sum().to_dict() == \
        top.groupby("slogan")["total"].first().to_dict()
    only_cited = slogans.top_slogans(g, s, kinds=("cited",))
    assert only_cited.empty


def test_slogan_matrix_puts_shared_first_and_clusters_own(two_cities):
    docs, m = two_cities
    s = slogans.slogan_summary(m, docs, by="region")
    g = slogans.slogans_by_group(m, docs, by="region")
    mx = slogans.slogan_matrix(g, s)
    assert list(mx.columns) == ["乙市", "甲市"]
    status = [mx.attrs["status"][x] for x in mx.index]
    assert status == sorted(status, key=["shared", "some", "own"].index)
    assert mx.loc["三重一大", "甲市"] == 3 and mx.loc["一企一专班", "甲市"] == 0
    own = [x for x in mx.index if mx.attrs["status"][x] == "own"]
    owners = ["乙市" if mx.loc[x, "乙市"] else "甲市" for x in own]
    assert owners == sorted(owners, key=["乙市", "甲市"].index)   # one block per group


def test_slogan_timeline(two_cities):
    docs, m = two_cities
    t = slogans.slogan_timeline(m, docs, top_n=3)
    assert list(t.columns) == slogans.TIMELINE
    assert t["slogan"].nunique() == 3 and set(t["year"]) == {2022, 2023}
    row = t[(t["slogan"] == "三重一大") & (t["year"] == 2023)].iloc[0]
    assert row["count"] == 3 and row["n_docs"] == 2 and row["year_docs"] == 2
    assert row["share_docs"] == 1.0
    zero = t[(t["slogan"] == "两个确立") & (t["year"] == 2022)]
    assert zero["count"].item() == 1
    assert slogans.slogan_timeline(m, docs.drop(columns="year")).empty
    one_year = slogans.slogan_timeline(m, docs.assign(year=2023))
    assert set(one_year["year"]) == {2023}


@pytest.fixture(scope="module")
def years():
    """Three years of two cities: 甲乙丙丁 every year, 戊己庚辛 only 2022, 壬癸子丑 from 2023,
    寅卯辰巳 only in 乙市 2024."""
    docs = _docs({
        "a22": "落实“甲乙丙丁”，开展“戊己庚辛”。", "b22": "落实“甲乙丙丁”。",
        "a23": "落实“甲乙丙丁”，推进“壬癸子丑”。", "b23": "推进“壬癸子丑”。",
        "a24": "落实“甲乙丙丁”。", "b24": "推进“壬癸子丑”，实施“寅卯辰巳”。",
    }, region=["甲市", "乙市"] * 3, year=[2022, 2022, 2023, 2023, 2024, 2024])
    return docs, slogans.extract_slogans(docs, formulations=slogans.load_formulations(known=[]))


def test_slogan_changes_over_the_corpus(years):
    docs, m = years
    c = slogans.slogan_changes(m, docs)
    assert list(c.columns) == slogans.CHANGES and set(c["group"]) == {slogans.ALL_DOCUMENTS}
    got = {(int(r.year), r.slogan): r.change for r in c.itertuples()}
    assert got == {
        (2022, "甲乙丙丁"): "first", (2022, "戊己庚辛"): "first",
        (2023, "甲乙丙丁"): "continued", (2023, "壬癸子丑"): "new", (2023, "戊己庚辛"): "dropped",
        (2024, "甲乙丙丁"): "continued", (2024, "壬癸子丑"): "continued",
        (2024, "寅卯辰巳"): "new",
    }
    new = c[(c["year"] == 2023) & (c["slogan"] == "壬癸子丑")].iloc[0]
    assert new["n_docs"] == 2 and new["year_docs"] == 2 and new["share_docs"] == 1.0
    assert new["previous_year"] == 2022 and new["first_year"] == 2023
    dropped = c[c["change"] == "dropped"].iloc[0]        # counted where it was last seen
    assert dropped["counts_year"] == 2022 and dropped["n_docs"] == 1
    assert dropped["share_docs"] == 0.5 and dropped["last_year"] == 2022


def test_slogan_changes_per_group_and_year(years):
    docs, m = years
    c = slogans.slogan_changes(m, docs, by="region")
    assert list(pd.unique(c["group"])) == ["乙市", "甲市"]
    yi = {(int(r.year), r.slogan): r.change for r in c[c["group"] == "乙市"].itertuples()}
    assert yi[(2023, "壬癸子丑")] == "new" and yi[(2023, "甲乙丙丁")] == "dropped"
    assert yi[(2024, "寅卯辰巳")] == "new" and yi[(2024, "壬癸子丑")] == "continued"
    jia = {(int(r.year), r.slogan): r.change for r in c[c["group"] == "甲市"].itertuples()}
    assert jia[(2023, "戊己庚辛")] == "dropped" and jia[(2024, "壬癸子丑")] == "dropped"
    t = slogans.slogan_turnover(m, docs, by="region", changes=c)
    assert list(t.columns) == slogans.TURNOVER
    row = t[(t["group"] == "乙市") & (t["year"] == 2024)].iloc[0]
    assert (row["n_new"], row["n_continued"], row["n_dropped"], row["n_used"]) == (1, 1, 0, 2)
    assert row["new_examples"] == "寅卯辰巳" and row["year_docs"] == 1
    first = t[t["year"] == 2022]
    assert (first["n_first"] == first["n_used"]).all() and first["previous_year"].isna().all()
    whole = slogans.slogan_turnover(m, docs)
    assert list(whole["n_new"]) == [0, 1, 1] and list(whole["n_dropped"]) == [0, 1, 0]


def test_slogan_changes_with_one_year_or_none(years):
    docs, m = years
    one = slogans.slogan_turnover(m, docs.assign(year=2024))
    assert len(one) == 1 and one["n_new"].sum() == 0 and one["n_first"].iloc[0] == 4
    assert slogans.slogan_changes(m, docs.drop(columns="year")).empty
    assert list(slogans.slogan_changes(m, docs.drop(columns="year")).columns) == slogans.CHANGES
    assert slogans.slogan_turnover(m, docs.assign(year=pd.NA)).empty


def test_slogan_overlap(two_cities):
    docs, m = two_cities
    ov = slogans.slogan_overlap(m, docs, by="region")
    assert list(ov.columns[:5]) == slogans.OVERLAP and ov.attrs["groups"] == ["乙市", "甲市"]
    combos = dict(zip(ov["combination"], ov["n_slogans"]))
    assert combos == {"乙市 ∩ 甲市": 2, "甲市": 3, "乙市": 1}
    assert ov["n_slogans"].sum() == _kept(m)["slogan"].nunique()
    both = ov[ov["degree"] == 2].iloc[0]
    assert both["乙市"] and both["甲市"]


def test_kwic_pattern_finds_every_variant(seeds):
    documents, units, m = seeds
    pattern = slogans.kwic_pattern(m, "国家安全教育日")
    hits = kwic.kwic(units, pattern, regex=True, documents=documents, by="label")
    assert len(hits) == 5 and hits["group"].nunique() == 2
    assert slogans.kwic_pattern(m, "不存在的提法") is None
    cited = kwic.kwic(units, slogans.kwic_pattern(m, "《公务员法》"), regex=True)
    assert list(cited["match"]) == ["《公务员法》"]


# ----------------------------------------------------------------------------- tokenizer feedback

def test_lexicon_terms(seeds):
    documents, _, m = seeds
    terms = slogans.lexicon_terms(documents)
    assert terms == tuple(sorted(set(terms)))
    for t in ("两个确立", "一企一专班", "三重一大", "国家安全教育日", "公务员法", "习近平法治思想"):
        assert t in terms
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{3,16}", t) for t in terms)
    # no term contains another (the shorter one must still be counted inside it)
    assert not any(a != b and a in b for a in terms for b in terms)
    assert "习近平法治思想学习纲要" not in terms
    shared = slogans.lexicon_terms(documents, min_docs=2, mentions=m)
    assert set(shared) == {"习近平法治思想", "习近平新时代中国特色社会主义思想", "党的二十大精神",
                           "国家安全教育日", "三重一大"}
    assert slogans.lexicon_terms(_docs({"x": "没有提法的文本。"})) == ()


def test_lexicon_terms_make_slogans_one_token(seeds):
    from tifa.tokenize.lexicon import load_lexicon
    from tifa.tokenize import tokenize

    documents, _, m = seeds
    units = split_units(_docs({"x": "坚定拥护两个确立，推行一企一专班和一园一策服务。"}))
    plain = tokenize(units, lexicon=load_lexicon(), cache=False, n_jobs=1)
    terms = slogans.lexicon_terms(documents, mentions=m)
    fed = tokenize(units, lexicon=load_lexicon(extra_terms=terms), cache=False, n_jobs=1)
    assert {"两个确立", "一企一专班", "一园一策"} <= set(fed["token"])
    assert "一企一专班" not in set(plain["token"])


# ----------------------------------------------------------------------------- edge cases, scale

def test_empty_inputs():
    empty = slogans.extract_slogans(_docs({"x": "", "y": "没有任何提法。"}))
    assert empty.empty and list(empty.columns) == slogans.MENTIONS
    docs = _docs({"x": ""})
    assert slogans.slogan_summary(empty, docs).empty
    assert slogans.slogan_counts(empty, docs).empty
    with pytest.raises(KeyError):
        slogans.extract_slogans(pd.DataFrame({"doc_id": ["x"]}))


def test_units_are_optional(gwr):
    docs, _ = gwr
    m = slogans.extract_slogans(docs)
    assert m["sent_id"].isna().all() and len(m) > 10


def test_scales_linearly_with_one_pass_per_document():
    body = GWR.split("\n", 1)[1]
    docs = _docs({f"d{i}": body.replace("某省", f"省{i}") + f"开展“专项行动{i}号”。" for i in range(600)},
                 year=[2015 + i % 10 for i in range(600)])
    m = slogans.extract_slogans(docs)
    s = slogans.slogan_summary(m, docs)
    assert s.set_index("slogan").loc["两个确立", "n_docs"] == 600
    # 600 distinct local campaigns do not slow extraction down: no pass per slogan
    assert s["slogan"].str.startswith("专项行动").sum() == 600


def test_quote_styles_and_nested_quotes():
    docs = _docs({"x": "提出“深入推进‘云帆护航’行动”的要求，落实「三重一大」制度，开展\"百日攻坚\"。"})
    k = _kept(slogans.extract_slogans(docs, formulations=slogans.load_formulations(known=[])))
    assert {"深入推进‘云帆护航’行动", "云帆护航", "三重一大", "百日攻坚"} <= set(k["slogan"])
    assert k.set_index("slogan").loc["三重一大", "quoted"]
