"""tifa.style: CJK fonts come from the mplfonts package and cover what figures draw."""

import importlib.util
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from tifa import style

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
    assert rc["font.family"] == ["sans-serif"]
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
    assert style.source_line(docs) == "来源：聊城市外办、厦门市的 3 份报告（2022—2023 年）"
    many = pd.DataFrame({"agency": [f"机构{i}" for i in range(10)], "year": [2020] * 10})
    assert style.source_line(many, max_names=3) == "来源：机构0、机构1 等 10 个机构的 10 份报告（2020 年）"
    assert style.source_line(pd.DataFrame({"doc_id": ["a"]})) == "来源：1 份报告"


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
