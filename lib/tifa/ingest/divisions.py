"""China's administrative divisions: provinces, prefecture-level cities and counties, by name.

Region names in the text (``在湖北第十四届人民代表大会``, ``青岛市市南区人民政府``) and in a table's
columns (``广东``, ``济南``) are matched against the list of divisions that the jionlp package
maintains (``jionlp/dictionary/china_location.zip``: every province, prefecture-level city and
county with its code and short name, current as jionlp releases it; README "Dependencies and
why" says why this list). Only that data file is read, once, the first time a name is looked up
(about 0.7 s); jionlp itself is never imported (it takes seconds and prints a banner).

Matching rules
--------------
* A province or a city is found by its full name (``广东省``, ``济南市``, ``广西壮族自治区``) or its
  short name (``广东``, ``济南``, ``广西``), so 广东 and 广东省 are one region.
* A county (县, 区, 县级市, 旗) is found by its full name only (``市南区``, ``沛县``): short county
  names (西湖, 高新) are too ambiguous. Under a city just named (``杭州市西湖区``) the county is
  the one of that city; a county name shared by several cities, with no city before it, is not
  resolved.
* Matching starts at the first character and takes the longest name there, level by level
  (province, then a city of it, then a county of that city), so ``山东省省长`` gives 山东省 and
  nothing else, and ``省长`` alone is no place.
"""

from __future__ import annotations

import importlib.util
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Division", "Place", "match_place", "lookup", "normalise_region", "DATA_PACKAGE"]

#: The package whose data file holds the divisions.
DATA_PACKAGE = "jionlp"
_DATA_FILE = ("dictionary", "china_location.zip")
_MEMBER = "china_location.txt"
_LONGEST = 20


@dataclass(frozen=True)
class Division:
    """One province, prefecture-level city or county.

    Attributes
    ----------
    name : str
        Full name (``山东省``, ``济南市``, ``市南区``).
    level : int
        1 province (also 北京市 …), 2 prefecture-level city (the four municipalities appear here
        too, as their own city), 3 county-level.
    code : str
        Six-digit administrative code.
    province : str
        Full name of its province.
    city : str or None
        Full name of its city (levels 2 and 3).
    """

    name: str
    level: int
    code: str
    province: str
    city: str | None = None


@dataclass(frozen=True)
class Place:
    """What :func:`match_place` found at the start of a name.

    Attributes
    ----------
    province, city, county : Division or None
        The divisions named, outermost first.
    end : int
        Characters of the input the match covers.
    """

    province: Division | None
    city: Division | None
    county: Division | None
    end: int

    @property
    def region(self) -> str | None:
        """The region as tifa's documents table has it: the city when one is named (a
        district's or department's documents go with their city), else the county, else the
        province; for a municipality (上海市) the municipality."""
        for d in (self.city, self.county, self.province):
            if d is not None:
                return d.name
        return None

    @property
    def full(self) -> str | None:
        """The most specific place as written out in full (``青岛市市南区``, ``山东省``)."""
        if self.county is not None:
            return (self.city.name if self.city is not None else "") + self.county.name
        for d in (self.city, self.province):
            if d is not None:
                return d.name
        return None


class _Index:
    def __init__(self, rows: list[tuple[int, str, str, str]]):
        self.by_name: dict[str, list[Division]] = {}
        prov = city = None
        for level, name, code, alias in rows:
            if level == 1:
                prov = name
                city = None
                d = Division(name, 1, code, name)
            elif level == 2:
                city = name
                d = Division(name, 2, code, prov, name)
            else:
                d = Division(name, 3, code, prov, city)
            self.by_name.setdefault(name, []).append(d)
            if level < 3:
                for a in alias.split("/"):
                    a = a.strip()
                    if len(a) >= 2 and a != name:
                        self.by_name.setdefault(a, []).append(d)

    def at(self, text: str, pos: int, want) -> tuple[Division, int] | None:
        for length in range(min(_LONGEST, len(text) - pos), 1, -1):
            found = [d for d in self.by_name.get(text[pos:pos + length], ()) if want(d)]
            if found:
                found.sort(key=lambda d: d.level)
                if len(found) > 1 and found[0].level == found[1].level:
                    continue  # ambiguous at this length
                return found[0], pos + length
        return None


def _data_path() -> Path:
    spec = importlib.util.find_spec(DATA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {DATA_PACKAGE} package (administrative divisions) is "
                                  f"not installed: pip install {DATA_PACKAGE}")
    return Path(list(spec.submodule_search_locations)[0]).joinpath(*_DATA_FILE)


@lru_cache(maxsize=1)
def _index() -> _Index:
    with zipfile.ZipFile(_data_path()) as z:
        text = z.read(_MEMBER).decode("utf-8")
    rows = []
    for line in text.split("\n"):
        if line.startswith("\t\t\t"):
            continue  # towns and villages
        level = 3 if line.startswith("\t\t") else 2 if line.startswith("\t") else 1
        parts = line.strip().split("\t")
        if len(parts) == 3:
            rows.append((level, parts[0], parts[1], parts[2]))
    return _Index(rows)


def match_place(text: str) -> Place | None:
    """The province, city and county named at the start of ``text``.

    Parameters
    ----------
    text : str
        An organ name, a title after its year, the place of a delivery line, a table cell.

    Returns
    -------
    Place or None
        None when ``text`` starts with no division's name (see the module notes).
    """
    if not text:
        return None
    idx = _index()
    pos = 0
    prov = city = county = None
    hit = idx.at(text, pos, lambda d: d.level <= 2)
    if hit is not None:
        d, pos = hit
        if d.level == 1:
            prov = d
            nxt = idx.at(text, pos, lambda c: c.level == 2 and c.province == prov.name
                         and not (c.name == prov.name))
            if nxt is not None:
                city, pos = nxt
            elif prov.name.endswith("市"):  # a municipality is its own city
                same = [c for c in idx.by_name.get(prov.name, ()) if c.level == 2]
                city = same[0] if same else None
        else:
            city = d
            prov = next((p for p in idx.by_name.get(d.province, ()) if p.level == 1), None)
    want_county = (lambda c: c.level == 3 and c.city == city.name) if city is not None else (
        lambda c: c.level == 3)
    cnt = idx.at(text, pos, lambda c: want_county(c) and text[pos:pos + len(c.name)] == c.name)
    if cnt is not None:
        county, pos = cnt
        if city is None:
            city = None  # the text names no city: keep it so
            prov = prov or next((p for p in idx.by_name.get(county.province, ())
                                 if p.level == 1), None)
    if prov is None and city is None and county is None:
        return None
    return Place(prov, city, county, pos)


def lookup(name: str) -> Division | None:
    """The division a whole name (full or short) stands for, or None.

    Parameters
    ----------
    name : str
        ``广东``, ``广东省``, ``济南``, ``市南区`` …

    Returns
    -------
    Division or None
        The division when ``name`` is exactly one (a province before a city of the same short
        name: 吉林 is 吉林省), else None.
    """
    found = sorted(_index().by_name.get((name or "").strip(), ()), key=lambda d: d.level)
    if not found or (len(found) > 1 and found[0].level == found[1].level
                     and found[0].name != found[1].name):
        return None
    return found[0]


def normalise_region(value: str) -> str:
    """A region name as the documents table writes it: ``广东`` -> ``广东省``, ``济南`` -> ``济南市``.

    Parameters
    ----------
    value : str
        A region as a user or a text wrote it.

    Returns
    -------
    str
        The full name of the division it names exactly, else ``value`` stripped.
    """
    d = lookup(value)
    return d.name if d is not None else value.strip()
