"""Answer each WeChat-style message once, in time or late.

WeChat (and WeCom) wait five seconds for the passive reply and then send the
same message again, up to three times. `ReplyDispatcher` runs Rasa once per
message id, answers passively when Rasa is done within the reply timeout, and
otherwise acknowledges at once and delivers the answer later through the
platform's message API. It also remembers, per user, the numbered choices last
shown (so "2" means the second button) and the pages of a long answer not yet
shown (so "更多" shows the next one without asking Rasa again). What it remembers
is in a `ChannelMemory` (`bot.channels.memory`): Redis when several Rasa workers or
instances share the channel, so a retry landing on another worker is not processed again. Each turn goes
through the same `ReplyGuard` as the other channels: the text is masked there,
and a turn that fails or outlasts the guard's deadline is answered with the
domain's apology instead of nothing.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.guard import LATE_DEADLINE_SECONDS, ReplyGuard
from bot.channels.memory import ChannelMemory, LocalMemory, UserState
from bot.channels.reply import ChannelTexts, asks_for_more, choice_payload, compose_reply, paginate

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
SendText = Callable[[str, str], Awaitable[bool]]
"""Delivers a late answer: (recipient, text) → whether the platform accepted it."""


@dataclass(frozen=True)
class Incoming:
    """One message from a user, reduced to what the assistant acts on.

    Attributes:
        key: identifies the message across retries (MsgId, or user + time for events).
        sender_id: the user (WeChat OpenID or WeCom UserID): conversation and recipient.
        text: the text to hand to Rasa (typed, recognised from voice, or an intent).
        canned: instead of Rasa, answer with this attribute of `ChannelTexts`.
        message_id: the platform's message id, stored with the user message.
        metadata: passed to Rasa with the message.
    """

    key: str
    sender_id: str
    text: Optional[str] = None
    canned: Optional[str] = None
    message_id: Optional[str] = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


class ReplyDispatcher:
    """Runs each message once and decides between a passive and a late answer.

    Args:
        send_late: delivers an answer that missed the passive window; None when the
            channel has no API credentials (the late answer is then only logged).
        reply_timeout: seconds to wait for Rasa before acknowledging instead.
        memory: what this process shares with the channel's other workers (message deliveries,
            users' choices and pages); this process's own memory by default.
        guard: masks the text and bounds the turn (the late answer included), as on every channel.
    """

    def __init__(
        self,
        send_late: Optional[SendText],
        reply_timeout: float = 4.0,
        memory: Optional[ChannelMemory] = None,
        guard: Optional[ReplyGuard] = None,
    ) -> None:
        self.send_late = send_late
        self.guard = guard or ReplyGuard(deadline=LATE_DEADLINE_SECONDS)
        self.reply_timeout = reply_timeout
        self.memory = memory or LocalMemory()
        self._processing: set["asyncio.Task[None]"] = set()  # referenced until done (asyncio keeps weak ones)

    async def answer(
        self, incoming: Incoming, on_new_message: OnNewMessage, texts: ChannelTexts, input_channel: str
    ) -> Optional[str]:
        """The text to reply passively now, or None to acknowledge without a text.

        The first delivery of a message starts its processing, here; a retry (here or on
        another worker) waits for the same processing, or is acknowledged when the answer is
        already on its way through the message API.
        """
        if await self.memory.claim(incoming.key):
            task = asyncio.create_task(self._process(incoming, on_new_message, texts, input_channel))
            self._processing.add(task)
            task.add_done_callback(self._processing.discard)
        try:
            await self.memory.wait(incoming.key, self.reply_timeout)
        finally:  # also when WeChat hangs up: from then on the answer can only come late
            reply = await asyncio.shield(self.memory.reply_now(incoming.key))
        if reply is None:
            logger.info("no passive answer to %s: acknowledged (late answers go through the message API)",
                        incoming.key)
        return reply

    async def _process(
        self, incoming: Incoming, on_new_message: OnNewMessage, texts: ChannelTexts, input_channel: str
    ) -> None:
        try:
            reply = await self._reply_for(incoming, on_new_message, texts, input_channel)
        except Exception:  # a failing turn must never surface as a traceback to WeChat
            logger.exception("processing %s failed", incoming.key)
            reply = None
        if await self.memory.finish(incoming.key, reply) or not reply:
            return
        if self.send_late is None:
            logger.warning("late answer to %s dropped: no message API credentials", incoming.key)
        else:
            await self.send_late(incoming.sender_id, reply)

    async def _reply_for(
        self, incoming: Incoming, on_new_message: OnNewMessage, texts: ChannelTexts, input_channel: str
    ) -> Optional[str]:
        if incoming.canned is not None:
            pages = paginate(getattr(texts, incoming.canned, ""), texts.more_prompt)
            return pages[0] if pages else None
        user = f"{input_channel}:{incoming.sender_id}"
        state = await self.memory.user(user)
        text = incoming.text or ""
        if state.pages and asks_for_more(text):
            await self.memory.remember(user, UserState(state.choices, state.pages[1:]))
            return state.pages[0]
        text = choice_payload(text, state.choices) or text
        collector = CollectingOutputChannel()
        await self.guard.handle(
            UserMessage(
                text,
                collector,
                incoming.sender_id,
                input_channel=input_channel,
                message_id=incoming.message_id,
                metadata=dict(incoming.metadata),
            ),
            on_new_message,
        )
        composed = compose_reply(collector.messages, texts)
        await self.memory.remember(user, UserState(composed.choices, composed.pages[1:]))
        return composed.pages[0] if composed.pages else None
