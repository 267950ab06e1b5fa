"""SVG and PDF drawn in the background of a notebook kernel.

In ``tifa run`` the vector formats of every figure are left as figure jobs and drawn by the
pipeline's worker pool (:mod:`tifa.report.export`, module notes). In JupyterLab nothing ran
them: each figure cell drew PNG, SVG and PDF before it returned, and the SVG and PDF were
half of a figure cell's time. Inside a Jupyter kernel, :func:`tifa.report.export.save_figure`
now leaves them to a **renderer process** instead:

* the job (the pickled figure, :func:`tifa.report.export.write_figure_job`) is written to
  ``<out>/figures/.jobs/`` — on disk, so a kernel that is restarted or killed loses nothing;
* :func:`ensure_renderer` starts ``python -m tifa.report.renderer <folder>`` unless one
  already holds the folder's lock (``.lock``, an ``flock``): one renderer per output folder,
  shared by every kernel writing there;
* the renderer draws the jobs oldest first, each file atomically, and exits when the folder
  stays empty; a job that fails is moved to ``failed/`` with the error beside it, and the next
  :func:`tifa.report.export.save_figure` in a kernel warns about it (:func:`failures`);
* whoever needs the files waits with :func:`tifa.report.renderer.wait` — the briefing
  (``build_pack``) does, and
  draws what is left itself when no renderer is running, so a pack never misses a file.

Outside a kernel (scripts, tests, ``tifa run``'s own jobs) nothing changes. Set
:data:`ENABLED` to ``False`` (or the environment variable ``TIFA_BACKGROUND_FIGURES=0``) to draw
every format in the cell again.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

#: Draw SVG/PDF in a renderer process when :func:`tifa.report.export.save_figure` runs in a
#: Jupyter kernel; ``TIFA_BACKGROUND_FIGURES=0`` in the environment turns it off.
ENABLED = os.environ.get("TIFA_BACKGROUND_FIGURES", "1").strip().lower() not in ("0", "false", "no")

#: Folder of the pending jobs, relative to the output folder.
JOBS_DIR = Path("figures") / ".jobs"

_reported: set[str] = set()


def in_kernel() -> bool:
    """Whether this code runs in a Jupyter kernel (JupyterLab, papermill, nbval)."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel brings IPython
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def active() -> bool:
    """Whether :func:`tifa.report.export.save_figure` should leave vector formats here now."""
    return ENABLED and in_kernel()


def jobs_folder(out) -> Path:
    """``<out>/figures/.jobs``."""
    return Path(out) / JOBS_DIR


def try_lock(folder: Path):
    """The folder's lock file, locked, or ``None`` when another process holds it."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    fh = open(folder / ".lock", "a+b")  # noqa: SIM115 - held for the renderer's life
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def release_lock(fh) -> None:
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    fh.close()


def renderer_running(folder) -> bool:
    """Whether a renderer holds ``folder``'s lock."""
    fh = try_lock(Path(folder))
    if fh is None:
        return True
    release_lock(fh)
    return False


def pending(folder) -> list[Path]:
    """The jobs waiting in ``folder``, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    jobs = []
    for job in folder.glob("*.pickle"):
        with contextlib.suppress(OSError):
            jobs.append((job.stat().st_mtime_ns, job.name, job))
    return [job for *_, job in sorted(jobs)]


def ensure_renderer(folder) -> bool:
    """Start a renderer for ``folder`` unless one is running. Returns whether one was started.

    Call it after writing a job: a renderer that is about to exit looks for jobs once more
    after letting go of the lock, so a job written while it was finishing is not left behind.
    """
    folder = Path(folder)
    if renderer_running(folder):
        return False
    log = open(folder / "renderer.log", "ab")  # noqa: SIM115 - handed to the child
    try:
        subprocess.Popen([sys.executable, "-m", "tifa.report.renderer", str(folder)],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True, close_fds=True)
    finally:
        log.close()
    return True


def failures(folder) -> list[str]:
    """Jobs of ``folder`` that failed, each as ``"<section>.<name>: <error>"``."""
    failed = Path(folder) / "failed"
    if not failed.is_dir():
        return []
    out = []
    for note in sorted(failed.glob("*.txt")):
        with contextlib.suppress(OSError):
            out.append(f"{note.stem}: {note.read_text(encoding='utf-8').strip()}")
    return out


def warn_failures(folder) -> None:
    """Warn once per failed job of ``folder`` (called by ``save_figure`` in a kernel)."""
    import warnings

    for text in failures(folder):
        if text not in _reported:
            _reported.add(text)
            warnings.warn(f"a figure's SVG/PDF could not be drawn in the background: {text} "
                          f"(the job is kept in {Path(folder) / 'failed'})", stacklevel=3)
