"""Tests of tifa.draw.keyword_charts: Chinese renders, titles and subtitles, values drawn as the
table says, colours by group, no walls of panels, labels kept apart, files written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from tifa.analyze import compare as C
from tifa.analyze import frequency as F
from tifa.draw import keyword_charts as CK
from tifa.draw import style
from tifa.report import export
from test_frequency import make_documents, make_tokens

TERMS = ["法治政府", "依法行政", "营商环境", "法律顾问", "普法宣传", "合法性审查", "行政复议",
         "政务公开", "公平竞争", "涉外法治", "领事保护", "执法监督"]


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(0)
    docs_words = {}
    for d, name in enumerate(["甲市", "乙市", "丙市"]):
        weights = rng.dirichlet(np.ones(len(TERMS)))
        words = list(rng.choice(TERMS, size=400, p=weights))
        docs_words[name] = [words[i:i + 20] for i in range(0, 400, 20)]
    tokens = make_tokens(docs_words)
    docs = make_documents(list(docs_words), label=[f"{n}报告" for n in docs_words])
    freq = F.term_frequencies(tokens, docs, by="label")
    return tokens, docs, freq


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _check(fig, title, subtitle):
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    assert title in texts and subtitle in texts
    assert style.missing_glyphs(fig) == set()


def _overlaps(texts, fig) -> int:
    fig.draw_without_rendering()
    r = fig._get_renderer()
    boxes = [t.get_window_extent(r) for t in texts]
    return sum(boxes[i].overlaps(boxes[j]) for i in range(len(boxes))
               for j in range(i + 1, len(boxes)))


def test_compare_top_bars_draws_every_group_on_shared_terms(tables):
    _, _, freq = tables
    table = F.compare_top(freq, n=5)
    fig = CK.compare_top_bars(table, title="高频词对照", subtitle="每万词；去除停用词")
    _check(fig, "高频词对照", "每万词；去除停用词")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    order = table.drop_duplicates("term").sort_values("order")["term"].tolist()
    assert labels == order
    # one bar per term and group, widths as in the table
    assert len(ax.patches) == len(order) * 3
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == sorted(round(v, 6) for v in table["per_10k"])
    # many groups: a dot plot instead of a forest of bars
    many = pd.concat([table.assign(group=table["group"] + str(i)) for i in range(3)])
    fig2 = CK.compare_top_bars(many, title="t", subtitle="s")
    assert len(fig2.axes[0].patches) == 0 and len(fig2.axes[0].collections) >= 9


def test_clouds_render_with_group_colours(tables):
    _, _, freq = tables
    colors = style.group_colors(freq["group"])
    fig = CK.wordcloud_grid(freq, title="各组词云", subtitle="每万词", max_panels=2)
    _check(fig, "各组词云", "每万词；仅显示 2 组（共 3 组）")
    assert sum(ax.get_visible() for ax in fig.axes) == 2
    over = C.overuse(freq)
    fig = CK.comparison_cloud(over, colors=colors, title="比较词云", subtitle="超出均值")
    _check(fig, "比较词云", "超出均值")
    legend = fig.axes[0].get_legend()
    shown = {t.get_text(): h.get_facecolor() for t, h in zip(legend.get_texts(),
                                                              legend.legend_handles)}
    assert set(shown) <= set(colors)
    for g, face in shown.items():
        assert np.allclose(face[:3], np.array(__import__("matplotlib").colors.to_rgb(colors[g])))
    # the cloud image has pixels of each group's colour
    img = fig.axes[0].get_images()[0].get_array()
    for g in shown:
        rgb = (np.array(__import__("matplotlib").colors.to_rgb(colors[g])) * 255).round()
        assert (np.abs(img[..., :3].astype(int) - rgb).sum(axis=-1) < 6).any(), g
    fig = CK.shared_cloud(C.shared_terms(freq), title="共有词", subtitle="各组均使用")
    _check(fig, "共有词", "各组均使用")


def test_keyness_bars_diverge_and_label_every_term(tables):
    tokens, docs, _ = tables
    key = C.keyness(tokens, docs, by="label", target="甲市报告", reference="乙市报告",
                    min_count=1)
    fig = CK.keyness_bars(key, n=4, subtitle="G²；去除停用词")
    _check(fig, "关键词：甲市报告 对比 乙市报告", "G²；去除停用词")
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.patches if p.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    n_pos, n_neg = min(4, int((key["g2"] > 0).sum())), min(4, int((key["g2"] < 0).sum()))
    assert n_pos >= 2 and n_neg >= 2
    assert sum(w > 0 for w in widths) == n_pos and sum(w < 0 for w in widths) == n_neg
    top = key[key["g2"] > 0].nlargest(n_pos, "g2")["g2"].tolist()
    assert sorted(w for w in widths if w > 0) == pytest.approx(sorted(top))
    labels = [t for t in ax.texts]
    assert {t.get_text() for t in labels} == set(key.nlargest(n_pos, "g2")["term"]) | set(
        key.nsmallest(n_neg, "g2")["term"])
    assert _overlaps(labels, fig) == 0


def test_similarity_heatmap_with_dendrogram(tables):
    tokens, docs, _ = tables
    sim = C.similarity(tokens, docs, by="label", min_count=1)
    cl = C.cluster_order(sim)
    fig = CK.similarity_heatmap(sim, clusters=cl, subtitle="TF-IDF 加权")
    _check(fig, "文本相似度（余弦）", "TF-IDF 加权")
    heat = [ax for ax in fig.axes if ax.get_images()][0]
    assert [t.get_text() for t in heat.get_yticklabels()] == cl["order"]
    assert len(fig.axes) == 3  # dendrogram, heatmap, colour bar
    big = pd.DataFrame(np.eye(60), index=[f"报告{i}" for i in range(60)],
                       columns=[f"报告{i}" for i in range(60)])
    fig = CK.similarity_heatmap(big, subtitle="s")
    assert any("60 组，标签从略" in s for s in _texts(fig))


def test_rate_scatter_labels_do_not_overlap_and_files_are_written(tables, tmp_path):
    tokens, docs, _ = tables
    key = C.keyness(tokens, docs, by="label", target="甲市报告", reference="丙市报告",
                    min_count=1)
    fig = CK.rate_scatter(key, n_labels=8, n_shared=2, subtitle="每万词；去除停用词")
    _check(fig, "甲市报告 与 丙市报告 用词频率对照", "每万词；去除停用词")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    labels = list(ax.texts)
    assert 1 <= len(labels) <= 10
    # a label is a term, or terms sharing one point ("A、B 等 3 词")
    for t in labels:
        first = t.get_text().split(" 等 ")[0].split("、")[0]
        assert first in set(key["term"])
    assert _overlaps(labels, fig) == 0
    written = export.save_figure(fig, tmp_path, "02_tfidf", "rate_scatter")
    assert {".png", ".svg"} <= {p.suffix for p in written}
    assert all(p.stat().st_size > 1000 for p in written)
