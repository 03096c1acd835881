"""The socket.io channel at `/socket.io`, with personal numbers masked and a reply deadline.

Registered in `credentials.yml` by module path
(`bot.channels.socketio.MaskedSocketIOInput`), with the settings of Rasa's
`socketio` channel plus `reply_deadline` (seconds). It keeps the name
`socketio`. Compared with Rasa's channel it

- masks the user text before the `UserMessage` is built;
- answers any payload (no text, a number, a list) instead of failing on it;
- awaits ``enter_room`` (a coroutine in current python-socketio; Rasa 3.6 does
  not await it, so with session persistence no answer ever reached the user);
- sends a bot's custom JSON as ``{"custom": {...}}`` (Rasa's own channel passes it
  to ``emit`` as keyword arguments, which fails for ``{"practices": [...]}``), in the
  same event as the text and buttons of that message;
- bounds the wait with a :class:`~bot.channels.guard.ReplyGuard`.
"""
from __future__ import annotations

import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.guard import DEFAULT_DEADLINE_SECONDS, ReplyGuard

logger = logging.getLogger(__name__)


class CardSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, with custom JSON sent under ``custom`` (as the web chat reads it),
    and an answer that carries cards sent as one event: its text, buttons and cards together,
    so a client that draws the cards knows which text they replace."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if not message.get("custom"):
            await super().send_response(recipient_id, message)
            return
        event: dict[str, Any] = {"text": message["text"]} if message.get("text") else {}
        if message.get("buttons"):  # in the shape Rasa's channel gives buttons
            event["quick_replies"] = [
                {"content_type": "text", "title": b.get("title"), "payload": b.get("payload")} for b in message["buttons"]
            ]
        event["custom"] = message["custom"]
        await self._send_message(recipient_id, event)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class MaskedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with masked text, robust payload handling and a reply guard."""

    guard: ReplyGuard = ReplyGuard()

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        deadline = float(credentials.get("reply_deadline") or DEFAULT_DEADLINE_SECONDS)
        channel.guard = ReplyGuard(deadline=deadline)  # type: ignore[attr-defined]
        return channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        return CardSocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        guarded = self.guard.wrap(on_new_message)

        # These replace the handlers Rasa's blueprint registered for the same events.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):  # a coroutine since python-socketio 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {"message": data}
            if self.session_persistence:
                sender_id = data.get("session_id")
                if not sender_id:
                    logger.warning("socket.io message without session_id ignored")
                    return
            else:
                sender_id = sid
            text = data.get("message")
            text = "" if text is None else text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
            message = UserMessage(
                text,  # masked by the guard
                CardSocketIOOutput(sio, self.bot_message_evt),
                str(sender_id),
                input_channel=self.name(),
                metadata=_metadata(data.get(self.metadata_key)),
            )
            await guarded(message)

        return self.guard.watch_pauses(webhook)


def _metadata(value: Any) -> Optional[dict[str, Any]]:
    """The message metadata: a JSON object, given as such or as a string; anything else is dropped."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None
