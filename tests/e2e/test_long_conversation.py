"""A conversation that goes on all day: Rasa's session is rolled over every SESSION_MAX_EVENTS
events (bot.running.rasa_patches), so each turn loads and sends only the recent part, while the
worker's thread goes on and the tracker store keeps every event."""
from __future__ import annotations

import json
import sqlite3

from bot.config import Settings

MAX_EVENTS = Settings().session_max_events
TURN_EVENTS = 40  # more than any one turn adds (user, actions, bot messages, slots)


def stored_events(stack, sender: str) -> list[tuple[str, dict]]:
    """Every event the tracker store holds for the conversation, oldest first."""
    with sqlite3.connect(stack.var_dir / "tracker.db") as db:
        rows = db.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [(kind, json.loads(data)) for kind, data in rows]


def cited(reply: list[dict]) -> list[dict]:
    return [p for m in reply if m.get("custom") for p in m["custom"]["practices"]]


def test_a_long_conversation_rolls_its_session_and_keeps_the_thread_and_every_event(stack):
    """After enough turns to roll the session, "还有吗" still goes on with the same question and place
    (new practices, numbered on), "第4条" is the fourth practice shown, every message the worker sent
    is stored once in order, and the session Rasa loads stays short."""
    sender = "long-day-worker"
    sent = ["欠薪咋办，我在重庆"]
    first = cited(stack.rest(sender, sent[0]))
    assert first and first[0]["region"] == "重庆市"
    while sum(kind == "session_started" for kind, _ in stored_events(stack, sender)) < 2:
        assert len(sent) < 4 * MAX_EVENTS, "the session never rolled over"
        sent.append("谢谢")
        stack.rest(sender, sent[-1])
    sent.append("还有吗")
    more = cited(stack.rest(sender, sent[-1]))
    assert more and not {p["id"] for p in more} & {p["id"] for p in first}
    assert [p["n"] for p in more] == [str(len(first) + i) for i in range(1, len(more) + 1)]
    sent.append("第4条详细说说")
    detail = cited(stack.rest(sender, sent[-1]))
    assert [p["id"] for p in detail] == [more[0]["id"]]

    events = stored_events(stack, sender)
    assert [data["text"] for kind, data in events if kind == "user"] == sent
    since_roll = len(events) - max(i for i, (kind, _) in enumerate(events) if kind == "session_started")
    assert since_roll <= MAX_EVENTS + TURN_EVENTS
