"""The web app (port 8000): the hotline console, the JSON API and the chat page.

Run it with ``python -m bot.web.app`` (``make web``).
"""
from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

from aiohttp import web

from bot.config import Settings, get_settings
from bot.labels import LabelStore
from bot.web import api, auth, console, service
from bot.web.conversations import ConversationStore
from bot.web.takeover import Takeover, TakeoverRefused

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static" / "console"
CONSOLE_PREFIXES = ("/console", "/practices", "/browse", "/static/console")
PUBLIC_API = ("/api/search", "/api/practices", "/api/browse", "/api/openapi")
MAX_REQUEST_LINE = 128 * 1024
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


@web.middleware
async def errors_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Refusals and failures as a clear message: JSON under /api, a page elsewhere; never a traceback."""
    from bot.kb.service import KnowledgeBaseUnavailable

    try:
        return await handler(request)
    except service.BadRequest as refusal:
        return _refuse(request, 400, refusal.code)
    except TakeoverRefused as refusal:
        return _refuse(request, refusal.status, refusal.code)
    except KnowledgeBaseUnavailable as failure:
        logger.error("knowledge base unavailable: %s", failure)
        return _refuse(request, 503, "kb_unavailable")
    except web.HTTPException as http:
        if http.status == 404 and (_is_api(request) or request.path.startswith(CONSOLE_PREFIXES)):
            return _refuse(request, 404, "not_found")
        if http.status == 405 and _is_api(request):
            return api.error(405, "method_not_allowed")
        raise
    except Exception:  # noqa: BLE001 - the one place that turns bugs into a polite 500
        logger.exception("error serving %s", request.path)
        return _refuse(request, 500, "server_error")


def _refuse(request: web.Request, status: int, code: str) -> web.Response:
    if _is_api(request):
        return api.error(status, code)
    return console.message_page(request, status, code)


@web.middleware
async def staff_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Mark requests from signed-in staff, so pages can show the staff menu."""
    request[auth.STAFF] = auth.is_staff(request, request.app[service.SETTINGS].console_token)
    return await handler(request)


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    """Security headers on the console pages; CORS for the public API's allowed origins."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith(CONSOLE_PREFIXES):
        response.headers.setdefault("Content-Security-Policy", CONSOLE_CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    origins = request.app[service.SETTINGS].cors_origins
    origin = request.headers.get("Origin", "")
    if origin and request.path.startswith(PUBLIC_API) and (origin in origins or "*" in origins):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"


def _warm(app: web.Application) -> None:
    try:
        service.knowledge_base(app).search("欠薪", limit=1)
    except Exception as failure:  # noqa: BLE001 - reported again, clearly, on the first request
        logger.warning("knowledge base not ready: %s", failure)


async def _warm_up(app: web.Application) -> None:
    """Build the search index in the background so the first caller does not wait for it."""
    asyncio.get_running_loop().run_in_executor(app[service.KB_EXECUTOR], _warm, app)


async def _start_sweeper(app: web.Application) -> None:
    """Claimed conversations whose agent went quiet go back to the queue (needs Rasa's HTTP API)."""
    if app[service.TAKEOVER].rasa is not None:
        app[service.SWEEPER] = asyncio.get_running_loop().create_task(app[service.TAKEOVER].sweep())


async def _close(app: web.Application) -> None:
    sweeper = app.get(service.SWEEPER)
    if sweeper is not None:
        sweeper.cancel()
    # Let a warm-up still building the index finish, off the event loop, before the process moves on.
    await asyncio.get_running_loop().run_in_executor(None, lambda: app[service.KB_EXECUTOR].shutdown(wait=True))
    for store in (app[service.CONVERSATIONS], app[service.LABELS]):
        if "engine" in vars(store):
            store.engine.dispose()


def _setup_chat(app: web.Application) -> None:
    """Add the chat page (``bot.web.chat``) when that module is present."""
    if importlib.util.find_spec("bot.web.chat") is None:
        logger.warning("bot.web.chat not found: the web app serves no /chat page")
        return
    importlib.import_module("bot.web.chat").setup(app)


def create_app(knowledge_base: Any = None, settings: Optional[Settings] = None) -> web.Application:
    """The web app; tests hand in a small knowledge base and their own settings."""
    app = web.Application(
        middlewares=[errors_middleware, staff_middleware],
        handler_args={"max_line_size": MAX_REQUEST_LINE},  # a 10,000-character query gets a clear 400, not a bare one
    )
    app[service.SETTINGS] = settings or get_settings()
    app[service.KB] = knowledge_base
    app[service.KB_EXECUTOR] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb")
    app[service.CONVERSATIONS] = ConversationStore(app[service.SETTINGS].tracker_url)
    app[service.TAKEOVER] = Takeover.from_settings(app[service.CONVERSATIONS], app[service.SETTINGS])
    app[service.LABELS] = LabelStore(app[service.SETTINGS].labels_url)
    app.on_response_prepare.append(_headers)
    app.on_startup.append(_warm_up)
    app.on_startup.append(_start_sweeper)
    app.on_cleanup.append(_close)
    api.setup(app)
    console.setup(app)
    app.router.add_static("/static/console", STATIC)
    _setup_chat(app)
    if not any(r.canonical == "/" for r in app.router.resources()):
        app.router.add_get("/", console.home)
    return app


def main() -> None:
    """Serve the web app on ``WEB_PORT`` (default 8000)."""
    from bot.running.lean import lean_process

    lean_process()  # the console searches and reads conversations: no neural network, no TensorFlow
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    web.run_app(create_app(settings=settings), port=settings.web_port)


if __name__ == "__main__":
    main()
