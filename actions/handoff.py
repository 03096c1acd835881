"""Asking for a person: how to reach one, and a mark the hotline console finds."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.vocabulary import SLOT_HANDOFF


class ActionRequestHuman(Action):
    """Tell the worker how to reach a person and mark the conversation for staff
    (the slot ``handoff_requested`` = true, stored as an event in the tracker)."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff")
        return [SlotSet(SLOT_HANDOFF, True)]
