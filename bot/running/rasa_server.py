"""How the Rasa server is started: its endpoints (tracker store, lock store, actions) come from settings.

`make run` and the end-to-end tests both start Rasa through :func:`rasa_command`, so what is
tested is what runs.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url

from bot.config import Settings

RASA_ENVIRONMENT = {"RASA_TELEMETRY_ENABLED": "false", "SANIC_ACCESS_LOG": "false"}
"""Set in the environment of every Rasa process and of the action server: no telemetry, and so no
error reports sent to Rasa's Sentry (they may carry conversation data; the machine may not reach
the internet); and no Sanic access log, whose record (the request's URL, its peer) Sanic builds for
every request although no handler of ours writes it."""


def rasa_workers(settings: Settings) -> int:
    """How many worker processes a Rasa server runs: RASA_WORKERS, but one without Redis (several
    workers share their conversations' locks and the WeChat channels' memory there)."""
    return settings.rasa_workers if settings.redis_url else 1


ANSWERS_PER_CONNECTION = 8
"""With several Rasa workers, a client's connection is closed after this many answers."""


def rasa_environment(settings: Settings) -> dict[str, str]:
    """The environment a Rasa server runs in: its workers (Rasa reads SANIC_WORKERS) and their Redis.

    Several workers accept connections from one shared socket, and a kept-alive connection stays
    with the worker that accepted it: a few busy clients (a load balancer, WeChat's servers) would
    load one worker while the other idles. With several workers each connection is closed after
    :data:`ANSWERS_PER_CONNECTION` answers (SANIC_KEEP_ALIVE_REQUESTS, which the Sanic of Rasa 3.6
    obeys through `bot.running.rasa_patches.obey_the_keep_alive_setting`), so the client's next
    connection is accepted by a worker that is free to.
    """
    workers = rasa_workers(settings)
    balance = {"SANIC_KEEP_ALIVE_REQUESTS": str(ANSWERS_PER_CONNECTION)} if workers > 1 else {}
    return {**RASA_ENVIRONMENT, "SANIC_WORKERS": str(workers), "REDIS_URL": settings.redis_url, **balance}

RASA_WORKER_UP = "Rasa worker ready: model loaded"
"""What each Rasa worker prints once its model is loaded (see :func:`report_each_worker_ready`)."""

TRACKER_STORE_CLASS = "bot.running.tracker_store.TunedSQLTrackerStore"
"""Rasa's SQL tracker store with SQLite in write-ahead-log mode (see `bot/running/tracker_store.py`)."""


def tracker_store_config(url: str) -> dict[str, Any]:
    """Rasa's SQL tracker store settings for a SQLAlchemy URL (SQLite file or PostgreSQL).

    The store is Rasa's, tuned (`bot.running.tracker_store`): same tables, less work per turn.
    """
    parsed = make_url(url)
    config: dict[str, Any] = {"type": TRACKER_STORE_CLASS, "dialect": parsed.drivername, "db": parsed.database}
    # Rasa passes the endpoint's `url` as the host (a `host` key would be passed twice).
    for key, value in (("url", parsed.host), ("port", parsed.port), ("username", parsed.username),
                       ("password", parsed.password)):
        if value:
            config[key] = value
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return config


LOCK_STORE_CLASS = "bot.running.lock_store.TunedRedisLockStore"
"""Rasa's Redis lock store in fewer round trips (see `bot/running/lock_store.py`)."""


def lock_store_config(url: str) -> dict[str, Any]:
    """Rasa's Redis lock store settings, so several Rasa instances can share conversations."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    config: dict[str, Any] = {"type": LOCK_STORE_CLASS, "url": parsed.hostname or "localhost", "port": parsed.port or 6379,
                              "db": int((parsed.path or "/0").strip("/") or 0)}
    if parsed.password:
        config["password"] = parsed.password
    return config


def write_endpoints(settings: Settings, path: Path | None = None) -> Path:
    """Write the endpoints file Rasa runs with (under var/, never committed: it may hold secrets)."""
    endpoints: dict[str, Any] = {
        # The actions read no domain from Rasa (their sentences come from domain.yml itself, bot.responses):
        # Rasa need not send the whole domain with every action call. Rasa keeps its connections to
        # the action server open (keep_alive, see bot.running.rasa_patches.keep_action_connections).
        "action_endpoint": {"url": settings.action_endpoint_url, "enable_selective_domain": True,
                            "keep_alive": True},
        "tracker_store": tracker_store_config(settings.tracker_url),
    }
    if settings.redis_url:
        endpoints["lock_store"] = lock_store_config(settings.redis_url)
    path = path or settings.var_dir / f"endpoints-{settings.rasa_port}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(yaml.safe_dump(endpoints, allow_unicode=True, sort_keys=False), encoding="utf-8")
    temporary.replace(path)
    return path


def rasa_command(settings: Settings, model: Path) -> list[str]:
    """The command line that starts Rasa (`rasa run`, our patches first) with these settings."""
    command = [
        sys.executable, "-m", "bot.running.rasa_server", "run",
        "--model", str(model),
        "--endpoints", str(write_endpoints(settings)),
        "--credentials", str(settings.root / "credentials.yml"),
        "--port", str(settings.rasa_port),
    ]
    # The chat page (served by the web app) talks to Rasa from the web app's origin.
    web_origins = [f"http://localhost:{settings.web_port}", f"http://127.0.0.1:{settings.web_port}"]
    command += ["--cors", *dict.fromkeys([*web_origins, *settings.cors_origins])]
    if settings.rasa_token:
        # The HTTP API (trackers, model) is only exposed with a token.
        command += ["--enable-api", "--auth-token", settings.rasa_token]
    return command


def run_rasa(arguments: list[str]) -> None:
    """Rasa's own command line (``rasa run …``) in this process, with our patches installed first."""
    from bot.config import get_settings
    from bot.running import rasa_patches

    os.environ.update(RASA_ENVIRONMENT)
    rasa_patches.install(session_max_events=get_settings().session_max_events)
    report_each_worker_ready()
    create_tracker_tables(arguments)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()


def create_tracker_tables(arguments: list[str]) -> None:
    """Creates the SQL tracker store's tables (Rasa's own store, so Rasa's schema) once, in the
    process that then starts the workers.

    Each worker opens the store and creates the tables it misses: two workers starting together on
    a new database both try, and the one that loses logs Rasa's ERROR "Could not create tables:
    table events already exists" on `make run`'s terminal. Created here first, the workers find
    them. An endpoints file without a tracker store (Rasa's in-memory default) needs nothing.
    """
    from rasa.core.tracker_store import create_tracker_store
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    endpoints = arguments[arguments.index("--endpoints") + 1] if "--endpoints" in arguments[:-1] else None
    try:
        config = read_endpoint_config(endpoints, "tracker_store") if endpoints else None
    except RasaException:
        return  # an unreadable endpoints file: Rasa reads it next and says what is wrong, its own way
    if config is None or config.type is None:
        return
    store = create_tracker_store(config)
    engine = getattr(store, "engine", None)
    if engine is not None:
        # The workers open their own connections (they are forked from this process).
        engine.dispose()


def report_each_worker_ready() -> None:
    """Each Rasa worker prints RASA_WORKER_UP once it has loaded the model, so `make run` and the
    launcher know when all of them answer: the first worker answers while the others still load,
    and Rasa's own "up and running" log line is silenced by its log levels."""
    import functools

    from rasa.core import run

    load = run.load_agent_on_start

    @functools.wraps(load)
    async def load_and_report(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        print(f"{RASA_WORKER_UP} (pid {os.getpid()})", file=sys.stderr, flush=True)
        return agent

    run.load_agent_on_start = load_and_report


def main() -> None:
    """`python -m bot.running.rasa_server [run …]`: the Rasa server, patches installed at start-up.

    With arguments, they are Rasa's (`make run`, the tests and the launcher pass them). Without,
    the endpoints file is written from the settings (TRACKER_DB_URL, REDIS_URL,
    ACTION_ENDPOINT_URL): the command of one container of a scaled deployment.
    """
    if len(sys.argv) > 1:
        run_rasa(sys.argv[1:])
        return
    from bot.config import get_settings

    settings = get_settings()
    run_rasa(rasa_command(settings, settings.root / "models" / "assistant.tar.gz")[3:])


if __name__ == "__main__":
    main()
