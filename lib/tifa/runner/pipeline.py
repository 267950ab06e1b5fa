"""Run the numbered notebooks as a pipeline with papermill.

Each ``notebooks/NN_*.ipynb`` is executed in the notebooks folder (so relative paths inside
notebooks work). Executed copies go to ``out/notebooks/``; a record of the run goes to
``out/run.json``.

Order: each notebook declares the notebooks it reads from in its metadata,
``"tifa": {"upstream": ["00_corpus"]}`` (names, stems or prefixes as for ``only``), or
``"upstream": "*"`` for every other notebook (the briefing, which packs what the others left);
a notebook that declares nothing depends on every notebook before it (the sequential order).
A notebook starts once the kernels of its upstream notebooks are done (a ``"*"`` notebook:
once their figures are written too); up to ``jobs`` run at the same time (default: the CPU
count), each in its own kernel. After 00 the notebooks only read the stage
(``out/data``, shared read-only; :func:`tifa.runner.stages.load` locks it when it has to
rebuild), so 01–04 (and 06) run side by side and 05 after them. A notebook whose upstream
failed is ``skipped`` with the reason; the notebooks that do not depend on it still run.

Figures: each kernel gets :data:`tifa.report.export.FIGURE_JOBS_ENV`, so
:func:`~tifa.report.export.save_figure` writes the PNG at once and leaves SVG and PDF as
figure jobs, which a pool of worker processes draws while the next notebooks run. A
notebook is ``ok`` only once its figures are all written (its dependents need only its kernel
to be done, unless they declare ``"*"``), and ``run_pipeline`` returns only when every figure
is.

Parameters are routed: each notebook gets only the parameters its ``parameters``-tagged cell
declares (read with papermill's ``inspect_notebook``): ``out`` (an absolute path) to all of them,
``corpus`` (absolute) and the stage options (:data:`tifa.runner.stages.STAGE_OPTIONS`:
text_column, manifest, max_bytes, extra_terms, slogan_terms, cache, n_jobs, scheduler) to
``00_corpus``, the only notebook declaring them; the notebooks after it load the stage 00 left
in ``out/data/``. A parameter no selected notebook declares is an error
(:class:`UnknownParameter`), so a typo is never silently ignored. When the stage notebook is not
selected (``only=["03"]``), the pipeline prepares the stage itself
(:func:`tifa.runner.stages.prepare`, in this process) unless ``out`` already holds the stage of
this corpus with these options, up to date. An upstream notebook that is not selected is not
run.

run.json (rewritten atomically before the first notebook and whenever a notebook starts or
ends, so even a crash leaves a record)::

    tifa_version, status (running | ok | failed), started, finished (ISO 8601, local time
    with offset), seconds, corpus, out, notebooks_dir, parameters (all given: corpus, out and
    params), stage_options (the full stage options, defaults filled in), stage {prepared_by
    (a notebook, "tifa run" or null when the stage in out was up to date), reason, seconds},
    only, jobs, versions {python, platform, packages {name: version or null}},
    inputs {root, n_files, bytes, files [{path, bytes, sha256}]},
    notebooks [{name, status, seconds, started, finished, figure_seconds, upstream, output,
    parameters (as injected), error}] (+ figure_warnings when drawing a figure warned)

``notebooks`` keeps the name order whatever order they ran in. ``seconds`` is the time the
notebook's kernel ran (start to shutdown), ``figure_seconds`` the time its deferred vector
figures took to draw afterwards (off the notebook's path), ``upstream`` the notebooks it waited
for. Notebook status: ``pending`` / ``running`` while the run goes on, then ``ok``, ``failed``
or ``skipped`` (not selected with ``only``, or an upstream notebook failed; ``reason`` says
which).
"""

from __future__ import annotations

import concurrent.futures as _futures
import datetime as _dt
import hashlib
import json
import logging
import os
import platform
import re
import shutil
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

#: Key of the notebook metadata the pipeline reads (``{"upstream": [...]}``).
METADATA_KEY = "tifa"

#: ``"upstream": ALL_OTHERS`` depends on every other notebook (except those depending on it).
ALL_OTHERS = "*"

#: Folder of ``out`` where the kernels leave their figure jobs, one sub-folder per notebook.
FIGURE_JOBS_DIR = ".figure_jobs"


class PipelineError(Exception):
    """Base class of the pipeline's errors."""


class CorpusNotFound(PipelineError, FileNotFoundError):
    """The corpus path does not exist."""


class UnknownNotebook(PipelineError, ValueError):
    """An ``only`` entry matches no notebook."""


class UnknownParameter(PipelineError, ValueError):
    """A parameter that no selected notebook declares (and that is no stage option)."""


class BadUpstream(PipelineError, ValueError):
    """A notebook's declared upstream names no notebook, or the notebooks depend in a circle."""


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
    also_failed : list of str
        Other notebooks of the run that failed too (independent of this one); run.json has
        their errors.
    """

    def __init__(self, notebook: str, *, cell_index: int | None, execution_count: int | None,
                 source_line: str, ename: str, evalue: str, executed: Path | None,
                 also_failed: Sequence[str] = ()):
        self.notebook = notebook
        self.also_failed = list(also_failed)
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
        if self.also_failed:
            msg += f"\n  also failed: {', '.join(self.also_failed)} (see run.json)"
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
        hits = _matching(notebooks, entry)
        if not hits:
            names = ", ".join(nb.name for nb in notebooks) or "(none found)"
            raise UnknownNotebook(f"no notebook matches {entry!r}; the notebooks are: {names}")
        chosen.update(hits)
    return [nb for nb in notebooks if nb in chosen]


def _matching(notebooks: Sequence[Path], entry: str) -> list[Path]:
    """The notebooks an entry names: by file name, stem or prefix of the stem."""
    return [nb for nb in notebooks if entry in (nb.name, nb.stem) or nb.stem.startswith(entry)]


def _notebook_metadata(notebook) -> dict:
    """A notebook's metadata (empty when the file cannot be read)."""
    try:
        return json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return {}


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


def notebook_upstream(notebook) -> list[str] | str | None:
    """What a notebook declares it reads from: ``metadata["tifa"]["upstream"]``.

    Parameters
    ----------
    notebook : str or Path
        A notebook file.

    Returns
    -------
    list of str, "*" or None
        Entries naming notebooks (file names, stems or prefixes, as for ``only``), ``"*"``
        (:data:`ALL_OTHERS`) for every other notebook, or None when the notebook declares
        nothing (it then depends on every notebook before it).
    """
    upstream = (_notebook_metadata(notebook).get(METADATA_KEY) or {}).get("upstream")
    if upstream is None or upstream == ALL_OTHERS:
        return upstream
    if isinstance(upstream, str):
        return [upstream]
    return [str(u) for u in upstream]


def notebook_cost(notebook) -> float:
    """How long a notebook roughly takes, as it declares: ``metadata["tifa"]["cost"]`` (seconds
    on the seeds; 0 when not declared). Of the notebooks ready at the same time, the costliest
    starts first (longest first is what keeps two cores busy until the end: the briefing waits
    for the last of them)."""
    try:
        return float((_notebook_metadata(notebook).get(METADATA_KEY) or {}).get("cost") or 0)
    except (TypeError, ValueError):
        return 0.0


def dependencies(notebooks: Sequence[Path]) -> dict[str, list[str]]:
    """Each notebook's upstream notebooks, from their metadata (:func:`notebook_upstream`).

    A list names notebooks (file name, stem or prefix); ``"*"`` is every other notebook except
    those that depend on this one and the other ``"*"`` notebooks; no declaration means every
    notebook before it in name order.

    Parameters
    ----------
    notebooks : sequence of Path
        From :func:`discover_notebooks`.

    Returns
    -------
    dict
        Notebook file name -> upstream file names, in name order.

    Raises
    ------
    BadUpstream
        If an entry matches no notebook, a notebook names itself, or the notebooks depend on
        one another in a circle.
    """
    names = [nb.name for nb in notebooks]
    declared = {nb.name: notebook_upstream(nb) for nb in notebooks}
    deps: dict[str, set[str]] = {}
    for i, nb in enumerate(notebooks):
        spec = declared[nb.name]
        if spec == ALL_OTHERS:
            continue
        if spec is None:
            deps[nb.name] = set(names[:i])
            continue
        found: set[str] = set()
        for entry in spec:
            hits = [o.name for o in _matching(notebooks, entry)]
            if not hits:
                raise BadUpstream(f"{nb.name} declares upstream {entry!r}, which matches no "
                                  f"notebook; the notebooks are: {', '.join(names)}")
            if nb.name in hits:
                raise BadUpstream(f"{nb.name} declares itself as its upstream ({entry!r})")
            found.update(hits)
        deps[nb.name] = found
    for name in names:
        if declared[name] == ALL_OTHERS:
            below = _downstream(deps, name)
            deps[name] = {o for o in names
                          if o != name and o not in below and declared[o] != ALL_OTHERS}
    _check_acyclic(deps, names)
    return {name: sorted(deps[name]) for name in names}


def _downstream(deps: dict[str, set[str]], name: str) -> set[str]:
    """Notebooks that depend on ``name``, directly or through others."""
    below: set[str] = set()
    frontier = {name}
    while frontier:
        frontier = {n for n, ups in deps.items() if ups & frontier and n not in below}
        below |= frontier
    return below


def _check_acyclic(deps: dict[str, set[str]], names: list[str]) -> None:
    left = {n: set(deps.get(n, ())) for n in names}
    while left:
        ready = [n for n, ups in left.items() if not ups & left.keys()]
        if not ready:
            raise BadUpstream("the notebooks' upstream declarations form a circle: "
                              + ", ".join(sorted(left)))
        for n in ready:
            del left[n]


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
    return (_notebook_metadata(notebook).get("kernelspec") or {}).get("name") or "python3"


def _kernel_manager_class(env: dict[str, str] | None = None):
    """A KernelManager whose kernel gets ``env`` added to its environment.

    It also provisions CurveZMQ keys when kernel and pyzmq support them: ipykernel >= 7.4 warns
    on every start that a TCP kernel runs without encryption; with
    ``transport_encryption = "auto"`` jupyter_client provisions keys for kernels whose
    kernelspec declares support, which both encrypts the local traffic and silences the
    warning (older jupyter_client/pyzmq: no encryption, no warning).
    """
    from jupyter_client.manager import KernelManager

    try:
        import zmq

        encrypt = bool(KernelManager.class_traits().get("transport_encryption")) and zmq.has("curve")
    except ImportError:  # pragma: no cover
        encrypt = False
    extra = dict(env or {})

    class _PipelineKernelManager(KernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if encrypt:
                self.transport_encryption = "auto"

        def start_kernel(self, **kw):
            if extra:
                kw["env"] = {**(kw.get("env") or os.environ), **extra}
            return super().start_kernel(**kw)

    return _PipelineKernelManager


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


#: Memory the notebook kernels of a run may take together, in bytes, when ``jobs`` is not
#: given: kernels run side by side only while their estimated peaks (:func:`kernel_memory`)
#: fit in it. ``$TIFA_MEMORY_GB`` sets it (in GB).
MEMORY_BUDGET = float(os.environ.get("TIFA_MEMORY_GB") or 3.0) * 1e9

#: A kernel's peak memory, estimated from the stage: a base (Python, pandas, matplotlib ...)
#: plus so many bytes per byte of the stage's Parquet files. Measured at 5,000 reports
#: (66 MB of Parquet): kernels of 01–04 peaked at 1.9–2.6 GB (benchmarks/README.md).
KERNEL_BASE_BYTES = 0.3e9
KERNEL_BYTES_PER_STAGE_BYTE = 38.0


def kernel_memory(out) -> float | None:
    """Estimated peak memory of one notebook kernel on the stage in ``out/data`` (bytes), or
    ``None`` when there is no stage yet."""
    data = Path(out) / "data"
    files = list(data.glob("*.parquet")) if data.is_dir() else []
    if not files:
        return None
    size = sum(f.stat().st_size for f in files)
    return KERNEL_BASE_BYTES + KERNEL_BYTES_PER_STAGE_BYTE * size


def memory_jobs(out, jobs: int, *, budget: float | None = None) -> int:
    """How many of ``jobs`` kernels may run side by side on the stage of ``out`` within the
    memory budget (:data:`MEMORY_BUDGET`): at least 1, at most ``jobs``."""
    estimate = kernel_memory(out)
    if estimate is None:
        return jobs
    budget = MEMORY_BUDGET if budget is None else budget
    return max(1, min(jobs, int(budget // estimate)))


def draw_figure_job(job) -> tuple[list[Path], list[str]]:
    """What a figure worker does with a job: :func:`tifa.report.export.render_figure_job`,
    then the briefing's picture of the figure's PNG (:func:`tifa.report.previews.warm`), so
    that the briefing, which runs last and alone, finds it made."""
    from tifa.report import previews

    written, seen = export.render_figure_job(job)
    if written:
        previews.warm(Path(written[0]).with_suffix(".png"))
    return written, seen


def default_jobs(n_notebooks: int | None = None) -> int:
    """Notebooks run at the same time by default: the CPU count (at most ``n_notebooks``)."""
    n = os.cpu_count() or 1
    return max(1, min(n, n_notebooks)) if n_notebooks else n


def run_pipeline(corpus, out, *, params: dict | None = None, only: Iterable[str] | None = None,
                 notebooks_dir=None, progress: bool = True, kernel_name: str | None = None,
                 start_timeout: float = 120, jobs: int | None = None) -> dict:
    """Execute the numbered notebooks with papermill, each after its upstream, and record the run.

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
        :func:`select_notebooks`); the others are recorded as skipped and not run, even when
        a selected notebook names them as upstream. Default all.
    notebooks_dir : str or Path, optional
        Folder of the notebooks; default :func:`tifa.paths.notebooks_dir`. Notebooks run with
        this folder as working directory.
    progress : bool, default True
        Show a tqdm bar over notebooks (and, with ``jobs=1``, papermill's bar over cells);
        ``False`` logs one concise line per notebook start and end instead (logger
        ``tifa.runner.pipeline``).
    kernel_name : str, optional
        Jupyter kernel; default the kernel named in each notebook, else ``python3`` (which
        jupyter_client starts with the running Python).
    start_timeout : float, default 120
        Seconds to wait for a kernel to start.
    jobs : int, optional
        Notebooks run at the same time (each its own kernel); default :func:`default_jobs`,
        the CPU count, lowered while the stage is so large that the kernels' estimated memory
        would pass :data:`MEMORY_BUDGET` (:func:`memory_jobs`; run.json then records
        ``kernels_side_by_side`` and ``memory``). ``1`` runs them one after the other in name
        order.

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
    BadUpstream
        If a notebook's upstream declaration names no notebook or the declarations form a
        circle (nothing is run or written).
    StageFailed
        If the stage notebook is not selected and preparing the stage here fails (e.g. nothing
        readable in the corpus); run.json marks the run failed.
    NotebookFailed
        If a notebook fails (a cell raised, the kernel died or one of its figures could not be
        drawn): the notebooks depending on it are skipped, the others still run; then this is
        raised for the first failed notebook in name order (``also_failed`` names the others).
        The executed copy keeps the traceback; run.json marks the run failed.
    """
    from tifa.runner import stages

    params = dict(params or {})
    clash = [k for k in RESERVED_PARAMETERS if k in params]
    if clash:
        raise ValueError(f"parameter(s) {clash} are set by the pipeline itself; "
                         "pass corpus= and out= instead")
    if jobs is not None and int(jobs) < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
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
    graph = dependencies(notebooks)
    n_jobs = int(jobs) if jobs is not None else default_jobs(len(selected))

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
        "jobs": n_jobs,
        "versions": {"python": sys.version.split()[0],
                     "implementation": platform.python_implementation(),
                     "platform": platform.platform(),
                     "packages": package_versions()},
        "inputs": hash_inputs(corpus_path, exclude=(out_path,)),
        "notebooks": [
            {"name": nb.name,
             "status": "pending" if nb in selected else "skipped",
             "reason": None if nb in selected else "not selected (only)",
             "seconds": None, "started": None, "finished": None, "figure_seconds": None,
             "upstream": graph[nb.name],
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
    def record_limit(limit: int) -> None:
        estimate = kernel_memory(out_path)
        memory = {"budget_gb": round(MEMORY_BUDGET / 1e9, 2),
                  "kernel_estimate_gb": round(estimate / 1e9, 2) if estimate else None}
        if (record.get("kernels_side_by_side"), record.get("memory")) != (limit, memory):
            record["kernels_side_by_side"] = limit
            record["memory"] = memory

    runner = _Runner(selected, graph, entries, save, out=out_path, folder=folder,
                     jobs=n_jobs, progress=progress, kernel_name=kernel_name,
                     start_timeout=start_timeout, auto_jobs=jobs is None,
                     record_limit=record_limit)
    failures = runner.run()
    if failures:
        first, *others = failures
        first.also_failed = [f.notebook for f in others]
        save("failed")
        raise NotebookFailed(first.notebook, cell_index=first.cell_index,
                             execution_count=first.execution_count,
                             source_line=first.source_line, ename=first.ename,
                             evalue=first.evalue, executed=first.executed,
                             also_failed=first.also_failed) from first.__cause__
    save("ok")
    return record


class _Runner:
    """Runs the selected notebooks of one pipeline run, each once its upstream is done.

    Kernels run in daemon threads (papermill blocks while a notebook runs; the threads only
    wait on their kernels), at most ``jobs`` at a time; a pool of ``jobs`` worker processes
    draws the figure jobs the kernels leave, one job per task. Every change of the run record
    is made, and saved, by the calling thread alone.
    """

    def __init__(self, selected: list[Path], graph: dict[str, list[str]], entries: dict,
                 save, *, out: Path, folder: Path, jobs: int, progress: bool,
                 auto_jobs: bool = False, record_limit=None,
                 kernel_name: str | None, start_timeout: float):
        import queue

        self.selected = selected
        chosen = {nb.name for nb in selected}
        self.upstream = {nb.name: [u for u in graph[nb.name] if u in chosen] for nb in selected}
        self.all_others = {nb.name: notebook_upstream(nb) == ALL_OTHERS for nb in selected}
        self.cost = {nb.name: notebook_cost(nb) for nb in selected}
        self.entries = entries
        self.save = save
        self.out = out
        self.folder = folder
        self.jobs = jobs
        self.auto_jobs = auto_jobs
        self.record_limit = record_limit
        self.progress = progress
        self.kernel_name = kernel_name
        self.start_timeout = start_timeout
        self.events: queue.Queue = queue.Queue()
        self.state: dict[str, str] = {}
        self.cause: dict[str, str] = {}  # notebook -> the failed notebook it was skipped for
        self.failures: dict[str, NotebookFailed] = {}
        self.managers: list = []  # kernel managers started, shut down on an interrupt
        self.renderer = None  # the figure workers, started when the first figure job comes
        self.drawing: dict[str, dict] = {}  # notebook -> its figure jobs still being drawn
        self.index = {nb.name: i + 1 for i, nb in enumerate(selected)}
        self.bar = None

    # -- reporting

    def _log(self, name: str, text: str) -> None:
        if self.bar is None:
            log.info("[%d/%d] %s %s", self.index[name], len(self.selected), name, text)

    def _finish(self, name: str, status: str) -> None:
        self.state[name] = status
        self.entries[name]["finished"] = _now()
        self.save()
        if self.bar is not None:
            self.bar.update(1)
            self._postfix()

    def _postfix(self) -> None:
        if self.bar is not None:
            running = [n for n, st in self.state.items() if st in ("running", "figures")]
            self.bar.set_postfix_str(", ".join(running))

    # -- the loop

    def run(self) -> list[NotebookFailed]:
        if self.progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=len(self.selected), unit="notebook", desc="tifa", position=0)
        waiting = list(self.selected)
        busy = 0  # events still to come: kernels running + figure jobs drawing
        clean = False
        try:
            while waiting or busy:
                for nb in list(waiting):
                    if self._skip_if_upstream_failed(nb):
                        waiting.remove(nb)
                kernels = sum(1 for st in self.state.values() if st == "running")
                limit = self._kernel_limit()
                order = (sorted(waiting, key=lambda n: (-self.cost[n.name], n.name))
                         if limit > 1 else waiting)  # one at a time: name order
                for nb in order:
                    if kernels >= limit:
                        break
                    if self._ready(nb):
                        waiting.remove(nb)
                        self._start(nb)
                        kernels += 1
                        busy += 1
                if not busy:
                    break  # nothing can start (cannot happen with an acyclic graph)
                kind, nb, payload = self.events.get()
                busy -= 1
                if kind == "kernel":
                    busy += self._kernel_done(nb, payload)
                else:
                    self._figure_done(nb, payload)
            clean = True
        except BaseException as exc:
            self._interrupted(waiting, exc)
            raise
        finally:
            if self.renderer is not None:
                self.renderer.shutdown(wait=clean, cancel_futures=True)
            if self.bar is not None:
                self.bar.close()
        return [self.failures[nb.name] for nb in self.selected if nb.name in self.failures]

    def _kernel_limit(self) -> int:
        """Kernels allowed side by side now: ``jobs``, or fewer when they were not given and
        the stage is so large that their memory would not fit the budget
        (:func:`memory_jobs`); recorded in run.json as ``kernels_side_by_side``."""
        if not self.auto_jobs:
            return self.jobs
        limit = memory_jobs(self.out, self.jobs)
        if self.record_limit is not None:
            self.record_limit(limit)
        return limit

    def _ready(self, nb: Path) -> bool:
        """Whether a notebook may start: its upstream kernels are done (notebooks after 00 read
        the stage, not the figures); a ``"*"`` notebook (the briefing, which packs every
        figure) waits until the figures are written too."""
        done = ("ok",) if self.all_others[nb.name] else ("ok", "figures")
        return all(self.state.get(u) in done for u in self.upstream[nb.name])

    def _skip_if_upstream_failed(self, nb: Path) -> bool:
        bad = [u for u in self.upstream[nb.name] if self.state.get(u) in ("failed", "skipped")]
        if not bad:
            return False
        roots = sorted({self.cause.get(u, u) for u in bad})
        self.cause[nb.name] = roots[0]
        self.entries[nb.name].update(status="skipped",
                                     reason=f"not run: {', '.join(roots)} failed")
        self._log(nb.name, f"skipped ({', '.join(roots)} failed)")
        self._finish(nb.name, "skipped")
        return True

    def _start(self, nb: Path) -> None:
        import threading

        entry = self.entries[nb.name]
        entry.update(status="running", started=_now())
        self.state[nb.name] = "running"
        self.save()
        self._log(nb.name, "...")
        self._postfix()
        jobs_dir = self.out / FIGURE_JOBS_DIR / nb.stem
        shutil.rmtree(jobs_dir, ignore_errors=True)  # a killed run's leftovers
        cell_bar = ({"desc": nb.stem, "leave": False, "position": 1}
                    if self.progress and self.jobs == 1 else False)

        def work() -> None:
            try:
                result = self._execute(nb, entry["parameters"], jobs_dir, cell_bar)
            except BaseException as exc:  # noqa: BLE001 - handed to the main loop
                result = {"seconds": 0.0, "exc": exc, "executed": None}
            self.events.put(("kernel", nb, result))

        threading.Thread(target=work, name=f"tifa-{nb.stem}", daemon=True).start()

    def _execute(self, nb: Path, parameters: dict, jobs_dir: Path, cell_bar) -> dict:
        import papermill as pm

        final = self.out / "notebooks" / nb.name
        partial = final.with_name(f".{nb.stem}.partial.ipynb")
        manager = _kernel_manager_class({export.FIGURE_JOBS_ENV: str(jobs_dir)})
        managers = self.managers

        class _Tracked(manager):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                managers.append(self)

        t0 = time.perf_counter()
        try:
            pm.execute_notebook(
                str(nb), str(partial), parameters=parameters, cwd=str(self.folder),
                kernel_name=_kernel_for(nb, self.kernel_name), log_output=False,
                start_timeout=self.start_timeout, progress_bar=cell_bar,
                kernel_manager_class=_Tracked,
            )
        except Exception as exc:  # noqa: BLE001 - turned into NotebookFailed by the caller
            seconds = time.perf_counter() - t0
            executed = None
            if partial.exists():
                os.replace(partial, final)
                executed = final
            return {"seconds": seconds, "exc": exc, "executed": executed}
        os.replace(partial, final)
        return {"seconds": time.perf_counter() - t0, "exc": None, "executed": final}

    def _kernel_done(self, nb: Path, result: dict) -> int:
        """Record a finished kernel; returns how many of its figure jobs are still to draw."""
        entry = self.entries[nb.name]
        entry["seconds"] = round(result["seconds"], 3)
        if result["exc"] is not None:
            self._failed(nb, _failure(nb.name, result["exc"], result["executed"]))
            return 0
        jobs = sorted((self.out / FIGURE_JOBS_DIR / nb.stem).glob("*.pickle"))
        self.drawing[nb.name] = {"left": len(jobs), "t0": time.perf_counter(), "errors": [],
                                 "warnings": []}
        if not jobs:
            self._figures_done(nb)
            return 0
        self.state[nb.name] = "figures"  # frees a kernel slot; dependents may start
        self._postfix()
        pool = self._pool()
        for job in jobs:
            future = pool.submit(draw_figure_job, job)
            future.add_done_callback(
                lambda f, nb=nb, job=job: self.events.put(("figure", nb, (job, f))))
        return len(jobs)

    def _pool(self):
        """The figure workers: processes of their own (matplotlib draws one figure at a time
        per process), started on first use, as many as ``jobs``."""
        if self.renderer is None:
            import multiprocessing

            self.renderer = _futures.ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"))
        return self.renderer

    def _figure_done(self, nb: Path, payload) -> None:
        job, future = payload
        state = self.drawing[nb.name]
        state["left"] -= 1
        try:
            _, seen = future.result()
            state["warnings"] += [w for w in seen if w not in state["warnings"]]
        except BaseException as exc:  # noqa: BLE001 - recorded for the notebook
            state["errors"].append(f"{job.stem}: {type(exc).__name__}: {exc}")
        if state["left"] == 0:
            self._figures_done(nb)

    def _figures_done(self, nb: Path) -> None:
        entry = self.entries[nb.name]
        state = self.drawing.pop(nb.name)
        entry["figure_seconds"] = round(time.perf_counter() - state["t0"], 3)
        if state["warnings"]:
            entry["figure_warnings"] = state["warnings"]
        if state["errors"]:
            self._failed(nb, NotebookFailed(
                nb.name, cell_index=None, execution_count=None,
                source_line="drawing its figures' SVG/PDF after the last cell",
                ename="FigureJobError", evalue="could not draw " + "; ".join(state["errors"]),
                executed=self.out / "notebooks" / nb.name))
            return
        _remove_empty_dir(self.out / FIGURE_JOBS_DIR / nb.stem)
        _remove_empty_dir(self.out / FIGURE_JOBS_DIR)
        entry["status"] = "ok"
        self._log(nb.name, f"ok ({entry['seconds']:.1f} s"
                  + (f", figures {entry['figure_seconds']:.1f} s more)"
                     if entry["figure_seconds"] >= 0.05 else ")"))
        self._finish(nb.name, "ok")

    def _failed(self, nb: Path, failure: NotebookFailed) -> None:
        entry = self.entries[nb.name]
        entry["status"] = "failed"
        entry["error"] = {"cell_index": failure.cell_index,
                          "execution_count": failure.execution_count,
                          "source_line": failure.source_line,
                          "ename": failure.ename, "evalue": failure.evalue}
        if failure.executed is None:
            entry["output"] = None
        self.failures[nb.name] = failure
        self._log(nb.name, f"failed after {entry['seconds'] or 0:.1f} s")
        self._finish(nb.name, "failed")

    def _interrupted(self, waiting: list[Path], exc: BaseException) -> None:
        """Ctrl-C (or an error of the pipeline itself): stop the kernels, record the state."""
        for km in list(self.managers):
            try:
                if km.is_alive():
                    km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - best effort
                pass
        for name, st in list(self.state.items()):
            if st in ("running", "figures"):
                self.entries[name].update(status="failed", error={
                    "cell_index": None, "execution_count": None, "source_line": "",
                    "ename": type(exc).__name__, "evalue": str(exc) or "the run was interrupted"})
        for nb in waiting:
            self.entries[nb.name].update(status="skipped",
                                         reason=f"not run: the run stopped ({type(exc).__name__})")
        self.save("failed")


def _remove_empty_dir(path: Path) -> None:
    """Remove an empty folder; leave it when it is not empty or cannot be removed."""
    try:
        path.rmdir()
    except OSError:
        pass


def _failure(name: str, exc: BaseException, executed: Path | None) -> NotebookFailed:
    """The NotebookFailed for an exception papermill raised while running ``name``."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        failure = NotebookFailed(
            name, cell_index=_source_index(executed, exc.cell_index),
            execution_count=exc.exec_count, source_line=_first_line(exc.source),
            ename=exc.ename, evalue=exc.evalue, executed=executed)
    else:
        text = str(exc).strip()
        failure = NotebookFailed(
            name, cell_index=None, execution_count=None, source_line="",
            ename=type(exc).__name__, evalue=text.splitlines()[0] if text else "",
            executed=executed)
    failure.__cause__ = exc
    return failure
