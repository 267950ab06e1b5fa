"""Read a corpus: a folder of files, a single file, or a table of documents -> the
documents table (:data:`tifa.schemas.DOCUMENTS`) and the ingest report
(:data:`tifa.schemas.INGEST`).

Each document is read by :mod:`tifa.ingest.readers` (decoding, file formats), cleaned by
:func:`tifa.ingest.clean.clean_text` and described by :func:`tifa.ingest.metadata.extract_metadata`;
metadata a user supplies (table columns, a manifest) wins over what the text says.

Bad input never sinks the run: every file (or table row) looked at gets one row in the
report, ``ok``, ``duplicate`` or ``skipped`` with a reason a person understands. Only a corpus
with nothing readable at all raises :class:`EmptyCorpusError`.

Document ids
------------
``doc_id`` is stable and readable, and depends on file names only, never on contents:

* a file's id is its path relative to the corpus folder without the extension, ``/`` kept
  (``sub/000_abc``); for a single file given as ``source`` it is the file's stem;
* when several files share that id (``a.docx`` and ``a.txt``), the first in sorted order keeps
  it (``a``) and the later ones keep their extension (``a.txt``);
* a table row's id is ``<table path without extension>/<row id>``, the row id coming from
  the table's ``doc_id`` or ``id`` column, else the 1-based row number (``reports/3``);
* should an id still be taken, ``~2``, ``~3`` ... is appended.

Duplicates
----------
Two inputs are duplicates when their cleaned texts are equal once all white space is removed
(``sha256`` is the hash of exactly that; see :func:`fingerprint`), so the same report saved as
``.txt`` and as a re-wrapped copy counts once. The first in sorted order is kept; the later
gets status ``duplicate``, the reason ``same text as <source of the first>`` and, in the report,
the ``doc_id`` of the document kept.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import numpy as np
import pandas as pd

from tifa.schemas import CLEANING, DOCUMENTS, INGEST, METADATA
from tifa.ingest import chrome as _chrome
from tifa.ingest.clean import clean_lines, join_lines
from tifa.ingest.divisions import normalise_region
from tifa.ingest.metadata import FIELDS, extract_metadata, genre_of, parse_published, region_of
from tifa.ingest.readers import (TABLE_FORMATS, TEXT_FORMATS, ReadError, read_document,
                                 read_html_page, read_table)

__all__ = ["Ingest", "EmptyCorpusError", "read_corpus", "fingerprint", "folder_skip_reason",
           "unique_labels", "make_labels", "DEFAULT_INCLUDE"]

#: File types read by default (extensions without the dot).
DEFAULT_INCLUDE = ("txt", "md", "docx", "pdf", "html", "htm", "csv", "xlsx", "parquet")

#: Column names taken as a table's text column, in order of preference (case-insensitive).
TEXT_COLUMN_NAMES = ("text", "content", "body", "full_text", "fulltext", "正文", "全文", "内容", "文本")
#: Column names giving a table row's document id (case-insensitive).
ID_COLUMN_NAMES = ("doc_id", "id", "编号")
#: Column names of a manifest naming the file a row describes (case-insensitive).
FILE_COLUMN_NAMES = ("file", "filename", "source", "path", "文件", "文件名")
#: Column names (case-insensitive) recognised as the user-supplied metadata fields.
METADATA_ALIASES = {
    "genre": ("genre", "文种", "体裁", "文体"),
    "title": ("title", "标题", "题目", "题名"),
    "agency": ("agency", "单位", "机关", "发文机关", "发布机关", "发文单位", "部门"),
    "region": ("region", "地区", "区域"),
    "year": ("year", "年份", "年度"),
    "date": ("date", "日期", "成文日期", "落款日期"),
    "speaker": ("speaker", "报告人"),
    "doc_number": ("doc_number", "文号", "发文字号"),
    "source_outlet": ("source_outlet", "来源", "信息来源", "媒体"),
    "published": ("published", "发布时间", "发布日期"),
    "label": ("label", "标签"),
}
#: Column names (case-insensitive) of a place at one level. Without a ``region`` column they
#: fill ``region``: the city, else the county, else the province of the row (广东 -> 广东省).
PLACE_COLUMNS = {
    "city": ("city", "城市", "地市", "市", "地级市"),
    "county": ("county", "district", "区县", "县区", "县", "区"),
    "province": ("province", "省份", "省", "省区"),
}
#: A string column counts as the text column of a table (when no column is named like one)
#: if its mean length in characters is at least this.
MIN_MEAN_TEXT_CHARS = 200
#: Labels made from titles are cut to this many characters.
LABEL_CHARS = 16

_EXTRACTED = FIELDS
_EXTRA_STRINGS = ("genre", "speaker", "doc_number", "source_outlet", "published")
_STRING_DOC_COLUMNS = ("doc_id", "source", "format", "encoding", "sha256", "genre", "title",
                       "agency", "region", "speaker", "doc_number", "source_outlet", "published",
                       "label", "raw_text", "text")
_USUAL_ENCODINGS = {"utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be",
                    "gb18030", "docx", "pdf", "xlsx", "parquet"}
_WHITESPACE = re.compile(r"\s+")


class _Pair(NamedTuple):
    documents: pd.DataFrame
    report: pd.DataFrame


class Ingest(_Pair):
    """What :func:`read_corpus` returns: ``documents, report = read_corpus(...)``.

    Attributes
    ----------
    documents : DataFrame
        One row per accepted document, columns :data:`tifa.schemas.DOCUMENTS` then any extra
        metadata columns.
    report : DataFrame
        One row per input looked at, columns :data:`tifa.schemas.INGEST`.
    cleaning : DataFrame
        One row per line taken out of a document's text as page chrome, columns
        :data:`tifa.schemas.CLEANING` (not part of the unpacked pair).
    """

    def __new__(cls, documents: pd.DataFrame, report: pd.DataFrame,
                cleaning: pd.DataFrame | None = None):
        self = super().__new__(cls, documents, report)
        self.cleaning = cleaning if cleaning is not None else _cleaning_frame([])
        return self


class EmptyCorpusError(ValueError):
    """Nothing readable in the corpus. ``report`` holds the ingest report all the same.

    Parameters
    ----------
    message : str
        One sentence saying what was found.
    report : DataFrame
        The ingest report (columns :data:`tifa.schemas.INGEST`), possibly empty.
    """

    def __init__(self, message: str, report: pd.DataFrame):
        super().__init__(message)
        self.report = report


def fingerprint(text: str) -> str:
    """SHA-256 (hex) of ``text`` with all white space removed: the duplicate-detection key.

    Parameters
    ----------
    text : str
        A cleaned text.

    Returns
    -------
    str
        64 hex digits; equal for texts that differ only in white space (line wrapping,
        indentation, line endings).
    """
    return hashlib.sha256(_WHITESPACE.sub("", text).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- small helpers

def _missing(value: Any) -> bool:
    """True for None, NaN, NA and NaT (scalars only; anything else is a value)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return value != value
    try:
        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(result, (bool, np.bool_)) and bool(result)


def _text_value(value: Any) -> str | None:
    """A non-empty stripped string, or None."""
    if _missing(value):
        return None
    text = str(value).strip()
    return text or None


def _id_text(value: Any) -> str | None:
    """A row id as text: ``3.0`` from a spreadsheet becomes ``3``."""
    if isinstance(value, float) and not _missing(value) and value.is_integer():
        value = int(value)
    return _text_value(value)


def _parse_year(value: Any) -> int | None:
    if _missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:  # numpy integers
        if float(value).is_integer() and not isinstance(value, str):
            return int(value)
    except (TypeError, ValueError):
        pass
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", str(value))
    return int(match.group(1)) if match else None


_CN_DATE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")


def _stamp(value: Any) -> pd.Timestamp | None:
    """A timezone-naive Timestamp at day precision within datetime64[ns] range, or None."""
    try:
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        return stamp.as_unit("ns").normalize()
    except (ValueError, TypeError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        return None


def _parse_date(value: Any) -> pd.Timestamp | None:
    if _missing(value):
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return _stamp(value)
    text = str(value).strip()
    match = _CN_DATE.fullmatch(text)
    if match:
        try:
            return _stamp(_dt.date(*(int(g) for g in match.groups())))
        except ValueError:
            return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            stamp = pd.to_datetime(text, errors="coerce")
        except (ValueError, TypeError, OverflowError):
            return None
    return None if _missing(stamp) else _stamp(stamp)


def _size(n: float) -> str:
    """Bytes as a short human number: ``812 bytes``, ``3.4 kB``, ``25.3 MB``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{int(n)} bytes"


def _over_limit(kind: str, n: int, max_bytes: int) -> str:
    return f"{kind} is {_size(n)}, over the {_size(max_bytes)} limit (max_bytes)"


def _find_column(columns: Iterable[str], names: Iterable[str]) -> str | None:
    """The first column whose name matches one of ``names`` (case-insensitive, in ``names`` order)."""
    lower: dict[str, str] = {}
    for col in columns:
        lower.setdefault(str(col).strip().lower(), col)
    for name in names:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def _metadata_columns(columns: Iterable[str],
                      column_fields: dict[str, str | None] | None = None) -> dict[str, str]:
    """Map each user column naming a metadata field (or a place level) to it (first match wins);
    ``column_fields`` ({column: field or None}) overrides the names."""
    columns = list(columns)
    given = dict(column_fields or {})
    mapping: dict[str, str] = {c: f for c, f in given.items() if c in columns and f}
    for field, aliases in {**METADATA_ALIASES, **PLACE_COLUMNS}.items():
        if field in mapping.values():
            continue
        col = _find_column([c for c in columns if c not in mapping and c not in given], aliases)
        if col is not None:
            mapping[col] = field
    return mapping


def _extra_name(column: str) -> str:
    """Extra metadata columns keep their names, unless a fixed column has it (then ``user_``)."""
    return f"user_{column}" if column in DOCUMENTS else column


def _user_fields(values: dict[str, Any], where: str,
                 column_fields: dict[str, str | None] | None = None,
                 ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Split user-supplied values into metadata fields, extra columns and notes.

    ``values`` maps column name -> value for one file or row; missing values supply nothing.
    """
    meta: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    notes: list[str] = []
    places: dict[str, str] = {}
    fields = _metadata_columns(values, column_fields)
    for col, value in values.items():
        field = fields.get(col)
        if field is None or str(col).strip().lower() != field or field in PLACE_COLUMNS:
            # a column keeps its own name, so it can be grouped by; one naming a metadata field
            # under another name (省份, 年份 ...) also fills that field (region, year ...)
            extras[_extra_name(str(col))] = None if _missing(value) else value
        if field is None:
            continue
        if _missing(value) or (isinstance(value, str) and not value.strip()):
            continue
        if field == "year":
            parsed = _parse_year(value)
        elif field == "date":
            parsed = _parse_date(value)
        elif field == "published":
            parsed = parse_published(value)
        elif field == "genre":
            parsed = genre_of(_text_value(value))
        else:
            parsed = _text_value(value)
        if parsed is None:
            notes.append(f"{where} {field} {str(value)!r} not understood; ignored")
        elif field in PLACE_COLUMNS:
            places[field] = parsed
        else:
            meta[field] = normalise_region(parsed) if field == "region" else parsed
    if "region" not in meta:
        for level in ("city", "county", "province"):
            if level in places:
                meta["region"] = normalise_region(places[level])
                break
    return meta, extras, notes


# --------------------------------------------------------------------------- listing inputs

class _Entry(NamedTuple):
    rel: str            # path relative to the corpus root, posix; folders end in "/"
    path: Path | None
    skip: str | None    # reason when the entry is not read


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _is_tifa_json(path: Path, keys: tuple[str, ...]) -> bool:
    """True if ``path`` is a JSON object holding one of ``keys`` (a tifa run or stage record)."""
    try:
        if not path.is_file() or path.stat().st_size > 50_000_000:
            return False
        import json

        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and any(k in record for k in keys)


def folder_skip_reason(folder: str | os.PathLike, *, exclude: Iterable[str | os.PathLike] = ()) -> str | None:
    """Why a sub-folder of a corpus folder is not looked into (None: it is read).

    Not read: hidden folders (name starting with ``.``), the folders in ``exclude`` (the
    output folder of the run) and any tifa output folder, i.e. one holding a tifa ``run.json``
    or ``data/stage.json``, so that a run never reads its own (or an earlier run's) figures,
    tables and stage files as reports. :func:`tifa.runner.stages.corpus_fingerprint` and
    :func:`tifa.runner.pipeline.hash_inputs` skip the same folders.

    Parameters
    ----------
    folder : path
        A folder inside the corpus.
    exclude : iterable of path, default ()
        Folders never read, compared after resolving symbolic links.

    Returns
    -------
    str or None
        A reason a person understands, for the ingest report.
    """
    folder = Path(folder)
    if folder.name.startswith("."):
        return "hidden folder (not looked into)"
    for other in exclude:
        if other is not None and _same_file(folder, Path(other)):
            return "the output folder of this run: not read as part of the corpus"
    if _is_tifa_json(folder / "run.json", ("tifa_version",)):
        return "tifa output folder (holds run.json): not read as part of the corpus"
    if _is_tifa_json(folder / "data" / "stage.json", ("stage_version",)):
        return "tifa output folder (holds data/stage.json): not read as part of the corpus"
    return None


def _list_folder(root: Path, *, recursive: bool, include: set[str], manifest: Path | None,
                 exclude: tuple[Path, ...] = ()) -> list[_Entry]:
    entries: list[_Entry] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        rel = _rel(where, root) if where != root else "."
        entries.append(_Entry(rel.rstrip("/") + "/", None, f"cannot open folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            reason = folder_skip_reason(here / name, exclude=exclude)
            if reason is not None:
                entries.append(_Entry(_rel(here / name, root) + "/", None, reason))
            elif recursive:
                keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            path = here / name
            entries.append(_Entry(_rel(path, root), path, _skip_reason(path, include, manifest)))
    entries.sort(key=lambda e: e.rel)
    return entries


def _skip_reason(path: Path, include: set[str] | None, manifest: Path | None) -> str | None:
    """Why a listed file is not read (None: read it). ``include=None`` means the file was named
    explicitly: read it whatever its name, if a reader knows its type."""
    name = path.name
    if include is not None and (name.startswith(".") or name.startswith("~$")):
        return "hidden/temporary file"
    if manifest is not None and _same_file(path, manifest):
        return "the manifest (metadata for other files, not a document)"
    ext = path.suffix.lower().lstrip(".")
    if ext not in TEXT_FORMATS and ext not in TABLE_FORMATS:
        return f"not a supported document type (.{ext})" if ext else "not a supported document type (no file extension)"
    if include is not None and ext not in include:
        return f"file type .{ext} is not in include="
    try:
        if not path.is_file():
            return "not a regular file"
    except OSError as exc:
        return f"cannot open: {exc.strerror or exc}"
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _file_doc_ids(rels: list[str]) -> dict[str, str]:
    """Ids for the files to read (sorted): path without extension, the extension kept on later
    files sharing that id."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for rel in rels:
        suffix = Path(rel).suffix
        stem = rel[: -len(suffix)] if suffix else rel
        doc_id = stem if stem not in taken else rel
        taken.add(doc_id)
        ids[rel] = doc_id
    return ids


# --------------------------------------------------------------------------- the manifest

def _manifest_key(value: Any) -> str | None:
    text = _text_value(value)
    if text is None:
        return None
    text = text.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


def _read_manifest(manifest: str | os.PathLike, rels: list[str], report: list[dict]) -> dict[str, dict[str, Any]]:
    """User values per file (rel -> {column: value}); unmatched rows and problems go to ``report``."""
    name = str(manifest)
    try:
        table, _ = read_table(manifest)
    except ReadError as exc:
        report.append(_row(name, status="skipped", reason=f"manifest not read: {exc.reason}"))
        return {}
    except Exception as exc:  # never let the manifest sink the run
        report.append(_row(name, status="skipped", reason=f"manifest not read: {type(exc).__name__}: {exc}"))
        return {}
    file_col = _find_column(table.columns, FILE_COLUMN_NAMES)
    if file_col is None:
        cols = ", ".join(map(str, table.columns))
        report.append(_row(name, status="skipped",
                           reason=f"manifest has no file column (columns: {cols}); name it file"))
        return {}

    by_rel = {rel: [rel] for rel in rels}
    by_stem_rel: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    by_stem: dict[str, list[str]] = {}
    for rel in rels:
        path = Path(rel)
        by_stem_rel.setdefault(path.with_suffix("").as_posix(), []).append(rel)
        by_name.setdefault(path.name, []).append(rel)
        by_stem.setdefault(path.stem, []).append(rel)

    values: dict[str, dict[str, Any]] = {}
    others = [c for c in table.columns if c != file_col]
    for n, record in enumerate(table.to_dict("records"), start=1):
        key = _manifest_key(record[file_col])
        matches: list[str] = []
        if key is not None:
            for lookup in (by_rel, by_stem_rel, by_name, by_stem):
                matches = lookup.get(key, [])
                if matches:
                    break
        if not matches:
            report.append(_row(key or f"{Path(name).name}#row={n}", status="skipped",
                               reason=f"manifest row matches no file (row {n} of {Path(name).name})"))
            continue
        for rel in matches:
            values.setdefault(rel, {}).update({c: record[c] for c in others})
    return values


# --------------------------------------------------------------------------- building rows

def _row(source: str, *, status: str, reason: str = "", notes: str = "", doc_id: str | None = None,
         fmt: str | None = None, encoding: str | None = None, nbytes: int | None = None) -> dict:
    return {"source": source, "doc_id": doc_id, "status": status, "reason": reason, "notes": notes,
            "format": fmt, "encoding": encoding, "bytes": nbytes}


_TITLE_YEAR = re.compile(r"^(?:(?:19|20)\d\d|[〇零○一二三四五六七八九]{4})年度?|(?:19|20)\d\d年度?$")
_TITLE_FORM = re.compile(r"^关于|(?:的)?(?:情况)?(?:的)?(?:报告|通知|意见|汇报|总结)$")
_GENRE_TAG = {"政府工作报告": "工作报告", "法治政府建设情况报告": "法治报告"}
_KIND = re.compile(r"(通知|意见|办法|决定|规定|细则|方案|批复|通报|通告|公告|函|决议|条例|纲要|规划|要点)$")


def _short_title(title: str, common: tuple[str, str]) -> str:
    """The distinctive part of a title: the corpus's shared start and end, a year and the
    genre's wording (关于…的通知, …工作报告) taken off, cut to LABEL_CHARS."""
    prefix, suffix = common
    t = title
    if prefix and len(t) - len(prefix) >= 2:
        t = t[len(prefix):]
    if suffix and len(t) - len(suffix) >= 2:
        t = t[: len(t) - len(suffix)]
    for rx in (_TITLE_YEAR, _TITLE_FORM, _TITLE_YEAR):
        shorter = rx.sub("", t).strip("的 ")
        if len(shorter) >= 2:
            t = shorter
    return t if len(t) <= LABEL_CHARS else t[: LABEL_CHARS - 1] + "…"


def _common_ends(titles: list[str]) -> tuple[str, str]:
    """The start and end shared by all ``titles`` (empty when fewer than two)."""
    if len(titles) < 2:
        return "", ""
    prefix = os.path.commonprefix(titles)
    suffix = os.path.commonprefix([t[::-1] for t in titles])[::-1]
    return prefix, suffix


def _agency_name(agency: str | None, region: str | None) -> str | None:
    """An agency as a label says it: 济南市司法局, 青岛市市南区 (人民政府 dropped), 山东省."""
    if not agency:
        return None
    name = agency.split("、")[0]
    if name.endswith("人民政府") and len(name) > 4:
        name = name[: -len("人民政府")]
    at = name.find(region) if region else -1
    if at > 0 and region_of(name[:at]):  # a leading province before the city: 山东省济南市… -> 济南市…
        name = name[at:]
    return name


def make_labels(documents: pd.DataFrame) -> pd.Series:
    """Short, telling, unique chart labels for the documents table.

    The rules, in order:

    1. a label the user supplied (a ``label`` column) is kept;
    2. ``"region year"`` when both are known (``山东省 2026``);
    3. else the distinctive part of the title: what all such titles share at their start and
       end, a leading or trailing year and the genre's wording (``关于…的通知``, ``…的报告``) taken
       off, cut to :data:`LABEL_CHARS` characters (``…``);
    4. else the ``doc_id``.

    Documents that would share a label from rule 2 are told apart by their agency
    (``济南市司法局 2023``, ``济南市生态环境局 2023``), then by their genre or 公文 kind
    (``山东省 2024 意见``); a label still taken gets `` (2)``, `` (3)`` … (:func:`unique_labels`).

    Parameters
    ----------
    documents : DataFrame
        Needs ``doc_id``; uses ``label`` (user-supplied, may be missing), ``region``, ``year``,
        ``title``, ``agency`` and ``genre`` when present. Not modified.

    Returns
    -------
    Series
        String labels, unique, aligned with ``documents``.
    """
    def col(name):
        return documents[name] if name in documents.columns else pd.Series([None] * len(documents),
                                                                         index=documents.index)

    given, region, year, title = col("label"), col("region"), col("year"), col("title")
    agency, genre = col("agency"), col("genre")
    titles_only = [str(t) for t, r, y, g in zip(title, region, year, given)
                   if not _missing(t) and _missing(g) and (_missing(r) or _missing(y))]
    common = _common_ends(titles_only)
    base: list[str] = []
    by_place: list[bool] = []
    for doc_id, g, r, y, t in zip(documents["doc_id"], given, region, year, title):
        if not _missing(g):
            base.append(str(g)); by_place.append(False)
        elif not _missing(r) and not _missing(y):
            base.append(f"{r} {int(y)}"); by_place.append(True)
        elif not _missing(t):
            base.append(_short_title(str(t), common)); by_place.append(False)
        else:
            base.append(str(doc_id)); by_place.append(False)
    labels = list(base)
    counts = Counter(base)
    for k, (b, placed) in enumerate(zip(base, by_place)):
        if counts[b] > 1 and placed:
            name = _agency_name(None if _missing(agency.iloc[k]) else str(agency.iloc[k]),
                                None if _missing(region.iloc[k]) else str(region.iloc[k]))
            if name:
                labels[k] = f"{name} {int(year.iloc[k])}"
    counts = Counter(labels)
    for k, lab in enumerate(labels):
        if counts[lab] > 1 and by_place[k]:
            t = None if _missing(title.iloc[k]) else str(title.iloc[k])
            kind = _KIND.search(t or "")
            g = None if _missing(genre.iloc[k]) else str(genre.iloc[k])
            tag = kind.group(1) if kind and g == "通知/意见/办法" else _GENRE_TAG.get(g or "")
            if tag:
                labels[k] = f"{lab} {tag}"
    return unique_labels(pd.Series(labels, index=documents.index, dtype="string"))


def _extracted(text: str, chrome: list[str] | None = None) -> tuple[dict[str, Any], list[str], str | None]:
    """Metadata from the text (and its page chrome): (fields, names not found, error note)."""
    try:
        found = extract_metadata(text, chrome=chrome) or {}
    except Exception as exc:
        return {}, list(_EXTRACTED), f"metadata extraction failed ({type(exc).__name__}: {exc})"
    meta = {
        "title": _text_value(found.get("title")),
        "agency": _text_value(found.get("agency")),
        "region": _text_value(found.get("region")),
        "year": _parse_year(found.get("year")),
        "date": _parse_date(found.get("date")),
        **{f: _text_value(found.get(f)) for f in _EXTRA_STRINGS},
    }
    missing = found.get("missing")
    if missing is None:
        missing = [f for f in _EXTRACTED if meta[f] is None]
    missing = [f for f in missing if f in _EXTRACTED or f in _EXTRA_STRINGS]
    return meta, missing, None


class _Pending(NamedTuple):
    """An accepted input waiting for the corpus-wide chrome pass."""

    source: str
    doc_id: str
    raw: str
    lines: list            # clean.Line records
    marks: dict            # {line index: rule}
    fmt: str
    encoding: str
    nbytes: int | None
    user: dict
    extras: dict
    notes: list
    row: int               # index of its (placeholder) row in the report


class _Collector:
    """Accumulates documents and report rows; knows the texts and ids seen so far.

    Inputs are read and their lines cleaned one by one (:meth:`accept`); the page chrome that
    only the whole corpus shows (lines repeated across documents) is found in :meth:`finish`,
    which then builds each text, drops duplicates and reads the metadata.
    """

    def __init__(self, *, chrome_min_docs: int = _chrome.MIN_DOCS) -> None:
        self.docs: list[dict[str, Any]] = []
        self.extras: dict[str, None] = {}  # ordered set of extra column names
        self.report: list[dict[str, Any] | None] = []
        self.pending: list[_Pending] = []
        self.cleaning: list[dict[str, Any]] = []
        self.seen: dict[str, tuple[str, str]] = {}  # fingerprint -> (source, doc_id)
        self.ids: set[str] = set()
        self.min_docs = chrome_min_docs
        self.rules = _chrome.load_rules()

    def skip(self, source: str, reason: str, **kw: Any) -> None:
        self.report.append(_row(source, status="skipped", reason=reason, **kw))

    def unique_id(self, doc_id: str) -> str:
        if doc_id in self.ids:
            k = 2
            while f"{doc_id}~{k}" in self.ids:
                k += 1
            doc_id = f"{doc_id}~{k}"
        self.ids.add(doc_id)
        return doc_id

    def accept(self, *, source: str, doc_id: str, raw: str, fmt: str, clean_fmt: str, encoding: str,
               nbytes: int | None, user: dict[str, Any], extras: dict[str, Any], notes: list[str],
               html_marks: dict[int, str] | None = None) -> None:
        info = {"fmt": fmt, "encoding": encoding, "nbytes": nbytes}
        try:
            lines = clean_lines(raw, fmt=clean_fmt)
            texts = [rec.text for rec in lines]
            marks = _chrome.known_chrome(texts, self.rules)
            if html_marks:
                for k, rec in enumerate(lines):
                    if k not in marks and rec.line_no in html_marks \
                            and not _chrome.is_protected(rec.text):
                        marks[k] = html_marks[rec.line_no]
            marks.update(_chrome.edge_chrome(texts, marks))
        except Exception as exc:
            self.skip(source, f"cleaning failed ({type(exc).__name__}: {exc})", **info)
            return
        if len(marks) >= len(lines):
            self.skip(source, "no text after cleaning" if not lines
                      else "no text after cleaning (only page chrome)", **info)
            return
        self.pending.append(_Pending(source, doc_id, raw, lines, marks, fmt, encoding, nbytes,
                                     user, extras, list(notes), len(self.report)))
        self.report.append(None)  # filled in by finish(), in reading order

    def finish(self) -> None:
        """Find the corpus's repeated chrome, then build every pending document."""
        repeated = _chrome.repeated_chrome([[r.text for r in p.lines] for p in self.pending],
                                           min_docs=self.min_docs,
                                           marked=[p.marks for p in self.pending])
        for pend, more in zip(self.pending, repeated):
            marks = {**pend.marks, **more}
            try:
                self._build(pend, marks)
            except Exception as exc:  # one bad document never sinks the run
                self.report[pend.row] = _row(pend.source, status="skipped",
                                             reason=f"cleaning failed ({type(exc).__name__}: {exc})",
                                             fmt=pend.fmt, encoding=pend.encoding, nbytes=pend.nbytes)
        self.pending = []

    def _build(self, pend: _Pending, marks: dict[int, str]) -> None:
        info = {"fmt": pend.fmt, "encoding": pend.encoding, "nbytes": pend.nbytes}
        kept = [rec for k, rec in enumerate(pend.lines) if k not in marks]
        text = join_lines(kept)
        if not text.strip():
            self.report[pend.row] = _row(pend.source, status="skipped",
                                         reason="no text after cleaning", **info)
            return
        key = fingerprint(text)
        if key in self.seen:
            first_source, first_id = self.seen[key]
            self.report[pend.row] = _row(pend.source, status="duplicate",
                                         reason=f"same text as {first_source}", doc_id=first_id,
                                         **info)
            return
        doc_id = self.unique_id(pend.doc_id)
        self.seen[key] = (pend.source, doc_id)
        removed = sorted(marks)
        for k in removed:
            rec = pend.lines[k]
            self.cleaning.append({"doc_id": doc_id, "line_no": rec.line_no, "line": rec.source,
                                  "rule": marks[k]})

        meta, not_found, error = _extracted(text, [pend.lines[k].text for k in removed])
        user = pend.user
        notes = list(pend.notes)
        if removed:
            rules = Counter(marks[k] for k in removed)
            notes.append(f"removed {len(removed)} chrome line{'s' if len(removed) != 1 else ''} ("
                         + ", ".join(f"{r} {n}" for r, n in rules.most_common()) + ")")
        if pend.encoding not in _USUAL_ENCODINGS:
            notes.append(f"unusual encoding {pend.encoding}: check that the text reads right")
        if error:
            notes.append(error)
        not_found = [f for f in not_found if f not in user]
        if not_found:
            notes.append("metadata not found in text: " + ", ".join(not_found))
        meta.update({k: v for k, v in user.items() if k in METADATA})
        if "genre" not in user and meta.get("genre") is None:
            meta["genre"] = "其他"

        doc = {
            "doc_id": doc_id, "source": pend.source, "format": pend.fmt, "encoding": pend.encoding,
            "sha256": key, **{f: meta.get(f) for f in METADATA if f != "label"},
            "label": user.get("label"),
            "n_chars": len(text), "n_tokens": None, "raw_text": pend.raw, "text": text,
        }
        for col, value in pend.extras.items():
            self.extras.setdefault(col, None)
            doc[col] = value
        self.docs.append(doc)
        self.report[pend.row] = _row(pend.source, status="ok", doc_id=doc_id,
                                     notes="; ".join(notes), **info)


def _merge_user(*layers: tuple[dict, dict, list]) -> tuple[dict, dict, list]:
    meta: dict = {}
    extras: dict = {}
    notes: list = []
    for m, e, n in layers:
        meta.update(m)
        extras.update({k: v for k, v in e.items() if v is not None or k not in extras})
        notes.extend(n)
    return meta, extras, notes


def _read_file(entry: _Entry, doc_id: str, fmt: str, out: _Collector, *, max_bytes: int,
               user: tuple[dict, dict, list]) -> None:
    size = entry.path.stat().st_size
    if size > max_bytes:
        out.skip(entry.rel, _over_limit("file", size, max_bytes), fmt=fmt, nbytes=size)
        return
    marks = None
    try:
        if fmt == "html":
            raw, encoding, marks = read_html_page(entry.path)
        else:
            raw, encoding = read_document(entry.path)
    except ReadError as exc:
        out.skip(entry.rel, exc.reason, fmt=fmt, nbytes=size)
        return
    meta, extras, notes = user
    out.accept(source=entry.rel, doc_id=doc_id, raw=raw, fmt=fmt, clean_fmt=fmt, encoding=encoding,
               nbytes=size, user=meta, extras=extras, notes=notes, html_marks=marks)


def _text_column(table: pd.DataFrame, text_column: str | None) -> str | None:
    if text_column is not None:
        if text_column in table.columns:
            return text_column
        return _find_column(table.columns, [text_column])
    named = _find_column(table.columns, TEXT_COLUMN_NAMES)
    if named is not None:
        return named
    best, best_len = None, 0.0
    for col in table.columns:
        values = [v for v in table[col].tolist() if isinstance(v, str)]
        if not values:
            continue
        mean = sum(len(v) for v in values) / len(values)
        if mean > best_len:
            best, best_len = col, mean
    return best if best_len >= MIN_MEAN_TEXT_CHARS else None


def _read_table_file(entry: _Entry, fmt: str, out: _Collector, *, text_column: str | None,
                     max_bytes: int, user: tuple[dict, dict, list],
                     column_fields: dict[str, str | None] | None = None) -> None:
    size = entry.path.stat().st_size
    try:
        table, encoding = read_table(entry.path)
    except ReadError as exc:
        out.skip(entry.rel, exc.reason, fmt=fmt, nbytes=size)
        return
    info = {"fmt": fmt, "encoding": encoding, "nbytes": size}
    cols = ", ".join(map(str, table.columns))
    col = _text_column(table, text_column)
    if col is None:
        if text_column is not None:
            reason = f"text_column {text_column!r} is not a column of this table (columns: {cols})"
        else:
            reason = f"no text column found (columns: {cols}); name it with text_column="
        out.skip(entry.rel, reason, **info)
        return
    if table.empty:
        out.skip(entry.rel, "table has no rows", **info)
        return
    id_col = _find_column([c for c in table.columns if c != col], ID_COLUMN_NAMES)
    others = [c for c in table.columns if c not in (col, id_col)]
    suffix = Path(entry.rel).suffix
    table_id = entry.rel[: -len(suffix)] if suffix else entry.rel

    for n, record in enumerate(table.to_dict("records"), start=1):
        source = f"{entry.rel}#row={n}"
        value = record[col]
        raw = None if _missing(value) else str(value)
        row_info = {"fmt": fmt, "encoding": encoding}
        if raw is None or not raw.strip():
            out.skip(source, "empty text cell", nbytes=0, **row_info)
            continue
        nbytes = len(raw.encode("utf-8", "surrogatepass"))
        if nbytes > max_bytes:
            out.skip(source, _over_limit("text", nbytes, max_bytes), nbytes=nbytes, **row_info)
            continue
        row_id = _id_text(record[id_col]) if id_col is not None else None
        doc_id = f"{table_id}/{row_id if row_id is not None else n}"
        meta, extras, notes = _merge_user(user, _user_fields({c: record[c] for c in others}, "table",
                                                             column_fields))
        out.accept(source=source, doc_id=doc_id, raw=raw, fmt=fmt, clean_fmt="txt", encoding=encoding,
                   nbytes=nbytes, user=meta, extras=extras, notes=notes)


# --------------------------------------------------------------------------- result tables

def _report_frame(rows: list[dict]) -> pd.DataFrame:
    report = pd.DataFrame.from_records(rows, columns=INGEST)
    for col in INGEST:
        if col != "bytes":
            report[col] = report[col].astype("string")
    report["bytes"] = pd.array([None if _missing(v) else int(v) for v in report["bytes"]], dtype="Int64")
    for col in ("reason", "notes"):
        report[col] = report[col].fillna("")
    return report


def _cleaning_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=CLEANING)
    frame["doc_id"] = frame["doc_id"].astype("string")
    frame["line_no"] = frame["line_no"].astype("int64")
    frame["line"] = frame["line"].astype("string")
    frame["rule"] = frame["rule"].astype("string")
    return frame


def unique_labels(labels: pd.Series) -> pd.Series:
    """Make chart labels unique: the second ``聊城市 2022`` becomes ``聊城市 2022 (2)``, and so on.

    Labels name single documents in charts (``by="label"``), so two reports must never share one.
    """
    seen: Counter = Counter()
    out = []
    taken = set(labels.dropna())
    for value in labels:
        seen[value] += 1
        if seen[value] == 1:
            out.append(value)
            continue
        n = seen[value]
        while f"{value} ({n})" in taken:
            n += 1
        new = f"{value} ({n})"
        taken.add(new)
        out.append(new)
    return pd.Series(out, index=labels.index, dtype="string")


def _documents_frame(docs: list[dict], extras: list[str]) -> pd.DataFrame:
    columns = DOCUMENTS + [c for c in extras if c not in DOCUMENTS]
    frame = pd.DataFrame.from_records(docs, columns=columns)
    for col in _STRING_DOC_COLUMNS:
        frame[col] = frame[col].astype("string")
    frame["year"] = pd.array([None if _missing(v) else int(v) for v in frame["year"]], dtype="Int64")
    frame["date"] = pd.Series([pd.NaT if _missing(v) else v for v in frame["date"]],
                              index=frame.index, dtype="datetime64[ns]")
    frame["n_chars"] = frame["n_chars"].astype("int64")
    frame["n_tokens"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["label"] = make_labels(frame)
    for col in columns[len(DOCUMENTS):]:
        values = frame[col]
        if not all(isinstance(v, str) or _missing(v) for v in values):
            values = values.infer_objects()
            if values.dtype != object:
                frame[col] = values
                continue
        # strings, or a mix of types (which Parquet could not store): text
        frame[col] = pd.Series([pd.NA if _missing(v) else str(v) for v in values],
                               index=frame.index, dtype="string")
    return frame


def _empty_message(source: str, rows: list[dict], n_files: int) -> str:
    if n_files == 0:
        return f"No readable documents in '{source}': it holds no files."
    reasons = Counter(r["reason"] for r in rows if r["status"] == "skipped" and r["reason"])
    top = ""
    if reasons:
        reason, _ = reasons.most_common(1)[0]
        top = f" ({reason}{' and other reasons' if len(reasons) > 1 else ''})"
    looked = "1 file looked at and skipped" if n_files == 1 else f"{n_files} files looked at, all skipped"
    return f"No readable documents in '{source}': {looked}{top} — see the ingest report."


# --------------------------------------------------------------------------- the entry point

def read_corpus(
    source: str | os.PathLike,
    *,
    text_column: str | None = None,
    manifest: str | os.PathLike | None = None,
    max_bytes: int = 20_000_000,
    recursive: bool = True,
    include: Iterable[str] = DEFAULT_INCLUDE,
    exclude: Iterable[str | os.PathLike] = (),
    chrome_min_docs: int = _chrome.MIN_DOCS,
    column_fields: dict[str, str | None] | None = None,
) -> Ingest:
    """Read a folder of reports, a single report, or a table of reports.

    Parameters
    ----------
    source : str or path-like
        A folder (walked in sorted order of relative path; tables found in it are read as
        tables of documents), a single document file, or a table file (``.csv``, ``.xlsx``,
        ``.parquet``) with one document per row. Hidden files and folders (name starting with
        ``.``) and Office lock files (``~$...``) are not read; each gets a ``skipped`` row.
        Files of other types get a ``skipped`` row too.
    text_column : str, optional
        Default None. The column holding the text in table inputs. When None it is detected:
        a column named ``text``, ``content``, ``body``, ``full_text``, ``正文``, ``全文``,
        ``内容`` or ``文本`` (case-insensitive), else the string column with the longest mean
        length if that is at least 200 characters. A table without one gets a ``skipped`` row.
        Of a table's other columns, ``doc_id``/``id`` gives the row's id, ``title``, ``agency``,
        ``region``, ``year``, ``date`` and ``label`` (and the aliases in
        :data:`METADATA_ALIASES`) override what is extracted from the text, and the rest are
        kept as extra columns of the documents table (prefixed ``user_`` if a fixed column has
        the name). An alias column keeps its own name as well (a ``省份`` column fills
        ``region`` and stays a ``省份`` column), so ``by=`` can name the column as the user
        knows it.
    manifest : str or path-like, optional
        Default None. A table (CSV, or .xlsx/.parquet) with a ``file`` column (or ``filename``,
        ``source``, ``path``) naming files of the corpus, matched against, in this order, the
        relative path, the relative path without extension, the file name, the file name
        without extension. Its other columns are metadata for those files, as for table
        columns (a table's own columns win over the manifest's). A relative manifest path is
        relative to the working directory. Rows matching no file get a ``skipped`` row
        "manifest row matches no file"; a manifest that cannot be read gets one ``skipped``
        row and is otherwise ignored.
    max_bytes : int
        Default 20_000_000. Files larger than this are not read (``skipped``). For table
        files the limit applies to each row's text (UTF-8 bytes), not to the table file.
    recursive : bool
        Default True. Walk sub-folders of a folder ``source``.
    include : iterable of str
        Default ``("txt", "md", "docx", "pdf", "html", "htm", "csv", "xlsx", "parquet")``.
        File extensions (without the dot, case-insensitive) read from a folder. Ignored for a
        single file given as ``source``.
    exclude : iterable of path-like
        Default (). Folders inside a folder ``source`` that are not read: the output folder of
        the run. Whatever ``exclude`` says, a folder holding a tifa ``run.json`` or
        ``data/stage.json`` (a tifa output folder) is not read either (see
        :func:`folder_skip_reason`); each skipped folder gets one ``skipped`` row saying why.
    chrome_min_docs : int
        Default 2. A line found verbatim at the top or bottom edge of at least this many
        documents is page chrome (:func:`tifa.ingest.chrome.repeated_chrome`; sentences,
        headings, titles, salutations and signatures never are); below 2 the rule is off. The
        known patterns of ``data/chrome.txt`` and the page-edge rules apply whatever it is.
    column_fields : dict or None
        Default None. Which user column (table or manifest) fills which field, overriding the
        names recognised (:data:`METADATA_ALIASES`, :data:`PLACE_COLUMNS`): ``{"所在地":
        "region"}`` makes a column fill ``region``, ``{"城市": None}`` stops 城市 from filling
        it (the column is kept under its own name either way). Fields: the keys of both.

    Returns
    -------
    Ingest
        ``(documents, report)``, and ``.cleaning``: every line taken out of a text as page
        chrome (:data:`tifa.schemas.CLEANING`). ``documents`` has the columns of
        :data:`tifa.schemas.DOCUMENTS` (string columns in pandas ``string`` dtype, ``year``
        and ``n_tokens`` ``Int64``, ``date`` ``datetime64[ns]``, ``n_tokens`` all missing
        until tokenization), then the extra metadata columns. ``report`` has the columns of
        :data:`tifa.schemas.INGEST`: one row per file, table row, folder not looked into or unmatched
        manifest row, in sorted order (manifest rows last); ``notes`` of accepted documents
        list the metadata fields the text did not give (unless supplied by the user) and
        how many chrome lines were removed, by rule ("removed 9 chrome lines (breadcrumb 1,
        …)"). Labels follow :func:`make_labels`.
        See the module docstring for how ids and duplicates are decided.

    Raises
    ------
    EmptyCorpusError
        When ``source`` does not exist or no document could be read; its ``report``
        attribute holds the ingest report.
    """
    src = Path(source)
    shown = str(source)
    include_set = {str(e).lower().lstrip(".") for e in include}
    manifest_path = Path(manifest) if manifest is not None else None
    column_fields = _check_column_fields(column_fields)
    out = _Collector(chrome_min_docs=chrome_min_docs)

    if src.is_dir():
        root = src
        entries = _list_folder(root, recursive=recursive, include=include_set, manifest=manifest_path,
                               exclude=tuple(Path(e) for e in exclude if e is not None))
    elif src.exists():
        root = src.parent
        entries = [_Entry(src.name, src, _skip_reason(src, None, None))]
    else:
        kind = "file" if src.suffix.lower().lstrip(".") in {*TEXT_FORMATS, *TABLE_FORMATS} else "folder"
        raise EmptyCorpusError(f"Corpus {kind} '{shown}' does not exist.", _report_frame([]))

    files = [e for e in entries if e.path is not None]
    to_read = [e.rel for e in files if e.skip is None]
    ids = _file_doc_ids([rel for rel in to_read if Path(rel).suffix.lower().lstrip(".") in TEXT_FORMATS])
    manifest_rows: list[dict] = []
    user_values = (_read_manifest(manifest_path, [e.rel for e in files], manifest_rows)
                   if manifest_path is not None else {})

    for entry in entries:
        if entry.skip is not None:
            nbytes = None
            if entry.path is not None:
                try:
                    nbytes = entry.path.stat().st_size
                except OSError:
                    pass
            out.skip(entry.rel, entry.skip, nbytes=nbytes)
            continue
        ext = entry.path.suffix.lower().lstrip(".")
        user = _user_fields(user_values.get(entry.rel, {}), "manifest", column_fields)
        try:
            if ext in TABLE_FORMATS:
                _read_table_file(entry, TABLE_FORMATS[ext], out, text_column=text_column,
                                 max_bytes=max_bytes, user=user, column_fields=column_fields)
            else:
                _read_file(entry, ids[entry.rel], TEXT_FORMATS[ext], out, max_bytes=max_bytes, user=user)
        except Exception as exc:  # one bad file never sinks the run
            out.skip(entry.rel, f"could not read ({type(exc).__name__}: {exc})")

    out.finish()
    rows = out.report + manifest_rows
    report = _report_frame(rows)
    if not out.docs:
        raise EmptyCorpusError(_empty_message(shown, out.report, len(files)), report)
    return Ingest(_documents_frame(out.docs, list(out.extras)), report,
                  _cleaning_frame(out.cleaning))


_FIELD_NAMES = (*METADATA_ALIASES, *PLACE_COLUMNS)


def _check_column_fields(column_fields: Any) -> dict[str, str | None]:
    """``column_fields`` checked: {column: a field of METADATA_ALIASES / PLACE_COLUMNS or None}."""
    if column_fields is None:
        return {}
    if not isinstance(column_fields, dict):
        raise TypeError(f"column_fields must map column names to fields, got {column_fields!r}")
    out: dict[str, str | None] = {}
    for col, field in column_fields.items():
        if field is not None and field not in _FIELD_NAMES:
            raise ValueError(f"column_fields: {field!r} (for column {col!r}) is not one of "
                             f"{', '.join(_FIELD_NAMES)} or None")
        out[str(col)] = field
    return out
