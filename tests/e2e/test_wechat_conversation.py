"""A worker on a WeChat official account talks to the real assistant (messages built by wechatpy)."""
from __future__ import annotations

import pytest

from tests.channels.conftest import WeChatSimulator


@pytest.fixture()
def wechat(stack) -> WeChatSimulator:
    stack.rest("warm-up", "你好")  # the first turn of a fresh server loads its graph
    return WeChatSimulator(f"{stack.rasa_url}/webhooks/wechat/webhook")


@pytest.mark.parametrize("mode", ["plain", "aes"])
def test_a_wage_question_gets_one_reply_with_practices_sources_and_numbered_choices(wechat, mode):
    response = wechat.post(wechat.message("text", Content="包工头欠钱不给咋办"), mode=mode)
    reply = wechat.reply(response, encrypted=mode == "aes")
    assert reply.type == "text"
    text = reply.content
    assert "出处：《培育新时代建筑产业工人可复制经验做法清单（第一批）》" in text
    assert "五（" in text and "通用提示" in text
    assert len(text.encode("utf-8")) <= 2048
    assert "1. 【" in text and "[1] " in text  # practices numbered, choices in brackets


def test_a_digit_answers_the_numbered_choice_and_voice_uses_the_recognition(wechat):
    first = wechat.say("工地要刷脸吗")
    assert "实名" in first
    voice = wechat.reply(wechat.post(wechat.message("voice", MediaId="m1", Format="amr", Recognition="考焊工证有补贴没")))
    assert "出处" in voice.content
