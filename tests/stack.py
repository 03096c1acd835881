"""The real servers, started on loopback ports the way `make run` starts them."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from bot.config import ROOT, Settings
from bot.runtime import RASA_ENVIRONMENT, rasa_command
from tests.servers import free_port, wait_for_port

MODEL = ROOT / "models" / "assistant.tar.gz"
RASA_START_TIMEOUT = 240


@dataclass(frozen=True)
class Stack:
    rasa_url: str
    action_url: str
    env: dict
    var_dir: Path

    def rest(self, sender: str, message: str, metadata: Optional[dict] = None, timeout: float = 30) -> list[dict]:
        """One turn over Rasa's REST channel."""
        import json

        body = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())


def wait_for_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextmanager
def process(command: list[str], env: dict, log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def stack_env(var_dir: Path, **overrides: str) -> dict:
    env = {**os.environ, **RASA_ENVIRONMENT, "PYTHONPATH": str(ROOT), "VAR_DIR": str(var_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


@contextmanager
def action_server(var_dir: Path, env: dict) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", str(port)]
    with process(command, env, var_dir / f"actions-{port}.log"):
        wait_for_http(f"http://127.0.0.1:{port}/health", 120)
        yield f"http://127.0.0.1:{port}/webhook"


@contextmanager
def rasa_server(var_dir: Path, env: dict, action_url: str, **settings_env: str) -> Iterator[str]:
    """A Rasa server with the project's model; settings (tracker store, lock store) from the environment."""
    port = free_port()
    full_env = {**env, **settings_env, "RASA_PORT": str(port), "ACTION_ENDPOINT_URL": action_url}
    old = dict(os.environ)
    os.environ.update(full_env)
    try:
        command = rasa_command(Settings(), MODEL)
    finally:
        os.environ.clear()
        os.environ.update(old)
    with process(command, full_env, var_dir / f"rasa-{port}.log") as proc:
        deadline = time.monotonic() + RASA_START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"Rasa exited: see {var_dir / f'rasa-{port}.log'}")
            try:
                wait_for_http(f"http://127.0.0.1:{port}/", 1)
                break
            except TimeoutError:
                pass
        wait_for_port(port, 1)
        yield f"http://127.0.0.1:{port}"


@contextmanager
def running_stack(var_dir: Path, **settings_env: str) -> Iterator[Stack]:
    """Action server + Rasa server, as `make run` starts them, with runtime state under var_dir."""
    if not MODEL.is_file():
        raise RuntimeError("no trained model: run `make train`")
    var_dir.mkdir(parents=True, exist_ok=True)
    env = stack_env(var_dir, **settings_env)
    with ExitStack() as stack:
        action_url = stack.enter_context(action_server(var_dir, env))
        rasa_url = stack.enter_context(rasa_server(var_dir, env, action_url))
        yield Stack(rasa_url=rasa_url, action_url=action_url, env=env, var_dir=var_dir)
