"""Questions the list does not answer: say so honestly, never cite an unrelated practice."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from actions.topics import is_urgent


class ActionAnswerUncovered(Action):
    """An in-domain question the list does not cover (e.g. 工伤): say so, suggest what it
    covers, and for an injury or wages owed add the general guidance on where to turn."""

    def name(self) -> str:
        return "action_answer_uncovered"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_uncovered")
        if is_urgent(None, latest_text(tracker)):
            dispatcher.utter_message(response="utter_general_guidance")
        return []
