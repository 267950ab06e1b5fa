"""CJK fonts and the house style: Chinese text everywhere, on any machine.

tifa never relies on a system font. The Chinese fonts come from the pip-installed ``mplfonts``
package (a declared dependency), which ships Noto Sans CJK SC and SimHei in its ``fonts/``
folder. :func:`use_style` registers them with matplotlib and sets the house look; chart functions in
:mod:`tifa.draw.charts` and :func:`tifa.report.export.save_figure` call :func:`ensure_style`, so notebooks
need not.

Fonts per output format
-----------------------
* PNG and the screen: **Noto Sans CJK SC** (an OpenType/CFF font, SIL Open Font License).
* SVG: the same font, but ``svg.fonttype = 'path'`` turns every glyph into outlines, so an SVG
  opens correctly on a machine without any CJK font.
* PDF: matplotlib embeds fonts as Type 42 (``pdf.fonttype = 42``, selectable and searchable
  text) only from TrueType (``glyf``) outlines. Given the CFF-based Noto file it writes the
  OpenType/CFF data into a ``FontFile2`` stream declared ``CIDFontType2``, which violates the
  PDF specification (lenient readers such as pdfium still show it, strict ones need not). PDFs
  are therefore written inside :func:`pdf_fonts`, which switches to the package's TrueType
  **SimHei.ttf** (:func:`pdf_font_path`). If no TrueType font is available, PDFs fall back to
  Noto embedded as Type 3 outlines (valid, but text is not searchable in every reader).

Fallback: every text is drawn with ``font.family = ["sans-serif", "DejaVu Sans"]``
(:data:`FONT_FAMILY`), which matplotlib (≥ 3.6) reads glyph by glyph: a character the CJK font of
the format lacks is taken from DejaVu Sans (bundled with matplotlib itself), e.g. "²" (not in
SimHei: ``G²`` in a PDF) or "₂" (not in Noto: ``log₂``). A generic family such as
``sans-serif`` stands for its first font only, so the fallback must be a family of its own in
``font.family``. :func:`missing_glyphs` checks a figure against both formats' fonts, fallback
included, exactly as matplotlib resolves them.

Size formats
------------
One parameter chooses what the figures are made for (:data:`SIZES`, ``use_style(size=...)``):

* ``"slide"`` (default): 16:9. Figures are laid out at 10 × 5.625 in with the house type sizes
  (ticks 11 pt, titles 17 pt); placed full width on a 16:9 slide (13.33 × 7.5 in) everything
  is shown a third larger. A chart that needs more height than 16:9 gives it grows taller, up
  to 8.44 in (1.5 times), and stays 10 in wide: on a slide the space under the title is wider
  than 16:9, so a figure's height decides how large it is shown there whatever its width,
  while in the HTML briefing (figures shown at the width of the text) a wider figure would
  only make its type smaller.
* ``"a4"``: the text width of an A4 page with 2.5 cm margins (6.3 in); smaller type (ticks
  8.5 pt, titles 12 pt) so that the figure is readable at 100 % in a written brief.

:func:`fit_figsize` turns the size a chart asks for into the size of the current format and
:func:`frame_sizes` gives the type sizes of its title, subtitle and source line; chart code
calls both when it creates a figure. PNGs are written at 300 dpi (``savefig.dpi``).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.util
import math
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Hashable, Iterable, Iterator

import matplotlib
from matplotlib import font_manager
from matplotlib.colors import to_hex

#: The pip package that ships the CJK font files.
FONT_PACKAGE = "mplfonts"

#: Font files tried in order for screen, PNG and SVG (inside ``<mplfonts>/fonts/``).
SCREEN_FONT_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf")

#: TrueType font files tried in order for PDF (Type 42 needs ``glyf`` outlines).
PDF_FONT_FILES = ("SimHei.ttf",)

#: Latin/symbol fallback shipped with matplotlib itself (never a system font).
FALLBACK_FAMILY = "DejaVu Sans"

#: ``font.family`` of every text: the CJK font of the format (``font.sans-serif``: Noto on
#: screen, PNG and SVG; SimHei inside :func:`pdf_fonts`), then the fallback for what it lacks.
#: Text artists keep the family list they were made with, and the generic name is resolved
#: when they are drawn, so a figure made on screen is written as PDF with SimHei.
FONT_FAMILY = ["sans-serif", FALLBACK_FAMILY]

#: The qualitative house palette (Okabe-Ito-like, colour-blind safe first, then muted tones);
#: :func:`group_colors` maps sorted groups onto it.
PALETTE = (
    "#1f5fa8",  # blue
    "#d1495b",  # red
    "#2a9d8f",  # teal
    "#e9a03b",  # amber
    "#6a4c93",  # purple
    "#5c8001",  # olive green
    "#8d5a3b",  # brown
    "#d16ba5",  # pink
    "#4f6d7a",  # slate
    "#b8b42d",  # mustard
    "#3fa7d6",  # sky
    "#7a7a7a",  # grey
)

#: Colour for text that is secondary (subtitles, source lines, value labels).
MUTED = "#555555"

#: rcParams of the house look (fonts are added by :func:`use_style`).
HOUSE_RC = {
    "axes.unicode_minus": False,
    "font.size": 12,
    "axes.titlesize": 14,
    "axes.titleweight": "normal",  # the bundled CJK fonts have no bold face
    "figure.titleweight": "normal",
    "axes.titlelocation": "left",
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.frameon": False,
    "figure.titlesize": 17,
    "figure.figsize": (10.0, 5.625),  # 16:9, slide size
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#999999",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.7,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "image.cmap": "viridis",
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.15,
    "savefig.facecolor": "white",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "tifa",  # stable element ids: the same figure gives the same SVG bytes
}


class FontNotFoundError(RuntimeError):
    """The CJK font files of the ``mplfonts`` package cannot be found."""


def fonts_dir() -> Path:
    """Folder of the font files shipped by the installed ``mplfonts`` package.

    The package is located through the import system (without importing it), never through a
    hard-coded path.

    Returns
    -------
    Path
        ``<site-packages>/mplfonts/fonts``.

    Raises
    ------
    FontNotFoundError
        If ``mplfonts`` is not installed or has no ``fonts`` folder.
    """
    spec = importlib.util.find_spec(FONT_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        folder = Path(location) / "fonts"
        if folder.is_dir():
            return folder
    raise FontNotFoundError(
        f"tifa draws Chinese text with the fonts of the Python package {FONT_PACKAGE!r}, "
        f"which is not installed (or has no fonts/ folder). Install it: pip install {FONT_PACKAGE}"
    )


def _first_existing(names: Iterable[str]) -> Path | None:
    folder = fonts_dir()
    for name in names:
        path = folder / name
        if path.is_file():
            return path
    return None


def font_path() -> Path:
    """The CJK font file used for screen, PNG and SVG output.

    Noto Sans CJK SC from the ``mplfonts`` package, else SimHei.ttf from the same package.

    Returns
    -------
    Path
        Absolute path of the font file.

    Raises
    ------
    FontNotFoundError
        If the package or both font files are missing; the message names the package.
    """
    path = _first_existing(SCREEN_FONT_FILES)
    if path is None:
        raise FontNotFoundError(
            f"None of {', '.join(SCREEN_FONT_FILES)} found in {fonts_dir()} "
            f"(package {FONT_PACKAGE!r}); reinstall it: pip install --force-reinstall {FONT_PACKAGE}"
        )
    return path


def pdf_font_path() -> Path:
    """The TrueType CJK font used for PDF output (Type 42 embedding), see the module notes.

    Returns
    -------
    Path
        SimHei.ttf from ``mplfonts`` when present, else :func:`font_path` (then PDFs embed
        the font as Type 3, see :func:`pdf_fonts`).
    """
    return _first_existing(PDF_FONT_FILES) or font_path()


def wordcloud_font_path() -> str:
    """Font file path for the ``wordcloud`` package (it wants a string path).

    Returns
    -------
    str
        ``str(font_path())``; Pillow/FreeType read the OpenType file directly.
    """
    return str(font_path())


@lru_cache(maxsize=None)
def _font_name(path: str) -> str:
    return font_manager.FontProperties(fname=path).get_name()


def _register(path: Path) -> str:
    """Add a font file to matplotlib's font manager once; return its family name."""
    known = {Path(entry.fname).resolve() for entry in font_manager.fontManager.ttflist}
    if path.resolve() not in known:
        font_manager.fontManager.addfont(str(path))
    return _font_name(str(path))


def _is_truetype(path: Path) -> bool:
    return "glyf" in _load_font(str(path))[1]


#: The size formats (see the module notes). ``width``/``height``: the figure size a chart is
#: laid out at, in inches (``height=None``: from the content); ``rc``: type sizes that differ
#: from :data:`HOUSE_RC`; ``frame``: title, subtitle and source line sizes in points;
#: ``shown_width``: the width the figure is meant to be shown at (slide or text width).
SIZES = {
    "slide": {
        "width": 10.0,
        "height": 5.625,
        "shown_width": 13.333,
        "max_scale": 1.5,
        "rc": {},
        "frame": {"title": 17.0, "subtitle": 11.5, "source": 9.5},
    },
    "a4": {
        "width": 6.3,
        "height": None,
        "shown_width": 6.3,
        "min_height": 2.5,
        "max_height": 9.0,
        "rc": {
            "font.size": 9,
            "axes.titlesize": 10.5,
            "axes.labelsize": 9,
            "xtick.labelsize": 8.5,
            "ytick.labelsize": 8.5,
            "legend.fontsize": 8.5,
            "figure.titlesize": 12,
        },
        "frame": {"title": 12.5, "subtitle": 9.0, "source": 7.5},
    },
}

#: Width in CSS pixels at which the HTML briefing shows a figure (its column of text), and the
#: smallest text a figure may have there: a figure ``w`` inches wide shows a ``t``-point text at
#: ``t * BRIEFING_WIDTH_PX / (72 * w)`` pixels. Slide figures are 10 inches wide, so their
#: smallest text (value labels, 9 pt) comes out at 12 px (tests/test_chart_layout.py checks
#: every chart).
BRIEFING_WIDTH_PX = 960
MIN_TEXT_PX = 11.0

#: The format used until :func:`use_style` is given another one.
DEFAULT_SIZE = "slide"

_current_size = DEFAULT_SIZE


def _check_size(size: str | None) -> str:
    if size is None:
        return _current_size
    key = str(size).strip().lower().replace("-", "").replace(" ", "")
    key = {"169": "slide", "16:9": "slide", "slides": "slide", "ppt": "slide"}.get(key, key)
    if key not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)} (16:9 slides or A4 text width), "
                         f"got {size!r}")
    return key


def current_size() -> str:
    """The size format in effect (``"slide"`` or ``"a4"``), set by :func:`use_style`.

    Returns
    -------
    str
    """
    return _current_size


def use_style(*, size: str | None = None) -> None:
    """Register the CJK fonts and apply the house style to matplotlib's rcParams.

    Idempotent: fonts are registered once; rcParams are (re)applied on every call, so calling it
    again after ``plt.rcdefaults()`` restores the style. Sets ``font.family`` to
    :data:`FONT_FAMILY` (``sans-serif`` then DejaVu Sans for the glyphs the CJK font lacks) with
    the CJK font first in ``font.sans-serif``, ``axes.unicode_minus = False`` (the ASCII hyphen
    is in every font), the type sizes and ``figure.figsize`` of the size format, no top/right
    spines, a light grid behind the data, ``pdf.fonttype = 42``, ``svg.fonttype = 'path'`` and
    ``savefig.dpi = 300`` (see :data:`HOUSE_RC` and :data:`SIZES`).

    Parameters
    ----------
    size : {"slide", "a4"} or None, default None
        The size format (module notes): ``"slide"`` for 16:9 slides, ``"a4"`` for the text
        width of an A4 brief. ``None`` keeps the format in effect (initially ``"slide"``).

    Returns
    -------
    None
    """
    global _current_size
    key = _check_size(size)
    name = _register(font_path())
    _register(pdf_font_path())
    spec = SIZES[key]
    matplotlib.rcParams.update(HOUSE_RC)
    matplotlib.rcParams.update(spec["rc"])
    width = spec["width"]
    height = spec["height"] or round(width * 9 / 16, 3)
    matplotlib.rcParams["figure.figsize"] = (width, height)
    matplotlib.rcParams["font.family"] = list(FONT_FAMILY)
    matplotlib.rcParams["font.sans-serif"] = [name, FALLBACK_FAMILY]
    matplotlib.rcParams["axes.prop_cycle"] = matplotlib.cycler(color=list(PALETTE))
    _current_size = key


def fit_figsize(width: float, height: float, *, size: str | None = None) -> tuple[float, float]:
    """The figure size of the size format for a chart that asks for ``width`` x ``height``.

    * ``"slide"``: 10 in wide, whatever the width asked; 5.625 in high (16:9) when the chart
      asks for at most that, else the height asked, at most ``max_scale`` (1.5) times 5.625 in,
      so rows keep their room and the type keeps its size wherever the figure is shown.
    * ``"a4"``: 6.3 in wide; the height follows the asked height, shrunk with the width for
      charts asked wider than 6.3 in (by ``6.3 / width``, at least 0.78, the ratio of
      the A4 type to the slide type: rows of labels keep their room), between 2.5 and 9 in.

    Parameters
    ----------
    width, height : float
        Size in inches the chart would choose by itself (from its content).
    size : {"slide", "a4"} or None, default None
        The format; default the one in effect (:func:`current_size`).

    Returns
    -------
    (float, float)
        Width and height in inches.
    """
    spec = SIZES[_check_size(size)]
    width, height = float(width), float(height)
    if spec["height"] is not None:  # fixed width, 16:9 or taller
        k = min(max(1.0, height / spec["height"]), spec.get("max_scale", 1.0))
        return (spec["width"], round(spec["height"] * k, 3))
    w = spec["width"]
    shrink = max(min(1.0, w / width), 0.78) if width > 0 else 1.0
    h = min(max(height * shrink, spec["min_height"]), spec["max_height"])
    return (w, round(h, 3))


def figure_limits(*, size: str | None = None) -> tuple[float, float]:
    """Width and greatest height in inches of a figure in a size format.

    Charts that could draw more rows than fit (many groups, long lists) use it to decide how
    many they draw: a figure never grows past this, so rows beyond it would only shrink.

    Parameters
    ----------
    size : {"slide", "a4"} or None, default None
        The size format (:data:`SIZES`); default the one in effect (:func:`current_size`).

    Returns
    -------
    (float, float)
        ``(10.0, 8.438)`` for slides, ``(6.3, 9.0)`` for A4.
    """
    spec = SIZES[_check_size(size)]
    if spec["height"] is not None:
        return spec["width"], round(spec["height"] * spec.get("max_scale", 1.0), 3)
    return spec["width"], spec["max_height"]


def frame_sizes(*, size: str | None = None) -> dict:
    """Type sizes in points of a chart's title, subtitle and source line in a size format.

    Parameters
    ----------
    size : {"slide", "a4"} or None, default None
        The format; default the one in effect.

    Returns
    -------
    dict
        ``{"title": pt, "subtitle": pt, "source": pt}``.
    """
    return dict(SIZES[_check_size(size)]["frame"])


def ensure_style() -> None:
    """Apply :func:`use_style` unless it is in effect (the CJK font leads ``font.sans-serif``).

    Chart and export functions call this, so tweaks a user makes to rcParams after
    ``use_style()`` survive, while a fresh or reset session still gets Chinese fonts (in the
    size format last chosen).

    Returns
    -------
    None
    """
    rc = matplotlib.rcParams
    wanted = _font_name(str(font_path()))
    if (list(rc["font.family"]) != FONT_FAMILY or not rc["font.sans-serif"]
            or rc["font.sans-serif"][0] != wanted):
        use_style()


def pdf_rc() -> dict:
    """rcParams that :func:`pdf_fonts` applies while a PDF is written.

    Returns
    -------
    dict
        ``font.sans-serif`` led by the TrueType font of :func:`pdf_font_path` and
        ``pdf.fonttype = 42``; or, when only a CFF font exists, ``pdf.fonttype = 3``.
        ``font.family`` is left as it is (:data:`FONT_FAMILY`): its fallback serves PDFs too.
    """
    ensure_style()
    path = pdf_font_path()
    if _is_truetype(path):
        return {"font.sans-serif": [_register(path), FALLBACK_FAMILY],
                "pdf.fonttype": 42}
    return {"pdf.fonttype": 3}


@contextlib.contextmanager
def pdf_fonts() -> Iterator[None]:
    """Context in which figures are drawn with the PDF-safe font (see the module notes).

    Text is laid out again when a figure is saved, so a figure built with the screen font can
    be written as PDF inside this context. :func:`tifa.report.export.save_figure` uses it.

    Yields
    ------
    None
    """
    with matplotlib.rc_context(pdf_rc()):
        yield


# ---------------------------------------------------------------------------- glyph coverage

@lru_cache(maxsize=16)
def _load_font(path: str) -> tuple[frozenset[int], frozenset[str]]:
    """(code points in the font's cmap, table tags) of a font file, read with fontTools."""
    from fontTools.ttLib import TTFont

    number = 0 if path.lower().endswith((".ttc", ".otc")) else -1
    with TTFont(path, lazy=True, fontNumber=number) as font:
        cmap = font.getBestCmap() or {}
        return frozenset(cmap), frozenset(font.keys())


def _font_chain(prop: font_manager.FontProperties) -> list[str]:
    """Font files matplotlib uses for a text, in fallback order.

    As matplotlib's own lookup (``FontManager._find_fonts_by_props``): one file per family of
    the text's family list, a generic family (``sans-serif`` …) standing for the first of its
    rcParams list that exists; families that resolve to no file are skipped.
    """
    files: list[str] = []
    for family in prop.get_family():
        candidate = prop.copy()
        candidate.set_family(family)
        try:
            path = font_manager.findfont(candidate, fallback_to_default=False)
        except ValueError:
            continue
        if path not in files:
            files.append(path)
    if not files:  # matplotlib would fall back to its default font
        files.append(font_manager.findfont(prop))
    return files


def missing_glyphs(fig, *, pdf: bool = True) -> set[str]:
    """Characters drawn in a figure that none of its fonts can show (they would be boxes).

    The figure is laid out (without rendering) so that tick labels exist; then every visible
    text artist — titles, subtitles, axis and tick labels, legend entries, annotations, free
    texts — is checked against the cmap (read with fontTools) of each font file matplotlib
    uses for that text under the current rcParams, fallbacks included (:func:`_font_chain`),
    and, with ``pdf``, once more under the PDF fonts of :func:`pdf_fonts`. Whitespace is
    ignored. Words drawn by the ``wordcloud`` package are pixels, not texts, and are not
    checked.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to check.
    pdf : bool, default True
        Also check the fonts a PDF of the figure is written with (SimHei lacks characters that
        Noto has, such as "²").

    Returns
    -------
    set of str
        Missing characters; empty when the figure renders completely in every format.
    """
    from matplotlib.text import Text

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        fig.draw_without_rendering()
    texts = [(t.get_text(), t.get_fontproperties()) for t in fig.findobj(Text)
             if t.get_text() and t.get_visible()]
    contexts = [{}] + ([pdf_rc()] if pdf else [])
    missing: set[str] = set()
    for rc in contexts:
        with matplotlib.rc_context(rc):
            for s, prop in texts:
                covered: set[int] = set()
                for path in _font_chain(prop):
                    covered |= _load_font(path)[0]
                missing.update(ch for ch in s if not ch.isspace() and ord(ch) not in covered)
    return missing


# ---------------------------------------------------------------------------- source line

def _run_date(date) -> str:
    if date is True:
        return _dt.date.today().isoformat()
    if isinstance(date, (_dt.datetime, _dt.date)):
        return date.strftime("%Y-%m-%d")
    return str(date)


def source_line(documents, *, prefix: str = "来源：", max_names: int = 3,
                filters: str | None = None, date=True) -> str:
    """The source line printed under a chart: whose reports, how many, which years, which
    filters, and the date of the run.

    Names are the ``agency`` of each document (its ``region`` when the agency is missing), in
    table order without repeats; more than ``max_names`` are shortened to "A、B 等 N 个机构".

    Parameters
    ----------
    documents : pandas.DataFrame
        The documents table (uses ``agency``, ``region`` and ``year`` when present).
    prefix : str, default "来源："
        Text before the description.
    max_names : int, default 3
        Most names written out.
    filters : str, optional
        What was filtered (e.g. :func:`tifa.analyze.frequency.filter_note`), added after the
        documents. Default none.
    date : bool, str or datetime.date, default True
        ``True`` adds today's date as the date of the run (``"2024-05-01 生成"``); a string or
        date is written as given; ``False``/``None`` leaves the date out (e.g. for figures that
        must be byte-identical across days).

    Returns
    -------
    str
        E.g. ``"来源：聊城市人民政府外事办公室、厦门市人民政府外事办公室的 2 份报告（2022—2023 年）；
        2024-05-01 生成"``.
    """
    import pandas as pd

    n = len(documents)
    names = pd.Series([pd.NA] * n, index=documents.index, dtype="object")
    for column in ("region", "agency"):  # agency wins over region
        if column in documents.columns:
            names = documents[column].astype("object").where(documents[column].notna(), names)
    unique = [str(x) for x in dict.fromkeys(names.dropna().tolist()) if str(x).strip()]
    if not unique:
        who = ""
    elif len(unique) <= max_names:
        who = "、".join(unique) + "的 "
    else:
        who = "、".join(unique[: max(1, max_names - 1)]) + f" 等 {len(unique)} 个机构的 "
    years = ""
    if "year" in documents.columns:
        ys = pd.to_numeric(documents["year"], errors="coerce").dropna()
        if len(ys):
            lo, hi = int(ys.min()), int(ys.max())
            years = f"（{lo} 年）" if lo == hi else f"（{lo}—{hi} 年）"
    line = f"{prefix}{who}{n} 份报告{years}"
    if filters:
        line += f"；{filters}"
    if date not in (None, False):
        line += f"；{_run_date(date)} 生成"
    return line


# ---------------------------------------------------------------------------- colours

def _sort_key(value: Hashable) -> tuple:
    try:
        number = float(value)  # years and numeric ids sort numerically
    except (TypeError, ValueError):
        return (1, str(value))
    return (0, number, str(value)) if not math.isnan(number) else (2, str(value))


def group_colors(groups: Iterable[Hashable]) -> dict:
    """A fixed colour per group, the same in every chart of a run.

    The distinct groups are sorted (numbers numerically, then strings) and mapped in that order
    onto :data:`PALETTE`; so the colour of a group does not depend on the order in which the
    groups are passed, only on which groups there are. With more groups than the palette has
    colours, evenly spaced colours of the ``turbo`` colormap are used instead (still sorted).

    Parameters
    ----------
    groups : iterable of hashable
        Group values (e.g. a column); duplicates are fine.

    Returns
    -------
    dict
        ``{group: "#rrggbb"}`` keyed by the group values as given.
    """
    unique = sorted(set(groups), key=_sort_key)
    if len(unique) <= len(PALETTE):
        colors = list(PALETTE[: len(unique)])
    else:
        cmap = matplotlib.colormaps["turbo"]
        colors = [to_hex(cmap(0.05 + 0.9 * i / (len(unique) - 1))) for i in range(len(unique))]
    return dict(zip(unique, colors))
