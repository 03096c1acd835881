"""The JSON API behind the console: search and practices (public), conversations (staff).

Bad input gets a 400 with a message in Chinese and English (from
``templates/messages.yml``), never a traceback. Staff endpoints need
``Authorization: Bearer <CONSOLE_TOKEN>``.
"""
from __future__ import annotations

import asyncio
import functools
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

import yaml
from aiohttp import web

from bot.config import Settings
from bot.kb.types import Hit, Place, Practice
from bot.web import auth, catalog
from bot.web.conversations import ConversationStore
from bot.web.templating import message, render_text

OPENAPI = Path(__file__).resolve().parent / "openapi.yaml"
MAX_QUERY = 200
MAX_REGION = 50
MAX_LIMIT = 50
MAX_OFFSET = 1000
DEFAULT_LIMIT = 10

SETTINGS = web.AppKey("settings", Settings)
CONVERSATIONS = web.AppKey("conversations", ConversationStore)
KB_EXECUTOR = web.AppKey("kb_executor", ThreadPoolExecutor)
KB = web.AppKey("knowledge_base", object)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """Input the API refuses; ``code`` names the message in messages.yml."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def error(status: int, code: str, **headers: str) -> web.Response:
    """A JSON error: ``{"error": {"code", "message", "message_en"}}``."""
    text = message(code)
    body = {"error": {"code": code, "message": text["zh"], "message_en": text["en"]}}
    return web.json_response(body, status=status, headers=headers or None, dumps=dumps)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_ok(value: Any) -> web.Response:
    return web.json_response(value, dumps=dumps)


# ---------------------------------------------------------------- input


def int_param(request: web.Request, name: str, default: int, low: int, high: int, code: str) -> int:
    raw = request.query.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(code)
    return int(raw)


def text_param(request: web.Request, name: str, longest: int, code: str) -> str:
    value = " ".join(request.query.get(name, "").split())
    if len(value) > longest:
        raise BadRequest(code)
    return value


def filters_param(request: web.Request) -> catalog.Filters:
    task = request.query.get("task", "").strip()
    measure = request.query.get("measure", "").strip()
    if not catalog.Filters.valid_key(task, measure):
        raise BadRequest("bad_filter")
    return catalog.Filters(task, measure, text_param(request, "province", MAX_REGION, "region_too_long"))


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: the query, the place to prefer, paging and hard filters."""

    q: str
    region: str = ""
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    filters: catalog.Filters = catalog.Filters()

    @classmethod
    def from_request(cls, request: web.Request, require_query: bool = True) -> "SearchRequest":
        q = text_param(request, "q", MAX_QUERY, "query_too_long")
        if require_query and not q:
            raise BadRequest("empty_query")
        return cls(
            q=q,
            region=text_param(request, "region", MAX_REGION, "region_too_long"),
            limit=int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, "bad_limit"),
            offset=int_param(request, "offset", 0, 0, MAX_OFFSET, "bad_offset"),
            filters=filters_param(request),
        )


@dataclass(frozen=True)
class SearchPage:
    """One page of filtered hits, with what the console needs to show them."""

    request: SearchRequest
    hits: tuple[Hit, ...]
    total: int
    place: Optional[Place]
    terms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.request.q,
            "region": self.request.region,
            "place": self.place.full_name if self.place else None,
            "total": self.total,
            "limit": self.request.limit,
            "offset": self.request.offset,
            "terms": list(self.terms),
            "hits": [hit.to_dict() for hit in self.hits],
        }


# ---------------------------------------------------------------- knowledge base


def knowledge_base(app: web.Application) -> Any:
    """The app's knowledge base (the process-wide one unless a test handed one in)."""
    if app.get(KB) is None:
        from bot.kb.service import get_knowledge_base

        app[KB] = get_knowledge_base()
    return app[KB]


async def in_kb_thread(request: web.Request, function: Callable[..., Any], *args: Any) -> Any:
    """Run a knowledge-base call off the event loop, one at a time (the index is built on first use)."""
    loop = asyncio.get_running_loop()
    app = request.app
    return await loop.run_in_executor(app[KB_EXECUTOR], lambda: function(knowledge_base(app), *args))


def run_search(kb: Any, search: SearchRequest) -> SearchPage:
    """Search, keep the hits that pass the filters, and cut out the requested page."""
    everything = max(len(kb.practices()), 1)
    result = kb.search(search.q, region=search.region or None, limit=everything, offset=0)
    hits = catalog.filter_hits(result.hits, search.filters)
    page = tuple(hits[search.offset : search.offset + search.limit])
    texts = [f"{h.practice.region}\n{h.practice.title}\n{h.practice.text}" for h in page]
    terms = tuple(catalog.highlight_terms(search.q, texts))
    return SearchPage(search, page, len(hits), result.place, terms)


def answer_script(practice: Practice) -> str:
    """A short ready-to-read answer with its source (wording in the template)."""
    return render_text(catalog.SCRIPT_TEMPLATE, practice=practice, summary=catalog.summary(practice)).strip()


def practice_dict(practice: Practice) -> dict[str, Any]:
    return {**practice.to_dict(), "script": answer_script(practice)}


def browse(kb: Any, filters: catalog.Filters = catalog.Filters()) -> dict[str, Any]:
    practices = [p for p in kb.practices() if filters.accepts(p)]
    return {
        "total": len(practices),
        "tasks": [f.to_dict() for f in catalog.tasks(practices)],
        "measures": [f.to_dict() for f in catalog.measures(practices)],
        "provinces": [f.to_dict() for f in catalog.provinces(practices)],
    }


# ---------------------------------------------------------------- public handlers


async def search_handler(request: web.Request) -> web.Response:
    page = await in_kb_thread(request, run_search, SearchRequest.from_request(request))
    return json_ok(page.to_dict())


async def practices_handler(request: web.Request) -> web.Response:
    filters = filters_param(request)
    practices = await in_kb_thread(request, lambda kb: [p for p in kb.practices() if filters.accepts(p)])
    return json_ok({"total": len(practices), "practices": [p.to_dict() for p in practices]})


async def practice_handler(request: web.Request) -> web.Response:
    practice = await in_kb_thread(request, lambda kb: kb.practice(request.match_info["id"]))
    if practice is None:
        return error(404, "practice_not_found")
    return json_ok(practice_dict(practice))


async def browse_handler(request: web.Request) -> web.Response:
    filters = filters_param(request)
    return json_ok(await in_kb_thread(request, browse, filters))


async def openapi_yaml(request: web.Request) -> web.Response:
    return web.Response(text=OPENAPI.read_text(encoding="utf-8"), content_type="application/yaml", charset="utf-8")


async def openapi_json(request: web.Request) -> web.Response:
    return json_ok(yaml.safe_load(OPENAPI.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- staff handlers


def staff_only(handler: Handler) -> Handler:
    """401 unless the request carries the console token (or staff session)."""

    @functools.wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        token = request.app[SETTINGS].console_token
        if not token:
            return error(401, "console_closed", **{"WWW-Authenticate": "Bearer"})
        if not auth.is_staff(request, token):
            return error(401, "unauthorized", **{"WWW-Authenticate": "Bearer"})
        return await handler(request)

    return guarded


async def in_store_thread(request: web.Request, function: Callable[..., Any], *args: Any) -> Any:
    loop = asyncio.get_running_loop()
    store = request.app[CONVERSATIONS]
    return await loop.run_in_executor(None, lambda: function(store, *args))


@staff_only
async def handoffs_handler(request: web.Request) -> web.Response:
    limit = int_param(request, "limit", 50, 1, 500, "bad_limit")
    items = await in_store_thread(request, ConversationStore.handoffs, limit)
    return json_ok({"handoffs": [c.to_dict() for c in items]})


@staff_only
async def conversation_handler(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    messages = await in_store_thread(request, ConversationStore.transcript, sender_id)
    return json_ok({"sender_id": sender_id, "messages": [m.to_dict() for m in messages]})


@staff_only
async def unanswered_handler(request: web.Request) -> web.Response:
    limit = int_param(request, "limit", 100, 1, 1000, "bad_limit")
    items = await in_store_thread(request, ConversationStore.unanswered, limit)
    return json_ok({"unanswered": [u.to_dict() for u in items]})


@staff_only
async def feedback_handler(request: web.Request) -> web.Response:
    limit = int_param(request, "limit", 100, 1, 1000, "bad_limit")
    items = await in_store_thread(request, ConversationStore.feedback, limit)
    counts = {v: sum(1 for f in items if f.verdict == v) for v in ("useful", "useless")}
    return json_ok({"counts": counts, "feedback": [f.to_dict() for f in items]})


@staff_only
async def stats_handler(request: web.Request) -> web.Response:
    days = int_param(request, "days", 30, 1, 366, "bad_days")
    stats = await in_store_thread(request, ConversationStore.stats, days)
    return json_ok(stats.to_dict())


def setup(app: web.Application) -> None:
    """Add the ``/api`` routes."""
    app.router.add_get("/api/search", search_handler)
    app.router.add_get("/api/practices", practices_handler)
    app.router.add_get("/api/practices/{id}", practice_handler)
    app.router.add_get("/api/browse", browse_handler)
    app.router.add_get("/api/handoffs", handoffs_handler)
    app.router.add_get("/api/conversations/{sender_id}", conversation_handler)
    app.router.add_get("/api/unanswered", unanswered_handler)
    app.router.add_get("/api/feedback", feedback_handler)
    app.router.add_get("/api/stats", stats_handler)
    app.router.add_get("/api/openapi.yaml", openapi_yaml)
    app.router.add_get("/api/openapi.json", openapi_json)
