"""A Rasa graph component that adds normalized `ordinal` entities."""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.ordinals import find_ordinals
from bot.nlu.stateless import StatelessComponent

ORDINAL_ENTITY = "ordinal"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class OrdinalExtractor(StatelessComponent, EntityExtractorMixin):
    """Adds `ordinal` entities: value is a 1-based number as text ("2") or "last"."""


    def process(self, messages: List[Message]) -> List[Message]:
        """Appends ordinal entities to each message.

        Args:
            messages: the messages to annotate.

        Returns:
            The same messages, with `ordinal` entities.
        """
        for message in messages:
            found = [
                {
                    "entity": ORDINAL_ENTITY,
                    "start": m.start,
                    "end": m.end,
                    "value": str(m.value),
                    "confidence_entity": 1.0,
                }
                for m in find_ordinals(message.get(TEXT))
            ]
            kept = [e for e in message.get(ENTITIES, []) if e.get("entity") != ORDINAL_ENTITY]
            message.set(ENTITIES, kept + self.add_extractor_name(found), add_to_output=True)
        return messages
