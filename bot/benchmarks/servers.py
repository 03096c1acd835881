"""The Rasa server and the action server started for a benchmark, as `make run` starts them."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from bot.config import ROOT, Settings
from bot.runtime import RASA_ENVIRONMENT, rasa_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    """The running servers: their URLs, processes and the moment Rasa was launched."""

    rasa_url: str
    token: str
    rasa: subprocess.Popen
    actions: subprocess.Popen
    launched: float

    def rss(self) -> dict[str, float]:
        return {"rasa": rss_mb(self.rasa.pid), "actions": rss_mb(self.actions.pid)}


@contextmanager
def running_servers(var_dir: Path, model: Path, token: str = "bench-token",
                    env: Optional[dict[str, str]] = None) -> Iterator[Servers]:
    """Starts the action server and Rasa (with its HTTP API behind `token`), runtime state in var_dir."""
    var_dir.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port = free_port(), free_port()
    full_env = {**os.environ, **RASA_ENVIRONMENT, **(env or {}), "PYTHONPATH": str(ROOT), "VAR_DIR": str(var_dir),
                "TF_CPP_MIN_LOG_LEVEL": "3", "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook"}
    os_env = dict(os.environ)
    os.environ.update(full_env)
    try:
        extra = env or {}
        settings = Settings(var_dir=var_dir, rasa_port=rasa_port, action_port=action_port, rasa_token=token,
                            tracker_db_url=extra.get("TRACKER_DB_URL", ""), redis_url=extra.get("REDIS_URL", ""))
        command = rasa_command(settings, model)
    finally:
        os.environ.clear()
        os.environ.update(os_env)
    logs = [open(var_dir / name, "ab") for name in ("actions.log", "rasa.log")]
    launched = time.monotonic()
    actions = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
                               cwd=ROOT, env=full_env, stdout=logs[0], stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=logs[1], stderr=subprocess.STDOUT)
    try:
        yield Servers(f"http://127.0.0.1:{rasa_port}", token, rasa, actions, launched)
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
