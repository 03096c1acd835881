"""The Rasa server and the action server started for a benchmark, as `make run` starts them."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from bot.config import ROOT, Settings
from bot.loopback import free_port
from bot.runtime import RASA_ENVIRONMENT, rasa_command


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MiB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class Servers:
    """The running servers: their URLs, processes and the moment the servers were launched.

    `rasa_url` and `rasa` are the first Rasa instance; a scale-out run has several
    (`rasa_urls`, `rasa_instances`) sharing the tracker store and a Redis lock store.
    """

    rasa_urls: list[str]
    token: str
    rasa_instances: list[subprocess.Popen]
    actions: subprocess.Popen
    launched: float

    @property
    def rasa_url(self) -> str:
        return self.rasa_urls[0]

    @property
    def rasa(self) -> subprocess.Popen:
        return self.rasa_instances[0]

    def rss(self) -> dict[str, float]:
        return {"rasa": rss_mb(self.rasa.pid), "actions": rss_mb(self.actions.pid)}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by all Rasa instances together and by the action server."""
        return {"rasa": sum(cpu_seconds(p.pid) for p in self.rasa_instances), "actions": cpu_seconds(self.actions.pid)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running_servers(var_dir: Path, model: Path, token: str = "bench-token",
                    env: Optional[dict[str, str]] = None, instances: int = 1) -> Iterator[Servers]:
    """Starts the action server and `instances` Rasa servers (HTTP API behind `token`), runtime state in var_dir.

    Several instances need a shared lock store: `REDIS_URL` in `env`. They share the
    tracker store (`TRACKER_DB_URL` in `env`, else the SQLite file under var_dir).
    """
    if instances > 1 and not (env or {}).get("REDIS_URL"):
        raise ValueError("several Rasa instances need REDIS_URL (a shared lock store)")
    var_dir.mkdir(parents=True, exist_ok=True)
    action_port = free_port()
    rasa_ports = [free_port() for _ in range(instances)]
    full_env = {**os.environ, **RASA_ENVIRONMENT, **(env or {}), "PYTHONPATH": str(ROOT), "VAR_DIR": str(var_dir),
                "TF_CPP_MIN_LOG_LEVEL": "3", "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook"}
    os_env = dict(os.environ)
    os.environ.update(full_env)
    try:
        extra = env or {}
        commands = [rasa_command(Settings(var_dir=var_dir, rasa_port=port, action_port=action_port, rasa_token=token,
                                          tracker_db_url=extra.get("TRACKER_DB_URL", ""),
                                          redis_url=extra.get("REDIS_URL", "")), model)
                    for port in rasa_ports]
    finally:
        os.environ.clear()
        os.environ.update(os_env)
    logs = [open(var_dir / name, "ab") for name in ("actions.log", *(f"rasa-{port}.log" for port in rasa_ports))]
    launched = time.monotonic()
    actions = subprocess.Popen([sys.executable, "-m", "bot.action_server", "--actions", "actions",
                                "--port", str(action_port)],
                               cwd=ROOT, env=full_env, stdout=logs[0], stderr=subprocess.STDOUT)
    rasa = [subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
            for command, log in zip(commands, logs[1:])]
    try:
        yield Servers([f"http://127.0.0.1:{port}" for port in rasa_ports], token, rasa, actions, launched)
    finally:
        for process in (*rasa, actions):
            process.terminate()
        for process in (*rasa, actions):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
