"""Who has a conversation, read from its events: the bot, the queue (waiting) or an agent (human).

A pure core: :func:`handling` folds one conversation's stored events (oldest first) into a
:class:`Handling`; the web app reads the events (``conversations.py``) and changes them through
Rasa's HTTP API (``takeover.py``). Rasa's own events decide: ``pause`` (an agent claimed it) and
``resume`` (handed back), the slot ``handoff_requested`` (the worker asked for a person).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from bot.vocabulary import (
    AGENT_KEY,
    ASKING_INTENTS,
    FEEDBACK_USELESS_INTENT,
    HANDOFF_INTENT,
    HANDOFF_NOTICES,
    HANDOFF_WAITING_RESPONSE,
    NOT_ANSWERED_RESPONSES,
    SLOT_HANDOFF,
    SLOT_PLACE,
    SLOT_TOPIC_INTENT,
)

BOT, WAITING, HUMAN = "bot", "waiting", "human"
TWO_MISSES, USELESS = "two_misses", "useless"  # why the bot itself puts a conversation in the queue
WECHAT_CHANNEL = "wechat"
PUSH_WINDOW_SECONDS = 48 * 3600  # WeChat takes customer-service messages this long after the worker wrote


@dataclass(frozen=True)
class Event:
    """One stored event: its type (``user``, ``bot``, ``slot``, ``pause`` …), time and JSON."""

    type_name: str
    timestamp: float
    data: Mapping[str, Any]

    @property
    def intent(self) -> str:
        return str(((self.data.get("parse_data") or {}).get("intent") or {}).get("name") or "")

    @property
    def metadata(self) -> Mapping[str, Any]:
        value = self.data.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def text(self) -> str:
        return str(self.data.get("text") or "")


@dataclass(frozen=True)
class Handling:
    """A conversation's state and what an agent needs to see before claiming it.

    Attributes:
        state: ``bot``, ``waiting`` (asked for a person) or ``human`` (an agent has it).
        requested_at: when the worker (last) asked for a person; 0 if never.
        request: the worker's question behind the request (not "转人工", not "你好").
        agent: who claimed it (state ``human``).
        last_agent_at: the claim or the agent's latest message, whichever is later.
        channel: the input channel of the worker's latest message (``socketio``, ``rest``, ``wechat`` …).
        last_user_at: when the worker last wrote.
        pushed_since_user: messages sent outside a turn (the agent's, the notices) since then.
        place, topic, cited: the slots ``place`` and ``topic_intent``, the practices last cited.
        flag, flagged_at: the bot's own reason to offer it to an agent (two answers in a row that
            found nothing or refused, or a 没用), until an agent has taken it.
        last_bot_at, reminders: the bot's latest message; "still waiting" notices since the request.
    """

    sender_id: str
    state: str = BOT
    requested_at: float = 0.0
    request: str = ""
    agent: str = ""
    claimed_at: float = 0.0
    last_agent_at: float = 0.0
    channel: str = ""
    last_user_at: float = 0.0
    pushed_since_user: int = 0
    place: str = ""
    topic: str = ""
    cited: tuple[str, ...] = ()
    flag: str = ""
    flagged_at: float = 0.0
    last_bot_at: float = 0.0
    reminders: int = 0

    @property
    def queued_at(self) -> float:
        """Its place in the queue: when the worker asked for a person, or the bot flagged it."""
        return self.requested_at if self.state == WAITING else self.flagged_at

    def push_allowance(self, quota: int, now: float) -> Optional[int]:
        """How many more messages may reach the worker now; None when the channel sets no limit.

        WeChat delivers customer-service messages only within 48 hours of the worker's last
        message, and only a few per message (``quota``).
        """
        if self.channel != WECHAT_CHANNEL:
            return None
        if now - self.last_user_at > PUSH_WINDOW_SECONDS:
            return 0
        return max(quota - self.pushed_since_user, 0)


def handling(sender_id: str, events: Iterable[Event]) -> Handling:
    """Fold a conversation's events, oldest first, into its :class:`Handling`."""
    state = dict(sender_id=sender_id)
    requested, paused = False, False
    question = ""
    misses, turn_missed, turns = 0, False, 0  # consecutive turns answered with a refusal
    for event in events:
        kind = event.type_name
        if kind == "user":
            if turns and not turn_missed:
                misses = 0
            turns, turn_missed = turns + 1, False
            state.update(last_user_at=event.timestamp, pushed_since_user=0,
                         channel=str(event.data.get("input_channel") or ""))
            if event.intent == FEEDBACK_USELESS_INTENT:
                state.update(flag=USELESS, flagged_at=event.timestamp)
            if event.intent in ASKING_INTENTS and event.text:
                question = event.text
            if event.intent == HANDOFF_INTENT:
                requested = True
                state.update(requested_at=event.timestamp, request=question or event.text, reminders=0)
        elif kind == "slot" and event.data.get("name") == SLOT_HANDOFF:
            requested = bool(event.data.get("value"))
            if requested and not state.get("request"):
                state.update(requested_at=event.timestamp, request=question)
        elif kind == "slot" and event.data.get("name") in (SLOT_PLACE, SLOT_TOPIC_INTENT):
            key = "place" if event.data.get("name") == SLOT_PLACE else "topic"
            state[key] = str(event.data.get("value") or "")
        elif kind == "pause":
            paused, misses = True, 0
            state.update(agent=str(event.metadata.get(AGENT_KEY) or ""), claimed_at=event.timestamp,
                         last_agent_at=event.timestamp, flag="", flagged_at=0.0)
        elif kind == "resume":
            paused = False
        elif kind == "bot":
            state["last_bot_at"] = event.timestamp
            if event.metadata.get("utter_action") == HANDOFF_WAITING_RESPONSE:
                state["reminders"] = int(state.get("reminders", 0)) + 1
            cited = cited_ids(event.data)
            if cited:
                state["cited"] = cited
            if event.metadata.get(AGENT_KEY) or event.metadata.get("utter_action") in HANDOFF_NOTICES:
                state["pushed_since_user"] = int(state.get("pushed_since_user", 0)) + 1
            if event.metadata.get(AGENT_KEY):
                state["last_agent_at"] = event.timestamp
            if event.metadata.get("utter_action") in NOT_ANSWERED_RESPONSES and not turn_missed and not paused:
                turn_missed, misses = True, misses + 1
                if misses >= 2:
                    state.update(flag=TWO_MISSES, flagged_at=event.timestamp)
    state["state"] = HUMAN if paused else WAITING if requested else BOT
    return Handling(**state)  # type: ignore[arg-type]


def cited_ids(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of the practices a bot message cited (its ``custom.practices``)."""
    custom = (data.get("data") or {}).get("custom") or {}
    practices = custom.get("practices") if isinstance(custom, dict) else None
    if not isinstance(practices, list):
        return ()
    return tuple(str(p.get("id")) for p in practices if isinstance(p, dict) and p.get("id"))
