"""Traditional characters and sound-alike slips are understood: 廣州 reads as 广州, 公资 as 工资, offsets unchanged."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalizer import TextNormalizer, read_as_meant


def _component(tmp_path) -> TextNormalizer:
    return TextNormalizer.create({}, LocalModelStorage(tmp_path), Resource("t2s"),
                                          ExecutionContext(GraphSchema({}), "test"))


@pytest.mark.parametrize(
    "typed, read",
    [
        ("廣州有什麼做法", "广州有什么做法"),
        ("實名制是幹啥的", "实名制是干啥的"),
        ("老闆欠薪怎麼辦", "老板欠薪怎么办"),
        ("包工头欠钱不给咋办", "包工头欠钱不给咋办"),
        ("", ""),
        ("😀 <b>工資</b>", "😀 <b>工资</b>"),
        ("老闆欠公資", "老板欠工资"),  # Traditional and a slip at once
    ],
)
def test_a_message_is_read_as_simplified_with_its_slips_corrected(typed, read, tmp_path):
    message = Message.build(text=typed)
    _component(tmp_path).process([message])
    assert message.get("text") == read
    assert len(message.get("text")) == len(typed)


def test_training_examples_are_converted_like_messages(tmp_path):
    """Training sees what prediction sees: 證書 is trained as 证书."""
    data = TrainingData([Message.build(text="證書怎麼考", intent="ask_skill_certificate")])
    _component(tmp_path).process_training_data(data)
    assert data.training_examples[0].get("text") == "证书怎么考"


@pytest.mark.parametrize("value", [None, 3, "欠" * 10_000])
def test_reading_leaves_non_text_and_keeps_length(value):
    result = read_as_meant(value)
    assert result == value if not isinstance(value, str) else len(result) == len(value)
