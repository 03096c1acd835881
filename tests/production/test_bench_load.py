"""The load generator of `make bench` counts answers and losses right over every kind of HTTP answer,
and the bench measures the topologies it compares in turn."""
from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web

from bot.measure import bench
from bot.measure.load import LoadResult, closed_loop
from tests.support.servers import loopback_app

SCRIPTS = [["你好", "工地要刷脸吗"], ["谢谢"]]


async def _served(handler, **run) -> tuple[LoadResult, list]:
    """A closed loop against a loopback aiohttp server answering with ``handler``; what it saw."""
    seen: list = []

    async def webhook(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        seen.append((body["sender"], body["message"], request.transport.get_extra_info("peername")[1]))
        return await handler(request, body)

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    async with loopback_app(app) as url:
        return await closed_loop(url, SCRIPTS, **run), seen


async def kept_alive(request, body):
    return web.json_response([{"recipient_id": body["sender"], "text": "好的"}])


async def closing(request, body):
    response = web.json_response([{"text": "好的"}])
    response.force_close()
    return response


async def chunked(request, body):
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(json.dumps([{"text": "好"}], ensure_ascii=False).encode()[:5])
    await response.write(json.dumps([{"text": "好"}], ensure_ascii=False).encode()[5:])
    await response.write_eof()
    return response


@pytest.mark.parametrize("handler", [kept_alive, closing, chunked])
def test_every_message_is_answered_and_counted(handler):
    result, seen = asyncio.run(_served(handler, concurrency=3, messages=12))
    assert (result.messages, result.errors) == (12, 0)
    assert len(seen) == 12
    # each conversation follows its script under its own sender
    by_sender: dict[str, list[str]] = {}
    for sender, message, _ in seen:
        by_sender.setdefault(sender, []).append(message)
    assert all(messages in (SCRIPTS[0], SCRIPTS[0][:1], SCRIPTS[1]) for messages in by_sender.values())


def test_a_kept_alive_server_is_asked_over_one_connection_per_client():
    _, seen = asyncio.run(_served(kept_alive, concurrency=2, messages=10))
    assert len({port for _, _, port in seen}) == 2


@pytest.mark.parametrize("status, answer", [(500, [{"text": "x"}]), (200, [])])
def test_a_failed_or_silent_turn_is_lost(status, answer):
    async def failing(request, body):
        return web.json_response(answer, status=status)

    result, _ = asyncio.run(_served(failing, concurrency=2, messages=6))
    assert (result.messages, result.errors) == (0, 6)


def test_a_server_that_is_not_there_loses_every_turn():
    result = asyncio.run(closed_loop("http://127.0.0.1:9", SCRIPTS, 2, messages=4))
    assert (result.messages, result.errors) == (0, 4)


class FakeServers:
    def __init__(self, name: str, log: list) -> None:
        self.name, self.log, self.rasa_urls, self.workers, self.used = name, log, [name], 1, 0.0
        self.rasa_url = name

    def cpu_seconds(self) -> dict[str, float]:
        self.used += 1.0
        return {"rasa": self.used, "actions": self.used / 2}


def test_two_topologies_take_turns_at_each_level_and_each_pools_its_halves(monkeypatch):
    calls: list[tuple[str, int, float]] = []

    def run_load(urls, scripts, level, duration, prefix):
        calls.append((urls[0], level, duration))
        return LoadResult(concurrency=level, seconds=duration, latencies=[float(level)] * 10, errors=1)

    monkeypatch.setattr(bench, "run_load", run_load)
    monkeypatch.setattr(bench, "CONCURRENCY_LEVELS", (1, 8))
    one, default = FakeServers("one", calls), FakeServers("default", calls)
    single, several = bench.side_by_side_levels([one, default], 10.0, "t", lambda _: None)
    assert calls == [("one", 1, 5.0), ("default", 1, 5.0), ("default", 1, 5.0), ("one", 1, 5.0),
                     ("one", 8, 5.0), ("default", 8, 5.0), ("default", 8, 5.0), ("one", 8, 5.0)]
    assert [level["messages"] for level in single] == [20, 20]
    assert [level["errors"] for level in several] == [2, 2]
    assert single[0]["throughput"] == pytest.approx(2.0)  # 20 messages in 2 × 5 s
    assert single[0]["cpu_ms_rasa"] == pytest.approx(1000 * 2 / 20)  # 1 s of CPU in each half


def test_one_topology_runs_each_level_for_its_whole_time(monkeypatch):
    calls = []
    monkeypatch.setattr(bench, "run_load", lambda urls, scripts, level, duration, prefix: calls.append(duration)
                        or LoadResult(concurrency=level, seconds=duration, latencies=[1.0]))
    monkeypatch.setattr(bench, "CONCURRENCY_LEVELS", (4,))
    bench.load_levels(FakeServers("one", []), 10.0, "t", lambda _: None)
    assert calls == [10.0]


def test_the_floor_and_the_practice_answer_take_turns(monkeypatch):
    sent = []
    monkeypatch.setattr(bench, "post", lambda url, body: sent.append((body["sender"], body["message"])))
    floor, practice = bench.alternating_turns(FakeServers("one", []), [(["你好"], "floor"), (["问", "答"], "p")], 3)
    assert sent == [("floor-0", "你好"), ("p-0", "问"), ("floor-1", "你好"), ("p-0", "答"), ("floor-2", "你好"),
                    ("p-1", "问")]
    assert len(floor) == len(practice) == 3
