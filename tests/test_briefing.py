"""tifa.report.briefing + export.save_briefing: the pack made from a small synthetic output folder."""

import base64
import datetime as dt
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from tifa.draw import style
from tifa.report import briefing, captions, export

DOCUMENTS = pd.DataFrame({
    "doc_id": ["a", "b"], "label": ["聊城市 2022", "厦门市 2023"],
    "agency": ["聊城市人民政府外事办公室", "厦门市人民政府外事办公室"], "region": ["聊城市", "厦门市"],
    "year": [2022, 2023], "n_chars": [3243, 2813], "n_tokens": [1273, 1035],
})
KEYWORDS = pd.DataFrame({
    "term": ["法治", "外事", "宣传", "学习"], "group": ["聊城市 2022", "聊城市 2022", "厦门市 2023", "厦门市 2023"],
    "count": [18, 17, 12, 11], "per_10k": [141.4, 133.5, 115.9, 106.3], "rank": [1, 2, 1, 2],
})
SLOGANS = pd.DataFrame({
    "slogan": ["习近平法治思想", "习近平法治思想", "国家安全教育日"], "variant": ["习近平法治思想"] * 2 + ["国家安全教育日"],
    "kind": ["known"] * 3, "doc_id": ["a", "b", "a"], "group": ["聊城市 2022", "厦门市 2023", "聊城市 2022"],
    "count": [6, 7, 4],
})
ODD = pd.DataFrame({"formula_like": ["=1+1", "plain"], "n": [1, 2]})
LONG_NAME = "a_table_with_a_name_longer_than_thirty_one_characters"


def _fig(title: str) -> Figure:
    style.use_style()
    fig = Figure(figsize=(4, 2.25), layout="constrained")
    fig.text(0.02, 0.97, title, fontsize=14, va="top")
    fig.text(0.02, 0.85, "副标题", fontsize=9, va="top")
    ax = fig.add_subplot()
    ax.barh([0, 1], [3, 5])
    ax.set_yticks([0, 1], labels=["依法行政", "涉外法治"])
    return fig


def _make_output(out):
    export.save_table(DOCUMENTS, out, "documents")
    export.save_table(KEYWORDS, out, "keywords")
    export.save_table(SLOGANS, out, "slogans")
    export.save_table(ODD, out, "odd")
    export.save_table(ODD, out, LONG_NAME)
    # saved out of notebook order on purpose: the briefing sorts by section
    export.save_figure(_fig("反复出现的提法"), out, "04_slogans", "top_slogans",
                       caption="“习近平法治思想”用得最多（notebook caption）")
    # the caption is made where the figure is saved, from the table it draws
    export.save_figure(_fig("各组高频词"), out, "01_keywords", "top_terms",
                       caption=captions.top_terms(KEYWORDS))
    export.save_figure(_fig("一幅自定义图"), out, "01_keywords", "custom")  # no caption
    export.save_figure(_fig("各报告篇幅"), out, "00_corpus", "document_lengths",
                       caption=captions.lengths(DOCUMENTS))
    export.save_figure(_fig("排在最前的图"), out, "01_keywords", "first", order=1)
    return out


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory):
    out = _make_output(tmp_path_factory.mktemp("out"))
    pack = briefing.build_pack(out, by="label", title="测试简报", date="2024-05-01")
    written = export.save_briefing(pack, out)
    return out, pack, written


EXPECTED_ORDER = [("00_corpus", "document_lengths"), ("01_keywords", "first"),
                  ("01_keywords", "top_terms"), ("01_keywords", "custom"), ("04_slogans", "top_slogans")]


def test_figure_index_is_in_notebook_order(pack_dir):
    out, _, _ = pack_dir
    index = briefing.figure_index(out)
    assert list(zip(index["section"], index["name"])) == EXPECTED_ORDER
    assert index.loc[index["name"] == "top_terms", "title"].item() == "各组高频词"
    assert all(index["pdf"].map(lambda p: p.is_file()))


def test_sections_and_single_figures_can_be_left_out(pack_dir):
    out, _, _ = pack_dir
    pack = briefing.build_pack(out, exclude_sections=("04_slogans",),
                               exclude_figures=("01_keywords/custom", "09_none/missing"))
    assert list(zip(pack.figures["section"], pack.figures["name"])) == [
        ("00_corpus", "document_lengths"), ("01_keywords", "first"), ("01_keywords", "top_terms")]


def test_captions_are_the_ones_saved_with_the_figure_else_the_title(pack_dir):
    _, pack, _ = pack_dir
    fig = pack.figures.set_index("name")
    assert fig.loc["top_slogans", "caption"] == "“习近平法治思想”用得最多（notebook caption）"
    assert fig.loc["top_slogans", "caption_source"] == "notebook"
    assert fig.loc["top_terms", "caption"] == \
        "聊城市 2022 最常用的词是“法治”（每万词 141 次），厦门市 2023 是“宣传”（116 次）"
    assert fig.loc["top_terms", "caption_source"] == "notebook"
    assert fig.loc["document_lengths", "caption"].startswith("共 2 份报告 6,056 字")
    assert fig.loc["custom", "caption"] == "一幅自定义图" and fig.loc["custom", "caption_source"] == "title"


def test_a_figure_saved_without_caption_shows_its_title_whatever_its_name(tmp_path):
    export.save_table(KEYWORDS, tmp_path, "keywords")
    export.save_figure(_fig("各组高频词"), tmp_path, "01_keywords", "top_terms")
    fig = briefing.build_pack(tmp_path, date="2024-05-01").figures.set_index("name")
    assert fig.loc["top_terms", "caption"] == "各组高频词"
    assert fig.loc["top_terms", "caption_source"] == "title"


def _save_figure_calls():
    """Every ``save_figure(...)`` call in the code cells of notebooks/*.ipynb: (id, call node)."""
    import ast
    import json

    calls = []
    for nb in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            # IPython magics and shell lines are no Python
            source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                               for line in source.split("\n"))
            for node in ast.walk(ast.parse(source)):
                func = getattr(node, "func", None)
                name = getattr(func, "attr", None) or getattr(func, "id", None)
                if isinstance(node, ast.Call) and name == "save_figure":
                    figure = node.args[3].value if len(node.args) > 3 and isinstance(
                        node.args[3], ast.Constant) else ast.unparse(node)[:60]
                    calls.append((f"{nb.stem}/{figure}", node))
    return calls


@pytest.mark.parametrize("figure, call", [pytest.param(*c, id=c[0]) for c in _save_figure_calls()])
def test_every_notebook_figure_is_saved_with_its_caption(figure, call):
    assert "caption" in {k.arg for k in call.keywords}, \
        f"{figure}: export.save_figure(...) without caption=; the briefing would show its title"


def test_every_figure_is_in_the_pack_in_all_three_formats(pack_dir):
    out, pack, _ = pack_dir
    root = out / "briefing"
    for section, name in EXPECTED_ORDER:
        for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")):
            path = root / "figures" / section / f"{name}.{fmt}"
            assert path.read_bytes()[:len(magic)] == magic, path


def _outside_scripts(page: str) -> str:
    return re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S)


def test_html_is_self_contained_with_every_image_and_no_code(pack_dir):
    out, pack, _ = pack_dir
    page = (out / "briefing" / "briefing.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]*\ssrc=", page) and "<link" not in page  # all inline
    for forbidden in ("<pre", "<code", "import ", "export.", "tifa.", "def ", "()"):
        assert forbidden not in _outside_scripts(page), forbidden
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) == len(EXPECTED_ORDER)
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:4] == b"\x89PNG"
    # nothing from elsewhere: images inline, links within the page or to the pack's own files
    assert not re.search(r'src="(?!data:)', page)
    links = re.findall(r'href="([^"]+)"', page)
    assert all(h.startswith("#") or h == "tables.xlsx" or re.fullmatch(r"\.\./tables/[^/]+\.csv", h)
               for h in links), links
    # the story in order, each figure with its caption
    positions = [page.index(t) for t in ("语料概况", "各组强调什么", "反复出现的提法")]
    assert positions == sorted(positions)
    assert "聊城市 2022 最常用的词是“法治”（每万词 141 次）" in page
    assert "本简报比较 2 份报告，逐份比较（聊城市 2022、厦门市 2023）" in page
    assert "2024-05-01" in page and "聊城市人民政府外事办公室" in page


def test_pptx_opens_with_a_title_and_a_findings_slide(pack_dir):
    from pptx import Presentation

    out, pack, _ = pack_dir
    cover, points = list(Presentation(str(out / "briefing" / "briefing.pptx")).slides)[:2]
    texts = [s.text_frame.text for s in cover.shapes if s.has_text_frame]
    assert texts[0] == "测试简报"
    assert any("2 份报告" in t and "2022—2023" in t for t in texts)  # corpus, groups, period
    assert any("2024-05-01" in t for t in texts)  # date
    texts = [s.text_frame.text for s in points.shapes if s.has_text_frame]
    assert texts[0] == "要点" and len(texts) >= 3
    assert any("聊城市 2022 最常用的词是“法治”" in t for t in texts)  # what the captions compute


def test_pptx_has_one_slide_per_figure_with_title_and_caption(pack_dir):
    from pptx import Presentation
    from pptx.util import Emu

    out, pack, _ = pack_dir
    prs = Presentation(str(out / "briefing" / "briefing.pptx"))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 1e-3
    slides = list(prs.slides)[2:]  # after the title and the findings
    assert len(slides) == len(EXPECTED_ORDER)
    for slide, (_, fig) in zip(slides, pack.figures.iterrows()):
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert len(pictures) == 1
        assert texts[0] == fig["title"]
        if fig["caption"] != fig["title"]:
            assert fig["caption"] in texts
        pic = pictures[0]
        assert pic.left >= 0 and pic.top >= 0
        assert pic.left + pic.width <= prs.slide_width and pic.top + pic.height <= prs.slide_height
        assert Emu(pic.width).inches > 5  # the figure fills the slide, not a thumbnail
        assert fig["name"] in slide.notes_slide.notes_text_frame.text


def test_xlsx_has_every_table_with_readable_headers(pack_dir):
    from openpyxl import load_workbook

    out, pack, _ = pack_dir
    wb = load_workbook(out / "briefing" / "tables.xlsx")
    tables = sorted(p.stem for p in (out / "tables").glob("*.csv"))
    assert wb.sheetnames[0] == "说明"
    assert len(wb.sheetnames) == len(tables) + 1
    assert set(pack.tables["name"]) == set(tables)
    assert all(len(name) <= 31 for name in wb.sheetnames)
    ws = wb["keywords"]
    assert [c.value for c in ws[1]] == ["词语", "组", "次数", "每万词次数", "排名"]
    assert ws.max_row == len(KEYWORDS) + 1 and ws["A2"].value == "法治"
    assert ws.freeze_panes == "A2"
    odd = wb["odd"]
    assert odd["A2"].value == "=1+1" and odd["A2"].data_type == "s"  # text, never a formula
    about = [[c.value for c in row] for row in wb["说明"].iter_rows(min_row=2)]
    files = {row[1] for row in about}
    assert files == {f"tables/{t}.csv" for t in tables}
    kw = next(row for row in about if row[0] == "keywords")
    assert kw[3] == len(KEYWORDS) and "词语 = term" in kw[4]


def test_manifest_lists_every_file_of_the_pack_with_what_it_shows(pack_dir):
    out, pack, written = pack_dir
    root = out / "briefing"
    manifest = pd.read_csv(root / "manifest.csv", encoding="utf-8-sig")
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert set(manifest["file"]) == on_disk
    assert manifest["shows"].notna().all() and (manifest["shows"].str.len() > 0).all()
    for _, row in manifest.iterrows():
        if row["file"] != "manifest.csv":
            assert row["bytes"] == (root / row["file"]).stat().st_size
    assert written[-1] == root / "manifest.csv"
    png = manifest[manifest["file"] == "figures/01_keywords/top_terms.png"].iloc[0]
    assert png["title"] == "各组高频词" and "法治" in png["shows"]


def test_rebuild_removes_what_the_pack_no_longer_has_and_nothing_else(tmp_path):
    out = _make_output(tmp_path)
    export.save_briefing(briefing.build_pack(out), out)
    (out / "briefing" / "my_notes.txt").write_text("analyst's own file", encoding="utf-8")
    for p in (out / "figures" / "01_keywords").glob("custom.*"):
        p.unlink()
    export.save_briefing(briefing.build_pack(out), out)
    root = out / "briefing"
    assert not list((root / "figures" / "01_keywords").glob("custom.*"))
    assert (root / "my_notes.txt").read_text(encoding="utf-8") == "analyst's own file"
    assert (root / "figures" / "01_keywords" / "top_terms.png").is_file()


def test_figures_left_over_from_an_earlier_run_are_dropped(tmp_path):
    out = _make_output(tmp_path)
    later = (dt.datetime.now().astimezone() + dt.timedelta(seconds=5)).isoformat()
    export.write_json({"notebooks": [{"name": "04_slogans.ipynb", "started": later}]},
                      out / "run.json")
    index = briefing.figure_index(out)
    assert "04_slogans" not in set(index["section"])
    assert "04_slogans" in set(briefing.figure_index(out, drop_stale=False)["section"])


def test_a_crash_while_writing_the_pack_leaves_the_previous_pack(tmp_path, monkeypatch):
    out = _make_output(tmp_path)
    export.save_briefing(briefing.build_pack(out), out)
    root = out / "briefing"
    before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    pack = briefing.build_pack(out, title="第二版")
    real_fsync = export.os.fsync
    calls = {"n": 0}

    def fsync_then_fail(fd):
        calls["n"] += 1
        if calls["n"] > len(pack.copies) + 1:  # figures and the HTML done, then the PPTX fails
            raise OSError("disk full")
        real_fsync(fd)

    monkeypatch.setattr(export.os, "fsync", fsync_then_fail)
    with pytest.raises(OSError, match="disk full"):
        export.save_briefing(pack, out)
    monkeypatch.undo()
    after = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert set(after) == set(before)  # no temporary files left behind
    assert after[Path("briefing.pptx")] == \
        before[Path("briefing.pptx")]
    assert after[Path("manifest.csv")] == \
        before[Path("manifest.csv")]
    assert "第二版" in after[Path("briefing.html")].decode("utf-8")


def test_empty_output_folder_gives_an_empty_but_valid_pack(tmp_path):
    pack = briefing.build_pack(tmp_path)
    assert pack.figures.empty and "<img" not in pack.html
    export.save_briefing(pack, tmp_path)
    manifest = pd.read_csv(tmp_path / "briefing" / "manifest.csv", encoding="utf-8-sig")
    assert set(manifest["file"]) == {"briefing.html", "briefing.pptx", "tables.xlsx", "manifest.csv"}


def test_sheet_names_are_valid_and_unique():
    names = briefing.sheet_names(["a/b", "x" * 40, "x" * 40, "说明", "[q]"])
    assert names[0] == "a_b" and names[4] == "_q_"
    assert len(names[1]) == 31 and names[1] != names[2] and len(names[2]) <= 31
    assert names[3] != "说明"


def test_xlsx_numbers_keep_precision_and_read_well(tmp_path):
    from openpyxl import load_workbook

    table = pd.DataFrame({"term": ["法治"], "per_10k": [141.41234], "p": [0.000577], "share": [0.318],
                          "year": [2022]})
    export.save_table(table, tmp_path, "keyness")
    index = briefing.table_index(tmp_path)
    wb = load_workbook(io.BytesIO(briefing.render_xlsx(index)))
    ws = wb["keyness"]
    assert [c.value for c in ws[1]] == ["词语", "每万词次数", "p 值", "占比", "年份"]
    per, p, share, year = ws["B2"], ws["C2"], ws["D2"], ws["E2"]
    assert per.value == pytest.approx(141.41234) and per.number_format == "#,##0.00"
    assert p.number_format == "0.00E+00" and share.number_format == "0.0%"
    assert year.value == 2022 and year.number_format == "General"  # not 2,022


def test_explorer_terms_come_from_the_slogan_and_keyword_tables(pack_dir, tmp_path):
    out, _, _ = pack_dir
    terms = briefing.explorer_terms(out)
    assert terms and len(terms) == len(set(terms))
    assert set(terms) <= set(KEYWORDS["term"].astype(str))  # no slogan_summary table here
    assert briefing.explorer_terms(tmp_path) == []


def test_html_lists_every_table_with_what_it_holds_and_a_link(pack_dir):
    out, pack, _ = pack_dir
    page = (out / "briefing" / "briefing.html").read_text(encoding="utf-8")
    appendix = page[page.index('id="tables"'):]
    assert '<a href="../tables/keywords.csv">tables/keywords.csv</a>' in appendix
    assert TABLE_DESCRIPTIONS_KEYWORDS in appendix
    assert "要点" in page and "聊城市 2022 最常用的词是“法治”" in page[:page.index('id="s00"')]


TABLE_DESCRIPTIONS_KEYWORDS = briefing.TABLE_DESCRIPTIONS["keywords"]


def _save_table_names():
    """The names of every table the notebooks save (``export.save_table(..., "name")``)."""
    import ast
    import json

    names = set()
    for nb in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                               for line in "".join(cell["source"]).split("\n"))
            for node in ast.walk(ast.parse(source)):
                func = getattr(node, "func", None)
                if (isinstance(node, ast.Call) and getattr(func, "attr", None) == "save_table"
                        and len(node.args) > 2 and isinstance(node.args[2], ast.Constant)):
                    names.add(node.args[2].value)
    return sorted(names)


@pytest.mark.parametrize("name", _save_table_names())
def test_every_table_a_notebook_saves_is_described(name):
    assert briefing.TABLE_DESCRIPTIONS.get(name), (
        f"tables/{name}.csv has no description in briefing.TABLE_DESCRIPTIONS: the briefing's "
        "appendix and the 说明 sheet would list it without saying what it holds")


def test_a_long_table_is_summarised_in_the_workbook(tmp_path):
    from openpyxl import load_workbook

    rows = [{"term": f"词{i}", "group": f"组{g}", "count": 1000 - i, "rank": i + 1}
            for g in range(40) for i in range(300)]  # 12,000 rows, 40 groups
    export.save_table(pd.DataFrame(rows), tmp_path, "bigrams")
    export.save_table(pd.DataFrame({"text": [f"句子{i}" for i in range(8000)]}), tmp_path,
                      "theme_sentences")
    pack = briefing.build_pack(tmp_path, date="2024-05-01")
    wb = load_workbook(io.BytesIO(pack.xlsx), read_only=True)
    bigrams = list(wb["bigrams"].iter_rows(values_only=True))
    assert len(bigrams) - 1 == 40 * briefing.SHEET_ROWS_PER_GROUP <= briefing.SHEET_MAX_ROWS
    assert max(r[3] for r in bigrams[1:]) == briefing.SHEET_ROWS_PER_GROUP  # the top ranks
    assert len(list(wb["theme_sentences"].iter_rows())) - 1 == briefing.SHEET_MAX_ROWS
    about = {r[0]: r for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert "全表 12,000 行见 tables/bigrams.csv" in about["bigrams"][2]
    assert "全表 8,000 行" in about["theme_sentences"][2]
    note = pack.tables.set_index("name").loc["bigrams", "note"]
    assert note in pack.html and pack.tables.set_index("name").loc["bigrams", "rows"] == 12000


def test_the_templates_ship_with_the_package():
    """An installed tifa (not only this checkout) finds briefing.html.j2 and explorer.js."""
    import fnmatch
    import tomllib
    from importlib.resources import files

    root = Path(__file__).resolve().parents[1]
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["tifa"]
    folder = root / "lib" / "tifa" / "report" / "templates"
    for path in folder.iterdir():
        rel = path.relative_to(root / "lib" / "tifa").as_posix()
        assert any(fnmatch.fnmatch(rel, p) for p in patterns), f"{rel} is not package data"
    assert files("tifa.report").joinpath("templates", "briefing.html.j2").is_file()


def test_a_chart_with_nothing_to_draw_is_named_not_shown(tmp_path):
    """An empty chart (draw_empty) is recorded as such: the pack names it with its message
    instead of a blank picture, and the deck gives it no slide."""
    from pptx import Presentation

    from tifa.draw import charts, style

    style.use_style(size="slide")
    fig = charts.start_figure(width=10.0, body_height=4.0, title="共享文字最多的报告对",
                              empty="没有发现报告之间的共同段落")
    export.save_figure(fig, tmp_path, "06_reuse", "top_pairs", caption="没有发现报告之间的共同段落")
    full = charts.start_figure(width=10.0, body_height=4.0, title="各报告篇幅")
    full.add_subplot().bar([0, 1], [3, 4])
    export.save_figure(full, tmp_path, "00_corpus", "document_lengths", caption="两份报告")
    record = json.loads((tmp_path / "figures" / "06_reuse" / "top_pairs.json").read_text("utf-8"))
    assert record["empty"] == "没有发现报告之间的共同段落"
    pack = briefing.build_pack(tmp_path, explorer=False)
    assert "无内容的图未放入简报：共享文字最多的报告对：没有发现报告之间的共同段落" in pack.html
    assert pack.html.count("<img") == 1
    path = tmp_path / "deck.pptx"
    path.write_bytes(pack.pptx)
    pictures = [s for s in Presentation(str(path)).slides
                if any(sh.shape_type == 13 for sh in s.shapes)]
    assert len(pictures) == 1
