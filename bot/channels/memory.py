"""A small bounded in-memory cache whose entries expire.

Used to remember, per process, the messages WeChat already delivered (so a
retry is never processed twice) and, per user, the last numbered choices and the
pages of a long answer not yet shown.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


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
