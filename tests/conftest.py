"""Shared fixtures: the real list document, parsed and built into a test database."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ROOT
from bot.kb.build import build_database
from bot.kb.ingest import parse_file
from bot.kb.service import KnowledgeBase

SOURCES = ROOT / "data" / "sources"
BATCH_1 = SOURCES / "practices-list-batch-1.txt"


@pytest.fixture(scope="session")
def source_text() -> str:
    return BATCH_1.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def practices():
    """Every practice of the first batch, parsed from the real source."""
    return parse_file(BATCH_1).practices


@pytest.fixture(scope="session")
def knowledge_base(practices) -> KnowledgeBase:
    return KnowledgeBase.from_practices(practices)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    """A practice database freshly built from data/sources/ in a temporary folder."""
    path: Path = tmp_path_factory.mktemp("db") / "practices.db"
    build_database(f"sqlite:///{path}", SOURCES)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A real PostgreSQL server started for this test run."""
    import shutil
    import tempfile

    from tests.support.servers import postgres_server

    # Not under pytest's tmp dir: that is private to root, and PostgreSQL runs as its own user.
    workdir = Path(tempfile.mkdtemp(prefix="kb-postgres-"))
    try:
        with postgres_server(workdir) as url:
            yield url
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis server started for this test run."""
    from tests.support.servers import redis_server

    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def wechat_api():
    """A local stand-in for WeChat's API (tokens, customer-service messages) that records what is sent."""
    from tests.support.wechat import running_api_stand_in

    with running_api_stand_in() as api:
        yield api


@pytest.fixture(scope="session")
def stack(tmp_path_factory, wechat_api):
    """The real Rasa server and action server with the project's trained model (one per test run).

    Rasa's HTTP API is open with ``RASA_TOKEN`` (the console's takeover writes through it), and the
    WeChat channel pushes messages to the stand-in of WeChat's customer-service API.
    """
    from tests.channels.conftest import AES_KEY, APP_ID, APP_SECRET, TOKEN
    from tests.support.servers import free_port
    from tests.support.stack import RASA_TOKEN, running_stack

    wechat = {"WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APP_ID, "WECHAT_ENCODING_AES_KEY": AES_KEY,
              "WECHAT_APPSECRET": APP_SECRET, "WECHAT_API_BASE": wechat_api.base_url}
    # Rasa lets the chat page of a web app on this port in (--cors); tests/web starts it there.
    web = {"WEB_PORT": str(free_port())}
    with running_stack(tmp_path_factory.mktemp("stack"), token=RASA_TOKEN, **wechat, **web) as running:
        yield running


# ---- the fast lane: `make test-fast` runs what needs no trained model, no server, no browser ----
# Tests that take one of these fixtures start the real Rasa and action servers or a database server.
SERVER_FIXTURES = frozenset({"stack", "servers", "postgres_url", "redis_url", "served", "instances", "wechat_api"})
# Modules whose tests drive Chromium, run `rasa test` on the model, or start `make run` themselves.
SLOW_MODULES = frozenset({"test_chat_browser.py", "test_console_browser.py", "test_takeover_browser.py", "test_rasa_test.py",
                          "test_startup.py", "test_resilience.py"})


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: needs the trained model, a real server or a browser (not in make test-fast)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())) or item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
