"""Every chart, drawn as the notebooks draw it on a corpus with long group names and many groups,
is fit for a briefing as it comes out: no two labels overlap, no glyph is missing in any format,
text is readable at the width the HTML briefing shows figures, one number format per chart, and
word clouds keep every word upright.

The corpus is the realistic fixture table (28 reports of 政府工作报告 and 法治政府建设情况报告)
with each report in a group of its own named like a long agency (``…人民政府办公厅 2023 年度``,
15–22 characters): 28 groups, long labels on every axis. A chart function of ``tifa.draw`` that
has no case here fails :func:`test_every_chart_function_has_a_case`.
"""

from __future__ import annotations

import inspect
import itertools
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from tifa.analyze import compare, cooccurrence, frequency, reuse, slogans, themes, topics
from tifa.draw import (charts, keyword_charts, network_charts, reuse_charts, slogan_charts, style,
                       theme_charts)
from tifa.runner import stages

TABLE = Path(__file__).resolve().parent / "fixtures" / "realistic" / "table" / "reports.csv"
BY = "单位"
CHART_MODULES = (charts, keyword_charts, theme_charts, slogan_charts, reuse_charts, network_charts)
#: Building blocks of charts.py, not charts.
NOT_CHARTS = {"new_figure", "frame_figure", "start_figure"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return long_label_corpus(tmp_path_factory.mktemp("long_labels"))


def long_label_corpus(folder: Path) -> dict:
    """The stage and the result tables of the long-label corpus, built in ``folder``."""
    table = pd.read_csv(TABLE, encoding="utf-8-sig")
    table[BY] = [f"{agency}办公厅{year}年度" for agency, year in zip(table["发布机关"], table["年份"])]
    path = folder / "reports.csv"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    stage = stages.prepare(path, folder / "out", text_column="正文", cache=False, n_jobs=1)
    docs, toks, units = stage.documents, stage.tokens, stage.units
    assert docs[BY].nunique() >= 20 and docs[BY].str.len().min() >= 12
    freq = frequency.term_frequencies(toks, docs, by=BY)
    shown = frequency.largest_groups(freq, n=12)
    groups = frequency.largest_groups(freq, n=len(freq))
    key = compare.keyness(toks, docs, by=BY, min_count=3, top=100)
    cb = themes.load_codebook(None)
    hits = themes.code_sentences(units, cb)
    model = topics.fit_topics(toks, units, k=8, random_state=0)
    mentions = slogans.extract_slogans(docs, units)
    summary = slogans.slogan_summary(mentions, docs, by=BY)
    by_group = slogans.slogans_by_group(mentions, docs, by=BY)
    found = reuse.find_reuse(units, docs, by=BY)
    cooc = cooccurrence.cooccurrence(toks, docs, min_count=3, stop=True)
    return {"documents": docs, "tokens": toks, "units": units, "freq": freq, "shown": shown,
            "reuse": found, "net": cooccurrence.network(cooc, max_nodes=40),
            "groups": groups, "key": key, "codebook": cb, "hits": hits, "model": model,
            "mentions": mentions, "summary": summary, "by_group": by_group,
            "colors": style.group_colors(shown), "all_colors": style.group_colors(groups),
            "source": style.source_line(docs, date="2024-05-01")}


# ------------------------------------------------------------------------ the charts, as drawn

def _top(c):
    return frequency.top_terms(c["freq"][c["freq"]["group"].isin(c["shown"])], n=15)


def _in_shown(c, table):
    return table[table["group"].isin(c["shown"])]


def _scores(c):
    scores = themes.theme_scores(c["hits"], c["documents"], codebook=c["codebook"], by=BY)
    return scores[scores["group"].isin(themes.largest_groups(scores, n=12))]


KINDS = ("numbered", "known", "quoted")

CASES = {
    "charts.bar_top_terms": lambda c: charts.bar_top_terms(
        _top(c), value="per_10k", top_n=15, colors=c["colors"], max_panels=12,
        title="各组高频词", subtitle="每万词出现次数", source=c["source"]),
    "charts.bar": lambda c: charts.bar(
        c["documents"].sort_values("n_chars", ascending=False), label=BY, value="n_chars",
        group="文种", title="各报告字数", source=c["source"]),
    "charts.document_lengths": lambda c: charts.document_lengths(
        c["documents"], label=BY, title="各报告篇幅", source=c["source"]),
    "charts.wordcloud": lambda c: charts.wordcloud(
        _top(c).drop_duplicates("term"), value="per_10k", title="词云", source=c["source"]),
    "keyword_charts.compare_top_bars": lambda c: keyword_charts.compare_top_bars(
        frequency.compare_top(c["freq"], n=10, groups=c["shown"]), max_terms=30,
        colors=c["colors"], title="各组高频词对照", source=c["source"]),
    "keyword_charts.wordcloud_grid": lambda c: keyword_charts.wordcloud_grid(
        c["freq"], groups=c["shown"], max_panels=6, colors=c["colors"], source=c["source"]),
    "keyword_charts.comparison_cloud": lambda c: keyword_charts.comparison_cloud(
        compare.overuse(c["freq"], n=60, groups=c["shown"]), colors=c["colors"],
        source=c["source"]),
    "keyword_charts.shared_cloud": lambda c: keyword_charts.shared_cloud(
        compare.shared_terms(c["freq"], min_share=0.5, n=150, groups=c["shown"]),
        source=c["source"]),
    "keyword_charts.keyness_bars": lambda c: keyword_charts.keyness_bars(
        c["key"], target=c["groups"][0], n=20, colors=c["colors"],
        subtitle="对数似然比 G²（带符号），每侧前 20 个词", source=c["source"]),
    "keyword_charts.similarity_heatmap": lambda c: _similarity(c),
    "keyword_charts.rate_scatter": lambda c: keyword_charts.rate_scatter(
        compare.keyness(c["tokens"], c["documents"], by=BY, target=c["groups"][0],
                        reference=c["groups"][1], min_count=2),
        n_labels=20, colors=c["colors"], subtitle="每万词出现次数，对数轴", source=c["source"]),
    "theme_charts.theme_heatmap": lambda c: theme_charts.theme_heatmap(
        _scores(c), value="per_1k", title="各组的主题权重", source=c["source"]),
    "theme_charts.topic_theme_heatmap": lambda c: theme_charts.topic_theme_heatmap(
        topics.topic_theme_overlap(c["model"], c["hits"], codebook=c["codebook"]),
        value="overlap", title="数据主题与词表主题的对应", source=c["source"]),
    "theme_charts.theme_profiles": lambda c: theme_charts.theme_profiles(
        _scores(c), value="per_1k", colors=c["colors"], source=c["source"]),
    "theme_charts.theme_sections": lambda c: theme_charts.theme_sections(
        _in_shown(c, themes.theme_by_section(c["hits"], c["units"], c["documents"],
                                             codebook=c["codebook"], by=BY, tokens=c["tokens"])),
        max_groups=6, source=c["source"]),
    "theme_charts.topic_mix": lambda c: theme_charts.topic_mix(
        topics.topic_mix(c["model"], c["documents"], by=BY), source=c["source"]),
    "theme_charts.topic_terms": lambda c: theme_charts.topic_terms(
        c["model"].terms, top_n=8, source=c["source"]),
    "slogan_charts.slogan_bars": lambda c: slogan_charts.slogan_bars(
        slogans.top_slogans(c["by_group"], c["summary"], top_n=20, max_groups=8, kinds=KINDS),
        colors=c["all_colors"], source=c["source"]),
    "slogan_charts.slogan_heatmap": lambda c: slogan_charts.slogan_heatmap(
        slogans.slogan_matrix(c["by_group"], c["summary"], top_n=30, max_groups=20,
                              kinds=KINDS), source=c["source"]),
    "slogan_charts.slogan_timeline": lambda c: slogan_charts.slogan_timeline(
        slogans.slogan_timeline(c["mentions"], c["documents"], top_n=12, kinds=KINDS),
        source=c["source"]),
    "slogan_charts.slogan_upset": lambda c: slogan_charts.slogan_upset(
        slogans.slogan_overlap(c["mentions"], c["documents"], by=BY, max_groups=8, kinds=KINDS),
        colors=c["all_colors"], source=c["source"]),
    "slogan_charts.slogan_turnover": lambda c: slogan_charts.slogan_turnover(
        _turnover(c), max_groups=6, source=c["source"],
        subtitle="每年与上一年相比：延续的和新出现的提法（零线上），不再出现的（零线下）"),
    "reuse_charts.reuse_matrix": lambda c: reuse_charts.reuse_matrix(
        reuse.reuse_matrix(c["reuse"].passages, c["documents"], by=BY), max_groups=20,
        title="各组之间的共同段落", subtitle="每格：行中一组报告的文字与列中一组共有部分所占比例",
        source=c["source"]),
    "reuse_charts.top_pairs": lambda c: reuse_charts.top_pairs(
        c["reuse"].pairs, n=15, colors=c["all_colors"], source=c["source"],
        subtitle="每对两条：各自文字中共同段落所占比例"),
    "reuse_charts.repeated_passages": lambda c: reuse_charts.repeated_passages(
        c["reuse"].repeated, n=15, source=c["source"], subtitle="出现该句或其近似写法的报告数"),
    "network_charts.cooccurrence_network": lambda c: network_charts.cooccurrence_network(
        c["net"].nodes, c["net"].edges, title="共现网络：同句出现的词",
        subtitle="同一句中出现多于偶然的词对；点大小＝含该词的句数，颜色＝词群", source=c["source"]),
}


def _turnover(c):
    by_group = slogans.slogan_turnover(c["mentions"], c["documents"], by=BY, kinds=KINDS)
    return pd.concat([slogans.slogan_turnover(c["mentions"], c["documents"], kinds=KINDS),
                      by_group], ignore_index=True)


def _similarity(c):
    sim = compare.similarity(c["tokens"], c["documents"], by=BY)
    return keyword_charts.similarity_heatmap(sim, clusters=compare.cluster_order(sim),
                                             subtitle="TF-IDF 加权词向量的余弦相似度",
                                             source=c["source"])


def chart_functions() -> list[str]:
    """``module.function`` of every public chart function (one returning a Figure)."""
    found = []
    for module in CHART_MODULES:
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if (func.__module__ != module.__name__ or name.startswith("_") or name in NOT_CHARTS
                    or "Figure" not in str(inspect.signature(func).return_annotation)):
                continue
            found.append(f"{module.__name__.rsplit('.', 1)[-1]}.{name}")
    return sorted(found)


def test_every_chart_function_has_a_case():
    missing = sorted(set(chart_functions()) - set(CASES))
    assert not missing, (f"add a long-label case for {missing} to CASES in {__file__}: every "
                         "chart is checked for overlapping labels and small type")


@pytest.fixture(params=["slide", "a4"])
def size(request):
    before = style.current_size()
    style.use_style(size=request.param)
    yield request.param
    style.use_style(size=before)


@pytest.fixture(scope="module")
def drawn(corpus):
    """Figures already drawn, by (case, size): each chart is drawn once per size."""
    return {}


def _figure(drawn, corpus, name: str, size: str) -> Figure:
    if (name, size) not in drawn:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # e.g. matplotlib's "Glyph … missing"
            fig = CASES[name](corpus)
            fig.draw_without_rendering()
        drawn[(name, size)] = fig
    return drawn[(name, size)]


# ------------------------------------------------------------------------ what is checked

def _tick_labels(fig) -> list[Text]:
    """The tick labels matplotlib draws: visible axes, ticks inside the view limits."""
    labels = []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            pad = (hi - lo) * 1e-6
            for tick in axis.get_major_ticks():
                if not lo - pad <= tick.get_loc() <= hi + pad:
                    continue
                labels += [t for t in (tick.label1, tick.label2)
                           if t.get_visible() and t.get_text().strip()]
    return labels


def _texts(fig) -> list[Text]:
    """Every text drawn: the frame, titles, tick labels, axis labels, legends, labels on the
    data (texts of hidden axes and of ticks outside the view left out)."""
    tick_texts = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_texts |= {id(tick.label1), id(tick.label2)}
    others = []
    for t in fig.findobj(Text):
        if id(t) in tick_texts or not t.get_visible() or not t.get_text().strip():
            continue
        ax = t.axes
        if ax is not None and (not ax.get_visible() or (not ax.axison and t in (
                ax.xaxis.label, ax.yaxis.label))):
            continue
        others.append(t)
    return _tick_labels(fig) + list(dict.fromkeys(others))


def _corners(t: Text, renderer) -> np.ndarray:
    """The four corners of a text's own (possibly rotated) box, in pixels."""
    box = t.get_window_extent(renderer)
    angle = np.deg2rad(t.get_rotation())
    if abs(np.sin(angle)) < 1e-6 or abs(np.cos(angle)) < 1e-6:
        return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    c, s_ = abs(np.cos(angle)), abs(np.sin(angle))
    # the box of a w x h text turned by the angle is (w c + h s) x (w s + h c); near 45° the
    # equations are singular: take the height of one line of the text's font instead
    det = c * c - s_ * s_
    w = (box.width * c - box.height * s_) / det if abs(det) > 0.05 else -1.0
    h = (box.height * c - box.width * s_) / det if abs(det) > 0.05 else -1.0
    if w <= 0 or h <= 0:
        lines = t.get_text().count("\n") + 1
        h = t.get_fontsize() * renderer.points_to_pixels(1.0) * 1.3 * lines
        w = max((box.width - h * s_) / c, 1.0)
    centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    u = np.array([np.cos(angle), np.sin(angle)])
    v = np.array([-np.sin(angle), np.cos(angle)])
    return np.array([centre + sx * w / 2 * u + sy * h / 2 * v
                     for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))])


def _overlap(a: np.ndarray, b: np.ndarray, tolerance: float) -> bool:
    """Separating axes: two convex quadrilaterals overlap by more than ``tolerance`` pixels."""
    for poly in (a, b):
        for i in range(4):
            edge = poly[(i + 1) % 4] - poly[i]
            axis = np.array([-edge[1], edge[0]])
            norm = np.hypot(*axis)
            if norm == 0:
                continue
            axis = axis / norm
            pa, pb = a @ axis, b @ axis
            if min(pa.max(), pb.max()) - max(pa.min(), pb.min()) <= tolerance:
                return False
    return True


def overlapping_labels(fig, *, tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of texts drawn on the figure — tick labels of any axes, titles, the frame, legend
    entries, labels written on the data — whose boxes (turned with the text when it is
    rotated) overlap by more than ``tolerance`` pixels."""
    renderer = fig._get_renderer()
    texts = _texts(fig)
    corners = [_corners(t, renderer) for t in texts]
    return [(ta.get_text()[:24], tb.get_text()[:24])
            for (ta, a), (tb, b) in itertools.combinations(zip(texts, corners), 2)
            if _overlap(a, b, tolerance)]


def smallest_text_px(fig) -> tuple[float, str]:
    """The smallest visible text of a figure in CSS pixels when the figure is shown at the
    width of the HTML briefing (:data:`tifa.draw.style.BRIEFING_WIDTH_PX`)."""
    px_per_pt = style.BRIEFING_WIDTH_PX / (fig.get_size_inches()[0] * 72)
    sizes = [(t.get_fontsize() * px_per_pt, t.get_text()) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    return min(sizes)


NUMBER = re.compile(r"^-?[\d,]+(\.(\d+))?%?$")


def value_label_formats(fig) -> set[int]:
    """Decimal places of the numbers written on a figure's data (bar ends, cells), tick labels
    and the frame left out."""
    ticks = {id(t) for t in _tick_labels(fig)}
    places = set()
    for ax in fig.axes:
        for t in ax.texts:
            text = t.get_text().strip().removeprefix("n=")
            m = NUMBER.match(text)
            if id(t) in ticks or not t.get_visible() or not m:
                continue
            places.add(len(m.group(2) or ""))
    return places


CHART_NAMES = sorted(CASES)


@pytest.mark.parametrize("name", CHART_NAMES)
def test_no_tick_labels_overlap(corpus, drawn, name, size):
    fig = _figure(drawn, corpus, name, size)
    assert overlapping_labels(fig) == [], f"{name} ({size}): labels run into each other"


@pytest.mark.parametrize("name", CHART_NAMES)
def test_text_is_readable_at_the_briefing_width(corpus, drawn, name, size):
    fig = _figure(drawn, corpus, name, size)
    px, text = smallest_text_px(fig)
    assert px >= style.MIN_TEXT_PX, (f"{name} ({size}): {text!r} is {px:.1f} px at the briefing's "
                                      f"width ({fig.get_size_inches()[0]:.1f} in wide)")


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_glyph_is_in_the_fonts_of_every_format(corpus, drawn, name, size):
    assert style.missing_glyphs(_figure(drawn, corpus, name, size)) == set()


@pytest.mark.parametrize("name", CHART_NAMES)
def test_one_number_format_per_chart(corpus, drawn, name, size):
    formats = value_label_formats(_figure(drawn, corpus, name, size))
    assert len(formats) <= 1, f"{name}: numbers with {sorted(formats)} decimals in one chart"


def test_word_clouds_keep_every_word_upright(corpus):
    """wordcloud turns some words 90° by default; rotated Chinese is hard to read."""
    cloud = charts.cloud_layout({"外事": 10.0, "法治政府建设": 8.0, "依法行政": 5.0,
                                 **{f"词语{i}": 1.0 + i % 5 for i in range(120)}},
                                width=800, height=450, max_words=150, random_state=0)
    assert cloud.layout_ and all(orientation is None for *_, orientation, _ in cloud.layout_)
