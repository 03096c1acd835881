"""Fixtures for action tests (the helpers that build trackers live in ``tests.support.chat``)."""
from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.config import ROOT


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The project's domain.yml, as the action server receives it."""
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
