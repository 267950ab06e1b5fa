"""Writing figures, tables and records — the only place (with the pipeline's run.json) that
writes files, and always atomically.

Every file is first written to a hidden temporary file in the target folder and then moved into
place with :func:`os.replace`, so a reader never sees half a file and an error (or a killed
process) leaves the previous version untouched.

Output layout (relative to the output folder ``out``)::

    figures/<section>/<name>.png|.svg|.pdf      save_figure   (section e.g. "00_corpus")
    figures/<section>/<name>.json               save_figure   (the figure's record, below)
    tables/<name>.csv                           save_table    (UTF-8 with BOM, for Excel)
    data/<name>.parquet                         save_data
    run.json                                    write_json    (via tifa.runner.pipeline)
    briefing/                                   save_briefing (the pack of tifa.report.briefing)

The figure registry
-------------------
Every :func:`save_figure` also writes a small JSON record next to the files,
``figures/<section>/<name>.json`` (:data:`RECORD_FIELDS`): section, name, title, caption,
order, the files written, size in inches, dpi, size format and the time of saving. One file per
figure rather than one shared index: notebooks never race to update the same file, a re-run
simply overwrites the record with the figure, and a figure's record cannot outlive a crash
half-way (it is written last, atomically). :func:`tifa.report.briefing.figure_index` reads them back
in notebook order to assemble the briefing pack.

Vector formats off the critical path
------------------------------------
The PNG is what a notebook and the briefing look at; the SVG and PDF (as costly to draw as the
PNG, each) are for people who take a figure elsewhere. When the environment variable
:data:`FIGURE_JOBS_ENV` names a folder (``tifa run`` sets it for each notebook's kernel),
:func:`save_figure` writes the PNG and the record at once and leaves the vector formats as a
*figure job* in that folder: the pickled figure with the rcParams it was drawn with
(:func:`write_figure_job`). :func:`render_figure_jobs` draws them later, in another thread or
process, each file atomically; the pipeline does so while the next notebooks run and marks a
notebook done only when its figures are all written. Without the variable (JupyterLab, nbval,
a script) every format is written before :func:`save_figure` returns; in a Jupyter kernel a
renderer process of its own draws them (:mod:`tifa.report.background`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import pickle
import secrets
import shutil
import time
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

#: Figure formats :func:`save_figure` can write.
FIGURE_FORMATS = ("png", "svg", "pdf")

#: Formats :func:`save_figure` writes when not told otherwise. Module-level so that a session
#: can change it once (``export.DEFAULT_FORMATS = ("png",)`` for a quick draft run).
DEFAULT_FORMATS = ("png", "svg", "pdf")

#: Resolution of PNG figures in dots per inch: a slide-sized figure (10 in wide) is 2,000 px,
#: more than a 16:9 slide shown on a 4K screen needs, and sharp in print at its A4 width.
PNG_DPI = 200

#: Formats drawn as vectors, which :func:`save_figure` may leave to a figure job.
VECTOR_FORMATS = ("svg", "pdf")

#: Environment variable naming the folder where :func:`save_figure` leaves the vector formats
#: of its figures as jobs for :func:`render_figure_jobs` (see the module notes); unset or
#: empty: they are written at once.
FIGURE_JOBS_ENV = "TIFA_FIGURE_JOBS"

#: rcParams not carried into a figure job (they concern the session, not the drawing).
_SESSION_RC = ("backend", "backend_fallback", "interactive", "toolbar", "webagg.address",
               "webagg.port", "webagg.port_retries", "webagg.open_in_browser")

#: Fields of a figure record, ``figures/<section>/<name>.json``.
RECORD_FIELDS = ("section", "name", "title", "caption", "order", "files", "width_in",
                 "height_in", "dpi", "size", "saved", "saved_ns")

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


def figure_title(fig) -> str | None:
    """The title drawn on a figure, read from the figure itself.

    A figure suptitle if there is one; else the free figure text in the largest type (the
    title that :mod:`tifa.draw.charts` puts top left), the topmost of equals; else the title of the
    first axes. Line breaks from wrapping are removed.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    str or None
        ``None`` when the figure has no text that looks like a title.
    """
    def clean(text: str) -> str:
        return "".join(part.strip() for part in text.replace("\\$", "$").splitlines())

    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        return clean(sup.get_text())
    texts = [t for t in fig.texts if t.get_visible() and t.get_text().strip()]
    if texts:
        best = max(texts, key=lambda t: (t.get_fontsize(), t.get_position()[1]))
        return clean(best.get_text())
    for ax in fig.axes:
        for loc in ("center", "left", "right"):
            label = ax.get_title(loc=loc)
            if label.strip():
                return clean(label)
    return None


def save_figure(fig, out, section: str, name: str, *, formats: Sequence[str] | None = None,
                dpi: float | None = None, close: bool = False, title: str | None = None,
                caption: str | None = None, order: float | None = None) -> list[Path]:
    """Write a figure as ``out/figures/<section>/<name>.<fmt>`` for each format, atomically,
    and record it in the figure registry (``<name>.json`` beside it, see the module notes).

    PNG is written at :data:`PNG_DPI` (200 dpi) unless ``dpi`` is given. SVG turns text into
    outlines (opens anywhere). PDF is drawn inside :func:`tifa.draw.style.pdf_fonts`, i.e. with the
    TrueType CJK font embedded as Type 42 (opens on a machine without Chinese fonts, text stays
    searchable). Metadata dates are left out, so saving the same figure twice gives identical
    SVG and PDF bytes. Re-running overwrites every file cleanly; each file appears complete or
    not at all. When :data:`FIGURE_JOBS_ENV` names a folder (``tifa run``), SVG and PDF are
    left there as a figure job and drawn by :func:`render_figure_jobs` (see the module notes);
    a figure that cannot be pickled is drawn at once.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (e.g. from :mod:`tifa.draw.charts`).
    out : str or Path
        The output folder.
    section : str
        Sub-folder of ``figures/``, by convention the notebook's name, e.g. ``"00_corpus"``;
        the briefing orders sections by name.
    name : str
        File name without extension, e.g. ``"doc_lengths"``.
    formats : sequence of {"png", "svg", "pdf"}, optional
        Formats to write, in this order; default :data:`DEFAULT_FORMATS` (PNG, SVG and PDF).
    dpi : float, optional
        Raster resolution; default ``None`` uses :data:`PNG_DPI`.
    close : bool, default False
        Close the figure afterwards (``plt.close(fig)``). Off by default so a notebook can
        still display the figure after saving it; chart functions of tifa build figures
        outside pyplot, which need no closing.
    title : str, optional
        Title of the figure in the briefing; default the title drawn on the figure
        (:func:`figure_title`), else ``name``.
    caption : str, optional
        One-line caption for the briefing, best made from the numbers with
        :mod:`tifa.report.captions`; default none (the briefing then shows the title).
    order : float, optional
        Position of the figure within its section in the briefing; default the order of
        saving.

    Returns
    -------
    list of Path
        The figure files, one per format (the record is not listed); those left to a figure
        job exist once it is rendered.
    """
    from tifa.draw import style

    section = _check_name(section, "section")
    name = _check_name(name, "name")
    formats = DEFAULT_FORMATS if formats is None else formats
    if isinstance(formats, str):
        formats = (formats,)
    formats = [str(f).lower().lstrip(".") for f in formats]
    unknown = [f for f in formats if f not in FIGURE_FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be among {FIGURE_FORMATS}, got {list(formats)}")
    if order is not None:
        order = float(order)
    style.ensure_style()
    folder = Path(out) / "figures" / section
    targets = [(fmt, folder / f"{name}.{fmt}") for fmt in formats]
    jobs = os.environ.get(FIGURE_JOBS_ENV) or None
    in_background = False
    if not jobs:
        from tifa.report import background

        if background.active():  # a Jupyter kernel: a renderer process draws SVG/PDF
            jobs, in_background = background.jobs_folder(out), True
    later = [(fmt, path) for fmt, path in targets if fmt in VECTOR_FORMATS] if jobs else []
    for fmt, path in targets:  # the PNG first: whoever draws the job may read it
        if (fmt, path) not in later:
            _write_format(fig, fmt, path, dpi=dpi)
    if later and write_figure_job(fig, Path(jobs) / f"{section}.{name}.pickle", later,
                                  dpi=dpi) is None:
        for fmt, path in later:  # the figure does not pickle: draw everything here
            _write_format(fig, fmt, path, dpi=dpi)
        later = []
    if later and in_background:
        background.warn_failures(jobs)
        background.ensure_renderer(jobs)
    png = dict(targets).get("png")
    if png is not None and hasattr(fig, "keep_saved_png"):  # shown from it (tifa.draw.charts)
        with contextlib.suppress(OSError):
            fig.keep_saved_png(png.read_bytes(), dpi if dpi is not None else PNG_DPI)
    written = [path for _, path in targets]
    width, height = (float(v) for v in fig.get_size_inches())
    record = {
        "section": section,
        "name": name,
        "title": title if title is not None else (figure_title(fig) or name),
        "caption": caption,
        "order": order,
        "empty": getattr(fig, "tifa_empty", None),
        "files": {p.suffix.lstrip("."): p.relative_to(Path(out)).as_posix() for p in written},
        "width_in": round(width, 3),
        "height_in": round(height, 3),
        "dpi": dpi if dpi is not None else PNG_DPI,
        "size": style.current_size(),
        "saved": _dt.datetime.now().astimezone().isoformat(timespec="microseconds"),
        "saved_ns": time.time_ns(),
    }
    write_json(record, folder / f"{name}.json")
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return written


def _write_format(fig, fmt: str, path: Path, *, dpi: float | None) -> Path:
    """Draw one format of a figure into ``path``, atomically."""
    from tifa.draw import style

    kwargs: dict[str, Any] = {"format": fmt}
    if fmt == "png":
        kwargs["dpi"] = dpi if dpi is not None else PNG_DPI
    elif dpi is not None:
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
    return path


def write_figure_job(fig, path, targets: Sequence[tuple[str, Path]], *,
                     dpi: float | None = None) -> Path | None:
    """Leave formats of a figure to be drawn later: the pickled figure, its rcParams, its files.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, as it is to be drawn.
    path : str or Path
        The job file (written atomically; a job of the same name is replaced: the last save
        of a figure wins).
    targets : sequence of (format, Path)
        The files to draw, e.g. ``[("svg", out/figures/s/f.svg), ("pdf", ...)]``.
    dpi : float, optional
        As for :func:`save_figure`.

    Returns
    -------
    Path or None
        The job file; ``None`` (nothing written) when the figure cannot be pickled.
    """
    import matplotlib

    rc = {k: v for k, v in matplotlib.rcParams.items() if k not in _SESSION_RC}
    try:
        data = pickle.dumps({"figure": fig, "rc": rc, "dpi": dpi,
                             "targets": [(str(f), str(Path(p).resolve())) for f, p in targets]},
                            protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - lambdas, open files ... in an artist: draw it now
        return None
    return write_bytes(data, path)


def render_figure_job(job) -> tuple[list[Path], list[str]]:
    """Draw one figure job left by :func:`save_figure`, then remove it.

    The files are written atomically, in the rcParams the figure was drawn with. Matplotlib
    is not thread-safe: one job at a time per process (the pipeline runs jobs in worker
    processes).

    Parameters
    ----------
    job : str or Path
        The job file (``<section>.<name>.pickle`` in the folder :data:`FIGURE_JOBS_ENV` named).

    Returns
    -------
    (list of Path, list of str)
        The files written, and the warnings raised while drawing (e.g. a glyph the PDF font
        lacks), each once as ``"<section>.<name>: <message>"``; they are not shown.

    Raises
    ------
    Exception
        Whatever reading or drawing raised; the job file is then left in place.
    """
    import warnings

    import matplotlib

    from tifa.draw import style

    job = Path(job)
    written: list[Path] = []
    before = job.stat()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        spec = pickle.loads(job.read_bytes())
        style.ensure_style()
        with matplotlib.rc_context(spec["rc"]):
            for fmt, target in spec["targets"]:
                written.append(_write_format(spec["figure"], fmt, Path(target), dpi=spec["dpi"]))
    with contextlib.suppress(FileNotFoundError):
        now = job.stat()
        if (now.st_ino, now.st_mtime_ns) == (before.st_ino, before.st_mtime_ns):
            job.unlink()  # else the figure was saved again meanwhile: its newer job stays
    return written, list(dict.fromkeys(f"{job.stem}: {w.message}" for w in seen))


def render_figure_jobs(folder, *, caught: list | None = None) -> list[Path]:
    """Draw every figure job in ``folder`` (:func:`render_figure_job`), then remove the folder.

    Parameters
    ----------
    folder : str or Path
        The folder :data:`FIGURE_JOBS_ENV` named; a missing folder has no jobs.
    caught : list or None, default None
        When a list, the warnings raised while drawing are appended to it (each once) instead
        of being shown.

    Returns
    -------
    list of Path
        The files written, in job name order.

    Raises
    ------
    FigureJobError
        When a job cannot be read or drawn; the jobs after it are still drawn, and the error
        names every job that failed. Failed jobs are left in place.
    """
    import warnings

    folder = Path(folder)
    if not folder.is_dir():
        return []
    written: list[Path] = []
    failed: list[str] = []
    for job in sorted(folder.glob("*.pickle")):
        try:
            files, seen = render_figure_job(job)
        except Exception as exc:  # noqa: BLE001 - reported for every job below
            failed.append(f"{job.stem}: {type(exc).__name__}: {exc}")
            continue
        written += files
        for text in seen:
            if caught is None:
                warnings.warn(text, stacklevel=2)
            elif text not in caught:
                caught.append(text)
    if failed:
        raise FigureJobError("could not draw " + "; ".join(failed))
    with contextlib.suppress(OSError):
        folder.rmdir()
    return written


class FigureJobError(RuntimeError):
    """A figure job left by :func:`save_figure` could not be drawn."""


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
    return write_text(text, path)


def write_bytes(data: bytes, path) -> Path:
    """Write bytes to a file, atomically.

    Parameters
    ----------
    data : bytes
        The content.
    path : str or Path
        The file to (re)write.

    Returns
    -------
    Path
    """
    path = Path(path)
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return path


def write_text(text: str, path, *, encoding: str = "utf-8") -> Path:
    """Write text to a file (``\\n`` line ends), atomically.

    Parameters
    ----------
    text : str
        The content.
    path : str or Path
        The file to (re)write.
    encoding : str, default "utf-8"
        Text encoding.

    Returns
    -------
    Path
    """
    path = Path(path)
    with atomic_write(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)
    return path


def copy_file(source, path) -> Path:
    """Copy a file, atomically (the copy appears complete or not at all).

    Parameters
    ----------
    source : str or Path
        The file to copy.
    path : str or Path
        The copy to (re)write.

    Returns
    -------
    Path
    """
    path = Path(path)
    with open(source, "rb") as src, atomic_write(path, "wb") as fh:
        shutil.copyfileobj(src, fh, 1 << 20)
    return path


def save_briefing(pack, out, *, folder: str = "briefing") -> list[Path]:
    """Write a briefing pack (from :func:`tifa.report.briefing.build_pack`) to ``out/<folder>/``.

    Writes the copied figure files, ``briefing.html``, ``briefing.pptx``, ``tables.xlsx`` and,
    last, ``manifest.csv`` (with each file's size in bytes), every one atomically. Files that
    the previous ``manifest.csv`` listed and the new pack no longer has are removed, so a
    re-run leaves exactly the new pack; files the pack never listed are never touched.

    Parameters
    ----------
    pack : tifa.report.briefing.Pack
        The assembled pack: ``html`` (str), ``pptx`` and ``xlsx`` (bytes), ``copies`` (list of
        (source path, path in the pack)) and ``manifest`` (DataFrame with a ``file`` column).
    out : str or Path
        The output folder.
    folder : str, default "briefing"
        Sub-folder of ``out`` holding the pack.

    Returns
    -------
    list of Path
        Every file written, ``manifest.csv`` last.
    """
    import pandas as pd

    root = Path(out) / _check_name(folder, "folder")
    old_manifest = root / "manifest.csv"
    previous: list[str] = []
    if old_manifest.is_file():
        try:
            previous = pd.read_csv(old_manifest, encoding=CSV_ENCODING)["file"].astype(str).tolist()
        except (OSError, ValueError, KeyError):
            previous = []
    written: list[Path] = []
    for source, rel in pack.copies:
        written.append(copy_file(source, _inside(root, rel)))
    contents = {"briefing.html": pack.html.encode("utf-8"), "briefing.pptx": pack.pptx,
                "tables.xlsx": pack.xlsx}
    for rel, data in contents.items():
        if data is not None:
            written.append(write_bytes(data, root / rel))
    manifest = pack.manifest.copy()
    sizes = {p.relative_to(root).as_posix(): p.stat().st_size for p in written}
    manifest["bytes"] = manifest["file"].map(sizes).astype("Int64")
    path = root / "manifest.csv"
    with atomic_write(path, "w", encoding=CSV_ENCODING, newline="") as fh:
        manifest.to_csv(fh, index=False, lineterminator="\n")
    written.append(path)
    keep = set(manifest["file"].astype(str)) | {"manifest.csv"}
    for rel in previous:
        if rel in keep:
            continue
        try:
            stale = _inside(root, rel)
        except ValueError:
            continue
        if stale.is_file():
            stale.unlink()
            parent = stale.parent
            while parent != root and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    return written


def _inside(root: Path, rel: str) -> Path:
    """``root / rel``, refusing paths that leave ``root``."""
    rel_path = Path(rel)
    if rel_path.is_absolute() or ".." in rel_path.parts or not rel_path.parts:
        raise ValueError(f"pack files must be relative paths inside the pack, got {rel!r}")
    return root / rel_path
