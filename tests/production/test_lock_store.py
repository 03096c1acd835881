"""The lock store several Rasa workers share (`bot.running.lock_store`): Rasa's Redis locks, fewer round trips."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.running.lock_store import TunedRedisLockStore
from bot.running.rasa_server import lock_store_config


def open_store(redis_url: str, tuned: bool = True) -> RedisLockStore:
    """The lock store as `make run` configures Rasa's (endpoints file settings), or Rasa's own on the same Redis."""
    config = lock_store_config(redis_url)
    if not tuned:
        config["type"] = "redis"
    return LockStore.create(EndpointConfig(**config))


def commands_sent(store: RedisLockStore) -> list[str]:
    """The Redis commands the store sends from now on, recorded as they go."""
    sent: list[str] = []
    send = store.red.execute_command

    def recorded(*args, **options):
        sent.append(args[0])
        return send(*args, **options)

    store.red.execute_command = recorded
    return sent


async def answer(store: RedisLockStore, sender: str, log: list[str], name: str, seconds: float = 0.0) -> None:
    async with store.lock(sender, wait_time_in_seconds=0.01):
        log.append(f"{name} in")
        await asyncio.sleep(seconds)
        log.append(f"{name} out")


def test_make_run_configures_the_tuned_store(redis_url):
    assert isinstance(open_store(redis_url), TunedRedisLockStore)


def test_a_message_takes_four_round_trips_and_leaves_no_lock(redis_url):
    """Rasa's store sends seven commands for one message, the tuned one four; neither leaves a lock behind."""
    for tuned, expected in ((False, ["GET", "SET", "GET", "GET", "SET", "GET", "DEL"]),
                            (True, ["GET", "SET", "GET", "DEL"])):
        store = open_store(redis_url, tuned)
        sent = commands_sent(store)
        asyncio.run(answer(store, f"one-message-{tuned}", [], "a"))
        assert sent == expected
        assert store.get_lock(f"one-message-{tuned}") is None


@pytest.mark.parametrize("first, second", [(True, True), (True, False), (False, True)])
def test_messages_of_one_conversation_take_turns_whichever_store_holds_the_lock(redis_url, first, second):
    """Two workers' messages of one conversation: the second waits until the first is answered, with the
    tuned store and Rasa's own sharing the same locks (a worker of either kind can take the next turn)."""
    log: list[str] = []
    sender = f"turns-{first}-{second}"

    async def both() -> None:
        one = asyncio.create_task(answer(open_store(redis_url, first), sender, log, "first", 0.1))
        await asyncio.sleep(0.02)  # the first holds the lock
        await asyncio.gather(one, answer(open_store(redis_url, second), sender, log, "second"))

    asyncio.run(both())
    assert log == ["first in", "first out", "second in", "second out"]
    assert open_store(redis_url).get_lock(sender) is None


def test_an_answered_message_keeps_the_lock_for_the_one_waiting(redis_url):
    """A message that came in meanwhile still holds its ticket, now first in line."""
    store = open_store(redis_url)

    async def answered_while_another_came() -> int:
        async with store.lock("kept"):
            return open_store(redis_url, tuned=False).issue_ticket("kept")

    waiting = asyncio.run(answered_while_another_came())
    lock = store.get_lock("kept")
    assert lock is not None and [ticket.number for ticket in lock.tickets] == [waiting]
    assert not lock.is_locked(waiting)
