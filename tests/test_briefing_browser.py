"""The explorer inside briefing.html: its data agree with the tables, the page stays small and
self-contained, and in a real headless browser (Debian's chromium with selenium) picking a term
shows its rates and concordance lines and the keyness table sorts."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from tifa.analyze import compare, frequency, slogans
from tifa.report import briefing, explore, export
from tifa.runner import stages

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT_DIR = Path(tempfile.gettempdir()) / "tifa_browser"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """An output folder with the stage and the tables the explorer reads (seeds, by label)."""
    out = tmp_path_factory.mktemp("out")
    stage = stages.prepare(ROOT / "seeds", out, cache=False, n_jobs=1)
    docs, toks, units = stage.documents, stage.tokens, stage.units
    export.save_table(docs.drop(columns=["raw_text", "text"]), out, "documents")
    freq = frequency.term_frequencies(toks, docs, by="label")
    export.save_table(freq, out, "keywords")
    export.save_table(compare.keyness(toks, docs, by="label", min_count=3), out, "keyness")
    mentions = slogans.extract_slogans(docs, units)
    export.save_table(mentions, out, "slogan_mentions")
    summary = slogans.slogan_summary(mentions, docs, by="label")
    export.save_table(slogans.slogans_by_group(mentions, docs, by="label"), out, "slogan_by_group")
    export.save_table(summary, out, "slogan_summary")
    pack = briefing.build_pack(out, by="label", title="测试简报", date="2024-05-01")
    export.save_briefing(pack, out)
    return out


def _data(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="x-data">(.*?)</script>', page, re.S)
    return json.loads(raw.group(1))


def test_the_explorer_data_are_the_tables_counts(out):
    page = (out / "briefing" / "briefing.html").read_text(encoding="utf-8")
    data = _data(page)
    keywords = pd.read_csv(out / "tables" / "keywords.csv", encoding="utf-8-sig")
    item = next(i for i in data["items"] if i["t"] == "法治" and i["kind"] == "词语")
    expected = keywords[keywords["term"] == "法治"].set_index("group")
    for g, count, rate in item["rows"]:
        group = data["groups"][g]
        assert count == expected.loc[group, "count"]  # tokens, as keywords.csv counts
        assert rate == pytest.approx(expected.loc[group, "per_10k"], abs=0.01)
    assert item["lines"] and all(line[2] == "法治" for line in item["lines"])
    # a line is cut around the token counted: 法治 as a word, never inside 法治政府建设
    assert not any(line[3].startswith("政府建设") for line in item["lines"])
    slogan = next(i for i in data["items"] if i["kind"] == "提法")
    assert slogan["unit"] == "每十万字" and slogan["lines"]
    assert data["keyness"]["rows"] and data["count"] == explore.COUNT_MODES["tokens"]


def test_the_page_is_self_contained_and_small(out):
    page = (out / "briefing" / "briefing.html").read_text(encoding="utf-8")
    assert not re.search(r'<(script|img|link)[^>]+(src|href)="(https?:)?//', page)
    assert "http://" not in page.split('id="x-data"')[0].split("</style>")[-1]
    assert len(page.encode("utf-8")) < 4_000_000
    assert "本页收录出现最多的" in page  # the caps are said


def _driver():
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(f"no headless browser: {CHROMIUM} and {CHROMEDRIVER} are needed "
                    "(apt-get install -y chromium chromium-driver; .ci/run installs them)")
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium is not installed (pip install -e '.[dev]')")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1200,1400"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="tifa_chromium_")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = str(CHROMIUM)
    try:
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except Exception as exc:  # noqa: BLE001 - a browser that cannot start is no test failure
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"chromium did not start: {exc}")
    return driver, profile


def test_pick_a_term_see_rates_and_lines_sort_the_keyness_table(out):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver, profile = _driver()
    try:
        driver.get((out / "briefing" / "briefing.html").as_uri())
        Select(driver.find_element(By.ID, "x-list")).select_by_value("法治")
        result = driver.find_element(By.ID, "x-result")
        assert "“法治”（词语）在各组中的频率" in result.text
        rates = result.find_elements(By.CSS_SELECTOR, "table.rates tbody tr")
        keywords = pd.read_csv(out / "tables" / "keywords.csv", encoding="utf-8-sig")
        assert len(rates) == (keywords["term"] == "法治").sum()
        lines = result.find_elements(By.CSS_SELECTOR, "table.kwic td.match")
        assert lines and {td.text for td in lines} == {"法治"}
        # typing a formulation shows it too
        box = driver.find_element(By.ID, "x-term")
        box.clear()
        slogan = _data(driver.page_source)["items"][-1]["t"]
        box.send_keys(slogan)
        assert f"“{slogan}”（" in driver.find_element(By.ID, "x-result").text
        # sort the keyness table by term, then by G² again
        table = driver.find_element(By.ID, "x-keyness")
        g2 = table.find_element(By.CSS_SELECTOR, 'th[data-col="g2"]')
        values = [float(td.text.replace(",", "")) for td in
                  table.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(6)")]
        assert values == sorted(values, reverse=True) and g2.get_attribute("aria-sort") == "descending"
        g2.click()
        values = [float(td.text.replace(",", "")) for td in
                  table.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(6)")]
        assert values == sorted(values)
        table.find_element(By.CSS_SELECTOR, 'th[data-col="term"]').click()
        terms = [td.text for td in table.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child")]
        in_order = driver.execute_script(
            "return arguments[0].slice().sort(function (a, b) { return a.localeCompare(b, 'zh-CN'); });",
            terms)
        assert len(terms) > 1 and terms == in_order
        SCREENSHOT_DIR.mkdir(exist_ok=True)
        driver.execute_script("document.getElementById('explore').scrollIntoView()")
        driver.save_screenshot(str(SCREENSHOT_DIR / "explorer.png"))
        assert (SCREENSHOT_DIR / "explorer.png").stat().st_size > 10_000
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert errors == [], errors
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
