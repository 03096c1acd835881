"""Shared by the web chat's tests: a real Rasa server with the socket.io channel, and the web app.

Until the project's model is used here, Rasa runs a tiny Chinese model trained from
``tests/web/tiny_bot/`` (about 10 s, cached by the hash of its files). Every server takes the
model as one argument: :func:`rasa_chat_server`.

Both test modules share one Rasa server and one web app per test run (:func:`shared`), so the
slow start happens once.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator, TypeVar

import pytest
import yaml

from bot.config import ROOT
from tests.servers import free_port
from tests.stack import process, stack_env, wait_for_http

TINY_BOT = Path(__file__).resolve().parent / "tiny_bot"
TINY_BOT_FILES = ("config.yml", "domain.yml", "nlu.yml", "rules.yml")
RASA_START_TIMEOUT = 240

T = TypeVar("T")


def tiny_model(cache_dir: Path) -> Path:
    """The tiny test model, trained once for each version of ``tests/web/tiny_bot/``."""
    digest = hashlib.sha256(b"".join((TINY_BOT / name).read_bytes() for name in TINY_BOT_FILES)).hexdigest()[:16]
    model = cache_dir / f"tiny-{digest}.tar.gz"
    if not model.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "rasa", "train", "--fixed-model-name", model.name.removesuffix(".tar.gz"),
             "--out", str(cache_dir), "--config", str(TINY_BOT / "config.yml"),
             "--domain", str(TINY_BOT / "domain.yml"), "--data", str(TINY_BOT / "nlu.yml"), str(TINY_BOT / "rules.yml")],
            cwd=ROOT, env=stack_env(cache_dir), check=True, capture_output=True,
        )
    return model


def socketio_credentials() -> dict[str, Any]:
    """The socket.io channel entry of the project's ``credentials.yml``: what ``make run`` opens."""
    entries = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    for key, settings in entries.items():
        if key == "socketio" or key.endswith("SocketIOInput"):
            return {key: settings}
    raise AssertionError("credentials.yml opens no socket.io channel")


def write_credentials(path: Path) -> Path:
    """REST and the project's socket.io channel (the WeChat channels are not needed here)."""
    path.write_text(yaml.safe_dump({"rest": None, **socketio_credentials()}, allow_unicode=True), encoding="utf-8")
    return path


@contextmanager
def rasa_chat_server(model: Path, var_dir: Path, cors: str = "*") -> Iterator[str]:
    """``rasa run`` with ``model`` on a free loopback port, its HTTP API on (to read trackers)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port), "-i", "127.0.0.1",
        "--credentials", str(write_credentials(var_dir / "credentials.yml")), "--enable-api", "--cors", cors,
    ]
    log = var_dir / f"rasa-{port}.log"
    with process(command, stack_env(var_dir), log) as proc:
        try:
            wait_for_http(f"http://127.0.0.1:{port}/", RASA_START_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"Rasa did not start (exit code {proc.poll()}): see {log}") from None
        yield f"http://127.0.0.1:{port}"


@contextmanager
def web_app_server(var_dir: Path, rasa_url: str, db_url: str, cors_origins: str) -> Iterator[str]:
    """The real web app (``python -m bot.web.app``) on a free loopback port."""
    port = free_port()
    env = stack_env(var_dir, WEB_PORT=port, RASA_URL=rasa_url, DATABASE_URL=db_url, CORS_ORIGINS=cors_origins)
    with process([sys.executable, "-m", "bot.web.app"], env, var_dir / f"web-{port}.log"):
        wait_for_http(f"http://127.0.0.1:{port}/chat", 60)
        yield f"http://127.0.0.1:{port}"


_REGISTRY = pytest.StashKey[dict]()


def shared(config: pytest.Config, name: str, start: Callable[[], ContextManager[T]]) -> T:
    """One running ``start()`` per test run, whichever module asks first; stopped at the end."""
    registry: dict[str, Any] = config.stash.setdefault(_REGISTRY, {})
    if name not in registry:
        stack = ExitStack()
        registry[name] = stack.enter_context(start())
        config.add_cleanup(stack.close)
    return registry[name]


@dataclass(frozen=True)
class ChatServers:
    rasa_url: str
    web_url: str
    host_url: str  # a page of another site that embeds the chat (an allowed origin)
    host_dir: Path

    def tracker(self, sender_id: str) -> dict[str, Any]:
        """Rasa's stored conversation for a sender (what the bot really received)."""
        with urllib.request.urlopen(f"{self.rasa_url}/conversations/{sender_id}/tracker", timeout=10) as response:
            return json.loads(response.read())

    def user_messages(self, sender_id: str) -> list[dict[str, Any]]:
        return [e for e in self.tracker(sender_id)["events"] if e["event"] == "user"]


EMBED_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host app</title></head>
<body><h1>A government service app</h1>
<script src="{web_url}/embed.js" data-region="{region}" data-app="{app}" async></script>
</body></html>
"""
EMBED_REGION = "安徽省芜湖市"
EMBED_APP = "wuhu-service-app"


@contextmanager
def host_page_server(directory: Path) -> Iterator[int]:
    """Another site (``python -m http.server``) that serves the pages embedding the chat."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    with process(command, stack_env(directory), directory.parent / f"host-{port}.log"):
        wait_for_http(f"http://127.0.0.1:{port}/", 30)
        yield port


@contextmanager
def chat_servers(model: Path, var_dir: Path, db_url: str) -> Iterator[ChatServers]:
    """Rasa with ``model``, the web app, and a host site whose 127.0.0.1 origin may embed the chat."""
    host_dir = var_dir / "host"
    host_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        host_port = stack.enter_context(host_page_server(host_dir))
        host_url = f"http://127.0.0.1:{host_port}"
        rasa_url = stack.enter_context(rasa_chat_server(model, var_dir / "rasa"))
        web_url = stack.enter_context(web_app_server(var_dir, rasa_url, db_url, cors_origins=host_url))
        (host_dir / "embed.html").write_text(
            EMBED_PAGE.format(web_url=web_url, region=EMBED_REGION, app=EMBED_APP), encoding="utf-8"
        )
        yield ChatServers(rasa_url=rasa_url, web_url=web_url, host_url=host_url, host_dir=host_dir)


def start_chat_servers(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory, db_url: str) -> ChatServers:
    """The servers of the chat tests, started once per test run.

    The model is the one argument to change to run these tests against the project's model.
    """
    cache = config.cache.mkdir("chat-tiny-model") if getattr(config, "cache", None) else tmp_path_factory.mktemp("chat-model")
    model = tiny_model(cache)
    return shared(config, "chat", lambda: chat_servers(model, tmp_path_factory.mktemp("chat"), db_url))
