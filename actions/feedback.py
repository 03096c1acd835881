"""The worker's "有用 / 没用" on an answer, kept in the tracker for the console."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_intent
from bot.vocabulary import FEEDBACK_USEFUL_INTENT, FEEDBACK_USELESS_INTENT, SLOT_FEEDBACK

# intent → (slot value, response)
FEEDBACK_BY_INTENT = {
    FEEDBACK_USEFUL_INTENT: ("useful", "utter_feedback_useful"),
    FEEDBACK_USELESS_INTENT: ("useless", "utter_feedback_useless"),
}


class ActionRecordFeedback(Action):
    """Record the verdict in the slot ``feedback`` ("useful" / "useless") and thank the worker.

    The console reads it from the tracker store, next to the slot ``topic_query`` (the question).
    """

    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        found = FEEDBACK_BY_INTENT.get(latest_intent(tracker) or "")
        if found is None:
            return []
        verdict, response = found
        dispatcher.utter_message(response=response)
        return [SlotSet(SLOT_FEEDBACK, verdict)]
