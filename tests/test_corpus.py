"""Tests for tifa.ingest.corpus.read_corpus: the documents table and the ingest report.

Metadata values are the business of tifa.ingest.metadata (tested there); here only the interface is
relied on, and the merge rules are tested with a stubbed extractor.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tifa.schemas import DOCUMENTS, INGEST
from tifa.ingest import corpus
from tifa.ingest.corpus import EmptyCorpusError, Ingest, fingerprint, read_corpus

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_IDS = ["000_5305f72e38caa88f", "002_c9417e647ef2fa0e"]


def seed_text(i: int = 0) -> str:
    return (SEEDS / f"{SEED_IDS[i]}.txt").read_bytes().decode("utf-8")


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file (and folder) under ``folder``."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<dir>"
    return out


def row(report: pd.DataFrame, source: str) -> pd.Series:
    hits = report[report["source"] == source]
    assert len(hits) == 1, f"{source!r} has {len(hits)} report rows:\n{report}"
    return hits.iloc[0]


def long_text(tag: str, n: int = 30) -> str:
    """A report-like text, unique per ``tag``, long enough to be a text column."""
    return "\n".join(f"{tag}第{i}条：加强法治政府建设，推进严格规范公正文明执法。" for i in range(n))


@pytest.fixture
def stub_metadata(monkeypatch):
    """Replace the extractor: title from the first line, nothing else found."""

    def fake(text: str, chrome=None) -> dict:
        return {"title": text.split("\n", 1)[0], "agency": None, "region": None, "year": None,
                "date": None, "missing": ["agency", "region", "year", "date"], "evidence": {}}

    monkeypatch.setattr(corpus, "extract_metadata", fake)


# --------------------------------------------------------------------------- seeds

def test_seeds_two_documents_contract():
    before = snapshot(SEEDS)
    result = read_corpus(SEEDS)
    assert isinstance(result, Ingest)
    docs, report = result
    assert list(docs.columns) == DOCUMENTS
    assert docs["doc_id"].tolist() == SEED_IDS
    assert docs["source"].tolist() == [f"{i}.txt" for i in SEED_IDS]
    for i in range(2):
        assert docs["raw_text"].iloc[i] == seed_text(i)
    assert (docs["format"] == "txt").all() and (docs["encoding"] == "utf-8").all()
    assert docs["n_chars"].tolist() == [len(t) for t in docs["text"]]
    assert docs["sha256"].tolist() == [fingerprint(t) for t in docs["text"]]
    assert docs["n_tokens"].isna().all()
    assert docs["label"].notna().all() and (docs["label"].str.len() > 0).all()
    # dtypes
    for col in ("doc_id", "source", "title", "agency", "region", "label", "raw_text", "text"):
        assert docs[col].dtype == "string", col
    assert docs["year"].dtype == "Int64" and docs["n_tokens"].dtype == "Int64"
    assert docs["date"].dtype == "datetime64[ns]"
    # report
    assert list(report.columns) == INGEST
    assert report["status"].tolist() == ["ok", "ok"]
    assert report["doc_id"].tolist() == SEED_IDS
    assert report["reason"].tolist() == ["", ""]
    assert report["bytes"].tolist() == [(SEEDS / f"{i}.txt").stat().st_size for i in SEED_IDS]
    assert report["bytes"].dtype == "Int64"
    assert snapshot(SEEDS) == before


def test_single_file_source():
    docs, report = read_corpus(SEEDS / f"{SEED_IDS[1]}.txt")
    assert docs["doc_id"].tolist() == [SEED_IDS[1]]
    assert docs["raw_text"].iloc[0] == seed_text(1)


@pytest.mark.parametrize(
    "codec, bom, encoding, extra",
    [
        ("gbk", b"", "gb18030", ""),
        ("gb18030", b"", "gb18030", "\n〇𠮷\n"),  # 𠮷 is outside GBK
        ("utf-16-le", b"\xff\xfe", "utf-16-le", ""),
        ("utf-16-be", b"\xfe\xff", "utf-16-be", ""),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig", ""),
    ],
    ids=["gbk", "gb18030", "utf16le-bom", "utf16be-bom", "utf8-bom"],
)
def test_encodings_give_the_same_document(tmp_path, codec, bom, encoding, extra):
    text = seed_text(0) + extra
    path = tmp_path / "report.txt"
    path.write_bytes(bom + text.encode(codec))
    docs, report = read_corpus(path)
    assert docs["raw_text"].iloc[0] == text
    assert docs["encoding"].iloc[0] == encoding
    assert report["encoding"].iloc[0] == encoding
    assert docs["doc_id"].tolist() == ["report"]


def test_same_report_in_five_encodings_is_one_document(tmp_path):
    text = seed_text(0)
    for name, data in (("a_utf8.txt", text.encode("utf-8")), ("b_gbk.txt", text.encode("gbk")),
                       ("c_utf16.txt", b"\xff\xfe" + text.encode("utf-16-le")),
                       ("d_bom.txt", text.encode("utf-8-sig")), ("e_utf16be.md", text.encode("utf-16-be"))):
        (tmp_path / name).write_bytes(data)
    docs, report = read_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["a_utf8"]
    assert report["status"].tolist() == ["ok"] + ["duplicate"] * 4
    assert set(report["reason"].iloc[1:]) == {"same text as a_utf8.txt"}
    assert set(report["doc_id"]) == {"a_utf8"}


# --------------------------------------------------------------------------- bad inputs

def _bad_corpus(folder: Path) -> None:
    (folder / "00_good.txt").write_bytes(seed_text(0).encode("utf-8"))
    (folder / "01_empty.txt").write_bytes(b"")
    (folder / "02_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    import random
    rng = random.Random(1)
    (folder / "03_undecodable.txt").write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(300)))
    (folder / "04_corrupt.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    (folder / "05_corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (folder / "06_blank.txt").write_bytes(" \n\u3000\n\t\n".encode("utf-8"))
    with open(folder / "07_huge.txt", "wb") as fh:  # sparse: 25.3 MB on paper, nothing on disk
        fh.truncate(25_300_000)
    (folder / "08_notext.csv").write_bytes("a,b,c\n1,2,3\n4,5,6\n".encode("utf-8"))
    (folder / ".hidden.txt").write_bytes(b"hidden")
    (folder / "~$lock.docx").write_bytes(b"\x00lock")
    (folder / "picture.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_bytes(b"[core]")


EXPECTED_BAD = {
    "01_empty.txt": "file is empty",
    "02_binary.txt": "looks like a binary file, not text",
    "03_undecodable.txt": "cannot decode: not UTF-8, GB18030 or UTF-16",
    "04_corrupt.docx": "not a valid .docx file (zip archive is corrupt)",
    "06_blank.txt": "no text after cleaning",
    "07_huge.txt": "file is 25.3 MB, over the 20 MB limit (max_bytes)",
    "08_notext.csv": "no text column found (columns: a, b, c); name it with text_column=",
    ".hidden.txt": "hidden/temporary file",
    "~$lock.docx": "hidden/temporary file",
    ".git/": "hidden folder (not looked into)",
    "picture.jpg": "not a supported document type (.jpg)",
}


def test_bad_inputs_are_reported_not_raised(tmp_path):
    _bad_corpus(tmp_path)
    before = snapshot(tmp_path)
    docs, report = read_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["00_good"]
    assert row(report, "00_good.txt")["status"] == "ok"
    for source, reason in EXPECTED_BAD.items():
        r = row(report, source)
        assert r["status"] == "skipped", source
        assert r["reason"] == reason, source
        assert pd.isna(r["doc_id"])
    pdf = row(report, "05_corrupt.pdf")
    assert pdf["status"] == "skipped" and pdf["reason"].startswith("not a valid PDF file")
    assert row(report, "07_huge.txt")["bytes"] == 25_300_000
    assert row(report, "02_binary.txt")["format"] == "txt"
    assert len(report) == 1 + 1 + len(EXPECTED_BAD)  # every file looked at has exactly one row
    assert "config" not in " ".join(report["source"])  # hidden folder not walked into
    assert snapshot(tmp_path) == before  # nothing written, nothing changed


def test_max_bytes_small_limit(tmp_path):
    (tmp_path / "a.txt").write_bytes(("甲" * 1000).encode("utf-8"))
    with pytest.raises(EmptyCorpusError) as info:
        read_corpus(tmp_path, max_bytes=1000)
    assert row(info.value.report, "a.txt")["reason"] == "file is 3 kB, over the 1 kB limit (max_bytes)"


def test_exceptions_inside_one_file_are_caught(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(long_text("甲"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(long_text("乙"), encoding="utf-8")
    real = corpus.clean_lines

    def flaky(raw, *, fmt="txt"):
        if raw.startswith("乙"):
            raise RuntimeError("boom")
        return real(raw, fmt=fmt)

    monkeypatch.setattr(corpus, "clean_lines", flaky)
    monkeypatch.setattr(corpus, "extract_metadata", lambda text, chrome=None: 1 / 0)
    docs, report = read_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["a"]
    assert row(report, "b.txt")["reason"] == "cleaning failed (RuntimeError: boom)"
    assert "metadata extraction failed (ZeroDivisionError" in row(report, "a.txt")["notes"]
    assert docs["label"].tolist() == ["a"]  # nothing known: the doc_id


# --------------------------------------------------------------------------- ids, duplicates

def test_duplicates_whitespace_insensitive(tmp_path):
    text = seed_text(1)
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b_copy.txt").write_text(text, encoding="utf-8")
    rewrapped = "\r\n\r\n".join("\u3000\u3000" + line + "  " for line in text.split("\n"))
    (tmp_path / "c_rewrapped.md").write_bytes(rewrapped.encode("gbk"))
    (tmp_path / "d_other.txt").write_text(seed_text(0), encoding="utf-8")
    docs, report = read_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["a", "d_other"]
    for source in ("b_copy.txt", "c_rewrapped.md"):
        r = row(report, source)
        assert (r["status"], r["reason"], r["doc_id"]) == ("duplicate", "same text as a.txt", "a")


def test_fingerprint_ignores_white_space_only():
    assert fingerprint("甲乙\n丙 丁") == fingerprint(" 甲\r\n乙丙\u3000丁\n")
    assert fingerprint("甲乙丙丁") != fingerprint("甲乙丙戊")
    assert len(fingerprint("x")) == 64


def test_doc_ids_relative_paths_and_shared_stems(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text(long_text("甲"), encoding="utf-8")
    (tmp_path / "a.md").write_text(long_text("乙"), encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text(long_text("丙"), encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c.htm").write_text(
        f"<html><body><p>{long_text('丁')}</p></body></html>", encoding="utf-8")
    docs, report = read_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["a", "a.txt", "sub/b", "sub/deeper/c"]
    assert docs["source"].tolist() == ["a.md", "a.txt", "sub/b.txt", "sub/deeper/c.htm"]
    assert docs["format"].tolist() == ["md", "txt", "txt", "html"]
    assert docs["doc_id"].is_unique

    docs, _ = read_corpus(tmp_path, recursive=False)
    assert docs["doc_id"].tolist() == ["a", "a.txt"]
    docs, report = read_corpus(tmp_path, include=("txt",))
    assert docs["doc_id"].tolist() == ["a", "sub/b"]  # ids depend on names read, not on a.md
    assert row(report, "a.md")["reason"] == "file type .md is not in include="


def test_docx_and_pdf_in_a_folder(tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_heading("某市2022年法治政府建设情况报告", level=1)
    for line in long_text("戊", 5).split("\n"):
        doc.add_paragraph(line)
    doc.save(tmp_path / "r.docx")
    docs, report = read_corpus(tmp_path)
    assert docs["format"].tolist() == ["docx"] and docs["encoding"].tolist() == ["docx"]
    assert docs["raw_text"].iloc[0].split("\n")[0] == "某市2022年法治政府建设情况报告"


# --------------------------------------------------------------------------- tables

def test_table_with_text_and_metadata_columns(tmp_path):
    table = pd.DataFrame({
        "ID": ["r1", "r2", "r3", "r4"],
        "Title": ["自定义标题一", None, "空文", "自定义标题四"],
        "region": ["甲市", "乙市", None, "丁市"],
        "year": ["2021", "2020年", None, "不详"],
        "date": ["2022年3月5日", None, None, "2023-01-02"],
        "category": ["外事", "司法", "x", "y"],
        "source": ["http://a", "http://b", None, None],
        "正文": [long_text("甲"), long_text("乙"), "  ", long_text("丁")],
    })
    path = tmp_path / "reports.csv"
    table.to_csv(path, index=False, encoding="utf-8")
    docs, report = read_corpus(path)
    assert docs["doc_id"].tolist() == ["reports/r1", "reports/r2", "reports/r4"]
    assert docs["source"].tolist() == ["reports.csv#row=1", "reports.csv#row=2", "reports.csv#row=4"]
    assert docs["format"].tolist() == ["csv"] * 3
    assert docs["raw_text"].iloc[0] == long_text("甲")
    # user metadata wins over extraction
    assert docs["title"].iloc[0] == "自定义标题一"
    assert docs["region"].tolist() == ["甲市", "乙市", "丁市"]
    assert docs["year"].iloc[0] == 2021 and docs["year"].iloc[1] == 2020
    assert docs["date"].iloc[0] == pd.Timestamp("2022-03-05")
    assert docs["date"].iloc[2] == pd.Timestamp("2023-01-02")
    assert docs["label"].iloc[0] == "甲市 2021"
    # extra columns follow the fixed ones; a clash with a fixed column gets user_
    assert list(docs.columns) == DOCUMENTS + ["category", "user_source"]
    assert docs["category"].tolist() == ["外事", "司法", "y"]
    assert docs["category"].dtype == "string"
    # report: one row per table row
    assert report["source"].tolist() == [f"reports.csv#row={i}" for i in range(1, 5)]
    assert row(report, "reports.csv#row=3")["reason"] == "empty text cell"
    notes = row(report, "reports.csv#row=1")["notes"]
    assert "region" not in notes and "year" not in notes and "title" not in notes
    assert "year '不详' not understood" in row(report, "reports.csv#row=4")["notes"]


def test_table_text_column_detection_and_naming(tmp_path):
    frame = pd.DataFrame({"name": ["a", "b"], "x": [long_text("甲"), long_text("乙")],
                          "y": ["short", "short"]})
    frame.to_parquet(tmp_path / "t.parquet")
    docs, _ = read_corpus(tmp_path / "t.parquet")
    assert docs["raw_text"].tolist() == frame["x"].tolist()
    assert docs["doc_id"].tolist() == ["t/1", "t/2"]
    assert docs["name"].tolist() == ["a", "b"] and "x" not in docs.columns

    short = pd.DataFrame({"a": ["一", "二"], "b": ["三", "四"], "c": [1, 2]})
    short.to_excel(tmp_path / "s.xlsx", index=False)
    with pytest.raises(EmptyCorpusError) as info:
        read_corpus(tmp_path / "s.xlsx")
    assert info.value.report["reason"].tolist() == [
        "no text column found (columns: a, b, c); name it with text_column="]
    docs, _ = read_corpus(tmp_path / "s.xlsx", text_column="b")
    assert docs["raw_text"].tolist() == ["三", "四"]
    assert docs["a"].tolist() == ["一", "二"] and docs["c"].tolist() == [1, 2]
    with pytest.raises(EmptyCorpusError) as info:
        read_corpus(tmp_path / "s.xlsx", text_column="zzz")
    assert info.value.report["reason"].iloc[0].startswith("text_column 'zzz' is not a column")


def test_tables_and_files_together_in_a_folder(tmp_path):
    (tmp_path / "a.txt").write_text(long_text("甲"), encoding="utf-8")
    pd.DataFrame({"text": [long_text("乙"), long_text("甲")]}).to_csv(tmp_path / "b.csv", index=False)
    docs, report = read_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["a", "b/1"]
    r = row(report, "b.csv#row=2")
    assert (r["status"], r["reason"]) == ("duplicate", "same text as a.txt")


# --------------------------------------------------------------------------- manifest

def test_manifest_metadata_and_unmatched_rows(tmp_path, stub_metadata):
    corpus_dir = tmp_path / "reports"
    (corpus_dir / "sub").mkdir(parents=True)
    (corpus_dir / "one.txt").write_text(long_text("甲"), encoding="utf-8")
    (corpus_dir / "sub" / "two.txt").write_text(long_text("乙"), encoding="utf-8")
    (corpus_dir / "three.txt").write_text(long_text("丙"), encoding="utf-8")
    manifest = corpus_dir / "manifest.csv"  # inside the corpus: not read as a document
    manifest.write_text(
        "file,region,year,group\n"
        "one.txt,甲市,2021,A\n"
        "sub/two,乙市,2022,B\n"
        "missing.txt,丙市,2023,C\n",
        encoding="utf-8")
    before = snapshot(corpus_dir)
    docs, report = read_corpus(corpus_dir, manifest=manifest)
    assert docs["doc_id"].tolist() == ["one", "sub/two", "three"]
    assert docs["region"].tolist()[:2] == ["甲市", "乙市"] and pd.isna(docs["region"].iloc[2])
    assert docs["year"].tolist()[:2] == [2021, 2022]
    assert docs["label"].tolist()[:2] == ["甲市 2021", "乙市 2022"]
    title = long_text("丙").split("\n")[0]
    assert docs["title"].iloc[2] == title and len(title) > 20
    assert docs["label"].iloc[2] == title[:15] + "…"  # no region/year: the title, cut to 16 chars
    assert docs["group"].tolist()[:2] == ["A", "B"] and pd.isna(docs["group"].iloc[2])
    assert row(report, "manifest.csv")["status"] == "skipped"
    unmatched = row(report, "missing.txt")
    assert unmatched["status"] == "skipped"
    assert unmatched["reason"].startswith("manifest row matches no file")
    assert row(report, "one.txt")["notes"] == "metadata not found in text: agency, date"
    assert row(report, "three.txt")["notes"] == "metadata not found in text: agency, region, year, date"
    assert snapshot(corpus_dir) == before


def test_manifest_without_file_column(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text(long_text("甲"), encoding="utf-8")
    (tmp_path / "m.csv").write_text("name,region\na.txt,甲市\n", encoding="utf-8")
    docs, report = read_corpus(tmp_path / "c", manifest=tmp_path / "m.csv")
    assert len(docs) == 1
    assert report["reason"].iloc[-1] == "manifest has no file column (columns: name, region); name it file"


# --------------------------------------------------------------------------- empty corpus

def test_missing_folder_raises_one_sentence(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(EmptyCorpusError) as info:
        read_corpus(missing)
    assert str(info.value) == f"Corpus folder '{missing}' does not exist."
    assert list(info.value.report.columns) == INGEST and info.value.report.empty


def test_nothing_readable_raises_with_report(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.docx").write_bytes(b"not a zip")
    with pytest.raises(EmptyCorpusError) as info:
        read_corpus(tmp_path)
    message = str(info.value)
    assert message.startswith(f"No readable documents in '{tmp_path}': 3 files looked at, all skipped")
    assert message.endswith("see the ingest report.")
    assert "file is empty" in message
    assert info.value.report["status"].tolist() == ["skipped"] * 3


def test_empty_folder_raises(tmp_path):
    with pytest.raises(EmptyCorpusError) as info:
        read_corpus(tmp_path)
    assert str(info.value) == f"No readable documents in '{tmp_path}': it holds no files."


def test_corrupt_zip_docx_does_not_stop_others(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.docx", "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    (tmp_path / "b.txt").write_text(long_text("甲"), encoding="utf-8")
    docs, report = read_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["b"]
    r = row(report, "a.docx")
    assert r["status"] == "skipped" and r["reason"].startswith("not a valid .docx file")


# --------------------------------------------------------------------------- place and time columns

def test_place_and_time_columns_fill_region_year_date_and_stay(tmp_path):
    from tifa.analyze.groups import attach_group

    body = long_text("甲")
    table = pd.DataFrame({
        "province": ["广东", "山东", "山东"], "城市": [None, "济南", "青岛"], "区县": [None, None, "市南区"],
        "年份": [2024, 2023, 2022], "日期": ["2024-01-23", "2024年3月12日", None],
        "正文": [body, body + "乙。", body + "丙。"]})
    table.to_csv(tmp_path / "t.csv", index=False)
    docs, report = read_corpus(tmp_path / "t.csv")
    assert docs["region"].tolist() == ["广东省", "济南市", "青岛市"]  # the city, else the province
    assert docs["year"].tolist() == [2024, 2023, 2022]
    assert [str(d.date()) if not pd.isna(d) else None for d in docs["date"]] == [
        "2024-01-23", "2024-03-12", None]
    # the user's columns stay under their own names: by=城市, by=province work
    assert docs["城市"].tolist()[1:] == ["济南", "青岛"] and docs["province"].tolist()[0] == "广东"
    assert attach_group(docs[["doc_id"]], docs, "城市")["group"].tolist()[1:] == ["济南", "青岛"]
    # the user says otherwise: 城市 is only a column, 区县 fills region
    docs, _ = read_corpus(tmp_path / "t.csv", column_fields={"城市": None})
    assert docs["region"].tolist() == ["广东省", "山东省", "市南区"]
    assert docs["城市"].tolist()[1:] == ["济南", "青岛"]
    with pytest.raises(ValueError, match="not one of"):
        read_corpus(tmp_path / "t.csv", column_fields={"城市": "town"})


def test_user_columns_win_over_the_text(tmp_path):
    text = "\n".join(["2026年山东省政府工作报告", "——2026年1月27日在山东省第十四届人民代表大会第四次会议上",
                      "山东省省长周乃翔", "各位代表：", "现在，我代表省人民政府，向大会报告政府工作。"])
    pd.DataFrame({"地区": ["鲁"], "文种": ["通知"], "正文": [text]}).to_csv(tmp_path / "t.csv", index=False)
    docs, _ = read_corpus(tmp_path / "t.csv")
    assert docs.loc[0, "region"] == "鲁" and docs.loc[0, "genre"] == "通知/意见/办法"
    assert docs.loc[0, "speaker"] == "周乃翔" and docs.loc[0, "文种"] == "通知"


def test_labels_region_year_then_title_then_agency():
    from tifa.ingest.corpus import make_labels

    docs = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "e", "f"],
        "region": ["济南市", "济南市", "山东省", None, None, "山东省"],
        "year": [2023, 2023, 2024, None, None, 2024],
        "agency": ["济南市司法局", "济南市生态环境局", "山东省人民政府", None, None, "山东省人民政府"],
        "genre": ["法治政府建设情况报告"] * 2 + ["政府工作报告", "通知/意见/办法", "通知/意见/办法",
                                         "通知/意见/办法"],
        "title": ["济南市司法局2023年法治政府建设情况报告", "济南市生态环境局2023年法治政府建设情况报告",
                  "2024年山东省政府工作报告", "关于加强安全生产工作的通知", "关于加强消防工作的通知",
                  "山东省人民政府关于加快发展新质生产力的意见"],
        "label": [None] * 6})
    assert make_labels(docs).tolist() == ["济南市司法局 2023", "济南市生态环境局 2023", "山东省 2024 工作报告",
                                          "安全生产", "消防", "山东省 2024 意见"]
