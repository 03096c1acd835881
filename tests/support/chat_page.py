"""Shared by the web chat's tests: the web app and a host site in front of the real assistant.

Rasa and the action server are the test run's one real stack (the session fixture ``stack``
of ``tests/conftest.py``: the project's trained model, ``credentials.yml``'s socket.io channel
with session persistence). The web app runs as ``make web`` runs it, pointed at that Rasa and at
the stack's tracker store, on the ``WEB_PORT`` that Rasa's ``--cors`` lets in.

Expectations come from the project, never from literals of one answer: what the bot says from
``domain.yml`` (:func:`domain_response`), the practices from the knowledge base.
"""
from __future__ import annotations

import json
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
import yaml

from bot.config import ROOT, Settings
from bot.kb.service import get_knowledge_base
from bot.kb.types import Practice
from bot.web.conversations import read_only_url
from tests.support.console import TOKEN as CONSOLE_TOKEN
from tests.support.servers import free_port
from tests.support.stack import Stack, process, stack_env, wait_for_http

WAGE_TASK = "保障建筑工人合法权益"  # the list's work task 五, where wage arrears questions lead
TRACKER_WAIT = 10.0  # seconds for Rasa to store a turn it has answered

EMBED_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host app</title></head>
<body><h1>A government service app</h1>
<script src="{web_url}/embed.js" data-region="{region}" data-app="{app}" async></script>
</body></html>
"""
EMBED_REGION = "安徽省芜湖市"
EMBED_PROVINCE = "安徽省"  # EMBED_REGION's province: its practices come first
EMBED_APP = "wuhu-service-app"


@lru_cache(maxsize=None)
def _responses() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def domain_response(name: str) -> dict[str, Any]:
    """The (first) variant of a response of the project's ``domain.yml``: what the bot says."""
    return _responses()[name][0]


def greeting_buttons() -> list[tuple[str, str]]:
    """``utter_greet``'s buttons as (title, payload)."""
    return [(b["title"], b["payload"]) for b in domain_response("utter_greet").get("buttons", [])]


def listed_practice(practice_id: str) -> Practice:
    """The practice of the knowledge base the bot answers from (the test fails on an unknown id)."""
    practice = get_knowledge_base().practice(practice_id)
    assert practice is not None, f"the bot cited {practice_id!r}, which is not in the list"
    return practice


@dataclass(frozen=True)
class ChatServers:
    rasa_url: str
    web_url: str
    host_url: str  # a page of another site that embeds the chat (an allowed origin)
    host_dir: Path
    tracker_url: str  # the stack's tracker store, as the web app reads it

    def user_messages(self, sender_id: str, at_least: int = 1) -> list[dict[str, Any]]:
        """The user events Rasa stored for a sender (what the bot really received), oldest first.

        Waits a little for ``at_least`` of them: Rasa stores a turn just after answering it.
        """
        engine = sa.create_engine(read_only_url(self.tracker_url))
        query = sa.text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' ORDER BY id")
        deadline = time.monotonic() + TRACKER_WAIT
        try:
            while True:
                with engine.connect() as connection:
                    events = [json.loads(row.data) for row in connection.execute(query, {"sender": sender_id})]
                if len(events) >= at_least or time.monotonic() > deadline:
                    return events
                time.sleep(0.2)
        finally:
            engine.dispose()


@contextmanager
def web_app_server(stack: Stack, var_dir: Path, cors_origins: str) -> Iterator[str]:
    """The real web app (``python -m bot.web.app``) on the stack's ``WEB_PORT``, talking to its Rasa."""
    port = int(stack.env["WEB_PORT"])
    # The console (CONSOLE_TOKEN) takes conversations over through Rasa's HTTP API (RASA_TOKEN).
    env = {**stack.env, "RASA_URL": stack.rasa_url, "CORS_ORIGINS": cors_origins, "RASA_TOKEN": stack.token,
           "CONSOLE_TOKEN": CONSOLE_TOKEN}
    with process([sys.executable, "-m", "bot.web.app"], env, var_dir / f"web-{port}.log"):
        wait_for_http(f"http://127.0.0.1:{port}/chat", 60)
        yield f"http://127.0.0.1:{port}"


@contextmanager
def host_page_server(directory: Path) -> Iterator[int]:
    """Another site (``python -m http.server``) that serves the pages embedding the chat."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    with process(command, stack_env(directory), directory.parent / f"host-{port}.log"):
        wait_for_http(f"http://127.0.0.1:{port}/", 30)
        yield port


@contextmanager
def chat_servers(stack: Stack, var_dir: Path) -> Iterator[ChatServers]:
    """The web app in front of ``stack``, and a host site whose 127.0.0.1 origin may embed the chat."""
    host_dir = var_dir / "host"
    host_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as running:
        host_url = f"http://127.0.0.1:{running.enter_context(host_page_server(host_dir))}"
        web_url = running.enter_context(web_app_server(stack, var_dir, cors_origins=host_url))
        (host_dir / "embed.html").write_text(
            EMBED_PAGE.format(web_url=web_url, region=EMBED_REGION, app=EMBED_APP), encoding="utf-8"
        )
        yield ChatServers(
            rasa_url=stack.rasa_url, web_url=web_url, host_url=host_url, host_dir=host_dir,
            tracker_url=settings_of(stack).tracker_url,
        )


def settings_of(stack: Stack) -> Settings:
    """The settings the stack's processes read from their environment."""
    return Settings(var_dir=Path(stack.env["VAR_DIR"]), tracker_db_url=stack.env.get("TRACKER_DB_URL", "").strip())
