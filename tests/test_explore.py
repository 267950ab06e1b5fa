"""tifa.report.explore: rates per group and concordance lines for any term, as widgets or static."""

import pandas as pd
import pytest

from tifa.report import explore


@pytest.fixture
def corpus():
    documents = pd.DataFrame({
        "doc_id": ["a", "b", "c"],
        "label": ["甲市 2022", "乙市 2023", "丙市 2023"],
        "region": ["甲市", "乙市", "丙市"],
        "year": pd.array([2022, 2023, 2023], dtype="Int64"),
        "n_tokens": pd.array([1000, 2000, 500], dtype="Int64"),
        "text": ["", "", ""],
    })
    units = pd.DataFrame({
        "doc_id": ["a", "a", "b", "b", "c"],
        "section_id": [0, 1, 0, 1, 0], "para_id": [0, 1, 0, 1, 0], "sent_id": [0, 1, 0, 1, 0],
        "section": [None, "一、学法", None, "二、普法", None],
        "text": ["深入学习习近平法治思想。", "习近平法治思想进机关，法治宣传。",
                 "学习习近平法治思想。", "开展“八五”普法。", "没有相关的词。"],
    })
    # as jieba cuts them: 法治思想 is split in one place, 法治宣传 is one word
    words = [["深入", "学习", "习近平法治思想"], ["习近平法治思想", "进", "机关", "法治宣传"],
             ["学习", "习近平", "法治", "思想"], ["开展", "八五", "普法"], ["没有", "相关", "词"]]
    rows = []
    for (_, unit), ws in zip(units.iterrows(), words):
        first = sum(r["doc_id"] == unit["doc_id"] for r in rows)
        rows += [{"doc_id": unit["doc_id"], "section_id": unit["section_id"],
                  "para_id": unit["para_id"], "sent_id": unit["sent_id"], "position": first + i,
                  "token": w} for i, w in enumerate(ws)]
    units["start"] = [0, 13, 0, 11, 0]
    tokens = pd.DataFrame(rows)
    return units, documents, tokens


@pytest.fixture
def corpus2(corpus):
    units, documents, _ = corpus
    return units, documents


def test_term_rates_counts_tokens_by_default_like_every_table(corpus):
    """法治 inside 法治宣传 or 习近平法治思想 is not the word 法治: keywords.csv counts it where
    it is a token; the explorer did count substrings (402.6 per 10,000 against 144.9)."""
    units, documents, tokens = corpus
    rates = explore.term_rates(units, documents, "法治", by="label", tokens=tokens).set_index("group")
    assert rates["count"].to_dict() == {"乙市 2023": 1, "甲市 2022": 0, "丙市 2023": 0}
    loose = explore.term_rates(units, documents, "法治", by="label", count="substrings")
    assert loose.set_index("group").loc["甲市 2022", "count"] == 3
    # a phrase that jieba cut in two is still found, as consecutive tokens of one sentence
    phrase = explore.term_rates(units, documents, "习近平法治思想", by="label", tokens=tokens)
    assert phrase.set_index("group").loc["乙市 2023", "count"] == 1
    with pytest.raises(ValueError, match="tokens"):
        explore.term_rates(units, documents, "法治")  # tokens by default: the table is needed


def test_token_matches_are_whole_tokens_or_runs_of_them(corpus):
    _, _, tokens = corpus
    m = explore.token_matches(tokens, "习近平法治思想")
    assert list(m.columns) == explore.MATCH_COLUMNS
    assert sorted(m["n_tokens"]) == [1, 1, 3]
    assert explore.token_matches(tokens, "法治思").empty


def test_concordance_counted_as_tokens_shows_only_whole_token_matches(corpus):
    units, documents, tokens = corpus
    view = explore.explorer(units, documents, term="法治", tokens=tokens, interactive=False)
    assert view.html.count("<b>法治</b>") == 1  # 学习习近平·法治·思想 only
    assert explore.COUNT_MODES["tokens"] in view.html
    loose = explore.explorer(units, documents, term="法治", count="substrings", interactive=False)
    assert loose.html.count("<b>法治</b>") == 4 and explore.COUNT_MODES["substrings"] in loose.html


def test_term_rates_counts_matches_per_group_per_10k_tokens(corpus2):
    units, documents = corpus2
    rates = explore.term_rates(units, documents, "习近平法治思想", by="label", count="substrings")
    assert list(rates.columns) == explore.RATE_COLUMNS
    got = rates.set_index("group")
    assert got.loc["甲市 2022", "count"] == 2 and got.loc["乙市 2023", "count"] == 1
    assert got.loc["丙市 2023", "count"] == 0 and got.loc["丙市 2023", "docs_with"] == 0
    assert got.loc["甲市 2022", "per_10k"] == pytest.approx(20.0)
    assert got.loc["乙市 2023", "per_10k"] == pytest.approx(5.0)
    assert rates["group"].tolist()[0] == "甲市 2022"  # highest rate first


def test_changing_the_grouping_pools_documents(corpus2):
    units, documents = corpus2
    by_year = explore.term_rates(units, documents, "法治", by="year",
                                 count="substrings").set_index("group")
    # 2023: b (1 match in 2,000 tokens) + c (0 in 500) -> 1 / 2,500
    assert by_year.loc["2023", "count"] == 1 and by_year.loc["2023", "n_docs"] == 2
    assert by_year.loc["2023", "per_10k"] == pytest.approx(4.0)
    assert by_year.loc["2022", "count"] == 3  # 法治 inside 法治思想 twice, and 法治宣传


def test_regex_terms(corpus2):
    units, documents = corpus2
    rates = explore.term_rates(units, documents, r"“[^”]+”普法", by="doc_id", regex=True)
    assert rates.set_index("group")["count"].to_dict() == {"b": 1, "a": 0, "c": 0}


def test_grouping_columns_offer_metadata_not_text(corpus2):
    _, documents = corpus2
    cols = explore.grouping_columns(documents)
    assert cols[:2] == ["label", "doc_id"]
    assert "region" in cols and "year" in cols
    assert "text" not in cols and "n_tokens" not in cols
    assert "region" not in explore.grouping_columns(documents, max_groups=2)


def test_headless_is_detected_outside_a_frontend():
    assert explore.frontend_available() is False


def test_static_view_shows_rates_and_concordance_without_widgets(corpus2):
    units, documents = corpus2
    view = explore.explorer(units, documents, terms=["习近平法治思想", "普法"], by="label",
                            count="substrings", interactive=None)
    assert isinstance(view, explore.StaticView)
    page = view._repr_html_()
    assert "“习近平法治思想”在各组（label）中的频率：共 3 次" in page
    assert page.count("<b>习近平法治思想</b>") == 3  # one concordance line per match
    assert "<script" not in page and "widget" not in page
    assert view.rates["count"].sum() == 3
    assert "甲市 2022" in repr(view)


def test_static_view_for_a_term_that_is_absent(corpus):
    units, documents, tokens = corpus
    view = explore.explorer(units, documents, term="不存在的词", tokens=tokens, interactive=False)
    assert "没有找到“不存在的词”" in view.html
    assert view.rates["count"].sum() == 0


def test_widgets_update_when_term_or_grouping_changes(corpus):
    pytest.importorskip("ipywidgets")
    units, documents, tokens = corpus
    panel = explore.explorer(units, documents, terms=["习近平法治思想", "普法"], tokens=tokens,
                             interactive=True)
    term_box, by_box, window_box = panel.children[0].children
    result = panel.children[1]
    assert "共 3 次" in result.value
    term_box.value = "普法"
    assert "“普法”在各组" in result.value and "共 1 次" in result.value
    by_box.value = "year"
    assert "（year）" in result.value and "2023" in result.value
    window_box.value = 5
    assert "<b>普法</b>" in result.value
    term_box.value = "([bad"  # not a regex by default: searched literally, no error
    assert "没有找到" in result.value


def test_bad_regex_is_a_message_not_an_exception(corpus2):
    units, documents = corpus2
    view = explore.explorer(units, documents, term="([", regex=True, interactive=False)
    assert "无法解析的正则表达式" in view.html


def test_frontend_is_detected_from_the_kernels_stdin_flag(monkeypatch):
    """JupyterLab sends cells with stdin allowed; papermill/nbclient do not."""
    pytest.importorskip("ipywidgets")
    import IPython

    class Kernel:
        _allow_stdin = True

    class Shell:
        kernel = Kernel()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert explore.frontend_available() is True
    Kernel._allow_stdin = False
    assert explore.frontend_available() is False
