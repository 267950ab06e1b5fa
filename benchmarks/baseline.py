"""The naive baseline: text mining of a folder of reports as people write it today.

    python benchmarks/baseline.py --corpus benchmarks/work/corpus_500 --out /tmp/baseline [--clouds 50]

For each file: read it as UTF-8, ``jieba.lcut`` it, count the words with
``collections.Counter``; then scikit-learn's ``TfidfVectorizer(tokenizer=jieba.lcut)`` over all
texts (which cuts every text a second time); then one word cloud per document. One process,
jieba's default dictionary, no cache, no part of speech.

Each stage is timed and announced on stdout as a line ``@@bench {json}`` (see
:func:`stage`), which ``benchmarks/run.py`` reads to time the stage and sample the memory of
this process from outside.

Word clouds are slow (about a second each); ``--clouds K`` draws the first K documents' clouds
and reports the time per cloud, so the runner can extrapolate to the whole corpus (it says so).
``--clouds all`` draws every one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path

MARK = "@@bench "


def emit(event: dict) -> None:
    """Announce a benchmark event on stdout (one JSON line, flushed at once)."""
    sys.stdout.write(MARK + json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@contextlib.contextmanager
def stage(name: str, **info):
    """Time a stage; the runner samples memory between the ``start`` and ``end`` lines."""
    emit({"event": "start", "stage": name})
    extra: dict = dict(info)
    t0 = time.perf_counter()
    yield extra
    emit({"event": "end", "stage": name, "seconds": time.perf_counter() - t0, **extra})


def files_of(corpus: Path) -> list[Path]:
    """The ``.txt`` files of a folder, in sorted order (what a naive script globs)."""
    return sorted(corpus.rglob("*.txt"))


def run(corpus: Path, out: Path, *, clouds: int | None, font_path: str,
        only_tokenize: bool = False) -> None:
    """Run the naive baseline over ``corpus``, writing word clouds into ``out``.

    Parameters
    ----------
    corpus : Path
        Folder of UTF-8 ``.txt`` reports.
    out : Path
        Folder for the word-cloud PNGs (created).
    clouds : int or None
        Draw the clouds of the first ``clouds`` documents only (None: all).
    font_path : str
        A CJK font file for the word clouds.
    only_tokenize : bool, default False
        Stop after tokenization (for repeated timings of that stage).
    """
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from wordcloud import WordCloud

    jieba.setLogLevel(logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    paths = files_of(corpus)

    with stage("ingest") as info:
        texts = [p.read_text(encoding="utf-8") for p in paths]
        info.update(docs=len(texts), chars=sum(map(len, texts)))

    with stage("tokenize") as info:  # includes jieba loading its dictionary, as tifa's does
        words = [jieba.lcut(text) for text in texts]
        info.update(tokens=sum(map(len, words)))
    if only_tokenize:
        return

    with stage("count"):
        counts = [Counter(w for w in ws if len(w.strip()) > 1) for ws in words]

    with stage("tfidf") as info:
        vectorizer = TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None, lowercase=False)
        matrix = vectorizer.fit_transform(texts)
        info.update(shape=list(matrix.shape))

    todo = counts if clouds is None else counts[:clouds]
    with stage("clouds") as info:
        for path, counter in zip(paths, todo):
            cloud = WordCloud(font_path=font_path, width=800, height=400, background_color="white",
                              random_state=0)
            cloud.generate_from_frequencies(counter).to_file(str(out / f"{path.stem}.png"))
        info.update(drawn=len(todo), docs=len(counts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder of .txt reports")
    parser.add_argument("--out", type=Path, required=True, help="folder for the word clouds")
    parser.add_argument("--clouds", default="50",
                        help="word clouds drawn: a number (the first K documents) or 'all'")
    parser.add_argument("--only-tokenize", action="store_true", help="stop after tokenization")
    parser.add_argument("--font", default=None, help="CJK font file (default: tifa's)")
    args = parser.parse_args(argv)
    font = args.font
    if font is None:
        from tifa.draw import style

        font = str(style.wordcloud_font_path())
    clouds = None if args.clouds == "all" else int(args.clouds)
    run(args.corpus, args.out, clouds=clouds, font_path=font, only_tokenize=args.only_tokenize)
    return 0


if __name__ == "__main__":
    sys.exit(main())
