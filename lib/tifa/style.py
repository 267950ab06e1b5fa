"""CJK fonts and the house style: Chinese text everywhere, on any machine.

tifa never relies on a system font. The Chinese fonts come from the pip-installed ``mplfonts``
package (a declared dependency), which ships Noto Sans CJK SC and SimHei in its ``fonts/``
folder. :func:`use_style` registers them with matplotlib and sets the house look; chart functions in
:mod:`tifa.charts` and :func:`tifa.export.save_figure` call :func:`ensure_style`, so notebooks
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

DejaVu Sans (bundled with matplotlib itself) follows the CJK font in the fallback list, for the
odd symbol a CJK font lacks.
"""

from __future__ import annotations

import contextlib
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
    "savefig.dpi": 200,
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


def use_style() -> None:
    """Register the CJK fonts and apply the house style to matplotlib's rcParams.

    Idempotent: fonts are registered once; rcParams are (re)applied on every call, so calling it
    again after ``plt.rcdefaults()`` restores the style. Sets ``font.family = sans-serif`` with
    the CJK font first in ``font.sans-serif``, ``axes.unicode_minus = False`` (the ASCII hyphen
    is in every font), slide-sized type, no top/right spines, a light grid behind the data,
    ``pdf.fonttype = 42``, ``svg.fonttype = 'path'`` and ``savefig.dpi = 200`` (see
    :data:`HOUSE_RC`).

    Returns
    -------
    None
    """
    name = _register(font_path())
    pdf_name = _register(pdf_font_path())
    families = [name] + ([pdf_name] if pdf_name != name else []) + [FALLBACK_FAMILY]
    matplotlib.rcParams.update(HOUSE_RC)
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = families
    matplotlib.rcParams["axes.prop_cycle"] = matplotlib.cycler(color=list(PALETTE))


def ensure_style() -> None:
    """Apply :func:`use_style` unless it is in effect (the CJK font leads ``font.sans-serif``).

    Chart and export functions call this, so tweaks a user makes to rcParams after
    ``use_style()`` survive, while a fresh or reset session still gets Chinese fonts.

    Returns
    -------
    None
    """
    rc = matplotlib.rcParams
    wanted = _font_name(str(font_path()))
    if (rc["font.family"] != ["sans-serif"] or not rc["font.sans-serif"]
            or rc["font.sans-serif"][0] != wanted):
        use_style()


def pdf_rc() -> dict:
    """rcParams that :func:`pdf_fonts` applies while a PDF is written.

    Returns
    -------
    dict
        ``font.sans-serif`` led by the TrueType font of :func:`pdf_font_path` and
        ``pdf.fonttype = 42``; or, when only a CFF font exists, ``pdf.fonttype = 3``.
    """
    ensure_style()
    path = pdf_font_path()
    if _is_truetype(path):
        return {"font.family": "sans-serif",
                "font.sans-serif": [_register(path), FALLBACK_FAMILY],
                "pdf.fonttype": 42}
    return {"pdf.fonttype": 3}


@contextlib.contextmanager
def pdf_fonts() -> Iterator[None]:
    """Context in which figures are drawn with the PDF-safe font (see the module notes).

    Text is laid out again when a figure is saved, so a figure built with the screen font can
    be written as PDF inside this context. :func:`tifa.export.save_figure` uses it.

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
    """Font files matplotlib may use for a text, in fallback order (generic families expanded)."""
    rc = matplotlib.rcParams
    generic = {"serif", "sans-serif", "cursive", "fantasy", "monospace"}
    names: list[str] = []
    for family in prop.get_family():
        if family.lower() in generic:
            names.extend(rc[f"font.{family.lower()}"])
        else:
            names.append(family)
    files: list[str] = []
    for name in names:
        candidate = prop.copy()
        candidate.set_family(name)
        try:
            path = font_manager.findfont(candidate, fallback_to_default=False)
        except ValueError:
            continue
        if path not in files:
            files.append(path)
    if not files:  # matplotlib would fall back to its default font
        files.append(font_manager.findfont(prop))
    return files


def missing_glyphs(fig) -> set[str]:
    """Characters drawn in a figure that none of its fonts can show (they would be boxes).

    The figure is laid out (without rendering) so that tick labels exist; then every visible
    text artist — titles, subtitles, axis and tick labels, legend entries, annotations, free
    texts — is checked against the cmap (read with fontTools) of each font file matplotlib
    resolves for that text's font properties under the current rcParams, fallbacks included.
    Whitespace is ignored. Words drawn by the ``wordcloud`` package are pixels, not texts, and
    are not checked.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to check.

    Returns
    -------
    set of str
        Missing characters; empty when the figure renders completely.
    """
    from matplotlib.text import Text

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        fig.draw_without_rendering()
    missing: set[str] = set()
    for text in fig.findobj(Text):
        s = text.get_text()
        if not s or not text.get_visible():
            continue
        covered: set[int] = set()
        for path in _font_chain(text.get_fontproperties()):
            covered |= _load_font(path)[0]
        missing.update(ch for ch in s if not ch.isspace() and ord(ch) not in covered)
    return missing


# ---------------------------------------------------------------------------- source line

def source_line(documents, *, prefix: str = "来源：", max_names: int = 3) -> str:
    """The source line printed under a chart: whose reports, how many, which years.

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

    Returns
    -------
    str
        E.g. ``"来源：聊城市人民政府外事办公室、厦门市人民政府外事办公室的 2 份报告（2022—2023 年）"``.
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
    return f"{prefix}{who}{n} 份报告{years}"


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
