"""A worker on the WeChat official account (messages built and signed by wechatpy) is answered by an
agent through WeChat's customer-service message API, here the local stand-in that records what is
sent, against the real Rasa and action servers. WeChat takes only a few such messages per message
of the worker: the console says when they are spent, and the API refuses more.
"""
from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from bot.vocabulary import HANDOFF_JOINED_RESPONSE, HANDOFF_RELEASED_RESPONSE
from bot.web.templating import message
from tests.channels.conftest import WeChatSimulator
from tests.support.chat_page import domain_response
from tests.support.clients import wait_until
from tests.support.console import STAFF, conversation, get, post, takeover_console

QUOTA = 3  # customer-service messages per worker message, set low to reach it in a test
SENT_WAIT = 15.0


@pytest.fixture(scope="module")
def console(knowledge_base, stack) -> Iterator[str]:
    with takeover_console(knowledge_base, stack, wechat_push_quota=QUOTA) as url:
        yield url


@pytest.fixture()
def worker(stack) -> WeChatSimulator:
    return WeChatSimulator(f"{stack.rasa_url}/webhooks/wechat/webhook", open_id=f"o-{uuid.uuid4().hex[:12]}")


def pushed_to(wechat_api, open_id: str, at_least: int) -> list[str]:
    """The texts the stand-in of WeChat's customer-service API received for this follower (waiting a
    little for ``at_least`` of them: Rasa pushes them just after answering the console)."""
    def texts() -> list[str]:
        return [s["body"]["text"]["content"] for s in list(wechat_api.sent)
                if s["path"] == "/cgi-bin/message/custom/send" and s["body"]["touser"] == open_id]

    wait_until(lambda: len(texts()) >= at_least, SENT_WAIT, 0.1)
    return texts()


def test_an_agent_answers_a_wechat_worker_through_customer_service_messages(console, worker, wechat_api):
    assert "出处" in worker.say("包工头欠钱不给咋办")
    assert worker.say("转人工") == domain_response("utter_handoff")["text"]
    sender = worker.open_id
    assert conversation(console, sender)["channel"] == "wechat"

    assert post(console, f"/api/conversations/{sender}/takeover", {"agent": "王芳"}).status_code == 200
    assert pushed_to(wechat_api, sender, 1) == [domain_response(HANDOFF_JOINED_RESPONSE)["text"]]

    # The worker writes: no passive reply from the bot (WeChat's "success"), the agent sees it.
    silent = worker.post(worker.message("text", Content="老板欠了两个月工资"))
    assert silent.status_code == 200 and silent.text == "success"
    view = conversation(console, sender)
    assert view["messages"][-1]["text"] == "老板欠了两个月工资" and view["push_allowance"] == QUOTA

    replies = [f"您好，请问工地在哪个城市？（{n}）" for n in range(QUOTA)]
    for reply in replies:
        assert post(console, f"/api/conversations/{sender}/messages", {"text": reply}).status_code == 200
    assert pushed_to(wechat_api, sender, 1 + QUOTA)[1:] == replies

    refused = post(console, f"/api/conversations/{sender}/messages", {"text": "还在吗？"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "push_quota_spent")
    assert conversation(console, sender)["push_allowance"] == 0
    live = get(console, f"/console/conversations/{sender}/live", headers=STAFF)
    assert message("push_quota_spent")["zh"] in live.text  # the console says the quota is spent
    assert len(pushed_to(wechat_api, sender, 0)) == 1 + QUOTA  # nothing more went to WeChat

    # The worker writes again: the agent may write again, then hands back to the bot.
    assert worker.post(worker.message("text", Content="在东莞")).text == "success"
    assert conversation(console, sender)["push_allowance"] == QUOTA
    assert post(console, f"/api/conversations/{sender}/release").status_code == 200
    assert pushed_to(wechat_api, sender, 2 + QUOTA)[-1] == domain_response(HANDOFF_RELEASED_RESPONSE)["text"]
    assert "实名" in worker.say("工地要刷脸吗")  # the bot answers passively again
