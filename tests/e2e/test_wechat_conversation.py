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


def test_a_typical_answer_is_one_wechat_reply_with_each_practice_once(wechat):
    """"包工头欠钱不给咋办，我在东莞" on WeChat: one text (no "回复更多" page break) where each practice
    appears once with its 要点, one 出处 line, and the digit of each practice opens its full text."""
    from bot import responses
    from bot.kb.service import get_knowledge_base

    text = wechat.say("包工头欠钱不给咋办，我在东莞")
    assert responses.text("utter_wechat_more_prompt") not in text and len(text.encode("utf-8")) <= 2048
    assert text.count("出处：") == 1 and text.count("要点：") == 3
    titles = [p.title for p in get_knowledge_base().practices() if p.title in text]
    assert len(titles) == 3 and all(text.count(t) == 1 for t in titles)
    assert "[1] 看第1条全文" in text
    detail = wechat.say("2")
    second = next(t for t in titles if text.index(t) == sorted(text.index(x) for x in titles)[1])
    assert detail.startswith("第2条") and second in detail
