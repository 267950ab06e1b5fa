"""tifa.draw.charts: draw what the table says, in Chinese, without overlap or walls of panels."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from tifa.draw import charts, style


def _freq(groups=("甲市 2022", "乙市 2023"), n_terms=20) -> pd.DataFrame:
    rows = []
    for gi, g in enumerate(groups):
        for t in range(n_terms):
            rows.append({"group": g, "term": f"词{t:02d}", "count": (t * 7 + gi * 3) % 23 + 1})
    return pd.DataFrame(rows)


def _fig_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts]


def _visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_bar_top_terms_one_panel_per_group_in_table_order():
    freq = _freq(groups=("乙市", "甲市", "丙市"))
    fig = charts.bar_top_terms(freq, top_n=5, title="高频词", subtitle="名词", source="来源：测试")
    assert isinstance(fig, Figure)
    axes = _visible_axes(fig)
    assert [ax.get_title(loc="left") for ax in axes] == ["乙市", "甲市", "丙市"]
    # the chart says how many bars it draws (the title need not carry the number)
    assert _fig_texts(fig) == ["高频词", "名词；每组前 5 个", "来源：测试"]
    assert style.missing_glyphs(fig) == set()


def test_bar_top_terms_draws_the_table_values_largest_on_top():
    freq = _freq(groups=("甲市",))
    fig = charts.bar_top_terms(freq, top_n=6)
    ax = _visible_axes(fig)[0]
    expected = freq.sort_values("count", ascending=False, kind="stable").head(6)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == expected["term"].tolist()
    widths = [p.get_width() for p in ax.patches]
    assert widths == expected["count"].astype(float).tolist()  # drawn as given, not recounted
    ys = [p.get_y() for p in ax.patches]
    assert ax.yaxis_inverted() and ys == sorted(ys)  # first (largest) bar at the top


def test_bar_top_terms_caps_panels_and_says_so():
    freq = _freq(groups=[f"报告{i:03d}" for i in range(40)], n_terms=3)
    fig = charts.bar_top_terms(freq, top_n=3, title="高频词", max_panels=12)
    assert len(_visible_axes(fig)) == 12
    assert any("共 40 组" in s for s in _fig_texts(fig))


def test_bar_top_terms_shared_axis_and_colours_by_group():
    freq = _freq(groups=("乙市", "甲市"))
    fig = charts.bar_top_terms(freq, top_n=4)
    a, b = _visible_axes(fig)
    assert a.get_xlim() == b.get_xlim()
    colors = style.group_colors(["甲市", "乙市"])
    from matplotlib.colors import to_hex
    assert to_hex(a.patches[0].get_facecolor()) == colors["乙市"]
    assert to_hex(b.patches[0].get_facecolor()) == colors["甲市"]


def test_bar_top_terms_truncates_long_labels():
    freq = pd.DataFrame({"group": ["甲"], "term": ["坚持以人民为中心的发展思想全面推进依法治国"], "count": [3]})
    fig = charts.bar_top_terms(freq, label_chars=8)
    label = _visible_axes(fig)[0].get_yticklabels()[0].get_text()
    assert label.endswith("…") and len(label) <= 8


def test_bar_top_terms_names_missing_columns():
    with pytest.raises(KeyError, match="per_10k"):
        charts.bar_top_terms(_freq(), value="per_10k")


def test_bar_top_terms_empty_table_says_no_data():
    fig = charts.bar_top_terms(_freq().iloc[0:0], title="高频词")
    assert any(charts.EMPTY_MESSAGE in t.get_text() for ax in fig.axes for t in ax.texts)


def test_bar_rows_in_order_with_group_legend():
    docs = pd.DataFrame({"label": ["甲市 2022", "乙市 2023", "丙市 2023"], "n_chars": [9000, 12000, 500],
                         "region": ["甲市", "乙市", "丙市"]})
    fig = charts.bar(docs, group="region", title="文档长度")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == docs["label"].tolist()
    assert [p.get_width() for p in ax.patches] == [9000.0, 12000.0, 500.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["甲市", "乙市", "丙市"]
    assert ax.get_xlabel() == "字数"
    assert style.missing_glyphs(fig) == set()


def test_bar_caps_bars_and_wraps_vertical_labels():
    docs = pd.DataFrame({"label": [f"关于二〇二三年度法治政府建设情况的报告{i}" for i in range(60)],
                         "n_chars": range(60)})
    fig = charts.bar(docs, orientation="v", max_bars=10, title="长度")
    ax = fig.axes[0]
    assert len(ax.patches) == 10
    assert any("共 60 项" in s for s in _fig_texts(fig))
    assert "\n" in ax.get_xticklabels()[0].get_text()


def test_long_subtitle_is_wrapped_inside_the_figure():
    fig = charts.bar(pd.DataFrame({"label": ["甲"], "n_chars": [1]}), title="长度",
                     subtitle="统计对象" * 40)
    subtitle = _fig_texts(fig)[1]
    assert subtitle.count("\n") >= 2
    fig.draw_without_rendering()
    box = fig.texts[1].get_window_extent()
    assert box.x1 <= fig.bbox.x1 + 1


def test_wordcloud_is_deterministic_and_accepts_tables():
    freqs = {"依法行政": 30, "涉外法治": 20, "法治政府": 12, "外事": 5, "零": 0}
    a = charts.wordcloud(freqs, width=300, height=150, title="词云")
    b = charts.wordcloud(pd.Series(freqs), width=300, height=150, title="词云")
    c = charts.wordcloud(pd.DataFrame({"term": list(freqs), "count": list(freqs.values())}),
                         width=300, height=150, title="词云")
    arrays = [f.axes[0].get_images()[0].get_array() for f in (a, b, c)]
    assert arrays[0].shape[:2] == (150, 300)
    assert np.array_equal(arrays[0], arrays[1]) and np.array_equal(arrays[0], arrays[2])
    assert (arrays[0] < 250).any()  # something was drawn on the white background


def test_wordcloud_rejects_duplicate_terms():
    with pytest.raises(ValueError, match="more than once"):
        charts.wordcloud(_freq())


def test_chart_figures_display_in_jupyter():
    png = charts.bar(pd.DataFrame({"label": ["甲"], "n_chars": [1]}), title="长度")._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_document_lengths_one_panel_per_measure_sharing_labels():
    docs = pd.DataFrame({"label": ["聊城市 2022", "厦门市 2023"], "n_chars": [3243, 2813],
                         "n_tokens": pd.array([1273, None], dtype="Int64")})
    fig = charts.document_lengths(docs, title="各报告篇幅", source="来源：测试")
    chars, tokens = _visible_axes(fig)
    assert [chars.get_title(loc="left"), tokens.get_title(loc="left")] == ["字数", "词数"]
    assert [t.get_text() for t in chars.get_yticklabels()] == ["聊城市 2022", "厦门市 2023"]
    assert [p.get_width() for p in chars.patches] == [3243.0, 2813.0]
    assert [p.get_width() for p in tokens.patches] == [1273.0, 0.0]  # missing: no bar
    assert style.missing_glyphs(fig) == set()


def test_document_lengths_skips_absent_measures_and_caps_rows():
    docs = pd.DataFrame({"label": [f"报告{i}" for i in range(50)], "n_chars": range(50)})
    fig = charts.document_lengths(docs, max_bars=20)
    (ax,) = _visible_axes(fig)
    assert len(ax.patches) == 20
    assert any("共 50 篇" in s for s in _fig_texts(fig))
    with pytest.raises(KeyError, match="n_chars"):
        charts.document_lengths(docs.drop(columns=["n_chars"]))


def test_numbers_shown_together_share_one_format():
    fmt = charts.number_formatter([41.0, 15.3, 5.64, 0.0])
    assert [fmt(v) for v in (41.0, 15.3, 5.64, 0.0)] == ["41.0", "15.3", "5.6", "0.0"]
    assert charts.number_formatter([1.0, 2.0])(2.0) == "2"
    assert charts.number_formatter([0.5, 2.25])(0.5) == "0.50"
    assert charts.number_formatter([])(float("nan")) == ""
