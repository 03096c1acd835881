"""Helpers for action tests: a real ``rasa_sdk.Tracker`` built from what the worker typed,
a ``CollectingDispatcher``, and readers of what the bot sent back."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def entity(text: str, name: str, mention: str, value: Optional[str] = None) -> dict[str, Any]:
    """An entity as the NLU pipeline reports it, found at ``mention`` in ``text``."""
    start = text.index(mention)
    return {"entity": name, "value": value or mention, "start": start, "end": start + len(mention)}


def make_tracker(
    text: str = "",
    intent: Optional[str] = None,
    entities: Sequence[dict[str, Any]] = (),
    slots: Optional[dict[str, Any]] = None,
    metadata: Optional[dict[str, Any]] = None,
) -> Tracker:
    """A tracker whose latest user message is ``text`` with this intent and these entities."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": list(entities),
        "metadata": metadata or {},
    }
    return Tracker(
        sender_id="worker",
        slots=dict(slots or {}),
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@dataclass
class Reply:
    """What one action run sent and remembered."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]
    slots_before: dict[str, Any]

    @property
    def responses(self) -> list[str]:
        """The response names, in order (custom payloads as "custom")."""
        return [m.get("response") or ("custom" if m.get("custom") else "?") for m in self.messages]

    def of(self, response: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("response") == response]

    @property
    def items(self) -> list[dict[str, Any]]:
        """The practices shown, as their cards (``n``, ``place``, ``title``, ``fact``…), in order."""
        return self.cards

    @staticmethod
    def label(item: dict[str, Any]) -> str:
        """How an item's place is labelled: "here" (as the document names it), "province" or "elsewhere"."""
        from bot import responses

        for kind in ("province", "elsewhere"):
            if item["place"] == responses.text(f"utter_practice_place_{kind}", place=item["region"]):
                return kind
        assert item["place"] == item["region"], item
        return "here"

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The practices of the ``custom`` payload (there must be exactly one)."""
        payloads = [m["custom"] for m in self.messages if m.get("custom")]
        assert len(payloads) == 1, f"expected one custom payload, got {len(payloads)}"
        return payloads[0]["practices"]

    @property
    def cited_ids(self) -> list[str]:
        return [card["id"] for card in self.cards]

    def slot(self, name: str) -> Any:
        """A slot's value after the action: the value it set, else the one the slot held (actions
        leave out a slot event that would repeat the value held)."""
        values = [e["value"] for e in self.events if e.get("event") == "slot" and e.get("name") == name]
        return values[-1] if values else self.slots_before.get(name)


def run(action: Action, tracker: Tracker, domain: Optional[dict[str, Any]] = None) -> Reply:
    """Run the action as the action server does, and collect its reply."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return Reply(messages=dispatcher.messages, events=list(events), slots_before=dict(tracker.slots))


def follow_up(reply: Reply, slots: dict[str, Any]) -> dict[str, Any]:
    """The slots after a reply: earlier slots updated by the reply's SlotSet events."""
    updated = dict(slots)
    for event in reply.events:
        if event.get("event") == "slot":
            updated[event["name"]] = event["value"]
    return updated
