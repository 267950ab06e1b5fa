"""Figures drawn from tables: tables in, a matplotlib Figure out.

Chart functions compute no statistics: the table already holds the numbers (counts, rates,
scores) and a chart only selects rows to show (the first ``top_n`` by value, the first
``max_panels`` groups) and draws them. Every figure has a title, an optional subtitle (what was
counted, which filters) and an optional source line at the bottom, uses the house style of
:mod:`tifa.draw.style` (Chinese fonts that never depend on the machine) and a constrained layout so
labels do not overlap; long Chinese labels are truncated (``…``) or wrapped.

Figures are built with :class:`matplotlib.figure.Figure` directly, outside pyplot: nothing is
shown or kept alive behind the caller's back (no "too many figures" with 5,000 groups). In a
notebook, end a cell with the figure (or ``display(fig)``) to see it — figures are
:class:`ChartFigure`, a Figure with a PNG representation for Jupyter; save them with
:func:`tifa.report.export.save_figure`.

The building blocks the chart modules of the notebooks (``keyword_charts``, ``theme_charts``,
``slogan_charts``) share are public here. Every chart begins with :func:`start_figure` (the
figure sized for its body plus the frame, framed, or saying there is nothing to draw), which
is made of :func:`new_figure`, :func:`header_inches`, :func:`frame_figure` and
:func:`draw_empty`; labels and notes use :func:`require_columns`, :func:`truncate_label`,
:func:`wrap_label`, :func:`format_number`, :func:`number_formatter` and :func:`join_notes`.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Callable, Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tifa.draw import style

#: Axis labels for well-known value columns (others are shown under their column name).
VALUE_LABELS = {
    "count": "出现次数",
    "per_10k": "每万词出现次数",
    "n_chars": "字数",
    "n_tokens": "词数",
    "n_docs": "文档数",
    "tfidf": "TF-IDF",
    "g2": "对数似然比 G2",
    "log_ratio": "对数比",
    "share": "占比",
}

#: Shown instead of a chart when the table has no rows to draw.
EMPTY_MESSAGE = "没有可显示的数据"

_EDGE_IN = 0.15  # inches of padding at the figure edges


# ---------------------------------------------------------------------------- text helpers

#: Most rounds adjustText may take to move labels apart (the rate scatter, the network): a
#: count, not seconds, so a chart does not depend on how busy the machine is.
LABEL_ROUNDS = 100


def _label_point_overlaps(coords, extra_coords):
    """adjustText 1.x's ``get_shifts_extra`` (how far each label must move off the points it
    covers), with the pairs that overlap both in x and in y found by a keyed ``np.isin``
    instead of comparing every x-pair with every y-pair: the same pairs in the same order, so
    the same shifts, without the quadratic array (4.7 of 10 s of the rate scatter at 500
    reports: 20 labels over 714 points, 52 rounds)."""
    from adjustText.arrops import overlap_intervals

    n = coords.shape[0]
    xo = np.asarray(overlap_intervals(coords[:, 0], coords[:, 1],
                                      extra_coords[:, 0], extra_coords[:, 1]))
    yo = np.asarray(overlap_intervals(coords[:, 2], coords[:, 3],
                                      extra_coords[:, 2], extra_coords[:, 3]))
    if xo.size == 0 or yo.size == 0:
        return np.zeros(n), np.zeros(n)
    m = max(int(extra_coords.shape[0]), 1)
    overlaps = yo[np.isin(yo[:, 0] * m + yo[:, 1], xo[:, 0] * m + xo[:, 1])]
    if len(overlaps) == 0:
        return np.zeros(n), np.zeros(n)
    diff_x = coords[overlaps[:, 0], :2] - extra_coords[overlaps[:, 1], -3::-1]
    diff_y = coords[overlaps[:, 0], 2:] - extra_coords[overlaps[:, 1], -1:-3:-1]
    xshifts = np.where(np.abs(diff_x[:, 0]) < np.abs(diff_x[:, 1]), diff_x[:, 0], diff_x[:, 1])
    yshifts = np.where(np.abs(diff_y[:, 0]) < np.abs(diff_y[:, 1]), diff_y[:, 0], diff_y[:, 1])
    return (np.bincount(overlaps[:, 0], xshifts, minlength=n),
            np.bincount(overlaps[:, 0], yshifts, minlength=n))


def adjust_labels(texts, **kwargs):
    """``adjustText.adjust_text`` for tifa's charts (the rate scatter, the network), at most
    :data:`LABEL_ROUNDS` rounds unless ``iter_lim`` is given, with its label–point overlap
    search replaced by :func:`_label_point_overlaps` (same result, faster) when the installed
    adjustText has the function it replaces."""
    import adjustText

    if getattr(adjustText, "get_shifts_extra", None) is not None:
        adjustText.get_shifts_extra = _label_point_overlaps
    kwargs.setdefault("iter_lim", LABEL_ROUNDS)
    return adjustText.adjust_text(texts, **kwargs)


def _char_units(ch: str) -> int:
    """Display width in half-em units: CJK and full-width characters count 2."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _text_units(s: str) -> int:
    return sum(_char_units(ch) for ch in s)


def _plain(s: object) -> str:
    """Text for a label: NA shown as '（缺失）', '$' escaped so it is never read as math."""
    if s is None or (not isinstance(s, str) and pd.isna(s)):
        return "（缺失）"
    return str(s).replace("$", r"\$")


def truncate_label(s: object, max_units: int) -> str:
    """Shorten a label to ``max_units`` half-em units, ending in '…' when cut."""
    s = _plain(s)
    if _text_units(s) <= max_units:
        return s
    out, used = [], 1  # room for the ellipsis
    for ch in s:
        w = _char_units(ch)
        if used + w > max_units:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def shorten_group(s: object, max_units: int) -> str:
    """Shorten a group's name to ``max_units`` half-em units keeping its head and its tail.

    Group names tell apart at both ends (``厦门市人民政府办公厅2025年度`` and ``…2026年度``),
    so a name too long loses its middle: ``厦门市人民政府…2026年度``. Names that fit are kept.
    """
    s = _plain(s)
    if _text_units(s) <= max_units:
        return s
    tail_units = max(0, min(max_units // 3, 10))
    tail, used = "", 0
    for ch in reversed(s):
        if used + _char_units(ch) > tail_units:
            break
        tail = ch + tail
        used += _char_units(ch)
    head = truncate_label(s[: len(s) - len(tail)], max_units - used)
    return head + tail if head.endswith("…") else head[:-1] + "…" + tail


def wrap_label(s: object, max_units: int, *, max_lines: int | None = None) -> str:
    """Wrap text to lines of at most ``max_units`` half-em units (CJK-aware).

    Latin words are kept whole where possible; CJK text breaks between any two characters.
    With ``max_lines``, the last kept line is truncated with '…'.
    """
    s = _plain(s)
    lines: list[str] = []
    for para in s.split("\n"):
        line, used = "", 0
        for token in _tokens_for_wrap(para):
            w = _text_units(token)
            if used + w > max_units and line:
                lines.append(line.rstrip())
                line, used = token.lstrip(), _text_units(token.lstrip())
            else:
                line += token
                used += w
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = truncate_label(lines[-1] + "…", max_units)
    return "\n".join(lines)


def _tokens_for_wrap(s: str) -> list[str]:
    """Split into breakable pieces: single wide characters, or runs of narrow ones (words)."""
    pieces: list[str] = []
    buf = ""
    for ch in s:
        if _char_units(ch) == 2:
            if buf:
                pieces.append(buf)
                buf = ""
            pieces.append(ch)
        elif ch == " ":
            buf += ch
            pieces.append(buf)
            buf = ""
        else:
            buf += ch
    if buf:
        pieces.append(buf)
    return pieces


def format_number(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    v = float(v)
    if v.is_integer():
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def number_formatter(values) -> "Callable[[float], str]":
    """One format for a set of numbers shown together (a heatmap's cells): no decimals when
    all are whole, else one decimal when the largest is 10 or more, else two."""
    finite = [float(v) for v in np.ravel(values) if v is not None and np.isfinite(v)]
    if all(v.is_integer() for v in finite):
        digits = 0
    else:
        digits = 1 if max(abs(v) for v in finite) >= 10 else 2
    return lambda v: "" if v is None or not np.isfinite(v) else f"{float(v):.{digits}f}"


def _integer_ticks(axis, values) -> None:
    """Whole-number ticks on a value axis when every value is a whole number (counts)."""
    from matplotlib.ticker import MaxNLocator

    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    if len(vals) and np.all(vals == np.round(vals)):
        axis.set_major_locator(MaxNLocator(integer=True))


def _value_ticks(axis, values, *, nbins: int = 4) -> None:
    """At most ``nbins`` + 1 ticks on a value axis, whole numbers when every value is one, so
    that tick labels of narrow panels never run into each other."""
    from matplotlib.ticker import MaxNLocator

    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    whole = bool(len(vals)) and bool(np.all(vals == np.round(vals)))
    axis.set_major_locator(MaxNLocator(nbins=nbins, integer=whole, min_n_ticks=2))


def _value_label(value: str, value_label: str | None) -> str:
    return value_label if value_label is not None else VALUE_LABELS.get(value, value)


def require_columns(table: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{what} needs a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(
            f"{what}: column(s) {missing} not in the table; it has {list(table.columns)}"
        )


# ---------------------------------------------------------------------------- figure frame

class ChartFigure(Figure):
    """A matplotlib Figure that Jupyter shows as a PNG when it is a cell's result.

    tifa builds figures outside pyplot, so Jupyter's inline backend may not know them; this
    subclass adds ``_repr_png_`` (drawn at ``figure.dpi`` x 1.5 with a tight box). Everything
    else is a plain :class:`matplotlib.figure.Figure`.
    """

    #: Resolution of the picture a notebook shows, as a multiple of ``figure.dpi``.
    DISPLAY_SCALE = 1.5

    def _repr_png_(self) -> bytes:
        import io

        shown = self._saved_png_for_display()
        if shown is not None:
            return shown
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=self.dpi * self.DISPLAY_SCALE, bbox_inches="tight")
        return buf.getvalue()

    def keep_saved_png(self, data: bytes, dpi: float) -> None:
        """Remember the PNG just written by :func:`tifa.report.export.save_figure`, so that
        showing the figure right after saving scales that picture down instead of drawing the
        figure once more (the second drawing cost 0.3–1 s per figure cell). Any change to
        the figure after saving marks it stale and the figure is drawn again."""
        self._tifa_saved_png = (data, float(dpi))
        self.stale = False  # savefig leaves it set; from here on, only a change sets it

    def _saved_png_for_display(self) -> bytes | None:
        import io

        saved = getattr(self, "_tifa_saved_png", None)
        if saved is None or self.stale:
            return None
        data, dpi = saved
        try:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as im:
                k = self.dpi * self.DISPLAY_SCALE / dpi
                if k < 1:
                    im = im.resize((max(1, round(im.width * k)), max(1, round(im.height * k))),
                                   Image.LANCZOS)
                buf = io.BytesIO()
                im.save(buf, format="png", compress_level=1)
        except Exception:  # noqa: BLE001 - a picture we cannot read is drawn again
            return None
        return buf.getvalue()

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_tifa_saved_png", None)  # a figure job needs the figure, not its picture
        return state


def new_figure(width: float, height: float) -> Figure:
    style.ensure_style()
    width, height = style.fit_figsize(width, height)  # the size format: 16:9 slide or A4 width
    return ChartFigure(figsize=(width, height), layout="constrained")


def frame_figure(fig: Figure, *, title: str | None, subtitle: str | None = None,
           source: str | None = None) -> Figure:
    """Put title, subtitle and source line on a figure and keep the axes clear of them.

    The title and subtitle sit top left, the source line bottom left, all in figure text;
    the constrained layout is confined to the space between them (its ``rect``), so nothing
    overlaps whatever the number of wrapped lines.
    """
    fs = style.frame_sizes()
    width, height = fig.get_size_inches()
    usable_pt = (width - 2 * _EDGE_IN) * 72
    top = _EDGE_IN
    x = _EDGE_IN / width
    if title:
        text = wrap_label(title, int(usable_pt / (fs["title"] * 0.5)))
        fig.text(x, 1 - top / height, text, ha="left", va="top", fontsize=fs["title"],
                 color="#111111")
        top += text.count("\n") * fs["title"] * 1.3 / 72 + fs["title"] * 1.25 / 72 + 0.06
    if subtitle:
        text = wrap_label(subtitle, int(usable_pt / (fs["subtitle"] * 0.5)))
        fig.text(x, 1 - top / height, text, ha="left", va="top", fontsize=fs["subtitle"],
                 color=style.MUTED, linespacing=1.3)
        top += (text.count("\n") + 1) * fs["subtitle"] * 1.35 / 72 + 0.04
    bottom = 0.0
    if source:
        text = wrap_label(source, int(usable_pt / (fs["source"] * 0.5)))
        fig.text(x, _EDGE_IN * 0.5 / height, text, ha="left", va="bottom", fontsize=fs["source"],
                 color=style.MUTED, linespacing=1.3)
        bottom = _EDGE_IN * 0.5 + (text.count("\n") + 1) * fs["source"] * 1.35 / 72 + 0.08
    header = (top + 0.08) if (title or subtitle) else 0.0
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, bottom / height, 1, 1 - (header + bottom) / height))
    return fig


def header_inches(title, subtitle, source, width: float) -> float:
    """Approximate height the frame takes, to size figures before drawing."""
    fs = style.frame_sizes()
    usable_pt = (width - 2 * _EDGE_IN) * 72
    h = 0.0
    for text, key, spacing in ((title, "title", 1.3), (subtitle, "subtitle", 1.35),
                               (source, "source", 1.35)):
        if text:
            lines = wrap_label(text, int(usable_pt / (fs[key] * 0.5))).count("\n") + 1
            h += lines * fs[key] * spacing / 72
    return h + 0.4


def draw_empty(fig: Figure, message: str = EMPTY_MESSAGE) -> None:
    """Write ``message`` in the middle of the figure, in place of a chart.

    The figure keeps the message as ``fig.tifa_empty``: the figure record says so, and the
    briefing lists the figure by its title and this message instead of showing a blank chart.
    """
    fig.tifa_empty = message
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=14, color=style.MUTED,
            transform=ax.transAxes)


def start_figure(*, width: float, body_height: float, title: str | None = None,
                 subtitle: str | None = None, source: str | None = None,
                 figsize: tuple[float, float] | None = None, min_height: float = 0.0,
                 header_width: float | None = None, empty: bool | str = False) -> Figure:
    """The first step of every chart: a figure sized for its body, framed, maybe empty.

    The height is ``body_height`` plus what the title, subtitle and source line take
    (:func:`header_inches`), at least ``min_height``; the frame is drawn by
    :func:`frame_figure`; with ``empty`` the figure says there is nothing to draw
    (:func:`draw_empty`) and the caller returns it as it is.

    Parameters
    ----------
    width : float
        Figure width in inches.
    body_height : float
        Inches the chart itself needs, below the title and above the source line.
    title, subtitle, source : str, optional
        The frame's texts. Default none.
    figsize : (float, float), optional
        The caller's size in inches, used as given (``width``, ``body_height``,
        ``min_height`` and ``header_width`` are then ignored). Default computed.
    min_height : float, default 0.0
        Smallest total height in inches.
    header_width : float, optional
        Width at which the frame's texts are wrapped to size the header; default ``width``.
    empty : bool or str, default False
        Nothing to draw: ``True`` writes :data:`EMPTY_MESSAGE`, a string writes itself.

    Returns
    -------
    ChartFigure
    """
    if figsize is None:
        header = header_inches(title, subtitle, source, width if header_width is None
                               else header_width)
        figsize = (width, max(min_height, body_height + header))
    fig = new_figure(*figsize)
    frame_figure(fig, title=title, subtitle=subtitle, source=source)
    if empty:
        draw_empty(fig, empty if isinstance(empty, str) else EMPTY_MESSAGE)
    return fig


def join_notes(*parts: str | None) -> str | None:
    """The notes given (``None`` and empty ones left out) joined by ``；``, or None."""
    parts = [p for p in parts if p]
    return "；".join(parts) if parts else None


#: Height of one row of labels, in line heights of its type (Noto CJK's line box is 1.45 em):
#: rows closer than this make their labels touch.
ROW_EM = 1.5


def row_inches(fontsize: float) -> float:
    """Inches one row of labels needs at ``fontsize`` points (:data:`ROW_EM` lines)."""
    return float(fontsize) * ROW_EM / 72


def tick_size(axis: str = "y") -> float:
    """The tick label size in points of the style in effect (``"x"`` or ``"y"``)."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    size = matplotlib.rcParams[f"{axis}tick.labelsize"]
    return float(FontProperties(size=size).get_size_in_points())


def label_inches(labels, fontsize: float) -> float:
    """Width in inches of the widest of ``labels`` at ``fontsize`` (CJK characters 1 em)."""
    units = max((_text_units(line) for s in labels for line in _plain(s).split("\n")),
                default=0)
    return units * fontsize / 2 / 72


def legend_columns(labels, *, fontsize: float, width: float | None = None,
                   max_cols: int = 6) -> int:
    """How many columns a legend of ``labels`` can have on one figure width without running
    past it (each entry: its handle, the label at ``fontsize``, the spacing).

    Parameters
    ----------
    labels : sequence of str
        The legend's labels, as drawn.
    fontsize : float
        Their size in points.
    width : float, optional
        Inches available; default the figure width of the size format less the margins.
    max_cols : int, default 6
        Most columns.

    Returns
    -------
    int
    """
    labels = list(labels)
    width = (style.figure_limits()[0] - 0.4) if width is None else width
    entry = label_inches(labels, fontsize) + fontsize * 3.4 / 72
    return max(1, min(max_cols, len(labels) or 1, int(width // entry)))


def legend_at_bottom(fig: Figure, handles: list, *, ncols: int | None = None,
                     fontsize: float | None = None):
    """A legend across the foot of the figure, above the source line, left-aligned.

    The layout of the charts is made narrower by nothing and shorter by the legend's height:
    a legend tied to one panel would widen that panel's column to its own width.

    Parameters
    ----------
    fig : Figure
        A figure framed by :func:`frame_figure` (its layout keeps clear of the frame).
    handles : list of artists
        The legend entries (with labels).
    ncols : int, optional
        Columns; default as many as fit the width (:func:`legend_columns`).
    fontsize : float, optional
        Type size in points; default the style's legend size.

    Returns
    -------
    matplotlib.legend.Legend
    """
    import matplotlib
    from matplotlib.font_manager import FontProperties

    size = float(FontProperties(size=fontsize or matplotlib.rcParams["legend.fontsize"])
                 .get_size_in_points())
    width, height = fig.get_size_inches()
    if ncols is None:
        ncols = legend_columns([h.get_label() for h in handles], fontsize=size,
                               width=width - 2 * _EDGE_IN)
    rows = math.ceil(len(handles) / max(1, ncols))
    engine = fig.get_layout_engine()
    rect = tuple(engine.get().get("rect", (0, 0, 1, 1))) if engine is not None else (0, 0, 1, 1)
    need = (rows * row_inches(size) + 0.1) / height
    legend = fig.legend(handles=handles, loc="lower left", ncols=ncols, frameon=False,
                        fontsize=size, borderaxespad=0.0, handlelength=1.6, columnspacing=1.6,
                        bbox_to_anchor=(_EDGE_IN / width, rect[1]))
    legend.set_in_layout(False)
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(rect[0], rect[1] + need, rect[2], rect[3] - need))
    return legend


def legend_rows_inches(handles_or_labels, *, fontsize: float | None = None) -> float:
    """Inches :func:`legend_at_bottom` takes for these entries (to size a figure first)."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    labels = [getattr(h, "get_label", lambda h=h: str(h))() for h in handles_or_labels]
    size = float(FontProperties(size=fontsize or matplotlib.rcParams["legend.fontsize"])
                 .get_size_in_points())
    ncols = legend_columns(labels, fontsize=size, width=style.figure_limits()[0] - 2 * _EDGE_IN)
    return math.ceil(len(labels) / ncols) * row_inches(size) + 0.1


def fit_column_labels(fig: Figure, ax, labels, *, max_lines: int = 3,
                      min_units: int = 4) -> None:
    """Write category labels under (or over) columns horizontally, wrapped to the width each
    column has once the figure is laid out, so that neighbours never run into each other.

    Chinese turned on its side is hard to read, so labels stay upright: each is wrapped at
    the width of its column (at least ``min_units`` half-em units, i.e. two characters) on up
    to ``max_lines`` lines, the last cut with '…'.

    Parameters
    ----------
    fig : Figure
        The figure (laid out once here, to measure the columns).
    ax : Axes
        The axes whose x ticks are the columns (set them first, one per label).
    labels : sequence of str
        The labels, in column order.
    max_lines : int, default 3
        Most lines per label.
    min_units : int, default 4
        Narrowest line in half-em units.

    Returns
    -------
    None
    """
    labels = list(labels)
    if not labels:
        return
    size = tick_size("x")
    fig.draw_without_rendering()
    width_pt = ax.get_window_extent().width * 72 / fig.dpi / len(labels)
    units = max(min_units, int(width_pt * 0.9 / (size / 2)))
    ax.set_xticks(ax.get_xticks(), labels=[wrap_label(lbl, units, max_lines=max_lines)
                                           for lbl in labels])


def keep_first(items, n: int, subtitle: str | None, *, noun: str = "组",
               hint: str | None = None):
    """The first ``n`` of ``items``, and the subtitle saying so when some were left out.

    Parameters
    ----------
    items : list or DataFrame
        What a chart would draw (groups, themes …; the rows of a table).
    n : int
        Most items drawn.
    subtitle : str or None
        The chart's subtitle.
    noun : str, default "组"
        What the items are, with its measure word: ``"组"``, ``"项"``, ``"个主题"``.
    hint : str, optional
        A further note when items were left out (``"组多时请看热力图"``).

    Returns
    -------
    (list or DataFrame, str or None)
        The items kept and the subtitle, with ``仅显示前 n 组（共 m 组）`` added when
        ``items`` had more than ``n``.
    """
    if len(items) <= n:
        return items, subtitle
    note = f"仅显示前 {n} {noun}（共 {len(items)} {noun}）"
    kept = items.head(n) if isinstance(items, pd.DataFrame) else items[:n]
    return kept, join_notes(subtitle, note, hint)


# ---------------------------------------------------------------------------- charts

def bar_top_terms(freq: pd.DataFrame, *, term: str = "term", value: str = "count",
                  group: str | None = "group", top_n: int = 15, title: str = "高频词",
                  subtitle: str | None = None, source: str | None = None,
                  ncols: int | None = None, max_panels: int = 12, sharex: bool = True,
                  colors: Mapping | None = None, value_label: str | None = None,
                  label_chars: int = 10, show_values: bool = True,
                  figsize: tuple[float, float] | None = None) -> Figure:
    """Top terms per group as small multiples of horizontal bars, largest at the top.

    One panel per group, in the order in which the groups first appear in the table. Within a
    panel the rows are ordered by ``value`` (ties keep table order) and the first ``top_n`` are
    drawn. With more than ``max_panels`` groups only the first ``max_panels`` are drawn and the
    subtitle says so.

    Parameters
    ----------
    freq : pandas.DataFrame
        One row per (group, term) with the number to draw, e.g. ``tables/keywords.csv``.
    term : str, default "term"
        Column with the terms (bar labels).
    value : str, default "count"
        Column with the numbers (bar lengths), e.g. ``"count"`` or ``"per_10k"``.
    group : str or None, default "group"
        Column with the group of each row; ``None`` draws a single panel of the whole table.
    top_n : int, default 15
        Bars per panel.
    title : str, default "高频词"
        Figure title.
    subtitle : str, optional
        Line under the title: what was counted, which filters. Default none.
    source : str, optional
        Source line at the bottom. Default none.
    ncols : int, optional
        Panels per row; default chooses 1–4 from the number of panels.
    max_panels : int, default 12
        Most panels drawn.
    sharex : bool, default True
        One value axis for all panels (comparable bar lengths); ``False`` scales each panel.
    colors : mapping, optional
        ``{group: colour}``; default :func:`tifa.draw.style.group_colors` of all groups in the table.
        Pass one mapping to every chart of a run to keep colours consistent.
    value_label : str, optional
        Value axis label; default a Chinese name for known columns (:data:`VALUE_LABELS`),
        else the column name.
    label_chars : int, default 10
        Longest term label in Chinese characters (two Latin letters count as one); longer
        terms end in '…'.
    show_values : bool, default True
        Write the number at the end of each bar.
    figsize : (float, float), optional
        Figure size in inches; default grows with panels and ``top_n``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cols = [term, value] + ([group] if group is not None else [])
    require_columns(freq, cols, "bar_top_terms")
    if top_n < 1 or max_panels < 1:
        raise ValueError("top_n and max_panels must be at least 1")
    if group is None:
        groups = [(None, freq)]
    else:
        groups = list(freq.groupby(group, sort=False, dropna=False))
    palette = dict(colors) if colors is not None else (
        style.group_colors(freq[group].dropna()) if group is not None else {})
    label_max = 2 * label_chars
    layout = _panel_layout(groups, freq, term=term, value=value, top_n=top_n,
                           max_panels=max_panels, ncols=ncols, label_units=label_max,
                           titled=group is not None, title=title, subtitle=subtitle,
                           source=source)
    top_n, ncols, nrows, shown = layout["top_n"], layout["ncols"], layout["nrows"], layout["shown"]
    shown, subtitle = keep_first(groups, len(shown), subtitle)
    # the number of bars is said where the chart decides it (it may draw fewer than asked, to
    # fit the format), so a title need not carry a number the figure contradicts
    subtitle = join_notes(subtitle, f"每组前 {top_n} 个" if group is not None else f"前 {top_n} 个")
    fig = start_figure(width=style.figure_limits()[0], body_height=layout["body_height"], title=title,
                       subtitle=subtitle, source=source, figsize=figsize, empty=freq.empty)
    if freq.empty:
        return fig

    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    rows = []
    for key, sub in shown:
        top = sub.sort_values(value, ascending=False, kind="stable").head(top_n)
        rows.append((key, top))
    xmax = max((float(np.nanmax(t[value].to_numpy(dtype=float))) for _, t in rows if len(t)),
               default=0.0)
    fmt = number_formatter(np.concatenate([t[value].to_numpy(dtype=float) for _, t in rows])
                           if rows else [])
    title_units = layout["title_units"]
    for ax, (key, top) in zip(axes, rows):
        vals = top[value].to_numpy(dtype=float)
        color = palette.get(key, style.PALETTE[0]) if group is not None else style.PALETTE[0]
        bars = ax.barh(np.arange(len(top)), vals, color=color, height=0.72)
        ax.set_yticks(np.arange(len(top)),
                      labels=[truncate_label(t, label_max) for t in top[term]])
        ax.set_ylim(top_n - 0.5, -0.5)  # largest at the top; equal bar height in every panel
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        if group is not None:
            ax.set_title(shorten_group(key, title_units), fontsize=layout["title_size"],
                         color="#222222")
        if show_values and len(vals):
            ax.bar_label(bars, labels=[fmt(v) for v in vals], padding=3,
                         fontsize=VALUE_SIZE, color=style.MUTED)
        local_max = float(np.nanmax(vals)) if len(vals) else 0.0
        upper = (xmax if sharex else local_max) or 1.0
        ax.set_xlim(0, upper * (1.22 if show_values else 1.03))
        _value_ticks(ax.xaxis, vals)
    for i, ax in enumerate(axes):
        if i >= len(rows):
            ax.set_visible(False)
        elif i + ncols >= len(rows):  # lowest panel of its column
            ax.set_xlabel(_value_label(value, value_label), color=style.MUTED)
    return fig


#: Type size in points of the numbers written at bar ends and in cells.
VALUE_SIZE = 9


def _panel_layout(groups, freq, *, term, value, top_n, max_panels, ncols, label_units,
                  titled, title, subtitle, source) -> dict:
    """How many panels of bars fit the size format, in how many columns and rows, with how
    many bars each: bars keep a readable row height (:func:`row_inches` of the tick size);
    with more groups than fit, fewer bars per panel (down to 8), then fewer panels."""
    fig_w, max_h = style.figure_limits()
    tick = tick_size("y")
    row = row_inches(tick)
    longest = min(label_units, max((_text_units(_plain(t)) for t in freq[term]), default=0)
                  if term in freq else label_units)
    panel_w = longest * tick / 2 / 72 + (1.9 if fig_w >= 9 else 1.4)
    col_fit = max(1, int((fig_w - 0.3) // panel_w))
    n = max(1, min(len(groups), max_panels))
    if ncols is not None:
        col_fit = max(1, min(ncols, n))
    title_h = row_inches(13 if fig_w >= 9 else 9.5) if titled else 0.0
    axis_h = row_inches(tick) + 0.12
    avail = max_h - header_inches(title, subtitle, source, fig_w) - axis_h - 0.1
    want = top_n
    while True:
        panel_h = title_h + want * row + axis_h + 0.1
        row_fit = max(1, int(avail // panel_h))
        if row_fit * col_fit >= n or want <= min(top_n, 8):
            break
        want -= 1
    fit = min(n, row_fit * col_fit)
    nrows = math.ceil(fit / col_fit)
    ncols_used = math.ceil(fit / nrows)
    # the rows chosen may hold more bars than the fewest tried
    room = int((avail / nrows - title_h - axis_h - 0.1) // row)
    want = max(want, min(top_n, room))
    title_size = 13 if fig_w >= 9 else 9.5
    return {"top_n": want, "top_n_cut": want < top_n, "ncols": ncols_used, "nrows": nrows,
            "shown": groups[:fit], "body_height": nrows * (title_h + want * row + axis_h + 0.1) + axis_h,
            "title_size": title_size,
            "title_units": max(8, int((fig_w / ncols_used - 0.3) * 72 / (title_size / 2)))}


def bar(table: pd.DataFrame, *, label: str = "label", value: str = "n_chars",
        orientation: str = "h", group: str | None = None, colors: Mapping | None = None,
        title: str = "", subtitle: str | None = None, source: str | None = None,
        max_bars: int = 40, value_label: str | None = None, label_chars: int = 14,
        show_values: bool = True, figsize: tuple[float, float] | None = None) -> Figure:
    """A simple bar chart of one number per row, e.g. document lengths per label.

    Rows are drawn in table order (sort the table first to rank them): top to bottom when
    horizontal, left to right when vertical. With more than ``max_bars`` rows only the first
    ``max_bars`` are drawn and the subtitle says so.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per bar.
    label : str, default "label"
        Column with the bar labels (e.g. the documents' ``label``).
    value : str, default "n_chars"
        Column with the numbers.
    orientation : {"h", "v"}, default "h"
        Horizontal bars (labels on the left; best for Chinese) or vertical bars (labels
        wrapped under the bars).
    group : str, optional
        Column whose values colour the bars, with a legend; default one colour.
    colors : mapping, optional
        ``{group: colour}``; default :func:`tifa.draw.style.group_colors` of the ``group`` column.
    title : str, default ""
        Figure title.
    subtitle : str, optional
        Line under the title. Default none.
    source : str, optional
        Source line at the bottom. Default none.
    max_bars : int, default 40
        Most bars drawn.
    value_label : str, optional
        Value axis label; default from :data:`VALUE_LABELS` or the column name.
    label_chars : int, default 14
        Longest label in Chinese characters per line (truncated with '…' when horizontal,
        wrapped on up to three lines when vertical).
    show_values : bool, default True
        Write the number at the end of each bar.
    figsize : (float, float), optional
        Figure size in inches; default grows with the number of bars.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cols = [label, value] + ([group] if group is not None else [])
    require_columns(table, cols, "bar")
    if orientation not in ("h", "v"):
        raise ValueError(f"orientation must be 'h' or 'v', got {orientation!r}")
    rows, subtitle = keep_first(table, max_bars, subtitle, noun="项")
    n = len(rows)
    if orientation == "h":
        width, body_height = 10.0, max(2.2, 0.36 * n + 1.1)
    else:
        width, body_height = min(18.0, max(7.0, 0.75 * n + 2.0)), 4.6
    fig = start_figure(width=width, body_height=body_height, title=title, subtitle=subtitle,
                       source=source, figsize=figsize, empty=rows.empty)
    if rows.empty:
        return fig
    ax = fig.add_subplot()
    vals = rows[value].to_numpy(dtype=float)
    pos = np.arange(n)
    if group is not None:
        palette = dict(colors) if colors is not None else style.group_colors(table[group].dropna())
        bar_colors = [palette.get(g, style.PALETTE[0]) for g in rows[group]]
    else:
        bar_colors = [style.PALETTE[0]] * n
    if orientation == "h":
        bars = ax.barh(pos, vals, color=bar_colors, height=0.72)
        ax.set_yticks(pos, labels=[truncate_label(t, 2 * label_chars) for t in rows[label]])
        ax.set_ylim(n - 0.5, -0.5)
        label_axis, value_axis, headroom = "y", "x", 1.12
    else:
        bars = ax.bar(pos, vals, color=bar_colors, width=0.72)
        ax.set_xticks(pos, labels=[wrap_label(t, 2 * max(2, label_chars // 2), max_lines=3)
                                   for t in rows[label]])
        label_axis, value_axis, headroom = "x", "y", 1.1
    ax.grid(axis=label_axis, visible=False)
    ax.tick_params(axis=label_axis, length=0)
    getattr(ax, f"set_{value_axis}label")(_value_label(value, value_label), color=style.MUTED)
    _integer_ticks(getattr(ax, f"{value_axis}axis"), vals)
    if len(vals) and np.nanmax(vals) > 0 and show_values:
        getattr(ax, f"set_{value_axis}lim")(0, float(np.nanmax(vals)) * headroom)
    if show_values:
        fmt = number_formatter(vals)
        ax.bar_label(bars, labels=[fmt(v) for v in vals], padding=3, fontsize=VALUE_SIZE,
                     color=style.MUTED)
    if group is not None:
        _group_legend(ax, rows[group], palette)
    return fig


def _group_legend(ax, groups: pd.Series, palette: Mapping) -> None:
    """A legend right of ``ax``: one patch per group, in order of first appearance."""
    from matplotlib.patches import Patch

    seen = list(dict.fromkeys(groups.tolist()))
    ax.legend(handles=[Patch(color=palette.get(g, style.PALETTE[0]), label=truncate_label(g, 24))
                       for g in seen],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def document_lengths(documents: pd.DataFrame, *, label: str = "label",
                     measures: tuple[str, ...] = ("n_chars", "n_tokens"),
                     title: str = "各报告篇幅", subtitle: str | None = None,
                     source: str | None = None, group: str | None = None,
                     colors: Mapping | None = None, max_bars: int = 40, label_chars: int = 14,
                     show_values: bool = True,
                     figsize: tuple[float, float] | None = None) -> Figure:
    """Length of each document, one panel of horizontal bars per measure, side by side.

    Draws the numbers already in the documents table (``n_chars``, ``n_tokens`` ...), one bar
    per row in table order, the panels sharing the document labels. Measures missing from the
    table are left out; missing values (e.g. ``n_tokens`` before tokenizing) draw no bar.

    Parameters
    ----------
    documents : pandas.DataFrame
        The documents table (:data:`tifa.schemas.DOCUMENTS`) or any table with the columns.
    label : str, default "label"
        Column naming each bar.
    measures : tuple of str, default ("n_chars", "n_tokens")
        Number columns, one panel each; panel titles from :data:`VALUE_LABELS`.
    title : str, default "各报告篇幅"
        Figure title.
    subtitle : str, optional
        Line under the title. Default none.
    source : str, optional
        Source line at the bottom (e.g. :func:`tifa.draw.style.source_line`). Default none.
    group : str, optional
        Column whose values colour the bars (with a legend); default one colour per measure.
    colors : mapping, optional
        ``{group: colour}``; default :func:`tifa.draw.style.group_colors` of the ``group`` column.
    max_bars : int, default 40
        Most documents drawn (the first rows); the subtitle says when rows were left out.
    label_chars : int, default 14
        Longest label in Chinese characters; longer labels end in '…'.
    show_values : bool, default True
        Write the number at the end of each bar.
    figsize : (float, float), optional
        Figure size in inches; default grows with the number of documents.

    Returns
    -------
    matplotlib.figure.Figure
    """
    present = [m for m in measures if m in documents.columns]
    if not present:
        raise KeyError(f"document_lengths: none of the columns {list(measures)} is in the table; "
                       f"it has {list(documents.columns)}")
    require_columns(documents, [label] + present + ([group] if group is not None else []),
             "document_lengths")
    rows, subtitle = keep_first(documents, max_bars, subtitle, noun="篇")
    n = len(rows)
    fig = start_figure(width=min(16.0, 4.0 + 3.6 * len(present)),
                       body_height=max(2.2, 0.36 * n + 1.2), title=title, subtitle=subtitle,
                       source=source, figsize=figsize, empty=rows.empty)
    if rows.empty:
        return fig
    axes = fig.subplots(1, len(present), sharey=True, squeeze=False).ravel()
    pos = np.arange(n)
    palette = None
    if group is not None:
        palette = dict(colors) if colors is not None else style.group_colors(
            documents[group].dropna())
    fmt = number_formatter(rows[present].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float))
    for i, (ax, measure) in enumerate(zip(axes, present)):
        vals = pd.to_numeric(rows[measure], errors="coerce").to_numpy(dtype=float)
        if palette is not None:
            bar_colors = [palette.get(g, style.PALETTE[0]) for g in rows[group]]
        else:
            bar_colors = [style.PALETTE[(2 * i) % len(style.PALETTE)]] * n
        bars = ax.barh(pos, np.nan_to_num(vals), color=bar_colors, height=0.72)
        ax.set_title(VALUE_LABELS.get(measure, measure), fontsize=13, color="#222222")
        ax.set_ylim(n - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        _value_ticks(ax.xaxis, vals, nbins=3)
        finite = vals[np.isfinite(vals)]
        if show_values:
            ax.bar_label(bars, labels=[fmt(v) for v in vals], padding=3, fontsize=VALUE_SIZE,
                         color=style.MUTED)
            if len(finite) and finite.max() > 0:
                ax.set_xlim(0, float(finite.max()) * 1.25)
    axes[0].set_yticks(pos, labels=[truncate_label(t, 2 * label_chars) for t in rows[label]])
    if palette is not None:
        _group_legend(axes[-1], rows[group], palette)
    return fig


def _as_frequencies(freqs, term: str, value: str) -> dict[str, float]:
    if isinstance(freqs, pd.DataFrame):
        require_columns(freqs, [term, value], "wordcloud")
        keys, vals = freqs[term].astype(str).tolist(), freqs[value].tolist()
    elif isinstance(freqs, pd.Series):
        keys, vals = freqs.index.astype(str).tolist(), freqs.tolist()
    elif isinstance(freqs, Mapping):
        keys, vals = [str(k) for k in freqs], list(freqs.values())
    else:
        raise TypeError(f"wordcloud needs a dict, Series or DataFrame, got {type(freqs).__name__}")
    if len(set(keys)) != len(keys):
        dup = pd.Series(keys)[pd.Series(keys).duplicated()].unique()[:5].tolist()
        raise ValueError(
            f"wordcloud needs one number per term, but {dup} occur more than once; "
            "filter the table to one group first"
        )
    out = {}
    for k, v in zip(keys, vals):
        try:
            v = float(v)
        except (TypeError, ValueError):
            continue
        if k.strip() and math.isfinite(v) and v > 0:
            out[k] = v
    return out


#: Word clouds are laid out on a canvas this many times smaller than the image and drawn at
#: full size (wordcloud's ``scale``): placement is a little coarser, the time a third.
CLOUD_SCALE = 2


def cloud_layout(freqs: Mapping[str, float], *, width: int = 1600, height: int = 900,
                 max_words: int = 150, random_state: int = 0, color_func=None,
                 colormap: str | None = None, background_color: str = "white",
                 prefer_horizontal: float = 1.0, relative_scaling: float = 0.6):
    """Lay out a word cloud with the CJK font: the ``wordcloud.WordCloud`` every cloud of tifa
    draws (:func:`wordcloud`, and the clouds of :mod:`tifa.draw.keyword_charts`).

    Every word is upright by default: wordcloud turns a share of the words 90° to fill gaps,
    and Chinese turned on its side is hard to read (外事 reads as 典…).

    Parameters
    ----------
    freqs : mapping of str to float
        ``{word: size}``, all positive.
    width, height : int, default 1600, 900
        Image size in pixels (``.to_array()``); the layout is computed on a canvas
        :data:`CLOUD_SCALE` times smaller, so ``.layout_`` positions and font sizes are in
        that canvas's pixels.
    max_words : int, default 150
        Most words placed (largest first).
    random_state : int, default 0
        Layout seed: the same input gives the same picture.
    color_func : callable, optional
        wordcloud's colour function (``lambda *a, **k: "#1f5fa8"``); default ``colormap``.
    colormap : str, optional
        Matplotlib colormap when ``color_func`` is not given; default ``"viridis"``.
    background_color : str, default "white"
        Background colour.
    prefer_horizontal : float, default 1.0
        Share of words laid out horizontally (1.0: all of them).
    relative_scaling : float, default 0.6
        How much word size follows frequency (0: rank only, 1: proportional).

    Returns
    -------
    wordcloud.WordCloud
        Generated: ``.layout_`` holds each word's size, position and orientation,
        ``.to_array()`` the image.
    """
    from wordcloud import WordCloud

    colors = {"color_func": color_func} if color_func is not None else {
        "colormap": colormap or "viridis"}
    # laid out on a canvas CLOUD_SCALE times smaller and drawn at full size (wordcloud's
    # ``scale``): the same image size, about a third of the time (3.6 s -> 1.0 s for 150 words)
    k = CLOUD_SCALE
    cloud = WordCloud(font_path=style.wordcloud_font_path(), width=max(1, round(width / k)),
                      height=max(1, round(height / k)), scale=k,
                      max_words=max_words, background_color=background_color,
                      prefer_horizontal=prefer_horizontal, random_state=random_state,
                      margin=max(1, round(4 / k)), relative_scaling=relative_scaling,
                      collocations=False, **colors)
    return cloud.generate_from_frequencies(dict(freqs))


def wordcloud(freqs, *, term: str = "term", value: str = "count", title: str | None = None,
              subtitle: str | None = None, source: str | None = None, max_words: int = 150,
              width: int = 1600, height: int = 900, color: str | None = None,
              colormap: str | None = None, background_color: str = "white",
              prefer_horizontal: float = 1.0, random_state: int = 0,
              figsize: tuple[float, float] | None = None) -> Figure:
    """A word cloud of given frequencies, drawn with the CJK font (deterministic, every word
    upright: :func:`cloud_layout`).

    Parameters
    ----------
    freqs : dict, pandas.Series or pandas.DataFrame
        ``{term: number}``; a Series indexed by term; or a table with ``term`` and ``value``
        columns. Terms must be unique (filter to one group first); non-positive and missing
        numbers are ignored.
    term : str, default "term"
        Term column when ``freqs`` is a DataFrame.
    value : str, default "count"
        Number column when ``freqs`` is a DataFrame.
    title : str, optional
        Figure title. Default none.
    subtitle : str, optional
        Line under the title. Default none.
    source : str, optional
        Source line at the bottom. Default none.
    max_words : int, default 150
        Most words placed.
    width, height : int, default 1600, 900
        Size of the word-cloud image in pixels.
    color : str, optional
        One colour for every word (e.g. the group's colour from
        :func:`tifa.draw.style.group_colors`); default uses ``colormap``.
    colormap : str, optional
        Matplotlib colormap for the words when ``color`` is not given; default ``"viridis"``.
    background_color : str, default "white"
        Background colour.
    prefer_horizontal : float, default 1.0
        Share of words laid out horizontally (1.0: every word upright).
    random_state : int, default 0
        Seed of the layout: the same input gives the same picture.
    figsize : (float, float), optional
        Figure size in inches; default 10 inches wide with the image's aspect ratio.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = _as_frequencies(freqs, term, value)
    fig = start_figure(width=10.0, body_height=10.0 * height / width, title=title,
                       subtitle=subtitle, source=source, figsize=figsize, empty=not data)
    if not data:
        return fig
    cloud = cloud_layout(data, width=width, height=height, max_words=max_words,
                         random_state=random_state, background_color=background_color,
                         prefer_horizontal=prefer_horizontal, colormap=colormap,
                         color_func=(lambda *args, **kw: color) if color is not None else None)
    ax = fig.add_subplot()
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    return fig
