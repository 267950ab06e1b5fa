"""tifa.report.captions: one-line Chinese captions say what the numbers of a result table say."""

import pandas as pd
import pytest

from tifa.report import captions


def _keywords(rows):
    return pd.DataFrame(rows, columns=["term", "group", "count", "per_10k", "rank"])


KEYWORDS = _keywords([
    ("宣传", "厦门市 2023", 12, 115.94, 1), ("学习", "厦门市 2023", 11, 106.28, 2),
    ("法治", "厦门市 2023", 5, 48.3, 3),
    ("法治", "聊城市 2022", 18, 141.40, 1), ("外事", "聊城市 2022", 17, 133.5, 2),
    ("宣传", "聊城市 2022", 14, 110.0, 3),
])


def test_number_rounding_and_separators():
    assert captions.number(141.4) == "141"
    assert captions.number(9.66) == "9.7"
    assert captions.number(0.4167) == "0.42"
    assert captions.number(3243) == "3,243"
    assert captions.number(7, unit=" 次") == "7 次"
    assert captions.number(None) == "—" and captions.number(float("nan")) == "—"
    assert captions.percent(0.3149) == "31%"


def test_top_terms_names_each_groups_leading_term_with_its_rate():
    text = captions.top_terms(KEYWORDS)
    assert text == "厦门市 2023 最常用的词是“宣传”（每万词 116 次），聊城市 2022 是“法治”（141 次）"


def test_top_terms_by_count_and_other_nouns():
    assert captions.top_terms(KEYWORDS, value="count", noun="词组") == \
        "厦门市 2023 最常用的词组是“宣传”（12 次），聊城市 2022 是“法治”（18 次）"


def test_top_terms_same_leader_everywhere():
    t = _keywords([("法治", "甲", 5, 50.0, 1), ("法治", "乙", 9, 90.0, 1), ("改革", "乙", 1, 10.0, 2)])
    assert captions.top_terms(t) == "各组最常用的词都是“法治”（每万词 50—90 次）"


def test_top_terms_with_many_groups_counts_groups_per_leader():
    rows = [("法治", f"省{i:02d}", 10, 100.0 - i, 1) for i in range(18)]
    rows += [("改革", f"省{i:02d}", 10, 100.0, 1) for i in range(18, 25)]
    rows += [("开放", f"省{i:02d}", 10, 100.0, 1) for i in range(25, 31)]
    text = captions.top_terms(_keywords(rows), max_groups=3)
    assert text == "31 组中，18 组最常用的词是“法治”，7 组是“改革”"


def test_top_terms_ties_go_to_the_larger_count_then_table_order():
    t = _keywords([("甲词", "A", 3, 50.0, 2), ("乙词", "A", 5, 50.0, 1)])
    assert "“乙词”" in captions.top_terms(t)


def test_empty_tables_say_so_instead_of_failing():
    empty = KEYWORDS.iloc[0:0]
    assert captions.top_terms(empty) == captions.NOTHING
    assert captions.slogans(pd.DataFrame(columns=["slogan", "group", "count"])) == "没有找到提法"
    assert captions.keyness(pd.DataFrame(columns=["term", "target", "g2", "p"])) == captions.NOTHING


def test_missing_columns_name_the_function_and_the_columns():
    with pytest.raises(KeyError, match="top_terms.*per_10k"):
        captions.top_terms(KEYWORDS.drop(columns="per_10k"))


def test_lengths():
    docs = pd.DataFrame({"label": ["聊城市 2022", "厦门市 2023"], "n_chars": [3243, 2813]})
    assert captions.lengths(docs) == \
        "共 2 份报告 6,056 字；最长的是聊城市 2022（3,243 字），最短的是厦门市 2023（2,813 字）"
    three = pd.concat([docs, pd.DataFrame({"label": ["丙"], "n_chars": [3000]})])
    assert captions.lengths(three).endswith("，中位数 3,000 字")


def test_term_lists_and_term_gap():
    assert captions.term_lists(KEYWORDS, n=2) == "各组最常用的词：厦门市 2023 宣传、学习；聊城市 2022 法治、外事"
    assert captions.term_gap(KEYWORDS) == \
        "高频词中各组差别最大的是“外事”（聊城市 2022 每万词 134 次，厦门市 2023 0 次）"


def test_keyness_takes_each_targets_strongest_significant_term():
    key = pd.DataFrame({
        "term": ["法律顾问", "法治", "企业", "弱词"],
        "target": ["聊城市 2022", "聊城市 2022", "厦门市 2023", "厦门市 2023"],
        "reference": ["厦门市 2023", "厦门市 2023", "聊城市 2022", "聊城市 2022"],
        "n_target": [10, 18, 8, 3], "n_reference": [0, 5, 0, 0],
        "total_target": [1273, 1273, 1035, 1035], "total_reference": [1035, 1035, 1273, 1273],
        "g2": [14.2, 9.1, 11.0, 40.0], "p": [0.0002, 0.003, 0.0009, 0.2],
    })
    text = captions.keyness(key)
    assert text == ("聊城市 2022 最突出的词是“法律顾问”（每万词 79 次对 0 次，G² = 14.2），"
                    "厦门市 2023 是“企业”（77 次对 0 次，G² = 11.0）")
    assert "弱词" not in text  # p = 0.2 is not significant, however large G²
    assert captions.keyness(key.assign(p=0.5)) == "没有在 p < 0.05 水平上显著多用的词"


def test_tfidf_and_similarity():
    tf = pd.DataFrame({"term": ["法律顾问", "企业", "外事"], "group": ["甲", "乙", "乙"],
                       "tfidf": [0.31, 0.28, 0.1], "count": [3, 4, 9]})
    assert captions.tfidf(tf) == "最能代表各组的词（TF-IDF 最高）：甲 是“法律顾问”（0.31），乙 是“企业”（0.28）"
    pairs = pd.DataFrame({"group": ["甲", "甲", "乙"], "other": ["乙", "丙", "丙"], "cosine": [0.62, 0.21, 0.4]})
    assert captions.similarity(pairs) == "最相近的是甲 与乙（余弦相似度 0.62），差别最大的是甲 与丙（0.21）"
    square = pd.DataFrame([[1, 0.5], [0.5, 1]], index=["甲", "乙"], columns=["甲", "乙"])
    assert captions.similarity(square) == "最相近的是甲 与乙（余弦相似度 0.50）"


def test_themes_leading_theme_per_group_and_widest_gap():
    t = pd.DataFrame({
        "theme": ["普法宣传", "涉外服务", "普法宣传", "涉外服务"],
        "group": ["聊城市 2022", "聊城市 2022", "厦门市 2023", "厦门市 2023"],
        "hits": [40, 10, 12, 30], "per_1k": [31.4, 7.9, 11.6, 29.0], "share": [0.8, 0.2, 0.286, 0.714],
    })
    assert captions.themes(t) == (
        "聊城市 2022 着墨最多的主题是“普法宣传”（占 80%），厦门市 2023 是“涉外服务”（71%）；"
        "差别最大的是“涉外服务”（厦门市 2023 每千词 29 次，聊城市 2022 7.9 次）")
    none = t.assign(hits=0, per_1k=0.0, share=0.0)
    assert captions.themes(none) == "没有句子命中主题词表"


SLOGANS = pd.DataFrame({
    "slogan": ["习近平法治思想", "习近平法治思想", "国家安全教育日", "国家安全教育日", "两个确立"],
    "variant": ["习近平法治思想", "习近平法治思想", "国家安全教育日", "全民国家安全教育日", "两个确立"],
    "kind": ["known", "known", "known", "known", "numbered"],
    "doc_id": ["a", "b", "a", "b", "b"],
    "group": ["聊城市 2022", "厦门市 2023", "聊城市 2022", "厦门市 2023", "厦门市 2023"],
    "count": [6, 7, 4, 1, 2],
})


def test_slogans_says_which_group_uses_which_slogan_most():
    assert captions.slogans(SLOGANS) == (
        "“习近平法治思想”用得最多（共 13 次，厦门市 2023 占 7 次）；"
        "聊城市 2022 多用“国家安全教育日”（4 次对 1 次），厦门市 2023 多用“两个确立”（2 次对 0 次）")


def test_slogans_from_the_summary_table():
    summary = pd.DataFrame({"slogan": ["习近平法治思想", "两个确立", "云帆护航行动"],
                            "kind": ["known", "numbered", "quoted"], "status": ["shared", "own", "own"],
                            "n_groups": [2, 1, 1], "count": [13, 2, 3]})
    assert captions.slogans(summary) == \
        "“习近平法治思想”用得最多（共 13 次，2 组使用）；3 个提法中 1 个各组共有，2 个只见于一组"


def test_slogan_overlap_timeline_and_cited():
    overlap = pd.DataFrame({"combination": ["甲", "乙", "甲 ∩ 乙"], "degree": [1, 1, 2],
                            "n_slogans": [27, 23, 5], "count": [33, 29, 31], "examples": ["", "", ""],
                            "甲": [True, False, True], "乙": [False, True, True]})
    assert captions.slogan_overlap(overlap) == "5 个提法为各组共有；独有提法最多的是甲（27 个），乙 有 23 个"
    timeline = pd.DataFrame({"slogan": ["A", "A", "B", "B"], "year": [2022, 2023, 2022, 2023],
                             "count": [6, 7, 0, 4]})
    assert captions.slogan_timeline(timeline) == "2022—2023 年间变化最大的是“B”（0 次 → 4 次）"
    turnover = pd.DataFrame({"group": ["全部"] * 3, "year": [2022, 2023, 2024],
                             "n_new": [0, 5, 2], "n_continued": [0, 3, 6], "n_dropped": [0, 1, 4],
                             "new_examples": ["", "甲、乙、丙", "丁"]})
    assert captions.slogan_turnover(turnover) == (
        "全部：2023 年新出现的提法最多（5 个，如“甲”“乙”）；2024 年 6 个延续、2 个新出现、"
        "4 个上一年后不再出现")
    assert captions.slogan_turnover(turnover.head(1)) == "只有一个年份的报告，无法比较提法的新旧更替"
    summary = pd.DataFrame({"slogan": ["《宪法》", "《民法典》"], "kind": ["cited", "cited"],
                            "count": [2, 5], "n_groups": [1, 2], "owner": [None, None]})
    assert captions.cited(summary) == "引用最多的是《民法典》（共 5 次，2 组）；共引用 2 种文件"


def test_titles_in_book_marks_are_not_quoted_again_and_citations_are_cited():
    cited = pd.DataFrame({"slogan": ["《宪法》", "《民法典》"], "group": ["甲", "乙"], "count": [2, 1]})
    assert captions.quote("《宪法》") == "《宪法》" and captions.quote("法治") == "“法治”"
    assert captions.slogans(cited) == "《宪法》引用最多（共 2 次，全部出自甲）；甲 多引用《宪法》（2 次对 0 次），乙 多引用《民法典》（1 次对 0 次）"


def test_theme_sections_uncoded_terms_and_topic_mix():
    sections = pd.DataFrame({"theme": ["甲", "甲", "乙"], "group": ["A", "A", "A"],
                             "section_role": ["work", "plans", "work"], "hits": [6, 4, 3]})
    assert captions.theme_sections(sections) == "命中最多的主题“甲”有 60% 出现在“工作情况”部分"
    uncoded = pd.DataFrame({"term": ["法治政府建设", "创新", "报告"], "count": [5, 3, 2]})
    assert captions.uncoded_terms(uncoded) == "主题词表未覆盖的句子里最常见的是“法治政府建设”（5 次）、“创新”“报告”"
    mix = pd.DataFrame({"label": ["T1 · 法治", "T2 · 宣传", "T1 · 法治", "T2 · 宣传"],
                        "group": ["A", "A", "B", "B"], "share": [0.4, 0.6, 0.7, 0.3]})
    assert captions.topic_mix(mix) == "A 以“T2 · 宣传”为主（占 60%），B 以“T1 · 法治”为主（70%）"


def test_topic_terms_and_topic_themes():
    topics = pd.DataFrame({"label": ["T1 · 法治", "T2 · 宣传"], "weight_share": [0.35, 0.65]})
    assert captions.topic_terms(topics) == "2 个数据主题，最大的是“T2 · 宣传”（占词权重的 65%）"
    corr = pd.DataFrame({"label": ["T1 · 法治", "T2 · 宣传"],
                         "theme": pd.array(["依法行政", pd.NA], dtype="string")})
    assert captions.topic_themes(corr) == "2 个数据主题中 1 个对应词表主题；不在词表中的是“T2 · 宣传”"
    assert captions.topic_themes(corr.head(1)) == "1 个数据主题中 1 个对应词表主题"
    assert captions.topic_terms(topics.head(0)) == captions.NOTHING
