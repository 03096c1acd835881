"""The hotline console's pages: search, practice pages, browse (public); handoffs and editors' views (staff).

Pages are rendered on the server from ``templates/console/``; the search box
then searches as you type through ``/api/search`` (``static/console/console.js``).
"""
from __future__ import annotations

import asyncio
import functools
import time
from typing import Any, Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from bot.web import auth, service
from bot.web.conversations import ConversationStore
from bot.web.templating import message, render

Page = Callable[[web.Request], Awaitable[web.StreamResponse]]
SEARCH_LIMIT = 20


def message_page(request: web.Request, status: int, code: str) -> web.Response:
    """A page that says what went wrong (or why the staff area is closed)."""
    return render(request, "console/message.html", status=status, message=message(code), code=code)


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console")


async def search_page(request: web.Request) -> web.Response:
    """``/console?q=…``: the search box, filters and (for a shared link) the results."""
    facets = await service.in_kb_thread(request, service.browse)
    try:
        search = service.SearchRequest.from_request(request, require_query=False)
    except service.BadRequest as refusal:
        return render(
            request, "console/search.html", status=400, q="", search=None, page=None, facets=facets,
            problem=message(refusal.code),
        )
    page = None
    if search.q:
        search = service.SearchRequest(search.q, search.region, SEARCH_LIMIT, search.offset, search.filters)
        page = await service.in_kb_thread(request, service.run_search, search)
    return render(request, "console/search.html", q=search.q, search=search, page=page, facets=facets, problem=None)


async def practice_page(request: web.Request) -> web.Response:
    """``/practices/5.1.2``: full text, place, citation, document and the answer script."""
    practice = await service.in_kb_thread(request, lambda kb: kb.practice(request.match_info["id"]))
    if practice is None:
        return message_page(request, 404, "practice_not_found")
    return render(request, "console/practice.html", practice=practice, script=service.answer_script(practice))


async def browse_page(request: web.Request) -> web.Response:
    """``/browse``: practices by province and by work task, with counts and bar charts."""
    filters = service.filters_param(request)
    facets = await service.in_kb_thread(request, service.browse, filters)
    practices = await service.in_kb_thread(request, lambda kb: [p for p in kb.practices() if filters.accepts(p)])
    task_rows = [(f"{f['key']}. {f['title']}", f["count"], f["key"]) for f in facets["tasks"]]
    province_rows = [(f["title"], f["count"], f["key"]) for f in facets["provinces"]]
    return render(
        request, "console/browse.html", facets=facets, filters=filters, practices=practices,
        task_rows=task_rows, province_rows=province_rows,
    )


# ---------------------------------------------------------------- sign-in


def _local_next(value: str) -> str:
    """Only redirect back into the console after signing in (no open redirects)."""
    return value if value.startswith("/console") and not value.startswith("//") else "/console/handoffs"


async def login_form(request: web.Request) -> web.Response:
    token = request.app[service.SETTINGS].console_token
    if not token:
        return message_page(request, 401, "console_closed")
    return render(request, "console/login.html", next=_local_next(request.query.get("next", "")), problem=None)


async def login(request: web.Request) -> web.StreamResponse:
    token = request.app[service.SETTINGS].console_token
    if not token:
        return message_page(request, 401, "console_closed")
    form = await request.post()
    target = _local_next(str(form.get("next", "")))
    if not auth.token_matches(token, str(form.get("token", ""))):
        return render(request, "console/login.html", status=401, next=target, problem=message("bad_token"))
    response = web.HTTPSeeOther(target)
    auth.sign_in(response, request, token)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    response = web.HTTPSeeOther("/console")
    auth.sign_out(response)
    return response


def staff_page(page: Page) -> Page:
    """Staff pages: closed without a configured token, sign-in form without a session."""

    @functools.wraps(page)
    async def guarded(request: web.Request) -> web.StreamResponse:
        if not request.app[service.SETTINGS].console_token:
            return message_page(request, 401, "console_closed")
        if not request.get(auth.STAFF):
            raise web.HTTPSeeOther(f"/console/login?next={quote(request.path_qs, safe='')}")
        return await page(request)

    return guarded


async def _store(request: web.Request, function: Callable[..., Any], *args: Any) -> Any:
    store = request.app[service.CONVERSATIONS]
    return await asyncio.get_running_loop().run_in_executor(None, lambda: function(store, *args))


@staff_page
async def handoffs_page(request: web.Request) -> web.Response:
    """The waiting queue (oldest first, with summaries), what agents have now, and every request."""
    handoffs = await _store(request, ConversationStore.handoffs, 50)
    queue = await _store(request, ConversationStore.queue)
    claimed = await _store(request, ConversationStore.claimed)
    return render(request, "console/handoffs.html", handoffs=handoffs, queue=queue, claimed=claimed, now=time.time())


async def _live(request: web.Request) -> dict[str, Any]:
    """What the conversation page shows and refreshes: state, summary, WeChat's quota, transcript."""
    sender_id = request.match_info["sender_id"]
    handling = await _store(request, ConversationStore.handling, sender_id)
    messages = await _store(request, ConversationStore.transcript, sender_id)
    allowance = request.app[service.TAKEOVER].allowance(handling) if handling else None
    return dict(sender_id=sender_id, handling=handling, messages=messages, allowance=allowance,
                quota_spent=message("push_quota_spent")["zh"], now=time.time())


@staff_page
async def conversation_page(request: web.Request) -> web.Response:
    """One conversation: the agent claims it, writes to the worker, hands it back (``takeover.js``)."""
    return render(request, "console/conversation.html", **await _live(request))


@staff_page
async def conversation_live(request: web.Request) -> web.Response:
    """The part of the conversation page that ``takeover.js`` reloads every few seconds."""
    return render(request, "console/_live.html", **await _live(request))


@staff_page
async def editor_page(request: web.Request) -> web.Response:
    """What users ask that the list does not answer, their feedback, and what they ask most."""
    days = service.int_param(request, "days", 30, 1, 366, "bad_days")
    unanswered = await _store(request, ConversationStore.unanswered, 200)
    feedback = await _store(request, ConversationStore.feedback, 200)
    stats = await _store(request, ConversationStore.stats, days)
    labels = await asyncio.get_running_loop().run_in_executor(None, request.app[service.LABELS].by_question)
    return render(request, "console/editor.html", unanswered=unanswered, feedback=feedback, stats=stats, days=days,
                  labels=labels)


@staff_page
async def label_form(request: web.Request) -> web.StreamResponse:
    """The editor's label on one unanswered question (the form of the editor's page)."""
    form = dict(await request.post())
    label = await service.in_kb_thread(request, lambda kb: service.parse_label(form, kb))
    await asyncio.get_running_loop().run_in_executor(None, lambda: request.app[service.LABELS].save(label))
    raise web.HTTPSeeOther("/console/editor#unanswered")


def setup(app: web.Application) -> None:
    """Add the console's pages."""
    app.router.add_get("/console", search_page)
    app.router.add_get("/practices/{id}", practice_page)
    app.router.add_get("/browse", browse_page)
    app.router.add_get("/console/login", login_form)
    app.router.add_post("/console/login", login)
    app.router.add_post("/console/logout", logout)
    app.router.add_get("/console/handoffs", handoffs_page)
    app.router.add_get("/console/conversations/{sender_id}", conversation_page)
    app.router.add_get("/console/conversations/{sender_id}/live", conversation_live)
    app.router.add_get("/console/editor", editor_page)
    app.router.add_post("/console/editor/label", label_form)
