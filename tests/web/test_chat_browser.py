"""Headless Chromium (Debian's package) drives /chat on the real web app against the real assistant.

What a worker sees on a phone: a question in Chinese gets an answer and practice cards, the
conversation is still there after a reload, buttons answer with a tap, the larger-text mode
stays on. What an app team sees: the embed snippet opens the chat in an iframe with the app's
region, and only the configured sites may frame it. Screenshots go to test-output/chat/.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from bot.config import ROOT
from bot.web.chat import MAX_MESSAGE_CHARS, socket_target
from tests.support.browser import ANSWER, ANSWER_MS, PHONE, SESSION_KEY, ask, chromium, open_chat
from tests.support.chat_page import (
    EMBED_APP,
    EMBED_PROVINCE,
    EMBED_REGION,
    WAGE_TASK,
    domain_response,
    greeting_buttons,
    listed_practice,
)

SCREENSHOTS = ROOT / "test-output" / "chat"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture()
def page(browser) -> Iterator[Page]:
    context = browser.new_context(**PHONE)
    context.set_default_timeout(ANSWER_MS)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def greeting() -> str:
    return domain_response("utter_greet")["text"]


def shown_cards(cards: Locator) -> list[dict[str, Any]]:
    """The practice cards on the page, once the bot's cards have arrived."""
    expect(cards.first).to_be_visible(**ANSWER)
    return cards.evaluate_all(
        """cards => cards.map(c => ({
            id: c.dataset.practiceId, href: c.querySelector(".card-title").getAttribute("href"),
            place: c.querySelector(".card-place").textContent, title: c.querySelector(".card-title").textContent,
            fact: c.querySelector(".card-fact").textContent, citation: c.querySelector(".card-num").textContent,
        }))"""
    )


def assert_wage_practices_of_the_list(cards: list[dict[str, Any]]) -> None:
    """Each card shows a wage practice of the list as the knowledge base has it (its place, headline,
    a fact quoted from its text, its citation), and links to its page."""
    assert cards
    for card in cards:
        practice = listed_practice(card["id"])
        assert practice.task == WAGE_TASK
        assert card["place"].startswith(practice.region)
        assert (card["title"], card["citation"]) == (practice.title, practice.citation)
        assert card["fact"] and card["fact"].rstrip("…") in practice.text
        assert card["href"] == f"/practices/{practice.id}"


def test_a_question_gets_an_answer_and_practice_cards_that_are_still_there_after_a_reload(page, servers):
    open_chat(page, servers)
    ask(page, "包工头欠钱不给咋办")
    cards = shown_cards(page.locator(".card"))
    assert_wage_practices_of_the_list(cards)
    expect(page.locator(".msg.user .bubble")).to_have_text(["包工头欠钱不给咋办"])
    for card in cards:  # each practice once: as a card, not again as a text bubble
        expect(page.locator(".msg.bot .bubble", has_text=card["title"])).to_have_count(0)
    screenshot(page, "answer-with-cards")
    session_id = page.evaluate(f"localStorage.getItem('{SESSION_KEY}')")

    page.reload()
    expect(page.locator("#status")).to_be_hidden(**ANSWER)
    assert shown_cards(page.locator(".card")) == cards
    expect(page.locator(".msg.user .bubble")).to_have_text(["包工头欠钱不给咋办"])
    ask(page, "你好")
    expect(page.locator(".msg.bot .bubble").last).to_have_text(greeting(), **ANSWER)
    screenshot(page, "after-reload")
    assert page.evaluate(f"localStorage.getItem('{SESSION_KEY}')") == session_id
    messages = servers.user_messages(session_id, at_least=2)
    assert [e["text"] for e in messages] == ["包工头欠钱不给咋办", "你好"]


def test_a_card_opens_the_practice_page_of_the_console(page, servers):
    open_chat(page, servers)
    ask(page, "欠薪怎么办")
    card = page.locator(".card .card-title").first
    practice = listed_practice(shown_cards(page.locator(".card"))[0]["id"])
    with page.context.expect_page() as opened:
        card.click()
    practice_page = opened.value
    practice_page.wait_for_load_state()
    assert practice_page.url == f"{servers.web_url}/practices/{practice.id}"
    expect(practice_page.locator("body")).to_contain_text(practice.title)
    expect(practice_page.locator("body")).to_contain_text(practice.region)


def test_tapping_a_button_sends_its_payload_and_shows_its_title(page, servers):
    """The greeting's first button (欠薪讨薪 → /ask_wage_arrears in domain.yml) brings wage practices."""
    open_chat(page, servers)
    ask(page, "你好")
    title, _ = greeting_buttons()[0]
    button = page.locator(".choice", has_text=title)
    button.click()
    expect(page.locator(".msg.user .bubble").last).to_have_text(title)
    assert_wage_practices_of_the_list(shown_cards(page.locator(".card")))
    expect(button).to_be_disabled()
    screenshot(page, "button-tapped")


def test_the_region_of_the_page_puts_that_regions_practices_first(page, servers):
    """/chat?region=安徽省芜湖市: a wage question shows a practice from 安徽省 first."""
    open_chat(page, servers, f"?region={EMBED_REGION}")
    ask(page, "欠薪有啥做法")
    cards = shown_cards(page.locator(".card"))
    assert_wage_practices_of_the_list(cards)
    assert listed_practice(cards[0]["id"]).province == EMBED_PROVINCE
    page.locator(".card").first.scroll_into_view_if_needed()
    screenshot(page, "region-first")


def test_larger_text_mode_enlarges_the_text_and_stays_on_after_a_reload(page, servers):
    open_chat(page, servers)
    ask(page, "你好")
    bubble = page.locator(".msg.bot .bubble").first
    expect(bubble).to_have_text(greeting(), **ANSWER)
    normal = bubble.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    page.click("#large-text")
    expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
    larger = bubble.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert larger >= normal * 1.25
    screenshot(page, "larger-text")
    page.reload()
    expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
    assert page.locator(".msg.bot .bubble").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") == larger


@pytest.mark.parametrize(
    ("typed", "sent", "notice"),
    [
        ("", False, False),
        ("   \n  ", False, False),
        ("好" * (MAX_MESSAGE_CHARS + 1), False, True),
        ("好" * MAX_MESSAGE_CHARS, True, False),
        ("😀" * MAX_MESSAGE_CHARS, True, False),
        ("<img src=x onerror=alert(1)>", True, False),
    ],
    ids=["empty", "blank", "too-long", "at-the-limit", "emoji-at-the-limit", "html"],
)
def test_empty_messages_are_ignored_and_over_long_ones_get_a_clear_message(page, servers, typed, sent, notice):
    open_chat(page, servers)
    ask(page, typed)
    if sent:
        expect(page.locator(".msg.user .bubble")).to_have_text([typed.strip()])
        expect(page.locator(".msg.bot:not(.typing) .bubble").first).to_be_visible(**ANSWER)
    else:
        page.wait_for_timeout(500)
        expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.locator(".notice.local")).to_have_count(1 if notice else 0)
    if notice:
        expect(page.locator(".notice.local")).to_contain_text(str(MAX_MESSAGE_CHARS))
        assert page.input_value("#input") == typed  # kept, so the user can shorten it


def test_the_embed_snippet_opens_the_chat_in_an_iframe_with_the_apps_region(page, servers):
    page.goto(f"{servers.host_url}/embed.html")
    button = page.locator("#construction-chat-button")
    button.click()
    frame_element = page.locator("#construction-chat-frame")
    expect(frame_element).to_be_visible()
    source = frame_element.get_attribute("src")
    assert source.startswith(f"{servers.web_url}/chat?embed=1")
    frame = page.frame_locator("#construction-chat-frame")
    expect(frame.locator(".notice").first).to_contain_text(EMBED_REGION, **ANSWER)
    expect(frame.locator("#status")).to_be_hidden(**ANSWER)
    frame.locator("#input").fill("欠薪怎么办")
    frame.locator("#input").press("Enter")
    cards = shown_cards(frame.locator(".card"))
    assert_wage_practices_of_the_list(cards)
    assert listed_practice(cards[0]["id"]).province == EMBED_PROVINCE  # the app's province first
    screenshot(page, "embedded")
    session_id = frame.locator("body").evaluate(f"() => localStorage.getItem('chat:{EMBED_APP}:session')")
    metadata = servers.user_messages(session_id)[0]["metadata"]
    assert (metadata["region"], metadata["app"]) == (EMBED_REGION, EMBED_APP)
    frame.locator("#close-chat").click()
    expect(frame_element).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")


def test_a_site_that_is_not_configured_cannot_show_the_chat_in_a_frame(page, servers):
    """The same host page from another origin (localhost instead of 127.0.0.1) is refused by CSP."""
    page.goto(servers.host_url.replace("127.0.0.1", "localhost") + "/embed.html")
    page.locator("#construction-chat-button").click()
    expect(page.locator("#construction-chat-frame")).to_be_visible()
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#construction-chat-frame")
    expect(frame.locator("#input")).to_have_count(0)


def http_get(url: str, origin: str = "") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


@pytest.mark.parametrize("path", ["/embed.js", "/chat/static/chat.js", "/chat/static/vendor/socket.io.min.js"])
def test_scripts_are_served_from_the_project_with_cors_only_for_configured_sites(servers, path):
    status, headers, body = http_get(servers.web_url + path, origin=servers.host_url)
    assert status == 200 and "javascript" in headers["Content-Type"] and body
    assert headers.get("Access-Control-Allow-Origin") == servers.host_url
    _, headers, _ = http_get(servers.web_url + path, origin="http://evil.example")
    assert "Access-Control-Allow-Origin" not in headers


def test_the_chat_page_loads_nothing_from_other_hosts_and_may_be_framed_only_by_configured_sites(servers):
    status, headers, body = http_get(f"{servers.web_url}/chat")
    csp = headers["Content-Security-Policy"]
    assert status == 200
    assert f"frame-ancestors 'self' {servers.host_url};" in csp
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "https://" not in body and "//cdn" not in body
    config = json.loads(body.split('id="chat-config">')[1].split("</script>")[0])
    assert config["socketUrl"] == servers.rasa_url and config["metadata"] == {}


@pytest.mark.parametrize(
    ("query", "metadata"),
    [
        ("?region=安徽省芜湖市&app=wuhu", {"region": "安徽省芜湖市", "app": "wuhu"}),
        ("?region=" + "长" * 60, {}),
        ("?region=%E5%90%88%E8%82%A5%00%1b", {"region": "合肥"}),
        ("?region=<script>alert(1)</script>", {"region": "<script>alert(1)</script>"}),
    ],
    ids=["region-and-app", "too-long", "control-chars", "html"],
)
def test_the_embedding_apps_context_becomes_message_metadata(servers, query, metadata):
    status, _, body = http_get(f"{servers.web_url}/chat{urllib.parse.quote(query, safe='?=&%')}")
    config = json.loads(body.split('id="chat-config">')[1].split("</script>")[0])
    assert status == 200 and config["metadata"] == metadata
    assert "<script>alert" not in body


@pytest.mark.parametrize(
    ("rasa_url", "page_host", "origin", "path"),
    [
        ("http://127.0.0.1:5005", "127.0.0.1:8000", "http://127.0.0.1:5005", "/socket.io"),
        ("http://127.0.0.1:5005", "192.168.1.20:8000", "http://192.168.1.20:5005", "/socket.io"),
        ("http://localhost:5005", "chat.example.gov.cn", "http://chat.example.gov.cn:5005", "/socket.io"),
        ("https://bot.example.gov.cn/rasa/", "chat.example.gov.cn", "https://bot.example.gov.cn", "/rasa/socket.io"),
        ("http://127.0.0.1:5005", "bad host!", "http://127.0.0.1:5005", "/socket.io"),
    ],
    ids=["laptop", "phone-on-lan", "loopback-name", "public-proxy", "bad-host-header"],
)
def test_the_page_reaches_rasa_at_an_address_the_browser_can_use(rasa_url, page_host, origin, path):
    target = socket_target(rasa_url, page_host)
    assert (target.origin, target.path) == (origin, path)


TYPICAL_QUESTION = "包工头欠钱不给咋办，我在东莞"  # a worker's own words, with a place
SCREENS_PER_ANSWER = 4 / 3  # a typical answer is read with at most a third of a screen of scrolling
PHONE_SCREENS = {"390x844": (390, 844), "360x640": (360, 640)}


def record_height(name: str, pixels: float, screen_height: int) -> None:
    """Adds one measured answer height to test-output/chat/answer-heights.json (for the report)."""
    path = SCREENSHOTS / "answer-heights.json"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    heights = json.loads(path.read_text()) if path.exists() else {}
    heights[name] = {"pixels": round(pixels), "screens": round(pixels / screen_height, 2)}
    path.write_text(json.dumps(heights, indent=1, sort_keys=True))


def answer_height(page: Page) -> float:
    """Pixels from the top of the worker's question to the bottom of the bot's last message."""
    return page.evaluate(
        """() => {
            const question = [...document.querySelectorAll(".msg.user")].pop();
            const last = [...document.querySelectorAll(".msg.bot:not(.typing)")].pop();
            return last.getBoundingClientRect().bottom - question.getBoundingClientRect().top;
        }"""
    )


@pytest.mark.parametrize("large", [False, True], ids=["normal-text", "large-text"])
@pytest.mark.parametrize("screen", sorted(PHONE_SCREENS))
def test_a_typical_answer_fits_a_phone_screen_and_a_third(browser, servers, screen, large):
    """"包工头欠钱不给咋办，我在东莞" on a 390×844 phone: the whole answer (cards with their
    看全文 buttons, the source, the short guidance, the feedback prompt) is at most 1⅓ screens tall
    at the default text size; on every screen and text size nothing runs off the side.
    Full-page screenshots: test-output/chat/answer-<screen>-<text size>.png."""
    width, height = PHONE_SCREENS[screen]
    context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": height}})
    context.set_default_timeout(ANSWER_MS)
    page = context.new_page()
    try:
        open_chat(page, servers)
        if large:
            page.click("#large-text")
            expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
        ask(page, TYPICAL_QUESTION)
        prompt = domain_response("utter_after_practices")["text"]
        expect(page.locator(".msg.bot .bubble").last).to_have_text(prompt, **ANSWER)
        cards = shown_cards(page.locator(".card"))
        assert_wage_practices_of_the_list(cards)
        tall = answer_height(page)
        name = f"answer-{screen}-{'large' if large else 'normal'}"
        page.locator(".msg.user").last.scroll_into_view_if_needed()
        page.evaluate("() => document.querySelectorAll('.msg.user')[document.querySelectorAll('.msg.user').length - 1]"
                      ".scrollIntoView({block: 'start'})")
        screenshot(page, f"{name}-first-screen")  # what the worker sees first
        page.evaluate("() => { const m = document.getElementById('messages'); m.scrollTop = m.scrollHeight; }")
        screenshot(page, f"{name}-end")
        record_height(name, tall, height)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the answer runs {overflow}px off the side of the screen"
        if screen == "390x844" and not large:
            assert tall <= SCREENS_PER_ANSWER * height, f"the answer is {tall / height:.2f} screens tall"
    finally:
        context.close()
