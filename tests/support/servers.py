"""Real PostgreSQL and Redis servers from Debian's packages, started on loopback for a test run, and
small aiohttp stand-ins served on loopback inside a test's event loop."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import AsyncIterator, Iterator

from aiohttp import web

from bot.running.loopback import free_port, redis_server, wait_for_port  # noqa: F401  (used by the test fixtures)


def _as_postgres_user(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make system-deps`")
    return found[-1]


@contextmanager
def postgres_server(workdir: Path) -> Iterator[str]:
    """A throwaway PostgreSQL cluster; yields a SQLAlchemy URL to its `postgres` database."""
    data = workdir / "pgdata"
    data.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(_as_postgres_user([_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                      "--locale=C.UTF-8"]), check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        _as_postgres_user([_pg_bin("postgres"), "-D", str(data), "-p", str(port), "-k", str(workdir),
                           "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        time.sleep(0.3)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        server.terminate()
        server.wait(timeout=30)


@asynccontextmanager
async def loopback_app(app: web.Application) -> AsyncIterator[str]:
    """``app`` served on a free loopback port in the running event loop; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
