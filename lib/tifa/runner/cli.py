"""The ``tifa`` command.

::

    tifa run [--corpus DIR_OR_FILE] [--out DIR] [-p NAME VALUE]... [--only 00]... [--jobs N]
             [--no-progress]
    tifa notebooks            list the notebooks the pipeline runs
    tifa --version

``-p NAME VALUE`` goes to the notebooks whose parameters cell declares NAME; the corpus and the
stage options (text_column, manifest, max_bytes, extra_terms, slogan_terms, cache, n_jobs,
scheduler) go to ``00_corpus`` only, which records them with the stage in ``out/data/``; the
later notebooks load that stage. With ``--only`` not selecting 00, ``tifa run`` prepares the
stage itself first (when ``out`` does not already hold it for this corpus and these options).
Notebooks run as soon as the notebooks they read from are done (their ``tifa.upstream``
metadata), ``--jobs`` at a time (default: the CPU count, or fewer when the stage is so large
that their kernels would take more than ``$TIFA_MEMORY_GB``, 3 GB, together; run.json records
``kernels_side_by_side``).

Exit status: 0 success; 1 a notebook (or preparing the stage) failed (one message on stderr says
which notebook and cell, the error, and where the executed copy is, and names the other
notebooks that failed); 2 a usage problem (missing corpus or manifest, unknown ``--only``, a
parameter no selected notebook declares, a bad upstream declaration, bad option)
— one sentence, no traceback; 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import sys
from pathlib import Path
from typing import Any, Sequence

from tifa import __version__, paths


def parse_value(text: str) -> Any:
    """Read a ``-p NAME VALUE`` value as a YAML scalar (or flow list/mapping).

    ``20`` → 20, ``0.5`` → 0.5, ``true`` → True, ``null`` → None, ``[a, b]`` → ["a", "b"],
    anything else stays a string (so ``-p by region`` is ``"region"``, ``""`` stays ``""``).
    Dates are kept as ISO strings.

    Parameters
    ----------
    text : str
        The value as typed.

    Returns
    -------
    object
    """
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, (_dt.date, _dt.datetime)):
        return text
    if value is None and text.strip() not in ("~", "null", "Null", "NULL"):
        return text
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``tifa`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="tifa",
        description="tifa (提法): comparative text mining of Chinese government reports.",
    )
    parser.add_argument("--version", action="version", version=f"tifa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run the notebooks as a pipeline",
                         description="Run the numbered notebooks in order with papermill.")
    run.add_argument("--corpus", type=Path, default=None,
                     help=f"folder or file of reports (default: {paths.default_corpus()})")
    run.add_argument("--out", type=Path, default=Path("output"),
                     help="output folder (default: ./output)")
    run.add_argument("-p", "--param", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"),
                     help="notebook parameter or stage option, routed to the notebooks that "
                          "declare it; VALUE is read as YAML (20 is a number)")
    run.add_argument("--only", action="append", default=[], metavar="NOTEBOOK",
                     help="run only this notebook (prefix like 00, or name); repeatable")
    run.add_argument("--jobs", type=int, default=None, metavar="N",
                     help="notebooks run at the same time once their upstream is done "
                          "(default: the CPU count, fewer when their kernels' memory would "
                          "pass $TIFA_MEMORY_GB, 3 GB; 1: one after the other)")
    run.add_argument("--no-progress", action="store_true",
                     help="log one line per notebook instead of progress bars")
    run.add_argument("--notebooks", type=Path, default=None, metavar="DIR",
                     help="folder of the notebooks (default: the project's notebooks/)")
    run.add_argument("--kernel", default=None, metavar="NAME",
                     help="Jupyter kernel (default: the one named in each notebook)")

    nbs = sub.add_parser("notebooks", help="list the notebooks the pipeline runs")
    nbs.add_argument("--notebooks", type=Path, default=None, metavar="DIR",
                     help="folder of the notebooks (default: the project's notebooks/)")
    return parser


def _fail(message: str, code: int) -> int:
    print(f"tifa: {message}", file=sys.stderr)
    return code


def _cmd_run(args: argparse.Namespace) -> int:
    from tifa.runner import pipeline

    corpus = args.corpus if args.corpus is not None else paths.default_corpus()
    if not Path(corpus).exists():
        return _fail(f"the corpus {corpus} does not exist; give a folder or file of reports "
                     "with --corpus.", 2)
    params = {name: parse_value(value) for name, value in args.param}
    if args.no_progress:  # one line per notebook from tifa.runner.pipeline, nothing from papermill
        logger = logging.getLogger("tifa")
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("tifa: %(message)s"))
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    try:
        record = pipeline.run_pipeline(
            corpus, args.out, params=params, only=args.only or None,
            notebooks_dir=args.notebooks, progress=not args.no_progress,
            kernel_name=args.kernel, jobs=args.jobs)
    except (pipeline.NotebookFailed, pipeline.StageFailed) as exc:
        if exc.ename == "EmptyCorpusError":  # nothing readable: one sentence, not a traceback
            report = Path(args.out) / "tables" / "ingest_report.csv"
            where = f" ({report})" if report.is_file() else ""
            return _fail(str(exc.evalue).rstrip(".") + where + ".", 1)
        return _fail(str(exc), 1)
    except (pipeline.CorpusNotFound, pipeline.UnknownNotebook, ValueError) as exc:
        return _fail(str(exc).rstrip(".") + ".", 2)
    ran = [e for e in record["notebooks"] if e["status"] == "ok"]
    print(f"tifa: {len(ran)} notebook(s) ok in {record['seconds']:.1f} s; "
          f"outputs in {record['out']} (see run.json)")
    return 0


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from tifa.runner import pipeline

    found = pipeline.discover_notebooks(args.notebooks)
    if not found:
        folder = args.notebooks or paths.notebooks_dir()
        return _fail(f"no NN_*.ipynb notebooks in {folder}.", 2)
    for nb in found:
        print(nb.name)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tifa`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status (see the module notes).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "notebooks":
            return _cmd_notebooks(args)
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
