"""How Rasa's messages of one turn become WeChat text replies."""
from __future__ import annotations

import pytest

from bot.channels.memory import TTLCache
from bot.channels.reply import (
    MAX_REPLY_BYTES,
    ChannelTexts,
    asks_for_more,
    choice_payload,
    compose_reply,
    paginate,
    texts_from_responses,
    xml_safe,
)

MORE = "（回复'更多'查看余下内容）"
TEXTS = ChannelTexts(more_prompt=MORE, choose_hint="回复数字即可选择。")


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def unpage(pages: tuple[str, ...]) -> str:
    return "".join(page.replace(f"\n\n{MORE}", "") for page in pages)


def test_a_short_answer_is_one_page_without_the_more_prompt():
    assert paginate("您好。", MORE) == ("您好。",)


def test_an_empty_answer_has_no_page():
    assert paginate("  \n ", MORE) == ()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("".join(f"第{i}条：各地推行工资专用账户。" for i in range(200)), id="sentences"),
        pytest.param("工" * 10_000, id="no sentence end"),
        pytest.param("👷" * 3000, id="four-byte emoji"),
        pytest.param(("a" * 700 + "\n") * 10, id="lines"),
    ],
)
def test_every_page_fits_and_nothing_is_lost(text):
    pages = paginate(text, MORE)
    assert len(pages) > 1
    assert all(size(page) <= MAX_REPLY_BYTES for page in pages)
    assert all(page.endswith(MORE) for page in pages[:-1]) and not pages[-1].endswith(MORE)
    assert unpage(pages).replace("\n", "") == text.replace("\n", "")


def test_pages_end_at_a_sentence_boundary():
    text = "".join(f"第{i}条：各地推行工资专用账户。" for i in range(200))
    for page in paginate(text, MORE)[:-1]:
        assert page.replace(f"\n\n{MORE}", "").endswith("。")


def test_messages_buttons_and_links_are_joined_into_one_readable_text():
    messages = [
        {"text": "找到2条做法："},
        {"text": "安徽省芜湖市：建立工资专户。", "buttons": [{"title": "看详情", "payload": "/detail"}]},
        {"quick_replies": [{"title": "换个地区", "payload": "/change_region"}, {"title": "人工客服"}]},
        {"image": "https://example.invalid/a.png"},
        {"custom": {"practices": [{"id": "1.1.1"}]}},
    ]
    reply = compose_reply(messages, TEXTS)
    assert reply.pages == (
        "找到2条做法：\n\n安徽省芜湖市：建立工资专户。\n\n[1] 看详情\n\n[2] 换个地区\n[3] 人工客服"
        "\n\nhttps://example.invalid/a.png\n\n回复数字即可选择。",
    )
    assert reply.choices == ("/detail", "/change_region", "人工客服")


def test_a_turn_without_messages_has_nothing_to_say():
    assert compose_reply([], TEXTS).pages == ()


@pytest.mark.parametrize(
    "text, payload",
    [("1", "/a"), ("２", "/b"), (" 2。", "/b"), ("2、", "/b"), ("3", None), ("0", None), ("1个", None), ("", None)],
)
def test_a_digit_picks_the_numbered_choice(text, payload):
    assert choice_payload(text, ("/a", "/b")) == payload


@pytest.mark.parametrize("text, wanted", [("更多", True), (" 更多。", True), ("'更多'", True), ("MORE", True),
                                          ("更多的补贴", False), ("", False)])
def test_more_is_recognised(text, wanted):
    assert asks_for_more(text) is wanted


def test_reply_text_is_made_safe_for_xml():
    assert xml_safe("a]]>b\x01c\x0bd\ne") == "a]]]]><![CDATA[>bcd\ne"


def test_missing_domain_responses_give_empty_texts():
    texts = texts_from_responses({"utter_wechat_more_prompt": [{"text": " 回复更多 "}]})
    assert texts == ChannelTexts(more_prompt="回复更多")


def test_remembered_items_expire_and_the_oldest_is_forgotten_when_full():
    now = [0.0]
    cache: TTLCache[str, int] = TTLCache(max_items=2, ttl=10, clock=lambda: now[0])
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, 2, 3)
    now[0] = 10.5
    assert cache.get("b") is None and len(cache) == 0


def test_the_terminal_gets_one_page_with_numbered_choices_and_no_json():
    """The terminal chat: no paging, buttons as numbered choices, a custom payload left out (the
    answer's text already says what its cards show)."""
    card = {"id": "5.1.2", "citation": "五（一）2", "region": "重庆市", "title": "全面推行农民工工资专户管理及银行代发制度"}
    long_text = "各地推行工资专用账户。" * 300
    messages = [{"text": long_text, "buttons": [{"title": "看第1条全文", "payload": '/ask_detail{"ordinal":"1"}'}]},
                {"custom": {"practices": [card]}}]
    reply = compose_reply(messages, TEXTS, limit=None)
    assert reply.pages == (f"{long_text}\n\n[1] 看第1条全文\n\n回复数字即可选择。",)
    assert reply.choices == ('/ask_detail{"ordinal":"1"}',)


