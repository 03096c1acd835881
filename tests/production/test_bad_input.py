"""Bad input on REST and socket.io gets an answer, never a traceback, and the next message works."""
from __future__ import annotations

import pytest

from bot.channels.guard import apology_messages
from tests.support.clients import rest_turn, socketio_turns, texts

BAD_INPUT = {
    "empty": "",
    "blank": "   \n\t ",
    "10,000 characters": ("工资拖欠怎么办" * 1500)[:10_000],
    "emoji": "😀👷‍♂️🏗️🔥🔥🔥",
    "control characters": "\x00\x01\x07\x1b[31m欠薪\x7f\u200b\ufeff",
    "HTML and script": "<script>alert('x')</script><b onclick=\"steal()\">欠薪</b><img src=x onerror=alert(1)>",
    "SQL": "'; DROP TABLE events; -- \" OR 1=1; SELECT * FROM practices",
    "bare slash": "/",
    "broken intent payload": '/ask_detail{"ordinal": ',
    "unknown intent": "/no_such_intent",
}
REST_ONLY = {"no text": None, "a number": 12345, "a list": ["欠薪"]}


def greeted(messages) -> bool:
    return bool(texts(messages))


def answered(messages) -> bool:
    """A real answer: some text, and not the apology the channel sends when a turn crashed or timed out."""
    apology = [m["text"] for m in apology_messages()]
    said = texts(messages)
    return bool(said) and said != apology


@pytest.mark.parametrize("text", [*BAD_INPUT.values(), *REST_ONLY.values()], ids=[*BAD_INPUT, *REST_ONLY])
def test_rest_answers_bad_input_and_the_next_message(stack, text) -> None:
    """Over REST: status 200 with at least one message; then "你好" is greeted as usual."""
    sender = f"bad-rest-{abs(hash(str(text))) % 10**8}"
    status, messages = rest_turn(stack.rasa_url, sender, text)
    assert status == 200
    assert answered(messages), messages
    status, messages = rest_turn(stack.rasa_url, sender, "你好")
    assert status == 200 and greeted(messages)


def test_socketio_answers_bad_input_and_the_next_message(stack) -> None:
    """Over socket.io: every bad message gets an answer, and "你好" after them is greeted."""
    turns = socketio_turns(stack.rasa_url, "bad-socket", [*BAD_INPUT.values(), "你好"])
    for name, turn in zip([*BAD_INPUT, "你好"], turns):
        assert answered(turn), name
