"""Who has a conversation, folded from its stored events (the pure core of the takeover)."""
from __future__ import annotations

from typing import Any

import pytest

from bot.vocabulary import (
    AGENT_KEY,
    HANDOFF_JOINED_RESPONSE,
    HANDOFF_WAITING_RESPONSE,
    NOT_FOUND_RESPONSE,
    REPHRASE_RESPONSE,
    UNCOVERED_RESPONSE,
)
from bot.web.handling import BOT, HUMAN, TWO_MISSES, USELESS, WAITING, Event, handling

HOUR = 3600.0


def user(text: str, intent: str, channel: str = "socketio") -> tuple:
    return ("user", {"text": text, "parse_data": {"intent": {"name": intent}}, "input_channel": channel})


def bot(text: str = "…", response: str = "", agent: str = "", cited: tuple[str, ...] = ()) -> tuple:
    metadata = {**({"utter_action": response} if response else {}), **({AGENT_KEY: agent} if agent else {})}
    data = {"custom": {"practices": [{"id": pid} for pid in cited]}} if cited else {}
    return ("bot", {"text": text, "metadata": metadata, "data": data})


def slot(name: str, value: Any) -> tuple:
    return ("slot", {"name": name, "value": value})


def fold(*script: tuple, start: float = 1000.0):
    return handling("w", [Event(kind, start + i, data) for i, (kind, data) in enumerate(script)])


WAGE = user("包工头欠钱不给咋办", "ask_wage_arrears")
HANDOFF = (user("转人工", "request_human"), slot("handoff_requested", True))


def test_the_request_is_the_question_behind_it_and_the_queue_takes_it():
    found = fold(WAGE, bot(cited=("5.1.2",)), user("我在东莞", "inform_place"), *HANDOFF, user("你好", "greet"))
    assert (found.state, found.request, found.cited) == (WAITING, "包工头欠钱不给咋办", ("5.1.2",))


def test_a_claim_pauses_and_a_release_hands_back():
    claimed = fold(WAGE, *HANDOFF, ("pause", {"metadata": {AGENT_KEY: "王芳"}}), bot(agent="王芳"))
    assert (claimed.state, claimed.agent) == (HUMAN, "王芳")
    released = fold(WAGE, *HANDOFF, ("pause", {}), ("resume", {}), slot("handoff_requested", False))
    assert released.state == BOT
    requeued = fold(WAGE, *HANDOFF, ("pause", {}), ("resume", {}))  # the claim lapsed: the request stands
    assert requeued.state == WAITING


@pytest.mark.parametrize("script, flag", [
    ((user("天气", "out_of_scope"), bot(response=UNCOVERED_RESPONSE), user("啊吧", "nlu_fallback"),
      bot(response=REPHRASE_RESPONSE)), TWO_MISSES),
    ((user("天气", "out_of_scope"), bot(response=UNCOVERED_RESPONSE), WAGE, bot(cited=("5.1.2",)),
      user("啊吧", "nlu_fallback"), bot(response=REPHRASE_RESPONSE)), ""),  # an answer in between
    ((user("天气", "out_of_scope"), bot(response=NOT_FOUND_RESPONSE), bot(response=UNCOVERED_RESPONSE)), ""),  # one turn
    ((WAGE, bot(cited=("5.1.2",)), user("/feedback_useless", "feedback_useless")), USELESS),
    ((WAGE, bot(), user("/feedback_useless", "feedback_useless"), ("pause", {}), ("resume", {})), ""),  # taken
])
def test_the_bot_flags_two_misses_in_a_row_and_a_useless_answer(script, flag):
    found = fold(*script)
    assert (found.state, found.flag) == (BOT, flag)
    assert bool(found.queued_at) == bool(flag)


def test_still_waiting_notices_are_counted_per_request():
    notice = bot(response=HANDOFF_WAITING_RESPONSE)
    assert fold(*HANDOFF, notice, notice).reminders == 2
    assert fold(*HANDOFF, notice, *HANDOFF).reminders == 0  # a new request starts again


def test_wechat_allows_a_few_pushes_per_worker_message_within_48_hours():
    wechat = (user("转人工", "request_human", channel="wechat"), ("pause", {}), bot(response=HANDOFF_JOINED_RESPONSE))
    assert fold(*wechat).push_allowance(quota=5, now=1010.0) == 4
    assert fold(*wechat, bot(agent="a"), bot(agent="a"), bot(agent="a"), bot(agent="a")).push_allowance(5, 1010.0) == 0
    assert fold(*wechat).push_allowance(quota=5, now=1000.0 + 49 * HOUR) == 0
    assert fold(*wechat, user("在吗", "greet", channel="wechat")).push_allowance(5, 1010.0) == 5
    assert fold(user("转人工", "request_human")).push_allowance(5, 1010.0) is None  # socket.io: no limit
