"""The custom NLU components: a worker names a place or points at an answer.

"我在东莞" must reach the dialogue as place 广东省东莞市 (the name search
understands), and "第二条详细说说" as ordinal "2".
"""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.ordinal_extractor import OrdinalExtractor
from bot.nlu.ordinals import LAST, find_ordinals, parse_number
from bot.nlu.place_extractor import PlaceExtractor


def _create(component, tmp_path):
    return component.create(
        component.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource(component.__name__),
        ExecutionContext(GraphSchema({}), "test"),
    )


def _entities(component, text: str, entity: str, tmp_path) -> list[tuple[str, str, object]]:
    message = Message.build(text=text)
    _create(component, tmp_path).process([message])
    return [
        (text[e["start"] : e["end"]], e["value"], e["extractor"])
        for e in message.get("entities", [])
        if e["entity"] == entity
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我在东莞", [("东莞", "广东省东莞市")]),
        ("那广东呢", [("广东", "广东省")]),
        ("广州有什么做法", [("广州", "广东省广州市")]),
        ("重庆工资是银行代发吗", [("重庆", "重庆市")]),
        ("固始的专业作业企业咋搞的", [("固始", "河南省信阳市固始县")]),
        ("那內蒙古呢", [("內蒙古", "内蒙古自治区")]),
        ("和县有培训基地吗", [("和县", "安徽省马鞍山市和县")]),
        ("包工头欠钱不给咋办", []),
    ],
)
def test_place_extractor_adds_the_full_official_name(text, expected, tmp_path):
    """A place the worker names becomes a `place` entity valued with its full name."""
    found = _entities(PlaceExtractor, text, "place", tmp_path)
    assert [(span, value) for span, value, _ in found] == expected
    assert all(extractor == "PlaceExtractor" for _, _, extractor in found)


def test_place_extractor_replaces_places_from_other_extractors_and_keeps_the_rest(tmp_path):
    """Places come from the gazetteer only; other entities (topic words) stay."""
    message = Message.build(text="我在东莞欠薪")
    message.set("entities", [
        {"entity": "place", "start": 0, "end": 2, "value": "我在"},
        {"entity": "topic", "start": 4, "end": 6, "value": "欠薪"},
    ])
    _create(PlaceExtractor, tmp_path).process([message])
    values = sorted((e["entity"], e["value"]) for e in message.get("entities"))
    assert values == [("place", "广东省东莞市"), ("topic", "欠薪")]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "欠" * 10_000,
        "😀😀工地👷",
        "工资\x00\x07专户\u200b",
        "'; DROP TABLE practices; --",
        "<script>alert(1)</script>",
    ],
)
def test_components_never_fail_on_bad_input(text, tmp_path):
    """Empty, huge, emoji, control characters, SQL or HTML: no traceback, only sane entities."""
    message = Message.build(text=text)
    _create(PlaceExtractor, tmp_path).process([message])
    _create(OrdinalExtractor, tmp_path / "o").process([message])
    for entity in message.get("entities", []):
        assert 0 <= entity["start"] < entity["end"] <= len(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("第二条详细说说", [("第二条", "2")]),
        ("2", [("2", "2")]),
        ("最后一个", [("最后一个", LAST)]),
        ("看看第3条", [("第3条", "3")]),
        ("第十二个", [("第十二个", "12")]),
        ("②", [("②", "2")]),
        ("三", [("三", "3")]),
        ("头一个", [("头一个", "1")]),
        ("工资拖了3个月", []),
        ("2023年的做法", []),
        ("打12333问问", []),
        ("干了5天", []),
    ],
)
def test_ordinal_extractor_normalizes_the_position(text, expected, tmp_path):
    """第二条 / 2 / 最后一个 become ordinal "2" / "2" / "last"; months, years and phone numbers do not."""
    found = _entities(OrdinalExtractor, text, "ordinal", tmp_path)
    assert [(span, value) for span, value, _ in found] == expected


@pytest.mark.parametrize(
    "token, number",
    [
        ("2", 2), ("２", 2), ("②", 2), ("二", 2), ("两", 2),
        ("十", 10), ("十二", 12), ("二十", 20), ("甲", None), ("", None),
    ],
)
def test_parse_number_reads_arabic_full_width_circled_and_chinese(token, number):
    assert parse_number(token) == number


def test_find_ordinals_caps_the_position():
    """Position 21 and beyond is not a list position a phone screen shows."""
    assert find_ordinals("第二十一条") == []


def test_the_place_recognizer_is_built_as_the_model_loads(tmp_path, monkeypatch):
    """The first message naming a place does not wait for spaCy (messages naming none never build it)."""
    from bot.kb import places

    monkeypatch.setattr(places, "_recognizer", None)
    _create(PlaceExtractor, tmp_path)
    assert places._recognizer is not None
