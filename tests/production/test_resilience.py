"""Nothing lost: a restart keeps the conversation; a dead or hanging action server gives an apology, then recovers.

Runs the assistant the way `make run` does (`python -m bot.running.serve`), so the
supervisor's restarts are what is tested.
"""
from __future__ import annotations

import os
import signal
import socket
import time

import pytest

from bot.channels.guard import DEFAULT_DEADLINE_SECONDS, apology_messages
from tests.support.clients import cited, rest_turn, texts, wait_until
from tests.support.served import ServedAssistant
from tests.support.stack import wait_for_http

TOPIC_QUESTION = "工地要刷脸吗"  # real-name management: the search names practices
RESTART_TIMEOUT = 120


@pytest.fixture(scope="module")
def served(tmp_path_factory, db_url):
    assistant = ServedAssistant(tmp_path_factory.mktemp("served"), {"DATABASE_URL": db_url})
    assistant.start()
    try:
        yield assistant
    finally:
        assistant.stop()


def test_make_run_says_it_is_ready_only_once_it_answers(tmp_path, db_url):
    """`make run` prints its URLs when the assistant answers: a greeting sent the moment the ready
    line appears gets the bot's own answer, not an error or the apology."""
    assistant = ServedAssistant(tmp_path / "ready", {"DATABASE_URL": db_url})
    assistant.start(wait=False)
    try:
        line = assistant.wait_for_ready_line()
        status, messages = rest_turn(assistant.rasa_url, "ready-1", "你好")
        assert status == 200 and texts(messages) and texts(messages) != apology_texts()
        assert f"localhost:{assistant.web_port}/chat" in line and "/webhooks/rest/webhook" in line
        log = (assistant.var_dir / "serve.log").read_text(errors="replace")
        assert log.index("[serve] starting") < log.index("[serve] ready:")
    finally:
        assistant.stop()


def apology_texts() -> list[str]:
    return [m["text"] for m in apology_messages()]


def action_server_up(served: ServedAssistant) -> bool:
    try:
        wait_for_http(served.action_health, 1)
        return True
    except TimeoutError:
        return False


def test_a_restart_mid_conversation_keeps_the_topic(served) -> None:
    """After `make run` is stopped and started again, "那广东呢" still means the earlier topic."""
    status, first = rest_turn(served.rasa_url, "restart-1", TOPIC_QUESTION)
    assert status == 200 and cited(first)
    served.stop()
    served.start()
    status, answer = rest_turn(served.rasa_url, "restart-1", "那广东呢")
    practices = cited(answer)
    assert practices, texts(answer)
    assert practices[0]["province"] == "广东省"
    assert practices[0]["id"].startswith("2.")  # task 二: real-name management, the earlier topic


def test_a_killed_action_server_gives_an_apology_then_is_restarted(served) -> None:
    """The action server dies: the user gets the apology at once; the supervisor restarts it and answers resume."""
    os.kill(served.child("bot.running.action_server"), signal.SIGKILL)
    started = time.monotonic()
    status, answer = rest_turn(served.rasa_url, "killed-1", TOPIC_QUESTION)
    assert status == 200
    assert texts(answer) == apology_texts()
    assert time.monotonic() - started < 5
    assert wait_until(lambda: action_server_up(served), RESTART_TIMEOUT) is not None
    status, answer = rest_turn(served.rasa_url, "killed-1", TOPIC_QUESTION)
    assert cited(answer), texts(answer)


def test_a_hanging_action_server_gives_an_apology_within_the_deadline(served) -> None:
    """The action server accepts requests and never answers: the apology comes at the deadline; once a
    working action server is back, the next message is answered."""
    os.kill(served.child("bot.running.action_server"), signal.SIGKILL)
    wait_until(lambda: not action_server_up(served), 10, interval=0.1)
    hanging = socket.socket()
    hanging.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hanging.bind(("0.0.0.0", served.action_port))
    hanging.listen(64)  # connections are queued, never accepted: requests hang
    try:
        started = time.monotonic()
        status, answer = rest_turn(served.rasa_url, "hanging-1", TOPIC_QUESTION)
        elapsed = time.monotonic() - started
        assert status == 200
        assert texts(answer) == apology_texts()
        assert DEFAULT_DEADLINE_SECONDS - 0.5 <= elapsed <= DEFAULT_DEADLINE_SECONDS + 3
    finally:
        hanging.close()
    assert wait_until(lambda: action_server_up(served), RESTART_TIMEOUT) is not None
    status, answer = rest_turn(served.rasa_url, "hanging-1", TOPIC_QUESTION)
    assert cited(answer), texts(answer)
