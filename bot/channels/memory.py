"""What the WeChat-style channels remember between requests: each message's delivery and each user's
numbered choices and unread pages.

WeChat sends a message again when the passive reply does not come within five seconds, and with
several Rasa workers (or instances) the retry may land on another process. `ChannelMemory` is what
they share: `LocalMemory` in one process (no Redis), `RedisMemory` when REDIS_URL is set.

A message's delivery goes pending → done (its reply is ready) or pending → late (no passive reply
was given in time: the processing worker sends the answer through the platform's API). Both
transitions are atomic, so an answer is given passively or late, never both.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Generic, Hashable, Optional, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

PENDING, LATE, DONE = "pending", "late", "done:"
"""A delivery's states; DONE is followed by the reply's text (empty: acknowledge without text)."""


class TTLCache(Generic[K, V]):
    """At most `max_items` entries, each forgotten `ttl` seconds after it was last set.

    Args:
        max_items: when full, setting a new key forgets the oldest entry.
        ttl: seconds an entry lives after it was set.
        clock: the time source (monotonic seconds); tests may pass their own.
    """

    def __init__(self, max_items: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._max_items = max(1, max_items)
        self._ttl = ttl
        self._clock = clock

    def get(self, key: K) -> Optional[V]:
        """The live value for `key`, or None."""
        self._expire()
        item = self._items.get(key)
        return item[1] if item else None

    def set(self, key: K, value: V) -> None:
        """Stores `value`, renewing its lifetime, and forgets the oldest entries if full."""
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self._ttl, value)
        while len(self._items) > self._max_items:
            self._items.popitem(last=False)

    def pop(self, key: K) -> Optional[V]:
        """Removes and returns the value for `key`, or None."""
        item = self._items.pop(key, None)
        return item[1] if item and item[0] > self._clock() else None

    def __len__(self) -> int:
        self._expire()
        return len(self._items)

    def _expire(self) -> None:
        now = self._clock()
        while self._items:
            key, (expires, _) = next(iter(self._items.items()))
            if expires > now:
                break
            del self._items[key]


@dataclass(frozen=True)
class UserState:
    """A user's numbered choices last shown and the pages of a long answer not yet shown."""

    choices: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()


class ChannelMemory:
    """The memory the channel's processes share.

    Args:
        message_ttl: seconds a message's delivery is remembered (WeChat retries within ~15 s).
        user_ttl: seconds a user's choices and unread pages are remembered.
    """

    def __init__(self, message_ttl: float, user_ttl: float) -> None:
        self.message_ttl = message_ttl
        self.user_ttl = user_ttl

    async def claim(self, key: str) -> bool:
        """True for the first delivery of a message (its process answers it), False for a retry."""
        raise NotImplementedError

    async def finish(self, key: str, reply: Optional[str]) -> bool:
        """Keeps the reply for a passive answer: True, unless the answer is late (False: send it)."""
        return _settled(await self._settle(key, DONE + (reply or ""))) != LATE

    async def reply_now(self, key: str) -> Optional[str]:
        """The passive reply when it is ready; otherwise None, and from now on the answer is late."""
        state = _settled(await self._settle(key, LATE))
        if not state.startswith(DONE):
            return None
        return state[len(DONE):] or None

    async def wait(self, key: str, timeout: float) -> None:
        """Until the delivery is no longer pending, or ``timeout`` seconds."""
        raise NotImplementedError

    async def user(self, user: str) -> UserState:
        """What is remembered of a user (nothing: an empty state)."""
        raise NotImplementedError

    async def remember(self, user: str, state: UserState) -> None:
        raise NotImplementedError

    async def _settle(self, key: str, state: str) -> Optional[str]:
        """Sets a pending delivery to ``state``; returns the delivery's state after that."""
        raise NotImplementedError


def _settled(state: Optional[str]) -> str:
    # A delivery forgotten while pending (its processing outlasted message_ttl) can only be answered late.
    return LATE if state is None else state


class LocalMemory(ChannelMemory):
    """One process's memory, bounded in size.

    Args:
        max_messages: message deliveries remembered at most.
        max_users: users remembered at most.
    """

    def __init__(self, message_ttl: float = 300.0, user_ttl: float = 3600.0, max_messages: int = 10_000,
                 max_users: int = 10_000) -> None:
        super().__init__(message_ttl, user_ttl)
        self._deliveries: TTLCache[str, str] = TTLCache(max_messages, message_ttl)
        self._settled: TTLCache[str, asyncio.Event] = TTLCache(max_messages, message_ttl)
        self._users: TTLCache[str, UserState] = TTLCache(max_users, user_ttl)

    async def claim(self, key: str) -> bool:
        if self._deliveries.get(key) is not None:
            return False
        self._deliveries.set(key, PENDING)
        self._settled.set(key, asyncio.Event())
        return True

    async def wait(self, key: str, timeout: float) -> None:
        settled = self._settled.get(key)
        if settled is not None:
            try:
                await asyncio.wait_for(settled.wait(), timeout)
            except asyncio.TimeoutError:
                pass

    async def user(self, user: str) -> UserState:
        return self._users.get(user) or UserState()

    async def remember(self, user: str, state: UserState) -> None:
        self._users.set(user, state)

    async def _settle(self, key: str, state: str) -> Optional[str]:
        if self._deliveries.get(key) == PENDING:
            self._deliveries.set(key, state)
            settled = self._settled.get(key)
            if settled is not None:
                settled.set()
        return self._deliveries.get(key)


_SETTLE = """
local state = redis.call('GET', KEYS[1])
if state == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return ARGV[2]
end
return state
"""
"""Sets a pending delivery to a new state in one step (no other process sees it half done)."""


class RedisMemory(ChannelMemory):
    """The memory every worker and instance shares through Redis.

    Args:
        url: the Redis server (REDIS_URL), connected to on first use, in the worker's own event loop.
        poll_seconds: how often a retry on another process looks whether the reply is ready.
    """

    PREFIX = "channel-memory"

    def __init__(self, url: str, message_ttl: float = 300.0, user_ttl: float = 3600.0,
                 poll_seconds: float = 0.05) -> None:
        super().__init__(message_ttl, user_ttl)
        self.url = url
        self.poll_seconds = poll_seconds
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:  # created in the worker, after Sanic forked it
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self.url, decode_responses=True)
        return self._client

    async def claim(self, key: str) -> bool:
        return bool(await self.client.set(self._message(key), PENDING, nx=True, px=_ms(self.message_ttl)))

    async def wait(self, key: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while await self.client.get(self._message(key)) == PENDING and time.monotonic() < deadline:
            await asyncio.sleep(min(self.poll_seconds, max(0.0, deadline - time.monotonic())))

    async def user(self, user: str) -> UserState:
        stored = await self.client.get(self._user(user))
        if not stored:
            return UserState()
        fields = json.loads(stored)
        return UserState(tuple(fields["choices"]), tuple(fields["pages"]))

    async def remember(self, user: str, state: UserState) -> None:
        stored = json.dumps({"choices": state.choices, "pages": state.pages}, ensure_ascii=False)
        await self.client.set(self._user(user), stored, px=_ms(self.user_ttl))

    async def _settle(self, key: str, state: str) -> Optional[str]:
        return await self.client.eval(_SETTLE, 1, self._message(key), PENDING, state, _ms(self.message_ttl))

    def _message(self, key: str) -> str:
        return f"{self.PREFIX}:message:{key}"

    def _user(self, user: str) -> str:
        return f"{self.PREFIX}:user:{user}"


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def channel_memory(redis_url: str) -> ChannelMemory:
    """The memory of a channel: shared through Redis when there is one, else this process's."""
    return RedisMemory(redis_url) if redis_url else LocalMemory()
