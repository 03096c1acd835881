"""The real servers for the tests, started by the project's one launcher (bot.running.launcher)."""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from bot.config import ROOT
from bot.running.launcher import running_servers, stop
from bot.running.rasa_server import RASA_ENVIRONMENT

MODEL = ROOT / "models" / "assistant.tar.gz"
RASA_START_TIMEOUT = 240
RASA_TOKEN = "test-rasa-token-3Vx8"  # opens Rasa's HTTP API, which the console's takeover uses


@dataclass(frozen=True)
class Stack:
    rasa_url: str
    action_url: str
    env: dict
    var_dir: Path
    rasa_urls: tuple[str, ...] = ()
    token: str = ""  # Rasa's HTTP API token ("" = closed)

    def rest(self, sender: str, message: str, metadata: Optional[dict] = None, timeout: float = 30) -> list[dict]:
        """One turn over Rasa's REST channel."""
        body = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())


def wait_for_http(url: str, timeout: float, server: Optional[subprocess.Popen] = None,
                  log: Optional[Path] = None) -> None:
    """Until ``url`` answers; fails at once when ``server`` (what should answer) exits, with ``log``'s end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if server is not None and server.poll() is not None:
                said = log.read_text(errors="replace").strip().splitlines()[-3:] if log and log.is_file() else []
                raise RuntimeError(f"{url}: the server exited ({server.returncode}): {' / '.join(said)}") from None
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextmanager
def process(command: list[str], env: dict, log: Path) -> Iterator[subprocess.Popen]:
    """Another of the project's processes (the web app), stopped at the end."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            stop(proc)


def stack_env(var_dir: Path, **overrides: str) -> dict:
    env = {**os.environ, **RASA_ENVIRONMENT, "PYTHONPATH": str(ROOT), "VAR_DIR": str(var_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


@contextmanager
def running_stack(var_dir: Path, instances: int = 1, workers: int = 1, token: str = "",
                  **settings_env: str) -> Iterator[Stack]:
    """Action server + Rasa server(s) of ``workers`` processes each, as `make run` starts them, with runtime
    state under var_dir."""
    if not MODEL.is_file():
        raise RuntimeError("no trained model: run `make train`")
    env = {k: str(v) for k, v in settings_env.items()}
    with running_servers(var_dir, MODEL, token=token, env=env, instances=instances, workers=workers,
                         ready_timeout=RASA_START_TIMEOUT) as servers:
        yield Stack(rasa_url=servers.rasa_url, action_url=servers.action_url, env=servers.env, var_dir=var_dir,
                    rasa_urls=tuple(servers.rasa_urls), token=token)
