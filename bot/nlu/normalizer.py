"""A Rasa graph component that reads Traditional characters as Simplified.

Workers type 證書, 廣州, 實名制; the training data is mostly Simplified. The
message text is rewritten before tokenization, character for character, so
entity offsets still point at what the worker typed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def simplified(text: Any) -> Any:
    """`text` in Simplified characters when that keeps its length, else unchanged.

    Args:
        text: a message text (anything else is returned as is).

    Returns:
        The converted text, the same length as `text`.
    """
    if not isinstance(text, str) or not text:
        return text
    import zhconv  # lazy: loads its conversion tables

    converted = zhconv.convert(text, "zh-cn")
    return converted if len(converted) == len(text) else text


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TraditionalToSimplified(GraphComponent):
    """Rewrites each message's text in Simplified characters (same length)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TraditionalToSimplified":
        """Creates the component (nothing to train or load)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Converts the training examples as messages will be converted."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Converts each message's text in place.

        Args:
            messages: the messages to convert.

        Returns:
            The same messages.
        """
        for message in messages:
            text = message.get(TEXT)
            converted = simplified(text)
            if converted != text:
                message.set(TEXT, converted)
        return messages
