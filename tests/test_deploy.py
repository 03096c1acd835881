"""The deployment files start what `make run` starts: the warmed action server and Rasa through our launcher."""
from __future__ import annotations

import yaml

from bot.config import ROOT

DEPLOY = ROOT / "deploy"


def test_compose_starts_the_warmed_action_server_and_rasa_through_the_project():
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    assert services["actions"]["command"][:3] == ["python", "-m", "bot.running.action_server"]
    assert services["rasa"]["command"] == ["python", "-m", "bot.running.rasa_server"]


def test_helm_values_start_the_warmed_action_server():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yml").read_text(encoding="utf-8"))
    assert values["rasa-action-server"]["command"] == ["python", "-m", "bot.running.action_server"]


def test_the_make_targets_and_readme_name_no_plain_action_server():
    """`make actions`, the README and deploy/ all start the warmed server, never plain rasa_sdk."""
    for path in (ROOT / "Makefile", ROOT / "README.md", DEPLOY / "docker-compose.yml", DEPLOY / "helm" / "values.yml"):
        text = path.read_text(encoding="utf-8")
        assert "-m rasa_sdk" not in text and '"rasa_sdk"' not in text and "run actions" not in text, path
