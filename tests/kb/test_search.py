"""Search finds what workers mean: colloquial questions, places, paging, junk input.

The table of questions is data/measure/search_queries.yml (also timed by `make bench-kb`).
"""
from __future__ import annotations

import dataclasses

import pytest
import yaml

from bot.config import ROOT
from bot.kb.search import PracticeIndex, SearchResult
from bot.kb.synonyms import load_synonyms
from bot.kb.types import REGION_EXACT, REGION_NONE, REGION_PROVINCE

QUERY_TABLE = ROOT / "data" / "measure" / "search_queries.yml"
QUERIES = yaml.safe_load(QUERY_TABLE.read_text(encoding="utf-8"))["queries"]
MATCH_RANK = {REGION_EXACT: 0, REGION_PROVINCE: 1, REGION_NONE: 2}


@pytest.fixture(scope="module")
def index(practices) -> PracticeIndex:
    return PracticeIndex(practices)


def top_ids(result: SearchResult, n: int = 3) -> list[str]:
    return [hit.practice.id for hit in result.hits[:n]]


@pytest.mark.parametrize("row", QUERIES, ids=[row["query"] + (f"@{row['region']}" if "region" in row else "") for row in QUERIES])
def test_worker_question_gets_the_right_practices_in_the_first_three(index, row):
    result = index.search(row["query"], region=row.get("region"), limit=3)
    for expected in row["expect"]:
        assert str(expected) in top_ids(result), (row["query"], top_ids(result))


def test_the_question_table_is_broad(practices):
    known = {p.id for p in practices}
    assert len(QUERIES) >= 40
    assert all(str(e) in known for row in QUERIES for e in row["expect"])
    assert len({str(e) for row in QUERIES for e in row["expect"]}) >= 40  # most practices are asked for


@pytest.mark.parametrize(
    ("query", "place", "first_province"),
    [
        ("东莞有没有欠薪的做法", "东莞市", "广东省"),
        ("东莞包工头欠钱不给咋办", "东莞市", "广东省"),
        ("绵阳有培训基地吗", "绵阳市", "四川省"),
        ("呼和浩特技能培训基地有钱支持吗", "呼和浩特市", "内蒙古自治区"),
        ("内蒙古有没有培训基地补贴", "内蒙古自治区", "内蒙古自治区"),
        ("广西的实名制平台", "广西壮族自治区", "广西壮族自治区"),
        ("廣州實名制", "广州市", "广东省"),
    ],
)
def test_a_place_the_list_never_mentions_gets_its_provinces_practices_first(index, query, place, first_province):
    result = index.search(query, limit=10)
    assert result.place is not None and result.place.name == place
    assert result.hits[0].practice.province == first_province
    assert result.hits[0].region_match in (REGION_EXACT, REGION_PROVINCE)
    assert any(hit.region_match == REGION_NONE for hit in result.hits), "the rest of the country follows"


@pytest.mark.parametrize(
    ("query", "region"),
    [("东莞有没有欠薪的做法", None), ("培训基地", "四川"), ("广州实名制", None), ("欠薪", "佛山"), ("补贴", "河南"), ("比赛", "成都")],
)
def test_hits_come_exact_then_province_then_elsewhere_each_by_score(index, query, region):
    result = index.search(query, region=region, limit=50)
    keys = [(MATCH_RANK[hit.region_match], -hit.score) for hit in result.hits]
    assert keys == sorted(keys)
    assert result.total == len(result.hits) > 0


@pytest.mark.parametrize(
    ("query", "region", "practice_id", "match"),
    [
        ("和县培训", None, "3.1.3", REGION_EXACT),
        ("芜湖三色预警", None, "5.1.3", REGION_EXACT),
        ("培训基地", "安徽", "3.1.3", REGION_EXACT),
        ("预警", "马鞍山", "5.1.3", REGION_PROVINCE),
        ("工资专户", "重庆", "5.1.2", REGION_EXACT),
        ("工资专户", "渝中区", "5.1.2", REGION_PROVINCE),  # a city-wide practice, asked from a district
        ("欠薪", None, "5.2.2", REGION_NONE),
    ],
)
def test_each_hit_says_how_it_relates_to_the_place_asked(index, query, region, practice_id, match):
    result = index.search(query, region=region, limit=50)
    found = {hit.practice.id: hit.region_match for hit in result.hits}
    assert found[practice_id] == match


@pytest.mark.parametrize(
    ("query", "exact", "province"),
    [
        ("安徽", {"3.1.3", "5.1.3"}, set()),
        ("芜湖有啥", {"5.1.3"}, {"3.1.3"}),
        ("广州有什么做法", {"1.3.1", "1.4.1", "2.1.4", "2.2.3", "4.1.2"}, {"3.2.1", "4.3.2", "5.2.2"}),
        ("呼和浩特", set(), {"4.3.1"}),
        ("說說重慶的經驗做法", {"1.1.1", "4.2.1", "5.1.2"}, set()),
    ],
)
def test_a_question_that_only_names_a_place_lists_that_place_then_its_province(index, query, exact, province):
    result = index.search(query, limit=20)
    assert [hit.practice.id for hit in result.hits if hit.region_match == REGION_EXACT] == sorted(exact, key=_doc_order)
    assert {hit.practice.id for hit in result.hits if hit.region_match == REGION_PROVINCE} == province
    assert all(hit.region_match != REGION_NONE for hit in result.hits)


def _doc_order(practice_id: str) -> tuple[int, ...]:
    return tuple(int(n) for n in practice_id.split("."))


def test_a_place_with_nothing_on_the_topic_gets_answers_from_elsewhere_marked_as_such(index):
    result = index.search("西藏有没有欠薪的做法")
    assert result.place is not None and result.place.name == "西藏自治区"
    assert result.hits and all(hit.region_match == REGION_NONE for hit in result.hits)
    assert "5.2.2" in top_ids(result)


def test_a_place_with_no_practices_at_all_gives_no_hits_but_says_which_place(index):
    result = index.search("西藏")
    assert result.hits == () and result.total == 0
    assert result.place is not None and result.place.name == "西藏自治区"


@pytest.mark.parametrize(
    "query",
    ["今天天气怎么样", "你好", "谢谢", "讲个笑话", "我想吃火锅", "工地好热啊", "工作累不累", "明天下雨吗", "股票怎么买", "在吗", "广州今天下雨吗"],
)
def test_off_topic_message_finds_nothing(index, query):
    result = index.search(query)
    assert result.hits == () and result.total == 0


@pytest.mark.parametrize(("query", "limit"), [("培训", 3), ("补贴", 4), ("东莞欠薪", 2), ("广州有什么做法", 3)])
def test_paging_walks_every_hit_once(index, query, limit):
    everything = index.search(query, limit=100)
    seen = []
    for offset in range(0, everything.total + limit, limit):
        page = index.search(query, limit=limit, offset=offset)
        assert page.total == everything.total
        assert len(page.hits) <= limit
        seen.extend(hit.practice.id for hit in page.hits)
    assert seen == [hit.practice.id for hit in everything.hits]
    assert len(set(seen)) == len(seen) == everything.total > limit


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   \n\t ",
        "a" * 10_000,
        "🙂" * 3000,
        "\x00\x01\x02\x1b[2J\x7f",
        "' OR 1=1 --",
        "'; DROP TABLE practices; --",
        '"a" NEAR b* OR c^2 AND (d',
        "<script>alert(1)</script>",
        "%s %d {0} ${x} \\u0000",
        None,
        12345,
    ],
)
def test_junk_input_gives_an_empty_result_without_raising(index, junk):
    result = index.search(junk)
    assert isinstance(result, SearchResult)
    assert result.hits == () and result.total == 0


@pytest.mark.parametrize(
    ("query", "practice_id"),
    [
        ("欠薪" * 5000, "5.2.2"),  # 10,000 characters: cut, then searched
        ("欠\x00薪\x1b咋办", "5.2.2"),  # control characters inside a word
        ("🙂🙂欠薪🙂🙂", "5.2.2"),
        ("欠薪' OR 1=1 --", "5.2.2"),
        ('"三色" NEAR 预警*', "5.1.3"),
    ],
)
def test_a_real_question_wrapped_in_junk_still_finds_its_practices(index, query, practice_id):
    assert practice_id in top_ids(index.search(query))


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (-5, 0), (3, -2), ("x", None), (3, 10_000)])
def test_odd_paging_arguments_never_raise(index, limit, offset):
    result = index.search("欠薪", limit=limit, offset=offset)
    assert result.total > 0 and len(result.hits) <= 5  # an unreadable limit means the default, 5


def test_an_unknown_region_is_ignored_not_an_error(index):
    result = index.search("欠薪", region="火星")
    assert result.place is None and "5.2.2" in top_ids(result)


def test_the_region_argument_overrides_a_place_in_the_question(index):
    result = index.search("广州欠薪", region="重庆")
    assert result.place is not None and result.place.name == "重庆市"
    assert result.hits[0].practice.id == "5.1.2" and result.hits[0].region_match == REGION_EXACT


def test_search_results_are_frozen(index):
    result = index.search("欠薪")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 0  # type: ignore[misc]


def test_every_synonym_group_links_at_least_two_words():
    groups = load_synonyms()
    assert len(groups) >= 8
    for group in groups:
        assert len(group.terms) >= 2 and all(group.terms), group.name
        assert 0 < group.weight <= 1, group.name


@pytest.mark.parametrize("query, first", [("农民工夜校在哪", "3.1.3"), ("夜校", "3.1.3")])
def test_the_practice_saying_the_rare_word_typed_comes_first(index, query, first):
    """夜校 is one of many words for training (培训), but only 三（一）3 says it: that practice first,
    not the wage practices that say 农民工 or the training ones that say 培训 often."""
    assert top_ids(index.search(query, limit=3))[0] == first
