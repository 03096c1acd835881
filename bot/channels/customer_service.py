"""Clients that push a text to a user after the passive-reply window has passed.

WeChat's customer-service message API (`/cgi-bin/message/custom/send`) and
WeCom's application message API (`/cgi-bin/message/send`) both take an access
token fetched with the app's secret and valid for about two hours. The base URL
is configurable so tests run a local stand-in. Failures are logged, never raised:
a lost late answer must not crash the webhook.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Mapping, Optional

import aiohttp

logger = logging.getLogger(__name__)

WECHAT_API_BASE = "https://api.weixin.qq.com"
WECOM_API_BASE = "https://qyapi.weixin.qq.com"

_TOKEN_ERRORS = {40001, 40014, 42001}
"""errcodes meaning the access token is invalid or expired: fetch a new one and retry once."""

_TOKEN_MARGIN = 300.0
"""Seconds before its announced expiry at which a token is renewed."""


class ApiError(Exception):
    """The API answered with a non-zero errcode or an unusable response."""


class TokenApiClient:
    """Posts JSON to a WeChat-style API with a cached access token.

    Args:
        base_url: e.g. https://api.weixin.qq.com (no trailing path).
        token_path: path of the token endpoint.
        token_params: its query parameters (app id and secret).
        timeout: seconds for each HTTP call.
    """

    def __init__(
        self, base_url: str, token_path: str, token_params: Mapping[str, str], timeout: float = 10.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token_path = token_path
        self._token_params = dict(token_params)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token: Optional[str] = None
        self._token_expires = 0.0
        self._lock: Optional[asyncio.Lock] = None

    async def post(self, path: str, body: Mapping[str, Any]) -> dict:
        """POSTs `body` to `path?access_token=…`, renewing the token once if it was refused.

        Raises:
            ApiError: the API refused the call or could not be reached.
        """
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            for attempt in range(2):
                token = await self._access_token(session, renew=attempt > 0)
                result = await self._call(
                    session, "POST", path, params={"access_token": token},
                    data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                )
                code = int(result.get("errcode") or 0)
                if code == 0:
                    return result
                if code not in _TOKEN_ERRORS:
                    break
            raise ApiError(f"{path}: errcode {code} {result.get('errmsg', '')}")

    async def _access_token(self, session: aiohttp.ClientSession, renew: bool) -> str:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if renew or not self._token or time.monotonic() >= self._token_expires:
                result = await self._call(session, "GET", self._token_path, params=self._token_params)
                token = result.get("access_token")
                if not token:
                    raise ApiError(f"no access token: errcode {result.get('errcode')} {result.get('errmsg', '')}")
                self._token = str(token)
                lifetime = float(result.get("expires_in") or 7200)
                self._token_expires = time.monotonic() + max(lifetime - _TOKEN_MARGIN, 60.0)
            return self._token

    async def _call(
        self, session: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
    ) -> dict:
        url = f"{self.base_url}{path}"
        try:
            async with session.request(method, url, **kwargs) as response:
                response.raise_for_status()
                result = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise ApiError(f"{method} {path}: {error!r}") from error
        if not isinstance(result, dict):
            raise ApiError(f"{method} {path}: unexpected response")
        return result


class CustomerServiceClient(TokenApiClient):
    """WeChat official account customer-service messages (`message/custom/send`).

    Args:
        app_id: the account's AppID.
        app_secret: the account's AppSecret.
        base_url: the API base URL.
    """

    def __init__(self, app_id: str, app_secret: str, base_url: str = WECHAT_API_BASE) -> None:
        super().__init__(
            base_url,
            "/cgi-bin/token",
            {"grant_type": "client_credential", "appid": app_id, "secret": app_secret},
        )

    async def send_text(self, open_id: str, text: str) -> bool:
        """Sends `text` to the follower `open_id`; True when WeChat accepted it."""
        body = {"touser": open_id, "msgtype": "text", "text": {"content": text}}
        return await _logged(self.post("/cgi-bin/message/custom/send", body))


class WeComMessageClient(TokenApiClient):
    """WeCom application messages (`message/send`).

    Args:
        corp_id: the company's CorpID.
        secret: the application's Secret.
        agent_id: the application's AgentId.
        base_url: the API base URL.
    """

    def __init__(self, corp_id: str, secret: str, agent_id: str, base_url: str = WECOM_API_BASE) -> None:
        super().__init__(base_url, "/cgi-bin/gettoken", {"corpid": corp_id, "corpsecret": secret})
        self.agent_id = agent_id

    async def send_text(self, user_id: str, text: str) -> bool:
        """Sends `text` to the member `user_id`; True when WeCom accepted it."""
        body = {
            "touser": user_id,
            "msgtype": "text",
            "agentid": int(self.agent_id) if self.agent_id.isdigit() else self.agent_id,
            "text": {"content": text},
        }
        return await _logged(self.post("/cgi-bin/message/send", body))


async def _logged(call: Any) -> bool:
    try:
        await call
    except ApiError as error:
        logger.warning("late reply not delivered: %s", error)
        return False
    return True
