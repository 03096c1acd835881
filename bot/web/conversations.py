"""Read Rasa's SQL tracker store, read-only: handoffs, transcripts, gaps, feedback, stats.

Rasa's ``SQLTrackerStore`` keeps one row per event in the table ``events``
(``id, sender_id, type_name, timestamp, intent_name, action_name, data``);
``action_name`` holds the event's ``name`` (the action, or the slot for slot
events) and ``data`` the whole event as JSON. This module only ever selects
from it; a missing database or table reads as "no conversations yet".
"""
from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any, Iterable, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.vocabulary import (  # (names shared with the actions, checked against domain.yml)
    AGENT_KEY,
    ASKING_INTENTS,
    FALLBACK_INTENT,
    FEEDBACK_USEFUL_INTENT,
    FEEDBACK_USELESS_INTENT,
    HANDOFF_INTENT,
    NOT_ANSWERED_RESPONSES,
    OUT_OF_SCOPE_INTENT,
    SLOT_HANDOFF,
    UNANSWERED_LIST_RESPONSES,
    UNCOVERED_INTENT,
)
from bot.web.handling import BOT, HUMAN, WAITING, Event, Handling, cited_ids, handling

logger = logging.getLogger(__name__)

HANDOFF_SLOT = SLOT_HANDOFF
UNANSWERED_INTENTS = (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT, UNCOVERED_INTENT)
FALLBACK_ACTION = "action_default_fallback"
FEEDBACK_INTENTS = {FEEDBACK_USEFUL_INTENT: "useful", FEEDBACK_USELESS_INTENT: "useless"}
PLACE_ENTITY = "place"
TREND_INTENTS = 5  # intents drawn day by day
FLAG_HOURS = 24  # a conversation the bot flagged (two misses, a 没用) is offered to agents this long
MESSAGE_TYPES = ("user", "bot")

_events = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


@dataclass(frozen=True)
class Message:
    """One line of a transcript: what the user typed, the bot said, or an agent wrote."""

    sender: str  # "user", "bot" or "agent"
    text: str
    timestamp: float
    intent: Optional[str] = None
    practices: tuple[str, ...] = ()  # ids the bot cited in this message
    agent: str = ""  # which agent wrote it (sender "agent")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "practices": list(self.practices), "time": iso_time(self.timestamp)}


@dataclass(frozen=True)
class Conversation:
    """A conversation in which the user asked for a person (or an agent took it over)."""

    sender_id: str
    requested_at: float
    messages: tuple[Message, ...] = field(default_factory=tuple)
    handling: Optional[Handling] = None

    @property
    def last_user_text(self) -> str:
        return next((m.text for m in reversed(self.messages) if m.sender == "user"), "")

    @property
    def request(self) -> str:
        """The headline: what the worker needs help with (the question behind "转人工")."""
        return (self.handling.request if self.handling else "") or self.last_user_text

    def to_dict(self) -> dict[str, Any]:
        summary = summary_dict(self.handling) if self.handling else {}
        return {
            **summary,
            "sender_id": self.sender_id,
            "requested_at": iso_time(self.requested_at),
            "request": self.request,
            "last_user_text": self.last_user_text,
            "messages": [m.to_dict() for m in self.messages],
        }


def summary_dict(handling: Handling, now: Optional[float] = None) -> dict[str, Any]:
    """What an agent reads before claiming: state, place, topic, cited practices, waiting time."""
    now = now or time.time()
    return {
        "sender_id": handling.sender_id,
        "request": handling.request,
        "state": handling.state,
        "agent": handling.agent,
        "channel": handling.channel,
        "place": handling.place,
        "topic": handling.topic,
        "cited": list(handling.cited),
        "flag": handling.flag,
        "waiting_seconds": int(now - handling.queued_at) if handling.queued_at and handling.state != HUMAN else 0,
        "claimed_at": iso_time(handling.claimed_at) if handling.state == HUMAN else "",
    }


@dataclass(frozen=True)
class Unanswered:
    """A question the bot could not answer."""

    sender_id: str
    text: str
    intent: Optional[str]
    reason: str  # the fallback intent, or the action that said "not found"
    timestamp: float

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "time": iso_time(self.timestamp)}


@dataclass(frozen=True)
class Feedback:
    """A 有用/没用 answer with the question it was about."""

    sender_id: str
    verdict: str  # "useful" or "useless"
    question: str
    practices: tuple[str, ...]
    timestamp: float

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "practices": list(self.practices), "time": iso_time(self.timestamp)}


@dataclass(frozen=True)
class Stats:
    """Most asked topics (intents) and places, in total and per day."""

    days: int
    messages: int
    conversations: int
    intents: tuple[tuple[str, int], ...]
    places: tuple[tuple[str, int], ...]
    daily: tuple[tuple[str, int], ...]  # (YYYY-MM-DD, user messages), every day of the period
    daily_intents: dict[str, dict[str, int]]  # intent -> {day: count}, the most asked intents only

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "messages": self.messages,
            "conversations": self.conversations,
            "intents": [{"name": n, "count": c} for n, c in self.intents],
            "places": [{"name": n, "count": c} for n, c in self.places],
            "daily": [{"day": d, "count": c} for d, c in self.daily],
            "daily_intents": self.daily_intents,
        }


def iso_time(timestamp: float) -> str:
    """A UTC ISO-8601 time for a Unix timestamp (empty when unknown)."""
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp or 0, tz=timezone.utc).strftime("%Y-%m-%d")


def _calendar(start: float, end: float) -> list[str]:
    """Every day (UTC) from ``start`` to ``end``, so charts show quiet days as zero."""
    first = datetime.fromtimestamp(start, tz=timezone.utc).date()
    last = datetime.fromtimestamp(end, tz=timezone.utc).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _data(row: Any) -> dict[str, Any]:
    try:
        value = json.loads(row.data or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _message(row: Any) -> Message:
    event = _data(row)
    metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
    agent = str(metadata.get(AGENT_KEY) or "") if row.type_name == "bot" else ""
    return Message(
        sender="agent" if agent else row.type_name,
        text=str(event.get("text") or ""),
        timestamp=row.timestamp or 0.0,
        intent=row.intent_name,
        practices=cited_ids(event) if row.type_name == "bot" else (),
        agent=agent,
    )


def read_only_url(url: str) -> str:
    """The URL to open a tracker store with; SQLite files are opened read-only.

    A read-only SQLite URI never creates the file, so a missing database stays
    missing instead of appearing empty on disk.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return url
    return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"


class ConversationStore:
    """Queries over the tracker store's ``events`` table; every method is read-only."""

    def __init__(self, url: str) -> None:
        self.url = url

    @cached_property
    def engine(self) -> Engine:
        return sa.create_engine(read_only_url(self.url), pool_pre_ping=True)

    def _rows(self, statement: sa.sql.Select) -> list[Any]:
        try:
            with self.engine.connect() as connection:
                return list(connection.execute(statement))
        except SQLAlchemyError as error:
            logger.info("tracker store not readable (%s): %s", self.url, error.__class__.__name__)
            return []

    def _messages(self, sender_ids: Iterable[str]) -> dict[str, list[Message]]:
        ids = list(dict.fromkeys(sender_ids))
        if not ids:
            return {}
        rows = self._rows(
            sa.select(_events)
            .where(_events.c.sender_id.in_(ids), _events.c.type_name.in_(MESSAGE_TYPES))
            .order_by(_events.c.sender_id, _events.c.id)
        )
        messages: dict[str, list[Message]] = defaultdict(list)
        for row in rows:
            messages[row.sender_id].append(_message(row))
        return messages

    def transcript(self, sender_id: str) -> tuple[Message, ...]:
        """Every user and bot message of one conversation, oldest first."""
        return tuple(self._messages([sender_id]).get(sender_id, ()))

    def events(self, sender_ids: Iterable[str]) -> dict[str, list[Event]]:
        """Every stored event of these conversations, oldest first."""
        ids = list(dict.fromkeys(sender_ids))
        if not ids:
            return {}
        rows = self._rows(
            sa.select(_events.c.sender_id, _events.c.type_name, _events.c.timestamp, _events.c.data)
            .where(_events.c.sender_id.in_(ids))
            .order_by(_events.c.sender_id, _events.c.id)
        )
        found: dict[str, list[Event]] = defaultdict(list)
        for row in rows:
            found[row.sender_id].append(Event(row.type_name, row.timestamp or 0.0, _data(row)))
        return found

    def handling(self, sender_id: str) -> Optional[Handling]:
        """Who has the conversation now (None for a conversation the store does not know)."""
        events = self.events([sender_id]).get(sender_id)
        return handling(sender_id, events) if events else None

    def handoffs(self, limit: int = 50) -> list[Conversation]:
        """Conversations in which the user asked for a person or an agent took over, newest first."""
        rows = self._rows(
            sa.select(_events.c.sender_id, _events.c.type_name, _events.c.timestamp, _events.c.data).where(
                sa.or_(
                    sa.and_(_events.c.type_name == "user", _events.c.intent_name == HANDOFF_INTENT),
                    sa.and_(_events.c.type_name == "slot", _events.c.action_name == HANDOFF_SLOT),
                    _events.c.type_name == "pause",
                )
            )
        )
        requested: dict[str, float] = {}
        for row in rows:
            if row.type_name == "slot" and not _data(row).get("value"):
                continue
            requested[row.sender_id] = max(requested.get(row.sender_id, 0.0), row.timestamp or 0.0)
        newest = sorted(requested.items(), key=lambda item: item[1], reverse=True)[:limit]
        messages = self._messages(sender for sender, _ in newest)
        events = self.events(sender for sender, _ in newest)
        return [Conversation(s, t, tuple(messages.get(s, ())), handling(s, events.get(s, ()))) for s, t in newest]

    def queue(self, limit: int = 200, now: Optional[float] = None) -> list[Conversation]:
        """The waiting queue, oldest first: conversations asking for a person that no agent has, and
        those the bot flagged itself in the last :data:`FLAG_HOURS` (two misses in a row, a 没用)."""
        since = (now or time.time()) - FLAG_HOURS * 3600
        flagged_rows = self._rows(
            sa.select(_events.c.sender_id).distinct().where(
                _events.c.timestamp >= since,
                sa.or_(
                    _events.c.intent_name == FEEDBACK_USELESS_INTENT,
                    sa.and_(
                        _events.c.type_name == "bot",
                        sa.or_(*(_events.c.data.contains(name, autoescape=True) for name in NOT_ANSWERED_RESPONSES)),
                    ),
                ),
            ).limit(limit)
        )
        flagged_ids = [row.sender_id for row in flagged_rows]
        messages, events = self._messages(flagged_ids), self.events(flagged_ids)
        candidates = {c.sender_id: c for c in self.handoffs(limit)}
        for sender in flagged_ids:
            found = handling(sender, events.get(sender, ()))
            if sender not in candidates and found.state == BOT and found.flag and found.flagged_at >= since:
                candidates[sender] = Conversation(sender, found.flagged_at, tuple(messages.get(sender, ())), found)
        queued = [c for c in candidates.values() if c.handling and (
            c.handling.state == WAITING or (c.handling.state == BOT and c.handling.flag and c.handling.flagged_at >= since))]
        return sorted(queued, key=lambda c: c.handling.queued_at if c.handling else 0.0)

    def claimed(self, limit: int = 200) -> list[Handling]:
        """Conversations an agent has now (the tracker is paused)."""
        return [c.handling for c in self.handoffs(limit) if c.handling and c.handling.state == HUMAN]

    def _user_and_action_rows(self, senders: sa.sql.Select) -> list[Any]:
        return self._rows(
            sa.select(_events)
            .where(
                _events.c.sender_id.in_(senders),
                _events.c.type_name.in_(("user", "action", "bot")),
            )
            .order_by(_events.c.sender_id, _events.c.id)
        )

    def unanswered(self, limit: int = 100) -> list[Unanswered]:
        """User messages that fell back, were out of scope, were answered with nothing found or an
        honest refusal, or met with sympathy only (``bot.vocabulary.UNANSWERED_LIST_RESPONSES``), or whose answer
        the worker marked 没用 (the question judged, not the message before the 没用), newest first."""
        senders = sa.select(_events.c.sender_id).where(
            sa.or_(
                _events.c.intent_name.in_((*UNANSWERED_INTENTS, FEEDBACK_USELESS_INTENT)),
                sa.and_(_events.c.type_name == "action", _events.c.action_name == FALLBACK_ACTION),
                sa.and_(
                    _events.c.type_name == "bot",
                    sa.or_(*(_events.c.data.contains(name, autoescape=True) for name in UNANSWERED_LIST_RESPONSES)),
                ),
            )
        )
        found: dict[tuple[str, str, float], Unanswered] = {}
        last_user: Optional[Any] = None
        last_question: Optional[Any] = None  # what a 没用 judged
        for row in self._user_and_action_rows(senders):
            if last_user is not None and last_user.sender_id != row.sender_id:
                last_user = last_question = None
            if row.type_name == "user" and row.intent_name == FEEDBACK_USELESS_INTENT:
                if last_question is not None:
                    item = _unanswered(last_question, FEEDBACK_USELESS_INTENT)
                    found.setdefault((item.sender_id, item.text, item.timestamp), item)
                last_user = row
            elif row.type_name == "user":
                last_user = row
                if row.intent_name in ASKING_INTENTS:
                    last_question = row
                if row.intent_name in UNANSWERED_INTENTS:
                    item = _unanswered(row, row.intent_name)
                    found.setdefault((item.sender_id, item.text, item.timestamp), item)
            elif row.type_name == "action" and row.action_name == FALLBACK_ACTION and last_user is not None:
                item = _unanswered(last_user, row.action_name)
                found.setdefault((item.sender_id, item.text, item.timestamp), item)
            elif row.type_name == "bot" and last_user is not None:
                response = _response_name(_data(row))
                if response in UNANSWERED_LIST_RESPONSES:
                    item = _unanswered(last_user, response)
                    found.setdefault((item.sender_id, item.text, item.timestamp), item)
        return sorted(found.values(), key=lambda u: u.timestamp, reverse=True)[:limit]

    def feedback(self, limit: int = 100) -> list[Feedback]:
        """有用/没用 answers, newest first, each with the question it judged: the worker's latest
        question before it, not a follow-up such as 我在东莞 or 更多."""
        senders = sa.select(_events.c.sender_id).where(_events.c.intent_name.in_(tuple(FEEDBACK_INTENTS)))
        items: list[Feedback] = []
        question, cited, sender = "", (), None
        for row in self._user_and_action_rows(senders):
            if row.sender_id != sender:
                question, cited, sender = "", (), row.sender_id
            if row.type_name == "bot":
                cited = cited_ids(_data(row)) or cited
            elif row.type_name == "user" and row.intent_name in FEEDBACK_INTENTS:
                items.append(
                    Feedback(row.sender_id, FEEDBACK_INTENTS[row.intent_name], question, cited, row.timestamp or 0.0)
                )
            elif row.type_name == "user" and row.intent_name in ASKING_INTENTS:
                question, cited = str(_data(row).get("text") or ""), ()
        return sorted(items, key=lambda f: f.timestamp, reverse=True)[:limit]

    def stats(self, days: int = 30, top: int = 10, now: Optional[float] = None) -> Stats:
        """Counts of user messages by intent, place and day over the last ``days`` days."""
        now = now or time.time()
        since = now - days * 86400
        rows = self._rows(
            sa.select(_events.c.sender_id, _events.c.timestamp, _events.c.intent_name, _events.c.data).where(
                _events.c.type_name == "user", _events.c.timestamp >= since
            )
        )
        intents: Counter[str] = Counter()
        places: Counter[str] = Counter()
        daily: Counter[str] = Counter()
        by_day: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            day = _day(row.timestamp)
            daily[day] += 1
            if row.intent_name:
                intents[row.intent_name] += 1
                by_day[row.intent_name][day] += 1
            places.update(_places(_data(row)))
        calendar = _calendar(since, now)
        top_intents = [name for name, _ in intents.most_common(TREND_INTENTS)]
        return Stats(
            days=days,
            messages=len(rows),
            conversations=len({row.sender_id for row in rows}),
            intents=tuple(intents.most_common(top)),
            places=tuple(places.most_common(top)),
            daily=tuple((day, daily[day]) for day in calendar),
            daily_intents={name: {day: by_day[name][day] for day in calendar} for name in top_intents},
        )


def _response_name(event: dict[str, Any]) -> Optional[str]:
    """The domain response a bot message was made from (Rasa records it as metadata.utter_action)."""
    metadata = event.get("metadata") or {}
    name = metadata.get("utter_action") if isinstance(metadata, dict) else None
    return str(name) if name else None


def _unanswered(row: Any, reason: str) -> Unanswered:
    return Unanswered(
        sender_id=row.sender_id,
        text=str(_data(row).get("text") or ""),
        intent=row.intent_name,
        reason=reason,
        timestamp=row.timestamp or 0.0,
    )


def _places(event: dict[str, Any]) -> Sequence[str]:
    entities = (event.get("parse_data") or {}).get("entities") or []
    return [
        str(e.get("value"))
        for e in entities
        if isinstance(e, dict) and e.get("entity") == PLACE_ENTITY and e.get("value")
    ]
