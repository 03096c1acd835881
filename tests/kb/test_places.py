"""The place recognizer: what a worker's message says about where they are."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.kb.places import STOP_ALIASES, PlaceMention, PlaceRecognizer, find_places, get_place_recognizer, recognizable_aliases
from bot.kb.regions import get_gazetteer


def _found(text: str) -> list[tuple[str, str]]:
    return [(m.text, m.place.full_name) for m in find_places(text)]


@pytest.mark.parametrize(
    "message, expected",
    [
        ("我在东莞", [("东莞", "广东省东莞市")]),
        ("那广东呢", [("广东", "广东省")]),
        ("和县有啥做法", [("和县", "安徽省马鞍山市和县")]),
        ("呼和浩特的工地", [("呼和浩特", "内蒙古自治区呼和浩特市")]),
        ("四川叙永", [("四川叙永", "四川省泸州市叙永县")]),
        ("四川 叙永的培训", [("四川 叙永", "四川省泸州市叙永县")]),
        ("重庆", [("重庆", "重庆市")]),
        ("重庆市拖欠工资怎么办", [("重庆市", "重庆市")]),
        ("内蒙古有补贴没", [("内蒙古", "内蒙古自治区")]),
        ("安徽和县", [("安徽和县", "安徽省马鞍山市和县")]),
        ("河南省固始县的专业作业企业", [("河南省固始县", "河南省信阳市固始县")]),
        ("广东东莞欠薪", [("广东东莞", "广东省东莞市")]),
        ("深圳宝安的工地老板跑了", [("深圳宝安", "广东省深圳市宝安区")]),
        ("北京朝阳", [("北京朝阳", "北京市朝阳区")]),
        ("吉林长春", [("吉林长春", "吉林省长春市")]),  # one jieba word, a chain of two names
        ("上海浦东刷脸考勤", [("上海浦东", "上海市浦东新区")]),
        ("我是绵阳人在东莞打工", [("绵阳", "四川省绵阳市"), ("东莞", "广东省东莞市")]),
        ("我在四川，叙永那边", [("四川", "四川省"), ("叙永", "四川省泸州市叙永县")]),
        ("去叙永县城找活", [("叙永县", "四川省泸州市叙永县")]),
        ("老乡在固始", [("固始", "河南省信阳市固始县")]),
        ("我在苏州工业园区上班", [("苏州工业园区", "江苏省苏州市苏州工业园区")]),
        ("新疆乌鲁木齐有培训吗", [("新疆乌鲁木齐", "新疆维吾尔自治区乌鲁木齐市")]),
        ("延边州", [("延边州", "吉林省延边朝鲜族自治州")]),
        ("广西有啥做法", [("广西", "广西壮族自治区")]),
        ("廣州有什麼做法", [("廣州", "广东省广州市")]),  # offsets and text as typed
        ("比如说广州", [("广州", "广东省广州市")]),
    ],
)
def test_places_in_colloquial_messages(message, expected):
    assert _found(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "包工头欠钱不给咋办",
        "工地要刷脸吗",
        "考个焊工证有补贴没",
        "我和县长说了",  # 和县 is not a word here
        "我和县里的人打听过",
        "找公安有用吗",
        "天台施工要注意啥",
        "延长工期给加钱吗",
        "比如说钢筋工",
        "建安劳保费是啥",
        "新建项目招工",
        "去大厂打工",
        "城区的工地多",
        "平安工地",
        "住房城乡建设局会同人社局",
        "红旗渠工匠",
        "解放思想",
        "和",
        "县",
    ],
)
def test_ordinary_words_are_not_places(message):
    assert find_places(message) == []


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "\n\t", "😀😀😀", "\x00\x01\x7f", "啊" * 10_000,
        "'; DROP TABLE practices; --", "<script>alert(1)</script>", None, 42,
    ],
)
def test_bad_input_gives_no_places_and_no_error(text):
    assert find_places(text) == []


def test_a_long_paste_is_read_without_error():
    mentions = find_places("广州工地" * 2_500)
    assert mentions and all(m.place.name == "广州市" for m in mentions)


def test_places_between_control_characters_and_emoji_are_still_found():
    assert _found("\x00😀东莞\x7f") == [("东莞", "广东省东莞市")]


@pytest.mark.parametrize("message", ["我是绵阳人在东莞打工", "安徽和县", "廣州有什麼做法", "  四川 叙永  "])
def test_mentions_point_into_the_message_as_given(message):
    mentions = find_places(message)
    assert mentions
    for mention in mentions:
        assert isinstance(mention, PlaceMention)
        assert message[mention.start : mention.end] == mention.text


def test_the_recognizer_is_built_once_with_jieba():
    recognizer = get_place_recognizer()
    assert recognizer is get_place_recognizer()
    doc = recognizer.nlp("和县有啥做法")
    assert [t.text for t in doc][0] == "和县"  # jieba keeps the county whole
    assert recognizer.name_spans(doc) == [(0, 1)]


# Runs of words where names overlap, nest, sit apart or across spaces (one space joins the
# words of a name in spaCy's tokens, more whitespace does not).
MATCHING_CASES = [
    "我是绵阳人在东莞打工", "安徽和县有啥做法", "四川 叙永的培训", "四川  叙永", "四川\t叙永", "河南省固始县的专业作业企业",
    "吉林长春", "上海浦东刷脸考勤", "我在苏州工业园区上班", "新疆乌鲁木齐有培训吗", "  四川 叙永  ", "广州广州广州",
    "我和县长说", "找公安", "今天天气怎么样", "", "台中和平", "中和", "上高县的", "我在上林",
]


@pytest.fixture(scope="module")
def entity_ruler():
    """spaCy's own entity ruler over the recognizer's names: what the recognizer must agree with."""
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    get_place_recognizer()  # jieba knows the place names, as in the recognizer
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": "place", "pattern": name} for name in recognizable_aliases(get_gazetteer())]
    )
    return lambda text: [(ent.start, ent.end) for ent in nlp(text).ents]


@pytest.mark.parametrize("text", MATCHING_CASES)
def test_the_recognizer_finds_the_runs_of_words_spacys_entity_ruler_finds(entity_ruler, text):
    recognizer = get_place_recognizer()
    assert recognizer.name_spans(recognizer.nlp(text)) == entity_ruler(text)


def test_every_name_is_found_whole_as_the_tokenizer_cuts_it():
    """The names are cut by jieba itself (no Doc per name, as the entity ruler makes one)."""
    recognizer = get_place_recognizer()
    for name in recognizable_aliases(get_gazetteer()):
        doc = recognizer.nlp(name)
        assert recognizer.name_spans(doc) == [(0, len(doc))], name


class _Characters:
    """A stand-in tokenizer: one word per character."""

    def __call__(self, text):
        return [SimpleNamespace(text=ch) for ch in text]


@pytest.mark.parametrize(
    "names, text, spans",
    [
        ([("甲", "乙"), ("乙", "丙", "丁"), ("丁", "戊")], "甲乙丙丁戊", [(1, 4)]),  # the longest first
        ([("甲", "乙"), ("乙", "丙")], "甲乙丙", [(0, 2)]),  # then the earliest
        ([("甲",), ("甲", "乙")], "甲乙甲", [(0, 2), (2, 3)]),
        ([("甲", "乙")], "乙甲", []),
    ],
)
def test_overlapping_names_keep_the_longest_then_the_earliest(names, text, spans):
    recognizer = PlaceRecognizer(_Characters(), names)
    assert recognizer.name_spans(recognizer.nlp(text)) == spans


def test_the_stoplist_holds_only_names_of_two_or_more_characters():
    assert all(len(word) >= 2 for word in STOP_ALIASES)


def test_every_practice_start_names_its_place(source_text):
    """The recognizer agrees with the gazetteer on all 47 practice starts."""
    import re

    from bot.kb.regions import get_gazetteer

    gazetteer = get_gazetteer()
    starts = re.findall(r"<p>\s*\d+\.\s*([^<]{0,30})", source_text)
    assert len(starts) == 47
    for start in starts:
        first = find_places(start)[0]
        assert first.start == 0 and first.place == gazetteer.leading_place(start)[1], start


@pytest.mark.parametrize("message", ["欠薪怎么办", "包工头欠钱不给咋办", "第一条详细说说", "谢谢", "   "])
def test_a_message_naming_no_place_is_not_segmented(monkeypatch, message):
    """Most messages hold no name of two characters or more: no place, found without spaCy."""
    from bot.kb import places

    monkeypatch.setattr(places, "get_place_recognizer", lambda: pytest.fail("segmented a message naming no place"))
    assert find_places(message) == []
