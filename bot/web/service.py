"""The web app's service layer: validated requests, searches and practice views, shared by the
JSON API (`api.py`) and the console pages (`console.py`); no routes here.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Optional

from aiohttp import web

from bot.config import Settings
from bot.kb.types import Hit, Place, Practice
from bot.labels import KINDS, MAX_TEXT, PRACTICES, Label, LabelStore
from bot.web import catalog
from bot.web.conversations import ConversationStore
from bot.web.takeover import Takeover
from bot.web.templating import render_text

MAX_QUERY = 200
MAX_REGION = 50
MAX_LIMIT = 50
MAX_OFFSET = 1000
DEFAULT_LIMIT = 10

SETTINGS = web.AppKey("settings", Settings)
CONVERSATIONS = web.AppKey("conversations", ConversationStore)
KB_EXECUTOR = web.AppKey("kb_executor", ThreadPoolExecutor)
KB = web.AppKey("knowledge_base", object)
TAKEOVER = web.AppKey("takeover", Takeover)
LABELS = web.AppKey("labels", LabelStore)
SWEEPER = web.AppKey("takeover_sweeper", object)


class BadRequest(Exception):
    """Input the API refuses; ``code`` names the message in messages.yml."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


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


# ---------------------------------------------------------------- editors' labels


def parse_label(fields: Any, kb: Any) -> Label:
    """A label from a form or JSON body: the question (sender_id, timestamp, text), the kind, the
    practices (ids or citations, for kind ``practices``), the topic, the part (train or test)."""
    from bot.measure.corpus import TOPIC_INTENTS

    sender_id, text = str(fields.get("sender_id") or "").strip(), " ".join(str(fields.get("text") or "").split())
    try:
        asked_at = float(fields.get("timestamp") or "")
    except (TypeError, ValueError):
        raise BadRequest("bad_label_question") from None
    if not sender_id or not text or len(text) > MAX_TEXT:
        raise BadRequest("bad_label_question")
    kind = str(fields.get("kind") or "")
    if kind not in KINDS:
        raise BadRequest("bad_label_kind")
    raw = fields.get("practices") or ""
    wanted = raw if isinstance(raw, list) else str(raw).replace("，", " ").replace(",", " ").replace("、", " ").split()
    found = [kb.practice(str(p)) for p in wanted]
    if None in found or (kind == PRACTICES) != bool(found):
        raise BadRequest("bad_label_practices")
    intents = {intent: topic for topic, intent in TOPIC_INTENTS.items()}
    topic = str(fields.get("topic") or "") or intents.get(str(fields.get("intent") or ""), "")
    if topic and topic not in TOPIC_INTENTS:
        raise BadRequest("bad_label_topic")
    part = str(fields.get("part") or "train")
    if part not in ("train", "test"):
        raise BadRequest("bad_label_part")
    editor = str(fields.get("editor") or "").strip()[:40]
    return Label(sender_id, asked_at, text, kind, tuple(dict.fromkeys(p.id for p in found)), topic, part, editor)
