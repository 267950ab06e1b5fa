"""tifa.analyze.themes: codebook parsing and its error messages, hits counted by hand, scores, coverage."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tifa.schemas import TOKENS, UNITS
from tifa.analyze import themes
from tifa.analyze.themes import CodebookError


# ---------------------------------------------------------------------------- small tables

def make_units(rows):
    """rows: (doc_id, section_id, role, para_id, is_heading, text); sent_id counts per doc."""
    out, sent = [], {}
    for doc_id, section_id, role, para_id, is_heading, text in rows:
        sid = sent.get(doc_id, 0)
        sent[doc_id] = sid + 1
        out.append({"doc_id": doc_id, "section_id": section_id,
                    "section_level": 0 if role in ("front", "closing") else 1,
                    "section": pd.NA, "section_path": pd.NA, "section_role": role,
                    "para_id": para_id, "sent_id": sid, "is_heading": is_heading, "text": text,
                    "start": 0})
    return pd.DataFrame(out, columns=UNITS)


def make_tokens(units, words_per_sentence):
    """words_per_sentence: list (aligned with units rows) of lists of words."""
    rows, pos = [], {}
    for (_, u), words in zip(units.iterrows(), words_per_sentence):
        for w in words:
            p = pos.get(u["doc_id"], 0)
            pos[u["doc_id"]] = p + 1
            rows.append({"doc_id": u["doc_id"], "section_id": u["section_id"],
                         "para_id": u["para_id"], "sent_id": u["sent_id"], "position": p,
                         "token": w, "pos": "n", "stop": w in ("的", "和"),
                         "boilerplate": w == "工作"})
    return pd.DataFrame(rows, columns=TOKENS)


def make_documents(ids, n_tokens, **meta):
    d = pd.DataFrame({"doc_id": ids, "label": [f"报告{i}" for i in ids],
                      "n_tokens": pd.array(n_tokens, dtype="Int64")})
    for k, v in meta.items():
        d[k] = v
    return d


CODEBOOK = {
    "name": "test",
    "themes": [
        {"label": "决策", "definition": "依法决策", "terms": ["法律顾问"],
         "patterns": ["合法性审[查核]"]},
        {"label": "审查", "terms": ["审查"]},
        {"label": "法治", "terms": ["法治", "法治政府"]},
        {"label": "执法", "patterns": ["(?<!谁)执法"]},
    ],
}


@pytest.fixture
def tiny():
    units = make_units([
        ("a", 0, "front", 0, False, "法治政府建设和法治。"),
        ("a", 1, "work", 1, True, "一、合法性审查"),
        ("a", 1, "work", 2, False, "合法性审查和合法性审核都要做，法律顾问参与合法性审查。"),
        ("a", 2, "problems", 3, False, "谁执法谁普法落实不够，执法不严。"),
        ("a", 3, "closing", 4, False, "某某办公室"),
        ("b", 0, "front", 0, False, "没有任何主题词的句子。"),
        ("b", 1, "plans", 1, False, "下一步加强法治。"),
    ])
    return units


# ---------------------------------------------------------------------------- codebook

def test_default_codebook_loads_with_the_issue_themes():
    cb = themes.load_codebook()
    for label in ["理论学习与党的领导", "依法决策与合法性审查", "规范性文件管理", "普法宣传与法治教育",
                  "政务公开与监督", "服务企业与对外开放", "领事保护", "队伍与能力建设"]:
        assert label in cb.labels
    assert all(t.definition and (t.terms or t.patterns) for t in cb.themes)
    table = themes.codebook_table(cb)
    assert list(table.columns) == ["theme", "definition", "n_terms", "n_patterns", "terms", "patterns"]
    assert len(table) == len(cb)


def test_codebook_from_file_and_passthrough(tmp_path):
    path = tmp_path / "cb.yml"
    path.write_text("themes:\n  - label: 甲\n    terms: [一二, 三四]\n", encoding="utf-8")
    cb = themes.load_codebook(path)
    assert cb.labels == ["甲"] and cb.themes[0].terms == ("一二", "三四")
    assert themes.load_codebook(cb) is cb
    assert str(path) in cb.source


@pytest.mark.parametrize("data, message", [
    ([1, 2], r"expected a mapping"),
    ({"themse": []}, r"unknown key 'themse' at the top level.*did you mean 'themes'"),
    ({"themes": []}, r"'themes' must be a non-empty list"),
    ({"themes": ["甲"]}, r"theme #1 must be a mapping"),
    ({"themes": [{"terms": ["x"]}]}, r"theme #1 has no label"),
    ({"themes": [{"label": "甲", "term": ["x"]}]},
     r"theme '甲': unknown key 'term'.*did you mean 'terms'"),
    ({"themes": [{"label": "甲", "terms": []}]}, r"theme '甲' is empty: it has no terms and no patterns"),
    ({"themes": [{"label": "甲"}]}, r"theme '甲' is empty"),
    ({"themes": [{"label": "甲", "terms": "法治"}]}, r"theme '甲': terms must be a list"),
    ({"themes": [{"label": "甲", "terms": ["法治", ""]}]}, r"theme '甲': terms item 2 is empty"),
    ({"themes": [{"label": "甲", "terms": [True]}]}, r"theme '甲': terms item 1 \(True\) is not text"),
    ({"themes": [{"label": "甲", "patterns": ["审[查核"]}]},
     r"theme '甲': pattern '审\[查核' is not a valid regular expression"),
    ({"themes": [{"label": "甲", "patterns": ["(法治)?"]}]},
     r"theme '甲': pattern .* matches the empty string"),
    ({"themes": [{"label": "甲", "terms": ["x"]}, {"label": "甲", "terms": ["y"]}]},
     r"theme '甲' appears twice \(#1 and #2\)"),
    ({"themes": [{"label": "甲", "terms": ["x"], "definition": ["a"]}]},
     r"theme '甲': definition must be one line of text"),
])
def test_bad_codebook_names_theme_and_problem(data, message):
    with pytest.raises(CodebookError, match=message):
        themes.parse_codebook(data)


def test_bad_codebook_file_messages(tmp_path):
    with pytest.raises(CodebookError, match="codebook file not found"):
        themes.load_codebook(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("themes:\n  - label: 甲\n    terms: [a, b\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"bad\.yml: not valid YAML"):
        themes.load_codebook(bad)
    unknown = tmp_path / "unknown.yml"
    unknown.write_text("themes:\n  - label: 甲\n    terms: [a]\n    regex: [b]\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"unknown\.yml: theme '甲': unknown key 'regex'"):
        themes.load_codebook(unknown)


# ---------------------------------------------------------------------------- hits by hand

def test_hits_counted_by_hand(tiny):
    hits = themes.code_sentences(tiny, CODEBOOK)
    assert list(hits.columns) == themes.HITS
    per = hits.groupby(["doc_id", "sent_id", "theme"])["hits"].sum().to_dict()
    # "合法性审查和合法性审核都要做，法律顾问参与合法性审查。": 审查 x2 + 审核 x1 + 法律顾问 x1
    assert per[("a", 2, "决策")] == 4
    # the same words count for another theme that lists them
    assert per[("a", 2, "审查")] == 2
    # heading "一、合法性审查" is coded (headings=True)
    assert per[("a", 1, "决策")] == 1 and per[("a", 1, "审查")] == 1
    # longest first, no overlap within a theme: 法治政府 + 法治, not 3
    assert per[("a", 0, "法治")] == 2
    # negative lookbehind: 谁执法谁普法 does not count, the second 执法 does
    assert per[("a", 3, "执法")] == 1
    assert per[("b", 1, "法治")] == 1
    assert ("b", 0, "法治") not in per
    terms = hits[(hits.sent_id == 2) & (hits.theme == "决策")].set_index("term")["hits"].to_dict()
    assert terms == {"合法性审查": 2, "合法性审核": 1, "法律顾问": 1}
    assert hits["hits"].sum() == 4 + 2 + 2 + 2 + 1 + 1


def test_headings_can_be_left_out(tiny):
    hits = themes.code_sentences(tiny, CODEBOOK, headings=False)
    assert 1 not in set(hits.loc[hits.doc_id == "a", "sent_id"])


def test_matches_never_cross_sentences():
    units = make_units([("a", 0, "work", 0, False, "前一句以甲"), ("a", 0, "work", 0, False, "乙开头")])
    cb = {"themes": [{"label": "跨", "patterns": [r"甲[\s\S]?乙"]}]}
    assert themes.code_sentences(units, cb).empty


def test_sentence_view(tiny):
    hits = themes.code_sentences(tiny, CODEBOOK)
    sent = themes.theme_sentences(tiny, hits, codebook=CODEBOOK)
    assert list(sent.columns) == themes.SENTENCES
    assert len(sent) == len(tiny)
    row = sent[(sent.doc_id == "a") & (sent.sent_id == 2)].iloc[0]
    assert row["themes"] == "决策|审查" and row["n_themes"] == 2 and row["hits"] == 6
    assert set(row["terms"].split("|")) == {"合法性审查", "合法性审核", "法律顾问", "审查"}
    empty = sent[(sent.doc_id == "b") & (sent.sent_id == 0)].iloc[0]
    assert empty["n_themes"] == 0 and empty["themes"] == "" and empty["hits"] == 0


def test_examples_rank_sentences_by_the_theme_s_own_hits(tiny):
    hits = themes.code_sentences(tiny, CODEBOOK)
    ex = themes.theme_examples(hits, tiny, codebook=CODEBOOK, n=1)
    assert ex["theme"].tolist() == ["决策", "审查", "法治", "执法"]
    top = ex.set_index("theme")
    assert top.loc["决策", "hits"] == 4 and top.loc["决策", "sent_id"] == 2
    assert top.loc["决策", "text"].startswith("合法性审查和合法性审核")
    assert top.loc["法治", "hits"] == 2 and top.loc["法治", "doc_id"] == "a"
    assert set(top.loc["决策", "terms"].split("|")) == {"合法性审查", "合法性审核", "法律顾问"}


# ---------------------------------------------------------------------------- scores

def test_scores_per_1k_and_share(tiny):
    docs = make_documents(["a", "b"], [200, 50])
    hits = themes.code_sentences(tiny, CODEBOOK)
    sc = themes.theme_scores(hits, docs, codebook=CODEBOOK)
    assert list(sc.columns) == ["theme", "group", "hits", "per_1k", "share", "sentences",
                                "n_tokens", "coded_hits"]
    assert len(sc) == 4 * 2  # every theme x every group, zeros included
    a = sc[sc.group == "a"].set_index("theme")
    assert a.loc["决策", "hits"] == 5 and a.loc["审查", "hits"] == 3
    assert a.loc["决策", "per_1k"] == pytest.approx(5 / 200 * 1000)
    assert a.loc["决策", "coded_hits"] == 5 + 3 + 2 + 1
    assert a.loc["决策", "share"] == pytest.approx(5 / 11)
    assert a.loc["决策", "sentences"] == 2
    b = sc[sc.group == "b"].set_index("theme")
    assert b.loc["法治", "per_1k"] == pytest.approx(1 / 50 * 1000)
    assert b.loc["决策", "hits"] == 0
    for _, g in sc.groupby("group"):
        assert float(g["share"].sum()) == pytest.approx(1.0)
    assert sc["theme"].tolist()[:2] == ["决策", "决策"]  # codebook order


def test_share_is_missing_for_a_group_without_hits():
    units = make_units([("a", 0, "work", 0, False, "法治。"), ("b", 0, "work", 0, False, "无关。")])
    docs = make_documents(["a", "b"], [10, 10])
    sc = themes.theme_scores(themes.code_sentences(units, CODEBOOK), docs, codebook=CODEBOOK)
    b = sc[sc.group == "b"]
    assert (b["hits"] == 0).all() and b["share"].isna().all() and (b["per_1k"] == 0).all()


def test_by_metadata_column_pools_documents(tiny):
    docs = make_documents(["a", "b"], [200, 50], region=["华东", "华东"])
    hits = themes.code_sentences(tiny, CODEBOOK)
    sc = themes.theme_scores(hits, docs, codebook=CODEBOOK, by="region")
    assert set(sc["group"]) == {"华东"}
    fz = sc.set_index("theme").loc["法治"]
    assert fz["hits"] == 3 and fz["n_tokens"] == 250
    assert fz["per_1k"] == pytest.approx(3 / 250 * 1000)
    with pytest.raises(KeyError, match="no such column"):
        themes.theme_scores(hits, docs, codebook=CODEBOOK, by="province")


def test_largest_groups_by_tokens():
    sc = pd.DataFrame({"theme": ["甲"] * 4, "group": ["a", "b", "c", "d"],
                       "n_tokens": pd.array([10, 30, pd.NA, 30], dtype="Int64")})
    assert themes.largest_groups(sc, n=3) == ["b", "d", "a"]
    assert themes.largest_groups(sc, n=10) == ["b", "d", "a", "c"]


def test_by_section_shares_sum_to_one(tiny):
    docs = make_documents(["a", "b"], [200, 50], year=[2022, 2023])
    hits = themes.code_sentences(tiny, CODEBOOK)
    toks = make_tokens(tiny, [["法治", "政府"], ["合法性"], ["合法性", "审查", "法律顾问"],
                              ["执法"], ["办公室"], ["句子"], ["法治"]])
    sec = themes.theme_by_section(hits, tiny, docs, codebook=CODEBOOK, by="year", tokens=toks)
    assert set(sec["section_role"]) == {"front", "work", "problems", "plans", "closing"}
    fz = sec[(sec.theme == "法治") & (sec.group == "2022")].set_index("section_role")
    assert fz.loc["front", "hits"] == 2 and fz.loc["front", "theme_hits"] == 2
    assert fz.loc["front", "share"] == 1.0
    assert fz.loc["front", "n_tokens"] == 2 and fz.loc["front", "per_1k"] == pytest.approx(1000.0)
    for _, g in sec[sec.theme_hits > 0].groupby(["theme", "group"]):
        assert float(g["share"].sum()) == pytest.approx(1.0)
    assert sec.loc[sec.theme_hits == 0, "share"].isna().all()


def test_theme_terms_rank_the_matched_texts(tiny):
    docs = make_documents(["a", "b"], [200, 50])
    tt = themes.theme_terms(themes.code_sentences(tiny, CODEBOOK), docs, codebook=CODEBOOK, n=2)
    d = tt[(tt.theme == "决策") & (tt.group == "a")]
    assert d["term"].tolist() == ["合法性审查", "合法性审核"]
    assert d["hits"].tolist() == [3, 1] and (d["theme_hits"] == 5).all()


# ---------------------------------------------------------------------------- coverage

def test_coverage_and_uncoded_terms(tiny):
    docs = make_documents(["a", "b"], [200, 50])
    hits = themes.code_sentences(tiny, CODEBOOK)
    sent = themes.theme_sentences(tiny, hits, codebook=CODEBOOK)
    cov = themes.coverage(sent, docs).set_index("group")
    # closing left out by default: a has 4 sentences, all coded; b has 2, one uncoded
    assert cov.loc["a", "n_sentences"] == 4 and cov.loc["a", "uncoded"] == 0
    assert cov.loc["b", "uncoded"] == 1 and cov.loc["b", "uncoded_share"] == pytest.approx(0.5)
    with_closing = themes.coverage(sent, docs, exclude_roles=()).set_index("group")
    assert with_closing.loc["a", "uncoded"] == 1

    toks = make_tokens(tiny, [["法治", "政府"], ["合法性"], ["合法性", "审查", "句子"], ["执法"],
                              ["办公室"], ["没有", "句子", "的", "工作"], ["法治"]])
    un = themes.uncoded_terms(sent, toks, docs)
    assert set(un["group"]) == {"全部"}
    row = un.set_index("term").loc["句子"]
    assert row["count"] == 1 and row["total"] == 2 and row["uncoded_share"] == pytest.approx(0.5)
    assert "的" not in set(un["term"]) and "工作" not in set(un["term"])  # stop / boilerplate
    assert "办公室" not in set(un["term"])  # closing block left out
    per_group = themes.uncoded_terms(sent, toks, docs, by="doc_id")
    assert set(per_group["group"]) == {"b"}


def test_empty_units_give_empty_tables():
    units = make_units([])
    hits = themes.code_sentences(units, CODEBOOK)
    assert hits.empty and list(hits.columns) == themes.HITS
    docs = make_documents(["a"], [0])
    sc = themes.theme_scores(hits, docs, codebook=CODEBOOK)
    assert (sc["hits"] == 0).all() and sc["per_1k"].isna().all()
    assert math.isnan(float(sc["share"].astype(float).iloc[0]))
