"""The processes that run no neural network load no TensorFlow and print nothing but their answer."""
from __future__ import annotations

import json
import subprocess
import sys

from bot.config import ROOT


def test_the_command_line_prints_only_its_result(db_url):
    """`python -m bot search …`: the JSON hits on stdout, nothing on stderr (no TensorFlow, no jieba lines)."""
    env = {"PYTHONPATH": str(ROOT), "DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "bot", "search", "包工头欠钱不给咋办", "--limit", "1", "--json"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert json.loads(result.stdout)[0]["id"].startswith("5.")
    assert result.stderr == ""


def test_the_action_server_answers_without_tensorflow(db_url):
    """The action server's process, set up as its main() does, answers a search and never imports TensorFlow."""
    script = (
        "import sys\n"
        "from bot.running.lean import lean_process\n"
        "lean_process()\n"
        "from bot.running.action_server import warm_up\n"
        "warm_up()\n"
        "import actions.practices\n"
        "from bot.kb.service import get_knowledge_base\n"
        "print(get_knowledge_base().search('工地要刷脸吗', limit=1).hits[0].practice.id, "
        "sys.modules.get('tensorflow') is None)\n"
    )
    env = {"PYTHONPATH": str(ROOT), "DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    practice_id, no_tensorflow = result.stdout.split()
    assert practice_id.startswith("2.") and no_tensorflow == "True"


def test_neither_server_builds_an_access_log_record(monkeypatch):
    """Sanic reads the servers' environment as no access log (one record less built per request), and the
    action server started on its own sets that environment before rasa_sdk creates its app."""
    import rasa_sdk.__main__
    from sanic.config import Config

    from bot.running import action_server, lean
    from bot.running.rasa_server import RASA_ENVIRONMENT

    assert RASA_ENVIRONMENT["SANIC_ACCESS_LOG"] == "false"
    for name in RASA_ENVIRONMENT:  # restored after the test, like the patches below
        monkeypatch.setenv(name, "true")
    assert Config().ACCESS_LOG is True
    started = []
    monkeypatch.setattr(lean, "lean_process", lambda: None)  # this test process keeps its TensorFlow
    monkeypatch.setattr(action_server, "warm_up", lambda: None)
    monkeypatch.setattr(rasa_sdk.__main__, "main_from_args", lambda args: started.append(Config().ACCESS_LOG))
    monkeypatch.setattr(sys, "argv", ["action_server", "--actions", "actions"])
    action_server.main()
    assert started == [False]


def test_a_search_naming_no_place_loads_no_spacy(db_url):
    """The command line's search of a question that names no place answers without loading spaCy
    (half a second of its start), and with one that does, finds the place."""
    script = (
        "import sys\n"
        "from bot.cli import run\n"
        "run(['search', sys.argv[1], '--limit', '1', '--json'])\n"
        "print('spacy' in sys.modules)\n"
    )
    env = {"PYTHONPATH": str(ROOT), "DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    loaded = {}
    for query in ("云建宝怎么用", "东莞欠薪怎么办"):
        result = subprocess.run([sys.executable, "-c", script, query], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        *hits, loaded[query] = result.stdout.splitlines()
        assert json.loads("\n".join(hits))
    assert loaded == {"云建宝怎么用": "False", "东莞欠薪怎么办": "True"}
