"""The console in headless Chromium (Debian's), against the real web app on loopback.

What a hotline agent does: search in Chinese and see highlighted hits, open a
practice, copy its answer, sign in and read a handoff's transcript; at phone
and desktop widths. Screenshots go to test-output/console/.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.config import ROOT
from tests.support.browser import chromium
from tests.support.console import HTML_ATTACK, TOKEN, console_server, seed_tracker_store

SCREENSHOTS = ROOT / "test-output" / "console"
WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 860}}


@pytest.fixture(scope="module")
def base(knowledge_base, tmp_path_factory) -> Iterator[str]:
    tracker = seed_tracker_store(tmp_path_factory.mktemp("tracker") / "tracker.db")
    with console_server(knowledge_base, tracker) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=list(WIDTHS))
def page(request, browser: Browser, base: str) -> Iterator[Page]:
    """A fresh page at phone or desktop width, allowed to use the clipboard."""
    context = browser.new_context(viewport=WIDTHS[request.param], locale="zh-CN", base_url=base)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.width_name = request.param  # type: ignore[attr-defined]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    yield page
    context.close()


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.width_name}.png"  # type: ignore[attr-defined]
    page.screenshot(path=str(path), full_page=True)
    return path


def fits_width(page: Page) -> bool:
    """Nothing sticks out sideways (no horizontal scrolling on a phone)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_typing_a_question_in_chinese_shows_highlighted_hits_and_a_shareable_url(page: Page):
    """The agent types 拖欠工资: hits appear as they type, the words are marked, and ?q= is in the address."""
    page.goto("/console")
    page.locator("#q").press_sequentially("拖欠工资", delay=30)
    first = page.locator("#results .hit").first
    expect(first).to_be_visible()
    expect(page.locator("#results mark").first).to_be_visible()
    marked = page.locator("#results mark").all_inner_texts()
    assert any("工资" in m or "拖欠" in m for m in marked)
    expect(page.locator("#status")).to_contain_text("找到")
    assert "q=%E6%8B%96%E6%AC%A0%E5%B7%A5%E8%B5%84" in page.url
    assert fits_width(page)
    shot(page, "search")


def test_a_shared_search_link_opens_with_results_and_place_tiers(page: Page):
    """/console?q=实名制&region=广州: the caller's own city first, labelled 本地做法."""
    page.goto("/console?q=实名制&region=广州")
    first = page.locator("#results .hit").first
    expect(first.locator(".tier")).to_have_text("本地做法")
    expect(first.locator(".region")).to_contain_text("广州")
    expect(page.locator("#status")).to_contain_text("广东省广州市")
    expect(page.locator("#q")).to_have_value("实名制")


def test_filters_narrow_the_hits_live(page: Page):
    """Choosing work task 五 keeps only practices of task 五."""
    page.goto("/console?q=工资")
    expect(page.locator("#results .hit").first).to_be_visible()
    page.select_option("#task", "5")
    expect(page).to_have_url(re.compile(r"task=5"))
    # The unfiltered hits for 工资 also start with 五: wait until no other task is left.
    expect(page.locator("#results .hit .cite").filter(has_not_text=re.compile("^五"))).to_have_count(0)
    citations = page.locator("#results .hit .cite").all_inner_texts()
    assert citations and all(c.startswith("五") for c in citations)


def test_opening_a_practice_and_copying_its_answer(page: Page):
    """From a hit to the practice page; 复制答复 puts a ready-to-read answer with its source on the clipboard."""
    page.goto("/console?q=工资专户")
    page.locator("#results .hit-title").first.click()
    expect(page).to_have_url(re.compile(r"/practices/\d+\.\d+\.\d+$"))
    citation = page.locator(".facts dd").nth(1).inner_text()
    page.click("#copy-answer")
    expect(page.locator("#copy-status")).to_have_text("已复制，可直接念给来电人听")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert citation.split("（")[0] in copied
    assert "培育新时代建筑产业工人可复制经验做法清单" in copied
    assert copied == page.locator("#answer-script").input_value()
    assert fits_width(page)
    shot(page, "practice")


def test_browse_shows_counts_and_charts(page: Page):
    page.goto("/browse")
    expect(page.locator(".bars").first).to_be_visible()
    assert page.locator(".bars li").count() > 5
    assert page.locator(".bars svg rect").count() == page.locator(".bars li").count()
    page.locator(".bars a", has_text="保障建筑工人合法权益").click()
    expect(page).to_have_url(re.compile(r"task=5"))
    assert all(t.startswith("五") for t in page.locator(".practice-list .cite").all_inner_texts())
    assert fits_width(page)
    shot(page, "browse")


def test_signing_in_shows_the_handoff_and_its_transcript(page: Page):
    """The agent opens 转人工, signs in, and reads the latest handoff where the bot stopped."""
    page.goto("/console/handoffs")
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.fill("#token", "wrong")
    page.click("form.login button")
    expect(page.locator(".problem")).to_have_text("令牌不正确，请重新输入。")
    page.fill("#token", TOKEN)
    page.click("form.login button")
    expect(page).to_have_url(re.compile(r"/console/handoffs$"))
    latest = page.locator(".handoff").first
    expect(latest.locator(".sender")).to_contain_text("worker-handoff")
    transcript = latest.locator(".transcript")
    expect(transcript).to_contain_text("广州的包工头欠了三个月工资不给")
    expect(transcript).to_contain_text("好的，正在为您转接人工客服")
    expect(transcript.locator(".msg-user").nth(1)).to_have_text(re.compile(re.escape(HTML_ATTACK)))
    assert page.dialogs == []  # type: ignore[attr-defined]  # the user's <script> is shown, not run
    assert fits_width(page)
    shot(page, "handoffs")
    page.goto("/console/editor")
    expect(page.locator("table.rows").first).to_contain_text("焊工证补贴多少钱")
    expect(page.locator("table.rows").nth(1)).to_contain_text("实名制考勤怎么弄")
    expect(page.locator(".columns svg").first).to_be_visible()
    assert fits_width(page)
    shot(page, "editor")
    page.click("text=退出登录")
    page.goto("/console/handoffs")
    expect(page).to_have_url(re.compile(r"/console/login"))
