"""The examples of ``docs/api.md``, produced by the running assistant.

Each example sits in ``docs/api.md`` between ``<!-- example NAME -->`` and ``<!-- /example -->``.
``python -m bot.api_examples`` (``make api-docs``) starts the real Rasa, action server and web
app, sends each example's request and writes what came back into those blocks;
``tests/web/test_api_docs.py`` produces them again from the test run's servers and fails when
the file says something else. So the documentation shows what the bot really sends.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from bot.config import ROOT

API_DOC = ROOT / "docs" / "api.md"

# One question from a worker, with the app's metadata, for both REST and socket.io.
QUESTION = "包工头欠钱不给咋办"
METADATA = {"region": "安徽省芜湖市", "app": "wuhu-service-app"}
REST_SENDER = "app-user-42"
REST_REQUEST = {"sender": REST_SENDER, "message": QUESTION, "metadata": METADATA}
PRACTICE_ID = "5.1.2"
CITED_AS = "五（一）2"  # the same practice as hotline agents cite it
SEARCH_QUERY = {"q": "工资专户", "region": "重庆", "limit": "1"}

QUIET_SECONDS = 1.0  # a turn is over when socket.io stays quiet this long
ANSWER_TIMEOUT = 20.0
READY_TIMEOUT = 180.0  # seconds for a cold Rasa to load the model
_BLOCK = re.compile(r"(<!-- example (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /example -->)", re.S)


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def fenced(language: str, text: str) -> str:
    return f"```{language}\n{text}\n```\n"


class SocketClient:
    """One socket.io connection, as an app holds it (HTTP long-polling: python-engineio's
    websocket client needs a newer aiohttp than Rasa 3.6 pins)."""

    def __init__(self, url: str) -> None:
        import socketio

        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[Any] = asyncio.Queue()
        self.sio.on("bot_uttered", self.received.put)
        self.sio.on("session_confirm", self.confirmed.put)
        self.session_id: Optional[str] = None

    async def open(self, request: Any = None) -> str:
        """Connect and ask for a session (a new one when ``request`` names none)."""
        await self.sio.connect(self.url, transports=["polling"])
        await self.sio.emit("session_request", {"session_id": None} if request is None else request)
        self.session_id = await asyncio.wait_for(self.confirmed.get(), ANSWER_TIMEOUT)
        return self.session_id

    async def send(self, message: Any) -> None:
        await self.sio.emit("user_uttered", message)

    async def say(self, text: str, metadata: Optional[dict] = None) -> list[dict[str, Any]]:
        """Send a message and collect the bot's messages until it falls quiet."""
        await self.send({"message": text, "session_id": self.session_id, "metadata": metadata or {}})
        return await self.replies()

    async def replies(self) -> list[dict[str, Any]]:
        messages = [await asyncio.wait_for(self.received.get(), ANSWER_TIMEOUT)]
        while True:
            try:
                messages.append(await asyncio.wait_for(self.received.get(), QUIET_SECONDS))
            except asyncio.TimeoutError:
                return messages

    async def close(self) -> None:
        # A graceful polling disconnect waits for the pending long-poll (~30 s); abort instead.
        await self.sio.eio.disconnect(abort=True)


def _http_json(url: str, body: Optional[Mapping[str, Any]] = None) -> Any:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT) as response:
        return json.loads(response.read())


async def _socket_turn(rasa_url: str) -> list[dict[str, Any]]:
    client = SocketClient(rasa_url)
    try:
        await client.open()
        return await client.say(QUESTION, METADATA)
    finally:
        await client.close()


def produce(rasa_url: str, web_url: str) -> dict[str, str]:
    """Every example's text, from the running Rasa (with its action server) and web app."""
    rest_curl = (
        f"curl -s http://localhost:5005/webhooks/rest/webhook \\\n  -H 'Content-Type: application/json' \\\n"
        f"  -d '{json.dumps(REST_REQUEST, ensure_ascii=False)}'"
    )
    reply = _http_json(f"{rasa_url}/webhooks/rest/webhook", REST_REQUEST)
    events = asyncio.run(_socket_turn(rasa_url))
    search_path = "/api/search?" + urllib.parse.urlencode(SEARCH_QUERY)
    practice_path = f"/api/practices/{urllib.parse.quote(CITED_AS)}"
    return {
        "rest-request": fenced("bash", rest_curl),
        "rest-reply": fenced("json", as_json(reply)),
        "socketio-events": fenced("json", as_json(events)),
        "api-search": fenced("bash", "curl -s -G http://localhost:8000/api/search "
                             + " ".join(f"--data-urlencode {k}={v}" for k, v in SEARCH_QUERY.items()))
        + fenced("json", as_json(_http_json(web_url + search_path))),
        "api-practice": fenced("bash", f"curl -s 'http://localhost:8000/api/practices/{CITED_AS}'")
        + fenced("json", as_json(_http_json(web_url + practice_path))),
    }


def blocks(document: str) -> dict[str, str]:
    """The example blocks of a document: name → its text."""
    return {m.group("name"): m.group("body") for m in _BLOCK.finditer(document)}


def rewrite(document: str, examples: Mapping[str, str]) -> str:
    """The document with each example block holding the produced text."""
    def replace(match: re.Match) -> str:
        name = match.group("name")
        body = examples.get(name, match.group("body"))
        return match.group(1) + body + match.group(4)

    return _BLOCK.sub(replace, document)


def drifted(document: str, examples: Mapping[str, str]) -> list[str]:
    """The names of the examples whose text in the document is not what the bot sends (or that are missing)."""
    written = blocks(document)
    return [name for name, text in examples.items() if written.get(name) != text]


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # never a half-written doc


def _with_running_assistant(use: Callable[[str, str], Any]) -> Any:
    """Run ``use(rasa_url, web_url)`` against a fresh assistant: Rasa, action server and web app."""
    from aiohttp import web

    from bot.config import Settings
    from bot.running.launcher import running_servers
    from bot.running.loopback import free_port
    from bot.web.app import create_app

    model = ROOT / "models" / "assistant.tar.gz"
    with tempfile.TemporaryDirectory(prefix="api-docs-") as var_dir, \
            running_servers(Path(var_dir), model, ready_timeout=READY_TIMEOUT) as servers:
        async def serve_and_use() -> Any:
            port = free_port()
            runner = web.AppRunner(create_app(settings=Settings.from_environment(rasa_url=servers.rasa_url)))
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    None, use, servers.rasa_url, f"http://127.0.0.1:{port}"
                )
            finally:
                await runner.cleanup()

        return asyncio.run(serve_and_use())


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/api.md's examples from what the running assistant sends.")
    parser.add_argument("--check", action="store_true", help="only say which examples drifted (exit 1 if any)")
    args = parser.parse_args(argv)
    examples = _with_running_assistant(produce)
    document = API_DOC.read_text(encoding="utf-8")
    stale = drifted(document, examples)
    if args.check:
        print("docs/api.md: " + (f"drifted: {', '.join(stale)}" if stale else "every example is what the bot sends"))
        return 1 if stale else 0
    _write_atomically(API_DOC, rewrite(document, examples))
    print(f"docs/api.md: {len(examples)} examples written ({', '.join(stale) or 'none'} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
