"""The WeCom (企业微信) application channel, driven the way WeCom's servers drive it."""
from __future__ import annotations

import time
from typing import Iterator, Optional

import pytest
import requests
import xmltodict
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import random_string

from bot.channels.wecom import WeComInput, WeComSettings
from tests.channels.conftest import AES_KEY, sign
from tests.support.wechat import Servers

CORP_ID = "ww0123456789abcdef"
TOKEN = "wecom-token"
AGENT_ID = "1000002"
SECRET = "wecom-secret"
USER = "zhangsan"


class WeComSimulator:
    """Plays the WeCom server: encrypts and signs callbacks, decrypts the replies."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
        self._next_id = 500

    def params(self, timestamp: Optional[int] = None) -> dict:
        return {"timestamp": str(timestamp if timestamp is not None else int(time.time())),
                "nonce": random_string(10)}

    def verify(self, echo: str, params: Optional[dict] = None, token: str = TOKEN) -> requests.Response:
        params = params or self.params()
        echostr = PrpCrypto(self.crypto.key).encrypt(echo, CORP_ID).decode()
        params = {**params, "echostr": echostr,
                  "msg_signature": sign(token, params["timestamp"], params["nonce"], echostr)}
        return requests.get(self.url, params=params, timeout=5)

    def post(self, msg_type: str, params: Optional[dict] = None, msg_signature: Optional[str] = None,
             timeout: float = 10.0, **fields: str) -> requests.Response:
        self._next_id += 1
        params = params or self.params()
        message = {"ToUserName": CORP_ID, "FromUserName": USER, "CreateTime": params["timestamp"],
                   "MsgType": msg_type, "AgentID": AGENT_ID, **fields}
        if msg_type != "event":
            message["MsgId"] = str(self._next_id)
        xml = xmltodict.unparse({"xml": message}, full_document=False)
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, params["nonce"], params["timestamp"]))["xml"]
        body = xmltodict.unparse(
            {"xml": {"ToUserName": CORP_ID, "AgentID": AGENT_ID, "Encrypt": envelope["Encrypt"]}},
            full_document=False,
        )
        params = {**params, "msg_signature": msg_signature or envelope["MsgSignature"]}
        return requests.post(self.url, params=params, data=body.encode(), timeout=timeout)

    def reply(self, response: requests.Response):
        assert response.status_code == 200, response.text
        envelope = xmltodict.parse(response.text)["xml"]
        xml = self.crypto.decrypt_message(response.text, envelope["MsgSignature"], envelope["TimeStamp"],
                                          envelope["Nonce"])
        return parse_message(xml)


@pytest.fixture()
def wecom_servers(bot, texts) -> Iterator[Servers]:
    def make(api_base: str) -> WeComInput:
        settings = WeComSettings(corp_id=CORP_ID, token=TOKEN, encoding_aes_key=AES_KEY, agent_id=AGENT_ID,
                                 secret=SECRET, api_base=api_base)
        return WeComInput(settings, texts=texts)

    servers = Servers(make, bot)
    yield servers
    servers.close()


@pytest.fixture()
def wecom(wecom_servers) -> WeComSimulator:
    return WeComSimulator(wecom_servers.url)


def test_encrypted_url_verification_answers_the_decrypted_echo(wecom):
    response = wecom.verify("5927782489442352469")
    assert (response.status_code, response.text) == (200, "5927782489442352469")


def test_url_verification_signed_with_another_token_is_refused(wecom):
    assert wecom.verify("123", token="other-token").status_code == 403


def test_url_verification_with_a_stale_timestamp_is_refused(wecom):
    assert wecom.verify("123", params=wecom.params(timestamp=int(time.time()) - 600)).status_code == 403


def test_an_encrypted_text_gets_an_encrypted_reply_from_the_app(wecom, bot):
    response = wecom.post("text", Content="欠薪找谁")
    assert "欠薪" not in response.text
    reply = wecom.reply(response)
    assert (reply.type, reply.content, reply.target, str(reply.agent)) == ("text", "收到：欠薪找谁", USER, AGENT_ID)
    [message] = bot.calls
    assert (message.sender_id, message.input_channel, message.text) == (USER, "wecom", "欠薪找谁")


def test_a_member_who_adds_the_app_is_greeted(wecom, bot):
    reply = wecom.reply(wecom.post("event", Event="subscribe"))
    assert reply.content == "您好，我是建筑工人政策助手。"
    assert bot.texts() == ["/greet"]


def test_a_picture_gets_the_polite_reply(wecom, bot, texts):
    reply = wecom.reply(wecom.post("image", PicUrl="http://example.invalid/p.jpg", MediaId="m"))
    assert reply.content == texts.unsupported
    assert bot.calls == []


@pytest.mark.parametrize(
    "params, msg_signature",
    [
        pytest.param(None, "0" * 40, id="wrong signature"),
        pytest.param({"timestamp": str(int(time.time()) - 3600), "nonce": "n"}, None, id="stale"),
    ],
)
def test_forged_or_replayed_callbacks_are_refused(wecom, bot, params, msg_signature):
    response = wecom.post("text", params=params, msg_signature=msg_signature, Content="你好")
    assert response.status_code == 403
    assert bot.calls == []


def test_a_slow_answer_is_acknowledged_and_sent_through_the_app_message_api(wecom, wecom_servers, bot):
    started = time.monotonic()
    first = wecom.post("text", Content="慢")
    assert (first.status_code, first.text) == (200, "")
    assert time.monotonic() - started < 5.0
    [sent] = wecom_servers.api.wait_for_sent(1, timeout=5)
    assert sent["path"] == "/cgi-bin/message/send"
    assert sent["body"] == {"touser": USER, "msgtype": "text", "agentid": int(AGENT_ID),
                            "text": {"content": "这是慢慢查到的答案。"}}
    assert wecom_servers.api.token_requests == [{"corpid": CORP_ID, "corpsecret": SECRET}]
    assert bot.texts() == ["慢"]
