"""Talking to the running servers over HTTP: is one up, and a turn over Rasa's REST channel as apps do
(`make run`'s ready line, the launcher, `make eval`, the terminal chat)."""
from __future__ import annotations

import json
import urllib.request

REST_WEBHOOK = "/webhooks/rest/webhook"


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a GET of ``url`` succeeds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except OSError:
        return False


def rest_turn(rasa_url: str, sender: str, text: str, timeout: float = 60) -> list[dict]:
    """One turn: the bot's messages for ``text`` from ``sender``.

    Raises:
        OSError: Rasa cannot be reached, fails (``urllib.error.HTTPError``) or is too slow.
    """
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{rasa_url.rstrip('/')}{REST_WEBHOOK}", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())
