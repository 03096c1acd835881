"""Late answers reach the user through the platform's message API (a local stand-in here)."""
from __future__ import annotations

import socket

from bot.channels.customer_service import CustomerServiceClient, WeComMessageClient
from tests.channels.conftest import APP_ID, APP_SECRET, OPENID


def test_the_access_token_is_fetched_once_and_reused(wechat_servers):
    api = wechat_servers.api
    client = CustomerServiceClient(APP_ID, APP_SECRET, api.base_url)
    assert wechat_servers.run(client.send_text(OPENID, "第一条")) is True
    assert wechat_servers.run(client.send_text(OPENID, "第二条")) is True
    assert [s["body"]["text"]["content"] for s in api.sent] == ["第一条", "第二条"]
    assert len(api.token_requests) == 1


def test_a_refused_token_is_renewed_once_and_the_message_still_delivered(wechat_servers):
    api = wechat_servers.api
    api.refuse_first_token = True
    client = WeComMessageClient("corp", "secret", "1000002", api.base_url)
    assert wechat_servers.run(client.send_text("lisi", "补贴怎么申请")) is True
    assert [s["access_token"] for s in api.sent] == ["TOKEN-2"]
    assert api.sent[0]["body"]["agentid"] == 1000002


def test_an_unreachable_api_is_reported_not_raised(wechat_servers):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    client = CustomerServiceClient(APP_ID, APP_SECRET, f"http://127.0.0.1:{closed_port}")
    assert wechat_servers.run(client.send_text(OPENID, "你好")) is False
