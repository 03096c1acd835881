"""The web chat's servers: one web app in front of the test run's real stack."""
from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.chat_page import ChatServers, chat_servers
from tests.support.console import console_server, seed_tracker_store
from tests.support.stack import Stack

# A page on a busy 2-core CI machine can take longer than Playwright's 5 s default to update.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def servers(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServers]:
    """The web app (on the stack's WEB_PORT) and a host site embedding the chat, for the whole run."""
    with chat_servers(stack, tmp_path_factory.mktemp("chat")) as running:
        yield running


@pytest.fixture(scope="module")
def tracker_url(tmp_path_factory) -> str:
    """A tracker store seeded with the console's test conversations (one per test module)."""
    return seed_tracker_store(tmp_path_factory.mktemp("tracker") / "tracker.db")


@pytest.fixture(scope="module")
def base(knowledge_base, tracker_url) -> Iterator[str]:
    """The web app served for real on loopback, reading that tracker store."""
    with console_server(knowledge_base, tracker_url) as url:
        yield url
