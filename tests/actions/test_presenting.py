"""How one practice looks on a phone: the key fact, and the messages as Rasa renders them."""
from __future__ import annotations

import asyncio

import pytest

from actions.practices import ActionSearchPractices
from actions.presenting import has_figure, key_fact, shorten
from tests.support.chat import make_tracker, run


@pytest.mark.parametrize(
    "practice_id, fact_contains",
    [
        ("1.2.1", "56个项目"),  # the first sentence after the headline with a figure
        ("5.1.2", "165.01亿元"),
        ("3.1.3", "2.65万名"),
        ("1.1.1", "一是壮队伍"),  # no figure anywhere: the sentence after the headline
    ],
)
def test_key_fact_is_the_first_sentence_with_a_figure(knowledge_base, practice_id, fact_contains):
    """Each item carries one key fact: a figure if the practice has one, else its first point."""
    assert fact_contains in key_fact(knowledge_base.practice(practice_id))


def test_every_key_fact_is_short_and_from_the_text(knowledge_base):
    """For all practices: a fact of at most 60 characters (plus …), taken from the practice's own text."""
    for practice in knowledge_base.practices():
        fact = key_fact(practice)
        assert 0 < len(fact) <= 61, practice.id
        assert fact.rstrip("…") in practice.text or fact.rstrip("…") in practice.title, practice.id
        assert practice.title not in fact, practice.id


@pytest.mark.parametrize(
    "sentence, figure",
    [("已培育3515名智能建造产业工人。", True), ("提高到2.5%。", True), ("截至2023年底，成效明显。", False),
     ("（豫建人教〔2022〕19号）", False), ("一是壮队伍。", False)],
)
def test_a_figure_is_a_counted_number_not_a_year(sentence, figure):
    assert has_figure(sentence) is figure


def test_long_sentence_is_cut_at_a_clause_without_breaking_a_number():
    """A long sentence keeps whole clauses from its first figure on, ending with …"""
    sentence = "由企业注册地财政按每培训 1 名建筑高级工补贴 200 元、建筑施工特种作业人员补贴 300 元、现场管理人员补贴 400 元，经费从地方财政列支。"
    short = shorten(sentence, 40)
    assert short.endswith("…") and len(short) <= 41
    assert short.rstrip("…").endswith("元")


def render(domain_path, reply):
    """The messages as the Rasa server fills the responses of domain.yml for the channel."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(domain_path))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("worker", domain.slots)
    out = []
    for message in reply.messages:
        if message.get("response"):
            kwargs = {k: v for k, v in message.items() if k not in ("response", "template") and v}
            out.append(asyncio.run(nlg.generate(message["response"], tracker, "rest", **kwargs)))
        else:
            out.append({"custom": message["custom"]})
    return out


def test_rendered_answer_reads_well_and_buttons_carry_payloads(knowledge_base):
    """Rendered by Rasa: each item shows its place, headline and fact with a 看全文 button
    (``/ask_detail{"ordinal":"N"}``); the last message offers 更多 / 有用 / 没用."""
    from bot.config import ROOT

    reply = run(ActionSearchPractices(knowledge_base), make_tracker("重庆工资是银行代发吗", "ask_wage_arrears"))
    rendered = render(ROOT / "domain.yml", reply)
    texts = [m.get("text", "") for m in rendered]
    first = knowledge_base.practice(reply.cited_ids[0])
    assert texts[0].startswith("1. ") and first.region in texts[0] and first.title in texts[0]
    assert rendered[0]["buttons"] == [{"title": "看第1条全文", "payload": '/ask_detail{"ordinal":"1"}'}]
    assert rendered[2]["buttons"][0]["payload"] == '/ask_detail{"ordinal":"3"}'
    assert any(first.citation in t and "《培育新时代建筑产业工人可复制经验做法清单（第一批）》" in t for t in texts)
    assert any("12333" in t and "12348" in t and "12345" in t and "通用提示" in t for t in texts)
    payloads = [b["payload"] for b in rendered[-1]["buttons"]]
    assert payloads == ["/ask_more", "/feedback_useful", "/feedback_useless"]
    assert all("{" not in t for t in texts), "every variable filled"
    assert sum(len(t) for t in texts) < 600, "short enough for a phone"


def test_every_key_fact_quotes_the_text_and_never_cuts_a_figure(practices):
    """A worker reads a figure as printed: a fact is a piece of the text and no number in it is cut short."""
    from actions.presenting import key_fact

    for practice in practices:
        fact = key_fact(practice).rstrip("…")
        assert fact in practice.text, practice.id
        after = practice.text[practice.text.index(fact) + len(fact):][:2]
        assert not (fact[-1:].isdigit() and after[:1].isdigit()), (practice.id, fact)
        assert not (fact[-1:].isdigit() and after[:1] == " " and after[1:2].isdigit()), (practice.id, fact)
