"""Headless Chromium (Debian's package, no browser download) for the browser tests."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.chat_page import ChatServers

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SESSION_KEY = "chat:web:session"  # where the web chat keeps its socket.io session id (localStorage)
ANSWER_MS = 20_000
ANSWER = {"timeout": ANSWER_MS}  # waits for the bot (expect() waits 5 s by default)
PHONE = {"viewport": {"width": 390, "height": 780}, "device_scale_factor": 2, "locale": "zh-CN", "is_mobile": True,
         "has_touch": True}


@contextmanager
def chromium() -> Iterator[Browser]:
    """One headless Chromium for a test module."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_chat(page: Page, servers: ChatServers, query: str = "") -> None:
    page.goto(f"{servers.web_url}/chat{query}")
    expect(page.locator("#status")).to_be_hidden(**ANSWER)  # connected and the session confirmed


def ask(page: Page, text: str) -> None:
    page.fill("#input", text)
    page.press("#input", "Enter")
