"""The renderer process of :mod:`tifa.report.background`: draws the SVG/PDF jobs a notebook
kernel left in ``<out>/figures/.jobs/`` (``python -m tifa.report.renderer <folder>``), and
:func:`wait`, which whoever needs those files calls first (the briefing does)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from tifa.report import export, previews
from tifa.report.background import release_lock, try_lock, failures, jobs_folder, pending

#: Seconds a renderer waits for a new job before it exits.
IDLE_SECONDS = 30.0


def render_pending(folder) -> list[Path]:
    """Draw every job of ``folder`` in this process, oldest first; failed jobs are moved to
    ``failed/`` with their error. Returns the files written."""
    folder = Path(folder)
    written: list[Path] = []
    while True:
        jobs = pending(folder)
        if not jobs:
            return written
        for job in jobs:
            try:
                files, _warnings = export.render_figure_job(job)
            except FileNotFoundError:
                continue  # drawn by somebody else meanwhile, or replaced by a newer save
            except Exception as exc:  # noqa: BLE001 - kept with the reason, never lost
                failed = folder / "failed"
                failed.mkdir(exist_ok=True)
                with contextlib.suppress(OSError):
                    export.write_text(f"{type(exc).__name__}: {exc}\n", failed / f"{job.stem}.txt")
                    os.replace(job, failed / job.name)
                continue
            written += files
            if files:  # the briefing's picture of the PNG, while we are at it
                previews.warm(Path(files[0]).with_suffix(".png"))


def wait(out, *, timeout: float = 300.0) -> list[str]:
    """Wait until the background jobs of output folder ``out`` are drawn.

    When jobs are pending and no renderer is running (it was killed, or never started), they
    are drawn here. Returns the failures (:func:`failures`).
    """
    folder = jobs_folder(out)
    deadline = time.monotonic() + timeout
    while pending(folder):
        fh = try_lock(folder)
        if fh is not None:  # nobody is drawing them: draw them here
            try:
                render_pending(folder)
            finally:
                release_lock(fh)
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return failures(folder)


def main(argv: list[str] | None = None) -> int:
    """The renderer: ``python -m tifa.report.background <jobs folder>``."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m tifa.report.background <jobs folder>", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    fh = try_lock(folder)
    if fh is None:
        return 0  # another renderer has the folder
    import matplotlib

    matplotlib.use("agg")
    while True:
        idle_until = time.monotonic() + IDLE_SECONDS
        while True:
            if render_pending(folder):
                idle_until = time.monotonic() + IDLE_SECONDS
            if time.monotonic() >= idle_until:
                break
            time.sleep(0.2)
        release_lock(fh)
        if not pending(folder):
            return 0
        fh = try_lock(folder)  # a job came in as we let go
        if fh is None:
            return 0  # ... and a new renderer has it



if __name__ == "__main__":
    sys.exit(main())
