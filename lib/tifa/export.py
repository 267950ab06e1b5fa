"""Writing figures, tables and records — the only place (with the pipeline's run.json) that
writes files, and always atomically.

Every file is first written to a hidden temporary file in the target folder and then moved into
place with :func:`os.replace`, so a reader never sees half a file and an error (or a killed
process) leaves the previous version untouched.

Output layout (relative to the output folder ``out``)::

    figures/<section>/<name>.png|.svg|.pdf      save_figure   (section e.g. "00_corpus")
    tables/<name>.csv                           save_table    (UTF-8 with BOM, for Excel)
    data/<name>.parquet                         save_data
    run.json                                    write_json    (via tifa.pipeline)
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import secrets
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

#: Figure formats :func:`save_figure` writes.
FIGURE_FORMATS = ("png", "svg", "pdf")

#: Encoding of CSV tables: UTF-8 with a byte-order mark, so that Excel (which otherwise assumes
#: the local ANSI code page) shows Chinese correctly; pandas reads it back with
#: ``encoding="utf-8-sig"`` (plain ``"utf-8"`` leaves a BOM on the first column name).
CSV_ENCODING = "utf-8-sig"


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb", *, encoding: str | None = None,
                 newline: str | None = None) -> Iterator[IO]:
    """Open a file for writing so that it appears complete or not at all.

    Writes go to a temporary file in the same folder (created with the usual permissions,
    honouring the umask); on leaving the block it is flushed, synced and moved over ``path``
    with :func:`os.replace`. If the block raises, the temporary file is removed, the target is
    left exactly as it was, and the exception propagates. Missing parent folders are created.

    Parameters
    ----------
    path : str or Path
        The file to (re)write.
    mode : {"wb", "w", "wt"}, default "wb"
        Binary or text mode.
    encoding : str, optional
        Text encoding for text mode; default ``None`` means ``"utf-8"``. Not allowed in binary
        mode.
    newline : str, optional
        Passed to :func:`open` in text mode; default ``None`` (universal newlines).

    Yields
    ------
    file object
        The open temporary file.
    """
    if mode not in ("wb", "w", "wt"):
        raise ValueError(f"atomic_write only writes whole files; mode must be 'wb', 'w' or 'wt', not {mode!r}")
    binary = "b" in mode
    if binary and (encoding is not None or newline is not None):
        raise ValueError("encoding and newline apply to text mode only")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        if binary:
            fh = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _check_name(value: str, what: str) -> str:
    value = str(value)
    if not value or value in (".", "..") or "/" in value or "\\" in value or value.startswith("."):
        raise ValueError(f"{what} must be a plain file name without folders, got {value!r}")
    return value


def save_figure(fig, out, section: str, name: str, *, formats: Sequence[str] = ("png", "svg"),
                dpi: float | None = None, close: bool = False) -> list[Path]:
    """Write a figure as ``out/figures/<section>/<name>.<fmt>`` for each format, atomically.

    PNG uses ``savefig.dpi`` of the house style (200) unless ``dpi`` is given. SVG turns text
    into outlines (opens anywhere). PDF is drawn inside :func:`tifa.style.pdf_fonts`, i.e. with
    the TrueType CJK font embedded as Type 42. Metadata dates are left out, so saving the same
    figure twice gives identical SVG and PDF bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (e.g. from :mod:`tifa.charts`).
    out : str or Path
        The output folder.
    section : str
        Sub-folder of ``figures/``, by convention the notebook's name, e.g. ``"00_corpus"``.
    name : str
        File name without extension, e.g. ``"doc_lengths"``.
    formats : sequence of {"png", "svg", "pdf"}, default ("png", "svg")
        Formats to write, in this order.
    dpi : float, optional
        Raster resolution; default ``None`` uses the house ``savefig.dpi``.
    close : bool, default False
        Close the figure afterwards (``plt.close(fig)``). Off by default so a notebook can
        still display the figure after saving it; chart functions of tifa build figures
        outside pyplot, which need no closing.

    Returns
    -------
    list of Path
        The files written, one per format.
    """
    from tifa import style

    section = _check_name(section, "section")
    name = _check_name(name, "name")
    formats = [str(f).lower().lstrip(".") for f in formats]
    unknown = [f for f in formats if f not in FIGURE_FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be among {FIGURE_FORMATS}, got {list(formats)}")
    style.ensure_style()
    folder = Path(out) / "figures" / section
    written = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        kwargs: dict[str, Any] = {"format": fmt}
        if dpi is not None:
            kwargs["dpi"] = dpi
        if fmt == "svg":
            kwargs["metadata"] = {"Date": None}
        elif fmt == "pdf":
            kwargs["metadata"] = {"CreationDate": None, "ModDate": None}
        with atomic_write(path, "wb") as fh:
            if fmt == "pdf":
                with style.pdf_fonts():
                    fig.savefig(fh, **kwargs)
            else:
                fig.savefig(fh, **kwargs)
        written.append(path)
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return written


def save_table(df, out, name: str, *, index: bool = False) -> Path:
    """Write a table as ``out/tables/<name>.csv``, atomically.

    Encoded as UTF-8 with a byte-order mark (:data:`CSV_ENCODING`) so Excel opens Chinese text
    correctly; read it back with ``pd.read_csv(path, encoding="utf-8-sig")``. Lines end with
    ``\\n``; missing values are empty fields.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    out : str or Path
        The output folder.
    name : str
        File name without extension, e.g. ``"keywords"``.
    index : bool, default False
        Also write the index as the first column.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(out) / "tables" / f"{_check_name(name, 'name')}.csv"
    with atomic_write(path, "w", encoding=CSV_ENCODING, newline="") as fh:
        df.to_csv(fh, index=index, lineterminator="\n")
    return path


def save_data(df, out, name: str, *, index: bool = False) -> Path:
    """Write a table as ``out/data/<name>.parquet`` (pyarrow), atomically.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; dtypes (Int64, datetime, bool ...) survive the round trip.
    out : str or Path
        The output folder.
    name : str
        File name without extension, e.g. ``"tokens"``.
    index : bool, default False
        Also store the index.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(out) / "data" / f"{_check_name(name, 'name')}.parquet"
    with atomic_write(path, "wb") as fh:
        df.to_parquet(fh, index=index)
    return path


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Path):
        return obj.as_posix()
    if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return obj.item()
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy arrays
        return obj.tolist()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def write_json(obj: Any, path, *, indent: int = 2) -> Path:
    """Write an object as UTF-8 JSON (Chinese kept readable, not ``\\u`` escaped), atomically.

    Paths, dates/datetimes, sets and numpy scalars/arrays are converted; anything else that is
    not JSON raises :class:`TypeError` before the target is touched.

    Parameters
    ----------
    obj : object
        The data.
    path : str or Path
        The file to (re)write.
    indent : int, default 2
        Indentation.

    Returns
    -------
    Path
        The file written.
    """
    text = json.dumps(obj, ensure_ascii=False, indent=indent, default=_json_default) + "\n"
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
