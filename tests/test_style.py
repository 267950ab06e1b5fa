"""tifa.draw.style: CJK fonts come from the mplfonts package and cover what figures draw."""

import importlib.util
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from tifa.draw import style

RARE = "\U00020000"  # 𠀀, CJK Extension B: in none of the bundled fonts


def _mplfonts_dir() -> Path:
    spec = importlib.util.find_spec("mplfonts")
    return Path(list(spec.submodule_search_locations)[0]) / "fonts"


def test_font_path_is_noto_from_the_mplfonts_package():
    path = style.font_path()
    assert path.is_file()
    assert path.parent == _mplfonts_dir()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert style.wordcloud_font_path() == str(path)


def test_pdf_font_is_truetype_from_the_same_package():
    path = style.pdf_font_path()
    assert path.parent == _mplfonts_dir()
    assert path.suffix == ".ttf"
    assert style.pdf_rc()["pdf.fonttype"] == 42


def test_font_path_falls_back_to_simhei(tmp_path, monkeypatch):
    (tmp_path / "SimHei.ttf").symlink_to(_mplfonts_dir() / "SimHei.ttf")
    monkeypatch.setattr(style, "fonts_dir", lambda: tmp_path)
    assert style.font_path() == tmp_path / "SimHei.ttf"


def test_font_path_without_fonts_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(style, "fonts_dir", lambda: tmp_path)
    with pytest.raises(style.FontNotFoundError, match="mplfonts"):
        style.font_path()


def test_missing_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(style.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(style.FontNotFoundError, match="pip install mplfonts"):
        style.fonts_dir()


def test_use_style_is_idempotent_and_sets_the_house_rc():
    style.use_style()
    n_fonts = len(font_manager.fontManager.ttflist)
    style.use_style()
    assert len(font_manager.fontManager.ttflist) == n_fonts
    rc = matplotlib.rcParams
    assert rc["font.family"] == ["sans-serif", "DejaVu Sans"]  # the CJK font, then the fallback
    assert rc["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert rc["axes.unicode_minus"] is False
    assert rc["pdf.fonttype"] == 42
    assert rc["svg.fonttype"] == "path"
    assert rc["axes.spines.top"] is False and rc["axes.spines.right"] is False
    assert font_manager.findfont(font_manager.FontProperties(family=["sans-serif"])) == str(style.font_path())


def test_use_style_restores_after_rcdefaults():
    matplotlib.rcdefaults()
    try:
        assert matplotlib.rcParams["font.sans-serif"][0] != "Noto Sans CJK SC"
        style.use_style()
        assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
    finally:
        style.use_style()


def _chinese_figure(extra: str = "") -> Figure:
    style.use_style()
    fig = Figure(layout="constrained")
    ax = fig.add_subplot()
    ax.barh([0, 1], [3, 5], label="法治政府建设")
    ax.set_yticks([0, 1], labels=["依法行政", "涉外法治"])
    ax.set_title("二〇二三年度报告（摘要）" + extra)
    ax.set_xlabel("出现次数（每万词）")
    ax.legend()
    ax.annotate("习近平法治思想", xy=(3, 0))
    fig.text(0.01, 0.01, "来源：外事办公室；“十四五”规划—数据")
    return fig


def test_chinese_figure_has_no_missing_glyphs():
    assert style.missing_glyphs(_chinese_figure()) == set()


def test_missing_glyph_is_reported():
    assert style.missing_glyphs(_chinese_figure(extra=RARE)) == {RARE}


def test_tick_labels_are_checked_too():
    fig = _chinese_figure()
    fig.axes[0].set_yticks([0, 1], labels=["依法" + RARE, "涉外"])
    assert style.missing_glyphs(fig) == {RARE}


def test_pdf_font_covers_the_chinese_figure():
    fig = _chinese_figure()
    with style.pdf_fonts():
        assert matplotlib.rcParams["font.sans-serif"][0] == "SimHei"
        assert style.missing_glyphs(fig) == set()
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"


SYMBOLS = "G² log₂ “法治” — ≥ × · …"  # ² is not in SimHei, ₂ not in Noto: DejaVu Sans has both


def test_symbols_a_cjk_font_lacks_come_from_the_fallback_in_every_format(tmp_path):
    """The keyness chart's "G²" printed "G□" in PDFs: SimHei has no "²" and the fallback font
    was never used (a generic family stands for its first font only)."""
    import warnings

    from tifa.report import export

    fig = _chinese_figure(extra=SYMBOLS)
    assert style.missing_glyphs(fig) == set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph 178 … missing from font(s)"
        export.save_figure(fig, tmp_path, "x", "symbols", formats=("png", "svg", "pdf"))


def test_missing_glyphs_sees_what_the_pdf_font_lacks():
    """Without the fallback family, "²" is missing from the PDF only: the check must say so."""
    from matplotlib.text import Text

    fig = _chinese_figure(extra=SYMBOLS)
    for text in fig.findobj(Text):
        text.set_family(["sans-serif"])  # the family list tifa used before the fallback
    assert style.missing_glyphs(fig, pdf=False) == {"₂"}  # Noto alone
    assert style.missing_glyphs(fig) == {"²", "₂"}  # and SimHei, for the PDF


def test_group_colors_do_not_depend_on_order():
    groups = ["乙市", "甲市", "丙市", "丁市"]
    a = style.group_colors(groups)
    b = style.group_colors(list(reversed(groups)) + ["甲市"])  # duplicates are fine
    assert a == b
    assert len(set(a.values())) == 4
    assert all(c.startswith("#") and len(c) == 7 for c in a.values())


def test_group_colors_sort_numbers_numerically_and_keep_keys():
    colors = style.group_colors([2023, 9, 2022])
    assert list(colors) == [9, 2022, 2023]
    assert colors[9] == style.PALETTE[0]


def test_group_colors_beyond_the_palette_stay_distinct():
    groups = [f"省{i:02d}" for i in range(31)]
    colors = style.group_colors(groups)
    assert len(set(colors.values())) == 31
    assert colors == style.group_colors(sorted(groups, reverse=True))


def test_source_line_names_agencies_count_and_years():
    import pandas as pd

    docs = pd.DataFrame({"agency": ["聊城市外办", None, "聊城市外办"], "region": ["聊城市", "厦门市", "聊城市"],
                         "year": pd.array([2022, 2023, None], dtype="Int64")})
    assert style.source_line(docs, date=False) == "来源：聊城市外办、厦门市的 3 份报告（2022—2023 年）"
    many = pd.DataFrame({"agency": [f"机构{i}" for i in range(10)], "year": [2020] * 10})
    assert style.source_line(many, max_names=3, date=None) == "来源：机构0、机构1 等 10 个机构的 10 份报告（2020 年）"
    assert style.source_line(pd.DataFrame({"doc_id": ["a"]}), date=False) == "来源：1 份报告"


def test_source_line_adds_filters_and_the_date_of_the_run():
    import datetime as dt

    import pandas as pd

    docs = pd.DataFrame({"region": ["甲市", "乙市"], "year": [2022, 2023]})
    today = dt.date.today().isoformat()
    assert style.source_line(docs) == f"来源：甲市、乙市的 2 份报告（2022—2023 年）；{today} 生成"
    assert style.source_line(docs, filters="已去除停用词", date=dt.date(2024, 5, 1)) == \
        "来源：甲市、乙市的 2 份报告（2022—2023 年）；已去除停用词；2024-05-01 生成"
    assert style.source_line(docs, date="2024年5月").endswith("；2024年5月 生成")


def test_ensure_style_keeps_user_tweaks_but_repairs_a_reset():
    style.use_style()
    try:
        matplotlib.rcParams["font.size"] = 17
        style.ensure_style()
        assert matplotlib.rcParams["font.size"] == 17
        matplotlib.rcdefaults()
        style.ensure_style()
        assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
    finally:
        style.use_style()


# ---------------------------------------------------------------- size formats

@pytest.fixture
def restore_size():
    before = style.current_size()
    yield
    style.use_style(size=before)


def test_house_style_sizes_for_slides(restore_size):
    style.use_style(size="slide")
    rc = matplotlib.rcParams
    assert style.current_size() == "slide"
    w, h = rc["figure.figsize"]
    assert (w, h) == (10.0, 5.625) and abs(w / h - 16 / 9) < 1e-9
    assert rc["font.size"] == 12 and rc["xtick.labelsize"] == 11 and rc["axes.titlesize"] == 14
    assert rc["savefig.dpi"] == 300
    assert style.frame_sizes() == {"title": 17.0, "subtitle": 11.5, "source": 9.5}


def test_house_style_sizes_for_a4_and_back(restore_size):
    style.use_style(size="a4")
    rc = matplotlib.rcParams
    assert style.current_size() == "a4"
    assert rc["figure.figsize"][0] == 6.3
    assert rc["font.size"] == 9 and rc["xtick.labelsize"] == 8.5 and rc["legend.fontsize"] == 8.5
    assert rc["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert style.frame_sizes()["title"] < style.frame_sizes(size="slide")["title"]
    style.use_style()  # None keeps the format
    assert style.current_size() == "a4" and matplotlib.rcParams["font.size"] == 9
    matplotlib.rcdefaults()
    style.ensure_style()  # a reset session gets the format back, not the slide default
    assert matplotlib.rcParams["font.size"] == 9 and style.current_size() == "a4"
    style.use_style(size="16:9")
    assert style.current_size() == "slide" and matplotlib.rcParams["font.size"] == 12


def test_unknown_size_is_a_clear_error(restore_size):
    with pytest.raises(ValueError, match="slide.*a4|a4.*slide"):
        style.use_style(size="letter")
    assert style.current_size() in style.SIZES


def test_fit_figsize_slide_is_16_9_and_grows_taller_not_wider():
    """A figure grown wider would be shown with smaller type in the HTML briefing (figures at
    the width of the text) and no larger on a slide (the picture's height is what limits it)."""
    assert style.fit_figsize(7.5, 4.0, size="slide") == (10.0, 5.625)
    assert style.fit_figsize(18.0, 5.0, size="slide") == (10.0, 5.625)
    assert style.fit_figsize(10.0, 7.0, size="slide") == (10.0, 7.0)  # a tall chart grows
    assert style.fit_figsize(10, 40, size="slide") == (10.0, 8.438)  # at most 1.5 times


def test_fit_figsize_a4_is_text_width():
    assert style.fit_figsize(6.3, 4.0, size="a4") == (6.3, 4.0)
    w, h = style.fit_figsize(12.6, 6.0, size="a4")
    assert w == 6.3 and h == pytest.approx(4.68)  # shrunk with the width, at most to 0.78
    assert style.fit_figsize(9.0, 1.0, size="a4") == (6.3, 2.5)
    assert style.fit_figsize(6.3, 30.0, size="a4") == (6.3, 9.0)


def test_a4_figure_is_readable_at_text_width(restore_size):
    """At 100 % on an A4 page a tick label is at least 8 pt and the figure fits the text width."""
    style.use_style(size="a4")
    fig = Figure(figsize=style.fit_figsize(10, 6), layout="constrained")
    ax = fig.add_subplot()
    ax.barh([0, 1], [3, 5])
    ax.set_yticks([0, 1], labels=["依法行政", "涉外法治"])
    fig.draw_without_rendering()
    assert fig.get_size_inches()[0] <= 6.3
    assert min(t.get_fontsize() for t in ax.get_yticklabels()) >= 8
    assert style.missing_glyphs(fig) == set()


def test_a_pdf_carries_the_symbols_in_its_text(tmp_path):
    """Read back with poppler: "G²" is in the PDF's text, in embedded fonts (no box)."""
    import shutil
    import subprocess

    from tifa.report import export

    if not (shutil.which("pdftotext") and shutil.which("pdffonts")):
        pytest.skip("poppler-utils (pdftotext, pdffonts) not installed; .ci/run installs it")
    fig = _chinese_figure(extra=" G² log₂")
    path = export.save_figure(fig, tmp_path, "x", "symbols", formats=("pdf",))[0]
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "G²" in text and "log₂" in text and "二〇二三年度报告" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("yes" in row[-5:-3] for row in rows)  # every font embedded
    assert any("SimHei" in row[0] for row in rows) and any("DejaVu" in row[0] for row in rows)
