"""`make run`: check what the assistant needs, then start and watch its three servers.

The Rasa server (one worker process per core, RASA_WORKERS), the action server and the web app
run as child processes, with a local redis-server for Rasa's lock store and the WeChat channels'
memory when there are several workers and no REDIS_URL; one that dies is restarted (the Rasa
server answers with an apology meanwhile, see domain.yml). Their output goes to
var/log/<name>.log; the terminal gets our progress lines and the lines that call for action
(`bot.running.output`).
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, MutableMapping, Optional

from bot.config import Settings, get_settings
from bot.running.launcher import stop as stop_processes
from bot.running.output import matters, plain, relay, say, shown, warning_message
from bot.running.rasa_server import RASA_WORKER_UP, rasa_workers

RESTART_DELAY_SECONDS = 2.0
REDIS_START_TIMEOUT = 10.0


class StartupProblem(RuntimeError):
    """Something the assistant needs is missing; the message says what to do."""


@dataclass
class Child:
    """One server: its output goes to ``log``; the lines that matter are shown prefixed by its name.

    ``env`` is added to this process's environment; ``ups`` counts the lines containing ``up_marker``
    since the last start (Rasa: one per worker that has loaded its model).
    """

    name: str
    command: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    up_marker: str = ""
    process: Optional[subprocess.Popen] = None
    restarts: int = field(default=0)
    last_line: str = ""
    ups: int = 0

    def start(self, cwd: Path) -> None:
        import os

        from bot.running.rasa_server import RASA_ENVIRONMENT

        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.ups = 0
        self.process = subprocess.Popen(self.command, cwd=cwd, env={**os.environ, **RASA_ENVIRONMENT, **self.env},
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert self.process.stdout is not None
        relay(self.process.stdout, self.log, self._on_line)

    def _on_line(self, line: str) -> None:
        if plain(line):
            self.last_line = plain(line)  # said when the server exits
        if self.up_marker and self.up_marker in line:
            self.ups += 1
        if matters(line):
            say(self.name, warning_message(line))

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def model_path(settings: Settings) -> Path:
    return settings.root / "models" / "assistant.tar.gz"


def check(settings: Settings, model: Optional[Path] = None) -> None:
    """Refuse to start, with a clear message, when something the assistant needs is not ready.

    Checks the practice database, the trained model, the ports, and the tracker
    store and Redis lock store when they are configured.
    """
    from bot.kb.service import KnowledgeBase, KnowledgeBaseUnavailable

    try:
        KnowledgeBase.from_url(settings.database_url)
    except KnowledgeBaseUnavailable as exc:
        raise StartupProblem(f"{exc}") from None
    check_model(model or model_path(settings))
    ports = (("Rasa", settings.rasa_port, "RASA_PORT"), ("action server", settings.action_port, "ACTION_PORT"),
             ("web app", settings.web_port, "WEB_PORT"))
    for name, port, variable in ports:
        if port_in_use(port):
            raise StartupProblem(
                f"port {port} for the {name} is in use: stop what uses it or set another port in {variable}"
            )
    check_tracker_store(settings.tracker_url)
    if settings.redis_url:
        check_redis(settings.redis_url)


def check_model(model: Path) -> None:
    """The trained model exists and is a readable archive."""
    import tarfile

    if not model.is_file():
        raise StartupProblem(f"no trained model at {model}: run `make train`")
    if not tarfile.is_tarfile(model):
        raise StartupProblem(f"the model {model} is not a model archive (damaged?): run `make clean train`")


def check_tracker_store(url: str) -> None:
    """The SQL tracker store (where conversations are kept) can be reached."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed)
        else:
            engine = create_engine(parsed, connect_args={"connect_timeout": 5})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        raise StartupProblem(
            f"the tracker store {_redact(url)} cannot be reached ({exc.__class__.__name__}): "
            f"start the database or fix TRACKER_DB_URL"
        ) from None


def check_redis(url: str) -> None:
    """The Redis lock store (shared by several Rasa instances) answers."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:
        raise StartupProblem(
            f"Redis at {_redact(url)} does not answer ({exc.__class__.__name__}): start it or fix REDIS_URL"
        ) from None


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def children(settings: Settings, model: Optional[Path] = None) -> list[Child]:
    python = sys.executable
    from bot.running.action_server import action_server_command
    from bot.running.rasa_server import rasa_command, rasa_environment

    logs = log_dir(settings)
    return [
        Child("actions", action_server_command(settings.action_port), logs / "actions.log"),
        Child("rasa", rasa_command(settings, model or model_path(settings)), logs / "rasa.log",
              env=rasa_environment(settings), up_marker=RASA_WORKER_UP),
        Child("web", [python, "-m", "bot.web.app"], logs / "web.log"),
    ]


def start_local_redis(settings: Settings) -> tuple[Settings, Optional[Child]]:
    """Several Rasa workers without REDIS_URL: Debian's redis-server on loopback, data under var/redis.

    Returns the settings to run with (REDIS_URL set, or one worker when Redis cannot be started,
    said in one line) and the started Redis, if any.
    """
    from bot.running.loopback import free_port, redis_binary, redis_command, wait_for_port

    binary = redis_binary()
    if binary is None:
        return _one_worker(settings, "redis-server is not installed (apt-get install redis-server)"), None
    port, data_dir = free_port(), settings.var_dir / "redis"
    redis = Child("redis", redis_command(binary, port, data_dir), log_dir(settings) / "redis.log")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return _one_worker(settings, f"redis-server cannot keep its data in {shown(data_dir)} ({error.strerror})"), None
    redis.start(settings.root)
    try:
        wait_for_port(port, REDIS_START_TIMEOUT, server=redis.process)
    except TimeoutError:
        redis.process.terminate()
        return _one_worker(settings, f"redis-server did not start (see {shown(redis.log)})"), None
    return replace(settings, redis_url=f"redis://127.0.0.1:{port}/0"), redis


def _one_worker(settings: Settings, reason: str) -> Settings:
    say("serve", f"{reason}: running 1 Rasa worker, not {settings.rasa_workers}")
    return replace(settings, rasa_workers=1)


def log_dir(settings: Settings) -> Path:
    """Where the servers' full output goes."""
    return settings.var_dir / "log"


READY_TIMEOUT_SECONDS = 600


def console_token_hint(settings: Settings) -> str:
    """Whether the console's staff pages are open, and how to open them."""
    if settings.console_token:
        return "console staff pages: open with the token in CONSOLE_TOKEN"
    return ("console staff pages (handoffs, conversations) are closed: start with "
            "CONSOLE_TOKEN=<a long random string> make run to open them")


def open_rasa_api_for_the_console(environ: MutableMapping[str, str]) -> None:
    """With the console open (CONSOLE_TOKEN) and no RASA_TOKEN, a token for this run: the web app
    takes conversations over through Rasa's HTTP API, which Rasa opens only behind a token."""
    if environ.get("CONSOLE_TOKEN") and not environ.get("RASA_TOKEN"):
        environ["RASA_TOKEN"] = secrets.token_urlsafe(24)


def ready_urls(settings: Settings) -> list[str]:
    """What must answer before the assistant is ready: the action server, Rasa (its model loaded), the web app."""
    return [f"http://127.0.0.1:{settings.action_port}/health", f"http://127.0.0.1:{settings.rasa_port}/",
            f"http://127.0.0.1:{settings.web_port}/chat"]


def announce_when_ready(settings: Settings, procs: list[Child]) -> None:
    """Print the URLs once every server answers and every Rasa worker has its model (not before), or say
    which one did not."""
    import threading

    from bot.rest_client import answers

    rasa = next(child for child in procs if child.name == "rasa")
    workers = rasa_workers(settings)

    def wait() -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        for url in ready_urls(settings):
            while not answers(url, 1):
                if time.monotonic() > deadline:
                    say("serve", f"not ready after {READY_TIMEOUT_SECONDS} s: {url} does not answer")
                    return
                time.sleep(0.5)
        while rasa.ups < workers:  # the first worker answers while the others still load their model
            if time.monotonic() > deadline:
                say("serve", f"not ready after {READY_TIMEOUT_SECONDS} s: {rasa.ups} of {workers} Rasa workers "
                             f"loaded the model (see {shown(rasa.log)})")
                return
            time.sleep(0.2)
        say("serve", f"ready: chat http://localhost:{settings.web_port}/chat  "
                     f"console http://localhost:{settings.web_port}/console  "
                     f"Rasa REST http://localhost:{settings.rasa_port}/webhooks/rest/webhook  "
                     f"({workers} Rasa worker{'s' if workers > 1 else ''})")
        say("serve", console_token_hint(settings))
        say("serve", "chat in a terminal: `make chat` in another terminal; Ctrl-C here stops the assistant")

    threading.Thread(target=wait, name="ready", daemon=True).start()


def supervise(procs: list[Child], root: Path, on_started: Optional[Callable[[], None]] = None) -> None:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in procs:
        if child.process is None:  # the local Redis is started (and waited for) before the others
            child.start(root)
    if on_started is not None:
        on_started()
    try:
        while not stopping:
            time.sleep(0.5)
            for child in procs:
                if child.exited() and not stopping:
                    child.restarts += 1
                    say("serve", f"{child.name} exited ({child.process.returncode}): {child.last_line or 'no output'}"
                                 f"; restarting (full output: {shown(child.log)})")
                    time.sleep(RESTART_DELAY_SECONDS)
                    child.start(root)
    finally:
        stop_processes(*(child.process for child in procs if child.process), timeout=20)
        say("serve", "stopped")


def main(argv: Optional[list[str]] = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bot.running.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="the trained model (default models/assistant.tar.gz)")
    args = parser.parse_args(argv)
    open_rasa_api_for_the_console(os.environ)
    settings = get_settings()
    try:
        check(settings, args.model)
    except StartupProblem as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        sys.exit(1)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    redis: Optional[Child] = None
    if settings.rasa_workers > 1 and not settings.redis_url:
        settings, redis = start_local_redis(settings)
    procs = children(settings, args.model)
    workers = rasa_workers(settings)
    say("serve", f"starting the action server, Rasa ({workers} worker{'s' if workers > 1 else ''}"
                 f"{', local redis-server' if redis else ''}) and the web app (Rasa takes 10–20 s to load "
                 f"the model); their output: {shown(log_dir(settings))}/")
    if redis is not None:
        procs.insert(0, redis)
    supervise(procs, settings.root, on_started=lambda: announce_when_ready(settings, procs))


if __name__ == "__main__":
    main()
