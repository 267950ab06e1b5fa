"""tifa against the naive baseline on synthetic corpora of 500 and 5,000 reports (``make bench``).

    python benchmarks/run.py [--sizes 500 5000] [--repeat 3] [--clouds 50] [--no-pipeline]
                             [--pipeline-sizes 500 5000] [--results benchmarks/results.md]

What it does, in one run:

1. generates the corpora with ``benchmarks/generate.py`` (deterministic; reused when present)
   into ``benchmarks/work/`` (git-ignored);
2. for each size, runs in fresh child processes (so no run profits from another's memory):
   the naive baseline (``benchmarks/baseline.py``); tifa's stages with a fresh token cache:
   ingest (``read_corpus``), units, tokenization cold with the automatic process pool and
   with one process, then in a new process tokenization warm (every document from the
   cache), counts, TF-IDF and word clouds; tokenization (baseline and tifa cold) is repeated
   ``--repeat`` times, alternating, and the median kept, since the machine is shared;
3. runs the whole pipeline (``tifa run`` with ``-p by region`` and the manifest) on a fresh
   cache and output folder (cold), then again into a fresh output folder with the token cache
   filled (warm), and re-runs each notebook on its own the way JupyterLab does (papermill on
   one notebook, the stage in place, every figure format drawn in its cell);
4. measures the floor and the pipeline on ``seeds/`` (before the sizes): papermill over as
   many notebooks as the pipeline has, each only importing the libraries the notebooks use
   (pandas, matplotlib, jieba, scikit-learn, wordcloud) and drawing one figure, and
   ``tifa run`` on the seeds cold and with the token cache warm;
5. writes a Markdown report (``benchmarks/results.md``) and the raw numbers
   (``benchmarks/work/results.json``).

Time is wall-clock (``time.perf_counter`` inside the child, around the stage only). Memory is
sampled from outside every 0.05 s with psutil: the resident set size (RSS) of the child and of
all its descendants (tokenizer workers, notebook kernels), summed — which counts pages that
forked workers share with their parent twice, so it overstates rather than understates — and
the largest single process. The load average is recorded before and after every measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from baseline import MARK, emit, stage  # noqa: E402
from generate import generate, manifest_path  # noqa: E402

PY = sys.executable


# --------------------------------------------------------------------------- measuring children

def _tree_rss(proc) -> tuple[int, int]:
    """(sum of RSS, largest RSS) over a psutil process and its descendants, in bytes."""
    import psutil

    total = largest = 0
    try:
        members = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0, 0
    for p in members:
        try:
            rss = p.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def _cpu_times() -> list[int]:
    """The machine's CPU time counters (``/proc/stat``, first line), or [] off Linux."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            return [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return []


def _steal_share(before: list[int], after: list[int]) -> float | None:
    """Share of CPU time the hypervisor gave to other machines between two readings (the
    8th counter, ``steal``): on a shared virtual machine, the time a measurement lost."""
    if len(before) < 8 or len(after) < 8:
        return None
    delta = [b - a for a, b in zip(before, after)]
    total = sum(delta[:8])
    return delta[7] / total if total > 0 else None


def measure(cmd: list[str], *, env: dict | None = None, interval: float = 0.05,
            log: Path | None = None) -> dict:
    """Run ``cmd``, sampling its process tree's memory; collect its ``@@bench`` stage events.

    Returns ``{"seconds", "returncode", "peak_rss", "peak_proc_rss", "stages": {name: {...}},
    "load_before", "load_after"}``; each stage has ``seconds`` (measured in the child),
    ``peak_rss`` and ``peak_proc_rss`` (sampled while it ran) and the child's extra fields.
    """
    import psutil

    load_before = os.getloadavg()
    cpu_before = _cpu_times()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=ROOT, bufsize=1)
    ps = psutil.Process(proc.pid)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    stages: dict[str, dict] = {}
    current: str | None = None
    cur_peak = cur_proc = peak = peak_proc = 0
    out_log = open(log, "w", encoding="utf-8") if log else None

    def drain() -> None:
        nonlocal current, cur_peak, cur_proc
        while True:
            try:
                line = lines.get_nowait()
            except queue.Empty:
                return
            if out_log:
                out_log.write(line)
            if not line.startswith(MARK):
                continue
            event = json.loads(line[len(MARK):])
            if event["event"] == "start":
                current, cur_peak, cur_proc = event["stage"], 0, 0
                stages[current] = {}
            elif event["event"] == "end":
                name = event.pop("stage")
                event.pop("event")
                stages[name] = {**event, "peak_rss": cur_peak, "peak_proc_rss": cur_proc}
                current = None
            elif event["event"] == "note":  # more about a stage that has ended
                name = event.pop("stage")
                event.pop("event")
                stages.setdefault(name, {}).update(event)

    while proc.poll() is None:
        total, largest = _tree_rss(ps)
        peak, peak_proc = max(peak, total), max(peak_proc, largest)
        cur_peak, cur_proc = max(cur_peak, total), max(cur_proc, largest)
        drain()
        time.sleep(interval)
    reader.join(timeout=5)
    drain()
    if out_log:
        out_log.close()
    return {"cmd": cmd, "seconds": time.perf_counter() - t0, "returncode": proc.returncode,
            "peak_rss": peak, "peak_proc_rss": peak_proc, "stages": stages,
            "load_before": load_before, "load_after": os.getloadavg(),
            "steal": _steal_share(cpu_before, _cpu_times())}


# --------------------------------------------------------------------------- the tifa child

def child_tifa(args: argparse.Namespace) -> None:
    """Run tifa's stages in this process, announcing each (``--child tifa``)."""
    import pandas as pd

    from tifa.ingest.corpus import read_corpus
    from tifa.tokenize.lexicon import load_lexicon
    from tifa.tokenize import tokenize
    from tifa.ingest.units import split_units

    cache = Path(args.cache)
    if args.mode == "cold":
        shutil.rmtree(cache, ignore_errors=True)
    with stage("setup"):
        lexicon = load_lexicon()
    with stage("ingest") as info:
        documents, report = read_corpus(args.corpus, manifest=args.manifest)
        info.update(docs=len(documents), chars=int(documents["n_chars"].sum()))
    with stage("units") as info:
        units = split_units(documents)
        info.update(sentences=len(units))
    name = "tokenize_" + args.mode + ("" if args.jobs is None else f"_{args.jobs}proc")
    with stage(name) as info:
        tokens = tokenize(units, lexicon=lexicon, cache_dir=cache, n_jobs=args.jobs)
        hits = tokens.attrs["cache"]["hits"]
        info.update(tokens=len(tokens), hits=hits, misses=tokens.attrs["cache"]["misses"])
    if not args.analyses:
        return

    import matplotlib

    matplotlib.use("Agg")
    from tifa.draw import keyword_charts, style
    from tifa.analyze import compare, frequency

    style.use_style()
    with stage("count") as info:
        per_doc = frequency.term_frequencies(tokens, documents, by="doc_id")
        per_region = frequency.term_frequencies(tokens, documents, by="region")
        info.update(rows=len(per_doc) + len(per_region))
    with stage("tfidf") as info:
        table = compare.tfidf(tokens, documents, by="doc_id", unit="document")
        info.update(rows=len(table))
    with stage("clouds") as info:
        fig = keyword_charts.wordcloud_grid(per_region, max_panels=12)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        fig.savefig(out / "clouds_by_region.png", dpi=100)
        info.update(drawn=min(12, per_region["group"].nunique()))
    del pd


# --------------------------------------------------------------------------- the floor

#: The floor notebook: what every notebook pays at least (the libraries, one figure shown).
FLOOR_CELLS = (
    "out = None",
    "import pandas as pd\n"
    "import matplotlib.pyplot as plt\n"
    "import jieba\n"
    "from sklearn.feature_extraction.text import TfidfVectorizer\n"
    "from wordcloud import WordCloud",
    "fig, ax = plt.subplots(figsize=(10, 5.625))\n"
    "ax.bar(['a', 'b', 'c'], pd.Series([3, 1, 2]))\n"
    "plt.show()",
)


def write_floor(folder: Path, count: int) -> list[Path]:
    """``count`` floor notebooks ``NN_floor.ipynb`` in ``folder`` (see :data:`FLOOR_CELLS`)."""
    import nbformat

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    made = []
    for i in range(count):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(c) for c in FLOOR_CELLS]
        nb.cells[0].metadata["tags"] = ["parameters"]
        path = folder / f"{i:02d}_floor.ipynb"
        nbformat.write(nb, path)
        made.append(path)
    return made


def child_floor(args: argparse.Namespace) -> None:
    """papermill over the floor notebooks one after the other, in this process (``--child floor``)."""
    import papermill as pm

    folder = Path(args.corpus)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with stage("floor") as info:
        seconds = {}
        for nb in sorted(folder.glob("*_floor.ipynb")):
            t0 = time.perf_counter()
            pm.execute_notebook(str(nb), str(out / nb.name), progress_bar=False, cwd=str(folder))
            seconds[nb.name] = time.perf_counter() - t0
        info.update(notebooks=seconds)


def child_rerun(args: argparse.Namespace) -> None:
    """Each notebook on its own as in JupyterLab (``--child rerun``): papermill, stage in place,
    no figure jobs of ``tifa run``: the kernel leaves SVG/PDF to its background renderer
    (tifa.report.background), as in JupyterLab. The stage's seconds are the notebook's (what
    the analyst waits for); ``files_seconds`` is until its SVG/PDF are written too."""
    import papermill as pm

    from tifa.report import export, renderer
    from tifa.runner import pipeline

    os.environ.pop(export.FIGURE_JOBS_ENV, None)
    out = Path(args.out)
    scratch = out / "rerun_notebooks"
    scratch.mkdir(parents=True, exist_ok=True)
    for nb in pipeline.discover_notebooks():
        if nb.name.startswith("00_"):
            continue  # 00 declares the corpus: it is the stage, not a re-run of one
        declared = pipeline.notebook_parameters(nb)
        params = {k: v for k, v in {"out": str(out), "by": args.by}.items() if k in declared}
        t0 = time.perf_counter()
        with stage(f"rerun {nb.stem}") as info:
            pm.execute_notebook(str(nb), str(scratch / nb.name), parameters=params,
                                progress_bar=False, cwd=str(nb.parent))
            info.update(notebook=nb.name)
        failed = renderer.wait(out)
        emit({"event": "note", "stage": f"rerun {nb.stem}",
              "files_seconds": time.perf_counter() - t0, "failed": failed})


# --------------------------------------------------------------------------- orchestration

def _corpus(size: int, work: Path, seed: int) -> tuple[Path, Path]:
    folder = work / f"corpus_{size}"
    manifest = manifest_path(folder)
    present = folder.is_dir() and manifest.is_file() and len(list(folder.glob("r*.txt"))) == size
    if not present:
        print(f"generating {size} reports ...", flush=True)
        generate(size, folder, seed=seed)
    return folder, manifest


def _tifa_cmd(corpus: Path, manifest: Path, cache: Path, out: Path, *, mode: str,
              jobs: int | None = None, analyses: bool = False) -> list[str]:
    cmd = [PY, str(HERE / "run.py"), "--child", "tifa", "--corpus", str(corpus),
           "--manifest", str(manifest), "--cache", str(cache), "--out", str(out), "--mode", mode]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    if analyses:
        cmd.append("--analyses")
    return cmd


def _say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {msg}", flush=True)


def bench_size(size: int, args: argparse.Namespace) -> dict:
    work = args.work
    corpus, manifest = _corpus(size, work, args.seed)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    cache = work / f"cache_{size}"
    out = work / f"out_{size}"
    clouds = "all" if args.clouds == "all" else str(min(int(args.clouds), size))
    result: dict = {"size": size, "bytes": sum(p.stat().st_size for p in corpus.glob("r*.txt"))}

    _say(f"{size}: baseline (clouds: {clouds}) ...")
    result["baseline"] = measure([PY, str(HERE / "baseline.py"), "--corpus", str(corpus),
                                  "--out", str(work / f"baseline_clouds_{size}"),
                                  "--clouds", clouds], log=logs / f"baseline_{size}.log")
    base_tok = [result["baseline"]["stages"]["tokenize"]["seconds"]]

    _say(f"{size}: tifa cold (auto) + analyses ...")
    result["tifa_cold"] = [measure(_tifa_cmd(corpus, manifest, cache, out, mode="cold",
                                             analyses=True), log=logs / f"tifa_cold_{size}.log")]
    _say(f"{size}: tifa warm ...")
    result["tifa_warm"] = [measure(_tifa_cmd(corpus, manifest, cache, out, mode="warm"),
                                   log=logs / f"tifa_warm_{size}.log")]
    _say(f"{size}: tifa cold, one process ...")
    result["tifa_cold_1"] = measure(_tifa_cmd(corpus, manifest, work / f"cache1_{size}", out,
                                              mode="cold", jobs=1),
                                    log=logs / f"tifa_cold1_{size}.log")
    shutil.rmtree(work / f"cache1_{size}", ignore_errors=True)

    # repeats of the two tokenizations that the speed targets compare, alternating
    for r in range(1, args.repeat):
        _say(f"{size}: repeat {r + 1}/{args.repeat}: baseline tokenization, tifa cold, tifa warm ...")
        b = measure([PY, str(HERE / "baseline.py"), "--corpus", str(corpus), "--out",
                     str(work / f"baseline_clouds_{size}"), "--clouds", "0", "--only-tokenize"])
        base_tok.append(b["stages"]["tokenize"]["seconds"])
        result["tifa_cold"].append(measure(_tifa_cmd(corpus, manifest, cache, out, mode="cold")))
        result["tifa_warm"].append(measure(_tifa_cmd(corpus, manifest, cache, out, mode="warm")))
    result["baseline_tokenize_runs"] = base_tok

    if size in args.pipeline_sizes:
        pout = work / f"pipeline_out_{size}"
        pcache = work / f"pipeline_cache_{size}"
        shutil.rmtree(pout, ignore_errors=True)
        shutil.rmtree(pcache, ignore_errors=True)
        env = {**os.environ, "TIFA_CACHE": str(pcache)}
        cmd = [str(Path(PY).with_name("tifa")), "run", "--corpus", str(corpus), "--out", str(pout),
               "-p", "manifest", str(manifest), "-p", "by", args.by, "--no-progress"]
        _say(f"{size}: whole pipeline: {' '.join(cmd[1:])} ...")
        run = _pipeline(cmd, pout, env, logs / f"pipeline_{size}.log")
        result["pipeline"] = run
        _say(f"{size}: pipeline {run['status']} in {run['seconds']:.0f} s, "
             f"peak {run['peak_rss'] / 1e9:.2f} GB")
        if size in args.warm_sizes:
            wout = work / f"pipeline_out_{size}_warm"
            shutil.rmtree(wout, ignore_errors=True)
            _say(f"{size}: whole pipeline again, token cache warm ...")
            result["pipeline_warm"] = _pipeline(cmd[:5] + [str(wout)] + cmd[6:], wout, env,
                                                logs / f"pipeline_{size}_warm.log")
            _say(f"{size}: each notebook re-run on its own (JupyterLab-like) ...")
            result["rerun"] = measure([PY, str(HERE / "run.py"), "--child", "rerun", "--out",
                                       str(wout), "--by", args.by], env=env,
                                      log=logs / f"rerun_{size}.log")
    return result


def _pipeline(cmd: list[str], out: Path, env: dict, log: Path) -> dict:
    """Run ``tifa run`` (``cmd``), with the notebooks' status and seconds from its run.json."""
    run = measure(cmd, env=env, log=log)
    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
        run["notebooks"] = {nb["name"]: {"status": nb["status"], "seconds": nb["seconds"],
                                         "figure_seconds": nb.get("figure_seconds")}
                            for nb in record["notebooks"]}
        run["status"] = record["status"]
        run["kernels"] = record.get("kernels_side_by_side", record.get("jobs"))
    except (OSError, ValueError):
        run["status"] = "no run.json"
    return run


def bench_seeds(args: argparse.Namespace) -> dict:
    """The floor and ``tifa run`` on the seeds (cold, then with the token cache warm)."""
    from tifa.runner import pipeline

    work = args.work
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    count = len(pipeline.discover_notebooks())
    floor_nbs = write_floor(work / "floor_notebooks", count)
    result: dict = {"notebooks": count}
    cache = work / "seeds_cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "TIFA_CACHE": str(cache)}
    tifa = str(Path(PY).with_name("tifa"))
    for label in ("cold", "warm"):
        out = work / f"seeds_out_{label}"
        shutil.rmtree(out, ignore_errors=True)
        _say(f"seeds: tifa run ({label}) ...")
        result[label] = _pipeline([tifa, "run", "--corpus", str(ROOT / "seeds"), "--out", str(out),
                                   "--no-progress"], out, env, logs / f"seeds_{label}.log")
        _say(f"seeds: floor ({count} notebooks) ...")  # alternating with the pipeline runs
        result.setdefault("floor", []).append(measure(
            [PY, str(HERE / "run.py"), "--child", "floor", "--corpus", str(floor_nbs[0].parent),
             "--out", str(work / "floor_out")], log=logs / f"floor_{label}.log"))
    _say(f"seeds: pipeline warm {result['warm']['seconds']:.0f} s, floor "
         f"{result['floor'][-1]['stages']['floor']['seconds']:.0f} s")
    return result


# --------------------------------------------------------------------------- report

def _median(values):
    return statistics.median(values) if values else float("nan")


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f}" if n else "–"  # 0: the stage ended before the first sample


def _s(x: float) -> str:
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def _per_notebook(run: dict) -> str:
    """``00 12 s (+3 s figures), 01 …`` from a pipeline measurement."""
    parts = []
    for name, v in run.get("notebooks", {}).items():
        extra = v.get("figure_seconds")
        parts.append(f"{name.split('_')[0]} {v['seconds'] or 0:.1f} s"
                     + (f" (+{extra:.1f} s figures)" if extra else "")
                     + ("" if v["status"] == "ok" else f" ({v['status']})"))
    return ", ".join(parts)


def _load(m: dict) -> str:
    steal = m.get("steal")
    return (f"load {m['load_before'][0]:.2f} → {m['load_after'][0]:.2f}"
            + (f", CPU stolen by the hypervisor {steal:.0%}" if steal is not None else ""))


def _seeds_section(seeds: dict) -> list[str]:
    floor = [f["stages"]["floor"]["seconds"] for f in seeds["floor"]]
    warm, cold = seeds["warm"], seeds["cold"]
    ratio = warm["seconds"] / _median(floor)
    return [
        f"## The floor and the seeds ({seeds['notebooks']} notebooks)", "",
        "| run | s | ÷ floor | notebooks (kernel seconds; figures drawn after, off the path) |",
        "| --- | ---: | ---: | --- |",
        f"| floor: papermill over {seeds['notebooks']} notebooks importing pandas, matplotlib, "
        f"jieba, scikit-learn, wordcloud and drawing one figure (median of {len(floor)}: "
        f"{', '.join(_s(x) for x in floor)}) | {_s(_median(floor))} | 1.00× | – |",
        f"| `tifa run` on seeds/, cold (empty token and tokenizer cache) | {_s(cold['seconds'])} | "
        f"{cold['seconds'] / _median(floor):.2f}× | {_per_notebook(cold)} |",
        f"| `tifa run` on seeds/, token cache warm | {_s(warm['seconds'])} | {ratio:.2f}× | "
        f"{_per_notebook(warm)} |", "",
        f"Loads: floor {', '.join(_load(f) for f in seeds['floor'])}; cold {_load(cold)}; "
        f"warm {_load(warm)}.", ""]


def summarise(results: list[dict], meta: dict, args: argparse.Namespace, *,
              seeds: dict | None = None) -> str:
    lines = ["# Benchmark results", "",
             f"Measured {meta['date']} with "
             + f"`{' '.join(['python benchmarks/run.py', *meta['argv']])}`.", "",
             f"Machine: {meta['cpus']} cores ({meta['platform']}), {meta['memory_gb']:.0f} GB RAM, "
             f"Python {meta['python']}. Load average (1 min) at the start {meta['load_start'][0]:.2f}, "
             f"at the end {meta['load_end'][0]:.2f}; the machine was shared with other work, so "
             "times are noisy (each measurement's load is in `benchmarks/work/results.json`).", ""]
    if seeds:
        lines += _seeds_section(seeds)
    for res in results:
        n = res["size"]
        base = res["baseline"]["stages"]
        b_tok = _median(res["baseline_tokenize_runs"])
        cold_runs = [r["stages"]["tokenize_cold"]["seconds"] for r in res["tifa_cold"]]
        warm_runs = [r["stages"]["tokenize_warm"]["seconds"] for r in res["tifa_warm"]]
        cold, warm = _median(cold_runs), _median(warm_runs)
        tc = res["tifa_cold"][0]["stages"]
        tw = res["tifa_warm"][0]["stages"]
        one = res["tifa_cold_1"]["stages"]["tokenize_cold_1proc"]
        drawn = base["clouds"]["drawn"]
        per_cloud = base["clouds"]["seconds"] / drawn if drawn else float("nan")
        clouds_all = per_cloud * base["clouds"]["docs"]
        lines += [f"## {n:,} reports ({res['bytes'] / 1e6:.1f} MB of text)", "",
                  "| stage | baseline s | tifa s | tifa ÷ baseline speed | baseline peak GB | tifa peak GB |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]

        def row(label, b, t, bp, tp, note=""):
            ratio = f"{b / t:.2f}×" if b and t and b == b and t == t else "–"
            bs = _s(b) if b == b else "–"
            ts = _s(t) if t == t else "–"
            lines.append(f"| {label}{note} | {bs} | {ts} | {ratio} | {bp} | {tp} |")

        row("read files (tifa: detect encoding, clean, metadata)", base["ingest"]["seconds"],
            tc["ingest"]["seconds"], _gb(base["ingest"]["peak_rss"]), _gb(tc["ingest"]["peak_rss"]))
        row("sentences and sections (tifa only)", float("nan"), tc["units"]["seconds"], "–",
            _gb(tc["units"]["peak_rss"]))
        row(f"**tokenize cold** (tifa: POS, user dictionary, {meta['cpus']} processes; median of "
            f"{len(cold_runs)})", b_tok, cold, _gb(base["tokenize"]["peak_rss"]),
            _gb(tc["tokenize_cold"]["peak_rss"]))
        row("tokenize cold, tifa in one process", b_tok, one["seconds"], "–",
            _gb(res["tifa_cold_1"]["stages"]["tokenize_cold_1proc"]["peak_rss"]))
        row(f"**tokenize warm** (cache; median of {len(warm_runs)})", b_tok, warm, "–",
            _gb(tw["tokenize_warm"]["peak_rss"]))
        row("count (baseline: Counter per doc; tifa: per doc and per region)",
            base["count"]["seconds"], tc["count"]["seconds"], _gb(base["count"]["peak_rss"]),
            _gb(tc["count"]["peak_rss"]))
        row("TF-IDF (baseline re-tokenizes; tifa from the tokens)", base["tfidf"]["seconds"],
            tc["tfidf"]["seconds"], _gb(base["tfidf"]["peak_rss"]), _gb(tc["tfidf"]["peak_rss"]))
        note = (f" (baseline: one per document, {drawn} drawn, {per_cloud:.2f} s each, "
                f"extrapolated to {base['clouds']['docs']:,}; tifa: one grid of the 12 regions)"
                if drawn != base["clouds"]["docs"] else
                " (baseline: one per document; tifa: one grid of the 12 regions)")
        row("word clouds", clouds_all, tc["clouds"]["seconds"], _gb(base["clouds"]["peak_rss"]),
            _gb(tc["clouds"]["peak_rss"]), note)
        b_total = sum(base[s]["seconds"] for s in ("ingest", "tokenize", "count", "tfidf")) + clouds_all
        pipe = res.get("pipeline")
        if pipe:
            row(f"**whole pipeline** (baseline: the stages above; tifa: `tifa run`, "
                f"{len(pipe.get('notebooks', {}))} notebooks, {pipe['status']})", b_total,
                pipe["seconds"], _gb(res["baseline"]["peak_rss"]), _gb(pipe["peak_rss"]))
        lines += ["", f"Tokenization runs (s): baseline {', '.join(_s(x) for x in res['baseline_tokenize_runs'])}; "
                  f"tifa cold {', '.join(_s(x) for x in cold_runs)}; tifa warm "
                  f"{', '.join(_s(x) for x in warm_runs)}. Tokens: baseline "
                  f"{base['tokenize']['tokens']:,} (jieba.lcut, punctuation included), tifa "
                  f"{tc['tokenize_cold']['tokens']:,} (punctuation and bare numbers dropped).", ""]
        if pipe:
            nbs = ", ".join(f"{k.split('_')[0]} {v['seconds'] or 0:.0f} s ({v['status']})"
                            for k, v in pipe.get("notebooks", {}).items())
            lines += [f"Pipeline: {pipe['seconds']:.0f} s wall; notebooks {nbs}; peak RSS "
                      f"{_gb(pipe['peak_rss'])} GB summed over the process tree, "
                      f"{_gb(pipe['peak_proc_rss'])} GB in the largest process; {_load(pipe)}.", "",
                      f"Per notebook, cold (kernel seconds; `tifa run` ran {pipe.get('kernels', '?')} "
                      f"kernel(s) side by side after 00): "
                      f"{_per_notebook(pipe)}.", ""]
        warm_pipe = res.get("pipeline_warm")
        if warm_pipe:
            lines += [f"Pipeline again with the token cache warm: {warm_pipe['seconds']:.0f} s "
                      f"wall ({warm_pipe['status']}), peak {_gb(warm_pipe['peak_rss'])} GB; "
                      f"{_per_notebook(warm_pipe)}; {_load(warm_pipe)}.", ""]
        rerun = res.get("rerun")
        if rerun:
            each = [(k.split(" ", 1)[1], v["seconds"], v.get("files_seconds"))
                    for k, v in rerun["stages"].items()]
            lines += ["Each notebook re-run on its own once the stage exists, as in JupyterLab "
                      "(papermill: kernel start, imports, `stages.load`, every cell; SVG/PDF "
                      "drawn by the kernel's background renderer — in brackets, the seconds "
                      "until they were all written): "
                      + ", ".join(f"{k} {_s(v)} s" + (f" ({_s(f)} s)" if f else "")
                                  for k, v, f in each)
                      + f"; {_load(rerun)}.", ""]
    lines += ["## Targets", "", "| target | measured | met |", "| --- | --- | :---: |"]

    def verdict(ok: bool) -> str:
        return "yes" if ok else "**no**"

    if seeds:
        floor = _median([f["stages"]["floor"]["seconds"] for f in seeds["floor"]])
        ratio = seeds["warm"]["seconds"] / floor
        lines.append(f"| pipeline on seeds/ (token cache warm) ≤ 2.0× the floor | {ratio:.2f}× "
                     f"({_s(seeds['warm']['seconds'])} s ÷ {_s(floor)} s) | {verdict(ratio <= 2.0)} |")
    for res in results:
        pipe = res.get("pipeline")
        if not pipe:
            continue
        base = res["baseline"]["stages"]
        drawn = base["clouds"]["drawn"]
        clouds_all = base["clouds"]["seconds"] / drawn * base["clouds"]["docs"] if drawn else 0
        b_total = sum(base[s]["seconds"] for s in ("ingest", "tokenize", "count", "tfidf")) + clouds_all
        if res["size"] == 500:
            lines.append(f"| whole pipeline on 500 reports ≥ 10× the naive baseline | "
                         f"{b_total / pipe['seconds']:.1f}× | {verdict(b_total / pipe['seconds'] >= 10)} |")
        rerun = res.get("rerun")
        if rerun:
            worst = max(rerun["stages"].items(), key=lambda kv: kv[1]["seconds"])
            lines.append(f"| any notebook re-run on its own, {res['size']:,} reports, ≤ 10 s | "
                         f"slowest {worst[0].split(' ', 1)[1]} {_s(worst[1]['seconds'])} s | "
                         f"{verdict(worst[1]['seconds'] <= 10)} |")

    for res in results:
        n = res["size"]
        b_tok = _median(res["baseline_tokenize_runs"])
        cold = _median([r["stages"]["tokenize_cold"]["seconds"] for r in res["tifa_cold"]])
        warm = _median([r["stages"]["tokenize_warm"]["seconds"] for r in res["tifa_warm"]])
        lines.append(f"| cold tokenization ≥ 1.8× baseline, {n:,} reports | {b_tok / cold:.2f}× | "
                     f"{verdict(b_tok / cold >= 1.8)} |")
        lines.append(f"| warm tokenization ≥ 20× baseline, {n:,} reports | {b_tok / warm:.1f}× | "
                     f"{verdict(b_tok / warm >= 20)} |")
    pipes = {r["size"]: r["pipeline"] for r in results if r.get("pipeline")}
    if pipes:
        large = max(pipes)
        peak = pipes[large]["peak_rss"]
        lines.append(f"| pipeline on {large:,} reports: peak memory < 4 GB | {_gb(peak)} GB "
                     f"(process tree, summed) | {verdict(peak < 4e9 and pipes[large]['status'] == 'ok')} |")
    if len(pipes) >= 2:
        small, large = min(pipes), max(pipes)
        ratio = pipes[large]["seconds"] / pipes[small]["seconds"]
        lines.append(f"| pipeline time {large:,} ÷ {small:,} reports < 12 | {ratio:.1f} "
                     f"(linear: {large / small:.0f}) | {verdict(ratio < 12)} |")
    lines += ["", "How the corpus is made, what each row measures, and what the profiles of missed "
              "targets showed: [`README.md`](README.md).", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--pipeline-sizes", type=int, nargs="*", default=None,
                        help="sizes to run the whole pipeline on (default: all --sizes)")
    parser.add_argument("--no-pipeline", action="store_true", help="skip the whole pipeline")
    parser.add_argument("--warm-sizes", type=int, nargs="*", default=[500],
                        help="sizes whose pipeline also runs warm and notebook by notebook "
                             "(default 500)")
    parser.add_argument("--no-seeds", action="store_true",
                        help="skip the floor and the pipeline on seeds/")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the tokenization comparison (median reported; default 3)")
    parser.add_argument("--clouds", default="50",
                        help="baseline word clouds drawn per size, or 'all' (default 50)")
    parser.add_argument("--by", default="region", help="grouping parameter of the pipeline")
    parser.add_argument("--seed", type=int, default=0, help="corpus generator seed")
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--results", type=Path, default=HERE / "results.md")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite --results from the last run's work/results.json")
    # child mode (internal)
    parser.add_argument("--child", choices=["tifa", "floor", "rerun"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["cold", "warm"], help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--analyses", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "tifa":
        child_tifa(args)
        return 0
    if args.child == "floor":
        child_floor(args)
        return 0
    if args.child == "rerun":
        child_rerun(args)
        return 0

    if args.report_only:
        saved = json.loads((args.work / "results.json").read_text(encoding="utf-8"))
        args.results.write_text(summarise(saved["results"], saved["meta"], args,
                                          seeds=saved.get("seeds")), encoding="utf-8")
        print(args.results.read_text(encoding="utf-8"))
        return 0

    import psutil

    args.work.mkdir(parents=True, exist_ok=True)
    if args.no_pipeline:
        args.pipeline_sizes = []
    elif args.pipeline_sizes is None:
        args.pipeline_sizes = list(args.sizes)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "argv": sys.argv[1:] if argv is None else argv,
            "cpus": os.cpu_count(), "platform": platform.platform(),
            "memory_gb": psutil.virtual_memory().total / 2**30, "python": platform.python_version(),
            "load_start": os.getloadavg()}
    results = []
    seeds = None

    def write() -> None:
        meta["load_end"] = os.getloadavg()
        (args.work / "results.json").write_text(
            json.dumps({"meta": meta, "results": results, "seeds": seeds}, indent=1,
                       default=str), encoding="utf-8")
        args.results.write_text(summarise(results, meta, args, seeds=seeds), encoding="utf-8")

    if not args.no_seeds:
        seeds = bench_seeds(args)
        write()
    for size in args.sizes:
        results.append(bench_size(size, args))
        write()
    print(args.results.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
