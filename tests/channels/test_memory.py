"""What the WeChat channels remember, in one process and shared through a real Redis by two workers.

Each test plays two workers of the same channel: in one process they are one `LocalMemory`; with
Redis they are two `RedisMemory` clients of the same server, as two Rasa workers are.
"""
from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from bot.channels.memory import LocalMemory, RedisMemory, UserState


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.slow)])
def two_workers(request):
    """Makes the two workers' memories (inside the test's event loop: a Redis client belongs to one)."""
    if request.param == "local":
        def make(**ttl: float):
            memory = LocalMemory(**ttl)
            return memory, memory
    else:
        url = request.getfixturevalue("redis_url")

        def make(**ttl: float):
            return RedisMemory(url, **ttl), RedisMemory(url, **ttl)
    return make


def message_key() -> str:
    return f"wechat:{uuid.uuid4().hex}"


def test_only_the_first_delivery_of_a_message_is_processed(two_workers):
    async def deliveries() -> list[bool]:
        first, second = two_workers()
        key = message_key()
        return await asyncio.gather(*(worker.claim(key) for _ in range(10) for worker in (first, second)))

    assert sorted(asyncio.run(deliveries())) == [False] * 19 + [True]


def test_a_reply_ready_in_time_is_given_passively_on_either_worker_and_never_sent_late(two_workers):
    async def delivery() -> tuple:
        processing, other = two_workers()
        key = message_key()
        assert await processing.claim(key)
        in_time = await processing.finish(key, "欠薪可以拨打12345反映。")
        return in_time, await other.reply_now(key), await processing.reply_now(key), await other.reply_now(key)

    in_time, *passive = asyncio.run(delivery())
    assert in_time is True, "answered passively: nothing to send through the message API"
    assert passive == ["欠薪可以拨打12345反映。"] * 3


def test_a_reply_not_ready_in_time_is_sent_late_once_and_never_passively(two_workers):
    async def delivery() -> tuple:
        processing, other = two_workers()
        key = message_key()
        assert await processing.claim(key)
        gave_up = await other.reply_now(key)  # the retry's wait is over: acknowledge
        in_time = await processing.finish(key, "这是慢慢查到的答案。")
        return gave_up, in_time, await other.reply_now(key), await processing.reply_now(key)

    gave_up, in_time, *retries = asyncio.run(delivery())
    assert gave_up is None
    assert in_time is False, "the processing worker sends it through the message API"
    assert retries == [None, None], "later retries are acknowledged without the answer"


def test_a_retry_waits_for_the_reply_on_another_worker_and_no_longer(two_workers):
    async def delivery() -> tuple:
        processing, other = two_workers()
        key = message_key()
        assert await processing.claim(key)

        async def answer_soon() -> None:
            await asyncio.sleep(0.2)
            await processing.finish(key, "收到")

        started = time.monotonic()
        await asyncio.gather(answer_soon(), other.wait(key, timeout=3.0))
        return time.monotonic() - started, await other.reply_now(key)

    waited, reply = asyncio.run(delivery())
    assert reply == "收到"
    assert waited < 1.0


def test_an_empty_reply_is_acknowledged_without_text(two_workers):
    async def delivery():
        processing, other = two_workers()
        key = message_key()
        await processing.claim(key)
        return await processing.finish(key, None), await other.reply_now(key)

    assert asyncio.run(delivery()) == (True, None)


def test_a_users_choices_and_pages_are_shared_and_forgotten_after_their_time(two_workers):
    state = UserState(choices=("/ask_wage", "/ask_training"), pages=("第二页", "第三页"))

    async def remembered() -> tuple:
        first, second = two_workers(user_ttl=0.3)
        user = f"wechat:{uuid.uuid4().hex}"
        await first.remember(user, state)
        now = await second.user(user)
        await asyncio.sleep(0.6)
        return now, await second.user(user)

    assert asyncio.run(remembered()) == (state, UserState())
