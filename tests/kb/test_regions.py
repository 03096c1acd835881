"""The gazetteer: every place a worker or the list names resolves to where it sits."""
from __future__ import annotations

import importlib.metadata
import re

import pytest

from bot.kb.regions import DATA_PACKAGE, DATA_VERSION, Gazetteer, get_gazetteer, short_forms


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return get_gazetteer()


def test_the_gazetteer_comes_from_the_pinned_data_package():
    """The module docstring names the package and version that is actually installed."""
    assert importlib.metadata.version(DATA_PACKAGE) == DATA_VERSION


def test_every_province_city_and_county_of_china_is_there(gazetteer):
    """31 mainland provinces + Taiwan, Hong Kong, Macao; 300+ cities; 2,800+ counties."""
    provinces = gazetteer.places("province")
    assert len(provinces) == 34
    assert len(gazetteer.places("city")) >= 333
    assert len(gazetteer.places("county")) >= 2800
    assert {p.name for p in provinces} >= {"北京市", "重庆市", "内蒙古自治区", "广西壮族自治区", "新疆维吾尔自治区"}


def test_the_gazetteer_is_built_once_per_process():
    assert get_gazetteer() is get_gazetteer()


def test_every_place_hangs_off_a_province_with_a_consistent_full_name(gazetteer):
    for place in gazetteer.places():
        lineage = gazetteer.lineage(place)
        assert lineage[0].level == "province" and lineage[-1] == place
        assert lineage[0].code == place.province_code
        assert place.full_name == "".join(p.name for p in lineage)
        assert gazetteer.get(place.code) == place


@pytest.mark.parametrize(
    "name, code, full_name",
    [
        ("广州", "440100", "广东省广州市"),
        ("广州市", "440100", "广东省广州市"),
        ("内蒙古", "150000", "内蒙古自治区"),
        ("内蒙古自治区", "150000", "内蒙古自治区"),
        ("内蒙", "150000", "内蒙古自治区"),
        ("广西", "450000", "广西壮族自治区"),
        ("广西壮族自治区", "450000", "广西壮族自治区"),
        ("新疆", "650000", "新疆维吾尔自治区"),
        ("重庆", "500000", "重庆市"),
        ("重庆市", "500000", "重庆市"),
        ("和县", "340523", "安徽省马鞍山市和县"),
        ("东莞", "441900", "广东省东莞市"),
        ("绵阳", "510700", "四川省绵阳市"),
        ("呼和浩特", "150100", "内蒙古自治区呼和浩特市"),
        ("叙永", "510524", "四川省泸州市叙永县"),
        ("叙永县", "510524", "四川省泸州市叙永县"),
        ("固始", "411525", "河南省信阳市固始县"),
        ("安徽和县", "340523", "安徽省马鞍山市和县"),
        ("河南省固始县", "411525", "河南省信阳市固始县"),
        ("四川省叙永县", "510524", "四川省泸州市叙永县"),
        ("广东东莞", "441900", "广东省东莞市"),
        (" 广州 ", "440100", "广东省广州市"),
        ("海南共和县", "632521", "青海省海南藏族自治州共和县"),  # 海南 here is the prefecture, not the province
        ("廣州", "440100", "广东省广州市"),
        ("\x00广州", "440100", "广东省广州市"),  # control characters are dropped
    ],
)
def test_short_forms_and_chains_resolve(gazetteer, name, code, full_name):
    place = gazetteer.resolve(name)
    assert place is not None and (place.code, place.full_name) == (code, full_name)


@pytest.mark.parametrize(
    "name, full_name, level",
    [
        ("拉萨", "西藏自治区拉萨市", "city"),
        ("乌鲁木齐", "新疆维吾尔自治区乌鲁木齐市", "city"),
        ("喀什", "新疆维吾尔自治区喀什地区", "city"),
        ("三亚", "海南省三亚市", "city"),
        ("大理", "云南省大理白族自治州", "city"),
        ("西双版纳", "云南省西双版纳傣族自治州", "city"),
        ("延边", "吉林省延边朝鲜族自治州", "city"),
        ("延边州", "吉林省延边朝鲜族自治州", "city"),
        ("恩施", "湖北省恩施土家族苗族自治州", "city"),
        ("义乌", "浙江省金华市义乌市", "county"),
        ("昆山", "江苏省苏州市昆山市", "county"),
        ("晋江", "福建省泉州市晋江市", "county"),
        ("石家庄", "河北省石家庄市", "city"),
        ("哈尔滨", "黑龙江省哈尔滨市", "city"),
        ("鄂尔多斯", "内蒙古自治区鄂尔多斯市", "city"),
        ("遵义", "贵州省遵义市", "city"),
        ("兰州", "甘肃省兰州市", "city"),
        ("银川", "宁夏回族自治区银川市", "city"),
        ("西宁", "青海省西宁市", "city"),
        ("桂林", "广西壮族自治区桂林市", "city"),
        ("珠海", "广东省珠海市", "city"),
        ("中山", "广东省中山市", "city"),
        ("仙桃", "湖北省仙桃市", "county"),
        ("济源", "河南省济源市", "county"),
        ("石河子", "新疆维吾尔自治区石河子市", "county"),
        ("浦东", "上海市浦东新区", "county"),
        ("海淀", "北京市海淀区", "county"),
        ("雄安", "河北省雄安新区", "city"),
        ("神农架", "湖北省神农架林区", "county"),
        ("石柱", "重庆市石柱土家族自治县", "county"),
        ("香港", "香港特别行政区", "province"),
        ("黑龙江", "黑龙江省", "province"),
        ("宁夏", "宁夏回族自治区", "province"),
        ("西藏", "西藏自治区", "province"),
    ],
)
def test_places_the_list_never_mentions_resolve(gazetteer, name, full_name, level):
    place = gazetteer.resolve(name)
    assert place is not None and (place.full_name, place.level) == (full_name, level)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("吉林", "吉林省"),  # province before 吉林市
        ("海南", "海南省"),  # province before 海南藏族自治州
        ("河南", "河南省"),  # province before 河南蒙古族自治县
        ("朝阳", "辽宁省朝阳市"),  # city before 北京市朝阳区
        ("吉林市", "吉林省吉林市"),  # the official name decides
        ("朝阳区", "北京市朝阳区"),
    ],
)
def test_ambiguous_names_prefer_province_then_city_then_county(gazetteer, name, expected):
    assert gazetteer.resolve(name).full_name == expected


@pytest.mark.parametrize(
    "name, within, expected",
    [
        ("朝阳", "北京", "北京市朝阳区"),
        ("鼓楼", "福州", "福建省福州市鼓楼区"),
        ("鼓楼", "福建", "福建省福州市鼓楼区"),
        ("长宁", "上海", "上海市长宁区"),
        ("长宁", "宜宾", "四川省宜宾市长宁县"),
        ("绵阳", "广东", "四川省绵阳市"),  # nothing of that name inside: the name still counts
    ],
)
def test_within_picks_the_place_inside_the_one_named_before(gazetteer, name, within, expected):
    assert gazetteer.resolve(name, within=gazetteer.resolve(within)).full_name == expected


@pytest.mark.parametrize(
    "outer, inner, inside",
    [
        ("广东", "东莞", True),
        ("马鞍山", "和县", True),
        ("安徽", "和县", True),
        ("安徽", "马鞍山", True),
        ("重庆", "石柱", True),
        ("和县", "和县", True),
        ("和县", "安徽", False),
        ("广东", "绵阳", False),
        ("四川", "叙永", True),
        ("泸州", "叙永", True),
    ],
)
def test_contains(gazetteer, outer, inner, inside):
    assert gazetteer.contains(gazetteer.resolve(outer), gazetteer.resolve(inner)) is inside


def test_hierarchy_of_the_places_the_issue_names(gazetteer):
    """东莞 is in 广东省; 和县 in 马鞍山市 in 安徽省; 重庆 is a province-level municipality."""
    dongguan = gazetteer.resolve("东莞")
    assert gazetteer.province_of(dongguan).name == "广东省"
    assert [p.name for p in gazetteer.lineage(gazetteer.resolve("和县"))] == ["安徽省", "马鞍山市", "和县"]
    chongqing = gazetteer.resolve("重庆")
    assert chongqing.level == "province" and chongqing.parent_code is None
    assert gazetteer.province_of(chongqing) == chongqing
    assert gazetteer.province_of(gazetteer.resolve("渝中区")) == chongqing


@pytest.mark.parametrize(
    "text, prefix, full_name",
    [
        ("安徽省芜湖市全面实行红黄蓝牌", "安徽省芜湖市", "安徽省芜湖市"),
        ("重庆市鼓励建筑企业", "重庆市", "重庆市"),
        ("广西壮族自治区不断完善", "广西壮族自治区", "广西壮族自治区"),
        ("内蒙古自治区大力支持", "内蒙古自治区", "内蒙古自治区"),
        ("江西省“线上预警+线下核查", "江西省", "江西省"),
        ("四川省叙永县加强培养", "四川省叙永县", "四川省泸州市叙永县"),
        ("安徽省和县大力推动", "安徽省和县", "安徽省马鞍山市和县"),
        ("河南省固始县大力发展", "河南省固始县", "河南省信阳市固始县"),
        ("广东省深圳市建立", "广东省深圳市", "广东省深圳市"),
        ("河南省林州市不断推动", "河南省林州市", "河南省安阳市林州市"),
    ],
)
def test_leading_place_of_practice_starts(gazetteer, text, prefix, full_name):
    matched, place = gazetteer.leading_place(text)
    assert (matched, place.full_name) == (prefix, full_name)


def _practice_starts(source_text: str) -> list[str]:
    return re.findall(r"<p>\s*\d+\.\s*([^<]{0,30})", source_text)


def test_every_practice_in_the_list_starts_with_a_place_in_its_province(gazetteer, source_text):
    """All 47 practices: the leading place is found, whole names only, inside the province printed first."""
    starts = _practice_starts(source_text)
    assert len(starts) == 47
    for start in starts:
        found = gazetteer.leading_place(start)
        assert found is not None, start
        prefix, place = found
        province = gazetteer.province_of(place)
        assert prefix.startswith(province.name), (start, place)
        assert prefix.endswith(place.name), (start, place)
        assert gazetteer.resolve(prefix) == place


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "建筑工人实名制", "省市县", "😀😀", "\x00\x07\x1b",
        "'; DROP TABLE practices; --", "<p>1. </p>", "啊" * 10_000,
    ],
)
def test_text_without_a_leading_place_gives_none(gazetteer, text):
    assert gazetteer.leading_place(text) is None


@pytest.mark.parametrize(
    "name",
    [
        "", "  ", "工地", "欠薪", "和", "县", "市", "😀", "\x00", "广州" * 5_000,
        "'; DROP TABLE x; --", "<b>广州</b>", None, 42,
    ],
)
def test_bad_names_resolve_to_none(gazetteer, name):
    assert gazetteer.resolve(name) is None


def test_get_unknown_code_gives_none(gazetteer):
    assert gazetteer.get("999999") is None and gazetteer.get(None) is None


@pytest.mark.parametrize(
    "name, forms",
    [
        ("广西壮族自治区", {"广西壮族自治区", "广西壮族", "广西"}),
        ("和县", {"和县"}),
        ("叙永县", {"叙永县", "叙永"}),
        ("延边朝鲜族自治州", {"延边朝鲜族自治州", "延边朝鲜族", "延边", "延边州"}),
        ("黔西南布依族苗族自治州", {"黔西南布依族苗族自治州", "黔西南布依族苗族", "黔西南", "黔西南州"}),
        ("香港特别行政区", {"香港特别行政区", "香港"}),
    ],
)
def test_short_forms(name, forms):
    assert short_forms(name) == forms


def test_aliases_cover_short_forms_and_never_one_character(gazetteer):
    pairs = list(gazetteer.aliases())
    assert all(len(alias) >= 2 for alias, _ in pairs)
    codes = {(alias, place.code) for alias, place in pairs}
    assert {("广西", "450000"), ("和县", "340523"), ("东莞", "441900"), ("重庆", "500000")} <= codes


@pytest.mark.parametrize(
    "text, names",
    [
        ("东莞", True), ("我在东莞打工", True), ("打工在广州", True), ("四川叙永", True),
        ("找公安", True),  # a name that is an everyday word too: the place recognizer decides
        ("欠薪怎么办", False), ("工地要刷脸吗", False), ("莞", False), ("", False),
    ],
)
def test_the_gazetteer_says_whether_a_text_holds_any_name(gazetteer, text, names):
    assert gazetteer.names_any(text) is names
