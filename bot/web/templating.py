"""Jinja2 templates of the console pages, and the user-facing messages file.

Templates autoescape HTML, so user text is always escaped; ``highlight`` escapes
first and only then wraps the search terms in ``<mark>``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import jinja2
import yaml
from aiohttp import web
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).resolve().parent / "templates"
MESSAGES = TEMPLATES / "messages.yml"
INTENT_LABELS = TEMPLATES / "intent_labels.yml"


def marked_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """The stretches of ``text`` covered by any of ``terms``, overlapping ones merged."""
    covered = [False] * len(text)
    for term in {t for t in terms if t}:
        start = text.find(term)
        while start >= 0:
            covered[start : start + len(term)] = [True] * len(term)
            start = text.find(term, start + 1)
    spans: list[tuple[int, int]] = []
    for i, inside in enumerate(covered):
        if inside and spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        elif inside:
            spans.append((i, i + 1))
    return spans


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """``text`` HTML-escaped, with the stretches matching ``terms`` wrapped in ``<mark>``."""
    parts: list[str] = []
    position = 0
    for start, end in marked_spans(text, terms):
        parts.append(str(escape(text[position:start])))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template environment (autoescaping .html and .svg, not .txt)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "svg"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["highlight"] = highlight
    env.filters["intent_label"] = intent_label
    env.filters["intent_rows"] = lambda rows: [(intent_label(row[0]), *row[1:]) for row in rows]
    return env


@lru_cache(maxsize=1)
def _intent_labels() -> dict[str, str]:
    with INTENT_LABELS.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def intent_label(intent: str) -> str:
    """What an intent means, in Chinese, for people reading the editor's charts."""
    return _intent_labels().get(intent, intent)


def render_text(name: str, **context: Any) -> str:
    """A template rendered to a string."""
    return environment().get_template(name).render(**context)


def render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    """An HTML page; every page gets the request and whether staff are signed in."""
    context.setdefault("signed_in", bool(request.get("staff")))
    context.setdefault("path", request.path)
    html = render_text(name, request=request, **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """Error and status messages by code, each with ``zh`` and ``en`` text."""
    with MESSAGES.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def message(code: str) -> dict[str, str]:
    """One message (falls back to the generic error)."""
    table = messages()
    return table.get(code) or table["server_error"]
