"""Shared by the console's tests: a tracker store with real Rasa events, and the web app on loopback."""
from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

from aiohttp import web

from bot.config import Settings
from bot.web.app import create_app

TOKEN = "test-console-token-7Qm2"
HOUR = 3600.0
HTML_ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'

# Conversations as the assistant stores them: (sender, hours ago, events).
# Each event: ("user", text, intent, places) | ("bot", text, cited ids) | ("reply", text, response name)
# | ("action", name) | ("slot", name, value)
CONVERSATIONS: tuple[tuple[str, float, tuple[tuple[Any, ...], ...]], ...] = (
    ("worker-old-handoff", 30.0, (
        ("user", "工地要刷脸吗", "ask_real_name", ()),
        ("bot", "有的地方要求实名制考勤。", ("2.1.1",)),
        ("user", "转人工", "request_human", ()),
        ("action", "action_request_human"),
        ("slot", "handoff_requested", True),
    )),
    ("worker-handoff", 2.0, (
        ("user", "广州的包工头欠了三个月工资不给", "ask_wage_arrears", ("广州",)),
        ("bot", "广州市有这样的做法：建立农民工工资支付监控预警平台。", ("5.1.2",)),
        ("user", HTML_ATTACK, "nlu_fallback", ()),
        ("user", "我要找人工客服", "request_human", ()),
        ("action", "action_request_human"),
        ("slot", "handoff_requested", True),
        ("bot", "好的，正在为您转接人工客服，请稍等。", ()),
    )),
    ("worker-gaps", 5.0, (
        ("user", "今天天气怎么样", "out_of_scope", ()),
        ("action", "utter_out_of_scope"),
        ("user", "焊工证补贴多少钱", "ask_subsidy", ("芜湖",)),
        ("reply", "清单里没有找到和这个问题对得上的做法。", "utter_no_practice_found"),
        ("user", "社保断缴了怎么补", "ask_uncovered", ()),
    )),
    ("worker-feedback", 1.0, (
        ("user", "实名制考勤怎么弄", "ask_real_name", ("广州",)),
        ("bot", "广东省广州市建立实名制访客制度。", ("2.3.3",)),
        ("user", "/feedback_useless", "feedback_useless", ()),
        ("user", "欠薪了去哪投诉", "ask_wage_arrears", ()),
        ("bot", "重庆市全面推行农民工工资专户管理及银行代发制度。", ("5.1.2",)),
        ("user", "/feedback_useful", "feedback_useful", ()),
    )),
    ("worker-no-handoff", 3.0, (
        ("user", "不用转人工了", "deny", ()),
        ("slot", "handoff_requested", False),
    )),
)


def _event(kind: str, when: float, *args: Any) -> Any:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    if kind == "user":
        text, intent, places = args
        entities = [{"entity": "place", "value": p, "start": 0, "end": len(p)} for p in places]
        return UserUttered(text, intent={"name": intent, "confidence": 0.99}, entities=entities, timestamp=when)
    if kind == "bot":
        text, cited = args
        data = {"custom": {"practices": [{"id": pid} for pid in cited]}} if cited else {}
        return BotUttered(text, data=data, timestamp=when)
    if kind == "reply":  # a domain response, named in metadata as Rasa records it
        text, response = args
        return BotUttered(text, metadata={"utter_action": response}, timestamp=when)
    if kind == "action":
        return ActionExecuted(args[0], timestamp=when)
    return SlotSet(args[0], args[1], timestamp=when)


def _run_in_thread(coroutine: Any) -> Any:
    """Run a coroutine to the end on its own loop (the caller may already run one, e.g. Playwright)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def seed_tracker_store(path: Path, now: Optional[float] = None, server_url: str = "") -> str:
    """Write :data:`CONVERSATIONS` with Rasa's own SQLTrackerStore; returns the database URL.

    With ``server_url`` (a PostgreSQL server), the store goes into a database of
    its own named after ``path``'s stem, created by Rasa through ``login_db``.
    """
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import BooleanSlot
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy.engine import make_url

    now = now or time.time()
    if server_url:
        server = make_url(server_url)
        store = SQLTrackerStore(
            domain=Domain.empty(), dialect=server.drivername, host=server.host, port=server.port,
            db=path.stem, username=server.username, login_db=server.database,
        )
        url = str(server.set(database=path.stem))
    else:
        store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
        url = f"sqlite:///{path}"
    for sender, hours_ago, script in CONVERSATIONS:
        start = now - hours_ago * HOUR
        events = [_event(kind, start + i * 10.0, *args) for i, (kind, *args) in enumerate(script)]
        slots = [BooleanSlot("handoff_requested", mappings=[])]
        tracker = DialogueStateTracker.from_events(sender, events, slots=slots)
        _run_in_thread(store.save(tracker))
    store.engine.dispose()
    return url


@contextmanager
def serve(app: web.Application) -> Iterator[str]:
    """Run ``app`` on a free loopback port in a thread; yields its base URL."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    started = threading.Event()
    address: dict[str, str] = {}

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        address["url"] = f"http://{host}:{port}"
        started.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, name="web-app", daemon=True)
    thread.start()
    if not started.wait(30):
        raise TimeoutError("the web app did not start")
    try:
        yield address["url"]
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


def throwaway_labels_url() -> str:
    """A labels database of its own, so that no test writes the editors' labels under var/."""
    import tempfile

    return f"sqlite:///{tempfile.mkdtemp(prefix='labels-')}/labels.db"


def console_settings(tracker_url: str, token: str = TOKEN) -> Settings:
    return Settings(console_token=token, tracker_db_url=tracker_url, cors_origins=("https://app.example.gov.cn",),
                    labels_db_url=throwaway_labels_url())


@contextmanager
def console_server(knowledge_base: Any, tracker_url: str, token: str = TOKEN) -> Iterator[str]:
    """The whole web app over ``knowledge_base`` and a tracker store, on loopback."""
    with serve(create_app(knowledge_base, console_settings(tracker_url, token))) as url:
        yield url


STAFF = {"Authorization": f"Bearer {TOKEN}"}
STAFF_ENDPOINTS = ["/api/handoffs", "/api/unanswered", "/api/feedback", "/api/stats", "/api/conversations/worker-handoff"]


def get(base: str, path: str, **kwargs):
    """A GET of the served web app, as a client sees it (no redirects followed)."""
    import requests

    return requests.get(base + path, timeout=60, allow_redirects=False, **kwargs)


@contextmanager
def takeover_console(knowledge_base: Any, stack: Any, **overrides: Any) -> Iterator[str]:
    """The web app on loopback over a running stack: it reads the stack's tracker store and takes
    conversations over through the stack's Rasa HTTP API (``overrides``: more settings)."""
    from tests.support.chat_page import settings_of

    settings = Settings(console_token=TOKEN, tracker_db_url=settings_of(stack).tracker_url, rasa_url=stack.rasa_url,
                        rasa_token=stack.token, labels_db_url=throwaway_labels_url(), **overrides)
    with serve(create_app(knowledge_base, settings)) as url:
        yield url


def post(base: str, path: str, body: Any = None, headers: Optional[dict] = None,
         raw: Optional[str] = None) -> Any:
    """A staff POST (JSON ``body``, or ``raw`` text) to the served web app."""
    import requests

    headers = STAFF if headers is None else headers
    if raw is not None:
        return requests.post(base + path, data=raw.encode(), headers=headers, timeout=60)
    return requests.post(base + path, json=body if body is not None else {}, headers=headers, timeout=60)


def conversation(base: str, sender: str) -> dict:
    """``GET /api/conversations/{sender}`` as staff (the test fails on anything but 200)."""
    response = get(base, f"/api/conversations/{sender}", headers=STAFF)
    assert response.status_code == 200, response.text
    return response.json()
