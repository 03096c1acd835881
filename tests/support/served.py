"""`make run`'s supervisor (`python -m bot.running.serve`, or `make run` itself) started for a test, with its
children at hand."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bot.config import ROOT
from tests.support.servers import free_port
from tests.support.stack import wait_for_http

START_TIMEOUT = 300


@dataclass
class ServedAssistant:
    """The assistant as `make run` runs it: supervisor, Rasa, action server, web app."""

    var_dir: Path
    env: dict
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    via_make: bool = False  # started as a user does, `make run` (prerequisites are up to date in a test run)
    process: Optional[subprocess.Popen] = None

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_health(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/health"

    def start(self, wait: bool = True) -> None:
        """Starts the supervisor and (unless told not to) waits until Rasa and the action server answer."""
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT), "VAR_DIR": str(self.var_dir),
               "RASA_PORT": str(self.rasa_port), "ACTION_PORT": str(self.action_port),
               "WEB_PORT": str(self.web_port), "TF_CPP_MIN_LOG_LEVEL": "3"}
        env.pop("ACTION_ENDPOINT_URL", None)
        for variable in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # not a sub-make of `make test`
            env.pop(variable, None)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.var_dir / "serve.log", "ab")
        command = ["make", "--no-print-directory", "run"] if self.via_make else [sys.executable, "-m", "bot.running.serve"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=self.via_make)
        log.close()
        if wait:
            for url in (self.action_health, f"{self.rasa_url}/"):
                wait_for_http(url, START_TIMEOUT, server=self.process, log=self.var_dir / "serve.log")

    def wait_for_ready_line(self, timeout: float = START_TIMEOUT) -> str:
        """The supervisor's "ready" line, once it has printed it."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in (self.var_dir / "serve.log").read_text(errors="replace").splitlines():
                if "[serve] ready:" in line:
                    return line
            time.sleep(0.2)
        raise TimeoutError("make run printed no ready line")

    def stop(self) -> None:
        """Stops the supervisor as Ctrl-C does; it stops its children."""
        if self.process and self.process.poll() is None:
            if self.via_make:  # Ctrl-C at a terminal signals make and everything it started
                os.killpg(self.process.pid, signal.SIGINT)
            else:
                self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def child(self, marker: str) -> int:
        """The pid of the supervisor's child whose command line contains `marker`."""
        assert self.process is not None
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid and marker in cmdline:
                return int(entry.name)
        raise LookupError(f"no child running {marker}")
