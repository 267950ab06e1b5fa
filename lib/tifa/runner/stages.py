"""The first three stages in one call: corpus -> units -> tokens.

Every notebook starts with :func:`prepare`. In the pipeline, ``00_corpus`` does the work and
leaves the stage tables in ``<out>/data/``; the notebooks after it find them there and load them
(fingerprint checked) instead of reading and tokenizing the corpus again. A notebook opened on
its own in JupyterLab simply builds them (the token cache makes that quick).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tifa.report import export
from tifa import paths
from tifa.analyze import slogans
from tifa.ingest.corpus import EmptyCorpusError, read_corpus
from tifa.tokenize.lexicon import Lexicon, load_lexicon
from tifa.tokenize import attach_counts, flag_tokens, tokenize
from tifa.ingest.units import split_units

#: Bump when the stage tables' meaning changes, so stale ones in an output folder are rebuilt.
STAGE_VERSION = "1"


@dataclass
class Stage:
    """The tables of the first stages (see tifa.schemas for their columns)."""

    documents: pd.DataFrame
    report: pd.DataFrame
    units: pd.DataFrame
    tokens: pd.DataFrame
    lexicon: Lexicon
    loaded_from: Path | None = None
    info: dict = field(default_factory=dict)


def corpus_fingerprint(corpus: str | os.PathLike, manifest: str | os.PathLike | None = None) -> str:
    """A cheap fingerprint of the corpus files: relative names, sizes and modification times."""
    h = hashlib.sha256()
    paths = [Path(corpus)] + ([Path(manifest)] if manifest else [])
    for root in paths:
        if root.is_file():
            st = root.stat()
            h.update(f"{root.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        elif root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames.sort()
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


def _stamp(corpus, manifest, options: dict, lexicon: Lexicon) -> dict:
    return {
        "stage_version": STAGE_VERSION,
        "corpus": str(Path(corpus).resolve()),
        "corpus_fingerprint": corpus_fingerprint(corpus, manifest),
        "options": options,
        "lexicon": lexicon.fingerprint,
    }


def prepare(corpus: str | os.PathLike, out: str | os.PathLike | None = None, *,
            text_column: str | None = None, manifest: str | os.PathLike | None = None,
            max_bytes: int = 20_000_000, extra_terms: tuple[str, ...] = (),
            slogan_terms: bool = True, cache: bool = True, n_jobs: int | None = None,
            scheduler=None, reuse: bool = True) -> Stage:
    """Read, segment and tokenize a corpus, or load the result a previous step left in ``out``.

    Parameters
    ----------
    corpus : path
        A folder of reports, a single file, or a table (.csv/.xlsx/.parquet) of documents.
    out : path or None, default None
        Output folder. When given, the stage tables are written to ``<out>/data/``
        (documents.parquet, units.parquet, tokens.parquet, stage.json) and reused next time if
        the corpus, the options and the lexicon are unchanged.
    text_column : str or None, default None
        Text column of a table corpus (None: detected).
    manifest : path or None, default None
        CSV adding metadata to files by name.
    max_bytes : int, default 20_000_000
        Files larger than this are skipped (with a row in the ingest report).
    extra_terms : tuple of str, default ()
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
    base = load_lexicon(extra_terms=tuple(extra_terms))
    options = {"text_column": text_column, "manifest": str(manifest) if manifest else None,
               "max_bytes": int(max_bytes), "slogan_terms": bool(slogan_terms),
               "formulations": _file_hash(paths.data_file(slogans.FORMULATIONS_FILE))}
    # The stamp covers what changes segmentation (user dictionary, formulations, corpus, options);
    # stopword and boilerplate flags are re-applied on load, so editing those lists is cheap.
    stamp = _stamp(corpus, manifest, options, base)
    data = Path(out) / "data" if out is not None else None

    if data is not None and reuse and (data / "stage.json").is_file():
        try:
            saved = json.loads((data / "stage.json").read_text(encoding="utf-8"))
            found = tuple(saved.pop("slogan_terms", ()))
            if saved == stamp:
                lexicon = load_lexicon(extra_terms=tuple(extra_terms) + found)
                return Stage(
                    documents=pd.read_parquet(data / "documents.parquet"),
                    report=pd.read_parquet(data / "ingest_report.parquet"),
                    units=pd.read_parquet(data / "units.parquet"),
                    tokens=flag_tokens(pd.read_parquet(data / "tokens.parquet"), lexicon),
                    lexicon=lexicon, loaded_from=data,
                    info={"reused": True, "slogan_terms": len(found)},
                )
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # unreadable or partial: rebuild below

    try:
        documents, report = read_corpus(corpus, text_column=text_column, manifest=manifest,
                                        max_bytes=max_bytes)
    except EmptyCorpusError as exc:
        if out is not None and getattr(exc, "report", None) is not None:
            export.save_table(exc.report, out, "ingest_report")  # the report the message points to
        raise
    # Formulations found in the corpus (两个确立, 一企一专班 ...) join the user dictionary, so every
    # notebook counts each of them as one token.
    found = slogans.lexicon_terms(documents) if slogan_terms else ()
    lexicon = load_lexicon(extra_terms=tuple(extra_terms) + tuple(found))
    units = split_units(documents)
    tokens = tokenize(units, lexicon=lexicon, cache=cache, n_jobs=n_jobs, scheduler=scheduler)
    documents = attach_counts(documents, tokens)
    stage = Stage(documents=documents, report=report, units=units, tokens=tokens,
                  lexicon=lexicon, info={"reused": False, "cache": tokens.attrs.get("cache"),
                                         "slogan_terms": len(found)})

    if data is not None:
        (data / "stage.json").unlink(missing_ok=True)  # no stamp until every table is written
        export.save_data(documents, out, "documents")
        export.save_data(report, out, "ingest_report")
        export.save_data(units, out, "units")
        export.save_data(tokens, out, "tokens")
        export.write_json({**stamp, "slogan_terms": list(found)}, data / "stage.json")
    return stage
