"""Talking to a running Rasa server the way apps do: REST turns and socket.io conversations."""
from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from typing import Any, Optional, Sequence

SOCKET_QUIET_SECONDS = 1.5
"""socket.io has no end-of-turn marker: a turn is over when the bot is silent this long."""


def rest_turn(rasa_url: str, sender: str, text: Any, timeout: float = 30) -> tuple[int, list[dict]]:
    """One REST turn; returns the HTTP status and the bot's messages (empty on an error status)."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{rasa_url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, []


def texts(messages: Sequence[dict]) -> list[str]:
    """The texts of a turn's messages, in order."""
    return [m["text"] for m in messages if m.get("text")]


def cited(messages: Sequence[dict]) -> list[dict]:
    """The practices a turn cited (its `custom` message), in order."""
    for message in messages:
        custom = message.get("custom") or {}
        if isinstance(custom, dict) and custom.get("practices"):
            return list(custom["practices"])
    return []


async def socketio_conversation(
    rasa_url: str, session_id: str, messages: Sequence[str], timeout: float = 30
) -> list[list[dict]]:
    """Sends each message over socket.io (with session persistence) and collects each turn's answer.

    Returns:
        For each message, the bot messages received until the bot fell silent.
    """
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue = asyncio.Queue()
    confirmed = asyncio.Event()

    @client.on("bot_uttered")
    async def on_bot(data: dict) -> None:
        await received.put(data)

    @client.on("session_confirm")
    async def on_confirm(data: Any) -> None:
        confirmed.set()

    # Long-polling: python-engineio's websocket client needs a newer aiohttp than Rasa's pin.
    await client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), timeout)
        turns = []
        for message in messages:
            await client.emit("user_uttered", {"message": message, "session_id": session_id})
            turns.append(await _collect(received, timeout))
        return turns
    finally:
        await client.disconnect()


async def _collect(received: asyncio.Queue, timeout: float) -> list[dict]:
    answer = [await asyncio.wait_for(received.get(), timeout)]
    while True:
        try:
            answer.append(await asyncio.wait_for(received.get(), SOCKET_QUIET_SECONDS))
        except asyncio.TimeoutError:
            return answer


def socketio_turns(rasa_url: str, session_id: str, messages: Sequence[str]) -> list[list[dict]]:
    """:func:`socketio_conversation`, from synchronous code."""
    return asyncio.run(socketio_conversation(rasa_url, session_id, messages))


def wait_until(predicate, timeout: float, interval: float = 0.5) -> Optional[float]:
    """Seconds until `predicate()` was true, or None after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(interval)
    return None
