"""tifa.ingest.divisions: region names against China's administrative divisions (jionlp's list)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tifa.ingest import divisions


@pytest.mark.parametrize("text, region, full", [
    ("广东", "广东省", "广东省"), ("广东省人民政府", "广东省", "广东省"),
    ("湖北第十四届人民代表大会", "湖北省", "湖北省"),
    ("青岛市市南区人民政府", "青岛市", "青岛市市南区"), ("杭州市西湖区人民政府", "杭州市", "杭州市西湖区"),
    ("山东省聊城市东昌府区教育局", "聊城市", "聊城市东昌府区"), ("上海市浦东新区人民政府", "上海市", "上海市浦东新区"),
    ("广西壮族自治区人民政府", "广西壮族自治区", "广西壮族自治区"), ("延边朝鲜族自治州人民政府", "延边朝鲜族自治州", "延边朝鲜族自治州"),
    ("沛县人民政府", "沛县", "沛县"), ("济南", "济南市", "济南市"), ("莱芜区", "莱芜区", "莱芜区"),
])
def test_places(text, region, full):
    place = divisions.match_place(text)
    assert (place.region, place.full) == (region, full)


@pytest.mark.parametrize("text", ["省长", "市长于海田", "省长　王伟中", "西湖区", "某某市商务局", "", "人民政府"])
def test_no_place(text):
    assert divisions.match_place(text) is None


def test_normalise_region_expands_one_name_only():
    assert [divisions.normalise_region(x) for x in ("广东", "济南", "上海", "吉林", "青岛市市南区", "某地")] == [
        "广东省", "济南市", "上海市", "吉林省", "青岛市市南区", "某地"]


def test_the_list_is_read_as_data_without_importing_jionlp():
    code = ("import sys; from tifa.ingest import divisions; divisions.match_place('广东');"
            "print('jionlp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
