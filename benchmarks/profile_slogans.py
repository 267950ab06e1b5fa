"""Profile the library calls of notebook 04_slogans on a synthetic corpus, with pyinstrument.

    python benchmarks/profile_slogans.py --n 500            # generates the corpus if missing
    python benchmarks/profile_slogans.py --n 5000 --by region --html out.html

Reads the corpus (benchmarks/work/corpus_<n>, made by generate.py) with its manifest, splits it
into units, then runs under the profiler what 04_slogans runs, in its order, and prints the
profile and the seconds of each call. Nothing is tokenized: 04 needs documents and units only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from tifa.analyze import kwic, slogans  # noqa: E402
from tifa.ingest.corpus import read_corpus  # noqa: E402
from tifa.ingest.units import split_units  # noqa: E402

KINDS = ("numbered", "known", "quoted")


def calls(documents, units, by: str) -> dict[str, float]:
    """The library calls of 04_slogans, timed one by one."""
    seconds: dict[str, float] = {}

    def timed(name, func, *args, **kwargs):
        t0 = time.perf_counter()
        result = func(*args, **kwargs)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0
        return result

    m = timed("extract_slogans", slogans.extract_slogans, documents, units, keep_noise=True)
    timed("noise_report", slogans.noise_report, m)
    timed("noise_candidates", slogans.noise_candidates, m)
    timed("slogan_counts", slogans.slogan_counts, m, documents, by=by)
    summary = timed("slogan_summary", slogans.slogan_summary, m, documents, by=by)
    by_group = timed("slogans_by_group", slogans.slogans_by_group, m, documents, by=by,
                     summary=summary)
    timed("top_slogans", slogans.top_slogans, by_group, summary, kinds=KINDS)
    timed("slogan_matrix", slogans.slogan_matrix, by_group, summary, kinds=KINDS)
    timed("top_slogans", slogans.top_slogans, by_group, summary, kinds=("cited",))
    timed("slogan_timeline", slogans.slogan_timeline, m, documents, kinds=KINDS)
    for grouping in (None, by):
        changes = timed("slogan_changes", slogans.slogan_changes, m, documents, by=grouping,
                        kinds=KINDS)
        timed("slogan_turnover", slogans.slogan_turnover, m, documents, by=grouping,
              kinds=KINDS, changes=changes)
    timed("slogan_overlap", slogans.slogan_overlap, m, documents, by=by, kinds=KINDS)
    choice = summary.loc[summary["kind"].isin(KINDS), "slogan"].iloc[0]
    pattern = timed("kwic_pattern", slogans.kwic_pattern, m, choice)
    timed("kwic", kwic.kwic, units, pattern, regex=True, documents=documents, by=by)
    timed("lexicon_terms", slogans.lexicon_terms, documents, mentions=m)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="reports (default 500)")
    parser.add_argument("--by", default="region", help="grouping column (default region)")
    parser.add_argument("--html", type=Path, default=None, help="also write the profile as HTML")
    args = parser.parse_args(argv)
    folder = ROOT / "benchmarks" / "work" / f"corpus_{args.n}"
    if not folder.is_dir():
        generate.generate(args.n, folder)
    documents, _ = read_corpus(folder, manifest=generate.manifest_path(folder))
    units = split_units(documents)
    slogans.extract_slogans(documents.head(2))        # warm the compiled patterns
    profiler = Profiler(interval=0.001)
    profiler.start()
    seconds = calls(documents, units, args.by)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
    print(f"{len(documents)} documents, by={args.by!r}")
    for name, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"{s:8.3f} s  {name}")
    print(f"{sum(seconds.values()):8.3f} s  total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
