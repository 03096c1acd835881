"""Questions the list does not answer, asking for a person, and the 有用 / 没用 choice."""
from __future__ import annotations

import pytest

from actions.feedback import ActionRecordFeedback
from actions.handoff import ActionRequestHuman
from actions.scope import ActionAnswerUncovered
from tests.actions.chat import make_tracker, run


@pytest.mark.parametrize(
    "text, guidance",
    [
        ("在工地摔断了腿工伤怎么认定", True),
        ("干活受伤了医药费谁出", True),
        ("工钱拖着不给 还能找谁", True),
        ("退休以后养老金怎么领", False),
        ("农民工子女在城里上学怎么办", False),
        ("", False),
        ("😀" * 3000, False),
    ],
)
def test_uncovered_question_is_answered_honestly(text, guidance):
    """The list does not cover it: the bot says so (and, for an injury or wages, where to turn); cites nothing."""
    reply = run(ActionAnswerUncovered(), make_tracker(text, "ask_uncovered"))
    expected = ["utter_uncovered"] + (["utter_general_guidance"] if guidance else [])
    assert reply.responses == expected
    assert not any(m.get("custom") for m in reply.messages)
    assert reply.events == []


def test_request_human_says_how_and_marks_the_conversation():
    """"转人工": how to reach a person, and the mark the console looks for."""
    reply = run(ActionRequestHuman(), make_tracker("我要找真人", "request_human"))
    assert reply.responses == ["utter_handoff"]
    assert reply.slot("handoff_requested") is True


@pytest.mark.parametrize(
    "intent, verdict, response",
    [
        ("feedback_useful", "useful", "utter_feedback_useful"),
        ("feedback_useless", "useless", "utter_feedback_useless"),
    ],
)
def test_feedback_is_recorded_and_acknowledged(intent, verdict, response):
    """A tap on 有用 / 没用: the bot thanks (or apologizes) and records the verdict for the console."""
    slots = {"topic_query": "欠薪咋办 拖欠 农民工工资 欠薪", "last_shown": ["5.1.2"]}
    reply = run(ActionRecordFeedback(), make_tracker(f"/{intent}", intent, slots=slots))
    assert reply.responses == [response]
    assert reply.slot("feedback") == verdict


def test_feedback_action_on_another_intent_records_nothing():
    """Run after something that is not feedback, the action says and records nothing."""
    reply = run(ActionRecordFeedback(), make_tracker("你好", "greet"))
    assert reply.messages == [] and reply.events == []
