"""`make run` starts with a short progress story ending in the ready line, and refuses to start on a
broken set-up, saying what to do, without a traceback."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ROOT
from tests.support.clients import wait_until
from tests.support.served import ServedAssistant
from tests.support.servers import free_port

MODEL = ROOT / "models" / "assistant.tar.gz"


def serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Runs `python -m bot.running.serve` with free ports and runtime state under tmp_path."""
    import os

    full_env = {
        **os.environ, "PYTHONPATH": str(ROOT), "VAR_DIR": str(tmp_path / "var"),
        "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()), "WEB_PORT": str(free_port()),
        "TRACKER_DB_URL": "", "REDIS_URL": "",
    }
    full_env.update(env)
    return subprocess.run([sys.executable, "-m", "bot.running.serve", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("cannot start:")
    for word in words:
        assert word in message


@pytest.fixture
def corrupt_file(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.bin"
    path.write_bytes(b"\x00\xffnot what it should be" * 100)
    return path


def test_missing_practice_database(tmp_path: Path) -> None:
    """No practices.db: the message names the file and says to run `make db`."""
    missing = tmp_path / "nothing.db"
    assert_refused(serve(tmp_path, DATABASE_URL=f"sqlite:///{missing}"), str(missing), "make db")


def test_corrupt_practice_database(tmp_path: Path, corrupt_file: Path) -> None:
    """A damaged practices.db: the message says it is unreadable and to run `make db`."""
    assert_refused(serve(tmp_path, DATABASE_URL=f"sqlite:///{corrupt_file}"), "unreadable", "make db")


def test_missing_model(tmp_path: Path, db_url: str) -> None:
    """No trained model: the message names the path and says to run `make train`."""
    missing = tmp_path / "assistant.tar.gz"
    assert_refused(serve(tmp_path, "--model", str(missing), DATABASE_URL=db_url), str(missing), "make train")


def test_corrupt_model(tmp_path: Path, db_url: str, corrupt_file: Path) -> None:
    """A damaged model file: the message says so and how to rebuild it."""
    assert_refused(serve(tmp_path, "--model", str(corrupt_file), DATABASE_URL=db_url), "not a model archive", "make")


@pytest.mark.parametrize("setting", ["RASA_PORT", "ACTION_PORT", "WEB_PORT"])
def test_port_in_use(tmp_path: Path, db_url: str, setting: str) -> None:
    """A port already taken: the message names the port and the setting that moves it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve(tmp_path, "--model", str(MODEL), DATABASE_URL=db_url, **{setting: str(port)})
    assert_refused(result, f"port {port}", "in use", setting)


def test_unreachable_tracker_store(tmp_path: Path, db_url: str) -> None:
    """TRACKER_DB_URL points at no database: the message says to start it or fix the setting."""
    url = f"postgresql://postgres:secret@127.0.0.1:{free_port()}/tracker"
    result = serve(tmp_path, "--model", str(MODEL), DATABASE_URL=db_url, TRACKER_DB_URL=url)
    assert_refused(result, "tracker store", "TRACKER_DB_URL")
    assert "secret" not in result.stderr


def test_unreachable_redis(tmp_path: Path, db_url: str) -> None:
    """REDIS_URL points at no Redis: the message says to start it or fix the setting."""
    result = serve(tmp_path, "--model", str(MODEL), DATABASE_URL=db_url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert_refused(result, "Redis", "REDIS_URL")


MAX_START_LINES = 25
# make's own progress lines, `python -m bot build-db`'s result, the training's and the supervisor's lines.
OUR_PREFIXES = ("[make] ", "built ", "[train] ", "[serve] ")
LIBRARY_NOISE = ("Warning", "Traceback", "site-packages", "Building prefix dict", "INFO", "Sanic", "Running on")


def test_make_run_tells_a_short_story_ending_in_the_ready_line(tmp_path: Path, db_url: str) -> None:
    """What `make run` prints from start to ready: a few of our own lines, the ready line with the URLs,
    the console token hint; the libraries' chatter is in the logs under var/log/, not on the terminal.
    (Everything `make run` builds first is up to date in a test run: `make test` builds it.)"""
    assistant = ServedAssistant(tmp_path / "var", {"DATABASE_URL": db_url, "CONSOLE_TOKEN": ""}, via_make=True)
    printed = assistant.var_dir / "serve.log"
    assistant.start(wait=False)
    try:
        ready = assistant.wait_for_ready_line()
        assert wait_until(lambda: "make chat" in printed.read_text(errors="replace"), 10) is not None
        output = printed.read_text(errors="replace").splitlines()
    finally:
        assistant.stop()
    up_to_ready = output[: output.index(ready) + 1]
    assert len(up_to_ready) <= MAX_START_LINES, "\n".join(output)
    for url in (f"http://localhost:{assistant.web_port}/chat", f"http://localhost:{assistant.web_port}/console",
                f"http://localhost:{assistant.rasa_port}/webhooks/rest/webhook"):
        assert url in ready
    noisy = [line for line in output if any(word in line for word in LIBRARY_NOISE)]
    assert not noisy, "\n".join(output)
    assert all(line.startswith(OUR_PREFIXES) for line in output), "\n".join(output)
    assert any("CONSOLE_TOKEN" in line for line in output), "\n".join(output)
    logs = assistant.var_dir / "log"
    assert any(str(logs) in line for line in up_to_ready), "the output names where the full logs are"
    assert "Starting Rasa server" in (logs / "rasa.log").read_text(errors="replace")
    assert "Action endpoint is up" in (logs / "actions.log").read_text(errors="replace")


def quick_start(readme: str, heading: str) -> str:
    """The README's section from ``heading`` to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = readme.index(heading)
    ends = [readme.find(f"\n{'#' * n} ", start + len(heading)) for n in range(1, len(level) + 1)]
    ends = [end for end in ends if end >= 0]
    return readme[start: min(ends) if ends else len(readme)]


@pytest.mark.parametrize("heading", ["## 两条命令", "## English"])
def test_the_readme_quick_start_says_how_to_open_the_staff_pages(heading: str) -> None:
    """Both quick starts name CONSOLE_TOKEN with `make run`, and the terminal chat instead of `rasa shell`."""
    section = quick_start((ROOT / "README.md").read_text(encoding="utf-8"), heading)
    assert "CONSOLE_TOKEN=" in section and "make run" in section
    assert "make chat" in section


MAX_TRAIN_LINES = 15


def test_training_tells_a_short_story_ending_in_the_saved_model(tmp_path: Path) -> None:
    """`make train`'s real output: its stages and the saved model in a few of our own lines, the
    responses only actions send counted once, no library paths or deprecation notices; rasa's own
    output in var/log/train.log."""
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), "VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run([sys.executable, "-m", "bot.running.train", "--fixed-model-name", "assistant",
                             "--out", str(tmp_path / "models"), "--num-threads", "2"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    said = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 0, "\n".join(said)
    assert len(said) <= MAX_TRAIN_LINES, "\n".join(said)
    assert all(line.startswith("[train] ") for line in said), "\n".join(said)
    assert str(tmp_path / "var" / "log" / "train.log") in said[0]
    assert any(line.startswith("[train] data check: ") and "responses are sent by the actions" in line
               for line in said), "\n".join(said)
    assert said[-1].startswith(f"[train] model saved: {tmp_path / 'models' / 'assistant.tar.gz'}")
    noisy = [line for line in said if any(word in line for word in ("site-packages", "Deprecat", "is not used in any"))]
    assert not noisy, "\n".join(said)
    assert "is not used in any story or rule" in (tmp_path / "var" / "log" / "train.log").read_text(errors="replace")
