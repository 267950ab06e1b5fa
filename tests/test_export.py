"""tifa.report.export: atomic writes; figures as PNG/SVG/PDF with Chinese; tables that round-trip."""

import datetime as dt
import io
import json
import re
import zlib
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from tifa.draw import style
from tifa.report import export


def _figure() -> Figure:
    style.use_style()
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.barh([0, 1], [3, 5])
    ax.set_yticks([0, 1], labels=["依法行政", "涉外法治"])
    ax.set_title("法治政府建设")
    return fig


# ---------------------------------------------------------------- atomic_write

def test_atomic_write_replaces_on_success(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    with export.atomic_write(target, "w") as fh:
        fh.write("新内容")
    assert target.read_text(encoding="utf-8") == "新内容"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"):
        with export.atomic_write(target) as fh:
            fh.write(b"half of the new")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]  # temp file removed


def test_atomic_write_creates_nothing_when_interrupted(tmp_path):
    with pytest.raises(ValueError):
        with export.atomic_write(tmp_path / "new.txt", "w") as fh:
            fh.write("x")
            raise ValueError
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_rejects_non_write_modes(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        with export.atomic_write(tmp_path / "a", "a"):
            pass


def test_atomic_write_honours_umask_permissions(tmp_path):
    with export.atomic_write(tmp_path / "p.txt", "w") as fh:
        fh.write("x")
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert (tmp_path / "p.txt").stat().st_mode == plain.stat().st_mode


# ---------------------------------------------------------------- figures

def _pdf_font_streams(data: bytes) -> list[tuple[str, bytes]]:
    """(FontFile key, decompressed bytes) of every embedded font program in a PDF."""
    found = []
    for m in re.finditer(rb"/(FontFile\d?) (\d+) 0 R", data):
        obj = re.search(rb"\n" + m.group(2) + rb" 0 obj\s*<<(.*?)>>\s*stream\r?\n", data, re.S)
        length = int(re.search(rb"/Length (\d+)", obj.group(1)).group(1))
        stream = data[obj.end(): obj.end() + length]
        if b"FlateDecode" in obj.group(1):
            stream = zlib.decompress(stream)
        found.append((m.group(1).decode(), stream))
    return found


def test_save_figure_writes_png_svg_pdf(tmp_path):
    paths = export.save_figure(_figure(), tmp_path, "00_corpus", "lengths",
                               formats=("png", "svg", "pdf"))
    assert paths == [tmp_path / "figures" / "00_corpus" / f"lengths.{f}" for f in ("png", "svg", "pdf")]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = paths[1].read_text(encoding="utf-8")
    assert "<svg" in svg and "<text" not in svg  # glyphs are outlines: no font needed to view
    pdf = paths[2].read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")


def test_pdf_embeds_a_truetype_cjk_font(tmp_path):
    from fontTools.ttLib import TTFont

    (path,) = export.save_figure(_figure(), tmp_path, "s", "f", formats=("pdf",))
    data = path.read_bytes()
    assert re.search(rb"/BaseFont /[A-Z]{6}\+SimHei", data)
    streams = _pdf_font_streams(data)
    assert streams and all(key == "FontFile2" for key, _ in streams)
    for _, program in streams:
        assert program[:4] != b"OTTO"  # not CFF data mislabelled as TrueType
        assert "glyf" in TTFont(io.BytesIO(program))


def test_pdf_text_is_readable_chinese(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    (path,) = export.save_figure(_figure(), tmp_path, "s", "f", formats=("pdf",))
    pdf = pdfium.PdfDocument(str(path))
    try:
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "法治政府建设" in text and "依法行政" in text


def test_vector_outputs_are_reproducible(tmp_path):
    fig = _figure()
    first = [p.read_bytes() for p in export.save_figure(fig, tmp_path / "a", "s", "f", formats=("svg", "pdf"))]
    second = [p.read_bytes() for p in export.save_figure(fig, tmp_path / "b", "s", "f", formats=("svg", "pdf"))]
    assert first == second


def test_save_figure_rejects_bad_names_and_formats(tmp_path):
    with pytest.raises(ValueError, match="name"):
        export.save_figure(_figure(), tmp_path, "s", "../escape")
    with pytest.raises(ValueError, match="formats"):
        export.save_figure(_figure(), tmp_path, "s", "f", formats=("gif",))
    assert not (tmp_path / "figures").exists()


# ---------------------------------------------------------------- tables

def test_save_table_round_trips_chinese_with_bom(tmp_path):
    df = pd.DataFrame({"term": ["依法行政", "涉外法治", "逗号,引号\""], "group": ["甲市", "乙市", "甲市"],
                       "count": [12, 7, 1], "per_10k": [3.5, 1.25, None]})
    path = export.save_table(df, tmp_path, "keywords")
    assert path == tmp_path / "tables" / "keywords.csv"
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["term"].tolist() == df["term"].tolist()
    assert back["count"].tolist() == [12, 7, 1]
    assert list(back.columns) == list(df.columns)


def test_save_data_round_trips_parquet(tmp_path):
    df = pd.DataFrame({"doc_id": ["a", "b"], "year": pd.array([2022, None], dtype="Int64"),
                       "text": ["法治", "政府"]})
    path = export.save_data(df, tmp_path, "documents")
    assert path == tmp_path / "data" / "documents.parquet"
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, df)


# ---------------------------------------------------------------- json

def test_write_json_keeps_chinese_and_converts_paths_and_dates(tmp_path):
    path = export.write_json({"标题": "法治", "p": Path("a/b"), "t": dt.datetime(2024, 1, 2, 3, 4),
                              "s": {"b", "a"}}, tmp_path / "run.json")
    text = path.read_text(encoding="utf-8")
    assert "法治" in text
    assert json.loads(text) == {"标题": "法治", "p": "a/b", "t": "2024-01-02T03:04:00", "s": ["a", "b"]}


def test_write_json_failure_leaves_previous_file(tmp_path):
    path = tmp_path / "run.json"
    export.write_json({"ok": 1}, path)
    with pytest.raises(TypeError):
        export.write_json({"bad": object()}, path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"ok": 1}


# ---------------------------------------------------------------- figure defaults and registry

def test_default_formats_are_png_svg_pdf_and_png_is_200_dpi(tmp_path):
    from PIL import Image

    paths = export.save_figure(_figure(), tmp_path, "01_keywords", "top_terms")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    with Image.open(paths[0]) as im:
        assert im.info["dpi"] == pytest.approx((200, 200), abs=0.5)
        assert im.width >= 200 * 3  # a 4-inch-wide figure, tight box: about 800 px


def test_default_formats_can_be_changed_for_a_session(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "DEFAULT_FORMATS", ("png",))
    paths = export.save_figure(_figure(), tmp_path, "s", "f")
    assert [p.suffix for p in paths] == [".png"]


def test_save_figure_records_the_figure_beside_its_files(tmp_path):
    export.save_figure(_figure(), tmp_path, "01_keywords", "top_terms", formats=("png", "svg"),
                       caption="甲市最常用的词是“法治”", order=2)
    record = json.loads((tmp_path / "figures" / "01_keywords" / "top_terms.json").read_text(encoding="utf-8"))
    assert set(export.RECORD_FIELDS) <= set(record)
    assert record["section"] == "01_keywords" and record["name"] == "top_terms"
    assert record["title"] == "法治政府建设"  # read from the figure
    assert record["caption"] == "甲市最常用的词是“法治”" and record["order"] == 2.0
    assert record["files"] == {"png": "figures/01_keywords/top_terms.png",
                               "svg": "figures/01_keywords/top_terms.svg"}
    assert (record["width_in"], record["height_in"]) == (4.0, 3.0)
    assert record["dpi"] == 200 and record["size"] in style.SIZES


def test_figure_title_is_the_chart_title_not_the_subtitle():
    from tifa.draw import charts

    table = pd.DataFrame({"term": ["法治", "宣传"], "group": ["甲", "甲"], "count": [3, 2]})
    fig = charts.bar_top_terms(table, title="各组高频词（前 15 个）", subtitle="每万词出现次数",
                               source="来源：2 份报告")
    assert export.figure_title(fig) == "各组高频词（前 15 个）"
    fig2 = Figure()
    fig2.suptitle("总标题")
    assert export.figure_title(fig2) == "总标题"
    assert export.figure_title(Figure()) is None


def test_rerun_overwrites_files_and_record_cleanly(tmp_path):
    export.save_figure(_figure(), tmp_path, "s", "f", caption="第一次")
    export.save_figure(_figure(), tmp_path, "s", "f", caption="第二次", title="新标题")
    folder = tmp_path / "figures" / "s"
    assert sorted(p.name for p in folder.iterdir()) == ["f.json", "f.pdf", "f.png", "f.svg"]
    record = json.loads((folder / "f.json").read_text(encoding="utf-8"))
    assert record["caption"] == "第二次" and record["title"] == "新标题"


def test_a_crash_while_saving_leaves_the_previous_figure_and_record(tmp_path):
    fig = _figure()
    export.save_figure(fig, tmp_path, "s", "f", caption="旧的")
    folder = tmp_path / "figures" / "s"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def half_then_crash(fh, **kwargs):
        fh.write(b"\x89PNG half of a picture")
        raise OSError("disk full")

    fig.savefig = half_then_crash
    with pytest.raises(OSError, match="disk full"):
        export.save_figure(fig, tmp_path, "s", "f", caption="新的")
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after == before  # no temp file left, nothing half-written, record unchanged


def test_write_bytes_text_and_copy_are_atomic(tmp_path, monkeypatch):
    target = export.write_text("简报\n", tmp_path / "a" / "b.html")
    assert target.read_text(encoding="utf-8") == "简报\n"
    copy = export.copy_file(target, tmp_path / "c" / "copy.html")
    assert copy.read_bytes() == target.read_bytes()
    export.write_bytes(b"old", tmp_path / "x.bin")

    def boom(fd):
        raise OSError("power cut")

    monkeypatch.setattr(export.os, "fsync", boom)  # dies after writing, before the rename
    with pytest.raises(OSError, match="power cut"):
        export.write_bytes(b"new content", tmp_path / "x.bin")
    assert (tmp_path / "x.bin").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "c", "x.bin"]


# ---------------------------------------------------------------- figure jobs (tifa run)

def test_figure_jobs_leave_svg_and_pdf_for_later_with_the_same_bytes(tmp_path, monkeypatch):
    fig = _figure()
    now = export.save_figure(fig, tmp_path / "now", "s", "f", caption="说明")
    jobs = tmp_path / "jobs"
    monkeypatch.setenv(export.FIGURE_JOBS_ENV, str(jobs))
    later = export.save_figure(fig, tmp_path / "later", "s", "f", caption="说明")
    folder = tmp_path / "later" / "figures" / "s"
    assert sorted(p.name for p in folder.iterdir()) == ["f.json", "f.png"]  # PNG and record now
    record = json.loads((folder / "f.json").read_text(encoding="utf-8"))
    assert set(record["files"]) == {"png", "svg", "pdf"}  # the record lists what will be there
    assert [p.name for p in jobs.iterdir()] == ["s.f.pickle"]

    written = export.render_figure_jobs(jobs)
    assert written == [folder / "f.svg", folder / "f.pdf"] and not jobs.exists()
    for a, b in zip(now, later):
        assert a.name == b.name and a.read_bytes() == b.read_bytes()
    assert export.render_figure_jobs(jobs) == []  # nothing left to do


def test_figure_jobs_draw_with_the_rcparams_of_the_session_that_saved(tmp_path, monkeypatch):
    import matplotlib

    monkeypatch.setenv(export.FIGURE_JOBS_ENV, str(tmp_path / "jobs"))
    fig = _figure()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text kept as <text> in this session
        export.save_figure(fig, tmp_path, "s", "f", formats=("svg",))
    export.render_figure_jobs(tmp_path / "jobs")  # drawn outside that context
    assert "<text" in (tmp_path / "figures" / "s" / "f.svg").read_text(encoding="utf-8")


def test_a_figure_that_does_not_pickle_is_drawn_at_once(tmp_path, monkeypatch):
    fig = _figure()
    fig.unpicklable = lambda: None  # a lambda on the figure: pickle refuses it
    monkeypatch.setenv(export.FIGURE_JOBS_ENV, str(tmp_path / "jobs"))
    export.save_figure(fig, tmp_path, "s", "f")
    assert sorted(p.name for p in (tmp_path / "figures" / "s").iterdir()) == \
        ["f.json", "f.pdf", "f.png", "f.svg"]
    assert not (tmp_path / "jobs").exists()


def test_a_broken_figure_job_is_reported_and_kept(tmp_path):
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "s.bad.pickle").write_bytes(b"not a pickle")
    with pytest.raises(export.FigureJobError, match="s.bad"):
        export.render_figure_jobs(jobs)
    assert (jobs / "s.bad.pickle").exists()
