"""Servers on loopback for the tests and the benchmark: free ports, waiting for a port, a throwaway Redis."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, server: Optional[subprocess.Popen] = None) -> None:
    """Until something listens on the loopback port; TimeoutError after ``timeout`` or once ``server`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (server is None or server.poll() is None):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port}")


def redis_binary() -> Optional[str]:
    """Debian's redis-server, when it is installed."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    return binary if Path(binary).exists() else None


def redis_command(binary: str, port: int, data_dir: Path) -> list[str]:
    """A Redis on loopback that keeps nothing on disk: locks and WeChat message memory are short-lived."""
    return [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(data_dir)]


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A throwaway Redis server; yields its URL."""
    binary = redis_binary()
    if binary is None:
        raise RuntimeError("Redis is not installed: run `make system-deps`")
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(redis_command(binary, port, workdir), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server=server)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)
