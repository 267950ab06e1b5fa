"""The whole pipeline on seeds/ into a temporary folder, as `make run` does it."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
TIFA = Path(sys.executable).with_name("tifa")


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    before = _hashes(ROOT / "seeds")
    proc = subprocess.run([str(TIFA), "run", "--corpus", str(ROOT / "seeds"), "--out", str(out),
                           "--no-progress"], capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _hashes(ROOT / "seeds") == before, "the pipeline modified its input"
    return out


def test_every_notebook_ran_and_is_recorded(run):
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    statuses = {Path(n["name"]).name if "name" in n else k: n["status"]
                for k, n in _notebook_entries(record)}
    assert sorted(statuses) == notebooks
    assert set(statuses.values()) == {"ok"}
    for name in notebooks:
        assert (run / "notebooks" / name).is_file()
    assert record["inputs"], "input hashes missing"


def _notebook_entries(record):
    nbs = record["notebooks"]
    if isinstance(nbs, dict):
        return list(nbs.items())
    return [(n.get("name"), n) for n in nbs]


def test_corpus_tables(run):
    docs = pd.read_csv(run / "tables" / "documents.csv")
    assert list(docs["doc_id"]) == ["000_5305f72e38caa88f", "002_c9417e647ef2fa0e"]
    assert list(docs["agency"]) == ["聊城市人民政府外事办公室", "厦门市人民政府外事办公室"]
    assert list(docs["region"]) == ["聊城市", "厦门市"]
    assert list(docs["year"]) == [2022, 2023]
    assert list(docs["date"]) == ["2023-02-20", "2024-03-12"]
    assert (docs["n_tokens"] > 500).all()
    report = pd.read_csv(run / "tables" / "ingest_report.csv")
    assert set(report["status"]) == {"ok"}
    stored = pd.read_parquet(run / "data" / "documents.parquet")
    assert {"raw_text", "text"} <= set(stored.columns)
    assert "《公务员法》" in stored.loc[0, "text"] and "《公务员法》" not in stored.loc[0, "raw_text"]
    tokens = pd.read_parquet(run / "data" / "tokens.parquet")
    assert "法治政府建设" in set(tokens["token"])


def test_figures_are_written(run):
    pngs = list((run / "figures").rglob("*.png"))
    assert pngs, "no figures"
    assert {p.parent.name for p in pngs} >= {"00_corpus"}
    for p in pngs:
        assert p.stat().st_size > 5_000, p


def test_no_notebook_warns_of_a_missing_glyph(run):
    """matplotlib's "Glyph … missing from font(s)" (a box in the figure) in no executed notebook."""
    for path in sorted((run / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            for output in cell.get("outputs", []):
                text = "".join(output.get("text", "")) if isinstance(output.get("text"), list) \
                    else str(output.get("text", ""))
                assert "missing from font" not in text, f"{path.name}: {text[:300]}"


def test_the_briefing_opens_with_a_cover_and_findings_and_carries_the_explorer(run):
    from pptx import Presentation

    page = (run / "briefing" / "briefing.html").read_text(encoding="utf-8")
    assert 'id="x-data"' in page and "要点" in page
    slides = list(Presentation(str(run / "briefing" / "briefing.pptx")).slides)
    assert [s.shapes[0].text_frame.text for s in slides[:2]][1] == "要点"
