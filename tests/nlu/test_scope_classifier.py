"""The scope classifier: how likely the list covers a message, learned from the intents' examples,
saved with the model and loaded back."""
from __future__ import annotations

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.scope_classifier import ScopeClassifier, scope_label
from bot.vocabulary import SCOPE_KEY

CONTEXT = ExecutionContext(GraphSchema({}), "test")
EXAMPLES = [
    ("包工头欠钱不给咋办", "ask_wage_arrears"), ("老板拖欠工资怎么办", "ask_wage_arrears"),
    ("工资被拖欠找谁", "ask_wage_arrears"), ("考焊工证有补贴吗", "ask_training_subsidy"),
    ("电工证培训补贴怎么领", "ask_training_subsidy"), ("工地实名制怎么登记", "ask_real_name"),
    ("二建报名时间是什么时候", "ask_uncovered"), ("一级建造师报考条件", "ask_uncovered"),
    ("社保一个月交多少", "ask_uncovered"), ("今天天气怎么样", "out_of_scope"),
    ("干工地太累了", "express_feeling"), ("谢谢你", "thank"),
    ("还有吗", "ask_more"),  # a follow-up: teaches nothing
]


def _trained(tmp_path) -> ScopeClassifier:
    storage, resource = LocalModelStorage(tmp_path), Resource("scope")
    component = ScopeClassifier.create({}, storage, resource, CONTEXT)
    component.train(TrainingData([Message.build(text=t, intent=i) for t, i in EXAMPLES]))
    return ScopeClassifier.load({}, storage, resource, CONTEXT)  # as the server loads it


def _in_scope(component: ScopeClassifier, text: str) -> float:
    message = Message.build(text=text)
    component.process([message])
    return message.get(SCOPE_KEY)


def test_a_wage_question_is_more_in_scope_than_an_exam_question(tmp_path):
    component = _trained(tmp_path)
    assert _in_scope(component, "老板欠工资不给") > 0.5 > _in_scope(component, "二级建造师怎么报名")


def test_the_probability_reaches_the_parse_output(tmp_path):
    """The action server reads it from the tracker's latest message: it must be an output property."""
    message = Message.build(text="欠薪咋办")
    _trained(tmp_path).process([message])
    assert SCOPE_KEY in message.as_dict(only_output_properties=True)


def test_follow_ups_teach_nothing_and_an_untrained_classifier_says_nothing(tmp_path):
    assert scope_label("ask_more") is None and scope_label("ask_wage_arrears") and scope_label("thank") is False
    storage, resource = LocalModelStorage(tmp_path), Resource("empty")
    component = ScopeClassifier.create({}, storage, resource, CONTEXT)
    component.train(TrainingData([Message.build(text="还有吗", intent="ask_more")]))
    loaded = ScopeClassifier.load({}, storage, resource, CONTEXT)
    message = Message.build(text="欠薪咋办")
    loaded.process([message])
    assert message.get(SCOPE_KEY) is None
