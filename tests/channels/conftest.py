"""Fixtures for the channel tests: the channel on a real Sanic server, driven like WeChat would."""
from __future__ import annotations

import time
from typing import Iterator, Optional

import pytest
import requests
import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner, random_string

from bot.channels.reply import ChannelTexts, texts_from_responses
from bot.channels.wechat import WeChatInput, WeChatSettings
from tests.support.wechat import Servers, StubBot

TOKEN = "test-token"
APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
ACCOUNT = "gh_account"
OPENID = "o-worker-openid"

RESPONSES = {
    "utter_wechat_unsupported": [{"text": "抱歉，我暂时只能看懂文字和语音。"}],
    "utter_wechat_voice_unrecognized": [{"text": "抱歉，没听清您的语音，请再说一遍或直接打字。"}],
    "utter_wechat_more_prompt": [{"text": "（回复'更多'查看余下内容）"}],
    "utter_wechat_choose_hint": [{"text": "回复数字即可选择。"}],
}
"""The channel's sentences as domain.yml holds them."""


@pytest.fixture(scope="session")
def texts() -> ChannelTexts:
    return texts_from_responses(RESPONSES)


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


class WeChatSimulator:
    """Plays the WeChat server: signs (and encrypts) messages and reads the replies with wechatpy."""

    def __init__(self, url: str, open_id: str = OPENID) -> None:
        self.url = url
        self.open_id = open_id  # the worker (a conversation of its own)
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
        self._next_id = time.time_ns() // 1000  # MsgIds are unique across conversations, as in WeChat

    def message(self, msg_type: str, **fields: str) -> dict:
        """The fields of a message from the worker to the account, with a fresh MsgId."""
        self._next_id += 1
        base = {"ToUserName": ACCOUNT, "FromUserName": self.open_id, "CreateTime": str(int(time.time())),
                "MsgType": msg_type}
        if msg_type != "event":
            base["MsgId"] = str(self._next_id)
        return {**base, **fields}

    def params(self, timestamp: Optional[int] = None, token: str = TOKEN) -> dict:
        stamp, nonce = str(timestamp if timestamp is not None else int(time.time())), random_string(10)
        return {"signature": sign(token, stamp, nonce), "timestamp": stamp, "nonce": nonce, "openid": self.open_id}

    def post(self, fields: Optional[dict] = None, body: Optional[bytes] = None, mode: str = "plain",
             params: Optional[dict] = None, timeout: float = 10.0) -> requests.Response:
        """POSTs a message as WeChat does in plaintext, compatible or safe (AES) mode."""
        params = params or self.params()
        if body is None:
            xml = xmltodict.unparse({"xml": fields}, full_document=False)
            if mode == "plain":
                body = xml.encode("utf-8")
            else:
                envelope = xmltodict.parse(self.crypto.encrypt_message(xml, params["nonce"], params["timestamp"]))["xml"]
                params = {**params, "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
                outer = {"ToUserName": ACCOUNT, "Encrypt": envelope["Encrypt"]}
                if mode == "compatible":
                    outer = {**fields, "Encrypt": envelope["Encrypt"]}
                body = xmltodict.unparse({"xml": outer}, full_document=False).encode("utf-8")
        return requests.post(self.url, params=params, data=body, timeout=timeout)

    def reply(self, response: requests.Response, encrypted: bool = False):
        """The wechatpy message object of a passive reply (decrypted and its signature checked)."""
        assert response.status_code == 200, response.text
        xml = response.text
        if encrypted:
            envelope = xmltodict.parse(xml)["xml"]
            xml = self.crypto.decrypt_message(xml, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
        return parse_message(xml)

    def say(self, text: str) -> str:
        """Sends a text message and returns the text of the passive reply."""
        return self.reply(self.post(self.message("text", Content=text))).content


@pytest.fixture()
def bot() -> StubBot:
    return StubBot()


@pytest.fixture()
def wechat_servers(bot: StubBot, texts: ChannelTexts) -> Iterator[Servers]:
    """The WeChat channel (AES key and API credentials set) on loopback, with the API stand-in."""
    def make(api_base: str) -> WeChatInput:
        settings = WeChatSettings(token=TOKEN, app_id=APP_ID, encoding_aes_key=AES_KEY,
                                  app_secret=APP_SECRET, api_base=api_base)
        return WeChatInput(settings, texts=texts)

    servers = Servers(make, bot)
    yield servers
    servers.close()


@pytest.fixture()
def wechat(wechat_servers: Servers) -> WeChatSimulator:
    return WeChatSimulator(wechat_servers.url)
