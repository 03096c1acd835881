"""A closed-loop load generator over Rasa's REST channel: N conversations at once, each waiting for its answer.

Given several Rasa instances (a scale-out topology), conversations are spread over them
round-robin, each conversation staying on one instance (as a sticky load balancer would).
"""
from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

import aiohttp

from bot.measure.metrics import percentile


@dataclass
class LoadResult:
    """What one load run measured (latencies in milliseconds)."""

    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def messages(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)


async def _turn(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Optional[float]:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json()
            if response.status != 200 or not body:
                return None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return None
    return (time.perf_counter() - started) * 1000


async def closed_loop(
    rasa_url: Union[str, Sequence[str]], scripts: Sequence[Sequence[str]], concurrency: int, *, messages: Optional[int] = None,
    duration: Optional[float] = None, prefix: str = "load",
) -> LoadResult:
    """Runs `concurrency` conversations at once until `messages` turns were sent or `duration` passed.

    Each conversation follows a script (cycled over `scripts`) under a new sender id, turn after
    turn; a finished script starts a new conversation. `rasa_url` may list several
    instances: conversation n goes to instance n modulo their number.
    """
    bases = [rasa_url] if isinstance(rasa_url, str) else list(rasa_url)
    urls = [f"{base}/webhooks/rest/webhook" for base in bases]
    result = LoadResult(concurrency=concurrency, seconds=0.0)
    sent = itertools.count()
    conversations = itertools.count()
    deadline = time.perf_counter() + duration if duration else None

    def more() -> bool:
        if deadline is not None and time.perf_counter() >= deadline:
            return False
        return messages is None or next(sent) < messages

    async def worker(session: aiohttp.ClientSession) -> None:
        while True:
            number = next(conversations)
            sender = f"{prefix}-{number}"
            url = urls[number % len(urls)]
            for text in scripts[number % len(scripts)]:
                if not more():
                    return
                latency = await _turn(session, url, sender, text)
                if latency is None:
                    result.errors += 1
                else:
                    result.latencies.append(latency)

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency), timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


def run_load(rasa_url: Union[str, Sequence[str]], scripts: Sequence[Sequence[str]], concurrency: int, **kwargs) -> LoadResult:
    """:func:`closed_loop` from synchronous code."""
    return asyncio.run(closed_loop(rasa_url, scripts, concurrency, **kwargs))
