"""A worker talks to the real Rasa server and action server over REST, in Chinese, with typos."""
from __future__ import annotations

import uuid

import pytest

from bot.kb.service import get_knowledge_base


def practices_shown(replies: list[dict]) -> list[dict]:
    cards = [r["custom"]["practices"] for r in replies if "practices" in (r.get("custom") or {})]
    assert len(cards) <= 1, "one practices payload per turn"
    return cards[0] if cards else []


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def test_a_wage_question_gets_wage_practices_their_source_and_labelled_general_guidance(stack):
    replies = stack.rest(new_sender(), "包工头欠钱不给咋办")
    cards = practices_shown(replies)
    assert len(cards) == 3
    kb = get_knowledge_base()
    for card in cards:
        practice = kb.practice(card["id"])
        assert practice.task == "保障建筑工人合法权益", card
        assert card["citation"] in texts(replies) and card["title"] in texts(replies)
    assert "《培育新时代建筑产业工人可复制经验做法清单（第一批）》" in texts(replies)
    assert "通用提示，不是清单内容" in texts(replies) and "12333" in texts(replies)


def test_follow_ups_keep_the_thread_new_place_more_and_details(stack):
    sender = new_sender()
    first = practices_shown(stack.rest(sender, "拖欠工资咋整"))
    assert first
    guangdong = practices_shown(stack.rest(sender, "那广东呢"))
    assert guangdong[0]["province"] == "广东省"
    more = practices_shown(stack.rest(sender, "还有吗"))
    assert more and not {c["id"] for c in more} & {c["id"] for c in guangdong}
    detail = stack.rest(sender, "第2条详细说说")
    practice = get_knowledge_base().practice(guangdong[1]["id"])
    headline, body = practice.text.split("。", 1)  # the headline is shown as the title line
    assert practice.title in texts(detail) and body in texts(detail)
    assert practice.citation in texts(detail)


@pytest.mark.parametrize(
    "message, task_title, province",
    [
        ("工地要刷脸吗", "完善建筑工人实名制管理", None),
        ("工地要刷脸马", "完善建筑工人实名制管理", None),  # typo
        ("東莞欠薪怎麼辦", "保障建筑工人合法权益", "广东省"),  # Traditional characters
        ("我在芜湖 欠薪有啥预警", "保障建筑工人合法权益", "安徽省"),
        ("技能大赛哪里办的好", "提升建筑工人技能水平", None),
    ],
)
def test_colloquial_questions_reach_the_practices_of_their_topic_and_place(stack, message, task_title, province):
    cards = practices_shown(stack.rest(new_sender(), message))
    assert cards, message
    assert get_knowledge_base().practice(cards[0]["id"]).task == task_title
    if province:
        assert cards[0]["province"] == province


@pytest.mark.parametrize("message", ["今天天气怎么样", "给我讲个笑话"])
def test_off_topic_questions_cite_nothing(stack, message):
    replies = stack.rest(new_sender(), message)
    assert replies and not practices_shown(replies)
    assert "清单" in texts(replies)


@pytest.mark.parametrize(
    "message",
    ["", " ", "啊" * 10_000, "😀😀👷", "\x00\x07欠薪\x1b", "<script>alert(1)</script>", "' OR 1=1; DROP TABLE events; --"],
)
def test_bad_input_gets_an_answer_and_the_next_message_still_works(stack, message):
    sender = new_sender()
    stack.rest(sender, message)
    replies = stack.rest(sender, "考焊工证有补贴没")
    assert practices_shown(replies)


def test_an_urgent_answer_offers_a_person_and_accepting_asks_for_one(stack):
    """Wages owed: the general guidance offers 转人工; tapping it puts the worker in the hotline's
    queue (the handoff answer of domain.yml), with nothing of the list cited."""
    from bot import responses

    sender = new_sender()
    answer = stack.rest(sender, "老板欠了我三个月工资不给")
    guidance = next(m for m in answer if "通用提示" in m.get("text", ""))
    offer = [b for b in guidance.get("buttons", []) if b["payload"] == "/request_human"]
    assert [b["title"] for b in offer] == ["转人工"]
    handoff = stack.rest(sender, offer[0]["payload"])
    assert texts(handoff) == responses.text("utter_handoff") and not practices_shown(handoff)
