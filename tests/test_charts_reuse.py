"""tifa.draw.reuse_charts and network_charts: the figures draw what the tables say, legibly, in
Chinese; the captions of tifa.report.captions say it in one sentence."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from tifa.analyze import cooccurrence as co
from tifa.analyze import reuse
from tifa.draw import network_charts, reuse_charts, style
from tifa.report import captions


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def _overlapping(texts, fig) -> int:
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts if t.get_text() and t.get_visible()]
    return sum(1 for a, b in itertools.combinations(boxes, 2)
               if a.overlaps(b) and a.intersection(a, b).width * a.intersection(a, b).height > 1)


def _check(fig: Figure, *must: str):
    assert isinstance(fig, Figure)
    texts = " ".join(_texts(fig))
    for m in must:
        assert m in texts, m
    assert style.missing_glyphs(fig) == set()
    fig.savefig(io.BytesIO(), format="png", dpi=40)


def _pairs(n: int) -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append({"doc_a": f"a{i}", "doc_b": f"b{i}", "label_a": f"甲市 {2020 + i}",
                     "label_b": f"乙省 {2020 + i}", "group_a": "甲市", "group_b": "乙省",
                     "shared_passages": 1 + i % 3, "shared_sentences": 5, "shared_chars": 300 - i,
                     "chars_a": 320, "chars_b": 340, "n_chars_a": 2000, "n_chars_b": 4000,
                     "share_a": 0.16, "share_b": 0.085, "similarity": 0.9})
    return pd.DataFrame(rows, columns=reuse.PAIRS)


def _matrix(groups: list[str]) -> pd.DataFrame:
    rows = []
    for i, g in enumerate(groups):
        for j, h in enumerate(groups):
            if (i + j) % 3 == 0:
                rows.append({"group": g, "other": h, "pairs": 1, "shared_chars": 100 + i,
                             "n_docs": 2, "n_chars": 5000, "share": (100 + i) / 5000})
    return pd.DataFrame(rows, columns=reuse.MATRIX)


def test_matrix_draws_rows_and_columns_in_table_order_with_percentages():
    fig = reuse_charts.reuse_matrix(_matrix(["山东省", "四川省", "湖北省"]), title="共同段落",
                                    subtitle="按省份")
    _check(fig, "共同段落", "按省份", "山东省", "2%")
    image = fig.findobj(AxesImage)[0].get_array()
    assert image.shape == (3, 3)
    assert np.ma.is_masked(image[0, 1]) and not np.ma.is_masked(image[0, 0])


def test_matrix_with_many_groups_keeps_the_first_and_says_so():
    groups = [f"第{i:02d}市" for i in range(40)]
    fig = reuse_charts.reuse_matrix(_matrix(groups), max_groups=12)
    _check(fig, "仅显示前 12 组（共 40 组）")
    assert fig.findobj(AxesImage)[0].get_array().shape == (12, 12)


def test_top_pairs_two_bars_a_pair_and_the_cut_in_the_subtitle():
    fig = reuse_charts.top_pairs(_pairs(20), n=8, subtitle="各自所占比例")
    _check(fig, "仅显示前 8 对（共 20 对）", "甲市 2020", "乙省 2020", "16%")
    ax = fig.axes[0]
    assert len(ax.patches) == 16
    assert _overlapping(ax.get_yticklabels(), fig) == 0


def test_repeated_sentences_templates_grey_and_wrapped_labels():
    rep = pd.DataFrame({"text": ["现在，我代表市人民政府，向大会报告工作，请予审议，并请市政协委员和其他列席人员提出意见。",
                                 "严格落实行政执法“三项制度”。"],
                        "n_docs": [16, 4], "template": [True, False]})
    fig = reuse_charts.repeated_passages(rep)
    _check(fig, "16 篇", "模板句", "重复句")
    colours = [p.get_facecolor()[:3] for p in fig.axes[0].patches]
    assert colours[0] != colours[1]
    assert _overlapping(fig.axes[0].get_yticklabels(), fig) == 0


def test_empty_tables_say_there_is_nothing():
    _check(reuse_charts.top_pairs(_pairs(0)), "没有发现报告之间的共同段落")
    _check(reuse_charts.reuse_matrix(_matrix([])), "没有发现报告之间的共同段落")
    _check(reuse_charts.repeated_passages(pd.DataFrame(columns=["text", "n_docs", "template"])),
           "没有在多份报告中重复的句子")


def test_side_by_side_marks_the_differences():
    passages = pd.DataFrame([{
        "doc_a": "a", "doc_b": "b", "label_a": "甲市 2025", "label_b": "乙省 2025", "group_a": "甲",
        "group_b": "乙", "passage": 1, "n_sentences": 2, "sentences_a": 2, "sentences_b": 3,
        "start_a": 10, "end_a": 40, "start_b": 5, "end_b": 60, "chars_a": 30, "chars_b": 55,
        "shared_chars": 28, "similarity": 0.66,
        "text_a": "新增重点事项15个。完善了沟通机制。",
        "text_b": "新增重点事项13个。规范涉企行政检查<>。完善沟通机制。"}])
    diff = reuse.passage_diff(passages)
    view = reuse_charts.side_by_side(diff, passages)
    html = view._repr_html_()
    assert "甲市 2025" in html and "乙省 2025" in html
    assert ">15</span>" in html and ">13</span>" in html
    assert "规范涉企行政检查&lt;&gt;。" in html  # escaped, marked as only on the right
    assert "只在右边" in html and "只在左边" in html
    assert "左 10–40 字" in html


# ---------------------------------------------------------------------------- network

def _network(max_nodes=40):
    rng = np.random.default_rng(0)
    words = [f"词语{i:02d}" for i in range(60)]
    clusters = [words[i:i + 6] for i in range(0, 36, 6)]
    rows, pos = [], 0
    for s in range(600):
        cluster = clusters[s % len(clusters)]
        chosen = list(rng.choice(cluster, size=3, replace=False)) + [words[36 + s % 24]]
        for w in chosen:
            rows.append({"doc_id": "d", "section_id": 0, "para_id": s, "sent_id": s,
                         "position": pos, "token": w, "pos": "n", "stop": False,
                         "boilerplate": False})
            pos += 1
    edges = co.cooccurrence(pd.DataFrame(rows), min_count=3)
    return edges, co.network(edges, max_nodes=max_nodes)


def test_network_draws_every_node_labelled_without_overlap_coloured_by_community():
    edges, net = _network()
    assert len(net.nodes) == 40  # max_nodes
    fig = network_charts.cooccurrence_network(net.nodes, net.edges, title="共现网络",
                                              subtitle="句内共现")
    _check(fig, "共现网络", "句内共现", "词群")
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text()]
    assert sorted(t.get_text() for t in labels) == sorted(net.nodes["term"])
    assert _overlapping(labels, fig) == 0
    dots = ax.findobj(PathCollection)[0]
    colours = {tuple(c) for c in dots.get_facecolors()}
    assert len(colours) == net.nodes["community"].nunique()
    sizes = dots.get_sizes()
    big = net.nodes["n_units"].to_numpy().argmax()
    assert sizes[big] == sizes.max()


def test_network_layout_is_the_same_for_the_same_tables():
    _, net = _network(max_nodes=12)
    a = network_charts.cooccurrence_network(net.nodes, net.edges)
    b = network_charts.cooccurrence_network(net.nodes, net.edges)
    off = lambda f: f.axes[0].findobj(PathCollection)[0].get_offsets()  # noqa: E731
    assert np.allclose(off(a), off(b))


def test_empty_network_says_so():
    fig = network_charts.cooccurrence_network(
        pd.DataFrame(columns=co.NODES), pd.DataFrame(columns=co.EDGES))
    _check(fig, "没有显著的共现词对")


# ---------------------------------------------------------------------------- captions

def test_captions_say_the_leading_numbers():
    assert captions.reuse_pairs(_pairs(3)) == (
        "3 对报告有共同段落；最多的是甲市 2020 与乙省 2020：1 段 5 句 300 字，占前者 16%、后者 8%")
    assert captions.reuse_pairs(_pairs(0)) == "没有发现报告之间的共同段落"
    m = pd.DataFrame({"group": ["甲", "甲", "乙"], "other": ["甲", "乙", "甲"],
                      "share": [0.2, 0.05, 0.01], "shared_chars": [10, 5, 5]})
    assert captions.reuse_matrix(m) == ("共同段落占比最高的是甲：其文字的 20% 也见于组内其他报告；"
                                        "组间最高的是甲 → 乙（5%）")
    rep = pd.DataFrame({"text": ["2025年是“十四五”规划收官之年。"], "n_docs": [8],
                        "template": [True], "total_docs": [28]})
    assert captions.reuse_repeated(rep) == ("重复最多的是“2025年是“十四五”规划收官之年。”（28 份报告中 8 份）；"
                                            "1 句为模板句，不计入报告对")
    edges, net = _network(max_nodes=12)
    text = captions.cooccurrence(net.edges, net.nodes)
    top = net.edges.iloc[0]
    assert text.startswith(f"关联最强的是“{top['term_a']}”与“{top['term_b']}”（{top['n_ab']} 句同现")
    assert text.endswith(f"{len(net.nodes)} 个词分为 {net.nodes['community'].nunique()} 个词群")
    assert captions.cooccurrence(edges.iloc[0:0]) == "没有显著的共现词对"
