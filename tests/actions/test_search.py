"""A worker's question on a topic or a place: which practices the bot cites, and how."""
from __future__ import annotations

import pytest

from actions.practices import ActionSearchPractices
from tests.support.chat import entity, make_tracker, run

# text, intent, (place mention, official name) or None, a practice that must be cited, its place label
TOPIC_CASES = [
    ("重庆工资是银行代发吗", "ask_wage_arrears", ("重庆", "重庆市"), "5.1.2", "here"),
    ("芜湖工地欠薪有预警吗", "ask_wage_arrears", ("芜湖", "安徽省芜湖市"), "5.1.3", "here"),
    ("宁波工地刷脸", "ask_real_name", ("宁波", "浙江省宁波市"), "2.3.5", "here"),
    ("赣州培训补贴多少钱", "ask_training_subsidy", ("赣州", "江西省赣州市"), "4.2.4", "here"),
    ("成都有技能大赛吗", "ask_skill_competition", ("成都", "四川省成都市"), "3.3.2", "here"),
    ("和县有培训基地吗", "ask_training_base", ("和县", "安徽省马鞍山市和县"), "3.1.3", "here"),
    ("班组长开公司", "ask_labour_company", None, "1.2.1", "here"),
    ("考特种作业证能补多少钱", "ask_training_subsidy", None, "4.2.4", "here"),
    # nothing in 东莞 on wages: 佛山 (same province) first, labelled as such
    ("东莞工资拖欠", "ask_wage_arrears", ("东莞", "广东省东莞市"), "5.2.2", "province"),
]


def ask(knowledge_base, text, intent, place=None, slots=None, metadata=None):
    entities = [entity(text, "place", place[0], place[1])] if place else []
    tracker = make_tracker(text, intent, entities, slots=slots, metadata=metadata)
    return run(ActionSearchPractices(knowledge_base), tracker)


@pytest.mark.parametrize("text, intent, place, expected_id, label", TOPIC_CASES)
def test_question_cites_the_matching_practice(knowledge_base, text, intent, place, expected_id, label):
    """The worker sees the matching practice with its place label; with a place, it comes first."""
    reply = ask(knowledge_base, text, intent, place)
    assert expected_id in reply.cited_ids
    position = reply.cited_ids.index(expected_id)
    if place:
        assert position == 0
    assert reply.label(reply.items[position]) == label
    assert reply.items[position]["region"] == knowledge_base.practice(expected_id).region


@pytest.mark.parametrize("text, intent, place, expected_id, label", TOPIC_CASES)
def test_answer_is_one_message_of_up_to_three_items_their_source_and_cards(knowledge_base, text, intent, place, expected_id, label):
    """One message: up to three short items (place, headline, one fact; fewer when the others would
    be unrelated) and one source line for text channels, the same practices as cards with a 看全文
    button each; then the feedback prompt."""
    reply = ask(knowledge_base, text, intent, place)
    answer = reply.of("utter_practice_list")
    assert len(answer) == 1 and reply.responses.count("custom") == 0, "each practice once"
    shown = len(reply.items)
    assert 1 <= shown <= 3 and [m["n"] for m in reply.items] == [str(n) for n in range(1, shown + 1)]
    practices = [knowledge_base.practice(i) for i in reply.cited_ids]
    assert [m["title"] for m in reply.items] == [p.title for p in practices]
    assert all(0 < len(m["fact"]) <= 57 and m["fact"].rstrip("…") in p.text for m, p in zip(reply.items, practices))
    assert answer[0]["sources"] == "《培育新时代建筑产业工人可复制经验做法清单（第一批）》" + "、".join(p.citation for p in practices)
    assert [{k: m[k] for k in p.card()} for m, p in zip(reply.cards, practices)] == [p.card() for p in practices]
    assert [b["payload"] for b in answer[0]["buttons"]] == [f'/ask_detail{{"ordinal":"{n}"}}' for n in range(1, shown + 1)]
    assert [m["detail"] for m in reply.items] == answer[0]["buttons"]
    assert reply.responses[-1] == "utter_after_practices"


def test_thread_is_remembered_in_slots(knowledge_base):
    """After an answer the bot remembers the topic, the place and what it showed, for follow-ups."""
    reply = ask(knowledge_base, "重庆工资是银行代发吗", "ask_wage_arrears", ("重庆", "重庆市"))
    assert reply.slot("topic_intent") == "ask_wage_arrears"
    assert "重庆" not in reply.slot("topic_query")
    assert "工资" in reply.slot("topic_query")
    assert reply.slot("place") == "重庆市"
    assert reply.slot("shown_ids") == reply.cited_ids
    assert reply.slot("last_shown") == reply.cited_ids
    assert reply.slot("page") == 1.0
    assert reply.slot("feedback") is None


def test_place_without_practice_on_topic_says_so_then_labels_others(knowledge_base):
    """东莞 has nothing on wages: the bot says so plainly, then shows practices marked as from elsewhere."""
    reply = ask(knowledge_base, "东莞工资拖欠", "ask_wage_arrears", ("东莞", "广东省东莞市"))
    assert reply.responses[0] == "utter_no_practice_in_place"
    assert reply.messages[0]["place"] == "广东省东莞市"
    assert {reply.label(m) for m in reply.items} <= {"province", "elsewhere"}


def test_place_far_from_every_practice_shows_the_country_labelled_elsewhere(knowledge_base):
    """拉萨 and its province have no practice on wages: the country's, each marked 外地."""
    reply = ask(knowledge_base, "拉萨欠薪", "ask_wage_arrears", ("拉萨", "西藏自治区拉萨市"))
    assert reply.responses[0] == "utter_no_practice_in_place"
    assert [reply.label(m) for m in reply.items] == ["elsewhere"] * 3


@pytest.mark.parametrize(
    "slots, metadata, expected_place",
    [
        ({"place": "重庆市"}, None, "重庆市"),  # remembered from earlier ("我在重庆")
        ({}, {"region": "重庆市"}, "重庆市"),  # the app's region
        ({"place": "安徽省芜湖市"}, {"region": "重庆市"}, "安徽省芜湖市"),  # what the worker said wins
    ],
)
def test_question_without_place_uses_remembered_place_then_app_region(knowledge_base, slots, metadata, expected_place):
    """No place in the question: the remembered place, else the app's ``metadata.region``."""
    reply = ask(knowledge_base, "工资拖欠咋办", "ask_wage_arrears", slots=slots, metadata=metadata)
    assert reply.slot("place") == expected_place
    assert reply.items[0]["place"] == expected_place
    assert reply.label(reply.items[0]) == "here"


@pytest.mark.parametrize(
    "intent, urgent",
    [("ask_wage_arrears", True), ("ask_training_subsidy", False), ("ask_real_name", False)],
)
def test_urgent_topic_adds_general_guidance_after_the_practices(knowledge_base, intent, urgent):
    """Wages owed: after the practices, the short general guidance (12333, 12348), before the buttons."""
    reply = ask(knowledge_base, "工地的事咋办", intent)
    assert ("utter_general_guidance" in reply.responses) is urgent
    if urgent:
        assert reply.responses.index("utter_general_guidance") > reply.responses.index("utter_practice_list")
        assert reply.responses[-1] == "utter_after_practices"


def test_button_payload_searches_by_topic_keywords(knowledge_base):
    """A tap on the "工人关爱" button (text ``/ask_worker_care``) shows worker-care practices."""
    reply = ask(knowledge_base, "/ask_worker_care", "ask_worker_care")
    assert "1.4.1" in reply.cited_ids
    assert "/" not in reply.slot("topic_query")


def test_topic_entity_sharpens_the_search(knowledge_base):
    """A topic word the NLU recognized is part of the search."""
    text = "我想问问这个"
    tracker = make_tracker(text, "ask_wage_arrears", [{"entity": "topic", "value": "工资专户"}])
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert "工资专户" in reply.slot("topic_query")
    assert reply.cited_ids[0] == "5.1.2"


@pytest.mark.parametrize(
    "text, place, first_id, intro",
    [
        ("苏州有啥做法", ("苏州", "江苏省苏州市"), "3.4.3", "utter_place_practices_found"),
        ("固始县有什么经验", ("固始县", "河南省信阳市固始县"), "1.2.1", "utter_place_practices_found"),
        ("东莞有啥做法", ("东莞", "广东省东莞市"), None, "utter_no_practice_in_place"),
    ],
)
def test_what_a_place_does_lists_its_practices_first(knowledge_base, text, place, first_id, intro):
    """"苏州有啥做法": the place's practices (with their number), then its province's."""
    reply = ask(knowledge_base, text, "ask_place_practices", place)
    assert reply.responses[0] == intro
    if first_id:
        assert reply.cited_ids[0] == first_id
        assert reply.label(reply.items[0]) == "here"
    else:
        assert all(reply.label(m) == "province" for m in reply.items)
    assert all(knowledge_base.practice(i).province == place[1][:3] for i in reply.cited_ids)


def test_place_with_nothing_in_its_province_says_so_and_lists_provinces(knowledge_base):
    """"西藏有啥做法": none there; the bot says so and lists the provinces that have some."""
    reply = ask(knowledge_base, "西藏有啥做法", "ask_place_practices", ("西藏", "西藏自治区"))
    assert reply.responses == ["utter_no_practice_in_place", "utter_places_list"]
    assert reply.slot("shown_ids") == []


def test_what_a_place_does_without_a_place_lists_provinces(knowledge_base):
    """"都有哪些地方的做法" with no place: provinces with their counts."""
    reply = ask(knowledge_base, "有哪些地方的做法", "ask_place_practices")
    assert reply.responses == ["utter_places_list"]


BAD_TEXTS = [
    "",
    "欠" * 10_000,
    "😀😀😀工资😭",
    "工资\x00\x07\x1b[31m拖欠\u200b",
    "'; DROP TABLE practices; --",
    "<script>alert('x')</script>",
    "工资 OR 1=1 AND \"",
]


@pytest.mark.parametrize("text", BAD_TEXTS)
@pytest.mark.parametrize("intent", ["ask_wage_arrears", "ask_training_subsidy"])
def test_bad_input_gives_a_clear_answer(knowledge_base, text, intent):
    """Junk text under a topic: practices of that topic, or a plain "not found", never a traceback."""
    reply = ask(knowledge_base, text, intent)
    assert reply.responses
    if "utter_no_practice_found" not in reply.responses:
        assert len(reply.items) == len(reply.cards) > 0


@pytest.mark.parametrize("place", ["<script>", "'; DROP TABLE x; --", "火星", "😀"])
def test_unknown_place_asks_for_a_real_place_name(knowledge_base, place):
    """"火星有啥做法": the bot did not recognize the place and asks for a real one."""
    tracker = make_tracker(f"{place}有啥做法", "ask_place_practices", [{"entity": "place", "value": place}])
    reply = run(ActionSearchPractices(knowledge_base), tracker)
    assert reply.responses == ["utter_place_unknown"]
    assert reply.slot("place") is None


def test_new_place_keeps_the_topic(knowledge_base):
    """"那重庆呢" after a wage question: wages in 重庆, numbered from 1 again."""
    slots = {"topic_intent": "ask_wage_arrears", "topic_query": "工资拖欠 拖欠 农民工工资 欠薪",
             "place": "广东省东莞市", "shown_ids": ["5.2.2", "5.1.2", "5.1.3"]}
    text = "那重庆呢"
    reply = run(
        ActionSearchPractices(knowledge_base),
        make_tracker(text, "inform_place", [entity(text, "place", "重庆", "重庆市")], slots=slots),
    )
    assert reply.cited_ids[0] == "5.1.2"
    assert reply.items[0]["n"] == "1"
    assert reply.slot("topic_intent") == "ask_wage_arrears"
    assert reply.slot("place") == "重庆市"
    assert "utter_general_guidance" in reply.responses


def test_place_first_then_topic_is_local(knowledge_base):
    """"我是赣州的" with no topic yet shows 赣州's practices; the place is kept for the next question."""
    text = "我是赣州的"
    reply = run(
        ActionSearchPractices(knowledge_base),
        make_tracker(text, "inform_place", [entity(text, "place", "赣州", "江西省赣州市")]),
    )
    assert reply.responses[0] == "utter_place_practices_found"
    assert reply.cited_ids[0] == "4.2.4"
    assert reply.slot("place") == "江西省赣州市"
    assert reply.slot("topic_intent") == "ask_place_practices"


def test_unknown_app_region_is_not_remembered(knowledge_base):
    """An app region the gazetteer does not know: national practices, unlabelled; the place is not kept."""
    reply = ask(knowledge_base, "工资拖欠咋办", "ask_wage_arrears", metadata={"region": "火星基地"})
    assert reply.slot("place") is None
    assert {reply.label(m) for m in reply.items} == {"here"}
    assert "utter_no_practice_in_place" not in reply.responses
