"""What every action shares: the knowledge base handed in through ``__init__``, and
small readers of the tracker (the latest text, place, ordinal and the thread's slots).
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType

if TYPE_CHECKING:  # imported lazily at run time: nothing heavy at import
    from bot.kb.answerability import Thresholds
    from bot.kb.service import KnowledgeBase

from bot.vocabulary import (
    SLOT_LAST_SHOWN,
    SLOT_PAGE,
    SLOT_PLACE,
    SLOT_SHOWN_IDS,
    SLOT_TOPIC_INTENT,
    SLOT_TOPIC_QUERY,
    SLOT_TOPIC_SECTIONS,
)

# How many practices one answer shows: enough to compare, short enough for a phone.
PAGE_SIZE = 3

ORDINAL_LAST = "last"
_DIGITS = re.compile(r"\d{1,3}")


class KnowledgeBaseAction(Action, ABC):
    """An action that answers from the practice knowledge base.

    Args:
        knowledge_base: the practices to answer from; by default the process-wide
            one (``bot.kb.service.get_knowledge_base()``), opened on first use.
        thresholds: when to answer and when to refuse; by default those of
            ``data/kb/answerability.yml``.
    """

    def __init__(self, knowledge_base: Optional["KnowledgeBase"] = None,
                 thresholds: Optional["Thresholds"] = None) -> None:
        self._knowledge_base = knowledge_base
        self._thresholds = thresholds

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    @property
    def knowledge_base(self) -> "KnowledgeBase":
        """The knowledge base, opened on first use."""
        if self._knowledge_base is None:
            from bot.kb.service import get_knowledge_base

            self._knowledge_base = get_knowledge_base()
        return self._knowledge_base

    @property
    def thresholds(self) -> "Thresholds":
        """The answer-or-refuse thresholds, read on first use."""
        if self._thresholds is None:
            from bot.kb.answerability import load_thresholds

            self._thresholds = load_thresholds()
        return self._thresholds


@dataclass(frozen=True)
class Thread:
    """The current line of questions, as remembered in slots."""

    intent: Optional[str] = None  # the topic intent, or "ask_place_practices"
    query: str = ""  # the search text, without its place
    place: Optional[str] = None  # the place asked about (full official name)
    shown_ids: tuple[str, ...] = field(default_factory=tuple)  # numbered 1, 2, … in order
    last_shown: tuple[str, ...] = field(default_factory=tuple)
    page: int = 0
    sections: tuple[str, ...] = field(default_factory=tuple)  # preferred in the search, with the topic's

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> "Thread":
        """The thread stored in the tracker's slots."""
        return cls(
            intent=tracker.get_slot(SLOT_TOPIC_INTENT) or None,
            query=str(tracker.get_slot(SLOT_TOPIC_QUERY) or ""),
            place=tracker.get_slot(SLOT_PLACE) or None,
            shown_ids=_strings(tracker.get_slot(SLOT_SHOWN_IDS)),
            last_shown=_strings(tracker.get_slot(SLOT_LAST_SHOWN)),
            page=int(_number(tracker.get_slot(SLOT_PAGE))),
            sections=_strings(tracker.get_slot(SLOT_TOPIC_SECTIONS)),
        )


def changed_slots(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """The events without the slot events that set a slot to the value it holds already.

    Rasa parses, applies and stores every event an action returns and reads the session's events
    back on each later turn; a repeated value changes nothing (no slot influences the conversation,
    domain.yml), so it is not sent.
    """
    return [e for e in events if e.get("event") != "slot" or e.get("value") != tracker.get_slot(e.get("name"))]


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(str(v) for v in value if v)


def _number(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the latest user message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_confidence(tracker: Tracker) -> float:
    """The classifier's confidence in the latest intent (1.0 for a button payload)."""
    return float(_number((tracker.latest_message.get("intent") or {}).get("confidence")))


def latest_topic(tracker: Tracker, topics: Any) -> tuple[Optional[str], float]:
    """The most likely topic intent of the latest message and its confidence, even when another
    intent ranks first ("要是没活干了可咋整" reads as a feeling, then as finding work)."""
    intent = latest_intent(tracker)
    if intent in topics:
        return intent, latest_confidence(tracker)
    ranking = [r for r in tracker.latest_message.get("intent_ranking") or () if r.get("name") in topics]
    best = max(ranking, key=lambda r: _number(r.get("confidence")), default=None)
    return (best["name"], float(_number(best.get("confidence")))) if best else (None, 0.0)


def place_is_remembered(tracker: Tracker) -> bool:
    """Whether the place answered for was carried over from an earlier turn, not named now."""
    return entity_value(tracker, "place") is None and bool(tracker.get_slot(SLOT_PLACE))


def latest_text(tracker: Tracker) -> str:
    """The latest user message's text; empty for a button payload such as ``/ask_more``."""
    text = str(tracker.latest_message.get("text") or "")
    return "" if text.lstrip().startswith("/") else text


def latest_entities(tracker: Tracker, entity: str) -> list[dict[str, Any]]:
    """The latest message's entities of one type, in the order they appear."""
    found = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]
    return sorted(found, key=lambda e: e.get("start") or 0)


def entity_value(tracker: Tracker, entity: str) -> Optional[str]:
    """The value of the latest message's first entity of this type."""
    for found in latest_entities(tracker, entity):
        value = str(found.get("value") or "").strip()
        if value:
            return value
    return None


def metadata_region(tracker: Tracker) -> Optional[str]:
    """The region an app passed with the message (``metadata.region``), if any."""
    metadata = tracker.latest_message.get("metadata") or {}
    region = metadata.get("region") if isinstance(metadata, dict) else None
    if not isinstance(region, str):
        return None
    return region.strip() or None


def asked_place(tracker: Tracker) -> Optional[str]:
    """The place to answer for: named now, else remembered, else the app's region."""
    return entity_value(tracker, "place") or tracker.get_slot(SLOT_PLACE) or metadata_region(tracker)


def text_without_places(tracker: Tracker) -> str:
    """The latest text with the place names cut out, e.g. "东莞欠薪咋办" → "欠薪咋办"."""
    text = latest_text(tracker)
    for found in reversed(latest_entities(tracker, "place")):
        start, end = found.get("start"), found.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            text = text[:start] + text[end:]
    return text.strip()


def requested_ordinal(tracker: Tracker) -> Optional[str]:
    """The ordinal asked for: "1", "2", … or "last"; from the entity, else digits in the text."""
    value = entity_value(tracker, "ordinal")
    if value:
        return ORDINAL_LAST if value.lower() == ORDINAL_LAST else value
    match = _DIGITS.search(latest_text(tracker))
    return match.group(0) if match else None
