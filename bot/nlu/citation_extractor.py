"""A Rasa graph component that reads practice numbering ("五（一）2", "5.1.2") as a lookup.

It runs after the intent classifiers: a message that names a practice by its numbering is a
request for that practice, whatever else the classifier thought ("五（一）2" alone, "清单五（一）2
讲的是什么", right after a list where "2" would otherwise read as "item 2 of that list").
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.kb.citations import find_references
from bot.nlu.stateless import StatelessComponent
from bot.vocabulary import CITATION_INTENT

CITATION_ENTITY = "citation"
ORDINAL_ENTITY = "ordinal"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=False,
)
class CitationExtractor(StatelessComponent, EntityExtractorMixin):
    """Adds `citation` entities (value: the practice id, e.g. "5.1.2") and sets the intent to `ask_citation`."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Marks each message that names practices by their numbering.

        Args:
            messages: the messages to annotate.

        Returns:
            The same messages; those naming a practice get `ask_citation` and `citation` entities,
            and lose the ordinals read inside the numbering (the 2 of 五（一）2).
        """
        for message in messages:
            references = find_references(message.get(TEXT))
            if not references:
                self._demote(message)
                continue
            found = [
                {"entity": CITATION_ENTITY, "start": r.start, "end": r.end, "value": r.practice_id,
                 "confidence_entity": 1.0}
                for r in references
            ]
            kept = [
                e for e in message.get(ENTITIES, [])
                if e.get("entity") != CITATION_ENTITY
                and not (e.get("entity") == ORDINAL_ENTITY
                         and any(r.start <= (e.get("start") or 0) < r.end for r in references))
            ]
            message.set(ENTITIES, kept + self.add_extractor_name(found), add_to_output=True)
            intent = {"name": CITATION_INTENT, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CITATION_INTENT]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages

    @staticmethod
    def _demote(message: Message) -> None:
        """Without a reference the classifier's `ask_citation` is wrong ("2022-2023年资质分几级"):
        the next intent of the ranking stands instead."""
        intent = message.get(INTENT) or {}
        if intent.get("name") != CITATION_INTENT:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CITATION_INTENT]
        if ranking:
            message.set(INTENT, {"name": ranking[0]["name"], "confidence": ranking[0]["confidence"]},
                        add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
