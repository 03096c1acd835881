"""A Rasa graph component that adds `place` entities from the shared gazetteer.

Every province, city or county the knowledge base knows is recognized the same
way by NLU and by search: through `bot.kb.places.find_places`. The entity value
is the place's full official name (e.g. 广州 → 广东省广州市), so actions can pass
it to search without resolving it again.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.stateless import StatelessComponent

PLACE_ENTITY = "place"


def place_entities(text: Optional[str]) -> List[Dict[Text, Any]]:
    """Place entities (Rasa's entity dicts) for every place mentioned in `text`.

    Args:
        text: the user's message; None or empty gives no entities.

    Returns:
        One dict per mention with `entity`, `start`, `end`, `value` (the full
        official name), `confidence_entity` and `additional_info`
        (`code`, `name`, `level`).
    """
    if not text or not text.strip():
        return []
    from bot.kb.places import find_places  # lazy: loads jieba and spaCy

    entities = []
    for mention in find_places(text):
        place = mention.place
        entities.append(
            {
                "entity": PLACE_ENTITY,
                "start": mention.start,
                "end": mention.end,
                "value": place.full_name,
                "confidence_entity": 1.0,
                "additional_info": {"code": place.code, "name": place.name, "level": place.level},
            }
        )
    return entities


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PlaceExtractor(StatelessComponent, EntityExtractorMixin):
    """Adds `place` entities found by the shared gazetteer recognizer."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        """The component, with the recognizer built as the model loads: most messages name no place
        and never build it, so the first one that does would otherwise wait for spaCy."""
        from bot.kb.places import get_place_recognizer

        get_place_recognizer()
        return super().create(config, model_storage, resource, execution_context)

    def process(self, messages: List[Message]) -> List[Message]:
        """Appends place entities to each message, replacing other extractors' places.

        Args:
            messages: the messages to annotate.

        Returns:
            The same messages, with `place` entities from the gazetteer.
        """
        for message in messages:
            found = self.add_extractor_name(place_entities(message.get(TEXT)))
            kept = [e for e in message.get(ENTITIES, []) if e.get("entity") != PLACE_ENTITY]
            message.set(ENTITIES, kept + found, add_to_output=True)
        return messages
