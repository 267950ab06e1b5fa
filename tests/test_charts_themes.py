"""tifa.draw.theme_charts: figures draw what the tables say, in Chinese, with titles, no overflow."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from tifa.draw import style
from tifa.draw import theme_charts as ct

THEMES = ["理论学习与党的领导", "依法决策与合法性审查", "普法宣传与法治教育"]


def scores(groups):
    rows = []
    for i, (t, g) in enumerate(itertools.product(THEMES, groups)):
        rows.append({"theme": t, "group": g, "hits": i, "per_1k": i * 1.5, "share": 1 / len(THEMES),
                     "n_tokens": 1000})
    return pd.DataFrame(rows)


def texts(fig):
    fig.draw_without_rendering()
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def test_heatmap_prints_every_value_with_title_and_subtitle():
    sc = scores(["厦门市 2023", "聊城市 2022"])
    fig = ct.theme_heatmap(sc, subtitle="每千词命中次数", source="来源：测试")
    assert isinstance(fig, Figure)
    shown = texts(fig)
    assert "各报告的主题权重" in shown and "每千词命中次数" in shown and "来源：测试" in shown
    for v in sc["per_1k"]:
        assert (f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}" if v >= 10 else f"{v:.2f}") in shown
    assert style.missing_glyphs(fig) == set()


def test_heatmap_many_groups_turns_and_is_capped():
    groups = [f"第{i:04d}号报告" for i in range(500)]
    fig = ct.theme_heatmap(scores(groups), max_groups=25)
    ax = fig.axes[0]
    assert len(ax.get_yticks()) == 25  # groups as rows, capped
    assert len(ax.get_xticks()) == len(THEMES)
    assert any("仅显示前 25 组（共 500 组）" in t for t in texts(fig))


def test_share_heatmap_prints_percentages():
    fig = ct.theme_heatmap(scores(["甲", "乙"]), value="share")
    assert "33%" in texts(fig)


def test_profiles_use_group_colours_and_cap_groups():
    groups = ["厦门市 2023", "聊城市 2022"]
    colors = style.group_colors(groups)
    fig = ct.theme_profiles(scores(groups), colors=colors, subtitle="每千词命中次数")
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == groups
    bars_by_colour = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert bars_by_colour == set(colors.values())
    assert len(ax.patches) == len(groups) * len(THEMES)
    many = ct.theme_profiles(scores([f"组{i}" for i in range(9)]), max_groups=4)
    assert len(many.axes[0].patches) == 4 * len(THEMES)
    assert any("仅显示前 4 组（共 9 组）" in t for t in texts(many))


def test_sections_stack_to_one_and_show_counts():
    rows = []
    for t, g in itertools.product(THEMES, ["甲", "乙"]):
        for role, share in zip(["front", "work", "problems", "plans"], [0.1, 0.5, 0.2, 0.2]):
            rows.append({"theme": t, "group": g, "section_role": role, "hits": 1,
                         "theme_hits": 10, "share": share})
    sec = pd.DataFrame(rows)
    sec.loc[(sec.theme == THEMES[2]) & (sec.group == "乙"), ["share", "theme_hits"]] = [np.nan, 0]
    fig = ct.theme_sections(sec, subtitle="占比")
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 2
    shown = texts(fig)
    for label in ["开头", "工作情况", "问题与不足", "下步计划"]:
        assert label in shown
    assert "n=10" in shown and "无命中" in shown and "50%" in shown
    # each bar's segments end at 100 %
    first = axes[0]
    ends = {}
    for p in first.patches:
        y = round(p.get_y() + p.get_height() / 2, 3)
        ends[y] = max(ends.get(y, 0), p.get_x() + p.get_width())
    assert all(v == pytest.approx(1.0) for v in ends.values())
    assert style.missing_glyphs(fig) == set()


def test_topic_mix_and_terms_and_correspondence():
    mix = pd.DataFrame({"topic": [1, 1, 2, 2], "label": ["T1 · 普法/宣传", "T1 · 普法/宣传",
                                                        "T2 · 法律顾问/审查", "T2 · 法律顾问/审查"],
                        "group": ["甲", "乙", "甲", "乙"], "share": [0.7, 0.2, 0.3, 0.8]})
    fig = ct.topic_mix(mix, subtitle="按词数加权")
    shown = texts(fig)
    assert "70%" in shown and "80%" in shown
    legend, = fig.legends  # a figure legend across the foot: it widens no panel
    assert isinstance(legend, Legend)
    assert [t.get_text() for t in legend.get_texts()] == ["T1 · 普法/宣传", "T2 · 法律顾问/审查"]
    terms = pd.DataFrame({"topic": [1, 1, 2], "label": ["T1 · a", "T1 · a", "T2 · b"],
                          "rank": [1, 2, 1], "term": ["普法", "宣传", "法律顾问"],
                          "weight": [1.0, 0.5, 1.0]})
    fig2 = ct.topic_terms(terms)
    assert len([a for a in fig2.axes if a.get_visible()]) == 2
    ov = pd.DataFrame({"label": ["T1 · a", "T1 · a"], "theme": ["普法宣传与法治教育", "领事保护"],
                       "overlap": [0.8, 0.1]})
    fig3 = ct.topic_theme_heatmap(ov)
    assert "80%" in texts(fig3) and "10%" in texts(fig3)
    for f in (fig, fig2, fig3):
        assert style.missing_glyphs(f) == set()


def test_topic_colors_are_fixed_and_distinct():
    c = ct.topic_colors([1, 2, 3])
    assert list(c) == [1, 2, 3] and len(set(c.values())) == 3
    assert ct.topic_colors([1, 2, 3]) == c
    many = ct.topic_colors(range(20))
    assert len(set(many.values())) == 20


def test_empty_tables_give_a_figure_that_says_so():
    empty = pd.DataFrame(columns=["theme", "group", "hits", "per_1k", "share", "n_tokens"])
    for fig in (ct.theme_heatmap(empty), ct.theme_profiles(empty)):
        assert "没有可显示的数据" in texts(fig)


def test_missing_column_is_named():
    with pytest.raises(KeyError, match="per_1k"):
        ct.theme_heatmap(pd.DataFrame({"theme": ["甲"], "group": ["乙"]}))
