"""A hostile corpus: every kind of bad input at once, and an interrupted tokenization.

The folder is built at test time (no committed binaries): text in GBK, GB18030, UTF-16 and
UTF-8 with BOM; an empty file; a binary file named .txt; a truncated .docx and .pdf; a file over
the size limit; a file that is one 2-MB line; two names holding the same text; names with
spaces, Chinese characters and shell metacharacters; a CSV without a text column and a CSV whose
rows are in two encodings. The pipeline's first notebook must complete, list every input in
``tables/ingest_report.csv`` with the right status, analyse the valid documents and leave the
input folder exactly as it was.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tifa import paths
from tifa.ingest.corpus import read_corpus
from tifa.ingest.units import split_units
from tifa.tokenize import tokenize
from tifa.tokenize.lexicon import load_lexicon

MAX_BYTES = 3_000_000  # the limit the run is given; one file is over it, the 2-MB line is not

WEIRD_NAME = "报告 $(rm -rf ~); `echo hi` & 'q' \"dq\" | <x> *.txt"


def _seed_lines() -> list[str]:
    """The seeds' cleaned paragraphs (any corpus would do; nothing below depends on their words)."""
    documents, _ = read_corpus(paths.default_corpus())
    lines = []
    for text in documents["text"]:
        lines += [line for line in text.split("\n") if len(line) > 20]
    return lines


def _report(title: str, body: list[str], agency: str, date: str) -> str:
    return "\n".join([title, *body, agency, date]) + "\n"


def _docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _pdf_bytes() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    fig.text(0.1, 0.5, "Annual report on law-based government " * 3)
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    return buf.getvalue()


def build_hostile(folder: Path) -> dict[str, tuple[str, str]]:
    """Write the hostile corpus; return {source: (status, reason fragment)} expected per input."""
    lines = _seed_lines()
    rng = np.random.default_rng(11)

    def body(n: int, tag: str) -> list[str]:
        picks = [lines[k] for k in rng.choice(len(lines), n, replace=False)]
        return [f"{tag}：{picks[0]}", *picks[1:]]

    def report(city: str, year: int, tag: str, n: int = 6) -> str:
        return _report(f"{city}司法局{year}年法治政府建设情况报告", body(n, tag), f"{city}司法局",
                       f"{year + 1}年2月{10 + n}日")

    folder.mkdir(parents=True)
    expect: dict[str, tuple[str, str]] = {}

    def put(name: str, data: bytes, status: str, reason: str = "") -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expect[name] = (status, reason)

    # text in every encoding a Chinese office produces
    put("gbk 报告.txt", report("济南市", 2021, "甲").encode("gbk"), "ok")
    put("gb18030.txt", report("青岛市", 2022, "乙𠮷").encode("gb18030"), "ok")
    put("utf16.txt", report("淄博市", 2022, "丙").encode("utf-16"), "ok")
    put("utf8-bom.txt", b"\xef\xbb\xbf" + report("烟台市", 2023, "丁").encode("utf-8"), "ok")
    # the same report twice under two names (once re-wrapped: same text all the same)
    same = report("潍坊市", 2022, "戊")
    put("a 原件.txt", same.encode("utf-8"), "ok")
    put("b 副本 (1).txt", "\n\n".join(textwrap.wrap(same.replace("\n", ""), 30)).encode("utf-8"),
        "duplicate", "same text as a 原件.txt")
    # names that break shell scripts
    put(WEIRD_NAME, report("威海市", 2023, "己").encode("utf-8"), "ok")
    put("sub dir/中文 文件名.md", ("# " + report("日照市", 2021, "庚")).encode("utf-8"), "ok")
    # one 2-MB line (under the limit), and a file over the limit
    long_line = "".join(body(6, "辛")).replace("\n", "")
    reps = 2_000_000 // len(long_line.encode("utf-8")) + 1
    put("one line.txt", "".join(f"第{i}段{long_line}" for i in range(reps)).encode("utf-8"), "ok")
    big = report("临沂市", 2022, "壬", n=20).encode("utf-8")
    put("huge.txt", big * (MAX_BYTES // len(big) + 2), "skipped", "over the 3 MB limit")
    # broken files
    put("empty.txt", b"", "skipped", "file is empty")
    put("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(rng.integers(0, 256, 4000, dtype=np.uint8)),
        "skipped", "binary")
    docx = _docx_bytes(report("德州市", 2022, "癸"))
    put("truncated.docx", docx[: len(docx) // 2], "skipped", "not a valid .docx")
    pdf = _pdf_bytes()
    put("truncated.pdf", pdf[: len(pdf) // 3], "skipped", "PDF")
    # tables: one without a text column, one whose rows are in two encodings
    put("meta only.csv", "id,region,year\n1,聊城市,2022\n2,厦门市,2023\n".encode("utf-8"),
        "skipped", "no text column")
    row1 = "".join(body(3, "子")).replace(",", "，")
    row2 = "".join(body(3, "丑")).replace(",", "，")
    mixed = ("doc_id,region,text\n".encode("utf-8") + f"r1,滨州市,{row1}\n".encode("utf-8")
             + f"r2,菏泽市,{row2}\n".encode("gbk"))
    put("mixed encodings.csv", mixed, "table", "")
    expect.pop("mixed encodings.csv")
    expect["mixed encodings.csv#row=1"] = ("ok", "")
    expect["mixed encodings.csv#row=2"] = ("ok", "")
    return expect


def folder_state(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file (relative name -> size, sha256), and every folder, under ``folder``."""
    state = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir():
            state[rel + "/"] = (0, "")
        else:
            state[rel] = (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
    return state


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "reports in"
    expect = build_hostile(folder)
    return folder, expect


def test_read_corpus_reports_every_input(hostile):
    folder, expect = hostile
    before = folder_state(folder)
    documents, report = read_corpus(folder, max_bytes=MAX_BYTES)
    assert folder_state(folder) == before
    got = {row.source: (row.status, row.reason) for row in report.itertuples()}
    assert set(got) == set(expect)
    for source, (status, fragment) in expect.items():
        assert got[source][0] == status, (source, got[source])
        assert fragment in got[source][1], (source, got[source])
    ok = report[report["status"] == "ok"]
    assert sorted(documents["source"]) == sorted(ok["source"])
    # decoded right: every accepted text reads as Chinese (no mojibake), encodings as written
    enc = dict(zip(report["source"], report["encoding"]))
    assert enc["gbk 报告.txt"] == "gb18030" and enc["gb18030.txt"] == "gb18030"
    assert enc["utf16.txt"].startswith("utf-16") and enc["utf8-bom.txt"] == "utf-8-sig"
    assert enc["mixed encodings.csv#row=2"] == "utf-8+gb18030"
    assert documents["text"].str.contains("法治").all()
    assert documents.loc[documents["source"] == "gb18030.txt", "text"].str.contains("乙𠮷").all()
    rows = documents.set_index("source")
    assert rows.loc["mixed encodings.csv#row=2", "region"] == "菏泽市"
    assert rows.loc["mixed encodings.csv#row=2", "text"].startswith("丑：")
    assert rows.loc["one line.txt", "n_chars"] > 600_000
    dup = report[report["status"] == "duplicate"].iloc[0]
    assert dup["doc_id"] == rows.loc["a 原件.txt", "doc_id"]  # points at the document kept


def test_pipeline_notebook_00_on_the_hostile_corpus(hostile, tmp_path, monkeypatch):
    from tifa.runner.pipeline import run_pipeline

    folder, expect = hostile
    monkeypatch.setenv("TIFA_CACHE", str(tmp_path / "cache"))
    before = folder_state(folder)
    out = tmp_path / "out"
    record = run_pipeline(folder, out, only=["00"], params={"max_bytes": MAX_BYTES},
                          progress=False)
    assert record["status"] == "ok"
    assert folder_state(folder) == before  # nothing in the input folder changed
    assert record["inputs"]["n_files"] == len([k for k in before if not k.endswith("/")])

    report = pd.read_csv(out / "tables" / "ingest_report.csv", encoding="utf-8-sig",
                         keep_default_na=False, dtype=str)
    got = {row.source: (row.status, row.reason) for row in report.itertuples()}
    assert set(got) == set(expect)
    for source, (status, fragment) in expect.items():
        assert got[source][0] == status and fragment in got[source][1], (source, got[source])

    documents = pd.read_csv(out / "tables" / "documents.csv", encoding="utf-8-sig")
    n_ok = sum(1 for status, _ in expect.values() if status == "ok")
    assert len(documents) == n_ok
    assert (documents["n_tokens"] > 0).all()  # every valid document analysed
    tokens = pd.read_parquet(out / "data" / "tokens.parquet")
    assert set(tokens["doc_id"]) == set(documents["doc_id"])
    assert (out / "figures" / "00_corpus").is_dir()


# ------------------------------------------------------------------------ interrupted run

WORKER = """
import sys
import pandas as pd
from tifa.tokenize import tokenize
from tifa.tokenize.lexicon import load_lexicon

units = pd.read_parquet(sys.argv[1])
def progress(done, total):
    print(done, flush=True)
tokenize(units, lexicon=load_lexicon(), cache_dir=sys.argv[2], n_jobs=2, progress=progress)
print("finished", flush=True)
"""


def _many_units(n_docs: int) -> pd.DataFrame:
    lines = _seed_lines()
    rng = np.random.default_rng(3)
    docs = pd.DataFrame({
        "doc_id": [f"doc{d:04d}" for d in range(n_docs)],
        "text": ["\n".join(lines[k] for k in rng.choice(len(lines), 3)) + f"\n编号{d}。"
                 for d in range(n_docs)],
        "year": pd.array([None] * n_docs, dtype="Int64"),
    })
    return split_units(docs)


def test_killed_tokenization_leaves_no_corrupt_cache(tmp_path):
    units = _many_units(300)
    units_path = tmp_path / "units.parquet"
    units.to_parquet(units_path)
    cache = tmp_path / "cache"
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(units_path), str(cache)],
                            stdout=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    done = 0
    deadline = time.monotonic() + 60
    try:  # kill the whole process group (the pool's workers too) once some documents are done
        for line in proc.stdout:
            if line.strip().isdigit():
                done = int(line)
            if done >= 40 or line.startswith("finished") or time.monotonic() > deadline:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert 40 <= done < 300, "the run should have been killed mid-way"

    entries = sorted(cache.glob("*.parquet"))
    assert 0 < len(entries) < 300
    for entry in entries:  # whatever the kill left is complete: writes are atomic
        pq.read_table(entry)

    # what a crash can leave besides: a temporary file of a writer that died, and an entry
    # damaged on disk
    leftover = cache / f".{'0' * 64}.99999.abcdefgh.tmp"
    leftover.write_bytes(b"half a parquet file")
    entries[0].write_bytes(entries[0].read_bytes()[:100])

    lexicon = load_lexicon()
    again = tokenize(units, lexicon=lexicon, cache_dir=cache)
    fresh = tokenize(units, lexicon=lexicon, cache=False)
    pd.testing.assert_frame_equal(again, fresh)
    stats = again.attrs["cache"]
    assert stats["hits"] == len(entries) - 1 and stats["misses"] == 300 - stats["hits"]
    assert not list(cache.glob(".*.tmp"))  # the leftover was cleaned up
    assert len(list(cache.glob("[0-9a-f]*.parquet"))) == 300
    assert len(list(cache.glob("pack-*.parquet"))) == 1  # 300 documents: also packed
    final = tokenize(units, lexicon=lexicon, cache_dir=cache)
    assert final.attrs["cache"]["hits"] == 300
    pd.testing.assert_frame_equal(final, fresh)
