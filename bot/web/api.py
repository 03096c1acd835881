"""The JSON API behind the console: search and practices (public), conversations (staff).

Bad input gets a 400 with a message in Chinese and English (from
``templates/messages.yml``), never a traceback. Staff endpoints need
``Authorization: Bearer <CONSOLE_TOKEN>``.
"""
from __future__ import annotations

import asyncio
import functools
import json
from pathlib import Path
from typing import Any, Awaitable, Callable

import yaml
from aiohttp import web

from bot.web import auth
from bot.web.conversations import ConversationStore, summary_dict
from bot.web.service import (
    CONVERSATIONS,
    LABELS,
    SETTINGS,
    TAKEOVER,
    SearchRequest,
    answer_script,
    browse,
    filters_param,
    in_kb_thread,
    int_param,
    parse_label,
    practice_dict,
    run_search,
)
from bot.web.takeover import TakeoverRefused, agent_name, message_text
from bot.web.templating import message

OPENAPI = Path(__file__).resolve().parent / "openapi.yaml"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(status: int, code: str, **headers: str) -> web.Response:
    """A JSON error: ``{"error": {"code", "message", "message_en"}}``."""
    text = message(code)
    body = {"error": {"code": code, "message": text["zh"], "message_en": text["en"]}}
    return web.json_response(body, status=status, headers=headers or None, dumps=dumps)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_ok(value: Any) -> web.Response:
    return web.json_response(value, dumps=dumps)


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


async def conversation_view(request: web.Request, sender_id: str) -> dict[str, Any]:
    """A conversation as staff see it: who has it, its summary, every message (the agent's too)."""
    takeover = request.app[TAKEOVER]
    handling = await takeover.handling(sender_id)
    messages = await in_store_thread(request, ConversationStore.transcript, sender_id)
    return {
        **summary_dict(handling),
        "push_allowance": takeover.allowance(handling),
        "messages": [m.to_dict() for m in messages],
    }


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (an empty body reads as ``{}``)."""
    raw = await request.text()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise TakeoverRefused(400, "bad_json") from None
    if not isinstance(body, dict):
        raise TakeoverRefused(400, "bad_json")
    return body


@staff_only
async def conversation_handler(request: web.Request) -> web.Response:
    return json_ok(await conversation_view(request, request.match_info["sender_id"]))


@staff_only
async def queue_handler(request: web.Request) -> web.Response:
    waiting = await in_store_thread(request, ConversationStore.queue)
    claimed = await in_store_thread(request, ConversationStore.claimed)
    return json_ok({
        "waiting": [{**summary_dict(c.handling), "request": c.request} for c in waiting if c.handling],
        "claimed": [summary_dict(h) for h in claimed],
    })


@staff_only
async def takeover_handler(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    body = await json_body(request)
    await request.app[TAKEOVER].claim(sender_id, agent_name(body))
    return json_ok(await conversation_view(request, sender_id))


@staff_only
async def agent_message_handler(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    body = await json_body(request)
    card, script = None, ""
    if body.get("practice") is not None:  # a practice of the list, sent as a cited card
        practice = await in_kb_thread(request, lambda kb: kb.practice(str(body["practice"])))
        if practice is None:
            return error(404, "practice_not_found")
        card, script = practice.card(), answer_script(practice)
    text, agent = message_text(body, default=script), agent_name(body, default="")
    await request.app[TAKEOVER].send(sender_id, agent, text, card)
    return json_ok(await conversation_view(request, sender_id))


@staff_only
async def release_handler(request: web.Request) -> web.Response:
    sender_id = request.match_info["sender_id"]
    await json_body(request)
    await request.app[TAKEOVER].release(sender_id)
    return json_ok(await conversation_view(request, sender_id))


async def in_thread(function: Callable[[], Any]) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, function)


@staff_only
async def unanswered_handler(request: web.Request) -> web.Response:
    """The questions the bot missed, each with the editor's label (null when not labelled yet)."""
    limit = int_param(request, "limit", 100, 1, 1000, "bad_limit")
    items = await in_store_thread(request, ConversationStore.unanswered, limit)
    labels = await in_thread(request.app[LABELS].by_question)
    return json_ok({"unanswered": [
        {**u.to_dict(), "label": labels[(u.sender_id, u.timestamp)].to_dict() if (u.sender_id, u.timestamp) in labels
         else None} for u in items]})


@staff_only
async def labels_handler(request: web.Request) -> web.Response:
    return json_ok({"labels": [label.to_dict() for label in await in_thread(request.app[LABELS].all)]})


@staff_only
async def label_handler(request: web.Request) -> web.Response:
    """Label one unanswered question (replacing its earlier label)."""
    body = await json_body(request)
    label = await in_kb_thread(request, lambda kb: parse_label(body, kb))
    saved = await in_thread(lambda: request.app[LABELS].save(label))
    return json_ok(saved.to_dict())


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
    app.router.add_get("/api/queue", queue_handler)
    app.router.add_get("/api/conversations/{sender_id}", conversation_handler)
    app.router.add_post("/api/conversations/{sender_id}/takeover", takeover_handler)
    app.router.add_post("/api/conversations/{sender_id}/messages", agent_message_handler)
    app.router.add_post("/api/conversations/{sender_id}/release", release_handler)
    app.router.add_get("/api/unanswered", unanswered_handler)
    app.router.add_get("/api/labels", labels_handler)
    app.router.add_post("/api/labels", label_handler)
    app.router.add_get("/api/feedback", feedback_handler)
    app.router.add_get("/api/stats", stats_handler)
    app.router.add_get("/api/openapi.yaml", openapi_yaml)
    app.router.add_get("/api/openapi.json", openapi_json)
