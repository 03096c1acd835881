"""An agent takes a conversation over, writes in it, and hands it back, through Rasa's HTTP API.

Everything goes into the conversation's own tracker, so the transcript holds it and Rasa does
the stopping: claiming appends ``ConversationPaused`` (Rasa then logs the worker's messages
without answering), release appends ``ConversationResumed``. The agent's messages are ``bot``
events appended with ``output_channel=latest&execute_side_effects=true``: Rasa sends them to the
channel the worker last wrote from (socket.io: the worker's chat; WeChat, WeCom: their message
APIs; REST: nowhere, the app polls ``GET /api/conversations/{id}``). The notices to the worker
are responses of ``domain.yml``, sent with ``/conversations/{id}/execute``.

Rasa's HTTP API is open only with ``RASA_TOKEN`` (``--enable-api``); without it, takeover is
unavailable (503) and the console says so.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Optional
from urllib.parse import quote

import aiohttp

from bot.channels.privacy import mask
from bot.config import Settings
from bot.vocabulary import (
    AGENT_KEY,
    HANDOFF_JOINED_RESPONSE,
    HANDOFF_RELEASED_RESPONSE,
    HANDOFF_REQUEUED_RESPONSE,
    HANDOFF_WAITING_RESPONSE,
    SLOT_HANDOFF,
)
from bot.web.conversations import ConversationStore
from bot.web.handling import HUMAN, WAITING, Handling

logger = logging.getLogger(__name__)

MAX_TEXT = 1000  # characters of one agent message (as the chat page allows the worker)
MAX_AGENT = 40  # characters of an agent's name
DEFAULT_AGENT = "staff"
MAX_REMINDERS = 3  # "still waiting" notices per request: then the worker has the hotline numbers
RASA_TIMEOUT = 15.0
# Ends a handed-back stretch as Rasa ends each turn: the rules then read the worker's next message
# as usual (after a notice, with no listen in between, no rule matches and the bot would say nothing).
LISTEN = {"event": "action", "name": "action_listen"}
RESUME = {"event": "resume"}


class TakeoverRefused(Exception):
    """The request cannot be done: ``status`` and ``code`` (a message of ``messages.yml``)."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status, self.code = status, code


class RasaConversations:
    """The two calls of Rasa's HTTP API that takeover needs."""

    def __init__(self, base_url: str, token: str, timeout: float = RASA_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def append(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        """Append events; bot events among them are sent to the worker's latest channel."""
        await self._post(sender_id, "tracker/events", events, execute_side_effects="true")

    async def say(self, sender_id: str, response: str) -> None:
        """Send a response of the domain to the worker (and record it in the tracker)."""
        await self._post(sender_id, "execute", {"name": response})

    async def _post(self, sender_id: str, path: str, body: Any, **params: str) -> None:
        url = f"{self.base_url}/conversations/{quote(sender_id, safe='')}/{path}"
        query = {"output_channel": "latest", "token": self.token, **params}
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session:
                async with session.post(url, json=body, params=query) as response:
                    if response.status >= 400:
                        logger.error("Rasa refused %s for %s: %s %s", path, sender_id, response.status,
                                     (await response.text())[:300])
                        raise TakeoverRefused(502, "rasa_refused")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("Rasa not reachable for %s: %r", path, error)
            raise TakeoverRefused(503, "rasa_unreachable") from error


class Takeover:
    """Claim, write, release and requeue, each checked against the conversation's state.

    Args:
        store: reads the tracker store (the state, before and after each step).
        rasa: writes through Rasa's HTTP API; None when ``RASA_TOKEN`` is not set.
        settings: the idle time before a claim lapses and WeChat's push quota.
    """

    def __init__(self, store: ConversationStore, rasa: Optional[RasaConversations], settings: Settings) -> None:
        self.store = store
        self.rasa = rasa
        self.idle_seconds = settings.handoff_idle_seconds
        self.remind_seconds = settings.handoff_remind_seconds
        self.quota = settings.wechat_push_quota
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def from_settings(cls, store: ConversationStore, settings: Settings) -> "Takeover":
        rasa = RasaConversations(settings.rasa_base_url, settings.rasa_token) if settings.rasa_token else None
        return cls(store, rasa, settings)

    async def _read(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, lambda: function(self.store, *args))

    async def handling(self, sender_id: str) -> Handling:
        """The conversation's state; 404 for an id the store has never seen."""
        found = await self._read(ConversationStore.handling, sender_id)
        if found is None:
            raise TakeoverRefused(404, "conversation_not_found")
        return found

    def allowance(self, handling: Handling, now: Optional[float] = None) -> Optional[int]:
        """Messages that may still reach the worker now (None: no limit on this channel)."""
        return handling.push_allowance(self.quota, now or time.time())

    def _writer(self) -> RasaConversations:
        if self.rasa is None:
            raise TakeoverRefused(503, "takeover_unavailable")
        return self.rasa

    def _lock(self, sender_id: str) -> asyncio.Lock:
        # Two agents clicking 接手 at once: one claim wins, the other sees "already claimed".
        return self._locks.setdefault(sender_id, asyncio.Lock())

    async def claim(self, sender_id: str, agent: str) -> Handling:
        rasa = self._writer()
        async with self._lock(sender_id):
            current = await self.handling(sender_id)
            if current.state == HUMAN:
                raise TakeoverRefused(409, "already_claimed")
            await rasa.append(sender_id, [{"event": "pause", "metadata": {AGENT_KEY: agent}}])
            await self._notify(rasa, current, HANDOFF_JOINED_RESPONSE)
            return await self.handling(sender_id)

    async def send(self, sender_id: str, agent: str, text: str, card: Optional[dict[str, str]] = None) -> Handling:
        """Write to the worker; ``agent`` empty: the agent who claimed it. With ``card`` (a practice's
        card), the message carries it as the bot's answers do (``custom.practices``), so the web chat
        draws the card and the transcript records the citation."""
        rasa = self._writer()
        text = mask(text.strip())
        async with self._lock(sender_id):
            current = await self.handling(sender_id)
            if current.state != HUMAN:
                raise TakeoverRefused(409, "not_claimed")
            if self.allowance(current) == 0:
                raise TakeoverRefused(409, "push_quota_spent")
            event = {"event": "bot", "text": text, "metadata": {AGENT_KEY: agent or current.agent or DEFAULT_AGENT}}
            if card:
                event["data"] = {"custom": {"practices": [card]}}
            await rasa.append(sender_id, [event])
            return await self.handling(sender_id)

    async def release(self, sender_id: str) -> Handling:
        rasa = self._writer()
        async with self._lock(sender_id):
            current = await self.handling(sender_id)
            if current.state != HUMAN:
                raise TakeoverRefused(409, "not_claimed")
            # The notice first, while still paused: the state changes in one step, after it.
            await self._notify(rasa, current, HANDOFF_RELEASED_RESPONSE)
            await rasa.append(sender_id, [RESUME, {"event": "slot", "name": SLOT_HANDOFF, "value": False}, LISTEN])
            return await self.handling(sender_id)

    async def requeue_idle(self, now: Optional[float] = None) -> list[str]:
        """Hand back to the queue every claimed conversation whose agent has been silent too long.

        The bot answers again meanwhile (``ConversationResumed``); the request stays, so the
        conversation is ``waiting`` at its old place in the queue.
        """
        if self.rasa is None:
            return []
        now = now or time.time()
        lapsed = [h for h in await self._read(ConversationStore.claimed)
                  if now - h.last_agent_at >= self.idle_seconds]
        for current in lapsed:
            async with self._lock(current.sender_id):
                await self._notify(self.rasa, current, HANDOFF_REQUEUED_RESPONSE)
                await self.rasa.append(current.sender_id, [RESUME, LISTEN])
            logger.info("claim of %s by %s lapsed: back in the queue", current.sender_id, current.agent)
        return [h.sender_id for h in lapsed]

    async def remind_waiting(self, now: Optional[float] = None) -> list[str]:
        """Tell each worker still in the queue, with no word for a while, that they are not forgotten."""
        if self.rasa is None:
            return []
        now = now or time.time()
        queued = [c.handling for c in await self._read(ConversationStore.queue) if c.handling]
        due = [h for h in queued if h.state == WAITING and h.reminders < MAX_REMINDERS
               and now - max(h.requested_at, h.last_bot_at) >= self.remind_seconds and self.allowance(h, now) != 0]
        for current in due:
            async with self._lock(current.sender_id):
                await self.rasa.say(current.sender_id, HANDOFF_WAITING_RESPONSE)
                await self.rasa.append(current.sender_id, [LISTEN])  # the bot answers as usual meanwhile
        return [h.sender_id for h in due]

    async def _notify(self, rasa: RasaConversations, current: Handling, response: str) -> None:
        if self.allowance(current) == 0:  # WeChat would refuse it: the state changes all the same
            logger.info("notice %s to %s not sent: push quota spent", response, current.sender_id)
            return
        await rasa.say(current.sender_id, response)

    async def sweep(self) -> None:
        """Requeue lapsed claims, forever, a few times per idle period (the web app runs this)."""
        interval = max(min(self.idle_seconds / 4, self.remind_seconds / 4, 30.0), 0.5)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.requeue_idle()
                await self.remind_waiting()
            except TakeoverRefused as refused:
                logger.warning("requeueing lapsed claims failed: %s", refused.code)
            except Exception:  # noqa: BLE001 - the sweeper must outlive one bad round
                logger.exception("requeueing lapsed claims failed")


def agent_name(body: dict[str, Any], default: str = DEFAULT_AGENT) -> str:
    """The agent named in a request body (``agent``), checked."""
    value = body.get("agent", default)
    if not isinstance(value, str) or len(value.strip()) > MAX_AGENT:
        raise TakeoverRefused(400, "bad_agent")
    return value.strip() or default


def message_text(body: dict[str, Any], default: str = "") -> str:
    """The agent's message (``text``, else ``default``): not empty, at most :data:`MAX_TEXT` characters."""
    value = body.get("text", default) or default
    if not isinstance(value, str) or not value.strip():
        raise TakeoverRefused(400, "empty_text")
    if len(value.strip()) > MAX_TEXT:
        raise TakeoverRefused(400, "text_too_long")
    return value
