"""The responses of ``domain.yml``, read once, for the parts that compose or send messages
outside Rasa's own NLG: the actions' one-message answers, the channels' own sentences and
the apology sent when the bot fails.

Read with PyYAML, not Rasa's ``Domain``, so the action server and the web app import no Rasa.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

logger = logging.getLogger(__name__)

# A ``{name}`` variable as Rasa fills it; ``{{`` and ``}}`` are literal braces (button payloads).
_VARIABLE = re.compile(r"\{\{|\}\}|\{(\w+)\}")


def domain_path() -> Path:
    from bot.config import get_settings

    return get_settings().root / "domain.yml"


@lru_cache(maxsize=4)
def load_responses(path: Optional[Path] = None) -> Mapping[str, list[dict[str, Any]]]:
    """Response name → its variations, from ``domain.yml`` (empty, logged, when it cannot be read)."""
    path = path or domain_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        logger.error("cannot read the responses of %s", path, exc_info=True)
        return {}
    responses = data.get("responses") if isinstance(data, dict) else None
    return responses if isinstance(responses, dict) else {}


def first_variation(name: str, responses: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """The first variation of a response (``text``, ``buttons``, …); empty when the domain has none."""
    variations = (load_responses() if responses is None else responses).get(name) or []
    return dict(variations[0]) if variations and isinstance(variations[0], dict) else {}


def fill(template: str, **values: Any) -> str:
    """The template with its ``{name}`` variables filled as Rasa fills them (a missing one stays)."""

    def replace(match: re.Match) -> str:
        if match.group(1) is None:
            return match.group(0)[0]
        value = values.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return _VARIABLE.sub(replace, template)


def text(name: str, **values: Any) -> str:
    """The first variation's text of a response, filled."""
    return fill(str(first_variation(name).get("text") or ""), **values)


def buttons(name: str, **values: Any) -> list[dict[str, str]]:
    """The first variation's buttons of a response, titles and payloads filled."""
    return [
        {"title": fill(str(b.get("title") or ""), **values), "payload": fill(str(b.get("payload") or ""), **values)}
        for b in first_variation(name).get("buttons") or []
        if isinstance(b, dict)
    ]
