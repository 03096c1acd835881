"""The one way the tests, `make eval` and `make bench` start the real servers, as `make run` does.

The warmed action server (``bot.running.action_server``) and one or more Rasa servers
(``bot.running.rasa_server``, patches installed at start-up) on free loopback ports, with their
runtime state (endpoints file, tracker store, logs) under one folder; and, in front of them, the web
app (``running_web_app``: console, JSON API, chat). `make run` itself starts the same commands through
``bot.running.serve``'s supervisor.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Optional

from bot.config import ROOT, Settings
from bot.rest_client import answers
from bot.running.action_server import action_server_command
from bot.running.loopback import free_port
from bot.running.rasa_server import RASA_ENVIRONMENT, RASA_WORKER_UP, rasa_command, rasa_environment

ACTION_START_TIMEOUT = 120


def stop(*processes: subprocess.Popen, timeout: float = 30) -> None:
    """Ask servers to stop; kill any that has not within ``timeout`` seconds. Their descendants (a Rasa
    server's worker processes) are waited for too: a worker outliving its parent by a moment still holds
    the port, and a restart right after the stop would find it in use."""
    running = [p for p in processes if p.poll() is None]
    descendants = [pid for p in running for pid in process_tree(p.pid)[1:]]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid in descendants:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # ended meanwhile


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped by its parent, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MiB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (a Rasa server's worker processes are its children)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue  # ended meanwhile
            parents.setdefault(parent, []).append(int(entry.name))
    tree, index = [pid], 0
    while index < len(tree):
        tree += parents.get(tree[index], [])
        index += 1
    return tree


def tree_rss_mb(pid: int) -> float:
    return sum(rss_mb(member) for member in process_tree(pid))


def tree_cpu_seconds(pid: int) -> float:
    return sum(cpu_seconds(member) for member in process_tree(pid))


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Servers:
    """The running servers: their URLs, processes, environment and the moment they were launched.

    `rasa_url` and `rasa` are the first Rasa instance; a scale-out run has several
    (`rasa_urls`, `rasa_instances`) sharing the tracker store and a Redis lock store. Each instance
    runs `workers` worker processes (its children) on its port.
    """

    rasa_urls: list[str]
    action_url: str
    token: str
    rasa_instances: list[subprocess.Popen]
    actions: subprocess.Popen
    launched: float
    env: dict[str, str]
    var_dir: Path
    workers: int = 1

    @property
    def rasa_url(self) -> str:
        return self.rasa_urls[0]

    @property
    def rasa(self) -> subprocess.Popen:
        return self.rasa_instances[0]

    def rss(self) -> dict[str, float]:
        """Resident memory of the first Rasa instance (its workers included) and of the action server."""
        return {"rasa": tree_rss_mb(self.rasa.pid), "actions": rss_mb(self.actions.pid)}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by all Rasa instances and their workers together and by the action server."""
        return {"rasa": sum(tree_cpu_seconds(p.pid) for p in self.rasa_instances),
                "actions": cpu_seconds(self.actions.pid)}

    def wait_ready(self, timeout: float) -> None:
        """Until the action server and every Rasa instance answer, every worker with its model loaded;
        a server that exits is reported."""
        deadline = time.monotonic() + timeout
        health = self.action_url.rsplit("/", 1)[0] + "/health"
        waiting = [(health, self.actions, "actions.log"),
                   *((f"{url}/", process, f"rasa-{url.rsplit(':', 1)[1]}.log")
                     for url, process in zip(self.rasa_urls, self.rasa_instances))]
        while waiting:
            url, process, log = waiting[0]
            if process.poll() is not None:
                raise RuntimeError(f"a server exited during start-up: see {self.var_dir / log}")
            if answers(url, 1) and (log == "actions.log" or self._workers_up(log) >= self.workers):
                waiting.pop(0)
                continue
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s: see {self.var_dir / log}")
            time.sleep(0.3)

    def _workers_up(self, log: str) -> int:
        return (self.var_dir / log).read_text(errors="replace").count(RASA_WORKER_UP)


@contextmanager
def running_servers(var_dir: Path, model: Path, token: str = "", env: Optional[dict[str, str]] = None,
                    instances: int = 1, workers: int = 1, ready_timeout: Optional[float] = None) -> Iterator[Servers]:
    """Starts the action server and ``instances`` Rasa servers, runtime state in ``var_dir``.

    Args:
        var_dir: where the endpoints files, the SQLite tracker store and the logs go.
        model: the trained model.
        token: opens Rasa's HTTP API behind this token (none when empty).
        env: settings for the servers (TRACKER_DB_URL, REDIS_URL, WECHAT_* …) on top of this
            process's environment.
        instances: Rasa servers; more than one needs a shared lock store (REDIS_URL).
        workers: worker processes of each Rasa server on its one port (RASA_WORKERS of `make run`);
            more than one needs REDIS_URL too.
        ready_timeout: wait this long for every server to answer before yielding (None: don't wait).
    """
    if (instances > 1 or workers > 1) and not (env or {}).get("REDIS_URL"):
        raise ValueError("several Rasa instances or workers need REDIS_URL (a shared lock store)")
    var_dir.mkdir(parents=True, exist_ok=True)
    action_port = free_port()
    rasa_ports = [free_port() for _ in range(instances)]
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    full_env = {**os.environ, **RASA_ENVIRONMENT, **(env or {}), "PYTHONPATH": str(ROOT), "VAR_DIR": str(var_dir),
                "TF_CPP_MIN_LOG_LEVEL": "3", "ACTION_ENDPOINT_URL": action_url}
    settings = Settings.from_environment(full_env, var_dir=var_dir, action_port=action_port, rasa_token=token,
                                         rasa_workers=workers)
    commands = [rasa_command(replace(settings, rasa_port=port), model) for port in rasa_ports]
    logs = [open(var_dir / name, "ab") for name in ("actions.log", *(f"rasa-{port}.log" for port in rasa_ports))]
    launched = time.monotonic()
    actions = subprocess.Popen(action_server_command(action_port), cwd=ROOT, env=full_env, stdout=logs[0],
                               stderr=subprocess.STDOUT)
    rasa_env = {**full_env, **rasa_environment(settings)}
    rasa = [subprocess.Popen(command, cwd=ROOT, env=rasa_env, stdout=log, stderr=subprocess.STDOUT)
            for command, log in zip(commands, logs[1:])]
    servers = Servers([f"http://127.0.0.1:{port}" for port in rasa_ports], action_url, token, rasa, actions,
                      launched, full_env, var_dir, workers)
    try:
        if ready_timeout is not None:
            servers.wait_ready(ready_timeout)
        yield servers
    finally:
        stop(*rasa, actions)
        for log in logs:
            log.close()


@contextmanager
def running_web_app(servers: Servers, console_token: str, env: Optional[dict[str, str]] = None,
                    ready_timeout: float = 60) -> Iterator[str]:
    """The web app (``python -m bot.web.app``: console, JSON API, chat) in front of running ``servers``,
    on a free loopback port, reading their tracker store; yields its URL.

    Args:
        servers: from :func:`running_servers`; the web app gets their environment (VAR_DIR, tracker store).
        console_token: the staff token of the console and its API (``Authorization: Bearer …``).
        env: more settings on top (LABELS_DB_URL …).
        ready_timeout: wait this long for the app to answer.
    """
    import sys

    port = free_port()
    full_env = {**servers.env, "WEB_PORT": str(port), "RASA_URL": servers.rasa_url, "CONSOLE_TOKEN": console_token,
                **(env or {})}
    url = f"http://127.0.0.1:{port}"
    with open(servers.var_dir / f"web-{port}.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.web.app"], cwd=ROOT, env=full_env, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + ready_timeout
            while not answers(f"{url}/chat", 1):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the web app did not start: see {servers.var_dir / f'web-{port}.log'}")
                time.sleep(0.3)
            yield url
        finally:
            stop(process)
