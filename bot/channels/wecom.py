"""A WeCom (企业微信) application as a Rasa input channel.

Served at `/webhooks/wecom/webhook`. Configure it in credentials.yml under
`bot.channels.wecom.WeComInput:`; each value left empty there is read from the
environment: `WECOM_CORP_ID`, `WECOM_TOKEN`, `WECOM_ENCODING_AES_KEY`,
`WECOM_AGENT_ID`, `WECOM_SECRET`, `WECOM_API_BASE`, `WECOM_REPLY_TIMEOUT`.
Without a token and a valid key the webhook answers 503. WeCom callbacks are
always encrypted: the URL verification's echo string and every message.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Text

from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.replies import TextReply
from wechatpy.utils import to_text

from bot.channels.base import WeChatStyleInput, seconds_setting, setting
from bot.channels.customer_service import WECOM_API_BASE, WeComMessageClient
from bot.channels.dispatch import ReplyDispatcher
from bot.channels.memory import channel_memory
from bot.channels.reply import ChannelTexts

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WeComSettings:
    """A WeCom application's callback configuration (应用管理 → 接收消息).

    Attributes:
        corp_id: the company's CorpID.
        token: the callback Token; empty = channel off.
        encoding_aes_key: the callback's 43-character EncodingAESKey.
        agent_id: the application's AgentId (for late answers).
        secret: the application's Secret (for late answers).
        api_base: the API base URL (a local stand-in in tests).
        reply_timeout: seconds to wait for the assistant before answering late.
        redis_url: the Redis that several Rasa workers share (REDIS_URL): message de-duplication
            and users' choices live there; empty = in this process.
    """

    corp_id: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    agent_id: str = ""
    secret: str = ""
    api_base: str = WECOM_API_BASE
    reply_timeout: float = 4.0
    redis_url: str = ""

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "WeComSettings":
        """Settings from credentials.yml values, else `WECOM_*` environment variables."""
        return cls(
            corp_id=setting(credentials, "corp_id", "WECOM_CORP_ID"),
            token=setting(credentials, "token", "WECOM_TOKEN"),
            encoding_aes_key=setting(credentials, "encoding_aes_key", "WECOM_ENCODING_AES_KEY"),
            agent_id=setting(credentials, "agent_id", "WECOM_AGENT_ID"),
            secret=setting(credentials, "secret", "WECOM_SECRET"),
            api_base=setting(credentials, "api_base", "WECOM_API_BASE", WECOM_API_BASE),
            reply_timeout=seconds_setting(credentials, "reply_timeout", "WECOM_REPLY_TIMEOUT", 4.0),
            redis_url=setting(credentials, "redis_url", "REDIS_URL"),
        )


class WeComInput(WeChatStyleInput):
    """Receives WeCom application messages and answers them with the assistant.

    Args:
        settings: the application's configuration.
        texts: the channel's own sentences (None: read from the bot's domain).
        greet_intent: the intent a member who adds the application is greeted with.
    """

    acknowledgement = ""
    """WeCom takes an empty body as "received, the answer comes later"."""

    @classmethod
    def name(cls) -> Text:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeComInput":
        return cls(
            WeComSettings.from_credentials(credentials),
            greet_intent=setting(credentials, "greet_intent", "WECOM_GREET_INTENT", "greet"),
        )

    def __init__(
        self, settings: WeComSettings, texts: Optional[ChannelTexts] = None, greet_intent: str = "greet"
    ) -> None:
        self.settings = settings
        self.crypto = _crypto(settings)
        sender = None
        if settings.corp_id and settings.secret and settings.agent_id:
            sender = WeComMessageClient(
                settings.corp_id, settings.secret, settings.agent_id, settings.api_base
            ).send_text
        dispatcher = ReplyDispatcher(sender, settings.reply_timeout, memory=channel_memory(settings.redis_url))
        super().__init__(dispatcher, texts, greet_intent)

    @property
    def configured(self) -> bool:
        return self.crypto is not None

    def verify_url(self, args: Mapping[str, str]) -> str:
        assert self.crypto is not None
        echo = self.crypto.check_signature(
            args.get("msg_signature", ""), args["timestamp"], args.get("nonce", ""), args.get("echostr", "")
        )
        return to_text(echo)

    def open_message(self, args: Mapping[str, str], body: bytes) -> tuple[str, bool]:
        assert self.crypto is not None
        xml = self.crypto.decrypt_message(
            body, args.get("msg_signature", ""), args["timestamp"], args.get("nonce", "")
        )
        return to_text(xml), True

    def parse(self, xml: str) -> Any:
        return parse_message(xml)

    def seal_reply(self, message: Any, text: str, args: Mapping[str, str], encrypted: bool) -> str:
        assert self.crypto is not None
        xml = TextReply(content=text, message=message).render()
        return self.crypto.encrypt_message(xml, args.get("nonce", ""), args.get("timestamp") or None)


def _crypto(settings: WeComSettings) -> Optional[WeChatCrypto]:
    if not (settings.token and settings.encoding_aes_key and settings.corp_id):
        return None
    try:
        return WeChatCrypto(settings.token, settings.encoding_aes_key, settings.corp_id)
    except Exception:  # a mistyped key: the channel stays off rather than failing at start
        logger.error("WECOM_ENCODING_AES_KEY is not a valid 43-character key: the WeCom channel is off")
        return None
