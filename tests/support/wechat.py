"""Real servers on loopback for the channel tests: a Sanic app running a channel's
blueprint with a stub bot, and an aiohttp stand-in for the WeChat/WeCom message APIs."""
from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterator

from aiohttp import web
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

Sanic.test_mode = True  # several apps in one process, as Rasa's own tests do


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LoopThread:
    """An asyncio event loop in a background thread, for servers the tests talk to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Awaitable[Any], timeout: float = 30.0) -> Any:
        """Runs a coroutine on the loop and returns its result."""
        future: Future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]
        return future.result(timeout)

    def stop(self) -> None:
        async def _cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(_cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


@dataclass
class StubBot:
    """Stands in for the Rasa agent: answers by what the user said and records each call.

    - "按钮": two messages, the second with two buttons;
    - "慢": answers after `slow_seconds` (WeChat gives up after 5 s);
    - "长": a text of about 6,000 bytes, in sentences;
    - "/greet": a greeting; a button payload "/ask_wage": the wage answer;
    - anything else: "收到：<text>".
    """

    slow_seconds: float = 6.0
    calls: list = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.calls.append(message)
        out, who, text = message.output_channel, message.sender_id, message.text or ""
        if text == "按钮":
            await out.send_text_message(who, "您想了解哪方面？")
            await out.send_text_with_buttons(
                who, "请选择：", [{"title": "欠薪维权", "payload": "/ask_wage"},
                                 {"title": "技能培训", "payload": "/ask_training"}]
            )
        elif text == "慢":
            await asyncio.sleep(self.slow_seconds)
            await out.send_text_message(who, "这是慢慢查到的答案。")
        elif text == "长":
            await out.send_text_message(who, "".join(f"第{i}条做法说明了一项具体的举措。" for i in range(150)))
        elif text == "/greet":
            await out.send_text_message(who, "您好，我是建筑工人政策助手。")
        elif text == "/ask_wage":
            await out.send_text_message(who, "欠薪可以拨打12345反映。")
        else:
            await out.send_text_message(who, f"收到：{text}")

    def texts(self) -> list[str]:
        return [m.text for m in self.calls]


@dataclass
class ApiStandIn:
    """A local stand-in for api.weixin.qq.com / qyapi.weixin.qq.com: tokens and text messages."""

    sent: list = field(default_factory=list)
    token_requests: list = field(default_factory=list)
    refuse_first_token: bool = False
    base_url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_get("/cgi-bin/gettoken", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        app.router.add_post("/cgi-bin/message/send", self._send)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests.append(dict(request.query))
        return web.json_response({"access_token": f"TOKEN-{len(self.token_requests)}", "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token")
        if self.refuse_first_token and token == "TOKEN-1":
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        body = await request.json()
        self.sent.append({"path": request.path, "access_token": token, "body": body})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def serve(self) -> web.AppRunner:
        """Serves the stand-in on a free loopback port (in the running event loop); sets `base_url`."""
        sock = _bound_socket()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        runner = web.AppRunner(self.app())
        await runner.setup()
        await web.SockSite(runner, sock).start()
        return runner

    def wait_for_sent(self, count: int, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.sent


@contextmanager
def running_api_stand_in() -> Iterator[ApiStandIn]:
    """:class:`ApiStandIn` served on loopback from a background loop, for a real Rasa server to call."""
    loop = LoopThread()
    api = ApiStandIn()
    sock = _bound_socket()
    api.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    runner = web.AppRunner(api.app())

    async def start() -> None:
        await runner.setup()
        await web.SockSite(runner, sock).start()

    loop.run(start())
    try:
        yield api
    finally:
        loop.run(runner.cleanup())
        loop.stop()


class Servers:
    """A channel served by Sanic on loopback, plus the API stand-in, on one background loop."""

    def __init__(self, make_channel: Callable[[str], InputChannel], bot: StubBot) -> None:
        self.bot = bot
        self.api = ApiStandIn()
        self._loop = LoopThread()
        self._api_runner: web.AppRunner = self._loop.run(self.api.serve())
        self.channel = make_channel(self.api.base_url)
        app = Sanic(f"test_{uuid.uuid4().hex}")
        app.config.MOTD = False
        app.blueprint(self.channel.blueprint(bot), url_prefix=f"/webhooks/{self.channel.url_prefix()}")
        sock = _bound_socket()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/{self.channel.url_prefix()}/webhook"
        self._server = self._loop.run(self._start_sanic(app, sock))

    @staticmethod
    async def _start_sanic(app: Sanic, sock: socket.socket) -> Any:
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        return server

    def run(self, coroutine: Awaitable[Any]) -> Any:
        """Runs a coroutine on the servers' loop (e.g. a client of the stand-in API)."""
        return self._loop.run(coroutine)

    def close(self) -> None:
        async def _stop() -> None:
            self._server.close()
            await self._api_runner.cleanup()

        self._loop.run(_stop())
        self._loop.stop()


@contextmanager
def api_stand_in() -> Iterator[ApiStandIn]:
    """The WeChat/WeCom API stand-in alone, on its own background loop (for servers in other processes)."""
    loop = LoopThread()
    api = ApiStandIn()
    runner = loop.run(api.serve())
    try:
        yield api
    finally:
        loop.run(runner.cleanup())
        loop.stop()
