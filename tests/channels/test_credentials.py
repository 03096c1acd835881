"""credentials.yml opens every channel; WeChat and WeCom stay harmless until configured."""
from __future__ import annotations

import pytest
import requests
from rasa.core.run import create_http_input_channels
from rasa.shared.core.domain import Domain

from bot.channels.reply import RESPONSE_NAMES
from bot.channels.wechat import WeChatInput
from bot.config import ROOT
from tests.channels.conftest import AES_KEY
from tests.support.wechat import Servers

CHANNEL_VARIABLES = [
    "WECHAT_TOKEN", "WECHAT_APPID", "WECHAT_ENCODING_AES_KEY", "WECHAT_APPSECRET", "WECHAT_API_BASE",
    "WECOM_CORP_ID", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY", "WECOM_AGENT_ID", "WECOM_SECRET",
]


@pytest.fixture()
def no_channel_settings(monkeypatch):
    for name in CHANNEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def channels() -> dict:
    return {c.name(): c for c in create_http_input_channels(None, str(ROOT / "credentials.yml"))}


def test_credentials_open_rest_socketio_wechat_and_wecom_without_any_setting(no_channel_settings):
    opened = channels()
    assert sorted(opened) == ["rest", "socketio", "wechat", "wecom"]
    assert opened["socketio"].session_persistence is True
    assert not opened["wechat"].configured and not opened["wecom"].configured


def test_channel_settings_come_from_the_environment(no_channel_settings, monkeypatch):
    values = {"WECHAT_TOKEN": "t", "WECHAT_APPID": "wxid", "WECHAT_ENCODING_AES_KEY": AES_KEY,
              "WECHAT_APPSECRET": "s", "WECHAT_API_BASE": "http://127.0.0.1:9", "WECOM_CORP_ID": "ww",
              "WECOM_TOKEN": "t2", "WECOM_ENCODING_AES_KEY": AES_KEY}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    opened = channels()
    assert opened["wechat"].configured and opened["wecom"].configured
    assert opened["wechat"].settings.api_base == "http://127.0.0.1:9"
    assert opened["wecom"].settings.api_base == "https://qyapi.weixin.qq.com"


def test_a_mistyped_aes_key_leaves_the_channel_off(no_channel_settings, monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", "t")
    monkeypatch.setenv("WECHAT_ENCODING_AES_KEY", "too-short")
    assert not channels()["wechat"].configured


def test_an_unconfigured_webhook_answers_503(no_channel_settings, bot):
    servers = Servers(lambda api_base: WeChatInput.from_credentials(None), bot)
    try:
        assert requests.get(servers.url, params={"echostr": "1"}, timeout=5).status_code == 503
        assert requests.post(servers.url, data=b"<xml/>", timeout=5).status_code == 503
        health = requests.get(servers.url.rsplit("/", 1)[0] + "/", timeout=5).json()
        assert health == {"status": "not configured"}
    finally:
        servers.close()
    assert bot.calls == []


def test_the_domain_holds_every_sentence_the_channels_say():
    responses = Domain.load(str(ROOT / "domain.yml")).responses
    missing = [name for name in RESPONSE_NAMES.values() if not responses.get(name)]
    assert missing == []


@pytest.mark.parametrize("value, seconds", [("2.5", 2.5), ("abc", 4.0), ("-1", 4.0), ("", 4.0)])
def test_the_reply_timeout_is_read_from_the_environment(no_channel_settings, monkeypatch, value, seconds):
    monkeypatch.setenv("WECHAT_REPLY_TIMEOUT", value)
    monkeypatch.setenv("WECOM_REPLY_TIMEOUT", value)
    opened = channels()
    assert opened["wechat"].settings.reply_timeout == seconds
    assert opened["wecom"].settings.reply_timeout == seconds
