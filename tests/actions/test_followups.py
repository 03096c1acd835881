"""Follow-ups that keep the thread: more, details, the source, the places."""
from __future__ import annotations

import pytest

from actions.practices import (
    ActionAboutList,
    ActionListPlaces,
    ActionSearchPractices,
    ActionShowDetail,
    ActionShowMore,
    ActionShowSource,
)
from tests.support.chat import Reply, entity, follow_up, make_tracker, run

DOCUMENT = "培育新时代建筑产业工人可复制经验做法清单（第一批）"


@pytest.fixture()
def wage_thread(knowledge_base) -> tuple[Reply, dict]:
    """The worker asked "老板拖欠工资咋办" and saw the first three practices."""
    reply = run(ActionSearchPractices(knowledge_base), make_tracker("老板拖欠工资咋办", "ask_wage_arrears"))
    return reply, follow_up(reply, {})


# ---- 还有吗 / 更多 -------------------------------------------------------------------------


@pytest.mark.parametrize("topic, text", [("ask_wage_arrears", "欠薪咋办"), ("ask_real_name", "工地刷脸"),
                                         ("ask_training_subsidy", "培训补贴")])
def test_more_pages_never_repeat_and_end_with_no_more(knowledge_base, topic, text):
    """"还有吗" again and again: new practices each time, numbered on, then "no more"."""
    reply = run(ActionSearchPractices(knowledge_base), make_tracker(text, topic))
    slots = follow_up(reply, {})
    seen = list(reply.cited_ids)
    for _ in range(len(knowledge_base.practices())):
        more = run(ActionShowMore(knowledge_base), make_tracker("还有吗", "ask_more", slots=slots))
        if more.responses == ["utter_no_more_practices"]:
            break
        assert not set(more.cited_ids) & set(seen)
        assert [m["n"] for m in more.items] == [str(len(seen) + i) for i in range(1, len(more.items) + 1)]
        assert [m["title"] for m in more.items] == [knowledge_base.practice(i).title for i in more.cited_ids]
        assert more.responses[-1] == "utter_after_practices"
        seen += more.cited_ids
        slots = follow_up(more, slots)
        assert slots["shown_ids"] == seen
        assert slots["last_shown"] == more.cited_ids
    else:
        pytest.fail("paging never ended")
    assert len(seen) == len(set(seen)) > 3


def test_more_of_a_place_continues_with_its_province(knowledge_base):
    """After "苏州有啥做法", "更多" goes on with 江苏's practices and then says there are no more."""
    text = "苏州有啥做法"
    first = run(ActionSearchPractices(knowledge_base),
                make_tracker(text, "ask_place_practices", [entity(text, "place", "苏州", "江苏省苏州市")]))
    more = run(ActionShowMore(knowledge_base), make_tracker("更多", "ask_more", slots=follow_up(first, {})))
    assert more.responses == ["utter_no_more_practices"]  # 江苏 has two practices, both shown


def test_a_place_with_a_subject_answers_that_subject_in_the_place_first(knowledge_base):
    """"江西调解委员会" (read as a place's practices) is a question in 江西: its 调解委员会 comes first,
    not 江西's practices in list order."""
    text = "江西调解委员会"
    reply = run(ActionSearchPractices(knowledge_base),
                make_tracker(text, "ask_place_practices", [entity(text, "place", "江西", "江西省")]))
    assert reply.cited_ids[0] == "5.2.1"
    plain = run(ActionSearchPractices(knowledge_base),
                make_tracker("江西有哪些做法", "ask_place_practices", [entity("江西有哪些做法", "place", "江西", "江西省")]))
    assert plain.responses[0] == "utter_place_practices_found" and len(plain.cited_ids) == 3


def test_more_without_a_topic_asks_for_one(knowledge_base):
    """"还有吗" as the first message: the bot asks what the worker wants to know."""
    reply = run(ActionShowMore(knowledge_base), make_tracker("还有吗", "ask_more"))
    assert reply.responses == ["utter_ask_topic_first"]
    assert reply.events == []


# ---- 第二条详细说说 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, ordinal_entity, position",
    [
        ("第二条详细说说", ("第二条", "2"), 1),
        ("2", ("2", "2"), 1),
        ("1", None, 0),  # no entity: the digit in the text
        ("最后一个说详细点", ("最后一个", "last"), 2),
        ("第3条", ("3", "3"), 2),
    ],
)
def test_detail_shows_the_full_text_and_source(knowledge_base, wage_thread, text, ordinal_entity, position):
    """"第二条详细说说": the full text of the second practice shown, its source and its card."""
    shown, slots = wage_thread
    entities = [entity(text, "ordinal", *ordinal_entity)] if ordinal_entity else []
    reply = run(ActionShowDetail(knowledge_base), make_tracker(text, "ask_detail", entities, slots=slots))
    practice = knowledge_base.practice(shown.cited_ids[position])
    assert reply.responses == ["utter_practice_detail", "utter_ask_feedback"], "the text and its card in one message"
    detail = reply.messages[0]
    assert (detail["n"], detail["place"], detail["title"]) == (str(position + 1), practice.region, practice.title)
    assert detail["body"] in practice.text and practice.text.endswith(detail["body"])
    assert practice.title not in detail["body"] and len(detail["body"]) > len(practice.text) / 2
    assert detail["sources"] == f"《{DOCUMENT}》{practice.citation}"
    assert reply.cited_ids == [practice.id] and reply.cards[0]["body"] == detail["body"]
    assert reply.slot("last_shown") == [practice.id]


def test_detail_counts_every_practice_shown_in_the_thread(knowledge_base, wage_thread):
    """After "更多", "第5条" is the fifth practice shown (numbered 5 on screen)."""
    _, slots = wage_thread
    more = run(ActionShowMore(knowledge_base), make_tracker("更多", "ask_more", slots=slots))
    slots = follow_up(more, slots)
    text = "第5条"
    reply = run(ActionShowDetail(knowledge_base),
                make_tracker(text, "ask_detail", [entity(text, "ordinal", "5", "5")], slots=slots))
    assert reply.cited_ids == [slots["shown_ids"][4]]
    assert reply.messages[0]["n"] == "5"


@pytest.mark.parametrize(
    "text, ordinal, response",
    [
        ("第九条", "9", "utter_no_such_practice"),
        ("第0条", "0", "utter_no_such_practice"),
        ("第99999条", "99999", "utter_no_such_practice"),
        ("第abc条", "abc", "utter_no_such_practice"),
        ("详细说说", None, "utter_ask_which_practice"),
    ],
)
def test_detail_of_a_practice_not_shown_says_which_exist(knowledge_base, wage_thread, text, ordinal, response):
    """"第九条" when three were shown: the bot says there is none and how many there are."""
    _, slots = wage_thread
    entities = [{"entity": "ordinal", "value": ordinal}] if ordinal else []
    reply = run(ActionShowDetail(knowledge_base), make_tracker(text, "ask_detail", entities, slots=slots))
    assert reply.responses == [response]
    if response == "utter_no_such_practice":
        assert reply.messages[0]["count"] == "3"
        assert reply.messages[0]["n"] == ordinal


def test_detail_before_any_answer_asks_for_a_question(knowledge_base):
    """"第二条" as the first message: nothing was shown yet, and the bot says so."""
    text = "第二条"
    reply = run(ActionShowDetail(knowledge_base),
                make_tracker(text, "ask_detail", [entity(text, "ordinal", "第二条", "2")]))
    assert reply.responses == ["utter_nothing_shown_yet"]


def test_detail_without_ordinal_after_a_single_practice_shows_it(knowledge_base, wage_thread):
    """After one practice in full, "详细说说" (no number) means that one."""
    shown, slots = wage_thread
    slots = {**slots, "last_shown": [shown.cited_ids[2]]}
    reply = run(ActionShowDetail(knowledge_base), make_tracker("详细说说", "ask_detail", slots=slots))
    assert reply.cited_ids == [shown.cited_ids[2]]


# ---- 这是哪个文件里的 -------------------------------------------------------------------------


def test_source_names_document_and_citations_of_what_was_shown(knowledge_base, wage_thread):
    """"这是哪个文件里的": the document title and each citation, in the order shown."""
    shown, slots = wage_thread
    reply = run(ActionShowSource(knowledge_base), make_tracker("这是哪个文件里的", "ask_source", slots=slots))
    assert reply.responses == ["utter_practice_source"]
    citations = "、".join(knowledge_base.practice(i).citation for i in shown.cited_ids)
    assert reply.messages[0]["sources"] == f"《{DOCUMENT}》{citations}"
    assert reply.cited_ids == shown.cited_ids


def test_source_of_one_practice(knowledge_base, wage_thread):
    """"第一条出自哪里": only that practice's citation."""
    shown, slots = wage_thread
    text = "第一条出自哪里"
    reply = run(ActionShowSource(knowledge_base),
                make_tracker(text, "ask_source", [entity(text, "ordinal", "第一条", "1")], slots=slots))
    assert reply.messages[0]["sources"] == f"《{DOCUMENT}》{knowledge_base.practice(shown.cited_ids[0]).citation}"


@pytest.mark.parametrize("slots", [{}, {"last_shown": ["9.9.9"]}, {"last_shown": "not a list"}])
def test_source_before_any_answer_says_nothing_was_shown(knowledge_base, slots):
    """"出自哪个文件" with nothing (or nothing valid) shown: the bot says so, cites nothing."""
    reply = run(ActionShowSource(knowledge_base), make_tracker("出自哪个文件", "ask_source", slots=slots))
    assert reply.responses == ["utter_nothing_shown_yet"]


@pytest.mark.parametrize("action, text, practice_id", [(ActionShowSource, "桂建通是哪里的", "2.1.3"),
                                                        (ActionShowDetail, "云建宝具体说说", "2.1.1")])
def test_a_follow_up_naming_a_practice_before_any_answer_is_answered_as_a_question(knowledge_base, action,
                                                                                     text, practice_id):
    """Read as "where is that from" with nothing shown, it names what the search finds: that practice."""
    reply = run(action(knowledge_base), make_tracker(text, "ask_source"))
    assert reply.cited_ids[:1] == [practice_id]


# ---- 有哪些地方的做法 -------------------------------------------------------------------------


def parse_places(message: dict) -> dict[str, int]:
    lines = [line.rsplit(" ", 1) for line in message["places"].splitlines()]
    return {name: int(count) for name, count in lines}


def test_places_list_counts_every_practice_by_province(knowledge_base):
    """"有哪些地方的做法": each province with its number of practices, adding up to the whole list."""
    reply = run(ActionListPlaces(knowledge_base), make_tracker("有哪些地方的做法", "ask_places_list"))
    assert reply.responses == ["utter_places_list"]
    counts = parse_places(reply.messages[0])
    assert sum(counts.values()) == len(knowledge_base.practices())
    assert counts["河南省"] == sum(1 for p in knowledge_base.practices() if p.province == "河南省")
    assert list(counts.values()) == sorted(counts.values(), reverse=True)


def test_places_list_on_a_topic_counts_that_topic_only(knowledge_base, wage_thread):
    """After a wage question, the places are those with wage practices."""
    _, slots = wage_thread
    reply = run(ActionListPlaces(knowledge_base), make_tracker("哪些地方有", "ask_places_list", slots=slots))
    assert reply.responses == ["utter_places_list_topic"]
    counts = parse_places(reply.messages[0])
    assert "重庆市" in counts
    assert sum(counts.values()) < len(knowledge_base.practices())


# ---- the slots an answer sets --------------------------------------------------------------


def _slot_events(reply: Reply) -> dict:
    return {e["name"]: e["value"] for e in reply.events if e.get("event") == "slot"}


def test_the_same_question_again_sets_only_the_slots_it_changes(knowledge_base, wage_thread):
    """Asked again, the answer is the same and the thread is remembered as before, with no slot
    event repeating a value the slot holds (each would cost Rasa a stored event on every turn)."""
    first, slots = wage_thread
    again = run(ActionSearchPractices(knowledge_base), make_tracker("老板拖欠工资咋办", "ask_wage_arrears", slots=slots))
    assert again.messages == first.messages
    assert follow_up(again, slots) == slots
    assert _slot_events(again) == {}


def test_an_answer_sets_each_thread_slot_that_changes(knowledge_base, wage_thread):
    first, slots = wage_thread
    assert set(_slot_events(first)) == {"topic_intent", "topic_query", "topic_sections", "shown_ids", "last_shown",
                                        "page"}  # place and feedback held None already
    held = {**slots, "topic_intent": "ask_real_name", "feedback": "useful", "page": 4.0}
    again = run(ActionSearchPractices(knowledge_base), make_tracker("老板拖欠工资咋办", "ask_wage_arrears", slots=held))
    assert _slot_events(again) == {"topic_intent": "ask_wage_arrears", "feedback": None, "page": 1.0}


@pytest.mark.parametrize("held, expected", [({}, {"last_shown": ["5.1.2"]}),
                                             ({"last_shown": ["5.1.2"], "feedback": "useless"}, {"feedback": None})])
def test_a_practice_shown_in_full_sets_the_slots_it_changes(knowledge_base, held, expected):
    slots = {"shown_ids": ["5.1.2"], "last_shown": ["5.1.2", "5.1.1"], **held}
    reply = run(ActionShowDetail(knowledge_base), make_tracker("第一条详细说说", "ask_detail",
                                                               [entity("第一条详细说说", "ordinal", "一", "1")], slots=slots))
    assert reply.cited_ids == ["5.1.2"]
    assert _slot_events(reply) == expected


# ---- 清单一共多少条 ---------------------------------------------------------------------------


def test_the_list_as_a_whole_is_counted_from_its_practices(knowledge_base):
    """"清单一共多少条": the number of practices and provinces, and each work task with its count, all
    counted from the practices, so a new batch changes the answer by itself."""
    reply = run(ActionAboutList(knowledge_base), make_tracker("清单一共多少条", "ask_about_list"))
    assert reply.responses == ["utter_about_list"]
    message = reply.messages[0]
    practices = knowledge_base.practices()
    assert message["practices"] == str(len(practices)) and message["document"] == DOCUMENT
    assert message["provinces"] == str(len({p.province for p in practices}))
    lines = message["tasks"].splitlines()
    assert message["task_count"] == str(len(lines)) == str(len({p.task for p in practices}))
    wages = [p for p in practices if p.id.startswith("5.")]
    assert lines[-1] == f"五、{wages[0].task}（{len(wages)}）"
