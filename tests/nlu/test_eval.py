"""The evaluation's scoring (`make eval`): what counts as a hit, a right refusal, an F1."""
from __future__ import annotations

import pytest

from bot.eval import (
    Parse,
    Question,
    Scores,
    cited_ids,
    load_examples,
    macro_f1,
    render_report,
    score_retrieval,
    span_f1,
)


def test_macro_f1_averages_over_gold_intents():
    """One greet mistaken for thank: greet F1 2/3, thank F1 2/3, goodbye 1 → macro 7/9."""
    f1, per = macro_f1(["greet", "greet", "thank", "goodbye"], ["greet", "thank", "thank", "goodbye"])
    assert per == pytest.approx({"greet": 2 / 3, "thank": 2 / 3, "goodbye": 1.0})
    assert f1 == pytest.approx(7 / 9)


@pytest.mark.parametrize(
    "gold, predicted, f1",
    [
        ([{(0, 2)}], [{(0, 2)}], 1.0),
        ([{(0, 2)}], [set()], 0.0),
        ([{(0, 2)}, set()], [{(0, 2)}, {(3, 5)}], 2 / 3),
        ([set()], [set()], 1.0),
    ],
)
def test_span_f1_counts_exact_spans(gold, predicted, f1):
    assert span_f1(gold, predicted) == pytest.approx(f1)


def test_held_out_examples_load_with_gold_places():
    """The test set's annotated places come back as spans: [东莞](place) in 我在东莞 → (2, 4)."""
    examples = load_examples()
    by_text = {e.text: e for e in examples}
    assert by_text["那浙江呢"].places == frozenset({(1, 3)})
    assert by_text["你好呀"].places == frozenset()


def test_assistant_cites_nothing_for_an_off_topic_intent(knowledge_base):
    """With NLU, an out-of-scope question is never sent to search."""
    question = Question("今天会不会下雨", "out_of_scope", None, ())
    assert cited_ids(question, Parse("out_of_scope"), knowledge_base.search) == ()


def test_retrieval_scores_hits_and_refusals(knowledge_base):
    """A wage question finds 重庆's 工资专户 practice in the top 3; small talk cites nothing."""
    questions = [
        Question("重庆工资专户银行代发", "ask_wage_arrears", "重庆市", ("5.1.2",)),
        Question("今天天气怎么样", "out_of_scope", None, ()),
    ]
    parses = [Parse("ask_wage_arrears", ((0, 2, "重庆市"),)), Parse("out_of_scope")]
    scores = Scores("test")
    score_retrieval(scores, questions, parses, knowledge_base.search)
    assert (scores.hit_at_3, scores.oos_accuracy, scores.misses) == (1.0, 1.0, [])
    report = render_report([scores], load_examples(), questions)
    assert "| test |" in report and "| 1.000 | 1.000 |" in report
