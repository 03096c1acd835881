"""A Rasa graph component that reads a message as the worker meant it, before anything else reads it.

Workers type 證書, 廣州, 實名制 (Traditional; the training data is mostly Simplified) and pick the
wrong characters of the right sound on a pinyin keyboard: 公资 for 工资, 东管 for 东莞
(``bot.kb.typos``). The message text is rewritten before tokenization, character for character,
so entity offsets still point at what the worker typed.
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

from bot.nlu.stateless import StatelessComponent


def read_as_meant(text: Any) -> Any:
    """`text` in Simplified characters with sound-alike slips corrected, when that keeps its length
    (non-text as is)."""
    from bot.kb.text import simplified_in_place  # lazy: loads the conversion tables
    from bot.kb.typos import corrected

    return corrected(simplified_in_place(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormalizer(StatelessComponent):
    """Rewrites each message's text as the worker meant it (same length)."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        """The component, with the sound index built as the model loads (a third of a second), not on
        the first message a worker answers."""
        read_as_meant("公资")
        return super().create(config, model_storage, resource, execution_context)

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
            converted = read_as_meant(text)
            if converted != text:
                message.set(TEXT, converted)
        return messages
