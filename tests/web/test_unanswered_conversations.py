"""The editors' list of unanswered questions, filled by real conversations with the running assistant
(the real Rasa and action servers), not by hand-seeded rows: every refusal, fallback and honest
"not covered" the bot really sends is listed with the question, and so is every 没用 with the
question it judged. The response names the bot used are checked against the vocabulary the list
reads (``bot.vocabulary.UNANSWERED_LIST_RESPONSES``).
"""
from __future__ import annotations

import time
import uuid
from typing import Iterator

import pytest

from bot.vocabulary import FEEDBACK_USELESS_INTENT, UNANSWERED_LIST_RESPONSES
from bot.web.conversations import ConversationStore
from tests.support.chat_page import settings_of
from tests.support.clients import rest_turn
from tests.support.console import STAFF, get, takeover_console

# (what the worker types, in order; the question the list must show)
MISSES = [
    (["今天天气怎么样"], "今天天气怎么样"),  # nothing to do with the list
    (["社保断缴了怎么补"], "社保断缴了怎么补"),  # near the field, not in the list
    (["五（九）9讲的是什么"], "五（九）9讲的是什么"),  # a number the list does not have
    (["阿巴阿巴呜啦啦"], "阿巴阿巴呜啦啦"),  # not understood
    # a hardship told, met with sympathy only (data/questions/rounds/: worker care, never listed before)
    (["很多时候上班我们只能在工地上将就的吃一盒最便宜的十元快餐或是一桶方便面。"],
     "很多时候上班我们只能在工地上将就的吃一盒最便宜的十元快餐或是一桶方便面。"),
]
JUDGED = (["包工头欠钱不给咋办", "我在东莞", "/feedback_useless"], "包工头欠钱不给咋办")


@pytest.fixture(scope="module")
def console(knowledge_base, stack) -> Iterator[str]:
    with takeover_console(knowledge_base, stack) as url:
        yield url


def converse(stack, messages: list[str]) -> str:
    sender = f"miss-{uuid.uuid4().hex[:8]}"
    for text in messages:
        status, answer = rest_turn(stack.rasa_url, sender, text)
        assert status == 200 and answer, text
    return sender


def unanswered(console: str, sender: str) -> list[dict]:
    time.sleep(0.3)  # Rasa stores a turn just after answering it
    items = get(console, "/api/unanswered", headers=STAFF, params={"limit": 1000}).json()["unanswered"]
    return [i for i in items if i["sender_id"] == sender]


@pytest.mark.parametrize("messages, question", MISSES, ids=[m[1] for m in MISSES])
def test_every_refusal_the_bot_sends_is_in_the_editors_list(console, stack, messages, question):
    sender = converse(stack, messages)
    listed = unanswered(console, sender)
    assert [i["text"] for i in listed] == [question]
    # What the bot really answered is a response the list looks for (the names cannot drift).
    events = ConversationStore(settings_of(stack).tracker_url).events([sender])[sender]
    sent = [(e.metadata.get("utter_action")) for e in events if e.type_name == "bot"]
    assert set(sent) & set(UNANSWERED_LIST_RESPONSES), sent


def test_a_useless_answer_is_listed_with_the_question_it_judged(console, stack):
    messages, question = JUDGED
    sender = converse(stack, messages)
    assert [(i["text"], i["reason"]) for i in unanswered(console, sender)] == [(question, FEEDBACK_USELESS_INTENT)]
