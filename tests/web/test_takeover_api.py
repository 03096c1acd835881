"""An agent takes a REST conversation over through the staff API, against the real Rasa and action
servers: the worker asks for a person, the agent claims, the bot falls silent, the agent's messages
are in the conversation, release hands it back and the bot answers again. Bad requests get clear
JSON errors; a claim the agent leaves idle goes back to the queue.
"""
from __future__ import annotations

import time
import uuid
from typing import Iterator

import pytest
import requests

from bot.vocabulary import (
    HANDOFF_JOINED_RESPONSE,
    HANDOFF_RELEASED_RESPONSE,
    HANDOFF_REQUEUED_RESPONSE,
    HANDOFF_WAITING_RESPONSE,
)
from bot.web.takeover import MAX_TEXT
from tests.support.chat_page import domain_response
from tests.support.clients import cited, rest_turn, texts, wait_until
from tests.support.console import STAFF, conversation, post, takeover_console
from tests.support.stack import Stack

WAGE_QUESTION = "包工头欠钱不给咋办"
TAKEOVER_PATHS = ("takeover", "messages", "release")


@pytest.fixture(scope="module")
def console(knowledge_base, stack) -> Iterator[str]:
    """The web app on loopback, reading the stack's tracker store and writing through its Rasa."""
    with takeover_console(knowledge_base, stack) as url:
        yield url


def say(stack: Stack, sender: str, text: str) -> list[str]:
    status, messages = rest_turn(stack.rasa_url, sender, text)
    assert status == 200
    return texts(messages)


def notice(name: str) -> str:
    return domain_response(name)["text"]


def asking_for_a_person(stack: Stack) -> str:
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    assert say(stack, sender, WAGE_QUESTION)
    assert say(stack, sender, "转人工") == [domain_response("utter_handoff")["text"]]
    return sender


def test_an_agent_takes_over_a_rest_conversation_and_hands_it_back(console, stack):
    sender = asking_for_a_person(stack)
    waiting = conversation(console, sender)
    assert waiting["state"] == "waiting"
    assert waiting["request"] == WAGE_QUESTION  # the worker's question, not "转人工"
    queue = requests.get(f"{console}/api/queue", headers=STAFF, timeout=60).json()["waiting"]
    queued = next(q for q in queue if q["sender_id"] == sender)
    assert queued["request"] == WAGE_QUESTION and queued["cited"] and queued["waiting_seconds"] >= 0

    claimed = post(console, f"/api/conversations/{sender}/takeover", {"agent": "王芳"})
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["state"] == "human" and claimed.json()["agent"] == "王芳"
    assert claimed.json()["messages"][-1]["text"] == notice(HANDOFF_JOINED_RESPONSE)
    assert sender not in [q["sender_id"] for q in requests.get(f"{console}/api/queue", headers=STAFF).json()["waiting"]]

    # The bot is silent while a person has the conversation: no answer, no apology.
    assert say(stack, sender, "老板欠了我两个月工资，电话13812345678") == []
    agent_reply = "您好，我是王芳。请问是哪个工地、欠了多少钱？"
    sent = post(console, f"/api/conversations/{sender}/messages", {"text": agent_reply})
    assert sent.status_code == 200, sent.text
    messages = conversation(console, sender)["messages"]
    assert messages[-2]["sender"] == "user" and "138****5678" in messages[-2]["text"]  # masked as stored
    assert messages[-1] == {**messages[-1], "sender": "agent", "agent": "王芳", "text": agent_reply}
    cited_card = post(console, f"/api/conversations/{sender}/messages", {"practice": "五（一）2"})
    assert cited_card.status_code == 200, cited_card.text
    card = cited_card.json()["messages"][-1]
    assert (card["sender"], card["practices"]) == ("agent", ["5.1.2"]) and "五（一）2" in card["text"]

    released = post(console, f"/api/conversations/{sender}/release")
    assert released.status_code == 200 and released.json()["state"] == "bot"
    assert released.json()["messages"][-1]["text"] == notice(HANDOFF_RELEASED_RESPONSE)
    assert_the_bot_answers(stack, sender)


def assert_the_bot_answers(stack: Stack, sender: str) -> None:
    """The bot answers the wage question with practices of the list again (not silence, not an apology)."""
    status, messages = rest_turn(stack.rasa_url, sender, WAGE_QUESTION)
    assert status == 200 and cited(messages), texts(messages)


@pytest.mark.parametrize("path", [f"/api/conversations/someone/{p}" for p in TAKEOVER_PATHS] + ["/api/queue"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_the_staff_endpoints_need_the_console_token(console, path, headers):
    method = requests.get if path == "/api/queue" else requests.post
    response = method(console + path, json={"text": "你好"}, headers=headers, timeout=60)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_bad_requests_get_clear_errors(console, stack):
    sender = asking_for_a_person(stack)
    base = f"/api/conversations/{sender}"
    refusals = [
        (post(console, "/api/conversations/nobody-here/takeover"), 404, "conversation_not_found"),
        (post(console, f"{base}/release"), 409, "not_claimed"),
        (post(console, f"{base}/messages", {"text": "在吗"}), 409, "not_claimed"),
        (post(console, f"{base}/takeover", raw="{not json"), 400, "bad_json"),
        (post(console, f"{base}/takeover", ["agent"]), 400, "bad_json"),
        (post(console, f"{base}/takeover", {"agent": "长" * 41}), 400, "bad_agent"),
    ]
    assert post(console, f"{base}/takeover", {"agent": "李强"}).status_code == 200
    refusals += [
        (post(console, f"{base}/takeover", {"agent": "王芳"}), 409, "already_claimed"),
        (post(console, f"{base}/messages", {"text": "   "}), 400, "empty_text"),
        (post(console, f"{base}/messages", {}), 400, "empty_text"),
        (post(console, f"{base}/messages", {"text": 5}), 400, "empty_text"),
        (post(console, f"{base}/messages", {"text": "字" * (MAX_TEXT + 1)}), 400, "text_too_long"),
        (post(console, f"{base}/messages", {"practice": "9.9.9"}), 404, "practice_not_found"),
    ]
    for response, status, code in refusals:
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
        assert response.json()["error"]["message"]  # a sentence for the agent, in Chinese
    assert conversation(console, sender)["agent"] == "李强"  # the refused claim changed nothing
    assert post(console, f"{base}/release").status_code == 200


def test_a_claim_left_idle_goes_back_to_the_queue(knowledge_base, stack):
    sender = asking_for_a_person(stack)
    with takeover_console(knowledge_base, stack, handoff_idle_seconds=2.0) as console:
        assert post(console, f"/api/conversations/{sender}/takeover", {"agent": "王芳"}).status_code == 200
        requeued = wait_until(lambda: conversation(console, sender)["state"] == "waiting", timeout=30)
        assert requeued is not None, "the idle claim was not requeued"
        view = conversation(console, sender)
        assert view["messages"][-1]["text"] == notice(HANDOFF_REQUEUED_RESPONSE)
        assert view["request"] == WAGE_QUESTION
        assert_the_bot_answers(stack, sender)  # while the worker waits again


def test_a_worker_left_waiting_is_told_and_the_bot_still_answers(knowledge_base, stack):
    sender = asking_for_a_person(stack)
    with takeover_console(knowledge_base, stack, handoff_remind_seconds=2.0) as console:
        reminded = wait_until(lambda: conversation(console, sender)["messages"][-1]["text"]
                              == notice(HANDOFF_WAITING_RESPONSE), timeout=30)
        assert reminded is not None, "the waiting worker was not told"
        assert conversation(console, sender)["state"] == "waiting"
        assert_the_bot_answers(stack, sender)


def test_the_handoff_headline_is_the_request_and_feedback_quotes_the_judged_question(console, stack):
    """Issue 13: not the last message ("你好"), not the message just before 没用 ("我在东莞")."""
    sender = asking_for_a_person(stack)
    say(stack, sender, "你好")
    handoffs = requests.get(f"{console}/api/handoffs", headers=STAFF, timeout=60).json()["handoffs"]
    assert next(h for h in handoffs if h["sender_id"] == sender)["request"] == WAGE_QUESTION

    judged = f"rest-{uuid.uuid4().hex[:8]}"
    for text in (WAGE_QUESTION, "我在东莞", "/feedback_useless"):
        assert say(stack, judged, text)
    time.sleep(0.5)
    feedback = requests.get(f"{console}/api/feedback", headers=STAFF, timeout=60).json()["feedback"]
    row = next(f for f in feedback if f["sender_id"] == judged)
    assert (row["verdict"], row["question"]) == ("useless", WAGE_QUESTION) and row["practices"]
    unanswered = requests.get(f"{console}/api/unanswered", headers=STAFF, timeout=60).json()["unanswered"]
    assert {"text": WAGE_QUESTION, "reason": "feedback_useless"}.items() <= next(
        u for u in unanswered if u["sender_id"] == judged).items()


def test_the_bot_puts_two_misses_in_a_row_in_the_queue_itself(console, stack):
    """Nobody asked for a person, but the bot could not answer twice: an agent is offered the conversation."""
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    for text in ("今天天气怎么样", "阿巴阿巴呜啦啦"):
        assert say(stack, sender, text)
    time.sleep(0.3)
    queue = requests.get(f"{console}/api/queue", headers=STAFF, timeout=60).json()["waiting"]
    flagged = next(q for q in queue if q["sender_id"] == sender)
    assert (flagged["state"], flagged["flag"]) == ("bot", "two_misses")
    assert post(console, f"/api/conversations/{sender}/takeover", {"agent": "王芳"}).status_code == 200
    assert post(console, f"/api/conversations/{sender}/release").status_code == 200
    queue = requests.get(f"{console}/api/queue", headers=STAFF, timeout=60).json()["waiting"]
    assert sender not in [q["sender_id"] for q in queue]  # taken once: no longer flagged
