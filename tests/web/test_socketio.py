"""A real python-socketio client talks to the real assistant over socket.io, session persistence on.

Rasa runs the project's trained model with ``credentials.yml``'s socket.io channel, and the real
action server answers from the knowledge base (the session fixture ``stack``).

What an app developer sees on the wire: ``session_request`` → ``session_confirm`` with the
session id; ``user_uttered`` → one or more ``bot_uttered``; practices as one
``{"custom": {"practices": [...]}}`` message; the conversation continuing after a reconnect.

The client uses HTTP long-polling: python-engineio 4.15's websocket client needs aiohttp ≥ 3.10,
and Rasa 3.6 pins aiohttp 3.9 (the browser test covers websockets).
"""
from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.api_examples import ANSWER_TIMEOUT, QUIET_SECONDS, SocketClient
from tests.support.chat_page import WAGE_TASK, domain_response, greeting_buttons, listed_practice

Client = SocketClient  # one socket.io connection, as an app holds it


def run(coroutine: Any) -> Any:
    """Run a conversation on its own event loop, in a thread (Playwright's sync API may hold this one)."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def texts(messages: list[dict[str, Any]]) -> str:
    return "".join(m.get("text", "") for m in messages)


def greeting() -> str:
    return domain_response("utter_greet")["text"]


def practice_cards(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cards of the turn's one ``{"custom": {"practices": [...]}}`` message."""
    customs = [m["custom"] for m in messages if "custom" in m]
    assert len(customs) == 1, "one practices message per answer"
    return customs[0]["practices"]


def test_a_greeting_gets_a_session_id_and_the_greeting_with_its_buttons(servers):
    async def conversation():
        client = Client(servers.rasa_url)
        session_id = await client.open()
        replies = await client.say("你好")
        await client.close()
        return session_id, replies

    session_id, replies = run(conversation())
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert texts(replies) == greeting()
    buttons = [b for m in replies for b in m.get("quick_replies", [])]
    assert [(b["title"], b["payload"]) for b in buttons] == greeting_buttons()


def test_practices_arrive_as_one_custom_message_with_the_cards_of_the_list(servers):
    """A wage question: one event with the answer's text, its 看全文 buttons and the cards of the
    list's wage practices (the design's fields first, then how this answer shows them)."""

    async def conversation():
        client = Client(servers.rasa_url)
        await client.open()
        replies = await client.say("包工头欠钱不给咋办")
        await client.close()
        return replies

    replies = run(conversation())
    cards = practice_cards(replies)
    assert cards
    answer = next(m for m in replies if "custom" in m)
    assert [b["payload"] for b in answer["quick_replies"]] == [c["detail"]["payload"] for c in cards]
    for card in cards:
        practice = listed_practice(card["id"])
        assert list(card)[:len(practice.card())] == list(practice.card())
        assert {k: card[k] for k in practice.card()} == practice.card()
        assert practice.task == WAGE_TASK
        assert answer["text"].count(practice.title) == 1 and practice.citation in answer["custom"]["source"]


def test_a_reconnecting_client_continues_the_same_conversation(servers):
    """A reload: the page reconnects with its stored session id and the bot answers it again."""

    async def conversation():
        first = Client(servers.rasa_url)
        session_id = await first.open()
        await first.say("你好")
        await first.close()
        second = Client(servers.rasa_url)
        again = await second.open({"session_id": session_id})
        replies = await second.say("欠薪怎么办")
        await second.close()
        return session_id, again, replies

    session_id, again, replies = run(conversation())
    assert again == session_id
    assert practice_cards(replies)
    assert [e["text"] for e in servers.user_messages(session_id, at_least=2)] == ["你好", "欠薪怎么办"]


def test_two_tabs_of_one_session_both_see_the_answer(servers):
    async def conversation():
        phone, tablet = Client(servers.rasa_url), Client(servers.rasa_url)
        session_id = await phone.open()
        await tablet.open({"session_id": session_id})
        on_phone = await phone.say("你好")
        on_tablet = await tablet.replies()
        await phone.close()
        await tablet.close()
        return on_phone, on_tablet

    on_phone, on_tablet = run(conversation())
    assert texts(on_phone) == texts(on_tablet) == greeting()


def test_the_region_sent_as_metadata_reaches_the_bot_and_puts_its_practices_first(servers):
    """An app in 芜湖 sends its region: the stored message carries it, and the first card is from 安徽省."""
    metadata = {"region": "安徽省芜湖市", "app": "wuhu-service-app"}

    async def conversation():
        client = Client(servers.rasa_url)
        session_id = await client.open()
        replies = await client.say("欠薪有啥做法", metadata)
        await client.close()
        return session_id, replies

    session_id, replies = run(conversation())
    received = servers.user_messages(session_id)[0]["metadata"]
    assert {key: received.get(key) for key in metadata} == metadata
    cards = practice_cards(replies)
    assert listed_practice(cards[0]["id"]).province == "安徽省"
    assert all(listed_practice(card["id"]).task == WAGE_TASK for card in cards)


async def session_and_greeting(url: str, request_data: Any) -> tuple[str, list[dict[str, Any]]]:
    client = Client(url)
    await client.sio.connect(url, transports=["polling"])
    await client.sio.emit("session_request", request_data)
    client.session_id = await asyncio.wait_for(client.confirmed.get(), ANSWER_TIMEOUT)
    replies = await client.say("你好")
    await client.close()
    return client.session_id, replies


@pytest.mark.parametrize(
    "request_data", ["not a dict", 42, {}, {"session_id": ""}, {"session_id": None}],
    ids=["string", "number", "empty", "blank-id", "null-id"],
)
def test_a_session_request_without_a_usable_id_gets_a_fresh_session(servers, request_data):
    session_id, replies = run(session_and_greeting(servers.rasa_url, request_data))
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert texts(replies) == greeting()


@pytest.mark.parametrize(
    "odd_id", ["../../etc/passwd", "a" * 1000, "<script>alert(1)</script>", "会话一"],
    ids=["path", "huge-id", "html", "chinese"],
)
def test_an_odd_session_id_still_gets_a_working_session(servers, odd_id):
    session_id, replies = run(session_and_greeting(servers.rasa_url, {"session_id": odd_id}))
    assert isinstance(session_id, str) and session_id
    assert texts(replies) == greeting()


@pytest.mark.parametrize(
    "bad_message",
    ["just a string", 7, {"message": "你好"}, {"message": "你好", "session_id": "x"},
     {"message": "你好", "session_id": "{sid}", "metadata": "{not json"}],
    ids=["string", "number", "no-session", "bad-session", "bad-metadata-json"],
)
def test_a_malformed_message_is_ignored_or_answered_and_the_conversation_goes_on(servers, bad_message):
    async def conversation():
        client = Client(servers.rasa_url)
        session_id = await client.open()
        message = bad_message
        if isinstance(message, dict) and message.get("session_id") == "{sid}":
            message = {**message, "session_id": session_id}
        await client.send(message)
        await asyncio.sleep(QUIET_SECONDS)
        while not client.received.empty():
            client.received.get_nowait()
        replies = await client.say("欠薪怎么办")
        await client.close()
        return replies

    replies = run(conversation())
    assert all(listed_practice(card["id"]).task == WAGE_TASK for card in practice_cards(replies))


@pytest.mark.parametrize(
    "text",
    ["x" * 10_000, "😀😀😀", "\x00\x07\x1b[31m", "'; DROP TABLE events; --", "<img src=x onerror=alert(1)>", "   "],
    ids=["10000-chars", "emoji", "control-chars", "sql", "html", "blank"],
)
def test_odd_input_gets_an_answer_not_an_error(servers, text):
    async def conversation():
        client = Client(servers.rasa_url)
        await client.open()
        replies = await client.say(text)
        await client.close()
        return replies

    replies = run(conversation())
    assert texts(replies)
