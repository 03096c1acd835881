"""The WeChat official account (公众号) as a Rasa input channel.

Served at `/webhooks/wechat/webhook`. Configure it in credentials.yml under
`bot.channels.wechat.WeChatInput:`; each value left empty there is read from
the environment: `WECHAT_TOKEN`, `WECHAT_APPID`, `WECHAT_ENCODING_AES_KEY`,
`WECHAT_APPSECRET`, `WECHAT_API_BASE`, `WECHAT_REPLY_TIMEOUT`. Without a token
the webhook answers 503. Plaintext, compatible and safe (AES) modes are all
accepted: a request with `encrypt_type=aes` is decrypted and answered encrypted.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Text

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature, to_text

from bot.channels.base import Malformed, WeChatStyleInput, seconds_setting, setting
from bot.channels.customer_service import WECHAT_API_BASE, CustomerServiceClient
from bot.channels.dispatch import ReplyDispatcher
from bot.channels.memory import channel_memory
from bot.channels.reply import ChannelTexts

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WeChatSettings:
    """An official account's server configuration (公众号 → 基本配置 → 服务器配置).

    Attributes:
        token: the Token shared with WeChat for signatures; empty = channel off.
        app_id: the AppID (needed for AES mode and the customer-service API).
        encoding_aes_key: the 43-character EncodingAESKey (AES and compatible modes).
        app_secret: the AppSecret (customer-service API, for late answers).
        api_base: the API base URL (a local stand-in in tests).
        reply_timeout: seconds to wait for the assistant before answering late.
        redis_url: the Redis that several Rasa workers share (REDIS_URL): message de-duplication
            and users' choices live there; empty = in this process.
    """

    token: str = ""
    app_id: str = ""
    encoding_aes_key: str = ""
    app_secret: str = ""
    api_base: str = WECHAT_API_BASE
    reply_timeout: float = 4.0
    redis_url: str = ""

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]]) -> "WeChatSettings":
        """Settings from credentials.yml values, else `WECHAT_*` environment variables."""
        return cls(
            token=setting(credentials, "token", "WECHAT_TOKEN"),
            app_id=setting(credentials, "app_id", "WECHAT_APPID"),
            encoding_aes_key=setting(credentials, "encoding_aes_key", "WECHAT_ENCODING_AES_KEY"),
            app_secret=setting(credentials, "app_secret", "WECHAT_APPSECRET"),
            api_base=setting(credentials, "api_base", "WECHAT_API_BASE", WECHAT_API_BASE),
            reply_timeout=seconds_setting(credentials, "reply_timeout", "WECHAT_REPLY_TIMEOUT", 4.0),
            redis_url=setting(credentials, "redis_url", "REDIS_URL"),
        )


class WeChatInput(WeChatStyleInput):
    """Receives official-account messages and answers them with the assistant.

    Args:
        settings: the account's configuration.
        texts: the channel's own sentences (None: read from the bot's domain).
        greet_intent: the intent a new follower is greeted with.
    """

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        return cls(
            WeChatSettings.from_credentials(credentials),
            greet_intent=setting(credentials, "greet_intent", "WECHAT_GREET_INTENT", "greet"),
        )

    def __init__(
        self, settings: WeChatSettings, texts: Optional[ChannelTexts] = None, greet_intent: str = "greet"
    ) -> None:
        self.settings = settings
        self.crypto = _crypto(settings)
        sender = None
        if settings.app_id and settings.app_secret:
            sender = CustomerServiceClient(settings.app_id, settings.app_secret, settings.api_base).send_text
        dispatcher = ReplyDispatcher(sender, settings.reply_timeout, memory=channel_memory(settings.redis_url))
        super().__init__(dispatcher, texts, greet_intent)

    @property
    def configured(self) -> bool:
        return bool(self.settings.token) and (self.crypto is not None or not self.settings.encoding_aes_key)

    def verify_url(self, args: Mapping[str, str]) -> str:
        check_signature(self.settings.token, args.get("signature", ""), args["timestamp"], args.get("nonce", ""))
        return args.get("echostr", "")

    def open_message(self, args: Mapping[str, str], body: bytes) -> tuple[str, bool]:
        timestamp, nonce = args["timestamp"], args.get("nonce", "")
        check_signature(self.settings.token, args.get("signature", ""), timestamp, nonce)
        if args.get("encrypt_type", "raw").lower() != "aes":
            return to_text(body), False
        if self.crypto is None:
            raise Malformed("an AES message, but no EncodingAESKey is configured")
        xml = self.crypto.decrypt_message(body, args.get("msg_signature", ""), timestamp, nonce)
        return to_text(xml), True

    def parse(self, xml: str) -> Any:
        return parse_message(xml)

    def seal_reply(self, message: Any, text: str, args: Mapping[str, str], encrypted: bool) -> str:
        xml = TextReply(content=text, message=message).render()
        if encrypted and self.crypto is not None:
            return self.crypto.encrypt_message(xml, args.get("nonce", ""), args.get("timestamp") or None)
        return xml


def _crypto(settings: WeChatSettings) -> Optional[WeChatCrypto]:
    if not settings.encoding_aes_key:
        return None
    try:
        return WeChatCrypto(settings.token, settings.encoding_aes_key, settings.app_id)
    except Exception:  # a mistyped key: the channel stays off rather than failing at start
        logger.error("WECHAT_ENCODING_AES_KEY is not a valid 43-character key: the WeChat channel is off")
        return None
