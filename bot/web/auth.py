"""Who may see what: staff are recognised by ``CONSOLE_TOKEN``.

The JSON API takes ``Authorization: Bearer <token>``; the pages take a signed
session cookie (HttpOnly, SameSite=Strict) set by the sign-in form. Tokens are
compared in constant time; when no token is configured the staff area is closed.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Optional

from aiohttp import web

COOKIE = "console_session"
SESSION_SECONDS = 12 * 3600
STAFF = "staff"  # request key: True when the request is signed in


def token_matches(configured: str, given: Optional[str]) -> bool:
    """Whether ``given`` is the configured token (constant time; never with no token set)."""
    if not configured or not given:
        return False
    return hmac.compare_digest(configured.encode("utf-8"), given.encode("utf-8"))


def bearer(request: web.Request) -> Optional[str]:
    """The token of an ``Authorization: Bearer …`` header, if any."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _signature(token: str, expires: int) -> str:
    key = hashlib.sha256(b"console-session:" + token.encode("utf-8")).digest()
    return hmac.new(key, str(expires).encode("ascii"), hashlib.sha256).hexdigest()


def session_value(token: str, now: Optional[float] = None) -> str:
    """A cookie value valid for :data:`SESSION_SECONDS`, signed with a key derived from the token."""
    expires = int((now or time.time()) + SESSION_SECONDS)
    return f"{expires}.{_signature(token, expires)}"


def session_valid(token: str, value: Optional[str], now: Optional[float] = None) -> bool:
    """Whether a cookie value was signed with this token and has not expired.

    Changing ``CONSOLE_TOKEN`` therefore signs everybody out.
    """
    if not token or not value:
        return False
    expires, _, signature = value.partition(".")
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return False
    return hmac.compare_digest(_signature(token, int(expires)), signature)


def is_staff(request: web.Request, token: str) -> bool:
    """Staff send the bearer token (API) or a valid session cookie (pages)."""
    return token_matches(token, bearer(request)) or session_valid(token, request.cookies.get(COOKIE))


def sign_in(response: web.StreamResponse, request: web.Request, token: str) -> None:
    """Set the session cookie on ``response``."""
    response.set_cookie(
        COOKIE,
        session_value(token),
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )


def sign_out(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")
