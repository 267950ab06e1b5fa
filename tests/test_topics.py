"""tifa.analyze.topics: paragraphs from tidy tokens, deterministic NMF, topic mix, codebook comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tifa.schemas import TOKENS, UNITS
from tifa.analyze import themes, topics

VOCAB = {
    "普法": ["普法", "宣传", "法治教育", "宪法", "活动", "讲座"],
    "决策": ["法律顾问", "合法性审查", "重大决策", "集体讨论", "合同", "风险评估"],
    "外事": ["护照", "签证", "友城", "来访", "出访", "接待"],
}


def corpus(n_docs=4, paras_per_topic=4, seed=0):
    """Documents whose paragraphs each draw their words from one of three vocabularies.

    Each paragraph is one sentence plus a heading before every topic block; a closing line
    ends every document. Returns (units, tokens, documents, truth) where truth maps
    (doc_id, para_id) to the vocabulary used.
    """
    rng = np.random.default_rng(seed)
    urows, trows, truth = [], [], {}
    for d in range(n_docs):
        doc_id = f"d{d}"
        para = sent = pos = 0
        for name, words in VOCAB.items():
            urows.append((doc_id, para, "work", para, sent, True, f"一、{name}"))
            trows.append((doc_id, para, para, sent, pos, name))
            para, sent, pos = para + 1, sent + 1, pos + 1
            for _ in range(paras_per_topic):
                chosen = list(rng.choice(words, size=8))
                urows.append((doc_id, para, "work", para, sent, False, "".join(chosen) + "。"))
                for w in chosen:
                    trows.append((doc_id, para, para, sent, pos, w))
                    pos += 1
                truth[(doc_id, para)] = name
                para, sent = para + 1, sent + 1
        closing = ["外事", "办公室", "办公室", "护照", "签证", "日期"]
        urows.append((doc_id, para, "closing", para, sent, False, "".join(closing)))
        for w in closing:
            trows.append((doc_id, para, para, sent, pos, w))
            pos += 1
    units = pd.DataFrame([{"doc_id": r[0], "section_id": r[1], "section_level": 1,
                           "section": pd.NA, "section_path": pd.NA, "section_role": r[2],
                           "para_id": r[3], "sent_id": r[4], "is_heading": r[5], "text": r[6],
                           "start": 0} for r in urows], columns=UNITS)
    tokens = pd.DataFrame([{"doc_id": r[0], "section_id": r[1], "para_id": r[2], "sent_id": r[3],
                            "position": r[4], "token": r[5], "pos": "n", "stop": False,
                            "boilerplate": False} for r in trows], columns=TOKENS)
    documents = pd.DataFrame({"doc_id": [f"d{d}" for d in range(n_docs)],
                              "region": ["东" if d % 2 == 0 else "西" for d in range(n_docs)],
                              "n_tokens": pd.array([100] * n_docs, dtype="Int64")})
    return units, tokens, documents, truth


@pytest.mark.parametrize("n, k", [(0, 2), (13, 2), (28, 4), (40, 5), (56, 8), (100_000, 8)])
def test_default_k(n, k):
    assert topics.default_k(n) == k


def test_paragraph_matrix_leaves_out_headings_closing_and_rare_terms():
    units, tokens, _, truth = corpus(n_docs=2, paras_per_topic=2)
    counts, paras, terms = topics.paragraph_matrix(tokens, units)
    assert set(zip(paras["doc_id"], paras["para_id"])) == set(truth)  # no heading, no closing
    assert "一、普法" not in set(terms) and "办公室" not in set(terms)
    assert counts.shape == (len(paras), len(terms))
    assert (paras["n_tokens"].to_numpy() == np.asarray(counts.sum(axis=1)).ravel()).all()
    # without units every paragraph counts, the closing one too ("办公室" twice in 2 paragraphs)
    _, paras_all, terms_all = topics.paragraph_matrix(tokens, None, min_tokens=1, max_df=1.0)
    assert len(paras_all) > len(paras) and "办公室" in set(terms_all)
    # min_df as a fraction of paragraphs
    _, _, few = topics.paragraph_matrix(tokens, units, min_df=0.9, max_df=1.0)
    assert len(few) == 0  # no word is in 90 % of the paragraphs


def test_topics_recover_the_vocabularies_and_are_deterministic():
    units, tokens, documents, truth = corpus()
    m1 = topics.fit_topics(tokens, units, k=3, random_state=7)
    m2 = topics.fit_topics(tokens, units, k=3, random_state=7)
    pd.testing.assert_frame_equal(m1.topics, m2.topics)
    pd.testing.assert_frame_equal(m1.terms, m2.terms)
    pd.testing.assert_frame_equal(m1.paragraphs, m2.paragraphs)
    assert m1.k == 3 and m1.params["n_paragraphs"] == len(truth)
    # every topic's top terms come from one vocabulary, and the three topics cover all three
    found = set()
    for t, g in m1.terms.groupby("topic"):
        top = set(g.nsmallest(4, "rank")["term"])
        owners = [name for name, words in VOCAB.items() if top <= set(words)]
        assert len(owners) == 1, top
        found.add(owners[0])
    assert found == set(VOCAB)
    # proportions sum to 1 per paragraph; the dominant topic of each paragraph is its vocabulary
    sums = m1.paragraphs.groupby(["doc_id", "para_id"])["weight"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    top_owner = {t: [n for n, w in VOCAB.items() if g.iloc[0]["term"] in w][0]
                 for t, g in m1.terms.sort_values("rank").groupby("topic")}
    dom = m1.paragraphs.loc[m1.paragraphs.groupby(["doc_id", "para_id"])["weight"].idxmax()]
    assert all(top_owner[t] == truth[(d, p)] for d, p, t in zip(dom.doc_id, dom.para_id, dom.topic))
    # typical paragraphs come with their text; labels start with the topic number
    assert m1.topics["text"].notna().all()
    assert m1.topics["label"].str.match(r"T\d · ").all()
    assert m1.topics["weight_share"].sum() == pytest.approx(1.0)


def test_default_k_used_and_capped():
    units, tokens, _, truth = corpus(n_docs=2, paras_per_topic=3)
    m = topics.fit_topics(tokens, units)
    assert m.k == topics.default_k(len(truth)) and m.params["k_requested"] is None
    big = topics.fit_topics(tokens, units, k=500)
    assert big.k == min(len(truth), big.params["n_terms"])


def test_too_little_text_raises_a_clear_error():
    units, tokens, _, _ = corpus(n_docs=1, paras_per_topic=1)
    with pytest.raises(ValueError, match="too little text for topics"):
        topics.fit_topics(tokens, units, min_tokens=50)


def test_topic_mix_by_metadata_column():
    units, tokens, documents, _ = corpus()
    m = topics.fit_topics(tokens, units, k=3)
    mix = topics.topic_mix(m, documents, by="region")
    assert list(mix.columns) == ["topic", "label", "group", "weight", "n_tokens", "n_paragraphs",
                                 "share"]
    assert set(mix["group"]) == {"东", "西"} and len(mix) == 3 * 2
    for _, g in mix.groupby("group"):
        assert float(g["share"].sum()) == pytest.approx(1.0)
        assert (g["n_paragraphs"] == 2 * 3 * 4).all()  # two documents, 12 paragraphs each
    # share is weight over the group's modelled tokens
    row = mix.iloc[0]
    assert row["share"] == pytest.approx(row["weight"] / row["n_tokens"])


def test_correspondence_with_the_codebook():
    units, tokens, documents, _ = corpus()
    cb = {"themes": [{"label": "普法宣传", "terms": ["普法", "宪法", "法治教育"]},
                     {"label": "依法决策", "terms": ["法律顾问", "合法性审查", "重大决策"]}]}
    hits = themes.code_sentences(units, cb)
    m = topics.fit_topics(tokens, units, k=3)
    ov = topics.topic_theme_overlap(m, hits, codebook=cb)
    assert len(ov) == 3 * 2
    assert ov["overlap"].between(0, 1).all()
    corr = topics.topic_correspondence(m, hits, codebook=cb)
    owner = {t: [n for n, w in VOCAB.items() if g.iloc[0]["term"] in w][0]
             for t, g in m.terms.sort_values("rank").groupby("topic")}
    got = {owner[t]: (theme, verdict) for t, theme, verdict in
           zip(corr["topic"], corr["theme"], corr["verdict"])}
    assert got["普法"] == ("普法宣传", "matches")
    assert got["决策"] == ("依法决策", "matches")
    assert got["外事"][1] == "not in codebook" and pd.isna(got["外事"][0])
    wai = corr[corr["topic"] == [t for t, o in owner.items() if o == "外事"][0]].iloc[0]
    assert wai["uncoded"] > 0.9  # its paragraphs touch no theme
