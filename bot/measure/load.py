"""A closed-loop load generator over Rasa's REST channel: N conversations at once, each waiting for its answer.

Given several Rasa instances (a scale-out topology), conversations are spread over them
round-robin, each conversation staying on one instance (as a sticky load balancer would).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union
from urllib.parse import urlsplit

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


class Connection:
    """One client's HTTP/1.1 connection to a server, for JSON posts: kept open while the server keeps it
    (a Rasa of one worker does; several workers close each connection after its answer, see
    `bot.running.rasa_server.rasa_environment`), opened again when it does not.

    The load generator shares the servers' cores, so it does as little as a client can: the request is
    written as bytes, the answer read by its Content-Length (or chunks, or to the end), nothing else.
    """

    def __init__(self, url: str) -> None:
        parsed = urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self._head = (f"POST {parsed.path or '/'} HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
                      "Content-Type: application/json\r\nContent-Length: ").encode()
        self._streams: Optional[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """The status and body of the answer to ``body``. A kept connection the server closed
        meanwhile (nothing of an answer came back on it) is opened again, once."""
        try:
            return await self._exchange(body)
        except _ClosedMeanwhile:
            self.close()
            return await self._exchange(body)

    async def _exchange(self, body: bytes) -> tuple[int, bytes]:
        reused = self._streams is not None
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        try:
            writer.write(b"%s%d\r\n\r\n%s" % (self._head, len(body), body))
            status_line = await reader.readuntil(b"\r\n")
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            if reused and not getattr(error, "partial", b""):
                raise _ClosedMeanwhile from error
            raise
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"content-length" in headers:
            answer = await reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding") == b"chunked":
            answer = b"".join([chunk async for chunk in _chunks(reader)])
        else:
            answer = await reader.read()
            headers[b"connection"] = b"close"
        if headers.get(b"connection") == b"close":
            self.close()
        return status, answer

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


class _ClosedMeanwhile(ConnectionError):
    """A kept connection was closed by the server before this request's answer began."""


async def _chunks(reader: asyncio.StreamReader):
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        yield await reader.readexactly(size)
        await reader.readexactly(2)
    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
        pass


async def _turn(connection: Connection, sender: str, text: str, timeout: float = 60) -> Optional[float]:
    """One REST turn; its latency in ms, or None when it failed (an error, no answer, nothing said)."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    started = time.perf_counter()
    try:
        status, answer = await asyncio.wait_for(connection.post(body), timeout)
        if status != 200 or not json.loads(answer):
            return None
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        connection.close()
        return None
    return (time.perf_counter() - started) * 1000


async def closed_loop(
    rasa_url: Union[str, Sequence[str]], scripts: Sequence[Sequence[str]], concurrency: int, *, messages: Optional[int] = None,
    duration: Optional[float] = None, prefix: str = "load",
) -> LoadResult:
    """Runs `concurrency` conversations at once until `messages` turns were sent or `duration` passed.

    Each conversation follows a script (cycled over `scripts`) under a new sender id, turn after
    turn; a finished script starts a new conversation. `rasa_url` may list several
    instances: conversation n goes to instance n modulo their number. Each of the `concurrency`
    clients has one connection per instance (:class:`Connection`).
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

    async def client() -> None:
        connections = [Connection(url) for url in urls]
        try:
            while True:
                number = next(conversations)
                sender = f"{prefix}-{number}"
                connection = connections[number % len(urls)]
                for text in scripts[number % len(scripts)]:
                    if not more():
                        return
                    latency = await _turn(connection, sender, text)
                    if latency is None:
                        result.errors += 1
                    else:
                        result.latencies.append(latency)
        finally:
            for connection in connections:
                connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


def run_load(rasa_url: Union[str, Sequence[str]], scripts: Sequence[Sequence[str]], concurrency: int, **kwargs) -> LoadResult:
    """:func:`closed_loop` from synchronous code."""
    return asyncio.run(closed_loop(rasa_url, scripts, concurrency, **kwargs))
