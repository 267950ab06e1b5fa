"""tifa.draw.slogan_charts: the slogan figures draw what the tables say, legibly, in Chinese."""

from __future__ import annotations

import io
import itertools

import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from tifa.analyze import slogans
from tifa.draw import slogan_charts as cs
from tifa.draw import style


def _docs(n_groups: int, *, per_group: int = 1, years: bool = True) -> pd.DataFrame:
    """Synthetic reports: shared national slogans, one local campaign per group."""
    rows = []
    for g in range(n_groups):
        for k in range(per_group):
            text = (f"坚定拥护“两个确立”，落实“三重一大”。开展“地方行动{g}号”，推行“一园一策”。"
                    + ("做到“两个维护”。" if g % 2 else "") + f"贯彻《民法典》《条例{g % 3}》。")
            rows.append({"doc_id": f"d{g}_{k}", "text": text, "region": f"第{g:02d}市",
                         "year": 2019 + (g + k) % 4 if years else pd.NA})
    d = pd.DataFrame(rows)
    d["n_chars"] = d["text"].str.len()
    return d


def _tables(documents, by="region"):
    m = slogans.extract_slogans(documents, formulations=slogans.load_formulations(known=[]))
    s = slogans.slogan_summary(m, documents, by=by)
    g = slogans.slogans_by_group(m, documents, by=by)
    return m, s, g


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def _no_overlap(labels) -> bool:
    boxes = [t.get_window_extent() for t in labels if t.get_text() and t.get_visible()]
    return not any(a.overlaps(b) and a.intersection(a, b).width * a.intersection(a, b).height > 1
                   for a, b in itertools.combinations(boxes, 2))


def _check(fig: Figure, title: str, subtitle: str):
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    assert any(title in t for t in texts) and any(subtitle in t for t in texts)
    assert style.missing_glyphs(fig) == set()
    fig.savefig(io.BytesIO(), format="png", dpi=50)


@pytest.fixture(scope="module")
def two():
    d = _docs(2)
    return d, *_tables(d)


def test_bars_segments_blocks_and_legend(two):
    d, m, s, g = two
    top = slogans.top_slogans(g, s, top_n=10, kinds=("numbered", "quoted"))
    colors = style.group_colors(["第00市", "第01市"])
    fig = cs.slogan_bars(top, title="反复出现的提法", subtitle="使用次数", colors=colors,
                         source="来源：测试")
    _check(fig, "反复出现的提法", "使用次数")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == [cs.STATUS_LABELS["shared"],
                                                          cs.STATUS_LABELS["own"]]
    bars = [p for ax in axes for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == len(top)                       # one segment per (slogan, group)
    assert sum(p.get_width() for p in bars) == pytest.approx(top["count"].sum())
    for ax in axes:
        fig.draw_without_rendering()
        assert _no_overlap(ax.get_yticklabels())
    legend = axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["第00市", "第01市"]
    fills = {p.get_facecolor()[:3] for p in bars}
    from matplotlib.colors import to_rgb
    assert fills == {to_rgb(c) for c in colors.values()}


def test_bars_with_many_groups_lump_the_rest(tmp_path):
    d = _docs(60)
    _, s, g = _tables(d)
    top = slogans.top_slogans(g, s, top_n=15, max_groups=5)
    fig = cs.slogan_bars(top, title="提法", subtitle="次数")
    _check(fig, "提法", "次数")
    legend = [ax.get_legend() for ax in fig.axes if ax.get_legend()][0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert len(labels) == 6 and labels[-1] == "其他"
    ticks = sum(len(ax.get_yticklabels()) for ax in fig.axes)
    assert ticks == 15


def test_heatmap_draws_the_matrix_in_order(two):
    d, m, s, g = two
    mx = slogans.slogan_matrix(g, s, top_n=20)
    fig = cs.slogan_heatmap(mx, title="提法 × 组", subtitle="每格为使用次数", source="来源")
    _check(fig, "提法 × 组", "每格为使用次数")
    ax = fig.axes[0]
    img = [a for a in ax.get_children() if isinstance(a, AxesImage)][0]
    assert img.get_array().shape == mx.shape
    assert [t.get_text() for t in ax.get_yticklabels()] == list(mx.index)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(mx.columns)
    fig.draw_without_rendering()
    assert _no_overlap(ax.get_yticklabels()) and _no_overlap(ax.get_xticklabels())
    # a separator between the shared block and the own block
    assert len(ax.lines) == 1
    annotated = [t.get_text() for t in ax.texts]
    assert annotated.count("1") + annotated.count("2") >= (mx.to_numpy() > 0).sum()


def test_heatmap_caps_columns_for_many_groups():
    d = _docs(80)
    _, s, g = _tables(d)
    mx = slogans.slogan_matrix(g, s, top_n=25, max_groups=20)
    assert mx.shape[1] == 20 and mx.attrs["n_groups_total"] == 80
    fig = cs.slogan_heatmap(mx, title="t", subtitle="s")
    assert any("仅显示使用最多的 20 组（共 80 组）" in t for t in _texts(fig))
    fig.draw_without_rendering()
    # column labels sit above the cells, not on them
    ax = fig.axes[0]
    cells = ax.get_window_extent()
    assert all(t.get_window_extent().y0 >= cells.y1 - 1 for t in ax.get_xticklabels())
    # 45° labels: their own (turned) boxes must not overlap, nor any other text of the figure
    from test_chart_layout import overlapping_labels

    assert overlapping_labels(fig) == []


def test_timeline_small_multiples(two):
    d = _docs(6, per_group=2)
    m, _, _ = _tables(d)
    tl = slogans.slogan_timeline(m, d, top_n=5)
    fig = cs.slogan_timeline(tl, title="年度走势", subtitle="使用次数", source="来源")
    _check(fig, "年度走势", "使用次数")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 5
    assert [ax.get_title(loc="left") for ax in visible] == list(dict.fromkeys(tl["slogan"]))
    assert all(len(ax.lines[0].get_xdata()) == tl["year"].nunique() for ax in visible)


def test_timeline_single_year_says_so():
    d = _docs(3).assign(year=2023)
    m, _, _ = _tables(d)
    tl = slogans.slogan_timeline(m, d)
    fig = cs.slogan_timeline(tl, title="年度走势", subtitle="使用次数")
    assert any("只涵盖一个年份（2023 年）" in t for t in _texts(fig))
    assert not any(ax.lines for ax in fig.axes)
    fig_none = cs.slogan_timeline(slogans.slogan_timeline(m, d.assign(year=pd.NA)),
                                  title="年度走势", subtitle="使用次数")
    assert any("没有年份信息" in t for t in _texts(fig_none))


def test_upset_two_groups(two):
    d, m, s, g = two
    ov = slogans.slogan_overlap(m, d, by="region")
    fig = cs.slogan_upset(ov, title="交集", subtitle="提法个数", source="来源")
    _check(fig, "交集", "提法个数")
    bar_ax, dot_ax = fig.axes
    heights = sorted(p.get_height() for p in bar_ax.patches)
    assert heights == sorted(ov["n_slogans"].astype(float))
    assert [t.get_text() for t in dot_ax.get_yticklabels()] == ov.attrs["groups"]
    dots = [c for c in dot_ax.collections if isinstance(c, PathCollection)]
    coloured = sum(len(c.get_offsets()) for c in dots[1::2])
    assert coloured == int(ov["degree"].sum())


def test_upset_caps_bars():
    d = _docs(8)
    m, _, _ = _tables(d)
    ov = slogans.slogan_overlap(m, d, by="region", max_groups=8)
    fig = cs.slogan_upset(ov, title="交集", subtitle="提法", max_bars=5)
    assert len(fig.axes[0].patches) == 5
    assert any("仅显示前 5 种组合" in t for t in _texts(fig))


def test_turnover_stacks_new_on_continued_and_dropped_below(two):
    d = _docs(6, per_group=2)
    d["kind"] = ["甲类" if i % 2 else "乙类" for i in range(len(d))]
    m, _, _ = _tables(d)
    t = pd.concat([slogans.slogan_turnover(m, d), slogans.slogan_turnover(m, d, by="kind")],
                  ignore_index=True)
    fig = cs.slogan_turnover(t, title="新旧更替", subtitle="提法数", source="来源")
    _check(fig, "新旧更替", "提法数")
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]   # the legend row is off
    assert [ax.get_title(loc="left") for ax in axes] == list(dict.fromkeys(t["group"]))
    whole = t[t["group"] == slogans.ALL_DOCUMENTS]
    bars = [p for p in axes[0].patches if isinstance(p, Rectangle)]
    up = sum(p.get_height() for p in bars if p.get_height() > 0)
    down = -sum(p.get_height() for p in bars if p.get_height() < 0)
    assert up == pytest.approx(whole["n_used"].sum())
    assert down == pytest.approx(whole["n_dropped"].sum())
    assert [x.get_text() for x in axes[0].get_xticklabels()] == [str(y) for y in whole["year"]]
    legend = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert cs.CHANGE_LABELS["new"] in legend and cs.CHANGE_LABELS["dropped"] in legend


def test_turnover_with_one_year_says_so():
    d = _docs(3).assign(year=2023)
    m, _, _ = _tables(d)
    fig = cs.slogan_turnover(slogans.slogan_turnover(m, d), title="更替", subtitle="s")
    assert any("只涵盖一个年份（2023 年）" in t for t in _texts(fig))
    assert not any(ax.patches for ax in fig.axes)
    fig = cs.slogan_turnover(slogans.slogan_turnover(m, d.assign(year=pd.NA)), title="更替")
    assert any("没有年份信息" in t for t in _texts(fig))


@pytest.mark.parametrize("draw", [
    lambda: cs.slogan_bars(pd.DataFrame(columns=slogans.TOP), title="t", subtitle="s"),
    lambda: cs.slogan_heatmap(pd.DataFrame(), title="t", subtitle="s"),
    lambda: cs.slogan_upset(pd.DataFrame(columns=slogans.OVERLAP), title="t", subtitle="s"),
])
def test_empty_tables_give_a_message(draw):
    fig = draw()
    assert any("没有可显示的数据" in t for t in _texts(fig))


def test_missing_columns_are_reported():
    with pytest.raises(KeyError):
        cs.slogan_bars(pd.DataFrame({"slogan": ["x"]}), title="t")
