"""Run the numbered notebooks as a pipeline with papermill.

Each ``notebooks/NN_*.ipynb`` is executed in order, in the notebooks folder (so relative paths
inside notebooks work). Executed copies go to ``out/notebooks/``; a record of the run goes to
``out/run.json``.

Parameters are routed: each notebook gets only the parameters its ``parameters``-tagged cell
declares (read with papermill's ``inspect_notebook``): ``out`` (an absolute path) to all of them,
``corpus`` (absolute) and the stage options (:data:`tifa.runner.stages.STAGE_OPTIONS`:
text_column, manifest, max_bytes, extra_terms, slogan_terms, cache, n_jobs, scheduler) to
``00_corpus``, the only notebook declaring them; the notebooks after it load the stage 00 left
in ``out/data/``. A parameter no selected notebook declares is an error
(:class:`UnknownParameter`), so a typo is never silently ignored. When the stage notebook is not
selected (``only=["03"]``), the pipeline prepares the stage itself
(:func:`tifa.runner.stages.prepare`, in this process) unless ``out`` already holds the stage of
this corpus with these options, up to date.

run.json (rewritten atomically before the first notebook and after each one, so even a crash
leaves a record)::

    tifa_version, status (running | ok | failed), started, finished (ISO 8601, local time
    with offset), seconds, corpus, out, notebooks_dir, parameters (all given: corpus, out and
    params), stage_options (the full stage options, defaults filled in), stage {prepared_by
    (a notebook, "tifa run" or null when the stage in out was up to date), reason, seconds},
    only, versions {python, platform, packages {name: version or null}},
    inputs {root, n_files, bytes, files [{path, bytes, sha256}]},
    notebooks [{name, status, seconds, started, output, parameters (as injected), error}]

Notebook status: ``pending`` / ``running`` while the run goes on, then ``ok``, ``failed`` or
``skipped`` (not selected with ``only``, or after a failure; ``reason`` says which).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import os
import platform
import re
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Sequence

from tifa import paths
from tifa.report import export

log = logging.getLogger(__name__)

#: Notebook file names the pipeline runs: two digits, an underscore, a name.
NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[^/\\]+\.ipynb$")

#: Packages whose versions run.json records (missing ones are recorded as null).
RECORDED_PACKAGES = (
    "tifa", "pandas", "numpy", "pyarrow", "jieba", "scikit-learn", "matplotlib", "wordcloud",
    "mplfonts", "fonttools", "papermill", "nbclient", "ipykernel", "charset-normalizer",
    "python-docx", "pdfplumber", "beautifulsoup4", "lxml", "openpyxl", "pyyaml",
    "stopwordsiso", "scipy", "python-pptx", "ipywidgets", "pillow", "adjustText",
)

#: Parameters the pipeline always injects; ``params`` may not override them.
RESERVED_PARAMETERS = ("corpus", "out")


class PipelineError(Exception):
    """Base class of the pipeline's errors."""


class CorpusNotFound(PipelineError, FileNotFoundError):
    """The corpus path does not exist."""


class UnknownNotebook(PipelineError, ValueError):
    """An ``only`` entry matches no notebook."""


class UnknownParameter(PipelineError, ValueError):
    """A parameter that no selected notebook declares (and that is no stage option)."""


class StageFailed(PipelineError):
    """Preparing the stage in the pipeline (the stage notebook not selected) failed.

    ``ename`` and ``evalue`` are the type name and message of the error raised.
    """

    def __init__(self, ename: str, evalue: str):
        self.ename = ename
        self.evalue = evalue
        super().__init__(f"preparing the stage failed: {ename}: {evalue}" if evalue else ename)


class NotebookFailed(PipelineError):
    """A notebook raised an error; the run stopped there.

    Attributes
    ----------
    notebook : str
        File name of the failing notebook, e.g. ``"01_keywords.ipynb"``.
    cell_index : int or None
        0-based index of the failing cell in the source notebook (papermill's injected
        parameters cell not counted); ``None`` when no cell was to blame (e.g. the kernel died).
    execution_count : int or None
        The cell's ``In [n]`` number in the executed copy.
    source_line : str
        First non-empty line of the failing cell's source.
    ename, evalue : str
        Exception type name and message raised in the notebook.
    executed : Path or None
        The executed copy (with the traceback), if it was written.
    """

    def __init__(self, notebook: str, *, cell_index: int | None, execution_count: int | None,
                 source_line: str, ename: str, evalue: str, executed: Path | None):
        self.notebook = notebook
        self.cell_index = cell_index
        self.execution_count = execution_count
        self.source_line = source_line
        self.ename = ename
        self.evalue = evalue
        self.executed = executed
        where = (f"cell {cell_index} (counting from 0"
                 + (f", In [{execution_count}]" if execution_count is not None else "")
                 + f"): {source_line}") if cell_index is not None else "outside any cell"
        error = f"{ename}: {evalue}" if evalue else ename
        msg = f"notebook {notebook} failed in {where}\n  {error}"
        if executed is not None:
            msg += f"\n  executed copy with the traceback: {executed}"
        super().__init__(msg)


# ---------------------------------------------------------------------------- notebooks

def discover_notebooks(notebooks_dir=None) -> list[Path]:
    """The pipeline's notebooks: ``NN_*.ipynb`` in a folder, sorted by name.

    Parameters
    ----------
    notebooks_dir : str or Path, optional
        Folder to look in; default :func:`tifa.paths.notebooks_dir`.

    Returns
    -------
    list of Path
        Absolute paths, e.g. ``00_corpus.ipynb`` before ``01_keywords.ipynb``; empty if the
        folder has none.
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else paths.notebooks_dir()
    if not folder.is_dir():
        return []
    return sorted((p.resolve() for p in folder.iterdir()
                   if p.is_file() and NOTEBOOK_PATTERN.match(p.name)), key=lambda p: p.name)


def select_notebooks(notebooks: Sequence[Path], only: Iterable[str] | None) -> list[Path]:
    """Keep the notebooks named by ``only``, in pipeline order.

    An entry matches a notebook by file name (``01_keywords.ipynb``), stem (``01_keywords``)
    or prefix of the stem (``01``).

    Parameters
    ----------
    notebooks : sequence of Path
        From :func:`discover_notebooks`.
    only : iterable of str or None
        Entries; ``None`` or empty keeps all.

    Returns
    -------
    list of Path

    Raises
    ------
    UnknownNotebook
        If an entry matches nothing; the message lists the notebooks there are.
    """
    only = [str(o).strip() for o in (only or []) if str(o).strip()]
    if not only:
        return list(notebooks)
    chosen: set[Path] = set()
    for entry in only:
        hits = [nb for nb in notebooks
                if entry in (nb.name, nb.stem) or nb.stem.startswith(entry)]
        if not hits:
            names = ", ".join(nb.name for nb in notebooks) or "(none found)"
            raise UnknownNotebook(f"no notebook matches {entry!r}; the notebooks are: {names}")
        chosen.update(hits)
    return [nb for nb in notebooks if nb in chosen]


def notebook_parameters(notebook) -> dict[str, str]:
    """The parameters a notebook declares: the names set in its ``parameters``-tagged cell.

    Parameters
    ----------
    notebook : str or Path
        A notebook file.

    Returns
    -------
    dict
        Name -> default, as written in the cell (source text, e.g. ``'"label"'``), in cell
        order; empty when the notebook has no parameters cell.
    """
    import papermill as pm

    return {name: info.get("default") for name, info in pm.inspect_notebook(str(notebook)).items()}


def route_parameters(declared: dict[str, str], given: dict[str, Any]) -> dict[str, Any]:
    """The parameters one notebook gets: those of ``given`` it declares, in ``given``'s order."""
    return {name: value for name, value in given.items() if name in declared}


def _unknown_parameters(params: dict, known: set[str]) -> str | None:
    unknown = [name for name in params if name not in known]
    if not unknown:
        return None
    names = ", ".join(repr(n) for n in unknown)
    listed = ", ".join(sorted(known)) or "(none)"
    which = "parameter" if len(unknown) == 1 else "parameters"
    return (f"unknown {which} {names}: no selected notebook declares it and it is no stage "
            f"option; the known parameters are {listed}")


# ---------------------------------------------------------------------------- run record

def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def package_versions(names: Iterable[str] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Installed versions of packages (``None`` when not installed), without importing them.

    Parameters
    ----------
    names : iterable of str, default RECORDED_PACKAGES
        Distribution names.

    Returns
    -------
    dict
    """
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def hash_inputs(corpus, *, exclude: Iterable = ()) -> dict[str, Any]:
    """SHA-256 of every file of a corpus (a folder, searched recursively, or a single file).

    The folders the corpus reader does not look into are left out: hidden folders, the
    folders in ``exclude`` (the run's output folder) and any tifa output folder
    (:func:`tifa.ingest.corpus.folder_skip_reason`).

    Parameters
    ----------
    corpus : str or Path
        Corpus folder or file (e.g. a CSV/Excel table of reports).
    exclude : iterable of path, default ()
        Folders left out.

    Returns
    -------
    dict
        ``{"root", "n_files", "bytes", "files": [{"path", "bytes", "sha256"}]}`` with paths
        relative to the folder (POSIX separators, sorted; a file corpus lists its own name).
    """
    from tifa.ingest.corpus import folder_skip_reason

    root = Path(corpus).resolve()
    exclude = tuple(exclude)
    if root.is_file():
        files, base = [root], root.parent
    else:
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames
                           if folder_skip_reason(Path(dirpath) / d, exclude=exclude) is None]
            files += [Path(dirpath) / f for f in filenames if (Path(dirpath) / f).is_file()]
        files.sort(key=lambda p: p.relative_to(root).as_posix())
        base = root
    records = []
    for path in files:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        records.append({"path": path.relative_to(base).as_posix(),
                        "bytes": path.stat().st_size, "sha256": digest.hexdigest()})
    return {"root": root.as_posix(), "n_files": len(records),
            "bytes": sum(r["bytes"] for r in records), "files": records}


def _first_line(source: str) -> str:
    for line in (source or "").splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _source_index(executed: Path | None, cell_index: int) -> int:
    """Map papermill's cell index (executed copy, before error cells) to the source notebook."""
    if executed is None or not executed.is_file():
        return cell_index
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:  # noqa: BLE001 - best effort only
        return cell_index
    cells = [c for c in nb.cells
             if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    injected = sum(1 for c in cells[:cell_index]
                   if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return cell_index - injected


def _kernel_for(notebook: Path, kernel_name: str | None) -> str:
    """The kernel to use: the override, else the notebook's kernelspec, else ``python3``."""
    if kernel_name:
        return kernel_name
    import json

    try:
        meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return "python3"
    return (meta.get("kernelspec") or {}).get("name") or "python3"


def _kernel_manager_class():
    """A KernelManager that provisions CurveZMQ keys when kernel and pyzmq support them.

    ipykernel >= 7.4 warns on every start that a TCP kernel runs without encryption; with
    ``transport_encryption = "auto"`` jupyter_client provisions keys for kernels whose
    kernelspec declares support, which both encrypts the local traffic and silences the
    warning. Returns ``None`` (papermill's default manager) on older jupyter_client/pyzmq.
    """
    try:
        import zmq
        from jupyter_client.manager import KernelManager
    except ImportError:  # pragma: no cover
        return None
    if not KernelManager.class_traits().get("transport_encryption") or not zmq.has("curve"):
        return None

    class _EncryptedKernelManager(KernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport_encryption = "auto"

    return _EncryptedKernelManager


# ---------------------------------------------------------------------------- runner

def _prepare_stage(corpus: Path, out: Path, options: dict, record: dict, save, *,
                   progress: bool) -> None:
    """The stage of ``corpus`` with ``options`` in ``out``, for a run without the stage notebook."""
    from tifa.runner import stages

    reason = stages.check(out, corpus, **options)
    if reason is None:
        record["stage"].update(prepared_by=None, reason="up to date in the output folder")
        save()
        return
    record["stage"].update(prepared_by="tifa run", reason=reason)
    save()
    if not progress:
        log.info("preparing the stage (%s) ...", reason)
    t0 = time.perf_counter()
    try:
        stages.prepare(corpus, out, **options)
    except Exception as exc:  # noqa: BLE001 - recorded, then raised as StageFailed
        record["stage"]["seconds"] = round(time.perf_counter() - t0, 3)
        for entry in record["notebooks"]:
            if entry["status"] == "pending":
                entry.update(status="skipped", reason="not run: preparing the stage failed")
        save("failed")
        raise StageFailed(type(exc).__name__, str(exc).strip()) from exc
    record["stage"]["seconds"] = round(time.perf_counter() - t0, 3)
    save()
    if not progress:
        log.info("stage ready (%.1f s)", record["stage"]["seconds"])


def run_pipeline(corpus, out, *, params: dict | None = None, only: Iterable[str] | None = None,
                 notebooks_dir=None, progress: bool = True, kernel_name: str | None = None,
                 start_timeout: float = 120) -> dict:
    """Execute the numbered notebooks in order with papermill and record the run.

    Parameters
    ----------
    corpus : str or Path
        Corpus folder or file; injected as the absolute path string ``corpus``.
    out : str or Path
        Output folder (created); injected as the absolute path string ``out``. Executed
        notebooks go to ``out/notebooks/<name>.ipynb``, the record to ``out/run.json``.
    params : dict, optional
        Notebook parameters (names of variables in the ``parameters`` cells) and stage options
        (:data:`tifa.runner.stages.STAGE_OPTIONS`); default none. Each notebook gets those it
        declares; a relative ``manifest`` is taken from the working directory. May not contain
        ``corpus`` or ``out``.
    only : iterable of str, optional
        Run only these notebooks (file names, stems or prefixes such as ``"00"``, see
        :func:`select_notebooks`); the others are recorded as skipped. Default all.
    notebooks_dir : str or Path, optional
        Folder of the notebooks; default :func:`tifa.paths.notebooks_dir`. Notebooks run with
        this folder as working directory.
    progress : bool, default True
        Show a tqdm bar over notebooks and papermill's bar over cells; ``False`` logs one
        concise line per notebook instead (logger ``tifa.runner.pipeline``).
    kernel_name : str, optional
        Jupyter kernel; default the kernel named in each notebook, else ``python3`` (which
        jupyter_client starts with the running Python).
    start_timeout : float, default 120
        Seconds to wait for a kernel to start.

    Returns
    -------
    dict
        The run record, as written to ``out/run.json``.

    Raises
    ------
    CorpusNotFound
        If ``corpus`` (or a ``manifest`` given in ``params``) does not exist (nothing is run
        or written).
    UnknownNotebook
        If an ``only`` entry matches no notebook, or no notebooks are found.
    UnknownParameter
        If a parameter of ``params`` is declared by no selected notebook and is no stage
        option (nothing is run or written).
    StageFailed
        If the stage notebook is not selected and preparing the stage here fails (e.g. nothing
        readable in the corpus); run.json marks the run failed.
    NotebookFailed
        If a notebook fails: the run stops, the executed copy keeps the traceback, run.json
        marks it failed and the remaining notebooks skipped.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from tifa.runner import stages

    params = dict(params or {})
    clash = [k for k in RESERVED_PARAMETERS if k in params]
    if clash:
        raise ValueError(f"parameter(s) {clash} are set by the pipeline itself; "
                         "pass corpus= and out= instead")
    corpus_path = Path(corpus).expanduser().resolve()
    if not corpus_path.exists():
        raise CorpusNotFound(f"the corpus {corpus_path} does not exist")
    if params.get("manifest") not in (None, ""):  # notebooks run elsewhere: make it absolute
        manifest = Path(str(params["manifest"])).expanduser().resolve()
        if not manifest.is_file():
            raise CorpusNotFound(f"the manifest {manifest} does not exist")
        params["manifest"] = str(manifest)
    folder = (Path(notebooks_dir) if notebooks_dir is not None else paths.notebooks_dir()).resolve()
    notebooks = discover_notebooks(folder)
    if not notebooks:
        raise UnknownNotebook(f"no NN_*.ipynb notebooks found in {folder}")
    only_list = [str(o) for o in (only or [])]
    selected = select_notebooks(notebooks, only_list)

    # Routing: each notebook gets what its parameters cell declares. The stage notebook (the one
    # declaring `corpus`: 00_corpus) takes the corpus and the stage options; when it is not
    # selected, the pipeline prepares the stage itself, so the stage options stay meaningful.
    declared = {nb.name: notebook_parameters(nb) for nb in notebooks}
    stage_notebooks = [nb for nb in notebooks if "corpus" in declared[nb.name]]
    prepare_here = bool(stage_notebooks) and not any(nb in selected for nb in stage_notebooks)
    known = {name for nb in selected for name in declared[nb.name]} - set(RESERVED_PARAMETERS)
    if prepare_here:
        known |= set(stages.STAGE_OPTIONS)
    problem = _unknown_parameters(params, known)
    if problem:
        raise UnknownParameter(problem)
    given_options = {k: v for k, v in params.items() if k in stages.STAGE_OPTIONS}
    try:
        options = stages.stage_options(**given_options)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"bad stage option: {exc}") from None

    out_path = Path(out).expanduser().resolve()
    (out_path / "notebooks").mkdir(parents=True, exist_ok=True)
    run_json = out_path / "run.json"

    parameters = {"corpus": str(corpus_path), "out": str(out_path), **params}
    started = time.perf_counter()
    record: dict[str, Any] = {
        "tifa_version": package_versions(["tifa"])["tifa"],
        "status": "running",
        "started": _now(),
        "finished": None,
        "seconds": None,
        "corpus": str(corpus_path),
        "out": str(out_path),
        "notebooks_dir": str(folder),
        "parameters": parameters,
        "stage_options": options,
        "stage": {"prepared_by": ", ".join(nb.name for nb in stage_notebooks if nb in selected)
                  or None, "reason": None, "seconds": None},
        "only": only_list,
        "versions": {"python": sys.version.split()[0],
                     "implementation": platform.python_implementation(),
                     "platform": platform.platform(),
                     "packages": package_versions()},
        "inputs": hash_inputs(corpus_path, exclude=(out_path,)),
        "notebooks": [
            {"name": nb.name,
             "status": "pending" if nb in selected else "skipped",
             "reason": None if nb in selected else "not selected (only)",
             "seconds": None, "started": None,
             "output": f"notebooks/{nb.name}",
             "parameters": route_parameters(declared[nb.name], parameters),
             "error": None}
            for nb in notebooks
        ],
    }
    entries = {e["name"]: e for e in record["notebooks"]}

    def save(status: str | None = None) -> None:
        if status is not None:
            record["status"] = status
            record["finished"] = _now()
            record["seconds"] = round(time.perf_counter() - started, 3)
        export.write_json(record, run_json)

    save()
    if prepare_here:
        _prepare_stage(corpus_path, out_path, given_options, record, save, progress=progress)
    manager = _kernel_manager_class()
    engine_kwargs = {"kernel_manager_class": manager} if manager is not None else {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(selected), unit="notebook", desc="tifa", position=0)
    try:
        for i, nb in enumerate(selected):
            entry = entries[nb.name]
            entry.update(status="running", started=_now())
            save()
            if bar is not None:
                bar.set_postfix_str(nb.name)
            else:
                log.info("[%d/%d] %s ...", i + 1, len(selected), nb.name)
            final = out_path / "notebooks" / nb.name
            partial = final.with_name(f".{nb.stem}.partial.ipynb")
            t0 = time.perf_counter()
            try:
                pm.execute_notebook(
                    str(nb), str(partial), parameters=entry["parameters"], cwd=str(folder),
                    kernel_name=_kernel_for(nb, kernel_name), log_output=False,
                    start_timeout=start_timeout,
                    progress_bar={"desc": nb.stem, "leave": False, "position": 1} if progress else False,
                    **engine_kwargs,
                )
            except BaseException as exc:  # noqa: BLE001 - recorded, then re-raised
                entry["seconds"] = round(time.perf_counter() - t0, 3)
                executed = None
                if partial.exists():
                    os.replace(partial, final)
                    executed = final
                if isinstance(exc, PapermillExecutionError):
                    failure = NotebookFailed(
                        nb.name, cell_index=_source_index(executed, exc.cell_index),
                        execution_count=exc.exec_count, source_line=_first_line(exc.source),
                        ename=exc.ename, evalue=exc.evalue, executed=executed)
                else:
                    failure = NotebookFailed(
                        nb.name, cell_index=None, execution_count=None, source_line="",
                        ename=type(exc).__name__, evalue=str(exc).strip().splitlines()[0]
                        if str(exc).strip() else "", executed=executed)
                entry["status"] = "failed"
                entry["error"] = {"cell_index": failure.cell_index,
                                  "execution_count": failure.execution_count,
                                  "source_line": failure.source_line,
                                  "ename": failure.ename, "evalue": failure.evalue}
                if executed is None:
                    entry["output"] = None
                for later in selected[i + 1:]:
                    entries[later.name].update(status="skipped",
                                               reason=f"not run: {nb.name} failed")
                save("failed")
                if not progress:
                    log.info("[%d/%d] %s failed after %.1f s", i + 1, len(selected),
                             nb.name, entry["seconds"])
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                raise failure from exc
            os.replace(partial, final)
            entry.update(status="ok", seconds=round(time.perf_counter() - t0, 3))
            save()
            if bar is not None:
                bar.update(1)
            else:
                log.info("[%d/%d] %s ok (%.1f s)", i + 1, len(selected), nb.name,
                         entry["seconds"])
    finally:
        if bar is not None:
            bar.close()
    save("ok")
    return record
