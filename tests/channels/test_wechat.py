"""The WeChat official account channel, driven over HTTP the way WeChat's servers drive it."""
from __future__ import annotations

import time

import pytest
import requests
import xmltodict

from bot.channels.reply import MAX_REPLY_BYTES
from tests.channels.conftest import ACCOUNT, APP_ID, APP_SECRET, OPENID, RESPONSES, TOKEN, sign


def first_text(name: str) -> str:
    return RESPONSES[name][0]["text"]


def test_server_url_verification_echoes_the_echostr(wechat):
    params = {**wechat.params(), "echostr": "1234567890123"}
    response = requests.get(wechat.url, params=params, timeout=5)
    assert response.status_code == 200
    assert response.text == "1234567890123"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: {**p, "signature": "0" * 40}, id="wrong signature"),
        pytest.param(lambda p: {k: v for k, v in p.items() if k != "signature"}, id="no signature"),
        pytest.param(lambda p: {**p, "timestamp": "not-a-number"}, id="no timestamp"),
    ],
)
def test_url_verification_with_a_bad_signature_is_refused(wechat, tamper):
    response = requests.get(wechat.url, params=tamper({**wechat.params(), "echostr": "42"}), timeout=5)
    assert response.status_code == 403
    assert "42" not in response.text


def test_a_text_message_is_answered_passively_to_the_worker(wechat, bot):
    fields = wechat.message("text", Content="包工头欠钱不给咋办")
    reply = wechat.reply(wechat.post(fields))
    assert reply.type == "text"
    assert reply.content == "收到：包工头欠钱不给咋办"
    assert (reply.source, reply.target) == (ACCOUNT, OPENID)
    [message] = bot.calls
    assert (message.sender_id, message.input_channel, message.message_id) == (OPENID, "wechat", fields["MsgId"])
    assert message.metadata == {"platform": "wechat", "msg_type": "text"}


def test_a_voice_message_is_answered_from_wechats_recognition(wechat, bot):
    fields = wechat.message("voice", MediaId="media-1", Format="amr", Recognition="考个焊工证有补贴没")
    assert wechat.reply(wechat.post(fields)).content == "收到：考个焊工证有补贴没"
    assert bot.texts() == ["考个焊工证有补贴没"]


def test_a_voice_message_without_recognition_asks_to_repeat(wechat, bot):
    fields = wechat.message("voice", MediaId="media-1", Format="amr")
    assert wechat.reply(wechat.post(fields)).content == first_text("utter_wechat_voice_unrecognized")
    assert bot.calls == []


@pytest.mark.parametrize("event_key", ["", "qrscene_123"])
def test_a_new_follower_is_greeted_through_the_assistant(wechat, bot, event_key):
    fields = wechat.message("event", Event="subscribe", EventKey=event_key)
    assert wechat.reply(wechat.post(fields)).content == "您好，我是建筑工人政策助手。"
    assert bot.texts() == ["/greet"]


@pytest.mark.parametrize("event", ["unsubscribe", "VIEW", "TEMPLATESENDJOBFINISH"])
def test_other_events_are_acknowledged_silently(wechat, bot, event):
    response = wechat.post(wechat.message("event", Event=event, EventKey="x"))
    assert (response.status_code, response.text) == (200, "success")
    assert bot.calls == []


@pytest.mark.parametrize(
    "msg_type, fields",
    [
        ("image", {"PicUrl": "http://example.invalid/a.jpg", "MediaId": "m"}),
        ("location", {"Location_X": "23.1", "Location_Y": "113.3", "Scale": "20", "Label": "工地"}),
        ("link", {"Title": "t", "Description": "d", "Url": "http://example.invalid"}),
        ("video", {"MediaId": "m", "ThumbMediaId": "t"}),
        ("miniprogrampage", {"Title": "t"}),
    ],
)
def test_messages_the_assistant_cannot_read_get_a_polite_reply(wechat, bot, msg_type, fields):
    reply = wechat.reply(wechat.post(wechat.message(msg_type, **fields)))
    assert reply.content == first_text("utter_wechat_unsupported")
    assert bot.calls == []


def test_personal_numbers_are_masked_before_the_assistant_sees_them(wechat, bot):
    wechat.say("我的电话13812345678，老板欠我三个月工资")
    assert bot.texts() == ["我的电话138****5678，老板欠我三个月工资"]


def test_a_retried_message_is_processed_once_and_answered_again(wechat, bot):
    fields = wechat.message("text", Content="工地要刷脸吗")
    replies = [wechat.reply(wechat.post(fields)).content for _ in range(3)]
    assert replies == ["收到：工地要刷脸吗"] * 3
    assert bot.texts() == ["工地要刷脸吗"]


def test_a_slow_answer_is_acknowledged_in_time_and_sent_through_the_customer_service_api(
    wechat, wechat_servers, bot
):
    fields = wechat.message("text", Content="慢")
    started = time.monotonic()
    first = wechat.post(fields)
    waited = time.monotonic() - started
    assert (first.status_code, first.text) == (200, "success")
    assert 3.5 < waited < 5.0, "WeChat gives up after 5 s"
    retry = wechat.post(fields)  # WeChat's retry, 5 s after the first delivery
    assert (retry.status_code, retry.text) == (200, "success")

    [sent] = wechat_servers.api.wait_for_sent(1, timeout=5)
    assert sent["path"] == "/cgi-bin/message/custom/send"
    assert sent["body"] == {"touser": OPENID, "msgtype": "text", "text": {"content": "这是慢慢查到的答案。"}}
    assert wechat_servers.api.token_requests == [
        {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET}
    ]
    assert sent["access_token"] == "TOKEN-1"
    assert bot.texts() == ["慢"]


def test_a_long_answer_is_cut_at_sentences_and_continued_on_more(wechat, bot):
    more = first_text("utter_wechat_more_prompt")
    pages = [wechat.say("长")]
    while pages[-1].endswith(more):
        pages.append(wechat.say("更多"))
    assert len(pages) >= 3
    for page in pages:
        assert len(page.encode("utf-8")) <= MAX_REPLY_BYTES
    for page in pages[:-1]:
        assert page[: -len(more)].rstrip().endswith("。")
    whole = "".join(page.replace(more, "").strip() for page in pages)
    assert whole == "".join(f"第{i}条做法说明了一项具体的举措。" for i in range(150))
    assert bot.texts() == ["长"], "'更多' pages come from memory, not from the assistant"


def test_more_without_a_long_answer_goes_to_the_assistant(wechat, bot):
    assert wechat.say("更多") == "收到：更多"


def test_buttons_become_numbered_choices_answered_with_a_digit(wechat, bot):
    reply = wechat.say("按钮")
    assert reply == "您想了解哪方面？\n\n请选择：\n\n[1] 欠薪维权\n[2] 技能培训\n\n" + first_text(
        "utter_wechat_choose_hint"
    )
    assert wechat.say("1") == "欠薪可以拨打12345反映。"
    assert bot.texts() == ["按钮", "/ask_wage"]


@pytest.mark.parametrize("answer, sent", [("２", "/ask_training"), (" 2. ", "/ask_training"), ("3", "3")])
def test_a_choice_number_maps_to_its_button_or_passes_through(wechat, bot, answer, sent):
    wechat.say("按钮")
    wechat.say(answer)
    assert bot.texts() == ["按钮", sent]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: {**s, "signature": sign("wrong-token", s["timestamp"], s["nonce"])}, id="wrong token"),
        pytest.param(lambda s: {k: v for k, v in s.items() if k != "signature"}, id="unsigned"),
        pytest.param(lambda s: {**s, "nonce": s["nonce"] + "x"}, id="nonce changed"),
    ],
)
def test_a_message_with_a_wrong_signature_is_refused(wechat, bot, change):
    response = wechat.post(wechat.message("text", Content="你好"), params=change(wechat.params()))
    assert response.status_code == 403
    assert bot.calls == []


@pytest.mark.parametrize("age", [301, -301, 86_400])
def test_a_stale_message_is_refused(wechat, bot, age):
    params = wechat.params(timestamp=int(time.time()) - age)
    response = wechat.post(wechat.message("text", Content="你好"), params=params)
    assert response.status_code == 403
    assert bot.calls == []


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><Content>&lol3;</Content></xml>"
)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"not xml at all", id="not xml"),
        pytest.param(b"<xml><MsgType>text</MsgType><Content>", id="truncated"),
        pytest.param(b"<xml><FromUserName>u</FromUserName></xml>", id="no MsgType"),
        pytest.param("<xml><MsgType>text</MsgType><Content>\x01</Content></xml>".encode(), id="control char"),
        pytest.param(b"<xml><MsgType>text</MsgType><MsgId>abc</MsgId><FromUserName>u</FromUserName></xml>", id="bad MsgId"),
        pytest.param(BILLION_LAUGHS.encode(), id="entity expansion"),
        pytest.param(b"\xff\xfe\x00garbage", id="not utf-8"),
    ],
)
def test_malformed_xml_gets_a_clean_answer(wechat, bot, body):
    response = wechat.post(body=body)
    assert (response.status_code, response.text) == (400, "invalid message")
    assert bot.calls == []


def test_a_message_without_a_sender_is_acknowledged(wechat, bot):
    response = wechat.post(body=b"<xml><MsgType>text</MsgType><Content>hi</Content></xml>")
    assert (response.status_code, response.text) == (200, "success")
    assert bot.calls == []


@pytest.mark.parametrize(
    "text",
    [
        "😀👷‍♂️工资🏗️",
        "<script>alert(1)</script>' OR 1=1; DROP TABLE practices; --",
        "结尾]]>注入<![CDATA[",
        pytest.param("工" * 10_000, id="10000 chars"),
    ],
)
def test_odd_input_gets_a_readable_reply_within_the_size_limit(wechat, text):
    reply = wechat.say(text)
    assert reply.startswith("收到：")
    assert len(reply.encode("utf-8")) <= MAX_REPLY_BYTES
    if len(text) < 100:
        assert reply == f"收到：{text}"


@pytest.mark.parametrize("mode", ["aes", "compatible"])
def test_encrypted_messages_get_encrypted_replies(wechat, bot, mode):
    fields = wechat.message("text", Content="欠薪怎么办")
    response = wechat.post(fields, mode=mode)
    assert "欠薪" not in response.text, "the reply is encrypted"
    reply = wechat.reply(response, encrypted=True)
    assert (reply.content, reply.target) == ("收到：欠薪怎么办", OPENID)
    assert bot.texts() == ["欠薪怎么办"]


def test_an_encrypted_message_with_a_wrong_message_signature_is_refused(wechat, bot):
    fields = wechat.message("text", Content="你好")
    params = wechat.params()
    xml = xmltodict.unparse({"xml": fields}, full_document=False)
    envelope = xmltodict.parse(wechat.crypto.encrypt_message(xml, params["nonce"], params["timestamp"]))["xml"]
    params.update(encrypt_type="aes", msg_signature="0" * 40)
    body = xmltodict.unparse({"xml": {"ToUserName": ACCOUNT, "Encrypt": envelope["Encrypt"]}}, full_document=False)
    response = requests.post(wechat.url, params=params, data=body.encode(), timeout=5)
    assert response.status_code == 403
    assert bot.calls == []


def test_an_encrypted_message_with_garbage_ciphertext_gets_a_clean_answer(wechat, bot):
    params = wechat.params()
    garbage = "QUJDREVGR0g="
    params.update(encrypt_type="aes", msg_signature=sign(TOKEN, params["timestamp"], params["nonce"], garbage))
    body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{garbage}</Encrypt></xml>"
    response = requests.post(wechat.url, params=params, data=body.encode(), timeout=5)
    assert response.status_code == 400
    assert bot.calls == []
