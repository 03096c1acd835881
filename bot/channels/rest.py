"""The REST channel at `/webhooks/rest/webhook`, with personal numbers masked and a reply deadline.

Registered in `credentials.yml` by module path (`bot.channels.rest.MaskedRestInput`)
because the key `rest` names Rasa's own class. The channel keeps the name
`rest`, so its URL (Rasa builds it from `name()`) and the `input_channel`
stored with each message stay as with Rasa's channel.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from bot.channels.guard import DEFAULT_DEADLINE_SECONDS, ReplyGuard


class MaskedRestInput(RestInput):
    """Rasa's REST channel, each turn through the reply guard (masking, deadline, apology).

    Args:
        guard: masks the text, bounds the wait for an answer and sends the apology.
    """

    def __init__(self, guard: Optional[ReplyGuard] = None) -> None:
        self.guard = guard or ReplyGuard()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> InputChannel:
        """`reply_deadline` (seconds) may be set in credentials.yml."""
        deadline = float((credentials or {}).get("reply_deadline") or DEFAULT_DEADLINE_SECONDS)
        return cls(ReplyGuard(deadline=deadline))

    def _extract_message(self, req: Request) -> Optional[str]:
        body = req.json if isinstance(req.json, dict) else {}
        text = body.get("message")
        return text if text is None or isinstance(text, str) else str(text)  # masked by the guard

    async def _extract_sender(self, req: Request) -> Optional[str]:
        body = req.json if isinstance(req.json, dict) else {}
        sender = body.get("sender")
        return None if sender is None else str(sender)

    def _extract_input_channel(self, req: Request) -> str:
        body = req.json if isinstance(req.json, dict) else {}
        given = body.get("input_channel")
        return given if isinstance(given, str) and given else self.name()

    def get_metadata(self, request: Request) -> Optional[dict[str, Any]]:
        body = request.json if isinstance(request.json, dict) else {}
        metadata = body.get("metadata")
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return self.guard.watch_pauses(super().blueprint(self.guard.wrap(on_new_message)))
