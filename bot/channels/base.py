"""What the WeChat official-account and WeCom channels share.

Both platforms call one URL: GET to verify the server, POST with one XML message
signed (and possibly AES-encrypted) with the account's token and key. The
subclasses say how to verify, open and seal; this class refuses unsigned or
stale requests (403), answers an unconfigured channel with 503, turns a message
into an `Incoming` for the `ReplyDispatcher`, and renders its answer as a
passive text reply, or "success" when the answer will come later.
"""
from __future__ import annotations

import inspect
import logging
import time
from typing import Any, Awaitable, Callable, Mapping, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.exceptions import InvalidSignatureException

from bot.channels.dispatch import Incoming, ReplyDispatcher
from bot.channels.reply import ChannelTexts, texts_from_responses, xml_safe
from bot.config import environment_value

logger = logging.getLogger(__name__)

MAX_CLOCK_SKEW = 300
"""Seconds a request's timestamp may differ from ours before it is refused as stale (replay)."""

MAX_BODY_BYTES = 256 * 1024
"""Larger bodies are refused: WeChat's messages are a few kilobytes."""


TEXT_TYPES = frozenset({"text"})
SUBSCRIBE_EVENTS = frozenset({"subscribe", "subscribe_scan"})


class Refused(Exception):
    """The request is not from the platform (bad signature, stale timestamp): answer 403."""


class Malformed(Exception):
    """The request is signed but cannot be read (bad XML or ciphertext): answer 400."""


def setting(credentials: Optional[Mapping[str, Any]], key: str, variable: str, default: str = "") -> str:
    """A channel setting: the credentials.yml value, else the environment variable, else `default`.

    Credentials are read this way because Rasa refuses a `${VAR}` in
    credentials.yml whose variable is unset, and the channel must stay harmless
    (answering 503) when it is not configured.
    """
    value = (credentials or {}).get(key)
    if value is None or str(value).strip() == "":
        value = environment_value(variable)
    return str(value).strip() or default


def seconds_setting(credentials: Optional[Mapping[str, Any]], key: str, variable: str, default: float) -> float:
    """A duration setting read like `setting`; an unreadable value falls back to `default`."""
    raw = setting(credentials, key, variable, str(default))
    try:
        value = float(raw)
    except ValueError:
        logger.warning("%s=%r is not a number of seconds: using %s", variable, raw, default)
        return default
    return value if value > 0 else default


class WeChatStyleInput(InputChannel):
    """Base of the WeChat and WeCom input channels.

    Args:
        dispatcher: runs messages once and chooses passive or late answers.
        texts: the channel's own sentences; None to read them from the running
            bot's domain (or domain.yml) on first use.
        greet_intent: the intent sent to Rasa when a user follows the account.
    """

    acknowledgement = "success"
    """The body the platform takes as "received, no reply, do not retry"."""

    def __init__(
        self, dispatcher: ReplyDispatcher, texts: Optional[ChannelTexts] = None, greet_intent: str = "greet"
    ) -> None:
        self.dispatcher = dispatcher
        self.greet_intent = greet_intent
        self._texts = texts

    # --- what each platform defines -------------------------------------------------
    @property
    def configured(self) -> bool:
        """Whether the channel has the credentials it needs to answer."""
        raise NotImplementedError

    def verify_url(self, args: Mapping[str, str]) -> str:
        """The echo string to answer a URL verification with; raises `Refused`."""
        raise NotImplementedError

    def open_message(self, args: Mapping[str, str], body: bytes) -> tuple[str, bool]:
        """The message XML in plain text and whether the reply must be encrypted.

        Raises `Refused` for a bad signature, `Malformed` for unreadable content.
        """
        raise NotImplementedError

    def parse(self, xml: str) -> Any:
        """A wechatpy message object for the XML."""
        raise NotImplementedError

    def seal_reply(self, message: Any, text: str, args: Mapping[str, str], encrypted: bool) -> str:
        """The passive text reply's XML, encrypted if `encrypted`."""
        raise NotImplementedError

    # --- shared behaviour --------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook: GET verifies the server URL, POST receives one message."""
        module = inspect.getmodule(self)
        hook = Blueprint(f"{self.name()}_webhook", module.__name__ if module else None)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.configured else "not configured"})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.text("channel not configured", status=503)
            args = _args(request)
            try:
                _check_timestamp(args)
                return response.text(self.verify_url(args))
            except Exception:  # bad signature, stale or undecryptable echo string
                return response.text("forbidden", status=403)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.text("channel not configured", status=503)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.text("message too large", status=413)
            args = _args(request)
            try:
                _check_timestamp(args)
                xml, encrypted = self.open_message(args, request.body or b"")
                if not xml.strip():
                    raise Malformed("an empty message")
                if "<!" in xml.replace("<![CDATA[", ""):
                    raise Malformed("a document type or entity declaration: WeChat never sends one")
                message = self.parse(xml)
                incoming = self.incoming(message)
            except (Refused, InvalidSignatureException):
                return response.text("forbidden", status=403)
            except Exception as error:  # malformed XML or ciphertext: a clean answer, no traceback
                logger.info("%s: unreadable message refused: %r", self.name(), error)
                return response.text("invalid message", status=400)
            if incoming is None:
                return response.text(self.acknowledgement)
            texts = self.texts(request)
            text = await self.dispatcher.answer(incoming, on_new_message, texts, self.name())
            if not text:
                return response.text(self.acknowledgement)
            xml = self.seal_reply(message, xml_safe(text), args, encrypted)
            return response.text(xml, content_type="application/xml; charset=utf-8")

        return self.dispatcher.guard.watch_pauses(hook)

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Where messages outside a turn go (an agent's, through Rasa's HTTP API): the platform's
        message API, as late answers do; None without API credentials."""
        send = self.dispatcher.send_late
        return PushOutput(self.name(), send) if send is not None else None

    def incoming(self, message: Any) -> Optional[Incoming]:
        """What to do with a message: hand a text to Rasa, greet, say a canned text, or nothing."""
        sender = str(getattr(message, "source", "") or "")
        if not sender:
            return None
        raw = getattr(message, "_data", {}) or {}
        kind = str(raw.get("MsgType") or getattr(message, "type", "") or "unknown").lower()
        message_id = getattr(message, "id", 0) or None
        key = f"{self.name()}:{message_id}" if message_id else (
            f"{self.name()}:{sender}:{raw.get('CreateTime', '')}:{raw.get('Event', '')}"
        )
        base = dict(
            key=key,
            sender_id=sender,
            message_id=str(message_id) if message_id else None,
            metadata={"platform": self.name(), "msg_type": kind},
        )
        if kind in TEXT_TYPES:
            return Incoming(text=str(getattr(message, "content", "") or ""), **base)
        if kind == "voice":
            recognition = str(getattr(message, "recognition", "") or "").strip()
            if recognition:
                return Incoming(text=recognition, **base)
            return Incoming(canned="voice_unrecognized", **base)
        if kind == "event":
            event = str(raw.get("Event") or getattr(message, "event", "") or "").lower()
            if event in SUBSCRIBE_EVENTS:
                return Incoming(text=f"/{self.greet_intent}", **base)
            return None
        return Incoming(canned="unsupported", **base)

    def texts(self, request: Request) -> ChannelTexts:
        """The channel's sentences: given, else the running bot's domain, else domain.yml."""
        if self._texts is not None:
            return self._texts
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        if domain is not None and domain.responses:
            self._texts = texts_from_responses(domain.responses)
            return self._texts
        self._texts = _texts_from_domain_file()
        return self._texts


class PushOutput(OutputChannel):
    """Sends each text through the platform's message API (WeChat's customer-service messages,
    WeCom's application messages), one API message per text: WeChat counts them against a quota."""

    def __init__(self, channel_name: str, send: Callable[[str, str], Awaitable[bool]]) -> None:
        self._name = channel_name
        self.send = send

    def name(self) -> str:  # type: ignore[override]
        return self._name

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if text.strip():
            await self.send(recipient_id, text.strip())

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: Any, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, text)  # one message, not one more per button

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Cards and the web chat's markers mean nothing in a WeChat text: nothing is sent."""


def _args(request: Request) -> dict[str, str]:
    return {key: str(request.args.get(key) or "") for key in request.args.keys()}


def _check_timestamp(args: Mapping[str, str]) -> None:
    try:
        stamp = int(args.get("timestamp", ""))
    except ValueError as error:
        raise Refused("no timestamp") from error
    if abs(time.time() - stamp) > MAX_CLOCK_SKEW:
        raise Refused("stale timestamp")


def _texts_from_domain_file() -> ChannelTexts:
    from bot import responses

    return texts_from_responses(responses.load_responses())  # empty when unreadable: the channel still answers
