"""The first three stages in one call: corpus -> units -> tokens, declared once.

The options that shape the stage (the corpus, ``text_column``, ``manifest``, ``max_bytes``,
``chrome_min_docs``, ``column_fields``, the
lexicon options ``extra_terms`` and ``slogan_terms``, and how it is computed: ``cache``,
``n_jobs``, ``scheduler``) are given once: to ``tifa run``, or to ``00_corpus`` when it is run by
hand. :func:`prepare` builds the stage with them and leaves it in ``<out>/data/``
(documents.parquet, ingest_report.parquet, cleaning.parquet, units.parquet, tokens.parquet —
tokens of the body units only) with ``stage.json``,
the record of how it was built. Every later notebook calls :func:`load` with ``out`` alone: it
reads the tables, and rebuilds them only

* when there is no stage in ``out`` (a notebook opened on its own): with the default options
  on the default corpus (:func:`tifa.paths.default_corpus`);
* when the recorded stage no longer matches its corpus (files added, changed or removed), its
  lexicon files (user dictionary, known formulations) or this version of tifa, or when a build
  was interrupted: once, with the *recorded* corpus and options.

A file lock in ``<out>/data/`` makes the check, the rebuild and the reading one step: notebooks
running at the same time never both rebuild, and nobody reads a half-written stage. Readers
share the lock; a builder holds it alone.

stage.json::

    stage_version, complete (false while the tables are being written),
    corpus (absolute path), options {text_column, manifest, max_bytes, chrome_min_docs,
    column_fields, extra_terms, slogan_terms, cache, n_jobs, scheduler}, inputs
    {corpus_fingerprint, lexicon, formulations, chrome}, found_terms (formulations added to the user dictionary),
    built {at, seconds, documents, units, tokens}
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

from tifa import paths
from tifa.ingest.chrome import CHROME_FILE, MIN_DOCS
from tifa.ingest.corpus import EmptyCorpusError, folder_skip_reason, read_corpus
from tifa.ingest.units import body, body_texts, split_units
from tifa.tokenize import attach_counts, flag_tokens, tokenize
from tifa.tokenize.lexicon import Lexicon, load_lexicon
from tifa.analyze import slogans
from tifa.report import export

try:  # POSIX: shared and exclusive locks
    import fcntl
except ImportError:  # pragma: no cover - Windows: exclusive locks only
    fcntl = None

#: Bump when the stage tables' meaning changes, so stale ones in an output folder are rebuilt.
STAGE_VERSION = "3"

#: The stage options and their defaults. They are given once (``tifa run -p``, or the parameters
#: of ``00_corpus``), recorded in ``stage.json`` and used again whenever the stage is rebuilt.
STAGE_OPTIONS: dict[str, Any] = {
    "text_column": None,
    "manifest": None,
    "max_bytes": 20_000_000,
    "chrome_min_docs": MIN_DOCS,
    "column_fields": None,
    "extra_terms": (),
    "slogan_terms": True,
    "cache": True,
    "n_jobs": None,
    "scheduler": None,
}

#: The options that change the stage tables; ``cache``, ``n_jobs`` and ``scheduler`` only change
#: how they are computed (the results are the same), so they never make a stage out of date.
SHAPING_OPTIONS = ("text_column", "manifest", "max_bytes", "chrome_min_docs", "column_fields",
                   "extra_terms", "slogan_terms")

#: Files of ``<out>/data/``.
STAGE_FILE = "stage.json"
LOCK_FILE = ".stage.lock"
TABLES = ("documents", "ingest_report", "cleaning", "units", "tokens")


class StageError(RuntimeError):
    """The stage in an output folder can be neither loaded nor rebuilt (e.g. its corpus is gone)."""


@dataclass
class Stage:
    """The tables of the first stages (see tifa.schemas for their columns).

    ``loaded_from`` is the ``data`` folder the tables were read from (None: built by this call);
    ``record`` is the content of ``stage.json`` (corpus, options, inputs); ``info`` says what
    happened (``reused``, ``rebuilt`` with the reason, ``cache``, ``slogan_terms``).
    """

    documents: pd.DataFrame
    report: pd.DataFrame
    units: pd.DataFrame
    tokens: pd.DataFrame
    lexicon: Lexicon
    loaded_from: Path | None = None
    info: dict = field(default_factory=dict)
    record: dict = field(default_factory=dict)
    cleaning: pd.DataFrame | None = None  # the page-chrome lines removed (schemas.CLEANING)

    @property
    def corpus(self) -> str | None:
        """The corpus the stage was read from (absolute path)."""
        return self.record.get("corpus")

    @property
    def options(self) -> dict:
        """The stage options it was built with (see :data:`STAGE_OPTIONS`)."""
        return dict(self.record.get("options") or {})


# ---------------------------------------------------------------------------- options

def _scheduler_name(scheduler: Any) -> str | None:
    """What stage.json records of a scheduler: its address (a Client gives its scheduler's)."""
    if scheduler is None or isinstance(scheduler, str):
        return scheduler
    address = getattr(getattr(scheduler, "scheduler", None), "address", None)
    return str(address) if address else repr(scheduler)


def stage_options(**given: Any) -> dict[str, Any]:
    """The full, normalised stage options: defaults filled in, paths absolute.

    Parameters
    ----------
    **given
        Any of :data:`STAGE_OPTIONS`; ``None`` for ``extra_terms``, ``max_bytes``,
        ``slogan_terms`` or ``cache`` means the default.

    Returns
    -------
    dict
        Every option of :data:`STAGE_OPTIONS`, JSON-ready: ``manifest`` an absolute path string
        (relative paths are taken from the working directory) or None, ``extra_terms`` a list,
        ``scheduler`` an address string or None (a ``distributed.Client`` is kept as given
        under ``scheduler`` only by :func:`prepare`, which needs the object).

    Raises
    ------
    TypeError
        For a name that is not a stage option.
    """
    unknown = sorted(set(given) - set(STAGE_OPTIONS))
    if unknown:
        raise TypeError(f"not stage option(s): {', '.join(unknown)}; "
                        f"the stage options are {', '.join(STAGE_OPTIONS)}")
    opts = {**STAGE_OPTIONS, **{k: v for k, v in given.items() if v is not None}}
    opts["text_column"] = given.get("text_column")
    manifest = given.get("manifest")
    opts["manifest"] = str(Path(manifest).expanduser().resolve()) if manifest not in (None, "") else None
    terms = opts["extra_terms"]
    opts["extra_terms"] = [terms] if isinstance(terms, str) else [str(t) for t in terms]
    opts["max_bytes"] = int(opts["max_bytes"])
    opts["chrome_min_docs"] = int(opts["chrome_min_docs"])
    fields = given.get("column_fields")
    opts["column_fields"] = ({str(k): (None if v is None else str(v)) for k, v in fields.items()}
                             if fields else None)
    opts["slogan_terms"] = bool(opts["slogan_terms"])
    opts["cache"] = bool(opts["cache"])
    opts["n_jobs"] = None if given.get("n_jobs") is None else int(given["n_jobs"])
    opts["scheduler"] = _scheduler_name(given.get("scheduler"))
    return opts


# ---------------------------------------------------------------------------- fingerprints

def corpus_fingerprint(corpus: str | os.PathLike, manifest: str | os.PathLike | None = None, *,
                       exclude: Iterable[str | os.PathLike] = ()) -> str:
    """A cheap fingerprint of the corpus files: relative names, sizes and modification times.

    Folders the corpus reader does not look into are left out (hidden folders, the folders in
    ``exclude`` such as the run's output folder, and any tifa output folder; see
    :func:`tifa.ingest.corpus.folder_skip_reason`), so writing the outputs of a run inside the
    corpus folder does not change its fingerprint.
    """
    h = hashlib.sha256()
    exclude = tuple(exclude)
    roots = [Path(corpus)] + ([Path(manifest)] if manifest else [])
    for root in roots:
        if root.is_file():
            st = root.stat()
            h.update(f"{root.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        elif root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames
                                     if folder_skip_reason(Path(dirpath) / d, exclude=exclude) is None)
                for name in sorted(filenames):
                    p = Path(dirpath) / name
                    try:
                        st = p.stat()
                    except OSError:
                        continue
                    rel = p.relative_to(root).as_posix()
                    h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _file_hash(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _stamp(corpus, out, opts: dict) -> dict:
    """What decides whether a stage is up to date: corpus, shaping options, input files."""
    base = load_lexicon(extra_terms=tuple(opts["extra_terms"]))
    return {
        "stage_version": STAGE_VERSION,
        "corpus": str(Path(corpus).expanduser().resolve()),
        "options": {k: opts[k] for k in SHAPING_OPTIONS},
        "inputs": {
            "corpus_fingerprint": corpus_fingerprint(corpus, opts["manifest"],
                                                     exclude=(out,) if out is not None else ()),
            # the user dictionary (+ extra_terms) changes segmentation; stopword and boilerplate
            # flags are re-applied on load, so editing those lists needs no rebuild
            "lexicon": base.fingerprint,
            "formulations": _file_hash(paths.data_file(slogans.FORMULATIONS_FILE)),
            "chrome": _file_hash(paths.data_file(CHROME_FILE)),
        },
    }


def _stamp_of(record: dict) -> dict:
    return {"stage_version": record.get("stage_version"), "corpus": record.get("corpus"),
            "options": {k: (record.get("options") or {}).get(k) for k in SHAPING_OPTIONS},
            "inputs": record.get("inputs")}


def _difference(record: dict | None, stamp: dict) -> str | None:
    """Why a recorded stage does not match ``stamp`` (None: it does)."""
    if record is None:
        return "no stage yet"
    saved = _stamp_of(record)
    if saved["stage_version"] != stamp["stage_version"]:
        return "built by another version of tifa"
    if not record.get("complete", False):
        return "the last build was interrupted"
    if saved["corpus"] != stamp["corpus"]:
        return f"built from another corpus ({saved['corpus']})"
    changed = [k for k in SHAPING_OPTIONS if saved["options"].get(k) != stamp["options"][k]]
    if changed:
        return "built with other options (" + ", ".join(changed) + ")"
    inputs = saved["inputs"] or {}
    if inputs.get("corpus_fingerprint") != stamp["inputs"]["corpus_fingerprint"]:
        return "the corpus files changed"
    if inputs.get("lexicon") != stamp["inputs"]["lexicon"]:
        return "the user dictionary changed"
    if inputs.get("formulations") != stamp["inputs"]["formulations"]:
        return "the list of known formulations changed"
    if inputs.get("chrome") != stamp["inputs"]["chrome"]:
        return "the page-chrome patterns changed"
    return None


# ---------------------------------------------------------------------------- the lock

@contextlib.contextmanager
def _locked(data: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the stage lock of ``data`` (created if need be): shared to read, exclusive to build.

    A read-only output folder that cannot hold a lock file is read without one.
    """
    try:
        data.mkdir(parents=True, exist_ok=True)
        fd = os.open(data / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        if exclusive:
            raise
        yield
        return
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        else:  # pragma: no cover - Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
        yield
    finally:
        os.close(fd)  # releases the lock


# ---------------------------------------------------------------------------- reading, building

def read_record(out: str | os.PathLike) -> dict | None:
    """The content of ``<out>/data/stage.json``, or None if there is none (or it is unreadable)."""
    path = Path(out) / "data" / STAGE_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "stage_version" in record else None


def _read_tables(data: Path, record: dict) -> Stage | None:
    """The stage tables of ``data`` (None if one is missing or unreadable)."""
    try:
        found = tuple(record.get("found_terms") or ())
        lexicon = load_lexicon(extra_terms=tuple((record.get("options") or {}).get("extra_terms") or ())
                               + found)
        return Stage(
            documents=pd.read_parquet(data / "documents.parquet"),
            report=pd.read_parquet(data / "ingest_report.parquet"),
            cleaning=pd.read_parquet(data / "cleaning.parquet"),
            units=pd.read_parquet(data / "units.parquet"),
            tokens=flag_tokens(pd.read_parquet(data / "tokens.parquet"), lexicon),
            lexicon=lexicon, loaded_from=data, record=record,
            info={"reused": True, "slogan_terms": len(found)},
        )
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return None


def _build(corpus, out, opts: dict, stamp: dict, scheduler: Any) -> Stage:
    """Read, segment and tokenize; write the tables and stage.json when ``out`` is given.

    Called with the exclusive lock held when ``out`` is given.
    """
    t0 = time.perf_counter()
    data = Path(out) / "data" if out is not None else None
    record = {"stage_version": STAGE_VERSION, "complete": False, "corpus": stamp["corpus"],
              "options": opts, "inputs": stamp["inputs"], "found_terms": [], "built": None}
    if data is not None:
        # marked incomplete first: a build killed half-way is rebuilt with these options
        export.write_json(record, data / STAGE_FILE)
    try:
        ingest = read_corpus(corpus, text_column=opts["text_column"], manifest=opts["manifest"],
                             max_bytes=opts["max_bytes"], chrome_min_docs=opts["chrome_min_docs"],
                             column_fields=opts["column_fields"],
                             exclude=(out,) if out is not None else ())
        documents, report = ingest
    except EmptyCorpusError as exc:
        if out is not None and getattr(exc, "report", None) is not None:
            export.save_table(exc.report, out, "ingest_report")  # the report the message points to
        raise
    # Formulations found in the corpus (两个确立, 一企一专班 ...) join the user dictionary, so every
    # notebook counts each of them as one token.
    # Only the body is counted: front matter (title, delivery and speaker lines …) and the
    # signature stay in the units table with their part, but are not tokenized.
    units = split_units(documents)
    found = (slogans.lexicon_terms(documents.assign(text=body_texts(documents, units)))
             if opts["slogan_terms"] else ())
    lexicon = load_lexicon(extra_terms=tuple(opts["extra_terms"]) + tuple(found))
    tokens = tokenize(body(units), lexicon=lexicon, cache=opts["cache"], n_jobs=opts["n_jobs"],
                      scheduler=scheduler)
    documents = attach_counts(documents, tokens)
    record.update(complete=True, found_terms=list(found), built={
        "at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - t0, 3),
        "documents": len(documents), "units": len(units), "tokens": len(tokens)})
    if data is not None:
        export.save_data(documents, out, "documents")
        export.save_data(report, out, "ingest_report")
        export.save_data(ingest.cleaning, out, "cleaning")
        export.save_data(units, out, "units")
        export.save_data(tokens, out, "tokens")
        export.write_json(record, data / STAGE_FILE)
    return Stage(documents=documents, report=report, units=units, tokens=tokens,
                 lexicon=lexicon, record=record, cleaning=ingest.cleaning,
                 info={"reused": False, "cache": tokens.attrs.get("cache"),
                       "slogan_terms": len(found)})


def prepare(corpus: str | os.PathLike, out: str | os.PathLike | None = None, *,
            text_column: str | None = None, manifest: str | os.PathLike | None = None,
            max_bytes: int = 20_000_000, chrome_min_docs: int = MIN_DOCS,
            column_fields: dict | None = None, extra_terms: Iterable[str] = (),
            slogan_terms: bool = True, cache: bool = True, n_jobs: int | None = None,
            scheduler=None, reuse: bool = True) -> Stage:
    """Build the stage of a corpus with these options (or reuse it, when ``out`` holds it).

    This is where the stage is declared: ``00_corpus`` and ``tifa run`` call it; the notebooks
    after 00 call :func:`load`.

    Parameters
    ----------
    corpus : path
        A folder of reports, a single file, or a table (.csv/.xlsx/.parquet) of documents.
    out : path or None, default None
        Output folder. When given, the stage tables are written to ``<out>/data/``
        (documents.parquet, ingest_report.parquet, cleaning.parquet, units.parquet,
        tokens.parquet) with stage.json recording the corpus and these options, and reused next time if the corpus,
        the options and the lexicon are unchanged. A folder corpus is read without ``out``
        (and without any other tifa output folder inside it).
    text_column : str or None, default None
        Text column of a table corpus (None: detected).
    manifest : path or None, default None
        CSV adding metadata to files by name (a relative path is taken from the working
        directory; stage.json records it absolute).
    max_bytes : int, default 20_000_000
        Files larger than this are skipped (with a row in the ingest report).
    chrome_min_docs : int, default 2
        A line at the top or bottom edge of this many documents is page chrome (below 2: off);
        see :func:`tifa.ingest.corpus.read_corpus`.
    column_fields : dict or None, default None
        Which table/manifest column fills which field (``{"城市": None}``: not region); see
        :func:`tifa.ingest.corpus.read_corpus`.
    extra_terms : iterable of str, default ()
        More user-dictionary terms for the tokenizer.
    slogan_terms : bool, default True
        Add the formulations extracted from the corpus (:func:`tifa.analyze.slogans.lexicon_terms`) to
        the user dictionary, so that 两个确立 or 一企一专班 is one token in every notebook.
    cache : bool, default True
        Use the on-disk token cache.
    n_jobs : int or None, default None
        Tokenizer processes (None: automatic).
    scheduler : str, distributed.Client or None, default None
        Tokenize on Dask instead of the local process pool: a scheduler address
        (``"tcp://host:8786"``) or ``"local"`` for a LocalCluster (needs the ``dask`` extra).
    reuse : bool, default True
        Load the stage tables from ``out`` when they are up to date.

    Raises
    ------
    tifa.ingest.corpus.EmptyCorpusError
        When no document could be read.
    """
    opts = stage_options(text_column=text_column, manifest=manifest, max_bytes=max_bytes,
                         chrome_min_docs=chrome_min_docs, column_fields=column_fields,
                         extra_terms=extra_terms, slogan_terms=slogan_terms, cache=cache,
                         n_jobs=n_jobs, scheduler=scheduler)
    stamp = _stamp(corpus, out, opts)
    if out is None:
        return _build(corpus, None, opts, stamp, scheduler)
    data = Path(out) / "data"
    if reuse:
        with _locked(data, exclusive=False):
            record = read_record(out)
            if _difference(record, stamp) is None:
                stage = _read_tables(data, record)
                if stage is not None:
                    return stage
    with _locked(data, exclusive=True):
        if reuse:  # another process may have built it while we waited for the lock
            record = read_record(out)
            if _difference(record, stamp) is None:
                stage = _read_tables(data, record)
                if stage is not None:
                    return stage
        return _build(corpus, out, opts, stamp, scheduler)


def check(out: str | os.PathLike, corpus: str | os.PathLike | None = None,
          **options: Any) -> str | None:
    """Whether ``out`` holds an up-to-date stage, without reading its tables.

    Parameters
    ----------
    out : path
        Output folder.
    corpus : path or None, default None
        The corpus the stage should be of, with ``options`` (any of :data:`STAGE_OPTIONS`;
        the others at their defaults). None: the recorded corpus and options (is the recorded
        stage still true to its files?).

    Returns
    -------
    str or None
        None when up to date, else why not: ``"no stage yet"``, ``"the corpus files
        changed"``, ``"built with other options (text_column)"`` ...
    """
    record = read_record(out)
    if corpus is None:
        if record is None:
            return "no stage yet"
        corpus, opts = record.get("corpus"), stage_options(**_known(record.get("options")))
    else:
        opts = stage_options(**options)
    return _difference(record, _stamp(corpus, out, opts))


def _known(options: dict | None) -> dict:
    return {k: v for k, v in (options or {}).items() if k in STAGE_OPTIONS}


def load(out: str | os.PathLike) -> Stage:
    """The stage in ``out``, as ``00_corpus`` (or ``tifa run``) left it; rebuilt only if need be.

    The notebooks after 00 start with this: they name the output folder, never the corpus.

    * An up-to-date stage is read (the stopword and boilerplate flags re-applied from the
      current word lists).
    * With no stage in ``out`` (a notebook opened on its own), it is built with the default
      options on the default corpus (:func:`tifa.paths.default_corpus`).
    * When the recorded stage no longer matches its corpus files, lexicon files or this
      version of tifa (or a build was interrupted), it is rebuilt once, with the recorded
      corpus and options (``stage.info["rebuilt"]`` says why).

    All of this happens under the stage lock of ``<out>/data/``: of several notebooks loading
    at the same time one rebuilds and the others wait, and no one reads a half-written stage.

    Parameters
    ----------
    out : path
        Output folder.

    Returns
    -------
    Stage

    Raises
    ------
    StageError
        When the stage is incomplete or unreadable and its recorded corpus no longer exists
        (a complete stage whose corpus is gone is used as it is, with a warning).
    tifa.ingest.corpus.EmptyCorpusError
        When a rebuild finds no readable document.
    """
    data = Path(out) / "data"
    with _locked(data, exclusive=False):
        record = read_record(out)
        if record is not None and check(out) is None:
            stage = _read_tables(data, record)
            if stage is not None:
                return stage
    with _locked(data, exclusive=True):
        record = read_record(out)
        if record is None:
            corpus, options, why = paths.default_corpus(), {}, "no stage yet: the default corpus"
        else:
            corpus, options = record.get("corpus"), _known(record.get("options"))
            why = check(out)
            if why is None:  # up to date (built while we waited), or only a table unreadable
                stage = _read_tables(data, record)
                if stage is not None:
                    return stage
                why = "a stage table could not be read"
            if not corpus or not Path(corpus).exists():
                # nothing to rebuild from: the tables are complete and agree with 00's outputs
                stage = _read_tables(data, record) if record.get("complete") else None
                if stage is None:
                    raise StageError(
                        f"the stage in {data} cannot be used ({why}) and its corpus {corpus} "
                        "no longer exists; run 00_corpus (or tifa run) with the corpus")
                note = f"its corpus {corpus} no longer exists: the stage tables are used as they are"
                warnings.warn(f"the stage in {data}: {note}", stacklevel=2)
                stage.info["warning"] = note
                return stage
        opts = stage_options(**options)
        stage = _build(corpus, out, opts, _stamp(corpus, out, opts), opts["scheduler"])
        stage.info["rebuilt"] = why
        return stage
