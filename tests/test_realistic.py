"""The realistic fixture corpus (tests/fixtures/realistic/): chrome out, metadata in, body intact.

34 hand-written documents of three genres, as analysts collect them: .txt copies with page
chrome, GBK files, whole .html pages, .docx, a PDF-wrapped copy, a CSV table with 正文 cells
holding the chrome, and expected.json with the true metadata and the exact chrome lines.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from tifa.analyze import themes
from tifa.ingest.corpus import read_corpus
from tifa.ingest.units import body, split_units

HERE = Path(__file__).resolve().parent / "fixtures" / "realistic"
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
DOCS = EXPECTED["documents"]
sys.path.insert(0, str(HERE))
import _corpus  # noqa: E402  the fixture's own reader of its sources

FIELDS = ("genre", "title", "region", "agency", "year", "date", "speaker", "doc_number",
          "source_outlet", "published")
_WIDE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def squash(s: str) -> str:
    """No white space, full-width letters and digits made ASCII: how cleaning writes a line."""
    return re.sub(r"\s+", "", str(s)).translate(_WIDE)


def value(doc: pd.Series, field: str):
    v = doc[field]
    if pd.isna(v):
        return None
    if field == "date":
        return v.date().isoformat()
    if field == "year":
        return int(v)
    return str(v)


@pytest.fixture(scope="module")
def folder():
    ingest = read_corpus(HERE / "folder", manifest=HERE / "folder" / "manifest.csv")
    docs = ingest.documents.assign(file=lambda d: d["source"].astype(str))
    return docs, ingest.report, ingest.cleaning


@pytest.fixture(scope="module")
def table():
    ingest = read_corpus(HERE / "table" / "reports.csv", text_column="正文")
    return ingest.documents, ingest.report, ingest.cleaning


def by_file(docs: pd.DataFrame) -> dict[str, pd.Series]:
    return {row["source"]: row for _, row in docs.iterrows()}


# ---------------------------------------------------------------------------- metadata

@pytest.mark.parametrize("exp", DOCS, ids=[d["id"] for d in DOCS])
def test_folder_metadata_exact(folder, exp):
    docs, _, _ = folder
    doc = by_file(docs)[exp["file"]]
    got = {f: value(doc, f) for f in FIELDS}
    assert got == {f: exp[f] for f in FIELDS}


def test_table_reads_region_and_date_of_every_report_and_keeps_its_columns(table):
    docs, report, _ = table
    expected = {d["id"]: d for d in DOCS if d["in_table"]}
    assert len(docs) == len(expected) == 28
    for _, doc in docs.iterrows():
        exp = expected[doc["doc_id"].split("/", 1)[1]]  # 编号 is the row id: reports/<编号>
        assert value(doc, "region") == exp["region"] and value(doc, "date") == exp["date"]
        for f in ("genre", "year", "speaker", "source_outlet", "published", "agency"):
            assert value(doc, f) == exp[f], (exp["id"], f)
    # the user's columns stay under their own names, so -p by 城市 / 省份 work
    assert {"省份", "城市", "年份", "文种", "发布机关", "标题"} <= set(docs.columns)
    assert docs["城市"].isna().sum() == 8  # provincial reports: no city, region is the province
    assert all(pd.isna(n) or "metadata not found" not in n for n in report["notes"])


def test_labels_short_distinct_and_telling(folder, table):
    for docs in (folder[0], table[0]):
        labels = docs["label"].tolist()
        assert len(set(labels)) == len(labels)
        assert all(len(lab) <= 24 for lab in labels), labels
        assert not any("政府工作报告" in lab for lab in labels)
    labels = dict(zip(folder[0]["source"], folder[0]["label"]))
    assert labels["gzbg/2026_shandong.html"] == "山东省 2026"
    assert labels["fzzf/2023_jinan_sifaju.txt"] == "济南市司法局 2023"  # three 济南市 2023 reports
    assert labels["gzbg/2025_zhejiang.txt"] == "浙江省 2025 工作报告"  # and a 决定 of 2025


# ---------------------------------------------------------------------------- chrome

@pytest.mark.parametrize("exp", DOCS, ids=[d["id"] for d in DOCS])
def test_folder_chrome_removed_exactly(folder, exp):
    docs, report, cleaning = folder
    doc = by_file(docs)[exp["file"]]
    removed = cleaning[cleaning["doc_id"] == doc["doc_id"]]
    assert [squash(x) for x in removed["line"]] == [squash(x) for x in exp["chrome_lines"]]
    text = squash(doc["text"])
    lines = {squash(x) for x in doc["text"].split("\n")}
    for chrome in exp["chrome_lines"]:
        if chrome not in exp["chrome_lines_also_in_text"]:
            assert squash(chrome) not in lines
    assert squash(exp["title"]) in text  # the title line stays in the text (as front matter)
    notes = report.set_index("source").loc[exp["file"], "notes"]
    if exp["chrome_lines"]:
        assert f"removed {len(exp['chrome_lines'])} chrome line" in notes
    else:
        assert "chrome" not in notes


def test_table_cells_lose_their_chrome_too(table):
    docs, _, cleaning = table
    expected = {d["id"]: d for d in DOCS if d["in_table"]}
    for _, doc in docs.iterrows():
        exp = expected[doc["doc_id"].split("/", 1)[1]]
        removed = cleaning.loc[cleaning["doc_id"] == doc["doc_id"], "line"]
        assert [squash(x) for x in removed] == [squash(x) for x in exp["chrome_lines"]], exp["id"]


@pytest.mark.parametrize("source", _corpus.load_all(), ids=lambda s: s["id"])
def test_every_sentence_of_the_body_survives(folder, source):
    docs, _, _ = folder
    exp = next(d for d in DOCS if d["id"] == source["id"])
    doc = by_file(docs)[exp["file"]]
    units = split_units(docs[docs["doc_id"] == doc["doc_id"]])
    counted = squash("".join(body(units)["text"]))
    sentences = _corpus.sentences(source)
    assert len(sentences) == exp["n_sentences"]
    missing = [s for s in sentences if squash(s) not in counted]
    assert missing == []
    assert squash(exp["body_first"]) in counted and squash(exp["body_last"]) in counted
    assert len(squash(doc["text"])) == exp["n_body_chars"]


def test_front_matter_and_signature_are_not_body(folder):
    docs, _, _ = folder
    units = split_units(docs)
    by_id = dict(zip(docs["source"], docs["doc_id"]))
    sd = units[units["doc_id"] == by_id["gzbg/2026_shandong.html"]]
    front = sd.loc[sd["part"] == "front_matter", "text"].tolist()
    assert front[0] == "2026年山东省政府工作报告"
    assert any(t.startswith("——2026年1月27日在山东省第十四届人民代表大会") for t in front)
    assert any("周乃翔" in t for t in front) and "各位代表：" in front
    assert sd.loc[sd["part"] == "body", "text"].iloc[0].startswith("现在，我代表省人民政府")
    xm = units[units["doc_id"] == by_id["gw/2024_xiamen_xiafu56.txt"]]
    sig = xm.loc[xm["part"] == "signature", "text"].tolist()
    assert sig[:2] == ["厦门市人民政府", "2024年9月3日"]  # the 通知's 落款, before the 办法
    assert xm.loc[xm["part"] == "body", "text"].iloc[-1].startswith("第十一条")


# ---------------------------------------------------------------------------- codebooks

def test_work_reports_get_their_codebook_and_it_codes_most_sentences(folder):
    docs, _, _ = folder
    gzbg = docs[docs["genre"] == "政府工作报告"]
    cb, why = themes.choose_codebook(gzbg)
    assert cb.name == "政府工作报告主题词表" and "16 of 16" in why
    units = split_units(gzbg)
    sentences = themes.theme_sentences(units, themes.code_sentences(units, cb), codebook=cb)
    coverage = themes.coverage(sentences, gzbg, by="genre")
    assert coverage["uncoded_share"].iloc[0] <= 0.4  # at least 60 % coded
    # the codebook of the corpus as a whole: 16 work reports, 12 法治 reports, 6 公文
    assert themes.choose_codebook(docs)[0].name == "政府工作报告主题词表"
    assert themes.choose_codebook(docs[docs["genre"] != "政府工作报告"])[0].name == "法治政府建设主题词表"
