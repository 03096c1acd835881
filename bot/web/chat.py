"""The WeChat-style web chat (``/chat``) and its embed loader (``/embed.js``).

The page talks to Rasa's socket.io channel directly (``settings.rasa_base_url``); this module
only serves the page, its script and style (``/chat/static/...``, never from another host: the
networks of government offices are often closed) and the loader that government apps put on
their pages. Every sentence the user reads is in ``templates/chat.html`` and
``templates/chat_embed.js``.

Who may embed is set by ``CORS_ORIGINS``: those origins may frame ``/chat``
(``frame-ancestors``) and read ``/embed.js`` and the static files with CORS; no other site may.
"""
from __future__ import annotations

import mimetypes
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from aiohttp import web
from yarl import URL

from bot.config import Settings, get_settings
from bot.web.templating import render_text

STATIC = Path(__file__).resolve().parent / "static" / "chat"
MAX_MESSAGE_CHARS = 1000  # longer messages are refused in the page, with a message
MAX_REGION_CHARS = 50
MAX_APP_CHARS = 64
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})
STATIC_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class ChatContext:
    """What an embedding app tells the page: the user's region and the app, both optional."""

    region: str = ""
    app: str = ""
    embed: bool = False

    def metadata(self) -> dict[str, str]:
        """The socket.io message ``metadata``: only what was given."""
        return {key: value for key, value in (("region", self.region), ("app", self.app)) if value}


def clean_param(value: Optional[str], limit: int) -> str:
    """A query parameter as plain text: control characters removed, trimmed; empty when too long."""
    text = "".join(ch for ch in (value or "") if unicodedata.category(ch)[0] != "C").strip()
    return text if len(text) <= limit else ""


def chat_context(query: "web.MultiDictProxy[str]") -> ChatContext:
    """The page's context from ``?region=…&app=…&embed=1``."""
    return ChatContext(
        region=clean_param(query.get("region"), MAX_REGION_CHARS),
        app=clean_param(query.get("app"), MAX_APP_CHARS),
        embed=query.get("embed") == "1",
    )


@dataclass(frozen=True)
class SocketTarget:
    """Where the browser reaches Rasa's socket.io channel."""

    origin: str  # e.g. "http://192.168.1.5:5005"
    path: str  # e.g. "/socket.io"

    @property
    def connect_sources(self) -> tuple[str, str]:
        """The origin for HTTP long-polling and for websockets, for the page's CSP."""
        ws = URL(self.origin).with_scheme("wss" if self.origin.startswith("https") else "ws")
        return self.origin, str(ws)


def socket_target(rasa_url: str, request_host: str) -> SocketTarget:
    """Rasa's socket.io address as the browser sees it.

    A loopback Rasa URL (the laptop default) is reachable only from the machine itself, so when
    the page is opened from another host (a phone on the LAN), that host name is used instead,
    with Rasa's port. Set ``RASA_URL`` to Rasa's public address when a proxy serves it.
    """
    url = URL(rasa_url)
    if url.host in LOOPBACK_HOSTS:
        try:
            page_host = URL(f"http://{request_host}").host or ""
            if page_host and page_host not in LOOPBACK_HOSTS:
                url = url.with_host(page_host)
        except ValueError:  # a malformed Host header: keep the configured address
            pass
    origin = str(url.origin())
    return SocketTarget(origin=origin, path=url.path.rstrip("/") + "/socket.io")


def allowed_origin(origin: str, origins: Iterable[str]) -> bool:
    """Whether a site may embed the chat (``*`` allows every site)."""
    allowed = {o.strip().rstrip("/") for o in origins if o.strip()}
    return bool(origin) and ("*" in allowed or origin.rstrip("/") in allowed)


def frame_ancestors(origins: Iterable[str]) -> str:
    """The CSP ``frame-ancestors`` sources: this site and the configured origins."""
    allowed = [o.strip().rstrip("/") for o in origins if o.strip()]
    if "*" in allowed:
        return "*"
    return " ".join(["'self'", *allowed])


def chat_csp(target: SocketTarget, origins: Iterable[str]) -> str:
    """The page's Content-Security-Policy: only this site's files, Rasa's socket, allowed frames."""
    connect = " ".join(["'self'", *target.connect_sources])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; frame-ancestors {frame_ancestors(origins)}; "
        "base-uri 'none'; form-action 'none'; object-src 'none'"
    )


def _settings(request: web.Request) -> Settings:
    from bot.web.api import SETTINGS

    return request.app.get(SETTINGS) or get_settings()


def _add_cors(request: web.Request, response: web.StreamResponse, settings: Settings) -> None:
    origin = request.headers.get("Origin", "")
    if allowed_origin(origin, settings.cors_origins):
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"


async def chat_page(request: web.Request) -> web.Response:
    """``/chat``: the chat page, configured for Rasa's socket and the embedding app's context."""
    settings = _settings(request)
    context = chat_context(request.query)
    target = socket_target(settings.rasa_base_url, request.host)
    html = render_text(
        "chat.html",
        context=context,
        config={
            "socketUrl": target.origin,
            "socketPath": target.path,
            "metadata": context.metadata(),
            "embed": context.embed,
            "app": context.app,
            "maxChars": MAX_MESSAGE_CHARS,
            "practiceUrl": "/practices/",
        },
    )
    response = web.Response(text=html, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = chat_csp(target, settings.cors_origins)
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


async def embed_script(request: web.Request) -> web.Response:
    """``/embed.js``: the loader that adds the floating button and the chat iframe to a host page."""
    script = render_text("chat_embed.js")
    response = web.Response(text=script, content_type="application/javascript", charset="utf-8")
    response.headers["Cache-Control"] = "public, max-age=300"
    _add_cors(request, response, _settings(request))
    return response


async def static_file(request: web.Request) -> web.StreamResponse:
    """``/chat/static/{path}``: the page's script, style and vendored libraries."""
    root = STATIC.resolve()
    path = (root / request.match_info["path"]).resolve()
    if root not in path.parents or not path.is_file():
        raise web.HTTPNotFound()
    content_type = STATIC_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = web.FileResponse(path, headers={"Content-Type": content_type, "Cache-Control": "public, max-age=3600"})
    _add_cors(request, response, _settings(request))
    return response


def setup(app: web.Application) -> None:
    """Add ``/chat``, ``/embed.js`` and ``/chat/static/...`` to the web app."""
    app.router.add_get("/chat", chat_page)
    app.router.add_get("/embed.js", embed_script)
    app.router.add_get("/chat/static/{path:.+}", static_file)
