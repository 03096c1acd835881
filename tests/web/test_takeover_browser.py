"""A worker on /chat and an agent on the console, in two headless Chromium contexts, against the real
web app, Rasa and action servers: the worker asks for a person, the agent claims the conversation,
they talk both ways while the bot stays silent, the agent hands it back and the bot answers again.
Screenshots go to test-output/takeover/.
"""
from __future__ import annotations

import time
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.config import ROOT
from bot.vocabulary import HANDOFF_JOINED_RESPONSE, HANDOFF_RELEASED_RESPONSE
from tests.support.browser import ANSWER, ANSWER_MS, PHONE, SESSION_KEY, ask, chromium, open_chat
from tests.support.chat_page import ChatServers, domain_response
from tests.support.clients import SOCKET_QUIET_SECONDS
from tests.support.console import TOKEN

SCREENSHOTS = ROOT / "test-output" / "takeover"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
QUESTION = "包工头欠钱不给咋办"
SILENCE_SECONDS = 4  # long enough for the bot to have answered, were it answering


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture()
def worker(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(**PHONE)
    context.set_default_timeout(ANSWER_MS)
    yield context.new_page()
    context.close()


@pytest.fixture()
def agent(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(ANSWER_MS)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def text_of(response: str) -> str:
    return domain_response(response)["text"]


def sign_in(page: Page, servers: ChatServers) -> None:
    page.goto(f"{servers.web_url}/console/login?next=/console/handoffs")
    page.fill("#token", TOKEN)
    page.click("form.login button")
    expect(page.locator("h1")).to_have_text("等待人工接续的对话")


def test_an_agent_answers_the_worker_in_the_same_chat_and_hands_back(worker, agent, servers):
    open_chat(worker, servers)
    ask(worker, QUESTION)
    expect(worker.locator(".card").first).to_be_visible(**ANSWER)
    ask(worker, "转人工")
    bot_bubbles = worker.locator(".msg.bot .bubble")
    expect(bot_bubbles.last).to_have_text(text_of("utter_handoff"), **ANSWER)

    session_id = worker.evaluate(f"localStorage.getItem('{SESSION_KEY}')")

    sign_in(agent, servers)
    queued = agent.locator(".queued", has_text=session_id)
    expect(queued.locator("a.request")).to_have_text(f"“{QUESTION}”")  # the request, not "转人工"
    expect(queued.locator(".state")).to_have_text("排队等人工")
    expect(queued.locator(".waited")).to_be_visible()
    shot(agent, "queue")
    queued.locator("a.request").click()
    expect(agent.locator(".live-head")).to_be_visible()  # the conversation's page, not the queue's
    agent.fill("#agent", "王芳")
    agent.click("#claim")
    expect(agent.locator(".live-head")).to_have_attribute("data-state", "human", **ANSWER)  # through Rasa
    expect(bot_bubbles.last).to_have_text(text_of(HANDOFF_JOINED_RESPONSE), **ANSWER)

    # The worker's message reaches the console; the bot does not answer it.
    answered = bot_bubbles.count()
    ask(worker, "老板欠了我两个月工资，在东莞的工地")
    expect(agent.locator(".transcript .msg-user").last).to_contain_text("老板欠了我两个月工资，在东莞的工地", **ANSWER)
    time.sleep(SILENCE_SECONDS)
    assert bot_bubbles.all_inner_texts()[answered:] == []

    agent.fill("#reply", "您好，我是热线的王芳。请问工地在东莞哪个镇？")
    agent.click("#send")
    expect(bot_bubbles.last).to_have_text("您好，我是热线的王芳。请问工地在东莞哪个镇？", **ANSWER)
    expect(worker.locator(".msg.agent .who").last).to_have_text("工作人员")  # not the bot's "助手"
    expect(agent.locator(".transcript .msg-agent").last).to_contain_text("工作人员 王芳")
    expect(agent.locator("#reply")).to_have_value("")
    cards = worker.locator(".card").count()
    agent.fill("#practice-q", "欠薪 东莞")
    agent.click("#practice-search button")
    agent.locator(".send-practice").first.click()  # the agent sends a practice of the list, with its card
    expect(worker.locator(".card")).to_have_count(cards + 1, **ANSWER)
    expect(agent.locator(".transcript .msg-agent").last.locator(".cited")).to_be_visible()
    shot(worker, "worker-talking-to-agent")
    shot(agent, "agent-conversation")

    agent.click("#release")
    expect(agent.locator(".live-head")).to_have_attribute("data-state", "bot", **ANSWER)
    expect(bot_bubbles.last).to_have_text(text_of(HANDOFF_RELEASED_RESPONSE), **ANSWER)
    before = bot_bubbles.count()
    cards = worker.locator(".card").count()
    ask(worker, "工地要刷脸吗")
    expect(bot_bubbles.nth(before)).to_be_visible(**ANSWER)  # the bot answers again
    time.sleep(SOCKET_QUIET_SECONDS)  # the rest of the turn
    answered = worker.locator(".card").all_inner_texts()[cards:]  # its practices, drawn as cards
    assert answered and any("实名" in text for text in answered), answered
    shot(worker, "worker-back-with-the-bot")
