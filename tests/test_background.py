"""SVG/PDF drawn by a renderer process when figures are saved in a Jupyter kernel
(tifa.report.background, tifa.report.renderer)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tifa.draw import charts
from tifa.report import background, export, renderer


def _figure(title="标题"):
    fig = charts.new_figure(6, 3.4)
    ax = fig.add_subplot()
    ax.bar(["甲", "乙"], [1, 2])
    charts.frame_figure(fig, title=title)
    return fig


def _job(out: Path, name: str, fig=None) -> Path:
    folder = background.jobs_folder(out)
    targets = [(fmt, out / "figures" / "s" / f"{name}.{fmt}") for fmt in ("svg", "pdf")]
    path = export.write_figure_job(fig or _figure(), folder / f"s.{name}.pickle", targets)
    assert path is not None
    return path


def test_outside_a_kernel_every_format_is_written_at_once(tmp_path):
    assert not background.active()  # pytest is no Jupyter kernel
    written = export.save_figure(_figure(), tmp_path, "s", "f")
    assert all(p.is_file() for p in written)
    assert not background.jobs_folder(tmp_path).exists()


def test_wait_draws_what_no_renderer_took(tmp_path):
    _job(tmp_path, "a")
    _job(tmp_path, "b")
    assert renderer.wait(tmp_path, timeout=1) == []
    for name in ("a", "b"):
        assert (tmp_path / "figures" / "s" / f"{name}.svg").read_bytes().startswith(b"<?xml")
        assert (tmp_path / "figures" / "s" / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    assert background.pending(background.jobs_folder(tmp_path)) == []


def test_a_job_that_fails_is_kept_with_its_reason(tmp_path):
    good = _job(tmp_path, "good")
    bad = good.with_name("s.bad.pickle")
    bad.write_bytes(b"not a pickle")
    failures = renderer.wait(tmp_path, timeout=1)
    assert len(failures) == 1 and failures[0].startswith("s.bad: ")
    folder = background.jobs_folder(tmp_path)
    assert (folder / "failed" / "s.bad.pickle").read_bytes() == b"not a pickle"
    assert (tmp_path / "figures" / "s" / "good.pdf").is_file()  # one bad job sinks nothing
    with pytest.warns(UserWarning, match="s.bad"):
        background.warn_failures(folder)


def test_a_job_saved_again_while_drawn_is_not_lost(tmp_path):
    job = _job(tmp_path, "f", _figure("旧"))
    original = export._write_format

    def resave_during_draw(fig, fmt, path, *, dpi):
        if fmt == "pdf" and not getattr(resave_during_draw, "done", False):
            resave_during_draw.done = True
            time.sleep(0.01)
            _job(tmp_path, "f", _figure("新"))  # the notebook saved the figure again
        return original(fig, fmt, path, dpi=dpi)

    export._write_format = resave_during_draw
    try:
        export.render_figure_job(job)
    finally:
        export._write_format = original
    assert job.is_file()  # the newer job stays, to be drawn next
    export.render_figure_job(job)
    assert not job.exists()


def test_the_renderer_draws_the_jobs_and_exits(tmp_path, monkeypatch):
    _job(tmp_path, "a")
    folder = background.jobs_folder(tmp_path)
    env_idle = "import tifa.report.renderer as r; r.IDLE_SECONDS = 0.5; import sys; sys.exit(r.main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", env_idle, str(folder)])
    time.sleep(0.5)
    assert background.renderer_running(folder) or not background.pending(folder)
    assert background.ensure_renderer(folder) is False or not background.pending(folder)
    assert proc.wait(timeout=60) == 0
    assert (tmp_path / "figures" / "s" / "a.svg").is_file()
    assert not background.renderer_running(folder)


def test_in_a_kernel_save_figure_returns_before_svg_and_pdf(tmp_path):
    """A real kernel (papermill): the cell leaves SVG/PDF to the renderer; the briefing's wait
    finds them all written."""
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "from tifa.draw import charts\nfrom tifa.report import background, export, renderer\n"
        f"out = {str(tmp_path)!r}\n"
        "fig = charts.new_figure(6, 3.4)\nax = fig.add_subplot()\nax.bar(['甲', '乙'], [1, 2])\n"
        "charts.frame_figure(fig, title='标题')\n"
        "export.save_figure(fig, out, 's', 'f')\n"
        "print(background.active(), sorted(p.name for p in background.jobs_folder(out).glob('*.pickle')))")]
    src = tmp_path / "nb.ipynb"
    nbformat.write(nb, src)
    done = pm.execute_notebook(str(src), str(tmp_path / "done.ipynb"), progress_bar=False,
                               kernel_name="python3")
    printed = done.cells[0].outputs[0]["text"]
    assert printed.startswith("True")  # it ran in a kernel, in the background
    assert (tmp_path / "figures" / "s" / "f.png").is_file()
    assert renderer.wait(tmp_path, timeout=120) == []
    for fmt in ("svg", "pdf"):
        assert (tmp_path / "figures" / "s" / f"f.{fmt}").stat().st_size > 0


def test_kernels_side_by_side_follow_the_stage_size(tmp_path):
    from tifa.runner import pipeline

    assert pipeline.memory_jobs(tmp_path, 2) == 2  # no stage yet: as many as asked
    data = tmp_path / "data"
    data.mkdir()
    (data / "tokens.parquet").write_bytes(b"\0" * 1_000_000)  # a small stage: 0.34 GB each
    assert pipeline.memory_jobs(tmp_path, 2, budget=3e9) == 2
    (data / "tokens.parquet").write_bytes(b"\0" * 66_000_000)  # 5,000 reports: 2.8 GB each
    assert pipeline.memory_jobs(tmp_path, 2, budget=3e9) == 1
    assert pipeline.memory_jobs(tmp_path, 2, budget=1e9) == 1  # never fewer than one
