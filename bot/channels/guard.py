"""Never leave a user in silence, never let a raw personal number in.

:class:`ReplyGuard` wraps the ``on_new_message`` handler Rasa gives an input
channel. For each user message it

1. masks identity card, mobile and bank card numbers in the text
   (:func:`bot.channels.privacy.mask`), before Rasa parses, stores or logs anything,
   and hands an empty or blank message to Rasa as the fallback intent (so the
   user is asked to rephrase);
2. runs Rasa's turn with a deadline (8 s by default);
3. sends the apology (``utter_service_unavailable`` in ``domain.yml``: sorry,
   and how to reach a person) when the turn failed, produced no bot message,
   or is still running at the deadline; a turn of a conversation that an agent has
   taken over (Rasa's ``ConversationPaused``) is silent on purpose and gets none.

A turn still running at the deadline is not cancelled: it goes on in the
background, so the user's message and whatever the bot answers late are still
stored in the tracker (and, on socket.io, the late answer still reaches the
user). Rasa 3.6 waits up to 300 s for the action server and has no setting to
shorten that, so this deadline is the bound the user sees.

`bot.running.rasa_patches` removes the largest cost the profile
showed in a turn that calls the action server (see `docs/benchmarks.md`).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.privacy import mask_optional

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

DEFAULT_DEADLINE_SECONDS = 8.0
# WeChat and WeCom answer a late turn through their message API, so a turn may run longer there.
LATE_DEADLINE_SECONDS = 30.0
"""Seconds a user waits at most before the apology."""

BLANK_INTENT = "nlu_fallback"
"""The intent of an empty or blank message: Rasa's NLU finds none, the fallback rule asks to rephrase."""

APOLOGY_RESPONSES = ("utter_service_unavailable", "utter_general_guidance")
"""Responses of `domain.yml` sent as the apology: the first one the domain has."""


class CountingOutput(OutputChannel):
    """An output channel that passes every message on and counts them.

    Args:
        inner: the channel the messages really go to.
    """

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    def __getattribute__(self, attribute: str) -> Any:
        # The other send_* methods (text, buttons, images, custom JSON) may be called directly,
        # not only through send_response: each goes to the inner channel's own, and is counted.
        if attribute.startswith("send_") and attribute != "send_response":
            inner_method = getattr(object.__getattribute__(self, "inner"), attribute)

            async def counted(*args: Any, **kwargs: Any) -> Any:
                object.__setattr__(self, "sent", object.__getattribute__(self, "sent") + 1)
                return await inner_method(*args, **kwargs)

            return counted
        return object.__getattribute__(self, attribute)

    def __getattr__(self, attribute: str) -> Any:
        # `messages`, `latest_output()` and the like of the wrapped channel.
        return getattr(self.inner, attribute)


class ReplyGuard:
    """Masks user text and bounds how long a user waits for an answer.

    Args:
        deadline: seconds before the apology is sent for a turn still running.
        apology: the messages of the apology; None to read them from `domain.yml`.
    """

    def __init__(
        self, deadline: float = DEFAULT_DEADLINE_SECONDS, apology: Optional[list[dict[str, Any]]] = None
    ) -> None:
        self.deadline = deadline
        self._apology = apology
        self._background: set["asyncio.Future[Any]"] = set()
        self._app: Any = None  # the Rasa server's Sanic app, once it starts (see `watch_pauses`)

    @property
    def apology(self) -> list[dict[str, Any]]:
        """The apology's messages (text and buttons), as the domain defines them."""
        if self._apology is None:
            self._apology = apology_messages()
        return self._apology

    def watch_pauses(self, blueprint: Any) -> Any:
        """Let the guard see the running agent (from the blueprint's server), so that it can tell a
        conversation an agent has taken over from a turn that failed to answer."""

        @blueprint.listener("before_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

        return blueprint

    async def paused(self, sender_id: str) -> bool:
        """Whether a person has this conversation (Rasa's tracker is paused): the bot stays silent."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return False
        try:
            tracker = await store.retrieve(sender_id)
        except Exception:  # an unreadable store: better an apology too many than silence
            logger.warning("tracker of %s not readable", sender_id, exc_info=True)
            return False
        return bool(tracker is not None and tracker.is_paused())

    def wrap(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """The handler to give Rasa's channel blueprint instead of `on_new_message`."""

        async def guarded(message: UserMessage) -> None:
            await self.handle(message, on_new_message)

        return guarded

    async def handle(self, message: UserMessage, on_new_message: OnNewMessage) -> bool:
        """Runs one turn; returns True when the user got the bot's own answer."""
        message.text = mask_optional(message.text)
        if not (message.text or "").strip() and not message.parse_data:
            message.parse_data = {"intent": {"name": BLANK_INTENT, "confidence": 1.0}, "entities": [],
                                  "text": message.text or ""}
        original = message.output_channel
        counting = CountingOutput(original)
        message.output_channel = counting
        turn = asyncio.ensure_future(on_new_message(message))
        done, _ = await asyncio.wait({turn}, timeout=self.deadline)
        late = turn not in done
        if late:
            logger.warning("turn of %s still running after %.1fs: apology sent", message.sender_id, self.deadline)
            self._background.add(turn)
            turn.add_done_callback(self._finished_late)
        elif turn.exception() is not None:
            logger.error("turn of %s failed", message.sender_id, exc_info=turn.exception())
        if not late and not counting.sent and await self.paused(message.sender_id):
            return True
        if late or not counting.sent:
            await self._apologise(original, message.sender_id)
            return False
        return True

    async def _apologise(self, output: OutputChannel, recipient_id: str) -> None:
        for response in self.apology:
            try:
                await output.send_response(recipient_id, dict(response))
            except Exception:  # a broken connection: nothing more to do for this user
                logger.warning("apology to %s not delivered", recipient_id, exc_info=True)
                return

    def _finished_late(self, turn: "asyncio.Future[Any]") -> None:
        self._background.discard(turn)
        if not turn.cancelled() and turn.exception() is not None:
            logger.error("late turn failed", exc_info=turn.exception())


def apology_messages() -> list[dict[str, Any]]:
    """The first response of :data:`APOLOGY_RESPONSES` that `domain.yml` defines.

    Returns:
        Its first variation as a message (``text`` and ``buttons``); empty when the
        domain defines none of them or cannot be read.
    """
    from bot import responses

    for name in APOLOGY_RESPONSES:
        variation = responses.first_variation(name)
        if variation:
            return [{key: value for key, value in variation.items() if key in ("text", "buttons", "custom")}]
    logger.error("domain.yml defines none of %s", ", ".join(APOLOGY_RESPONSES))
    return []
