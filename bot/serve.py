"""`make run`: check what the assistant needs, then start and watch its three servers.

The Rasa server, the action server and the web app run as child processes; one that dies
is restarted (the Rasa server answers with an apology meanwhile, see domain.yml).
"""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bot.config import Settings, get_settings

RESTART_DELAY_SECONDS = 2.0


class StartupProblem(RuntimeError):
    """Something the assistant needs is missing; the message says what to do."""


@dataclass
class Child:
    name: str
    command: list[str]
    process: Optional[subprocess.Popen] = None
    restarts: int = field(default=0)

    def start(self, cwd: Path) -> None:
        self.process = subprocess.Popen(self.command, cwd=cwd)

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


def check(settings: Settings) -> None:
    """Refuse to start, with a clear message, when the database, the model or a port is not ready."""
    from bot.kb.service import KnowledgeBase, KnowledgeBaseUnavailable

    try:
        KnowledgeBase.from_url(settings.database_url)
    except KnowledgeBaseUnavailable as exc:
        raise StartupProblem(f"{exc}") from None
    if not model_path(settings).is_file():
        raise StartupProblem(f"no trained model at {model_path(settings)}: run `make train`")
    for name, port in (("Rasa", settings.rasa_port), ("action server", settings.action_port), ("web app", settings.web_port)):
        if port_in_use(port):
            raise StartupProblem(f"port {port} for the {name} is in use: stop what uses it or set another port")


def children(settings: Settings) -> list[Child]:
    python = sys.executable
    from bot.runtime import rasa_command

    return [
        Child("actions", [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)]),
        Child("rasa", rasa_command(settings, model_path(settings))),
        Child("web", [python, "-m", "bot.web.app"]),
    ]


def supervise(procs: list[Child], root: Path) -> None:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in procs:
        child.start(root)
    try:
        while not stopping:
            time.sleep(0.5)
            for child in procs:
                if child.exited() and not stopping:
                    child.restarts += 1
                    print(f"[serve] {child.name} exited ({child.process.returncode}); restarting", file=sys.stderr)
                    time.sleep(RESTART_DELAY_SECONDS)
                    child.start(root)
    finally:
        for child in procs:
            if child.process and child.process.poll() is None:
                child.process.terminate()
        for child in procs:
            if child.process:
                try:
                    child.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.process.kill()


def main() -> None:
    settings = get_settings()
    try:
        check(settings)
    except StartupProblem as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        sys.exit(1)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    print(
        f"starting: chat http://localhost:{settings.web_port}/chat  console http://localhost:{settings.web_port}/console  "
        f"Rasa REST http://localhost:{settings.rasa_port}/webhooks/rest/webhook",
        file=sys.stderr,
    )
    supervise(children(settings), settings.root)


if __name__ == "__main__":
    main()
